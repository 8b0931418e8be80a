"""CPT billing lines: totals by the payer's rule and every denial check, raised and not raised."""

from __future__ import annotations

import pytest

from massage_chart.domain.cpt import (
    KNOWN_CPT_CODES,
    BillingEntry,
    BillingIssue,
    check_billing,
    compute_totals,
    explain_units,
    is_timed,
    normalise_cpt,
    normalise_modifier,
)
from massage_chart.domain.icd10 import Severity
from massage_chart.domain.record_kinds import PayerType, UnitRule

E = BillingEntry


def _check(
    entries: list[BillingEntry],
    *,
    rule: UnitRule = UnitRule.CMS,
    visit: int | None = 60,
    payer: PayerType = PayerType.PIP,
    dx: int | None = 2,
) -> list[BillingIssue]:
    return check_billing(
        entries, unit_rule=rule, visit_minutes=visit, payer_type=payer, diagnosis_count=dx
    )


def _kinds(issues: list[BillingIssue]) -> list[str]:
    return [issue.kind for issue in issues]


def test_a_clean_visit_has_no_issue() -> None:
    entries = [E("97140", 38, 3, (), (1, 2)), E("97010", 0, 1, (), (1,))]
    assert _check(entries) == []
    assert _check(entries, rule=UnitRule.AMA) == []


def test_code_set_has_no_descriptions_only_ids_and_timing() -> None:
    assert all(len(code) == 5 and code.isdigit() for code in KNOWN_CPT_CODES)
    assert is_timed("97124")
    assert is_timed(" 97140 ")
    assert not is_timed("97010")
    assert normalise_cpt(" 97140 ") == "97140"
    assert normalise_modifier("-xs ") == "XS"


def test_totals_cms_pools_minutes() -> None:
    totals = compute_totals([E("97124", 7), E("97140", 7), E("97010", 10), E("bad")], UnitRule.CMS)
    assert totals.timed_minutes == 14
    assert totals.untimed_minutes == 10
    assert totals.treatment_minutes == 24
    # A tie in leftover minutes goes to the first code (billing.units_cms).
    assert totals.units_by_code == {"97124": 1, "97140": 0, "97010": 1}
    assert totals.total_units == 2


def test_totals_ama_counts_each_code_alone() -> None:
    totals = compute_totals([E("97124", 7), E("97140", 7)], UnitRule.AMA)
    assert totals.units_by_code == {"97124": 0, "97140": 0}
    assert totals.total_units == 0
    split = compute_totals([E("97140", 20), E("97140", 18, modifiers=("59",))], UnitRule.AMA)
    assert split.units_by_code == {"97140": 3}
    assert compute_totals([], UnitRule.CMS).total_units == 0


@pytest.mark.parametrize("typed", ["9714", "971400", "97I40", "", "abcde"])
def test_bad_cpt_format(typed: str) -> None:
    issues = _check([E(typed, 10)])
    assert _kinds(issues) == ["format"]
    assert issues[0].severity is Severity.ERROR


def test_unknown_and_not_recommended_codes_are_warnings() -> None:
    assert _kinds(_check([E("99213", 0, None, (), (1,))])) == ["unknown_code"]
    issues = _check([E("97112", 15, 1, (), (1,))])
    assert _kinds(issues) == ["not_for_lmt"]
    assert "97140" in issues[0].message
    assert _kinds(_check([E("97161", 0, 1, (), (1,))])) == ["not_for_lmt"]
    assert _check([E("0001T", 0, None, (), (1,))])[0].kind == "unknown_code"


def test_97124_and_97140_same_day_need_59_or_xs() -> None:
    issues = _check([E("97124", 23, 2, (), (1,)), E("97140", 15, 1, (), (1,))], visit=60)
    assert _kinds(issues) == ["ncci_97124_97140"]
    assert issues[0].severity is Severity.ERROR
    assert "59 or XS" in issues[0].message


