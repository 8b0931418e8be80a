"""Open the records once the start window is drawn: the database (asking for a passphrase, a
clinic sign-in or a restore as needed, in plain words when it cannot be opened), then the main
window in the start window's place. Loaded after the first paint (massage_chart.ui.app)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from massage_chart import collector
from massage_chart.storage.backup import (
    list_backups,
    newest_verified_backup,
    since_backup,
)
from massage_chart.storage.clinic import (
    ClinicError,
    is_clinic_database,
    refused_sign_in,
    sign_in,
    signed_in_person,
)
from massage_chart.storage.database import (
    DATABASE_ERRORS,
    Database,
    DatabaseDamagedError,
    StorageError,
    WrongPassphraseError,
    default_database_url,
    is_server_url,
    needs_first_sealing,
    normalise_url,
    open_database,
    seal_signed_before,
    server_label,
    sqlite_file,
)
from massage_chart.storage.encryption import (
    EncryptionError,
    FileKind,
    Keying,
    file_kind,
    is_encrypted_file,
)
from massage_chart.storage.in_use import InUse
from massage_chart.storage.safekeeping import (
    record_failed_unlocks,
    restore_and_reopen,
    restore_from_backup,
)
from massage_chart.storage.seal_keys import load_keyring
from massage_chart.storage.settings import Settings
from massage_chart.ui.idle_lock import retry_delay
from massage_chart.ui.passphrase_dialog import PassphraseDialog
from massage_chart.ui.sign_in_dialog import SignInDialog
from massage_chart.ui.start_window import AfterFirstPaint, StartWindow
from massage_chart.ui.threads import start_worker

log = logging.getLogger(__name__)

#: What opening the database may raise beyond what open_database words itself.
_OPEN_ERRORS: tuple[type[Exception], ...] = (*DATABASE_ERRORS, OSError)

STARTUP_MAINTENANCE_DELAY_MS = 1500
#: The cycle collector, paused while the app starts, runs again at the main window's first
#: paint, or this long after the records began to open (a window started minimised may not paint
#: for hours; a sign-in or passphrase may be waited for).
COLLECTOR_PAUSE_MOST_MS = 30_000


def _tell_cannot_open(message: str) -> None:
    QMessageBox.critical(
        None,
        "Massage Chart cannot open the database",
        message,
        QMessageBox.StandardButton.Ok,
    )


def _database_path(database_url: str | None) -> Path | None:
    return sqlite_file(normalise_url(database_url or default_database_url()))


def _offer_restore(
    database_url: str | None,
    message: str,
    passphrase: str | None = None,
    failed_unlocks: list[dt.datetime] | None = None,
) -> Database | None:
    """Offer the newest verified backup of a damaged SQLite file; the damaged file is set aside.

    For an encrypted database, ``passphrase`` is what the user typed: only backups that open
    with it are offered, and the restored file is encrypted with it.

    Returns the reopened database, or None when there is no backup, the user declines, or the
    restore fails (each said in plain words).
    """
    path = _database_path(database_url)
    try:
        keying = Keying(passphrase) if passphrase else None
    except EncryptionError:
        keying = None
    # The backup folder may have been moved in Settings (this computer's settings file).
    folder = Settings.load().backup_folder(path) if path is not None else None
    newest = (
        newest_verified_backup(folder, path, keying)
        if path is not None and folder is not None
        else None
    )
    if path is None or folder is None or newest is None:
        if keying is not None and path is not None and folder and list_backups(folder, path):
            _tell_cannot_open(
                f"{message}\n\nNo backup opens with this passphrase either, so the passphrase "
                "is probably wrong rather than the file damaged. Nothing was changed."
            )
        else:
            _tell_cannot_open(f"{message}\n\nNo verified backup was found beside it.")
        return None
    # Going back to a backup loses what was saved since: it is never the default answer, and
    # the question says how much would be lost when the current file can still be read.
    lost = since_backup(path, newest.path, keying).sentence(newest.taken_at)
    answer = QMessageBox.question(
        None,
        "The database is damaged",
        f"{message}\n\nThe newest verified backup is from {newest.taken_at:%d %b %Y %H:%M} "
        f"({newest.path.name}). Restore it now? {lost} The damaged file is kept aside, "
        "renamed, never deleted.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    # A plain backup goes back plain: a damaged first page of a plain file looks encrypted, and
    # what was typed at the passphrase prompt must never become the key of the records.
    if file_kind(newest.path) is FileKind.PLAIN:
        keying, passphrase = None, None
    try:
        database, _aside = restore_from_backup(path, newest.path, keying=keying, label="damaged")
    except StorageError as exc:
        _tell_cannot_open(f"The backup could not be restored: {exc}")
        return None
    record_failed_unlocks(database, failed_unlocks or [])
    return database


def unlock_at_start(
    database_url: str | None, path: Path, start: StartWindow | None = None
) -> Database | None:
    """Ask for the passphrase of an encrypted (or damaged) file until it opens, the user
    restores the newest backup that opens with what they typed, or quits (None). The file is
    opened beside ``start`` (``_open_beside``).

    Wrong passphrases are counted and written to the audit log once the database is open: the
    log is inside the encrypted file, so attempts on a file that is never opened cannot be
    recorded anywhere trustworthy.
    """
    failures: list[dt.datetime] = []
    dialog = PassphraseDialog(path)
    try:
        while True:
            result = dialog.exec()
            typed = dialog.passphrase()
            if result == PassphraseDialog.RESTORE:
                restored = _offer_restore(
                    database_url,
                    f"The database {path} does not open with this passphrase.",
                    typed,
                    failures,
                )
                if restored is not None:
                    return restored
                continue
            if result != QDialog.DialogCode.Accepted.value:
                return None
            try:
                opened = _open_beside(start, database_url, passphrase=typed, seal=False)
                if opened is None:
                    return None  # quit while it opened
                database = opened
            except WrongPassphraseError as exc:
                failures.append(dt.datetime.now())
                tries = f" ({len(failures)} wrong tries)" if len(failures) > 1 else ""
                dialog.show_problem(f"{str(exc).split(':', 1)[0]}{tries}. {_hint()}")
                dialog.hold(retry_delay(len(failures)))
                continue
            except DatabaseDamagedError as exc:
                restored = _offer_restore(database_url, str(exc), typed, failures)
                if restored is not None:
                    return restored
                dialog.show_problem(str(exc))
                continue
            record_failed_unlocks(database, failures)
            return database
    finally:
        dialog.deleteLater()


def _hint() -> str:
    return (
        "Check capital letters and the keyboard layout. If the passphrase is right, the file "
        "is damaged: restore the newest backup."
    )


def _open_at_start(
    database_url: str | None, user: str | None = None, start: StartWindow | None = None
) -> Database | None:
    """Open the database, asking for a passphrase, offering a restore or signing a clinic's
    person in as needed; None after the user was told why it cannot be opened (or chose to
    quit). The opening itself runs beside ``start`` when there is one (``_open_beside``)."""
    path = _database_path(database_url)
    if path is not None and is_encrypted_file(path):
        return unlock_at_start(database_url, path, start)
    url = normalise_url(database_url or default_database_url())
    if path is None and is_server_url(url):
        return _open_server(url, user, start)
    return _open_beside(start, database_url, seal=False)  # sealed beside it too (_seal_beside)


def _open_beside(start: StartWindow | None, url: str | None, **options: Any) -> Database | None:
    """``open_database(url, **options)`` on a worker beside the start window, which stays
    responsive meanwhile: an upgrade backs the file up first (long for a large practice), a
    server may be slow to answer. What it raises is raised here. None when the app was quit
    meanwhile (the database, if it opened, goes with the process). Without a start window
    (tests), on this thread."""
    if start is None:
        return open_database(url, **options)
    opened: list[Database] = []
    # Closed meanwhile, an upgrade (one transaction, after its backup) is let finish first.
    if not start.run_beside(
        lambda: opened.append(open_database(url, **options)),
        name="open the records",
        after_close=None,
    ):
        return None
    return opened[0]


def _open_server(url: str, user: str | None, start: StartWindow | None = None) -> Database | None:
    """A server database: as the address's user when that is allowed and it is not a clinic's
    (or they are one of its people); else the clinic's sign-in."""
    if not user:
        try:
            opened = _open_beside(start, url)
        except StorageError as exc:
            if not refused_sign_in(str(exc)):  # unreachable, say: not a question of who
                raise
        else:
            if opened is None:
                return None  # quit while it opened
            database = opened
            person = signed_in_person(database)
            if person is not None:
                database.actor = person.username
                return database
            if not is_clinic_database(database):
                return database
            database.dispose()
    return sign_in_at_start(url, user or "")


