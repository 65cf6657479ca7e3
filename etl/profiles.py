"""Declarative format profiles: how one vendor export maps onto the product's tables.

Why: every district export (NWEA, i-Ready, Star, mCLASS, IAR, survey tools, SSO portals) differs only
in column names and value conventions. A profile says which header names feed which target field and
how to parse them; the engine in `etl/staging.py` does the rest set-wise in DuckDB. Adding a vendor is
adding a `FormatProfile` to `etl/formats.py`. Detection from the header lives here too.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ImportKind = Literal["roster", "usage", "assessments", "feedback"]
Parse = Literal[
    "id", "text", "date", "timestamp", "number", "integer", "minutes", "seconds", "grade", "subject"
]
Target = Literal["usage_daily", "usage_summary", "assessment_results", "feedback_responses", "roster"]

KINDS: tuple[str, ...] = ("roster", "usage", "assessments", "feedback")
KIND_NOUNS = {
    "roster": "rosters",
    "usage": "usage exports",
    "assessments": "assessment results",
    "feedback": "survey responses",
}
KIND_ARTICLED = {
    "roster": "a roster",
    "usage": "a usage export",
    "assessments": "assessment results",
    "feedback": "survey responses",
}


def norm_header(name: str) -> str:
    """Header names compare case-, space- and underscore-insensitively ('Student_Number' = 'student number')."""
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().lower()


class Column(BaseModel):
    """One target field: the header names it may come from (drift between years) and its parse."""

    model_config = ConfigDict(frozen=True)

    headers: tuple[str, ...]
    parse: Parse = "text"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    label: str | None = None  # what a person reads in a reject report; defaults to the header found
    # another field that stands in for this one (Star's two completion dates): a value out of range
    # is a warning, and the row takes the other field's value
    alternate: str | None = None
    # headers under which a time written without a zone is UTC (Star's CompletedDate): it is moved to
    # the district's clock like a time written with 'Z', so a test late in a Chicago evening keeps its day
    utc_headers: tuple[str, ...] = ()


class FormatProfile(BaseModel):
    """One export layout. `signature` names the fields whose presence identifies the format."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    kind: ImportKind
    label: str
    target: Target
    columns: dict[str, Column]
    signature: tuple[str, ...]
    any_of: tuple[str, ...] = ()  # at least one of these fields must be present too
    constants: dict[str, str] = Field(default_factory=dict)  # e.g. {"assessment": "NWEA MAP Growth"}
    rows: Literal["daily", "events"] = "daily"  # events: several rows per student/tool/day are summed
    # period code -> ("start" | "end" of the school year, month, day): a test date when none is given
    period_dates: dict[str, tuple[Literal["start", "end"], int, int]] = Field(default_factory=dict)
    question_exclude: tuple[str, ...] = ()  # feedback: columns that are not questions (never stored)
    # assessments: words in the subject cell as written -> the assessment, for tests on their own
    # scale inside one export ("Star Early Literacy" beside "Star Reading"); read from field `variant`
    assessment_variants: dict[str, str] = Field(default_factory=dict)

    def resolve(self, header: list[str]) -> dict[str, int]:
        """Field -> column position for the fields whose header is present."""
        positions = {norm_header(h): i for i, h in reversed(list(enumerate(header)))}
        found: dict[str, int] = {}
        for field, column in self.columns.items():
            for candidate in column.headers:
                if norm_header(candidate) in positions:
                    found[field] = positions[norm_header(candidate)]
                    break
        return found

    def matches(self, header: list[str]) -> bool:
        found = self.resolve(header)
        if not all(f in found for f in self.signature):
            return False
        return not self.any_of or any(f in found for f in self.any_of)

    def expected(self) -> str:
        names = [self.columns[f].headers[0] for f in self.signature]
        if self.any_of:
            names.append(" or ".join(self.columns[f].headers[0] for f in self.any_of))
        return ", ".join(names)


class Detection(BaseModel):
    profile: FormatProfile | None = None
    problem: str | None = None


def _looks_like_data(name: str) -> bool:
    """A header cell that is a value: a number or a date, an e-mail address, or a run of five or more
    digits (an id, in a title such as "Results for Zoe Sato (710001)"). Header names are safe to
    repeat in a message; a data row or a report title given as the header may name a student."""
    if "@" in name or re.search(r"\d{5}", name):
        return True
    return bool(re.fullmatch(r"[\d\s.,:/+-]+", name)) and any(c.isdigit() for c in name)


def _found_text(header: list[str], profiles: list[FormatProfile]) -> str:
    """The found columns as a message may show them, or a description when the line is not a header."""
    if any(_looks_like_data(h) for h in header):
        return (
            f"a first line of {len(header)} values that looks like data, not column names (is the "
            "header row missing?)"
        )
    named = [h for h in header if not re.fullmatch(r"(_\d+)?", h)]  # blank cells are '', '_2', ...
    if len(named) == 1 and (len(header) > 1 or " " in named[0]):
        return (
            "a first line with a single field, like a report title (delete any lines above the column names)"
        )
    # Only names some format reads are repeated: any other cell may be a title or a value that names
    # a student ('Student: Zoe Sato'); those are counted, not quoted.
    known = {norm_header(h) for p in profiles for c in p.columns.values() for h in c.headers}
    known |= {norm_header(h) for p in profiles for h in p.question_exclude}
    shown = [h for h in named if norm_header(h) in known]
    others = len(named) - len(shown)
    why = "not repeated here: a first line may hold student data"
    if not shown:
        return f"{len(named)} column(s), none of them one that any format reads ({why})"
    listed = ", ".join(shown[:15]) + (", ..." if len(shown) > 15 else "")
    return listed + (f" and {others} other column(s) ({why})" if others else "")


def detect(
    profiles: list[FormatProfile], kind: str, header: list[str], requested: str | None = None
) -> Detection:
    """Pick the profile for a header, or say why not (expected and found columns named)."""
    found_text = _found_text(header, profiles)
    if requested:
        chosen = next((p for p in profiles if p.name == requested), None)
        if chosen is None:
            return Detection(problem=f"unknown format '{requested}'.")
        if chosen.kind != kind:
            return Detection(
                problem=f"the format {chosen.label} is for {KIND_NOUNS[chosen.kind]}, not {KIND_NOUNS[kind]}."
            )
        if not chosen.matches(header):
            return Detection(
                problem=f"the header does not fit {chosen.label}: expected {chosen.expected()}; "
                f"found {found_text}."
            )
        return Detection(profile=chosen)
    matching = [p for p in profiles if p.matches(header)]
    if not matching:
        expected = "; ".join(f"{p.label}: {p.expected()}" for p in profiles if p.kind == kind)
        return Detection(problem=f"unknown {kind} format. Expected one of [{expected}]; found {found_text}.")
    best = max(len(p.resolve(header)) for p in matching)
    top = [p for p in matching if len(p.resolve(header)) == best]
    same_kind = [p for p in top if p.kind == kind]
    if not same_kind:
        other = top[0]
        return Detection(
            problem=f"this looks like a {other.label} file, which is {KIND_ARTICLED[other.kind]}, not "
            f"{KIND_ARTICLED[kind]}; import it as {KIND_NOUNS[other.kind]}."
        )
    if len(same_kind) > 1:
        names = "; ".join(f"{p.label} [{p.name}]" for p in same_kind)
        return Detection(
            problem=f"the header fits several formats: {names}; choose one (--format, or Format on the "
            "Import page)."
        )
    return Detection(profile=same_kind[0])
