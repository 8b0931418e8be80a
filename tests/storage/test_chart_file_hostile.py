"""Hostile chart files beyond tests/storage/test_chart_file.py: each refused whole, nothing changed.

That module covers broken JSON, a truncated export, future formats, wrong types, NUL, a 200 MB
file and clashing ids; this one adds what the field limits and the importer's reference checks
catch, and proves "nothing changed" with a full dump of every table before and after.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massage_chart.storage.chart_file import (
    MAX_FILE_BYTES,
    ChartFileError,
    dumps_chart,
    export_chart,
    import_chart,
    parse_chart_text,
    read_chart_file,
)
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import add_client
from tests.helpers.dump import dump
from tests.storage.test_chart_file import PRODUCT_EXAMPLE, _mutate, _rich_database


def _with(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of a document with one more change (``_mutate`` starts from the example)."""
    changed = copy.deepcopy(document)
    target: Any = changed
    keys = path.split("/")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return changed


def _second_consent() -> dict[str, Any]:
    document = _mutate(
        "clients/0/consents",
        [
            {"id": "k-1", "kind": "treatment", "signed_on": "2026-01-05"},
            {"id": "k-1", "kind": "sensitive_areas", "signed_on": "2026-01-05"},
        ],
    )
    return document


def _two_marks_same_id() -> dict[str, Any]:
    document = copy.deepcopy(PRODUCT_EXAMPLE)
    marks = document["clients"][0]["visits"][0]["marks"]
    marks[0]["id"] = "m-1"
    marks.append({**marks[0]})
    return document


def _history_for(visit_id: str) -> dict[str, Any]:
    return _with(
        _mutate("clients/0/health_history/visit_id", visit_id),
        "clients/0/health_history_versions",
        [],
    )


def _other_clients_claim() -> dict[str, Any]:
    document = copy.deepcopy(PRODUCT_EXAMPLE)
    other = {
        "id": "c-other",
        "first_name": "Other",
        "last_name": "Client",
        "claims": [{"id": "claim-other", "payer_type": "pip", "claim_number": "B-1"}],
    }
    document["clients"].insert(0, other)
    document["clients"][1]["referral"]["claim_id"] = "claim-other"
    return document


HOSTILE_DOCUMENTS = [
    pytest.param(
        _mutate("clients/0/first_name", "N" * 100_000),
        "clients\\[0\\]: First name is too long and does not fit its field: 100,000 characters",
        id="100000-character-name",
    ),
    pytest.param(
        _mutate("clients/0/visits/0/subjective", "s" * 100_001),
        "Subjective is too long",
        id="over-long-soap-section",
    ),
    pytest.param(
        _mutate("clients/0/visits/0/chief_complaint", "c" * 1_001),
        "Chief complaint is too long",
        id="over-long-chief-complaint",
    ),
    pytest.param(
        _mutate("clients/0/insurance/claim_number", "9" * 81),
        "Claim number is too long",
        id="over-long-claim-number",
    ),
    pytest.param(
        _mutate("clients/0/visits/0/marks/0/note", "n" * 100_001),
        "Mark note is too long",
        id="over-long-mark-note",
    ),
    pytest.param(
        _mutate("clients/0/health_history/conditions", ["c" * 301]),
        "Condition is too long",
        id="over-long-condition",
    ),
    pytest.param(
        _mutate("clients/0/insurance/authorised_visits", 10**30),
        "Authorised visits must be from 0 to 9999",
        id="huge-integer",
    ),
    pytest.param(
        _mutate("clients/0/health_history/version", 10**30),
        "not a plausible version number",
        id="huge-history-version",
    ),
    pytest.param(
        _mutate("clients/0/date_of_birth", "0001-01-01"),
        "before 1900",
        id="year-1-birth",
    ),
    pytest.param(
        _mutate(
            "clients/0/consents",
            [{"kind": "treatment", "signed_on": "2026-06-01", "expires_on": "2026-05-01"}],
        ),
        "expires before it was signed",
        id="consent-expires-before-signed",
    ),
    pytest.param(
        _with(
            _mutate("clients/0/referral/referral_date", "2026-06-01"),
            "clients/0/referral/expires_on",
            "2025-06-01",
        ),
        "expires before it was written",
        id="referral-expires-before-written",
    ),
    pytest.param(_second_consent(), "the consent id 'k-1' appears twice", id="duplicate-consent"),
    pytest.param(_two_marks_same_id(), "the mark id 'm-1' appears twice", id="duplicate-mark"),
    pytest.param(
        _history_for("no-such-visit"),
        "visit_id: no visit 'no-such-visit' for this client",
        id="history-of-unknown-visit",
    ),
    pytest.param(
        _other_clients_claim(),
        "claim_id: no claim 'claim-other' for this client",
        id="referral-to-another-clients-claim",
    ),
    pytest.param(
        _mutate("clients/0/visits/0/billing/0/units", 100),
        "greater than the maximum",
        id="too-many-units",
    ),
    pytest.param(
        _mutate("clients/0/visits/0/pain_after", -1),
        "less than the minimum",
        id="negative-pain",
    ),
]


