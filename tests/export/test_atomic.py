"""Atomic export: the target is complete or untouched, never cut; clear errors for bad folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from massage_chart.export.atomic import ExportError, write_atomic


def test_writes_the_whole_file(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "note.pdf", b"%PDF-1.4 whole")
    assert target.read_bytes() == b"%PDF-1.4 whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.pdf"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_an_exported_note_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """A SOAP note or a visit summary is health information: other users of the computer do not
    read it (it was made readable by everyone before)."""
    target = write_atomic(tmp_path / "note.pdf", b"%PDF-1.4 whole")
    assert target.stat().st_mode & 0o077 == 0


def test_replaces_an_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "note.pdf"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    target.write_bytes(b"old and complete")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ExportError, match="No space left on device"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old and complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.pdf"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_atomic(tmp_path / "nowhere" / "note.pdf", b"x")


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is not a folder"):
        write_atomic(tmp_path / "file" / "note.pdf", b"x")


def test_a_folder_as_the_target(tmp_path: Path) -> None:
    (tmp_path / "dir.pdf").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_atomic(tmp_path / "dir.pdf", b"x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="cannot be written"):
            write_atomic(folder / "note.pdf", b"x")
    finally:
        folder.chmod(0o700)
