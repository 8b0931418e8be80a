"""Repository round trips on real databases: clients, histories, visits, marks, billing, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.record_kinds import MedicationClass, PayerType, UnitRule, VisitStatus
from massage_chart.storage import audit
from massage_chart.storage.database import ChangedElsewhereError, Database, open_database
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.models import (
    Addendum,
    BillingLine,
    Claim,
    Mark,
    Provider,
    Referral,
)
from massage_chart.storage.repositories import (
    NotFoundError,
    add_client,
    add_health_history_version,
    create_visit,
    get_client,
    get_visit,
    latest_health_history,
    list_visits,
    search_clients,
)
from massage_chart.storage.signing import sign_visit, verify_visit_hash
from tests.helpers.notes import complete_the_note
from tests.helpers.tamper import disable_audit_protection

NAMES = [
    ("Zoë", "Nguyễn"),
    ("Zoe", "Ağaoğlu"),
    ("Łukasz", "Wróbel"),
    ("Дмитрий", "Иванов"),
    ("小明", "王"),
    ("فاطمة", "الزهراء"),
    ("שרה", "כהן"),
    ("Percent", "100%_done"),
    ("Bobby", "Tables'); DROP TABLE clients; --"),
]


def _provider(db: Database) -> str:
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT", npi="1234567893")
        session.add(provider)
        session.flush()
        return provider.id


def _clients(db: Database) -> dict[str, str]:
    ids: dict[str, str] = {}
    with db.write() as session:
        for first, last in NAMES:
            ids[first] = add_client(
                session, first_name=first, last_name=last, phone="(206) 555-0123"
            ).id
    return ids


def _search(db: Database, query: str) -> list[str]:
    with db.read() as session:
        return [row.list_name for row in search_clients(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", ["Ağaoğlu, Zoe", "Nguyễn, Zoë"]),
        ("ZOË", ["Ağaoğlu, Zoe", "Nguyễn, Zoë"]),
        ("zoe nguyen", ["Nguyễn, Zoë"]),
        ("lukasz", ["Wróbel, Łukasz"]),
        ("ŁUKASZ", ["Wróbel, Łukasz"]),
        ("дмитрий", ["Иванов, Дмитрий"]),
        ("小明", ["王小明"]),  # family name first, written together
        ("فاطمة", ["الزهراء, فاطمة"]),
        ("כהן", ["כהן, שרה"]),
        ("%", ["100%_done, Percent"]),
        ("_", ["100%_done, Percent"]),
        ("' OR 1=1 --", []),
        ("drop table", ["Tables'); DROP TABLE clients; --, Bobby"]),
    ],
)
def test_search_ignores_case_and_accents_and_takes_wildcards_literally(
    any_db: Database, query: str, expected: list[str]
) -> None:
    _clients(any_db)
    assert sorted(_search(any_db, query)) == sorted(expected)


def test_search_by_phone_digits_and_empty_query(db: Database) -> None:
    _clients(db)
    assert len(_search(db, "5550123")) == len(NAMES)
    assert len(_search(db, "")) == len(NAMES)
    with db.read() as session:  # the injection text did nothing to the schema
        assert session.execute(text("SELECT count(*) FROM clients")).scalar() == len(NAMES)


def test_search_key_follows_edits(db: Database) -> None:
    ids = _clients(db)
    with db.write() as session:
        get_client(session, ids["Zoë"]).last_name = "Martín"
    assert _search(db, "martin") == ["Martín, Zoë"]
    assert _search(db, "nguyen") == []


def test_full_record_round_trip_on_a_reopened_file(db_path: Path) -> None:
    db = open_database(str(db_path))
    provider_id = _provider(db)
    long_note = "Subjective line. " * 3000  # 51,000 characters
    with db.write() as session:
        client = add_client(
            session,
            first_name="Zoë",
            last_name="Nguyễn",
            date_of_birth=dt.date(1984, 2, 29),
            email="zoe@example.org",
            emergency_contact_name="Minh Nguyễn",
            goals="Sit at work for 2 h without neck pain.",
        )
        claim = Claim(
            client_id=client.id,
            payer_type=PayerType.PIP,
            claim_number="A-77",
            date_of_injury=dt.date(2026, 9, 1),
            unit_rule=UnitRule.CMS,
        )
        session.add(claim)
        session.add(
            Referral(
                client_id=client.id,
                claim=claim,
                prescriber="Dr. A. Rahman",
                icd10_codes=["M54.2", "S13.4XXD"],
                visits_authorised=12,
            )
        )
        add_health_history_version(
            session,
            client.id,
            conditions=["osteoporosis"],
            medications=[
                MedicationInfo("warfarin", "5 mg", med_class=MedicationClass.ANTICOAGULANT)
            ],
            allergies=["almond oil"],
        )
        client_id = client.id
    with db.write() as session:
        visit = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 20, 10, 0)
        )
        visit.end = dt.datetime(2026, 11, 20, 11, 0)
        visit.subjective = long_note
        visit.pain_before, visit.pain_after = 7, 3
        visit.techniques = ["trigger point therapy"]
        visit.marks.append(
            Mark(
                kind="trigger_point_active",
                view="posterior",
                points=[[0.62, 0.21]],
                region_id="upper_trapezius.r",
                side="right",
                intensity=7,
                note="refers to temple",
            )
        )
        visit.billing_lines.append(
            BillingLine(
                cpt="97140", minutes=38, units=3, modifiers=["GP"], diagnosis_pointers=[1, 2]
            )
        )
        visit_id = visit.id
    db.dispose()

    reopened = open_database(str(db_path))
    with reopened.read() as session:
        client = get_client(session, client_id)
        assert (client.first_name, client.last_name) == ("Zoë", "Nguyễn")
        assert client.date_of_birth == dt.date(1984, 2, 29)
        assert client.claims[0].claim_number == "A-77"
        assert client.referrals[0].icd10_codes == ["M54.2", "S13.4XXD"]
        history = latest_health_history(session, client_id)
        assert history is not None
        assert [m.med_class for m in history.medications] == [MedicationClass.ANTICOAGULANT]
        assert [a.substance for a in history.allergies] == ["almond oil"]
        visit = get_visit(session, visit_id)
        assert visit.subjective == long_note
        assert visit.icd10_codes == ["M54.2", "S13.4XXD"]  # taken from the referral
        assert visit.claim_id == client.claims[0].id
        assert visit.marks[0].points == [[0.62, 0.21]]
        assert visit.billing_lines[0].modifiers == ["GP"]
        assert visit.duration_minutes == 60
        summaries = list_visits(session, client_id)
        assert [(s.mark_count, s.status) for s in summaries] == [(1, VisitStatus.DRAFT)]
    reopened.dispose()


def test_health_history_is_versioned(db: Database) -> None:
    ids = _clients(db)
    with db.write() as session:
        add_health_history_version(session, ids["Zoë"], conditions=["migraine"])
        add_health_history_version(session, ids["Zoë"], conditions=["migraine", "osteopenia"])
    with db.read() as session:
        latest = latest_health_history(session, ids["Zoë"])
        assert latest is not None
        assert latest.version == 2
        assert [c.name for c in latest.conditions] == ["migraine", "osteopenia"]
        assert len(get_client(session, ids["Zoë"]).health_histories) == 2


def test_missing_records_raise_not_found(db: Database) -> None:
    with db.read() as session:
        with pytest.raises(NotFoundError):
            get_client(session, "nobody")
        with pytest.raises(NotFoundError):
            get_visit(session, "no-visit")


def _signed_visit(db: Database) -> str:
    provider_id = _provider(db)
    ids = _clients(db)
    with db.write() as session:
        visit = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 11, 2, 9, 0)
        )
        visit.subjective = "Neck pain 6/10."
        visit.marks.append(Mark(kind="pain", view="anterior", points=[[0.5, 0.2]], intensity=6))
        session.flush()
        sign_visit(visit, provider_id, dt.datetime(2026, 11, 2, 10, 5))
        return visit.id


def test_a_signed_visit_cannot_be_changed_but_takes_addenda(any_db: Database) -> None:
    visit_id = _signed_visit(any_db)
    with pytest.raises(SignedVisitError, match="addendum"), any_db.write() as session:
        visit = get_visit(session, visit_id)
        visit.subjective = "rewritten"
    with pytest.raises(SignedVisitError), any_db.write() as session:
        visit = get_visit(session, visit_id)
        visit.marks[0].intensity = 2
    with pytest.raises(SignedVisitError), any_db.write() as session:
        visit = get_visit(session, visit_id)
        visit.marks.append(Mark(kind="pain", view="anterior", points=[[0.4, 0.3]]))
    with pytest.raises(SignedVisitError, match="deleted"), any_db.write() as session:
        session.delete(get_visit(session, visit_id))
    with any_db.write() as session:
        visit = get_visit(session, visit_id)
        visit.addenda.append(
            Addendum(reason="late entry", text="Client called: pain 2/10 next day.")
        )
    with any_db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.subjective == "Neck pain 6/10."
        assert [a.reason for a in visit.addenda] == ["late entry"]
        assert verify_visit_hash(visit)


def test_signing_twice_is_refused(db: Database) -> None:
    visit_id = _signed_visit(db)
    with db.read() as session:
        visit = get_visit(session, visit_id)
        with pytest.raises(ValueError, match="already signed"):
            sign_visit(visit, "someone", dt.datetime(2026, 11, 3))


def test_concurrent_edits_of_one_client_are_not_silently_lost(any_db: Database) -> None:
    ids = _clients(any_db)
    # Two computers open the same client, each in its own short session...
    with any_db.read() as session:
        mine = get_client(session, ids["Zoë"])
    with any_db.read() as session:
        theirs = get_client(session, ids["Zoë"])
    # ...both edit it; the first save wins, the second is refused rather than overwriting it.
    mine.goals = "mine"
    with any_db.write() as session:
        session.add(mine)
    theirs.goals = "theirs"
    with pytest.raises(ChangedElsewhereError, match="changed elsewhere"), any_db.write() as session:
        session.add(theirs)
    with any_db.read() as session:
        assert get_client(session, ids["Zoë"]).goals == "mine"


def test_audit_chain_verifies_and_detects_tampering(any_db: Database) -> None:
    ids = _clients(any_db)
    with any_db.write() as session:
        audit.record(session, audit.AuditAction.VIEW, client_id=ids["Zoë"])
        audit.record(session, audit.AuditAction.EXPORT, client_id=ids["Zoë"], detail="soap")
    with any_db.read() as session:
        assert audit.verify_chain(session) == []
        count = len(session.scalars(select(audit.AuditEvent)).all())
        assert count == len(NAMES) + 2
    with any_db.engine.begin() as connection:
        with (
            pytest.raises(DBAPIError, match="audit log cannot be changed"),
            connection.begin_nested(),
        ):
            connection.execute(text("DELETE FROM audit_events WHERE action = 'view'"))
        disable_audit_protection(connection, any_db.engine.dialect.name)
        connection.execute(text("UPDATE audit_events SET detail = 'pdf' WHERE detail = 'soap'"))
    with any_db.read() as session:
        assert [p.reason for p in audit.verify_chain(session)] == ["this event was altered"]
    with any_db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE action = 'view'"))
    with any_db.read() as session:
        reasons = [p.reason for p in audit.verify_chain(session)]
        assert "an event before this one is missing or altered" in reasons


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE visits SET subjective = 'rewritten' WHERE id = :id",
        "UPDATE visits SET status = 'draft' WHERE id = :id",
        "DELETE FROM visits WHERE id = :id",
        "UPDATE marks SET intensity = 1 WHERE visit_id = :id",
        "DELETE FROM marks WHERE visit_id = :id",
        "INSERT INTO marks (id, visit_id, kind, view, points, side, whole_region, deep_muscle,"
        " technique, note, confirmed, created_at)"
        " VALUES ('m2', :id, 'pain', 'anterior', '[[0.5, 0.5]]', 'midline', false, '', '', '',"
        " true, '2026-11-02 10:00:00')",
    ],
)
def test_the_database_itself_refuses_to_change_a_signed_visit(
    any_db: Database, statement: str
) -> None:
    visit_id = _signed_visit(any_db)
    with pytest.raises(DBAPIError, match="signed"), any_db.engine.begin() as connection:
        connection.execute(text(statement), {"id": visit_id})
    with any_db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.subjective == "Neck pain 6/10."
        assert [m.intensity for m in visit.marks] == [6]
        assert verify_visit_hash(visit)


def test_addenda_cannot_be_edited_or_removed(any_db: Database) -> None:
    visit_id = _signed_visit(any_db)
    with any_db.write() as session:
        visit = get_visit(session, visit_id)
        visit.addenda.append(Addendum(reason="correction", text="R not L."))
    for statement in ("UPDATE addenda SET text = 'L'", "DELETE FROM addenda"):
        with pytest.raises(DBAPIError, match="addendum"), any_db.engine.begin() as connection:
            connection.execute(text(statement))


def test_draft_visits_stay_editable(any_db: Database) -> None:
    provider_id = _provider(any_db)
    ids = _clients(any_db)
    with any_db.write() as session:
        visit = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 11, 5, 9)
        )
        visit.marks.append(Mark(kind="pain", view="anterior", points=[[0.5, 0.2]], intensity=6))
        visit_id = visit.id
    with any_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE marks SET intensity = 4 WHERE visit_id = :id"), {"id": visit_id}
        )
        connection.execute(
            text("UPDATE visits SET plan = 'weekly' WHERE id = :id"), {"id": visit_id}
        )
    with any_db.read() as session:
        assert get_visit(session, visit_id).marks[0].intensity == 4


def test_a_new_visit_takes_the_referral_in_force_on_its_day(db: Database) -> None:
    provider_id = _provider(db)
    ids = _clients(db)
    with db.write() as session:
        session.add_all(
            [
                Referral(
                    client_id=ids["Zoë"],
                    prescriber="Dr. Old",
                    icd10_codes=["M54.50"],
                    referral_date=dt.date(2026, 1, 5),
                    expires_on=dt.date(2026, 4, 30),
                ),
                Referral(
                    client_id=ids["Zoë"],
                    prescriber="Dr. Future",
                    icd10_codes=["M54.2"],
                    referral_date=dt.date(2027, 1, 5),
                ),
            ]
        )
    with db.write() as session:
        in_force = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 3, 2, 9)
        )
        expired = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 6, 2, 9)
        )
        assert in_force.icd10_codes == ["M54.50"]
        assert expired.referral_id is None
        assert expired.icd10_codes == []
    with db.read() as session:
        assert {s.provider_id for s in list_visits(session, ids["Zoë"])} == {provider_id}


def test_insert_or_replace_cannot_swap_out_a_signed_visit_or_an_addendum(db: Database) -> None:
    """SQLite's REPLACE deletes the old row without firing DELETE triggers: INSERT ones catch it."""
    visit_id = _signed_visit(db)
    with db.write() as session:
        visit = get_visit(session, visit_id)
        visit.addenda.append(Addendum(reason="late entry", text="Called: 2/10."))
    with db.engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(visits)")]
        connection.rollback()
    picked = ", ".join("'draft'" if c == "status" else c for c in columns)
    for statement in (
        f"INSERT OR REPLACE INTO visits SELECT {picked} FROM visits WHERE id = :id",
        "INSERT OR REPLACE INTO addenda SELECT * FROM addenda WHERE visit_id = :id",
        "INSERT OR REPLACE INTO audit_events SELECT * FROM audit_events LIMIT 1",
    ):
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text(statement), {"id": visit_id})
    with db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.status is VisitStatus.SIGNED
        assert verify_visit_hash(visit)
        assert [a.text for a in visit.addenda] == ["Called: 2/10."]
        assert len(visit.marks) == 1
        assert audit.verify_chain(session) == []


