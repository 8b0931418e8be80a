"""A client's record as plain values: who they are, who pays, who referred them, what they signed
and their health history. The record window, the client header and the documents all read these;
``storage.mapping`` is the one place rows become them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from massage_chart.domain.presentation import listed_name, payer_label, person_name
from massage_chart.domain.record_kinds import ConsentKind, MedicationClass, PayerType, UnitRule


@dataclasses.dataclass(frozen=True)
class ClientInfo:
    """The client's own fields, as the record's Details tab edits them."""

    id: str
    first_name: str
    last_name: str
    preferred_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = ""
    pronouns: str = ""
    phone: str = ""
    alternate_phone: str = ""
    email: str = ""
    address: str = ""
    occupation: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relationship: str = ""
    primary_care_provider: str = ""
    primary_care_phone: str = ""
    referring_provider: str = ""
    goals: str = ""
    pressure_preference: str = ""
    notes: str = ""
    archived: bool = False

    @property
    def full_name(self) -> str:
        """The name as said aloud (``presentation.person_name``)."""
        return person_name(self.first_name, self.last_name)

    @property
    def list_name(self) -> str:
        """The name as in the client list: "Last, First" (``presentation.listed_name``)."""
        return listed_name(self.first_name, self.last_name)


@dataclasses.dataclass(frozen=True)
class ClaimInfo:
    """An insurance claim (or self-pay): who pays, under which numbers and unit rule."""

    payer_type: PayerType
    id: str = ""
    payer_name: str = ""
    claim_number: str = ""
    policy_number: str = ""
    adjuster: str = ""
    date_of_injury: dt.date | None = None
    authorised_visits: int | None = None
    unit_rule: UnitRule = UnitRule.CMS
    active: bool = True

    @property
    def payer(self) -> str:
        """ "State Farm · Auto insurance (PIP)" or the payer type alone, in the words the screen
        and the paper share."""
        kind = payer_label(self.payer_type)
        return f"{self.payer_name} · {kind}" if self.payer_name else kind


@dataclasses.dataclass(frozen=True)
class ReferralInfo:
    """A prescription or referral for massage therapy."""

    prescriber: str
    id: str = ""
    claim_id: str | None = None
    prescriber_npi: str = ""
    prescriber_phone: str = ""
    referral_date: dt.date | None = None
    expires_on: dt.date | None = None
    icd10_codes: tuple[str, ...] = ()
    visits_authorised: int | None = None
    frequency: str = ""
    instructions: str = ""


@dataclasses.dataclass(frozen=True)
class ConsentInfo:
    """A signed consent, or a physician's clearance (``clearance_codes`` names what it clears)."""

    kind: ConsentKind
    signed_on: dt.date
    id: str = ""
    expires_on: dt.date | None = None
    notes: str = ""
    clearance_codes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ConditionInfo:
    """One condition of a health history."""

    name: str
    since: str = ""
    notes: str = ""


@dataclasses.dataclass(frozen=True)
class MedicationInfo:
    """One medication of a health history, with the class its cautions come from."""

    name: str
    dose: str = ""
    purpose: str = ""
    med_class: MedicationClass | None = None


@dataclasses.dataclass(frozen=True)
class AllergyInfo:
    """One allergy of a health history."""

    substance: str
    reaction: str = ""


@dataclasses.dataclass(frozen=True)
class HealthHistoryInfo:
    """One version of the health history; a save writes the next version and keeps this one."""

    version: int
    recorded_at: dt.datetime
    id: str = ""
    surgeries: str = ""
    injuries: str = ""
    pregnant: bool = False
    pregnancy_weeks: int | None = None
    notes: str = ""
    conditions: tuple[ConditionInfo, ...] = ()
    medications: tuple[MedicationInfo, ...] = ()
    allergies: tuple[AllergyInfo, ...] = ()


@dataclasses.dataclass(frozen=True)
class ClientFile:
    """The whole record of one client, read at one moment."""

    client: ClientInfo
    histories: tuple[HealthHistoryInfo, ...]
    claims: tuple[ClaimInfo, ...]
    referrals: tuple[ReferralInfo, ...]
    consents: tuple[ConsentInfo, ...]
