"""Client-record, note, billing, addendum and progress reads and writes for the record windows.

* **Stop/refer overrides** are rows of ``visit_overrides`` (one per alert code and visit), sealed
  by the signature's content hash, printed with the note and logged as audit CHANGE events.
* **Physician clearances** are TREATMENT consents whose ``clearance_codes`` name the alerts the
  physician cleared.
* The **SOAP sub-fields** (pain best/worst, functional limits, response, plan frequency...) are
  columns of the visit (``text_form.SUB_FIELDS``), beside the free text of each section.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from massage_chart.atlas import AtlasError, load_atlas
from massage_chart.domain import limits
from massage_chart.domain.alerts import (
    Alert,
    HealthSnapshot,
    Surgery,
    assess_health,
    blocking_alerts,
)
from massage_chart.domain.alerts import Medication as AlertMedication
from massage_chart.domain.authorisation import authorisation_warnings
from massage_chart.domain.client_file import ClientInfo
from massage_chart.domain.cpt import BillingEntry, check_billing
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.icd10 import Severity, check_codes
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.measures import STRUCTURED_FIELDS, MeasureError, entries_json
from massage_chart.domain.placement import placement_of
from massage_chart.domain.presentation import local_moment, recorded_moment
from massage_chart.domain.record_kinds import ConsentKind, PayerType, UnitRule, VisitStatus
from massage_chart.domain.sign_rules import NoteToSign, SignProblem, sign_problems
from massage_chart.domain.visit_record import noted_fields
from massage_chart.storage import audit
from massage_chart.storage.claim_counts import visit_authorisation
from massage_chart.storage.database import ChangedElsewhereError
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.marks import as_finding, mark_data, move_marks_to_atlas
from massage_chart.storage.models import (
    Addendum,
    BillingLine,
    Claim,
    Client,
    ClinicPerson,
    Consent,
    HealthHistory,
    Mark,
    Provider,
    Referral,
    Visit,
    VisitOverride,
    utc_now,
)
from massage_chart.storage.repositories import (
    FieldRefusedError,
    NotFoundError,
    check_row,
    get_client,
    get_practice,
    get_visit,
    get_visit_row,
    latest_health_history,
)
from massage_chart.storage.signing import SignRefusedError, note_to_sign, sign_visit

# --------------------------------------------------------------------------- client fields

CLIENT_FIELDS: tuple[str, ...] = tuple(
    declared.name
    for declared in dataclasses.fields(ClientInfo)
    if declared.name not in {"id", "archived"}
)
"""Every field of ``Client`` the record form edits."""


def update_client(session: Session, client_id: str, **fields: Any) -> dict[str, Any]:
    """Change fields of a client (only those of ``CLIENT_FIELDS``) and log a CHANGE event.

    Returns the fields that changed with the values they held before (what an undo writes back).

    Raises:
        NotFoundError: no client has that id.
        ValueError: a field name is not a client field.
        FieldRefusedError: a changed field is too long, holds a NUL, or is an impossible date
            (values stored earlier and left unchanged are not checked again).
    """
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise ValueError(f"Not client fields: {', '.join(sorted(unknown))}")
    client = get_client(session, client_id)
    changed = [name for name, value in fields.items() if getattr(client, name) != value]
    before = {name: getattr(client, name) for name in changed}
    for name in changed:
        setattr(client, name, fields[name])
    check_row(client, changed)
    if changed:
        client.refresh_search_key()
        session.flush()
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            client_id=client_id,
            detail="client record: " + ", ".join(changed),
        )
    return before


_Owned = TypeVar("_Owned", Claim, Referral, Consent)


def _save_owned(
    session: Session,
    model: type[_Owned],
    client_id: str,
    row_id: str | None,
    fields: dict[str, Any],
) -> _Owned:
    """Add a client's claim, referral or consent (``row_id`` None) or change one; audited.

    Raises:
        FieldRefusedError: a new or changed value is too long, out of range or out of order.
    """
    row = _owned(session, model, row_id, client_id) if row_id else None
    if row is None:
        get_client(session, client_id)
        row = model(client_id=client_id, **fields)
        check_row(row)
        session.add(row)
    else:
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, fields[name])
        check_row(row, changed)
    if isinstance(row, Claim) and row.date_of_injury is not None and row.id is not None:
        first_visit = session.scalar(
            select(Visit.start).where(Visit.claim_id == row.id).order_by(Visit.start).limit(1)
        )
        if first_visit is not None and first_visit.date() < row.date_of_injury:
            raise FieldRefusedError(
                f"The date of injury {row.date_of_injury.isoformat()} is after a visit billed to "
                f"this claim ({first_visit.date().isoformat()}); check the date."
            )
    session.flush()
    detail = model.__tablename__[:-1]
    audit.record(session, audit.AuditAction.CHANGE, client_id=client_id, detail=detail)
    return row


def save_claim(session: Session, client_id: str, claim_id: str | None, **fields: Any) -> Claim:
    """Add a claim (``claim_id`` None) or change one; returns it, flushed."""
    return _save_owned(session, Claim, client_id, claim_id, fields)


def save_referral(
    session: Session, client_id: str, referral_id: str | None, **fields: Any
) -> Referral:
    """Add a referral (``referral_id`` None) or change one; returns it, flushed."""
    return _save_owned(session, Referral, client_id, referral_id, fields)


def save_consent(
    session: Session, client_id: str, consent_id: str | None, **fields: Any
) -> Consent:
    """Add a consent (``consent_id`` None) or change one; returns it, flushed."""
    return _save_owned(session, Consent, client_id, consent_id, fields)


def _owned(session: Session, model: type[_Owned], row_id: str, client: str) -> _Owned:
    row = session.get(model, row_id)
    if row is None or row.client_id != client:
        raise NotFoundError(f"No {model.__tablename__[:-1]} with id {row_id!r} for this client.")
    return row


# --------------------------------------------------------------------------- clearances


def clearances_on_file(consents: Iterable[Consent], today: dt.date) -> frozenset[str]:
    """Alert codes with a clearance consent signed and not expired on ``today``."""
    codes: set[str] = set()
    for consent in consents:
        if consent.signed_on <= today and (
            consent.expires_on is None or consent.expires_on >= today
        ):
            codes |= {str(code) for code in consent.clearance_codes or ()}
    return frozenset(codes)


def add_clearance(
    session: Session,
    client_id: str,
    codes: Iterable[str],
    *,
    signed_on: dt.date,
    expires_on: dt.date | None = None,
    note: str = "",
) -> Consent:
    """Record a physician clearance for alert codes (a TREATMENT consent naming the codes).

    Raises:
        ValueError: no alert code is given.
    """
    cleared = sorted({code.strip() for code in codes if code.strip()})
    if not cleared:
        raise ValueError("Name the alert the physician cleared massage for.")
    return save_consent(
        session,
        client_id,
        None,
        kind=ConsentKind.TREATMENT,
        signed_on=signed_on,
        expires_on=expires_on,
        notes=note,
        clearance_codes=cleared,
    )


# --------------------------------------------------------------------------- overrides


def override_reasons(visit: Visit) -> dict[str, str]:
    """A visit's stop/refer overrides, alert code -> reason, in the order they were recorded."""
    return {o.code: o.reason for o in sorted(visit.overrides, key=lambda o: o.position)}


