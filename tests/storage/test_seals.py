"""Keyed seals: a signed record whose hash was redone, whose seal was removed, or which was forged
outright is caught by `check`, the window's data and every PDF; the key is never in the
database; a database moved without its key says its seals cannot be checked there."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from massage_chart.export.snapshot import load_visit_snapshot
from massage_chart.storage import seal_keys, seals
from massage_chart.storage.client_records import addendum_hash
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Addendum, Seal, Visit
from massage_chart.storage.overviews import load_note, load_visit_note
from massage_chart.storage.safekeeping import check_database
from massage_chart.storage.seal_keys import SealKeyStore
from massage_chart.storage.signing import visit_content_hash
from tests.export.conftest import VisitSpec, make_visit
from tests.helpers.schema import back_to_0016, charting_as_0016
from tests.helpers.statements import counted
from tests.storage.test_clinic import Clinic, _close, _sign, clinic_db  # noqa: F401  (the fixture)

SQLITE_SEAL_TRIGGERS = ("trg_seals_update", "trg_seals_delete", "trg_seals_replace")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "massage_chart", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _redo_hash(db: Database, visit_id: str, assessment: str) -> None:
    """What someone with the file and the app's (public) hashing code does: change a signed
    note with its guard dropped, and hash it again so that the hash matches."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER trg_visits_signed_update")
        connection.execute(
            text("UPDATE visits SET assessment = :a WHERE id = :id"),
            {"a": assessment, "id": visit_id},
        )
    with db.read() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        digest = visit_content_hash(visit)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE visits SET content_hash = :h WHERE id = :id"),
            {"h": digest, "id": visit_id},
        )


def _problems(db: Database) -> list[str]:
    return check_database(db).problems


# ------------------------------------------------------------------------------------ SQLite


def test_signing_seals_with_a_key_kept_outside_the_database(db: Database) -> None:
    made = make_visit(db)
    with db.read() as session:
        rows = session.query(Seal).filter(Seal.record_kind == seals.VISIT).all()
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        state = seals.seal_state(session, seals.VISIT, visit.id, visit.content_hash)
    assert [row.record_id for row in rows] == [made.visit_id]
    key = seal_keys.local_store().current()
    assert rows[0].key_id == key.key_id
    expected = hmac.new(
        key.secret, f"visit:{made.visit_id}:{rows[0].content_hash}".encode(), hashlib.sha256
    ).hexdigest()
    assert rows[0].mac == expected
    assert state is seals.SealState.GOOD
    assert _problems(db) == []
    # The key itself is nowhere in the file; its home is readable by the user alone.
    assert key.secret not in db.file.read_bytes() if db.file else False
    key_file = seal_keys.default_key_file()
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0


def test_a_note_changed_and_hashed_again_is_caught_everywhere(db: Database) -> None:
    made = make_visit(db)
    _redo_hash(db, made.visit_id, "Forged: client fully recovered.")

    problems = _problems(db)
    assert any(made.visit_id in p and "its seal does not hold" in p for p in problems), problems
    assert not any("no longer matches its signature" in p for p in problems)  # the hash matches
    with db.read() as session:
        snapshot = load_visit_snapshot(session, made.visit_id)
        note = load_visit_note(session, made.visit_id)
    assert snapshot.integrity_failed and snapshot.integrity_ok is False
    assert "redone" in snapshot.integrity_problems[0]
    assert note.integrity_problems == snapshot.integrity_problems
    editor_data = load_note(db, made.visit_id, dt.date(2026, 12, 1))
    assert editor_data.integrity_problems == snapshot.integrity_problems


def test_a_removed_seal_is_caught_and_never_quietly_made_again(db_path: Path, db: Database) -> None:
    made = make_visit(db)
    with db.engine.begin() as connection:
        for trigger in SQLITE_SEAL_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        connection.exec_driver_sql("DELETE FROM seals WHERE record_kind = 'visit'")
    db.dispose()
    reopened = open_database(str(db_path))  # the first sealing ran when the file was made
    try:
        problems = _problems(reopened)
        assert any(made.visit_id in p and "seal does not hold" in p for p in problems)
        assert any("protection(s)" in p and "trg_seals_delete" in p for p in problems)
    finally:
        reopened.dispose()


