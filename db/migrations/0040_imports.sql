-- 0040: what the importers (etl/, issue 6) need beyond 0001.
-- * warnings beside rejects (a value read as missing, e.g. an Excel-destroyed date 00:00.0);
-- * "superseded" side tables: an upsert moves the rows it replaces there, so undoing the last import
--   can put them back (the fact tables themselves have no primary key on purpose, see 0001);
-- * usage_summary for exports that carry totals, not days (i-Ready year-to-date, IXL progress);
-- * data-quality views: unrostered usage and tools that are not vetted in the catalog ("shadow" tools).

ALTER TABLE import_log ADD COLUMN rows_warned BIGINT DEFAULT 0;
ALTER TABLE import_log ADD COLUMN notes VARCHAR;
ALTER TABLE import_rejects ADD COLUMN severity VARCHAR DEFAULT 'rejected';

CREATE TABLE usage_summary (
    student_key VARCHAR NOT NULL,
    tool VARCHAR NOT NULL,
    subject VARCHAR NOT NULL DEFAULT '',
    period VARCHAR NOT NULL DEFAULT '',      -- e.g. the academic year "2026-2027"
    as_of_date DATE NOT NULL,                -- the day the export was imported
    minutes DOUBLE CHECK (minutes >= 0),
    lessons_completed INTEGER CHECK (lessons_completed >= 0),
    lessons_passed INTEGER CHECK (lessons_passed >= 0),
    questions_answered INTEGER CHECK (questions_answered >= 0),
    skills_practiced INTEGER CHECK (skills_practiced >= 0),
    skills_proficient INTEGER CHECK (skills_proficient >= 0),
    school VARCHAR,
    grade INTEGER,
    import_id INTEGER
);

CREATE TABLE usage_daily_superseded AS SELECT *, NULL::INTEGER AS superseded_by FROM usage_daily LIMIT 0;
CREATE TABLE usage_summary_superseded AS SELECT *, NULL::INTEGER AS superseded_by FROM usage_summary LIMIT 0;
CREATE TABLE assessment_results_superseded AS
    SELECT *, NULL::INTEGER AS superseded_by FROM assessment_results LIMIT 0;
CREATE TABLE feedback_responses_superseded AS
    SELECT *, NULL::INTEGER AS superseded_by FROM feedback_responses LIMIT 0;
CREATE TABLE roster_students_superseded AS
    SELECT *, NULL::INTEGER AS superseded_by FROM roster_students LIMIT 0;
CREATE TABLE roster_teachers_superseded AS
    SELECT *, NULL::INTEGER AS superseded_by FROM roster_teachers LIMIT 0;

-- A tool is vetted when a catalog entry marked vetted exists for a product of that name
-- (names compared case- and space-insensitively). Everything else found in usage is "not vetted".
CREATE VIEW usage_tool_vetting AS
WITH used AS (
    SELECT tool, count(*) AS usage_rows, count(DISTINCT student_key) AS students,
           sum(minutes) AS minutes, min(usage_date) AS first_used, max(usage_date) AS last_used
    FROM usage_daily GROUP BY tool
    UNION ALL
    SELECT tool, count(*), count(DISTINCT student_key), sum(minutes), min(as_of_date), max(as_of_date)
    FROM usage_summary GROUP BY tool
), vetted AS (
    SELECT DISTINCT lower(trim(p.name)) AS tool_norm
    FROM products p JOIN catalog_entries c USING (product_id) WHERE c.vetted
)
SELECT u.tool, sum(u.usage_rows) AS usage_rows, max(u.students) AS students, sum(u.minutes) AS minutes,
       min(u.first_used) AS first_used, max(u.last_used) AS last_used,
       bool_or(v.tool_norm IS NOT NULL) AS vetted
FROM used u LEFT JOIN vetted v ON lower(trim(u.tool)) = v.tool_norm
GROUP BY u.tool;

-- Usage by students the roster does not know, per tool.
CREATE VIEW usage_unrostered AS
SELECT u.tool, count(*) AS usage_rows, count(DISTINCT u.student_key) AS students, sum(u.minutes) AS minutes
FROM usage_daily u
WHERE NOT EXISTS (SELECT 1 FROM roster_students r WHERE r.student_key = u.student_key)
GROUP BY u.tool;
