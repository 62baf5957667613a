-- Failed logins per account and per client address, in fixed windows, shared by every
-- Quill instance of a deployment.
CREATE TABLE login_failures (
    -- "account:<username>" or "address:<ip>".
    scope VARCHAR(100) NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL,
    INDEX login_failures_window_start (window_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
