-- One stored name per subject, by the rules imports apply (etl/cleaning.py subject_expr with
-- etl/formats.py SUBJECTS): 'Mathematics' (the demo seed until 2026-11-28) and subjects typed as
-- 'ela', 'Math 7', 'Reading Foundations', ... (--subject was stored as typed) become Math and
-- Reading, so one subject is not split in two on the outcome pages and a new import of the same
-- tests replaces the old rows. Where a row already exists under the stored name for the same
-- student, assessment and test date, that row stands and the other spelling's row goes (the
-- natural key stays unique).
CREATE TEMP TABLE subject_names AS
SELECT spelling, name FROM (
    SELECT spelling,
           CASE WHEN lower(s) IN ('mathematics', 'maths', 'math', 'm') THEN 'Math'
                WHEN lower(s) IN ('reading', 'ela', 'e', 'ela/l', 'english language arts',
                                  'english language arts/literacy', 'literacy', 'early literacy',
                                  'language arts') THEN 'Reading'
                WHEN lower(s) = 'language usage' THEN 'Language Usage'
                WHEN lower(s) = 'science' THEN 'Science'
                WHEN contains(lower(s), 'math') THEN 'Math'
                WHEN contains(lower(s), 'read') OR contains(lower(s), 'literacy') THEN 'Reading'
                ELSE s END AS name
    FROM (SELECT spelling, regexp_replace(trim(spelling), '\s+', ' ', 'g') AS s FROM (
        SELECT subject AS spelling FROM assessment_results
        UNION SELECT subject FROM assessment_results_superseded
        UNION SELECT subject FROM import_log WHERE subject IS NOT NULL)))
WHERE name <> spelling;

DELETE FROM assessment_results a
WHERE EXISTS (
    SELECT 1 FROM assessment_results b JOIN subject_names n ON n.spelling = a.subject
    WHERE b.student_key = a.student_key AND b.assessment = a.assessment AND b.test_date = a.test_date
      AND b.subject = n.name);

UPDATE assessment_results SET subject = n.name FROM subject_names n WHERE n.spelling = assessment_results.subject;

-- two other spellings of one subject for one test (say 'ela' and 'ELA/L'): the later import stands
DELETE FROM assessment_results WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (
            PARTITION BY student_key, assessment, subject, test_date ORDER BY import_id DESC NULLS LAST) AS n
        FROM assessment_results)
    WHERE n > 1);

UPDATE assessment_results_superseded SET subject = n.name FROM subject_names n
WHERE n.spelling = assessment_results_superseded.subject;

UPDATE import_log SET subject = n.name FROM subject_names n WHERE n.spelling = import_log.subject;

DROP TABLE subject_names;
