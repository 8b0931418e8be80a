"""The note says where the visit stands on its claim: its number of those authorised, the
referral's expiry and the progress report due; signing warns past either limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from massage_chart.domain.record_kinds import PayerType
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.client_records import sign_check
from massage_chart.storage.database import Database
from massage_chart.storage.models import Claim, Referral, Visit
from tests.export.conftest import START, MadeVisit
from tests.export.pdftext import all_text, flat

Factory = Callable[..., MadeVisit]


def _on_claim(
    db: Database,
    made: MadeVisit,
    *,
    earlier: int,
    authorised: int | None,
    expires: dt.date | None,
    payer: PayerType = PayerType.WORKERS_COMP,
    every: int = 7,
) -> None:
    """Make the visit's claim ``payer``'s with ``authorised`` visits, its referral expire on
    ``expires``, and add ``earlier`` visits on the claim before it, ``every`` days."""
    with db.write() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None and visit.claim_id is not None
        claim = session.get(Claim, visit.claim_id)
        referral = session.get(Referral, visit.referral_id)
        assert claim is not None and referral is not None
        claim.payer_type = payer
        claim.authorised_visits = authorised
        referral.expires_on = expires
        for week in range(earlier, 0, -1):
            session.add(
                Visit(
                    client_id=visit.client_id,
                    provider_id=visit.provider_id,
                    claim_id=claim.id,
                    referral_id=referral.id,
                    start=START - dt.timedelta(days=every * week),
                )
            )


def _text(db: Database, made: MadeVisit) -> str:
    return flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))


def test_the_header_gives_the_count_the_expiry_and_the_report_due(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory(signed=False)
    _on_claim(db, made, earlier=5, authorised=12, expires=dt.date(2027, 1, 31), every=3)
    text = _text(db, made)
    assert flat("Visit 6 of 12 authorised") in text
    assert flat("Expires 31 Jan 2027") in text
    assert flat("Progress report due: 6 visits since 5 Nov 2026") in text


def test_a_month_without_six_visits_also_makes_the_report_due(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory(signed=False)
    _on_claim(db, made, earlier=5, authorised=12, expires=None)
    assert flat("Progress report due: a month has passed since 16 Oct 2026") in _text(db, made)


def test_a_visit_past_its_authorisation_and_referral_says_so_and_signing_warns(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory(signed=False)
    _on_claim(db, made, earlier=2, authorised=2, expires=dt.date(2026, 11, 19))
    text = _text(db, made)
    assert flat("Visit 3: 1 past the 2 authorised") in text
    assert flat("Expired 19 Nov 2026, before this visit") in text
    assert flat("Next progress report after visit 6 or by 6 Dec 2026") in text
    with db.read() as session:
        problems = sign_check(session, made.visit_id, None, today=START.date())
    messages = [p.message for p in problems if p.code == "authorisation"]
    assert len(messages) == 2
    assert "visit 3 and the claim authorises 2" in messages[0]
    assert "referral expired on 19 Nov 2026" in messages[1]
    assert not any(p.blocking for p in problems if p.code == "authorisation")


@pytest.mark.parametrize("payer", [PayerType.PIP, PayerType.COMMERCIAL])
def test_payers_without_a_report_rule_print_none(
    db: Database, visit_factory: Factory, payer: PayerType
) -> None:
    made = visit_factory(signed=False)
    _on_claim(db, made, earlier=5, authorised=None, expires=None, payer=payer)
    text = _text(db, made)
    assert flat("Visit 6 (no authorised count on file)") in text
    assert flat("Not required by this payer") in text
    with db.read() as session:
        problems = sign_check(session, made.visit_id, None, today=START.date())
    assert not [p for p in problems if p.code == "authorisation"]
