"""Record-window storage: client fields, claims, clearances, overrides, note, billing, progress."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from massage_chart.domain.alerts import AlertTier, assess_health
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import PayerType, UnitRule, VisitStatus
from massage_chart.storage.client_records import (
    BillingLineData,
    add_addendum,
    add_clearance,
    health_snapshot,
    override_reasons,
    pain_series,
    record_override,
    region_trends,
    replace_billing_lines,
    save_claim,
    sign_and_record,
    update_client,
    update_visit_note,
    visit_findings,
    visit_unit_rule,
)
from massage_chart.storage.database import Database
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.models import AuditEvent, Mark, Provider
from massage_chart.storage.repositories import (
    FieldRefusedError,
    add_client,
    add_health_history_version,
    create_visit,
    get_client,
    get_visit,
)
from massage_chart.storage.signing import visit_canonical_content, visit_content_hash
from tests.helpers.notes import complete_the_note
from tests.helpers.statements import counted

TODAY = dt.date(2026, 11, 23)


def _client(db: Database) -> tuple[str, str]:
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        client = add_client(session, first_name="Ana", last_name="Silva")
        session.flush()
        return client.id, provider.id


def test_update_client_changes_fields_and_logs(db: Database) -> None:
    client_id, _ = _client(db)
    with db.write() as session:
        update_client(session, client_id, email="ana@example.com", goals="Sleep without pain")
    with db.read() as session:
        client = get_client(session, client_id)
        assert client.email == "ana@example.com"
        assert "ana@example.com" in client.search_key
        events = session.scalars(select(AuditEvent.detail)).all()
        assert any("email" in detail for detail in events)
    with pytest.raises(ValueError, match="Not client fields"), db.write() as session:
        update_client(session, client_id, archived=True)


def test_clearance_consent_silences_clearance_alert(db: Database) -> None:
    client_id, _ = _client(db)
    with db.write() as session:
        add_health_history_version(session, client_id, conditions=["heart disease"])
    with db.read() as session:
        alerts = assess_health(health_snapshot(session, client_id, today=TODAY), today=TODAY)
    clearance = [a for a in alerts if a.tier is AlertTier.CLEARANCE]
    assert clearance and all(a.needs_clearance for a in clearance)
    with db.write() as session:
        add_clearance(session, client_id, [a.code for a in clearance], signed_on=TODAY)
    with db.read() as session:
        alerts = assess_health(health_snapshot(session, client_id, today=TODAY), today=TODAY)
    assert not [a for a in alerts if a.needs_clearance]


def test_overrides_are_rows_of_the_visit_and_are_logged(db: Database) -> None:
    client_id, provider_id = _client(db)
    with db.write() as session:
        visit = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 23, 9)
        )
        visit_id = visit.id
    with db.write() as session:
        update_visit_note(session, visit_id, health_update="Calf swollen since Monday")
        record_override(session, visit_id, "fever", "Temperature rechecked 36.8", actor="sam")
        record_override(session, visit_id, "dvt", "Cleared by  Dr Raman\nby phone")
        record_override(session, visit_id, "fever", "Rechecked again: 36.6")
    with db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.health_update == "Calf swollen since Monday"
        assert override_reasons(visit) == {
            "fever": "Rechecked again: 36.6",
            "dvt": "Cleared by Dr Raman by phone",
        }
        details = session.scalars(select(AuditEvent.detail)).all()
        assert any("fever" in d and "36.8" in d for d in details)
        assert any("fever" in d and "36.6" in d for d in details)
    with pytest.raises(ValueError, match="reason"), db.write() as session:
        record_override(session, visit_id, "dvt", "   ")


def test_saving_the_note_reads_the_visit_row_alone(db: Database) -> None:
    """The note is the visit row's: its save (every pause in typing) reads no marks, billing
    lines or addenda."""
    client_id, provider_id = _client(db)
    with db.write() as session:
        visit = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 23, 9)
        )
        visit_id = visit.id
    with db.write() as session, counted(db) as statements:
        update_visit_note(session, visit_id, subjective="Neck tight after a long drive")
    read = " ".join(statements)
    assert not any(table in read for table in ("FROM marks", "FROM billing_lines", "FROM addenda"))
    with db.read() as session:
        assert get_visit(session, visit_id).subjective == "Neck tight after a long drive"


def test_clearance_codes_are_kept_apart_from_the_consent_notes(db: Database) -> None:
    client_id, _ = _client(db)
    with db.write() as session:
        consent = add_clearance(
            session, client_id, ["dvt", " heart_disease", "dvt"], signed_on=TODAY, note="Fax"
        )
        assert (consent.clearance_codes, consent.notes) == (["dvt", "heart_disease"], "Fax")
    with pytest.raises(ValueError, match="Name the alert"), db.write() as session:
        add_clearance(session, client_id, [" "], signed_on=TODAY)


def test_note_billing_sign_and_addendum(db: Database) -> None:
    client_id, provider_id = _client(db)
    with db.write() as session:
        claim = save_claim(
            session, client_id, None, payer_type=PayerType.PIP, unit_rule=UnitRule.AMA
        )
        visit = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 23, 9)
        )
        visit_id = visit.id
        assert visit.claim_id == claim.id
    with db.write() as session:
        update_visit_note(session, visit_id, subjective="Neck stiff", pain_before=6)
        replace_billing_lines(session, visit_id, [BillingLineData("97140", 23, 2, ("59",), (1,))])
    with db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit_unit_rule(session, visit) == (UnitRule.AMA, PayerType.PIP)
        assert [(b.cpt, b.units, b.modifiers) for b in visit.billing_lines] == [
            ("97140", 2, ["59"])
        ]
    with pytest.raises(ValueError, match="Only a signed note"), db.write() as session:
        add_addendum(session, visit_id, author_id=provider_id, reason="Late", text="x")
    with db.write() as session:
        complete_the_note(session, visit_id)
        sign_and_record(session, visit_id, provider_id, dt.datetime(2026, 11, 23, 10))
    with pytest.raises(SignedVisitError), db.write() as session:
        update_visit_note(session, visit_id, subjective="changed")
    with db.write() as session:
        add_addendum(
            session, visit_id, author_id=provider_id, reason="Late entry", text="Ice advised."
        )
    with db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.status is VisitStatus.SIGNED and visit.subjective == "Neck stiff"
        assert [a.text for a in visit.addenda] == ["Ice advised."]
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "sign" in actions and "addendum" in actions


def test_the_signature_covers_the_sub_fields_and_overrides(db: Database) -> None:
    client_id, provider_id = _client(db)
    with db.write() as session:
        visit_id = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 23, 9)
        ).id
        update_visit_note(session, visit_id, subjective="Neck stiff", pain_best=2, home_care="Heat")
        record_override(session, visit_id, "dvt", "Cleared by phone")
    with pytest.raises(FieldRefusedError, match="Pain best"), db.write() as session:
        update_visit_note(session, visit_id, pain_best=11)
    with db.read() as session:
        visit = get_visit(session, visit_id)
        sealed = visit_content_hash(visit)
        assert visit.hash_version == 2
        visit.pain_best = 3
        assert visit_content_hash(visit) != sealed
        visit.pain_best = 2
        visit.overrides[0].reason = "Cleared by fax"
        assert visit_content_hash(visit) != sealed
        visit.overrides[0].reason = "Cleared by phone"
        assert visit_content_hash(visit) == sealed
        visit.hash_version = 1
        content = visit_canonical_content(visit)
        assert content["subjective"] == "Pain best: 2/10\n\nNeck stiff"
        assert content["plan"] == "Home care: Heat"
        assert content["health_update"] == "Stop/refer override [dvt]: Cleared by phone"
        session.rollback()


def test_findings_and_progress_from_marks(db: Database) -> None:
    client_id, provider_id = _client(db)
    with db.write() as session:
        add_health_history_version(session, client_id, medications=[MedicationInfo("warfarin")])
        ids = []
        for day, intensity in ((1, 7), (8, 5), (15, 3)):
            visit = create_visit(
                session,
                client_id,
                provider_id=provider_id,
                start=dt.datetime(2026, 11, day, 9),
                pain_before=intensity + 1,
                pain_after=intensity - 1,
            )
            session.add(
                Mark(
                    visit_id=visit.id,
                    kind=MarkKind.TRIGGER_POINT_ACTIVE.value,
                    view="posterior",
                    points=[[0.4, 0.2]],
                    region_id="upper_trapezius.r",
                    side="right",
                    intensity=intensity,
                )
            )
            ids.append(visit.id)
    with db.read() as session:
        findings = visit_findings(session, ids[-1])
        assert findings[0].region_label == "R upper trapezius"
        assert [p.pain_before for p in pain_series(session, client_id)] == [8, 6, 4]
        trend = region_trends(session, client_id)[0]
    assert (trend.label, trend.first, trend.last) == ("R upper trapezius", 7, 3)


def test_the_diagnoses_carry_to_the_next_visit_of_the_same_claim(db: Database) -> None:
    """Without a referral's codes, a new visit takes the codes of the claim's latest visit
    before it, as every road that opens a visit does (window, command line)."""
    client_id, provider_id = _client(db)
    with db.write() as session:
        first_claim = save_claim(session, client_id, None, payer_type=PayerType.PIP).id
        first = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 2, 9)
        )
        assert first.icd10_codes == []  # nothing to carry yet
        update_visit_note(session, first.id, icd10_codes=["S13.4XXA", "M54.2"])
        second = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 9, 9)
        )
        assert second.claim_id == first_claim
        assert second.icd10_codes == ["S13.4XXA", "M54.2"]
        # A visit charted later for an earlier day takes nothing from the visits after it.
        earlier = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 10, 1, 9)
        )
        assert earlier.icd10_codes == []
        # A new claim (the old one closed) starts its own episode.
        save_claim(session, client_id, first_claim, active=False)
        save_claim(session, client_id, None, payer_type=PayerType.WORKERS_COMP)
        other = create_visit(
            session, client_id, provider_id=provider_id, start=dt.datetime(2026, 11, 16, 9)
        )
        assert other.icd10_codes == []
