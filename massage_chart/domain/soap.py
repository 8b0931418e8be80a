"""SOAP drafting: the Objective from the marks, changes since last visit, condition templates."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from massage_chart.domain.findings import MarkFinding, body_order, region_stem, strip_side_prefix
from massage_chart.domain.marks import Geometry, MarkKind, Side
from massage_chart.resources import resource_path

MEANINGFUL_CHANGE = 2
"""A change of at least 2 points on the 0-10 scale is clinically meaningful (DOMAIN.md §3.4)."""

# The Objective's sentences, in the order a therapist reads findings: palpation first, then
# pain and sensation, then skin, then what was done and avoided.
OBJECTIVE_HEADINGS: tuple[tuple[MarkKind, str], ...] = (
    (MarkKind.TRIGGER_POINT_ACTIVE, "Active trigger points"),
    (MarkKind.TRIGGER_POINT_LATENT, "Latent trigger points"),
    (MarkKind.HYPERTONICITY, "Hypertonicity"),
    (MarkKind.SPASM, "Spasm"),
    (MarkKind.ADHESION, "Adhesions"),
    (MarkKind.TENDER_POINT, "Tender points"),
    (MarkKind.INFLAMMATION, "Inflammation"),
    (MarkKind.PAIN, "Pain"),
    (MarkKind.REFERRED_PAIN, "Referred pain"),
    (MarkKind.ACHING, "Aching"),
    (MarkKind.STABBING, "Sharp / stabbing pain"),
    (MarkKind.BURNING, "Burning"),
    (MarkKind.PARESTHESIA, "Paresthesia"),
    (MarkKind.NUMBNESS, "Numbness"),
    (MarkKind.SCAR, "Scars"),
    (MarkKind.BRUISE, "Bruising"),
    (MarkKind.TREATED, "Treated"),
    (MarkKind.AVOID, "Areas avoided"),
)

_FINDING_NAMES = {
    MarkKind.TRIGGER_POINT_ACTIVE: "active trigger point",
    MarkKind.TRIGGER_POINT_LATENT: "latent trigger point",
    MarkKind.TENDER_POINT: "tender point",
    MarkKind.PAIN: "pain",
    MarkKind.REFERRED_PAIN: "referred pain",
    MarkKind.HYPERTONICITY: "hypertonicity",
    MarkKind.SPASM: "spasm",
    MarkKind.SCAR: "scar",
    MarkKind.ADHESION: "adhesion",
    MarkKind.INFLAMMATION: "inflammation",
    MarkKind.NUMBNESS: "numbness",
    MarkKind.PARESTHESIA: "paresthesia",
    MarkKind.BURNING: "burning",
    MarkKind.ACHING: "aching",
    MarkKind.STABBING: "sharp / stabbing pain",
    MarkKind.BRUISE: "bruising",
    MarkKind.TREATED: "treated",
    MarkKind.AVOID: "area avoided",
}


def _list_label(label: str) -> str:
    """A label as it reads inside a sentence: "Lumbar spine" -> "lumbar spine"; "SCM" stays.

    A trailing gloss in brackets is dropped: "L levator scapulae (superior angle)" -> "L levator
    scapulae", so the details in brackets that follow read cleanly.
    """
    label = re.sub(r"\s*\([^()]*\)$", "", label.strip()) or label.strip()
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


@dataclass
class _Group:
    """Marks of one kind on one region (one side, or both when merged)."""

    kind: MarkKind
    stem: str
    name: str
    label: str
    deep: str
    first: int
    sides: dict[Side, list[MarkFinding]]

    def marks(self) -> list[MarkFinding]:
        return [mark for marks in self.sides.values() for mark in marks]


def _intensity(marks: Sequence[MarkFinding]) -> int | None:
    values = [m.intensity for m in marks if m.intensity is not None]
    return max(values) if values else None


def _describe_group(group: _Group) -> str:
    kind = group.kind
    marks = group.marks()
    shows_intensity = kind.legend.has_intensity
    bilateral = Side.LEFT in group.sides and Side.RIGHT in group.sides
    label = f"bilateral {group.name}" if bilateral else _list_label(group.label)
    count = len(marks) if kind.geometry is Geometry.POINT and not bilateral else 1
    head = f"{label} x{count}" if count > 1 else label
    details: list[str] = []

    if kind is MarkKind.TREATED:
        minutes = sum(m.minutes for m in marks if m.minutes)
        if minutes:
            head = f"{head} {minutes} min"
        techniques = list(dict.fromkeys(m.technique.strip() for m in marks if m.technique.strip()))
        if techniques:
            head = f"{head}, {', '.join(techniques)}"
        pressures = sorted({m.pressure for m in marks if m.pressure is not None})
        if pressures:
            span = str(pressures[0]) if len(pressures) == 1 else f"{pressures[0]}-{pressures[-1]}"
            details.append(f"Walton {span}")
    elif shows_intensity:
        if bilateral:
            right = _intensity(group.sides[Side.RIGHT])
            left = _intensity(group.sides[Side.LEFT])
            if right is not None and right == left:
                details.append(f"{right}/10")
            elif right is not None or left is not None:
                parts = [
                    f"{letter} {value}/10"
                    for letter, value in (("R", right), ("L", left))
                    if value is not None
                ]
                details.append(", ".join(parts))
        else:
            value = _intensity(marks)
            if value is not None:
                details.append(f"{value}/10")
    if group.deep:
        details.append(f"deep: {group.deep}")
    notes = list(dict.fromkeys(m.note.strip() for m in marks if m.note.strip()))
    details.extend(notes)
    return f"{head} ({'; '.join(details)})" if details else head


def _groups(
    findings: Iterable[MarkFinding], region_order: Sequence[str] | None
) -> dict[MarkKind, list[_Group]]:
    order: dict[str, int] = {}
    if region_order is not None:
        for index, region in enumerate(region_order):
            order.setdefault(region_stem(region), index)

    def sort_key(group: _Group) -> tuple[int, int, int]:
        if region_order is not None:
            return (order.get(group.stem, len(order)), body_order(group.stem), group.first)
        return (body_order(group.stem), 0, group.first)

    # First gather by kind, region stem, side and deep muscle; then merge left with right.
    by_key: dict[tuple[MarkKind, str, str, Side], _Group] = {}
    for index, mark in enumerate(findings):
        stem = mark.stem or mark.region_label or mark.note or "unspecified area"
        label = (
            mark.region_label
            or (mark.stem.replace("_", " ") if mark.stem else "")
            or ("unspecified area")
        )
        key = (mark.kind, stem, mark.deep_muscle.strip().lower(), mark.side)
        group = by_key.get(key)
        if group is None:
            name = _list_label(strip_side_prefix(_list_label(label)))
            group = _Group(mark.kind, stem, name, label, mark.deep_muscle.strip(), index, {})
            by_key[key] = group
        group.sides.setdefault(mark.side, []).append(mark)

    merged: dict[tuple[MarkKind, str, str], _Group] = {}
    result: dict[MarkKind, list[_Group]] = {}
    for (kind, stem, deep, side), group in by_key.items():
        pair_key = (kind, stem, deep)
        if side in (Side.LEFT, Side.RIGHT):
            other = merged.get(pair_key)
            if other is not None and side not in other.sides and len(other.sides) == 1:
                other.sides[side] = group.sides[side]
                other.first = min(other.first, group.first)
                continue
            merged[pair_key] = group
        result.setdefault(kind, []).append(group)
    for groups in result.values():
        groups.sort(key=lambda g: (*sort_key(g), 0 if Side.RIGHT in g.sides else 1))
    return result


def objective_lines(
    findings: Iterable[MarkFinding], *, region_order: Sequence[str] | None = None
) -> list[str]:
    """The drafted Objective, one sentence per kind of finding.

    Regions are listed head to toe (or in ``region_order``, a sequence of region ids or stems,
    when given); marks of one kind on the same region on both sides are merged as "bilateral".

    Example: ``["Active trigger points: R upper trapezius (7/10), L levator scapulae (5/10).",
    "Treated: R upper trapezius 10 min (Walton 3)."]``
    """
    groups = _groups(findings, region_order)
    lines = []
    for kind, heading in OBJECTIVE_HEADINGS:
        if kind in groups:
            items = ", ".join(_describe_group(group) for group in groups[kind])
            lines.append(f"{heading}: {items}.")
    return lines


def draft_objective(
    findings: Iterable[MarkFinding], *, region_order: Sequence[str] | None = None
) -> str:
    """The drafted Objective as text, one sentence per line, for the therapist to edit."""
    return "\n".join(objective_lines(findings, region_order=region_order))


# Changes since the last visit -------------------------------------------------------------


class ChangeKind(enum.Enum):
    """How a finding on a region changed between two visits."""

    NEW = "new"
    RESOLVED = "resolved"
    WORSE = "worse"
    BETTER = "better"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class FindingChange:
    """One finding on one region, compared with the previous visit.

    Attributes:
        kind: the mark kind.
        region_id: the region (with its side), or the label for marks without a region.
        label: the region as charted ("R upper trapezius").
        change: new, resolved, worse, better or unchanged.
        before: the highest intensity last visit (None if absent or not rated).
        after: the highest intensity this visit (None if absent or not rated).
    """

    kind: MarkKind
    region_id: str
    label: str
    change: ChangeKind
    before: int | None = None
    after: int | None = None

    @property
    def delta(self) -> int | None:
        """After minus before, when both were rated."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def meaningful(self) -> bool:
        """Whether the intensity moved by at least two points."""
        return self.delta is not None and abs(self.delta) >= MEANINGFUL_CHANGE


