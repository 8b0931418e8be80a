"""Opening the database: engine set-up, SQLite durability pragmas, schema upgrades, sessions."""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from massage_chart.storage import encryption, guards, seals  # seals: the sealing flush hook
from massage_chart.storage.backup import BackupError, backup_sqlite, new_backup_path
from massage_chart.storage.encryption import FileKind, Keying

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

T = TypeVar("T")

APP_NAME = "massage-chart"
ENV_DATABASE_URL = "MASSAGE_CHART_DB"
BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Applied to every SQLite connection (RELIABILITY.md §1.2, §8 A15). synchronous=FULL keeps
# committed transactions across a power cut in WAL mode; mmap is off so that an I/O error is an
# error rather than a SIGBUS; trusted_schema=OFF and cell_size_check=ON harden against damaged or
# hostile files.
SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("busy_timeout", str(BUSY_TIMEOUT_MS)),
    ("foreign_keys", "ON"),
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("mmap_size", "0"),
    ("trusted_schema", "OFF"),
    ("cell_size_check", "ON"),
)


class StorageError(Exception):
    """A problem with the database that the user must be told about in plain words."""


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of Massage Chart."""


class DatabaseDamagedError(StorageError):
    """The file is not a readable Massage Chart database."""


class DatabaseReadOnlyError(StorageError):
    """The file, its folder or its drive cannot be written: not damaged, and nothing to restore."""


class UnknownDatabaseError(StorageError):
    """The database holds tables that Massage Chart did not create."""


class WriteError(StorageError):
    """A change could not be saved; what was typed must be kept by the caller and offered again.

    Attributes:
        retryable: the server chose this transaction as the loser of a deadlock or a
            serialization conflict with another computer's; run again, it will likely succeed
            (``Database.transact`` does so).
    """

    retryable = False


#: PostgreSQL's SQLSTATEs for a transaction the server rolled back to let another one through:
#: serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
#: How many times ``Database.transact`` runs a change the server rolled back that way.
TRANSACT_ATTEMPTS = 5


class DatabaseMovedError(WriteError):
    """The open database file was deleted, moved or replaced since it was opened; saving stops."""


class NotAllowedError(WriteError):
    """The database server refused the change for the person signed in (clinic mode): their
    group may not do it, whichever program asked."""


class ChangedElsewhereError(WriteError):
    """A row this change was based on was changed elsewhere (another window, program or
    computer) since it was read; nothing was written."""


#: What reading or writing the database may raise that the user must be told about: the
#: program's own refusals and the database library's failures (a lost server, a locked or
#: damaged file). Either way the database is left as it was.
DATABASE_ERRORS: tuple[type[Exception], ...] = (StorageError, SQLAlchemyError)


def driver_words(exc: BaseException) -> str | None:
    """The database driver's own words for a failure of the database library; None for any other
    error (the program's own refusals say what they mean in their message)."""
    if isinstance(exc, SQLAlchemyError):
        return str(getattr(exc, "orig", None) or exc)
    return None


class PassphraseRequiredError(StorageError):
    """The file is encrypted (or damaged: without the key the two look the same); no passphrase
    was given."""


class WrongPassphraseError(StorageError):
    """The passphrase does not open the file, or the file is damaged: the two look the same.

    The message starts with "Incorrect passphrase or damaged file" and never suggests deleting
    or recreating anything.
    """


def wrong_passphrase_message(path: Path) -> str:
    """What to tell the user when a passphrase does not open ``path``."""
    return (
        f"{encryption.WRONG_PASSPHRASE_TEXT}: {path} did not open. Check the passphrase "
        "(capital letters, the keyboard layout) and try again. If it is right, the file is "
        "damaged: restore the newest backup. Nothing was changed."
    )


def _refusal_words(exc: DBAPIError) -> str:
    """The server's own sentence for a refused change (the triggers of migration 0007 write
    them for people), or a plain one for a table the person's group has no grant on."""
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or ""
    if primary.startswith("permission denied"):
        return (
            "Your role in this clinic does not allow that change (the database server refused "
            "it). Nothing was saved; ask the practice owner if you need it."
        )
    return f"{primary or exc.orig} Nothing was saved."


def _explain_write_failure(exc: DBAPIError, where: str) -> str:
    """Turn a driver error into words a therapist can act on."""
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        reason = (
            "another computer was saving the same records at the same moment, again and again. "
            "Save again in a moment"
        )
    elif "disk is full" in text or "no space" in text or "database or disk is full" in text:
        reason = "the disk is full. Free some space, then save again"
    elif "readonly" in text or "read-only" in text or "permission" in text:
        reason = "the database file cannot be written (read-only or no permission)"
    elif "locked" in text or "busy" in text:
        reason = "another program kept the database busy for too long. Try again in a moment"
    elif "i/o" in text or "disk i/o" in text:
        reason = "the disk reported an error. Check the drive, then save again"
    elif "too long" in text or "out of range" in text or "invalid byte sequence" in text:
        reason = f"a value does not fit its field ({exc.orig}). Shorten it, then save again"
    elif "connection" in text or "server closed" in text or "terminating" in text:
        reason = (
            "the connection to the database server was lost. Check the network, then save again"
        )
    else:
        reason = f"the database refused it ({exc.orig})"
    return f"The change was not saved to {where}: {reason}. Earlier records are safe."


class SchemaState(Enum):
    """How a database's schema compares with this version of the app."""

    EMPTY = "empty"
    CURRENT = "current"
    BEHIND = "behind"
    AHEAD = "ahead"
    FOREIGN = "foreign"


def user_data_dir() -> Path:
    """The per-user folder where the default database and its backups live."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    """``MASSAGE_CHART_DB`` if set, else a SQLite file in the user data folder."""
    configured = os.environ.get(ENV_DATABASE_URL, "").strip()
    if configured:
        return configured
    return f"sqlite:///{user_data_dir() / 'massage-chart.db'}"


def normalise_url(url: str) -> str:
    """Accept a bare file path as well as a SQLAlchemy URL ("clinic.db" -> "sqlite:///clinic.db").

    Raises:
        StorageError: the text is neither a path nor a URL SQLAlchemy understands.
    """
    text = url.strip()
    if not text:
        raise StorageError("No database was given.")
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        parsed = make_url(text)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StorageError(
            f"Not a database address: {text!r}. Use a file path, sqlite:///path/to/file.db "
            "or postgresql://user@host/database."
        ) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        parsed = _secure_server_url(parsed)
    return parsed.render_as_string(hide_password=False)


def is_server_url(url: str) -> bool:
    """Whether a normalised URL names a PostgreSQL server database (not a SQLite file)."""
    return make_url(url).get_backend_name() == "postgresql"


def server_label(url: str) -> str:
    """What to call a server database in a sentence: "cedar on clinic-server"."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host", "")) or "this computer"
    return f"{parsed.database or 'the default database'} on {host}"


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _secure_server_url(parsed: URL) -> URL:
    """A server on another computer is reached over TLS with its certificate and name verified
    (``sslmode=verify-full``) unless the URL chooses otherwise; the loopback address and a local
    socket need no TLS."""
    if "sslmode" in parsed.query:
        return parsed
    host = parsed.host or str(parsed.query.get("host", ""))
    if not host or host.startswith("/") or host.lower() in LOOPBACK_HOSTS:
        return parsed
    return parsed.update_query_dict({"sslmode": "verify-full"})


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory or non-SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _install_one_library_per_file(engine: Engine, path: Path, keying: Keying | None) -> None:
    """Count every connection of ``engine`` in the one-library-per-file registry, and key every
    SQLCipher connection before anything else runs on it.

    The connection is made here (``do_connect``), so the registry refuses it before the file is
    touched when the other SQLite library has it open in this process.
    """
    driver = encryption.Driver.SQLCIPHER3 if keying is not None else encryption.Driver.SQLITE3

    @event.listens_for(engine, "do_connect")
    def _on_do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        encryption.claim(path, driver)
        try:
            connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        except BaseException:
            encryption.release(path, driver)
            raise
        if keying is not None:
            try:
                keying.apply(connection, path)
            except BaseException:
                connection.close()
                encryption.release(path, driver)
                raise
        return connection

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, _record: Any) -> None:
        encryption.release(path, driver)

    @event.listens_for(engine, "close_detached")
    def _on_close_detached(_dbapi_connection: Any) -> None:
        encryption.release(path, driver)


