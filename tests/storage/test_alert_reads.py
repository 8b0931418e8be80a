"""The alert reads of the chart window and the client list: a visit's alerts with its overrides,
and the alerts of a whole list of clients in a few queries, not one per client."""

from __future__ import annotations

import datetime as dt

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.storage.client_records import (
    add_clearance,
    clients_alerts,
    record_override,
    visit_alerts,
)
from massage_chart.storage.database import Database
from massage_chart.storage.models import Provider
from massage_chart.storage.repositories import (
    add_client,
    add_health_history_version,
    create_visit,
)
from tests.helpers.statements import counted

TODAY = dt.date(2026, 11, 23)


def test_a_visit_reads_its_clients_alerts_on_its_date_with_its_overrides(any_db: Database) -> None:
    db = any_db
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Ama", last_name="Mensah")
        add_health_history_version(
            session,
            client.id,
            conditions=["DVT left calf"],
            surgeries="right knee arthroscopy 2026-11-02",
        )
        visit = create_visit(
            session, client.id, start=dt.datetime(2026, 11, 23, 10), provider_id=provider.id
        )
        late = create_visit(
            session, client.id, start=dt.datetime(2027, 3, 1, 10), provider_id=provider.id
        )
        record_override(session, visit.id, "dvt", "Cleared by Dr Osei")
    with db.read() as session:
        found = visit_alerts(session, visit.id)
        later = visit_alerts(session, late.id)
    assert found.today == TODAY
    assert found.overrides == {"dvt": "Cleared by Dr Osei"}
    assert {a.code for a in found.alerts} >= {"dvt", "recent_surgery", "surgery_site"}
    assert found.alerts[0].tier is AlertTier.STOP_REFER
    assert later.overrides == {}
    assert "recent_surgery" not in {a.code for a in later.alerts}  # four months on


def test_alerts_of_a_client_list_are_read_in_a_few_queries(any_db: Database) -> None:
    db = any_db
    ids: list[str] = []
    with db.write() as session:
        for number in range(12):
            client = add_client(session, first_name=f"Client{number}", last_name="Lee")
            ids.append(client.id)
            if number % 3 == 0:
                add_health_history_version(session, client.id, conditions=["osteopenia"])
                add_health_history_version(
                    session,
                    client.id,
                    conditions=["DVT left calf"],
                    medications=[MedicationInfo("Warfarin 5 mg")],
                )
            elif number % 3 == 1:
                add_health_history_version(session, client.id, conditions=["DVT left calf"])
                add_clearance(session, client.id, ["dvt"], signed_on=TODAY)
    with db.read() as session, counted(db) as few:
        clients_alerts(session, ids[:3], today=TODAY)
    with db.read() as session, counted(db) as statements:
        found = clients_alerts(session, ids, today=TODAY)
    assert len(statements) == len(few) <= 8  # the same few queries, however many clients
    assert set(found) == {ids[n] for n in range(12) if n % 3 != 2}
    newest = {a.code for a in found[ids[0]]}
    assert {"dvt", "anticoagulant"} <= newest  # the newest version, not the first
    assert "osteopenia" not in newest
    cleared = [a for a in found[ids[1]] if a.code == "dvt"]
    assert cleared and cleared[0].clearance_on_file
    with db.read() as session:
        assert clients_alerts(session, [], today=TODAY) == {}
