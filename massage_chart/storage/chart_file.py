"""The chart file (format ``massage-chart/6``): lossless JSON export and a validating import.

Files of format ``massage-chart/5`` (the same fields; marks on atlas versions 1 and 2 only),
``massage-chart/4`` (no pain maps of the client's own),
``massage-chart/3`` (no range of motion, tolerance or goals per visit),
``massage-chart/2`` (no outcome measures either) and ``massage-chart/1`` are still read: the overrides, clearances and SOAP sub-fields of a version 1 file, held as lines of text
then, are parsed into fields as schema 0005 did.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from massage_chart import __version__
from massage_chart.domain import limits
from massage_chart.domain.atlas import AtlasError, load_atlas
from massage_chart.domain.marks import MARK_FIELDS, MarkKind
from massage_chart.domain.measures import STRUCTURED_FIELDS, MeasureError, entries_json
from massage_chart.domain.outcomes import OutcomeError, measure
from massage_chart.domain.pain_map import instrument as pain_map_instrument
from massage_chart.domain.placement import PlacementError, locate
from massage_chart.domain.record_kinds import (
    ConsentKind,
    MedicationClass,
    PayerType,
    UnitRule,
    VisitStatus,
)
from massage_chart.domain.sign_rules import blocking_problems
from massage_chart.files import replace_whole
from massage_chart.resources import resource_path
from massage_chart.storage import audit
from massage_chart.storage.client_records import addendum_hash
from massage_chart.storage.models import (
    CURRENT_HASH_VERSION,
    Addendum,
    Allergy,
    BillingLine,
    Claim,
    Client,
    Condition,
    Consent,
    HealthHistory,
    Mark,
    Medication,
    OutcomeRecord,
    PainMapRecord,
    Practice,
    ProgressReport,
    Provider,
    Referral,
    Visit,
    VisitOverride,
    utc_now,
)
from massage_chart.storage.outcomes import sheet_problem
from massage_chart.storage.pain_maps import pain_map_problem
from massage_chart.storage.progress_reports import report_seal
from massage_chart.storage.repositories import row_problem
from massage_chart.storage.signing import note_to_sign, visit_content_hash
from massage_chart.storage.text_form import (
    SCORE_FIELDS,
    SUB_FIELDS,
    parse_visit_text,
    split_clearance,
)
from massage_chart.storage.undo_support import client_own_reports

FORMAT = "massage-chart/6"
FORMAT_FAMILY = "massage-chart/"
READABLE_FORMATS = (
    "massage-chart/1", "massage-chart/2", "massage-chart/3", "massage-chart/4",
    "massage-chart/5", FORMAT,
)  # fmt: skip
"""Formats the import reads: the current one, and the text form of the first."""
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_HISTORY_VERSION = 100_000


class ChartFileError(ValueError):
    """The chart file cannot be imported; the message says why, and nothing was changed."""


# --------------------------------------------------------------------------- export


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _provider_json(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.id,
        "name": f"{provider.first_name} {provider.last_name}".strip(),
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "credentials": provider.credentials,
        "license": provider.license_number,
        "license_jurisdiction": provider.license_jurisdiction,
        "npi": provider.npi,
        "email": provider.email,
        "phone": provider.phone,
    }


def _history_json(history: HealthHistory) -> dict[str, Any]:
    return {
        "version": history.version,
        "recorded_at": _iso(history.recorded_at),
        "recorded_by": history.recorded_by_id,
        "visit_id": history.visit_id,
        "conditions": [c.name for c in history.conditions],
        "medications": [
            {
                "name": m.name,
                "dose": m.dose,
                "purpose": m.purpose,
                "class": m.med_class.value if m.med_class else None,
            }
            for m in history.medications
        ],
        "allergies": [a.substance for a in history.allergies],
        "surgeries": history.surgeries,
        "injuries": history.injuries,
        "pregnant": history.pregnant,
        "pregnancy_weeks": history.pregnancy_weeks,
        "notes": history.notes,
    }


def _claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "payer_type": claim.payer_type.value,
        "payer_name": claim.payer_name,
        "claim_number": claim.claim_number,
        "policy_number": claim.policy_number,
        "adjuster": claim.adjuster,
        "date_of_injury": _iso(claim.date_of_injury),
        "authorised_visits": claim.authorised_visits,
        "unit_rule": claim.unit_rule.value,
        "active": claim.active,
        "created_at": _iso(claim.created_at),
    }


def _referral_json(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.id,
        "claim_id": referral.claim_id,
        "prescriber": referral.prescriber,
        "prescriber_npi": referral.prescriber_npi,
        "prescriber_phone": referral.prescriber_phone,
        "referral_date": _iso(referral.referral_date),
        "expires_on": _iso(referral.expires_on),
        "icd10": list(referral.icd10_codes),
        "visits_authorised": referral.visits_authorised,
        "frequency": referral.frequency,
        "instructions": referral.instructions,
        "created_at": _iso(referral.created_at),
    }


def _mark_json(mark: Mark) -> dict[str, Any]:
    """A mark's declared fields but its visit (the file nests marks in their visit)."""
    fields = {name: getattr(mark, name) for name in MARK_FIELDS if name != "visit_id"}
    return fields | {"created_at": _iso(mark.created_at)}


def _visit_json(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "start": _iso(visit.start),
        "end": _iso(visit.end),
        "provider": _provider_json(visit.provider) if visit.provider else None,
        "claim_id": visit.claim_id,
        "referral_id": visit.referral_id,
        "status": visit.status.value,
        "chief_complaint": visit.chief_complaint,
        "health_update": visit.health_update,
        "subjective": visit.subjective,
        "objective": visit.objective,
        "assessment": visit.assessment,
        "plan": visit.plan,
        **{name: getattr(visit, name) for name in SUB_FIELDS},
        "overrides": [
            {
                "code": o.code,
                "reason": o.reason,
                "recorded_at": _iso(o.recorded_at),
                "recorded_by": o.recorded_by,
            }
            for o in sorted(visit.overrides, key=lambda o: o.position)
        ],
        "pain_before": visit.pain_before,
        "pain_after": visit.pain_after,
        "techniques": list(visit.techniques),
        "pressure": visit.pressure,
        "positioning": visit.positioning,
        "icd10": list(visit.icd10_codes),
        **{name: list(getattr(visit, name) or []) for name in STRUCTURED_FIELDS},
        "billing": [
            {
                "cpt": line.cpt,
                "minutes": line.minutes,
                "units": line.units,
                "modifiers": list(line.modifiers),
                "diagnosis_pointers": list(line.diagnosis_pointers),
            }
            for line in sorted(visit.billing_lines, key=lambda line: line.position)
        ],
        "marks": [_mark_json(m) for m in sorted(visit.marks, key=lambda m: (m.created_at, m.id))],
        "signed_at": _iso(visit.signed_at),
        "signed_by": visit.signed_by_id,
        "supervisor_id": visit.supervisor_id,
        "imported": (
            {
                "from": visit.imported_from,
                "at": _iso(visit.imported_at),
                "by": visit.imported_by,
                "seal": visit.imported_seal,
            }
            if visit.imported_from
            else None
        ),
        "content_hash": visit.content_hash,
        "hash_version": visit.hash_version,
        "addenda": [
            {
                "id": a.id,
                "author": a.author_id,
                "created_at": _iso(a.created_at),
                "reason": a.reason,
                "text": a.text,
                "content_hash": a.content_hash,
            }
            for a in sorted(visit.addenda, key=lambda a: (a.created_at, a.id))
        ],
        "created_at": _iso(visit.created_at),
    }


