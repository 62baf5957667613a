ALTER TABLE users DROP COLUMN deleting_since;
