"""A ``-wal`` found beside a SQLite file: whether it is this database's, and setting it aside."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from massage_chart.files import fsync_file, fsync_folder

# The WAL format (sqlite.org/fileformat2.html#walformat): a 32-byte header, then frames of a
# 24-byte header and one page each. A frame counts only while its salts equal the header's and
# its cumulative checksum holds; a transaction counts only up to its commit frame (non-zero
# "database size" field). SQLite checks the WAL against itself, never against the database it
# sits beside, so a WAL of another file is replayed into this one.
WAL_MAGIC_LITTLE_ENDIAN = 0x377F0682
WAL_MAGIC_BIG_ENDIAN = 0x377F0683
WAL_FORMAT = 3007000
WAL_HEADER_SIZE = 32
FRAME_HEADER_SIZE = 24
DATABASE_MAGIC = b"SQLite format 3\x00"
FOREIGN_MARK = "foreign-wal"
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalSummary:
    """What SQLite would replay from a WAL file.

    Attributes:
        page_size: the page size the WAL was written with.
        checkpoint_seq: how many times the WAL was restarted since it was created.
        salts: the two salts every valid frame repeats.
        committed_frames: frames up to the last commit frame (what SQLite would replay).
        database_pages: the database's size in pages after the last commit.
    """

    page_size: int
    checkpoint_seq: int
    salts: tuple[int, int]
    committed_frames: int
    database_pages: int


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum, continued from ``(s0, s1)`` over ``data`` (a multiple of 8 bytes)."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for index in range(0, len(words), 2):
        s0 = (s0 + words[index] + s1) & _MASK
        s1 = (s1 + words[index + 1] + s0) & _MASK
    return s0, s1


def read_wal(wal: Path) -> WalSummary | None:
    """The frames SQLite would replay from ``wal``; None when it would replay nothing (no file,
    a header that is not a valid WAL header, or no committed frame).

    Raises:
        OSError: the file cannot be read.
    """
    with open(wal, "rb") as handle:
        header = handle.read(WAL_HEADER_SIZE)
        if len(header) < WAL_HEADER_SIZE:
            return None
        magic, version, page_size, sequence, salt1, salt2, sum1, sum2 = struct.unpack(">8I", header)
        if magic not in (WAL_MAGIC_LITTLE_ENDIAN, WAL_MAGIC_BIG_ENDIAN) or version != WAL_FORMAT:
            return None
        if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
            return None
        big_endian = magic == WAL_MAGIC_BIG_ENDIAN
        running = _checksum(header[:24], big_endian, 0, 0)
        if running != (sum1, sum2):
            return None
        frames = committed = pages = 0
        while True:
            frame_header = handle.read(FRAME_HEADER_SIZE)
            page = handle.read(page_size)
            if len(frame_header) < FRAME_HEADER_SIZE or len(page) < page_size:
                break
            number, size_after, f_salt1, f_salt2, f_sum1, f_sum2 = struct.unpack(
                ">6I", frame_header
            )
            if number == 0 or (f_salt1, f_salt2) != (salt1, salt2):
                break
            running = _checksum(frame_header[:8], big_endian, *running)
            running = _checksum(page, big_endian, *running)
            if running != (f_sum1, f_sum2):
                break
            frames += 1
            if size_after:
                committed, pages = frames, size_after
    if not committed:
        return None
    return WalSummary(page_size, sequence, (salt1, salt2), committed, pages)


@dataclass(frozen=True)
class _View:
    """What one reading of the database shows: enough to tell one practice's file from another."""

    problems: list[str]
    practices: set[str]
    newest_event: tuple[int, str] | None