def record_override(
    session: Session, visit_id: str, code: str, reason: str, *, actor: str | None = None
) -> Visit:
    """Store a stop/refer override reason on a draft visit and log it as a CHANGE event.

    A second reason for the same alert replaces the first (the audit log keeps both).

    Raises:
        ValueError: the reason is blank.
        SignedVisitError: the visit is signed (at flush).
    """
    if not reason.strip():
        raise ValueError("Type the reason for going ahead (or the physician clearance).")
    problem = limits.OVERRIDE_REASON.problem(reason)
    if problem:
        raise FieldRefusedError(problem)
    visit = get_visit(session, visit_id)
    reason = " ".join(reason.split())
    who = actor or audit.current_actor()
    existing = next((o for o in visit.overrides if o.code == code), None)
    if existing is None:
        position = max((o.position for o in visit.overrides), default=-1) + 1
        visit.overrides.append(
            VisitOverride(code=code, reason=reason, position=position, recorded_by=who)
        )
    elif existing.reason != reason:
        existing.reason = reason
        existing.recorded_at = utc_now()
        existing.recorded_by = who
    session.flush()
    audit.record(
        session,
        audit.AuditAction.CHANGE,
        actor=actor,
        client_id=visit.client_id,
        visit_id=visit.id,
        detail=f"stop/refer override {code}: {reason}",
    )
    return visit


