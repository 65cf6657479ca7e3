-- 0060: daily usage stores a small student number, not the 24-character student key, on every row.
-- Why: usage is the one table with millions of rows (a school year of a large district is ~10M). The
-- key is a random hex string that does not compress, so storing it per row made the database ~1 GB
-- per school year and most of the import time was spent writing it. `student_refs` gives each key one
-- INTEGER; `usage_facts` stores the integer; the view `usage_daily` joins them back, so every reader
-- (services, reporting.usage_daily, the data-quality views) still sees `student_key` as before.
-- Writers go through etl/loaders.py (imports) or etl.loaders.insert_usage (demo data, tests).

CREATE TABLE student_refs (
    student_ref INTEGER PRIMARY KEY,
    student_key VARCHAR NOT NULL UNIQUE
);

CREATE TABLE usage_facts (
    student_ref INTEGER NOT NULL,
    tool VARCHAR NOT NULL,
    usage_date DATE NOT NULL,
    minutes DOUBLE CHECK (minutes BETWEEN 0 AND 1440),
    sessions INTEGER CHECK (sessions >= 0),
    school VARCHAR,
    grade INTEGER,
    import_id INTEGER
);
CREATE TABLE usage_facts_superseded AS SELECT *, NULL::INTEGER AS superseded_by FROM usage_facts LIMIT 0;

INSERT INTO student_refs
    SELECT (row_number() OVER (ORDER BY student_key))::INTEGER, student_key
    FROM (SELECT student_key FROM usage_daily UNION SELECT student_key FROM usage_daily_superseded);
INSERT INTO usage_facts
    SELECT r.student_ref, u.tool, u.usage_date, u.minutes, u.sessions, u.school, u.grade, u.import_id
    FROM usage_daily u JOIN student_refs r USING (student_key);
INSERT INTO usage_facts_superseded
    SELECT r.student_ref, u.tool, u.usage_date, u.minutes, u.sessions, u.school, u.grade, u.import_id,
           u.superseded_by
    FROM usage_daily_superseded u JOIN student_refs r USING (student_key);

DROP TABLE usage_daily_superseded;
DROP TABLE usage_daily;
CREATE VIEW usage_daily AS
    SELECT r.student_key, f.tool, f.usage_date, f.minutes, f.sessions, f.school, f.grade, f.import_id
    FROM usage_facts f JOIN student_refs r USING (student_ref);
