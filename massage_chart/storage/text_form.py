"""The first text form of overrides, clearances and SOAP sub-fields: parsed once, rebuilt exactly.

Until schema 0005 (chart format ``massage-chart/1``) three kinds of structured data lived inside
free text: stop/refer overrides as ``"Stop/refer override [dvt]: <reason>"`` lines of the health
update, physician clearances as a first ``"Clearance for: <codes>"`` line of a treatment consent's
notes, and the SOAP sub-fields as leading ``"Label: value"`` lines of the Subjective, Assessment
and Plan. This module parses that form once (migration 0005, importing an old chart file) and
rebuilds it byte for byte from the columns, which is what a version-1 signature hash covers and
how the printed note shows the sub-fields. The form is frozen: changing it breaks old signatures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OVERRIDE_PREFIX = "Stop/refer override"
CLEARANCE_PREFIX = "Clearance for:"
_OVERRIDE_LINE = re.compile(rf"^{re.escape(OVERRIDE_PREFIX)} \[([a-z0-9_]+)\]: (.*)$")
_SCORE = re.compile(r"^(\d{1,2})/10$")

SECTION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "subjective": (
        ("pain_best", "Pain best"),
        ("pain_worst", "Pain worst"),
        ("functional_limits", "Functional limits"),
    ),
    "assessment": (
        ("response", "Response"),
        ("progress_toward_goals", "Progress toward goals"),
    ),
    "plan": (
        ("frequency", "Frequency"),
        ("home_care", "Home care"),
        ("referrals_out", "Referrals"),
        ("next_visit", "Next visit"),
    ),
}
"""Per SOAP section, its sub-field columns and the label each had as a line of the text."""

SUB_FIELDS: tuple[str, ...] = tuple(name for pairs in SECTION_FIELDS.values() for name, _ in pairs)
"""Every SOAP sub-field column of a visit, in the order the note shows them."""

SCORE_FIELDS = frozenset({"pain_best", "pain_worst"})
"""Sub-fields holding a 0-10 score (written "3/10" in the text form)."""


# --------------------------------------------------------------------------- overrides


def split_overrides(health_update: str) -> tuple[str, dict[str, str]]:
    """The health update without its override lines, and the overrides (alert code -> reason)."""
    kept: list[str] = []
    overrides: dict[str, str] = {}
    for line in health_update.splitlines():
        match = _OVERRIDE_LINE.match(line)
        if match:
            overrides[match.group(1)] = match.group(2).strip()
        else:
            kept.append(line)
    return "\n".join(kept).rstrip("\n"), overrides


def join_overrides(text: str, overrides: Iterable[tuple[str, str]]) -> str:
    """The health update text followed by one line per override (code, reason), in order.

    Without overrides the text is returned as it is.
    """
    overrides = list(overrides)
    if not overrides:
        return text
    lines = [f"{OVERRIDE_PREFIX} [{code}]: {' '.join(reason.split())}" for code, reason in
             overrides if reason.strip()]  # fmt: skip
    body = text.rstrip("\n")
    if not lines:
        return body
    return "\n".join([body, *lines]) if body else "\n".join(lines)


# --------------------------------------------------------------------------- clearances


def split_clearance(notes: str) -> tuple[list[str], str]:
    """The alert codes of a ``Clearance for:`` first line (sorted) and the notes after it."""
    lines = notes.strip().splitlines()
    if not lines or not lines[0].startswith(CLEARANCE_PREFIX):
        return [], notes
    codes = lines[0][len(CLEARANCE_PREFIX) :].replace(";", ",").split(",")
    rest = notes.strip().split("\n", 1)[1] if "\n" in notes.strip() else ""
    return sorted({code.strip() for code in codes if code.strip()}), rest


def join_clearance(codes: Iterable[str], note: str) -> str:
    """The consent notes of the text form: the ``Clearance for:`` line, then the note."""
    line = f"{CLEARANCE_PREFIX} {', '.join(sorted(set(codes)))}"
    return f"{line}\n{note}" if note.strip() else line


# --------------------------------------------------------------------------- SOAP sections


def split_section(text: str, labels: Sequence[str]) -> tuple[dict[str, str], str]:
    """A section's leading ``Label: value`` lines (for ``labels``) and the free text after them."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        label, sep, value = lines[index].partition(": ")
        if sep and label in labels and label not in values:
            values[label] = value.strip()
            index += 1
        else:
            break
    rest = lines[index:]
    if values and rest and not rest[0].strip():
        rest = rest[1:]
    return values, "\n".join(rest)


