"""Encryption at rest with SQLCipher: file kinds, keys, one SQLite library per file, rewriting files.

Facts this module is built on (RELIABILITY.md §2, measured again for this module):

* An encrypted file has no ``SQLite format 3`` header: its first 16 bytes are a random salt and
  every byte after it is ciphertext, so a wrong passphrase and a damaged file look the same
  ("file is not a database" at the first read, never at ``PRAGMA key``).
* SQLCipher 4 derives the page key with PBKDF2-HMAC-SHA512, 256,000 iterations, from the
  passphrase and that salt. Deriving it once here (``hashlib``) and handing SQLCipher the raw key
  (``x'<key><salt>'``) gives the same database key without paying the ~0.1-0.25 s derivation on
  every new connection; a test checks the equivalence against SQLCipher itself.
* ``sqlcipher3`` bundles its own SQLite. Two SQLite libraries in one process must never have the
  same file open at once: POSIX locks are per process, and each library only knows its own, so
  one library closing the file silently drops the other's locks (sqlite.org/howtocorrupt.html
  §2.2.1). The registry below counts the open connections of each library per file and refuses
  the second library while the first has any.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import importlib
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from massage_chart.files import fsync_file, fsync_folder

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
SALT_BYTES = 16
KEY_BYTES = 32
# SQLCipher 4's defaults; raw keys are only derived here while the library reports these.
KDF_ITERATIONS = 256_000
KDF_ALGORITHM = "PBKDF2_HMAC_SHA512"
# The smallest SQLite page: every whole database file is a multiple of it.
MIN_PAGE_SIZE = 512
# Ciphertext looks random: its first 256 bytes hold about 160 different byte values. Text, a
# zeroed header or a PDF hold a few dozen at most.
_SAMPLE_BYTES = 256
_RANDOM_LOOKING_DISTINCT = 100
MIN_PASSPHRASE_LENGTH = 8
WRONG_PASSPHRASE_TEXT = "Incorrect passphrase or damaged file"


class EncryptionError(Exception):
    """A problem with an encrypted database, worded for the user."""


class DriverConflictError(EncryptionError):
    """The file is open through the other SQLite library in this process."""


class UnlockError(EncryptionError):
    """The passphrase does not open the file, or the file is damaged: the two look the same."""


class SqlcipherMissingError(EncryptionError):
    """The ``sqlcipher3`` package is not installed."""


# --------------------------------------------------------------------------- file kinds


class FileKind(enum.Enum):
    """What a database file is, as far as can be told without a key."""

    ABSENT = "absent"  # no file, or an empty one: a new database
    PLAIN = "plain"  # starts with the SQLite header
    ENCRYPTED_OR_DAMAGED = "encrypted or damaged"  # random-looking whole pages
    NOT_A_DATABASE = "not a database"  # text, a PDF, a cut-short file, zeroed bytes...


def file_kind(path: Path) -> FileKind:
    """Tell a plain SQLite file from one that may be encrypted, by its first bytes and size.

    An encrypted file and a plain one whose first page was overwritten with random bytes cannot
    be told apart without the key: both are ``ENCRYPTED_OR_DAMAGED``.

    Raises:
        OSError: the file exists but cannot be read.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return FileKind.ABSENT
    if size == 0:
        return FileKind.ABSENT
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if head.startswith(SQLITE_MAGIC):
        return FileKind.PLAIN
    if size % MIN_PAGE_SIZE == 0 and len(set(head)) >= _RANDOM_LOOKING_DISTINCT:
        return FileKind.ENCRYPTED_OR_DAMAGED
    return FileKind.NOT_A_DATABASE


def is_encrypted_file(path: Path) -> bool:
    """Whether the file may be encrypted (it has no plain SQLite header and looks like cipher)."""
    try:
        return file_kind(path) is FileKind.ENCRYPTED_OR_DAMAGED
    except OSError:
        return False


