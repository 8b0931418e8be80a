"""Signing through storage: the rules run on the stored visit, and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import PayerType, UnitRule, VisitStatus
from massage_chart.storage.client_records import (
    add_clearance,
    record_override,
    sign_and_record,
    sign_check,
    update_visit_note,
)
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, BillingLine, Claim, Mark, Provider
from massage_chart.storage.repositories import (
    NotFoundError,
    add_client,
    add_health_history_version,
    create_visit,
    get_visit,
)
from massage_chart.storage.signing import SignRefusedError, verify_visit_hash

START = dt.datetime(2026, 11, 20, 7, 14)
SIGNED_AT = dt.datetime(2026, 11, 20, 8, 30)


@dataclass(frozen=True)
class Practice:
    provider_id: str
    client_id: str
    visit_id: str


def complete_claim_visit(db: Database) -> Practice:
    """A PIP visit whose note passes every rule: S, O, A, P, pain, ICD-10, a CPT line, times."""
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        claim = Claim(
            client_id=client.id,
            payer_type=PayerType.PIP,
            claim_number="PIP-1",
            unit_rule=UnitRule.CMS,
        )
        session.add(claim)
        session.flush()
        visit = create_visit(
            session,
            client.id,
            provider_id=provider.id,
            start=START,
            end=START + dt.timedelta(minutes=60),
            subjective="Neck pain 6/10 since the collision.",
            objective="Hypertonic right upper trapezius.",
            assessment="Rotation improved; pain 3/10 after.",
            plan="Weekly for four weeks.",
            pain_before=6,
            pain_after=3,
        )
        visit.claim_id = claim.id
        visit.icd10_codes = ["M54.2"]
        visit.billing_lines.append(
            BillingLine(position=0, cpt="97140", minutes=53, units=4, diagnosis_pointers=[1])
        )
        return Practice(provider.id, client.id, visit.id)


def _status(db: Database, visit_id: str) -> VisitStatus:
    with db.read() as session:
        return get_visit(session, visit_id).status


def test_a_complete_note_signs_seals_and_is_audited(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with any_db.read() as session:
        assert sign_check(session, practice.visit_id, None, today=START.date()) == []
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    with any_db.read() as session:
        visit = get_visit(session, practice.visit_id)
        assert visit.status is VisitStatus.SIGNED and verify_visit_hash(visit)
        assert visit.signed_by_id == practice.provider_id  # the visit's own provider
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.visit_id == practice.visit_id)
        ).all()
        assert "sign" in actions


def test_issue_12_is_refused_and_nothing_changes(any_db: Database) -> None:
    """No end time, an unconfirmed copied mark, empty O and A, no ICD-10 code, no CPT line."""
    practice = complete_claim_visit(any_db)
    with any_db.write() as session:
        visit = update_visit_note(
            session, practice.visit_id, end=None, objective="", assessment="", icd10_codes=[]
        )
        visit.billing_lines.clear()
        visit.marks.append(
            Mark(kind="tender_point", view="posterior", points=[[0.4, 0.2]], confirmed=False)
        )
    with pytest.raises(SignRefusedError) as refused, any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT, accept_warnings=True)
    assert [p.code for p in refused.value.blocking] == ["no_end_time", "unconfirmed_marks"]
    assert [p.code for p in refused.value.warnings] == [
        "no_objective",
        "no_assessment",
        "no_diagnosis_code",
        "no_billing_line",
    ]
    assert "cannot be signed" in str(refused.value) and "time out" in str(refused.value)
    assert _status(any_db, practice.visit_id) is VisitStatus.DRAFT


def test_warnings_need_sign_anyway(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with any_db.write() as session:
        update_visit_note(session, practice.visit_id, icd10_codes=["M54.5"])  # not billable
    with pytest.raises(SignRefusedError) as refused, any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    assert not refused.value.blocking
    assert [p.code for p in refused.value.warnings] == ["billing_error"]
    assert "M54.5" in refused.value.warnings[0].message
    assert _status(any_db, practice.visit_id) is VisitStatus.DRAFT
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT, accept_warnings=True)
    assert _status(any_db, practice.visit_id) is VisitStatus.SIGNED


def test_a_stop_alert_blocks_until_an_override_or_a_clearance(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with any_db.write() as session:
        add_health_history_version(session, practice.client_id, conditions=["DVT left calf"])
    with any_db.read() as session:
        problems = sign_check(session, practice.visit_id, None, today=START.date())
    assert [(p.code, p.blocking) for p in problems] == [("stop_refer_alert", True)]
    assert "blood clot" in problems[0].message

    with any_db.write() as session:
        add_clearance(session, practice.client_id, ["dvt"], signed_on=START.date())
    with any_db.read() as session:
        assert sign_check(session, practice.visit_id, None, today=START.date()) == []


def test_an_override_reason_lifts_the_stop_alert(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with any_db.write() as session:
        add_health_history_version(session, practice.client_id, conditions=["DVT left calf"])
    with any_db.write() as session:
        record_override(session, practice.visit_id, "dvt", "Treated; cleared by Dr Raman by phone")
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    assert _status(any_db, practice.visit_id) is VisitStatus.SIGNED


def test_the_signer_must_exist_and_be_named(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with pytest.raises(NotFoundError, match="No provider with id 'nobody'"), any_db.write() as s:
        sign_and_record(s, practice.visit_id, "nobody", SIGNED_AT)
    with pytest.raises(SignRefusedError) as refused, any_db.write() as session:
        sign_and_record(session, practice.visit_id, "", SIGNED_AT, accept_warnings=True)
    assert [p.code for p in refused.value.problems] == ["no_signer"]
    with pytest.raises(NotFoundError), any_db.write() as session:
        sign_and_record(session, "no-such-visit", None, SIGNED_AT)


def test_a_signed_visit_is_not_signed_again(any_db: Database) -> None:
    practice = complete_claim_visit(any_db)
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    with pytest.raises(ValueError, match="already signed"), any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT, accept_warnings=True)


def _chart_on_version_2(db: Database, visit_id: str, *marks: tuple[MarkKind, str]) -> None:
    """Marks stored as charted on atlas version 2 (the rhomboids still on the back view), each
    one point at its region's inner point: an area of one point is stored malformed."""
    old = load_atlas(2)
    with db.write() as session:
        for kind, region_id in marks:
            region = old.region("posterior", region_id)
            session.add(
                Mark(
                    visit_id=visit_id, kind=kind.value, view="posterior",
                    points=[list(region.inner_point)], region_id=region.id, side=region.side,
                    atlas_version=2,
                )
            )  # fmt: skip


