"""Billing units from timed minutes, by the payer's rule (DOMAIN.md §0.2, §1.2)."""

from __future__ import annotations

from collections.abc import Mapping

from massage_chart.domain.record_kinds import UnitRule

UNIT_MINUTES = 15
MIDPOINT_MINUTES = 8

TIMED_CPT_CODES: frozenset[str] = frozenset(
    {"97110", "97112", "97124", "97140", "97530", "97535", "97032", "97033", "97035", "97750"}
)
"""Timed (15-minute, constant-attendance) codes that massage and manual therapists bill."""


def units_for_minutes(minutes: int) -> int:
    """Units for a number of timed minutes: 0-7 -> 0, 8-22 -> 1, 23-37 -> 2, 38-52 -> 3, ..."""
    if minutes < 0:
        raise ValueError(f"minutes cannot be negative: {minutes}")
    if minutes < MIDPOINT_MINUTES:
        return 0
    return (minutes - MIDPOINT_MINUTES) // UNIT_MINUTES + 1


def units_ama(minutes_by_code: Mapping[str, int]) -> dict[str, int]:
    """AMA/CPT rule: each code on its own gets a unit once its own minutes pass the midpoint."""
    return {code: units_for_minutes(minutes) for code, minutes in minutes_by_code.items()}


def units_cms(minutes_by_code: Mapping[str, int]) -> dict[str, int]:
    """CMS cumulative 8-minute rule: pool the minutes of all timed codes, then share the units.

    The total is set by the pooled minutes; each code first gets one unit per full 15 minutes, and
    the units left over go to the codes with the most remaining minutes (Medicare Claims
    Processing Manual ch. 5 §20.2).
    """
    for code, minutes in minutes_by_code.items():
        if minutes < 0:
            raise ValueError(f"minutes cannot be negative for {code}: {minutes}")
    total_units = units_for_minutes(sum(minutes_by_code.values()))
    units = {code: minutes // UNIT_MINUTES for code, minutes in minutes_by_code.items()}
    left = total_units - sum(units.values())
    order = {code: index for index, code in enumerate(minutes_by_code)}
    remainders = sorted(
        minutes_by_code.items(), key=lambda item: (-(item[1] % UNIT_MINUTES), order[item[0]])
    )
    for code, minutes in remainders:
        if left <= 0:
            break
        if minutes % UNIT_MINUTES:
            units[code] += 1
            left -= 1
    return units


def compute_units(rule: UnitRule, minutes_by_code: Mapping[str, int]) -> dict[str, int]:
    """Units per code for the payer's rule."""
    if rule is UnitRule.CMS:
        return units_cms(minutes_by_code)
    return units_ama(minutes_by_code)