# --------------------------------------------------------------------------- health snapshot

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _surgeries(text: str) -> tuple[Surgery, ...]:
    result = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _ISO_DATE.search(line)
        date = None
        if match:
            try:
                date = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                date = None
        result.append(Surgery(line.strip(), date))
    return tuple(result)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    """Age in whole years on a day, or None without a date of birth."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def health_snapshot(
    session: Session, client_id: str, *, today: dt.date, health_update: str = ""
) -> HealthSnapshot:
    """What the alert rules read: the newest health history, age, clearances, today's update.

    Raises:
        NotFoundError: no client has that id.
    """
    # The client with its consents only (a client read in full earlier in the session is
    # taken as it is).
    client = session.get(Client, client_id, options=[selectinload(Client.consents)])
    if client is None:
        raise NotFoundError(f"No client with id {client_id!r}.")
    snapshot = _snapshot_of(client, latest_health_history(session, client_id), today)
    return dataclasses.replace(snapshot, health_update=health_update)


# --------------------------------------------------------------------------- SOAP sections

# --------------------------------------------------------------------------- visit note

NOTE_FIELDS: tuple[str, ...] = noted_fields()
"""Fields of ``Visit`` the note editor writes."""


def note_fields(visit: Visit) -> dict[str, Any]:
    """A visit's note fields as the editor shows them, with its overrides (code -> reason).

    Measures entries come in the one stored form (``_stored_form``): one stored by an older
    version, in a shorter form, reads as its rows show it, so showing it is no edit of the
    note's, nor a change made elsewhere.
    """
    fields = {
        name: _stored_form(name, getattr(visit, name)) for name in NOTE_FIELDS if name != "end"
    }
    fields["overrides"] = override_reasons(visit)
    return fields


class NoteChangedElsewhereError(ChangedElsewhereError):
    """Fields this save would write were changed elsewhere (another window or computer) since
    they were read: writing would silently overwrite that. Nothing was written.

    Attributes:
        theirs: each such field's value as saved elsewhere (field name -> value).
        changed_at: when the note was last saved (UTC), or None.
        changed_by: who saved it ("" when not known: notes saved before this was kept).
    """

    def __init__(
        self, theirs: Mapping[str, Any], changed_at: dt.datetime | None, changed_by: str = ""
    ) -> None:
        self.theirs = dict(theirs)
        self.changed_at = changed_at
        self.changed_by = changed_by
        super().__init__(
            "Changed elsewhere since this note was opened: "
            + ", ".join(NOTE_FIELD_NAMES.get(name, name) for name in self.theirs)
            + ". Nothing was written over it."
        )


#: The note's fields as a therapist names them, in messages.
NOTE_FIELD_NAMES = {
    "chief_complaint": "chief complaint",
    "health_update": "health update",
    "subjective": "Subjective notes",
    "functional_limits": "functional limits",
    "objective": "Objective",
    "assessment": "Assessment",
    "response": "response",
    "progress_toward_goals": "progress toward goals",
    "plan": "Plan notes",
    "frequency": "frequency",
    "home_care": "home care",
    "referrals_out": "referrals",
    "next_visit": "next visit",
    "techniques": "techniques",
    "pressure": "pressure",
    "positioning": "positioning",
    "icd10_codes": "diagnosis codes",
    "range_of_motion": "range of motion",
    "tolerances": "tolerances",
    "goals": "goals",
    "pain_before": "pain before",
    "pain_after": "pain after",
    "pain_best": "pain at best",
    "pain_worst": "pain at worst",
    "start": "time in",
    "end": "time out",
}


def update_visit_note(
    session: Session,
    visit_id: str,
    *,
    expected: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Visit:
    """Write note fields of a draft visit (a signed one raises ``SignedVisitError`` at flush).

    Args:
        expected: each field's value as the writer last read it. A field that holds something
            else now (saved elsewhere since), and not what this save writes, is a conflict:
            nothing is written. Fields saved elsewhere that this save does not write are kept.

    Raises:
        NotFoundError: no visit has that id.
        ValueError: a field is not a note field.
        FieldRefusedError: a changed field is too long, holds a NUL, or a score is out of range.
        NoteChangedElsewhereError: ``expected`` no longer holds for a field written.
    """
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise ValueError(f"Not note fields: {', '.join(sorted(unknown))}")
    for name in STRUCTURED_FIELDS.keys() & fields.keys():
        try:  # one stored form, whichever road the entries came by
            fields[name] = entries_json(name, fields[name])
        except MeasureError as exc:
            raise FieldRefusedError(str(exc)) from None
    visit = get_visit_row(session, visit_id)  # the note is the row's: its marks are not read
    if expected is not None:
        theirs = {
            name: _stored_form(name, getattr(visit, name))
            for name, value in fields.items()
            if name in expected
            and note_values_differ(
                _stored_form(name, getattr(visit, name)), _stored_form(name, expected[name])
            )
            and note_values_differ(_stored_form(name, getattr(visit, name)), value)
        }
        if theirs:
            raise NoteChangedElsewhereError(theirs, visit.updated_at, visit.note_saved_by or "")
    changed = [name for name, value in fields.items() if getattr(visit, name) != value]
    for name in changed:
        setattr(visit, name, fields[name])
    if changed:
        # A clinic's server writes the person signed in over this (migration 0010).
        visit.note_saved_by = (session.info.get("actor") or audit.current_actor())[:100]
    check_row(visit, changed)
    session.flush()
    if changed:
        # Who changed which part of the note, and the "something changed" other windows and
        # computers watch for (storage/watch.py): they show it in fields not being typed in.
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            client_id=visit.client_id,
            visit_id=visit_id,
            detail="note: " + ", ".join(NOTE_FIELD_NAMES.get(name, name) for name in changed),
        )
    return visit


def _stored_form(name: str, value: Any) -> Any:
    """A value as it would be stored now: measures entries of an older, shorter form (stored
    before every entry was written whole) compare equal to the same entries read back in full,
    so showing them is no change made elsewhere."""
    if name not in STRUCTURED_FIELDS or not value:
        return value
    try:
        return entries_json(name, value)
    except MeasureError:
        return value  # not readable: compared as it is


def note_values_differ(stored: Any, other: Any) -> bool:
    """Whether two values of a note field differ (no text and "" are the same; lists by items)."""
    if stored in (None, "") and other in (None, ""):
        return False
    if isinstance(stored, (list, tuple)) and isinstance(other, (list, tuple)):
        return list(stored) != list(other)
    return bool(stored != other)


@dataclass(frozen=True)
class BillingLineData:
    """One CPT line as the note editor holds it."""

    cpt: str
    minutes: int = 0
    units: int = 0
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = ()


def replace_billing_lines(
    session: Session, visit_id: str, lines: Sequence[BillingLineData]
) -> list[BillingLine]:
    """Replace a draft visit's billing lines with these, in order.

    Raises:
        FieldRefusedError: a code, minutes, units, modifier or pointer is out of range.
    """
    if len(lines) > limits.LIST_ITEMS:
        raise FieldRefusedError(
            f"A visit has at most {limits.LIST_ITEMS} billing lines; this one has {len(lines):,}."
        )
    rows = [
        BillingLine(
            position=index,
            cpt=line.cpt,
            minutes=line.minutes,
            units=line.units,
            modifiers=list(line.modifiers),
            diagnosis_pointers=list(line.diagnosis_pointers),
        )
        for index, line in enumerate(lines)
    ]
    for row in rows:
        check_row(row)
    visit = get_visit(session, visit_id)
    current = [
        (b.cpt, b.minutes, b.units, tuple(b.modifiers or ()), tuple(b.diagnosis_pointers or ()))
        for b in visit.billing_lines
    ]
    wanted = [(b.cpt, b.minutes, b.units, b.modifiers, b.diagnosis_pointers) for b in lines]
    if current == wanted:
        return list(visit.billing_lines)
    visit.billing_lines.clear()
    session.flush()
    visit.billing_lines.extend(rows)
    session.flush()
    return list(visit.billing_lines)


def billing_line_data(visit: Visit) -> list[BillingLineData]:
    """A visit's billing lines as plain values."""
    return [
        BillingLineData(
            b.cpt,
            b.minutes,
            b.units,
            tuple(str(m) for m in b.modifiers or ()),
            tuple(int(p) for p in b.diagnosis_pointers or ()),
        )
        for b in visit.billing_lines
    ]


