-- 0066: the data-quality views count each student once per tool across daily usage and year-to-date
-- summaries. They took the larger of the two counts (0062, 0064), a lower bound when some students
-- appear only in one of them (i-Ready lessons for some, the year-to-date export for others). Daily
-- usage is first reduced to one row per tool and student number (what count(DISTINCT) did anyway),
-- then joined to the student keys the summaries carry.
CREATE OR REPLACE VIEW usage_tool_vetting AS
WITH daily AS (
    SELECT d.tool, r.student_key, d.usage_rows, d.minutes, d.first_used, d.last_used
    FROM (SELECT tool, student_ref, count(*) AS usage_rows, sum(minutes) AS minutes,
                 min(usage_date) AS first_used, max(usage_date) AS last_used
          FROM usage_facts GROUP BY tool, student_ref) d
    JOIN student_refs r USING (student_ref)
), used AS (
    SELECT tool, student_key, usage_rows, minutes, first_used, last_used FROM daily
    UNION ALL
    SELECT tool, student_key, 1, minutes, as_of_date, as_of_date FROM usage_summary
), vetted AS (
    SELECT DISTINCT lower(trim(p.name)) AS tool_norm
    FROM products p JOIN catalog_entries c USING (product_id) WHERE c.vetted
)
SELECT u.tool, sum(u.usage_rows) AS usage_rows, count(DISTINCT u.student_key) AS students,
       sum(u.minutes) AS minutes, min(u.first_used) AS first_used, max(u.last_used) AS last_used,
       bool_or(v.tool_norm IS NOT NULL) AS vetted
FROM used u LEFT JOIN vetted v ON lower(trim(u.tool)) = v.tool_norm
GROUP BY u.tool;

CREATE OR REPLACE VIEW usage_unrostered AS
WITH used AS (
    SELECT d.tool, r.student_key, d.usage_rows, d.minutes
    FROM (SELECT tool, student_ref, count(*) AS usage_rows, sum(minutes) AS minutes
          FROM usage_facts GROUP BY tool, student_ref) d
    JOIN student_refs r USING (student_ref)
    UNION ALL
    SELECT tool, student_key, 1, minutes FROM usage_summary
)
SELECT tool, sum(usage_rows) AS usage_rows, count(DISTINCT student_key) AS students, sum(minutes) AS minutes
FROM used u
WHERE NOT EXISTS (SELECT 1 FROM roster_students s WHERE s.student_key = u.student_key)
GROUP BY tool;
