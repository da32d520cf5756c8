-- Clusters, their agents' API keys, heartbeats (raw for 7 days, 5-minute averages for 90) and the
-- analyses each cluster's agent can run.
CREATE TABLE clusters (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    description VARCHAR(2000) NOT NULL DEFAULT '',
    enabled TINYINT(1) NOT NULL DEFAULT 1,
    requires_approval TINYINT(1) NOT NULL DEFAULT 0,
    -- 0: no limit. Otherwise claim answers 204 while this many run.
    max_running INT UNSIGNED NOT NULL DEFAULT 0,
    heartbeat_interval INT UNSIGNED NOT NULL DEFAULT 30,
    last_seen_at DATETIME(6) NULL,
    agent_version VARCHAR(64) NOT NULL DEFAULT '',
    latest_metrics TEXT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY clusters_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE cluster_keys (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cluster_id BIGINT UNSIGNED NOT NULL,
    label VARCHAR(200) NOT NULL DEFAULT '',
    key_hash CHAR(64) NOT NULL,
    -- The first characters, so that people can tell keys apart without the secret.
    key_prefix VARCHAR(12) NOT NULL,
    created_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    UNIQUE KEY cluster_keys_hash (key_hash),
    KEY cluster_keys_cluster (cluster_id),
    CONSTRAINT cluster_keys_cluster_fk FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE heartbeats (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cluster_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    cpu_percent DOUBLE NOT NULL,
    load_1m DOUBLE NOT NULL,
    memory_used_bytes BIGINT UNSIGNED NOT NULL,
    memory_total_bytes BIGINT UNSIGNED NOT NULL,
    disk_free_bytes BIGINT UNSIGNED NOT NULL,
    disk_total_bytes BIGINT UNSIGNED NOT NULL,
    running_count INT UNSIGNED NOT NULL DEFAULT 0,
    KEY heartbeats_cluster_time (cluster_id, recorded_at),
    KEY heartbeats_time (recorded_at)
) ENGINE=InnoDB;

CREATE TABLE heartbeat_rollups (
    cluster_id BIGINT UNSIGNED NOT NULL,
    bucket_start DATETIME NOT NULL,
    samples INT UNSIGNED NOT NULL,
    cpu_percent DOUBLE NOT NULL,
    load_1m DOUBLE NOT NULL,
    memory_used_bytes DOUBLE NOT NULL,
    memory_total_bytes DOUBLE NOT NULL,
    disk_free_bytes DOUBLE NOT NULL,
    disk_total_bytes DOUBLE NOT NULL,
    running_count DOUBLE NOT NULL,
    PRIMARY KEY (cluster_id, bucket_start)
) ENGINE=InnoDB;

CREATE TABLE cluster_analyses (
    cluster_id BIGINT UNSIGNED NOT NULL,
    engine VARCHAR(64) NOT NULL,
    engine_version VARCHAR(200) NOT NULL DEFAULT '',
    analysis VARCHAR(64) NOT NULL,
    requires_list VARCHAR(2000) NOT NULL DEFAULT '[]',
    description VARCHAR(2000) NOT NULL DEFAULT '',
    reported_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (cluster_id, engine, analysis),
    CONSTRAINT cluster_analyses_cluster_fk FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