def _view(uri: str) -> _View | None:
    """Read the practice ids and the newest audit event through ``uri``; None when unreadable."""
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        problems = [str(r[0]) for r in connection.execute("PRAGMA quick_check") if r[0] != "ok"]
        if problems:
            return _View(problems, set(), None)
        tables = {str(r[0]) for r in connection.execute("SELECT name FROM sqlite_master")}
        practices: set[str] = set()
        newest: tuple[int, str] | None = None
        if "practices" in tables:
            practices = {str(r[0]) for r in connection.execute("SELECT id FROM practices")}
        if "audit_events" in tables:
            row = connection.execute(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            newest = None if row is None else (int(row[0]), str(row[1]))
        return _View([], practices, newest)
    except sqlite3.Error as exc:
        return _View([str(exc)], set(), None)
    finally:
        connection.close()


def _has_event(uri: str, event: tuple[int, str]) -> bool:
    connection = sqlite3.connect(uri, uri=True)
    try:
        row = connection.execute(
            "SELECT 1 FROM audit_events WHERE seq = ? AND hash = ?", event
        ).fetchone()
        return row is not None
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def wal_of(path: Path) -> Path:
    """The ``-wal`` file SQLite pairs with ``path``."""
    return path.with_name(path.name + "-wal")


def foreign_wal_reason(path: Path) -> str | None:
    """Why the ``-wal`` beside a plain SQLite file is not this database's, or None when it is
    (or when SQLite would replay nothing from it).

    Nothing is written: the database is read twice, without its WAL (``immutable``, as last
    checkpointed) and with it (read-only, which never checkpoints). A WAL of this database only
    adds to what the file holds; another file's WAL has another page size, breaks the file's
    structure, replaces its practice, or loses audit events (the audit log is append-only).
    An encrypted file is not judged here (its pages cannot be read without the key).
    """
    wal = wal_of(path)
    try:
        if not wal.is_file() or not path.is_file() or path.stat().st_size < 100:
            return None
        with open(path, "rb") as handle:
            header = handle.read(100)
        summary = read_wal(wal)
    except OSError:
        return None
    if summary is None or not header.startswith(DATABASE_MAGIC):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if summary.page_size != page_size:
        return f"its pages are {summary.page_size} bytes, this database's {page_size}"
    file_uri = path.resolve().as_uri()
    # Read as last checkpointed first: whatever it holds was committed before the WAL's state.
    alone = _view(f"{file_uri}?immutable=1")
    if alone is None or alone.problems:
        return None  # the file alone cannot be judged; SQLite's own checks follow
    replayed = _view(f"{file_uri}?mode=ro")
    if replayed is None:
        return None
    if replayed.problems:
        return f"read with it, the database breaks ({'; '.join(replayed.problems[:2])})"
    if alone.practices and not alone.practices <= replayed.practices:
        return "read with it, the database holds another practice"
    if alone.newest_event is not None and not _has_event(f"{file_uri}?mode=ro", alone.newest_event):
        return f"read with it, audit event {alone.newest_event[0]} of this database disappears"
    return None


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def set_aside_foreign_wal(path: Path, folder: Path) -> Path:
    """Copy the database and move its ``-wal`` and ``-shm`` into a new folder inside ``folder``
    (the backups folder), byte for byte and checked, so that the database opens as last
    checkpointed and nothing of either file is lost. Returns the new folder.

    Raises:
        OSError: the copies could not be made; the files beside the database are then as they
            were.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = folder / f"{path.name}.{FOREIGN_MARK}-{stamp}"
    number = 1
    while aside.exists():
        number += 1
        aside = folder / f"{path.name}.{FOREIGN_MARK}-{stamp}-{number}"
    aside.mkdir(parents=True, mode=0o700)
    moved = [path] + [
        companion
        for companion in (wal_of(path), path.with_name(path.name + "-shm"))
        if companion.exists()
    ]
    for source in moved:
        copy = aside / source.name
        shutil.copyfile(source, copy)
        fsync_file(copy)
        if _digest(copy) != _digest(source):
            raise OSError(f"the copy of {source} in {aside} does not match it")
    fsync_folder(aside)
    fsync_folder(folder)
    for companion in moved[1:]:
        companion.unlink()
    fsync_folder(path.parent)
    return aside