def visit_unit_rule(session: Session, visit: Visit) -> tuple[UnitRule, PayerType]:
    """The unit rule and payer type that apply to a visit: its claim's, else self-pay."""
    claim = session.get(Claim, visit.claim_id) if visit.claim_id else None
    if claim is not None:
        return claim.unit_rule, claim.payer_type
    practice = get_practice(session)
    rule = practice.default_unit_rule if practice is not None else UnitRule.CMS
    return rule, PayerType.SELF_PAY


def _billing_errors(visit: Visit, unit_rule: UnitRule, payer_type: PayerType) -> list[str]:
    """The errors the note editor's billing panel shows: diagnosis codes, then billing lines."""
    codes = [str(code) for code in visit.icd10_codes or []]
    sides = [
        side for side in (_side(mark.side) for mark in visit.marks) if side is not Side.MIDLINE
    ]
    code_issues = check_codes(codes, mark_sides=sides)
    billing_issues = check_billing(
        [
            BillingEntry(
                cpt=line.cpt,
                minutes=line.minutes,
                units=line.units,
                modifiers=tuple(str(m) for m in line.modifiers or ()),
                diagnosis_pointers=tuple(int(p) for p in line.diagnosis_pointers or ()),
            )
            for line in visit.billing_lines
        ],
        unit_rule=unit_rule,
        visit_minutes=visit.duration_minutes,
        payer_type=payer_type,
        diagnosis_count=len(codes),
    )
    return [i.message for i in code_issues if i.severity is Severity.ERROR] + [
        i.message for i in billing_issues if i.severity is Severity.ERROR
    ]


