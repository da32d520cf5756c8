-- Models: SageMaker-style containers that calcflow-models keeps in their desired state. The API keeps
-- what people asked for (desired_state, start_generation) and what the controller last reported.
CREATE TABLE models (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    image VARCHAR(500) NOT NULL,
    port INT UNSIGNED NOT NULL DEFAULT 8080,
    environment MEDIUMTEXT NOT NULL,
    model_data VARCHAR(1000) NULL,
    memory_limit_bytes BIGINT UNSIGNED NULL,
    startup_timeout_seconds INT UNSIGNED NOT NULL DEFAULT 240,
    invocation_timeout_seconds INT UNSIGNED NOT NULL DEFAULT 60,
    predicts_analysis VARCHAR(64) NULL,
    predicts_unit VARCHAR(32) NULL,
    auto_predict TINYINT(1) NOT NULL DEFAULT 0,
    desired_state ENUM('running', 'stopped') NOT NULL DEFAULT 'stopped',
    -- Raised by every start: a failed model asked to start again begins afresh (its restart count too).
    start_generation INT UNSIGNED NOT NULL DEFAULT 0,
    state ENUM('stopped', 'starting', 'healthy', 'unhealthy', 'restarting', 'failed') NOT NULL DEFAULT 'stopped',
    restarts INT UNSIGNED NOT NULL DEFAULT 0,
    container_id VARCHAR(128) NULL,
    endpoint VARCHAR(200) NULL,
    message MEDIUMTEXT NULL,
    last_ping_at DATETIME(6) NULL,
    reported_at DATETIME(6) NULL,
    created_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY models_name (name),
    CONSTRAINT models_creator_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The model controllers' keys (mk_), stored as SHA-256 hashes like the agents'.
CREATE TABLE controller_keys (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    label VARCHAR(200) NOT NULL,
    key_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    key_prefix VARCHAR(16) CHARACTER SET ascii NOT NULL,
    created_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    UNIQUE KEY controller_keys_hash (key_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Container log lines, shown in Logs with the model as their source.
ALTER TABLE logs ADD COLUMN model_id BIGINT UNSIGNED NULL AFTER calculation_id, ADD KEY logs_model (model_id, id);
