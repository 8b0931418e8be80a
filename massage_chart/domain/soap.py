"""SOAP drafting: the Objective from the marks, and condition templates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from massage_chart.domain.comparison import compare_findings, describe_changes
from massage_chart.domain.findings import (
    MarkFinding,
    body_order,
    in_sentence,
    region_stem,
    strip_side_prefix,
)
from massage_chart.domain.marks import Geometry, MarkKind, Side
from massage_chart.resources import resource_path

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
    label = f"bilateral {group.name}" if bilateral else in_sentence(group.label)
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
            name = in_sentence(strip_side_prefix(in_sentence(label)))
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


def treatment_from_findings(findings: Iterable[MarkFinding]) -> tuple[tuple[str, ...], int | None]:
    """What the marks say of the treatment: every technique charted (each once, in charting
    order, ignoring case) and the deepest Walton pressure charted (None when none was)."""
    techniques: dict[str, str] = {}
    pressures: list[int] = []
    for finding in findings:
        technique = finding.technique.strip()
        if technique:
            techniques.setdefault(technique.casefold(), technique)
        if finding.pressure is not None:
            pressures.append(finding.pressure)
    return tuple(techniques.values()), max(pressures, default=None)


def draft_objective(
    findings: Iterable[MarkFinding], *, region_order: Sequence[str] | None = None
) -> str:
    """The drafted Objective as text, one sentence per line, for the therapist to edit."""
    return "\n".join(objective_lines(findings, region_order=region_order))


def objective_draft(
    findings: Sequence[MarkFinding], previous: Sequence[MarkFinding] | None = None
) -> str:
    """The Objective the marks draft: the findings, then what changed since the previous visit
    (when there was one); "" when nothing is charted."""
    lines = [draft_objective(findings)]
    if previous is not None:
        lines.append(draft_changes(previous, findings))
    return "\n".join(line for line in lines if line)


def draft_changes(previous: Iterable[MarkFinding], current: Iterable[MarkFinding]) -> str:
    """The note's sentence of what changed since the previous visit, or "" when nothing did.

    Example: "Since last visit: Better: active trigger point R upper trapezius 7/10 → 5/10.
    Resolved: active trigger point R upper trapezius (was 3/10)." The comparison is the one the
    chart window lists (``comparison.compare_findings``).
    """
    text = describe_changes(compare_findings(previous, current))
    return f"Since last visit: {text}" if text else ""


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
