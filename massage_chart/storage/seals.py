"""Keyed seals over signed records: made as each record is signed, checked wherever the record is
shown, printed or checked.

A signed note, an addendum and a signed progress report each carry a content hash, which anyone
can recompute (the canonical content is public); a seal is an HMAC-SHA-256 over the record's
kind, id and content hash with a key the database does not hold. Forging a note then takes the
key as well as the file:

- On one computer (SQLite) the app seals as it writes (one flush hook for every road: the window,
  the command line, a chart file, the demo) with this computer's key (``seal_keys.py``).
- On a clinic's PostgreSQL the server seals with its own key, which nobody signed in can read
  (migration 0017); the app only asks the server whether a seal holds.

A record whose seals were all made with keys not held here (a database brought from another
computer without its key) cannot be checked here: that is said, never taken for a failure or a
pass.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.models import Addendum, ProgressReport, Seal, Visit, utc_now
from massage_chart.storage.seal_keys import SealKey, SealKeyError, SealKeyStore, local_store

log = logging.getLogger(__name__)

VISIT = "visit"
ADDENDUM = "addendum"
PROGRESS_REPORT = "progress_report"
KIND_WORDS = {VISIT: "signed note", ADDENDUM: "addendum", PROGRESS_REPORT: "progress report"}

#: At most this many ids in one ``IN (...)`` (SQLite's limit on bound parameters is 32,766).
_IDS_PER_QUERY = 500

#: Told how many signed notes have been looked at, of how many: ``progress(done, total)``.
Progress = Callable[[int, int], None]

BEGAN_KIND = "database"
BEGAN_ID = "seals-began"
"""The seal that marks when this database was first sealed on this computer: records signed
before it were sealed then (if their content matched); after it, an unsealed record is a fault."""


class SealState(enum.Enum):
    """What a record's seals say about its content hash."""

    GOOD = "good"  # a seal made with a key at hand holds
    BROKEN = "broken"  # no seal holds: missing, or made for another hash (redone outside the app)
    UNCHECKABLE = "uncheckable"  # sealed only with keys not held on this computer


def _is_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# ----------------------------------------------------------------------------------- sealing


