"""The client's pain maps on file (SQLite and PostgreSQL): filed as marked, scored on reading,
corrected by replacement, refused whole when wrong, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from massage_chart.domain.pain_map import PainMapError
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, PainMapRecord
from massage_chart.storage.pain_maps import list_pain_maps, record_pain_map
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit
from tests.helpers.pain_maps import SYMPTOMS, WIDESPREAD

DAY = dt.date(2026, 11, 2)


def _client(database: Database) -> tuple[str, str]:
    with database.write() as session:
        client = add_client(session, first_name="Aiko", last_name="Tanaka")
        visit = create_visit(
            session, client.id, provider_id=None, start=dt.datetime(2026, 11, 2, 9, 0)
        )
        return client.id, visit.id


def test_a_pain_map_is_filed_as_marked_scored_on_reading_and_audited(any_db: Database) -> None:
    client_id, visit_id = _client(any_db)
    with any_db.write() as session:
        record_pain_map(
            session, client_id, WIDESPREAD, symptoms=SYMPTOMS, three_months=True,
            taken_on=DAY, source="client", visit_id=visit_id,
        )  # fmt: skip
        record_pain_map(
            session, client_id, ["posterior:lumbar_spine"], taken_on=DAY + dt.timedelta(days=28),
            source="paper",
        )  # fmt: skip
    with any_db.read() as session:
        maps = list_pain_maps(session, client_id)
        stored = session.scalars(select(PainMapRecord).order_by(PainMapRecord.taken_on)).first()
        details = list(session.scalars(select(AuditEvent.detail).order_by(AuditEvent.seq)))
    first, later = maps
    assert first.score.wpi == 8 and first.score.sss == 6
    assert first.score.criteria is not None and first.score.criteria.met is True
    assert first.visit_id == visit_id and first.map_version == 1
    assert later.score.wpi == 1 and later.score.sss is None
    assert stored is not None and stored.regions == WIDESPREAD
    assert stored.instrument == "acr2016" and stored.instrument_version == 1
    assert any(
        d.startswith("pain map acr2016 v1 (table v1) recorded: WPI 8/19, SSS 6/12, FS 14/31;")
        and d.endswith("(completed by the client on this computer)")
        for d in details
    )


def test_a_correction_replaces_the_map_and_keeps_it(any_db: Database) -> None:
    client_id, _visit_id = _client(any_db)
    with any_db.write() as session:
        wrong = record_pain_map(
            session, client_id, ["anterior:biceps.l"], taken_on=DAY, source="paper"
        )
    with any_db.write() as session, pytest.raises(PainMapError, match="why"):
        record_pain_map(
            session, client_id, ["anterior:biceps.r"], taken_on=DAY, source="paper",
            replaces_id=wrong.id,
        )  # fmt: skip
    with any_db.write() as session:
        right = record_pain_map(
            session, client_id, ["anterior:biceps.r"], taken_on=DAY, source="paper",
            replaces_id=wrong.id, reason="The paper map was marked on the right arm",
        )  # fmt: skip
    with any_db.write() as session, pytest.raises(PainMapError, match="corrected already"):
        record_pain_map(
            session, client_id, [], taken_on=DAY, source="paper", replaces_id=wrong.id,
            reason="again",
        )  # fmt: skip
    with any_db.read() as session:
        assert [m.id for m in list_pain_maps(session, client_id)] == [right.id]
        kept = list_pain_maps(session, client_id, include_replaced=True)
    assert [m.score.areas[0].id for m in kept] == ["upper_arm.l", "upper_arm.r"]


@pytest.mark.parametrize(
    ("regions", "extra", "words"),
    [
        (["right_lateral:biceps.r"], {}, "front and back views only"),
        (["anterior:wing.l"], {}, "not a place"),
        ("anterior:biceps.l", {}, "not a list"),
        (["anterior:biceps.l"], {"symptoms": {**SYMPTOMS, "fatigue": 5}}, "0 to 3"),
        (["anterior:biceps.l"], {"symptoms": {"fatigue": 1}}, "not answered"),
        (["anterior:biceps.l"], {"source": "telepathy"}, "how the pain map was given"),
        (["anterior:biceps.l"], {"three_months": "yes"}, "yes or no"),
    ],
)
def test_bad_pain_maps_are_refused_and_nothing_is_filed(
    db: Database, regions: object, extra: dict, words: str
) -> None:
    client_id, _visit_id = _client(db)
    options = {"taken_on": DAY, "source": "client", **extra}
    with db.write() as session, pytest.raises(PainMapError, match=words):
        record_pain_map(session, client_id, regions, **options)  # type: ignore[arg-type]
    with db.read() as session:
        assert list_pain_maps(session, client_id, include_replaced=True) == []


def test_a_map_with_nothing_marked_is_no_pain_and_a_map_for_someone_else_is_refused(
    db: Database,
) -> None:
    client_id, _visit_id = _client(db)
    _other, other_visit = _client(db)
    with db.write() as session:
        none = record_pain_map(session, client_id, [], taken_on=DAY, source="client")
    assert none.score.wpi == 0 and none.score.extent == 0.0
    with db.write() as session, pytest.raises(PainMapError, match="another client's"):
        record_pain_map(session, client_id, [], taken_on=DAY, source="client", visit_id=other_visit)
    with db.write() as session, pytest.raises(NotFoundError):
        record_pain_map(session, "no-such-client", [], taken_on=DAY, source="client")


def test_a_map_changed_outside_the_app_still_opens_and_is_reported(db: Database) -> None:
    """A place the atlas does not have and a symptom answer out of range, written with SQL:
    the map is read without them (never an error that stops the record opening), the check
    names it, and the PDF says it."""
    from sqlalchemy import text

    from massage_chart.storage.safekeeping import check_database

    client_id, _visit_id = _client(db)
    with db.write() as session:
        entry = record_pain_map(
            session, client_id, ["posterior:sacrum"], symptoms=SYMPTOMS, taken_on=DAY,
            source="client",
        )  # fmt: skip
    with db.write() as session:  # with a database shell: its guard dropped first (0018)
        session.execute(text("DROP TRIGGER trg_pain_maps_update"))
        session.execute(
            text("UPDATE pain_maps SET regions = :regions, symptoms = :symptoms WHERE id = :id"),
            {
                "regions": '["anterior:wing.l", "posterior:sacrum"]',
                "symptoms": '{"fatigue": 9}',
                "id": entry.id,
            },
        )
    with db.read() as session:
        (read,) = list_pain_maps(session, client_id)
    assert read.score.wpi == 1 and read.symptoms is None
    assert read.unreadable[0] == "place 'anterior:wing.l'"
    assert read.unreadable[1].startswith("symptoms (")
    report = check_database(db)
    assert any(
        p.startswith(f"pain map {entry.id} (2026-11-02) holds what the app cannot read: place")
        for p in report.problems
    )
    assert any("trg_pain_maps_update" in p for p in report.problems)
    from massage_chart.export.soap_pdf import pain_map_notes

    notes = " ".join(pain_map_notes([read], False, "today"))
    assert "The map of 2 Nov 2026 was changed outside the app" in notes