def visit_to_sign(
    session: Session, visit_id: str, signer_id: str | None, *, today: dt.date
) -> NoteToSign:
    """A visit as the signing rules read it: its note, billing checks and open stop/refer alerts.

    ``signer_id`` None means the visit's own provider; ``today`` is the day the alerts are
    judged on (recent surgery counts back from it).

    Raises:
        NotFoundError: no visit, or no provider, has that id.
    """
    visit = get_visit(session, visit_id)
    signer = signer_id if signer_id is not None else visit.provider_id
    if signer and session.get(Provider, signer) is None:
        raise NotFoundError(f"No provider with id {signer!r}.")
    unit_rule, payer_type = visit_unit_rule(session, visit)
    snapshot = health_snapshot(
        session, visit.client_id, today=today, health_update=visit.health_update
    )
    overrides = override_reasons(visit)
    open_alerts = [
        alert.title for alert in blocking_alerts(assess_health(snapshot, today=today), overrides)
    ]
    standing = visit_authorisation(session, visit)
    return note_to_sign(
        visit,
        signer,
        billing_errors=_billing_errors(visit, unit_rule, payer_type),
        unresolved_alerts=open_alerts,
        billed_to_insurer=payer_type is not PayerType.SELF_PAY,
        authorisation_problems=authorisation_warnings(standing) if standing else (),
        written_by_student=is_student_provider(session, visit.provider_id),
    )


def is_student_provider(session: Session, provider_id: str | None) -> bool:
    """Whether a provider charts as a student of the clinic (never on one laptop)."""
    if provider_id is None:
        return False
    found = session.scalar(
        select(ClinicPerson.role_name).where(
            ClinicPerson.provider_id == provider_id, ClinicPerson.grp == "student"
        )
    )
    return found is not None


def supervisors(session: Session) -> list[Provider]:
    """The providers who may supervise a student: the clinic's therapists and owners who chart
    and can sign in, by name."""
    return list(
        session.scalars(
            select(Provider)
            .join(ClinicPerson, ClinicPerson.provider_id == Provider.id)
            .where(ClinicPerson.grp.in_(("therapist", "owner")), ClinicPerson.active)
            .order_by(Provider.last_name, Provider.first_name)
        ).unique()
    )


