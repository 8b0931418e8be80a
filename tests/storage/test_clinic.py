"""Clinic mode on a real PostgreSQL: each person connects as their own role, and the server refuses
what their group may not do, whichever program sends the SQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit, clinic
from massage_chart.storage.client_records import sign_and_record
from massage_chart.storage.database import NotAllowedError, open_database
from massage_chart.storage.models import (
    Addendum,
    Client,
    Mark,
    Practice,
    ProgressReport,
    Provider,
    Visit,
)
from massage_chart.storage.repositories import get_visit
from tests.helpers.notes import complete_the_note
from tests.helpers.postgres import admin_url, fresh_postgres_url

pytestmark = pytest.mark.postgres


@dataclass
class Clinic:
    url: str
    practice: str
    sam_provider: str
    lee_provider: str
    stu_provider: str
    client_id: str
    sam_visit: str
    lee_visit: str
    stu_visit: str

    def as_person(self, username: str) -> Session:
        role = clinic.person_role(self.practice, username)
        url = make_url(self.url).set(username=role, password=f"pw-{username}")
        engine = create_engine(url)
        session = Session(engine)
        session.info["engine"] = engine
        return session


def _close(session: Session) -> None:
    session.close()
    session.info["engine"].dispose()


@pytest.fixture
def clinic_db() -> Iterator[Clinic]:
    practice = f"t{uuid.uuid4().hex[:10]}"
    try:
        with fresh_postgres_url() as url:
            clinic.init_clinic(url, practice, "olive", "pw-olive")
            database = open_database(url)
            try:
                with database.write() as session:
                    providers = [
                        Provider(first_name=name, last_name="Therapist")
                        for name in ("Sam", "Lee", "Stu")
                    ]
                    session.add_all(providers)
                    patient = Client(first_name="Zoë", last_name="Nguyễn")
                    session.add(patient)
                    session.flush()
                    visits = [
                        Visit(
                            client_id=patient.id,
                            provider_id=p.id,
                            start=dt.datetime(2026, 12, 1, 9 + i),
                            end=dt.datetime(2026, 12, 1, 10 + i),
                        )
                        for i, p in enumerate(providers)
                    ]
                    session.add_all(visits)
                    session.flush()
                    ids = [p.id for p in providers], patient.id, [v.id for v in visits]
            finally:
                database.dispose()
            (sam, lee, stu), client_id, (sam_visit, lee_visit, stu_visit) = ids
            clinic.add_person(url, practice, "sam", "therapist", "pw-sam", provider_id=sam)
            clinic.add_person(url, practice, "lee", "therapist", "pw-lee", provider_id=lee)
            clinic.add_person(url, practice, "stu", "student", "pw-stu", provider_id=stu)
            clinic.add_person(url, practice, "fran", "front_desk", "pw-fran")
            yield Clinic(url, practice, sam, lee, stu, client_id, sam_visit, lee_visit, stu_visit)
    finally:
        clinic.drop_practice_roles(admin_url(), practice)


def _refused(session: Session, action: Callable[[Session], Any], words: str = "") -> str:
    """Run a write as the person; the server must refuse it. Returns the server's message."""
    with pytest.raises(DBAPIError) as caught:
        action(session)
        session.commit()
    session.rollback()
    assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege), caught.value
    message = str(caught.value.orig)
    assert words in message
    return message


def _sign(visit_id: str, signer: str) -> Callable[[Session], Any]:
    def sign(session: Session) -> Any:
        return session.execute(
            update(Visit)
            .where(Visit.id == visit_id)
            .values(
                status="signed",
                signed_by_id=signer,
                signed_at=dt.datetime(2026, 12, 1, 12),
                content_hash="0" * 64,
                row_version=Visit.row_version + 1,
            )
        )

    return sign