def test_check_names_every_way_a_shell_can_undo_the_record(db: Database) -> None:
    from massage_chart.storage.client_records import add_addendum, sign_and_record
    from massage_chart.storage.safekeeping import check_database

    provider_id = _provider(db)
    ids = _clients(db)
    with db.write() as session:
        visit = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 11, 2, 9, 0)
        )
        visit.subjective = "Neck pain 6/10."
        session.flush()
        visit_id = visit.id
    with db.write() as session:
        complete_the_note(session, visit_id)
        sign_and_record(session, visit_id, provider_id, dt.datetime(2026, 11, 2, 10, 5))
    with db.write() as session:
        add_addendum(session, visit_id, author_id=provider_id, reason="Late entry", text="2/10.")
    assert check_database(db).ok

    with db.engine.begin() as connection:
        for name in ("trg_addenda_update", "trg_addenda_delete", "trg_visits_signed_update"):
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql("UPDATE addenda SET text = 'ALTERED'")
        connection.exec_driver_sql("UPDATE visits SET status = 'draft'")

    problems = "\n".join(check_database(db).problems)
    assert "protection(s)" in problems and "trg_addenda_update" in problems
    assert "no longer matches its seal" in problems
    assert "was signed (audit log) but is no longer signed" in problems

    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM addenda")
    assert "addenda written (audit log) but 0 remain" in "\n".join(check_database(db).problems)


