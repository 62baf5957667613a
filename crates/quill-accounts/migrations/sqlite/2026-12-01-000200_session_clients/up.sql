-- What the sessions page shows of each session: when it was last used (written with
-- the idle-expiry extension, at most once a minute), the client's User-Agent and
-- address when it started, and whether it is an API token rather than a browser's.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN agent VARCHAR(255);
ALTER TABLE sessions ADD COLUMN address VARCHAR(45);
ALTER TABLE sessions ADD COLUMN api BOOLEAN NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
