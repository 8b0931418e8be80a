"""ICD-10-CM: normalising, describing, searching, and every check of a visit's codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.icd10 import (
    MAX_CLAIM_CODES,
    CodeIssue,
    Severity,
    check_codes,
    code_set_version,
    describe,
    is_billable,
    is_valid_code,
    normalise_code,
    search_codes,
)
from massage_chart.domain.icd10_table import INDEX_DIR_VARIABLE, build_index, index_name
from massage_chart.domain.marks import MarkKind, Side


def _kinds(issues: list[CodeIssue]) -> list[tuple[str, str, Severity]]:
    return [(issue.code, issue.kind, issue.severity) for issue in issues]


def test_importing_the_module_does_not_load_the_code_tables() -> None:
    script = (
        "import sys, massage_chart.domain.icd10 as m; "
        "assert 'simple_icd_10_cm' not in sys.modules; "
        "assert m.normalise_code('m542') == 'M54.2'; "
        "assert 'simple_icd_10_cm' not in sys.modules"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True)


@pytest.mark.parametrize("index", ["none yet", "built"])
def test_loading_the_code_tables_emits_no_warning(index: str, tmp_path: Path) -> None:
    if index == "built":
        build_index(tmp_path / index_name())
    script = "import massage_chart.domain.icd10 as m; assert m.describe('M54.2') == 'Cervicalgia'"
    env = {**os.environ, INDEX_DIR_VARIABLE: str(tmp_path)}
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True, env=env)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("m542", "M54.2"),
        (" M54.2 ", "M54.2"),
        ("m 54 . 50", "M54.50"),
        ("s134xxa", "S13.4XXA"),
        ("S13.4XXA", "S13.4XXA"),
        ("m54", "M54"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_normalise_code(typed: str, expected: str) -> None:
    assert normalise_code(typed) == expected


def test_validity_billability_and_descriptions() -> None:
    assert is_valid_code("m542")
    assert is_billable("M54.2")
    assert describe("m542") == "Cervicalgia"
    assert describe("S13.4XXD") == "Sprain of ligaments of cervical spine, subsequent encounter"
    assert is_valid_code("M54.5")
    assert not is_billable("M54.5")
    assert not is_valid_code("Z99.999X")
    assert not is_valid_code("M50-M54")
    assert not is_valid_code("hello")
    assert describe("Z99.999X") is None
    assert code_set_version().startswith("ICD-10-CM (simple-icd-10-cm ")


def test_search_by_code_prefix_lists_billable_codes_first() -> None:
    results = search_codes("m545")
    assert [r.code for r in results] == ["M54.50", "M54.51", "M54.59", "M54.5"]
    assert [r.billable for r in results] == [True, True, True, False]
    assert results[0].description == "Low back pain, unspecified"


def test_search_by_words() -> None:
    codes = [r.code for r in search_codes("low back pain", limit=3)]
    assert codes[0] == "M54.50"
    assert set(codes) == {"M54.50", "M54.51", "M54.59"}
    carpal = [r.code for r in search_codes("Carpal Tunnel")]
    assert {"G56.01", "G56.02", "G56.03"} <= set(carpal)
    assert carpal[-1] == "G56.0"  # the category after the billable codes
    assert [r.code for r in search_codes("whiplash", billable_only=True)] == [
        "S13.4XXA",
        "S13.4XXD",
        "S13.4XXS",
    ]
    assert [r.code for r in search_codes("plantar fasciitis")] == ["M72.2"]


def test_search_limits() -> None:
    assert len(search_codes("pain", limit=5)) == 5
    assert search_codes("") == []
    assert search_codes("pain", limit=0) == []
    assert search_codes("zzzz qqqq") == []


def test_valid_billable_codes_raise_no_issue() -> None:
    assert check_codes(["M54.2", "M62.830", "S13.4XXD", "G44.209"]) == []
    assert check_codes([]) == []
    assert check_codes(["", "  "]) == []


@pytest.mark.parametrize(
    ("code", "children"),
    [
        ("M54.5", ("M54.50", "M54.51", "M54.59")),
        ("M79.1", ("M79.10", "M79.11", "M79.12", "M79.18")),
    ],
)
def test_non_billable_category_suggests_its_billable_children(
    code: str, children: tuple[str, ...]
) -> None:
    [issue] = check_codes([code])
    assert (issue.kind, issue.severity) == ("not_billable", Severity.ERROR)
    assert issue.suggestions == children
    assert "not a billable code" in issue.message
    assert "Check with the prescriber" in issue.message


@pytest.mark.parametrize("code", ["S13.4XX", "s134", "S13.4"])
def test_missing_seventh_character(code: str) -> None:
    [issue] = check_codes([code])
    assert (issue.kind, issue.severity) == ("missing_7th_character", Severity.ERROR)
    assert issue.suggestions == ("S13.4XXA", "S13.4XXD", "S13.4XXS")
    assert "therapy visits usually take D" in issue.message


def test_missing_seventh_character_without_placeholder() -> None:
    [issue] = check_codes(["S39.012"])
    assert issue.kind == "missing_7th_character"
    assert issue.suggestions == ("S39.012A", "S39.012D", "S39.012S")


def test_initial_encounter_on_a_therapy_visit_is_a_warning() -> None:
    [issue] = check_codes(["S13.4XXA"])
    assert (issue.kind, issue.severity) == ("initial_encounter", Severity.WARNING)
    assert issue.suggestions == ("S13.4XXD",)
    assert "subsequent encounter (S13.4XXD)" in issue.message
    assert check_codes(["S13.4XXA"], therapy_visit=False) == []
    assert check_codes(["S13.4XXD"]) == []


def test_excludes1_pair_is_an_error() -> None:
    issues = check_codes(["M54.50", "S39.012D"])
    assert _kinds(issues) == [("M54.50", "excludes1", Severity.ERROR)]
    assert "M54.50 and S39.012D should not be billed together" in issues[0].message
    assert "low back strain (S39.012)" in issues[0].message
    # Whichever order they are listed in, the pair is reported once.
    assert len(check_codes(["S39.012D", "M54.50"])) == 1


def test_excludes1_with_a_code_family() -> None:
    issues = check_codes(["M54.59", "M54.41"])
    assert _kinds(issues) == [("M54.59", "excludes1", Severity.ERROR)]
    assert issues[0].suggestions == ("M54.41",)


@pytest.mark.parametrize(
    ("codes", "note"),
    [
        (["M62.830", "M79.10"], "myalgia (M79.1-)"),
        (["M79.18", "M79.7"], "fibromyalgia (M79.7)"),
        (["G44.209", "R51.9"], "headache NOS (R51.9)"),
    ],
)
def test_excludes1_notes_of_the_tabular(codes: list[str], note: str) -> None:
    [issue] = check_codes(codes)
    assert issue.kind == "excludes1"
    assert note in issue.message


def test_unknown_code() -> None:
    [issue] = check_codes(["Z99.999X"])
    assert (issue.kind, issue.severity) == ("unknown", Severity.ERROR)
    assert issue.message.startswith("Z99.999X is not in the ICD-10-CM code set.")
    assert issue.suggestions == ("Z99",)


def test_badly_formed_code() -> None:
    [issue] = check_codes(["low back"])
    assert (issue.kind, issue.severity) == ("format", Severity.ERROR)


def test_duplicates_are_reported_once_per_repeat() -> None:
    issues = check_codes(["M54.2", "m542", "M54.2 "])
    assert _kinds(issues) == [
        ("M54.2", "duplicate", Severity.WARNING),
        ("M54.2", "duplicate", Severity.WARNING),
    ]


def test_more_than_twelve_codes() -> None:
    codes = ["M54.2", "M54.6", "M62.830", "M62.81", "M79.7", "G44.209", "M25.511", "M25.512"]
    codes += ["M77.11", "G56.01", "M72.2", "R20.2", "G47.00"]
    issues = check_codes(codes)
    assert _kinds(issues) == [("", "too_many", Severity.WARNING)]
    assert str(MAX_CLAIM_CODES) in issues[0].message
    assert check_codes(codes[:MAX_CLAIM_CODES]) == []


def test_external_cause_code_cannot_come_first() -> None:
    assert _kinds(check_codes(["V43.52XA", "S13.4XXD"])) == [
        ("V43.52XA", "external_cause_first", Severity.ERROR)
    ]
    assert check_codes(["S13.4XXD", "V43.52XA"]) == []


def test_laterality_against_the_sides_of_the_marks() -> None:
    [issue] = check_codes(["M25.511"], mark_sides=[Side.LEFT])
    assert (issue.kind, issue.severity) == ("laterality", Severity.WARNING)
    assert issue.suggestions == ("M25.512",)
    assert "right side" in issue.message
    assert "only on the left" in issue.message
    assert check_codes(["M25.511"], mark_sides=[Side.RIGHT]) == []
    assert check_codes(["M25.511"], mark_sides=[Side.LEFT, Side.RIGHT]) == []
    assert check_codes(["M25.511"], mark_sides=[Side.MIDLINE]) == []
    assert check_codes(["M25.511"]) == []


def test_laterality_looks_at_the_marks_of_the_codes_body_part() -> None:
    marks = [
        MarkFinding(
            MarkKind.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", "L upper trapezius", Side.LEFT
        ),
        MarkFinding(MarkKind.PAIN, "lumbar_erector.r", "R lumbar erector spinae", Side.RIGHT),
    ]
    [issue] = check_codes(["M25.511"], marks=marks)
    assert "the chart's shoulder marks are only on the left" in issue.message
    # A sciatica code names no body part the atlas knows: all marks count.
    assert check_codes(["M54.31"], marks=marks) == []
    # Areas to avoid are not findings.
    avoid = [MarkFinding(MarkKind.AVOID, "upper_trapezius.r", "R upper trapezius", Side.RIGHT)]
    assert check_codes(["M25.511"], marks=marks + avoid)[0].kind == "laterality"


def test_bilateral_code_with_marks_on_one_side() -> None:
    [issue] = check_codes(["G56.03"], mark_sides=[Side.LEFT])
    assert issue.kind == "laterality"
    assert issue.suggestions == ("G56.02",)
    assert check_codes(["G56.03"], mark_sides=[Side.LEFT, Side.RIGHT]) == []


def test_seventh_character_codes_keep_it_in_the_laterality_hint() -> None:
    [issue] = check_codes(["S46.011D"], mark_sides=[Side.LEFT])
    assert issue.suggestions == ("S46.012D",)


def test_unspecified_side_with_marks_on_one_side() -> None:
    [issue] = check_codes(["M25.519"], mark_sides=[Side.RIGHT])
    assert (issue.kind, issue.severity) == ("laterality_unspecified", Severity.WARNING)
    assert issue.suggestions == ("M25.511",)
    assert check_codes(["M54.30"], mark_sides=[Side.LEFT])[0].suggestions == ("M54.32",)
    assert check_codes(["M25.519"], mark_sides=[Side.RIGHT, Side.LEFT]) == []


def test_codes_without_laterality_ignore_the_marks() -> None:
    assert check_codes(["M54.2", "I50.1"], mark_sides=[Side.RIGHT]) == []