def _signed_now(session: Session) -> Iterator[tuple[str, str, str]]:
    """(kind, id, content hash) of every record this flush signs or writes sealed."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Visit):
            if obj.status is not VisitStatus.SIGNED or not obj.content_hash:
                continue
            if (
                obj in session.new
                or get_history(obj, "status").added
                or get_history(obj, "content_hash").added
            ):
                yield VISIT, obj.id, obj.content_hash
        elif isinstance(obj, Addendum) and obj in session.new and obj.content_hash:
            yield ADDENDUM, obj.id, obj.content_hash
        elif isinstance(obj, ProgressReport) and obj in session.new:
            yield PROGRESS_REPORT, obj.id, obj.content_hash


def _seal_rows(store: SealKeyStore, records: Iterable[tuple[str, str, str]]) -> list[dict]:
    key = store.current()
    now = utc_now()
    return [
        {
            "record_kind": kind,
            "record_id": record_id,
            "content_hash": digest,
            "key_id": key.key_id,
            "mac": key.mac(kind, record_id, digest),
            "sealed_at": now,
        }
        for kind, record_id, digest in records
    ]


@event.listens_for(Session, "after_flush")
def _seal_what_was_signed(session: Session, _context: UOWTransaction) -> None:
    """Seal, in the same transaction, what this flush signed (SQLite; the server seals its own)."""
    if _is_server(session):
        return
    records = list(_signed_now(session))
    if not records:
        return
    try:
        rows = _seal_rows(local_store(), records)
    except SealKeyError as exc:
        # Signing goes on: the note is saved and its hash guards it; `check` names the gap.
        log.warning("a signed record could not be sealed: %s", exc)
        return
    session.connection().execute(insert(Seal), rows)


def needs_first_sealing(session: Session) -> bool:
    """Whether ``seal_unsealed`` has yet to run on this database (one computer only)."""
    if _is_server(session):
        return False
    return session.scalar(select(Seal.id).where(Seal.record_kind == BEGAN_KIND).limit(1)) is None


def seal_unsealed(session: Session, progress: Progress | None = None) -> int:
    """Once per database on one computer: seal the records signed before seals existed, each
    only if its content still matches its hash, and mark that this was done (later, an unsealed
    record is a fault, never sealed quietly). Returns how many were sealed; 0 on a server (the
    server sealed its own at the upgrade) or when it was done before.

    ``progress(done, total)`` hears how many of the signed notes have been looked at, after each
    batch (a ten-year practice has hundreds of thousands: minutes of work, once).
    """
    from massage_chart.storage.signing import SIGNED_BATCH, signed_visits, visit_content_hash

    if not needs_first_sealing(session):
        return 0
    sealed_ids = {
        (kind, record_id)
        for kind, record_id in session.execute(select(Seal.record_kind, Seal.record_id))
    }
    total = session.scalar(
        select(func.count()).select_from(Visit).where(Visit.status == VisitStatus.SIGNED)
    )
    todo: list[tuple[str, str, str]] = []
    for looked_at, visit in enumerate(signed_visits(session), start=1):
        if (
            (VISIT, visit.id) not in sealed_ids
            and visit.content_hash
            and visit.content_hash == visit_content_hash(visit)
        ):
            todo.append((VISIT, visit.id, visit.content_hash))
        if progress is not None and (looked_at % SIGNED_BATCH == 0 or looked_at == total):
            progress(looked_at, total or looked_at)
    todo.extend(_unsealed_addenda_and_reports(session, sealed_ids))
    store = local_store()
    rows = _seal_rows(store, todo)
    rows += _seal_rows(store, [(BEGAN_KIND, BEGAN_ID, f"{len(todo):064d}")])
    session.execute(insert(Seal), rows)
    return len(todo)


def _unsealed_addenda_and_reports(
    session: Session, sealed_ids: set[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    from massage_chart.storage.client_records import addendum_matches
    from massage_chart.storage.progress_reports import report_matches

    todo: list[tuple[str, str, str]] = []
    for addendum in session.scalars(select(Addendum)):
        if (ADDENDUM, addendum.id) not in sealed_ids and addendum_matches(addendum):
            todo.append((ADDENDUM, addendum.id, str(addendum.content_hash)))
    for report in session.scalars(select(ProgressReport)):
        # Its notes' seals are made in this same sealing: the report is judged by its hashes.
        if (PROGRESS_REPORT, report.id) not in sealed_ids and report_matches(session, report):
            todo.append((PROGRESS_REPORT, report.id, report.content_hash))
    return todo


# ---------------------------------------------------------------------------------- checking


def seal_state(session: Session, kind: str, record_id: str, content_hash: str | None) -> SealState:
    """Whether the record's content hash holds a seal (one query, or one call to the server)."""
    return seal_states(session, [(kind, record_id, content_hash)])[0]


