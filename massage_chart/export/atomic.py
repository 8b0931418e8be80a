"""Exports written whole or not at all (``massage_chart.files``), with messages fit for the user."""

from __future__ import annotations

import os
from pathlib import Path

from massage_chart.files import replace_whole


class ExportError(Exception):
    """An export could not be written; the message is fit for the user."""


def check_folder(folder: Path) -> None:
    """Raise ExportError unless ``folder`` exists, is a folder and can be written to."""
    if not folder.exists():
        raise ExportError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"The folder {folder} cannot be written to (permission denied).")


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``: the target is either absent/unchanged or complete, never cut;
    a new file is readable by its owner only, like every file of health information the program
    writes.

    Raises:
        ExportError: the folder is missing or read-only, the disk is full, or the target is a
            folder.
    """
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    check_folder(folder)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name.")
    try:
        replace_whole(path, data)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path


#: Endings SQLite gives the files beside a database (its journal, WAL and shared memory).
SQLITE_COMPANION_ENDINGS = ("-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.is_relative_to(folder.expanduser().resolve())
    except OSError:
        return False


def check_output_path(
    path: Path,
    *,
    database_file: Path | None = None,
    backup_folder: Path | None = None,
    overwrite: bool = False,
    overwrite_hint: str = "",
) -> Path:
    """Decide whether a file may be written at ``path``; returns it resolved (links followed).

    Never allowed, whatever ``overwrite`` says: the open database, its ``-wal``/``-shm``/
    ``-journal`` (or any file named like a database's journal, which SQLite deletes or replays),
    an existing file in the backups folder, or a folder. An existing file is replaced only with
    ``overwrite`` (``--force`` on the command line; the window's save dialog asks first);
    ``overwrite_hint`` ends the refusal with how to replace it on purpose.

    Raises:
        ExportError: the path may not be written; the message says why and that nothing was
            written.
    """
    resolved = path.expanduser().resolve()
    if database_file is not None:
        database = database_file.expanduser().resolve()
        for protected in (
            database,
            *(database.with_name(database.name + e) for e in SQLITE_COMPANION_ENDINGS),
        ):
            if _same_file(resolved, protected):
                raise ExportError(
                    f"{path} is the database {database} itself (or its journal): writing there "
                    "would destroy the records. Nothing was written; choose another file."
                )
    if resolved.name.endswith(SQLITE_COMPANION_ENDINGS):
        raise ExportError(
            f"{path} is named like a database's journal (…-wal, …-shm, …-journal): SQLite would "
            "delete or replay it. Nothing was written; choose another name."
        )
    if backup_folder is not None and resolved.exists() and _inside(resolved, backup_folder):
        raise ExportError(
            f"{path} is a file in the backups folder {backup_folder}: a backup is never "
            "written over. Nothing was written; choose another name."
        )
    if resolved.is_dir():
        raise ExportError(f"{path} is a folder; give a file name. Nothing was written.")
    if resolved.exists() and not overwrite:
        raise ExportError(
            f"{path} already exists. Nothing was written; choose another name{overwrite_hint}."
        )
    return resolved
