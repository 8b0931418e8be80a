"""What the window shows about one client, read in one short session (pure Python, no Qt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from massage_chart.domain.presentation import PAYER_LABELS
from massage_chart.storage.repositories import get_client


@dataclass(frozen=True)
class ClaimLine:
    """The client's active claim, as the header shows it."""

    payer: str
    payer_name: str
    claim_number: str
    date_of_injury: dt.date | None
    authorised_visits: int | None


@dataclass(frozen=True)
class ReferralLine:
    """The client's latest referral or prescription."""

    prescriber: str
    icd10_codes: tuple[str, ...]
    referral_date: dt.date | None
    expires_on: dt.date | None


@dataclass(frozen=True)
class ClientRecord:
    """The header of the client record: who the client is and who pays."""

    id: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    phone: str
    email: str
    claim: ClaimLine | None
    referral: ReferralLine | None

    @property
    def full_name(self) -> str:
        """First and last name, as said aloud."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def list_name(self) -> str:
        """The name as in the client list: "Last, First"."""
        return f"{self.last_name}, {self.first_name}" if self.last_name else self.first_name


def load_client_record(session: Session, client_id: str) -> ClientRecord:
    """Read one client's header data.

    Raises:
        NotFoundError: the client does not exist (any more).
    """
    client = get_client(session, client_id)
    active = [c for c in client.claims if c.active]
    claim = active[-1] if active else None
    referral = client.referrals[-1] if client.referrals else None
    return ClientRecord(
        id=client.id,
        first_name=client.first_name,
        last_name=client.last_name,
        preferred_name=client.preferred_name,
        date_of_birth=client.date_of_birth,
        phone=client.phone,
        email=client.email,
        claim=(
            ClaimLine(
                payer=PAYER_LABELS.get(claim.payer_type, str(claim.payer_type.value)),
                payer_name=claim.payer_name,
                claim_number=claim.claim_number,
                date_of_injury=claim.date_of_injury,
                authorised_visits=claim.authorised_visits,
            )
            if claim is not None
            else None
        ),
        referral=(
            ReferralLine(
                prescriber=referral.prescriber,
                icd10_codes=tuple(str(code) for code in referral.icd10_codes or ()),
                referral_date=referral.referral_date,
                expires_on=referral.expires_on,
            )
            if referral is not None
            else None
        ),
    )
