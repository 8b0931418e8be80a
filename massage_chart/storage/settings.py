"""The app's settings: one registry, per-machine values in a JSON file, practice-wide ones in the database.

Every setting is declared once, below, as a ``SettingSpec`` (key, type, default, doc, validation,
scope), after orange-canvas-core's ``(key, type, default, doc)`` specs. Two scopes:

- ``Scope.MACHINE``: this computer's choices (idle lock, where backups go), kept in
  ``settings.json`` in the user config folder (``MASSAGE_CHART_CONFIG`` or a path argument points
  elsewhere, which is how tests stay isolated). The file is written atomically (temporary file,
  fsync, rename); a damaged file is set aside with a warning and the defaults are used; keys this
  version does not know are kept.
- ``Scope.PRACTICE``: shared by every computer on the database, stored on the practice row and
  changed through ``storage.practice`` so the change is audited.

Windows are given a ``Settings`` object; nothing reads a global.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

import platformdirs

from massage_chart.domain.presentation import Clock
from massage_chart.domain.record_kinds import UnitRule
from massage_chart.files import replace_whole

if TYPE_CHECKING:
    from massage_chart.storage.database import Database

log = logging.getLogger(__name__)

APP_NAME = "massage-chart"
ENV_CONFIG = "MASSAGE_CHART_CONFIG"
SETTINGS_FILE_NAME = "settings.json"
FILE_VERSION = 1
VERSION_KEY = "settings_version"
MAX_FILE_BYTES = 1_000_000  # a settings file is a few hundred bytes; more is not ours
MAX_PATH_CHARACTERS = 4_096
BACKUPS_SUBFOLDER = "backups"

T = TypeVar("T")


class Scope(enum.Enum):
    """Where a setting is kept."""

    MACHINE = "machine"
    """This computer only: the settings file in the user config folder."""
    PRACTICE = "practice"
    """Every computer using the database: a column of the practice row."""


class SettingsError(Exception):
    """A setting was refused or could not be saved; the message is fit to show the user."""


# --------------------------------------------------------------------------- validation helpers


def _whole_number(
    label: str, low: int, high: int, *, zero: str = ""
) -> Callable[[Any], str | None]:
    def problem(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{label} must be a whole number from {low} to {high}."
        if not low <= value <= high:
            extra = f" ({zero})" if zero else ""
            return f"{label} must be from {low} to {high}{extra}; {value:,} is out of range."
        return None

    return problem


def _folder(label: str) -> Callable[[Any], str | None]:
    def problem(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"{label} must be a folder path, not {type(value).__name__}."
        if not value:
            return None
        if len(value) > MAX_PATH_CHARACTERS:
            return f"{label} is too long: {len(value):,} characters; the most is {MAX_PATH_CHARACTERS:,}."
        if "\x00" in value:
            return f"{label} holds an invisible NUL character; choose the folder again."
        path = Path(value).expanduser()
        if not path.is_absolute():
            return f"{label} must be a full path (like /home/sam/Backups), not {value!r}."
        try:
            is_file = path.exists() and not path.is_dir()
        except OSError as exc:  # a name too long for the file system, say
            return f"{label} cannot be used: {_reason(exc)}."
        if is_file:
            return f"{label}: {path} is a file, not a folder."
        return None

    return problem


def _choice(label: str, enum_cls: type[enum.Enum]) -> Callable[[Any], str | None]:
    def problem(value: Any) -> str | None:
        if isinstance(value, enum_cls):
            return None
        choices = ", ".join(repr(member.value) for member in enum_cls)
        return f"{label} must be one of {choices}, not {value!r}."

    return problem


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class SettingSpec(Generic[T]):
    """One setting, declared once.

    Attributes:
        key: the name in the settings file and in ``settings_changed``.
        type: the Python type of its value (``int``, ``str``, an ``Enum``).
        default: the value when none is stored.
        doc: what it means, in the user's words (used as the tooltip).
        validate: returns what is wrong with a value in plain words, or None.
        label: the field's name in the Settings window and in messages.
        scope: where it is kept.
    """

    key: str
    type: type[T]
    default: T
    doc: str
    validate: Callable[[Any], str | None]
    label: str
    scope: Scope = Scope.MACHINE

    def problem(self, value: object) -> str | None:
        """What is wrong with ``value`` for this setting, or None when it may be stored."""
        return self.validate(value)

    def encode(self, value: T) -> Any:
        """The value as JSON holds it."""
        if isinstance(value, enum.Enum):
            return value.value
        return value

    def decode(self, raw: Any) -> T:
        """A stored JSON value as this setting's type; ``SettingsError`` when it cannot be."""
        value: Any = raw
        if issubclass(self.type, enum.Enum):
            try:
                value = self.type(raw)
            except ValueError:
                value = raw
        problem = self.problem(value)
        if problem:
            raise SettingsError(problem)
        return cast(T, value)


