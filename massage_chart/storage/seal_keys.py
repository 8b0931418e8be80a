"""This computer's seal keys: the secret that seals signed records (``seals.py``), kept where the
database is not.

A content hash alone can be redone by whoever can write the database file; a seal cannot be
without the key. On one computer the key lives in the operating system's keyring (the login
keychain, the Windows credential store, the Secret Service of a Linux desktop) where there is
one, else in a private file in the user's settings folder, readable by the user alone. Keys
are never removed: a key brought from another computer (``import_keys``) joins the ones held
here, so the notes sealed there can be checked here too. The newest key seals.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "massage-chart"
FILE_NAME = "seal-keys.json"
KEYRING_SERVICE = "Massage Chart"
KEYRING_ENTRY = "seal keys"
FORMAT = "massage-chart-seal-keys/1"


class SealKeyError(Exception):
    """Seal keys could not be read or written (a file that is not a key file, say)."""


@dataclass(frozen=True)
class SealKey:
    """One seal key: its public id (printed nowhere secret) and the secret itself."""

    key_id: str
    secret: bytes = field(repr=False)
    created_at: str = ""

    def mac(self, kind: str, record_id: str, content_hash: str) -> str:
        """The seal of a record: HMAC-SHA-256 over "kind:id:content hash"."""
        message = f"{kind}:{record_id}:{content_hash}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def key_id_of(secret: bytes) -> str:
    """A key's id: the first 16 hex digits of a hash of it (tells keys apart, reveals nothing)."""
    return hashlib.sha256(b"massage-chart seal key id:" + secret).hexdigest()[:16]


def new_key() -> SealKey:
    """A fresh random 256-bit key."""
    secret = secrets.token_bytes(32)
    return SealKey(key_id_of(secret), secret, dt.datetime.now(dt.UTC).isoformat())


def _encode(keys: list[SealKey]) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "keys": [
                {
                    "id": key.key_id,
                    "key": base64.b64encode(key.secret).decode(),
                    "created": key.created_at,
                }
                for key in keys
            ],
        },
        indent=1,
    )


def _decode(text: str, where: str) -> list[SealKey]:
    try:
        raw: Any = json.loads(text)
        if raw.get("format") != FORMAT:
            raise ValueError("not a seal key file")
        keys = []
        for entry in raw["keys"]:
            secret = base64.b64decode(entry["key"], validate=True)
            if len(secret) < 16 or key_id_of(secret) != entry["id"]:
                raise ValueError("a key does not match its id")
            keys.append(SealKey(entry["id"], secret, str(entry.get("created", ""))))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SealKeyError(f"{where} is not a Massage Chart seal key file ({exc}).") from exc
    return keys


def default_key_file() -> Path:
    """Where the keys are kept when the computer has no usable keyring."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def _usable_keyring() -> Any | None:
    """The operating system's keyring, if there is a real one (not the "fail" or "null" one
    the keyring library falls back to on a machine without)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        if float(getattr(backend, "priority", 0)) <= 0:
            return None
    except (KeyringError, RuntimeError, ValueError):
        return None
    return backend


def load_keyring() -> None:
    """Load the keyring library and find this computer's backend, reading no key (so nothing
    asks for the keyring to be unlocked). Failures are left for the first real use to meet."""
    try:
        _usable_keyring()
    except Exception:  # read again, and reported, where a key is needed
        log.debug("the keyring could not be loaded ahead", exc_info=True)


