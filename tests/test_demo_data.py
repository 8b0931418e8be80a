"""The demo practice is data: its file follows its schema and every region it names is drawn."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from massage_chart.atlas import load_atlas
from massage_chart.demo import (
    DemoDataError,
    demo_practice,
    demo_practice_schema,
    read_demo_practice,
)
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import MedicationClass, PayerType
from massage_chart.resources import resource_path


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        resource_path("demo", "practice.json").read_text(encoding="utf-8")
    )
    return document


def test_the_schema_is_a_schema_and_the_file_follows_it() -> None:
    Draft202012Validator.check_schema(demo_practice_schema())
    assert list(Draft202012Validator(demo_practice_schema()).iter_errors(_document())) == []


def test_the_shipped_practice_reads_whole() -> None:
    demo = demo_practice()
    assert len(demo.providers) == 3 and len(demo.clients) == 30
    assert len(demo.scenarios) == len(_document()["scenarios"])
    headaches = demo.scenarios[0]
    assert headaches.payer is PayerType.COMMERCIAL
    assert headaches.medications[0].med_class is MedicationClass.NSAID
    assert headaches.findings[0].kind is MarkKind.TRIGGER_POINT_ACTIVE
    assert headaches.findings[0].note == "refers to the R temple"
    assert headaches.treated_areas[0] == ("posterior", "upper_trapezius.r")
    assert all(s.findings and s.treated_areas for s in demo.scenarios)


def test_a_region_the_atlas_lacks_is_refused_with_the_scenario_named() -> None:
    document = copy.deepcopy(_document())
    document["scenarios"][2]["findings"][0]["region"] = "left_little_toe.l"
    with pytest.raises(DemoDataError, match=r"Scenario 3 .*left_little_toe"):
        read_demo_practice(document, load_atlas())


def test_a_file_that_breaks_the_schema_says_where() -> None:
    document = copy.deepcopy(_document())
    document["scenarios"][0]["findings"][1]["start"] = 11
    with pytest.raises(DemoDataError, match="scenarios/0/findings/1/start"):
        read_demo_practice(document, load_atlas())


def test_an_insured_story_without_payer_names_is_refused() -> None:
    document = copy.deepcopy(_document())
    del document["payer_names"]["workers_comp"]
    with pytest.raises(DemoDataError, match="workers_comp"):
        read_demo_practice(document, load_atlas())
