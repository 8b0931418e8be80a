"""What every command shares: the database options, passphrases, opening, output paths, errors."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from massage_chart.storage.database import Database
    from massage_chart.storage.encryption import Keying

PROG = "massage-chart"
ENV_PASSPHRASE = "MASSAGE_CHART_PASSPHRASE"
ENV_NEW_PASSPHRASE = "MASSAGE_CHART_NEW_PASSPHRASE"
ENV_USER = "MASSAGE_CHART_USER"
ENV_PASSWORD = "MASSAGE_CHART_PASSWORD"
ENV_PRACTICE = "MASSAGE_CHART_PRACTICE"
PROMPT_TRIES = 3


def add_db_option(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="database: a SQLAlchemy URL (sqlite:///file.db, postgresql://user@host/db) or a "
        "file path; default MASSAGE_CHART_DB, else a SQLite file in your user data folder",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        default=default,
        help=f"read the passphrase of an encrypted database from FILE (its first line); else "
        f"{ENV_PASSPHRASE}, else it is asked for when run in a terminal",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=f"sign in to a clinic database (PostgreSQL) as this person; default {ENV_USER}. "
        f"The password comes from --password-file, else {ENV_PASSWORD}, else it is asked for",
    )
    add_password_option(parser, default=default)


def add_password_option(
    parser: argparse.ArgumentParser, *, default: object = None, whose: str = "your"
) -> None:
    """``--password-file``: a clinic password (the person signing in, or the one being set)."""
    parser.add_argument(
        "--password-file",
        metavar="FILE",
        default=default,
        help=f"read {whose} clinic password from FILE (its first line); else {ENV_PASSWORD}, "
        "else it is asked for when run in a terminal",
    )


def add_force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a file that already exists (never the database, its journal or a backup)",
    )


def fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def warn_about_location(database: Database) -> None:
    from massage_chart.storage.location import location_warning

    for notice in database.notices:
        print(f"{PROG}: warning: {notice}", file=sys.stderr)
    if database.file is not None:
        warning = location_warning(database.file)
        if warning:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)


class PassphraseUnavailableError(Exception):
    """No passphrase was given and none can be asked for."""


def read_secret_file(name: str, what: str = "passphrase") -> str:
    """The first line of a file holding a passphrase or password."""
    try:
        with open(Path(name).expanduser(), encoding="utf-8") as handle:
            line = handle.readline()
    except OSError as exc:
        raise PassphraseUnavailableError(
            f"The {what} file {name} cannot be read: {exc.strerror}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise PassphraseUnavailableError(f"The {what} file {name} is not UTF-8 text.") from exc
    secret = line.rstrip("\r\n")
    if not secret:
        raise PassphraseUnavailableError(f"The {what} file {name} is empty.")
    return secret


def password_of(args: argparse.Namespace, prompt_text: str, *, twice: bool = False) -> str:
    """A clinic password: from --password-file, else MASSAGE_CHART_PASSWORD, else typed in a
    terminal (twice when it is being set)."""
    name = getattr(args, "password_file", None)
    if name:
        return read_secret_file(name, "password")
    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    if not can_prompt():
        raise PassphraseUnavailableError(
            f"A password is needed. Give it with --password-file FILE or the {ENV_PASSWORD} "
            "environment variable, or run the command in a terminal to be asked for it."
        )
    for _ in range(PROMPT_TRIES):
        first = prompt_secret(prompt_text)
        if not twice:
            return first
        if first == prompt_secret("The same password again: "):
            return first
        print("The two passwords differ; type them again.", file=sys.stderr)
    raise PassphraseUnavailableError("The passwords typed did not match; nothing was changed.")


def read_passphrase_file(name: str) -> str:
    """The passphrase in the first line of a file."""
    return read_secret_file(name, "passphrase")


def given_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase from --passphrase-file or MASSAGE_CHART_PASSPHRASE, if either is set."""
    name = getattr(args, "passphrase_file", None)
    if name:
        return read_passphrase_file(name)
    return os.environ.get(ENV_PASSPHRASE) or None


def can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def prompt_secret(text: str) -> str:
    import getpass

    return getpass.getpass(text)


def no_passphrase(what: str) -> PassphraseUnavailableError:
    return PassphraseUnavailableError(
        f"{what} Give it with --passphrase-file FILE or the {ENV_PASSPHRASE} environment "
        "variable, or run the command in a terminal to be asked for it."
    )


