"""The draft store: text being typed, kept every few seconds apart from the database.

A note's text reaches the database a second after typing stops; the draft store keeps what is on
screen while typing goes on, and whenever the database refuses a write (a full disk, a busy or
unreachable server). After a crash the window offers the drafts back. A draft is removed once
its text is safely in the database, or when the user discards it.

Each draft is one small JSON file, written through a temporary file, flushed to disk and renamed
into place, so a kill at any moment leaves the previous draft or the new one, never half of one.
Drafts of an encrypted database are encrypted too (AES-GCM, with a key derived from its
passphrase): a draft is client data and must not sit on disk in clear when the records do not.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massage_chart.files import fsync_folder, replace_whole
from massage_chart.storage.database import user_data_dir

FORMAT = "massage-chart-draft/1"
_SUFFIX = ".draft"
_SALT_FILE = "salt"
_KEY_PATTERN = re.compile(r"^[a-z]+:[A-Za-z0-9._-]{1,80}$")


class DraftError(Exception):
    """A draft could not be written (the disk is full, the folder cannot be written...)."""


@dataclass(frozen=True)
class Draft:
    """Unsaved text of one window, as it stood when last kept.

    Attributes:
        key: ``kind:record_id``, e.g. ``note:<visit id>`` or ``addendum:<visit id>``.
        label: what the user is shown ("SOAP note — Zoë Nguyễn, 12 Nov 2026").
        fields: the values on screen, as JSON-ready data.
        saved_at: when it was kept (UTC).
    """

    key: str
    label: str
    fields: Mapping[str, Any]
    saved_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def kind(self) -> str:
        """``note``, ``addendum``..."""
        return self.key.split(":", 1)[0]

    @property
    def record_id(self) -> str:
        """The id of the visit (or other record) the text belongs to."""
        return self.key.split(":", 1)[1]


def draft_key(kind: str, record_id: str) -> str:
    """The key of a draft; refuses ids that could escape the drafts folder."""
    key = f"{kind}:{record_id}"
    if not _KEY_PATTERN.match(key):
        raise ValueError(f"not a draft key: {key!r}")
    return key


def drafts_folder_for(database_url: str, root: Path | None = None) -> Path:
    """The folder of one database's drafts: drafts of a demo database never show in another."""
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    return (root if root is not None else user_data_dir() / "drafts") / digest


class DraftStore:
    """Drafts of one database, in their own folder.

    Args:
        folder: where the drafts are kept (created on first write).
        passphrase: the database passphrase when it is encrypted; drafts are then encrypted.
    """

    def __init__(self, folder: Path, *, passphrase: str | None = None) -> None:
        self.folder = folder
        self._passphrase = passphrase
        self._cipher: Any = None

    @property
    def encrypted(self) -> bool:
        """Whether drafts are written encrypted."""
        return self._passphrase is not None

    # ------------------------------------------------------------------ writing

    def save(self, draft: Draft) -> None:
        """Keep a draft, replacing the previous one with the same key.

        Raises:
            DraftError: it could not be written; the previous draft (if any) is untouched.
        """
        payload = json.dumps(
            {
                "format": FORMAT,
                "key": draft.key,
                "label": draft.label,
                "saved_at": draft.saved_at.isoformat(),
                "fields": dict(draft.fields),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        target = self._path(draft.key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_whole(target, self._seal(payload))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise DraftError(f"The draft could not be kept in {self.folder}: {reason}") from exc

    def discard(self, key: str) -> None:
        """Remove a draft (its text is saved, or the user let it go); a missing one is fine."""
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()
            fsync_folder(self.folder)

    # ------------------------------------------------------------------ reading

    def load(self, key: str) -> Draft | None:
        """The draft with this key, or None (missing or unreadable)."""
        path = self._path(key)
        return self._read(path) if path.exists() else None

    def all(self) -> list[Draft]:
        """Every readable draft, oldest first. Unreadable ones are renamed aside and skipped."""
        if not self.folder.is_dir():
            return []
        drafts = []
        for path in sorted(self.folder.glob(f"*{_SUFFIX}")):
            draft = self._read(path)
            if draft is None:
                with contextlib.suppress(OSError):
                    path.rename(path.with_suffix(".unreadable"))
                continue
            drafts.append(draft)
        return sorted(drafts, key=lambda d: d.saved_at)

    def _read(self, path: Path) -> Draft | None:
        try:
            data = json.loads(self._open(path.read_bytes()).decode("utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("fields"), dict):
                return None
            saved_at = dt.datetime.fromisoformat(data["saved_at"])
            return Draft(str(data["key"]), str(data["label"]), data["fields"], saved_at)
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    # ------------------------------------------------------------------ files and keys

    def _path(self, key: str) -> Path:
        if not _KEY_PATTERN.match(key):
            raise ValueError(f"not a draft key: {key!r}")
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{name}{_SUFFIX}"

    def _aead(self) -> Any:
        if self._cipher is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            salt_path = self.folder / _SALT_FILE
            if salt_path.exists():
                salt = salt_path.read_bytes()
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                salt = os.urandom(16)
                salt_path.write_bytes(salt)
            assert self._passphrase is not None
            key = hashlib.scrypt(
                self._passphrase.encode("utf-8"),
                salt=salt,
                n=2**14,
                r=8,
                p=1,
                maxmem=64 * 1024 * 1024,
                dklen=32,
            )
            self._cipher = AESGCM(key)
        return self._cipher

    def _seal(self, payload: bytes) -> bytes:
        if self._passphrase is None:
            return payload
        nonce = os.urandom(12)
        sealed = self._aead().encrypt(nonce, payload, FORMAT.encode("ascii"))
        return b"MCDRAFT1" + base64.b64encode(nonce + sealed)

    def _open(self, data: bytes) -> bytes:
        if not data.startswith(b"MCDRAFT1"):
            if self._passphrase is not None:
                raise ValueError("a plain draft in an encrypted store")
            return data
        if self._passphrase is None:
            raise ValueError("an encrypted draft without a passphrase")
        from cryptography.exceptions import InvalidTag

        raw = base64.b64decode(data[8:], validate=True)
        try:
            return bytes(self._aead().decrypt(raw[:12], raw[12:], FORMAT.encode("ascii")))
        except InvalidTag as exc:
            raise ValueError("the draft does not open with this passphrase") from exc


def rekey_drafts(folder: Path, old: str | None, new: str | None) -> int:
    """Rewrite every draft in ``folder`` from the old passphrase (None: in clear) to the new one.

    Called when a database is encrypted or its passphrase changes, so that its drafts can still
    be offered and none is left in clear. Returns how many drafts were rewritten.
    """
    drafts = DraftStore(folder, passphrase=old).all()
    sealed = DraftStore(folder, passphrase=new)
    for draft in drafts:
        sealed.save(draft)
    return len(drafts)