@pytest.mark.parametrize("modifier", ["59", "XS", "-59", "xs"])
def test_distinct_service_modifier_clears_the_edit_but_asks_for_regions(modifier: str) -> None:
    issues = _check([E("97124", 23, 2, (), (1,)), E("97140", 15, 1, (modifier,), (1,))])
    assert _kinds(issues) == ["document_regions"]
    assert issues[0].severity is Severity.WARNING


def test_97124_and_97140_on_different_regions_with_xs_are_clean() -> None:
    entries = [
        E("97124", 23, 2, (), (1,), ("lumbar_erector.r", "lumbar_erector.l")),
        E("97140", 15, 1, ("XS",), (1,), ("upper_trapezius.r",)),
    ]
    assert _check(entries) == []


def test_97124_and_97140_on_the_same_region_is_an_error_even_with_59() -> None:
    entries = [
        E("97124", 23, 2, (), (1,), ("upper_trapezius.r",)),
        E("97140", 15, 1, ("59",), (1,), ("upper_trapezius.r", "rhomboid.r")),
    ]
    issues = _check(entries)
    assert _kinds(issues) == ["same_region"]
    assert "upper_trapezius.r" in issues[0].message


def test_modifier_51_on_therapy_codes() -> None:
    issues = _check([E("97140", 30, 2, ("51",), (1,))])
    assert _kinds(issues) == ["modifier_51"]
    assert issues[0].line == 0
    assert _check([E("97140", 30, 2, ("GP",), (1,))]) == []


def test_modifier_shape_count_and_repeats() -> None:
    assert _kinds(_check([E("97140", 30, 2, ("GPX",), (1,))])) == ["modifier_format"]
    five = ("GP", "59", "KX", "GO", "GN")
    assert _kinds(_check([E("97140", 30, 2, five, (1,))])) == ["too_many_modifiers"]
    assert _kinds(_check([E("97140", 30, 2, ("GP", "gp"), (1,))])) == ["duplicate_modifier"]


def test_timed_minutes_exceeding_the_visit() -> None:
    issues = _check([E("97140", 45, 3, (), (1,)), E("97124", 20, 1, ("59",), (1,))], visit=60)
    assert "minutes_exceed_visit" in _kinds(issues)
    assert "65 minutes, more than the visit's 60" in issues[-1].message
    assert "minutes_exceed_visit" not in _kinds(_check([E("97140", 60, 4, (), (1,))], visit=60))
    assert "minutes_exceed_visit" not in _kinds(_check([E("97140", 60, 4, (), (1,))], visit=None))


def test_treatment_minutes_exceeding_the_visit() -> None:
    issues = _check([E("97140", 50, 3, (), (1,)), E("97010", 15, 1, (), (1,))], visit=60)
    assert _kinds(issues) == ["minutes_exceed_visit"]
    assert issues[0].message.startswith("Treatment minutes add up to 65")


def test_line_under_eight_minutes_under_the_ama_rule() -> None:
    issues = _check([E("97140", 7, 0, (), (1,))], rule=UnitRule.AMA)
    assert _kinds(issues) == ["under_midpoint"]
    assert issues[0].severity is Severity.WARNING
    # Under CMS the minutes pool with other timed codes: no per-line warning.
    pooled = _check([E("97140", 7, 0, ("XS",), (1,)), E("97124", 8, 1, (), (1,))])
    assert _kinds(pooled) == ["document_regions"]
    # Under CMS a visit whose pooled minutes stay under 8 is warned about.
    assert _kinds(_check([E("97140", 7, 0, (), (1,))])) == ["under_midpoint"]


def test_timed_line_without_minutes() -> None:
    assert _kinds(_check([E("97140", 0, None, (), (1,))])) == ["no_minutes"]
    assert _kinds(_check([E("97140", -5, None, (), (1,))])) == ["negative_minutes"]


