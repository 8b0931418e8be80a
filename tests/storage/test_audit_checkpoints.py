"""Checkpoints of the audit log's head beside the backups: `check` catches the newest events
deleted and a log rewritten and re-hashed, which the hash chain alone cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from massage_chart.storage import audit
from massage_chart.storage.audit_checkpoints import checkpoint_file, read_checkpoints
from massage_chart.storage.client_records import add_addendum
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import add_client
from massage_chart.storage.safekeeping import backup_now, check_database, restore_from_backup


def _work(db: Database, name: str) -> None:
    with db.write() as session:
        add_client(session, first_name=name, last_name="Client")


def _sqlite_shell(db: Database, *statements: str) -> None:
    """What someone with the file and a SQLite shell can do: drop the guard, change rows."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS trg_audit_events_delete")
        for statement in statements:
            connection.execute(text(statement))


def test_each_backup_leaves_a_checkpoint_and_a_whole_log_passes(db: Database) -> None:
    assert db.file is not None and db.backup_dir is not None
    _work(db, "Ada")
    backup_now(db)
    _work(db, "Bea")
    backup_now(db)
    checkpoints, unreadable = read_checkpoints(db.file, db.backup_dir)
    assert len(checkpoints) == 2 and unreadable == 0
    assert checkpoints[0].seq < checkpoints[1].seq
    assert checkpoint_file(db.file, db.backup_dir).stat().st_mode & 0o077 == 0
    report = check_database(db)
    assert [p for p in report.problems if "audit" in p] == []
    assert "audit log against 2 checkpoints of its head" in report.checked


def test_deleting_the_newest_audit_events_is_caught(db: Database) -> None:
    _work(db, "Ada")
    backup_now(db)
    with db.read() as session:
        assert audit.verify_chain(session) == []
    _sqlite_shell(db, "DELETE FROM audit_events WHERE seq > 1")
    with db.read() as session:
        assert audit.verify_chain(session) == []  # the chain alone cannot tell
    problems = check_database(db).problems
    assert any("its newest events were deleted" in p for p in problems), problems


def test_a_rewritten_and_rehashed_log_is_caught(db: Database) -> None:
    _work(db, "Ada")
    backup_now(db)
    # Delete the tail, then write new events that chain perfectly from what is left.
    _sqlite_shell(db, "DELETE FROM audit_events WHERE seq > 1")
    for _ in range(4):
        with db.write() as session:
            audit.record(session, audit.AuditAction.VIEW, detail="forged history")
    with db.read() as session:
        assert audit.verify_chain(session) == []
    problems = check_database(db).problems
    assert any("the log was rewritten from there on" in p for p in problems), problems


def test_a_restore_is_no_false_alarm_and_keeps_the_old_checkpoints(db: Database) -> None:
    assert db.file is not None and db.backup_dir is not None
    _work(db, "Ada")
    first = backup_now(db)
    _work(db, "Bea")
    backup_now(db)
    db.dispose()
    restored, _aside = restore_from_backup(db.file, first)
    try:
        report = check_database(restored)
        assert [p for p in report.problems if "audit" in p] == []
        assert list(db.backup_dir.glob("*.audit-checkpoints.jsonl.before-restore-*"))
    finally:
        restored.dispose()


def test_a_changed_checkpoint_file_is_reported(db: Database) -> None:
    assert db.file is not None and db.backup_dir is not None
    _work(db, "Ada")
    backup_now(db)
    with checkpoint_file(db.file, db.backup_dir).open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    problems = check_database(db).problems
    assert any("audit checkpoints beside the backups cannot be read" in p for p in problems)


def test_an_addendum_whose_seal_was_removed_is_caught(db: Database) -> None:
    from tests.storage.test_repositories import _signed_visit

    visit_id = _signed_visit(db)
    with db.write() as session:
        add_addendum(session, visit_id, author_id=None, reason="Late entry", text="Called: 2/10.")
    assert check_database(db).ok
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER trg_addenda_update")
        connection.exec_driver_sql("UPDATE addenda SET content_hash = NULL, text = 'forged'")
    problems = check_database(db).problems
    assert any("has no seal" in p for p in problems), problems


@pytest.mark.postgres
def test_a_switched_off_guard_on_the_server_is_caught(pg_db: Database) -> None:
    assert check_database(pg_db).ok
    with pg_db.engine.begin() as connection:
        connection.exec_driver_sql(
            "ALTER TABLE audit_events DISABLE TRIGGER trg_audit_events_clinic_actor"
        )
    problems = check_database(pg_db).problems
    assert any("trg_audit_events_clinic_actor" in p for p in problems), problems


def test_a_checkpoint_printed_on_a_page_holds_the_log_to_it(db: Database) -> None:
    """Paper outlives the file: the head printed on a page catches the newest events deleted,
    or the log rewritten and re-hashed, after the page was printed, with no backup taken."""
    from massage_chart.storage.audit_checkpoints import (
        printed_checkpoint,
        printed_checkpoint_problem,
    )

    _work(db, "Ada")
    _work(db, "Bea")
    with db.read() as session:
        page = printed_checkpoint(session)
        assert page is not None and page.startswith("2:") and len(page) == 2 + 12
        assert printed_checkpoint_problem(session, page) == ""
        assert printed_checkpoint_problem(session, page.upper().replace(":", ":")) == ""
        with pytest.raises(ValueError, match="not an audit checkpoint as printed"):
            printed_checkpoint_problem(session, "two:abc")
    _work(db, "Cy")  # the log goes on after the page: still holds it
    with db.read() as session:
        assert printed_checkpoint_problem(session, page) == ""
    _sqlite_shell(db, "DELETE FROM audit_events WHERE seq > 1")
    with db.read() as session:
        assert "events were deleted after the page was printed" in printed_checkpoint_problem(
            session, page
        )
    for _ in range(3):  # re-written to chain perfectly from what is left
        with db.write() as session:
            audit.record(session, audit.AuditAction.VIEW, detail="forged history")
    with db.read() as session:
        assert audit.verify_chain(session) == []
        assert "the log was rewritten from there on" in printed_checkpoint_problem(session, page)
