-- Each insert deletes its user's post keys older than their lifetime; without this index
-- that delete read every key the user made in the last day, so a user who posts a lot
-- paid for it on every post.
CREATE INDEX post_keys_by_age ON post_keys (user_id, created_at);
