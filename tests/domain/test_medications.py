"""Medication names to classes: shipped table, typed spellings, doses, user tables, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from massage_chart.domain.medications import (
    MedicationTableError,
    classify_medication,
    known_medication_names,
    load_medication_table,
    medication_key,
    parse_medication_table,
    shipped_medications,
)
from massage_chart.domain.record_kinds import MedicationClass as M


def test_shipped_table_is_large_and_covers_every_safety_class() -> None:
    table = shipped_medications()
    assert len(table) >= 150
    assert set(table.values()) >= {
        M.ANTICOAGULANT,
        M.ANTIPLATELET,
        M.CORTICOSTEROID,
        M.OPIOID,
        M.MUSCLE_RELAXANT,
        M.NSAID,
        M.ANTIHYPERTENSIVE,
        M.INSULIN,
        M.CHEMOTHERAPY,
    }
    assert all(key == medication_key(key) for key in table)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("warfarin", M.ANTICOAGULANT),
        ("Warfarin 5mg", M.ANTICOAGULANT),
        ("  WARFARIN   5 mg daily ", M.ANTICOAGULANT),
        ("Eliquis", M.ANTICOAGULANT),
        ("apixaban 2.5 mg BID", M.ANTICOAGULANT),
        ("Xarelto 20mg", M.ANTICOAGULANT),
        ("rivaroxaban", M.ANTICOAGULANT),
        ("dabigatran", M.ANTICOAGULANT),
        ("Lovenox injection", M.ANTICOAGULANT),
        ("heparin", M.ANTICOAGULANT),
        ("Plavix 75", M.ANTIPLATELET),
        ("aspirin 81 mg", M.ANTIPLATELET),
        ("baby aspirin", M.ANTIPLATELET),
        ("Brilinta", M.ANTIPLATELET),
        ("prednisone 10mg", M.CORTICOSTEROID),
        ("Solu-Medrol", M.CORTICOSTEROID),
        ("dexamethasone", M.CORTICOSTEROID),
        ("Percocet 5/325", M.OPIOID),
        ("Tylenol #3", M.OPIOID),
        ("tramadol", M.OPIOID),
        ("Flexeril 10 mg at bedtime", M.MUSCLE_RELAXANT),
        ("methocarbamol", M.MUSCLE_RELAXANT),
        ("Baclofen", M.MUSCLE_RELAXANT),
        ("tizanidine 4mg prn", M.MUSCLE_RELAXANT),
        ("Advil", M.NSAID),
        ("naproxen 500", M.NSAID),
        ("Tylenol", M.ANALGESIC),
        ("Toprol-XL 50", M.ANTIHYPERTENSIVE),
        ("lisinopril", M.ANTIHYPERTENSIVE),
        ("Lantus 20 units", M.INSULIN),
        ("5-FU", M.CHEMOTHERAPY),
        ("Herceptin", M.CHEMOTHERAPY),
        ("Eliquis (apixaban)", M.ANTICOAGULANT),
        ("blood thinner (warfarin)", M.ANTICOAGULANT),
    ],
)
def test_typed_names_are_classified(typed: str, expected: M) -> None:
    assert classify_medication(typed) is expected


@pytest.mark.parametrize(
    "typed", ["vitamin D", "", "   ", "5 mg", "fish oil 1000mg", "levothyroxine"]
)
def test_unknown_names_have_no_class(typed: str) -> None:
    assert classify_medication(typed) is None


def test_user_table_extends_and_overrides_the_shipped_one() -> None:
    user = {"Fish Oil": M.OTHER, "ASPIRIN": M.NSAID, "My-Custom Drug": M.OPIOID}
    assert classify_medication("fish oil 1000 mg", user) is M.OTHER
    assert classify_medication("aspirin 325", user) is M.NSAID
    assert classify_medication("my custom drug 2 tabs", user) is M.OPIOID
    assert classify_medication("warfarin", user) is M.ANTICOAGULANT
    names = known_medication_names(user)
    assert "fish oil" in names
    assert names == sorted(names)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "meds.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"format": "massage-chart-medications/1", "classes": {"opioid": ["Oxy-Codone"]}},
    )
    assert dict(load_medication_table(path)) == {"oxy codone": M.OPIOID}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "other", "classes": {}}, "format"),
        ({"format": "massage-chart-medications/1"}, "'classes'"),
        (
            {"format": "massage-chart-medications/1", "classes": {"blood_thinner": ["x"]}},
            "unknown medication class 'blood_thinner'",
        ),
        ({"format": "massage-chart-medications/1", "classes": {"opioid": "x"}}, "must be a list"),
        ({"format": "massage-chart-medications/1", "classes": {"opioid": [3]}}, "bad name"),
        (
            {"format": "massage-chart-medications/1", "classes": {"opioid": ["x"], "nsaid": ["X"]}},
            "listed twice",
        ),
    ],
)
def test_malformed_tables_are_refused_clearly(data: object, message: str) -> None:
    with pytest.raises(MedicationTableError, match=message):
        parse_medication_table(data)


def test_a_broken_json_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "meds.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(MedicationTableError, match="not valid JSON"):
        load_medication_table(path)
