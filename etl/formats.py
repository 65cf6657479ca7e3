"""The format profiles the product knows (see etl/profiles.py for what a profile is).

Column names are the vendors' own (shared/formats/README.md). To support a new export, add a profile
to `PROFILES`; nothing else changes. Profiles listed with kind "roster" are used to recognise a
OneRoster file given to the wrong command; the roster itself is read by `etl/oneroster.py`.
"""

from __future__ import annotations

from etl.profiles import Column as C
from etl.profiles import FormatProfile

MINUTES_PER_DAY = 1440.0
SESSIONS_PER_DAY = 500.0

_GRADE = {"minimum": -1, "maximum": 13}
_PCT = {"minimum": 0, "maximum": 100}

# Subject spellings across vendors -> the one subject name stored (lower-cased keys).
SUBJECTS: dict[str, str] = {
    "math": "Math",
    "mathematics": "Math",
    "m": "Math",
    "maths": "Math",
    "reading": "Reading",
    "ela": "Reading",
    "e": "Reading",
    "ela/l": "Reading",
    "english language arts": "Reading",
    "english language arts/literacy": "Reading",
    "literacy": "Reading",
    "early literacy": "Reading",
    "language arts": "Reading",
    "language usage": "Language Usage",
    "science": "Science",
}

# Star tests on their own scales: Early Literacy (300-900) and the Spanish tests are not Star
# Reading, so their scores must not replace or be averaged with Star Reading's.
_STAR_VARIANTS = {  # checked in this order: the first word found names the assessment
    "early literacy spanish": "Renaissance Star Early Literacy Spanish",
    "spanish early literacy": "Renaissance Star Early Literacy Spanish",
    "early literacy": "Renaissance Star Early Literacy",
    "spanish": "Renaissance Star Spanish",
    "cbm": "Renaissance Star CBM",
}
# MAP Growth's Spanish tests ('Reading (Spanish)', 'Mathematics (Spanish)') are other tests than the
# English ones a student may take the same day: a Spanish score must not replace the English one.
_NWEA_VARIANTS = {"spanish": "NWEA MAP Growth Spanish"}

# Five-point answer scales -> 1-5. A question is scored on one scale only, the one that holds every
# text answer it got: 'Disagree' beside 'Somewhat disagree' is a 7-point scale, and 'Very satisfied'
# beside 'Extremely satisfied' is 4 of 5 on a not-at-all..extremely scale; such questions keep their
# answers as text, unscored, and the summary says so. Numbers 1-5 are scores on any scale.
_NEUTRAL = {"neutral": 3, "neither agree nor disagree": 3}
LIKERT_SCALES: dict[str, dict[str, int]] = {
    "agree": {"strongly disagree": 1, "disagree": 2, **_NEUTRAL, "agree": 4, "strongly agree": 5},
    "somewhat agree": {
        "strongly disagree": 1,
        "somewhat disagree": 2,
        **_NEUTRAL,
        "somewhat agree": 4,
        "strongly agree": 5,
    },
    "satisfied": {
        "very dissatisfied": 1,
        "dissatisfied": 2,
        "neutral": 3,
        "neither satisfied nor dissatisfied": 3,
        "satisfied": 4,
        "very satisfied": 5,
    },
    "easy": {
        "very difficult": 1,
        "difficult": 2,
        "neutral": 3,
        "neither easy nor difficult": 3,
        "easy": 4,
        "very easy": 5,
    },
    "often": {"never": 1, "rarely": 2, "sometimes": 3, "often": 4, "always": 5},
}
LIKERT_WORDS = {answer for scale in LIKERT_SCALES.values() for answer in scale}

