"""Eight people charting and signing at once on one PostgreSQL clinic database, each signed in as
themselves: nothing acknowledged is lost, nobody signs another's note, the audit log verifies
and names the right person for every signature."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from massage_chart.domain.marks import MarkKind
from massage_chart.storage import audit, clinic
from massage_chart.storage.client_records import sign_and_record
from massage_chart.storage.database import NotAllowedError, open_database
from massage_chart.storage.marks import add_mark, place_mark
from massage_chart.storage.models import Client, Mark, Provider, Visit
from massage_chart.storage.repositories import create_visit
from tests.helpers.notes import complete_the_note
from tests.helpers.postgres import admin_url, fresh_postgres_url

pytestmark = pytest.mark.postgres

PEOPLE = 8
SECONDS = 6.0


@dataclass
class Outcome:
    """What one person's process was told was saved, and what the server refused them."""

    user: str
    visits: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    signed: list[str] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    saves: int = 0


def _work(url: str, practice: str, user: str, clients: list[str], other: str) -> Outcome:
    """Chart, write and sign visits as ``user`` for SECONDS; try once per round to sign the
    shared visit ``other`` (another therapist's), which the server must refuse."""
    from massage_chart.atlas import load_atlas

    atlas = load_atlas()
    outcome = Outcome(user)
    signed_in = clinic.sign_in(url, user, f"pw-{user}", practice=practice)
    database, provider = signed_in.database, signed_in.person.provider_id
    assert provider is not None
    region = atlas.regions("posterior")[5]
    deadline = None  # the clock starts after a first round has loaded what the process needs
    round_ = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            if round_ == 1:
                deadline = time.monotonic() + SECONDS
            round_ += 1
            client = clients[round_ % len(clients)]
            try:
                with database.write() as session:
                    visit = create_visit(
                        session, client, provider_id=provider,
                        start=dt.datetime(2026, 12, 1, 8) + dt.timedelta(minutes=round_),
                    )  # fmt: skip
                    visit_id = visit.id
                outcome.visits.append(visit_id)
                for n in range(2):
                    mark = place_mark(
                        atlas, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior",
                        [region.inner_point], intensity=3 + n,
                    )  # fmt: skip
                    with database.write() as session:
                        add_mark(session, mark)
                    outcome.marks.append(mark.id)
                with database.write() as session:
                    complete_the_note(session, visit_id)
                with database.write() as session:
                    sign_and_record(session, visit_id, provider, dt.datetime.now(dt.UTC))
                outcome.signed.append(visit_id)
                outcome.saves += 5
            except Exception as exc:  # every failure is reported to the test
                outcome.errors.append(f"{type(exc).__name__}: {exc}")
            try:
                with database.write() as session:
                    sign_and_record(session, other, provider, dt.datetime.now(dt.UTC))
            except NotAllowedError:
                outcome.refused += 1
    finally:
        database.dispose()
    return outcome


@dataclass
class Setup:
    url: str
    practice: str
    clients: list[str]
    others: dict[str, str]  # user -> a draft visit of someone else's
    providers: dict[str, str]  # provider id -> user


@pytest.fixture
def clinic_db() -> Iterator[Setup]:
    practice = f"l{uuid.uuid4().hex[:10]}"
    try:
        with fresh_postgres_url() as url:
            clinic.init_clinic(url, practice, "olive", "pw-olive")
            database = open_database(url)
            users = [f"t{i}" for i in range(PEOPLE)]
            try:
                with database.write() as session:
                    providers = [Provider(first_name=u, last_name="Therapist") for u in users]
                    clients = [Client(first_name=f"C{i}", last_name="Shared") for i in range(5)]
                    session.add_all(providers + clients)
                    session.flush()
                    spare = [
                        create_visit(
                            session, clients[0].id, provider_id=p.id,
                            start=dt.datetime(2026, 11, 30, 9),
                        )
                        for p in providers
                    ]  # fmt: skip
                    session.flush()
                    for visit in spare:
                        complete_the_note(session, visit.id)
                    provider_ids = [p.id for p in providers]
                    client_ids = [c.id for c in clients]
                    # Each person tries to sign the next one's note.
                    others = {u: spare[(i + 1) % PEOPLE].id for i, u in enumerate(users)}
            finally:
                database.dispose()
            for user, provider_id in zip(users, provider_ids, strict=True):
                clinic.add_person(url, practice, user, "therapist", f"pw-{user}",
                                  provider_id=provider_id)  # fmt: skip
            yield Setup(
                url, practice, client_ids, others, dict(zip(provider_ids, users, strict=True))
            )
    finally:
        clinic.drop_practice_roles(admin_url(), practice)


def test_eight_people_charting_and_signing_at_once_lose_nothing(clinic_db: Setup) -> None:
    s = clinic_db
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with context.Pool(PEOPLE) as pool:
        outcomes = pool.starmap(
            _work, [(s.url, s.practice, user, s.clients, s.others[user]) for user in s.others]
        )
    elapsed = time.monotonic() - started
    assert all(not o.errors for o in outcomes), [o.errors[:3] for o in outcomes if o.errors]
    assert all(o.refused > 0 for o in outcomes)  # every try on another's note was refused

    database = open_database(s.url)
    try:
        with database.read() as session:
            visits = {v.id: v for v in session.scalars(select(Visit))}
            mark_ids = set(session.scalars(select(Mark.id)))
            for o in outcomes:
                assert set(o.visits) <= visits.keys()  # every acknowledged visit is there
                assert set(o.marks) <= mark_ids  # every acknowledged mark
                for visit_id in o.signed:
                    assert visits[visit_id].signed_at is not None
                    assert s.providers[visits[visit_id].signed_by_id] == o.user
            for spare in s.others.values():
                assert visits[spare].signed_at is None  # nobody signed another's note
            assert audit.verify_chain(session) == []
            signs = audit.list_events(session, action=audit.AuditAction.SIGN, limit=10**6)
            by_visit = {e.visit_id: e.actor for e in signs}
            for o in outcomes:
                assert all(by_visit[v] == o.user for v in o.signed)
            total_marks = session.scalar(select(func.count()).select_from(Mark))
    finally:
        database.dispose()
    saves = sum(o.saves for o in outcomes)
    print(
        f"\n{PEOPLE} people for {SECONDS:.0f} s ({elapsed:.1f} s with start-up): "
        f"{sum(len(o.signed) for o in outcomes)} visits charted and signed, {total_marks} marks, "
        f"{saves} acknowledged saves, {sum(o.refused for o in outcomes)} refused signatures, "
        "0 lost"
    )
