"""Range of motion, tolerance and goals on the SOAP note: what a claims reviewer checks, in
degrees and minutes, beside the last signed visit's values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.client_records import update_visit_note
from massage_chart.storage.database import Database
from massage_chart.storage.models import Visit, utc_now
from massage_chart.storage.outcomes import record_outcome
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.repositories import FieldRefusedError
from massage_chart.storage.signing import sign_visit
from tests.export.conftest import START, MadeVisit
from tests.export.pdftext import all_text, flat

Factory = Callable[..., MadeVisit]


def rom(
    motion: str, side: str, degrees: int | None, timing: str = "before", **more: Any
) -> dict[str, Any]:
    return {"motion": motion, "side": side, "degrees": degrees, "timing": timing, **more}


MEASURES: dict[str, list[dict[str, Any]]] = {
    "range_of_motion": [
        rom("cervical.rotation", "left", 55, painful=True),
        rom("cervical.rotation", "left", 70, "after"),
        rom("cervical.flexion", "", None, within_normal=True),
        rom("shoulder.abduction", "right", 150, method="visual", passive=True),
    ],
    "tolerances": [
        {"activity": "sitting", "minutes": 30},
        {"activity": "driving", "minutes": 20},
    ],
    "goals": [
        {"term": "long", "text": "Return to full shifts at the warehouse", "target": "2027-02-01",
         "status": "progressing"},
        {"term": "short", "text": "Turn the head 70° to check traffic", "target": "2026-12-11",
         "status": "partly_met"},
        {"term": "short", "text": "النوم طوال الليل", "target": None, "status": "met"},
    ],
}  # fmt: skip


def _earlier_signed_visit(db: Database, made: MadeVisit, days: int, **fields: Any) -> None:
    with db.write() as session:
        visit = Visit(
            client_id=made.client_id,
            provider_id=made.provider_id,
            start=START - dt.timedelta(days=days),
            end=START - dt.timedelta(days=days) + dt.timedelta(minutes=60),
            subjective="Earlier visit",
            **fields,
        )
        session.add(visit)
        session.flush()
        sign_visit(visit, made.provider_id, visit.end)


def _with_measures(db: Database, visit_factory: Factory) -> MadeVisit:
    made = visit_factory(signed=False, goals="")
    _earlier_signed_visit(
        db, made, 14,
        range_of_motion=[rom("cervical.rotation", "left", 40, "after")],
        tolerances=[{"activity": "sitting", "minutes": 10}],
    )  # fmt: skip
    _earlier_signed_visit(db, made, 7)  # measured nothing: the last measured visit counts
    with db.write() as session:
        update_visit_note(session, made.visit_id, **MEASURES)
    return made


def test_range_of_motion_tolerance_and_goals_print_where_a_reviewer_looks(
    db: Database, visit_factory: Factory
) -> None:
    made = _with_measures(db, visit_factory)
    pdf = render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))
    text = flat(all_text(pdf))
    for expected in (
        # Before and after, the reference range and the last measured visit (6 Nov).
        "LneckrotationAROM55°,painatendrange70°80°40°",
        "Last(6Nov2026)",
        "NeckflexionAROMWNL—45°—",
        "RshoulderabductionPROM150°(visual)—180°—",
        "unlessmarkedvisual",
        "Sitting30min10min",
        "Driving20min—",
        # Short-term goals first, each with its timeframe and status at this visit.
        "STGTurnthehead70°tochecktrafficby11Dec2026(3weeks)Partlymet",
        "nodatesetMet",
        "LTGReturntofullshiftsatthewarehouseby1Feb2027(10weeks)Progressing",
    ):
        assert expected in text, expected
    assert text.index("STGTurn") < text.index("LTGReturn")
    assert "Nofunctionalgoalsrecorded" not in text


def test_a_note_without_goals_of_its_own_prints_the_clients_written_goals(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory(signed=False)
    text = all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id)))
    assert "Turn the head fully to check traffic." in text
    assert "Range of motion" not in text


@pytest.mark.parametrize(
    ("field", "entry", "message"),
    [
        ("range_of_motion", rom("cervical.rotation", "", 50), "choose the right or left side"),
        ("range_of_motion", rom("knee.flexion", "left", 400), "enter the degrees measured"),
        ("range_of_motion", rom("spleen.rotation", "", 5), "unknown motion"),
        ("tolerances", {"activity": "sitting", "minutes": -5}, "enter the minutes"),
        ("goals", {"term": "medium", "text": "x"}, "the term is short or long"),
        ("goals", {"term": "short", "text": "x", "target": "2026-02-30"}, "is not a date"),
    ],
)
def test_every_road_refuses_an_entry_that_cannot_be_right(
    db: Database, visit_factory: Factory, field: str, entry: dict[str, Any], message: str
) -> None:
    made = visit_factory(signed=False)
    with pytest.raises(FieldRefusedError, match=message), db.write() as session:
        update_visit_note(session, made.visit_id, **{field: [entry]})
    with db.read() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None and getattr(visit, field) == []


def test_outcome_scores_print_first_latest_and_change_against_the_mcid(
    db: Database, visit_factory: Factory
) -> None:
    """LEFS 40 -> 52 (+12, MCID 9) and NPRS 7 -> 6 (-1, MCID 2); a sheet taken after the visit
    is not counted; once signed, a correction recorded later leaves the note as signed and
    says so."""
    made = visit_factory(signed=False)
    with db.write() as session:
        record_outcome(
            session,
            made.client_id,
            "lefs",
            [2] * 20,
            taken_on=dt.date(2026, 10, 30),
            source="paper",
        )
        record_outcome(
            session,
            made.client_id,
            "lefs",
            [3] * 12 + [2] * 8,
            taken_on=dt.date(2026, 11, 20),
            source="client",
        )
        nprs_first = record_outcome(
            session, made.client_id, "nprs", [7], taken_on=dt.date(2026, 11, 6), source="client"
        )
        nprs = record_outcome(
            session, made.client_id, "nprs", [6], taken_on=dt.date(2026, 11, 20), source="client"
        )
        record_outcome(
            session, made.client_id, "nprs", [1], taken_on=dt.date(2026, 11, 27), source="client"
        )  # after the visit
    text = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert flat("Lower Extremity Functional Scale (higher is better)") in text
    assert (
        flat("40 (30 Oct 2026) 52 (20 Nov 2026) Improved by 12 (at least the MCID of 9) 9") in text
    )
    assert flat("7 (6 Nov 2026) 6 (20 Nov 2026) Improved by 1 (less than the MCID of 2) 2") in text
    assert "1(27Nov2026)" not in text
    assert flat("Scores as on file today") in text

    with db.write() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        sign_visit(visit, made.provider_id, utc_now())  # after the sheets were recorded
    with db.write() as session:
        record_outcome(session, made.client_id, "nprs", [4], taken_on=dt.date(2026, 11, 20),
                       source="paper", replaces_id=nprs.id, reason="typed wrong")  # fmt: skip
    text = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert flat("7 (6 Nov 2026) 6 (20 Nov 2026)") in text  # as signed
    assert flat("Scores as on file when this note was signed") in text
    assert flat("A score shown was corrected after signing") in text
    assert nprs_first.score == 7


def test_the_client_s_own_pain_map_prints_first_and_latest_as_the_note_was_signed(
    db: Database, visit_factory: Factory
) -> None:
    """A draft prints the maps on file today (the first and the latest by the visit's day; one
    taken after the visit is not counted); once signed, a correction filed later leaves the note
    as signed and says so."""
    made = visit_factory(signed=False)  # 20 Nov
    symptoms = {"fatigue": 3, "unrefreshed": 3, "cognitive": 2, "headaches": 1, "abdomen": 0,
                "depression": 0}  # fmt: skip
    with db.write() as session:
        record_pain_map(
            session, made.client_id,
            ["anterior:masseter_tmj.l", "anterior:sternum", "posterior:cervical_spine",
             "posterior:lumbar_spine", "posterior:triceps.r"],
            symptoms=symptoms, three_months=True, taken_on=dt.date(2026, 11, 6), source="client",
        )  # fmt: skip
        latest = record_pain_map(
            session, made.client_id, ["posterior:cervical_spine"], taken_on=dt.date(2026, 11, 20),
            source="paper",
        )  # fmt: skip
        record_pain_map(
            session, made.client_id, [], taken_on=dt.date(2026, 11, 27), source="client"
        )  # after the visit
    text = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert flat("Client's pain map WPI SSS FS Extent Areas with pain") in text
    assert flat("First (6 Nov 2026) 5/19 9/12 14/31") in text
    assert flat("Left jaw, Right upper arm, Neck, Lower back, Chest") in text
    assert flat("Latest (20 Nov 2026) 1/19 — —") in text
    assert "27Nov2026" not in text
    assert flat("Not the therapist's findings.") in text
    assert flat("Maps as on file today.") in text

    with db.write() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        sign_visit(visit, made.provider_id, utc_now())
    with db.write() as session:
        record_pain_map(
            session, made.client_id, ["posterior:cervical_spine", "posterior:sacrum"],
            taken_on=dt.date(2026, 11, 20), source="paper", replaces_id=latest.id,
            reason="The sacrum was shaded too",
        )  # fmt: skip
    text = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert flat("Latest (20 Nov 2026) 1/19") in text  # as signed
    assert flat("Maps as on file when this note was signed.") in text
    assert flat("A map shown was corrected after signing") in text
