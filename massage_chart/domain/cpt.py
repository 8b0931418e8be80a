"""CPT billing lines: code ids without AMA text, totals and denial checks (DOMAIN.md §1)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from massage_chart.domain.billing import MIDPOINT_MINUTES, TIMED_CPT_CODES, compute_units
from massage_chart.domain.icd10 import MAX_CLAIM_CODES, Severity
from massage_chart.domain.record_kinds import PayerType, UnitRule

# CPT descriptors are AMA-copyrighted (DOMAIN.md §1.8): only ids and timing are shipped; the
# practice labels its own codes in its fee schedule.
UNTIMED_CPT_CODES: frozenset[str] = frozenset(
    {
        "97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026", "97028",
        "97039", "97139", "97161", "97162", "97163", "97164",
    }
)  # fmt: skip
"""Untimed codes an LMT may meet: one unit per visit whatever the minutes."""

KNOWN_CPT_CODES: frozenset[str] = TIMED_CPT_CODES | UNTIMED_CPT_CODES

NOT_FOR_MASSAGE_THERAPISTS: dict[str, str] = {
    "97112": "97112 is not the code for neuromuscular therapy; 97140 is usually meant",
    "97530": "97530 is an occupational-therapy code, not recommended for massage therapists",
    "97161": "97161-97164 are physical-therapy evaluations; they imply a physical therapist",
    "97162": "97161-97164 are physical-therapy evaluations; they imply a physical therapist",
    "97163": "97161-97164 are physical-therapy evaluations; they imply a physical therapist",
    "97164": "97161-97164 are physical-therapy evaluations; they imply a physical therapist",
}
"""Codes massage therapists are advised not to bill (Denning, Massage Today; DOMAIN.md §1.2)."""

MASSAGE = "97124"
MANUAL_THERAPY = "97140"
DISTINCT_SERVICE_MODIFIERS: frozenset[str] = frozenset({"59", "XS"})
"""Modifiers that let 97124 and 97140 be paid on the same day (separate structure)."""
MAX_MODIFIERS = 4
"""CMS-1500 box 24D holds four modifiers per line."""
MAX_POINTERS = 4
"""CMS-1500 box 24E holds four diagnosis pointers per line."""

_CPT_SHAPE = re.compile(r"^\d{4}[0-9FT]$")
_MODIFIER_SHAPE = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True)
class BillingEntry:
    """One billing line of a visit, as the checks read it.

    Attributes:
        cpt: the procedure code ("97140").
        minutes: minutes of this service (timed codes); untimed codes may leave 0.
        units: units as entered on the line; None to have them computed.
        modifiers: modifiers as entered ("59", "GP").
        diagnosis_pointers: 1-based positions in the visit's diagnosis codes (A = 1 ... L = 12).
        regions: the body regions this line covers (region ids or labels), for the 97124/97140
            same-region check; empty if not recorded.
    """

    cpt: str
    minutes: int = 0
    units: int | None = None
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class BillingIssue:
    """One problem found in a visit's billing lines.

    Attributes:
        line: 0-based index of the line concerned, or None for the visit as a whole.
        cpt: the code concerned ("" for the visit as a whole).
        severity: error (likely denial) or warning.
        kind: stable id of the check ("ncci_97124_97140", "units_mismatch"...).
        message: plain words, ending with what to do.
    """

    line: int | None
    cpt: str
    severity: Severity
    kind: str
    message: str


@dataclass(frozen=True)
class BillingTotals:
    """The billing block of a note (DOMAIN.md §1.1).

    Attributes:
        timed_minutes: total timed-code treatment minutes.
        untimed_minutes: minutes recorded on untimed codes.
        treatment_minutes: total treatment time (timed + untimed).
        units_by_code: units per code by the payer's rule (timed codes by minutes, untimed 1).
        total_units: sum of ``units_by_code``.
    """

    timed_minutes: int
    untimed_minutes: int
    treatment_minutes: int
    units_by_code: dict[str, int] = field(default_factory=dict)
    total_units: int = 0


def normalise_cpt(code: str) -> str:
    """A typed code tidied: spaces dropped, letters upper-cased (" 97140 " -> "97140")."""
    return re.sub(r"\s+", "", code).upper()


def normalise_modifier(modifier: str) -> str:
    """A typed modifier tidied: "-59 " -> "59", "xs" -> "XS"."""
    return re.sub(r"[\s-]+", "", modifier).upper()


def is_timed(code: str) -> bool:
    """Whether a code is billed in 15-minute units."""
    return normalise_cpt(code) in TIMED_CPT_CODES


def compute_totals(entries: Sequence[BillingEntry], unit_rule: UnitRule) -> BillingTotals:
    """Total timed and treatment minutes, and units per code by the payer's rule.

    Lines whose code is not a CPT code are left out; they are reported by ``check_billing``.
    """
    timed: dict[str, int] = {}
    untimed_minutes = 0
    untimed_units: dict[str, int] = {}
    for entry in entries:
        code = normalise_cpt(entry.cpt)
        minutes = max(entry.minutes, 0)
        if not _CPT_SHAPE.match(code):
            continue
        if is_timed(code):
            timed[code] = timed.get(code, 0) + minutes
        else:
            untimed_minutes += minutes
            untimed_units[code] = 1
    units = compute_units(unit_rule, timed) if timed else {}
    units.update(untimed_units)
    timed_minutes = sum(timed.values())
    return BillingTotals(
        timed_minutes=timed_minutes,
        untimed_minutes=untimed_minutes,
        treatment_minutes=timed_minutes + untimed_minutes,
        units_by_code=units,
        total_units=sum(units.values()),
    )


def check_billing(
    entries: Sequence[BillingEntry],
    *,
    unit_rule: UnitRule,
    visit_minutes: int | None,
    payer_type: PayerType,
    diagnosis_count: int | None = None,
) -> list[BillingIssue]:
    """Known denial causes in a visit's billing lines.

    Args:
        entries: the billing lines, in order.
        unit_rule: the payer's unit rule (CMS cumulative or AMA per code).
        visit_minutes: the visit's duration (time in to time out), if known.
        payer_type: who pays; self-pay visits skip the claim-form checks.
        diagnosis_count: how many diagnosis codes the visit lists, to check pointers against.
    """
    issues: list[BillingIssue] = []
    claim = payer_type is not PayerType.SELF_PAY
    for index, entry in enumerate(entries):
        issues.extend(_line_issues(index, entry, unit_rule, claim, diagnosis_count))
    issues.extend(_same_day_issues(entries))
    issues.extend(_unit_issues(entries, unit_rule))
    issues.extend(_time_issues(entries, unit_rule, visit_minutes))
    return issues


def _line_issues(
    index: int,
    entry: BillingEntry,
    unit_rule: UnitRule,
    claim: bool,
    diagnosis_count: int | None,
) -> list[BillingIssue]:
    code = normalise_cpt(entry.cpt)
    issues: list[BillingIssue] = []

    def add(severity: Severity, kind: str, message: str) -> None:
        issues.append(BillingIssue(index, code, severity, kind, message))

    if not _CPT_SHAPE.match(code):
        add(
            Severity.ERROR,
            "format",
            f"Line {index + 1}: {entry.cpt.strip()!r} is not a CPT code (five characters, "
            "e.g. 97140).",
        )
        return issues
    if code not in KNOWN_CPT_CODES:
        add(
            Severity.WARNING,
            "unknown_code",
            f"Line {index + 1}: {code} is not one of the codes massage therapists usually bill; "
            "check it against the payer's fee schedule.",
        )
    if code in NOT_FOR_MASSAGE_THERAPISTS:
        add(
            Severity.WARNING,
            "not_for_lmt",
            f"Line {index + 1}: {NOT_FOR_MASSAGE_THERAPISTS[code]}.",
        )

    if entry.minutes < 0:
        add(Severity.ERROR, "negative_minutes", f"Line {index + 1}: minutes cannot be negative.")
    elif is_timed(code):
        if entry.minutes == 0:
            add(
                Severity.ERROR,
                "no_minutes",
                f"Line {index + 1}: {code} is a timed code; record its minutes.",
            )
        elif entry.minutes < MIDPOINT_MINUTES and unit_rule is UnitRule.AMA:
            add(
                Severity.WARNING,
                "under_midpoint",
                f"Line {index + 1}: {code} has {entry.minutes} minutes; under the AMA rule a code "
                f"needs at least {MIDPOINT_MINUTES} minutes for one unit.",
            )

    modifiers = [normalise_modifier(m) for m in entry.modifiers if normalise_modifier(m)]
    for modifier in modifiers:
        if not _MODIFIER_SHAPE.match(modifier):
            add(
                Severity.ERROR,
                "modifier_format",
                f"Line {index + 1}: {modifier!r} is not a modifier (two letters or digits).",
            )
    if "51" in modifiers and code.startswith("97"):
        add(
            Severity.ERROR,
            "modifier_51",
            f"Line {index + 1}: modifier 51 (multiple procedures) is never used on 97xxx "
            "therapy codes; remove it.",
        )
    if len(modifiers) > MAX_MODIFIERS:
        add(
            Severity.ERROR,
            "too_many_modifiers",
            f"Line {index + 1}: {len(modifiers)} modifiers; a claim line holds {MAX_MODIFIERS}.",
        )
    if len(set(modifiers)) < len(modifiers):
        add(Severity.WARNING, "duplicate_modifier", f"Line {index + 1}: a modifier is repeated.")

    if claim:
        issues.extend(_pointer_issues(index, code, entry.diagnosis_pointers, diagnosis_count))
    return issues


def _pointer_issues(
    index: int, code: str, pointers: tuple[int, ...], diagnosis_count: int | None
) -> list[BillingIssue]:
    issues: list[BillingIssue] = []

    def add(severity: Severity, kind: str, message: str) -> None:
        issues.append(BillingIssue(index, code, severity, kind, message))

    if not pointers:
        add(
            Severity.WARNING,
            "no_pointer",
            f"Line {index + 1}: point {code} to at least one diagnosis code.",
        )
        return issues
    if len(pointers) > MAX_POINTERS:
        add(
            Severity.ERROR,
            "too_many_pointers",
            f"Line {index + 1}: {len(pointers)} diagnosis pointers; a claim line holds "
            f"{MAX_POINTERS}.",
        )
    if len(set(pointers)) < len(pointers):
        add(Severity.WARNING, "duplicate_pointer", f"Line {index + 1}: a pointer is repeated.")
    for pointer in pointers:
        if not 1 <= pointer <= MAX_CLAIM_CODES:
            add(
                Severity.ERROR,
                "pointer_range",
                f"Line {index + 1}: diagnosis pointer {pointer} is outside A-L (1-12).",
            )
        elif diagnosis_count is not None and pointer > diagnosis_count:
            listed = f"{diagnosis_count} code" + ("" if diagnosis_count == 1 else "s")
            add(
                Severity.ERROR,
                "pointer_missing_code",
                f"Line {index + 1}: diagnosis pointer {_letter(pointer)} points past the visit's "
                f"{listed}.",
            )
    return issues


def _letter(pointer: int) -> str:
    return chr(ord("A") + pointer - 1) if 1 <= pointer <= 26 else str(pointer)


def _same_day_issues(entries: Sequence[BillingEntry]) -> list[BillingIssue]:
    """97124 and 97140 on the same day: an NCCI edit pair (DOMAIN.md §1.2)."""
    issues: list[BillingIssue] = []
    lines: dict[str, list[tuple[int, BillingEntry]]] = {}
    for index, entry in enumerate(entries):
        lines.setdefault(normalise_cpt(entry.cpt), []).append((index, entry))

    for code, found in lines.items():
        if len(found) > 1 and _CPT_SHAPE.match(code):
            keys = {
                tuple(sorted(normalise_modifier(m) for m in entry.modifiers)) for _, entry in found
            }
            if len(keys) < len(found):
                issues.append(
                    BillingIssue(
                        found[1][0],
                        code,
                        Severity.WARNING,
                        "duplicate_line",
                        f"{code} is on {len(found)} lines with the same modifiers; put its "
                        "minutes on one line so the units are computed once.",
                    )
                )

    massage, manual = lines.get(MASSAGE, []), lines.get(MANUAL_THERAPY, [])
    if not massage or not manual:
        return issues
    pair = [*massage, *manual]
    has_modifier = any(
        DISTINCT_SERVICE_MODIFIERS & {normalise_modifier(m) for m in entry.modifiers}
        for _, entry in pair
    )
    first = min(index for index, _ in pair)
    if not has_modifier:
        issues.append(
            BillingIssue(
                first,
                "",
                Severity.ERROR,
                "ncci_97124_97140",
                "97124 and 97140 on the same day form an NCCI edit pair: one of them is denied "
                "unless they were on different body regions and one line carries modifier 59 or "
                "XS. Many payers pay only one; consider billing one code.",
            )
        )
    massage_regions = {r for _, entry in massage for r in entry.regions}
    manual_regions = {r for _, entry in manual for r in entry.regions}
    shared = sorted(massage_regions & manual_regions)
    if shared:
        issues.append(
            BillingIssue(
                first,
                "",
                Severity.ERROR,
                "same_region",
                "97124 and 97140 cover the same region "
                f"({', '.join(shared)}); they can only be billed together for different regions.",
            )
        )
    elif has_modifier and (not massage_regions or not manual_regions):
        issues.append(
            BillingIssue(
                first,
                "",
                Severity.WARNING,
                "document_regions",
                "With modifier 59/XS, record which regions 97124 and 97140 each covered, and "
                "their separate minutes; the note must show they were distinct.",
            )
        )
    return issues


def unit_disagreements(entries: Sequence[BillingEntry], unit_rule: UnitRule) -> list[str]:
    """Where the units entered are not those the minutes give by the payer's rule, in words
    ("97140: 38 minutes give 3 units by the CMS 8-minute rule, but 4 are entered."); the printed
    note says so under its services rather than print such a count as if it were right."""
    return [issue.message for issue in _unit_issues(entries, unit_rule)]


def _unit_issues(entries: Sequence[BillingEntry], unit_rule: UnitRule) -> list[BillingIssue]:
    """Units entered on the lines against the units their minutes give by the payer's rule."""
    totals = compute_totals(entries, unit_rule)
    entered: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for index, entry in enumerate(entries):
        code = normalise_cpt(entry.cpt)
        if entry.units is None or not _CPT_SHAPE.match(code):
            continue
        entered[code] = entered.get(code, 0) + entry.units
        first_line.setdefault(code, index)
    issues: list[BillingIssue] = []
    rule = "CMS 8-minute rule" if unit_rule is UnitRule.CMS else "AMA rule"
    for code, units in entered.items():
        expected = totals.units_by_code.get(code, 0)
        if is_timed(code):
            if units != expected:
                minutes = sum(e.minutes for e in entries if normalise_cpt(e.cpt) == code)
                issues.append(
                    BillingIssue(
                        first_line[code],
                        code,
                        Severity.ERROR,
                        "units_mismatch",
                        f"{code}: {minutes} minutes give {expected} unit"
                        f"{'' if expected == 1 else 's'} by the {rule}, but {units} "
                        f"{'is' if units == 1 else 'are'} entered.",
                    )
                )
        elif units != 1:
            issues.append(
                BillingIssue(
                    first_line[code],
                    code,
                    Severity.WARNING,
                    "untimed_units",
                    f"{code} is an untimed code: one unit per visit, but {units} are entered.",
                )
            )
    return issues


