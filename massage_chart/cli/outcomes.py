"""Commands that file what a client reports: outcome measure answer sheets and pain maps.

The same checks as the window's forms and a chart file's import (``storage.outcomes``,
``storage.pain_maps``): a sheet that cannot be scored, a place the atlas does not have, a
correction without its reason, each is refused with the reason and nothing is filed.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from massage_chart.cli.common import add_db_option, fail, open_db, parse_day

SYMPTOM_HELP = (
    "the six symptom answers as NAME=N, comma-separated: fatigue, unrefreshed and cognitive "
    "0-3 (no problem to severe); headaches, abdomen and depression 0 or 1 (no, yes)"
)


def add_commands(commands: Any) -> None:
    """Add the outcome measure and pain map commands to the command line."""
    outcome = commands.add_parser(
        "outcome",
        help="file or list a client's outcome measure answer sheets",
        description="File an answer sheet typed in from the client's paper form, or list the "
        "sheets on file, scored.",
    )
    outcome_commands = outcome.add_subparsers(dest="outcome_command", metavar="ACTION")
    outcome_commands.required = True
    record = _client_action(outcome_commands, "record", "file an answer sheet")
    record.add_argument("--measure", required=True, help="the measure's code (ndi, lefs, psfs…)")
    record.add_argument(
        "--answers", required=True, help="the answers in the form's order, comma-separated"
    )
    record.add_argument(
        "--activities", default="", help="for the PSFS: the activities named, separated by ;"
    )
    _common_options(record)
    record.set_defaults(run=_run_outcome_record)
    listing = _client_action(outcome_commands, "list", "the answer sheets on file, scored")
    listing.set_defaults(run=_run_outcome_list)

    pain_map = commands.add_parser(
        "pain-map",
        help="file or list a client's own pain maps (where it hurt in the past week)",
        description="File a pain map typed in from the client's paper body map, scored by the "
        "ACR 2016 criteria (Widespread Pain Index, symptom severity), or list those on file.",
    )
    map_commands = pain_map.add_subparsers(dest="pain_map_command", metavar="ACTION")
    map_commands.required = True
    record_map = _client_action(map_commands, "record", "file a pain map")
    record_map.add_argument(
        "--places",
        required=True,
        help="the places marked, as VIEW:REGION comma-separated (anterior:pec_major.l, "
        "posterior:upper_trapezius.r; massage-chart's atlas region ids)",
    )
    record_map.add_argument("--symptoms", default="", help=SYMPTOM_HELP)
    record_map.add_argument(
        "--three-months",
        choices=("yes", "no"),
        help="whether the symptoms have been there at about this level for 3 months",
    )
    _common_options(record_map)
    record_map.set_defaults(run=_run_pain_map_record)
    list_maps = _client_action(map_commands, "list", "the pain maps on file, scored")
    list_maps.set_defaults(run=_run_pain_map_list)


def _client_action(actions: Any, name: str, words: str) -> argparse.ArgumentParser:
    """One action on a client's records: its parser, with --db and the client's id."""
    parser: argparse.ArgumentParser = actions.add_parser(name, help=words)
    add_db_option(parser, default=argparse.SUPPRESS)
    parser.add_argument("client_id", metavar="CLIENT_ID")
    return parser


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--day", help="the day it was filled in, YYYY-MM-DD (default today)")
    parser.add_argument(
        "--source",
        choices=("paper", "client"),
        default="paper",
        help="typed in from the client's paper form (default), or completed by the client",
    )
    parser.add_argument("--visit", metavar="VISIT_ID", help="the visit it belongs to")
    parser.add_argument(
        "--provider", metavar="ID", help="who typed it in (default: the person signed in)"
    )
    parser.add_argument("--replaces", metavar="ID", help="the earlier one this corrects")
    parser.add_argument("--reason", default="", help="why it is corrected (with --replaces)")


def _day(args: argparse.Namespace) -> dt.date:
    return parse_day(args.day, "--day") if args.day else dt.date.today()


def _run_outcome_record(args: argparse.Namespace) -> int:
    from massage_chart.domain.outcomes import OutcomeError
    from massage_chart.storage.outcomes import record_outcome
    from massage_chart.storage.repositories import NotFoundError

    try:
        day = _day(args)
    except ValueError as exc:
        return fail(f"{exc} Nothing was filed.")
    try:
        answers = [int(a) for a in args.answers.replace(" ", "").split(",") if a]
    except ValueError:
        return fail("--answers takes whole numbers, e.g. 2,3,1. Nothing was filed.")
    activities = [a for a in args.activities.split(";") if a.strip()]
    database = open_db(args)
    try:
        entry = database.transact(
            lambda session: record_outcome(
                session,
                args.client_id,
                args.measure,
                answers,
                taken_on=day,
                source=args.source,
                activities=activities,
                visit_id=args.visit,
                recorded_by_id=args.provider or database.provider_id,
                replaces_id=args.replaces,
                reason=args.reason,
            )
        )
    except (OutcomeError, NotFoundError) as exc:
        return fail(f"{exc} Nothing was filed.")
    finally:
        database.dispose()
    chosen = entry.measure
    print(
        f"Filed {chosen.short_name} of {entry.taken_on.isoformat()} for client "
        f"{entry.client_id}: {chosen.format_score(entry.score)} (id {entry.id})."
    )
    return 0


def _run_outcome_list(args: argparse.Namespace) -> int:
    from massage_chart.storage.outcomes import list_outcomes
    from massage_chart.storage.repositories import NotFoundError, get_client

    database = open_db(args)
    try:
        with database.read() as session:
            get_client(session, args.client_id)
            entries = list_outcomes(session, args.client_id)
    except NotFoundError as exc:
        return fail(str(exc))
    finally:
        database.dispose()
    for entry in entries:
        print(
            "\t".join(
                [
                    entry.taken_on.isoformat(),
                    entry.measure.short_name,
                    entry.measure.format_score(entry.score),
                    entry.id,
                ]
            )
        )
    if not entries:
        print("No answer sheets on file.")
    return 0


def _symptoms(text: str) -> dict[str, int] | None:
    """``fatigue=2,unrefreshed=1,…`` as answers; None when none were given."""
    if not text.strip():
        return None
    answers: dict[str, int] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            answers[name.strip()] = int(value)
        except ValueError:
            raise ValueError(f"--symptoms: {part.strip()!r} is not NAME=N.") from None
    return answers


def _run_pain_map_record(args: argparse.Namespace) -> int:
    from massage_chart.domain.pain_map import PainMapError
    from massage_chart.storage.pain_maps import record_pain_map
    from massage_chart.storage.repositories import NotFoundError

    try:
        day = _day(args)
        symptoms = _symptoms(args.symptoms)
    except ValueError as exc:
        return fail(f"{exc} Nothing was filed.")
    places = [p.strip() for p in args.places.split(",") if p.strip()]
    three_months = None if args.three_months is None else args.three_months == "yes"
    database = open_db(args)
    try:
        entry = database.transact(
            lambda session: record_pain_map(
                session,
                args.client_id,
                places,
                taken_on=day,
                source=args.source,
                symptoms=symptoms,
                three_months=three_months,
                visit_id=args.visit,
                recorded_by_id=args.provider or database.provider_id,
                replaces_id=args.replaces,
                reason=args.reason,
            )
        )
    except (PainMapError, NotFoundError) as exc:
        return fail(f"{exc} Nothing was filed.")
    finally:
        database.dispose()
    print(
        f"Filed the pain map of {entry.taken_on.isoformat()} for client {entry.client_id}: "
        f"{_score_words(entry.score)} (id {entry.id})."
    )
    return 0


def _score_words(score: Any) -> str:
    from massage_chart.domain.pain_extent import extent_text

    words = [f"WPI {score.wpi}/19"]
    if score.sss is not None:
        words.append(f"SSS {score.sss}/12, FS {score.severity_score}/31")
    criteria = score.criteria
    if criteria is not None:
        met = {True: "met", False: "not met", None: "3 months not answered"}[criteria.met]
        words.append(f"2016 criteria {met}")
    words.append(f"pain extent {extent_text(score.extent)}")
    return "; ".join(words)


def _run_pain_map_list(args: argparse.Namespace) -> int:
    from massage_chart.storage.pain_maps import list_pain_maps
    from massage_chart.storage.repositories import NotFoundError, get_client

    database = open_db(args)
    try:
        with database.read() as session:
            get_client(session, args.client_id)
            entries = list_pain_maps(session, args.client_id)
            lines = [
                "\t".join([e.taken_on.isoformat(), _score_words(e.score),
                           ", ".join(a.label for a in e.score.areas) or "no WPI area", e.id])
                for e in entries
            ]  # fmt: skip
    except NotFoundError as exc:
        return fail(str(exc))
    finally:
        database.dispose()
    print("\n".join(lines) if lines else "No pain maps on file.")
    return 0
