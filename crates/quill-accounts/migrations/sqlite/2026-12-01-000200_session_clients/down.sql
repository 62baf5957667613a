ALTER TABLE sessions DROP COLUMN api;
ALTER TABLE sessions DROP COLUMN address;
ALTER TABLE sessions DROP COLUMN agent;
ALTER TABLE sessions DROP COLUMN last_seen_at;
