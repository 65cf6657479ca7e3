-- 0021: tiered (volume) pricing and a CPI-linked, capped escalator on quotes (SOP step 3).
-- Tiers are stored as JSON like one_time_costs: [{"min_units": 0, "unit_price": 12.5}, ...]; an empty
-- list is a flat unit price. Value rules (sorted unique tiers, cap 0-100, CPI needs an assumed rate) are
-- checked by models/costs.py before anything is written; no CHECK here (DuckDB refuses CHECK in ALTER).

ALTER TABLE quotes ADD COLUMN tiers JSON;
ALTER TABLE quotes ADD COLUMN escalator_kind VARCHAR DEFAULT 'flat';
ALTER TABLE quotes ADD COLUMN cpi_pct DOUBLE;
ALTER TABLE quotes ADD COLUMN escalator_cap_pct DOUBLE;
