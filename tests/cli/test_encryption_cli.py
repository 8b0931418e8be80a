"""The command line on an encrypted database: the passphrase from the environment, a file, or
nowhere (a clear error); encrypt, change-passphrase, backup, check and restore."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from massage_chart.cli import ENV_NEW_PASSPHRASE, ENV_PASSPHRASE, main
from massage_chart.storage import audit, encryption, safekeeping
from massage_chart.storage.backup import list_backups
from massage_chart.storage.database import WrongPassphraseError, open_database
from massage_chart.storage.encryption import FileKind
from massage_chart.storage.repositories import add_client, search_clients

PASSPHRASE = "clinic \"door\" code; 'é' 4471"


@pytest.fixture
def plain_db(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.db"
    database = open_database(str(path))
    with database.write() as session:
        add_client(session, first_name="Ada", last_name="Ibuprofen-Lovelace")
    database.dispose()
    return path


@pytest.fixture
def encrypted_db(
    plain_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    assert main(["--db", str(plain_db), "backup"]) == 0
    assert main(["encrypt", "--db", str(plain_db)]) == 0
    monkeypatch.delenv(ENV_PASSPHRASE)
    return plain_db


def _names(path: Path, passphrase: str) -> list[str]:
    database = open_database(str(path), passphrase=passphrase)
    with database.read() as session:
        names = [c.list_name for c in search_clients(session)]
    database.dispose()
    return names


def test_encrypt_with_the_environment_variable(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = capsys.readouterr().out
    assert "Encrypted" in out and "1 backup(s) converted" in out
    assert encryption.file_kind(encrypted_db) is FileKind.ENCRYPTED_OR_DAMAGED
    assert b"Ibuprofen" not in encrypted_db.read_bytes()
    [backup] = list_backups(encrypted_db.parent / "backups", encrypted_db)
    assert b"Ibuprofen" not in backup.path.read_bytes()
    assert _names(encrypted_db, PASSPHRASE) == ["Ibuprofen-Lovelace, Ada"]


def test_commands_open_an_encrypted_database_with_a_passphrase_file(
    encrypted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    capsys.readouterr()
    db = ["--db", str(encrypted_db), "--passphrase-file", str(secret)]
    assert main(["check", *db]) == 0
    assert "cipher_integrity_check" in capsys.readouterr().out
    assert main(["audit", "verify", *db]) == 0
    assert "verify" in capsys.readouterr().out
    assert main(["backup", *db]) == 0
    written = Path(capsys.readouterr().out.split(": ", 1)[1].strip())
    assert encryption.file_kind(written) is FileKind.ENCRYPTED_OR_DAMAGED


def test_without_a_passphrase_the_error_says_how_to_give_one(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["check", "--db", str(encrypted_db)]) == 1
    err = capsys.readouterr().err
    assert "encrypted" in err and "--passphrase-file" in err and ENV_PASSPHRASE in err
    assert "Traceback" not in err


def test_a_wrong_passphrase_is_refused_in_plain_words(
    encrypted_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_PASSPHRASE, "not the passphrase")
    capsys.readouterr()
    before = encrypted_db.read_bytes()
    assert main(["check", "--db", str(encrypted_db)]) == 1
    err = capsys.readouterr().err
    assert "Incorrect passphrase or damaged file" in err
    assert "passphrase is probably wrong" in err  # the encrypted backup does not open either
    assert "delete" not in err.lower()
    assert encrypted_db.read_bytes() == before


def test_change_passphrase_then_restore_an_encrypted_backup(
    encrypted_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    new = "a brand new passphrase"
    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    monkeypatch.setenv(ENV_NEW_PASSPHRASE, new)
    assert main(["change-passphrase", "--db", str(encrypted_db)]) == 0
    assert "Changed the passphrase" in capsys.readouterr().out
    with pytest.raises(WrongPassphraseError):
        open_database(str(encrypted_db), passphrase=PASSPHRASE)
    [backup] = list_backups(encrypted_db.parent / "backups", encrypted_db)
    monkeypatch.setenv(ENV_PASSPHRASE, new)
    assert main(["restore", "--db", str(encrypted_db), str(backup.path)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert encryption.file_kind(encrypted_db) is FileKind.ENCRYPTED_OR_DAMAGED
    database = open_database(str(encrypted_db), passphrase=new)
    with database.read() as session:
        actions = [e.action for e in session.scalars(select(audit.AuditEvent))]
        assert audit.verify_chain(session) == []
    database.dispose()
    assert actions[-1] == "restore"


def test_encrypt_refuses_an_encrypted_database_and_a_short_passphrase(
    plain_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_PASSPHRASE, "short")
    assert main(["encrypt", "--db", str(plain_db)]) == 1
    assert "at least 8" in capsys.readouterr().err
    assert plain_db.read_bytes().startswith(b"SQLite format 3")


def test_as_a_user_runs_it_demo_encrypt_and_a_batch_export(tmp_path: Path) -> None:
    """Subprocesses, as from a terminal script: the batch's worker processes get the key too."""
    path = tmp_path / "demo.db"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", ENV_PASSPHRASE: PASSPHRASE}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "massage_chart", "--db", str(path), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )

    assert run("demo", "--clients", "2").returncode == 0
    result = run("encrypt")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "notes"
    out.mkdir()
    result = run(
        "export", "batch", "--from", "2000-01-01", "--to", "2100-01-01", "-o", str(out),
        "--workers", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(out.glob("*.pdf"))
    assert "ERROR CORE" not in result.stderr


def test_encrypt_seals_backups_in_the_chosen_folder_and_the_drafts_left_in_clear(
    tmp_path: Path,
) -> None:
    import json
    import os
    import subprocess
    import sys

    from massage_chart.storage.database import open_database
    from massage_chart.storage.drafts import Draft, DraftStore, draft_key, drafts_folder_for
    from massage_chart.storage.repositories import add_client

    path = tmp_path / "clinic.db"
    database = open_database(str(path))
    with database.write() as session:
        add_client(session, first_name="Amara", last_name="Diallo")
    database.dispose()
    elsewhere = tmp_path / "usb" / "backups"
    elsewhere.mkdir(parents=True)
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"backup_folder": str(elsewhere)}))
    env = {
        **os.environ,
        "MASSAGE_CHART_CONFIG": str(config),
        "MASSAGE_CHART_PASSPHRASE": "lavender fields 7",
        "QT_QPA_PLATFORM": "offscreen",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "massage_chart", *args, "--db", str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    assert cli("backup").returncode == 0
    backups = list(elsewhere.glob("clinic-*.db"))
    assert len(backups) == 1, "the command line takes its backups where Settings say"
    folder = drafts_folder_for(str(path))
    DraftStore(folder).save(Draft(draft_key("note", "v-1"), "Amara Diallo", {"plan": "ice"}))

    result = cli("encrypt")

    assert result.returncode == 0, result.stderr
    assert not backups[0].read_bytes().startswith(b"SQLite format 3")
    raw = b"".join(p.read_bytes() for p in folder.glob("*.draft"))
    assert b"Amara" not in raw and b"ice" not in raw
    kept = DraftStore(folder, passphrase="lavender fields 7").all()
    assert [d.fields for d in kept] == [{"plan": "ice"}]


def test_an_encryption_cut_short_before_the_backups_is_reported_and_finished(
    plain_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:

    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    assert main(["--db", str(plain_db), "backup"]) == 0

    def killed(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # the process stops after the database, before its backups

    with monkeypatch.context() as patch:
        patch.setattr(safekeeping, "_convert_backups", killed)
        assert main(["encrypt", "--db", str(plain_db)]) == 130
    [backup] = list_backups(plain_db.parent / "backups", plain_db)
    assert encryption.file_kind(plain_db) is FileKind.ENCRYPTED_OR_DAMAGED
    assert encryption.file_kind(backup.path) is FileKind.PLAIN  # the records in clear
    capsys.readouterr()

    assert main(["check", "--db", str(plain_db)]) == 1
    assert "is not encrypted (an encryption was interrupted" in capsys.readouterr().out

    assert main(["encrypt", "--db", str(plain_db)]) == 0  # again: finishes the job
    assert "encrypted now" in capsys.readouterr().out
    [backup] = list_backups(plain_db.parent / "backups", plain_db)
    assert encryption.file_kind(backup.path) is FileKind.ENCRYPTED_OR_DAMAGED
    assert b"Ibuprofen" not in backup.path.read_bytes()
    assert main(["check", "--db", str(plain_db)]) == 0
    assert main(["encrypt", "--db", str(plain_db)]) == 1
    assert "already encrypted, and so are its backups" in capsys.readouterr().err


def test_a_backup_left_on_the_old_passphrase_is_reported(
    encrypted_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:

    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    monkeypatch.setenv(ENV_NEW_PASSPHRASE, "a whole new passphrase 2026")
    with monkeypatch.context() as patch:
        patch.setattr(safekeeping, "_convert_backups", lambda *_a, **_k: None)
        assert main(["change-passphrase", "--db", str(encrypted_db)]) == 0
    capsys.readouterr()
    monkeypatch.setenv(ENV_PASSPHRASE, "a whole new passphrase 2026")
    assert main(["check", "--db", str(encrypted_db)]) == 1
    assert "does not open with this database's passphrase" in capsys.readouterr().out


def test_a_change_of_passphrase_cut_short_is_finished_by_running_it_again(
    encrypted_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed after the database was re-keyed and before its backups: the same command run
    again (the same old and new passphrases) finds the database already under the new one and
    re-keys what was left; check is then clean."""
    new = "a whole new passphrase 2026"
    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    monkeypatch.setenv(ENV_NEW_PASSPHRASE, new)
    with monkeypatch.context() as patch:
        patch.setattr(safekeeping, "_convert_backups", lambda *_a, **_k: None)
        assert main(["change-passphrase", "--db", str(encrypted_db)]) == 0
    capsys.readouterr()
    assert main(["change-passphrase", "--db", str(encrypted_db)]) == 0
    out = capsys.readouterr().out
    assert "the change is now finished" in out and "1 backup(s) converted" in out
    monkeypatch.setenv(ENV_PASSPHRASE, new)
    assert main(["check", "--db", str(encrypted_db)]) == 0, capsys.readouterr().out
    assert _names(encrypted_db, new) == ["Ibuprofen-Lovelace, Ada"]
    # Run a third time: nothing is left to change, and it says so.
    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    assert main(["change-passphrase", "--db", str(encrypted_db)]) == 0
    assert "nothing was left to change" in capsys.readouterr().out
    # A new passphrase that does not open it either: the old one is refused as wrong.
    monkeypatch.setenv(ENV_NEW_PASSPHRASE, "yet another passphrase 2027")
    assert main(["change-passphrase", "--db", str(encrypted_db)]) != 0
    assert "passphrase" in capsys.readouterr().err