def _outcome_json(row: OutcomeRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "visit_id": row.visit_id,
        "measure": row.measure,
        "measure_version": row.measure_version,
        "answers": [int(a) for a in row.answers],
        "activities": [str(a) for a in row.activities or ()],
        "source": row.source,
        "taken_on": _iso(row.taken_on),
        "recorded_at": _iso(row.recorded_at),
        "recorded_by": row.recorded_by_id,
        "replaces_id": row.replaces_id,
        "reason": row.reason,
    }


def _pain_map_json(row: PainMapRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "visit_id": row.visit_id,
        "instrument": row.instrument,
        "instrument_version": row.instrument_version,
        "map_version": row.map_version,
        "regions": [str(key) for key in row.regions],
        "symptoms": dict(row.symptoms) if row.symptoms is not None else None,
        "three_months": row.three_months,
        "source": row.source,
        "taken_on": _iso(row.taken_on),
        "recorded_at": _iso(row.recorded_at),
        "recorded_by": row.recorded_by_id,
        "replaces_id": row.replaces_id,
        "reason": row.reason,
    }


def _report_json(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "claim_id": report.claim_id,
        "period_from": _iso(report.period_from),
        "period_to": _iso(report.period_to),
        "visit_ids": list(report.visit_ids),
        "signed_by": report.signed_by_id,
        "signed_at": _iso(report.signed_at),
        "content_hash": report.content_hash,
        "imported_from": report.imported_from,
    }


def _client_json(
    client: Client,
    outcomes: Sequence[OutcomeRecord] = (),
    reports: Sequence[ProgressReport] = (),
    pain_maps: Sequence[PainMapRecord] = (),
) -> dict[str, Any]:
    histories = sorted(client.health_histories, key=lambda h: h.version)
    claims = sorted(client.claims, key=lambda c: (c.created_at, c.id))
    referrals = sorted(client.referrals, key=lambda r: (r.created_at, r.id))
    active_claims = [c for c in claims if c.active]
    return {
        "id": client.id,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": _iso(client.date_of_birth),
        "gender": client.gender,
        "pronouns": client.pronouns,
        "phone": client.phone,
        "alternate_phone": client.alternate_phone,
        "email": client.email,
        "address": client.address,
        "occupation": client.occupation,
        "emergency_contact": {
            "name": client.emergency_contact_name,
            "phone": client.emergency_contact_phone,
            "relationship": client.emergency_contact_relationship,
        },
        "primary_care_provider": client.primary_care_provider,
        "primary_care_phone": client.primary_care_phone,
        "referring_provider": client.referring_provider,
        "goals": client.goals,
        "pressure_preference": client.pressure_preference,
        "notes": client.notes,
        "archived": client.archived,
        "created_at": _iso(client.created_at),
        "health_history": _history_json(histories[-1]) if histories else None,
        "health_history_versions": [_history_json(h) for h in histories],
        "insurance": _claim_json((active_claims or claims)[-1]) if claims else None,
        "claims": [_claim_json(c) for c in claims],
        "referral": _referral_json(referrals[-1]) if referrals else None,
        "referrals": [_referral_json(r) for r in referrals],
        "consents": [
            {
                "id": c.id,
                "kind": c.kind.value,
                "signed_on": _iso(c.signed_on),
                "expires_on": _iso(c.expires_on),
                "notes": c.notes,
                "clearance_codes": [str(code) for code in c.clearance_codes or ()],
            }
            for c in sorted(client.consents, key=lambda c: (c.signed_on, c.id))
        ],
        "visits": [_visit_json(v) for v in sorted(client.visits, key=lambda v: (v.start, v.id))],
        "outcomes": [_outcome_json(row) for row in outcomes],
        "progress_reports": [_report_json(report) for report in reports],
        "pain_maps": [_pain_map_json(row) for row in pain_maps],
    }