def test_a_forged_addendum_and_a_removed_addendum_hash_are_caught(db: Database) -> None:
    made = make_visit(db, VisitSpec(addenda=(("Late entry", "Client phoned: better."),)))
    with db.read() as session:
        addendum = session.query(Addendum).one()
    assert _problems(db) == []
    forged = "Client phoned: no pain at all, discharge."
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER trg_addenda_update")
        connection.execute(
            text("UPDATE addenda SET text = :t, content_hash = :h WHERE id = :id"),
            {
                "t": forged,
                "h": addendum_hash(
                    made.visit_id, addendum.author_id, addendum.created_at, addendum.reason, forged
                ),
                "id": addendum.id,
            },
        )
    problems = _problems(db)
    assert any("addendum" in p and addendum.id in p and "seal" in p for p in problems), problems
    with db.read() as session:
        snapshot = load_visit_snapshot(session, made.visit_id)
    assert snapshot.integrity_ok  # the note itself holds
    assert snapshot.integrity_failed  # its addendum does not
    assert [a.intact for a in snapshot.addenda] == [False]

    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE addenda SET content_hash = NULL WHERE id = :id"), {"id": addendum.id}
        )
    assert any("has no seal" in p for p in _problems(db))


def test_a_forged_note_written_into_the_file_is_caught(db: Database) -> None:
    """A note inserted whole by someone with the file (signed, with a matching hash) has no
    seal: the key is not in the file."""
    made = make_visit(db, VisitSpec(signed=False))
    with db.write() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        digest_before = visit.content_hash
    assert digest_before is None
    with db.read() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        visit.signed_by_id = made.provider_id
        visit.signed_at = dt.datetime(2024, 3, 1, 9, 0)
        digest = visit_content_hash(visit)
        session.rollback()
    with db.engine.begin() as connection:  # raw SQL: no app, no key
        connection.execute(
            text(
                "UPDATE visits SET status = 'signed', signed_by_id = :p, signed_at = :t, "
                "content_hash = :h WHERE id = :id"
            ),
            {"p": made.provider_id, "t": dt.datetime(2024, 3, 1, 9, 0), "h": digest,
             "id": made.visit_id},
        )  # fmt: skip
    problems = _problems(db)
    assert any(made.visit_id in p and "seal does not hold" in p for p in problems), problems


def test_records_signed_before_seals_are_sealed_once_at_the_upgrade(db_path: Path) -> None:
    """A database of schema 0016 (no seals table): its good notes are sealed when this version
    first opens it; one changed before the upgrade is not, and is still reported."""
    database = open_database(str(db_path))
    with charting_as_0016():
        good = make_visit(database)
        changed = make_visit(database, VisitSpec(first_name="Ines"))
    with database.engine.begin() as connection:  # back to how 0016 left the file
        back_to_0016(connection)
        connection.exec_driver_sql("DROP TRIGGER trg_visits_signed_update")
        connection.execute(
            text("UPDATE visits SET plan = 'changed' WHERE id = :id"), {"id": changed.visit_id}
        )
    database.dispose()
    upgraded = open_database(str(db_path))
    try:
        with upgraded.read() as session:
            sealed = {row.record_id for row in session.query(Seal)}
        assert good.visit_id in sealed
        assert changed.visit_id not in sealed
        problems = _problems(upgraded)
        assert any(changed.visit_id in p and "no longer matches" in p for p in problems)
        assert not any(good.visit_id in p for p in problems)
        with upgraded.read() as session:
            events = (
                session.execute(
                    text("SELECT detail FROM audit_events WHERE detail LIKE '%keyed seals%'")
                )
                .scalars()
                .all()
            )
        assert events == ["1 records signed before keyed seals were sealed (each one's content "
                          "matched its hash)"]  # fmt: skip
    finally:
        upgraded.dispose()