def set_supervisor(session: Session, visit_id: str, supervisor_id: str | None) -> Visit:
    """Name (or clear) the supervising therapist who co-signs a student's note, and audit it.

    Raises:
        NotFoundError: no visit has that id.
        SignedVisitError: the note is signed.
        ValueError: the supervisor is not one of the clinic's therapists or owners who chart.
    """
    visit = get_visit(session, visit_id)
    if visit.status is VisitStatus.SIGNED:
        raise SignedVisitError("A signed note keeps the supervisor who co-signed it.")
    if supervisor_id is not None and supervisor_id not in {p.id for p in supervisors(session)}:
        raise ValueError("The supervisor is one of the clinic's therapists who can sign in.")
    visit.supervisor_id = supervisor_id
    session.flush()
    audit.record(
        session,
        audit.AuditAction.CHANGE,
        client_id=visit.client_id,
        visit_id=visit.id,
        detail=f"supervising therapist: {supervisor_id or 'none'}",
    )
    return visit


def sign_check(
    session: Session, visit_id: str, signer_id: str | None, *, today: dt.date
) -> list[SignProblem]:
    """Every problem the signing rules find in a draft visit (blocking ones first)."""
    return sign_problems(visit_to_sign(session, visit_id, signer_id, today=today))


def _in_utc(moment: dt.datetime) -> dt.datetime:
    """A record-keeping time as stored: UTC without tzinfo (a naive one is taken as UTC already)."""
    return recorded_moment(moment) if moment.tzinfo is not None else moment


def sign_and_record(
    session: Session,
    visit_id: str,
    signer_id: str | None,
    signed_at: dt.datetime,
    *,
    accept_warnings: bool = False,
    today: dt.date | None = None,
) -> Visit:
    """Sign a draft visit when the signing rules allow, and log the SIGN event, in the caller's
    (one) write session. The window, the command line and the demo all sign through here; a
    chart charted on an older atlas is moved to the current one before it is checked and sealed.

    Args:
        session: the write session.
        visit_id: the visit to sign.
        signer_id: the provider who signs; None for the visit's own provider.
        signed_at: the time of the signature: aware (any zone), or naive in UTC; it is kept
            in UTC.
        accept_warnings: "sign anyway": likely-denial warnings do not stop the signature
            (blocking problems always do).
        today: the day stop/refer alerts are judged on; the signature's day when not given.

    Raises:
        NotFoundError: no visit, or no provider, has that id.
        SignRefusedError: the rules refused the note; nothing was changed.
        ValueError: the visit is already signed.
    """
    visit = get_visit(session, visit_id)
    if visit.status is VisitStatus.SIGNED:
        raise ValueError("This visit is already signed.")
    signed_at = _in_utc(signed_at)
    today = today or local_moment(signed_at).date()
    # Every road signs on the current body chart: a chart charted on an older atlas moves to it
    # first, region by region (the window moves it when it opens it). A chart whose marks cannot
    # all be placed there is signed on the atlas it was charted on, as it is drawn.
    with contextlib.suppress(AtlasError):
        move_marks_to_atlas(session, load_atlas(), visit_id)
    problems = sign_check(session, visit_id, signer_id, today=today)
    if any(problem.blocking for problem in problems) or (problems and not accept_warnings):
        raise SignRefusedError(visit_id, problems)
    signer = signer_id if signer_id is not None else visit.provider_id
    assert signer is not None  # a missing signer is a blocking problem
    sign_visit(visit, signer, signed_at)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.SIGN,
        actor=signer_id,
        client_id=visit.client_id,
        visit_id=visit.id,
        detail=f"signed, content hash {visit.content_hash}",
    )
    return visit


def addendum_hash(visit_id: str, author_id: str | None, created_at: dt.datetime, reason: str,
                  text: str) -> str:  # fmt: skip
    """The SHA-256 digest that seals an addendum's content."""
    payload = "\x1f".join([visit_id, author_id or "", created_at.isoformat(), reason, text])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def addendum_matches(addendum: Addendum) -> bool:
    """Whether a stored addendum still hashes to its recorded content hash (False without one)."""
    expected = addendum_hash(
        addendum.visit_id, addendum.author_id, addendum.created_at, addendum.reason, addendum.text
    )
    return addendum.content_hash is not None and addendum.content_hash == expected