@pytest.fixture
def kept(any_db: Database) -> dict[str, Any]:
    """A client already in the database, and the full dump to compare with."""
    with any_db.write() as session:
        add_client(session, first_name="Already", last_name="Here")
    return dump(any_db)


@pytest.mark.parametrize(("document", "message"), HOSTILE_DOCUMENTS)
def test_a_hostile_chart_file_is_refused_and_nothing_changes(
    any_db: Database, kept: dict[str, Any], tmp_path: Path, document: dict[str, Any], message: str
) -> None:
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ChartFileError, match=message):
        parsed = read_chart_file(path)
        with any_db.write() as session:
            import_chart(session, parsed)
    assert dump(any_db) == kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "massage-chart/1", "clients": [], "n": ' + "1" * 5_000 + "}", "thousands"),
        ('{"format": "massage-chart/1", "clients": [], "\\ud800": 1}', "broken character"),
        (
            '{"format": "massage-chart/1", "clients": [{"first_name": "Zo\\udc00", '
            '"last_name": "x"}]}',
            "broken character .* in clients\\[0\\].first_name",
        ),
        ('{"format": "massage-chart/1", "clients": [{"first_name": 5}]}', "not valid"),
        ('{"format": 1, "clients": []}', "not a Massage Chart chart file"),
        ('{"format": "massage-chart/99", "clients": []}', "newer version"),
        ('{"format": "massage-chart/1", "clients": [], "format": "massage-chart/99"}', "newer"),
        ("\ufeff", "broken JSON"),
        ("NaN", "not a Massage Chart chart file"),
    ],
)
def test_hostile_json_text_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ChartFileError, match=message):
        parse_chart_text(text)


def test_a_50000_character_note_in_arabic_and_chinese_imports_exactly(any_db: Database) -> None:
    note = ("ألم في الرقبة بعد الحادث. 车祸后颈部疼痛。 " * 2_000)[:50_000]
    document = _mutate("clients/0/visits/0/subjective", note)
    document["clients"][0]["first_name"] = "فاطمة"
    document["clients"][0]["last_name"] = "王"
    with any_db.write() as session:
        import_chart(session, parse_chart_text(json.dumps(document)))
    with any_db.write() as session:
        exported = export_chart(session)
    client = exported["clients"][0]
    assert (client["first_name"], client["last_name"]) == ("فاطمة", "王")
    assert client["visits"][0]["subjective"] == note


def test_a_file_just_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse
    with pytest.raises(ChartFileError, match="the largest this version imports is 64 MB"):
        read_chart_file(path)


def test_a_folder_given_as_the_chart_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ChartFileError, match="Cannot read"):
        read_chart_file(tmp_path)


@pytest.fixture(scope="module")
def exported_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from massage_chart.storage.database import open_database

    database = open_database(str(tmp_path_factory.mktemp("export") / "rich.db"))
    try:
        _rich_database(database)
        with database.write() as session:
            return dumps_chart(export_chart(session)).encode("utf-8")
    finally:
        database.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(min_value=0.0, max_value=0.999))
def test_an_export_cut_anywhere_is_refused(exported_bytes: bytes, cut: float) -> None:
    """A file cut short (a full disk, a copy interrupted) never imports half a record."""
    truncated = exported_bytes[: int(len(exported_bytes) * cut)]
    with pytest.raises(ChartFileError):
        parse_chart_text(truncated.decode("utf-8", errors="ignore"))


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_with_a_chart_file_error(
    tmp_path_factory: pytest.TempPathFactory, raw: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "chart.json"
    path.write_bytes(raw)
    with contextlib.suppress(ChartFileError):
        read_chart_file(path)


JSON_ESCAPES = st.lists(
    st.sampled_from(
        ["\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u202e", '\\"', "\\\\", "a", "%"]
    ),
    max_size=6,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(first=JSON_ESCAPES, key=JSON_ESCAPES)
def test_any_escaped_text_is_parsed_or_refused_and_never_crashes_a_print(
    first: str, key: str
) -> None:
    """Escapes decode to NULs and lone surrogates; every message must still be printable."""
    text = (
        '{"format": "massage-chart/1", "clients": [{"first_name": "' + first + '", '
        '"last_name": "x", "' + key + '": 1}]}'
    )
    try:
        parse_chart_text(text)
    except ChartFileError as exc:
        str(exc).encode("utf-8")  # a lone surrogate in a message would raise here