def sign_in_at_start(url: str, user: str = "") -> Database | None:
    """Ask a clinic's person to sign in until the server accepts them, or they quit (None).

    Refused tries are counted, held back more and more, and written to the audit log (in the
    name of the person who then signs in) once a sign-in succeeds.
    """
    failures: list[dt.datetime] = []
    dialog = SignInDialog(server_label(url), user)
    try:
        while True:
            if dialog.exec() != QDialog.DialogCode.Accepted.value:
                return None
            try:
                signed_in = sign_in(url, dialog.user(), dialog.password())
            except ClinicError as exc:
                failures.append(dt.datetime.now())
                dialog.show_problem(str(exc))
                dialog.hold(retry_delay(len(failures)))
                continue
            except StorageError as exc:
                dialog.show_problem(str(exc))
                continue
            record_failed_unlocks(
                signed_in.database,
                failures,
                where="clinic sign-in",
                what="user name or password refused",
            )
            return signed_in.database
    finally:
        dialog.deleteLater()


def open_and_run(
    app: QApplication,
    start: StartWindow,
    database_url: str | None,
    *,
    quit_after_start: bool = False,
    user: str | None = None,
) -> int:
    """Open the database and show the main window in the start window's place until the user
    quits; the exit code (0 after a normal quit, 1 when the database cannot be opened).

    See massage_chart.ui.app.run_app for the arguments.
    """
    QTimer.singleShot(COLLECTOR_PAUSE_MOST_MS, collector.end_start)
    try:
        opened = _open_at_start(database_url, user, start)
        if opened is None:
            return 0  # the user chose to quit at the passphrase, or was told why in a box
        database = opened
    except DatabaseDamagedError as exc:
        restored = _offer_restore(database_url, str(exc))
        if restored is None:
            return 1
        database = restored
    except StorageError as exc:
        _tell_cannot_open(str(exc))
        return 1
    except _OPEN_ERRORS as exc:
        # open_database words what it foresees; anything else (a failed upgrade on a full disk,
        # say) still deserves a sentence rather than a traceback.
        log.exception("could not open the database")
        _tell_cannot_open(
            f"The database could not be opened: {getattr(exc, 'orig', None) or exc}. "
            "Nothing was changed. If this keeps happening, restore the newest backup."
        )
        return 1

    for notice in database.notices:  # a foreign WAL set aside, say: before the window shows
        QMessageBox.warning(None, "Massage Chart set a file aside", notice)

    # While the window is open, a restore from the command line is refused (it would pull the
    # file from under the window, whose later saves would land in the copy set aside).
    in_use = InUse(database.file) if database.file is not None else None
    try:
        if in_use is not None:
            in_use.share()
        if not _seal_beside(start, database):
            return 0  # quit while the notes were being sealed: the next start does it again
        return _run_windows(app, database, in_use, start, quit_after_start=quit_after_start)
    except StorageError as exc:
        _tell_cannot_open(str(exc))
        return 1
    finally:
        if in_use is not None:
            in_use.release()


