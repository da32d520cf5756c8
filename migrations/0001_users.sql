-- People who sign in to the dashboard. Deleted users are kept (their calculations stay theirs),
-- with their email freed for reuse through the generated column's unique key.
CREATE TABLE users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    name VARCHAR(200) NOT NULL DEFAULT '',
    role ENUM('user', 'moderator', 'admin') NOT NULL DEFAULT 'user',
    password_hash VARCHAR(255) NOT NULL,
    blocked TINYINT(1) NOT NULL DEFAULT 0,
    email_level ENUM('INFO', 'ERROR', 'NONE') NOT NULL DEFAULT 'INFO',
    -- Raised when sessions must end at once: access tokens carry it and stop matching.
    session_epoch INT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    deleted_at DATETIME(6) NULL,
    active_email VARCHAR(254) AS (IF(deleted_at IS NULL, email, NULL)) PERSISTENT,
    UNIQUE KEY users_active_email (active_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