def new_passphrase(args: argparse.Namespace, *, file_option: str, env: str) -> str:
    """A new passphrase: from a file or the environment, else typed twice in a terminal."""
    name = getattr(args, file_option, None)
    if name:
        return read_passphrase_file(name)
    if os.environ.get(env):
        return os.environ[env]
    if not can_prompt():
        raise PassphraseUnavailableError(
            f"A new passphrase is needed. Give it with --{file_option.replace('_', '-')} FILE or "
            f"the {env} environment variable, or run the command in a terminal."
        )
    print(
        "A lost passphrase means lost records AND lost backups: nobody, not even Massage Chart's "
        "makers, can open them without it. Write it down and keep it apart from this computer.",
        file=sys.stderr,
    )
    for _ in range(PROMPT_TRIES):
        first = prompt_secret("New passphrase: ")
        if first != prompt_secret("The same passphrase again: "):
            print("The two passphrases differ; type them again.", file=sys.stderr)
            continue
        return first
    raise PassphraseUnavailableError("The passphrases typed did not match; nothing was changed.")


def database_path(args: argparse.Namespace) -> Path | None:
    from massage_chart.storage.database import (
        default_database_url,
        normalise_url,
        split_passphrase,
        sqlite_file,
    )

    url, _passphrase = split_passphrase(normalise_url(args.db or default_database_url()))
    return sqlite_file(url)


def needs_passphrase(path: Path | None) -> bool:
    from massage_chart.storage.encryption import is_encrypted_file

    return path is not None and is_encrypted_file(path)


def open_db(
    args: argparse.Namespace, *, thorough: bool = False, create: bool = False, upgrade: bool = True
) -> Database:
    """Open the database of ``--db`` (see ``open_database_of``), its backups where Settings say."""
    from massage_chart.storage.settings import Settings, apply_backup_settings

    database = open_database_of(args, thorough=thorough, create=create, upgrade=upgrade)
    apply_backup_settings(Settings.load(), database)
    return database


def open_database_of(
    args: argparse.Namespace, *, thorough: bool = False, create: bool = False, upgrade: bool = True
) -> Database:
    """Open the database of ``--db``; an encrypted one with the passphrase given or asked for.

    Only ``create`` (demo, import) makes a new database where none is: a mistyped ``--db``
    for ``check`` or ``backup`` must not answer "no problems found" about an empty new file.

    Wrong passphrases typed in a terminal are written to the audit log once the right one
    opens it (the log is inside the encrypted file: a file never opened cannot hold them).
    A wrong passphrase from a file or the environment is not retried.
    """
    from massage_chart.storage.database import WrongPassphraseError, open_database
    from massage_chart.storage.safekeeping import record_failed_unlocks

    user = getattr(args, "user", None) or os.environ.get(ENV_USER)
    if user:
        return sign_in_of(args, user)
    path = database_path(args)
    if not create and path is not None and not path.exists():
        from massage_chart.storage.database import StorageError

        raise StorageError(
            f"There is no database at {path}. Check the --db path (nothing was created)."
        )
    if not needs_passphrase(path):
        database = open_database(args.db, thorough_check=thorough, upgrade=upgrade)
        warn_about_location(database)
        return database
    given = given_passphrase(args)
    if given is not None:
        database = open_database(
            args.db, thorough_check=thorough, passphrase=given, upgrade=upgrade
        )
        args.opened_passphrase = given
        warn_about_location(database)
        return database
    if not can_prompt():
        raise no_passphrase(f"The database {path} is encrypted: its passphrase is needed.")
    failures: list[dt.datetime] = []
    while True:
        typed = prompt_secret(f"Passphrase of {path}: ")
        try:
            database = open_database(
                args.db, thorough_check=thorough, passphrase=typed, upgrade=upgrade
            )
        except WrongPassphraseError as exc:
            failures.append(dt.datetime.now())
            if len(failures) >= PROMPT_TRIES:
                raise
            print(f"{exc}", file=sys.stderr)
            continue
        break
    args.opened_passphrase = typed
    record_failed_unlocks(database, failures, where="command line")
    warn_about_location(database)
    return database


def sign_in_of(args: argparse.Namespace, user: str) -> Database:
    """Open a clinic database signed in as ``user`` (the server checks the password)."""
    from massage_chart.storage.clinic import sign_in
    from massage_chart.storage.database import default_database_url

    url = args.db or default_database_url()
    password = password_of(args, f"Password of {user}: ")
    signed_in = sign_in(url, user, password, practice=os.environ.get(ENV_PRACTICE) or None)
    return signed_in.database


