"""Units from minutes: every band of the 8-minute rule, CMS pooling and the AMA per-code rule."""

from __future__ import annotations

import pytest

from massage_chart.domain.billing import compute_units, units_ama, units_cms, units_for_minutes
from massage_chart.domain.record_kinds import UnitRule


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
        (82, 5),
        (83, 6),
        (97, 6),
        (98, 7),
        (112, 7),
        (113, 8),
    ],
)
def test_units_for_minutes_follow_the_8_minute_bands(minutes: int, units: int) -> None:
    assert units_for_minutes(minutes) == units


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        units_for_minutes(-1)
    with pytest.raises(ValueError, match="97140"):
        units_cms({"97140": -5})


def test_cms_pools_minutes_across_codes() -> None:
    # 7 + 7 = 14 pooled minutes: one unit, though neither code reaches 8 on its own.
    assert sum(units_cms({"97140": 7, "97124": 7}).values()) == 1
    # The AMA rule treats each code alone: no unit at all.
    assert units_ama({"97140": 7, "97124": 7}) == {"97140": 0, "97124": 0}


def test_cms_gives_leftover_units_to_the_codes_with_most_remaining_minutes() -> None:
    # CMS manual example shape: 33 min of one code and 7 of another = 40 min = 3 units;
    # 2 full units to the first, the third to the code with the larger remainder (7 > 3).
    assert units_cms({"97140": 33, "97124": 7}) == {"97140": 2, "97124": 1}
    assert units_ama({"97140": 33, "97124": 7}) == {"97140": 2, "97124": 0}


def test_cms_total_matches_pooled_minutes() -> None:
    minutes = {"97140": 24, "97124": 23, "97112": 10}
    assert sum(units_cms(minutes).values()) == units_for_minutes(57) == 4


def test_compute_units_dispatches_on_the_payer_rule() -> None:
    minutes = {"97140": 38, "97124": 10}
    assert compute_units(UnitRule.CMS, minutes) == {"97140": 2, "97124": 1}
    assert compute_units(UnitRule.AMA, minutes) == {"97140": 3, "97124": 1}
