"""ICD-10-CM codes from the prescriber: normalise, describe, search and check (DOMAIN.md §2)."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from massage_chart.domain.findings import MarkFinding, find_body_part, region_stem
from massage_chart.domain.icd10_table import CodeTable, library_version, open_table
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.text import fold

MAX_CLAIM_CODES = 12
"""CMS-1500 box 21 holds twelve diagnosis codes, A to L (DOMAIN.md §1.7)."""

# The second character is a digit except in the FY2026 QA0 category (QA0.0109...), which the
# tabular lists and the picker offers; a letter-letter-digit start is read as a code, not words.
_CODE_SHAPE = re.compile(r"^[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\.[0-9A-Z]{1,4})?$")
_LOOKS_LIKE_CODE = re.compile(r"^[A-Za-z](?:[0-9][0-9A-Za-z]?|[A-Za-z][0-9])\.?[0-9A-Za-z]*$")
_PAREN = re.compile(r"\(([^)]*)\)")
_LATERAL_CHAPTERS = frozenset("MSTG")
_SIDE_WORDS = (
    (re.compile(r"\bbilateral\b"), "both"),
    (re.compile(r"\bright\b"), "right"),
    (re.compile(r"\bleft\b"), "left"),
)
_PRESCRIBER = "Check with the prescriber; do not change a prescribed code yourself."


@cache
def _icd() -> CodeTable:
    """The tabular, opened once on first use: the small index if there is one, else the library."""
    return open_table()


def code_set_version() -> str:
    """The code-set release the checks use, to store with a note or claim."""
    return f"ICD-10-CM (simple-icd-10-cm {library_version()})"


def normalise_code(text: str) -> str:
    """A typed code in its official form: " m542 " -> "M54.2", "s134xxa" -> "S13.4XXA".

    Spaces and dots are dropped, letters upper-cased, and the dot put back after the third
    character. Text that is not code-like comes back stripped and upper-cased only.
    """
    compact = re.sub(r"[\s.]+", "", text).upper()
    if not compact:
        return ""
    if len(compact) > 3:
        return f"{compact[:3]}.{compact[3:]}"
    return compact


def is_valid_code(code: str) -> bool:
    """Whether the code (any spelling) is a category or code of the ICD-10-CM tabular."""
    code = normalise_code(code)
    if not _CODE_SHAPE.match(code):
        return False
    icd = _icd()
    return bool(icd.is_valid_item(code)) and not icd.is_chapter_or_block(code)


def is_billable(code: str) -> bool:
    """Whether the code is a billable (leaf) code."""
    code = normalise_code(code)
    return is_valid_code(code) and bool(_icd().is_leaf(code))


def describe(code: str) -> str | None:
    """The official tabular description, or None for an unknown code."""
    code = normalise_code(code)
    if not is_valid_code(code):
        return None
    return str(_icd().get_description(code))


@dataclass(frozen=True)
class CodeMatch:
    """One search result for the code picker.

    Attributes:
        code: the code with its dot ("M54.50").
        description: the official description.
        billable: whether it is a billable leaf code.
    """

    code: str
    description: str
    billable: bool


@dataclass(frozen=True)
class _IndexRow:
    code: str
    compact: str
    description: str
    words: str
    """The folded description as " word word ...", so " term" finds words starting with term."""
    billable: bool
    length: int
    """Length of the description without a 7th-character phrase, to rank general codes first."""


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", fold(text)).split()


@cache
def _index() -> tuple[_IndexRow, ...]:
    """Every category and code with its description, in tabular order (built once, ~0.4 s)."""
    rows = []
    for item in _icd().rows():
        if item.chapter_or_block:
            continue
        code, description = item.code, item.description
        words = " " + " ".join(_words(description))
        compact = code.replace(".", "")
        # A 7th character adds ", initial encounter" and the like: rank by the base description.
        length = len(description.rsplit(",", 1)[0] if len(compact) == 7 else description)
        rows.append(_IndexRow(code, compact, description, words, item.leaf, length))
    return tuple(rows)


SEARCH_SYNONYMS: dict[str, str] = {
    "whiplash": "sprain of ligaments of cervical spine",
    "neck pain": "cervicalgia",
    "lbp": "low back pain",
    "tmj": "temporomandibular",
    "tmd": "temporomandibular",
    "plantar fasciitis": "plantar fascial fibromatosis",
    "frozen shoulder": "adhesive capsulitis",
    "tennis elbow": "lateral epicondylitis",
    "golfers elbow": "medial epicondylitis",
    "golfer s elbow": "medial epicondylitis",
    "muscle spasm": "spasm",
    "tension headache": "tension type headache",
}
"""Everyday names typed in the picker and the words of the official descriptions they mean."""


def open_code_set() -> None:
    """Open the code tables now (instant from the small index; seconds when the index must
    first be built from the library), e.g. in a worker thread."""
    _icd()


def preload() -> None:
    """Load the code tables and the search index now (about a second), e.g. in a worker thread."""
    _index()


def search_codes(query: str, *, limit: int = 25, billable_only: bool = False) -> list[CodeMatch]:
    """Codes for a picker, by code prefix ("m54", "S13.4") or by words of the description.

    Every word typed must start a word of the description (case and accents ignored). Billable
    codes come before categories; among text matches, descriptions that start with the query,
    then shorter (more general) descriptions rank first; code matches keep tabular order. At
    most ``limit`` results.
    """
    text = query.strip()
    if not text or limit <= 0:
        return []
    rows = _index()
    hits: list[tuple[int, int, int]]
    if _LOOKS_LIKE_CODE.match(text):
        prefix = re.sub(r"[\s.]+", "", text).upper()
        hits = [(0, 0, i) for i, row in enumerate(rows) if row.compact.startswith(prefix)]
    else:
        folded = " ".join(_words(text))
        terms = [" " + term for term in _words(SEARCH_SYNONYMS.get(folded, folded))]
        if not terms:
            return []
        phrase = "".join(terms)
        hits = [
            (0 if row.words.startswith(phrase) else 1, row.length, i)
            for i, row in enumerate(rows)
            if all(term in row.words for term in terms)
        ]
    if billable_only:
        hits = [hit for hit in hits if rows[hit[2]].billable]
    hits.sort(key=lambda hit: (not rows[hit[2]].billable, *hit))
    return [
        CodeMatch(rows[i].code, rows[i].description, rows[i].billable) for *_, i in hits[:limit]
    ]


# Checks ---------------------------------------------------------------------------------------


class Severity(enum.Enum):
    """How serious a coding or billing issue is."""

    ERROR = "error"
    """The claim will likely be denied."""
    WARNING = "warning"
    """Worth a look; may be right."""


@dataclass(frozen=True)
class CodeIssue:
    """One problem found in a visit's diagnosis codes.

    Attributes:
        code: the code concerned, normalised (the first of a pair for Excludes1).
        severity: error or warning.
        kind: stable id of the check ("not_billable", "excludes1", "laterality"...).
        message: plain words, ending with what to do.
        suggestions: codes that may be meant (never applied automatically).
    """

    code: str
    severity: Severity
    kind: str
    message: str
    suggestions: tuple[str, ...] = ()


def _needs_seventh(code: str) -> dict[str, str]:
    """The 7th-character definitions that apply to a code (empty if none)."""
    return dict(_icd().get_seven_chr_def(code, search_in_ancestors=True))


def _seventh_forms(base: str) -> list[str]:
    """Full codes for a base that lacks its 7th character: "S13.4" -> S13.4XXA, ...D, ...S."""
    icd = _icd()
    compact = base.replace(".", "").rstrip("X")
    padded = compact.ljust(6, "X")
    forms = []
    for char in _needs_seventh(base):
        candidate = normalise_code(padded + char)
        if icd.is_valid_item(candidate):
            forms.append(candidate)
    return forms


def _billable_children(code: str, limit: int = 10) -> list[str]:
    icd = _icd()
    leaves = [c for c in icd.get_descendants(code) if icd.is_leaf(c)]
    return leaves[:limit]


def _excludes1_targets(code: str) -> list[tuple[str, str]]:
    """(note, target) pairs of the Excludes1 notes of a code and its ancestors.

    A target is a code ("S39.012"), a prefix ending in "-" ("M54.4-") or a range
    ("A04.0-A04.4"); notes with qualifiers ("... with 5th character 1") are skipped.
    """
    icd = _icd()
    targets: list[tuple[str, str]] = []
    for item in (code, *icd.get_ancestors(code)):
        for note in icd.get_excludes1(item):
            for inside in _PAREN.findall(note):
                for token in re.split(r",|\band\b", inside):
                    token = token.strip().rstrip(".")
                    if token and " " not in token and re.match(r"^[A-Z][0-9]", token):
                        targets.append((f"{item}: {note}", token))
    return targets


def _matches_target(code: str, target: str) -> bool:
    compact = code.replace(".", "")
    if re.match(r"^[A-Z][0-9][0-9A-Z.]*-[A-Z][0-9]", target):
        low, high = (part.replace(".", "") for part in target.split("-", 1))
        return compact[: len(low)] >= low and compact[: len(high)] <= high
    prefix = target.rstrip("-").rstrip(".").replace(".", "")
    return compact.startswith(prefix)


def _code_side(description: str) -> str | None:
    text = description.lower()
    return next((side for rx, side in _SIDE_WORDS if rx.search(text)), None)


def _sibling_for_side(code: str, side: str) -> str | None:
    """The same code for the other side: M25.511 -> M25.512 for "left"."""
    icd = _icd()
    seventh = ""
    base = code
    if icd.is_extended_subcategory(code):
        base, seventh = str(icd.get_parent(code)), code[-1]
    description = str(icd.get_description(base)).lower()
    current = _code_side(description)
    if current is None or current == side:
        return None
    wanted = re.sub(rf"\b{current}\b", side, description)
    if side == "both":
        wanted_options = {wanted, wanted.replace("both", "bilateral")}
    else:
        wanted_options = {wanted.replace("bilateral", side)}
    parent = icd.get_parent(base)
    for sibling in icd.get_children(parent) if parent else ():
        sibling_text = str(icd.get_description(sibling)).lower()
        if sibling != base and (sibling_text in wanted_options or _code_side(sibling_text) == side):
            if seventh:
                full = f"{sibling.replace('.', '').ljust(6, 'X')}{seventh}"
                candidate = normalise_code(full)
                return candidate if icd.is_valid_item(candidate) else None
            return str(sibling)
    return None


_UNSPECIFIED_SIDE = re.compile(
    r"\bunspecified (?:side|\w+ (?:limb|leg|arm|extremity))\b|"
    r"\bunspecified (?:shoulder|elbow|wrist|hand|hip|knee|ankle|foot|thigh|lower leg|upper arm|"
    r"forearm|temporomandibular)\b"
)


def _specified_sibling(code: str, side: str) -> str | None:
    """The code for one side of an unspecified-side code: M25.519 -> M25.511 for "right"."""
    icd = _icd()
    seventh = ""
    base = code
    if icd.is_extended_subcategory(code):
        base, seventh = str(icd.get_parent(code)), code[-1]
    description = str(icd.get_description(base)).lower()
    wanted = description.replace("unspecified side", f"{side} side")
    wanted = wanted.replace("unspecified", side, 1)
    parent = icd.get_parent(base)
    for sibling in icd.get_children(parent) if parent else ():
        if str(icd.get_description(sibling)).lower() == wanted:
            if seventh:
                candidate = normalise_code(f"{sibling.replace('.', '').ljust(6, 'X')}{seventh}")
                return candidate if icd.is_valid_item(candidate) else None
            return str(sibling)
    return None


def _laterality_issue(
    code: str,
    description: str,
    marks: Sequence[MarkFinding] | None,
    mark_sides: Iterable[Side] | None,
) -> CodeIssue | None:
    if code[0] not in _LATERAL_CHAPTERS:
        return None
    code_side = _code_side(description)
    unspecified = code_side is None and bool(_UNSPECIFIED_SIDE.search(description.lower()))
    if code_side is None and not unspecified:
        return None
    part = find_body_part(description)
    where = "the chart's marks"
    sides: set[Side] = set()
    if marks is not None:
        charted = [m for m in marks if m.kind is not MarkKind.AVOID and m.region_id]
        local = [m for m in charted if part is not None and region_stem(m.region_id) in part.stems]
        if local and part is not None:
            where = f"the chart's {re.sub(r'^(?:left|right|both) ', '', part.text)} marks"
        sides = {m.side for m in (local or charted)}
    elif mark_sides is not None:
        sides = {Side(s) for s in mark_sides}
    sides &= {Side.LEFT, Side.RIGHT}
    if not sides:
        return None
    present = {Side.RIGHT: "right", Side.LEFT: "left"}
    if unspecified:
        if len(sides) != 1:
            return None
        only = present[next(iter(sides))]
        specified = _specified_sibling(code, only)
        if specified is None:
            return None
        return CodeIssue(
            code,
            Severity.WARNING,
            "laterality_unspecified",
            f"{code} ({description}) does not say which side, but {where} are on the {only}; "
            f"payers often want the side ({specified}). {_PRESCRIBER}",
            (specified,),
        )
    if code_side == "both":
        if len(sides) == 2:
            return None
        only = present[next(iter(sides))]
        message = (
            f"{code} ({description}) is for both sides, but {where} are only on the {only}. "
            f"{_PRESCRIBER}"
        )
        suggestion = _sibling_for_side(code, only)
    else:
        wanted = Side.RIGHT if code_side == "right" else Side.LEFT
        if wanted in sides:
            return None
        other = "left" if code_side == "right" else "right"
        message = (
            f"{code} ({description}) is for the {code_side} side, but {where} are only on "
            f"the {other}. {_PRESCRIBER}"
        )
        suggestion = _sibling_for_side(code, other)
    return CodeIssue(
        code, Severity.WARNING, "laterality", message, (suggestion,) if suggestion else ()
    )


def check_codes(
    codes: Sequence[str],
    *,
    mark_sides: Iterable[Side] | None = None,
    marks: Sequence[MarkFinding] | None = None,
    therapy_visit: bool = True,
) -> list[CodeIssue]:
    """Problems in a visit's diagnosis codes, in the order they were listed.

    Massage therapists do not assign diagnoses: every message says to check with the prescriber.

    Args:
        codes: the codes as typed or prescribed, primary first.
        mark_sides: sides of the body that have marks on the chart (a simple laterality check).
        marks: the chart's marks; when given, laterality is checked against the marks in the
            code's body part (shoulder, knee...) where there are any, else against all marks.
        therapy_visit: the visit is therapy (healing phase), where injury codes usually take the
            7th character D (subsequent encounter), not A.
    """
    issues: list[CodeIssue] = []
    seen: set[str] = set()
    valid: list[str] = []
    icd = _icd()
    for raw in codes:
        code = normalise_code(raw)
        if not code:
            continue
        if code in seen:
            issues.append(
                CodeIssue(
                    code,
                    Severity.WARNING,
                    "duplicate",
                    f"{code} is listed more than once; list each code once.",
                )
            )
            continue
        seen.add(code)
        if not _CODE_SHAPE.match(code):
            issues.append(
                CodeIssue(
                    code,
                    Severity.ERROR,
                    "format",
                    f"{raw.strip()!r} is not an ICD-10-CM code (a letter, two characters, then "
                    f"up to four after the dot, e.g. M54.2). {_PRESCRIBER}",
                )
            )
            continue
        issue = _code_issue(code, therapy_visit)
        if issue is not None:
            issues.append(issue)
        if icd.is_valid_item(code) and not icd.is_chapter_or_block(code):
            valid.append(code)
            if issue is None or issue.severity is Severity.WARNING:
                description = str(icd.get_description(code))
                lateral = _laterality_issue(code, description, marks, mark_sides)
                if lateral is not None:
                    issues.append(lateral)

    issues.extend(_excludes1_issues(valid))
    if valid and valid[0][0] in "VWXY":
        issues.append(
            CodeIssue(
                valid[0],
                Severity.ERROR,
                "external_cause_first",
                f"{valid[0]} is an external-cause code (how the injury happened); it cannot be "
                f"the first-listed diagnosis. List the injury or condition first. {_PRESCRIBER}",
            )
        )
    if len(seen) > MAX_CLAIM_CODES:
        issues.append(
            CodeIssue(
                "",
                Severity.WARNING,
                "too_many",
                f"{len(seen)} codes are listed, but a CMS-1500 claim holds {MAX_CLAIM_CODES} "
                f"(A-L); only the first {MAX_CLAIM_CODES} can be billed.",
            )
        )
    return issues


def _code_issue(code: str, therapy_visit: bool) -> CodeIssue | None:
    """The one issue of a single code's own validity, if any."""
    icd = _icd()
    if not icd.is_valid_item(code) or icd.is_chapter_or_block(code):
        base = normalise_code(code.replace(".", "").rstrip("X"))
        if len(base.replace(".", "")) >= 3 and icd.is_valid_item(base) and _needs_seventh(base):
            forms = _seventh_forms(base)
            if forms:
                return _missing_seventh(code, forms)
        parent = _longest_valid_prefix(code)
        hint = (
            f" The nearest valid category is {parent} ({icd.get_description(parent)})."
            if (parent)
            else ""
        )
        return CodeIssue(
            code,
            Severity.ERROR,
            "unknown",
            f"{code} is not in the ICD-10-CM code set.{hint} {_PRESCRIBER}",
            (parent,) if parent else (),
        )
    if not icd.is_leaf(code):
        if _needs_seventh(code):
            forms = _seventh_forms(code)
            if forms:
                return _missing_seventh(code, forms)
        children = _billable_children(code)
        return CodeIssue(
            code,
            Severity.ERROR,
            "not_billable",
            f"{code} ({icd.get_description(code)}) is a category, not a billable code; a more "
            f"specific code is needed, such as {', '.join(children[:4])}. {_PRESCRIBER}",
            tuple(children),
        )
    seventh = _needs_seventh(code)
    if (
        therapy_visit
        and seventh
        and code[0] in "ST"
        and icd.is_extended_subcategory(code)
        and code.endswith("A")
        and "D" in seventh
    ):
        subsequent = code[:-1] + "D"
        return CodeIssue(
            code,
            Severity.WARNING,
            "initial_encounter",
            f"{code} ends in A ({seventh['A']}). Therapy during healing is usually coded as a "
            f"subsequent encounter ({subsequent}). {_PRESCRIBER}",
            (subsequent,) if icd.is_valid_item(subsequent) else (),
        )
    return None


