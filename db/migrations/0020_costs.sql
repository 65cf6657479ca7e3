-- 0020: step 3 cost modeling. The quote details 0001 did not hold (a label, the coverage rule as
-- numbers, a seat cap) and the funding lines of each scenario (who pays which share of each year).
-- Value rules (ranges, share or amount) are checked by models/costs.py before anything is written.

ALTER TABLE quotes ADD COLUMN label VARCHAR;
ALTER TABLE quotes ADD COLUMN coverage_pct DOUBLE;
ALTER TABLE quotes ADD COLUMN coverage_grade_low INTEGER;
ALTER TABLE quotes ADD COLUMN coverage_grade_high INTEGER;
ALTER TABLE quotes ADD COLUMN seat_cap INTEGER;
ALTER TABLE quotes ADD COLUMN updated_at TIMESTAMP;

-- No foreign key to cost_scenarios: DuckDB refuses to delete a parent whose children were deleted in
-- the same transaction, so services/scenarios.py (the only writer) keeps lines and scenarios together.
CREATE SEQUENCE seq_scenario_funding START 1;
CREATE TABLE scenario_funding_lines (
    line_id INTEGER PRIMARY KEY DEFAULT nextval('seq_scenario_funding'),
    scenario_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES funding_sources (source_id),
    share_pct DOUBLE CHECK (share_pct BETWEEN 0 AND 100),
    annual_amount DECIMAL(14, 2) CHECK (annual_amount >= 0),
    position INTEGER NOT NULL DEFAULT 0,
    CHECK ((share_pct IS NULL) <> (annual_amount IS NULL))
);
