"""Clinic-mode commands: set a clinic's PostgreSQL database up, and manage its people.

They run as the database's administrator (the ``--db`` URL names them), who owns its tables and
may create roles; the people they create then sign in as themselves (``--user``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from massage_chart.cli.common import (
    ENV_PASSWORD,
    ENV_PRACTICE,
    add_db_option,
    add_password_option,
    open_db,
    password_of,
)

GROUP_NAMES = ("owner", "therapist", "front_desk", "student")


def _add_admin_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        required=True,
        help="the clinic's PostgreSQL database, as its administrator: "
        "postgresql://admin@server/cedar",
    )
    parser.add_argument(
        "--practice",
        metavar="KEY",
        help=f"the practice key naming its people's roles on the server (default {ENV_PRACTICE}, "
        "else the database's name in lower-case letters and digits)",
    )


def add_commands(commands: Any) -> None:
    """Add the clinic and users commands to the command line."""
    clinic = commands.add_parser(
        "clinic",
        help="set up a clinic database on PostgreSQL, shared by several people",
        description="Clinic mode: several therapists and a front desk share one PostgreSQL "
        "database, each signed in as themselves, the server enforcing what each may do.",
    )
    clinic_commands = clinic.add_subparsers(dest="clinic_command", metavar="ACTION")
    clinic_commands.required = True
    init = clinic_commands.add_parser(
        "init",
        help="make a database a clinic's: schema, roles, privileges, the first owner",
        description="Create or upgrade the schema, create the practice's group roles (owner, "
        "therapist, front desk, student) with their privileges, and give the first owner a "
        "sign-in. Safe to run again: what exists is kept, the schema is upgraded and the "
        f"privileges granted again. The owner's password comes from --password-file, else "
        f"{ENV_PASSWORD}, else it is asked for twice.",
    )
    _add_admin_options(init)
    init.add_argument("--owner", metavar="USERNAME", required=True, help="the first owner")
    init.add_argument(
        "--provider", metavar="ID_OR_NAME", help="the provider the owner charts as, if any"
    )
    add_password_option(init, whose="the owner's")
    init.set_defaults(run=_run_clinic_init)

    users = commands.add_parser(
        "users",
        help="the people of a clinic database: add, list, set-role, disable, reset-password",
        description="Manage who signs in to a clinic database and what their group lets them "
        "do. Disabled people keep their history; they can no longer sign in.",
    )
    user_commands = users.add_subparsers(dest="users_command", metavar="ACTION")
    user_commands.required = True
    add = user_commands.add_parser(
        "add",
        help="give a person a sign-in in a group",
        description="Create the person's login role (the server keeps the password as "
        "SCRAM-SHA-256) in their group. A therapist or student charts as a provider: name it.",
    )
    _add_admin_options(add)
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", choices=GROUP_NAMES, required=True, help="their group")
    add.add_argument("--provider", metavar="ID_OR_NAME", help="the provider they chart as")
    add_password_option(add, whose="the person's")
    add.set_defaults(run=_run_users_add)

    listing = user_commands.add_parser("list", help="list the people and their groups")
    _add_admin_options(listing)
    listing.set_defaults(run=_run_users_list)

    set_role = user_commands.add_parser("set-role", help="move a person to another group")
    _add_admin_options(set_role)
    set_role.add_argument("username", metavar="USERNAME")
    set_role.add_argument("role", choices=GROUP_NAMES, metavar="ROLE", help=" | ".join(GROUP_NAMES))
    set_role.set_defaults(run=_run_users_set_role)

    disable = user_commands.add_parser(
        "disable", help="stop a person signing in (their history keeps their name)"
    )
    _add_admin_options(disable)
    disable.add_argument("username", metavar="USERNAME")
    disable.set_defaults(run=_run_users_disable)

    reset = user_commands.add_parser("reset-password", help="give a person a new password")
    _add_admin_options(reset)
    reset.add_argument("username", metavar="USERNAME")
    add_password_option(reset, whose="the person's new")
    reset.set_defaults(run=_run_users_reset_password)

    move = commands.add_parser(
        "migrate-db",
        help="copy the whole practice from its SQLite file into an empty PostgreSQL database",
        description="Copy every record of the --db practice (clients, visits, signatures, "
        "addenda, outcome measures, the audit log) into the empty server database --to, in one "
        "transaction, then check it there: the same number of rows in every table, every signed "
        "note matching its content hash, the audit log's chain whole. A failure keeps nothing "
        "on the server. The file is left as it was. Then run `clinic init` on the server.",
    )
    add_db_option(move, default=argparse.SUPPRESS)
    move.add_argument(
        "--to",
        metavar="URL",
        required=True,
        help="an empty PostgreSQL database, as a user who may create its tables",
    )
    move.set_defaults(run=_run_migrate_db)


def _practice(args: argparse.Namespace) -> str:
    from massage_chart.storage.clinic import check_practice_key, default_practice_key

    given = args.practice or os.environ.get(ENV_PRACTICE)
    return check_practice_key(given) if given else default_practice_key(args.db)


def _admin_url(args: argparse.Namespace) -> str:
    from massage_chart.storage.database import normalise_url

    url: str = normalise_url(args.db)
    return url


def _provider(args: argparse.Namespace) -> str | None:
    from massage_chart.storage.clinic import find_provider

    return find_provider(_admin_url(args), args.provider) if args.provider else None


def _run_clinic_init(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import check_username, init_clinic, list_people
    from massage_chart.storage.database import open_database

    url, practice = _admin_url(args), _practice(args)
    check_username(args.owner)
    provider_id = None
    if args.provider:
        open_database(url).dispose()  # the schema first, so that the provider can be found
        provider_id = _provider(args)
    existing = {p.username for p in _people_or_none(url, practice, list_people)}
    password = ""
    if args.owner not in existing:
        password = password_of(args, f"New password for {args.owner}: ", twice=True)
    added = init_clinic(url, practice, args.owner, password, owner_provider_id=provider_id)
    kept = f"{args.owner} already had a sign-in, kept as it was."
    print(
        f"The clinic database is ready (practice key {practice!r}). "
        + (f"{args.owner} can sign in as its owner." if added else kept)
    )
    return 0


def _people_or_none(url: str, practice: str, list_people: Any) -> list[Any]:
    """The people already there; none when the database is not a clinic's yet."""
    from sqlalchemy.exc import DBAPIError

    try:
        people: list[Any] = list_people(url, practice)
    except DBAPIError:  # no clinic_people table before the first init
        return []
    return people


