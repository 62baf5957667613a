-- When a scope's last admitted attempt was: attempts on an account from browsers it
-- does not know wait longer and longer after its free ones (see throttle.rs).
ALTER TABLE login_failures ADD COLUMN last_attempt BIGINT NOT NULL DEFAULT 0;
