-- When the account's deletion began; NULL while it lives. A marked account cannot log
-- in, and its deletion resumes at the next start or login attempt until its row goes
-- (see docs/ARCHITECTURE.md, "Deleting an account").
ALTER TABLE users ADD COLUMN deleting_since BIGINT NULL;
