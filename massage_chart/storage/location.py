"""Warnings about where a SQLite database lives: network shares, cloud-synced folders, USB sticks."""

from __future__ import annotations

from pathlib import Path

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "afpfs",
        "9p",
        "fuse.sshfs",
        "sshfs",
        "davfs",
        "fuse.davfs2",
        "glusterfs",
        "ceph",
        "fuse.rclone",
        "fuse.s3fs",
        "webdav",
    }
)
CLOUD_FOLDER_NAMES = (
    "dropbox",
    "onedrive",
    "icloud drive",
    "icloud",
    "mobile documents",
    "google drive",
    "googledrive",
    "my drive",
    "box sync",
    "box drive",
    "pcloud",
    "nextcloud",
    "owncloud",
    "sync.com",
    "megasync",
)


def _mount_of(path: Path, mounts_file: Path) -> tuple[str, str] | None:
    """The (mount point, filesystem type) that holds ``path``, from a /proc/mounts-style file."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[str, str] | None = None
    target = str(path)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix)) and (
            best is None or len(mount_point) > len(best[0])
        ):
            best = (mount_point, fields[2])
    return best


def location_warning(path: Path, *, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """A plain warning if a database file sits where SQLite can be corrupted, else None."""
    resolved = path.expanduser().resolve(strict=False)
    text = str(resolved)
    if text.startswith("\\\\") or text.startswith("//"):
        return _network_warning(resolved, "a network share")
    mount = _mount_of(resolved, mounts_file)
    if mount is not None and mount[1].lower() in NETWORK_FILESYSTEMS:
        return _network_warning(resolved, f"a network drive ({mount[1]} at {mount[0]})")
    lowered = [part.lower() for part in resolved.parts]
    for part in lowered:
        if part in CLOUD_FOLDER_NAMES or part.startswith(("onedrive - ", "dropbox (")):
            return (
                f"The database {resolved} is in a cloud-synced folder. Sync services copy the "
                "file while it is being written and can corrupt it or bring back old versions. "
                "Keep the database in a local folder and let the app's verified backups go to the "
                "synced folder instead; for several computers, use a PostgreSQL server."
            )
    return None


def _network_warning(path: Path, where: str) -> str:
    return (
        f"The database {path} is on {where}. SQLite's locking is not reliable over a network, and "
        "two computers writing at once can corrupt the file. Keep the database on this computer, "
        "or share records between computers through a PostgreSQL server."
    )
