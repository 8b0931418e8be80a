"""A client's record read as plain values: every field, in the order the windows show them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import inspect

from massage_chart.domain.client_file import (
    ClaimInfo,
    ClientInfo,
    ConsentInfo,
    HealthHistoryInfo,
    MedicationInfo,
    ReferralInfo,
)
from massage_chart.domain.practice import PracticeInfo, ProviderInfo
from massage_chart.domain.record_kinds import ConsentKind, MedicationClass, PayerType, UnitRule
from massage_chart.storage.client_records import (
    CLIENT_FIELDS,
    add_clearance,
    save_claim,
    save_referral,
    update_client,
)
from massage_chart.storage.database import Database
from massage_chart.storage.models import (
    Claim,
    Client,
    Consent,
    HealthHistory,
    Practice,
    Provider,
    Referral,
)
from massage_chart.storage.overviews import load_client_file, load_client_overview
from massage_chart.storage.repositories import add_client, add_health_history_version

TODAY = dt.date(2026, 12, 3)


def _columns(model: type) -> set[str]:
    return {column.key for column in inspect(model).column_attrs}


def test_every_declared_field_is_a_column_of_its_row() -> None:
    """The plain values are read field by field from the rows: a field the row lacks would fail
    the first read, so the declarations and the tables must agree."""
    for kind, model in (
        (ClientInfo, Client),
        (ClaimInfo, Claim),
        (ReferralInfo, Referral),
        (ConsentInfo, Consent),
        (PracticeInfo, Practice),
        (ProviderInfo, Provider),
    ):
        assert {f.name for f in dataclasses.fields(kind)} <= _columns(model), kind
    lists = {"conditions", "medications", "allergies"}
    history_fields = {f.name for f in dataclasses.fields(HealthHistoryInfo)} - lists
    assert history_fields <= _columns(HealthHistory)


def test_the_record_form_edits_every_client_field_but_the_id_and_archiving() -> None:
    assert set(CLIENT_FIELDS) == {f.name for f in dataclasses.fields(ClientInfo)} - {
        "id",
        "archived",
    }


def test_the_client_file_holds_every_part_of_the_record(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
        update_client(
            session,
            client_id,
            pronouns="she/her",
            emergency_contact_name="Minh Nguyễn",
            date_of_birth=dt.date(1988, 4, 2),
        )
        closed = save_claim(
            session, client_id, None, payer_type=PayerType.SELF_PAY, active=False
        ).id
        claim = save_claim(
            session,
            client_id,
            None,
            payer_type=PayerType.PIP,
            payer_name="Evergreen Mutual",
            claim_number="EM-1",
            authorised_visits=12,
            unit_rule=UnitRule.AMA,
        ).id
        save_referral(
            session,
            client_id,
            None,
            prescriber="Dr. Priya Raman",
            claim_id=claim,
            icd10_codes=["S13.4XXA", "M54.2"],
            visits_authorised=8,
        )
        add_clearance(session, client_id, ["anticoagulant"], signed_on=TODAY)
        add_health_history_version(session, client_id, conditions=["Whiplash"])
        add_health_history_version(
            session,
            client_id,
            conditions=["Whiplash", "Migraine"],
            medications=[
                MedicationInfo("Warfarin", "5 mg", "clots", MedicationClass.ANTICOAGULANT)
            ],
            allergies=["Almond oil"],
        )

    with db.read() as session:
        record = load_client_file(session, client_id)

    assert record.client.full_name == "Zoë Nguyễn"
    assert record.client.pronouns == "she/her"
    assert record.client.emergency_contact_name == "Minh Nguyễn"
    assert record.client.date_of_birth == dt.date(1988, 4, 2)
    assert [c.id for c in record.claims] == [closed, claim]
    assert record.claims[1].payer == "Evergreen Mutual · Auto insurance (PIP)"
    assert record.claims[1].unit_rule is UnitRule.AMA
    assert record.claims[1].authorised_visits == 12
    (referral,) = record.referrals
    assert referral.claim_id == claim
    assert referral.icd10_codes == ("S13.4XXA", "M54.2")
    (clearance,) = record.consents
    assert clearance.kind is ConsentKind.TREATMENT
    assert clearance.clearance_codes == ("anticoagulant",)
    newest, oldest = record.histories
    assert (newest.version, oldest.version) == (2, 1)
    assert [c.name for c in newest.conditions] == ["Whiplash", "Migraine"]
    assert newest.medications == (
        MedicationInfo("Warfarin", "5 mg", "clots", MedicationClass.ANTICOAGULANT),
    )
    assert [a.substance for a in newest.allergies] == ["Almond oil"]

    with db.read() as session:
        overview = load_client_overview(session, client_id)
    assert overview.client == record.client
    assert overview.claim == record.claims[1]  # the open claim, not the closed one
    assert overview.referral == referral


def test_update_client_returns_what_changed_as_it_was(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Ana", last_name="Silva", phone="555 0100").id
    with db.write() as session:
        before = update_client(session, client_id, phone="555 0199", last_name="Silva")
    assert before == {"phone": "555 0100"}
