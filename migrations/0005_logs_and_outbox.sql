CREATE TABLE logs (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cluster_id BIGINT UNSIGNED NULL,
    calculation_id BIGINT UNSIGNED NULL,
    level VARCHAR(16) NOT NULL,
    message TEXT NOT NULL,
    logged_at DATETIME(6) NOT NULL,
    received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY logs_cluster (cluster_id, id),
    KEY logs_calculation (calculation_id, id),
    KEY logs_logged (logged_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mail to send, written in the same transaction as the state change that causes it. Senders in
-- every calcflow-api claim rows with SKIP LOCKED and hold the lock while they send.
CREATE TABLE outbox (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(32) NOT NULL,
    calculation_id BIGINT UNSIGNED NULL,
    recipient VARCHAR(254) NOT NULL,
    subject VARCHAR(500) NOT NULL,
    text_body MEDIUMTEXT NOT NULL,
    html_body MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    sent_at DATETIME(6) NULL,
    failed_at DATETIME(6) NULL,
    last_error VARCHAR(2000) NULL,
    KEY outbox_due (sent_at, failed_at, next_attempt_at),
    KEY outbox_calculation (calculation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
