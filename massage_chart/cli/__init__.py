"""The command line: open the app, seed the demo, export PDFs, back up, restore and check.

Each group of commands lives in its own module and adds its own parsers; this module builds the
parser and runs the command chosen.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from massage_chart import __version__, collector
from massage_chart.cli import clinic, outcomes, records, safekeeping
from massage_chart.cli.common import (
    ENV_NEW_PASSPHRASE,
    ENV_PASSPHRASE,
    ENV_USER,
    PROG,
    PassphraseUnavailableError,
    add_db_option,
    explain_database_error,
    fail,
    keying_of,
    suggest_restore,
    wrong_keying,
)

__all__ = ["ENV_NEW_PASSPHRASE", "ENV_PASSPHRASE", "PROG", "build_parser", "main"]


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
    parser.add_argument(
        "--quit-after-first-paint",
        action="store_true",
        help="quit once the first window is drawn, before the records are opened (start-up checks)",
    )
    add_db_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    records.add_commands(commands)
    outcomes.add_commands(commands)
    safekeeping.add_commands(commands)
    clinic.add_commands(commands)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    # Before Qt is loaded: a missing system library gets the package to install, not a crash.
    from massage_chart.platform_check import qt_libraries_problem

    problem = qt_libraries_problem()
    if problem is not None:
        return fail(problem)
    from massage_chart.ui.app import run_app

    user = args.user or os.environ.get(ENV_USER) or None
    return run_app(
        args.db,
        [sys.argv[0]],
        quit_after_start=args.quit_after_start,
        quit_after_first_paint=args.quit_after_first_paint,
        user=user,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    # Until the window is drawn or the command begins, the cycle collector waits: start-up makes
    # long-lived objects, not garbage (massage_chart.collector).
    collector.pause_for_start()
    try:
        return _main(argv)
    finally:
        collector.end_start()


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    # Records, backups, drafts and PDFs are health information: files this program creates are
    # readable by their owner only (POSIX; Windows ignores the mask).
    os.umask(0o077)
    try:
        if args.command is None:
            return _run_gui(args)
        collector.end_start()
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except KeyboardInterrupt:
        return fail("interrupted.", 130)
    except Exception as exc:
        return _failure(args, exc)


def _failure(args: argparse.Namespace, exc: Exception) -> int:
    """Plain words and exit code 1 for a failure the storage layer foresees; any other is raised.

    The storage layer is imported here, not at the top: the window's start draws before loading it.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from massage_chart.storage.database import (
        DatabaseDamagedError,
        StorageError,
        WrongPassphraseError,
    )
    from massage_chart.storage.encryption import EncryptionError

    if isinstance(exc, DatabaseDamagedError):
        return fail(f"{exc}{suggest_restore(args.db, keying_of(args))}")
    if isinstance(exc, WrongPassphraseError):
        keying = wrong_keying(args)
        return fail(f"{exc}{suggest_restore(args.db, keying) if keying else ''}")
    if isinstance(exc, StorageError | EncryptionError | PassphraseUnavailableError):
        return fail(str(exc))
    if isinstance(exc, SQLAlchemyError):
        return fail(explain_database_error(args, exc))
    raise exc


if __name__ == "__main__":
    sys.exit(main())
