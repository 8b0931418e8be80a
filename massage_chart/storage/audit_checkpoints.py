"""Checkpoints of the audit log's head, kept outside the database, so that `check` can tell when
the newest events were deleted or the log rewritten.

The audit log is a hash chain: each event seals the one before, so a change or a deletion in
the middle shows. Its end does not: whoever can write the file can delete the newest events, or
rewrite the chain from any point and hash it again, and the rest still verifies. So each time a
backup is taken, the head of the chain (its sequence number and hash) is appended to a small
file beside the backups; `check` then holds the log to every checkpoint. A restore starts a new
file (the restored log is older than the checkpoints, rightly), keeping the old one aside.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massage_chart.storage.audit import AuditEvent

log = logging.getLogger(__name__)

SUFFIX = ".audit-checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    """The audit log's head as it was at a moment."""

    seq: int
    hash: str
    at: dt.datetime


def checkpoint_file(database_file: Path, backup_dir: Path) -> Path:
    """Where the checkpoints of a database file are kept (beside its backups)."""
    return backup_dir / f"{database_file.name}{SUFFIX}"


def write_checkpoint(session: Session, database_file: Path, backup_dir: Path) -> Checkpoint | None:
    """Append the head of the audit log (as ``session`` sees it) to the checkpoint file.

    A checkpoint that cannot be written is logged and skipped: it guards the records, it is not
    one of them, and a backup must not fail for it.
    """
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if head is None:
        return None
    checkpoint = Checkpoint(int(head[0]), str(head[1]), dt.datetime.now(dt.UTC))
    line = json.dumps(
        {"seq": checkpoint.seq, "hash": checkpoint.hash, "at": checkpoint.at.isoformat()}
    )
    target = checkpoint_file(database_file, backup_dir)
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        log.warning("could not write the audit checkpoint %s: %s", target, exc)
        return None
    return checkpoint


def read_checkpoints(database_file: Path, backup_dir: Path) -> tuple[list[Checkpoint], int]:
    """The checkpoints on file, and how many lines could not be read."""
    target = checkpoint_file(database_file, backup_dir)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], 0
    except (OSError, UnicodeDecodeError):
        return [], 1
    found: list[Checkpoint] = []
    unreadable = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            found.append(
                Checkpoint(int(raw["seq"]), str(raw["hash"]), dt.datetime.fromisoformat(raw["at"]))
            )
        except (ValueError, KeyError, TypeError):
            unreadable += 1
    return found, unreadable


def start_afresh(database_file: Path, backup_dir: Path) -> Path | None:
    """After a restore: set the old checkpoints aside (renamed, never deleted); new ones follow
    the restored log. Returns where the old ones went."""
    target = checkpoint_file(database_file, backup_dir)
    if not target.exists():
        return None
    aside = target.with_name(f"{target.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
    try:
        target.rename(aside)
    except OSError as exc:
        log.warning("could not set the audit checkpoints aside: %s", exc)
        return None
    return aside


def checkpoint_problems(session: Session, checkpoints: list[Checkpoint]) -> list[str]:
    """Where the audit log disagrees with its checkpoints: its newest events deleted, or events
    rewritten since a checkpoint was taken."""
    if not checkpoints:
        return []
    newest = session.scalar(select(func.max(AuditEvent.seq))) or 0
    problems: list[str] = []
    furthest = max(checkpoints, key=lambda c: c.seq)
    if furthest.seq > newest:
        problems.append(
            f"the audit log ends at event {newest}, but on {furthest.at:%Y-%m-%d %H:%M} UTC it "
            f"had reached event {furthest.seq}: its newest events were deleted"
        )
    wanted = {c.seq: c for c in checkpoints if c.seq <= newest}
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(wanted))
    ).all()
    stored = {int(seq): str(digest) for seq, digest in rows}
    for seq, checkpoint in sorted(wanted.items()):
        if stored.get(seq) != checkpoint.hash:
            problems.append(
                f"audit event {seq} is not the one recorded at the checkpoint of "
                f"{checkpoint.at:%Y-%m-%d %H:%M} UTC: the log was rewritten from there on"
            )
            break  # everything after it follows
    return problems


PRINTED_DIGITS = 12
"""How much of the head's hash a printed page carries: 48 bits, short enough to type back."""


def printed_checkpoint(session: Session) -> str | None:
    """The audit log's head as a page prints it, "1234:3f9a2c1e5b7d" (None for an empty log).

    Paper outlives the file: whoever holds a printed note can later ask the log whether it still
    holds that event with that hash (``printed_checkpoint_problem``), which catches the newest
    events deleted or the log rewritten since the page was printed.
    """
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if head is None:
        return None
    return f"{int(head[0])}:{str(head[1])[:PRINTED_DIGITS]}"


def printed_checkpoint_problem(session: Session, checkpoint: str) -> str:
    """What the audit log says against a checkpoint read off a printed page; "" when it holds.

    Raises:
        ValueError: the checkpoint is not written as a page prints it ("1234:3f9a2c1e5b7d").
    """
    seq_text, _, prefix = checkpoint.strip().partition(":")
    prefix = prefix.strip().lower()
    if (
        not seq_text.strip().isdigit()
        or len(prefix) < 8
        or not all(c in "0123456789abcdef" for c in prefix)
    ):
        raise ValueError(
            f"{checkpoint!r} is not an audit checkpoint as printed: the event number, a colon "
            "and the first characters of its hash, such as 1234:3f9a2c1e5b7d."
        )
    seq = int(seq_text)
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    if stored is None:
        newest = session.scalar(select(func.max(AuditEvent.seq))) or 0
        return (
            f"the printed checkpoint names audit event {seq}, but the log ends at event {newest}: "
            "events were deleted after the page was printed"
        )
    if not str(stored).startswith(prefix):
        return (
            f"audit event {seq} is not the one the page was printed at: the log was rewritten "
            "from there on"
        )
    return ""
