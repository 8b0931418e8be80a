"""Commands that keep the records safe: backup, restore, check, the audit log, encryption."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from massage_chart.cli.common import (
    ENV_NEW_PASSPHRASE,
    ENV_PASSPHRASE,
    PROG,
    add_db_option,
    add_force_option,
    can_prompt,
    database_path,
    fail,
    given_passphrase,
    needs_passphrase,
    new_passphrase,
    no_passphrase,
    open_db,
    output_path,
    parse_day,
    print_outcome,
    prompt_secret,
)

MOST_EVENTS = 2**62  # the largest LIMIT both SQLite and PostgreSQL accept, with room


def add_commands(commands: Any) -> None:
    """Add the safekeeping commands to the command line."""
    backup = commands.add_parser(
        "backup",
        help="take a verified backup of the database now",
        description="Copy the database with SQLite's online backup, verify the copy, and print "
        "where it is. Safe while the app is open.",
    )
    add_db_option(backup, default=argparse.SUPPRESS)
    backup.add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: the backup folder)"
    )
    add_force_option(backup)
    backup.set_defaults(run=_run_backup)

    restore = commands.add_parser(
        "restore",
        help="replace the database with a verified backup (the current file is kept aside)",
        description="Verify FILE, set the current database file aside (renamed, never deleted) "
        "and put the backup in its place. Close the app first.",
    )
    add_db_option(restore, default=argparse.SUPPRESS)
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.set_defaults(run=_run_restore)

    check = commands.add_parser(
        "check",
        help="check the database: file integrity, audit log chain, signed notes",
        description="Check the file's integrity, the audit log's hash chain and every signed "
        "visit against its content hash. Exits 1 when anything is wrong.",
    )
    add_db_option(check, default=argparse.SUPPRESS)
    check.set_defaults(run=_run_check)

    audit_parser = commands.add_parser("audit", help="work with the audit log")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", metavar="ACTION")
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify",
        help="verify the audit log's hash chain",
        description="Walk the audit log and report any event that was altered or deleted. With "
        "--checkpoint, also hold the log to a checkpoint printed on a page (a SOAP note or "
        "progress report carries one): events deleted or rewritten since it was printed show.",
    )
    add_db_option(verify, default=argparse.SUPPRESS)
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="a checkpoint as printed on a page, such as 1234:3f9a2c1e5b7d (may be repeated)",
    )
    listing = audit_commands.add_parser(
        "list",
        help="show the audit log: who did what to which record, and when",
        description="Print audit events, oldest first, one per line (tab-separated: number, "
        "time in UTC, who, what, client, visit, detail).",
    )
    add_db_option(listing, default=argparse.SUPPRESS)
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
    audit_parser.set_defaults(run=_run_audit)

    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt the database and its backups at rest with a passphrase (SQLCipher)",
        description="Encrypt a plain SQLite database: a checked encrypted copy replaces it, the "
        "plaintext is overwritten and deleted, and the backups are encrypted too. The passphrase "
        f"comes from --passphrase-file or {ENV_PASSPHRASE}, else it is asked for twice. "
        "A lost passphrase means lost records AND lost backups: nobody can recover them. "
        "Close the app first.",
    )
    add_db_option(encrypt, default=argparse.SUPPRESS)
    encrypt.set_defaults(run=_run_encrypt)

    change = commands.add_parser(
        "change-passphrase",
        help="change the passphrase of an encrypted database and of its backups",
        description="Rewrite the database and its backups under a new passphrase. The old one "
        f"comes from --passphrase-file or {ENV_PASSPHRASE}, the new one from "
        f"--new-passphrase-file or {ENV_NEW_PASSPHRASE}; else they are asked for. Close the "
        "app first.",
    )
    add_db_option(change, default=argparse.SUPPRESS)
    change.add_argument(
        "--new-passphrase-file", metavar="FILE", help="read the new passphrase from FILE"
    )
    change.set_defaults(run=_run_change_passphrase)

    seal_key = commands.add_parser(
        "seal-key",
        help="carry this computer's seal key to another computer",
        description="Signed notes, addenda and progress reports are sealed with a key kept "
        "outside the database (this computer's keyring, or a private key file). A database "
        "moved to another computer needs the key there too, or its seals cannot be checked: "
        "export the key here, import it there. Keep the exported file as secret as a password; "
        "whoever holds it could forge a seal.",
    )
    seal_commands = seal_key.add_subparsers(dest="seal_command", metavar="ACTION")
    seal_commands.required = True
    show = seal_commands.add_parser("show", help="say where the seal keys are kept, and their ids")
    show.set_defaults(run=_run_seal_key_show)
    export_key = seal_commands.add_parser("export", help="write the seal keys to FILE")
    export_key.add_argument("file", metavar="FILE")
    add_force_option(export_key)
    export_key.set_defaults(run=_run_seal_key_export)
    import_key = seal_commands.add_parser(
        "import", help="add the seal keys of FILE (exported on another computer)"
    )
    import_key.add_argument("file", metavar="FILE")
    import_key.set_defaults(run=_run_seal_key_import)


def _audit_actions() -> list[Any]:
    from massage_chart.storage.audit_actions import AuditAction

    return list(AuditAction)


def _run_backup(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.storage.safekeeping import backup_now

    try:
        target = output_path(args, args.output) if args.output else None
    except ExportError as exc:
        return fail(str(exc))
    database = open_db(args)
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
    from massage_chart.storage.safekeeping import restore_from_backup

    url, url_passphrase = split_passphrase(normalise_url(args.db or default_database_url()))
    target = sqlite_file(url)
    if target is None:
        return fail(
            "Only SQLite databases are restored by the app; restore a PostgreSQL server with its "
            "own tools."
        )
    backup = Path(args.file).expanduser().resolve()
    if backup == target.resolve():
        return fail("That file is the database itself, not a backup of it.")
    passphrase: str | None = None
    if is_encrypted_file(target) or is_encrypted_file(backup):
        # The restored file is encrypted with this passphrase; the backup must open with it.
        passphrase = url_passphrase or given_passphrase(args)
        if passphrase is None:
            if not can_prompt():
                raise no_passphrase("The database or the backup is encrypted.")
            passphrase = prompt_secret(f"Passphrase of {backup.name}: ")
    keying = Keying(passphrase) if passphrase else None
    try:
        database, aside = restore_from_backup(target, backup, keying=keying)
    except StorageError as exc:
        return fail(str(exc))
    database.dispose()
    kept = f" The previous file was kept as {aside}." if aside else ""
    print(f"Restored {target} from {backup}.{kept}")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from massage_chart.storage.database import SchemaState, schema_status
    from massage_chart.storage.safekeeping import check_database

    # A check never writes: an older layout is reported, not upgraded behind the user's back.
    database = open_db(args, thorough=True, upgrade=False)
    try:
        status = schema_status(database.engine)
        if status.state is not SchemaState.CURRENT:
            where = database.file or database.display_name
            return fail(
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
    for note in report.notes:
        print(f"NOT CHECKED: {note}")
    if report.ok:
        print(f"{database.display_name}: no problems found.")
        return 0
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    return fail(f"{len(report.problems)} problem(s) found in {database.display_name}.")


def _run_audit(args: argparse.Namespace) -> int:
    if args.audit_command == "list":
        return _run_audit_list(args)
    return _run_audit_verify(args)


def _run_audit_list(args: argparse.Namespace) -> int:
    from massage_chart.storage import audit

    since = None
    if args.since:
        try:
            since = dt.datetime.combine(parse_day(args.since, "--since"), dt.time())
        except ValueError as exc:
            return fail(str(exc))
    if args.limit < 1:
        return fail("--limit must be at least 1.")
    limit = min(args.limit, MOST_EVENTS)  # a huge N means every event
    database = open_db(args)
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
    from massage_chart.storage.audit_checkpoints import printed_checkpoint_problem

    database = open_db(args, thorough=True)
    try:
        with database.read() as session:
            problems = audit.verify_chain(session)
            events = audit.count_events(session)
            against_paper = []
            for checkpoint in args.checkpoint:
                try:
                    said = printed_checkpoint_problem(session, checkpoint)
                except ValueError as exc:
                    return fail(str(exc))
                if said:
                    against_paper.append(said)
    finally:
        database.dispose()
    if not problems and not against_paper:
        held = (
            f"; it holds the {len(args.checkpoint)} printed checkpoint(s)"
            if args.checkpoint
            else ""
        )
        print(f"The audit log's {events} events verify: nothing altered or deleted{held}.")
        return 0
    for problem in problems:
        print(f"event {problem.seq}: {problem.reason}")
    for said in against_paper:
        print(said)
    return fail(f"The audit log does not verify: {len(problems) + len(against_paper)} problem(s).")


def _finish_changing_passphrase(args: argparse.Namespace, path: Path | None) -> bool:
    """When the old passphrase no longer opens the database but the new one does, a change was
    cut short after the database was re-keyed: re-key what it left (backups, drafts)."""
    from massage_chart.storage.database import WrongPassphraseError, open_database
    from massage_chart.storage.safekeeping import finish_changing_passphrase

    old = given_passphrase(args)
    if old is None:
        return False
    new = new_passphrase(args, file_option="new_passphrase_file", env=ENV_NEW_PASSPHRASE)
    try:
        database = open_database(args.db, passphrase=new)
    except WrongPassphraseError:
        return False
    try:
        outcome = finish_changing_passphrase(database, old, new)
    finally:
        database.dispose()
    if not outcome.backups_done and not outcome.backups_left:
        print(
            f"The database {path} and its backups are already under the new passphrase: "
            "nothing was left to change."
        )
        return True
    print_outcome(
        outcome,
        f"The database {path} was already under the new passphrase (an earlier change was cut "
        "short): the change is now finished.",
    )
    return True


def _run_encrypt(args: argparse.Namespace) -> int:
    from massage_chart.storage.safekeeping import encrypt_database

    path = database_path(args)
    if path is None:
        return fail("Only a SQLite database file can be encrypted by the app.")
    if needs_passphrase(path):
        return _finish_encrypting(args, path)
    passphrase = new_passphrase(args, file_option="passphrase_file", env=ENV_PASSPHRASE)
    database = open_db(args)
    outcome = encrypt_database(database, passphrase)
    outcome.database.dispose()
    print_outcome(
        outcome,
        f"Encrypted {path}. Keep the passphrase safe: without it the records and the backups "
        "cannot be opened.",
    )
    return 0


def _finish_encrypting(args: argparse.Namespace, path: Path) -> int:
    """``encrypt`` again on an encrypted database: finish what an interrupted run left."""
    from massage_chart.storage.safekeeping import finish_encrypting, plain_backups

    database = open_db(args)  # with its passphrase, as every command opens it
    try:
        if not plain_backups(database):
            return fail(f"The database {path} is already encrypted, and so are its backups.")
        outcome = finish_encrypting(database)
    finally:
        database.dispose()
    print_outcome(
        outcome,
        f"{path} was already encrypted; the backups an interrupted encryption left unencrypted "
        "are encrypted now.",
    )
    return 0


def _run_change_passphrase(args: argparse.Namespace) -> int:
    from massage_chart.storage.database import WrongPassphraseError
    from massage_chart.storage.safekeeping import change_passphrase

    path = database_path(args)
    if not needs_passphrase(path):
        return fail(f"The database {path} is not encrypted; encrypt it with: {PROG} encrypt")
    try:
        database = open_db(args)
    except WrongPassphraseError:
        # Run again after an interruption: the database may already be under the new one.
        if _finish_changing_passphrase(args, path):
            return 0
        raise
    old = getattr(args, "opened_passphrase", "")
    try:
        new = new_passphrase(args, file_option="new_passphrase_file", env=ENV_NEW_PASSPHRASE)
        outcome = change_passphrase(database, old, new)
    finally:
        database.dispose()
    outcome.database.dispose()
    print_outcome(outcome, f"Changed the passphrase of {path}.")
    return 0


def _run_seal_key_show(_args: argparse.Namespace) -> int:
    from massage_chart.storage.seal_keys import SealKeyError, local_store

    store = local_store()
    try:
        keys = store.held()
    except SealKeyError as exc:
        return fail(str(exc))
    print(f"Seal keys are kept in {store.where()}.")
    if not keys:
        print("None made yet: the first one is made when a note is first signed.")
    for key in keys:
        print(f"  key {key.key_id}, made {key.created_at[:19].replace('T', ' ')} UTC")
    return 0


def _run_seal_key_export(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError, write_atomic
    from massage_chart.storage.seal_keys import SealKeyError, local_store

    try:
        target = output_path(args, args.file)
        text = local_store().export_text()
        write_atomic(target, text.encode())
    except (ExportError, SealKeyError) as exc:
        return fail(str(exc))
    print(
        f"The seal keys were written to {target}, readable by you alone. Import them on the "
        f"other computer with: {PROG} seal-key import FILE, then delete the file."
    )
    return 0


def _run_seal_key_import(args: argparse.Namespace) -> int:
    from massage_chart.storage.seal_keys import SealKeyError, local_store

    source = Path(args.file).expanduser()
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"{source} cannot be read: {getattr(exc, 'strerror', None) or exc}.")
    store = local_store()
    try:
        added = store.import_keys(text, str(source))
    except SealKeyError as exc:
        return fail(str(exc))
    if not added:
        print(f"This computer already holds every key in {source}; nothing was added.")
    else:
        ids = ", ".join(key.key_id for key in added)
        print(f"Added {len(added)} seal key(s) ({ids}) to {store.where()}.")
    return 0
