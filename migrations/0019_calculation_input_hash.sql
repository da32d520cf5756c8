-- The SHA-256 of what a calculation computes (engine, configuration, steps and the structure it runs),
-- so that "the same input was already computed" is one index lookup. Rows from before are filled in
-- by the API's maintenance loop, which computes the same hash.
ALTER TABLE calculations ADD COLUMN input_sha256 CHAR(64) CHARACTER SET ascii NULL AFTER analyses,
    ADD KEY calculations_input (input_sha256, id);