def _run_users_add(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import add_person, check_username

    url, practice = _admin_url(args), _practice(args)
    check_username(args.username)
    provider_id = _provider(args)
    password = password_of(args, f"New password for {args.username}: ", twice=True)
    person = add_person(url, practice, args.username, args.role, password, provider_id=provider_id)
    print(f"{person.username} can sign in as {person.group.replace('_', ' ')}.")
    return 0


def _run_users_list(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import list_people

    for person in list_people(_admin_url(args), _practice(args)):
        state = "active" if person.active else "disabled"
        print(f"{person.username}\t{person.group}\t{person.provider_id or '-'}\t{state}")
    return 0


def _run_users_set_role(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import set_group

    set_group(_admin_url(args), _practice(args), args.username, args.role)
    print(f"{args.username} is now in the {args.role.replace('_', ' ')} group.")
    return 0


def _run_users_disable(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import disable_person

    disable_person(_admin_url(args), _practice(args), args.username)
    print(f"{args.username} can no longer sign in; their records keep their name.")
    return 0


def _run_users_reset_password(args: argparse.Namespace) -> int:
    from massage_chart.storage.clinic import check_username, reset_password

    check_username(args.username)
    password = password_of(args, f"New password for {args.username}: ", twice=True)
    reset_password(_admin_url(args), _practice(args), args.username, password)
    print(f"{args.username}'s password was changed.")
    return 0


def _run_migrate_db(args: argparse.Namespace) -> int:
    from massage_chart.storage.database import normalise_url, server_label
    from massage_chart.storage.move_to_server import move_to_server

    target = normalise_url(args.to)
    source = open_db(args)
    try:
        report = move_to_server(
            source, target, progress=lambda name: print(f"  copying {name}", file=sys.stderr)
        )
    finally:
        source.dispose()
    rows = report.rows
    print(
        f"Copied {report.total} rows to {server_label(target)}: {rows.get('clients', 0)} clients, "
        f"{rows.get('visits', 0)} visits ({report.signed_visits} signed, each matching its "
        f"signature there), {report.audit_events} audit events (the chain verifies). "
        f"{source.display_name} is unchanged. Next: massage-chart clinic init --db {args.to} "
        "--owner NAME."
    )
    return 0