def _time_issues(
    entries: Sequence[BillingEntry], unit_rule: UnitRule, visit_minutes: int | None
) -> list[BillingIssue]:
    totals = compute_totals(entries, unit_rule)
    issues: list[BillingIssue] = []
    if visit_minutes is not None:
        if totals.timed_minutes > visit_minutes:
            issues.append(
                BillingIssue(
                    None,
                    "",
                    Severity.ERROR,
                    "minutes_exceed_visit",
                    f"The timed codes add up to {totals.timed_minutes} minutes, more than the "
                    f"visit's {visit_minutes} minutes.",
                )
            )
        elif totals.treatment_minutes > visit_minutes:
            issues.append(
                BillingIssue(
                    None,
                    "",
                    Severity.ERROR,
                    "minutes_exceed_visit",
                    f"Treatment minutes add up to {totals.treatment_minutes}, more than the "
                    f"visit's {visit_minutes} minutes.",
                )
            )
    if unit_rule is UnitRule.CMS and 0 < totals.timed_minutes < MIDPOINT_MINUTES:
        issues.append(
            BillingIssue(
                None,
                "",
                Severity.WARNING,
                "under_midpoint",
                f"The timed codes add up to {totals.timed_minutes} minutes; under the CMS rule "
                f"at least {MIDPOINT_MINUTES} are needed for one unit.",
            )
        )
    return issues


