"""Survey (feedback) rules the importer applies per question: which questions ask who answered
(never stored), and which five-point scale, if any, each question's answers are scored on.

Why a module of their own: both are judgments about words and answers, not about files; the runner
asks them once the survey is staged (`etl/runner.py`).
"""

from __future__ import annotations

import re

import duckdb

from etl import cleaning, loaders, staging
from etl.formats import LIKERT_SCALES, LIKERT_WORDS

# A survey question that asks who the respondent is: its answers name a person (the e-mail the form
# itself collects is stored only as a keyed hash, by the profile). A header asks for identity when,
# once filler words are set aside, only identity words are left ('First and last name', "Student's
# ID number", 'Your school email'); a longer question that mentions a name or an e-mail ('How often
# do you check your email?') is a real question.
IDENTITY_WORDS = {
    "name", "names", "nombre", "email", "e", "mail", "gmail", "id", "username", "user", "number", "sis",
    "lunch", "initials", "phone", "telephone", "cell", "mobile", "birth", "birthday", "dob", "date",
    "born", "contact",
}  # fmt: skip
IDENTITY_CORE = {
    "name", "names", "nombre", "email", "mail", "gmail", "id", "username", "number", "initials", "phone",
    "telephone", "birth", "birthday", "dob",
}  # fmt: skip
FILLER_WORDS = {
    "your", "the", "a", "of", "and", "or", "s", "student", "students", "teacher", "teachers", "child",
    "childs", "respondent", "full", "first", "last", "middle", "given", "family", "legal", "preferred",
    "please", "enter", "type", "write", "what", "is", "optional", "required", "address", "local", "state",
    "no", "grade", "parent", "parents", "guardian", "guardians", "staff", "employee", "person", "completing",
    "filling", "out", "this", "form", "digits", "digit", "from", "badge", "card", "home", "del", "de", "la",
    "el", "su", "estudiante", "alumno", "my", "our", "here", "in", "on", "for", "homeroom",
}  # fmt: skip
PEOPLE_WORDS = {"student", "students", "parent", "guardian", "teacher", "respondent", "child", "estudiante"}
ORG_WORDS = {"school", "district", "building", "campus", "class", "classroom", "course", "program", "company"}
CONTACT_WORDS = {"email", "mail", "gmail", "phone"}
# A question answered with plain numbers is a 1-5 rating unless it asks for a count or a level
# ('What grade do you teach?', 'How many days a week?', 'Years of teaching', 'Which unit are you
# on?'): its 3 is not "the middle of the scale". Phrases, not single words: 'The lessons are
# engaging' or 'Student engagement this year' are ratings that merely mention a lesson or a year. A
# header that names a scale ('rate', '1-5', 'stars', 'agree') is a rating whatever else it says.
QUANTITY_PHRASES = re.compile(
    r"\bhow many\b|\bnumber of\b|\bhow old\b|\bhow long\b|^\W*(grade|grade level|age|period|tier|quarter|"
    r"semester|trimester|term|unit|block|class size|room)\W*$|\b(what|which)( \w+)? (grades?|periods?|"
    r"tiers?|units?|modules?|chapters?|levels?(?! of)|quarters?|semesters?|trimesters?|terms?|blocks?|sessions?|"
    r"rooms?)\b|\bgrades? (level )?(do|did) you teach\b|\byears? (of|in|teaching)\b|\bwida\b|"
    r"\bmtss\b|\b(class|household|team) size\b|\bgrades? (level )?taught\b|^\W*grade\b|"
    # a short header that is a label: 'Student grade', "Your child's grade", 'Marking period'
    r"^\W*(\w+ ){0,2}(grades?|grade level|period)\W*$"
)
RATING_PHRASES = re.compile(
    r"\brat(e|ing)\b|\bscale\b|\bstars?\b|\bpoints?\b|\bscore\b|\b(dis)?agree\b|\bsatisf|\b1 ?(-|to) ?5\b|"
    r"\bout of 5\b|\b1 ?="
)
QUESTION_WORDS = {"how", "what", "which", "when", "why", "where", "do", "does", "did", "is", "are", "was",
                  "were", "have", "has", "can", "could", "would", "should", "will", "if", "name"}  # fmt: skip


def question_scales(
    con: duckdb.DuckDBPyConnection, valid: str, questions: dict[int, str]
) -> dict[int, str | None]:
    """Each question's Likert scale: the one scale of formats.LIKERT_SCALES holding every text answer
    it got ('numbers' when it got only whole numbers 1-5), or None: free text, numbers outside 1-5
    (a 0-10 question; not even its 3 is a Likert 3), or answers from two scales."""
    answers = ", ".join(f"struct_pack(q := {i}, a := {loaders.answer_key(f'q{i}')})" for i in questions)
    seen: dict[int, set[str]] = {i: set() for i in questions}
    for q, a in con.execute(
        f"SELECT DISTINCT x.q, x.a FROM (SELECT unnest([{answers}]) AS x FROM {staging.STAGE} WHERE {valid}) "
        "WHERE x.a IS NOT NULL"
    ).fetchall():
        if a not in cleaning.MISSING_TOKENS and a not in ("none", "prefer not to say"):  # 'N/A' is no answer
            seen[q].add(a)
    scales: dict[int, str | None] = {}
    for q, values in seen.items():
        numbers = {v for v in values if re.fullmatch(r"[+-]?\d+(\.\d+)?", v)}
        words = values - numbers
        if any(float(n) not in (1, 2, 3, 4, 5) for n in numbers):
            scales[q] = None
        elif not words:
            scales[q] = "numbers" if numbers and not asks_for_a_quantity(questions[q]) else None
        else:
            scales[q] = next((name for name, scale in LIKERT_SCALES.items() if words <= scale.keys()), None)
    return scales


