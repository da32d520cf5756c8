-- Every invocation of a model through the API: who asked, what (its SHA-256), what came back, how fast,
-- and which image answered; the response itself when under 64 KiB, so a team can retrain on it.
ALTER TABLE models ADD COLUMN image_digest VARCHAR(128) NULL AFTER image;

CREATE TABLE model_invocations (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    model_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NULL,
    image VARCHAR(500) NOT NULL,
    image_digest VARCHAR(128) NULL,
    input_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
    input_bytes INT UNSIGNED NOT NULL,
    status SMALLINT UNSIGNED NOT NULL,
    latency_ms DOUBLE NOT NULL,
    content_type VARCHAR(200) NULL,
    response MEDIUMTEXT NULL,
    error VARCHAR(2000) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY model_invocations_model (model_id, id),
    CONSTRAINT model_invocations_model_fk FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