def test_the_first_sealing_can_wait_for_its_caller_and_says_how_far_it_is(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened with ``seal=False`` (the window's road), nothing is sealed until the caller seals,
    and the sealing counts the signed notes it has looked at, batch by batch, to the last."""
    from massage_chart.storage import signing
    from massage_chart.storage.database import needs_first_sealing, seal_signed_before

    monkeypatch.setattr(signing, "SIGNED_BATCH", 2)
    database = open_database(str(db_path))
    with charting_as_0016():
        made = [make_visit(database, VisitSpec(first_name=name)) for name in ("Ana", "Bo", "Cy")]
    with database.engine.begin() as connection:
        back_to_0016(connection)
    database.dispose()
    upgraded = open_database(str(db_path), seal=False)
    try:
        assert needs_first_sealing(upgraded)
        with upgraded.read() as session:
            assert session.query(Seal).count() == 0
        heard: list[tuple[int, int]] = []

        assert seal_signed_before(upgraded, lambda done, total: heard.append((done, total))) == 3

        assert heard == [(2, 3), (3, 3)]
        assert not needs_first_sealing(upgraded)
        with upgraded.read() as session:
            sealed = {row.record_id for row in session.query(Seal)}
        assert {m.visit_id for m in made} <= sealed
        assert _problems(upgraded) == []
        assert seal_signed_before(upgraded) == 0  # once only
    finally:
        upgraded.dispose()


def test_a_progress_report_signed_before_seals_is_sealed_at_the_upgrade(db_path: Path) -> None:
    """The report's notes are sealed in the same first sealing: the report is judged by its own
    hashes then, not by seals its notes do not have yet."""
    from massage_chart.storage.models import ProgressReport
    from massage_chart.storage.progress_reports import sign_progress_report

    database = open_database(str(db_path))
    with charting_as_0016():
        made = make_visit(database)
    with database.write() as session:
        sign_progress_report(
            session, made.client_id, dt.date(2026, 11, 1), dt.date(2026, 11, 30), None,
            dt.datetime(2026, 12, 1, 9, 0),
        )  # fmt: skip
    with database.engine.begin() as connection:
        back_to_0016(connection)
    database.dispose()
    upgraded = open_database(str(db_path))
    try:
        with upgraded.read() as session:
            (report,) = session.query(ProgressReport).all()
            sealed = {(row.record_kind, row.record_id) for row in session.query(Seal)}
        assert (seals.PROGRESS_REPORT, report.id) in sealed
        assert _problems(upgraded) == []
    finally:
        upgraded.dispose()


def test_on_another_computer_the_seals_cannot_be_checked_until_its_key_comes(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = make_visit(db)
    exported = tmp_path / "carry" / "keys.json"
    exported.parent.mkdir()
    result = _cli("seal-key", "export", str(exported))
    assert result.returncode == 0, result.stderr
    assert exported.stat().st_mode & 0o077 == 0

    other = tmp_path / "other-computer"  # a new settings folder: no key yet
    monkeypatch.setenv("XDG_CONFIG_HOME", str(other))
    monkeypatch.setattr(seal_keys, "default_key_file", lambda: other / "mc" / "seal-keys.json")
    report = check_database(db)
    assert report.ok  # not a fault: said as what could not be checked here
    assert any("cannot be checked here" in n and "seal-key import" in n for n in report.notes)
    with db.read() as session:
        snapshot = load_visit_snapshot(session, made.visit_id)
    assert snapshot.integrity_ok and not snapshot.integrity_failed
    assert "cannot be checked on this computer" in snapshot.seal_note

    store = seal_keys.local_store()
    assert [k.key_id for k in store.import_keys(exported.read_text(), "keys.json")]
    assert check_database(db).notes == []


def test_seal_key_import_refuses_what_is_not_a_key_file(tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text(json.dumps({"format": "something else"}))
    result = _cli("seal-key", "import", str(bad))
    assert result.returncode == 1
    assert "is not a Massage Chart seal key file" in result.stderr
    assert "Traceback" not in result.stderr


class _MemoryKeyring:
    """A keyring of the operating system, as the keyring library sees one (a true boundary)."""

    priority = 5

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.kept.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.kept[(service, user)] = password


def test_where_there_is_a_keyring_the_key_lives_there_not_in_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = _MemoryKeyring()
    monkeypatch.setattr(seal_keys, "_usable_keyring", lambda: ring)
    store = SealKeyStore(tmp_path / "seal-keys.json")
    key = store.current()
    assert not (tmp_path / "seal-keys.json").exists()
    assert key.key_id in ring.kept[(seal_keys.KEYRING_SERVICE, seal_keys.KEYRING_ENTRY)]
    assert SealKeyStore(tmp_path / "seal-keys.json").current() == key  # read back, not remade
    assert "keyring" in store.where()


def test_two_programs_making_the_first_key_at_once_end_with_one(tmp_path: Path) -> None:
    first, second = SealKeyStore(tmp_path / "k.json"), SealKeyStore(tmp_path / "k.json")
    key = first.current()
    assert second.current() == key


# ------------------------------------------------------------------------------------ both


def test_many_records_seals_are_judged_in_one_query(any_db: Database) -> None:
    """A progress report, and ``check`` for every report, judge the seals of all the notes it
    covers: in one query (one call to the server), each as it stands."""
    db = any_db
    first, second = make_visit(db), make_visit(db, VisitSpec(first_name="Ines"))
    with db.read() as session:
        hashes = {
            visit.id: visit.content_hash
            for visit in session.query(Visit).filter(
                Visit.id.in_([first.visit_id, second.visit_id])
            )
        }
    records: list[tuple[str, str, str | None]] = [
        (seals.VISIT, first.visit_id, hashes[first.visit_id]),
        (seals.VISIT, second.visit_id, "0" * 64),  # a hash it was never sealed with
        (seals.VISIT, second.visit_id, hashes[second.visit_id]),
        (seals.VISIT, "no-such-visit", hashes[first.visit_id]),
        (seals.ADDENDUM, first.visit_id, hashes[first.visit_id]),  # a visit's seal, not its
        (seals.VISIT, first.visit_id, None),
    ]
    with db.read() as session, counted(db) as statements:
        together = seals.seal_states(session, records)
    good, broken = seals.SealState.GOOD, seals.SealState.BROKEN
    assert together == [good, broken, good, broken, broken, broken]
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) <= 2  # one a kind of record on one computer; one on a server


# -------------------------------------------------------------------------------- PostgreSQL


def test_the_server_seals_with_a_key_it_alone_holds(pg_db: Database) -> None:
    made = make_visit(pg_db)
    with pg_db.engine.begin() as connection:
        row = connection.execute(
            text("SELECT content_hash, key_id, mac FROM seals WHERE record_id = :id"),
            {"id": made.visit_id},
        ).one()
        inner = bytes(connection.exec_driver_sql("SELECT inner_pad FROM mc_seal_key").scalar_one())
    secret = bytes(b ^ 0x36 for b in inner)  # the key, padded to the block, as HMAC pads it
    expected = hmac.new(
        secret, f"visit:{made.visit_id}:{row.content_hash}".encode(), hashlib.sha256
    ).hexdigest()
    assert row.mac == expected  # RFC 2104 HMAC-SHA-256, made by the server's own SQL
    assert _problems(pg_db) == []


def test_on_the_server_a_redone_hash_is_caught_and_replica_mode_bypasses_nothing(
    pg_db: Database,
) -> None:
    made = make_visit(pg_db)
    with pg_db.engine.connect() as connection:
        connection.exec_driver_sql("SET session_replication_role = replica")
        with pytest.raises(DBAPIError, match="signed"):
            connection.execute(
                text("UPDATE visits SET assessment = 'forged' WHERE id = :id"),
                {"id": made.visit_id},
            )
        connection.rollback()
    with pg_db.engine.begin() as connection:  # the administrator switches the guard off
        connection.exec_driver_sql("ALTER TABLE visits DISABLE TRIGGER trg_visits_signed")
        connection.execute(
            text("UPDATE visits SET assessment = 'forged' WHERE id = :id"), {"id": made.visit_id}
        )
    with pg_db.read() as session:
        visit = session.get(Visit, made.visit_id)
        assert visit is not None
        digest = visit_content_hash(visit)
    with pg_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE visits SET content_hash = :h WHERE id = :id"),
            {"h": digest, "id": made.visit_id},
        )
    problems = _problems(pg_db)
    assert any(made.visit_id in p and "seal does not hold" in p for p in problems), problems
    assert any("trg_visits_signed" in p for p in problems)
    with pg_db.read() as session:
        assert load_visit_snapshot(session, made.visit_id).integrity_failed


def test_check_names_a_server_set_to_skip_triggers(pg_db: Database) -> None:
    with pg_db.engine.begin() as connection:
        name = connection.exec_driver_sql("SELECT current_database()").scalar_one()
        connection.exec_driver_sql(
            f'ALTER DATABASE "{name}" SET session_replication_role = replica'
        )
    try:
        assert any("session_replication_role" in p for p in _problems(pg_db))
    finally:
        with pg_db.engine.begin() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" RESET session_replication_role')


def test_in_a_clinic_nobody_signed_in_reads_the_key_or_makes_a_seal(
    clinic_db: Clinic,  # noqa: F811
) -> None:
    """Even the clinic's owners: the key is the server administrator's alone."""
    c = clinic_db
    sam = c.as_person("sam")
    try:
        _sign(c.sam_visit, c.sam_provider)(sam)  # signing as oneself: the server seals it
        sam.commit()
        assert (
            sam.scalar(text("SELECT count(*) FROM seals WHERE record_id = :v"), {"v": c.sam_visit})
            == 1
        )
        assert sam.scalar(
            text("SELECT mc_seal_valid('visit', :v, :h)"), {"v": c.sam_visit, "h": "0" * 64}
        )
    finally:
        _close(sam)
    for person in ("sam", "olive"):
        session = c.as_person(person)
        try:
            for attempt in (
                "SELECT * FROM mc_seal_key",
                "SELECT mc_seal_mac('visit', 'x', 'y')",
                "INSERT INTO seals (record_kind, record_id, content_hash, key_id, mac, sealed_at) "
                "VALUES ('visit', 'x', 'y', 'k', 'm', now())",
            ):
                with pytest.raises(DBAPIError) as caught:
                    session.execute(text(attempt))
                session.rollback()
                assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege)
        finally:
            _close(session)
