-- 0030: steps 6-9 and the SOPPA public posting (issue #5).
-- Small additions to tables from 0001 plus a record of each public posting, which the
-- twice-yearly update clock (services/soppa_posting.py) reads. Settings for the posting
-- (parent-rights text, breach share rule, business/calendar days) live in app_meta under
-- keys starting with 'soppa.'.

-- Step 6: words teachers search for, and training beyond a single link.
ALTER TABLE catalog_entries ADD COLUMN keywords VARCHAR;
ALTER TABLE catalog_entries ADD COLUMN training_notes VARCHAR;

-- Step 7: further contract documents (one link per line) and a free note.
ALTER TABLE contracts ADD COLUMN documents VARCHAR;
ALTER TABLE contracts ADD COLUMN note VARCHAR;

-- SOPPA breach register: enrollment when the breach was learned, so the share of enrollment
-- (and the "fewer than 10% may be left off" rule) does not drift as enrollment changes.
ALTER TABLE breaches ADD COLUMN enrollment_total INTEGER;

-- Step 9: share of the audience that completed a training session.
ALTER TABLE plan_milestones ADD COLUMN completion_pct DOUBLE;

CREATE SEQUENCE seq_soppa_publication START 1;
CREATE TABLE soppa_publications (
    publication_id INTEGER PRIMARY KEY DEFAULT nextval('seq_soppa_publication'),
    published_on DATE NOT NULL,
    published_by INTEGER REFERENCES people (person_id),
    operators_listed INTEGER NOT NULL DEFAULT 0,
    breaches_listed INTEGER NOT NULL DEFAULT 0,
    html_sha256 VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