@pytest.mark.parametrize(
    ("pointers", "kinds"),
    [
        ((1, 2), []),
        ((), ["no_pointer"]),
        ((0,), ["pointer_range"]),
        ((13,), ["pointer_range"]),
        ((3,), ["pointer_missing_code"]),
        ((1, 1), ["duplicate_pointer"]),
        ((1, 2, 1, 2, 1), ["too_many_pointers", "duplicate_pointer"]),
    ],
)
def test_diagnosis_pointers(pointers: tuple[int, ...], kinds: list[str]) -> None:
    assert _kinds(_check([E("97140", 38, 3, (), pointers)], dx=2)) == kinds


def test_pointer_past_the_codes_names_the_letter() -> None:
    [issue] = _check([E("97140", 38, 3, (), (3,))], dx=2)
    assert issue.message == "Line 1: diagnosis pointer C points past the visit's 2 codes."


def test_self_pay_skips_claim_form_checks() -> None:
    assert _check([E("97140", 38, 3)], payer=PayerType.SELF_PAY) == []
    assert _kinds(_check([E("97140", 38, 3)], dx=None)) == ["no_pointer"]


@pytest.mark.parametrize(
    ("rule", "minutes", "units", "ok"),
    [
        (UnitRule.CMS, 38, 3, True),
        (UnitRule.CMS, 38, 2, False),
        (UnitRule.AMA, 22, 1, True),
        (UnitRule.AMA, 23, 1, False),
        (UnitRule.CMS, 53, 4, True),
    ],
)
def test_units_against_minutes_by_the_payer_rule(
    rule: UnitRule, minutes: int, units: int, ok: bool
) -> None:
    issues = _check([E("97140", minutes, units, (), (1,))], rule=rule, visit=90)
    assert (issues == []) is ok
    if not ok:
        assert _kinds(issues) == ["units_mismatch"]


def test_cms_units_shared_across_codes() -> None:
    # 7 + 8 = 15 pooled minutes: one unit, to the code with more minutes.
    entries = [E("97124", 8, 1, (), (1,)), E("97140", 7, 1, ("59",), (1,))]
    issues = [i for i in _check(entries) if i.kind == "units_mismatch"]
    assert [(i.cpt, i.message) for i in issues] == [
        ("97140", "97140: 7 minutes give 0 units by the CMS 8-minute rule, but 1 is entered.")
    ]


def test_units_left_blank_are_not_checked_and_untimed_codes_take_one() -> None:
    assert _check([E("97140", 38, None, (), (1,))]) == []
    assert _kinds(_check([E("97010", 0, 2, (), (1,))])) == ["untimed_units"]


def test_the_same_code_on_two_lines() -> None:
    issues = _check([E("97140", 20, None, (), (1,)), E("97140", 18, None, (), (1,))])
    assert _kinds(issues) == ["duplicate_line"]
    assert issues[0].line == 1


def test_each_lines_units_are_explained_by_the_payers_rule() -> None:
    entries = [BillingEntry("97140", 33), BillingEntry("97124", 7), BillingEntry("97010", 10)]
    # CMS: 40 timed minutes pooled make 3 units; 97140 has 2 full blocks (3 min left), 97124
    # 7 min: the pool's third unit goes to the larger remainder, 97124's. 97010 is untimed.
    cms = explain_units("97124", entries, UnitRule.CMS)
    assert "97124: 7 min → 1 unit" in cms
    assert "all timed codes together are 40 min → 3 units" in cms
    assert "1 for its 7 min left over" in cms
    assert "2 for its full 15-minute blocks" in explain_units("97140", entries, UnitRule.CMS)
    ama = explain_units("97124", entries, UnitRule.AMA)
    assert ama.startswith("97124: 7 min on its own → 0 units (AMA rule")
    assert "not a timed code: 1 unit" in explain_units("97010", entries, UnitRule.AMA)
    assert explain_units("hello", entries, UnitRule.AMA) == ""
