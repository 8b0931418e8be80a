"""The first run: set up the practice and the first provider, learn where the records live.

Shown once, when the app opens a brand-new database (no practice name, no provider, no client).
It asks each thing once and writes it through the same step as Settings, where everything can be
changed later. It also offers the demo practice, in its own database and its own window, so real
records never mix with made-up ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from massage_chart.storage.database import Database, StorageError, open_database, user_data_dir
from massage_chart.storage.practice import list_provider_details, read_practice
from massage_chart.storage.repositories import count_clients
from massage_chart.storage.settings import Settings
from massage_chart.ui.practice_document import READ_ERRORS
from massage_chart.ui.settings.dialog import Refusal, write_practice_and_providers
from massage_chart.ui.settings.fields import ImageChooser, choose_image_file
from massage_chart.ui.settings.practice_page import PracticePage, editor_text
from massage_chart.ui.settings.providers_page import ProvidersPage
from massage_chart.ui.style import error_text, muted

DEMO_FILE = "demo.db"


def demo_command(database_path: Path) -> list[str]:
    """The command that opens the app on another database (the built app is its own program)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--db", str(database_path)]
    return [sys.executable, "-m", "massage_chart", "--db", str(database_path)]


def open_demo_practice(
    folder: Path | None = None, start: Callable[[list[str]], bool] | None = None
) -> Path:
    """Seed the demo practice into its own database (once) and open it in a new window.

    Returns:
        The demo database file.

    Raises:
        StorageError: the demo database could not be made or the app could not be started.
    """
    from massage_chart.demo import seed_demo  # the demo's data is only loaded when asked for

    path = (folder or user_data_dir()) / DEMO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    demo = open_database(str(path))
    try:
        with demo.read() as session:
            empty = count_clients(session) == 0
        if empty:
            seed_demo(demo)
    finally:
        demo.dispose()
    command = demo_command(path)
    started = (start or _start_detached)(command)
    if not started:
        raise StorageError(f"The demo practice is ready in {path}, but its window did not open.")
    return path


def _start_detached(command: list[str]) -> bool:
    ok, _pid = QProcess.startDetached(command[0], command[1:], os.getcwd())
    return bool(ok)


class _IntroPage(QWizardPage):
    def __init__(self, database: Database, settings: Settings, wizard: WelcomeWizard) -> None:
        super().__init__()
        self.setTitle("Welcome to Massage Chart")
        self.setSubTitle("A few details first, so your notes carry your practice and your name.")
        where = database.file or database.display_name
        backups = settings.backup_folder(database.file) if database.file else None
        lines = [
            f"<p><b>Your records</b> are kept on this computer in <code>{_escape(str(where))}"
            "</code>. Every change is saved the moment you make it: there is no Save button.</p>",
            "<p><b>Backups</b> are made and checked at the start of each day and when you close "
            "the app"
            + (f", in <code>{_escape(str(backups))}</code>" if backups else "")
            + ". Choose another folder (a USB stick, a synced folder) in Settings &gt; Backups."
            "</p>",
            "<p><b>Next</b>: your practice's letterhead, then your own details as the "
            "therapist who signs. Everything can be changed later in Edit &gt; Settings.</p>",
        ]
        self.text = text = QLabel("".join(lines))
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.demo_button = QPushButton("Explore the demo practice first…")
        self.demo_button.setToolTip(
            "Opens a made-up practice in its own window and its own database; your records "
            "stay apart"
        )
        self.demo_problem = QLabel()
        self.demo_problem.setWordWrap(True)
        error_text(self.demo_problem)
        self.demo_problem.hide()
        self.demo_note = QLabel()
        self.demo_note.setWordWrap(True)
        muted(self.demo_note)
        self.demo_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.demo_problem)
        layout.addWidget(self.demo_note)
        layout.addStretch(1)
        self.demo_button.clicked.connect(wizard.open_demo)


class _PracticeStep(QWizardPage):
    def __init__(self, page: PracticePage) -> None:
        super().__init__()
        self.setTitle("Your practice")
        self.setSubTitle("The letterhead of every SOAP note and visit summary.")
        self.page = page
        layout = QVBoxLayout(self)
        layout.addWidget(page)

    def validatePage(self) -> bool:
        problem = self.page.check()
        name = self.page.practice_fields["name"]
        if problem is None and not editor_text(name.editor).strip():
            name.show_problem("Type the practice's name: it heads every note.")
            problem = name
        if problem is not None:
            problem.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True