AUTO_LOCK_MINUTES: SettingSpec[int] = SettingSpec(
    key="auto_lock_minutes",
    type=int,
    default=10,
    doc="Hide client records behind the lock screen after this many minutes without input "
    "(0: never).",
    validate=_whole_number("Lock after", 0, 240, zero="0 means never"),
    label="Lock after",
)
BACKUP_FOLDER: SettingSpec[str] = SettingSpec(
    key="backup_folder",
    type=str,
    default="",
    doc="Where the daily verified backups are written. Empty: a 'backups' folder beside the "
    "database file.",
    validate=_folder("Backup folder"),
    label="Backup folder",
)
BACKUPS_TO_KEEP: SettingSpec[int] = SettingSpec(
    key="backups_to_keep",
    type=int,
    default=10,
    doc="How many of the newest automatic backups are always kept. Manual and pre-upgrade "
    "backups are never deleted.",
    validate=_whole_number("Backups to keep", 1, 1000),
    label="Backups to keep",
)
BACKUP_DAYS_TO_KEEP: SettingSpec[int] = SettingSpec(
    key="backup_days_to_keep",
    type=int,
    default=30,
    doc="Besides the newest backups, keep one automatic backup a day for this many days.",
    validate=_whole_number("Days of daily backups", 0, 3650),
    label="Days of daily backups",
)
EXPORT_FOLDER: SettingSpec[str] = SettingSpec(
    key="export_folder",
    type=str,
    default="",
    doc="The folder first offered when saving a PDF. Empty: your home folder.",
    validate=_folder("PDF folder"),
    label="PDF folder",
)
DEFAULT_UNIT_RULE: SettingSpec[UnitRule] = SettingSpec(
    key="default_unit_rule",
    type=UnitRule,
    default=UnitRule.CMS,
    doc="How timed minutes become billing units for visits not billed to a claim with its own "
    "rule: CMS (the 8-minute rule, minutes added across codes) or AMA (each code on its own).",
    validate=_choice("Unit rule", UnitRule),
    label="Default unit rule",
    scope=Scope.PRACTICE,
)
CLOCK: SettingSpec[Clock] = SettingSpec(
    key="clock",
    type=Clock,
    default=Clock.AUTO,
    doc="How times are written on screen and in every PDF: as this computer's language and "
    "region say, or always on the 12-hour or the 24-hour clock.",
    validate=_choice("Clock", Clock),
    label="Clock",
)


def _unlock_hash(value: Any) -> str | None:
    if value == "" or (isinstance(value, str) and value.startswith("scrypt$")):
        return None
    return "The unlock password is stored only as a hash; set it again in Settings › Security."


UNLOCK_PASSWORD_HASH: SettingSpec[str] = SettingSpec(
    key="unlock_password_hash",
    type=str,
    default="",
    doc="The salted hash of the password that unlocks the window after the idle lock "
    "(an encrypted database is unlocked with its passphrase instead). Empty: no password.",
    validate=_unlock_hash,
    label="Unlock password",
)