def test_a_chinese_name_is_found_as_written_and_listed_family_name_first(db: Database) -> None:
    with db.write() as session:
        add_client(session, first_name="小明", last_name="王")
        add_client(session, first_name="Zoë", last_name="Nguyễn")
    with db.read() as session:
        for typed in ("王小明", "小明", "王"):
            assert [c.list_name for c in search_clients(session, typed)] == ["王小明"], typed


def test_a_new_visit_takes_the_claim_that_covers_its_day(db: Database) -> None:
    """A workers' comp claim for an injury on 1 Jun is newest, but a visit on 20 May belongs to
    the commercial plan that covered it; from 1 Jun the new claim takes the visits."""
    from massage_chart.domain.record_kinds import PayerType
    from massage_chart.storage.models import Claim

    provider_id = _provider(db)
    ids = _clients(db)
    with db.write() as session:
        plan = Claim(client_id=ids["Zoë"], payer_type=PayerType.COMMERCIAL, payer_name="Plan")
        session.add(plan)
        session.flush()
        injury = Claim(client_id=ids["Zoë"], payer_type=PayerType.WORKERS_COMP,
                       date_of_injury=dt.date(2026, 6, 1))  # fmt: skip
        session.add(injury)
        session.flush()
        plan_id, injury_id = plan.id, injury.id
    with db.write() as session:
        before = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 5, 20, 9)
        )
        after = create_visit(
            session, ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 6, 1, 9)
        )
        assert (before.claim_id, after.claim_id) == (plan_id, injury_id)