def _status(c: Clinic, visit_id: str) -> str:
    engine = create_engine(c.url)
    try:
        with engine.connect() as connection:
            return str(
                connection.execute(
                    text("SELECT status FROM visits WHERE id = :v"), {"v": visit_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_therapist_charts_and_signs_only_their_own_notes(clinic_db: Clinic) -> None:
    c = clinic_db
    sam = c.as_person("sam")
    try:
        sam.execute(update(Visit).where(Visit.id == c.sam_visit).values(subjective="Neck stiff."))
        sam.add(Mark(visit_id=c.sam_visit, kind="pain", view="anterior", points=[[0.5, 0.2]]))
        sam.commit()
        _refused(sam, _sign(c.lee_visit, c.lee_provider), "Only the therapist named on the note")
        _refused(sam, _sign(c.lee_visit, c.sam_provider), "Only the therapist named on the note")
        _refused(sam, _sign(c.sam_visit, c.lee_provider), "Only the therapist named on the note")
        _sign(c.sam_visit, c.sam_provider)(sam)
        sam.commit()
        assert _status(c, c.sam_visit) == "signed"
        sam.add(Addendum(visit_id=c.sam_visit, author_id=c.sam_provider, reason="Late", text="x"))
        sam.commit()

        def addendum_as_lee(session: Session) -> None:
            session.add(
                Addendum(visit_id=c.sam_visit, author_id=c.lee_provider, reason="Late", text="y")
            )
            session.flush()

        _refused(sam, addendum_as_lee, "in the name of the person signed in")

        def rename_practice(session: Session) -> None:
            session.execute(update(Practice).values(name="Sam's clinic"))

        _refused(sam, rename_practice, "permission denied")
    finally:
        _close(sam)
    assert _status(c, c.lee_visit) == "draft"


def test_the_front_desk_books_but_never_charts_writes_notes_or_signs(clinic_db: Clinic) -> None:
    c = clinic_db
    fran = c.as_person("fran")
    try:
        fran.add(Client(first_name="Ana", last_name="García"))
        fran.execute(
            update(Visit).where(Visit.id == c.sam_visit)
            .values(
                start=dt.datetime(2026, 12, 2, 9),
                end=dt.datetime(2026, 12, 2, 10),
                row_version=Visit.row_version + 1,
            )
        )  # fmt: skip
        fran.add(Visit(client_id=c.client_id, provider_id=c.sam_provider,
                       start=dt.datetime(2026, 12, 9, 9)))  # fmt: skip
        fran.commit()

        def write_subjective(session: Session) -> None:
            session.execute(
                update(Visit).where(Visit.id == c.sam_visit).values(subjective="Feels better")
            )

        def book_with_a_note(session: Session) -> None:
            session.add(Visit(client_id=c.client_id, provider_id=c.sam_provider,
                              start=dt.datetime(2026, 12, 10, 9), assessment="Improving"))  # fmt: skip
            session.flush()

        def chart(session: Session) -> None:
            session.add(Mark(visit_id=c.sam_visit, kind="pain", view="anterior", points=[[0, 0]]))
            session.flush()

        def add_codes(session: Session) -> None:
            session.execute(
                update(Visit).where(Visit.id == c.sam_visit).values(icd10_codes=["M54.2"])
            )

        def write_goals(session: Session) -> None:
            session.execute(
                update(Visit)
                .where(Visit.id == c.sam_visit)
                .values(goals=[{"term": "short", "text": "Walk the dog", "status": "set"}])
            )

        _refused(fran, write_subjective, "front desk books visits")
        _refused(fran, write_goals, "front desk books visits")
        _refused(fran, book_with_a_note, "front desk books visits")
        _refused(fran, add_codes, "front desk books visits")
        _refused(fran, chart, "permission denied")
        _refused(fran, _sign(c.sam_visit, c.sam_provider), "front desk")
    finally:
        _close(fran)
    assert _status(c, c.sam_visit) == "draft"


def test_a_student_charts_but_cannot_sign(clinic_db: Clinic) -> None:
    c = clinic_db
    stu = c.as_person("stu")
    try:
        stu.execute(update(Visit).where(Visit.id == c.stu_visit).values(objective="Hypertonic."))
        stu.commit()
        _refused(stu, _sign(c.stu_visit, c.stu_provider), "Only the therapist named on the note")
    finally:
        _close(stu)


def test_the_owner_manages_the_practice_and_people_are_kept_apart(clinic_db: Clinic) -> None:
    c = clinic_db
    olive = c.as_person("olive")
    try:
        olive.add(Practice(name="Cedar"))
        olive.commit()
        olive.execute(update(Practice).values(name="Cedar & Sage"))
        olive.commit()
        assert olive.scalar(select(Practice.name)) == "Cedar & Sage"
    finally:
        _close(olive)
    people = {p.username: p for p in clinic.list_people(c.url, c.practice)}
    assert {u: p.group for u, p in people.items()} == {
        "fran": "front_desk", "lee": "therapist", "olive": "owner", "sam": "therapist",
        "stu": "student",
    }  # fmt: skip
    assert people["sam"].role_name == f"mc_{c.practice}_sam"
    clinic.init_clinic(c.url, c.practice, "olive", "pw-olive")  # again: nothing breaks
    assert len(clinic.list_people(c.url, c.practice)) == 5
    with pytest.raises(clinic.ClinicError, match="already has a sign-in"):
        clinic.add_person(c.url, c.practice, "sam", "therapist", "x", provider_id=c.sam_provider)
    with pytest.raises(clinic.ClinicError, match="name the provider"):
        clinic.add_person(c.url, c.practice, "tom", "therapist", "x")


def test_a_person_moved_or_disabled_is_held_to_it_by_the_server(clinic_db: Clinic) -> None:
    c = clinic_db
    clinic.set_group(c.url, c.practice, "lee", "front_desk")
    lee = c.as_person("lee")
    try:
        _refused(lee, _sign(c.lee_visit, c.lee_provider), "front desk")
    finally:
        _close(lee)
    clinic.disable_person(c.url, c.practice, "sam")
    engine = create_engine(c.url)
    try:
        with engine.connect() as connection:
            can_login = connection.execute(
                text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"),
                {"r": clinic.person_role(c.practice, "sam")},
            ).scalar_one()
    finally:
        engine.dispose()
    assert can_login is False
    assert not {p.username: p for p in clinic.list_people(c.url, c.practice)}["sam"].active
    clinic.reset_password(c.url, c.practice, "fran", "new-pw")


@pytest.mark.parametrize(
    ("practice", "username", "words"),
    [
        ("Cedar", "sam", "practice key"),
        ("cedar", "Sam", "user name"),
        ("c" * 17, "s", "key"),
        ("cedar", "a-b", "user name"),
    ],
)
def test_names_that_cannot_name_a_role_are_refused(
    practice: str, username: str, words: str
) -> None:
    with pytest.raises(clinic.ClinicError, match=words):
        clinic.person_role(practice, username)


def test_clinic_mode_needs_postgresql(tmp_path: Any) -> None:
    with pytest.raises(clinic.ClinicError, match="PostgreSQL"):
        clinic.init_clinic(f"sqlite:///{tmp_path}/x.db", "cedar", "olive", "pw")


def test_the_app_s_own_roads_work_for_a_therapist_and_the_server_stops_the_rest(
    clinic_db: Clinic,
) -> None:
    c = clinic_db
    signed_in = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    database = signed_in.database
    assert (signed_in.person.group, signed_in.person.provider_id) == ("therapist", c.sam_provider)
    try:
        with database.write() as session:
            complete_the_note(session, c.sam_visit)
            sign_and_record(session, c.sam_visit, c.sam_provider, dt.datetime(2026, 12, 1, 12))
        with database.write() as session:
            complete_the_note(session, c.lee_visit)
        # The app's own rules let a signer be named; the server holds them to themselves.
        with (
            pytest.raises(NotAllowedError, match="Only the therapist named on the note"),
            database.write() as session,
        ):
            sign_and_record(session, c.lee_visit, c.lee_provider, dt.datetime(2026, 12, 1, 12))
        with database.read() as session:
            assert get_visit(session, c.sam_visit).status is VisitStatus.SIGNED
            assert get_visit(session, c.lee_visit).status is VisitStatus.DRAFT
            actors = {e.actor for e in audit.list_events(session, limit=1000)}
        assert "sam" in actors  # the log names the person, not their provider id
        assert c.sam_provider not in actors
    finally:
        database.dispose()


def test_an_audit_event_in_someone_else_s_name_is_refused(clinic_db: Clinic) -> None:
    c = clinic_db
    sam = c.as_person("sam")
    try:
        # Another program connected as sam cannot write the log in lee's name.
        _refused(
            sam,
            lambda s: audit.record(s, audit.AuditAction.VIEW, actor="lee", detail="forged"),
            "names the person signed in",
        )
        audit.record(sam, audit.AuditAction.VIEW, actor="sam", detail="as myself")
        sam.commit()
    finally:
        _close(sam)


def test_signing_in_refuses_strangers_the_disabled_and_other_practices(clinic_db: Clinic) -> None:
    c = clinic_db
    with pytest.raises(clinic.ClinicError, match="did not accept the user name 'nobody'"):
        clinic.sign_in(c.url, "nobody", "pw", practice=c.practice)
    clinic.disable_person(c.url, c.practice, "lee")
    with pytest.raises(clinic.ClinicError, match="did not accept"):
        clinic.sign_in(c.url, "lee", "pw-lee", practice=c.practice)
    fran = clinic.sign_in(c.url, "fran", "pw-fran", practice=c.practice)
    try:
        assert fran.person.group == "front_desk"
        with (
            pytest.raises(NotAllowedError, match="front desk"),
            fran.database.write() as session,
        ):
            complete_the_note(session, c.sam_visit)
    finally:
        fran.database.dispose()


def test_a_second_practice_on_the_server_keeps_its_people_apart(clinic_db: Clinic) -> None:
    c = clinic_db
    other = f"u{uuid.uuid4().hex[:10]}"
    try:
        with fresh_postgres_url() as url:
            with pytest.raises(clinic.ClinicError, match="already names the people"):
                clinic.init_clinic(url, c.practice, "olive", "pw")
            clinic.init_clinic(url, other, "ona", "pw-ona")
            # A person of the first practice cannot even connect to the second's database.
            role = clinic.person_role(c.practice, "sam")
            engine = create_engine(make_url(url).set(username=role, password="pw-sam"))
            try:
                with pytest.raises(DBAPIError, match="permission denied for database"):
                    engine.connect().close()
            finally:
                engine.dispose()
    finally:
        clinic.drop_practice_roles(admin_url(), other)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("postgresql://db.example.org/cedar", "cedar"),
        ("postgresql://h/Cedar-Clinic_2", "cedarclinic2"),
        ("postgresql://h/2026clinic", "p2026clinic"),
        ("postgresql://h/" + "a" * 40, "a" * 16),
    ],
)
def test_the_practice_key_defaults_to_the_database_name(url: str, key: str) -> None:
    assert clinic.default_practice_key(url) == key
    clinic.check_practice_key(key)


def test_the_server_names_who_saved_a_note_whatever_the_program_says(clinic_db: Clinic) -> None:
    c = clinic_db
    sam = c.as_person("sam")
    try:
        # Another program connected as sam says lee typed it: the server writes sam.
        sam.execute(
            update(Visit)
            .where(Visit.id == c.sam_visit)
            .values(objective="Ropy band.", note_saved_by="lee")
        )
        sam.commit()
        saved_by = sam.scalar(select(Visit.note_saved_by).where(Visit.id == c.sam_visit))
        assert saved_by == "sam"
    finally:
        _close(sam)


def test_a_progress_report_is_signed_only_in_the_name_of_the_person_signed_in(
    clinic_db: Clinic,
) -> None:
    c = clinic_db

    def report(signer: str) -> Callable[[Session], Any]:
        def add(session: Session) -> None:
            session.add(
                ProgressReport(
                    client_id=c.client_id, period_from=dt.date(2026, 11, 1),
                    period_to=dt.date(2026, 11, 30), visit_ids=[c.sam_visit],
                    signed_by_id=signer, signed_at=dt.datetime(2026, 12, 1, 9),
                    content_hash="0" * 64,
                )
            )  # fmt: skip
            session.flush()

        return add

    sam, fran, olive = c.as_person("sam"), c.as_person("fran"), c.as_person("olive")
    try:
        _refused(sam, report(c.lee_provider), "in the name of the person signed in")
        _refused(fran, report(c.sam_provider), "permission denied")  # no grant at all
        report(c.sam_provider)(sam)
        sam.commit()
        _refused(sam, lambda s: s.execute(text("DELETE FROM progress_reports")), "permission")
        # Not even the owner, who may write every table, changes a signed report.
        with pytest.raises(DBAPIError, match="cannot be changed or removed"):
            olive.execute(text("UPDATE progress_reports SET period_to = '2026-12-31'"))
            olive.commit()
        olive.rollback()
    finally:
        _close(sam)
        _close(fran)
        _close(olive)


def test_the_front_desk_books_a_visit_without_the_clinical_fields_a_therapist_carries(
    clinic_db: Clinic,
) -> None:
    """A new visit carries the referral's codes and the last visit's goals forward; the server
    refuses those from the front desk, so a visit the front desk books starts without them."""
    from massage_chart.storage.client_records import update_visit_note
    from massage_chart.storage.repositories import create_visit

    c = clinic_db
    sam = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    fran = clinic.sign_in(c.url, "fran", "pw-fran", practice=c.practice)
    try:
        assert (sam.database.charts, fran.database.charts) == (True, False)
        assert (sam.database.provider_id, fran.database.provider_id) == (c.sam_provider, None)
        with sam.database.write() as session:
            update_visit_note(
                session, c.sam_visit, goals=[{"term": "short", "text": "Sleep", "status": "set"}]
            )
        day = dt.datetime(2026, 12, 20, 9)
        with pytest.raises(NotAllowedError, match="front desk"), fran.database.write() as session:
            create_visit(session, c.client_id, provider_id=c.sam_provider, start=day)
        with fran.database.write() as session:
            booked = create_visit(
                session, c.client_id, provider_id=c.sam_provider, start=day,
                carry_forward=fran.database.charts,
            )  # fmt: skip
            assert (booked.goals, booked.icd10_codes) == ([], [])
        with sam.database.write() as session:
            charted = create_visit(
                session, c.client_id, provider_id=c.sam_provider, start=day + dt.timedelta(days=1)
            )
            assert [g["text"] for g in charted.goals] == ["Sleep"]
    finally:
        sam.database.dispose()
        fran.database.dispose()


def test_an_owner_manages_people_from_their_own_sign_in_and_no_one_else_can(
    clinic_db: Clinic,
) -> None:
    """The window's road: the owner, signed in as themselves (no administrator URL), adds,
    moves, re-passwords and disables people through the practice's functions on the server;
    a therapist cannot, by the app or by SQL; the last owner is kept; passwords reach the
    server as SCRAM verifiers only; each change is in the audit log under the owner's name."""
    c = clinic_db
    olive = clinic.sign_in(c.url, "olive", "pw-olive", practice=c.practice)
    try:
        owner_db = olive.database
        clinic.add_person(owner_db, c.practice, "tess", "therapist", "pw-tess",
                          provider_id=c.stu_provider)  # fmt: skip
        tess = clinic.sign_in(c.url, "tess", "pw-tess", practice=c.practice)
        try:
            assert tess.person.group == "therapist"
            with pytest.raises(clinic.ClinicError, match="Only an owner"):
                clinic.add_person(tess.database, c.practice, "mal", "owner", "pw-mal")
            with pytest.raises(clinic.ClinicError, match="Only an owner"):
                clinic.set_group(tess.database, c.practice, "tess", "owner")
        finally:
            tess.database.dispose()
        sam = c.as_person("sam")
        try:
            _refused(
                sam,
                lambda s: s.execute(
                    text("SELECT mc_person_add('mal', 'owner', NULL, 'SCRAM-SHA-256$x')")
                ),
                "permission denied",
            )
        finally:
            _close(sam)
        clinic.set_group(owner_db, c.practice, "tess", "front_desk")
        # (This server trusts local connections, so the stored verifier is what is checked.)
        before = _stored_password(c, "tess")
        clinic.reset_password(owner_db, c.practice, "tess", "new-pw-tess")
        assert _stored_password(c, "tess") != before
        clinic.disable_person(owner_db, c.practice, "tess")
        with pytest.raises(clinic.ClinicError, match="did not accept"):
            clinic.sign_in(c.url, "tess", "new-pw-tess", practice=c.practice)
        for keep_owner in (
            lambda: clinic.disable_person(owner_db, c.practice, "olive"),
            lambda: clinic.set_group(owner_db, c.practice, "olive", "front_desk"),
        ):
            with pytest.raises(clinic.ClinicError, match="needs an owner who can sign in"):
                keep_owner()
        with pytest.raises(clinic.ClinicError, match="already has a sign-in"):
            clinic.add_person(owner_db, c.practice, "sam", "front_desk", "pw")
        people = {p.username: p for p in clinic.list_people(c.url, c.practice)}
        assert (people["tess"].group, people["tess"].active) == ("front_desk", False)
        with owner_db.read() as session:
            events = session.execute(
                text("SELECT actor, detail FROM audit_events WHERE detail LIKE 'people:%' "
                     "ORDER BY seq")
            ).all()[5:]  # after the set-up's five (the first owner and four)  # fmt: skip
    finally:
        olive.database.dispose()
    assert [detail for _actor, detail in events] == [
        "people: added tess as therapist",
        "people: moved tess to front_desk",
        "people: reset the password of tess",
        "people: disabled tess",
    ]
    assert {actor for actor, _detail in events} == {"olive"}
    assert _stored_password(c, "tess").startswith("SCRAM-SHA-256$4096:")


def _stored_password(c: Clinic, username: str) -> str:
    """What the server keeps for a person's password (read as the administrator)."""
    engine = create_engine(c.url)
    try:
        with engine.connect() as connection:
            stored: str = connection.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"),
                {"r": clinic.person_role(c.practice, username)},
            ).scalar_one()
    finally:
        engine.dispose()
    return stored


