-- 0065: usage totals from an export without a school year (IXL's progress report) were stored with
-- an empty period, so next year's export replaced this year's. Such files are now the school year of
-- the day they were imported (etl/runner.py, etl.cleaning.school_year_of_sql); rows stored before
-- take the school year of their as_of_date (the import day) by the same July-June rule. Where the
-- student, tool and subject already have a row for that school year, that row stands and the old one
-- moves to usage_summary_superseded, as an import replacing it would have done (so an undo of the
-- standing row's import puts it back).

CREATE OR REPLACE TEMP MACRO school_year_0065(d) AS
    (year(d) - CASE WHEN month(d) >= 7 THEN 0 ELSE 1 END)::VARCHAR || '-'
    || lpad(((year(d) - CASE WHEN month(d) >= 7 THEN 0 ELSE 1 END + 1) % 100)::VARCHAR, 2, '0');

CREATE TEMP TABLE undated_0065 AS
    SELECT u.rowid AS row_id, max(o.import_id) AS standing_import
    FROM usage_summary u JOIN usage_summary o
      ON o.student_key = u.student_key AND o.tool = u.tool AND o.subject = u.subject
     AND o.period = school_year_0065(u.as_of_date)
    WHERE u.period = ''
    GROUP BY u.rowid;

INSERT INTO usage_summary_superseded
    SELECT u.*, d.standing_import FROM usage_summary u JOIN undated_0065 d ON d.row_id = u.rowid;
DELETE FROM usage_summary WHERE rowid IN (SELECT row_id FROM undated_0065);

UPDATE usage_summary SET period = school_year_0065(as_of_date) WHERE period = '';
UPDATE usage_summary_superseded SET period = school_year_0065(as_of_date) WHERE period = '';

DROP TABLE undated_0065;
DROP MACRO school_year_0065;
