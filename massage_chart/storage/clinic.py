"""Clinic mode on PostgreSQL: people as login roles, groups as roles, privileges the server enforces.

A clinic database has four group roles, named apart per practice so that several practices can
share one server (``mc_<practice>__owner`` and so on), and one login role per person
(``mc_<practice>_<username>``), whose password the server keeps as SCRAM-SHA-256. What each group
may do is granted table by table here; what depends on the row (who may sign, who wrote an
addendum, what the front desk may write to a visit) is checked by the triggers of migration 0007,
which read ``clinic_people``. Either way the server refuses, whichever program sends the SQL.

| group | may |
|---|---|
| owner | everything: people, practice, providers, records |
| therapist | chart, write and sign their own notes, add addenda as themselves, manage clients |
| student | chart and write notes; cannot sign (a supervising therapist co-signs) |
| front_desk | manage clients, claims, referrals, consents and intake; book visits; read and print notes; no charting, note text, codes or signing |

Setting a clinic up runs as the database's administrator (the owner of its tables), given as a
URL. People are added, moved, disabled and given new passwords through the practice's own
functions on the server (``mc_person_*``), which run as that administrator but which only the
practice's owners (and the administrator) may call: so an owner does it from the window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from massage_chart.storage import audit
from massage_chart.storage.database import (
    Database,
    SchemaState,
    StorageError,
    is_server_url,
    normalise_url,
    open_database,
    schema_status,
)

GROUPS = ("owner", "therapist", "front_desk", "student")

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_PRACTICE = re.compile(r"^[a-z][a-z0-9]{0,15}$")

# Tables as the groups may write them; every group reads every table.
_RECORDS = ("clients", "claims", "referrals", "consents", "health_histories", "conditions",
            "medications", "allergies", "outcome_records", "pain_maps")  # fmt: skip
_CHARTING = ("visits", "visit_overrides", "marks", "billing_lines")
_WRITES: dict[str, dict[str, tuple[str, ...]]] = {
    "therapist": {
        "INSERT, UPDATE, DELETE": (*_RECORDS, *_CHARTING),
        "INSERT": ("addenda", "audit_events", "progress_reports"),
    },
    "student": {
        "INSERT, UPDATE, DELETE": (*_RECORDS, *_CHARTING),
        "INSERT": ("audit_events",),
    },
    "front_desk": {
        "INSERT, UPDATE": (*_RECORDS, "visits"),
        "INSERT": ("audit_events",),
    },
}


class ClinicError(StorageError):
    """A clinic set-up or people change that cannot be done, in plain words."""


@dataclass(frozen=True)
class Person:
    """One person of the clinic as the server knows them."""

    username: str
    role_name: str
    group: str
    provider_id: str | None
    active: bool

    @property
    def practice(self) -> str:
        """The practice key their role is named for (``mc_<practice>_<username>``)."""
        return self.role_name.removeprefix("mc_").removesuffix(f"_{self.username}")


def check_practice_key(practice: str) -> str:
    """The practice's short key, as role names use it ("cedar", "sage2")."""
    if not _PRACTICE.match(practice):
        raise ClinicError(
            f"The practice key {practice!r} must be 1 to 16 lower-case letters and digits, "
            "starting with a letter (it names the practice's roles on the server)."
        )
    return practice


def default_practice_key(url: str) -> str:
    """The practice key a clinic database goes by unless it was set up with another: its database
    name in lower-case letters and digits ("Cedar-Clinic" -> "cedarclinic"), at most 16."""
    name = make_url(normalise_url(url)).database or ""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if not key or not key[0].isalpha():
        key = "p" + key
    return key[:16]


def signed_in_person(database: Database) -> Person | None:
    """Who the open server database is connected as, when that is one of the clinic's people
    (None on SQLite, for the administrator, or outside clinic mode)."""
    if database.is_sqlite:
        return None
    with database.read() as session:
        row = session.execute(
            text(
                "SELECT username, role_name, grp, provider_id, active FROM clinic_people "
                "WHERE role_name = session_user"
            )
        ).first()
    return Person(*row) if row is not None else None


