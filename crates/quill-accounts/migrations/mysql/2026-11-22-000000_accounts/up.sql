-- The same tables as migrations/sqlite, in SQL that runs on MariaDB 10.11 and MySQL 8.
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- Case-folded by the application, so a binary UNIQUE is case-insensitive.
    username VARCHAR(32) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT users_username UNIQUE (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE sessions (
    -- SHA-256 of the cookie token, hex: the database never holds a live token.
    id CHAR(64) NOT NULL PRIMARY KEY,
    user_id BIGINT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id),
    INDEX sessions_user_id (user_id),
    INDEX sessions_expires_at (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
