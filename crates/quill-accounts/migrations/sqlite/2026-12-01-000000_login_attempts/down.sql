ALTER TABLE login_failures DROP COLUMN last_attempt;
