"""SQLAlchemy 2 models of the clinical record: practice, providers, clients, visits, marks, billing."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from massage_chart.domain import visit_record
from massage_chart.domain.presentation import listed_name, person_name
from massage_chart.domain.record_kinds import (
    ConsentKind,
    MedicationClass,
    PayerType,
    UnitRule,
    VisitStatus,
)
from massage_chart.domain.text import fold, search_key

# Named constraints survive SQLite batch migrations (RELIABILITY.md B5).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 64

CURRENT_HASH_VERSION = visit_record.CURRENT_HASH_VERSION
"""The canonical-content version new signatures use, the newest a ``VisitRecord`` field declares."""

DIALECT_SPECIFIC_INDEXES = frozenset({"ix_clients_list"})
"""Indexes whose columns differ by database (migration 0003); schema comparison skips them."""


SERVER_ONLY_TABLES = frozenset({"mc_seal_key"})
"""Tables a clinic's PostgreSQL holds that the app never reads (migration 0017)."""


def include_in_schema_comparison(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic ``include_object`` hook: leave out the indexes that migrations shape per database,
    and the server's own tables the app never maps (the seal key, which it cannot read)."""
    if type_ == "table" and name in SERVER_ONLY_TABLES:
        return False
    return not (type_ == "index" and name in DIALECT_SPECIFIC_INDEXES)


def new_id() -> str:
    """A fresh record id: a UUID4 string, stable across export and import."""
    return str(uuid.uuid4())


def utc_now() -> dt.datetime:
    """The current time in UTC, naive (the storage convention for record-keeping timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with the project's constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _enum(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """Store an enum by its value, as a portable VARCHAR with a named CHECK constraint."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# --------------------------------------------------------------------------- practice and people


class Practice(Base):
    """The clinic or sole practice: the letterhead of every document."""

    __tablename__ = "practices"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    default_unit_rule: Mapped[UnitRule] = mapped_column(
        _enum(UnitRule, "unit_rule"), default=UnitRule.CMS
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    providers: Mapped[list[Provider]] = relationship(back_populates="practice")


class Provider(Base):
    """A therapist who charts and signs visits."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    practice_id: Mapped[str | None] = mapped_column(
        ForeignKey("practices.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    credentials: Mapped[str] = mapped_column(String(60), default="")
    license_number: Mapped[str] = mapped_column(String(60), default="")
    license_jurisdiction: Mapped[str] = mapped_column(String(60), default="")
    npi: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    practice: Mapped[Practice | None] = relationship(back_populates="providers")

    @property
    def display_name(self) -> str:
        """Name with credentials, as printed on a note ("Sam Lee, LMT")."""
        name = person_name(self.first_name, self.last_name)
        return f"{name}, {self.credentials}" if self.credentials else name


class Client(Base):
    """A person who receives treatment, with contacts, referral context and goals."""

    __tablename__ = "clients"
    # The client list is read in sort order, filtered by the folded search text. On SQLite the
    # migration adds search_key to this index so typing scans the index alone (see 0003).
    __table_args__ = (Index("ix_clients_list", "archived", "sort_key", "id"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    preferred_name: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(60), default="")
    pronouns: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    alternate_phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    occupation: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(String(60), default="")
    primary_care_provider: Mapped[str] = mapped_column(String(200), default="")
    primary_care_phone: Mapped[str] = mapped_column(String(40), default="")
    referring_provider: Mapped[str] = mapped_column(String(200), default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    pressure_preference: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    search_key: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(420), default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    visits: Mapped[list[Visit]] = relationship(
        back_populates="client", order_by="Visit.start.desc()", cascade="all, delete-orphan"
    )
    claims: Mapped[list[Claim]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Claim.created_at"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Referral.created_at"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Consent.signed_on"
    )
    health_histories: Mapped[list[HealthHistory]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="HealthHistory.version"
    )

    @property
    def full_name(self) -> str:
        """The name as said aloud (``presentation.person_name``: "王小明" family name first)."""
        return person_name(self.first_name, self.last_name)

    @property
    def list_name(self) -> str:
        """Name as in the client list ("Nguyễn, Zoë"; ``presentation.listed_name``)."""
        return listed_name(self.first_name, self.last_name)

    def refresh_search_key(self) -> None:
        """Recompute the folded text that search-as-you-type matches against."""
        dob = self.date_of_birth.isoformat() if self.date_of_birth else ""
        said = person_name(self.first_name, self.last_name)
        self.search_key = search_key(
            self.first_name,
            self.last_name,
            said if " " not in said and said != self.first_name.strip() else "",  # "王小明"
            self.preferred_name,
            self.phone,
            self.alternate_phone,
            self.email,
            dob,
        )
        self.sort_key = f"{fold(self.last_name)} {fold(self.first_name)}"[:420]


class Claim(Base):
    """An insurance claim or case that pays for visits (PIP, workers' comp, commercial, self-pay)."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    payer_type: Mapped[PayerType] = mapped_column(_enum(PayerType, "payer_type"))
    payer_name: Mapped[str] = mapped_column(String(200), default="")
    claim_number: Mapped[str] = mapped_column(String(80), default="")
    policy_number: Mapped[str] = mapped_column(String(80), default="")
    adjuster: Mapped[str] = mapped_column(String(200), default="")
    date_of_injury: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    authorised_visits: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_rule: Mapped[UnitRule] = mapped_column(_enum(UnitRule, "unit_rule"), default=UnitRule.CMS)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    client: Mapped[Client] = relationship(back_populates="claims")


class Referral(Base):
    """A prescription or referral: who referred, the diagnosis codes, the visits authorised."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[str | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), nullable=True, index=True
    )
    prescriber: Mapped[str] = mapped_column(String(200))
    prescriber_npi: Mapped[str] = mapped_column(String(10), default="")
    prescriber_phone: Mapped[str] = mapped_column(String(40), default="")
    referral_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    icd10_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    visits_authorised: Mapped[int | None] = mapped_column(Integer, nullable=True)
    frequency: Mapped[str] = mapped_column(String(120), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    client: Mapped[Client] = relationship(back_populates="referrals")
    claim: Mapped[Claim | None] = relationship()


class Consent(Base):
    """A signed consent with its date and expiry."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(_enum(ConsentKind, "consent_kind"))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    clearance_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Alert codes a physician cleared massage for; empty for any other consent."""

    client: Mapped[Client] = relationship(back_populates="consents")


class HealthHistory(Base):
    """One version of a client's health history; a new version is written for every change."""

    __tablename__ = "health_histories"
    __table_args__ = (UniqueConstraint("client_id", "version", name="uq_health_histories_version"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    recorded_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), nullable=True
    )
    visit_id: Mapped[str | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), nullable=True
    )
    surgeries: Mapped[str] = mapped_column(Text, default="")
    injuries: Mapped[str] = mapped_column(Text, default="")
    pregnant: Mapped[bool] = mapped_column(default=False)
    pregnancy_weeks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    client: Mapped[Client] = relationship(back_populates="health_histories")
    conditions: Mapped[list[Condition]] = relationship(
        back_populates="history", cascade="all, delete-orphan", order_by="Condition.position"
    )
    medications: Mapped[list[Medication]] = relationship(
        back_populates="history", cascade="all, delete-orphan", order_by="Medication.position"
    )
    allergies: Mapped[list[Allergy]] = relationship(
        back_populates="history", cascade="all, delete-orphan", order_by="Allergy.position"
    )


class Condition(Base):
    """A condition in one health-history version (e.g. osteoporosis, diabetes type 2)."""

    __tablename__ = "conditions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    history_id: Mapped[str] = mapped_column(
        ForeignKey("health_histories.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    since: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    history: Mapped[HealthHistory] = relationship(back_populates="conditions")


class Medication(Base):
    """A medication or supplement, with the class that safety alerts read."""

    __tablename__ = "medications"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    history_id: Mapped[str] = mapped_column(
        ForeignKey("health_histories.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    dose: Mapped[str] = mapped_column(String(120), default="")
    purpose: Mapped[str] = mapped_column(String(300), default="")
    med_class: Mapped[MedicationClass | None] = mapped_column(
        _enum(MedicationClass, "medication_class"), nullable=True
    )

    history: Mapped[HealthHistory] = relationship(back_populates="medications")


class Allergy(Base):
    """An allergy or sensitivity (including massage oils and lotions)."""

    __tablename__ = "allergies"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    history_id: Mapped[str] = mapped_column(
        ForeignKey("health_histories.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    substance: Mapped[str] = mapped_column(String(300))
    reaction: Mapped[str] = mapped_column(String(300), default="")

    history: Mapped[HealthHistory] = relationship(back_populates="allergies")


# --------------------------------------------------------------------------- visits


class Visit(Base):
    """One treatment session: times, provider, the SOAP note, pain scores, marks and billing."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_client_start", "client_id", "start"),
        CheckConstraint("pain_before IS NULL OR pain_before BETWEEN 0 AND 10", name="pain_before"),
        CheckConstraint("pain_after IS NULL OR pain_after BETWEEN 0 AND 10", name="pain_after"),
        CheckConstraint("pressure IS NULL OR pressure BETWEEN 0 AND 5", name="pressure"),
        CheckConstraint('"end" IS NULL OR "end" >= start', name="end_after_start"),
        CheckConstraint("pain_best IS NULL OR pain_best BETWEEN 0 AND 10", name="pain_best"),
        CheckConstraint("pain_worst IS NULL OR pain_worst BETWEEN 0 AND 10", name="pain_worst"),
        CheckConstraint("hash_version IN (1, 2)", name="hash_version"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    provider_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    claim_id: Mapped[str | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), nullable=True, index=True
    )
    referral_id: Mapped[str | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True, index=True
    )
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[VisitStatus] = mapped_column(
        _enum(VisitStatus, "visit_status"), default=VisitStatus.DRAFT
    )
    chief_complaint: Mapped[str] = mapped_column(Text, default="")
    health_update: Mapped[str] = mapped_column(Text, default="")
    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    pain_best: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pain_worst: Mapped[int | None] = mapped_column(Integer, nullable=True)
    functional_limits: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")
    progress_toward_goals: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(Text, default="")
    home_care: Mapped[str] = mapped_column(Text, default="")
    referrals_out: Mapped[str] = mapped_column(Text, default="")
    next_visit: Mapped[str] = mapped_column(Text, default="")
    pain_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pain_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    techniques: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pressure: Mapped[int | None] = mapped_column(Integer, nullable=True)
    positioning: Mapped[str] = mapped_column(String(200), default="")
    icd10_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    range_of_motion: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    tolerances: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    goals: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    """Range of motion, tolerance and goals at this visit: JSON entries checked by
    ``domain/measures.py`` on every road in; sealed from hash version 3."""
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    signed_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), nullable=True
    )
    # The supervising therapist (a provider id) who co-signs a student's note (clinic mode);
    # once signed they are its signer. Not sealed: a signed visit cannot change (triggers), and
    # its signer is. Not a foreign key (adding one on SQLite rebuilds the table and drops its
    # triggers): set only through ``set_supervisor``, and on the clinic's server the visit guard
    # accepts only one of its therapists.
    supervisor_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash_version: Mapped[int] = mapped_column(
        Integer, default=CURRENT_HASH_VERSION, server_default=str(CURRENT_HASH_VERSION)
    )
    """Which canonical content the content hash covers (storage/signing.py); 1 before 0005."""
    imported_from: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """For a note signed elsewhere and imported from a chart file: the system it came from (the
    file's practice and program). None for a note signed in these records. Not sealed: it says
    how the seal came here, not what the note says."""
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    imported_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    imported_seal: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """What the file said of the signature's seal: "carried" (its content hash came with it and
    matched), "mismatch" (it came and did not match), "added" (none came; sealed on import)."""
    note_saved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """Who last saved a change to the note's text (a clinic's server writes it from the person
    signed in). Not sealed: it says who was typing, not what the note says."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    client: Mapped[Client] = relationship(back_populates="visits")
    provider: Mapped[Provider | None] = relationship(foreign_keys=[provider_id])
    signed_by: Mapped[Provider | None] = relationship(foreign_keys=[signed_by_id])
    claim: Mapped[Claim | None] = relationship()
    referral: Mapped[Referral | None] = relationship()
    marks: Mapped[list[Mark]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Mark.created_at"
    )
    billing_lines: Mapped[list[BillingLine]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="BillingLine.position"
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Addendum.created_at"
    )
    overrides: Mapped[list[VisitOverride]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitOverride.position"
    )

    @property
    def is_signed(self) -> bool:
        """Whether the visit is locked by a signature."""
        return self.status is VisitStatus.SIGNED

    @property
    def duration_minutes(self) -> int | None:
        """Minutes between time in and time out, if both are known."""
        if self.end is None:
            return None
        return int((self.end - self.start).total_seconds() // 60)


class VisitOverride(Base):
    """The reason a therapist went ahead despite a stop/refer alert, recorded on the visit."""

    __tablename__ = "visit_overrides"
    __table_args__ = (UniqueConstraint("visit_id", "code", name="uq_visit_overrides_code"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")

    visit: Mapped[Visit] = relationship(back_populates="overrides")


class Mark(Base):
    """A finding or treatment charted on a view of the body atlas.

    ``points`` holds normalized view coordinates ``[[x, y], ...]`` in [0, 1] (fractions of the view's
    frame, origin top-left) of the atlas version ``atlas_version``. ``region_id`` and ``side``
    are computed from that atlas, never typed.
    """

    __tablename__ = "marks"
    __table_args__ = (
        CheckConstraint("intensity IS NULL OR intensity BETWEEN 0 AND 10", name="intensity"),
        CheckConstraint("pressure IS NULL OR pressure BETWEEN 0 AND 5", name="pressure"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
        CheckConstraint("side IN ('left', 'right', 'midline')", name="side"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    view: Mapped[str] = mapped_column(String(40))
    points: Mapped[list[Any]] = mapped_column(JSON)
    region_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    side: Mapped[str] = mapped_column(String(8), default="midline")
    whole_region: Mapped[bool] = mapped_column(default=False)
    intensity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deep_muscle: Mapped[str] = mapped_column(String(120), default="")
    technique: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pressure: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(default=True)
    carried_from_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    # The atlas version it was charted on (migration 0019): a signed chart is drawn on it.
    atlas_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    visit: Mapped[Visit] = relationship(back_populates="marks")


class BillingLine(Base):
    """One CPT line of a visit: code, timed minutes, units, modifiers, diagnosis pointers."""

    __tablename__ = "billing_lines"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes"),
        CheckConstraint("units >= 0", name="units"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    cpt: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    modifiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    diagnosis_pointers: Mapped[list[Any]] = mapped_column(JSON, default=list)

    visit: Mapped[Visit] = relationship(back_populates="billing_lines")


class Addendum(Base):
    """A dated, attributed correction or late entry, shown after a signed note and never merged."""

    __tablename__ = "addenda"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    visit: Mapped[Visit] = relationship(back_populates="addenda")
    author: Mapped[Provider | None] = relationship()


class ProgressReport(Base):
    """A signed progress report: which signed notes of a client it covers (over a span of days),
    who signed it and when, sealed by a hash of those notes' own seals. Never changed or
    removed. The document itself is drawn from the notes it covers, which never change."""

    __tablename__ = "progress_reports"
    __table_args__ = (Index("ix_progress_reports_client", "client_id", "period_to"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    claim_id: Mapped[str | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), nullable=True
    )
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    visit_ids: Mapped[list[Any]] = mapped_column(JSON)
    signed_by_id: Mapped[str] = mapped_column(ForeignKey("providers.id", ondelete="RESTRICT"))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_from: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """For a report signed in another system and imported from a chart file: that system."""
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    signed_by: Mapped[Provider] = relationship()


class AuditEvent(Base):
    """One entry of the hash-chained audit log: who did what, when, to which client's record."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    visit_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Seal(Base):
    """A keyed seal over a signed record's content hash (``seals.py``): an HMAC-SHA-256 made with
    a key the database does not hold. Never changed or removed; a record may gain more seals
    (another key), and one good seal under a key at hand proves its hash was not redone."""

    __tablename__ = "seals"
    __table_args__ = (Index("ix_seals_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    content_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)


class OutcomeRecord(Base):
    """One completed outcome measure (an answer sheet); never edited: a correction is a new record
    that names the one it replaces. The score is computed from the answers, never stored."""

    __tablename__ = "outcome_records"
    __table_args__ = (Index("ix_outcome_records_client_taken", "client_id", "taken_on"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    visit_id: Mapped[str | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), nullable=True
    )
    measure: Mapped[str] = mapped_column(String(32))
    measure_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[list[Any]] = mapped_column(JSON)
    activities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    recorded_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), nullable=True
    )
    replaces_id: Mapped[str | None] = mapped_column(
        ForeignKey("outcome_records.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class PainMapRecord(Base):
    """The client's own pain map of one day (ACR 2016 WPI, with the symptom scale when asked):
    the atlas regions they marked, kept as given; never edited: a correction is a new record that
    names the one it replaces. The scores are computed from the answers, never stored."""

    __tablename__ = "pain_maps"
    __table_args__ = (Index("ix_pain_maps_client_taken", "client_id", "taken_on"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    visit_id: Mapped[str | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), nullable=True
    )
    instrument: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[int] = mapped_column(Integer)
    map_version: Mapped[int] = mapped_column(Integer)
    regions: Mapped[list[Any]] = mapped_column(JSON)
    symptoms: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    three_months: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    recorded_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), nullable=True
    )
    replaces_id: Mapped[str | None] = mapped_column(
        ForeignKey("pain_maps.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class ClinicPerson(Base):
    """A person of a clinic: their PostgreSQL login role, group and (if they chart) provider.

    Empty outside clinic mode; on PostgreSQL the server's triggers read it (migration 0007).
    """

    __tablename__ = "clinic_people"
    __table_args__ = (
        CheckConstraint("grp IN ('owner', 'therapist', 'front_desk', 'student')", name="grp"),
    )

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    grp: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