def keying_of(args: argparse.Namespace) -> Keying | None:
    """The keying of the passphrase this command used (for backups of an encrypted database)."""
    from massage_chart.storage.encryption import Keying

    passphrase = getattr(args, "opened_passphrase", None)
    return Keying(passphrase) if passphrase else None


def suggest_restore(url: str | None, keying: Keying | None = None) -> str:
    """A hint naming the newest verified backup of a damaged SQLite database, if there is one."""
    from massage_chart.storage.backup import list_backups, newest_verified_backup
    from massage_chart.storage.database import (
        default_database_url,
        normalise_url,
        split_passphrase,
        sqlite_file,
    )

    path = sqlite_file(split_passphrase(normalise_url(url or default_database_url()))[0])
    if path is None:
        return ""
    from massage_chart.storage.settings import Settings

    folder = Settings.load().backup_folder(path) or path.parent / "backups"
    newest = newest_verified_backup(folder, path, keying)
    if newest is None and keying is not None and list_backups(folder, path):
        return (
            " No backup opens with this passphrase either, so the passphrase is probably "
            "wrong rather than the file damaged."
        )
    if newest is None:
        return " No verified backup was found beside it."
    return (
        f" The newest verified backup is {newest.path} ({newest.taken_at:%Y-%m-%d %H:%M}); "
        f"restore it with: {PROG} restore --db {path} {newest.path}"
    )


def output_path(args: argparse.Namespace, output: str) -> Path:
    """Where ``-o`` may write: never over the database, its journal, a backup, or (without
    ``--force``) any existing file; the same rule as the window's export actions.

    Raises:
        ExportError: the path may not be written.
    """
    from massage_chart.export.atomic import check_output_path
    from massage_chart.storage.settings import Settings

    database_file = database_path(args)
    return check_output_path(
        Path(output),
        database_file=database_file,
        backup_folder=Settings.load().backup_folder(database_file),
        overwrite=getattr(args, "force", False),
        overwrite_hint=", or add --force to replace it",
    )


def parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def add_span_options(parser: argparse.ArgumentParser) -> None:
    """The required ``--from DATE --to DATE`` of a command over a span of days."""
    parser.add_argument(
        "--from", dest="date_from", metavar="DATE", required=True, help="YYYY-MM-DD"
    )
    parser.add_argument("--to", dest="date_to", metavar="DATE", required=True, help="YYYY-MM-DD")


def parse_span(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """The first and last day of ``--from`` and ``--to``, both included.

    Raises:
        ValueError: a day is not a date, or ``--to`` is before ``--from``; the message says which.
    """
    first = parse_day(args.date_from, "--from")
    last = parse_day(args.date_to, "--to")
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}.")
    return first, last


def print_outcome(outcome: object, done: str) -> None:
    from massage_chart.storage.safekeeping import EncryptionOutcome

    assert isinstance(outcome, EncryptionOutcome)
    print(f"{done} {len(outcome.backups_done)} backup(s) converted with it.")
    for path, reason in outcome.backups_left:
        print(f"{PROG}: warning: the backup {path} was left as it was: {reason}.", file=sys.stderr)
    for path in outcome.plaintext_left:
        print(
            f"{PROG}: warning: {path} is an unencrypted copy set aside earlier (after damage or "
            "a restore). It was not touched; delete it yourself once you no longer need it.",
            file=sys.stderr,
        )
    if not outcome.old_file_overwritten:
        print(
            f"{PROG}: warning: the old file could not be overwritten before it was deleted on "
            "this drive; its bytes may remain in free space until reused.",
            file=sys.stderr,
        )


def explain_database_error(args: argparse.Namespace, exc: Exception) -> str:
    """A database error met after the file opened (a damaged page deep inside, say), in words."""
    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(orig).lower()
    where = database_path(args) or "the database"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"Part of {where} cannot be read: it is damaged ({orig}). Nothing was written. "
            f"Run {PROG} check for details.{suggest_restore(args.db, keying_of(args))}"
        )
    if "readonly" in text or "read-only" in text:
        return (
            f"{where} cannot be written: the file or its drive is read-only. It is not "
            "damaged, and nothing was changed."
        )
    return f"The database {where} could not be read or written ({orig}). Nothing was written."


def wrong_keying(args: argparse.Namespace) -> Keying | None:
    """The keying of a passphrase given by file or environment that did not open the file: the
    backups tell whether it is the passphrase or the file that is wrong."""
    from massage_chart.storage.encryption import EncryptionError, Keying

    try:
        passphrase = given_passphrase(args)
        return Keying(passphrase) if passphrase else None
    except (PassphraseUnavailableError, EncryptionError):
        return None
