"""The command line: open the app, seed the demo, export PDFs, back up, restore and check."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from massage_chart import __version__

if TYPE_CHECKING:
    from massage_chart.storage.database import Database
    from massage_chart.storage.encryption import Keying

PROG = "massage-chart"
ENV_PASSPHRASE = "MASSAGE_CHART_PASSPHRASE"
ENV_NEW_PASSPHRASE = "MASSAGE_CHART_NEW_PASSPHRASE"
PROMPT_TRIES = 3
MOST_EVENTS = 2**62  # the largest LIMIT both SQLite and PostgreSQL accept, with room


def _add_db_option(parser: argparse.ArgumentParser, *, default: object = None) -> None:
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


def _add_force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a file that already exists (never the database, its journal or a backup)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``massage-chart``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Massage Chart: clinical massage charting. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="open the window on the database, quit once it is drawn (for start-up checks)",
    )
    _add_db_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="seed a realistic demo practice into an empty database",
        description="Seed a demo practice (three therapists, clients with histories, visits with "
        "SOAP notes) into an empty database.",
    )
    _add_db_option(demo, default=argparse.SUPPRESS)
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already holds clients",
    )
    demo.add_argument(
        "--clients", type=int, default=30, metavar="N", help="how many clients (default 30)"
    )
    demo.add_argument("--seed", type=int, default=20261123, help=argparse.SUPPRESS)

    backup = commands.add_parser(
        "backup",
        help="take a verified backup of the database now",
        description="Copy the database with SQLite's online backup, verify the copy, and print "
        "where it is. Safe while the app is open.",
    )
    _add_db_option(backup, default=argparse.SUPPRESS)
    backup.add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: the backup folder)"
    )
    _add_force_option(backup)

    restore = commands.add_parser(
        "restore",
        help="replace the database with a verified backup (the current file is kept aside)",
        description="Verify FILE, set the current database file aside (renamed, never deleted) "
        "and put the backup in its place. Close the app first.",
    )
    _add_db_option(restore, default=argparse.SUPPRESS)
    restore.add_argument("file", metavar="FILE", help="the backup to restore")

    check = commands.add_parser(
        "check",
        help="check the database: file integrity, audit log chain, signed notes",
        description="Check the file's integrity, the audit log's hash chain and every signed "
        "visit against its content hash. Exits 1 when anything is wrong.",
    )
    _add_db_option(check, default=argparse.SUPPRESS)

    export_json = commands.add_parser(
        "export-json",
        help="write clients' records to a chart file (format massage-chart/3)",
        description="Write the named clients (all clients when none are named) with their "
        "history, visits, marks, billing and addenda to a JSON chart file.",
    )
    _add_db_option(export_json, default=argparse.SUPPRESS)
    export_json.add_argument("client_ids", nargs="*", metavar="CLIENT_ID")
    export_json.add_argument("-o", "--output", metavar="FILE", required=True, help="the file")
    _add_force_option(export_json)

    import_json = commands.add_parser(
        "import-json",
        help="add the clients of a chart file to the database",
        description="Read a chart file (format massage-chart/3, 2 or 1), check it whole, and add its "
        "clients in one transaction: all or nothing. Regions and sides of marks are recomputed "
        "from the atlas.",
    )
    _add_db_option(import_json, default=argparse.SUPPRESS)
    import_json.add_argument("file", metavar="FILE")
    import_json.add_argument(
        "--replace",
        action="store_true",
        help="overwrite clients that already exist (same id) and have no signed visits",
    )

    sign = commands.add_parser(
        "sign",
        help="sign a visit note, by the same rules as the note window",
        description="Sign a draft visit note. The rules are those of the note window: blocking "
        "problems (no signing provider, no time out, no Subjective or Objective, an open "
        "stop/refer alert, unconfirmed copied-forward marks) always refuse it; likely-denial "
        "warnings refuse it unless --anyway is given. Each problem is printed; exits 1 when "
        "the note is not signed.",
    )
    _add_db_option(sign, default=argparse.SUPPRESS)
    sign.add_argument("visit_id", metavar="VISIT_ID")
    sign.add_argument(
        "--provider", metavar="ID", help="the provider who signs (default: the visit's provider)"
    )
    sign.add_argument(
        "--anyway",
        action="store_true",
        help="sign despite likely-denial warnings (never despite blocking problems)",
    )

    export = commands.add_parser(
        "export",
        help="write PDF documents: the insurer SOAP note, the client summary, a batch",
        description="Write PDF documents of visits. Every export is written whole or not at all "
        "and recorded in the audit log.",
    )
    export_commands = export.add_subparsers(dest="export_command", metavar="DOCUMENT")
    export_commands.required = True
    soap = export_commands.add_parser(
        "soap",
        help="the insurer SOAP note of a visit",
        description="Write the SOAP note of one visit (codes, minutes, body charts, signature).",
    )
    summary = export_commands.add_parser(
        "summary",
        help="the client's plain-language visit summary",
        description="Write the client-facing summary of one visit (no codes): what was worked "
        "on, home care, what to expect, the next appointment.",
    )
    for single in (soap, summary):
        _add_db_option(single, default=argparse.SUPPRESS)
        single.add_argument("visit_id", metavar="VISIT_ID")
        single.add_argument("-o", "--output", metavar="FILE.pdf", required=True, help="the file")
        _add_force_option(single)
    batch = export_commands.add_parser(
        "batch",
        help="the SOAP notes of every signed visit in a date range",
        description="Write the SOAP note of every signed visit whose date of service is in "
        "the range (both days included) into a folder, one file per visit, named by date, "
        "client and visit.",
    )
    _add_db_option(batch, default=argparse.SUPPRESS)
    batch.add_argument("--from", dest="date_from", metavar="DATE", required=True, help="YYYY-MM-DD")
    batch.add_argument("--to", dest="date_to", metavar="DATE", required=True, help="YYYY-MM-DD")
    batch.add_argument("-o", "--output", metavar="DIR", required=True, help="an existing folder")
    _add_force_option(batch)
    batch.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default: all cores)"
    )

    audit_parser = commands.add_parser("audit", help="work with the audit log")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", metavar="ACTION")
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify",
        help="verify the audit log's hash chain",
        description="Walk the audit log and report any event that was altered or deleted.",
    )
    _add_db_option(verify, default=argparse.SUPPRESS)
    listing = audit_commands.add_parser(
        "list",
        help="show the audit log: who did what to which record, and when",
        description="Print audit events, oldest first, one per line (tab-separated: number, "
        "time in UTC, who, what, client, visit, detail).",
    )
    _add_db_option(listing, default=argparse.SUPPRESS)
    listing.add_argument("--client", metavar="CLIENT_ID", help="only this client's events")
    listing.add_argument(
        "--action",
        choices=[a.value for a in _audit_actions()],
        help="only this kind of event",
    )
    listing.add_argument("--since", metavar="DATE", help="only events from this day on")
    listing.add_argument(
        "--limit", type=int, default=200, metavar="N", help="the newest N events (default 200)"
    )

    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt the database and its backups at rest with a passphrase (SQLCipher)",
        description="Encrypt a plain SQLite database: a checked encrypted copy replaces it, the "
        "plaintext is overwritten and deleted, and the backups are encrypted too. The passphrase "
        f"comes from --passphrase-file or {ENV_PASSPHRASE}, else it is asked for twice. "
        "A lost passphrase means lost records AND lost backups: nobody can recover them. "
        "Close the app first.",
    )
    _add_db_option(encrypt, default=argparse.SUPPRESS)

    change = commands.add_parser(
        "change-passphrase",
        help="change the passphrase of an encrypted database and of its backups",
        description="Rewrite the database and its backups under a new passphrase. The old one "
        f"comes from --passphrase-file or {ENV_PASSPHRASE}, the new one from "
        f"--new-passphrase-file or {ENV_NEW_PASSPHRASE}; else they are asked for. Close the "
        "app first.",
    )
    _add_db_option(change, default=argparse.SUPPRESS)
    change.add_argument(
        "--new-passphrase-file", metavar="FILE", help="read the new passphrase from FILE"
    )
    return parser


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _run_demo(args: argparse.Namespace) -> int:
    from massage_chart.demo import DemoNotEmptyError, seed_demo

    if args.clients < 1:
        return _fail("--clients must be at least 1.")
    database = _open(args, create=True)
    try:
        summary = seed_demo(
            database,
            clients=args.clients,
            seed=args.seed,
            progress=lambda message: print(f"  {message}", file=sys.stderr),
        )
    except DemoNotEmptyError as exc:
        if args.if_empty:
            print(f"The database {database.display_name} already holds clients; demo not added.")
            return 0
        return _fail(str(exc))
    finally:
        database.dispose()
    print(
        f"Demo practice added to {database.display_name}: {summary.providers} therapists, "
        f"{summary.clients} clients, {summary.visits} visits ({summary.signed_visits} signed)."
    )
    return 0


def _warn_about_location(database: Database) -> None:
    from massage_chart.storage.location import location_warning

    for notice in database.notices:
        print(f"{PROG}: warning: {notice}", file=sys.stderr)
    if database.file is not None:
        warning = location_warning(database.file)
        if warning:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)


class PassphraseUnavailableError(Exception):
    """No passphrase was given and none can be asked for."""


def _read_passphrase_file(name: str) -> str:
    try:
        with open(Path(name).expanduser(), encoding="utf-8") as handle:
            line = handle.readline()
    except OSError as exc:
        raise PassphraseUnavailableError(
            f"The passphrase file {name} cannot be read: {exc.strerror}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise PassphraseUnavailableError(f"The passphrase file {name} is not UTF-8 text.") from exc
    passphrase = line.rstrip("\r\n")
    if not passphrase:
        raise PassphraseUnavailableError(f"The passphrase file {name} is empty.")
    return passphrase


def _given_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase from --passphrase-file or MASSAGE_CHART_PASSPHRASE, if either is set."""
    name = getattr(args, "passphrase_file", None)
    if name:
        return _read_passphrase_file(name)
    return os.environ.get(ENV_PASSPHRASE) or None