_CHANGE_ORDER = (
    ChangeKind.NEW,
    ChangeKind.WORSE,
    ChangeKind.BETTER,
    ChangeKind.RESOLVED,
    ChangeKind.UNCHANGED,
)


def _by_region(findings: Iterable[MarkFinding]) -> dict[tuple[MarkKind, str], list[MarkFinding]]:
    grouped: dict[tuple[MarkKind, str], list[MarkFinding]] = {}
    for mark in findings:
        if not mark.kind.legend.finding:
            continue
        key = (mark.kind, mark.region_id or mark.region_label)
        grouped.setdefault(key, []).append(mark)
    return grouped


def compare_findings(
    previous: Iterable[MarkFinding], current: Iterable[MarkFinding]
) -> list[FindingChange]:
    """What changed since the last visit, per kind of finding and region (and side).

    Treated areas and areas to avoid are not findings and are left out. Results are ordered
    new, worse, better, resolved, unchanged; head to toe within each.
    """
    before = _by_region(previous)
    after = _by_region(current)
    changes: list[FindingChange] = []
    for key in dict.fromkeys([*after, *before]):
        kind, region = key
        old, new = before.get(key), after.get(key)
        label = _list_label((new or old or [MarkFinding(kind)])[0].region_label or region)
        label = label or "unspecified area"
        rated = kind.legend.has_intensity
        old_value = _intensity(old) if old and rated else None
        new_value = _intensity(new) if new and rated else None
        if old is None:
            change = ChangeKind.NEW
        elif new is None:
            change = ChangeKind.RESOLVED
        elif old_value is not None and new_value is not None and new_value > old_value:
            change = ChangeKind.WORSE
        elif old_value is not None and new_value is not None and new_value < old_value:
            change = ChangeKind.BETTER
        else:
            change = ChangeKind.UNCHANGED
        changes.append(FindingChange(kind, region, label, change, old_value, new_value))
    rank = {kind: index for index, kind in enumerate(_CHANGE_ORDER)}
    changes.sort(key=lambda c: (rank[c.change], body_order(region_stem(c.region_id)), c.region_id))
    return changes


