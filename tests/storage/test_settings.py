"""The settings registry: defaults, the JSON file (atomic, damage set aside), validation, scopes."""

from __future__ import annotations

import contextlib
import json
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from massage_chart.domain.record_kinds import UnitRule
from massage_chart.storage import audit
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_practice
from massage_chart.storage.settings import (
    AUTO_LOCK_MINUTES,
    BACKUP_FOLDER,
    DEFAULT_UNIT_RULE,
    ENV_CONFIG,
    REGISTRY,
    Scope,
    Settings,
    SettingsError,
    default_settings_path,
    folder_write_problem,
)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def test_every_setting_is_declared_once_with_a_valid_default_and_a_doc() -> None:
    for key, spec in REGISTRY.items():
        assert spec.key == key
        assert spec.problem(spec.default) is None, key
        assert spec.doc and spec.label
    assert {"auto_lock_minutes", "backup_folder", "backups_to_keep"} <= set(REGISTRY)
    assert REGISTRY["default_unit_rule"].scope is Scope.PRACTICE


def test_defaults_without_a_file(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    assert settings.auto_lock_minutes == 10
    assert settings.backups_to_keep == 10
    assert settings.backup_days_to_keep == 30
    assert settings.get("backup_folder") == ""
    assert settings.default_unit_rule is UnitRule.CMS  # no database: the declared default
    assert settings.warnings == []
    assert not settings_file.exists()  # reading never writes


def test_round_trip_through_the_file(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    settings.set("auto_lock_minutes", 5)
    settings.set(BACKUP_FOLDER, "/srv/clinic backups/Zoë 診所 🗂")
    again = Settings.load(settings_file)
    assert again.auto_lock_minutes == 5
    assert again.get(BACKUP_FOLDER) == "/srv/clinic backups/Zoë 診所 🗂"
    assert not again.is_default(AUTO_LOCK_MINUTES)
    stored = json.loads(settings_file.read_text(encoding="utf-8"))
    assert stored["auto_lock_minutes"] == 5
    # No temporary files are left behind.
    assert [p.name for p in settings_file.parent.iterdir()] == ["settings.json"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("auto_lock_minutes", 241, "Lock after must be from 0 to 240 (0 means never); 241 is"),
        ("auto_lock_minutes", -1, "Lock after must be from 0 to 240"),
        ("auto_lock_minutes", "5", "Lock after must be a whole number from 0 to 240."),
        ("auto_lock_minutes", True, "Lock after must be a whole number"),
        ("backups_to_keep", 0, "Backups to keep must be from 1 to 1000"),
        ("backup_folder", "backups", "must be a full path"),
        ("backup_folder", "/tmp/a\x00b", "NUL character"),
        ("backup_folder", "/" + "x" * 5000, "too long: 5,001 characters"),
        ("backup_folder", "/" + "x" * 300, "File name too long"),
        ("default_unit_rule", "cms", "Unit rule must be one of 'cms', 'ama'"),
    ],
)
def test_bad_values_are_refused_in_plain_words(
    settings_file: Path, key: str, value: object, message: str
) -> None:
    settings = Settings.load(settings_file)
    before = settings.get(key)
    with pytest.raises(SettingsError) as refused:
        settings.set(key, value)
    assert message in str(refused.value)
    assert settings.get(key) == before
    assert not settings_file.exists()


def test_a_folder_that_is_a_file_is_refused(settings_file: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    assert "is a file, not a folder" in (
        Settings.load(settings_file).problem(BACKUP_FOLDER, str(a_file)) or ""
    )


def test_update_stores_all_or_nothing(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    with pytest.raises(SettingsError):
        settings.update({"auto_lock_minutes": 3, "backups_to_keep": 0})
    assert settings.auto_lock_minutes == 10
    assert settings.update({"auto_lock_minutes": 3, "backups_to_keep": 10}) == ["auto_lock_minutes"]


def test_listeners_hear_only_real_changes(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    heard: list[str] = []
    stop = settings.add_listener(heard.append)
    settings.set("auto_lock_minutes", 5)
    settings.set("auto_lock_minutes", 5)
    settings.reset("auto_lock_minutes")
    stop()
    settings.set("auto_lock_minutes", 7)
    assert heard == ["auto_lock_minutes", "auto_lock_minutes"]
    assert Settings.load(settings_file).auto_lock_minutes == 7


def test_unknown_keys_written_by_a_newer_version_are_kept(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        json.dumps({"auto_lock_minutes": 15, "theme": {"name": "dusk"}, "future_flag": True}),
        encoding="utf-8",
    )
    settings = Settings.load(settings_file)
    assert settings.auto_lock_minutes == 15
    settings.set("backups_to_keep", 20)
    stored = json.loads(settings_file.read_text(encoding="utf-8"))
    assert stored["theme"] == {"name": "dusk"}
    assert stored["future_flag"] is True
    assert stored["backups_to_keep"] == 20
    assert stored["auto_lock_minutes"] == 15


def test_a_change_from_another_window_is_not_overwritten(settings_file: Path) -> None:
    first = Settings.load(settings_file)
    second = Settings.load(settings_file)
    first.set("auto_lock_minutes", 4)
    second.set("backups_to_keep", 3)
    again = Settings.load(settings_file)
    assert (again.auto_lock_minutes, again.backups_to_keep) == (4, 3)


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"", b'"just a string"'],
    ids=["broken-json", "not-utf8", "a-list", "empty", "a-string"],
)
def test_a_damaged_file_gives_defaults_a_warning_and_is_set_aside(
    settings_file: Path, content: bytes
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_bytes(content)
    settings = Settings.load(settings_file)
    assert settings.auto_lock_minutes == 10
    assert len(settings.warnings) == 1
    assert "damaged" in settings.warnings[0] and "default settings are used" in settings.warnings[0]
    aside = [
        p for p in settings_file.parent.iterdir() if p.name.startswith("settings.json.damaged-")
    ]
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, never deleted
    assert not settings_file.exists()
    settings.set("auto_lock_minutes", 2)  # and the app goes on saving
    assert Settings.load(settings_file).auto_lock_minutes == 2


def test_a_value_out_of_range_in_the_file_falls_back_and_is_kept(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('{"auto_lock_minutes": 9999, "backups_to_keep": 4}', encoding="utf-8")
    settings = Settings.load(settings_file)
    assert settings.auto_lock_minutes == 10
    assert settings.backups_to_keep == 4
    assert "Lock after" in settings.warnings[0] and "9,999" in settings.warnings[0]
    settings.set("backups_to_keep", 5)
    assert json.loads(settings_file.read_text(encoding="utf-8"))["auto_lock_minutes"] == 9999


def test_a_settings_path_that_is_a_folder_gives_defaults_and_refuses_to_save(
    settings_file: Path,
) -> None:
    settings_file.mkdir(parents=True)
    settings = Settings.load(settings_file)
    assert settings.auto_lock_minutes == 10
    assert "is a folder" in settings.warnings[0]
    with pytest.raises(SettingsError, match="cannot be saved"):
        settings.set("auto_lock_minutes", 5)
    assert settings.auto_lock_minutes == 10
    assert settings_file.is_dir()


def test_a_config_folder_that_cannot_be_created_is_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the config folder should be", encoding="utf-8")
    settings = Settings.load(blocker / "settings.json")
    with pytest.raises(
        SettingsError, match=r"could not be saved to .*The previous settings are kept"
    ):
        settings.set("auto_lock_minutes", 5)
    assert settings.auto_lock_minutes == 10


@contextlib.contextmanager
def files_limited_to(size: int) -> Iterator[None]:
    """Make writes past ``size`` bytes fail with "File too large" (EFBIG), like a full disk;
    unlike a read-only folder, this holds for root too."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)


def test_a_failed_write_leaves_the_old_file_whole(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    settings.set("auto_lock_minutes", 5)
    before = settings_file.read_bytes()
    with files_limited_to(16), pytest.raises(SettingsError, match="could not be saved") as refused:
        settings.set(BACKUP_FOLDER, "/srv/clinic/" + "backups/" * 20)
    assert "previous settings are kept" in str(refused.value)
    assert settings_file.read_bytes() == before
    assert settings.get(BACKUP_FOLDER) == ""
    assert [p.name for p in settings_file.parent.iterdir()] == ["settings.json"]  # temp removed
    assert Settings.load(settings_file).auto_lock_minutes == 5


def test_environment_variable_points_at_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "elsewhere" / "mine.json"
    monkeypatch.setenv(ENV_CONFIG, str(target))
    assert default_settings_path() == target
    Settings.load().set("auto_lock_minutes", 1)
    assert json.loads(target.read_text(encoding="utf-8"))["auto_lock_minutes"] == 1
    folder = tmp_path / "a folder"
    folder.mkdir()
    monkeypatch.setenv(ENV_CONFIG, str(folder))
    assert default_settings_path() == folder / "settings.json"


def test_default_path_is_in_the_user_config_folder(isolated_user_folders: Path) -> None:
    assert (
        default_settings_path()
        == isolated_user_folders / "config" / "massage-chart" / "settings.json"
    )


def test_backup_folder_defaults_beside_the_database(settings_file: Path, tmp_path: Path) -> None:
    settings = Settings.load(settings_file)
    database_file = tmp_path / "clinic" / "practice.db"
    assert settings.backup_folder(database_file) == tmp_path / "clinic" / "backups"
    assert settings.backup_folder(None) is None
    settings.set(BACKUP_FOLDER, str(tmp_path / "usb"))
    assert settings.backup_folder(database_file) == tmp_path / "usb"


def test_folder_write_problem_tries_for_real(tmp_path: Path) -> None:
    assert folder_write_problem(tmp_path / "new" / "backups") is None
    assert (tmp_path / "new" / "backups").is_dir()
    a_file = tmp_path / "file"
    a_file.write_text("", encoding="utf-8")
    assert "cannot be written" in (folder_write_problem(a_file / "sub") or "")


def test_practice_settings_live_in_the_database_and_are_audited(
    any_db: Database, tmp_path: Path
) -> None:
    settings = Settings.load(tmp_path / "settings.json", database=any_db)
    assert settings.default_unit_rule is UnitRule.CMS
    heard: list[str] = []
    settings.add_listener(heard.append)
    settings.set(DEFAULT_UNIT_RULE, UnitRule.AMA)
    assert heard == ["default_unit_rule"]
    with any_db.read() as session:
        practice = get_practice(session)
        assert practice is not None and practice.default_unit_rule is UnitRule.AMA
        assert audit.verify_chain(session) == []
        assert audit.count_events(session) == 1
    # Another computer's Settings sees it: nothing practice-wide is in the file.
    other = Settings.load(tmp_path / "other.json", database=any_db)
    assert other.default_unit_rule is UnitRule.AMA
    assert not (tmp_path / "settings.json").exists()


def test_practice_settings_without_a_database_are_refused(settings_file: Path) -> None:
    with pytest.raises(SettingsError, match="need the database"):
        Settings.load(settings_file).set(DEFAULT_UNIT_RULE, UnitRule.AMA)