def is_clinic_database(database: Database) -> bool:
    """Whether the database is a clinic's (its people sign in as themselves)."""
    if database.is_sqlite:
        return False
    with database.read() as session:
        return session.execute(text("SELECT 1 FROM clinic_people LIMIT 1")).first() is not None


def check_username(username: str) -> str:
    """A person's user name as they type it to sign in ("sam", "lee_r")."""
    if not _NAME.match(username):
        raise ClinicError(
            f"The user name {username!r} must be 1 to 24 lower-case letters, digits or _, "
            "starting with a letter."
        )
    return username


def group_role(practice: str, group: str) -> str:
    """The server role of a group of one practice: ``mc_cedar__therapist``."""
    if group not in GROUPS:
        raise ClinicError(f"There is no group {group!r} (groups: {', '.join(GROUPS)}).")
    return f"mc_{check_practice_key(practice)}__{group}"


def person_role(practice: str, username: str) -> str:
    """The login role of a person of one practice: ``mc_cedar_sam``."""
    return f"mc_{check_practice_key(practice)}_{check_username(username)}"


def _quote(connection: Connection, name: str) -> str:
    quoted: str = connection.dialect.identifier_preparer.quote_identifier(name)
    return quoted


def _role_exists(connection: Connection, role: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    return found.first() is not None


def _require_postgres(url: str) -> None:
    if not is_server_url(url):
        raise ClinicError("Clinic mode needs a PostgreSQL database (postgresql://...).")


def init_clinic(
    admin_url: str,
    practice: str,
    owner: str,
    password: str,
    *,
    owner_provider_id: str | None = None,
) -> bool:
    """Make a database a clinic's: its schema, the group roles and their privileges, the first
    owner. Safe to run again (what exists is kept; the schema is upgraded and privileges are
    granted again).

    Args:
        admin_url: the database, connected as its administrator (who owns the tables).
        practice: the practice's short key, naming its roles.
        owner: the first owner's user name.
        password: the first owner's password (kept by the server as SCRAM-SHA-256).
        owner_provider_id: the provider the owner charts and signs as, if they treat clients.

    Returns:
        Whether the owner was added (False when they already had a sign-in).

    Raises:
        ClinicError: not PostgreSQL, a bad key or name, or the key's roles already serve another
            database on this server.
    """
    _require_postgres(admin_url)
    check_practice_key(practice)
    check_username(owner)
    database = open_database(admin_url)  # creates or upgrades the schema
    try:
        with database.engine.begin() as connection:
            _refuse_a_key_in_use(connection, practice)
            for group in GROUPS:
                role = group_role(practice, group)
                if not _role_exists(connection, role):
                    connection.exec_driver_sql(f"CREATE ROLE {_quote(connection, role)} NOLOGIN")
            _grant(connection, practice)
            _people_functions(connection, practice)
    finally:
        database.dispose()
    if any(p.username == owner for p in list_people(admin_url, practice)):
        return False
    add_person(admin_url, practice, owner, "owner", password, provider_id=owner_provider_id)
    return True


def _refuse_a_key_in_use(connection: Connection, practice: str) -> None:
    """Two databases on one server may not share a practice key: its people could then connect
    to both."""
    found = connection.execute(
        text(
            "SELECT d.datname FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a "
            "JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE d.datname <> current_database() AND r.rolname = :role"
        ),
        {"role": group_role(practice, "owner")},
    ).first()
    if found is not None:
        raise ClinicError(
            f"The practice key {practice!r} already names the people of the database "
            f"{found[0]} on this server. Choose another key (--practice KEY) for this one."
        )


@dataclass(frozen=True)
class SignedIn:
    """A database opened as one person of the clinic, and who they are."""

    database: Database
    person: Person


_REFUSED_AT_THE_DOOR = re.compile(
    r"password authentication failed|no password supplied|permission denied for database|"
    r"not permitted to log in|no pg_hba\.conf entry|role \"[^\"]*\" does not exist"
)


def refused_sign_in(message: str) -> bool:
    """Whether the server's message refuses who connected (a wrong or missing password, a
    disabled or unknown person, a role with no right to this database), rather than saying the
    server or the database cannot be reached: then a clinic's person must sign in."""
    return _REFUSED_AT_THE_DOOR.search(message.lower()) is not None


def sign_in(url: str, username: str, password: str, *, practice: str | None = None) -> SignedIn:
    """Open a clinic database as one of its people; the audit log then names them.

    Args:
        url: the clinic's database (``postgresql://server/cedar``); a user in it is replaced.
        username: the person's user name ("sam").
        password: their password (checked by the server).
        practice: the practice key, when it is not the database's name.

    Raises:
        ClinicError: the server did not accept the name and password (or the sign-in is
            disabled), they are not one of this clinic's people, or the database needs an
            upgrade its administrator must run.
        StorageError: the server cannot be reached, in words.
    """
    _require_postgres(url)
    key = practice or default_practice_key(url)
    role = person_role(key, check_username(username))
    person_url = (
        make_url(normalise_url(url))
        .set(username=role, password=password or None)
        .render_as_string(hide_password=False)
    )
    try:
        database = open_database(person_url, upgrade=False)
    except StorageError as exc:
        if refused_sign_in(str(exc)):
            raise ClinicError(
                f"The server did not accept the user name {username!r} with that password (or "
                "the sign-in was disabled). Check both and try again."
            ) from exc
        raise
    try:
        if schema_status(database.engine).state is not SchemaState.CURRENT:
            raise ClinicError(
                "The clinic's database was written by another version of Massage Chart. Its "
                "administrator upgrades it with `massage-chart clinic init` (safe to run "
                "again); until then nobody signs in with this version."
            )
        person = signed_in_person(database)
    except (ClinicError, DBAPIError):
        database.dispose()
        raise
    if person is None or not person.active:
        database.dispose()
        raise ClinicError(f"{username} is not one of this clinic's people.")
    database.actor = person.username
    database.group = person.group
    database.provider_id = person.provider_id
    return SignedIn(database, person)


def _grant(connection: Connection, practice: str) -> None:
    database_name = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    tables = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
    ]
    # Only the practice's people (and the administrator) connect to it; nobody else creates
    # objects in its schema.
    connection.exec_driver_sql(
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {_quote(connection, database_name)} FROM PUBLIC"
    )
    connection.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for group in GROUPS:
        role = _quote(connection, group_role(practice, group))
        connection.exec_driver_sql(
            f"GRANT CONNECT ON DATABASE {_quote(connection, database_name)} TO {role}"
        )
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
        connection.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        connection.exec_driver_sql(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
        )
        if group == "owner":
            connection.exec_driver_sql(
                f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            continue
        for privileges, names in _WRITES[group].items():
            for table in names:
                if table in tables:
                    connection.exec_driver_sql(f"GRANT {privileges} ON {table} TO {role}")
    _keep_the_seal_key(connection, practice, tables)


def _keep_the_seal_key(connection: Connection, practice: str, tables: list[str]) -> None:
    """Nobody signed in, owners included, reads the seal key or writes a seal (migration 0017):
    the server seals as each record is signed, with functions that run as the administrator."""
    for group in GROUPS:
        role = _quote(connection, group_role(practice, group))
        if "mc_seal_key" in tables:
            connection.exec_driver_sql(f"REVOKE ALL ON mc_seal_key FROM {role}")
        if "seals" in tables:
            connection.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE ON seals FROM {role}")


# The people of a practice are managed through these functions, run as the administrator who
# created them (SECURITY DEFINER) and callable only by the practice's owners (and the
# administrator): an owner manages people from the window without holding CREATEROLE, which on
# a shared server would reach every other practice's roles too. Each touches only roles named
# for its own practice; a password reaches the server only as a SCRAM-SHA-256 verifier.
_PEOPLE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION mc_people_guard() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
    IF session_user <> current_user AND NOT pg_has_role(session_user, '{owners}', 'MEMBER') THEN
        RAISE EXCEPTION 'Only an owner of the practice manages its people.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $f$;

CREATE OR REPLACE FUNCTION mc_people_keep_an_owner(person text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
    IF EXISTS (SELECT 1 FROM clinic_people WHERE role_name = person AND grp = 'owner' AND active)
       AND (SELECT count(*) FROM clinic_people WHERE grp = 'owner' AND active) = 1 THEN
        RAISE EXCEPTION 'The practice needs an owner who can sign in; add another owner first.'
            USING ERRCODE = 'check_violation';
    END IF;
END $f$;

CREATE OR REPLACE FUNCTION mc_person_add(username text, grp text, provider text, verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
    person text := '{prefix}' || username;
BEGIN
    PERFORM mc_people_guard();
    IF username !~ '^[a-z][a-z0-9_]{{0,23}}$' OR grp NOT IN ({groups}) THEN
        RAISE EXCEPTION 'A user name is 1 to 24 lower-case letters, digits or _; the group one of {group_words}.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password reaches the server only as a SCRAM-SHA-256 verifier.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = person) THEN
        RAISE EXCEPTION '% already has a sign-in for this practice.', username
            USING ERRCODE = 'duplicate_object';
    END IF;
    IF grp IN ('therapist', 'student') AND provider IS NULL THEN
        RAISE EXCEPTION 'A % charts as a provider: name the provider.', grp
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF provider IS NOT NULL AND NOT EXISTS (SELECT 1 FROM providers WHERE id = provider) THEN
        RAISE EXCEPTION 'There is no provider %.', provider USING ERRCODE = 'foreign_key_violation';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', person, verifier);
    EXECUTE format('GRANT %I TO %I', '{group_prefix}' || grp, person);
    INSERT INTO clinic_people (role_name, username, grp, provider_id, active, created_at)
    VALUES (person, username, grp, provider, true, now() AT TIME ZONE 'utc');
END $f$;

CREATE OR REPLACE FUNCTION mc_person_set_group(username text, grp text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
    person text := '{prefix}' || username;
    current_grp text;
    provider text;
BEGIN
    PERFORM mc_people_guard();
    IF grp NOT IN ({groups}) THEN
        RAISE EXCEPTION 'There is no group % (groups: {group_words}).', grp
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT p.grp, p.provider_id INTO current_grp, provider
    FROM clinic_people p WHERE p.role_name = person;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% has no sign-in for this practice.', username
            USING ERRCODE = 'undefined_object';
    END IF;
    IF grp IN ('therapist', 'student') AND provider IS NULL THEN
        RAISE EXCEPTION 'A % charts as a provider; % has none.', grp, username
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF grp <> 'owner' THEN
        PERFORM mc_people_keep_an_owner(person);
    END IF;
    EXECUTE format('REVOKE %I FROM %I', '{group_prefix}' || current_grp, person);
    EXECUTE format('GRANT %I TO %I', '{group_prefix}' || grp, person);
    UPDATE clinic_people SET grp = mc_person_set_group.grp WHERE role_name = person;
END $f$;

CREATE OR REPLACE FUNCTION mc_person_disable(username text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
    person text := '{prefix}' || username;
BEGIN
    PERFORM mc_people_guard();
    IF NOT EXISTS (SELECT 1 FROM clinic_people WHERE role_name = person) THEN
        RAISE EXCEPTION '% has no sign-in for this practice.', username
            USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM mc_people_keep_an_owner(person);
    UPDATE clinic_people SET active = false WHERE role_name = person;
    EXECUTE format('ALTER ROLE %I NOLOGIN', person);
END $f$;

CREATE OR REPLACE FUNCTION mc_person_password(username text, verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
    person text := '{prefix}' || username;
BEGIN
    PERFORM mc_people_guard();
    IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password reaches the server only as a SCRAM-SHA-256 verifier.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM clinic_people WHERE role_name = person) THEN
        RAISE EXCEPTION '% has no sign-in for this practice.', username
            USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', person, verifier);
END $f$;
"""

_PEOPLE_FUNCTION_NAMES = (
    "mc_people_guard()",
    "mc_people_keep_an_owner(text)",
    "mc_person_add(text, text, text, text)",
    "mc_person_set_group(text, text)",
    "mc_person_disable(text)",
    "mc_person_password(text, text)",
)


def _people_functions(connection: Connection, practice: str) -> None:
    """(Re)create the practice's people functions; only its owners may run them."""
    key = check_practice_key(practice)
    connection.exec_driver_sql(
        _PEOPLE_FUNCTIONS.format(
            owners=group_role(key, "owner"),
            prefix=f"mc_{key}_",
            group_prefix=f"mc_{key}__",
            groups=", ".join(f"'{g}'" for g in GROUPS),
            group_words=", ".join(GROUPS),
        ).replace("%", "%%")  # the driver reads a lone % as a parameter
    )
    owners = _quote(connection, group_role(key, "owner"))
    for name in _PEOPLE_FUNCTION_NAMES:
        connection.exec_driver_sql(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
        if name.startswith("mc_person_"):
            connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {name} TO {owners}")


@contextmanager
def _reading(target: str | Database) -> Iterator[Connection]:
    """A connection as the administrator (a URL) or as the person signed in (the database)."""
    if isinstance(target, Database):
        with target.engine.connect() as connection:
            yield connection
    else:
        with _admin(target) as connection:
            yield connection


@contextmanager
def _admin(admin_url: str) -> Iterator[Connection]:
    """One transaction as the administrator."""
    _require_postgres(admin_url)
    engine = create_engine(admin_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def add_person(
    target: str | Database,
    practice: str,
    username: str,
    group: str,
    password: str,
    *,
    provider_id: str | None = None,
) -> Person:
    """Give a person a login role in a group, with a password the server keeps as SCRAM.

    Args:
        target: the administrator's URL, or the database as an owner signed in to it.

    Raises:
        ClinicError: a bad name or group, an empty password, a name already taken, a therapist
            or student without a provider, or the server's refusal (not an owner).
    """
    role = person_role(practice, username)
    group_role(practice, group)
    _check_password(password)
    if group in ("therapist", "student") and provider_id is None:
        raise ClinicError(f"A {group} charts as a provider: name the provider (--provider ID).")
    with _people(target, f"added {username} as {group}") as connection:
        connection.execute(
            text("SELECT mc_person_add(:u, :g, :p, :v)"),
            {"u": username, "g": group, "p": provider_id,
             "v": _verifier(connection, role, password)},
        )  # fmt: skip
    return Person(username, role, group, provider_id, True)


def _check_password(password: str) -> None:
    if not password or "\x00" in password:
        raise ClinicError("Give the person a password (it cannot be empty).")


def _verifier(connection: Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here by libpq: the server stores it
    and never sees the password itself."""
    raw = connection.connection.driver_connection
    pgconn = raw.pgconn  # type: ignore[union-attr]
    verifier: bytes = pgconn.encrypt_password(
        password.encode("utf-8"), role.encode("utf-8"), b"scram-sha-256"
    )
    return verifier.decode("ascii")


@contextmanager
def _people(target: str | Database, done: str) -> Iterator[Connection]:
    """One transaction that changes the practice's people through its functions, as the
    administrator or as the owner signed in, and records what was done in the audit log."""
    actor = None
    if isinstance(target, Database):
        engine, owned, actor = target.engine, False, target.actor
    else:
        _require_postgres(target)
        engine, owned = create_engine(target), True
    try:
        with engine.begin() as connection:
            try:
                yield connection
            except DBAPIError as exc:
                raise ClinicError(_server_words(exc)) from exc
            session = Session(bind=connection)
            audit.record(session, audit.AuditAction.CHANGE, actor=actor, detail=f"people: {done}")
            session.flush()
    finally:
        if owned:
            engine.dispose()


def _server_words(exc: DBAPIError) -> str:
    """The server's own sentence for a refusal, without the driver's decoration."""
    diag = getattr(exc.orig, "diag", None)
    message = getattr(diag, "message_primary", None) or str(exc.orig).splitlines()[0]
    if "permission denied for function" in message:
        return "Only an owner of the practice manages its people."
    if "mc_person_" in message and "does not exist" in message:
        return (
            "This clinic's database was set up by an earlier version of Massage Chart: its "
            "administrator runs `massage-chart clinic init` again (safe to run again) before "
            "people are managed from the window."
        )
    return str(message)


def find_provider(admin_url: str, given: str) -> str:
    """The id of the provider ``given`` names: their id, or their name ("Sam Lee", any case)
    when exactly one provider has it.

    Raises:
        ClinicError: no provider, or several, answer to it (the message lists them).
    """
    with _admin(admin_url) as connection:
        rows = connection.execute(
            text("SELECT id, first_name, last_name FROM providers ORDER BY last_name, first_name")
        ).all()
    wanted = " ".join(given.split()).casefold()
    for ident, _first, _last in rows:
        if ident == given:
            return str(ident)
    named = [r for r in rows if f"{r[1]} {r[2]}".strip().casefold() == wanted]
    if len(named) == 1:
        return str(named[0][0])
    known = "; ".join(f"{first} {last} ({ident})" for ident, first, last in rows) or "none yet"
    if named:
        raise ClinicError(f"Several providers are called {given!r}; give the id: {known}.")
    raise ClinicError(
        f"No provider is {given!r}. Providers: {known}. Add providers in Edit › Settings › "
        "Providers first."
    )


def list_people(target: str | Database, practice: str) -> list[Person]:
    """Every person of the practice, by user name (as the administrator, or as anyone signed in
    to it: every group reads the list)."""
    prefix = f"mc_{check_practice_key(practice)}_"
    with _reading(target) as connection:
        rows = connection.execute(
            text(
                "SELECT username, role_name, grp, provider_id, active FROM clinic_people "
                "ORDER BY username"
            )
        )
        people = [Person(*row) for row in rows if row[1].startswith(prefix)]
    return people


def set_group(target: str | Database, practice: str, username: str, group: str) -> None:
    """Move a person to another group (their history keeps their name); the practice keeps at
    least one owner who can sign in."""
    person_role(practice, username)
    group_role(practice, group)
    with _people(target, f"moved {username} to {group}") as connection:
        connection.execute(text("SELECT mc_person_set_group(:u, :g)"), {"u": username, "g": group})


def disable_person(target: str | Database, practice: str, username: str) -> None:
    """Stop a person signing in; their records and audit history keep their name. The last
    owner who can sign in is not disabled."""
    person_role(practice, username)
    with _people(target, f"disabled {username}") as connection:
        connection.execute(text("SELECT mc_person_disable(:u)"), {"u": username})


def reset_password(target: str | Database, practice: str, username: str, password: str) -> None:
    """Give a person a new password (kept by the server as SCRAM-SHA-256)."""
    role = person_role(practice, username)
    _check_password(password)
    with _people(target, f"reset the password of {username}") as connection:
        connection.execute(
            text("SELECT mc_person_password(:u, :v)"),
            {"u": username, "v": _verifier(connection, role, password)},
        )


def drop_practice_roles(admin_url: str, practice: str) -> None:
    """Remove every role of a practice from the server (a test's clean-up, or a practice that
    leaves a shared server after its database was dropped)."""
    prefix = f"mc_{check_practice_key(practice)}_"
    with _admin(admin_url) as connection:
        roles = [
            row[0]
            for row in connection.execute(
                text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"), {"p": prefix}
            )
        ]
        for role in roles:
            connection.exec_driver_sql(f"DROP OWNED BY {_quote(connection, role)}")
        for role in sorted(roles, key=lambda r: "__" in r):  # people before their groups
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {_quote(connection, role)}")
