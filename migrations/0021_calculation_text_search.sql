-- The Calculations page's search without reading every row: a full-text index on name and
-- description finds the candidates, LIKE keeps the match exact.
ALTER TABLE calculations ADD FULLTEXT KEY calculations_text (name, description);