class _SealingStoppedError(Exception):
    """The start window was closed while the notes were being sealed."""


#: How long the first sealing is given to stop, its transaction rolled back, once the start
#: window is closed (it looks between batches of notes, a fraction of a second apart).
SEALING_STOP_WAIT_S = 5.0


def _seal_beside(start: StartWindow, database: Database) -> bool:
    """The first time this version opens a file, seal the notes signed before it on a worker,
    the start window responsive and counting them meanwhile (a ten-year practice has hundreds
    of thousands: minutes, once). False when the start window was closed first: the sealing
    stops at its next batch, its one transaction rolled back whole, and the next start seals
    again. A sealing that fails is logged and left for the next start (``check`` names the
    unsealed notes meanwhile)."""
    try:
        if not needs_first_sealing(database):
            return True
    except _OPEN_ERRORS:
        return True  # the main window says why the database cannot be read
    looked_at = [0, 0]

    def progress(done: int, total: int) -> None:
        if start.abandoned:
            raise _SealingStoppedError
        looked_at[:] = [done, total]

    def said() -> str:
        done, total = looked_at
        if not total:
            return "Sealing the notes signed before this update (once)…"
        return f"Sealing the notes signed before this update (once): {done:,} of {total:,}…"

    try:
        return start.run_beside(
            functools.partial(seal_signed_before, database, progress),
            name="first sealing",
            progress=said,
            after_close=SEALING_STOP_WAIT_S,
        )
    except _OPEN_ERRORS:
        log.exception("the notes signed before keyed seals were not sealed now")
        return True