USAGE = [
    FormatProfile(
        name="generic-usage",
        kind="usage",
        label="Generic usage layout",
        target="usage_daily",
        columns={
            "student_id": C(
                headers=("student_id", "student id", "studentid", "local_id"), parse="id", required=True
            ),
            # a portal export with a Student ID column names the tool 'App Name'
            "tool": C(
                headers=("tool", "tool_name", "product", "app name", "app", "application"), required=True
            ),
            "usage_date": C(headers=("date", "usage_date"), parse="date", required=True),
            "minutes": C(
                headers=("minutes", "minutes_used", "time_minutes"),
                parse="minutes",
                minimum=0,
                maximum=MINUTES_PER_DAY,
            ),
            "sessions": C(
                headers=("sessions", "logins", "session_count"),
                parse="integer",
                minimum=0,
                maximum=SESSIONS_PER_DAY,
            ),
            "school": C(headers=("school", "school_name")),
            "grade": C(headers=("grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "usage_date"),
        any_of=("minutes", "sessions"),
    ),
    FormatProfile(
        name="sso-logins",
        kind="usage",
        label="SSO portal logins (Clever / ClassLink style)",
        target="usage_daily",
        rows="events",
        columns={
            "student_id": C(
                headers=("sis_id", "student sis id", "user sis id", "sis user id"), parse="id", required=True
            ),
            "tool": C(headers=("app name", "application", "app", "application name"), required=True),
            "usage_date": C(
                headers=("login date", "date", "login time", "timestamp", "day"), parse="date", required=True
            ),
            "sessions": C(
                headers=("logins", "login count", "sessions"),
                parse="integer",
                minimum=0,
                maximum=SESSIONS_PER_DAY,
            ),
            "minutes": C(
                headers=("minutes", "time spent (min)", "duration"),
                parse="minutes",
                minimum=0,
                maximum=MINUTES_PER_DAY,
            ),
            "school": C(headers=("school", "school name")),
            "grade": C(headers=("grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "tool", "usage_date"),
    ),
    FormatProfile(
        name="iready-lessons",
        kind="usage",
        label="i-Ready instruction, lesson level",
        target="usage_daily",
        rows="events",
        constants={"tool": "i-Ready"},
        columns={
            "student_id": C(headers=("Student ID",), parse="id", required=True),
            "usage_date": C(headers=("Completion Date",), parse="date", required=True),
            # a lesson without its time (blank, N/A) is still a lesson: one session, minutes missing
            "minutes": C(
                headers=("Total Time on Lesson (min)",),
                parse="minutes",
                minimum=0,
                maximum=MINUTES_PER_DAY,
            ),
            "school": C(headers=("School",)),
            "grade": C(headers=("Student Grade",), parse="grade", **_GRADE),
            "lesson": C(headers=("Lesson ID",)),
            # read only to tell a retake (another score) from a doubled export line
            "lesson_score": C(headers=("Score",)),
            "lesson_passed": C(headers=("Passed or Not Passed",)),
        },
        signature=("student_id", "usage_date", "minutes", "lesson"),
    ),
    FormatProfile(
        name="iready-ytd",
        kind="usage",
        label="i-Ready instruction, year-to-date summary",
        target="usage_summary",
        constants={"tool": "i-Ready"},
        columns={
            "student_id": C(headers=("Student ID",), parse="id", required=True),
            "minutes": C(
                headers=("Instruction: Overall Time on Task (min)",),
                parse="minutes",
                required=True,
                minimum=0,
                maximum=100_000,
            ),
            "lessons_completed": C(
                headers=("Instruction: Overall Lessons Completed",), parse="integer", minimum=0
            ),
            "lessons_passed": C(headers=("Instruction: Overall Lessons Passed",), parse="integer", minimum=0),
            "subject": C(headers=("Subject",), parse="subject"),
            "period": C(headers=("Academic Year",)),
            "school": C(headers=("School",)),
            "grade": C(headers=("Student Grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "minutes", "lessons_completed"),
    ),
    *(
        # IXL reports each subject in its own columns; a file with several subjects is imported once
        # per subject (--format ixl-progress, then --format ixl-progress-ela)
        FormatProfile(
            name=name,
            kind="usage",
            label=f"IXL progress by student ({subject})",
            target="usage_summary",
            constants={"tool": "IXL", "subject": subject},
            columns={
                "student_id": C(headers=("Student ID",), parse="id", required=True),
                "questions_answered": C(
                    headers=tuple(f"{p} questions answered" for p in prefixes), parse="integer", minimum=0
                ),
                "skills_practiced": C(
                    headers=tuple(f"{p} skills practiced" for p in prefixes), parse="integer", minimum=0
                ),
                "skills_proficient": C(
                    headers=tuple(f"{p} skills proficient" for p in prefixes), parse="integer", minimum=0
                ),
                "grade": C(headers=("Grade",), parse="grade", **_GRADE),
            },
            signature=("student_id", "questions_answered"),
        )
        for name, subject, prefixes in (
            ("ixl-progress", "Math", ("Math",)),
            ("ixl-progress-ela", "Reading", ("ELA", "Language arts", "English language arts")),
        )
    ),
]

ASSESSMENTS = [
    FormatProfile(
        name="nwea-map",
        kind="assessments",
        label="NWEA MAP Growth (AssessmentResults)",
        target="assessment_results",
        constants={"assessment": "NWEA MAP Growth"},
        assessment_variants=_NWEA_VARIANTS,
        columns={
            "student_id": C(headers=("StudentID", "Student_Number", "Student_ID"), parse="id", required=True),
            "test_date": C(headers=("TestStartDate",), parse="date", required=True),
            "scale_score": C(
                headers=("TestRITScore",), parse="number", required=True, minimum=100, maximum=350
            ),
            "percentile": C(headers=("TestPercentile",), parse="number", **_PCT),
            "subject": C(headers=("MeasurementScale", "Discipline"), parse="subject"),
            "variant": C(headers=("MeasurementScale", "TestName")),
            "term": C(headers=("TermName",)),
            "school": C(headers=("SchoolName",)),
            "grade": C(headers=("Grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "test_date", "scale_score", "term"),
    ),
    FormatProfile(
        name="iready-diagnostic",
        kind="assessments",
        label="i-Ready Diagnostic results",
        target="assessment_results",
        constants={"assessment": "i-Ready Diagnostic"},
        columns={
            "student_id": C(headers=("Student ID",), parse="id", required=True),
            "test_date": C(headers=("Completion Date", "Start Date"), parse="date", required=True),
            "scale_score": C(
                headers=("Overall Scale Score",), parse="number", required=True, minimum=100, maximum=800
            ),
            "percentile": C(headers=("Percentile",), parse="number", **_PCT),
            "subject": C(headers=("Subject",), parse="subject"),
            "term": C(headers=("Academic Year",)),
            "school": C(headers=("School",)),
            "grade": C(headers=("Student Grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "test_date", "scale_score"),
    ),
    FormatProfile(
        name="star-enterprise",
        kind="assessments",
        label="Renaissance Star (Enterprise export)",
        target="assessment_results",
        constants={"assessment": "Renaissance Star"},
        assessment_variants=_STAR_VARIANTS,
        columns={
            "student_id": C(headers=("Student Identifier",), parse="id", required=True),
            "test_date": C(headers=("Activity Completed Date",), parse="date", required=True),
            "scale_score": C(
                headers=("Scaled Score", "Unified Scale"),
                parse="number",
                required=True,
                minimum=0,
                maximum=1400,
            ),
            "percentile": C(headers=("Percentile Rank",), parse="number", **_PCT),
            "subject": C(headers=("Subject", "Activity Type"), parse="subject"),
            "variant": C(headers=("Activity Type", "Subject")),
            "term": C(headers=("Screening Window Name", "School Year")),
            "school": C(headers=("School Name",)),
            "grade": C(headers=("Current Grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "test_date", "scale_score"),
    ),
    FormatProfile(
        name="star-datafeed",
        kind="assessments",
        label="Renaissance Star (data feed)",
        target="assessment_results",
        constants={"assessment": "Renaissance Star"},
        assessment_variants=_STAR_VARIANTS,
        columns={
            "student_id": C(headers=("StudentIdentifier",), parse="id", required=True),
            # the local date, else (per row: blank, or a placeholder such as 1900-01-01) the UTC one;
            # a row with neither is rejected by the runner
            "test_date": C(
                headers=("CompletedDateLocal", "CompletedDate"),
                parse="date",
                alternate="test_date_fallback",
                utc_headers=("CompletedDate",),
            ),
            "test_date_fallback": C(headers=("CompletedDate",), parse="date", utc_headers=("CompletedDate",)),
            "scale_score": C(
                headers=("ScaledScore", "UnifiedScore"),
                parse="number",
                required=True,
                minimum=0,
                maximum=1400,
            ),
            "percentile": C(headers=("PercentileRank",), parse="number", **_PCT),
            "subject": C(headers=("Subject", "AssessmentType"), parse="subject"),
            "variant": C(headers=("AssessmentType", "Subject")),
            "term": C(headers=("ScreeningWindowName", "SchoolYear")),
            "school": C(headers=("SchoolName",)),
            "grade": C(headers=("CurrentGrade",), parse="grade", **_GRADE),
            "duration_seconds": C(headers=("TotalTimeInSeconds",), parse="seconds", minimum=0),
        },
        signature=("student_id", "test_date", "scale_score"),
    ),
    FormatProfile(
        name="mclass-dibels8",
        kind="assessments",
        label="Amplify mCLASS DIBELS 8 summary",
        target="assessment_results",
        constants={"assessment": "mCLASS DIBELS 8", "subject": "Reading"},
        period_dates={"BOY": ("start", 9, 15), "MOY": ("end", 1, 15), "EOY": ("end", 5, 15)},
        columns={
            "student_id": C(headers=("Student Primary ID",), parse="id", required=True),
            "test_date": C(headers=("Client Date", "Assessment Date", "Sync Date"), parse="date"),
            "school_year": C(headers=("School Year",)),
            "period": C(headers=("Benchmark Period",)),
            "scale_score": C(
                headers=("Composite Score",), parse="number", required=True, minimum=0, maximum=1000
            ),
            "percentile": C(headers=("Composite - National Norm Percentile",), parse="number", **_PCT),
            "school": C(headers=("School Name",)),
            "grade": C(headers=("Assessment Grade", "Enrollment Grade"), parse="grade", **_GRADE),
        },
        signature=("student_id", "period", "scale_score"),
    ),
    FormatProfile(
        name="iar-isbe",
        kind="assessments",
        label="Illinois Assessment of Readiness (ISBE file)",
        target="assessment_results",
        constants={"assessment": "IAR"},
        period_dates={"S": ("end", 4, 15), "F": ("start", 10, 15)},
        columns={
            "student_id": C(headers=("Student ID",), parse="id", required=True),
            "test_date": C(headers=("Test Date", "Testing Date"), parse="date"),
            "school_year": C(headers=("School Year", "Test Year", "Year")),
            "period": C(headers=("Administration (S=Spring or F=Fall)", "Administration")),
            "subject": C(
                headers=("Content Area (E=ELA/L or M=Mathematics)", "Content Area"), parse="subject"
            ),
            "scale_score": C(
                headers=("Overall Scale Score (Range 650 - 850)", "Overall Scale Score"),
                parse="number",
                required=True,
                minimum=650,
                maximum=850,
            ),
            "school": C(headers=("Testing School", "Home School")),
            "grade": C(headers=("Grade",), parse="grade", **_GRADE),
        },
        signature=("student_id", "period", "scale_score", "subject"),
    ),
]

_GOOGLE_META = ("Timestamp", "Email Address", "Email", "Username", "Score", "Name")
_MS_META = (
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Last modified time",
    "Total points",
    "Quiz feedback",
)

FEEDBACK = [
    FormatProfile(
        name="google-forms",
        kind="feedback",
        label="Google Forms responses",
        target="feedback_responses",
        columns={
            "submitted_at": C(headers=("Timestamp",), parse="timestamp"),
            # Workspace for Education forms that record the signed-in user write "Username"
            "respondent": C(headers=("Email Address", "Email", "Username"), parse="id"),
        },
        signature=("submitted_at",),
        question_exclude=_GOOGLE_META,
    ),
    FormatProfile(
        name="microsoft-forms",
        kind="feedback",
        label="Microsoft Forms responses",
        target="feedback_responses",
        columns={
            "response_id": C(headers=("ID",)),
            "started_at": C(headers=("Start time",), parse="timestamp"),
            "submitted_at": C(headers=("Completion time",), parse="timestamp"),
            "respondent": C(headers=("Email",), parse="id"),
        },
        signature=("response_id", "started_at", "submitted_at"),
        question_exclude=_MS_META,
    ),
]

ROSTER_FILES = [
    FormatProfile(
        name="oneroster-users",
        kind="roster",
        label="OneRoster users.csv",
        target="roster",
        columns={
            "sourced_id": C(headers=("sourcedId",)),
            "given": C(headers=("givenName",)),
            "family": C(headers=("familyName",)),
            "enabled": C(headers=("enabledUser",)),
        },
        signature=("sourced_id", "given", "family", "enabled"),
    ),
    FormatProfile(
        name="oneroster-enrollments",
        kind="roster",
        label="OneRoster enrollments.csv",
        target="roster",
        columns={
            "sourced_id": C(headers=("sourcedId",)),
            "class": C(headers=("classSourcedId",)),
            "user": C(headers=("userSourcedId",)),
        },
        signature=("sourced_id", "class", "user"),
    ),
]

PROFILES: list[FormatProfile] = USAGE + ASSESSMENTS + FEEDBACK + ROSTER_FILES


def profile_named(name: str) -> FormatProfile | None:
    return next((p for p in PROFILES if p.name == name), None)


def format_names(kind: str) -> list[str]:
    return [p.name for p in PROFILES if p.kind == kind and p.target != "roster"]
