"""Warnings for databases on network shares and in cloud-synced folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from massage_chart.storage.location import location_warning


@pytest.fixture
def mounts(tmp_path: Path) -> Path:
    table = tmp_path / "mounts"
    table.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        "server:/export /mnt/clinic nfs4 rw 0 0\n"
        "//nas/share /media/nas\\040drive cifs rw 0 0\n"
    )
    return table


@pytest.mark.parametrize(
    ("path", "risk"),
    [
        ("/mnt/clinic/records.db", "network drive (nfs4"),
        ("/media/nas drive/records.db", "network drive (cifs"),
        ("/home/sam/Dropbox/records.db", "cloud-synced"),
        ("/home/sam/OneDrive - Harbourview/records.db", "cloud-synced"),
        ("/Users/sam/Library/Mobile Documents/com~apple~CloudDocs/records.db", "cloud-synced"),
    ],
)
def test_risky_places_are_named(mounts: Path, path: str, risk: str) -> None:
    warning = location_warning(Path(path), mounts_file=mounts)
    assert warning is not None
    assert risk in warning
    assert "PostgreSQL" in warning


def test_a_local_folder_is_fine(mounts: Path, tmp_path: Path) -> None:
    assert location_warning(Path("/home/sam/records/practice.db"), mounts_file=mounts) is None
    assert location_warning(tmp_path / "a.db", mounts_file=tmp_path / "no-such-file") is None
