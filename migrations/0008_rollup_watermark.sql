-- Where each maintenance job got to: the heartbeat rollup folds in only rows after its watermark.
CREATE TABLE maintenance_state (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value BIGINT UNSIGNED NOT NULL DEFAULT 0,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
INSERT INTO maintenance_state (name, value) VALUES ('heartbeat_rollup_id', 0);