_CHANGE_HEADINGS = {
    ChangeKind.NEW: "New",
    ChangeKind.WORSE: "Worse",
    ChangeKind.BETTER: "Better",
    ChangeKind.RESOLVED: "Resolved",
}


def describe_changes(changes: Iterable[FindingChange]) -> str:
    """The changes as sentences: "New: active trigger point L levator scapulae (5/10). ..."."""
    parts: dict[ChangeKind, list[str]] = {}
    for change in changes:
        if change.change is ChangeKind.UNCHANGED:
            continue
        text = f"{_FINDING_NAMES[change.kind]} {change.label}"
        if change.change in (ChangeKind.WORSE, ChangeKind.BETTER):
            text = f"{text} {change.before}/10 -> {change.after}/10"
        elif change.change is ChangeKind.NEW and change.after is not None:
            text = f"{text} ({change.after}/10)"
        elif change.change is ChangeKind.RESOLVED and change.before is not None:
            text = f"{text} (was {change.before}/10)"
        parts.setdefault(change.change, []).append(text)
    return " ".join(
        f"{heading}: {', '.join(parts[kind])}."
        for kind, heading in _CHANGE_HEADINGS.items()
        if kind in parts
    )


# Condition templates ------------------------------------------------------------------------

SOAP_TEMPLATES_FORMAT = "massage-chart-soap-templates/1"


class SoapTemplateError(ValueError):
    """The SOAP template file is malformed."""


