"""The client record window: every field of the record, the health history, and safety alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.alerts import Alert, assess_health
from massage_chart.domain.client_file import ClientFile
from massage_chart.storage.client_records import (
    add_clearance,
    health_snapshot,
    save_claim,
    save_consent,
    save_referral,
    update_client,
)
from massage_chart.storage.database import Database
from massage_chart.storage.overviews import load_client_file
from massage_chart.storage.repositories import (
    add_health_history_version,
)
from massage_chart.ui.dialogs import ask_to_discard
from massage_chart.ui.formatting import format_date_of_birth
from massage_chart.ui.practice_document import READ_ERRORS, WRITE_ERRORS, describe_error
from massage_chart.ui.record.alerts_banner import AlertsBanner
from massage_chart.ui.record.coverage import ClaimsPage, ConsentsPage, ReferralsPage
from massage_chart.ui.record.details import ClientDetailsPage
from massage_chart.ui.record.details_commands import SaveDetailsCommand
from massage_chart.ui.record.health_history import HealthHistoryPage
from massage_chart.ui.style import heading, muted


class RecordTab:
    """Tab positions of the record window."""

    DETAILS = 0
    HEALTH = 1
    CLAIMS = 2
    REFERRALS = 3
    CONSENTS = 4


class ClientRecordDialog(QDialog):
    """The whole client record in tabs, with the client's safety alerts above them.

    Every save is one short write session; a failed save says why and keeps what was typed.

    Args:
        database: the open database.
        client_id: whose record.
        today: the calendar (a seam for tests).

    Signals:
        record_changed(client_id): something was saved (the main window re-reads the client).
    """

    record_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        client_id: str,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.client_id = client_id
        self._today = today
        self.alerts: list[Alert] = []
        self.unsaved_box: QMessageBox | None = None
        self._discarding = False
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("Client record")
        self.title_label = QLabel()
        heading(self.title_label, 1.3)
        self.subtitle_label = QLabel()
        muted(self.subtitle_label)
        self.banner = AlertsBanner()
        self.details_page = ClientDetailsPage(today)
        self.health_page = HealthHistoryPage()
        self.claims_page = ClaimsPage(today)
        self.referrals_page = ReferralsPage(today)
        self.consents_page = ConsentsPage(today)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details_page, "&Details")
        self.tabs.addTab(self.health_page, "&Health history")
        self.tabs.addTab(self.claims_page, "&Insurance")
        self.tabs.addTab(self.referrals_page, "&Referrals")
        self.tabs.addTab(self.consents_page, "C&onsents")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = QToolButton()
        self.undo_button.setDefaultAction(self.undo_stack.createUndoAction(self, "&Undo"))
        self.undo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.redo_button = QToolButton()
        self.redo_button.setDefaultAction(self.undo_stack.createRedoAction(self, "Re&do"))
        self.redo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.redo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(1100, 720)

        self.details_page.save_requested.connect(self._on_details_page_save_requested)
        self.health_page.save_requested.connect(self._on_health_page_save_requested)
        self.claims_page.save_requested.connect(self._on_claims_page_save_requested)
        self.referrals_page.save_requested.connect(self._on_referrals_page_save_requested)
        self.consents_page.save_requested.connect(self._on_consents_page_save_requested)
        self.banner.clearance_requested.connect(self._on_banner_clearance_requested)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.activated.connect(self._on_save_shortcut_activated)
        self.reload()

    # ------------------------------------------------------------------ public

    def reload(self, *, keep_details: bool = False) -> bool:
        """Read the record again in one session; False (after saying why) when it cannot be read."""
        try:
            with self.database.read() as session:
                record = load_client_file(session, self.client_id)
                snapshot = health_snapshot(session, self.client_id, today=self._today())
        except READ_ERRORS as exc:
            self.details_page.problem_label.say(describe_error(exc))
            return False
        self._show(record, keep_details=keep_details)
        self.alerts = assess_health(snapshot, today=self._today())
        self.banner.show_alerts(self.alerts, can_record_clearance=True)
        return True

    def save_details(self) -> bool:
        """Validate and save the Details tab; True when saved."""
        values = self.details_page.validate()
        if values is None:
            self.tabs.setCurrentIndex(RecordTab.DETAILS)
            return False
        try:
            with self.database.write() as session:
                before = update_client(session, self.client_id, **values)
        except WRITE_ERRORS as exc:
            self.details_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self.details_page.mark_saved()
        if before:
            after = {name: values[name] for name in before}
            self.undo_stack.push(SaveDetailsCommand(before, after, self._write_details))
        self._saved("Details saved.")
        return True

    def _write_details(self, fields: dict[str, Any]) -> str:
        """Write client fields for an undo step; returns why it failed, or ""."""
        try:
            with self.database.write() as session:
                update_client(session, self.client_id, **fields)
        except WRITE_ERRORS as exc:
            message = f"Could not undo or redo: {describe_error(exc)}"
            self.details_page.problem_label.say(message)
            return message
        # Only the fields of this step change on screen; anything else being typed stays.
        self.details_page.set_stored(fields)
        self.details_page.problem_label.say("")
        self._saved("Details changed back." if self.undo_stack.canRedo() else "Details saved.")
        return ""

    def save_health_history(self) -> bool:
        """Write the health history as a new version; True when saved."""
        values = self.health_page.values()
        try:
            with self.database.write() as session:
                add_health_history_version(
                    session,
                    self.client_id,
                    conditions=values.conditions,
                    medications=values.medications,
                    allergies=values.allergies,
                    surgeries=values.surgeries,
                    injuries=values.injuries,
                    pregnant=values.pregnant,
                    pregnancy_weeks=values.pregnancy_weeks,
                    notes=values.notes,
                )
        except WRITE_ERRORS as exc:
            self.health_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self._saved("Health history saved as a new version.")
        return True

    def save_claim(self) -> bool:
        """Validate and save the claim on show; True when saved."""
        values = self.claims_page.validate()
        if values is None:
            return False
        try:
            with self.database.write() as session:
                claim_id = save_claim(
                    session, self.client_id, self.claims_page.current_id, **values
                ).id
        except WRITE_ERRORS as exc:
            self.claims_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self.claims_page.current_id = claim_id
        self._saved("Claim saved.")
        return True

    def save_referral(self) -> bool:
        """Validate and save the referral on show; True when saved."""
        values = self.referrals_page.validate()
        if values is None:
            return False
        try:
            with self.database.write() as session:
                referral_id = save_referral(
                    session, self.client_id, self.referrals_page.current_id, **values
                ).id
        except WRITE_ERRORS as exc:
            self.referrals_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self.referrals_page.current_id = referral_id
        self._saved("Referral saved.")
        return True

    def save_consent(self) -> bool:
        """Validate and save the consent on show; True when saved."""
        values = self.consents_page.validate()
        if values is None:
            return False
        try:
            with self.database.write() as session:
                consent_id = save_consent(
                    session, self.client_id, self.consents_page.current_id, **values
                ).id
        except WRITE_ERRORS as exc:
            self.consents_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self.consents_page.current_id = consent_id
        self._saved("Consent saved.")
        return True

    def record_clearance(self, code: str) -> bool:
        """Record that a physician clearance for an alert is on file, dated today."""
        try:
            with self.database.write() as session:
                add_clearance(session, self.client_id, [code], signed_on=self._today())
        except WRITE_ERRORS as exc:
            self.details_page.problem_label.say(f"Not saved: {describe_error(exc)}")
            return False
        self._saved("Clearance recorded.")
        return True

    # ------------------------------------------------------------------ internals

    def _saved(self, message: str) -> None:
        self.reload(keep_details=True)
        self.subtitle_label.setText(f"{self._subtitle} — {message}")
        self.record_changed.emit(self.client_id)

    def _show(self, record: ClientFile, *, keep_details: bool) -> None:
        client = record.client
        self.setWindowTitle(f"{client.full_name} — Client record")
        self.title_label.setText(client.full_name or "Client record")
        born = format_date_of_birth(client.date_of_birth, self._today())
        self._subtitle = born or "Date of birth not recorded"
        self.subtitle_label.setText(self._subtitle)
        if not keep_details or not self.details_page.is_modified():
            self.details_page.load(client)
        self.health_page.load(record.histories)
        self.claims_page.load(record.claims, self.claims_page.current_id)
        self.referrals_page.load(record.referrals, record.claims, self.referrals_page.current_id)
        self.consents_page.load(record.consents, self.consents_page.current_id)

    def reject(self) -> None:
        """Close (button, Escape or the title bar), saving typed details first.

        If they cannot be saved, ask before throwing them away; the dialog stays open meanwhile.
        """
        if not self._discarding and self.details_page.is_modified() and not self.save_details():
            self.unsaved_box = ask_to_discard(
                self,
                "Details not saved",
                "Some details could not be saved (see the messages in red). Keep editing, or "
                "close and lose those changes?",
                self._on_unsaved_box_finished,
                icon=QMessageBox.Icon.Warning,
                delete_on_close=True,
            )
            return
        super().reject()

    # ------------------------------------------------------------------ handlers

    @Slot(int)
    def _on_unsaved_box_finished(self, result: int) -> None:
        self.unsaved_box = None
        if result == QMessageBox.StandardButton.Discard.value:
            self._discarding = True
            self.reject()

    @Slot()
    def _on_details_page_save_requested(self) -> None:
        self.save_details()

    @Slot()
    def _on_health_page_save_requested(self) -> None:
        self.save_health_history()

    @Slot()
    def _on_claims_page_save_requested(self) -> None:
        self.save_claim()

    @Slot()
    def _on_referrals_page_save_requested(self) -> None:
        self.save_referral()

    @Slot()
    def _on_consents_page_save_requested(self) -> None:
        self.save_consent()

    @Slot(str)
    def _on_banner_clearance_requested(self, code: str) -> None:
        self.record_clearance(code)

    @Slot()
    def _on_save_shortcut_activated(self) -> None:
        page = self.tabs.currentWidget()
        if page is self.details_page:
            self.save_details()
        elif page is self.health_page:
            self.save_health_history()
        elif page is self.claims_page:
            self.save_claim()
        elif page is self.referrals_page:
            self.save_referral()
        elif page is self.consents_page:
            self.save_consent()
