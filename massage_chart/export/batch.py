"""Batch export: the SOAP note of every signed visit in a date range, on every core.

Each worker process opens its own database connection (spawned, never forked with a live
connection), reads one visit in one short session, renders it and writes it atomically. The
parent records one audit EXPORT event per file written.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage_chart.domain.presentation import Clock, clock_in_use, use_clock
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.export.atomic import ExportError, check_folder, write_atomic
from massage_chart.storage import audit
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Client, Visit

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
_NAME_LIMIT = 40


@dataclass(frozen=True)
class BatchItem:
    """One visit to export and the file it goes to."""

    visit_id: str
    client_id: str
    file_name: str


@dataclass(frozen=True)
class BatchFailure:
    """A visit whose note could not be written."""

    visit_id: str
    message: str


@dataclass
class BatchReport:
    """What a batch export did."""

    written: list[Path] = field(default_factory=list)
    failures: list[BatchFailure] = field(default_factory=list)
    seconds: float = 0.0


def safe_name_part(text: str) -> str:
    """A piece of a file name: letters of any script and digits kept, the rest "_" (max 40)."""
    folded = unicodedata.normalize("NFC", text).strip()
    cleaned = _UNSAFE.sub("_", folded).strip("._-")
    # Cut to the limit, then trim again: a name never ends in a separator ("O_Neil-", "Smith_").
    return cleaned[:_NAME_LIMIT].rstrip("._-") or "unnamed"


def file_name(start: dt.datetime, last_name: str, first_name: str, visit_id: str) -> str:
    """ "2026-11-20_Nguyen-Zoe_1a2b3c4d.pdf": by date, client and visit."""
    client = f"{safe_name_part(last_name)}-{safe_name_part(first_name)}"
    return f"{start:%Y-%m-%d}_{client}_{safe_name_part(visit_id)[:8]}.pdf"


def signed_visits(session: Session, first: dt.date, last: dt.date) -> list[BatchItem]:
    """Every signed visit whose date of service is from ``first`` to ``last`` (inclusive)."""
    begin = dt.datetime.combine(first, dt.time.min)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    rows = session.execute(
        select(Visit.id, Visit.client_id, Visit.start, Client.last_name, Client.first_name)
        .join(Client, Client.id == Visit.client_id)
        .where(Visit.status == VisitStatus.SIGNED, Visit.start >= begin, Visit.start < end)
        .order_by(Visit.start, Visit.id)
    ).all()
    items: list[BatchItem] = []
    used: set[str] = set()
    for visit_id, client_id, start, last_name, first_name in rows:
        name = file_name(start, last_name, first_name, visit_id)
        if name in used:  # two visits whose ids share 8 characters: use the whole id
            name = name[: -len(".pdf") - 8] + safe_name_part(visit_id) + ".pdf"
        used.add(name)
        items.append(BatchItem(visit_id, client_id, name))
    return items


# --------------------------------------------------------------------------- worker side

_worker_database: Database | None = None


def _init_worker(url: str, clock: Clock) -> None:
    """Open this process's own database connection, write times on the parent's clock, and
    warm the fonts and code set."""
    global _worker_database
    use_clock(clock)
    _worker_database = open_database(url, upgrade=False)
    from massage_chart.export.fonts import register_fonts

    register_fonts()


def _export_one(database: Database, item: BatchItem, folder: str) -> tuple[str, str, str]:
    """Render and write one note; returns (visit id, path or "", error or "")."""
    from massage_chart.export.service import DocumentKind, read_snapshot, render

    try:
        snapshot = read_snapshot(database, item.visit_id)
        pdf = render(DocumentKind.SOAP, snapshot)
        path = write_atomic(Path(folder) / item.file_name, pdf)
    except ExportError as exc:
        return item.visit_id, "", str(exc)
    except Exception as exc:  # one bad note is reported; it must not stop the batch
        return item.visit_id, "", f"{type(exc).__name__}: {exc}"
    return item.visit_id, str(path), ""


def _work(task: tuple[BatchItem, str]) -> tuple[str, str, str]:
    assert _worker_database is not None, "worker not initialised"
    return _export_one(_worker_database, *task)


# --------------------------------------------------------------------------- parent side


def export_batch(
    url: str,
    first: dt.date,
    last: dt.date,
    folder: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    """Write the SOAP note of every signed visit from ``first`` to ``last`` into ``folder``.

    Args:
        url: the database URL; each worker opens its own connection to it.
        workers: processes to use (default: every core); 1 renders in this process.
        progress: called after each file with (done, total, file name).

    Raises:
        ExportError: the folder is missing or cannot be written.
        StorageError: the database cannot be opened.
    """
    check_folder(folder)
    started = time.perf_counter()
    database = open_database(url, upgrade=False)
    try:
        with database.read() as session:
            items = signed_visits(session, first, last)
    finally:
        database.dispose()
    report = BatchReport()
    if not items:
        report.seconds = time.perf_counter() - started
        return report
    count = workers or os.cpu_count() or 1
    count = max(1, min(count, len(items)))
    by_id = {item.visit_id: item for item in items}
    tasks = [(item, str(folder)) for item in items]
    done = 0

    def collect(result: tuple[str, str, str]) -> None:
        nonlocal done
        visit_id, path, error = result
        done += 1
        if error:
            report.failures.append(BatchFailure(visit_id, error))
        else:
            report.written.append(Path(path))
        if progress is not None:
            progress(done, len(items), by_id[visit_id].file_name)

    if count == 1:
        _init_worker(url, clock_in_use())
        try:
            for task in tasks:
                collect(_work(task))
        finally:
            _close_worker()
    else:
        context = multiprocessing.get_context("spawn")
        # A spawned worker starts afresh: it is told the clock the parent writes times on.
        initargs = (url, clock_in_use())
        with context.Pool(count, initializer=_init_worker, initargs=initargs) as pool:
            for result in pool.imap_unordered(_work, tasks, chunksize=4):
                collect(result)
    by_name = {item.file_name: item for item in items}
    _audit_written(url, [by_name[p.name] for p in report.written], folder)
    report.written.sort()
    report.seconds = time.perf_counter() - started
    return report


def _close_worker() -> None:
    global _worker_database
    if _worker_database is not None:
        _worker_database.dispose()
        _worker_database = None


def _audit_written(url: str, items: Sequence[BatchItem], folder: Path) -> None:
    """One EXPORT event per note written, in one transaction."""
    if not items:
        return
    database = open_database(url, upgrade=False)
    try:
        with database.write() as session:
            for item in items:
                audit.record(
                    session,
                    audit.AuditAction.EXPORT,
                    client_id=item.client_id,
                    visit_id=item.visit_id,
                    detail=f"SOAP note PDF to {folder / item.file_name} (batch)",
                )
    finally:
        database.dispose()
