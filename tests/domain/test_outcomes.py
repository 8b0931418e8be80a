"""Outcome measures: the file, the official items, scores checked by hand, and changes against the MCID."""

from __future__ import annotations

import copy
import json

import pytest

from massage_chart.domain.outcomes import (
    Kind,
    OutcomeError,
    Verdict,
    all_measures,
    check_measures_file,
    measure,
    parse_measures,
)
from massage_chart.resources import resource_path


def _raw() -> dict:
    return json.loads(resource_path("outcomes", "measures.json").read_text(encoding="utf-8"))


def test_the_file_offers_the_measures_whose_terms_allow_it() -> None:
    codes = [m.code for m in all_measures()]
    assert codes == ["nprs", "psfs", "lefs"]
    # Licensed measures are not offered (docs/outcomes.md says why).
    for licensed in ("odi", "oswestry", "quickdash", "promis"):
        assert licensed not in codes


def test_the_lefs_has_its_twenty_items_and_five_answers() -> None:
    lefs = measure("lefs")
    assert lefs.kind is Kind.ITEMS
    assert len(lefs.items) == 20
    assert lefs.items[0].startswith("Any of your usual work")
    assert lefs.items[-1] == "Rolling over in bed."
    assert lefs.anchors == {
        0: "Extreme difficulty or unable to perform activity",
        1: "Quite a bit of difficulty",
        2: "Moderate difficulty",
        3: "A little bit of difficulty",
        4: "No difficulty",
    }
    assert (lefs.score_min, lefs.score_max, lefs.mcid) == (0, 80, 9)


def test_scores_checked_by_hand() -> None:
    # LEFS: sum of 20 items 0-4. Ten items at 3 and ten at 2: 30 + 20 = 50.
    assert measure("lefs").score([3] * 10 + [2] * 10) == 50
    assert measure("lefs").score([4] * 20) == 80
    # PSFS: the mean of 3-5 activities 0-10, one decimal. (3 + 5 + 6) / 3 = 4.67 -> 4.7.
    assert measure("psfs").score([3, 5, 6]) == 4.7
    assert measure("psfs").score([2, 4, 6, 8, 10]) == 6.0
    # Pain: the rating itself.
    assert measure("nprs").score([7]) == 7


@pytest.mark.parametrize(
    ("code", "answers", "words"),
    [
        ("lefs", [4] * 19, "1 of the 20 items are not answered"),
        ("lefs", [4] * 21, "has 20 items, not 21"),
        ("lefs", [5] + [4] * 19, "from 0 to 4, not 5"),
        ("psfs", [3, 4], "rate 3 to 5 activities, not 2"),
        ("psfs", [3, 4, 5, 6, 7, 8], "rate 3 to 5 activities, not 6"),
        ("psfs", [3, 4, 11], "from 0 to 10, not 11"),
        ("nprs", [], "give one rating"),
        ("nprs", [-1], "from 0 to 10, not -1"),
    ],
)
def test_an_answer_sheet_that_cannot_be_scored_says_why(
    code: str, answers: list[int], words: str
) -> None:
    with pytest.raises(OutcomeError, match=words):
        measure(code).score(answers)


def test_psfs_activities_must_be_named() -> None:
    psfs = measure("psfs")
    assert psfs.answer_problem([3, 4, 5], ["Lift my child", "Drive", " "]) == (
        "PSFS: name each activity you rate."
    )
    assert psfs.answer_problem([3, 4, 5], ["Lift my child", "Drive", "Garden"]) == ""


def test_changes_are_judged_against_the_mcid_in_the_measure_s_direction() -> None:
    lefs, nprs, psfs = measure("lefs"), measure("nprs"), measure("psfs")
    assert lefs.change(42, 55).verdict is Verdict.IMPROVED
    assert lefs.change(42, 50).verdict is Verdict.NO_IMPORTANT_CHANGE
    assert lefs.change(55, 46).verdict is Verdict.WORSE
    # Pain improves downwards.
    assert nprs.change(7, 5).verdict is Verdict.IMPROVED
    assert nprs.change(5, 7).verdict is Verdict.WORSE
    assert nprs.change(7, 6).verdict is Verdict.NO_IMPORTANT_CHANGE
    assert psfs.change(3.3, 5.3).verdict is Verdict.IMPROVED
    assert lefs.change(42, 55).words() == (
        "LEFS 42/80 → 55/80 (+13): improved, beyond the MCID of 9"
    )
    assert nprs.change(7, 6).words() == (
        "Pain 0-10 7/10 → 6/10 (-1): within the MCID of 2: no clinically important change"
    )


def test_an_unknown_measure_is_named() -> None:
    with pytest.raises(OutcomeError, match="no outcome measure 'odi'"):
        measure("odi")


def test_a_broken_measures_file_says_where() -> None:
    broken = copy.deepcopy(_raw())
    del broken["measures"][2]["items"]
    with pytest.raises(OutcomeError, match="measures/2"):
        parse_measures(broken)
    twice = copy.deepcopy(_raw())
    twice["measures"].append(twice["measures"][0])
    with pytest.raises(OutcomeError, match="twice"):
        parse_measures(twice)


def test_the_shipped_file_follows_its_schema() -> None:
    check_measures_file(_raw())  # the app reads it without the schema, so the suite checks it


def test_a_damaged_measures_file_is_refused_even_unchecked() -> None:
    broken = copy.deepcopy(_raw())
    del broken["measures"][1]["score"]
    with pytest.raises(OutcomeError, match="cannot be read"):
        parse_measures(broken, check=False)
