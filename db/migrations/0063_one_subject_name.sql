-- One stored name per subject (etl/formats.py SUBJECTS): 'Mathematics' (the demo seed until
-- 2026-11-28) and subjects typed as 'ela', 'maths', ... (--subject was stored as typed) become Math
-- and Reading, so one subject is not split in two on the outcome pages. Where a row already exists
-- under the stored name for the same student, assessment and test date, that row stands and the
-- other spelling's row goes (the natural key stays unique).
CREATE TEMP TABLE subject_names (spelling VARCHAR, name VARCHAR);
INSERT INTO subject_names VALUES
    ('mathematics', 'Math'), ('maths', 'Math'), ('math', 'Math'), ('m', 'Math'),
    ('reading', 'Reading'), ('ela', 'Reading'), ('e', 'Reading'), ('ela/l', 'Reading'),
    ('english language arts', 'Reading'), ('english language arts/literacy', 'Reading'),
    ('literacy', 'Reading'), ('early literacy', 'Reading'), ('language arts', 'Reading');

DELETE FROM assessment_results a
WHERE EXISTS (SELECT 1 FROM subject_names n WHERE n.spelling = lower(trim(a.subject)) AND n.name <> a.subject)
  AND EXISTS (
      SELECT 1 FROM assessment_results b JOIN subject_names n ON n.spelling = lower(trim(a.subject))
      WHERE b.student_key = a.student_key AND b.assessment = a.assessment AND b.test_date = a.test_date
        AND b.subject = n.name);

UPDATE assessment_results SET subject = n.name FROM subject_names n
WHERE n.spelling = lower(trim(assessment_results.subject)) AND n.name <> assessment_results.subject;

-- two other spellings of one subject for one test (say 'ela' and 'ELA/L'): the later import stands
DELETE FROM assessment_results WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (
            PARTITION BY student_key, assessment, subject, test_date ORDER BY import_id DESC NULLS LAST) AS n
        FROM assessment_results)
    WHERE n > 1);

UPDATE assessment_results_superseded SET subject = n.name FROM subject_names n
WHERE n.spelling = lower(trim(assessment_results_superseded.subject))
  AND n.name <> assessment_results_superseded.subject;

UPDATE import_log SET subject = n.name FROM subject_names n
WHERE n.spelling = lower(trim(import_log.subject)) AND n.name <> import_log.subject;

DROP TABLE subject_names;
