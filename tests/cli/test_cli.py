"""The command line, run as a user would: a subprocess with arguments and an exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from massage_chart import __version__
from massage_chart.storage.chart_file import FORMAT
from tests.helpers.tamper import disable_audit_protection
from tests.storage.test_chart_file import _without_provenance


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "massage_chart", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        check=False,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"massage-chart {__version__}"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("massage-chart")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout


def test_help_lists_only_commands_that_exist() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout
    assert "--db" in result.stdout


@pytest.mark.parametrize("command", ["frobnicate", "print-all"])
def test_unknown_commands_fail_clearly(command: str) -> None:
    result = run(command)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_demo_seeds_an_empty_database_once(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    first = run("demo", "--db", str(path), "--clients", "6")
    assert first.returncode == 0, first.stderr
    assert "6 clients" in first.stdout
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM clients").fetchone() == (6,)
        visits = connection.execute("SELECT count(*) FROM visits").fetchone()[0]
    finally:
        connection.close()
    assert 6 * 5 <= visits <= 6 * 15

    again = run("demo", "--db", str(path))
    assert again.returncode == 1
    assert "already holds clients" in again.stderr

    quiet = run("--db", str(path), "demo", "--if-empty")
    assert quiet.returncode == 0
    assert "demo not added" in quiet.stdout


def test_demo_honours_the_environment_variable(tmp_path: Path) -> None:
    path = tmp_path / "from-env.db"
    result = run("demo", "--clients", "2", env={"MASSAGE_CHART_DB": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_bad_database_arguments_get_a_message_not_a_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"not a database at all\n" * 100)
    damaged = run("demo", "--db", str(garbage))
    assert damaged.returncode == 1
    assert "damaged or is not a Massage Chart database" in damaged.stderr
    assert "Traceback" not in damaged.stderr
    assert garbage.read_bytes() == b"not a database at all\n" * 100

    bad_url = run("demo", "--db", "nonsense://x")
    assert bad_url.returncode == 1
    assert "Not a database address" in bad_url.stderr

    too_few = run("demo", "--db", str(tmp_path / "x.db"), "--clients", "0")
    assert too_few.returncode == 1
    assert "at least 1" in too_few.stderr


def test_demo_refuses_a_database_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert run("demo", "--db", str(path), "--clients", "1").returncode == 0
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()
    result = run("demo", "--db", str(path))
    assert result.returncode == 1
    assert "newer version of Massage Chart" in result.stderr


def _demo(path: Path, clients: int = 2) -> None:
    result = run("demo", "--db", str(path), "--clients", str(clients))
    assert result.returncode == 0, result.stderr


def test_backup_check_and_audit_verify(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _demo(path)
    backup = run("backup", "--db", str(path))
    assert backup.returncode == 0, backup.stderr
    assert "verified" in backup.stdout
    assert len(list((tmp_path / "backups").glob("p-*-manual.db"))) == 1

    named = run("backup", "--db", str(path), "-o", str(tmp_path / "copy.db"))
    assert named.returncode == 0
    assert (tmp_path / "copy.db").exists()

    check = run("check", "--db", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no problems found" in check.stdout

    verify = run("audit", "verify", "--db", str(path))
    assert verify.returncode == 0
    assert "verify" in verify.stdout

    connection = sqlite3.connect(path)
    disable_audit_protection(connection)
    connection.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
    connection.commit()
    connection.close()
    tampered = run("audit", "verify", "--db", str(path))
    assert tampered.returncode == 1
    assert "event 1: this event was altered" in tampered.stdout
    assert run("check", "--db", str(path)).returncode == 1


def test_a_damaged_database_points_to_the_newest_backup_and_restore_brings_it_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.db"
    _demo(path, clients=3)
    assert run("backup", "--db", str(path)).returncode == 0
    (backup,) = (tmp_path / "backups").glob("p-*.db")
    damaged = b"\x00" * 8192
    path.write_bytes(damaged)
    for companion in ("p.db-wal", "p.db-shm"):
        (tmp_path / companion).unlink(missing_ok=True)

    check = run("check", "--db", str(path))
    assert check.returncode == 1
    assert "damaged" in check.stderr
    assert str(backup) in check.stderr
    assert path.read_bytes() == damaged  # never overwritten by a check

    restored = run("restore", "--db", str(path), str(backup))
    assert restored.returncode == 0, restored.stderr
    kept = list(tmp_path.glob("p.db.replaced-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == damaged
    assert run("check", "--db", str(path)).returncode == 0
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM clients").fetchone() == (3,)
    finally:
        connection.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _demo(path)
    before = path.read_bytes()
    fake = tmp_path / "fake.db"
    fake.write_bytes(b"%PDF-1.7 invoice")
    result = run("restore", "--db", str(path), str(fake))
    assert result.returncode == 1
    assert "Nothing was restored" in result.stderr
    assert path.read_bytes() == before


def test_export_and_import_json_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    _demo(source, clients=3)
    chart = tmp_path / "chart.json"
    exported = run("export-json", "--db", str(source), "-o", str(chart))
    assert exported.returncode == 0, exported.stderr
    assert "3 clients" in exported.stdout

    target = tmp_path / "b.db"
    imported = run("import-json", "--db", str(target), str(chart))
    assert imported.returncode == 0, imported.stderr
    again = tmp_path / "again.json"
    assert run("export-json", "--db", str(target), "-o", str(again)).returncode == 0
    # The same, but that each signed note now says it was signed in the demo practice.
    assert _without_provenance(again.read_text(encoding="utf-8")) == chart.read_text(
        encoding="utf-8"
    )
    visits = [
        v for c in json.loads(again.read_text(encoding="utf-8"))["clients"] for v in c["visits"]
    ]
    assert all(v["imported"]["seal"] == "carried" for v in visits if v["signed_at"])

    refused = run("import-json", "--db", str(target), str(chart))
    assert refused.returncode == 1
    assert "already in this database" in refused.stderr
    assert "Nothing was imported" in refused.stderr


def test_export_json_of_one_client_and_of_an_unknown_one(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    _demo(source, clients=2)
    connection = sqlite3.connect(source)
    (client_id,) = connection.execute("SELECT id FROM clients LIMIT 1").fetchone()
    connection.close()
    one = tmp_path / "one.json"
    assert run("export-json", "--db", str(source), client_id, "-o", str(one)).returncode == 0
    assert '"clients": [' in one.read_text(encoding="utf-8")
    missing = run(
        "export-json", "--db", str(source), "no-such-client", "-o", str(tmp_path / "x.json")
    )
    assert missing.returncode == 1
    assert "No client with id no-such-client" in missing.stderr
    assert not (tmp_path / "x.json").exists()


def test_import_json_of_a_future_format_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    _demo(target, clients=1)
    before = target.read_bytes()
    future = tmp_path / "future.json"
    newer = int(FORMAT.rsplit("/", 1)[1]) + 1
    future.write_text(f'{{"format": "massage-chart/{newer}", "clients": []}}', encoding="utf-8")
    result = run("import-json", "--db", str(target), str(future))
    assert result.returncode == 1
    assert "newer version of Massage Chart" in result.stderr
    assert target.read_bytes() == before


@pytest.mark.parametrize("command", [["check"], ["backup"], ["audit", "verify"], ["encrypt"]])
def test_a_mistyped_db_path_is_refused_and_nothing_is_created(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "practce.db"

    result = run(*command, "--db", str(missing), env={"MASSAGE_CHART_PASSPHRASE": "x" * 12})

    assert result.returncode == 1
    assert "There is no database at" in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.parent.exists()


def test_files_the_command_line_creates_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    assert run("demo", "--clients", "1", "--db", str(path)).returncode == 0
    assert run("backup", "--db", str(path)).returncode == 0
    for created in [path, *(tmp_path / "backups").glob("*.db")]:
        assert created.stat().st_mode & 0o077 == 0, f"{created} is readable by others"


def test_audit_list_shows_who_did_what_filtered_by_client_and_action(tmp_path: Path) -> None:
    from massage_chart.storage import audit
    from massage_chart.storage.database import open_database
    from massage_chart.storage.repositories import add_client

    path = tmp_path / "audit.db"
    database = open_database(str(path))
    with database.write() as session:
        ana = add_client(session, first_name="Ana", last_name="Silva").id
        add_client(session, first_name="Zoë", last_name="Nguyễn")
        audit.record(session, audit.AuditAction.EXPORT, client_id=ana, detail="soap\tnote")
    database.dispose()

    everything = run("audit", "list", "--db", str(path))
    ours = run("audit", "list", "--db", str(path), "--client", ana, "--action", "export")
    bad = run("audit", "list", "--db", str(path), "--since", "yesterday")

    assert everything.returncode == 0
    rows = [line.split("\t") for line in everything.stdout.splitlines()[1:]]
    assert [r[3] for r in rows] == ["create", "create", "export"]
    assert [line.split("\t")[3:5] for line in ours.stdout.splitlines()[1:]] == [["export", ana]]
    assert ours.stdout.splitlines()[1].split("\t")[6] == "soap note"
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr


def test_a_printed_note_carries_a_checkpoint_the_log_is_later_held_to(tmp_path: Path) -> None:
    """Export a signed note, read the checkpoint off the page, and verify the log against it:
    it holds, then, after the newest events are deleted with a SQLite shell, it does not."""
    import re

    from tests.export.pdftext import all_text

    path = tmp_path / "p.db"
    _demo(path, clients=2)
    connection = sqlite3.connect(path)
    (visit_id,) = connection.execute(
        "SELECT id FROM visits WHERE status = 'signed' ORDER BY start LIMIT 1"
    ).fetchone()
    connection.close()
    pdf = tmp_path / "note.pdf"
    exported = run("export", "soap", visit_id, "-o", str(pdf), "--db", str(path))
    assert exported.returncode == 0, exported.stderr
    text = " ".join(all_text(pdf.read_bytes()).split())
    found = re.search(r"Audit checkpoint (\d+:[0-9a-f]{12})", text)
    assert found is not None, text[-600:]
    checkpoint = found.group(1)
    held = run("audit", "verify", "--db", str(path), "--checkpoint", checkpoint)
    assert held.returncode == 0, held.stdout + held.stderr
    assert "it holds the 1 printed checkpoint(s)" in held.stdout
    seq = int(checkpoint.split(":")[0])
    connection = sqlite3.connect(path)
    disable_audit_protection(connection)
    connection.execute("DELETE FROM audit_events WHERE seq >= ?", (seq,))
    connection.commit()
    connection.close()
    broken = run("audit", "verify", "--db", str(path), "--checkpoint", checkpoint)
    assert broken.returncode == 1
    assert "events were deleted after the page was printed" in broken.stdout
    wrong = run("audit", "verify", "--db", str(path), "--checkpoint", "page-7")
    assert wrong.returncode != 0 and "not an audit checkpoint as printed" in wrong.stderr


def test_demo_scale_builds_a_practice_with_its_rate_and_refuses_a_full_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scale.db"
    built = run("demo", "--db", str(path), "--scale", "1")
    assert built.returncode == 0, built.stderr
    assert "30 clients with ten years of history" in built.stderr
    assert "30/30 clients" in built.stderr and "clients/s" in built.stderr
    assert "30 clients" in built.stdout
    again = run("demo", "--db", str(path), "--scale", "1")
    assert again.returncode == 1 and "already holds clients" in again.stderr
    assert "ten years of history" not in again.stderr  # nothing said to be built
    wrong = run("demo", "--db", str(tmp_path / "other.db"), "--scale", "clinic/0")
    assert wrong.returncode == 1 and "clinic/K" in wrong.stderr
    both = run("demo", "--db", str(tmp_path / "other.db"), "--scale", "1", "--clients", "3")
    assert both.returncode == 2 and "not allowed with" in both.stderr