def seal_states(
    session: Session, records: Sequence[tuple[str, str, str | None]]
) -> list[SealState]:
    """``seal_state`` of each (kind, id, content hash), in order, in one query (or one call to
    the server) whatever their number: a progress report checks every note it covers."""
    states = [SealState.BROKEN] * len(records)
    hashed = [(i, record) for i, record in enumerate(records) if record[2]]
    if not hashed:
        return states
    if _is_server(session):
        valid = session.scalars(
            text(
                "SELECT mc_seal_valid(t.kind, t.record, t.digest) FROM unnest("
                "CAST(:kinds AS text[]), CAST(:records AS text[]), CAST(:digests AS text[])"
                ") WITH ORDINALITY AS t(kind, record, digest, n) ORDER BY t.n"
            ),
            {
                "kinds": [kind for _, (kind, _, _) in hashed],
                "records": [record_id for _, (_, record_id, _) in hashed],
                "digests": [digest for _, (_, _, digest) in hashed],
            },
        ).all()
        for (i, _), good in zip(hashed, valid, strict=True):
            states[i] = SealState.GOOD if good else SealState.BROKEN
        return states
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    ids_of: dict[str, set[str]] = {}
    for _, (kind, record_id, _) in hashed:
        ids_of.setdefault(kind, set()).add(record_id)
    for kind, kind_ids in ids_of.items():  # by the index on (kind, id)
        ids = sorted(kind_ids)
        for first in range(0, len(ids), _IDS_PER_QUERY):
            for record_id, key_id, sealed_hash, mac in session.execute(
                select(Seal.record_id, Seal.key_id, Seal.content_hash, Seal.mac)
                .where(
                    Seal.record_kind == kind,
                    Seal.record_id.in_(ids[first : first + _IDS_PER_QUERY]),
                )
                .order_by(Seal.id)
            ):
                found.setdefault((kind, record_id), []).append((key_id, sealed_hash, mac))
    keys = _held(local_store())
    for i, (kind, record_id, content_hash) in hashed:
        assert content_hash is not None  # kept only those with one
        states[i] = _judge(keys, kind, record_id, content_hash, found.get((kind, record_id), []))
    return states


def _judge(
    keys: dict[str, SealKey],
    kind: str,
    record_id: str,
    content_hash: str,
    seals: Sequence[tuple[str, str, str]],
) -> SealState:
    """A record's state from its seals (key id, sealed hash, MAC) and the keys held here."""
    checkable = False
    for key_id, digest, mac in seals:
        key = keys.get(key_id)
        if key is None:
            continue
        checkable = True
        if digest == content_hash and key.mac(kind, record_id, digest) == mac:
            return SealState.GOOD
    if checkable:
        return SealState.BROKEN
    return SealState.UNCHECKABLE if seals else SealState.BROKEN


def _held(store: SealKeyStore) -> dict[str, SealKey]:
    try:
        return {key.key_id: key for key in store.held()}
    except SealKeyError:
        return {}


@dataclass
class SealSurvey:
    """What ``survey`` found over every signed record of a database."""

    checked: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)  # (kind, id)
    uncheckable: int = 0
    where: str = ""


def survey(session: Session) -> SealSurvey:
    """Every signed note, addendum and progress report against its seals."""
    if _is_server(session):
        rows = session.execute(text("SELECT record_kind, record_id FROM mc_unsealed()")).all()
        total = sum(
            int(session.scalar(text(query)) or 0)
            for query in (
                "SELECT count(*) FROM visits WHERE status = 'signed'",
                "SELECT count(*) FROM addenda",
                "SELECT count(*) FROM progress_reports",
            )
        )
        return SealSurvey(
            checked=total,
            broken=[(str(kind), str(record_id)) for kind, record_id in rows],
            where="the clinic server's key",
        )
    store = local_store()
    found = SealSurvey(where=store.where())
    keys = _held(store)
    for kind, record_id, stored_hash, seals in _signed_records_with_seals(session):
        found.checked += 1
        state = (
            _judge(keys, kind, record_id, stored_hash, seals) if stored_hash else SealState.BROKEN
        )
        if state is SealState.BROKEN:
            found.broken.append((kind, record_id))
        elif state is SealState.UNCHECKABLE:
            found.uncheckable += 1
    return found


#: Rows read at a time by ``survey``: its memory stays the same however many records there are.
SURVEY_BATCH = 1000


