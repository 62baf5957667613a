-- Requests per client address and for the whole deployment, in fixed windows, shared
-- by every Quill instance: sign-ups, API sessions, post tokens (see rate_limits.rs).
CREATE TABLE rate_limits (
    -- "<action>:address:<ip>" or "<action>:all", e.g. "signup:address:203.0.113.9".
    scope VARCHAR(100) NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    -- When the window ends (window_start plus the action's window): what the purge
    -- looks at, whatever the action.
    window_end BIGINT NOT NULL,
    requests INTEGER NOT NULL
);
CREATE INDEX rate_limits_window_end ON rate_limits (window_end);
