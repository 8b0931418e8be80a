"""An ICD-10-CM code list with a search-as-you-type picker and live check messages."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import icd10
from massage_chart.domain.icd10 import Severity
from massage_chart.domain.marks import Side
from massage_chart.ui.record.fields import (
    icd10_ready,
    icd10_search_ready,
    start_icd10_preload,
    start_icd10_search_preload,
)
from massage_chart.ui.style import error_text, muted

SEARCH_LIMIT = 30
SEARCH_MAX_LENGTH = 100
"""Characters the code search takes (a description search is a few words)."""
POLL_MS = 100
SEARCH_PRELOAD_DELAY_MS = 3000
"""How long the picker is on screen before the code search's index is built unasked (typing a
search builds it at once): not while the window around it is being built and drawn."""


class Icd10Picker(QWidget):
    """The codes of a referral or a visit, primary first, with a search to add more.

    Typing a code ("m54.2") or words ("neck pain") lists matches; Enter or a double-click adds
    the highlighted one. Issues found by ``icd10.check_codes`` are listed under the codes as
    the list changes. The code tables load in a worker thread; until then the picker says so.

    Signals:
        codes_changed(): a code was added, removed or moved.
    """

    codes_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, therapy_visit: bool = True) -> None:
        super().__init__(parent)
        self._codes: list[str] = []
        self._mark_sides: tuple[Side, ...] | None = None
        self._therapy_visit = therapy_visit
        self._read_only = False
        self._described = False
        self.issues: list[icd10.CodeIssue] = []
        self.code_list = QListWidget()
        self.code_list.setAccessibleName("Diagnosis codes")
        self.code_list.setMaximumHeight(92)
        self.code_list.setWordWrap(True)
        self.code_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.search_field = QLineEdit()
        self.search_field.setMaxLength(SEARCH_MAX_LENGTH)
        self.search_field.setPlaceholderText(
            "Add a code: type a code or words (“m54.2”, “neck pain”)"
        )
        self.search_field.setAccessibleName("Search ICD-10 codes")
        self.search_field.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Matching codes")
        self.results.setMaximumHeight(120)
        self.results.hide()
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.issues_label = QLabel()
        self.issues_label.setWordWrap(True)
        self.issues_label.setTextFormat(Qt.TextFormat.PlainText)
        self.issues_label.setAccessibleName("Code problems")
        error_text(self.issues_label)
        self.issues_label.hide()
        self.status_label = QLabel()
        muted(self.status_label)
        self.status_label.hide()

        buttons = QVBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.code_list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.search_field)
        layout.addWidget(self.results)
        layout.addWidget(self.status_label)
        layout.addWidget(self.issues_label)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self.search_field.textChanged.connect(self._on_search_field_text_changed)
        self.search_field.returnPressed.connect(self._on_search_field_return_pressed)
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        start_icd10_preload()
        QTimer.singleShot(SEARCH_PRELOAD_DELAY_MS, self, start_icd10_search_preload)

    # ------------------------------------------------------------------ public

    def codes(self) -> list[str]:
        """The codes, primary first."""
        return list(self._codes)

    def set_codes(self, codes: Sequence[str]) -> None:
        """Show these codes (without signalling a change)."""
        self._codes = [str(code) for code in codes]
        self._refresh()

    def set_mark_sides(self, sides: Sequence[Side] | None) -> None:
        """The sides of the chart's marks, for the laterality check."""
        self._mark_sides = tuple(sides) if sides is not None else None
        self._refresh_issues()

    def set_read_only(self, read_only: bool) -> None:
        """Show the codes without letting them change."""
        self._read_only = read_only
        for widget in (self.search_field, self.remove_button, self.up_button):
            widget.setVisible(not read_only)
        self.results.hide()

    def add_code(self, text: str) -> bool:
        """Add a typed code (normalised); False when it is empty or already listed."""
        code = icd10.normalise_code(text)
        if not code or code in self._codes:
            return False
        self._codes.append(code)
        self._refresh()
        self.codes_changed.emit()
        return True

    def issue_messages(self) -> list[str]:
        """The check messages on show."""
        text = self.issues_label.text()
        return [line.removeprefix("• ") for line in text.splitlines() if line]

    # ------------------------------------------------------------------ internals

    def _refresh(self) -> None:
        self._described = icd10_ready()
        self.code_list.clear()
        for index, code in enumerate(self._codes):
            description = icd10.describe(code) if icd10_ready() else None
            pointer = chr(ord("A") + index) if index < 12 else "·"
            text = f"{pointer}  {code}" + (f" — {description}" if description else "")
            self.code_list.addItem(QListWidgetItem(text))
        self._refresh_issues()

    def _refresh_issues(self) -> None:
        if not icd10_ready():
            self.status_label.setText("Loading the ICD-10-CM code set…")
            self.status_label.show()
            self._poll.start()
            return
        self.status_label.hide()
        issues = icd10.check_codes(
            self._codes, mark_sides=self._mark_sides, therapy_visit=self._therapy_visit
        )
        self.issues = issues
        lines = []
        for issue in issues:
            marker = "" if issue.severity is Severity.ERROR else "(check) "
            lines.append(f"• {marker}{issue.message}")
        self.issues_label.setText("\n".join(lines))
        self.issues_label.setVisible(bool(lines))

    def _search(self) -> None:
        text = self.search_field.text().strip()
        self.results.clear()
        if not text:
            self.results.hide()
            return
        if not icd10_search_ready():
            start_icd10_search_preload()
            self.status_label.setText("Loading the ICD-10-CM code set… the search starts soon.")
            self.status_label.show()
            self._poll.start()
            return
        for match in icd10.search_codes(text, limit=SEARCH_LIMIT):
            suffix = "" if match.billable else "  (category: pick a more specific code)"
            item = QListWidgetItem(f"{match.code} — {match.description}{suffix}")
            item.setData(Qt.ItemDataRole.UserRole, match.code)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.results.setVisible(True)
        if not self.results.count():
            self.results.addItem("No code matches; check the spelling or type the code.")

    # ------------------------------------------------------------------ handlers

    @Slot()
    def _on_poll_timeout(self) -> None:
        if not icd10_ready():
            return
        self._poll.stop()
        if not self._described:  # the codes waited for the code set
            self._refresh()
        self._search()  # polls again while the search index is still being built

    @Slot(str)
    def _on_search_field_text_changed(self, _text: str) -> None:
        self._search()

    @Slot()
    def _on_search_field_return_pressed(self) -> None:
        item = self.results.currentItem()
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if code is None and icd10_ready():
            typed = icd10.normalise_code(self.search_field.text())
            code = typed if icd10.is_valid_code(typed) else None
        if code and self.add_code(str(code)):
            self.search_field.clear()

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code and self.add_code(str(code)):
            self.search_field.clear()

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        row = self.code_list.currentRow()
        if 0 <= row < len(self._codes) and not self._read_only:
            del self._codes[row]
            self._refresh()
            self.codes_changed.emit()

    @Slot()
    def _on_up_button_clicked(self) -> None:
        row = self.code_list.currentRow()
        if 0 < row < len(self._codes) and not self._read_only:
            self._codes[row - 1], self._codes[row] = self._codes[row], self._codes[row - 1]
            self._refresh()
            self.code_list.setCurrentRow(row - 1)
            self.codes_changed.emit()