class SealKeyStore:
    """The seal keys of this computer's user, read once and kept.

    Args:
        file: the key file (the default one in the settings folder), used when the operating
            system has no keyring.
    """

    def __init__(self, file: Path | None = None) -> None:
        self.file = file or default_key_file()
        self._keys: list[SealKey] | None = None
        self._lock = threading.Lock()

    def where(self) -> str:
        """Where the keys are kept, in words."""
        if _usable_keyring() is not None:
            return "this computer's keyring"
        return f"the key file {self.file}"

    def held(self) -> list[SealKey]:
        """Every key held here, oldest first (none before the first one is made)."""
        with self._lock:
            if self._keys is None:
                self._keys = self._read()
            return list(self._keys)

    def current(self) -> SealKey:
        """The key that seals: the newest held, made now if there is none yet.

        Raises:
            SealKeyError: no key is held and none could be kept (nothing can be sealed).
        """
        held = self.held()
        if held:
            return held[-1]
        with self._lock:
            self._keys = self._read()
            if not self._keys:
                self._keys = self._store_first(new_key())
            return self._keys[-1]

    def import_keys(self, text: str, where: str = "the file") -> list[SealKey]:
        """Add the keys of an exported key file (another computer's); returns those that were new.

        Raises:
            SealKeyError: the text is not a key file, or the keys could not be kept.
        """
        incoming = _decode(text, where)
        with self._lock:
            held = self._read()
            known = {key.key_id for key in held}
            added = [key for key in incoming if key.key_id not in known]
            if added:
                # The newest key keeps sealing: what comes from elsewhere goes before it.
                self._write(added + held)
                self._keys = self._read()
            return added

    def export_text(self) -> str:
        """Every key held here, as a key file to carry to another computer (keep it secret)."""
        self.current()
        return _encode(self.held())

    # ---------------------------------------------------------------------------- where kept

    def _read(self) -> list[SealKey]:
        found: dict[str, SealKey] = {}
        for key in self._read_file() + self._read_keyring():
            found.setdefault(key.key_id, key)
        return list(found.values())

    def _read_file(self) -> list[SealKey]:
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("the seal key file %s cannot be read: %s", self.file, exc)
            return []
        try:
            return _decode(text, str(self.file))
        except SealKeyError as exc:
            log.warning("%s", exc)
            return []

    def _read_keyring(self) -> list[SealKey]:
        backend = _usable_keyring()
        if backend is None:
            return []
        try:
            text = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
        except Exception as exc:
            log.warning("the keyring could not be read: %s", exc)
            return []
        if not text:
            return []
        try:
            return _decode(text, "the keyring's seal keys")
        except SealKeyError as exc:
            log.warning("%s", exc)
            return []

    def _store_first(self, key: SealKey) -> list[SealKey]:
        """Keep the first key, then read back what is kept (another program of the same user may
        have made one at the same moment: then both use the one that was kept)."""
        if self._write_keyring([key]):
            kept = self._read()
            if kept:
                return kept
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._temporary_file([key])
        try:
            os.link(temporary, self.file)  # fails if another program made the file first
        except FileExistsError:
            pass
        except OSError as exc:
            raise SealKeyError(f"The seal key could not be kept in {self.file}: {exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)
        kept = self._read()
        if not kept:
            raise SealKeyError(f"The seal key file {self.file} is there but cannot be read.")
        return kept

    def _write(self, keys: list[SealKey]) -> None:
        if self._write_keyring(keys):
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._temporary_file(keys)
        try:
            os.replace(temporary, self.file)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise SealKeyError(f"The seal keys could not be kept in {self.file}: {exc}") from exc

    def _write_keyring(self, keys: list[SealKey]) -> bool:
        backend = _usable_keyring()
        if backend is None:
            return False
        try:
            backend.set_password(KEYRING_SERVICE, KEYRING_ENTRY, _encode(keys))
            kept = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
        except Exception as exc:
            log.warning("the keyring could not keep the seal keys: %s", exc)
            return False
        return bool(kept)

    def _temporary_file(self, keys: list[SealKey]) -> Path:
        temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, _encode(keys).encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return temporary


_stores: dict[Path, SealKeyStore] = {}
_stores_lock = threading.Lock()


def local_store() -> SealKeyStore:
    """The store of this user's keys (one per key file, kept for the process)."""
    file = default_key_file()
    with _stores_lock:
        store = _stores.get(file)
        if store is None:
            store = _stores[file] = SealKeyStore(file)
        return store
