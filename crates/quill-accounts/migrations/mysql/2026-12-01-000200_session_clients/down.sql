ALTER TABLE sessions DROP COLUMN api, DROP COLUMN address, DROP COLUMN agent, DROP COLUMN last_seen_at;
