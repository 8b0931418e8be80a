"""The main window: client list and search on the left, the selected client's record on the right."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.outcomes import Measure, all_measures
from massage_chart.domain.presentation import listed_name, person_name
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.domain.text import fold
from massage_chart.storage.client_records import clients_alerts
from massage_chart.storage.database import DATABASE_ERRORS, Database, StorageError
from massage_chart.storage.drafts import DraftStore, drafts_folder_for
from massage_chart.storage.location import location_warning
from massage_chart.storage.mapping import provider_info_of
from massage_chart.storage.overviews import load_client_overview, load_visit_note
from massage_chart.storage.repositories import (
    SEARCH_LIMIT,
    NotFoundError,
    count_clients,
    get_client,
    get_practice,
    list_providers,
    list_visits,
    search_clients,
)
from massage_chart.storage.safekeeping import (
    backup_now,
    last_backup_failure,
    latest_audit_seq,
    record_backup,
    remember_backup_failure,
)
from massage_chart.storage.settings import (
    AUTO_LOCK_MINUTES,
    CLOCK,
    UNLOCK_PASSWORD_HASH,
    Settings,
    apply_backup_settings,
)
from massage_chart.storage.watch import Changes
from massage_chart.ui.background_checks import MaintenanceRunner
from massage_chart.ui.backup_actions import BackupActions
from massage_chart.ui.client_detail import ClientDetailPanel
from massage_chart.ui.client_list import ClientListPanel
from massage_chart.ui.clock import apply_clock
from massage_chart.ui.damage_report import show_damage
from massage_chart.ui.dialogs import NewClientDialog, NewVisitDialog
from massage_chart.ui.drafts_recovery import DraftsRecovery
from massage_chart.ui.encryption_actions import EncryptionActions
from massage_chart.ui.export_actions import ExportActions
from massage_chart.ui.formatting import format_date, search_query
from massage_chart.ui.idle_lock import IdleWatcher, LockScreen
from massage_chart.ui.live_updates import LiveUpdates
from massage_chart.ui.practice_commands import NewClientCommand, NewVisitCommand
from massage_chart.ui.practice_document import (
    READ_ERRORS,
    WRITE_ERRORS,
    ClientDetails,
    PracticeDocument,
    VisitDetails,
    describe_error,
)
from massage_chart.ui.start_window import (
    CLIENT_LIST_WIDTH,
    LIST_MINIMUM_WIDTH,
    MENU_TITLES,
    MINIMUM_SIZE,
    RECORD_MINIMUM_WIDTH,
    window_size,
)
from massage_chart.ui.visit_documents import VisitDocuments
from massage_chart.ui.window_lock import WindowLock

#: What opening a visit window may raise: the visit cannot be read, or is gone.
_VISIT_OPEN_ERRORS: tuple[type[Exception], ...] = (*DATABASE_ERRORS, NotFoundError)
_CLIENT_READ_ERRORS: tuple[type[Exception], ...] = (*READ_ERRORS, NotFoundError)


# The dialogs and the windows a visit opens are imported when first opened: the main window
# starts without loading them (the progress dialog alone brings QtCharts and reportlab).
if TYPE_CHECKING:
    from massage_chart.ui.chart import VisitChartWindow
    from massage_chart.ui.chart.visit_document import ChartDocument
    from massage_chart.ui.note.editor import VisitNoteEditor
    from massage_chart.ui.outcomes.form import OutcomeForm
    from massage_chart.ui.outcomes.pain_map_form import PainMapForm
    from massage_chart.ui.people_dialog import PeopleDialog
    from massage_chart.ui.progress.progress_dialog import ProgressDialog
    from massage_chart.ui.record.record_dialog import ClientRecordDialog
    from massage_chart.ui.settings import SettingsDialog
    from massage_chart.ui.visit_note import VisitNoteDialog
    from massage_chart.ui.visit_window import VisitWindow
    from massage_chart.ui.welcome import WelcomeWizard

STATUS_MESSAGE_MS = 5000
# A client's record counts as looked at (and goes in the audit log) once it has been on screen
# this long; arrowing past records on the way to another is not logged as an access to each.
VIEW_AUDIT_DELAY_MS = 600


class MainWindow(QMainWindow):
    """The practice: find a client, see their record and visits, add clients and visits.

    Every action reads or writes in its own short database session; changes go through the
    document's undo stack.

    Args:
        database: the open database.
        today: the calendar (a seam for tests about ages).
        now: the clock (a seam for tests about visit times).
        settings: the app's settings (default: this computer's, with the practice's).
        lock_minutes: lock the window after this many minutes without input (0: never;
            default: the auto-lock setting).
        unlock_check: checks what is typed on the lock screen; by default the database
            passphrase of an encrypted database, else the unlock password of the settings, else
            nothing is asked.
        secret_name: what the lock screen calls a given ``unlock_check``'s secret.
        drafts: where unsaved note text is kept (default: the database's own folder of drafts,
            or none for an encrypted database unless one is given).
    """

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        backup_on_close: bool = True,
        settings: Settings | None = None,
        lock_minutes: int | None = None,
        unlock_check: Callable[[str], bool] | None = None,
        secret_name: str = "unlock password",
        drafts: DraftStore | None = None,
        visit_documents: VisitDocuments | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.settings = settings if settings is not None else Settings.load(database=database)
        self.settings_dialog: SettingsDialog | None = None
        self.help_window: QDialog | None = None
        self.welcome: WelcomeWizard | None = None
        self._apply_backup_settings()
        apply_clock(self.settings.clock)
        if drafts is None:
            # Drafts of an encrypted database are encrypted with its passphrase.
            keying = database.keying
            drafts = DraftStore(
                drafts_folder_for(database.display_name),
                passphrase=None if keying is None else keying.reveal_passphrase(),
            )
        self.drafts = drafts
        self.damage_box: QMessageBox | None = None
        # A backup the user chose to restore: the window closes and the app restores it.
        self.pending_restore: Path | None = None
        # The database reopened encrypted or with a new passphrase: the app opens a new window.
        self.reopen_with: Database | None = None
        self.backup_on_close = backup_on_close
        self._damaged = False
        # The newest audit event when the last backup was taken: every change is audited, so a
        # close with nothing new since then needs no backup (a 1 GB one takes seconds).
        self._audit_mark = latest_audit_seq(database)
        self.maintenance = MaintenanceRunner(database, self)
        self.maintenance.check_failed.connect(self._on_maintenance_check_failed)
        self.maintenance.backup_finished.connect(self._on_maintenance_backup_finished)
        self.maintenance.backup_failed.connect(self._on_maintenance_backup_failed)
        self.document = PracticeDocument(database, self)
        # One live document per open visit, shared by its chart, note editor and note view.
        self.visit_documents = (
            visit_documents if visit_documents is not None else VisitDocuments(database, self)
        )
        self._today = today
        self._now = now
        self._client_total = 0
        self._audited_client_id = ""
        self._view_audit_timer = QTimer(self)
        self._view_audit_timer.setSingleShot(True)
        self._view_audit_timer.setInterval(VIEW_AUDIT_DELAY_MS)
        self._view_audit_timer.timeout.connect(self._on_view_audit_timer_timeout)

        self.client_panel = ClientListPanel()
        self.detail_panel = ClientDetailPanel()
        self._create_actions()
        self._create_menus()
        self._create_status_bar()

        new_client_button = QToolButton()
        new_client_button.setDefaultAction(self.new_client_action)
        new_client_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.client_panel.buttons.addWidget(new_client_button)
        self.detail_panel.new_visit_button.setDefaultAction(self.new_visit_action)
        self.detail_panel.chart_button.setDefaultAction(self.chart_action)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(10, 10, 6, 8)
        left_layout.addWidget(self.client_panel)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(14, 12, 12, 8)
        right_layout.addWidget(self.detail_panel)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        left.setMinimumWidth(LIST_MINIMUM_WIDTH)
        right.setMinimumWidth(RECORD_MINIMUM_WIDTH)
        self.splitter.setSizes([CLIENT_LIST_WIDTH, 1366 - CLIENT_LIST_WIDTH])
        self.location_banner = QLabel()
        self.location_banner.setWordWrap(True)
        self.location_banner.setObjectName("locationBanner")
        self.location_banner.setStyleSheet(
            "#locationBanner { background: #fff4ce; color: #5c3c00; padding: 8px 12px;"
            " border-bottom: 1px solid #e0c060; }"
        )
        warnings = [
            text
            for text in (
                location_warning(database.file) if database.file is not None else None,
                last_backup_failure(database),
            )
            if text
        ]
        self.location_banner.setText("\n".join(f"⚠ {text}" for text in warnings))
        self.location_banner.setVisible(bool(warnings))
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.location_banner)
        central_layout.addWidget(self.splitter, 1)
        self.lock_screen = LockScreen()
        self.pages = QStackedWidget()
        self.pages.addWidget(central)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        self.window_lock = WindowLock(
            self,
            self.pages,
            self.lock_screen,
            database,
            self.settings,
            self.quit_action,
            unlock_check=unlock_check,
            secret_name=secret_name,
        )
        self.window_lock.unlocked.connect(self._on_window_lock_unlocked)
        self.drafts_recovery = DraftsRecovery(
            drafts, self, lambda: self.locked, self.open_note_editor
        )
        self.idle_watcher = IdleWatcher(
            self.settings.auto_lock_minutes if lock_minutes is None else lock_minutes, self
        )
        self.idle_watcher.idle.connect(self.lock)
        # Left column top to bottom, then the right: the order the eye reads the window.
        tab_chain = (
            self.client_panel.search_field,
            self.client_panel.view,
            new_client_button,
            self.detail_panel.new_visit_button,
            self.detail_panel.visit_view,
        )
        for before, after in itertools.pairwise(tab_chain):
            QWidget.setTabOrder(before, after)
        # The start window's frame: it takes that window's place when the app starts.
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(window_size(self.screen().availableGeometry().size()))

        self.client_panel.search_requested.connect(self._on_client_panel_search_requested)
        self.client_panel.client_selected.connect(self._on_client_panel_client_selected)
        self.client_panel.client_opened.connect(self._on_client_panel_client_opened)
        self.detail_panel.visit_opened.connect(self._on_detail_panel_visit_opened)
        for visit_changed in (
            self.detail_panel.visit_view.selectionModel().currentChanged,
            self.detail_panel.visit_model.modelReset,
        ):
            visit_changed.connect(
                lambda *_: self.export_actions.set_visit_selected(
                    bool(self.detail_panel.current_visit_id())
                )
            )
        self.document.client_added.connect(self._on_document_client_added)
        self.document.client_removed.connect(self._on_document_client_removed)
        self.document.visit_added.connect(self._on_document_visit_added)
        self.document.visit_removed.connect(self._on_document_visit_removed)
        self.document.problem_reported.connect(self._on_document_problem_reported)

        self._update_title()
        self.refresh()
        self.client_panel.search_field.setFocus()
        # Changes made in another window, program or laptop show here within seconds.
        self.live_updates = LiveUpdates(database, self)
        self.live_updates.changed.connect(self._on_live_updates_changed)
        self.live_updates.start()
        # An unlock password guards the start too: quitting the lock screen and starting again
        # must not get round it. (An encrypted database asked for its passphrase already.)
        if (
            unlock_check is None
            and not getattr(database, "is_encrypted", False)
            and self.settings.get(UNLOCK_PASSWORD_HASH)
        ):
            self.lock()
        # Text kept from a session that ended before it was saved is offered once the window is up
        # (after unlocking: the list names clients).
        QTimer.singleShot(0, self, self.offer_drafts)

    # ------------------------------------------------------------------ set-up

    def _create_actions(self) -> None:
        self.new_client_action = QAction("&New client…", self)
        self.new_client_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_client_action.setStatusTip("Add a client to the practice")
        self.new_client_action.setToolTip("Add a client (Ctrl+N)")
        self.new_visit_action = QAction("New &visit…", self)
        self.new_visit_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_visit_action.setStatusTip("Start a draft visit for the selected client")
        self.new_visit_action.setToolTip("Start a visit for the selected client (Ctrl+Shift+N)")
        self.new_visit_action.setEnabled(False)
        self.quit_action = QAction("&Quit", self)
        # Ctrl+Q (Cmd+Q on a Mac); Qt's standard Quit key is empty on Windows and some desktops.
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.people_action = QAction("&People…", self)
        self.people_action.setStatusTip(
            "Who signs in to this clinic: add a person, change their group, give a new password, "
            "disable a sign-in (for the clinic's owner)"
        )
        # Only an owner signed in to a clinic's server manages its people (the server checks).
        self.people_action.setVisible(self.database.group == "owner")
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.setStatusTip(
            "Practice and providers, unit rule, idle lock, backups, encryption"
        )
        self.lock_action = QAction("&Lock now", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setStatusTip("Hide client records until you unlock (you keep your work)")

        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.find_action = QAction("&Find client", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)

        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setStatusTip(
            "Read the practice again (after changes on another computer)"
        )
        self.about_action = QAction("&About Massage Chart", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.guide_action = QAction("&User guide", self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.setStatusTip("How to chart a visit, write and sign the note, and more")
        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.shortcuts_action.setStatusTip("Every key of the main window and the body chart")
        self.client_record_action = QAction("Client &record…", self)
        self.client_record_action.setShortcut(QKeySequence("Ctrl+I"))
        self.client_record_action.setStatusTip("Contacts, health history, claims, consents")
        self.edit_note_action = QAction("&Edit note…", self)
        self.edit_note_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_note_action.setStatusTip("Write the selected visit's SOAP note, bill and sign it")
        self.chart_action = QAction("Body &chart…", self)
        self.chart_action.setShortcut(QKeySequence("Ctrl+B"))
        self.chart_action.setStatusTip("Chart findings and treatment on the body map of the visit")
        self.chart_action.setToolTip("Open the selected visit's body chart (Ctrl+B)")
        self.progress_action = QAction("&Progress…", self)
        self.progress_action.setStatusTip(
            "Pain, findings and outcome measures across the client's visits"
        )
        self.outcome_actions = []
        for measure in all_measures():
            action = QAction(f"{measure.name}…", self)
            action.setStatusTip(
                f"Hand the laptop to the client for the {measure.short_name}, or type in their "
                "paper form"
            )
            action.triggered.connect(lambda _checked=False, m=measure: self.open_outcome_form(m))
            self.outcome_actions.append(action)
        self.pain_map_action = QAction("Where it &hurts (the client's pain map)…", self)
        self.pain_map_action.setStatusTip(
            "Hand the laptop to the client to mark where they had pain this week and answer the "
            "symptom questions (ACR 2016), or type in their paper map"
        )
        self.pain_map_action.triggered.connect(self.open_pain_map_form)

        self.new_client_action.triggered.connect(self._on_new_client_action_triggered)
        self.new_visit_action.triggered.connect(self._on_new_visit_action_triggered)
        self.export_actions = ExportActions(
            self.database,
            self.detail_panel.current_visit_id,
            self,
            folder=self.settings.export_folder,
        )
        self.export_actions.problem_reported.connect(self._show_problem)
        self.export_actions.finished.connect(
            lambda text: self.statusBar().showMessage(text, STATUS_MESSAGE_MS)
        )
        self.backup_actions = BackupActions(self.database, self)
        self.backup_actions.problem_reported.connect(self._show_problem)
        self.backup_actions.finished.connect(
            lambda text: self.statusBar().showMessage(text, STATUS_MESSAGE_MS)
        )
        self.backup_actions.restore_requested.connect(self._on_backup_actions_restore_requested)
        self.encryption_actions = EncryptionActions(self.database, self)
        self.encryption_actions.database_reopened.connect(
            self._on_encryption_actions_database_reopened
        )
        self.quit_action.triggered.connect(self.close)
        self.lock_action.triggered.connect(self.lock)
        self.settings_action.triggered.connect(self.open_settings)
        self.people_action.triggered.connect(self.open_people)
        self.find_action.triggered.connect(self._on_find_action_triggered)
        self.refresh_action.triggered.connect(self._on_refresh_action_triggered)
        self.about_action.triggered.connect(self._on_about_action_triggered)
        self.guide_action.triggered.connect(self._on_guide_action_triggered)
        self.shortcuts_action.triggered.connect(self._on_shortcuts_action_triggered)
        self.client_record_action.triggered.connect(self._on_client_record_action_triggered)
        self.edit_note_action.triggered.connect(self._on_edit_note_action_triggered)
        self.progress_action.triggered.connect(self._on_progress_action_triggered)
        self.chart_action.triggered.connect(self._on_chart_action_triggered)

    def _create_menus(self) -> None:
        menu_bar = self.menuBar()
        file_title, edit_title, view_title, client_title, help_title = MENU_TITLES
        file_menu = menu_bar.addMenu(file_title)
        file_menu.addAction(self.new_client_action)
        file_menu.addAction(self.new_visit_action)
        file_menu.addSeparator()
        file_menu.addActions(self.export_actions.actions())
        file_menu.addSeparator()
        file_menu.addActions(self.backup_actions.actions())
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        edit_menu = menu_bar.addMenu(edit_title)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_action)
        edit_menu.addAction(self.people_action)
        view_menu = menu_bar.addMenu(view_title)
        view_menu.addAction(self.refresh_action)
        client_menu = menu_bar.addMenu(client_title)
        client_menu.addActions([self.client_record_action, self.edit_note_action])
        client_menu.addAction(self.chart_action)
        client_menu.addAction(self.progress_action)
        outcome_menu = client_menu.addMenu("&Outcome measure")
        outcome_menu.addActions(self.outcome_actions)
        outcome_menu.addSeparator()
        outcome_menu.addAction(self.pain_map_action)
        help_menu = menu_bar.addMenu(help_title)
        help_menu.addAction(self.guide_action)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _create_status_bar(self) -> None:
        self.database_label = QLabel(f"Database: {self.database.display_name}")
        self.database_label.setToolTip(f"Database: {self.database.display_name}")
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.client_count_label = QLabel()
        for label in (self.database_label, self.client_count_label):
            label.setContentsMargins(8, 0, 8, 0)
        status = self.statusBar()
        status.addPermanentWidget(self.database_label)
        status.addPermanentWidget(self.client_count_label)

    # ------------------------------------------------------------------ public

    def offer_drafts(self) -> QMessageBox | None:
        """After a crash: say which notes have text that was never saved, and offer to open them."""
        return self.drafts_recovery.offer()

    def open_drafts(self) -> list[VisitNoteEditor]:
        """Open the note (and addendum) of every kept draft."""
        return self.drafts_recovery.open_all()

    @property
    def drafts_box(self) -> QMessageBox | None:
        """The open offer of kept drafts, until it is answered."""
        return self.drafts_recovery.box

    def start_maintenance(self) -> bool:
        """Check every page of the database and take the daily backup, off the UI thread."""
        return self.maintenance.start()

    @property
    def locked(self) -> bool:
        """Whether client data is hidden behind the lock screen."""
        return self.window_lock.locked

    @Slot()
    def lock(self) -> None:
        """Hide every client record (this window and every other one) behind the lock screen."""
        self.window_lock.lock()

    def unlock(self, secret: str = "") -> bool:
        """Show the records again if ``secret`` is right; a wrong one is audited and refused."""
        return self.window_lock.unlock(secret)

    def _owns(self, widget: QWidget) -> bool:
        """Whether ``widget`` is a window opened from this one (a note, a chart, a dialog)."""
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self:
                return True
            parent = parent.parentWidget()
        return False

    def _apply_backup_settings(self) -> None:
        """Point the database's backups at the chosen folder and keep counts."""
        apply_backup_settings(self.settings, self.database)

    def open_people(self) -> PeopleDialog:
        """Open the People window of a clinic's owner (not blocking)."""
        from massage_chart.ui.people_dialog import PeopleDialog

        dialog = PeopleDialog(self.database, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_settings(self) -> SettingsDialog:
        """Open the Settings window (not blocking)."""
        from massage_chart.ui.settings import SettingsDialog

        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        dialog = SettingsDialog(self.database, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        password_button = QPushButton("Set unlock &password…")
        password_button.setToolTip(
            "The password the lock screen asks for (an encrypted database asks for its "
            "passphrase instead)"
        )
        password_button.clicked.connect(self._on_password_button_clicked)
        dialog.security_page.extra_layout.addWidget(password_button, 0, Qt.AlignmentFlag.AlignLeft)
        for action in self.encryption_actions.actions():
            if action.isEnabled():
                button = QPushButton(action.text())
                button.setToolTip(action.statusTip())
                button.clicked.connect(action.trigger)
                dialog.security_page.extra_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        dialog.settings_changed.connect(self._on_settings_dialog_settings_changed)
        dialog.practice_changed.connect(self._update_title)
        dialog.finished.connect(self._on_settings_dialog_finished)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def open_welcome(self) -> WelcomeWizard:
        """The first-run welcome: the practice and the first provider, then (if asked) the
        unlock password and encryption, each through the window's own steps."""
        from massage_chart.ui.welcome import WelcomeWizard

        wizard = WelcomeWizard(self.database, self.settings, self)
        wizard.practice_written.connect(self._on_welcome_practice_written)
        wizard.accepted.connect(lambda: self._after_welcome(wizard))
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.welcome = wizard
        wizard.open()
        return wizard

    def _after_welcome(self, wizard: WelcomeWizard) -> None:
        encrypt = wizard.wants_encryption
        if wizard.wants_password:
            self._on_password_button_clicked()
        if encrypt:
            self.encryption_actions.encrypt_action.trigger()

    @Slot()
    def _on_welcome_practice_written(self) -> None:
        self._update_title()
        self.refresh()
        self.statusBar().showMessage(
            "Your practice is set up. Add your first client with New client (Ctrl+N).",
            STATUS_MESSAGE_MS,
        )

    def close_other_windows(self) -> bool:
        """Close every note, chart and record window; False if one stays open (unsaved text)."""
        hidden = self.window_lock.hidden_windows
        for widget in QApplication.topLevelWidgets():
            if not self._owns(widget) or not (widget.isVisible() or widget in hidden):
                continue
            if not widget.close():
                if self.locked:
                    # It asks about its unsaved text: that is shown only after unlocking.
                    self.statusBar().showMessage("Unlock to see the window that needs you.")
                else:
                    widget.raise_()
                    widget.activateWindow()
                return False
            if widget in hidden:
                hidden.remove(widget)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the other windows (each saves or asks), then leave a verified backup behind.

        Closing is never held up: everything entered is already in the database, and the backup is
        an extra copy. If it fails, the reason is kept beside the backups and shown at next start.
        """
        if not self.close_other_windows():
            self.pending_restore = None
            event.ignore()
            return
        self.idle_watcher.stop()
        self.live_updates.stop()
        self.maintenance.wait()
        self.backup_actions.wait()
        if (
            self.backup_on_close
            and self.pending_restore is None
            and self.reopen_with is None
            and self.database.file is not None
            and not self._damaged
            and latest_audit_seq(self.database) != self._audit_mark
        ):
            self.statusBar().showMessage("Backing up before closing…")
            try:
                backup_now(self.database, reason="on-close")
            except StorageError as exc:
                remember_backup_failure(self.database, str(exc))
        super().closeEvent(event)

    def refresh(self) -> None:
        """Read the client list and the selected client again."""
        self._run_search(self.client_panel.query)
        self._show_client(self.client_panel.current_client_id())

    def new_client(self) -> NewClientDialog:
        """Open the New client dialog (window-modal, not blocking) and return it."""
        dialog = NewClientDialog(
            self,
            today=self._today,
            find_same_person=self._describe_same_person,
            save=self._save_new_client,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_visit(self) -> NewVisitDialog | None:
        """Open the New visit dialog for the selected client, if one is selected."""
        record = self.detail_panel.record
        if record is None:
            return None
        try:
            with self.database.read() as session:
                providers = [provider_info_of(p) for p in list_providers(session)]
        except READ_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return None
        # Propose the therapist of the client's latest visit: most clients keep theirs.
        latest = self.detail_panel.visit_model.visit_at(0)
        usual = next((p.id for p in providers if latest and p.id == latest.provider_id), None)
        dialog = NewVisitDialog(
            record.client.id,
            record.client.full_name,
            providers,
            self._now(),
            self,
            provider_id=usual,
            save=self._save_new_visit,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_visit_note(self, visit_id: str) -> VisitNoteDialog | None:
        """Show a visit's note read-only (not blocking) and return the dialog; it follows the
        visit's note and chart as they are saved. A note already on show is brought forward."""
        from massage_chart.ui.visit_note import VisitNoteDialog

        existing = self.visit_documents.raise_window(visit_id, VisitNoteDialog)
        if existing is not None:
            return existing
        try:
            with self.database.read() as session:
                note = load_visit_note(session, visit_id)
            dialog = self.visit_documents.open_window(
                visit_id,
                lambda document: VisitNoteDialog(note, self, document=document),
                lambda dialog: dialog.finished,
            )
        except NotFoundError:
            self.refresh()
            return None
        except READ_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return None
        self.document.record_view(note.client_id, note.id, "visit note")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_client_record(self) -> ClientRecordDialog | None:
        """Open the selected client's record (not blocking); the list follows what is saved."""
        from massage_chart.ui.record.record_dialog import ClientRecordDialog

        client_id = self.client_panel.current_client_id()
        if not client_id:
            self.statusBar().showMessage("Select a client first.", STATUS_MESSAGE_MS)
            return None
        dialog = ClientRecordDialog(self.database, client_id, self, today=self._today)
        self.document.record_view(client_id, detail="client record dialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.record_changed.connect(lambda _id: self.refresh())
        dialog.show()
        return dialog

    def open_visit(self, visit_id: str = "") -> VisitWindow | None:
        """Open the visit window (chart and note side by side) of a visit, the selected one by
        default; a visit already open is brought forward."""
        visit_id = visit_id or self.detail_panel.current_visit_id()
        if not visit_id:
            self.statusBar().showMessage("Select a visit first.", STATUS_MESSAGE_MS)
            return None
        from massage_chart.ui.visit_window import VisitWindow  # the chart loads on use

        existing = self.visit_documents.raise_window(visit_id, VisitWindow)
        if existing is not None:
            return existing

        def make(document: ChartDocument) -> VisitWindow:
            return VisitWindow(
                self.database,
                visit_id,
                self,
                document=document,
                now=self._now,
                today=self._today,
                drafts=self.drafts,
            )

        try:
            window = self.visit_documents.open_window(visit_id, make, lambda w: w.closed)
        except _VISIT_OPEN_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return None
        self.document.record_view(window.document.client_id, visit_id, "visit window")
        window.note.signed.connect(
            lambda _id: self._show_client(self.client_panel.current_client_id())
        )
        window.show()
        return window

    def open_note_editor(self, visit_id: str = "") -> VisitNoteEditor | None:
        """Open a visit (the selected one by default) with the keyboard in its SOAP note."""
        window = self.open_visit(visit_id)
        return window.show_note() if window is not None else None

    def open_chart(self, visit_id: str = "") -> VisitChartWindow | None:
        """Open a visit (the selected one by default) with the keyboard in its body chart."""
        window = self.open_visit(visit_id)
        return window.show_chart() if window is not None else None

    def open_progress(self) -> ProgressDialog | None:
        """Show the selected client's progress across visits."""
        from massage_chart.ui.progress.progress_dialog import ProgressDialog

        client_id = self.client_panel.current_client_id()
        if not client_id:
            self.statusBar().showMessage("Select a client first.", STATUS_MESSAGE_MS)
            return None
        dialog = ProgressDialog(self.database, client_id, self, today=self._today)
        self.document.record_view(client_id, detail="progress")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_outcome_form(self, measure: Measure) -> OutcomeForm | None:
        """An outcome measure for the selected client, belonging to the selected visit (and
        dated on its day) when one is selected, else dated today."""
        from massage_chart.ui.outcomes.form import OutcomeForm

        taken = self._taken_at()
        if taken is None:
            return None
        client_id, context = taken
        form = OutcomeForm(self.database, measure, client_id, **context, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.recorded.connect(
            lambda _id: self.statusBar().showMessage(
                f"{measure.name} filed; see Client > Progress.", STATUS_MESSAGE_MS
            )
        )
        form.show()
        return form

    def _taken_at(self) -> tuple[str, dict[str, Any]] | None:
        """The selected client, and the visit, day, provider and clock a measure they answer
        now is filed with (the selected visit's, dated on its day; else today); None, with a
        word in the status bar, when no client is selected."""
        client_id = self.client_panel.current_client_id()
        if not client_id:
            self.statusBar().showMessage("Select a client first.", STATUS_MESSAGE_MS)
            return None
        visit = self.detail_panel.current_visit()
        return client_id, {
            "visit_id": visit.id if visit else None,
            "taken_on": min(visit.start.date(), self._today()) if visit else self._today(),
            "recorded_by_id": visit.provider_id if visit else None,
            "today": self._today,
        }

    def open_pain_map_form(self) -> PainMapForm | None:
        """The client's own pain map for the selected client, belonging to the selected visit
        (and dated on its day) when one is selected, else dated today."""
        from massage_chart.ui.outcomes.pain_map_form import PainMapForm

        taken = self._taken_at()
        if taken is None:
            return None
        client_id, context = taken
        form = PainMapForm(self.database, client_id, **context, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.recorded.connect(
            lambda _id: self.statusBar().showMessage(
                "The client's pain map is filed; see Client > Progress.", STATUS_MESSAGE_MS
            )
        )
        form.show()
        return form

    def select_client(self, client_id: str) -> None:
        """Show a client, selected in the list: as the list is, or else found by name (the
        list holds the first clients of a large practice only, so one further down the
        alphabet is searched for); shown even when no list can hold them."""
        if self.client_panel.select_client(client_id):
            return
        try:
            with self.database.read() as session:
                client = get_client(session, client_id)
                name = person_name(client.first_name, client.last_name)
                born = client.date_of_birth
        except _CLIENT_READ_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return
        searches = [name] + ([f"{name} {born.isoformat()}"] if born is not None else [])
        for text in searches:  # the name, then with the date of birth when many share it
            self.client_panel.search_for(text)
            if self.client_panel.select_client(client_id):
                return
        # Archived, or one of very many of that name and birthday: shown, with no other client
        # left selected in the list (what the list has selected is what its actions act on).
        self.client_panel.clear_selection()
        self._show_client(client_id)

    # ------------------------------------------------------------------ reading

    def _run_search(self, query: str, *, recount: bool = True) -> None:
        """Search and show the results; ``recount=False`` (while typing) keeps the known total."""
        try:
            with self.database.read() as session:
                clients = search_clients(session, search_query(query))
                total = count_clients(session) if recount else self._client_total
                alerts = clients_alerts(session, [c.id for c in clients], today=self._today())
        except READ_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return
        if not query.strip() and len(clients) < SEARCH_LIMIT:
            total = len(clients)  # everyone is listed: the list is the count
        total = max(total, len(clients))
        self._client_total = total
        self.client_panel.show_results(clients, total, alerts)
        self.client_count_label.setText(f"{total:,} client" + ("" if total == 1 else "s"))

    def _show_client(self, client_id: str) -> None:
        if not client_id:
            self.detail_panel.show_nothing(practice_is_empty=self._client_total == 0)
            self.new_visit_action.setEnabled(False)
            self._view_audit_timer.stop()
            self._audited_client_id = ""
            return
        try:
            with self.database.read() as session:
                record = load_client_overview(session, client_id)
                visits = list_visits(session, client_id)
        except NotFoundError:
            self.detail_panel.show_nothing()
            self.new_visit_action.setEnabled(False)
            self.statusBar().showMessage("That client is no longer on record.", STATUS_MESSAGE_MS)
            return
        except READ_ERRORS as exc:
            self._show_problem(describe_error(exc))
            return
        self.detail_panel.show_client(record, visits, self._today())
        self.new_visit_action.setEnabled(True)
        if client_id != self._audited_client_id:
            self._view_audit_timer.start()

    def _save_new_client(self, details: ClientDetails) -> str:
        """Save a client and put the step on the undo stack; returns why it failed, or ""."""
        try:
            client_id = self.document.add_client(details)
        except WRITE_ERRORS as exc:
            return describe_error(exc)
        self.document.undo_stack.push(NewClientCommand(self.document, details, client_id))
        return ""

    def _save_new_visit(self, details: VisitDetails) -> str:
        """Open a visit and put the step on the undo stack; returns why it failed, or ""."""
        try:
            visit_id = self.document.add_visit(details)
        except WRITE_ERRORS as exc:
            return describe_error(exc)
        record = self.detail_panel.record
        name = (
            record.client.full_name
            if record is not None and record.client.id == details.client_id
            else ""
        )
        command = NewVisitCommand(self.document, details, visit_id, name or "client")
        self.document.undo_stack.push(command)
        self.open_chart(visit_id)  # a visit is started to be charted and written up
        return ""

    def _describe_same_person(self, details: ClientDetails) -> str | None:
        """A client on record with the same name and date of birth (or none recorded)."""
        wanted = fold(listed_name(details.first_name, details.last_name))
        try:
            with self.database.read() as session:
                parts = f"{details.first_name} {details.last_name}"  # each part a search term
                candidates = search_clients(session, parts, limit=50)
        except READ_ERRORS:
            return None  # the check is a courtesy; saving will report a real problem
        for client in candidates:
            same_birthday = (
                client.date_of_birth is None
                or details.date_of_birth is None
                or client.date_of_birth == details.date_of_birth
            )
            if fold(client.list_name) == wanted and same_birthday:
                born = format_date(client.date_of_birth)
                return f"{details.full_name}, born {born}," if born else details.full_name
        return None

    def _update_title(self) -> None:
        try:
            with self.database.read() as session:
                practice = get_practice(session)
                name = practice.name if practice is not None else ""
        except READ_ERRORS:
            name = ""
        self.setWindowTitle(f"{name} — Massage Chart" if name else "Massage Chart")

    def _show_problem(self, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Massage Chart",
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ------------------------------------------------------------------ handlers

    @Slot(list)
    def _on_maintenance_check_failed(self, problems: list[str]) -> None:
        self._damaged = True
        self.damage_box = show_damage(
            self.database, problems, self.backup_actions.choose_backup, self
        )

    @Slot(str)
    def _on_maintenance_backup_finished(self, path: str) -> None:
        try:
            record_backup(self.database, Path(path))
        except StorageError as exc:
            self._show_problem(str(exc))
            return
        self._audit_mark = latest_audit_seq(self.database)
        self.statusBar().showMessage("Daily backup taken and verified.", STATUS_MESSAGE_MS)

    @Slot(str)
    def _on_maintenance_backup_failed(self, message: str) -> None:
        self._show_problem(message)

    @Slot(str)
    def _on_client_panel_search_requested(self, query: str) -> None:
        self._run_search(query, recount=False)

    @Slot(str)
    def _on_client_panel_client_selected(self, client_id: str) -> None:
        self._show_client(client_id)

    @Slot(str)
    def _on_client_panel_client_opened(self, _client_id: str) -> None:
        self.detail_panel.focus_visits()

    @Slot(str)
    def _on_detail_panel_visit_opened(self, visit_id: str) -> None:
        row = self.detail_panel.visit_model.row_of(visit_id)
        visit = self.detail_panel.visit_model.visit_at(row) if row is not None else None
        if visit is not None and visit.status is VisitStatus.DRAFT:
            self.open_note_editor(visit_id)  # a draft is opened to be written
        else:
            self.open_visit_note(visit_id)

    @Slot()
    def _on_new_client_action_triggered(self) -> None:
        self.new_client()

    @Slot()
    def _on_new_visit_action_triggered(self) -> None:
        self.new_visit()

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.client_panel.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.client_panel.search_field.selectAll()

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        self._update_title()
        self.refresh()
        self.statusBar().showMessage("Refreshed.", STATUS_MESSAGE_MS)

    @Slot()
    def _on_about_action_triggered(self) -> None:
        from massage_chart.ui.help import AboutDialog

        self._show_help_window(AboutDialog(self.database.display_name, self))

    @Slot()
    def _on_guide_action_triggered(self) -> None:
        from massage_chart.ui.help import GuideWindow

        self._show_help_window(GuideWindow(self))

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        from massage_chart.ui.help import ShortcutSheet, chart_shortcuts, menu_shortcuts

        rows = menu_shortcuts(self.menuBar()) + chart_shortcuts()
        self._show_help_window(ShortcutSheet(rows, self))

    def _show_help_window(self, window: QDialog) -> None:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.help_window = window
        window.show()

    @Slot(object)
    def _on_encryption_actions_database_reopened(self, database: Database) -> None:
        from massage_chart.ui.note.editor import VisitNoteEditor

        keying = database.keying
        if self.drafts is not None and keying is not None:
            # The drafts were rewritten under the new key with the database.
            self.drafts = DraftStore(self.drafts.folder, passphrase=keying.reveal_passphrase())
        for editor in self.findChildren(VisitNoteEditor):
            # Open notes save what is left, as they close, into the file as it is now.
            editor.database = database
            editor.drafts = self.drafts
        self.reopen_with = database
        self.backup_on_close = False  # the old engine is closed; the new file has its backups
        box = self.encryption_actions.report_box
        if box is not None and box.isVisible():
            box.finished.connect(self.close)  # let the user read what was done first
        else:
            self.close()

    @Slot(str)
    def _on_settings_dialog_settings_changed(self, key: str) -> None:
        if key == AUTO_LOCK_MINUTES.key:
            self.idle_watcher.set_minutes(self.settings.auto_lock_minutes)
        elif key == CLOCK.key:
            apply_clock(self.settings.clock)
            self.refresh()
        else:
            self._apply_backup_settings()

    @Slot(int)
    def _on_settings_dialog_finished(self, _result: int) -> None:
        self.settings_dialog = None

    @Slot()
    def _on_password_button_clicked(self) -> None:
        from massage_chart.ui.unlock_password_dialog import UnlockPasswordDialog

        dialog = UnlockPasswordDialog(self.settings, self.settings_dialog or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot(str)
    def _on_backup_actions_restore_requested(self, path: str) -> None:
        self.pending_restore = Path(path)
        self.close()

    @Slot()
    def _on_window_lock_unlocked(self) -> None:
        self._update_title()
        self.idle_watcher.touch()
        self.drafts_recovery.offer_if_held()

    @Slot(object)
    def _on_live_updates_changed(self, changes: Changes) -> None:
        self.visit_documents.catch_up(changes)
        if self.window_lock.locked or not changes.clients:
            return
        self._run_search(self.client_panel.query)
        current = self.client_panel.current_client_id()
        focused = QApplication.focusWidget()
        typing_here = focused is not None and self.detail_panel.isAncestorOf(focused)
        if current in changes.clients and not typing_here:
            self._show_client(current)  # its visits, signatures and details as they are now

    @Slot()
    def _on_view_audit_timer_timeout(self) -> None:
        record = self.detail_panel.record
        if (
            record is not None
            and record.client.id != self._audited_client_id
            and self.document.record_view(record.client.id, detail="client record")
        ):
            self._audited_client_id = record.client.id

    @Slot(str)
    def _on_document_client_added(self, client_id: str) -> None:
        self._run_search(self.client_panel.query)
        self.select_client(client_id)
        self.statusBar().showMessage("Client saved.", STATUS_MESSAGE_MS)

    @Slot(str)
    def _on_document_client_removed(self, _client_id: str) -> None:
        self.refresh()
        self.statusBar().showMessage("New client taken back.", STATUS_MESSAGE_MS)

    @Slot(str, str)
    def _on_document_visit_added(self, client_id: str, visit_id: str) -> None:
        self._run_search(self.client_panel.query)
        if self.client_panel.current_client_id() != client_id:
            self.select_client(client_id)
        self._show_client(client_id)
        self.detail_panel.select_visit(visit_id)
        self.statusBar().showMessage("Visit started as a draft.", STATUS_MESSAGE_MS)

    @Slot(str, str)
    def _on_document_visit_removed(self, client_id: str, visit_id: str) -> None:
        from massage_chart.ui.visit_window import VisitWindow  # the chart loads on use

        window = self.visit_documents.window(visit_id, VisitWindow)
        if window is not None:
            window.close()  # the visit taken back had nothing in it to save
        self._run_search(self.client_panel.query)
        if self.client_panel.current_client_id() == client_id:
            self._show_client(client_id)
        self.statusBar().showMessage("New visit taken back.", STATUS_MESSAGE_MS)

    @Slot(str)
    def _on_document_problem_reported(self, message: str) -> None:
        self._show_problem(message)

    @Slot()
    def _on_client_record_action_triggered(self) -> None:
        self.open_client_record()

    @Slot()
    def _on_edit_note_action_triggered(self) -> None:
        self.open_note_editor()

    @Slot()
    def _on_chart_action_triggered(self) -> None:
        self.open_chart()

    @Slot()
    def _on_progress_action_triggered(self) -> None:
        self.open_progress()
