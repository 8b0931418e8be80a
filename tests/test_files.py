"""One way to replace a file: whole or not at all, durable, owner-only, never a shared temporary."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from massage_chart.files import replace_whole


def test_a_new_file_is_whole_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    replace_whole(target, b'{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}'
    assert os.name == "nt" or target.stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "draft.json"
    target.write_bytes(b"old and whole")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        replace_whole(target, b"new")
    assert target.read_bytes() == b"old and whole"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.json"]


def test_a_missing_folder_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        replace_whole(tmp_path / "nowhere" / "x.json", b"x")
    assert list(tmp_path.iterdir()) == []


def test_writers_at_once_each_leave_a_whole_file(tmp_path: Path) -> None:
    """Two windows saving the same file at the same moment: the last rename wins, whole; neither
    writes into the other's temporary file (a fixed temporary name let them)."""
    target = tmp_path / "chart.json"
    payloads = [bytes([65 + n]) * 200_000 for n in range(8)]
    threads = [threading.Thread(target=replace_whole, args=(target, p)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["chart.json"]