def explain_units(code: str, entries: Sequence[BillingEntry], unit_rule: UnitRule) -> str:
    """Why a line's code gets the units it does, in a sentence for the billing panel: the
    minutes it counts, the payer's rule, and (under the CMS rule) the pool it shares; "" for
    a line that is not a CPT code."""
    code = normalise_cpt(code)
    if not _CPT_SHAPE.match(code):
        return ""
    totals = compute_totals(entries, unit_rule)
    units = totals.units_by_code.get(code, 0)
    counted = "unit" if units == 1 else "units"
    if not is_timed(code):
        return (
            f"{code} is not a timed code: {units} {counted} for the service, whatever the minutes."
        )
    minutes = sum(max(entry.minutes, 0) for entry in entries if normalise_cpt(entry.cpt) == code)
    if unit_rule is UnitRule.AMA:
        return (
            f"{code}: {minutes} min on its own → {units} {counted} (AMA rule: 8–22 min is "
            "1 unit, 23–37 is 2, then one more per 15 min)."
        )
    pooled = totals.timed_minutes
    pooled_units = sum(n for other, n in totals.units_by_code.items() if is_timed(other))
    blocks = minutes // 15
    extra = units - blocks
    share = f"{blocks} for its full 15-minute blocks" if blocks else "none for full blocks"
    if extra > 0:
        share += f" and 1 for its {minutes % 15} min left over"
    return (
        f"{code}: {minutes} min → {units} {counted}. CMS 8-minute rule: all timed codes "
        f"together are {pooled} min → {pooled_units} units; {code} gets {share}."
    )
