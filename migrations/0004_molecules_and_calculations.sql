CREATE TABLE molecules (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    formula VARCHAR(200) NOT NULL DEFAULT '',
    structure_format VARCHAR(16) NOT NULL DEFAULT 'xyz',
    structure_text MEDIUMTEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY molecules_name (name),
    CONSTRAINT molecules_creator_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE calculations (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    cluster_id BIGINT UNSIGNED NOT NULL,
    molecule_id BIGINT UNSIGNED NULL,
    engine VARCHAR(64) NOT NULL,
    configuration MEDIUMTEXT NOT NULL,
    steps MEDIUMTEXT NOT NULL,
    analyses TEXT NOT NULL,
    priority SMALLINT NOT NULL DEFAULT 0,
    approved TINYINT(1) NOT NULL DEFAULT 0,
    processed TINYINT(1) NOT NULL DEFAULT 0,
    state ENUM('pending_approval', 'queued', 'running', 'succeeded', 'failed', 'not_converged', 'cancelled') NOT NULL,
    state_reason VARCHAR(2000) NULL,
    cancel_requested TINYINT(1) NOT NULL DEFAULT 0,
    progress_done INT UNSIGNED NULL,
    progress_total INT UNSIGNED NULL,
    keep_raw TINYINT(1) NOT NULL DEFAULT 0,
    rerun_of BIGINT UNSIGNED NULL,
    created_by BIGINT UNSIGNED NOT NULL,
    approved_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    started_at DATETIME(6) NULL,
    finished_at DATETIME(6) NULL,
    -- The claim query's order: this cluster's claimable ones, best first.
    KEY calculations_claim (cluster_id, processed, approved, state, priority, created_at),
    KEY calculations_state (state, cluster_id),
    KEY calculations_molecule (molecule_id),
    KEY calculations_creator (created_by),
    CONSTRAINT calculations_cluster_fk FOREIGN KEY (cluster_id) REFERENCES clusters (id),
    CONSTRAINT calculations_molecule_fk FOREIGN KEY (molecule_id) REFERENCES molecules (id),
    CONSTRAINT calculations_creator_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the agent reported, once per (calculation, seq): replays after a lost connection are ignored.
CREATE TABLE calculation_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    calculation_id BIGINT UNSIGNED NOT NULL,
    seq BIGINT UNSIGNED NOT NULL,
    state VARCHAR(32) NULL,
    step VARCHAR(100) NULL,
    level ENUM('INFO', 'ERROR') NOT NULL,
    message TEXT NOT NULL,
    progress_done INT UNSIGNED NULL,
    progress_total INT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY calculation_events_seq (calculation_id, seq),
    CONSTRAINT calculation_events_calculation_fk FOREIGN KEY (calculation_id) REFERENCES calculations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Extracted data, one row per (calculation, analysis, step); '' is the calculation as a whole.
CREATE TABLE calculation_analyses (
    calculation_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(64) NOT NULL,
    step VARCHAR(100) NOT NULL DEFAULT '',
    data LONGTEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (calculation_id, name, step),
    KEY calculation_analyses_name (name, calculation_id),
    CONSTRAINT calculation_analyses_calculation_fk FOREIGN KEY (calculation_id) REFERENCES calculations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