def _can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _prompt(text: str) -> str:
    import getpass

    return getpass.getpass(text)


def _no_passphrase(what: str) -> PassphraseUnavailableError:
    return PassphraseUnavailableError(
        f"{what} Give it with --passphrase-file FILE or the {ENV_PASSPHRASE} environment "
        "variable, or run the command in a terminal to be asked for it."
    )


def _new_passphrase(args: argparse.Namespace, *, file_option: str, env: str) -> str:
    """A new passphrase: from a file or the environment, else typed twice in a terminal."""
    name = getattr(args, file_option, None)
    if name:
        return _read_passphrase_file(name)
    if os.environ.get(env):
        return os.environ[env]
    if not _can_prompt():
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
        first = _prompt("New passphrase: ")
        if first != _prompt("The same passphrase again: "):
            print("The two passphrases differ; type them again.", file=sys.stderr)
            continue
        return first
    raise PassphraseUnavailableError("The passphrases typed did not match; nothing was changed.")


def _database_path(args: argparse.Namespace) -> Path | None:
    from massage_chart.storage.database import (
        default_database_url,
        normalise_url,
        split_passphrase,
        sqlite_file,
    )

    url, _passphrase = split_passphrase(normalise_url(args.db or default_database_url()))
    return sqlite_file(url)


