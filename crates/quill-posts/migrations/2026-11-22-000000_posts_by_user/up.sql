-- The embedded twin of Cassandra's posts_by_user: partitioned by (user_id, month),
-- newest first within a partition. `ts` is the timeuuid's 100 ns tick count, so that
-- SQLite orders by time the way Cassandra orders a timeuuid clustering column.
CREATE TABLE posts_by_user (
    user_id INTEGER NOT NULL,
    month INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    post_id BLOB NOT NULL CHECK (length(post_id) = 16),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (user_id, month, ts, post_id)
) WITHOUT ROWID;