def join_section(values: Mapping[str, str], free_text: str, labels: Sequence[str]) -> str:
    """A section's text: filled ``Label: value`` lines in label order, a blank line, free text."""
    head = [f"{label}: {' '.join(values[label].split())}" for label in labels
            if values.get(label, "").strip()]  # fmt: skip
    if not head:
        return free_text
    if not free_text.strip():
        return "\n".join(head)
    return "\n".join(head) + "\n\n" + free_text


def score_text(score: int | None) -> str:
    """A 0-10 score as the text form wrote it ("3/10"), or "" when not given."""
    return "" if score is None else f"{score}/10"


def parse_score(text: str) -> int | None:
    """The score of a ``"3/10"`` (or bare ``"3"``) value; None when it is not a 0-10 score."""
    match = _SCORE.match(text.strip()) or re.match(r"^(\d{1,2})$", text.strip())
    if match is None or int(match.group(1)) > 10:
        return None
    return int(match.group(1))


def section_text(section: str, free_text: str, values: Mapping[str, Any]) -> str:
    """A section as the text form wrote it: sub-field lines from the column values, free text."""
    labelled = {
        label: score_text(values.get(name)) if name in SCORE_FIELDS else str(values.get(name) or "")
        for name, label in SECTION_FIELDS[section]
    }
    return join_section(labelled, free_text, [label for _, label in SECTION_FIELDS[section]])


# --------------------------------------------------------------------------- one visit


@dataclass
class VisitColumns:
    """A visit's text fields parsed into the columns of schema 0005."""

    health_update: str
    sections: dict[str, str]
    overrides: list[tuple[str, str]] = field(default_factory=list)
    sub_fields: dict[str, Any] = field(default_factory=dict)


def parse_visit_text(texts: Mapping[str, str], *, exact: bool) -> VisitColumns:
    """Parse a visit's health update, Subjective, Assessment and Plan of the text form.

    With ``exact`` (a signed visit), a field is only split when rebuilding it from the parts
    gives back the very same text, so the version-1 hash still verifies; otherwise it is kept
    whole as free text. Without it (a draft), every labelled line that reads is moved, and a
    pain line that is not a 0-10 score stays in the text.
    """
    health_update = texts.get("health_update", "")
    text, found = split_overrides(health_update)
    overrides = [(code, reason) for code, reason in found.items() if reason]
    if not overrides or (exact and join_overrides(text, overrides) != health_update):
        text, overrides = health_update, []
    result = VisitColumns(health_update=text, sections={}, overrides=overrides)
    for section, pairs in SECTION_FIELDS.items():
        original = texts.get(section, "")
        labels = [label for _, label in pairs]
        values, free = split_section(original, labels)
        if not values:
            free = original
        columns: dict[str, Any] = {}
        unread: list[str] = []
        for name, label in pairs:
            if label not in values or not values[label]:
                continue
            if name in SCORE_FIELDS:
                score = parse_score(values[label])
                if score is None:
                    unread.append(f"{label}: {values[label]}")
                    continue
                columns[name] = score
            else:
                columns[name] = " ".join(values[label].split())
        if unread:
            free = "\n".join(unread) + ("\n" + free if free else "")
        if exact and (unread or section_text(section, free, columns) != original):
            free, columns = original, {}
        result.sections[section] = free
        result.sub_fields.update(columns)
    return result