@dataclass(frozen=True)
class HomeCareItem:
    """One self-care instruction for the client.

    Attributes:
        name: what to do ("Upper trapezius stretch").
        instructions: how, in plain words.
        hold_seconds: how long to hold, for stretches.
        reps: repetitions per set.
        frequency: how often ("3 times a day").
    """

    name: str
    instructions: str
    hold_seconds: int | None = None
    reps: int | None = None
    frequency: str = ""

    def text(self) -> str:
        """The item as one line for a note or client summary."""
        dose = []
        if self.hold_seconds:
            dose.append(f"hold {self.hold_seconds} s")
        if self.reps:
            dose.append(f"{self.reps} reps")
        if self.frequency:
            dose.append(self.frequency)
        suffix = f" ({', '.join(dose)})" if dose else ""
        return f"{self.name}: {self.instructions}{suffix}"


@dataclass(frozen=True)
class SoapTemplate:
    """A condition template that prefills a note's skeleton.

    Attributes:
        id: stable id ("tension_headache").
        name: the condition as the therapist picks it.
        subjective, objective, assessment, plan: skeleton text with blanks ("___").
        short_term_goals, long_term_goals: functional goals to choose from (SMART, ADL-based).
        home_care: self-care items.
        regions: atlas region stems usually examined for this condition.
    """

    id: str
    name: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    short_term_goals: tuple[str, ...]
    long_term_goals: tuple[str, ...]
    home_care: tuple[HomeCareItem, ...]
    regions: tuple[str, ...] = ()


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SoapTemplateError(f"{where}: {key!r} must be non-empty text")
    return value


def _texts(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SoapTemplateError(f"{where}: {key!r} must be a list of text")
    return tuple(value)


def _optional_int(item: dict[str, Any], key: str, where: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise SoapTemplateError(f"{where}: {key!r} must be a positive whole number")
    return value


def parse_soap_templates(data: Any, *, source: str = "SOAP templates") -> dict[str, SoapTemplate]:
    """Validate the JSON document of the templates and return them by id, in file order."""
    if not isinstance(data, dict) or data.get("format") != SOAP_TEMPLATES_FORMAT:
        raise SoapTemplateError(f"{source}: expected format {SOAP_TEMPLATES_FORMAT!r}")
    entries = data.get("templates")
    if not isinstance(entries, list):
        raise SoapTemplateError(f"{source}: 'templates' must be a list")
    templates: dict[str, SoapTemplate] = {}
    for position, entry in enumerate(entries):
        where = f"{source}, template {position + 1}"
        if not isinstance(entry, dict):
            raise SoapTemplateError(f"{where}: must be an object")
        template_id = _text(entry, "id", where)
        where = f"{source}, template {template_id!r}"
        if template_id in templates:
            raise SoapTemplateError(f"{where}: the id is used twice")
        items = entry.get("home_care", [])
        if not isinstance(items, list):
            raise SoapTemplateError(f"{where}: 'home_care' must be a list")
        home_care = []
        for item in items:
            if not isinstance(item, dict):
                raise SoapTemplateError(f"{where}: each home-care item must be an object")
            home_care.append(
                HomeCareItem(
                    name=_text(item, "name", where),
                    instructions=_text(item, "instructions", where),
                    hold_seconds=_optional_int(item, "hold_seconds", where),
                    reps=_optional_int(item, "reps", where),
                    frequency=str(item.get("frequency", "")),
                )
            )
        templates[template_id] = SoapTemplate(
            id=template_id,
            name=_text(entry, "name", where),
            subjective=_text(entry, "subjective", where),
            objective=_text(entry, "objective", where),
            assessment=_text(entry, "assessment", where),
            plan=_text(entry, "plan", where),
            short_term_goals=_texts(entry, "short_term_goals", where),
            long_term_goals=_texts(entry, "long_term_goals", where),
            home_care=tuple(home_care),
            regions=_texts(entry, "regions", where),
        )
    return templates


def load_soap_templates_from(path: Path) -> dict[str, SoapTemplate]:
    """Read and validate a template file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SoapTemplateError(f"{path.name}: not valid JSON ({error})") from error
    return parse_soap_templates(data, source=path.name)


@cache
def soap_templates() -> dict[str, SoapTemplate]:
    """The shipped condition templates (``resources/soap_templates.json``), by id."""
    return load_soap_templates_from(resource_path("soap_templates.json"))


def soap_template(template_id: str) -> SoapTemplate:
    """One shipped template by id; KeyError if there is none."""
    return soap_templates()[template_id]