def answer_warnings(
    con: duckdb.DuckDBPyConnection, valid: str, questions: dict[int, str], scales: dict[int, str | None]
) -> list[str]:
    """What the summary should say about the answers stored: cut free text, questions not scored
    that look like rating questions (numbers off 1-5, or words of two scales)."""
    answers = ", ".join(f"q{i}" for i in questions)
    cut = con.execute(
        f"SELECT count(*) FROM (SELECT unnest([{answers}]) AS a FROM {staging.STAGE} WHERE {valid}) "
        f"WHERE length(a) > {staging.TEXT_LIMIT}"
    ).fetchone()[0]
    said = []
    if cut:
        said.append(f"{cut} answer(s) longer than {staging.TEXT_LIMIT:,} characters were cut to that length.")
    rated = _rating_like(con, valid, {i: questions[i] for i, scale in scales.items() if scale is None})
    for i in rated:
        said.append(
            f"The question '{questions[i][:80]}' looks like a rating, but its answers do not all fit one "
            "five-point scale (numbers outside 1-5, a typed answer, or words of two scales): they are kept "
            "without a Likert score."
        )
    return said


def asks_for_a_quantity(question: str) -> bool:
    """'What grade do you teach?', 'How many days a week do students use it?', 'Years teaching',
    'Which unit are you on?': numbers answering these are counts or levels, not ratings. 'How many
    stars would you give it?' and 'Rate the tool (1-5)' are ratings."""
    text = " ".join(re.findall(r"[a-z0-9=-]+", question.lower().replace("'", "")))
    return bool(QUANTITY_PHRASES.search(text)) and not RATING_PHRASES.search(text)


def _rating_like(con: duckdb.DuckDBPyConnection, valid: str, questions: dict[int, str]) -> list[int]:
    """Of unscored questions, those whose answers are mostly ratings (whole numbers up to 10, or
    Likert words): a free-text, id, minutes or count question is not said to be on 'another scale'."""
    questions = {i: q for i, q in questions.items() if not asks_for_a_quantity(q)}
    if not questions:
        return []
    words = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(LIKERT_WORDS))
    flags = ", ".join(
        f"count(*) FILTER (WHERE {loaders.answer_key(f'q{i}')} IN ({words}) "
        f"OR {cleaning.as_number(f'trim(q{i})')} BETWEEN 0 AND 10) >= 0.5 * count(q{i}) AND count(q{i}) > 0"
        for i in questions
    )
    found = con.execute(f"SELECT {flags} FROM {staging.STAGE} WHERE {valid}").fetchone()
    return [i for i, flag in zip(questions, found, strict=True) if flag]


def identity_answers(con: duckdb.DuckDBPyConnection, questions: dict[int, str]) -> list[int]:
    """Questions whose answers (leaving out 'N/A', 'none', ...) are at least half e-mail addresses,
    ids (4+ digits) or phone numbers, whatever the question says: a backstop behind
    `asks_for_identity`."""
    missing = "('n/a', 'na', 'none', '-', '--', 'prefer not to say', 'no', 'unknown', '.')"
    shares = ", ".join(
        f"count(*) FILTER (WHERE contains(q{i}, '@') OR regexp_full_match(trim(q{i}), '\\d{{4,}}') "
        f"OR regexp_full_match(trim(q{i}), '\\+?[0-9][0-9 ().-]{{6,}}[0-9]')) "
        f">= 0.5 * count(q{i}) FILTER (WHERE lower(trim(q{i})) NOT IN {missing}) "
        f"AND count(q{i}) FILTER (WHERE lower(trim(q{i})) NOT IN {missing}) > 0"
        for i in questions
    )
    flags = con.execute(f"SELECT {shares} FROM {staging.STAGE} WHERE NOT __blank").fetchone()
    return [i for i, flagged in zip(questions, flags, strict=True) if flagged]


def asks_for_identity(question: str) -> bool:
    """'Your name (optional)', 'First and last name', 'Student ID#', 'Phone number', 'Who is filling
    out this form?', 'Nombre del estudiante': answers that name the respondent or a student. 'School
    name' and 'How often do you check your email?' are ordinary questions."""
    words = re.findall(r"[a-z]+", question.lower().replace("'", ""))
    if not words:
        return False
    if words[0] == "who":  # 'Who is filling out this form?', 'Who are you?'
        return True
    if words[0] not in QUESTION_WORDS and CONTACT_WORDS & set(words):  # 'Your email so we can follow up'
        return True
    left = {w for w in words if w not in FILLER_WORDS}
    if ORG_WORDS & left and not ({"and", "&"} & set(words)):  # 'School name', 'Name of your school'
        return False
    if not left:  # 'Student', 'Parent/Guardian'
        return bool(PEOPLE_WORDS & set(words))
    return left <= IDENTITY_WORDS and bool(left & IDENTITY_CORE)
