CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Case-folded by the application, so UNIQUE is case-insensitive.
    username VARCHAR(32) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie token, hex: the database never holds a live token.
    id CHAR(64) NOT NULL PRIMARY KEY,
    user_id BIGINT REFERENCES users (id),
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