def test_a_student_s_note_is_co_signed_by_the_supervisor_named_on_it(clinic_db: Clinic) -> None:
    """On every road (the app's rules, and the server against raw SQL): a student names a
    supervising therapist; only that therapist, signed in as themselves, signs the note, which
    keeps the student as its provider; nobody else, and no supervisor who is not a therapist."""
    from massage_chart.storage.client_records import SignRefusedError, set_supervisor

    c = clinic_db
    when = dt.datetime(2026, 12, 1, 13)
    stu = clinic.sign_in(c.url, "stu", "pw-stu", practice=c.practice)
    lee = clinic.sign_in(c.url, "lee", "pw-lee", practice=c.practice)
    sam = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    try:
        with stu.database.write() as session:
            complete_the_note(session, c.stu_visit)
        # No supervisor named yet: even the therapist who will supervise cannot sign.
        with (
            pytest.raises(SignRefusedError, match="name the supervising therapist"),
            sam.database.write() as session,
        ):
            sign_and_record(session, c.stu_visit, c.sam_provider, when)
        with (
            pytest.raises(ValueError, match="one of the clinic's therapists"),
            stu.database.write() as session,
        ):
            set_supervisor(session, c.stu_visit, c.stu_provider)  # a student supervises no one
        raw = c.as_person("stu")
        try:
            _refused(
                raw,
                lambda s: s.execute(
                    update(Visit)
                    .where(Visit.id == c.stu_visit)
                    .values(supervisor_id=c.stu_provider)
                ),
                "A supervising therapist is one of the therapists",
            )
        finally:
            _close(raw)
        fran = c.as_person("fran")
        try:
            _refused(
                fran,
                lambda s: s.execute(
                    update(Visit)
                    .where(Visit.id == c.stu_visit)
                    .values(supervisor_id=c.sam_provider)
                ),
                "front desk",
            )
        finally:
            _close(fran)
        with stu.database.write() as session:
            set_supervisor(session, c.stu_visit, c.sam_provider)
        # The student cannot sign; another therapist cannot (the rules say why, the server too).
        for person, provider in ((stu, c.stu_provider), (lee, c.lee_provider)):
            with (
                pytest.raises(SignRefusedError, match="only by the supervising therapist"),
                person.database.write() as session,
            ):
                sign_and_record(session, c.stu_visit, provider, when)
        raw = c.as_person("lee")
        try:
            _refused(raw, _sign(c.stu_visit, c.lee_provider), "supervising therapist named")
        finally:
            _close(raw)
        with sam.database.write() as session:
            sign_and_record(session, c.stu_visit, c.sam_provider, when)
        with sam.database.read() as session:
            visit = get_visit(session, c.stu_visit)
            assert visit.status is VisitStatus.SIGNED
            assert (visit.provider_id, visit.signed_by_id) == (c.stu_provider, c.sam_provider)
        from massage_chart.export.service import DocumentKind, read_snapshot, render
        from tests.export.pdftext import all_text, flat

        printed = flat(
            all_text(render(DocumentKind.SOAP, read_snapshot(sam.database, c.stu_visit)))
        )
        assert flat("Written by Stu Therapist, student. Co-signed by Sam Therapist") in printed
        assert flat("supervising therapist, on") in printed
    finally:
        for person in (stu, lee, sam):
            person.database.dispose()