def _end_start() -> None:
    collector.end_start()
    collector.set_aside_start_up()


def _load_keyring_ahead(database: Database) -> None:
    """Load the keyring library on a worker once the window is drawn (a file database checks
    its signed notes' seals with keys it may keep there). Loading it imports every backend, and
    the macOS one looks for its framework by running ``ldconfig`` and ``gcc`` even on Linux: 100
    to 200 ms that fell on the window's thread when the first signed note opened. No key is read
    ahead: a locked keyring asks to be unlocked only when a key is needed, as before."""
    if not database.is_sqlite:
        return  # a clinic's server seals with its own key
    start_worker(load_keyring, "seal-keys")


def needs_welcome(database: Database) -> bool:
    """Whether the database is brand new: no practice name, no provider and no client yet (the
    welcome then sets the practice up; the welcome's own module loads only then)."""
    from massage_chart.storage.practice import list_provider_details, read_practice
    from massage_chart.storage.repositories import count_clients
    from massage_chart.ui.practice_document import READ_ERRORS

    try:
        with database.read() as session:
            practice = read_practice(session)
            return (
                not practice.name.strip()
                and not list_provider_details(session)
                and count_clients(session) == 0
            )
    except READ_ERRORS:
        return False  # the window says itself why the database cannot be read


def _run_windows(
    app: QApplication,
    database: Database,
    in_use: InUse | None,
    start: StartWindow | None,
    *,
    quit_after_start: bool = False,
) -> int:
    """Show the main window (the first in the start window's place); open a new one when it
    closed to be replaced; the exit code."""
    from massage_chart.ui.main_window import MainWindow

    while True:
        # It unlocks with the database passphrase when the file is encrypted (MainWindow's own rule).
        window = MainWindow(database)
        # The cycle collector, paused while the app starts, runs again once the window is drawn,
        # and leaves alone what start-up built.
        AfterFirstPaint(_end_start, window)
        AfterFirstPaint(functools.partial(_load_keyring_ahead, database), window)
        if quit_after_start:
            AfterFirstPaint(app.quit, window)
        if start is not None:
            if not start.catch_up():  # closed while the records were opening
                window.backup_on_close = False
                window.close()
                window.deleteLater()
                database.dispose()
                return 0
            start.hand_over(window, window.client_panel.search_field)
            start = None
        else:
            window.show()
        if not quit_after_start and needs_welcome(database):
            QTimer.singleShot(0, window, window.open_welcome)  # a brand-new database
        # The page check and the daily backup start once the window is up and drawn.
        QTimer.singleShot(STARTUP_MAINTENANCE_DELAY_MS, window, window.start_maintenance)
        try:
            code = app.exec()
        finally:
            window.close()
            window.deleteLater()
        # The window closed to be replaced: encrypted or re-keyed (a new Database), or to
        # restore a backup over the file it had open.
        reopened: Database | None = getattr(window, "reopen_with", None)
        pending: Path | None = getattr(window, "pending_restore", None)
        if reopened is not None or pending is not None:
            collector.take_back_start_up()  # the old window and its database can go
        if reopened is not None:
            database.dispose()
            database = reopened
            continue
        if pending is not None:
            if in_use is not None:
                in_use.release()  # the restore takes the file alone
            try:
                database = restore_and_reopen(database, pending)
            except StorageError as exc:
                _tell_cannot_open(str(exc))
                return 1
            if in_use is not None:
                in_use.share()
            continue
        database.dispose()
        return code