def _signed_records_with_seals(
    session: Session,
) -> Iterator[tuple[str, str, str | None, list[tuple[str, str, str]]]]:
    """Each signed note, addendum and progress report with its seals (key id, sealed hash,
    MAC), read in batches: one query per kind, each record's seals joined to it."""
    kinds: tuple[tuple[str, type[Visit] | type[Addendum] | type[ProgressReport]], ...] = (
        (VISIT, Visit),
        (ADDENDUM, Addendum),
        (PROGRESS_REPORT, ProgressReport),
    )
    for kind, model in kinds:
        query = (
            select(model.id, model.content_hash, Seal.key_id, Seal.content_hash, Seal.mac)
            .outerjoin(Seal, (Seal.record_kind == kind) & (Seal.record_id == model.id))
            .order_by(model.id)
        )
        if model is Visit:
            query = query.where(Visit.status == VisitStatus.SIGNED)
        rows = session.execute(query.execution_options(yield_per=SURVEY_BATCH))
        for (record_id, stored_hash), group in groupby(rows, key=lambda row: (row[0], row[1])):
            seals = [(key_id, digest, mac) for _id, _hash, key_id, digest, mac in group if key_id]
            yield kind, record_id, stored_hash, seals


# ------------------------------------------------------------------ one record, as it is shown


@dataclass(frozen=True)
class Integrity:
    """What a signed note (with its addenda) says of itself when it is opened or printed: the
    same findings ``check`` reports for it.

    Attributes:
        current_hash: what the note's content hashes to now.
        content_matches: the note's content still hashes to its sealed hash.
        seal: whether that hash holds its keyed seal.
        broken_addenda: addenda (by when written) changed, or their hash redone, after writing.
        uncheckable: some seal was made with a key this computer does not hold.
    """

    current_hash: str
    content_matches: bool
    seal: SealState
    broken_addenda: tuple[dt.datetime, ...] = ()
    uncheckable: bool = False

    @property
    def note_ok(self) -> bool:
        """Whether the signed note itself can be relied on."""
        return self.content_matches and self.seal is not SealState.BROKEN

    @property
    def ok(self) -> bool:
        """Whether the note and every addendum can be relied on."""
        return self.note_ok and not self.broken_addenda

    def problems(self) -> list[str]:
        """What is wrong, in words (empty when all holds)."""
        found = []
        if not self.content_matches:
            found.append("its content was changed after it was signed")
        elif self.seal is SealState.BROKEN:
            found.append(
                "its content hash was redone or its seal removed outside the app (the seal made "
                "when it was signed does not hold)"
            )
        found.extend(
            f"the addendum written {when:%Y-%m-%d %H:%M} was changed or forged after it was written"
            for when in self.broken_addenda
        )
        return found

    def uncheckable_words(self) -> str:
        """Said when a seal cannot be checked here; "" otherwise."""
        if not self.uncheckable:
            return ""
        return (
            "Sealed with another computer's key: the seal cannot be checked on this computer "
            "(bring that computer's seal key: massage-chart seal-key)."
        )


def visit_integrity(session: Session, visit: Visit) -> Integrity | None:
    """The integrity of a signed visit and its addenda (None for a draft)."""
    from massage_chart.storage.client_records import addendum_matches
    from massage_chart.storage.signing import visit_content_hash

    if visit.status is not VisitStatus.SIGNED:
        return None
    seal = seal_state(session, VISIT, visit.id, visit.content_hash)
    uncheckable = seal is SealState.UNCHECKABLE
    broken: list[dt.datetime] = []
    for addendum in sorted(visit.addenda, key=lambda a: a.created_at):
        state = seal_state(session, ADDENDUM, addendum.id, addendum.content_hash)
        uncheckable = uncheckable or state is SealState.UNCHECKABLE
        if not addendum_matches(addendum) or state is SealState.BROKEN:
            broken.append(addendum.created_at)
    current = visit_content_hash(visit)
    return Integrity(
        current_hash=current,
        content_matches=visit.content_hash is not None and visit.content_hash == current,
        seal=seal,
        broken_addenda=tuple(broken),
        uncheckable=uncheckable,
    )