def _missing_seventh(code: str, forms: list[str]) -> CodeIssue:
    return CodeIssue(
        code,
        Severity.ERROR,
        "missing_7th_character",
        f"{code} needs a 7th character: {', '.join(forms)} (A initial encounter, D subsequent "
        f"encounter, S sequela; therapy visits usually take D). {_PRESCRIBER}",
        tuple(forms),
    )


def _longest_valid_prefix(code: str) -> str | None:
    icd = _icd()
    compact = code.replace(".", "")
    for end in range(len(compact) - 1, 2, -1):
        candidate = normalise_code(compact[:end])
        if icd.is_valid_item(candidate) and not icd.is_chapter_or_block(candidate):
            return candidate
    candidate = compact[:3]
    if icd.is_valid_item(candidate) and not icd.is_chapter_or_block(candidate):
        return candidate
    return None


def _excludes1_issues(codes: list[str]) -> list[CodeIssue]:
    issues: list[CodeIssue] = []
    reported: set[frozenset[str]] = set()
    for code in codes:
        for note, target in _excludes1_targets(code):
            for other in codes:
                pair = frozenset({code, other})
                if other == code or pair in reported or not _matches_target(other, target):
                    continue
                reported.add(pair)
                source, _, text = note.partition(": ")
                issues.append(
                    CodeIssue(
                        code,
                        Severity.ERROR,
                        "excludes1",
                        f"{code} and {other} should not be billed together: {source} excludes "
                        f'"{text}" (Excludes1). Claims with both are likely to be denied. '
                        f"{_PRESCRIBER}",
                        (other,),
                    )
                )
    return issues