def add_addendum(
    session: Session,
    visit_id: str,
    *,
    author_id: str | None,
    reason: str,
    text: str,
    created_at: dt.datetime | None = None,
) -> Addendum:
    """Append a dated, attributed addendum to a signed visit and log an ADDENDUM event.

    Raises:
        ValueError: the reason or the text is blank, or the visit is not signed yet.
        FieldRefusedError: the reason or text is too long or holds a NUL.
    """
    if not reason.strip():
        raise ValueError("Say why the addendum is written (late entry, correction...).")
    if not text.strip():
        raise ValueError("The addendum has no text.")
    problem = limits.fields_problem(limits.ADDENDUM, {"reason": reason.strip(), "text": text})
    if problem:
        raise FieldRefusedError(problem)
    visit = get_visit(session, visit_id)
    if visit.status is not VisitStatus.SIGNED:
        raise ValueError("Only a signed note takes addenda; edit the draft instead.")
    when = _in_utc(created_at) if created_at is not None else utc_now()
    addendum = Addendum(
        visit_id=visit_id,
        author_id=author_id,
        created_at=when,
        reason=reason.strip(),
        text=text,
        content_hash=addendum_hash(visit_id, author_id, when, reason.strip(), text),
    )
    session.add(addendum)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.ADDENDUM,
        actor=author_id,
        client_id=visit.client_id,
        visit_id=visit_id,
        detail=reason.strip(),
    )
    return addendum


# --------------------------------------------------------------------------- findings


def _kind(value: str) -> MarkKind | None:
    try:
        return MarkKind(value)
    except ValueError:
        return None


def _side(value: str) -> Side:
    try:
        return Side(value)
    except ValueError:
        return Side.MIDLINE


def mark_findings(marks: Iterable[Mark]) -> list[MarkFinding]:
    """Mark rows as findings for the SOAP and alert rules, named from the atlas."""
    atlas = load_atlas()
    return [
        as_finding(data, placement_of(atlas, data))
        for data in (mark_data(mark) for mark in marks if _kind(mark.kind) is not None)
    ]


def _visit_marks(session: Session, visit_id: str) -> list[Mark]:
    return list(
        session.scalars(
            select(Mark).where(Mark.visit_id == visit_id).order_by(Mark.created_at, Mark.id)
        )
    )


def visit_findings(session: Session, visit_id: str) -> list[MarkFinding]:
    """A visit's marks as findings."""
    return mark_findings(_visit_marks(session, visit_id))


def previous_visit_findings(session: Session, visit_id: str) -> list[MarkFinding] | None:
    """The findings of the client's visit before this one, or None when this is the first."""
    visit = get_visit(session, visit_id)
    previous = session.scalar(
        select(Visit)
        .where(Visit.client_id == visit.client_id, Visit.start < visit.start)
        .order_by(Visit.start.desc(), Visit.id.desc())
        .limit(1)
    )
    return None if previous is None else visit_findings(session, previous.id)


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class PainPoint:
    """Pain before and after one visit."""

    visit_id: str
    start: dt.datetime
    pain_before: int | None
    pain_after: int | None
    signed: bool = False


@dataclass(frozen=True)
class RegionTrend:
    """One finding on one region across a client's visits, oldest first.

    Attributes:
        kind: the mark kind.
        region_id: the region with its side.
        label: the region as charted ("R upper trapezius").
        values: (visit start, highest intensity that visit or None when charted unrated).
    """

    kind: MarkKind
    region_id: str
    label: str
    values: tuple[tuple[dt.datetime, int | None], ...] = field(default_factory=tuple)

    @property
    def first(self) -> int | None:
        """The first rated intensity."""
        return next((v for _, v in self.values if v is not None), None)

    @property
    def last(self) -> int | None:
        """The latest rated intensity."""
        return next((v for _, v in reversed(self.values) if v is not None), None)


def _client_visits(client_id: str, signed_only: bool) -> Select[Visit]:
    query = select(Visit).where(Visit.client_id == client_id).order_by(Visit.start, Visit.id)
    if signed_only:
        query = query.where(Visit.status == VisitStatus.SIGNED)
    return query


def pain_series(session: Session, client_id: str, *, signed_only: bool = False) -> list[PainPoint]:
    """Pain before and after, per visit (signed visits only if asked), oldest first."""
    rows = session.scalars(_client_visits(client_id, signed_only))
    return [
        PainPoint(v.id, v.start, v.pain_before, v.pain_after, v.status is VisitStatus.SIGNED)
        for v in rows
    ]


