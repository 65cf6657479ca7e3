-- 0065: usage totals from an export without a school year (IXL's progress report) were stored with
-- an empty period, so next year's export replaced this year's. Such files are now the school year of
-- the day they were imported (etl/loaders.py load_usage_summary); rows stored before take the school
-- year of their as_of_date (the import day) by the same July-June rule (etl.cleaning.school_year_of),
-- unless a row of that student, tool, subject and school year is already stored.

CREATE OR REPLACE TEMP MACRO school_year_0065(d) AS
    (year(d) - CASE WHEN month(d) >= 7 THEN 0 ELSE 1 END)::VARCHAR || '-'
    || lpad(((year(d) - CASE WHEN month(d) >= 7 THEN 0 ELSE 1 END + 1) % 100)::VARCHAR, 2, '0');

UPDATE usage_summary u SET period = school_year_0065(u.as_of_date)
WHERE u.period = ''
  AND NOT EXISTS (
    SELECT 1 FROM usage_summary o
    WHERE o.student_key = u.student_key AND o.tool = u.tool AND o.subject = u.subject
      AND o.period = school_year_0065(u.as_of_date));

UPDATE usage_summary_superseded SET period = school_year_0065(as_of_date) WHERE period = '';

DROP MACRO school_year_0065;