def _install_sqlite_behaviour(engine: Engine) -> None:
    """Make every SQLite connection durable and every write transaction ``BEGIN IMMEDIATE``.

    The driver's own transaction handling is switched off so that SQLAlchemy's ``begin`` event
    emits the BEGIN: this makes DDL transactional (a failed migration rolls back whole) and lets a
    writer take the write lock up front instead of failing with "database is locked" on upgrade
    from a read lock (RELIABILITY.md §1.9, §8 A14).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for name, value in SQLITE_PRAGMAS:
                cursor.execute(f"PRAGMA {name}={value}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str, keying: Keying | None = None) -> Engine:
    """Create the engine for a normalised URL, with the SQLite behaviour where it applies.

    With ``keying`` the SQLite file is opened through SQLCipher (``sqlcipher3``, imported only
    then), keyed as the first statement of every connection. The pool is SQLAlchemy's usual
    one for files, not the SingletonThreadPool of its pysqlcipher dialect, so that the
    window's thread and the backup thread each get a connection without reconnecting.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    if keying is not None:
        kwargs["module"] = encryption.sqlcipher_module()
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            _install_one_library_per_file(engine, path, keying)
        elif keying is not None:
            raise StorageError("Only a database file can be encrypted.")
        _install_sqlite_behaviour(engine)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the migrations shipped inside the package."""
    from alembic.config import Config  # Alembic takes ~1 s to import: only for upgrades

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION_LINE = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_LINE = re.compile(
    r"^down_revision(?:\s*:[^=]+)?\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE
)


def known_revisions(folder: Path | None = None) -> tuple[set[str], str]:
    """Every schema revision the shipped migrations define, and the newest (the head).

    Read from the migration files' ``revision``/``down_revision`` lines, so that opening a
    current database does not pay for importing Alembic; a test checks this against Alembic.
    """
    versions = (folder or MIGRATIONS_DIR) / "versions"
    revisions: dict[str, str | None] = {}
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION_LINE.search(source)
        down = _DOWN_LINE.search(source)
        if revision is not None and down is not None:
            revisions[revision.group(1)] = down.group(1)
    parents = {down for down in revisions.values() if down is not None}
    heads = sorted(set(revisions) - parents)
    if len(heads) != 1:
        raise StorageError(f"The app's migrations are inconsistent (heads: {heads}); reinstall it.")
    return set(revisions), heads[0]


def head_revision() -> str:
    """The newest schema revision this version of the app knows."""
    return known_revisions()[1]


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands relative to the app."""

    state: SchemaState
    current: str | None
    head: str