REGISTRY: dict[str, SettingSpec[Any]] = {
    spec.key: spec
    for spec in (
        AUTO_LOCK_MINUTES,
        BACKUP_FOLDER,
        BACKUPS_TO_KEEP,
        BACKUP_DAYS_TO_KEEP,
        EXPORT_FOLDER,
        DEFAULT_UNIT_RULE,
        CLOCK,
        UNLOCK_PASSWORD_HASH,
    )
}
"""Every setting of the app, by key."""


def spec_for(key: str) -> SettingSpec[Any]:
    """The declaration of a setting; ``KeyError`` names the unknown key."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"no setting is called {key!r}") from None


# --------------------------------------------------------------------------- where the file lives


def default_settings_path() -> Path:
    """``MASSAGE_CHART_CONFIG`` if set (a file, or a folder to hold settings.json), else the
    user config folder's settings.json."""
    configured = os.environ.get(ENV_CONFIG, "").strip()
    if configured:
        path = Path(configured).expanduser()
        return path / SETTINGS_FILE_NAME if path.is_dir() else path
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / SETTINGS_FILE_NAME


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` to ``path`` so that a crash or a full disk leaves the old file whole.

    Raises:
        OSError: the folder or the temporary file could not be written; ``path`` is untouched.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_whole(path, text.encode("utf-8"))


def _set_aside(path: Path) -> Path | None:
    """Rename a damaged settings file out of the way (never deleted); None if that failed."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    try:
        os.replace(path, aside)
    except OSError:
        return None
    return aside


# --------------------------------------------------------------------------- the accessor


Listener = Callable[[str], None]


class Settings:
    """The settings of this app on this computer, with the practice-wide ones from the database.

    Create one at start-up with ``Settings.load()`` (tests: ``Settings.load(tmp_path /
    "settings.json", database=db)``) and give it to the windows that need it.

    Args:
        path: the settings file (it need not exist yet).
        database: the open database, for practice-wide settings; None when there is none.

    Attributes:
        path: the settings file.
        warnings: problems met while loading (a damaged file set aside, a value out of range),
            in plain words, for the app to show once.
    """

    def __init__(self, path: Path, *, database: Database | None = None) -> None:
        self.path = path
        self.database = database
        self.warnings: list[str] = []
        self._raw: dict[str, Any] = {}
        self._values: dict[str, Any] = {}
        self._listeners: list[Listener] = []
        self._writable = True
        self._load()

    @classmethod
    def load(cls, path: Path | None = None, *, database: Database | None = None) -> Settings:
        """Read the settings file (``path``, else ``MASSAGE_CHART_CONFIG``, else the user config
        folder); never raises: problems become ``warnings`` and defaults."""
        return cls(path if path is not None else default_settings_path(), database=database)

    # ---------------------------------------------------------------- reading the file

    def _load(self) -> None:
        raw = self._read_file()
        self._raw = raw
        self._values = {}
        for key, value in raw.items():
            spec = REGISTRY.get(key)
            if spec is None or spec.scope is not Scope.MACHINE:
                continue  # unknown (a newer version's) keys are kept in _raw and written back
            try:
                self._values[key] = spec.decode(value)
            except SettingsError as exc:
                self._warn(
                    f"The setting {spec.label!r} in {self.path} was not usable ({exc}) "
                    f"The default ({self._shown(spec, spec.default)}) is used until you change it."
                )

    def _read_file(self) -> dict[str, Any]:
        path = self.path
        try:
            if path.is_dir():
                self._writable = False
                self._warn(
                    f"The settings file {path} is a folder. The default settings are used, and "
                    "changes cannot be saved until it is moved away."
                )
                return {}
            if not path.exists():
                return {}
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"it is {size:,} bytes, far more than settings take")
            data = json.loads(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            return self._damaged(f"it cannot be read: {_reason(exc)}")
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            return self._damaged(f"it is not a settings file: {exc}")
        if not isinstance(data, dict):
            return self._damaged("it does not hold a set of named settings")
        return data

    def _damaged(self, reason: str) -> dict[str, Any]:
        aside = _set_aside(self.path)
        if aside is None:
            self._writable = False
            self._warn(
                f"The settings file {self.path} could not be used ({reason}) nor moved aside. "
                "The default settings are used, and changes will not be saved over it."
            )
        else:
            self._warn(
                f"The settings file {self.path} was damaged ({reason}). It was kept as "
                f"{aside.name} and the default settings are used."
            )
        return {}

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)

    @staticmethod
    def _shown(spec: SettingSpec[Any], value: Any) -> str:
        encoded = spec.encode(value)
        return repr(encoded) if encoded == "" else str(encoded)

    # ---------------------------------------------------------------- reading values

    @overload
    def get(self, key: SettingSpec[T]) -> T: ...

    @overload
    def get(self, key: str) -> Any: ...

    def get(self, key: str | SettingSpec[Any]) -> Any:
        """The value of a setting (its default when none is stored)."""
        spec = key if isinstance(key, SettingSpec) else spec_for(key)
        if spec.scope is Scope.PRACTICE:
            return self._practice_value(spec)
        return self._values.get(spec.key, spec.default)

    def is_default(self, key: str | SettingSpec[Any]) -> bool:
        """Whether a per-machine setting has no stored value of its own."""
        spec = key if isinstance(key, SettingSpec) else spec_for(key)
        return spec.key not in self._values

    def problem(self, key: str | SettingSpec[Any], value: object) -> str | None:
        """What is wrong with ``value`` for a setting, in plain words, or None."""
        spec = key if isinstance(key, SettingSpec) else spec_for(key)
        return spec.problem(value)

    def _practice_value(self, spec: SettingSpec[T]) -> T:
        if self.database is None:
            return spec.default
        from massage_chart.storage.repositories import get_practice

        with self.database.read() as session:
            practice = get_practice(session)
            if practice is None:
                return spec.default
            return cast(T, getattr(practice, spec.key))

    # ---------------------------------------------------------------- changing values

    def set(self, key: str | SettingSpec[Any], value: Any) -> None:
        """Validate and store one setting; listeners hear of it if the value changed.

        Raises:
            SettingsError: the value is refused, or could not be saved (the old value stays).
        """
        spec = key if isinstance(key, SettingSpec) else spec_for(key)
        self.update({spec.key: value})

    def update(self, values: Mapping[str, Any]) -> list[str]:
        """Validate every value, then store them all (one file write); returns the keys that
        changed, in the order given, after telling the listeners.

        Nothing is stored unless every value is valid.

        Raises:
            SettingsError: a value is refused, or the change could not be saved.
        """
        specs = [spec_for(key) for key in values]
        for spec in specs:
            problem = spec.problem(values[spec.key])
            if problem:
                raise SettingsError(problem)
        changed = [spec.key for spec in specs if self.get(spec) != values[spec.key]]
        machine = {k: values[k] for k in changed if REGISTRY[k].scope is Scope.MACHINE}
        practice = {k: values[k] for k in changed if REGISTRY[k].scope is Scope.PRACTICE}
        if practice:
            self._store_practice(practice)
        if machine:
            self._store_machine(machine)
        for key in changed:
            self._notify(key)
        return changed

    def reset(self, key: str | SettingSpec[Any]) -> None:
        """Forget a per-machine setting's stored value, so its default applies again."""
        spec = key if isinstance(key, SettingSpec) else spec_for(key)
        if spec.scope is not Scope.MACHINE or spec.key not in self._raw:
            return
        before = self.get(spec)
        self._write_file(remove=(spec.key,))
        self._values.pop(spec.key, None)
        if before != spec.default:
            self._notify(spec.key)

    def _store_machine(self, values: Mapping[str, Any]) -> None:
        encoded = {key: REGISTRY[key].encode(value) for key, value in values.items()}
        self._write_file(encoded)
        self._values.update(values)

    def _write_file(
        self, changes: Mapping[str, Any] | None = None, remove: tuple[str, ...] = ()
    ) -> None:
        if not self._writable:
            raise SettingsError(
                f"The settings cannot be saved: {self.path} could not be read, and saving would "
                "replace it. Move it away and try again."
            )
        # Start from what is on disk now, so a change made by another window of the app to
        # another setting is not overwritten with what this one read at start.
        current = self._on_disk() or dict(self._raw)
        current.update(changes or {})
        for key in remove:
            current.pop(key, None)
        current[VERSION_KEY] = FILE_VERSION
        try:
            write_json_atomically(self.path, current)
        except OSError as exc:
            raise SettingsError(
                f"The settings could not be saved to {self.path}: {_reason(exc)}. "
                "The previous settings are kept."
            ) from exc
        self._raw = current

    def _on_disk(self) -> dict[str, Any] | None:
        try:
            if self.path.stat().st_size > MAX_FILE_BYTES:
                return None
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def _store_practice(self, values: Mapping[str, Any]) -> None:
        if self.database is None:
            raise SettingsError("Practice settings need the database, and none is open.")
        from massage_chart.storage.practice import update_practice

        with self.database.write() as session:
            update_practice(session, values)

    # ---------------------------------------------------------------- listeners

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(key)`` after each setting changes; returns a function that stops it."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    def _notify(self, key: str) -> None:
        for listener in list(self._listeners):
            listener(key)

    # ---------------------------------------------------------------- typed shortcuts

    @property
    def auto_lock_minutes(self) -> int:
        """Minutes without input before the window locks; 0: never."""
        return self.get(AUTO_LOCK_MINUTES)

    @property
    def backups_to_keep(self) -> int:
        """The newest automatic backups always kept (``rotate_backups(keep_recent=...)``)."""
        return self.get(BACKUPS_TO_KEEP)

    @property
    def backup_days_to_keep(self) -> int:
        """Days with one automatic backup kept (``rotate_backups(keep_daily=...)``)."""
        return self.get(BACKUP_DAYS_TO_KEEP)

    @property
    def default_unit_rule(self) -> UnitRule:
        """The practice's unit rule for visits without a claim's own rule."""
        return self.get(DEFAULT_UNIT_RULE)

    @property
    def clock(self) -> Clock:
        """How times are written (``domain.presentation.use_clock``)."""
        return self.get(CLOCK)

    def backup_folder(self, database_file: Path | None) -> Path | None:
        """Where backups of ``database_file`` go: the chosen folder, else ``backups`` beside the
        file; None for a server database (the app backs up SQLite files only)."""
        if database_file is None:
            return None
        chosen = self.get(BACKUP_FOLDER)
        return Path(chosen).expanduser() if chosen else database_file.parent / BACKUPS_SUBFOLDER

    def export_folder(self) -> Path:
        """The folder first offered for a PDF: the chosen one, else the home folder."""
        chosen = self.get(EXPORT_FOLDER)
        return Path(chosen).expanduser() if chosen else Path.home()

    def items(self) -> Iterator[tuple[str, Any]]:
        """Every registered setting and its value now."""
        for key in REGISTRY:
            yield key, self.get(key)


def folder_write_problem(folder: Path) -> str | None:
    """Whether files can be written in ``folder`` (created if missing), tried for real; the
    problem in plain words, or None. Call it when the user picks a folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".massage-chart-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"Files cannot be written in {folder}: {_reason(exc)}."
    return None


def apply_backup_settings(settings: Settings, database: Database) -> None:
    """Point a database's backups at the folder and keep counts chosen in Settings.

    The window and the command line both call this, so a backup taken by either is found by the
    other's restore.
    """
    folder = settings.backup_folder(database.file)
    if folder is not None:
        database.backup_dir = folder
    database.keep_recent = settings.backups_to_keep
    database.keep_daily = settings.backup_days_to_keep