class _ProviderStep(QWizardPage):
    def __init__(self, page: ProvidersPage) -> None:
        super().__init__()
        self.setTitle("You, the therapist")
        self.setSubTitle(
            "Your name and credentials as they go on a signed note; the licence number and NPI "
            "are what insurers check. Add colleagues now or later."
        )
        self.page = page
        layout = QVBoxLayout(self)
        layout.addWidget(page)

    def initializePage(self) -> None:
        if not self.page.drafts:
            self.page.add_provider_button.click()

    def validatePage(self) -> bool:
        problem = self.page.check()
        if problem is not None:
            problem.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True


class _SafetyStep(QWizardPage):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.setTitle("Keeping the records private")
        self.setSubTitle("Both can be set now or later in Edit > Settings > Security.")
        self.password_box = QCheckBox("Set an unlock password for the idle lock now")
        self.password_box.setChecked(True)
        self.encrypt_box = QCheckBox("Encrypt the database and its backups with a passphrase now")
        self.encrypt_box.setEnabled(database.file is not None and not database.is_encrypted)
        explain = QLabel(
            "The idle lock hides client details when the laptop is left alone; the unlock "
            "password opens it again.\n\nEncryption protects the records if the laptop or a "
            "backup is lost or stolen. Keep the passphrase somewhere safe: without it nobody, "
            "including us, can read the records."
        )
        explain.setWordWrap(True)
        muted(explain)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        error_text(self.problem)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.password_box)
        layout.addWidget(self.encrypt_box)
        layout.addSpacing(8)
        layout.addWidget(explain)
        layout.addStretch(1)
        layout.addWidget(self.problem)


class WelcomeWizard(QWizard):
    """Set up a new practice in four steps; the practice and providers are written at Finish.

    Signals:
        practice_written: the practice and the first provider are in the database.
    """

    practice_written = Signal()

    def __init__(
        self,
        database: Database,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        choose_image: ImageChooser = choose_image_file,
        demo: Callable[[], Path] = open_demo_practice,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self._demo = demo
        self.setWindowTitle("Welcome to Massage Chart")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.practice_page = PracticePage(choose_image)
        self.providers_page = ProvidersPage(choose_image)
        try:
            with database.read() as session:
                self.practice_page.load(read_practice(session))
                self.providers_page.load(list_provider_details(session))
        except READ_ERRORS:
            pass  # a new database reads; if not, the pages start empty and saving says why
        self.intro = _IntroPage(database, settings, self)
        self.practice_step = _PracticeStep(self.practice_page)
        self.provider_step = _ProviderStep(self.providers_page)
        self.safety_step = _SafetyStep(database)
        for page in (self.intro, self.practice_step, self.provider_step, self.safety_step):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start charting")
        self.resize(820, 640)

    @property
    def wants_password(self) -> bool:
        """The user asked to set an unlock password after the welcome."""
        return self.safety_step.password_box.isChecked()

    @property
    def wants_encryption(self) -> bool:
        """The user asked to encrypt the database after the welcome."""
        return self.safety_step.encrypt_box.isEnabled() and self.safety_step.encrypt_box.isChecked()

    def open_demo(self) -> None:
        """Open the demo practice in its own window (seeding it the first time)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            path = self._demo()
        except (StorageError, OSError) as exc:
            self.intro.demo_note.hide()
            self.intro.demo_problem.setText(f"The demo practice could not be opened: {exc}")
            self.intro.demo_problem.show()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.intro.demo_problem.hide()
        self.intro.demo_note.setText(
            f"The demo practice opens in its own window ({path}). Come back here to set up "
            "your own."
        )
        self.intro.demo_note.show()

    def accept(self) -> None:
        """Write the practice and the providers; on a problem stay open with everything typed."""
        written = write_practice_and_providers(
            self.database, self.practice_page, self.providers_page
        )
        if isinstance(written, Refusal):
            if written.provider_row >= 0:
                self.providers_page.show_refusal(
                    written.provider_row, written.field, written.message
                )
            self.safety_step.problem.setText(f"Not saved: {written.message}")
            self.safety_step.problem.show()
            return
        self.practice_written.emit()
        super().accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