def test_a_chart_from_an_older_atlas_moves_to_the_current_one_before_it_is_signed(
    any_db: Database,
) -> None:
    """Signed from the command line or an import as from the window: on the current atlas, the
    rhomboids (a surface region of version 2) on the deep layer that holds them now."""
    current = load_atlas()
    practice = complete_claim_visit(any_db)
    _chart_on_version_2(any_db, practice.visit_id, (MarkKind.TRIGGER_POINT_ACTIVE, "rhomboid.r"))
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    with any_db.read() as session:
        visit = get_visit(session, practice.visit_id)
        assert visit.status is VisitStatus.SIGNED and verify_visit_hash(visit)
        (mark,) = visit.marks
        assert (mark.view, mark.region_id, mark.atlas_version) == (
            "posterior_deep",
            "rhomboid.r",
            current.version,
        )
        assert current.region_at(mark.view, *mark.points[0]).id == "rhomboid.r"
        details = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.visit_id == practice.visit_id)
        ).all()
        assert any("moved to body-chart version" in d for d in details)


def test_a_chart_that_cannot_move_whole_is_signed_on_its_own_atlas(any_db: Database) -> None:
    """A mark stored malformed (an area of one point, not whole-region) cannot be placed on
    the current atlas: no mark moves, and the note is signed on the atlas it was charted on."""
    practice = complete_claim_visit(any_db)
    _chart_on_version_2(
        any_db,
        practice.visit_id,
        (MarkKind.TENDER_POINT, "rhomboid.r"),
        (MarkKind.HYPERTONICITY, "teres.r"),
    )
    with any_db.write() as session:
        sign_and_record(session, practice.visit_id, None, SIGNED_AT)
    with any_db.read() as session:
        visit = get_visit(session, practice.visit_id)
        assert visit.status is VisitStatus.SIGNED and verify_visit_hash(visit)
        assert {(m.view, m.atlas_version) for m in visit.marks} == {("posterior", 2)}