def schema_status(engine: Engine) -> SchemaStatus:
    """Compare the database's schema revision with the newest one this app knows."""
    known, head = known_revisions()
    with engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
        tables = set(inspect(connection).get_table_names())
        current_heads: list[str] = []
        if "alembic_version" in tables:
            current_heads = [
                row[0]
                for row in connection.execute(text("SELECT version_num FROM alembic_version"))
            ]
        connection.rollback()
    if not current_heads:
        state = SchemaState.FOREIGN if tables - {"alembic_version"} else SchemaState.EMPTY
        return SchemaStatus(state, None, head)
    current = current_heads[0]
    if current not in known:
        return SchemaStatus(SchemaState.AHEAD, current, head)
    if current == head:
        return SchemaStatus(SchemaState.CURRENT, current, head)
    return SchemaStatus(SchemaState.BEHIND, current, head)


SQLITE_MAGIC = b"SQLite format 3\x00"


def _damaged(path: Path, reason: str) -> DatabaseDamagedError:
    return DatabaseDamagedError(
        f"The file {path} is damaged or is not a Massage Chart database ({reason}). "
        "Nothing was changed. Restore it from a backup."
    )


def sqlite_problems(path: Path) -> list[str]:
    """What SQLite itself finds wrong with a plain file, read with its ``-wal`` as SQLite reads
    it (``PRAGMA quick_check`` on a read-only connection, which never checkpoints); empty when
    healthy. The file is never written.
    """
    try:
        with encryption.connect(path, None, read_only=True) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
    except (sqlite3.Error, encryption.EncryptionError) as exc:
        return [str(exc)]
    return [str(row[0]) for row in rows if row[0] != "ok"]


