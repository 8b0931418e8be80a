"""Chart files carry overrides, clearances and SOAP sub-fields as fields, and still read format 1."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from massage_chart.domain.visit_record import VisitRecord
from massage_chart.storage.chart_file import (
    FORMAT,
    ChartFileError,
    dumps_chart,
    export_chart,
    import_chart,
    parse_chart_text,
)
from massage_chart.storage.client_records import (
    add_clearance,
    clearances_on_file,
    override_reasons,
    record_override,
    update_visit_note,
)
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Consent, Provider
from massage_chart.storage.repositories import add_client, create_visit, get_client, get_visit
from massage_chart.storage.signing import sign_visit, verify_visit_hash
from tests.storage.test_chart_file import _without_provenance
from tests.storage.test_migration_0005 import ODD_SIGNED_TEXT, SIGNED_TEXT, _old_hash

START = dt.datetime(2026, 11, 20, 10, 0)
SIGNED_AT = dt.datetime(2026, 11, 20, 11, 5)


def _charted(db: Database) -> tuple[str, str]:
    with db.write() as session:
        provider = Provider(id="p-lee", first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        session.flush()
        visit = create_visit(session, client.id, provider_id=provider.id, start=START)
        update_visit_note(
            session,
            visit.id,
            end=START + dt.timedelta(hours=1),
            health_update="Calf swollen since Monday",
            subjective="Neck stiff on waking.",
            objective="Hypertonic R upper trapezius.",
            pain_best=2,
            pain_worst=7,
            functional_limits="cannot check blind spot",
            response="tissue softened",
            home_care="heat 15 min",
            next_visit="10 Dec",
        )
        record_override(session, visit.id, "dvt", "Cleared by Dr Raman by phone", actor="sam")
        add_clearance(session, client.id, ["heart_disease"], signed_on=dt.date(2026, 11, 1))
        session.flush()
        sign_visit(get_visit(session, visit.id), provider.id, SIGNED_AT)
        return client.id, visit.id


def test_fields_travel_as_fields_and_a_round_trip_is_byte_identical(
    db: Database, tmp_path: Path
) -> None:
    client_id, visit_id = _charted(db)
    with db.write() as session:
        text = dumps_chart(export_chart(session))
    document = parse_chart_text(text)
    assert document["format"] == FORMAT == "massage-chart/6"
    visit = document["clients"][0]["visits"][0]
    assert (visit["pain_best"], visit["home_care"], visit["hash_version"]) == (2, "heat 15 min", 2)
    assert visit["health_update"] == "Calf swollen since Monday"
    assert [(o["code"], o["reason"], o["recorded_by"]) for o in visit["overrides"]] == [
        ("dvt", "Cleared by Dr Raman by phone", "sam")
    ]
    assert document["clients"][0]["consents"][0]["clearance_codes"] == ["heart_disease"]

    other = open_database(str(tmp_path / "other.db"))
    try:
        with other.write() as session:
            report = import_chart(session, document)
        assert report.warnings == []
        with other.write() as session:
            assert _without_provenance(dumps_chart(export_chart(session))) == text
        with other.read() as session:
            imported = get_visit(session, visit_id)
            assert verify_visit_hash(imported)
            assert override_reasons(imported) == {"dvt": "Cleared by Dr Raman by phone"}
            consents = get_client(session, client_id).consents
            assert clearances_on_file(consents, dt.date(2026, 12, 1)) == {"heart_disease"}
    finally:
        other.dispose()


def _format_1_visit(visit_id: str, texts: dict[str, str], day: int) -> dict[str, Any]:
    start = START.replace(day=day)
    return {
        "id": visit_id,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "provider": {"id": "p-lee", "first_name": "Sam", "last_name": "Lee"},
        "status": "signed",
        "chief_complaint": "Neck pain",
        "objective": "Hypertonic R upper trapezius.",
        "positioning": "prone",
        "pain_before": 6,
        "pain_after": 3,
        "pressure": 3,
        "techniques": ["Swedish"],
        "icd10": ["M54.2"],
        "billing": [
            {"cpt": "97140", "minutes": 60, "units": 4, "modifiers": [], "diagnosis_pointers": [1]}
        ],
        "signed_at": SIGNED_AT.replace(day=day).isoformat(),
        "signed_by": "p-lee",
        **texts,
    }


def _sealed_the_old_way(visit: dict[str, Any]) -> None:
    start = dt.datetime.fromisoformat(visit["start"])
    row = {
        **visit,
        "client_id": "c-1",
        "provider_id": "p-lee",
        "start": start,
        "end": dt.datetime.fromisoformat(visit["end"]),
        "signed_at": dt.datetime.fromisoformat(visit["signed_at"]),
        "signed_by_id": "p-lee",
        "icd10_codes": visit["icd10"],
    }
    visit["content_hash"] = _old_hash(row, visit["billing"])


def _format_1_document() -> dict[str, Any]:
    signed = _format_1_visit("v-signed", SIGNED_TEXT, 20)
    odd = _format_1_visit("v-odd", ODD_SIGNED_TEXT, 21)
    for visit in (signed, odd):
        _sealed_the_old_way(visit)
    draft = _format_1_visit(
        "v-draft",
        {
            "health_update": "Stop/refer override [fever]: Afebrile\nNew job.",
            "subjective": "Pain worst: 8/10\n\nAche.",
            "assessment": "",
            "plan": "",
        },
        22,
    )
    draft.update(status="draft", signed_at=None, signed_by=None)
    return {
        "format": "massage-chart/1",
        "providers": [{"id": "p-lee", "first_name": "Sam", "last_name": "Lee"}],
        "clients": [
            {
                "id": "c-1",
                "first_name": "Zoë",
                "last_name": "Nguyễn",
                "consents": [
                    {
                        "kind": "treatment",
                        "signed_on": "2026-11-01",
                        "notes": "Clearance for: dvt; heart_disease\nFax from Dr Raman on file",
                    }
                ],
                "visits": [signed, odd, draft],
            }
        ],
    }


def test_a_format_1_file_is_parsed_into_fields_and_its_signatures_verify(db: Database) -> None:
    document = parse_chart_text(dumps_chart(_format_1_document()))
    with db.write() as session:
        report = import_chart(session, document)
    assert report.warnings == []
    with db.read() as session:
        signed = get_visit(session, "v-signed")
        assert (signed.hash_version, signed.pain_best, signed.next_visit) == (1, 2, "10 Dec")
        assert signed.health_update == "Calf swollen since Monday"
        assert list(override_reasons(signed)) == ["dvt", "fever"]
        assert signed.plan == "Continue plan."
        odd = get_visit(session, "v-odd")
        assert (odd.subjective, odd.pain_best) == (ODD_SIGNED_TEXT["subjective"], None)
        assert verify_visit_hash(signed) and verify_visit_hash(odd)
        draft = get_visit(session, "v-draft")
        assert (draft.hash_version, draft.pain_worst, draft.subjective) == (2, 8, "Ache.")
        assert override_reasons(draft) == {"fever": "Afebrile"}
        consent = session.query(Consent).one()
        assert consent.clearance_codes == ["dvt", "heart_disease"]
        assert consent.notes == "Fax from Dr Raman on file"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pain_best": 11}, "pain_best"),
        ({"overrides": [{"code": "dvt", "reason": "a"}, {"code": "dvt", "reason": "b"}]}, "twice"),
        ({"overrides": [{"code": "dvt", "reason": "r" * 1_001}]}, "Override reason"),
        ({"overrides": [{"code": "DVT!", "reason": "r"}]}, "overrides"),
        ({"hash_version": 3}, "hash_version"),
    ],
)
def test_bad_new_fields_are_refused_with_their_place(
    db: Database, change: dict[str, Any], message: str
) -> None:
    document = _format_1_document()
    document["format"] = FORMAT
    document["clients"][0]["visits"][2].update(change)
    with pytest.raises(ChartFileError, match=message), db.write() as session:
        import_chart(session, parse_chart_text(dumps_chart(document)))


#: Where a visit's declared field travels in the file when not under its own name.
_FILE_NAMES = {"provider_id": "provider", "icd10_codes": "icd10", "signed_by_id": "signed_by"}


def test_every_declared_visit_field_travels_in_the_chart_file(db: Database) -> None:
    """A field declared on VisitRecord but forgotten by the chart file would be lost by an export
    and an import; the file carries every one (the client's id by nesting the visit in it)."""
    _charted(db)
    with db.write() as session:
        visit = export_chart(session)["clients"][0]["visits"][0]
    declared = {f.name for f in dataclasses.fields(VisitRecord)} - {"client_id"}
    assert {_FILE_NAMES.get(name, name) for name in declared} <= set(visit)
