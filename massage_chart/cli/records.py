"""Commands on the records: the demo, chart files, signing, and the PDF exports."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from massage_chart.cli.common import (
    PROG,
    add_db_option,
    add_force_option,
    add_span_options,
    fail,
    open_db,
    output_path,
    parse_span,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session  # annotations only: the CLI starts without loading it


def add_commands(commands: Any) -> None:
    """Add the record commands to the command line."""
    demo = commands.add_parser(
        "demo",
        help="seed a realistic demo practice into an empty database",
        description="Seed a demo practice (three therapists, clients with histories, visits with "
        "SOAP notes) into an empty database.",
    )
    add_db_option(demo, default=argparse.SUPPRESS)
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already holds clients",
    )
    size = demo.add_mutually_exclusive_group()
    size.add_argument(
        "--clients", type=int, default=30, metavar="N", help="how many clients (default 30)"
    )
    size.add_argument(
        "--scale",
        metavar="clinic|N",
        help="a practice with years of history for measuring speed: clinic (a ten-year clinic, "
        "20,000 clients), clinic/K (a K-th of it) or N times the 30-client demo; shows the "
        "rate and the time left",
    )
    demo.add_argument("--seed", type=int, default=20261123, help=argparse.SUPPRESS)
    demo.set_defaults(run=_run_demo)

    export_json = commands.add_parser(
        "export-json",
        help="write clients' records to a chart file (format massage-chart/6)",
        description="Write the named clients (all clients when none are named) with their "
        "history, visits, marks, billing and addenda to a JSON chart file.",
    )
    add_db_option(export_json, default=argparse.SUPPRESS)
    export_json.add_argument("client_ids", nargs="*", metavar="CLIENT_ID")
    export_json.add_argument("-o", "--output", metavar="FILE", required=True, help="the file")
    add_force_option(export_json)
    export_json.set_defaults(run=_run_export_json)

    import_json = commands.add_parser(
        "import-json",
        help="add the clients of a chart file to the database",
        description="Read a chart file (format massage-chart/6, 5, 4, 3, 2 or 1), check it whole, and add its "
        "clients in one transaction: all or nothing. Regions and sides of marks are recomputed "
        "from the atlas.",
    )
    add_db_option(import_json, default=argparse.SUPPRESS)
    import_json.add_argument("file", metavar="FILE")
    import_json.add_argument(
        "--replace",
        action="store_true",
        help="overwrite clients that already exist (same id) and have no signed visits",
    )
    import_json.set_defaults(run=_run_import_json)

    sign = commands.add_parser(
        "sign",
        help="sign a visit note, by the same rules as the note window",
        description="Sign a draft visit note. The rules are those of the note window: blocking "
        "problems (no signing provider, no time out, no Subjective or Objective, an open "
        "stop/refer alert, unconfirmed copied-forward marks) always refuse it; likely-denial "
        "warnings refuse it unless --anyway is given. Each problem is printed; exits 1 when "
        "the note is not signed.",
    )
    add_db_option(sign, default=argparse.SUPPRESS)
    sign.add_argument("visit_id", metavar="VISIT_ID")
    sign.add_argument(
        "--provider", metavar="ID", help="the provider who signs (default: the visit's provider)"
    )
    sign.add_argument(
        "--anyway",
        action="store_true",
        help="sign despite likely-denial warnings (never despite blocking problems)",
    )
    sign.set_defaults(run=_run_sign)

    export = commands.add_parser(
        "export",
        help="write PDF documents: the insurer SOAP note, the client summary, a batch, the "
        "progress report",
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
        add_db_option(single, default=argparse.SUPPRESS)
        single.add_argument("visit_id", metavar="VISIT_ID")
        single.add_argument("-o", "--output", metavar="FILE.pdf", required=True, help="the file")
        add_force_option(single)
    batch = export_commands.add_parser(
        "batch",
        help="the SOAP notes of every signed visit in a date range",
        description="Write the SOAP note of every signed visit whose date of service is in "
        "the range (both days included) into a folder, one file per visit, named by date, "
        "client and visit.",
    )
    add_db_option(batch, default=argparse.SUPPRESS)
    add_span_options(batch)
    batch.add_argument("-o", "--output", metavar="DIR", required=True, help="an existing folder")
    add_force_option(batch)
    batch.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default: all cores)"
    )
    progress = export_commands.add_parser(
        "progress",
        help="the progress report of a client over a span of visits",
        description="Write the progress report for the referring provider and the payer: the "
        "signed visits of the span (both days included) with pain, units against those "
        "authorised, the first and latest body chart, range of motion, tolerances, outcome "
        "scores against their MCIDs, goals and the plan.",
    )
    add_db_option(progress, default=argparse.SUPPRESS)
    progress.add_argument("client_id", metavar="CLIENT_ID")
    add_span_options(progress)
    progress.add_argument("-o", "--output", metavar="FILE.pdf", required=True, help="the file")
    progress.add_argument(
        "--sign",
        action="store_true",
        help="sign the report (once signed it is never changed; the claim's report count "
        "starts again after it)",
    )
    progress.add_argument(
        "--provider",
        metavar="ID",
        help="who signs (default: the therapist who signed the span's latest note)",
    )
    add_force_option(progress)
    export.set_defaults(run=_run_export)


def _run_demo(args: argparse.Namespace) -> int:
    from massage_chart.demo import DemoNotEmptyError, clients_for_scale, seed_demo

    if args.scale is not None:
        try:
            clients = clients_for_scale(args.scale)
        except ValueError as exc:
            return fail(str(exc))
    elif args.clients < 1:
        return fail("--clients must be at least 1.")
    else:
        clients = args.clients
    database = open_db(args, create=True)
    try:
        if args.scale is None:
            summary = seed_demo(
                database,
                clients=clients,
                seed=args.seed,
                progress=lambda message: print(f"  {message}", file=sys.stderr),
            )
        else:
            heading = (
                f"Building a practice of {clients:,} clients with ten years of history in "
                f"{database.display_name}, through the app's own storage (every note checked, "
                "hashed and sealed)..."
            )
            summary = seed_demo(
                database,
                clients=clients,
                seed=args.seed,
                years=10,
                tick=_RateLine(clients, heading),
            )
    except DemoNotEmptyError as exc:
        if args.if_empty:
            print(f"The database {database.display_name} already holds clients; demo not added.")
            return 0
        return fail(str(exc))
    finally:
        database.dispose()
    print(
        f"Demo practice added to {database.display_name}: {summary.providers} therapists, "
        f"{summary.clients} clients, {summary.visits} visits ({summary.signed_visits} signed)."
    )
    return 0


class _RateLine:
    """Prints how far a large demo has got, its rate and the time left, every few seconds (on
    one line rewritten in place on a terminal)."""

    EVERY = 2.0  # seconds between lines

    def __init__(self, total: int, heading: str) -> None:
        self.total = total
        self.heading = heading
        self.started = time.monotonic()
        self.shown = self.started
        self.terminal = sys.stderr.isatty()

    def __call__(self, summary: Any) -> None:
        if self.heading:  # once the database is known to be empty and the first client made
            print(self.heading, file=sys.stderr)
            self.heading = ""
        now = time.monotonic()
        done = summary.clients
        if now - self.shown < self.EVERY and done < self.total:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else 0.0
        width = 24
        filled = round(width * done / self.total)
        line = (
            f"  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} clients, "
            f"{summary.visits:,} visits · {rate:.1f} clients/s, {summary.visits / elapsed:.0f} "
            f"visits/s · {_duration(left)} left"
        )
        if self.terminal:
            end = "\n" if done >= self.total else ""
            print(f"\r{line}\x1b[K", end=end, file=sys.stderr, flush=True)  # the rest cleared
        else:
            print(line, file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    """ "about 3 min", "12 s"."""
    if seconds >= 90:
        return f"about {round(seconds / 60):,} min"
    return f"{round(seconds)} s"


def _run_export_json(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.storage.chart_file import ChartFileError, export_chart, write_chart_file

    try:
        target = output_path(args, args.output)
    except ExportError as exc:
        return fail(str(exc))
    database = open_db(args)
    try:
        with database.write() as session:
            document = export_chart(session, args.client_ids)
            write_chart_file(document, target)
    except ChartFileError as exc:
        return fail(str(exc))
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
        return fail(f"{exc} Nothing was imported.")
    database = open_db(args, create=True)
    try:
        with database.write() as session:
            report = import_chart(session, document, replace=args.replace)
    except ChartFileError as exc:
        return fail(f"{exc} Nothing was imported.")
    finally:
        database.dispose()
    for warning in report.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    measures = f", {report.outcomes} outcome measures" if report.outcomes else ""
    if report.pain_maps:
        measures += f", {report.pain_maps} pain maps"
    print(
        f"Imported {report.clients} clients, {report.visits} visits{measures} and {report.marks}"
        f" marks from {args.file}."
    )
    return 0


def _run_sign(args: argparse.Namespace) -> int:
    from massage_chart.domain.presentation import format_recorded_time
    from massage_chart.storage.client_records import sign_and_record
    from massage_chart.storage.models import utc_now
    from massage_chart.storage.repositories import NotFoundError
    from massage_chart.storage.signing import SignRefusedError

    database = open_db(args)

    def sign(session: Session) -> tuple[str | None, dt.datetime | None]:
        visit = sign_and_record(
            session,
            args.visit_id,
            args.provider,
            utc_now(),
            accept_warnings=args.anyway,
            today=dt.date.today(),
        )
        signer = visit.signed_by.display_name if visit.signed_by else visit.signed_by_id
        return signer, visit.signed_at

    try:
        # Run again if a clinic's server rolled it back to let another computer's save through.
        signer, signed_at = database.transact(sign)
    except NotFoundError as exc:
        return fail(f"{exc} Nothing was signed.")
    except SignRefusedError as exc:
        for problem in exc.problems:
            hint = " (give one with --provider ID)" if problem.code == "no_signer" else ""
            print(f"{problem.severity.value}: {problem.message}{hint}")
        if exc.blocking:
            return fail(
                f"visit {args.visit_id} not signed: {len(exc.blocking)} blocking problem(s)."
            )
        return fail(
            f"visit {args.visit_id} not signed: {len(exc.warnings)} warning(s) likely to get it "
            "denied; fix them, or sign anyway with --anyway."
        )
    except ValueError as exc:
        return fail(f"visit {args.visit_id} not signed: {exc}")
    finally:
        database.dispose()
    assert signed_at is not None
    print(f"Signed visit {args.visit_id} as {signer} on {format_recorded_time(signed_at)}.")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from massage_chart.domain.presentation import use_clock
    from massage_chart.export.atomic import ExportError, check_folder
    from massage_chart.storage.repositories import NotFoundError
    from massage_chart.storage.settings import Settings

    use_clock(Settings.load().clock)  # times as this computer's window writes them

    if args.export_command == "batch":
        try:
            first, last = parse_span(args)
        except ValueError as exc:
            return fail(str(exc))
        if args.workers is not None and args.workers < 1:
            return fail("--workers must be at least 1.")
        folder = Path(args.output).expanduser()
        try:
            check_folder(folder)
        except ExportError as exc:
            return fail(str(exc))
        return _run_export_batch(args, first, last, folder)

    if args.export_command == "progress":
        return _run_export_progress(args)

    from massage_chart.export.service import DocumentKind, export_document

    kind = DocumentKind(args.export_command)
    try:
        target = output_path(args, args.output)
    except ExportError as exc:
        return fail(str(exc))
    database = open_db(args)
    try:
        path = export_document(database, kind, args.visit_id, target)
    except NotFoundError:
        return fail(f"There is no visit with id {args.visit_id!r}.")
    except ExportError as exc:
        return fail(f"{exc} Nothing was written.")
    finally:
        database.dispose()
    print(f"Wrote the {kind.title} of visit {args.visit_id} to {path}.")
    return 0


def _run_export_progress(args: argparse.Namespace) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.export.progress_report import ProgressReportError, export_progress
    from massage_chart.storage.repositories import NotFoundError

    try:
        first, last = parse_span(args)
    except ValueError as exc:
        return fail(str(exc))
    try:
        target = output_path(args, args.output)
    except ExportError as exc:
        return fail(str(exc))
    database = open_db(args)
    try:
        path = export_progress(
            database,
            args.client_id,
            first,
            last,
            target,
            sign=args.sign,
            sign_as=args.provider if args.sign else None,
        )
    except (NotFoundError, ProgressReportError, ExportError) as exc:
        return fail(f"{exc} Nothing was written.")
    finally:
        database.dispose()
    signed = "signed " if args.sign else ""
    print(f"Wrote the {signed}progress report of client {args.client_id} to {path}.")
    return 0


def _run_export_batch(args: argparse.Namespace, first: dt.date, last: dt.date, folder: Path) -> int:
    from massage_chart.export.atomic import ExportError
    from massage_chart.export.batch import export_batch, signed_visits

    database = open_db(args)
    try:
        with database.read() as session:
            names = [item.file_name for item in signed_visits(session, first, last)]
        for name in names:
            output_path(args, str(folder / name))
    except ExportError as exc:
        database.dispose()
        return fail(f"{exc} No note of the batch was written.")
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
        return fail(f"{len(report.failures)} note(s) could not be written.")
    return 0
