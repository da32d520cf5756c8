-- What the model was asked, kept (like its response) when under 64 KiB: the training export gives both,
-- so a team can retrain on what its model is used for.
ALTER TABLE model_invocations ADD COLUMN input MEDIUMTEXT NULL AFTER input_bytes;