def region_trends(
    session: Session, client_id: str, *, signed_only: bool = False
) -> list[RegionTrend]:
    """Findings per kind and region across the client's visits (signed visits only if asked),
    oldest visit first.

    Only kinds that are findings (not treated areas or areas to avoid) are listed; trends are
    ordered with the most charted (then the highest latest intensity) first.
    """
    query = _client_visits(client_id, signed_only).options(selectinload(Visit.marks))
    visits = list(session.scalars(query))
    series: dict[tuple[MarkKind, str], dict[dt.datetime, int | None]] = {}
    labels: dict[tuple[MarkKind, str], str] = {}
    for visit in visits:
        for finding in mark_findings(visit.marks):
            if not finding.kind.legend.finding or not finding.region_id:
                continue
            key = (finding.kind, finding.region_id)
            labels.setdefault(key, finding.region_label or finding.region_id)
            per_visit = series.setdefault(key, {})
            old = per_visit.get(visit.start)
            new = finding.intensity
            per_visit[visit.start] = new if old is None else max(old, new or 0)
    trends = [
        RegionTrend(kind, region, labels[(kind, region)], tuple(sorted(values.items())))
        for (kind, region), values in series.items()
    ]
    trends.sort(key=lambda t: (-len(t.values), -(t.last or 0), t.label))
    return trends


# --------------------------------------------------------------------------- alerts on the chart


@dataclass(frozen=True)
class VisitAlerts:
    """A visit's safety alerts as the chart window reads them.

    Attributes:
        alerts: every alert of the client's health history and today's update, most severe first.
        overrides: stop/refer override reasons recorded on the visit (alert code -> reason).
        today: the day the alerts are judged on (the visit's date).
    """

    alerts: tuple[Alert, ...]
    overrides: dict[str, str]
    today: dt.date


def visit_alerts(session: Session, visit_id: str, *, today: dt.date | None = None) -> VisitAlerts:
    """The alerts of a visit's client, judged on the visit's date, with the visit's overrides.

    Raises:
        NotFoundError: no visit has that id.
    """
    visit = get_visit_row(session, visit_id)  # its overrides are read; its marks are not
    day = today or visit.start.date()
    snapshot = health_snapshot(
        session, visit.client_id, today=day, health_update=visit.health_update
    )
    return VisitAlerts(tuple(assess_health(snapshot, today=day)), override_reasons(visit), day)


def _snapshot_of(client: Client, history: HealthHistory | None, today: dt.date) -> HealthSnapshot:
    """What the alert rules read of a client and a health history already loaded."""
    clearances = clearances_on_file(client.consents, today)
    age = age_on(client.date_of_birth, today)
    if history is None:
        return HealthSnapshot(age=age, clearances_on_file=clearances)
    return HealthSnapshot(
        conditions=tuple(c.name for c in history.conditions if c.name.strip()),
        medications=tuple(
            AlertMedication(m.name, m.med_class) for m in history.medications if m.name.strip()
        ),
        allergies=tuple(a.substance for a in history.allergies if a.substance.strip()),
        surgeries=_surgeries(history.surgeries),
        injuries=_lines(history.injuries),
        pregnant=history.pregnant,
        pregnancy_weeks=history.pregnancy_weeks,
        age=age,
        clearances_on_file=clearances,
    )


def clients_alerts(
    session: Session, client_ids: Sequence[str], *, today: dt.date
) -> dict[str, list[Alert]]:
    """The alerts of many clients (a client list), read in a few queries whatever their number.

    Clients without an alert are left out.
    """
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    clients = session.scalars(
        select(Client).where(Client.id.in_(ids)).options(selectinload(Client.consents))
    ).all()
    newest = (
        select(HealthHistory.client_id, func.max(HealthHistory.version).label("version"))
        .where(HealthHistory.client_id.in_(ids))
        .group_by(HealthHistory.client_id)
        .subquery()
    )
    histories = session.scalars(
        select(HealthHistory)
        .join(
            newest,
            (HealthHistory.client_id == newest.c.client_id)
            & (HealthHistory.version == newest.c.version),
        )
        .options(
            selectinload(HealthHistory.conditions),
            selectinload(HealthHistory.medications),
            selectinload(HealthHistory.allergies),
        )
    ).all()
    history_of = {history.client_id: history for history in histories}
    found: dict[str, list[Alert]] = {}
    for client in clients:
        alerts = assess_health(_snapshot_of(client, history_of.get(client.id), today), today=today)
        if alerts:
            found[client.id] = alerts
    return found
