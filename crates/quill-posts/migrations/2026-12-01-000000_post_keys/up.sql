-- Which post each post token made, so that a form or request sent twice stores one post
-- (the Cassandra table of the same name keeps its rows for a day and an hour by TTL;
-- here each insert purges its user's older rows). `key` is the token's id; `post_id`
-- the id the post got when it was published.
CREATE TABLE post_keys (
    user_id INTEGER NOT NULL,
    key BLOB NOT NULL CHECK (length(key) = 16),
    post_id BLOB NOT NULL CHECK (length(post_id) = 16),
    -- Unix microseconds.
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
