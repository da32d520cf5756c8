-- A model's prediction for a calculation, beside the value the calculation computed for the analysis
-- the model predicts: what no model server can do, since none computes the ground truth itself.
CREATE TABLE predictions (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    calculation_id BIGINT UNSIGNED NOT NULL,
    model_id BIGINT UNSIGNED NOT NULL,
    analysis VARCHAR(64) NOT NULL,
    value DOUBLE NULL,
    unit VARCHAR(32) NULL,
    status SMALLINT UNSIGNED NOT NULL,
    error VARCHAR(2000) NULL,
    requested_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY predictions_calculation (calculation_id, model_id, id),
    KEY predictions_model (model_id, calculation_id),
    CONSTRAINT predictions_calculation_fk FOREIGN KEY (calculation_id) REFERENCES calculations (id) ON DELETE CASCADE,
    CONSTRAINT predictions_model_fk FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
