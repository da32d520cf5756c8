-- Refresh tokens, stored as SHA-256 hashes. Each login starts a family; every refresh rotates the
-- token within it, and presenting a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    family_id CHAR(32) NOT NULL,
    token_hash CHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at DATETIME(6) NOT NULL,
    rotated_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    user_agent VARCHAR(255) NOT NULL DEFAULT '',
    address VARCHAR(64) NOT NULL DEFAULT '',
    UNIQUE KEY refresh_tokens_hash (token_hash),
    KEY refresh_tokens_family (family_id),
    KEY refresh_tokens_user (user_id),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Failed logins, counted per email and per client address for throttling.
CREATE TABLE login_failures (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    address VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY login_failures_email (email, created_at),
    KEY login_failures_address (address, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