def export_chart(session: Session, client_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The chart document of the named clients (all clients when none are named).

    Raises:
        ChartFileError: a named client does not exist.
    """
    query = (
        select(Client)
        .options(
            selectinload(Client.health_histories).selectinload(HealthHistory.conditions),
            selectinload(Client.health_histories).selectinload(HealthHistory.medications),
            selectinload(Client.health_histories).selectinload(HealthHistory.allergies),
            selectinload(Client.claims),
            selectinload(Client.referrals),
            selectinload(Client.consents),
            selectinload(Client.visits).selectinload(Visit.marks),
            selectinload(Client.visits).selectinload(Visit.billing_lines),
            selectinload(Client.visits).selectinload(Visit.addenda),
            selectinload(Client.visits).selectinload(Visit.overrides),
            selectinload(Client.visits).selectinload(Visit.provider),
        )
        .order_by(Client.sort_key, Client.id)
    )
    if client_ids:
        query = query.where(Client.id.in_(client_ids))
    clients = list(session.scalars(query))
    missing = sorted(set(client_ids) - {c.id for c in clients})
    if missing:
        raise ChartFileError(f"No client with id {', '.join(missing)}.")
    outcomes: dict[str, list[OutcomeRecord]] = {}
    outcome_query = select(OutcomeRecord).order_by(
        OutcomeRecord.recorded_at, OutcomeRecord.taken_on, OutcomeRecord.id
    )
    if client_ids:
        outcome_query = outcome_query.where(OutcomeRecord.client_id.in_(client_ids))
    for row in session.scalars(outcome_query):
        outcomes.setdefault(row.client_id, []).append(row)
    reports: dict[str, list[ProgressReport]] = {}
    report_query = select(ProgressReport).order_by(ProgressReport.signed_at, ProgressReport.id)
    if client_ids:
        report_query = report_query.where(ProgressReport.client_id.in_(client_ids))
    for report in session.scalars(report_query):
        reports.setdefault(report.client_id, []).append(report)
    pain_maps: dict[str, list[PainMapRecord]] = {}
    map_query = select(PainMapRecord).order_by(
        PainMapRecord.recorded_at, PainMapRecord.taken_on, PainMapRecord.id
    )
    if client_ids:
        map_query = map_query.where(PainMapRecord.client_id.in_(client_ids))
    for pain_map in session.scalars(map_query):
        pain_maps.setdefault(pain_map.client_id, []).append(pain_map)
    practice = session.scalar(select(Practice).order_by(Practice.created_at).limit(1))
    providers = session.scalars(select(Provider).order_by(Provider.id))
    for client in clients:
        audit.record(session, audit.AuditAction.EXPORT, client_id=client.id, detail="chart file")
    return {
        "format": FORMAT,
        "generator": f"massage-chart {__version__}",
        "practice": (
            {
                "id": practice.id,
                "name": practice.name,
                "address": practice.address,
                "phone": practice.phone,
                "email": practice.email,
                "website": practice.website,
                "tax_id": practice.tax_id,
                "default_unit_rule": practice.default_unit_rule.value,
            }
            if practice
            else None
        ),
        "providers": [_provider_json(p) for p in providers],
        "clients": [
            _client_json(c, outcomes.get(c.id, ()), reports.get(c.id, ()), pain_maps.get(c.id, ()))
            for c in clients
        ],
    }


def dumps_chart(document: dict[str, Any]) -> str:
    """Canonical text of a chart document: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_chart_file(document: dict[str, Any], path: Path) -> None:
    """Write the file whole or not at all (``massage_chart.files.replace_whole``).

    Raises:
        ChartFileError: the path is a folder, or the file cannot be written.
    """
    if not path.name or path.is_dir():
        raise ChartFileError(f"{path} is a folder; give a file name, such as chart.json.")
    try:
        replace_whole(path, dumps_chart(document).encode("utf-8"))
    except OSError as exc:
        raise ChartFileError(f"Could not write {path}: {exc.strerror or exc}.") from exc


# --------------------------------------------------------------------------- reading and checking


@cache
def chart_schema(format_name: str = FORMAT) -> dict[str, Any]:
    """The JSON Schema of a chart-file format (resources/chart-format/massage-chart-N...)."""
    number = format_name.removeprefix(FORMAT_FAMILY)
    data: dict[str, Any] = json.loads(
        resource_path("chart-format", f"massage-chart-{number}.schema.json").read_text(
            encoding="utf-8"
        )
    )
    return data


def _where(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def parse_chart_text(text: str) -> dict[str, Any]:
    """Parse and validate chart-file text.

    Raises:
        ChartFileError: not JSON, not a chart file, a future format, or a field out of shape.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChartFileError(
            f"This is not a valid chart file: broken JSON at line {exc.lineno}, column "
            f"{exc.colno} ({exc.msg})."
        ) from exc
    except RecursionError as exc:
        raise ChartFileError("This is not a valid chart file: it is nested too deeply.") from exc
    except ValueError as exc:  # Python refuses to read a number of thousands of digits
        raise ChartFileError(
            "This is not a valid chart file: a number in it has thousands of digits."
        ) from exc
    if not isinstance(document, dict) or "format" not in document:
        raise ChartFileError('This is not a Massage Chart chart file (it has no "format").')
    declared = document["format"]
    if declared not in READABLE_FORMATS:
        if isinstance(declared, str) and declared.startswith(FORMAT_FAMILY):
            raise ChartFileError(
                f"This chart file is in format {declared}, written by a newer version of Massage "
                f"Chart; this version reads {FORMAT}. Update the app to import it."
            )
        raise ChartFileError(f"This is not a Massage Chart chart file (format {declared!r}).")
    _check_text(document, "")
    validator = Draft202012Validator(
        chart_schema(declared), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    error = best_match(validator.iter_errors(document))
    if error is not None:
        message = error.message
        if error.validator == "format" and error.validator_value == "date":
            message = f"{error.instance!r} is not a real date (YYYY-MM-DD)"
        raise ChartFileError(
            f"The chart file is not valid at {_where(error.absolute_path)}: {message}."
        )
    return document


def _broken_text(text: str) -> str | None:
    if "\x00" in text:
        return "a NUL character"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "a broken character (half of a UTF-16 surrogate pair)"
    return None


def _check_text(value: Any, where: str) -> None:
    """Refuse NUL characters and lone surrogates anywhere: no database stores them faithfully,
    and a lone surrogate cannot even be printed in a message."""
    if isinstance(value, str):
        broken = _broken_text(value)
        if broken:
            raise ChartFileError(f"The chart file holds {broken} in {where or 'a field'}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            broken = _broken_text(key)
            if broken:
                raise ChartFileError(f"The chart file holds {broken} in a field name.")
            _check_text(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{where}[{index}]")


def read_chart_file(path: Path) -> dict[str, Any]:
    """Read, size-check, decode and validate a chart file.

    Raises:
        ChartFileError: with a plain reason.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ChartFileError(f"Cannot read {path}: {exc.strerror}.") from exc
    if size > MAX_FILE_BYTES:
        raise ChartFileError(
            f"The chart file {path} is {size / 1024 / 1024:.0f} MB; the largest this version "
            f"imports is {MAX_FILE_BYTES // 1024 // 1024} MB. Export fewer clients per file."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChartFileError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChartFileError(
            f"The chart file {path} is not UTF-8 text (byte {exc.start}); it may be damaged."
        ) from exc
    return parse_chart_text(text)


# --------------------------------------------------------------------------- import


class _Filed:
    """A client's records of one kind filed once and corrected by replacement (answer sheets,
    pain maps), as a file brings them: each checked against the client's visits, its day and
    the earlier records of the file it corrects."""

    def __init__(self, session: Session, client: Client, kind: str) -> None:
        self.session = session
        self.client = client
        self.kind = kind
        self.visit_ids = set(session.scalars(select(Visit.id).where(Visit.client_id == client.id)))
        self.filed: set[str] = set()
        self.corrected: set[str] = set()

    def place(self, item: dict[str, Any], here: str, reason: str) -> tuple[Any, Any, dt.date]:
        """The record's visit, the earlier record it corrects, and its day, each checked."""
        visit_id = item.get("visit_id")
        if visit_id is not None and visit_id not in self.visit_ids:
            raise ChartFileError(f"{here}.visit_id: {visit_id!r} is not one of this client's.")
        replaces = item.get("replaces_id")
        if replaces is not None:
            if replaces not in self.filed:
                raise ChartFileError(
                    f"{here}.replaces_id: {replaces!r} is not an earlier {self.kind} of this "
                    "client in the file."
                )
            if replaces in self.corrected:
                raise ChartFileError(f"{here}: the {self.kind} {replaces!r} is corrected twice.")
            if not reason:
                raise ChartFileError(f"{here}: a correction must say why (reason).")
            self.corrected.add(replaces)
        taken_on = _date(item["taken_on"], f"{here}.taken_on")
        assert taken_on is not None
        if taken_on > dt.date.today():
            raise ChartFileError(f"{here}.taken_on: {taken_on} is in the future.")
        born = self.client.date_of_birth
        if born is not None and taken_on < born:
            raise ChartFileError(f"{here}.taken_on: {taken_on} is before the client was born.")
        return visit_id, replaces, taken_on

    def file(self, row: OutcomeRecord | PainMapRecord, item: dict[str, Any], here: str) -> None:
        """Add the record, filed when the file says it was."""
        recorded = _datetime(item.get("recorded_at"), f"{here}.recorded_at")
        if recorded is not None:
            row.recorded_at = recorded
        self.session.add(row)
        self.session.flush()
        self.filed.add(row.id)


@dataclass
class ImportReport:
    """What an import did."""

    clients: int = 0
    visits: int = 0
    marks: int = 0
    outcomes: int = 0
    pain_maps: int = 0
    providers_created: int = 0
    warnings: list[str] = field(default_factory=list)


def _date(value: str | None, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ChartFileError(f"{where}: {value!r} is not a real date (YYYY-MM-DD).") from exc


def _datetime(value: str | None, where: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ChartFileError(f"{where}: {value!r} is not a real date and time.") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _enum(enum_cls: type[Any], value: Any, where: str) -> Any:
    try:
        return enum_cls(value)
    except ValueError as exc:
        raise ChartFileError(f"{where}: {value!r} is not one of the known values.") from exc


class _Importer:
    """One import, in the caller's transaction; raises ChartFileError before changing anything
    that the caller would commit."""

    def __init__(self, session: Session, *, replace: bool, text_form: bool = False) -> None:
        self.session = session
        self.origin = "another system"
        self.importer = ""
        self.replace = replace
        self.text_form = text_form
        self.report = ImportReport()
        self.providers: dict[str, Provider] = {}
        self.claim_ids: set[str] = set()
        self.referral_ids: set[str] = set()
        # Each imported signed visit's content hash as the file recorded it (a progress report
        # of the file is sealed over these).
        self.filed_hashes: dict[str, str | None] = {}

    def run(self, document: dict[str, Any]) -> ImportReport:
        practice = (document.get("practice") or {}).get("name") or "another practice"
        program = document.get("generator") or "another program"
        self.origin = f"{practice} ({program})"[:300]
        self.importer = self.session.info.get("actor") or audit.current_actor()
        self._check_ids(document)
        self._practice(document.get("practice"))
        for index, data in enumerate(document.get("providers", [])):
            self._provider(data, f"providers[{index}]")
        for index, data in enumerate(document["clients"]):
            self._client(data, f"clients[{index}]")
        return self.report

    def _check_ids(self, document: dict[str, Any]) -> None:
        """Refuse an id used twice in the file for the same kind of record (a copy-paste slip);
        otherwise the database would refuse it with a confusing conflict."""
        seen: set[tuple[str, Any]] = set()

        def see(kind: str, item: Any, where: str) -> None:
            ident = item.get("id") if isinstance(item, dict) else None
            if ident is None or ident == "":
                return
            if (kind, ident) in seen:
                raise ChartFileError(f"{where}: the {kind} id {ident!r} appears twice in the file.")
            seen.add((kind, ident))

        for index, client in enumerate(document["clients"]):
            where = f"clients[{index}]"
            see("client", client, where)
            claims = client.get("claims") or (
                [client["insurance"]] if client.get("insurance") else []
            )
            referrals = client.get("referrals") or (
                [client["referral"]] if client.get("referral") else []
            )
            for kind, items in (
                ("claim", claims),
                ("referral", referrals),
                ("consent", client.get("consents") or []),
                ("visit", client.get("visits") or []),
                ("outcome measure", client.get("outcomes") or []),
                ("pain map", client.get("pain_maps") or []),
            ):
                for item in items:
                    see(kind, item, where)
            for visit in client.get("visits") or []:
                for kind, key in (("mark", "marks"), ("addendum", "addenda")):
                    for item in visit.get(key) or []:
                        see(kind, item, where)

    def _check(self, row: object, where: str) -> None:
        """Refuse a row whose text is too long, holds a NUL, or whose numbers or dates are
        impossible, with the same words the record window uses."""
        problem = row_problem(row)
        if problem:
            raise ChartFileError(f"{where}: {problem}")

    def _practice(self, data: dict[str, Any] | None) -> None:
        if not data or self.session.scalar(select(Practice.id).limit(1)) is not None:
            return
        practice = Practice(
            id=data.get("id") or None,
            name=data.get("name", "") or "Practice",
            address=data.get("address", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            website=data.get("website", ""),
            tax_id=data.get("tax_id", ""),
            default_unit_rule=_enum(UnitRule, data.get("default_unit_rule", "cms"), "practice"),
        )
        self._check(practice, "practice")
        self.session.add(practice)

    def _provider(self, data: dict[str, Any] | None, where: str) -> Provider | None:
        if not data:
            return None
        ident = data.get("id")
        if ident and ident in self.providers:
            return self.providers[ident]
        provider = self.session.get(Provider, ident) if ident else None
        npi = (data.get("npi") or "").strip()
        if provider is None and npi:
            provider = self.session.scalar(select(Provider).where(Provider.npi == npi).limit(1))
        first = data.get("first_name")
        last = data.get("last_name")
        if first is None and last is None:
            first, _, last = (data.get("name") or "").strip().rpartition(" ")
            if not first:
                first, last = last, ""
        license_number = data.get("license", "")
        if provider is None and (first or last):
            provider = self.session.scalar(
                select(Provider)
                .where(
                    Provider.first_name == first,
                    Provider.last_name == last,
                    Provider.license_number == license_number,
                )
                .limit(1)
            )
        if provider is None:
            if not (first or last):
                raise ChartFileError(f"{where}: a provider needs a name.")
            provider = Provider(
                id=ident or None,
                first_name=first or "",
                last_name=last or "",
                credentials=data.get("credentials", ""),
                license_number=license_number,
                license_jurisdiction=data.get("license_jurisdiction", ""),
                npi=npi,
                email=data.get("email", ""),
                phone=data.get("phone", ""),
            )
            self._check(provider, where)
            self.session.add(provider)
            self.session.flush()
            self.report.providers_created += 1
        if ident:
            self.providers[ident] = provider
        self.providers[provider.id] = provider
        return provider

    def _hash_of(self, visit_id: str) -> str | None:
        return self.session.scalar(select(Visit.content_hash).where(Visit.id == visit_id))

    def _provider_id(self, ident: str | None, where: str) -> str | None:
        if not ident:
            return None
        if ident in self.providers:
            return self.providers[ident].id
        if self.session.get(Provider, ident) is None:
            raise ChartFileError(f"{where}: no provider with id {ident!r} in the file or database.")
        return ident

    def _client(self, data: dict[str, Any], where: str) -> None:
        ident = data.get("id")
        if ident:
            existing = self.session.get(Client, ident)
            if existing is not None:
                if not self.replace:
                    raise ChartFileError(
                        f"{where}: the client {existing.full_name} (id {ident}) is already in this "
                        "database. Import again with replace (--replace) to overwrite it."
                    )
                self._remove_client(existing, where)
        contact = data.get("emergency_contact") or {}
        client = Client(
            id=ident or None,
            first_name=data["first_name"],
            last_name=data["last_name"],
            preferred_name=data.get("preferred_name", ""),
            date_of_birth=_date(data.get("date_of_birth"), f"{where}.date_of_birth"),
            gender=data.get("gender", ""),
            pronouns=data.get("pronouns", ""),
            phone=data.get("phone", ""),
            alternate_phone=data.get("alternate_phone", ""),
            email=data.get("email", ""),
            address=data.get("address", ""),
            occupation=data.get("occupation", ""),
            emergency_contact_name=contact.get("name", ""),
            emergency_contact_phone=contact.get("phone", ""),
            emergency_contact_relationship=contact.get("relationship", ""),
            primary_care_provider=data.get("primary_care_provider", ""),
            primary_care_phone=data.get("primary_care_phone", ""),
            referring_provider=data.get("referring_provider", ""),
            goals=data.get("goals", ""),
            pressure_preference=data.get("pressure_preference", ""),
            notes=data.get("notes", ""),
            archived=bool(data.get("archived", False)),
        )
        created = _datetime(data.get("created_at"), f"{where}.created_at")
        if created is not None:
            client.created_at = created
        if client.date_of_birth is not None and client.date_of_birth > dt.date.today():
            raise ChartFileError(f"{where}.date_of_birth: {client.date_of_birth} is in the future.")
        self._check(client, where)
        client.refresh_search_key()
        self.session.add(client)
        self.session.flush()

        claims = data.get("claims") or ([data["insurance"]] if data.get("insurance") else [])
        for index, item in enumerate(claims):
            self._claim(client, item, f"{where}.claims[{index}]")
        referrals = data.get("referrals") or ([data["referral"]] if data.get("referral") else [])
        for index, item in enumerate(referrals):
            self._referral(client, item, f"{where}.referrals[{index}]")
        for index, item in enumerate(data.get("consents", [])):
            notes = item.get("notes", "")
            codes = sorted(
                {code.strip() for code in item.get("clearance_codes", []) if code.strip()}
            )
            if self.text_form:
                codes, notes = split_clearance(notes)
            consent = Consent(
                id=item.get("id") or None,
                client_id=client.id,
                kind=_enum(ConsentKind, item["kind"], f"{where}.consents[{index}].kind"),
                signed_on=_date(item["signed_on"], f"{where}.consents[{index}].signed_on"),
                expires_on=_date(item.get("expires_on"), f"{where}.consents[{index}].expires_on"),
                notes=notes,
                clearance_codes=codes,
            )
            self._check(consent, f"{where}.consents[{index}]")
            self.session.add(consent)
        self.session.flush()
        self.claim_ids = {
            c.id for c in self.session.scalars(select(Claim).where(Claim.client_id == client.id))
        }
        self.referral_ids = {
            r.id
            for r in self.session.scalars(select(Referral).where(Referral.client_id == client.id))
        }
        for index, item in enumerate(data.get("visits", [])):
            self._visit(client, item, f"{where}.visits[{index}]")
        histories = data.get("health_history_versions") or (
            [data["health_history"]] if data.get("health_history") else []
        )
        for index, item in enumerate(histories):
            self._history(client, item, index + 1, f"{where}.health_history_versions[{index}]")
        self.session.flush()
        self._outcomes(client, data.get("outcomes") or [], f"{where}.outcomes")
        self._pain_maps(client, data.get("pain_maps") or [], f"{where}.pain_maps")
        self._reports(client, data.get("progress_reports") or [], f"{where}.progress_reports")
        audit.record(
            self.session, audit.AuditAction.IMPORT, client_id=client.id, detail="chart file"
        )
        self.report.clients += 1

    def _reports(self, client: Client, items: list[dict[str, Any]], where: str) -> None:
        """File a client's signed progress reports as signed elsewhere: their notes must be
        this client's signed visits of the file, their signer a provider of the file; the seal
        is kept as it came (a report whose notes do not match it shows an integrity failure)."""
        signed = set(
            self.session.scalars(
                select(Visit.id).where(
                    Visit.client_id == client.id, Visit.status == VisitStatus.SIGNED
                )
            )
        )
        for index, item in enumerate(items):
            here = f"{where}[{index}]"
            visit_ids = [str(v) for v in item["visit_ids"]]
            strays = [v for v in visit_ids if v not in signed]
            if not visit_ids or strays:
                raise ChartFileError(
                    f"{here}.visit_ids: {', '.join(strays) or 'none'} is not a signed visit of "
                    "this client in the file."
                )
            claim_id = item.get("claim_id")
            if claim_id is not None and claim_id not in self.claim_ids:
                raise ChartFileError(f"{here}.claim_id: {claim_id!r} is not one of this client's.")
            start = _date(item["period_from"], f"{here}.period_from")
            end = _date(item["period_to"], f"{here}.period_to")
            signed_at = _datetime(item["signed_at"], f"{here}.signed_at")
            assert start is not None and end is not None and signed_at is not None
            if end < start:
                raise ChartFileError(f"{here}: the report's span ends before it starts.")
            signer = self._provider_id(item.get("signed_by"), f"{here}.signed_by")
            if signer is None:
                raise ChartFileError(f"{here}.signed_by: a signed report names its signer.")
            seal = str(item["content_hash"])
            notes_here = [(v, self._hash_of(v)) for v in visit_ids]
            as_filed = report_seal(
                client.id,
                (start, end),
                [(v, self.filed_hashes.get(v, h)) for v, h in notes_here],
                str(item.get("signed_by")),
                signed_at,
            )
            if seal == as_filed:  # verified as the file had it; sealed again with these ids
                seal = report_seal(client.id, (start, end), notes_here, signer, signed_at)
            self.session.add(
                ProgressReport(
                    id=item.get("id") or None,
                    client_id=client.id,
                    claim_id=claim_id,
                    period_from=start,
                    period_to=end,
                    visit_ids=visit_ids,
                    signed_by_id=signer,
                    signed_at=signed_at,
                    content_hash=seal,
                    imported_from=str(item.get("imported_from") or self.origin)[:300],
                    imported_at=utc_now(),
                )
            )
        self.session.flush()

    def _outcomes(self, client: Client, items: list[dict[str, Any]], where: str) -> None:
        """File a client's answer sheets by the rules of every other road (the measure's items
        and scale, the source, the limits), keeping their ids, days and corrections."""
        sheets = _Filed(self.session, client, "outcome measure")
        for index, item in enumerate(items):
            here = f"{where}[{index}]"
            try:
                chosen = measure(item["measure"])
            except OutcomeError as exc:
                raise ChartFileError(f"{here}.measure: {exc}") from exc
            if item["measure_version"] != chosen.version:
                raise ChartFileError(
                    f"{here}: {chosen.name} version {item['measure_version']} is not the version "
                    f"this app scores ({chosen.version}); update the app to import it."
                )
            answers = [int(a) for a in item["answers"]]
            activities = [str(a).strip() for a in item.get("activities") or []]
            reason = str(item.get("reason") or "").strip()
            problem = sheet_problem(chosen, answers, activities, item["source"], reason)
            if problem:
                raise ChartFileError(f"{here}: {problem}")
            visit_id, replaces, taken_on = sheets.place(item, here, reason)
            row = OutcomeRecord(
                id=item.get("id") or None,
                client_id=client.id,
                visit_id=visit_id,
                measure=chosen.code,
                measure_version=chosen.version,
                answers=answers,
                activities=activities,
                source=item["source"],
                taken_on=taken_on,
                recorded_by_id=self._provider_id(item.get("recorded_by"), f"{here}.recorded_by"),
                replaces_id=replaces,
                reason=reason,
            )
            sheets.file(row, item, here)
            self.report.outcomes += 1

    def _pain_maps(self, client: Client, items: list[dict[str, Any]], where: str) -> None:
        """File a client's own pain maps by the rules of every other road (places on the front
        and back views, the symptom answers, the source, the limits), keeping their ids, days
        and corrections."""
        chosen = pain_map_instrument()
        maps = _Filed(self.session, client, "pain map")
        for index, item in enumerate(items):
            here = f"{where}[{index}]"
            if item["instrument_version"] != chosen.version:
                raise ChartFileError(
                    f"{here}: {chosen.short_name} version {item['instrument_version']} is not the "
                    f"version this app scores ({chosen.version}); update the app to import it."
                )
            regions = [str(key) for key in item["regions"]]
            symptoms = item.get("symptoms")
            three_months = item.get("three_months")
            reason = str(item.get("reason") or "").strip()
            problem = pain_map_problem(regions, symptoms, three_months, item["source"], reason)
            if problem:
                raise ChartFileError(f"{here}: {problem}")
            visit_id, replaces, taken_on = maps.place(item, here, reason)
            row = PainMapRecord(
                id=item.get("id") or None,
                client_id=client.id,
                visit_id=visit_id,
                instrument=chosen.code,
                instrument_version=chosen.version,
                map_version=int(item.get("map_version") or chosen.map_version),
                regions=regions,
                symptoms=symptoms,
                three_months=three_months,
                source=item["source"],
                taken_on=taken_on,
                recorded_by_id=self._provider_id(item.get("recorded_by"), f"{here}.recorded_by"),
                replaces_id=replaces,
                reason=reason,
            )
            maps.file(row, item, here)
            self.report.pain_maps += 1

    def _remove_client(self, client: Client, where: str) -> None:
        signed = [v for v in client.visits if v.status is VisitStatus.SIGNED]
        if signed:
            raise ChartFileError(
                f"{where}: the client {client.full_name} (id {client.id}) has {len(signed)} signed "
                "visits in this database; signed notes are never replaced or deleted."
            )
        reports = client_own_reports(self.session, client.id)
        if reports:
            raise ChartFileError(
                f"{where}: the client {client.full_name} (id {client.id}) has {', '.join(reports)} "
                "of their own in this database; what a client reported is never replaced or "
                "deleted (a correction is filed beside it). Import the file's client as new."
            )
        self.session.delete(client)
        self.session.flush()

    def _claim(self, client: Client, item: dict[str, Any], where: str) -> None:
        claim = Claim(
            id=item.get("id") or None,
            client_id=client.id,
            payer_type=_enum(PayerType, item.get("payer_type", "other"), f"{where}.payer_type"),
            payer_name=item.get("payer_name", ""),
            claim_number=item.get("claim_number", ""),
            policy_number=item.get("policy_number", ""),
            adjuster=item.get("adjuster", ""),
            date_of_injury=_date(item.get("date_of_injury"), f"{where}.date_of_injury"),
            authorised_visits=item.get("authorised_visits"),
            unit_rule=_enum(UnitRule, item.get("unit_rule", "cms"), f"{where}.unit_rule"),
            active=bool(item.get("active", True)),
        )
        created = _datetime(item.get("created_at"), f"{where}.created_at")
        if created is not None:
            claim.created_at = created
        self._check(claim, where)
        self.session.add(claim)

    def _referral(self, client: Client, item: dict[str, Any], where: str) -> None:
        claim_id = item.get("claim_id")
        if claim_id is not None:
            self.session.flush()
            claim = self.session.get(Claim, claim_id)
            if claim is None or claim.client_id != client.id:
                raise ChartFileError(f"{where}.claim_id: no claim {claim_id!r} for this client.")
        referral = Referral(
            id=item.get("id") or None,
            client_id=client.id,
            claim_id=item.get("claim_id"),
            prescriber=item.get("prescriber", ""),
            prescriber_npi=item.get("prescriber_npi", ""),
            prescriber_phone=item.get("prescriber_phone", ""),
            referral_date=_date(item.get("referral_date"), f"{where}.referral_date"),
            expires_on=_date(item.get("expires_on"), f"{where}.expires_on"),
            icd10_codes=[code.strip().upper() for code in item.get("icd10", [])],
            visits_authorised=item.get("visits_authorised"),
            frequency=item.get("frequency", ""),
            instructions=item.get("instructions", ""),
        )
        created = _datetime(item.get("created_at"), f"{where}.created_at")
        if created is not None:
            referral.created_at = created
        self._check(referral, where)
        self.session.add(referral)

    def _history(self, client: Client, item: dict[str, Any], version: int, where: str) -> None:
        number = item.get("version") or version
        if not isinstance(number, int) or not 1 <= number <= MAX_HISTORY_VERSION:
            raise ChartFileError(f"{where}.version: {number!r} is not a plausible version number.")
        visit_id = item.get("visit_id")
        if visit_id is not None:
            visit = self.session.get(Visit, visit_id)
            if visit is None or visit.client_id != client.id:
                raise ChartFileError(f"{where}.visit_id: no visit {visit_id!r} for this client.")
        history = HealthHistory(
            client_id=client.id,
            version=number,
            recorded_by_id=self._provider_id(item.get("recorded_by"), f"{where}.recorded_by"),
            visit_id=item.get("visit_id"),
            surgeries=item.get("surgeries", ""),
            injuries=item.get("injuries", ""),
            pregnant=bool(item.get("pregnant", False)),
            pregnancy_weeks=item.get("pregnancy_weeks"),
            notes=item.get("notes", ""),
        )
        recorded = _datetime(item.get("recorded_at"), f"{where}.recorded_at")
        if recorded is not None:
            history.recorded_at = recorded
        history.conditions = [
            Condition(position=i, name=name) for i, name in enumerate(item.get("conditions", []))
        ]
        history.medications = [
            Medication(
                position=i,
                name=m["name"],
                dose=m.get("dose", ""),
                purpose=m.get("purpose", ""),
                med_class=_enum(MedicationClass, m["class"], f"{where}.medications[{i}].class")
                if m.get("class")
                else None,
            )
            for i, m in enumerate(item.get("medications", []))
        ]
        history.allergies = [
            Allergy(position=i, substance=name) for i, name in enumerate(item.get("allergies", []))
        ]
        for row in (history, *history.conditions, *history.medications, *history.allergies):
            self._check(row, where)
        self.session.add(history)

    def _visit(self, client: Client, item: dict[str, Any], where: str) -> None:
        start = _datetime(item["start"], f"{where}.start")
        if start is None:
            raise ChartFileError(f"{where}.start: a visit needs the date and time it started.")
        end = _datetime(item.get("end"), f"{where}.end")
        if end is not None and end < start:
            raise ChartFileError(f"{where}: the visit ends ({end}) before it starts ({start}).")
        provider = self._provider(item.get("provider"), f"{where}.provider")
        for key, known in (("claim_id", self.claim_ids), ("referral_id", self.referral_ids)):
            if item.get(key) is not None and item[key] not in known:
                raise ChartFileError(f"{where}.{key}: {item[key]!r} is not one of this client's.")
        note, overrides = self._note(item)
        measured: dict[str, list[dict[str, Any]]] = {}
        for name in STRUCTURED_FIELDS:
            try:  # the note window's rules, whichever road the entries came by
                measured[name] = entries_json(name, item.get(name, []))
            except MeasureError as exc:
                raise ChartFileError(f"{where}.{name}: {exc}") from None
        visit = Visit(
            id=item.get("id") or None,
            client_id=client.id,
            provider_id=provider.id if provider else None,
            claim_id=item.get("claim_id"),
            referral_id=item.get("referral_id"),
            start=start,
            end=end,
            status=VisitStatus.DRAFT,
            chief_complaint=item.get("chief_complaint", ""),
            objective=item.get("objective", ""),
            **note,
            pain_before=item.get("pain_before"),
            pain_after=item.get("pain_after"),
            techniques=list(item.get("techniques", [])),
            pressure=item.get("pressure"),
            positioning=item.get("positioning", ""),
            icd10_codes=[code.strip().upper() for code in item.get("icd10", [])],
            **measured,
        )
        created = _datetime(item.get("created_at"), f"{where}.created_at")
        if created is not None:
            visit.created_at = created
        for index, line in enumerate(item.get("billing", [])):
            visit.billing_lines.append(
                BillingLine(
                    position=index,
                    cpt=line["cpt"],
                    minutes=line.get("minutes", 0),
                    units=line.get("units") or 0,
                    modifiers=list(line.get("modifiers", [])),
                    diagnosis_pointers=list(line.get("diagnosis_pointers", [])),
                )
            )
        for index, mark in enumerate(item.get("marks", [])):
            visit.marks.append(self._mark(mark, f"{where}.marks[{index}]"))
        visit.overrides.extend(self._overrides(overrides, item, where))
        self._check(visit, where)
        for index, billing_line in enumerate(visit.billing_lines):
            self._check(billing_line, f"{where}.billing[{index}]")
        self.session.add(visit)
        self.session.flush()
        for index, entry in enumerate(item.get("addenda", [])):
            addendum = Addendum(
                id=entry.get("id") or None,
                visit_id=visit.id,
                author_id=self._provider_id(
                    entry.get("author"), f"{where}.addenda[{index}].author"
                ),
                reason=entry["reason"],
                text=entry["text"],
                content_hash=entry.get("content_hash"),
            )
            created_at = _datetime(entry.get("created_at"), f"{where}.addenda[{index}].created_at")
            addendum.created_at = created_at or utc_now()
            sealed_here = addendum_hash(
                visit.id, addendum.author_id, addendum.created_at, addendum.reason, addendum.text
            )
            filed_author = entry.get("author")
            if addendum.content_hash is None or (  # sealed on import, as the signed note is
                # or written by one of this database's own providers (another id): the file's
                # hash verified with the file's id, and sealed again with this one
                addendum.content_hash
                == addendum_hash(
                    visit.id, filed_author, addendum.created_at, addendum.reason, addendum.text
                )
            ):
                addendum.content_hash = sealed_here
            self._check(addendum, f"{where}.addenda[{index}]")
            self.session.add(addendum)
        visit.supervisor_id = self._provider_id(item.get("supervisor_id"), f"{where}.supervisor_id")
        if item.get("status") == "signed" or item.get("signed_at"):
            signed_at = _datetime(item.get("signed_at"), f"{where}.signed_at")
            if signed_at is None:
                raise ChartFileError(f"{where}: a signed visit needs signed_at.")
            visit.signed_at = signed_at
            visit.signed_by_id = self._provider_id(item.get("signed_by"), f"{where}.signed_by") or (
                provider.id if provider else None
            )
            # A signature made elsewhere is kept as recorded, but never one the signing rules
            # would refuse outright (stop/refer alerts depend on the history as it stood at
            # signing, which the file does not pin down, so they are not judged again here).
            problems = blocking_problems(note_to_sign(visit, visit.signed_by_id))
            if problems:
                raise ChartFileError(
                    f"{where}: the visit of {start:%Y-%m-%d %H:%M} (id {visit.id}) is marked signed "
                    "but its note breaks the signing rules: "
                    + " ".join(problem.message for problem in problems)
                )
            recorded_hash = item.get("content_hash")
            self.filed_hashes[visit.id] = recorded_hash
            here_hash = visit_content_hash(visit)
            if recorded_hash and recorded_hash != here_hash:
                filed_provider = (item.get("provider") or {}).get("id") or visit.provider_id
                filed = {
                    "provider_id": filed_provider,
                    "signed_by_id": item.get("signed_by") or filed_provider,
                }
                if recorded_hash == _hash_with(self.session, visit, filed, visit_content_hash):
                    # The same note, its therapist being one of this database's own (matched by
                    # NPI or name, so another id): the file's hash verified with the file's ids,
                    # and the note is sealed again with these.
                    recorded_hash = here_hash
            # The database triggers lock a visit once signed: marks and billing go in first.
            visit.content_hash = recorded_hash or here_hash
            # Signed elsewhere: it says so wherever it is shown, never as signed here.
            earlier = item.get("imported") or {}
            visit.imported_from = str(earlier.get("from") or self.origin)[:300]
            visit.imported_at = utc_now()
            visit.imported_by = str(self.importer)[:100]
            if not recorded_hash:
                visit.imported_seal = "added"
            elif recorded_hash == visit_content_hash(visit):
                visit.imported_seal = "carried"
            else:
                visit.imported_seal = "mismatch"
            visit.status = VisitStatus.SIGNED
            if recorded_hash and recorded_hash != visit_content_hash(visit):
                self.report.warnings.append(
                    f"{where}: the signed visit of {start:%Y-%m-%d} does not match its signature "
                    "hash; it was imported as it is and will show an integrity failure."
                )
        self.session.flush()
        self.report.visits += 1

    def _note(self, item: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """A visit's health update, SOAP sections, sub-fields and hash version, and its overrides.

        A ``massage-chart/1`` file holds overrides and sub-fields as lines of text: they are
        parsed as migration 0005 parsed them (a signed note only where the text comes back
        exactly, so its signature still verifies under hash version 1).
        """
        signed = item.get("status") == "signed" or bool(item.get("signed_at"))
        if self.text_form:
            parsed = parse_visit_text(item, exact=signed)
            return {
                "health_update": parsed.health_update,
                **parsed.sections,
                **{name: parsed.sub_fields.get(name, None if name in SCORE_FIELDS else "")
                   for name in SUB_FIELDS},
                "hash_version": 1 if signed else CURRENT_HASH_VERSION,
            }, parsed.overrides  # fmt: skip
        overrides = [
            (str(entry["code"]), str(entry["reason"])) for entry in item.get("overrides", [])
        ]
        version = item.get("hash_version") or CURRENT_HASH_VERSION
        return {
            "health_update": item.get("health_update", ""),
            "subjective": item.get("subjective", ""),
            "assessment": item.get("assessment", ""),
            "plan": item.get("plan", ""),
            **{name: item.get(name, None if name in SCORE_FIELDS else "") for name in SUB_FIELDS},
            "hash_version": version if signed else CURRENT_HASH_VERSION,
        }, overrides

    def _overrides(
        self, overrides: list[tuple[str, str]], item: dict[str, Any], where: str
    ) -> list[VisitOverride]:
        """A visit's stop/refer overrides as read by ``_note``, checked like the window's."""
        entries = {entry.get("code"): entry for entry in item.get("overrides", [])}
        rows: list[VisitOverride] = []
        for position, (code, reason) in enumerate(overrides):
            problem = limits.OVERRIDE_REASON.problem(reason)
            if problem:
                raise ChartFileError(f"{where}.overrides[{position}]: {problem}")
            if any(row.code == code for row in rows):
                raise ChartFileError(f"{where}.overrides: the alert {code!r} appears twice.")
            entry = entries.get(code) or {}
            row = VisitOverride(
                position=position,
                code=code,
                reason=reason,
                recorded_by=str(entry.get("recorded_by") or ""),
            )
            recorded = _datetime(entry.get("recorded_at"), f"{where}.overrides[{position}]")
            if recorded is not None:
                row.recorded_at = recorded
            rows.append(row)
        return rows

    def _mark(self, item: dict[str, Any], where: str) -> Mark:
        kind = _enum(MarkKind, item["kind"], f"{where}.kind")
        view = item["view"]
        whole = bool(item.get("whole_region", False))
        try:
            atlas = load_atlas(int(item.get("atlas_version", 1)))
            placement = locate(atlas, view, kind, item["points"], whole_region=whole)
        except (PlacementError, AtlasError) as exc:
            raise ChartFileError(f"{where}: {exc}") from exc
        intensity = item.get("intensity")
        if intensity is not None and not kind.legend.has_intensity and kind is not MarkKind.TREATED:
            self.report.warnings.append(f"{where}: {kind.value} takes no intensity; kept as given.")
        mark = Mark(
            id=item.get("id") or None,
            kind=kind.value,
            view=view,
            points=[[float(x), float(y)] for x, y in item["points"]],
            region_id=placement.region_id,
            side=placement.side,
            whole_region=whole,
            intensity=intensity,
            deep_muscle=item.get("deep_muscle", ""),
            technique=item.get("technique", ""),
            minutes=item.get("minutes"),
            pressure=item.get("pressure"),
            note=item.get("note", ""),
            confirmed=bool(item.get("confirmed", True)),
            carried_from_id=item.get("carried_from_id"),
            atlas_version=atlas.version,
        )
        created = _datetime(item.get("created_at"), f"{where}.created_at")
        if created is not None:
            mark.created_at = created
        self._check(mark, where)
        self.report.marks += 1
        return mark


def import_chart(
    session: Session, document: dict[str, Any], *, replace: bool = False
) -> ImportReport:
    """Import a validated chart document in the caller's transaction (all or nothing).

    Raises:
        ChartFileError: something in the file cannot be imported; the caller's transaction must
            then be rolled back (``Database.write()`` does so).
    """
    text_form = document.get("format") == "massage-chart/1"
    try:
        return _Importer(session, replace=replace, text_form=text_form).run(document)
    except IntegrityError as exc:
        raise ChartFileError(
            f"The chart file conflicts with records already in this database ({exc.orig})."
        ) from exc
    except OverflowError as exc:  # a number beyond what the database's integers hold
        raise ChartFileError(f"The chart file holds a number too large to store ({exc}).") from exc


def _hash_with(
    session: Session, visit: Visit, ids: dict[str, str | None], digest: Callable[[Visit], str]
) -> str:
    """The visit's content hash with some of its ids as another database had them (nothing is
    written: the ids are put back before anything can be flushed)."""
    with session.no_autoflush:
        kept = {name: getattr(visit, name) for name in ids}
        try:
            for name, value in ids.items():
                setattr(visit, name, value)
            return digest(visit)
        finally:
            for name, value in kept.items():
                setattr(visit, name, value)