def test_a_clinic_set_up_before_the_people_functions_says_to_run_clinic_init(
    clinic_db: Clinic,
) -> None:
    c = clinic_db
    engine = create_engine(c.url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP FUNCTION mc_person_add(text, text, text, text)"
            )  # as an earlier version left it
    finally:
        engine.dispose()
    olive = clinic.sign_in(c.url, "olive", "pw-olive", practice=c.practice)
    try:
        with pytest.raises(clinic.ClinicError, match="runs `massage-chart clinic init` again"):
            clinic.add_person(olive.database, c.practice, "tess", "front_desk", "pw")
    finally:
        olive.database.dispose()
    clinic.init_clinic(c.url, c.practice, "olive", "pw-olive")  # puts the functions back
    clinic.add_person(c.url, c.practice, "tess", "front_desk", "pw")


def test_a_student_s_note_cannot_be_made_someone_else_s(clinic_db: Clinic) -> None:
    """A therapist cannot take a student's draft as their own (change its provider, then sign it
    as theirs); the server refuses the change, whichever program sends it."""
    c = clinic_db
    for username in ("lee", "olive", "stu"):
        person = c.as_person(username)
        try:
            _refused(
                person,
                lambda s: s.execute(
                    update(Visit).where(Visit.id == c.stu_visit).values(provider_id=c.lee_provider)
                ),
                "stays with the student",
            )
        finally:
            _close(person)
    # A therapist's own note may still move to another therapist (before signing).
    sam = c.as_person("sam")
    try:
        sam.execute(update(Visit).where(Visit.id == c.sam_visit).values(provider_id=c.lee_provider))
        sam.commit()
    finally:
        _close(sam)
