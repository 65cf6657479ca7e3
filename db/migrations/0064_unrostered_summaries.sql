-- 0064: usage_unrostered also lists year-to-date and progress summaries (i-Ready YTD, IXL) of
-- students not on the roster. The import's warning says Data quality lists such usage; for
-- summaries it did not, because the view read daily usage only.
CREATE OR REPLACE VIEW usage_unrostered AS
WITH unrostered AS (
    SELECT r.student_ref FROM student_refs r
    WHERE NOT EXISTS (SELECT 1 FROM roster_students s WHERE s.student_key = r.student_key)
), parts AS (
    SELECT f.tool, count(*) AS usage_rows, count(DISTINCT f.student_ref) AS students, sum(f.minutes) AS minutes
    FROM usage_facts f
    WHERE f.student_ref IN (SELECT student_ref FROM unrostered)
    GROUP BY f.tool
    UNION ALL
    SELECT u.tool, count(*), count(DISTINCT u.student_key), sum(u.minutes)
    FROM usage_summary u
    WHERE NOT EXISTS (SELECT 1 FROM roster_students s WHERE s.student_key = u.student_key)
    GROUP BY u.tool
)
SELECT tool, sum(usage_rows) AS usage_rows, max(students) AS students, sum(minutes) AS minutes
FROM parts GROUP BY tool;
