"""A visit's standing on its claim, read from the claim's visits and the referral on file."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage_chart.domain.authorisation import Authorisation, authorisation_of
from massage_chart.storage.models import Referral, Visit
from massage_chart.storage.progress_reports import reported_through


def _lapsed_referral(session: Session, visit: Visit) -> Referral | None:
    """For a visit that no referral in force covers: the newest referral of its claim (or of no
    claim) written before the visit's day, so its expiry can be named."""
    day = visit.start.date()
    return session.scalars(
        select(Referral)
        .where(
            Referral.client_id == visit.client_id,
            (Referral.claim_id == visit.claim_id) | Referral.claim_id.is_(None),
            Referral.expires_on.is_not(None),
            Referral.expires_on < day,
        )
        .order_by(Referral.expires_on.desc())
        .limit(1)
    ).first()


def visit_authorisation(session: Session, visit: Visit) -> Authorisation | None:
    """The visit's number on its claim, the visits authorised, the referral's expiry and the
    progress-report cycle; None for a visit on neither a claim nor a referral.

    The visits counted are those of the same claim, or of the same referral when the visit has
    no claim.
    """
    if visit.claim_id is not None:
        same = Visit.claim_id == visit.claim_id
    elif visit.referral_id is not None:
        same = Visit.referral_id == visit.referral_id
    else:
        return None
    rows = session.execute(select(Visit.id, Visit.start).where(same)).all()
    claim, referral = visit.claim, visit.referral or _lapsed_referral(session, visit)
    return authorisation_of(
        visit_id=visit.id,
        claim_visits=[(row.id, row.start) for row in rows],
        visit_start=visit.start,
        payer_type=claim.payer_type if claim is not None else None,
        claim_authorised=claim.authorised_visits if claim is not None else None,
        referral_authorised=referral.visits_authorised if referral is not None else None,
        referral_expires=referral.expires_on if referral is not None else None,
        reported_through=reported_through(session, claim.id) if claim is not None else None,
    )
