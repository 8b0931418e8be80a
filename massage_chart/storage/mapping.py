"""The one place database rows become domain values: each value's fields are declared once, in
the domain, and read from the row field by field."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from massage_chart.domain.client_file import (
    AllergyInfo,
    ClaimInfo,
    ClientFile,
    ClientInfo,
    ConditionInfo,
    ConsentInfo,
    HealthHistoryInfo,
    MedicationInfo,
    ReferralInfo,
)
from massage_chart.domain.measures import STRUCTURED_FIELDS, MeasureError
from massage_chart.domain.practice import PracticeInfo, ProviderInfo
from massage_chart.domain.visit_record import VisitRecord
from massage_chart.storage.models import (
    Claim,
    Client,
    Consent,
    HealthHistory,
    Practice,
    Provider,
    Referral,
    Visit,
)

T = TypeVar("T")

#: Fields the database keeps as JSON lists; the domain values hold them as tuples of text.
_SEQUENCES = frozenset({"techniques", "icd10_codes", "clearance_codes"})

#: A health history's lists, each read as a tuple of its own plain values.
_HISTORY_LISTS: dict[str, type[Any]] = {
    "conditions": ConditionInfo,
    "medications": MedicationInfo,
    "allergies": AllergyInfo,
}


def _plain(kind: type[T], row: object, **given: Any) -> T:
    """``kind`` filled from the row's attributes of the same names (``given`` ones aside)."""
    values: dict[str, Any] = dict(given)
    for field in dataclasses.fields(kind):  # type: ignore[arg-type]
        if field.name in values:
            continue
        value = getattr(row, field.name)
        values[field.name] = (
            tuple(str(v) for v in value or ()) if field.name in _SEQUENCES else value
        )
    return kind(**values)


def visit_record_of(visit: Visit) -> VisitRecord:
    """The visit row's own fields as a ``VisitRecord``, field by declared field; the structured
    lists (range of motion, tolerance, goals) as domain values, without any entry this version
    cannot read (a motion a newer version added): it is kept in the row, as stored."""
    return _plain(
        VisitRecord,
        visit,
        **{name: readable_entries(name, getattr(visit, name)) for name in STRUCTURED_FIELDS},
    )


def readable_entries(name: str, stored: Any) -> tuple[Any, ...]:
    """A structured field's stored entries as domain values, leaving out those that do not
    read."""
    kind = STRUCTURED_FIELDS[name]
    entries = []
    for entry in stored or ():
        try:
            entries.append(kind.from_json(entry))
        except MeasureError:
            continue
    return tuple(entries)


def client_info_of(client: Client) -> ClientInfo:
    """The client row's own fields."""
    return _plain(ClientInfo, client)


def claim_info_of(claim: Claim) -> ClaimInfo:
    """A claim row as a plain value."""
    return _plain(ClaimInfo, claim)


def referral_info_of(referral: Referral) -> ReferralInfo:
    """A referral row as a plain value."""
    return _plain(ReferralInfo, referral)


def consent_info_of(consent: Consent) -> ConsentInfo:
    """A consent row as a plain value."""
    return _plain(ConsentInfo, consent)


def health_history_info_of(history: HealthHistory) -> HealthHistoryInfo:
    """One health-history version with its conditions, medications and allergies."""
    lists = {
        name: tuple(_plain(kind, item) for item in getattr(history, name))
        for name, kind in _HISTORY_LISTS.items()
    }
    return _plain(HealthHistoryInfo, history, **lists)


def client_file_of(client: Client, histories: list[HealthHistory]) -> ClientFile:
    """The whole record of a client: the row, its history versions (as given) and its lists."""
    return ClientFile(
        client=client_info_of(client),
        histories=tuple(health_history_info_of(h) for h in histories),
        claims=tuple(claim_info_of(c) for c in client.claims),
        referrals=tuple(referral_info_of(r) for r in client.referrals),
        consents=tuple(consent_info_of(c) for c in client.consents),
    )


def practice_info_of(practice: Practice) -> PracticeInfo:
    """The practice row as a plain value."""
    return _plain(PracticeInfo, practice)


def provider_info_of(provider: Provider) -> ProviderInfo:
    """A provider row as a plain value."""
    return _plain(ProviderInfo, provider)