def _needs_passphrase(path: Path | None) -> bool:
    from massage_chart.storage.encryption import is_encrypted_file

    return path is not None and is_encrypted_file(path)


def _open(
    args: argparse.Namespace, *, thorough: bool = False, create: bool = False, upgrade: bool = True
) -> Database:
    """Open the database of ``--db`` (see ``_open_database``), its backups where Settings say."""
    from massage_chart.storage.settings import Settings, apply_backup_settings

    database = _open_database(args, thorough=thorough, create=create, upgrade=upgrade)
    apply_backup_settings(Settings.load(), database)
    return database


def _open_database(
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
    from massage_chart.storage.maintenance import record_failed_unlocks

    path = _database_path(args)
    if not create and path is not None and not path.exists():
        from massage_chart.storage.database import StorageError

        raise StorageError(
            f"There is no database at {path}. Check the --db path (nothing was created)."
        )
    if not _needs_passphrase(path):
        database = open_database(args.db, thorough_check=thorough, upgrade=upgrade)
        _warn_about_location(database)
        return database
    given = _given_passphrase(args)
    if given is not None:
        database = open_database(
            args.db, thorough_check=thorough, passphrase=given, upgrade=upgrade
        )
        args.opened_passphrase = given
        _warn_about_location(database)
        return database
    if not _can_prompt():
        raise _no_passphrase(f"The database {path} is encrypted: its passphrase is needed.")
    failures: list[dt.datetime] = []
    while True:
        typed = _prompt(f"Passphrase of {path}: ")
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
    _warn_about_location(database)
    return database


def _keying_of(args: argparse.Namespace) -> Keying | None:
    """The keying of the passphrase this command used (for backups of an encrypted database)."""
    from massage_chart.storage.encryption import Keying

    passphrase = getattr(args, "opened_passphrase", None)
    return Keying(passphrase) if passphrase else None


def _suggest_restore(url: str | None, keying: Keying | None = None) -> str:
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


def _output_path(args: argparse.Namespace, output: str) -> Path:
    """Where ``-o`` may write: never over the database, its journal, a backup, or (without
    ``--force``) any existing file; the same rule as the window's export actions.

    Raises:
        ExportError: the path may not be written.
    """
    from massage_chart.export.atomic import check_output_path
    from massage_chart.storage.settings import Settings

    database_file = _database_path(args)
    return check_output_path(
        Path(output),
        database_file=database_file,
        backup_folder=Settings.load().backup_folder(database_file),
        overwrite=getattr(args, "force", False),
        overwrite_hint=", or add --force to replace it",
    )


def _run_backup(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.storage.maintenance import backup_now

    try:
        target = _output_path(args, args.output) if args.output else None
    except ExportError as exc:
        return _fail(str(exc))
    database = _open(args)
    try:
        path = backup_now(database, target=target)
    finally:
        database.dispose()
    print(f"Backup written and verified: {path}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    from massage_chart.storage.database import (
        StorageError,
        default_database_url,
        normalise_url,
        split_passphrase,
        sqlite_file,
    )
    from massage_chart.storage.encryption import Keying, is_encrypted_file
    from massage_chart.storage.maintenance import restore_from_backup

    url, url_passphrase = split_passphrase(normalise_url(args.db or default_database_url()))
    target = sqlite_file(url)
    if target is None:
        return _fail(
            "Only SQLite databases are restored by the app; restore a PostgreSQL server with its "
            "own tools."
        )
    backup = Path(args.file).expanduser().resolve()
    if backup == target.resolve():
        return _fail("That file is the database itself, not a backup of it.")
    passphrase: str | None = None
    if is_encrypted_file(target) or is_encrypted_file(backup):
        # The restored file is encrypted with this passphrase; the backup must open with it.
        passphrase = url_passphrase or _given_passphrase(args)
        if passphrase is None:
            if not _can_prompt():
                raise _no_passphrase("The database or the backup is encrypted.")
            passphrase = _prompt(f"Passphrase of {backup.name}: ")
    keying = Keying(passphrase) if passphrase else None
    try:
        database, aside = restore_from_backup(target, backup, keying=keying)
    except StorageError as exc:
        return _fail(str(exc))
    database.dispose()
    kept = f" The previous file was kept as {aside}." if aside else ""
    print(f"Restored {target} from {backup}.{kept}")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from massage_chart.storage.database import SchemaState, schema_status
    from massage_chart.storage.maintenance import check_database

    # A check never writes: an older layout is reported, not upgraded behind the user's back.
    database = _open(args, thorough=True, upgrade=False)
    try:
        status = schema_status(database.engine)
        if status.state is not SchemaState.CURRENT:
            where = database.file or database.display_name
            return _fail(
                f"The database {database.display_name} uses an older layout (schema "
                f"{status.current or 'none'}; this version uses {status.head}), and a check "
                "changes nothing. Open it in Massage Chart first, which takes a verified "
                f"backup and then upgrades it ({PROG} --db {where}), then check it again."
            )
        report = check_database(database)
    finally:
        database.dispose()
    for item in report.checked:
        print(f"checked: {item}")
    if report.ok:
        print(f"{database.display_name}: no problems found.")
        return 0
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    return _fail(f"{len(report.problems)} problem(s) found in {database.display_name}.")


def _audit_actions() -> list[Any]:
    from massage_chart.storage.audit import AuditAction

    return list(AuditAction)


def _run_audit(args: argparse.Namespace) -> int:
    if args.audit_command == "list":
        return _run_audit_list(args)
    return _run_audit_verify(args)


def _run_audit_list(args: argparse.Namespace) -> int:
    from massage_chart.storage import audit

    since = None
    if args.since:
        try:
            since = dt.datetime.combine(_parse_day(args.since, "--since"), dt.time())
        except ValueError as exc:
            return _fail(str(exc))
    if args.limit < 1:
        return _fail("--limit must be at least 1.")
    limit = min(args.limit, MOST_EVENTS)  # a huge N means every event
    database = _open(args)
    try:
        with database.read() as session:
            events = audit.list_events(
                session,
                client_id=args.client,
                action=audit.AuditAction(args.action) if args.action else None,
                since=since,
                limit=limit,
            )
            lines = [
                "\t".join(
                    [
                        str(e.seq),
                        e.occurred_at.isoformat(timespec="seconds"),
                        e.actor,
                        e.action,
                        e.client_id or "",
                        e.visit_id or "",
                        " ".join(e.detail.split()),
                    ]
                )
                for e in events
            ]
    finally:
        database.dispose()
    print("seq\twhen (UTC)\twho\twhat\tclient\tvisit\tdetail")
    for line in lines:
        print(line)
    return 0


def _run_audit_verify(args: argparse.Namespace) -> int:
    from massage_chart.storage import audit

    # Every page is read first: a chain that verifies in a damaged file proves nothing.
    database = _open(args, thorough=True)
    try:
        with database.read() as session:
            problems = audit.verify_chain(session)
            events = audit.count_events(session)
    finally:
        database.dispose()
    if not problems:
        print(f"The audit log's {events} events verify: nothing altered or deleted.")
        return 0
    for problem in problems:
        print(f"event {problem.seq}: {problem.reason}")
    return _fail(f"The audit log does not verify: {len(problems)} problem(s).")


def _run_export_json(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.storage.chart_file import ChartFileError, export_chart, write_chart_file

    try:
        target = _output_path(args, args.output)
    except ExportError as exc:
        return _fail(str(exc))
    database = _open(args)
    try:
        with database.write() as session:
            document = export_chart(session, args.client_ids)
            write_chart_file(document, target)
    except ChartFileError as exc:
        return _fail(str(exc))
    finally:
        database.dispose()
    clients = document["clients"]
    visits = sum(len(c["visits"]) for c in clients)
    print(f"Wrote {len(clients)} clients and {visits} visits to {args.output}.")
    return 0


def _run_import_json(args: argparse.Namespace) -> int:
    from massage_chart.storage.chart_file import ChartFileError, import_chart, read_chart_file

    try:
        document = read_chart_file(Path(args.file).expanduser())
    except ChartFileError as exc:
        return _fail(f"{exc} Nothing was imported.")
    database = _open(args, create=True)
    try:
        with database.write() as session:
            report = import_chart(session, document, replace=args.replace)
    except ChartFileError as exc:
        return _fail(f"{exc} Nothing was imported.")
    finally:
        database.dispose()
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    measures = f", {report.outcomes} outcome measures" if report.outcomes else ""
    print(
        f"Imported {report.clients} clients, {report.visits} visits{measures} and {report.marks}"
        f" marks from {args.file}."
    )
    return 0


def _run_sign(args: argparse.Namespace) -> int:
    from massage_chart.domain.presentation import format_recorded_time
    from massage_chart.storage.models import utc_now
    from massage_chart.storage.records import sign_and_record
    from massage_chart.storage.repositories import NotFoundError
    from massage_chart.storage.signing import SignRefusedError

    database = _open(args)
    try:
        with database.write() as session:
            visit = sign_and_record(
                session,
                args.visit_id,
                args.provider,
                utc_now(),
                accept_warnings=args.anyway,
                today=dt.date.today(),
            )
            signer = visit.signed_by.display_name if visit.signed_by else visit.signed_by_id
            signed_at = visit.signed_at
    except NotFoundError as exc:
        return _fail(f"{exc} Nothing was signed.")
    except SignRefusedError as exc:
        for problem in exc.problems:
            hint = " (give one with --provider ID)" if problem.code == "no_signer" else ""
            print(f"{problem.severity.value}: {problem.message}{hint}")
        if exc.blocking:
            return _fail(
                f"visit {args.visit_id} not signed: {len(exc.blocking)} blocking problem(s)."
            )
        return _fail(
            f"visit {args.visit_id} not signed: {len(exc.warnings)} warning(s) likely to get it "
            "denied; fix them, or sign anyway with --anyway."
        )
    except ValueError as exc:
        return _fail(f"visit {args.visit_id} not signed: {exc}")
    finally:
        database.dispose()
    assert signed_at is not None
    print(f"Signed visit {args.visit_id} as {signer} on {format_recorded_time(signed_at)}.")
    return 0


def _parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def _run_export(args: argparse.Namespace) -> int:
    from massage_chart.domain.presentation import use_clock
    from massage_chart.export.atomic import ExportError, check_folder
    from massage_chart.storage.repositories import NotFoundError
    from massage_chart.storage.settings import Settings

    use_clock(Settings.load().clock)  # times as this computer's window writes them

    if args.export_command == "batch":
        try:
            first = _parse_day(args.date_from, "--from")
            last = _parse_day(args.date_to, "--to")
        except ValueError as exc:
            return _fail(str(exc))
        if last < first:
            return _fail(f"--to {last} is before --from {first}.")
        if args.workers is not None and args.workers < 1:
            return _fail("--workers must be at least 1.")
        folder = Path(args.output).expanduser()
        try:
            check_folder(folder)
        except ExportError as exc:
            return _fail(str(exc))
        return _run_export_batch(args, first, last, folder)

    from massage_chart.export.service import DocumentKind, export_document

    kind = DocumentKind(args.export_command)
    try:
        target = _output_path(args, args.output)
    except ExportError as exc:
        return _fail(str(exc))
    database = _open(args)
    try:
        path = export_document(database, kind, args.visit_id, target)
    except NotFoundError:
        return _fail(f"There is no visit with id {args.visit_id!r}.")
    except ExportError as exc:
        return _fail(f"{exc} Nothing was written.")
    finally:
        database.dispose()
    print(f"Wrote the {kind.title} of visit {args.visit_id} to {path}.")
    return 0


def _run_export_batch(args: argparse.Namespace, first: dt.date, last: dt.date, folder: Path) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.export.batch import export_batch, signed_visits

    database = _open(args)
    try:
        with database.read() as session:
            names = [item.file_name for item in signed_visits(session, first, last)]
        for name in names:
            _output_path(args, str(folder / name))
    except ExportError as exc:
        database.dispose()
        return _fail(f"{exc} No note of the batch was written.")
    url = database.url
    passphrase = getattr(args, "opened_passphrase", None)
    if passphrase:
        # The worker processes open the file themselves: SQLAlchemy's keyed URL carries the
        # passphrase to them (it is never printed).
        from urllib.parse import quote

        assert database.file is not None
        url = f"sqlite+pysqlcipher://:{quote(passphrase, safe='')}@/{database.file}"
    database.dispose()

    def progress(done: int, total: int, name: str) -> None:
        print(f"  [{done}/{total}] {name}", file=sys.stderr)

    report = export_batch(url, first, last, folder, workers=args.workers, progress=progress)
    for failure in report.failures:
        print(f"{PROG}: error: visit {failure.visit_id}: {failure.message}", file=sys.stderr)
    print(
        f"Wrote {len(report.written)} SOAP notes of signed visits from {first} to {last} "
        f"to {folder} in {report.seconds:.1f} s."
    )
    if report.failures:
        return _fail(f"{len(report.failures)} note(s) could not be written.")
    return 0


def _print_outcome(outcome: object, done: str) -> None:
    from massage_chart.storage.maintenance import EncryptionOutcome

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


def _run_encrypt(args: argparse.Namespace) -> int:
    from massage_chart.storage.maintenance import encrypt_database

    path = _database_path(args)
    if path is None:
        return _fail("Only a SQLite database file can be encrypted by the app.")
    if _needs_passphrase(path):
        return _fail(f"The database {path} is already encrypted (or damaged).")
    passphrase = _new_passphrase(args, file_option="passphrase_file", env=ENV_PASSPHRASE)
    database = _open(args)
    outcome = encrypt_database(database, passphrase)
    outcome.database.dispose()
    _print_outcome(
        outcome,
        f"Encrypted {path}. Keep the passphrase safe: without it the records and the backups "
        "cannot be opened.",
    )
    return 0


def _run_change_passphrase(args: argparse.Namespace) -> int:
    from massage_chart.storage.maintenance import change_passphrase

    path = _database_path(args)
    if not _needs_passphrase(path):
        return _fail(f"The database {path} is not encrypted; encrypt it with: {PROG} encrypt")
    database = _open(args)
    old = getattr(args, "opened_passphrase", "")
    try:
        new = _new_passphrase(args, file_option="new_passphrase_file", env=ENV_NEW_PASSPHRASE)
        outcome = change_passphrase(database, old, new)
    finally:
        database.dispose()
    outcome.database.dispose()
    _print_outcome(outcome, f"Changed the passphrase of {path}.")
    return 0


def _run_gui(args: argparse.Namespace) -> int:
    # Before Qt is loaded: a missing system library gets the package to install, not a crash.
    from massage_chart.platform_check import qt_libraries_problem

    problem = qt_libraries_problem()
    if problem is not None:
        return _fail(problem)
    from massage_chart.ui.app import run_app

    return run_app(args.db, [sys.argv[0]], quit_after_start=args.quit_after_start)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from massage_chart.storage.database import (
        DatabaseDamagedError,
        StorageError,
        WrongPassphraseError,
    )
    from massage_chart.storage.encryption import EncryptionError

    args = build_parser().parse_args(argv)
    # Records, backups, drafts and PDFs are health information: files this program creates are
    # readable by their owner only (POSIX; Windows ignores the mask).
    os.umask(0o077)
    handlers = {
        "demo": _run_demo,
        "backup": _run_backup,
        "restore": _run_restore,
        "check": _run_check,
        "audit": _run_audit,
        "export-json": _run_export_json,
        "import-json": _run_import_json,
        "export": _run_export,
        "sign": _run_sign,
        "encrypt": _run_encrypt,
        "change-passphrase": _run_change_passphrase,
    }
    try:
        if args.command is None:
            return _run_gui(args)
        return handlers[args.command](args)
    except DatabaseDamagedError as exc:
        return _fail(f"{exc}{_suggest_restore(args.db, _keying_of(args))}")
    except WrongPassphraseError as exc:
        keying = _wrong_keying(args)
        return _fail(f"{exc}{_suggest_restore(args.db, keying) if keying else ''}")
    except (StorageError, EncryptionError, PassphraseUnavailableError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(_explain_database_error(args, exc))
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)


def _explain_database_error(args: argparse.Namespace, exc: Exception) -> str:
    """A database error met after the file opened (a damaged page deep inside, say), in words."""
    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(orig).lower()
    where = _database_path(args) or "the database"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"Part of {where} cannot be read: it is damaged ({orig}). Nothing was written. "
            f"Run {PROG} check for details.{_suggest_restore(args.db, _keying_of(args))}"
        )
    if "readonly" in text or "read-only" in text:
        return (
            f"{where} cannot be written: the file or its drive is read-only. It is not "
            "damaged, and nothing was changed."
        )
    return f"The database {where} could not be read or written ({orig}). Nothing was written."


def _wrong_keying(args: argparse.Namespace) -> Keying | None:
    """The keying of a passphrase given by file or environment that did not open the file: the
    backups tell whether it is the passphrase or the file that is wrong."""
    from massage_chart.storage.encryption import EncryptionError, Keying

    try:
        passphrase = _given_passphrase(args)
        return Keying(passphrase) if passphrase else None
    except (PassphraseUnavailableError, EncryptionError):
        return None


if __name__ == "__main__":
    sys.exit(main())