def read_salt(path: Path) -> bytes | None:
    """The per-database salt SQLCipher keeps in the first 16 bytes, or None for a new file."""
    try:
        with open(path, "rb") as handle:
            salt = handle.read(SALT_BYTES)
    except FileNotFoundError:
        return None
    return salt if len(salt) == SALT_BYTES else None


# --------------------------------------------------------------------------- one library per file


class Driver(enum.Enum):
    """The SQLite library a connection was made with."""

    SQLITE3 = "Python's standard sqlite3"
    SQLCIPHER3 = "sqlcipher3"


_registry_lock = threading.Lock()
_open_files: dict[Path, tuple[Driver, int]] = {}


def _registry_key(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def claim(path: Path, driver: Driver) -> None:
    """Count one more connection to ``path`` through ``driver``.

    Raises:
        DriverConflictError: the other library has the file open in this process.
    """
    key = _registry_key(path)
    with _registry_lock:
        current = _open_files.get(key)
        if current is not None and current[0] is not driver and current[1] > 0:
            raise DriverConflictError(
                f"The database {key} is open through {current[0].value} in this program; it "
                f"cannot also be opened through {driver.value} (two SQLite libraries on one "
                "file can damage it). Close it first."
            )
        count = current[1] if current is not None and current[0] is driver else 0
        _open_files[key] = (driver, count + 1)


def release(path: Path, driver: Driver) -> None:
    """Count one connection to ``path`` through ``driver`` as closed."""
    key = _registry_key(path)
    with _registry_lock:
        current = _open_files.get(key)
        if current is None or current[0] is not driver:
            return
        if current[1] <= 1:
            del _open_files[key]
        else:
            _open_files[key] = (driver, current[1] - 1)


def open_connections(path: Path) -> tuple[Driver | None, int]:
    """Which library has ``path`` open in this process, and through how many connections."""
    with _registry_lock:
        current = _open_files.get(_registry_key(path))
    return (None, 0) if current is None else current


# --------------------------------------------------------------------------- the library


def sqlcipher_module() -> ModuleType:
    """``sqlcipher3.dbapi2``, imported on first use so that plain databases never load it.

    Raises:
        SqlcipherMissingError: the package is not installed.
    """
    try:
        return importlib.import_module("sqlcipher3.dbapi2")
    except ImportError as exc:
        raise SqlcipherMissingError(
            "Encrypted databases need the sqlcipher3 package, which is not installed. "
            "Reinstall Massage Chart."
        ) from exc


_raw_keys_checked: bool | None = None


def _raw_keys_supported(connection: Any) -> bool:
    """Whether SQLCipher's key derivation is the one ``Keying`` reproduces (checked once)."""
    global _raw_keys_checked
    if _raw_keys_checked is None:
        iterations = connection.execute("PRAGMA cipher_default_kdf_iter").fetchone()
        algorithm = connection.execute("PRAGMA cipher_default_kdf_algorithm").fetchone()
        _raw_keys_checked = (
            iterations is not None
            and str(iterations[0]) == str(KDF_ITERATIONS)
            and algorithm is not None
            and str(algorithm[0]) == KDF_ALGORITHM
        )
        if not _raw_keys_checked:
            log.warning("SQLCipher's key derivation is not the default; keying by passphrase")
    return _raw_keys_checked


def sql_string(value: str) -> str:
    """``value`` as an SQL string literal: single quotes doubled, nothing else changed."""
    return "'" + value.replace("'", "''") + "'"


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a passphrase that is too short to protect clinical records.

    Raises:
        EncryptionError: with the reason.
    """
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise EncryptionError(
            f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long."
        )
    if passphrase.strip() != passphrase:
        raise EncryptionError("The passphrase must not start or end with a space.")


class Keying:
    """The passphrase of an encrypted database and the raw keys SQLCipher derives from it.

    The passphrase itself is kept (a file made with another salt needs it) but never shown:
    ``repr`` and ``str`` hide it.

    Args:
        passphrase: the database passphrase; not empty (an empty key means no encryption) and
            without NUL characters.
    """

    def __init__(self, passphrase: str) -> None:
        if not passphrase:
            raise EncryptionError("The passphrase is empty.")
        if "\x00" in passphrase:
            raise EncryptionError("The passphrase cannot contain a NUL character.")
        self._secret = passphrase.encode("utf-8")
        self._keys: dict[bytes, bytes] = {}
        self._keys_lock = threading.Lock()
        # New files (backups, copies) share this salt, so that one derived key opens them all.
        self.salt: bytes | None = None

    def __repr__(self) -> str:
        return "Keying(<hidden>)"

    def reveal_passphrase(self) -> str:
        """The passphrase itself: for reopening the file after a restore, and for keys derived
        elsewhere (encrypted drafts). Never log or show it."""
        return self._secret.decode("utf-8")

    def _key_for(self, salt: bytes) -> bytes:
        with self._keys_lock:
            key = self._keys.get(salt)
            if key is None:
                key = hashlib.pbkdf2_hmac("sha512", self._secret, salt, KDF_ITERATIONS, KEY_BYTES)
                self._keys[salt] = key
            return key

    def adopt_salt_of(self, path: Path) -> None:
        """Use the salt of ``path`` (the live database) for the files made from it."""
        salt = read_salt(path)
        if salt is not None:
            self.salt = salt

    def key_value(self, path: Path, connection: Any) -> str:
        """What to give ``PRAGMA key`` (or ``ATTACH … KEY``) for ``path``: a raw key when
        SQLCipher's derivation is the default one, else the passphrase."""
        if not _raw_keys_supported(connection):
            return self._secret.decode("utf-8")
        salt = read_salt(path)
        if salt is None:
            if self.salt is None:
                self.salt = secrets.token_bytes(SALT_BYTES)
            salt = self.salt
        return f"x'{self._key_for(salt).hex()}{salt.hex()}'"

    def apply(self, connection: Any, path: Path) -> None:
        """Key a fresh SQLCipher connection to ``path``: the first statement it runs."""
        connection.execute("PRAGMA cipher_log_level = NONE")  # no "ERROR CORE" on stderr
        connection.execute(f"PRAGMA key = {sql_string(self.key_value(path, connection))}")

    def matches(self, text: str) -> bool:
        """Whether ``text`` is this passphrase, compared in constant time (for the lock screen).

        With a salt known, both sides are derived keys, so the time taken does not depend on
        how much of ``text`` is right, nor on its length.
        """
        candidate = text.encode("utf-8")
        if self.salt is not None:
            derived = hashlib.pbkdf2_hmac("sha512", candidate, self.salt, KDF_ITERATIONS, KEY_BYTES)
            return hmac.compare_digest(derived, self._key_for(self.salt))
        return hmac.compare_digest(
            hashlib.sha512(candidate).digest(), hashlib.sha512(self._secret).digest()
        )

    def same_key(self, other: Keying | None) -> bool:
        """Whether ``other`` holds the same passphrase (so pages can be copied as they are)."""
        return other is not None and hmac.compare_digest(self._secret, other._secret)


def _file_uri(path: Path, *, read_only: bool) -> str:
    uri = Path(os.path.abspath(path)).as_uri()
    return f"{uri}?mode=ro" if read_only else uri


def _is_not_a_database(exc: BaseException) -> bool:
    return "file is not a database" in str(exc).lower()


@contextlib.contextmanager
def connect(
    path: Path,
    keying: Keying | None,
    *,
    read_only: bool = False,
    driver: Driver | None = None,
    check: bool = True,
) -> Iterator[Any]:
    """A DB-API connection to ``path`` through the right library, counted in the registry.

    Without ``keying`` the file is opened plain through the standard ``sqlite3`` (unless
    ``driver`` says ``SQLCIPHER3``, used to read a plain file while writing an encrypted one).
    With ``keying`` it is opened through ``sqlcipher3``, keyed before anything else runs, and
    (``check``) read once so that a wrong passphrase fails here.

    The connection is in autocommit mode (``isolation_level=None``).

    Raises:
        DriverConflictError: the other library has the file open in this process.
        UnlockError: the key does not open the file, or the file is damaged.
        EncryptionError: ``sqlcipher3`` is missing.
        sqlite3.Error / sqlcipher3 errors: the file cannot be opened at all.
    """
    use = driver or (Driver.SQLCIPHER3 if keying is not None else Driver.SQLITE3)
    if use is Driver.SQLCIPHER3:
        module: Any = sqlcipher_module()
    else:
        module = importlib.import_module("sqlite3")
    claim(path, use)
    try:
        connection = module.connect(
            _file_uri(path, read_only=read_only),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    except BaseException:
        release(path, use)
        raise
    try:
        if use is Driver.SQLCIPHER3:
            if keying is not None:
                keying.apply(connection, path)
            else:
                connection.execute("PRAGMA cipher_log_level = NONE")
            if check:
                try:
                    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except module.DatabaseError as exc:
                    if _is_not_a_database(exc):
                        raise UnlockError(
                            f"{WRONG_PASSPHRASE_TEXT}: {path} does not open with this passphrase."
                        ) from exc
                    raise
        yield connection
    finally:
        try:
            connection.close()
        finally:
            release(path, use)


def integrity_problems(connection: Any, *, encrypted: bool) -> list[str]:
    """What ``cipher_integrity_check`` (encrypted only), ``integrity_check`` and
    ``foreign_key_check`` find; empty when the database is healthy."""
    problems: list[str] = []
    if encrypted:
        problems.extend(str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check"))
    problems.extend(
        str(row[0]) for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"
    )
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        problems.append(f"{len(broken)} broken references between records")
    return problems


# --------------------------------------------------------------------------- durable files


def wipe_file(path: Path) -> bool:
    """Overwrite a file with zeros, flush it, and delete it; True when it was overwritten.

    Best effort: on SSDs, copy-on-write and journaling file systems, and in the backups of the
    computer, the old blocks may survive. Full-disk encryption is what makes that safe.
    """
    overwritten = False
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b", buffering=0) as handle:
            chunk = bytes(1 << 20)
            left = size
            while left > 0:
                left -= handle.write(chunk[: min(left, len(chunk))])
            os.fsync(handle.fileno())
        overwritten = True
    path.unlink(missing_ok=True)
    return overwritten


_COMPANIONS = ("-wal", "-shm", "-journal")


def companions(path: Path) -> list[Path]:
    """The -wal, -shm and -journal files beside a database that exist now."""
    return [
        path.with_name(path.name + s) for s in _COMPANIONS if path.with_name(path.name + s).exists()
    ]


# --------------------------------------------------------------------------- rewriting a file


def _table_counts(connection: Any, schema: str) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: int(
            connection.execute(
                f'SELECT count(*) FROM {schema}."{name.replace(chr(34), chr(34) * 2)}"'
            ).fetchone()[0]
        )
        for name in names
    }


def _schema(connection: Any, schema: str) -> set[tuple[str, str, str]]:
    return {
        (str(row[0]), str(row[1]), str(row[2] or ""))
        for row in connection.execute(f"SELECT type, name, sql FROM {schema}.sqlite_master")
    }


@contextlib.contextmanager
def exclusive(path: Path, keying: Keying | None) -> Iterator[Any]:
    """A SQLCipher connection holding ``path`` exclusively until it closes.

    The file is switched to rollback-journal mode (which needs every other connection, in any
    process, to be closed) and an exclusive lock is kept, so nobody writes while it is copied.

    Raises:
        EncryptionError: the file is open here or elsewhere (another window or computer).
        UnlockError: the key does not open it.
    """
    _driver, count = open_connections(path)
    if count:
        raise EncryptionError(
            f"The database {path} is still open in this program ({count} connection(s)); "
            "close it first."
        )
    module = sqlcipher_module()
    with connect(path, keying, driver=Driver.SQLCIPHER3) as connection:
        connection.execute("PRAGMA busy_timeout = 2000")
        try:
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")
        except module.OperationalError as exc:
            raise EncryptionError(
                f"The database {path} is open in another window or on another computer. Close "
                "Massage Chart everywhere else, then try again."
            ) from exc
        if str(mode).lower() != "delete":
            raise EncryptionError(
                f"The database {path} is open elsewhere (it stays in {mode} mode). Close "
                "Massage Chart everywhere else, then try again."
            )
        yield connection


def export_copy(source: Any, target: Path, target_keying: Keying | None) -> None:
    """Write the whole database of ``source`` (a SQLCipher connection) into a new file
    ``target``, encrypted with ``target_keying`` or plain without it, and check that every
    table arrived with every row.

    Raises:
        EncryptionError: the copy is incomplete or unhealthy (``target`` is then removed).
    """
    target.unlink(missing_ok=True)
    for companion in companions(target):
        companion.unlink()
    claim(target, Driver.SQLCIPHER3)
    try:
        key = target_keying.key_value(target, source) if target_keying is not None else ""
        source.execute("ATTACH DATABASE ? AS copy KEY ?", (str(target), key))
        try:
            source.execute("SELECT sqlcipher_export('copy')")
            for pragma in ("user_version", "application_id"):
                value = int(source.execute(f"PRAGMA main.{pragma}").fetchone()[0])
                source.execute(f"PRAGMA copy.{pragma} = {value}")
            if _table_counts(source, "main") != _table_counts(source, "copy"):
                raise EncryptionError("the copy does not hold every row of every table")
            if _schema(source, "main") != _schema(source, "copy"):
                raise EncryptionError("the copy does not hold the whole schema")
        finally:
            source.execute("DETACH DATABASE copy")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        release(target, Driver.SQLCIPHER3)


def _verify_copy(path: Path, keying: Keying | None) -> None:
    with connect(path, keying, read_only=True, driver=Driver.SQLCIPHER3) as connection:
        problems = integrity_problems(connection, encrypted=keying is not None)
    if problems:
        raise EncryptionError(f"the new copy failed its check: {'; '.join(problems[:3])}")
    expected = FileKind.ENCRYPTED_OR_DAMAGED if keying is not None else FileKind.PLAIN
    if file_kind(path) is not expected:
        raise EncryptionError(f"the new copy is not {expected.value}")


def rewrite_file(
    path: Path,
    source_keying: Keying | None,
    target_keying: Keying | None,
    *,
    wipe_old: bool,
) -> bool:
    """Replace ``path`` by a copy of itself under another key (or none), atomically.

    The copy is written beside it, checked row for row against the original while the original
    is held exclusively, checked again on its own with the new key, flushed, and renamed over
    the original: at every moment ``path`` is either the whole old file or the whole new one.
    ``wipe_old`` overwrites the old (plaintext) bytes before they are deleted; returns whether
    that was possible (it needs a second name for the file, which FAT drives cannot give).

    Raises:
        EncryptionError: nothing was changed; the reason says why.
        UnlockError: ``source_keying`` does not open the file.
    """
    staged = path.with_name(path.name + ".rekeying")
    old_link = path.with_name(path.name + ".old-" + dt.datetime.now().strftime("%Y%m%d%H%M%S%f"))
    module = sqlcipher_module()
    linked = False
    try:
        with exclusive(path, source_keying) as source:
            export_copy(source, staged, target_keying)
            _verify_copy(staged, target_keying)
            fsync_file(staged)
            if wipe_old:
                # A second name keeps the old bytes reachable after the rename, to be wiped.
                with contextlib.suppress(OSError):
                    os.link(path, old_link)
                    linked = True
            os.replace(staged, path)
            fsync_folder(path.parent)
    except module.Error as exc:
        staged.unlink(missing_ok=True)
        raise EncryptionError(f"the copy of {path} failed ({exc})") from exc
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise EncryptionError(f"the copy of {path} could not be written ({exc.strerror})") from exc
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if wipe_old and linked:
        return wipe_file(old_link)
    return False