def check_sqlite_file(path: Path, *, thorough: bool = False) -> None:
    """Refuse a file that is not a whole SQLite database, in plain words.

    The quick check reads the 100-byte header: the SQLite signature. Damage is judged by SQLite
    itself, never by a size rule: a header counting more pages than the file holds is normal
    after a checkpoint cut short (a full disk), when the ``-wal`` beside it holds the rest, so
    SQLite is asked (``PRAGMA quick_check`` with the WAL) before the file is called damaged.
    ``thorough`` always asks (it reads every page: seconds on a ten-year database, so the app
    runs it in the background and ``massage-chart check`` runs the full ``integrity_check``).

    Raises:
        DatabaseDamagedError: with SQLite's reason; the file is never written.
    """
    if not path.exists():
        return
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseDamagedError(
            f"The database file {path} cannot be read: {exc.strerror}."
        ) from exc
    if size == 0:
        return
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise _damaged(path, "file is not a database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    looks_short = size < page_size * page_count
    if not (thorough or looks_short):
        return
    problems = sqlite_problems(path)
    if problems:
        raise _damaged(path, "; ".join(problems[:3]))


class Database:
    """An open database: the engine and short sessions, one per user action.

    Args:
        url: a normalised SQLAlchemy URL.
        engine: the engine created for it.

        keying: the key of an encrypted SQLite file (None for a plain one).

    Attributes:
        backup_dir: where automatic SQLite backups are written (None for server databases).
        keying: how its files (and its backups) are keyed; None when it is not encrypted.
    """

    def __init__(self, url: str, engine: Engine, keying: Keying | None = None) -> None:
        self.url = url
        self.engine = engine
        self.keying = keying
        self.file = sqlite_file(url)
        self.backup_dir: Path | None = (
            self.file.parent / "backups" if self.file is not None else None
        )
        # What the user must be told about the opening (a foreign WAL set aside, say).
        self.notices: list[str] = []
        # How many automatic backups rotation keeps (the backup settings set these).
        self.keep_recent = 10
        self.keep_daily = 30
        self._writer = sessionmaker(
            bind=engine, class_=guards.GuardedSession, expire_on_commit=False
        )
        self._reader = sessionmaker(
            bind=engine.execution_options(sqlite_begin="DEFERRED"),
            class_=guards.GuardedSession,
            expire_on_commit=False,
        )
        # The device and inode of the file as opened (None until it is known, or no file).
        self._identity: tuple[int, int] | None = None
        # The person signed in to a clinic database (their user name), whom the audit log names;
        # None on one laptop, where the audit log names the computer's account.
        self.actor: str | None = None
        # Their group in the clinic ("owner", "therapist", "front_desk", "student"); None on one
        # laptop. The server enforces what each may do; the app uses it to offer only that.
        self.group: str | None = None
        # Their provider (the therapist they chart and sign as), if they have one.
        self.provider_id: str | None = None

    @property
    def charts(self) -> bool:
        """Whether the person signed in writes clinical notes (everyone on one laptop)."""
        return self.group != "front_desk"

    def remember_file(self) -> None:
        """Record the identity of the open file; every later write checks it is still there."""
        if self.file is None:
            return
        try:
            found = os.stat(self.file)
        except OSError:
            return
        self._identity = (found.st_dev, found.st_ino)

    def _check_file_is_still_there(self) -> None:
        if self.file is None or self._identity is None:
            return
        try:
            found = os.stat(self.file)
        except OSError:
            what = "was deleted or moved away"
        else:
            if (found.st_dev, found.st_ino) == self._identity:
                return
            what = "was replaced by another file"
        raise DatabaseMovedError(
            f"The database file {self.file} {what} while it was open (a cloud-sync program or "
            "a tidy-up can do this). Nothing more is saved to it and what you were doing is "
            f"kept: put the file back at {self.file}, then quit and start again, or start again "
            "and open the file where it is now."
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether this is a SQLite database (the laptop default)."""
        return self.engine.dialect.name == "sqlite"

    @property
    def is_encrypted(self) -> bool:
        """Whether the file is encrypted at rest with SQLCipher (its backups are too)."""
        return self.keying is not None

    def check_passphrase(self, text: str) -> bool:
        """Whether ``text`` is the passphrase of this encrypted database (the lock screen).

        The comparison is of keys derived from it (about a quarter of a second, like opening
        the file) and takes the same time whatever ``text`` is. False for a plain database.
        """
        return self.keying is not None and self.keying.matches(text)

    def check_sign_in_password(self, text: str) -> bool:
        """Whether ``text`` is the password the person signed in to a clinic database with (the
        lock screen); the comparison takes the same time whatever ``text`` is. False when
        nobody signed in."""
        if self.actor is None:
            return False
        password = make_url(self.url).password
        return hmac.compare_digest(text.encode(), str(password or "").encode())

    @property
    def display_name(self) -> str:
        """What to show the user: the file path, or the server URL without its password."""
        if self.file is not None:
            return str(self.file)
        return make_url(self.url).render_as_string(hide_password=True)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one user action that writes; commits on success, rolls back on error.

        On SQLite the transaction begins with ``BEGIN IMMEDIATE``. A full disk, an I/O error, a
        read-only file, a busy database or a lost server connection raises ``WriteError`` with a
        plain message; the transaction is rolled back whole and nothing earlier is touched.

        Raises:
            WriteError: the change could not be saved.
            DatabaseMovedError: the file was deleted, moved or replaced since it was opened
                (one stat of the file before each write transaction).
        """
        self._check_file_is_still_there()
        try:
            with self._writer.begin() as session:
                session.info["actor"] = self.actor
                yield session
        except IntegrityError as exc:
            refusal = guards.signed_error_from(exc)
            if refusal is not None:
                raise refusal from exc
            raise
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
                raise NotAllowedError(_refusal_words(exc)) from exc
            raise
        except (OperationalError, InterfaceError, DataError) as exc:
            error = WriteError(_explain_write_failure(exc, self.display_name))
            error.retryable = getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
            raise error from exc
        except StaleDataError as exc:  # a row's version moved on since this session read it
            raise ChangedElsewhereError(
                "This record was changed elsewhere (another window, program or computer) since "
                "it was read; this change was not saved. Open it again to see what is saved."
            ) from exc

    def transact(self, work: Callable[[Session], T], *, attempts: int = TRANSACT_ATTEMPTS) -> T:
        """Run one user action's writes (``work``, given the session) in one transaction, and
        run it again from the start when the server rolled it back as the loser of a deadlock
        or a serialization conflict with another computer's (a clinic's PostgreSQL); after a
        short random pause that grows, so the two do not meet again. Returns what ``work``
        returns.

        Raises:
            WriteError: as ``write``; a conflict still lost after ``attempts`` runs says so.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return work(session)
            except WriteError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
                log.info("write lost a conflict on the server (try %d); running it again", attempt)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; it never takes the write lock and never commits.

        Objects read stay usable after the session closes (their loaded attributes are kept).
        """
        session = self._reader()
        session.info["actor"] = self.actor
        try:
            yield session
        finally:
            session.close()

    def refresh_statistics(self) -> None:
        """After a bulk load (a practice moved to the server, a generated one): have the server
        gather its planner's statistics now (PostgreSQL's ANALYZE). Until autovacuum gets to it
        (or never, where it is turned off), a fresh database has none, and PostgreSQL plans a
        client's few visits as if each held a thousand marks: it scanned every mark to find a
        client's areas to avoid (40 ms a chart at 215,000 marks, growing with the practice).
        Nothing on SQLite, whose plans here do not rest on statistics.
        """
        if self.is_sqlite:
            return
        with self.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()

    def dispose(self) -> None:
        """Close every pooled connection (before a backup is restored over the file, say)."""
        self.engine.dispose()


CIPHER_DRIVERNAME = "sqlite+pysqlcipher"


def split_passphrase(url: str) -> tuple[str, str | None]:
    """Split SQLAlchemy's keyed form ``sqlite+pysqlcipher://:passphrase@/path`` into the plain
    URL of the file and its passphrase; any other URL comes back as it is, with None."""
    if not url.startswith(CIPHER_DRIVERNAME + "://"):
        return url, None
    parsed = make_url(url)
    plain = URL.create("sqlite", database=parsed.database)
    return plain.render_as_string(hide_password=False), parsed.password or None


def refuse_read_only(path: Path) -> None:
    """Refuse, in its own words, a database file that cannot be written where it is.

    SQLite writes beside the file (its ``-wal`` and ``-shm``) as well as into it, so a read-only
    drive, file or folder is met here rather than as a confusing open failure later; it is never
    called damaged.

    Raises:
        DatabaseReadOnlyError: the drive, the file or its folder cannot be written.
    """
    reason = ""
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            reason = "it is on a drive that is mounted read-only"
    except (OSError, AttributeError):  # no statvfs on Windows
        pass
    if not reason and not os.access(path, os.W_OK):
        reason = "the file is read-only (or you have no permission to change it)"
    if not reason and not os.access(path.parent, os.W_OK | os.X_OK):
        reason = f"its folder {path.parent} cannot be written, and SQLite keeps its journal there"
    if reason:
        raise DatabaseReadOnlyError(
            f"The database {path} cannot be opened for saving: {reason}. It is not damaged, "
            "and nothing was changed. Make the drive or file writable, or copy the file to a "
            "folder you can write to, then open it again."
        )


def file_kind_of(path: Path) -> FileKind:
    """``encryption.file_kind`` with an unreadable file worded for the user.

    Raises:
        DatabaseDamagedError: the file exists but cannot be read.
    """
    try:
        return encryption.file_kind(path)
    except OSError as exc:
        raise DatabaseDamagedError(
            f"The database file {path} cannot be read: {exc.strerror}."
        ) from exc


def _unlock(path: Path, keying: Keying, *, thorough: bool) -> None:
    """Open an encrypted file once with the key: a wrong key fails here, before any engine.

    Raises:
        WrongPassphraseError: the key does not open it (or page 1 is damaged).
        DatabaseDamagedError: ``thorough`` found damaged pages.
    """
    try:
        with encryption.connect(path, keying, read_only=True) as connection:
            problems = encryption.integrity_problems(connection, encrypted=True) if thorough else []
    except encryption.UnlockError as exc:
        raise WrongPassphraseError(wrong_passphrase_message(path)) from exc
    except encryption.EncryptionError as exc:
        raise StorageError(str(exc)) from exc
    except Exception as exc:  # the DB-API error of sqlcipher3, imported lazily
        if encryption.WRONG_PASSPHRASE_TEXT.lower() in str(exc).lower():
            raise WrongPassphraseError(wrong_passphrase_message(path)) from exc
        raise _damaged(path, str(exc)) from exc
    if problems:
        raise _damaged(path, "; ".join(problems[:3]))


def open_database(
    url: str | None = None,
    *,
    upgrade: bool = True,
    thorough_check: bool = False,
    passphrase: str | None = None,
    seal: bool = True,
) -> Database:
    """Open (creating if needed) and upgrade a database, refusing one that is newer or damaged.

    An older database is backed up, the backup verified, and then upgraded in one transaction;
    a failed upgrade leaves the database as it was.

    A SQLite file without the plain SQLite header is opened with SQLCipher when a passphrase is
    given (from ``passphrase`` or a ``sqlite+pysqlcipher://:passphrase@/path`` URL); a new file
    with a passphrase is created encrypted. Plain files never load SQLCipher.

    Args:
        url: a SQLAlchemy URL or a file path; default from ``MASSAGE_CHART_DB`` or the user folder.
        upgrade: upgrade an older schema (False only inspects).
        thorough_check: read every page of a SQLite file before opening it (slow on large files).
        passphrase: the passphrase of an encrypted SQLite file.
        seal: on a file first opened by a version with keyed seals, seal the notes signed
            before now (``seal_signed_before``); False leaves that to the caller, which the
            window does beside its start window (minutes on a ten-year practice).

    Raises:
        StorageError: in one of its subclasses, with a message fit for the user:
            ``PassphraseRequiredError`` (encrypted, no passphrase), ``WrongPassphraseError``
            (incorrect passphrase or damaged file), ``DatabaseDamagedError``...
    """
    normalised = normalise_url(url if url is not None else default_database_url())
    normalised, url_passphrase = split_passphrase(normalised)
    if passphrase is None:
        passphrase = url_passphrase
    path = sqlite_file(normalised)
    keying: Keying | None = None
    notices: list[str] = []
    if path is not None:
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file.")
        kind = file_kind_of(path)
        if kind is not FileKind.ABSENT:
            refuse_read_only(path)
        if passphrase is not None and kind is not FileKind.PLAIN:
            try:
                keying = Keying(passphrase)
            except encryption.EncryptionError as exc:
                raise WrongPassphraseError(f"{exc} {wrong_passphrase_message(path)}") from exc
        if kind is FileKind.ENCRYPTED_OR_DAMAGED:
            if keying is None:
                raise PassphraseRequiredError(
                    f"The database {path} is encrypted (or damaged): its passphrase is needed "
                    "to open it. Nothing was changed."
                )
            _unlock(path, keying, thorough=thorough_check)
        elif kind is FileKind.PLAIN and passphrase is not None:
            raise StorageError(
                f"The database {path} is not encrypted, so it has no passphrase. Open it "
                "without one (it can be encrypted in Edit › Settings › Security or with "
                "massage-chart encrypt)."
            )
        else:
            if kind is FileKind.PLAIN:
                notices.extend(_set_aside_a_foreign_wal(path))
            check_sqlite_file(path, thorough=thorough_check)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    elif passphrase is not None:
        raise StorageError("Only a SQLite database file can be encrypted by the app.")
    try:
        engine = create_db_engine(normalised, keying)
    except encryption.EncryptionError as exc:
        raise StorageError(str(exc)) from exc
    database = Database(normalised, engine, keying)
    database.notices.extend(notices)
    try:
        status = schema_status(engine)
    except encryption.EncryptionError as exc:
        engine.dispose()
        raise StorageError(str(exc)) from exc
    except OperationalError as exc:
        engine.dispose()
        raise StorageError(f"Cannot open the database {database.display_name}: {exc.orig}") from exc
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseDamagedError(
            f"The database {database.display_name} is damaged or is not a Massage Chart "
            f"database ({exc.orig}). Nothing was changed."
        ) from exc
    if status.state is SchemaState.AHEAD:
        engine.dispose()
        raise DatabaseTooNewError(
            f"The database {database.display_name} was written by a newer version of Massage "
            f"Chart (schema {status.current}; this version knows up to {status.head}). "
            "Install the newer version to open it. Nothing was changed."
        )
    if status.state is SchemaState.FOREIGN:
        engine.dispose()
        raise UnknownDatabaseError(
            f"The database {database.display_name} holds tables that Massage Chart did not "
            "create. Choose an empty database or a Massage Chart one. Nothing was changed."
        )
    if keying is not None and path is not None:
        keying.adopt_salt_of(path)
    if upgrade and status.state is not SchemaState.CURRENT:
        if status.state is SchemaState.BEHIND and database.backup_dir is not None:
            _backup_before_upgrade(database, status)
        upgrade_schema(engine)
    database.remember_file()
    if upgrade and seal and database.is_sqlite:
        seal_signed_before(database)
    return database


def needs_first_sealing(database: Database) -> bool:
    """Whether this computer's app has yet to seal the records signed before keyed seals
    (a file database first opened by this version; never a server's)."""
    if not database.is_sqlite:
        return False
    with database.read() as session:
        return seals.needs_first_sealing(session)


def seal_signed_before(database: Database, progress: seals.Progress | None = None) -> int:
    """The first time this computer's app opens the database with seals: seal the records
    signed before (``seals.seal_unsealed``, which ``progress`` follows), and say so in the
    audit log. How many were sealed (0 when it was done before, or could not be done now: a
    later opening tries again)."""
    from massage_chart.storage import audit
    from massage_chart.storage.seal_keys import SealKeyError

    if not needs_first_sealing(database):
        return 0
    try:
        with database.write() as session:
            count = seals.seal_unsealed(session, progress)
            if count:
                audit.record(
                    session,
                    audit.AuditAction.CHANGE,
                    detail=f"{count} records signed before keyed seals were sealed "
                    "(each one's content matched its hash)",
                )
    except (StorageError, SQLAlchemyError, SealKeyError) as exc:
        log.warning("the records signed before keyed seals were not sealed now: %s", exc)
        return 0
    return count


def _set_aside_a_foreign_wal(path: Path) -> list[str]:
    """Before anything could replay it, move a ``-wal`` of another database away from ``path``
    (with a byte-for-byte copy of both into the backups folder); what to tell the user.

    Raises:
        StorageError: the WAL is foreign and could not be set aside; nothing was opened.
    """
    from massage_chart.storage.settings import Settings
    from massage_chart.storage.wal import foreign_wal_reason, set_aside_foreign_wal, wal_of

    reason = foreign_wal_reason(path)
    if reason is None:
        return []
    folder = Settings.load().backup_folder(path) or path.parent / "backups"
    try:
        aside = set_aside_foreign_wal(path, folder)
    except OSError as exc:
        raise StorageError(
            f"The file {wal_of(path)} beside the database is not its own ({reason}): opening "
            f"the database would replay it over the records. It could not be set aside "
            f"({getattr(exc, 'strerror', None) or exc}), so the database was not opened. "
            "Nothing was changed; move that file elsewhere, then open the database again."
        ) from exc
    log.warning("set aside the foreign WAL of %s in %s (%s)", path, aside, reason)
    return [
        f"The file {wal_of(path).name} beside {path} belonged to another database ({reason}); "
        f"opening it would have replayed it over these records. It was set aside in {aside}, "
        "with a byte-for-byte copy of the database, and the database opened as last saved "
        "to its own file. Nothing was deleted."
    ]


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` inside one transaction."""
    from alembic import command

    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def _backup_before_upgrade(database: Database, status: SchemaStatus) -> Path:
    """Take and verify a backup named after the old schema version before upgrading."""
    assert database.backup_dir is not None and database.file is not None
    target = new_backup_path(database.backup_dir, database.file, f"pre-upgrade-{status.current}")
    try:
        backup_sqlite(database.engine, target, keying=database.keying)
    except BackupError as exc:
        database.dispose()
        raise StorageError(
            f"The database needs an upgrade, but the safety backup before it failed: {exc} "
            "Nothing was changed."
        ) from exc
    log.info("backed up %s to %s before upgrading the schema", database.file, target)
    return target


def prepare_mappers() -> None:
    """Configure the ORM's mappers now rather than at the first query (the window's start does
    it on a worker thread while its start window is on screen)."""
    configure_mappers()
