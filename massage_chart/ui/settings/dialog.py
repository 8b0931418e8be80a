"""The Settings window: practice, providers, billing, security, backups and display, saved together.

Nothing is written until Save: a therapist filling in the practice's address or a new colleague's
licence expects Cancel to throw the half-typed form away, as in any form, and expects one Save to
keep everything (the practice and providers in one audited transaction, then this computer's
settings). A problem is shown next to its field, with the text left as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.practice import (
    FieldRefusedError,
    add_provider,
    list_provider_details,
    read_practice,
    update_practice,
    update_provider,
)
from massage_chart.storage.repositories import NotFoundError
from massage_chart.storage.settings import (
    BACKUP_FOLDER,
    EXPORT_FOLDER,
    Settings,
    SettingsError,
    folder_write_problem,
)
from massage_chart.ui.settings.fields import (
    CheckedField,
    FolderChooser,
    ImageChooser,
    choose_folder,
    choose_image_file,
)
from massage_chart.ui.settings.pages import (
    BackupsPage,
    BillingPage,
    DisplayPage,
    SecurityPage,
    SettingsPage,
)
from massage_chart.ui.settings.practice_page import PracticePage
from massage_chart.ui.settings.providers_page import ProvidersPage
from massage_chart.ui.style import error_text

PAGE_LIST_WIDTH = 150
FOLDER_SETTINGS = (BACKUP_FOLDER.key, EXPORT_FOLDER.key)


@dataclass(frozen=True)
class Refusal:
    """Why the practice and providers were not written.

    Attributes:
        provider_row: the provider refused (its row on the Providers page), or -1.
        field: the refused provider field, when one was named.
        message: plain words for the window.
    """

    provider_row: int
    field: str
    message: str


def write_practice_and_providers(
    database: Database, practice_page: PracticePage, providers_page: ProvidersPage
) -> tuple[bool, bool] | Refusal:
    """Write the edited practice and the added or edited providers in one audited transaction.

    The Settings window and the first-run welcome both save through here. Returns whether the
    practice and whether any provider was written, or why nothing was.
    """
    practice = practice_page.changes()
    drafts = [(i, d, d.changes()) for i, d in enumerate(providers_page.drafts)]
    drafts = [(i, d, c) for i, d, c in drafts if c or d.original is None]
    if not practice and not drafts:
        return False, False
    refused_row = -1  # the provider being written, for a refusal only the database sees
    try:
        with database.write() as session:
            if practice:
                update_practice(session, practice)
            for row, draft, changes in drafts:
                refused_row = row
                if draft.original is None:
                    add_provider(session, changes)
                else:
                    update_provider(session, draft.original.id, changes)
    except FieldRefusedError as exc:
        return Refusal(refused_row, exc.field, str(exc))
    except (StorageError, NotFoundError) as exc:
        return Refusal(-1, "", str(exc))
    return bool(practice), bool(drafts)


def ask_discard(parent: QWidget) -> bool:
    """Whether to throw away unsaved changes (asked when Cancel or close is pressed)."""
    answer = QMessageBox.question(
        parent,
        "Discard changes?",
        "Your changes to the settings have not been saved. Discard them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class SettingsDialog(QDialog):
    """The Settings window.

    Args:
        database: the open database (the practice and providers are read and written there).
        settings: the app's settings (per-machine ones and the practice-wide unit rule).
        parent: the main window.
        choose_image: asks for an image file (tests pass a function returning a path).
        choose_folder: asks for a folder.
        confirm_discard: asked before unsaved changes are thrown away.

    Attributes:
        practice_page, providers_page, billing_page, security_page, backups_page,
        display_page: the pages, in the order of the list (``PAGES``).

    Signals:
        settings_changed(str): a setting was saved with a new value (its key, see
            ``storage.settings.REGISTRY``).
        practice_changed(): the practice's details or logo were saved.
        providers_changed(): a provider was added, edited or deactivated.
    """

    settings_changed = Signal(str)
    practice_changed = Signal()
    providers_changed = Signal()

    PAGES = ("Practice", "Providers", "Billing", "Security", "Backups", "Display")

    def __init__(
        self,
        database: Database,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        choose_image: ImageChooser = choose_image_file,
        choose_folder: FolderChooser = choose_folder,
        confirm_discard: Callable[[QWidget], bool] = ask_discard,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.settings = settings
        self._confirm_discard = confirm_discard
        self.setWindowTitle("Settings")

        self.practice_page = PracticePage(choose_image)
        self.providers_page = ProvidersPage(choose_image)
        self.billing_page = BillingPage()
        self.security_page = SecurityPage()
        self.backups_page = BackupsPage(database, choose_folder)
        self.display_page = DisplayPage()
        self.setting_pages: tuple[SettingsPage, ...] = (
            self.billing_page,
            self.security_page,
            self.backups_page,
            self.display_page,
        )

        self.page_list = QListWidget()
        self.page_list.setAccessibleName("Settings pages")
        self.page_list.setFixedWidth(PAGE_LIST_WIDTH)
        self.pages = QStackedWidget()
        for page in (self.practice_page, self.providers_page, *self.setting_pages):
            item = QListWidgetItem(page.title, self.page_list)
            item.setSizeHint(QSize(PAGE_LIST_WIDTH - 8, self.fontMetrics().height() + 14))
            self.pages.addWidget(page)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setAccessibleName("Problem")
        error_text(self.problem_label)
        self.problem_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.page_list)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(body, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.page_list.currentRowChanged.connect(self._on_page_list_current_row_changed)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.load()
        self.page_list.setCurrentRow(0)
        self.resize(self.sizeHint().expandedTo(QSize(780, 560)))

    # ---------------------------------------------------------------- loading

    def load(self) -> None:
        """Fill every page from the database and the settings (forgetting unsaved edits)."""
        with self.database.read() as session:
            practice = read_practice(session)
            providers = list_provider_details(session)
        self.practice_page.load(practice)
        self.providers_page.load(providers)
        for page in self.setting_pages:
            page.load(self.settings)

    # ---------------------------------------------------------------- what changed

    def setting_values(self) -> dict[str, Any]:
        """Every setting as the window shows it now."""
        values: dict[str, Any] = {}
        for page in self.setting_pages:
            values.update(page.setting_values())
        return values

    def setting_changes(self) -> dict[str, Any]:
        """The settings whose value in the window differs from the stored one."""
        return {k: v for k, v in self.setting_values().items() if self.settings.get(k) != v}

    def has_changes(self) -> bool:
        """Whether anything was edited and not saved."""
        return bool(
            self.practice_page.changes()
            or self.setting_changes()
            or self.providers_page.has_changes()
        )

    # ---------------------------------------------------------------- saving

    def _setting_place(self, key: str) -> tuple[SettingsPage, CheckedField]:
        page = next(p for p in self.setting_pages if key in p.setting_fields())
        return page, page.setting_fields()[key]

    def _check(self) -> bool:
        """Show every problem next to its field; True when there are none."""
        first: tuple[QWidget, QWidget] | None = None
        practice_problem = self.practice_page.check()
        if practice_problem is not None:
            first = (self.practice_page, practice_problem)
        provider_problem = self.providers_page.check()
        if provider_problem is not None and first is None:
            first = (self.providers_page, provider_problem)
        for key, value in self.setting_changes().items():
            page, field_ = self._setting_place(key)
            field_.clear_problem()
            problem = self.settings.problem(key, value)
            if problem is None and key in FOLDER_SETTINGS and value:
                problem = folder_write_problem(Path(value).expanduser())
            if problem:
                field_.show_problem(problem)
                first = first or (page, field_)
        if first is not None:
            self.page_list.setCurrentRow(self.pages.indexOf(first[0]))
            first[1].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True

    @Slot()
    def save(self) -> bool:
        """Check everything, write it, tell who listens, and close; on a problem the window
        stays open with everything as typed. Returns whether it was saved."""
        self.problem_label.hide()
        if not self._check():
            return False
        written = write_practice_and_providers(
            self.database, self.practice_page, self.providers_page
        )
        if isinstance(written, Refusal):
            if written.provider_row >= 0:
                self.page_list.setCurrentRow(self.pages.indexOf(self.providers_page))
                self.providers_page.show_refusal(
                    written.provider_row, written.field, written.message
                )
            else:
                self._fail(written.message)
            return False
        practice_written, providers_written = written
        if practice_written or providers_written:
            self._reload_after_write()
            if practice_written:
                self.practice_changed.emit()
            if providers_written:
                self.providers_changed.emit()
        try:
            changed = self.settings.update(self.setting_changes())
        except (SettingsError, StorageError) as exc:
            self._fail(str(exc))
            return False
        for key in changed:
            self.settings_changed.emit(key)
        self.accept()
        return True

    def _reload_after_write(self) -> None:
        """Take what was just written as the new starting point (a later failure on this
        computer's settings then does not write the practice twice)."""
        current = self.providers_page.provider_list.currentRow()
        with self.database.read() as session:
            self.practice_page.stored = read_practice(session)
            providers = list_provider_details(session)
        self.providers_page.load(providers, row=current)

    def _fail(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()

    # ---------------------------------------------------------------- closing

    def reject(self) -> None:
        """Cancel, Escape or the close button: ask before throwing away unsaved changes (a
        close that is refused here leaves the window open: QDialog.closeEvent calls this)."""
        if self.has_changes() and not self._confirm_discard(self):
            return
        super().reject()

    @Slot(int)
    def _on_page_list_current_row_changed(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
