-- A model may say it predicts its analysis for one engine's calculations only ("predicts": {"engine"}):
-- an xtb-trained energy model is then neither asked about pw.x runs nor judged on them.
ALTER TABLE models ADD COLUMN predicts_engine VARCHAR(64) NULL AFTER predicts_unit;
