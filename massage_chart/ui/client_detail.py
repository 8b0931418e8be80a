"""The right-hand side of the window: the selected client's header and visits, newest first."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.overviews import ClientOverview
from massage_chart.storage.repositories import VisitSummary
from massage_chart.ui.formatting import (
    format_date,
    format_date_of_birth,
    format_pain,
    format_time_span,
)
from massage_chart.ui.icons import lock_icon
from massage_chart.ui.style import heading, muted

ModelIndex = QModelIndex | QPersistentModelIndex

SELECT_A_CLIENT = "Select a client on the left, or add one with File ▸ New client (Ctrl+N)."
FIRST_CLIENT = "No clients yet.\nAdd the first one with File ▸ New client (Ctrl+N)."


class VisitColumn(enum.IntEnum):
    """Columns of a client's visit list."""

    DATE = 0
    TIME = 1
    PROVIDER = 2
    STATUS = 3
    PAIN = 4
    COMPLAINT = 5
    MARKS = 6


_VISIT_HEADERS = {
    VisitColumn.DATE: "Date",
    VisitColumn.TIME: "Time",
    VisitColumn.PROVIDER: "Therapist",
    VisitColumn.STATUS: "Status",
    VisitColumn.PAIN: "Pain",
    VisitColumn.COMPLAINT: "Chief complaint",
    VisitColumn.MARKS: "Marks",
}

_VISIT_HEADER_TIPS = {
    VisitColumn.TIME: "Time in – time out",
    VisitColumn.PAIN: "Pain before → after the session, 0–10",
    VisitColumn.MARKS: "Findings and treatments charted on the body map",
}


class VisitListModel(QAbstractTableModel):
    """Rows of VisitSummary, newest first, as list_visits returns them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visits: list[VisitSummary] = []
        self._draft_font = QFont()
        self._draft_font.setItalic(True)

    def set_visits(self, visits: Sequence[VisitSummary]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._visits = list(visits)
        self.endResetModel()

    def visit_at(self, row: int) -> VisitSummary | None:
        """The visit shown on ``row``, if the row exists."""
        return self._visits[row] if 0 <= row < len(self._visits) else None

    def row_of(self, visit_id: str) -> int | None:
        """The row of a visit, or None."""
        for row, visit in enumerate(self._visits):
            if visit.id == visit_id:
                return row
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of visits."""
        return 0 if parent.isValid() else len(self._visits)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The columns of VisitColumn."""
        return 0 if parent.isValid() else len(VisitColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Text, lock icon, tooltips and alignment of one cell."""
        visit = self.visit_at(index.row()) if index.isValid() else None
        if visit is None:
            return None
        column = VisitColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _visit_text(visit, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == VisitColumn.STATUS and visit.status is VisitStatus.SIGNED:
                return lock_icon()
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _visit_tooltip(visit, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (VisitColumn.PAIN, VisitColumn.MARKS):
                return Qt.AlignmentFlag.AlignCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole:
            if column == VisitColumn.STATUS and visit.status is VisitStatus.DRAFT:
                return self._draft_font
            return None
        if role == Qt.ItemDataRole.UserRole:
            return visit.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles and what they mean."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(VisitColumn):
            return None
        column = VisitColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _VISIT_HEADERS[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _VISIT_HEADER_TIPS.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (VisitColumn.PAIN, VisitColumn.MARKS):
                return Qt.AlignmentFlag.AlignCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None


def _visit_text(visit: VisitSummary, column: VisitColumn) -> str:
    if column == VisitColumn.DATE:
        return format_date(visit.start.date())
    if column == VisitColumn.TIME:
        return format_time_span(visit.start, visit.end)
    if column == VisitColumn.PROVIDER:
        return visit.provider_name
    if column == VisitColumn.STATUS:
        return "Signed" if visit.status is VisitStatus.SIGNED else "Draft"
    if column == VisitColumn.PAIN:
        return format_pain(visit.pain_before, visit.pain_after)
    if column == VisitColumn.COMPLAINT:
        return " ".join(visit.chief_complaint.split())
    return str(visit.mark_count)


def _visit_tooltip(visit: VisitSummary, column: VisitColumn) -> str | None:
    if column == VisitColumn.STATUS:
        if visit.status is VisitStatus.SIGNED:
            return "Signed: the note is locked; corrections are added as addenda."
        return "Draft: not signed yet."
    if column == VisitColumn.COMPLAINT and visit.chief_complaint:
        return visit.chief_complaint
    if column == VisitColumn.MARKS:
        return f"{visit.mark_count} marks on the body map"
    return "Double-click or press Enter to read the note."


class ClientHeader(QWidget):
    """Name, date of birth with age, contacts, claim and referral of the selected client."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_label = QLabel()
        self.name_label.setAccessibleName("Client name")
        heading(self.name_label, 1.5)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.born_label = self._value_label("Date of birth")
        self.phone_label = self._value_label("Phone")
        self.email_label = self._value_label("Email")
        self.claim_label = self._value_label("Claim")
        self.claim_number_label = self._value_label("Claim number")
        self.referral_label = self._value_label("Referred by")
        self.icd10_label = self._value_label("Diagnosis codes")

        self._contacts = self._form(
            ("Born", self.born_label), ("Phone", self.phone_label), ("Email", self.email_label)
        )
        self._payer = self._form(
            ("Claim", self.claim_label),
            ("Claim no.", self.claim_number_label),
            ("Referred by", self.referral_label),
            ("ICD-10", self.icd10_label),
        )
        facts = QHBoxLayout()
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setSpacing(32)
        facts.addLayout(self._contacts, 1)
        facts.addLayout(self._payer, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.name_label)
        layout.addLayout(facts)

    def show_record(self, record: ClientOverview, today: dt.date) -> None:
        """Fill the header; rows without data are hidden."""
        client = record.client
        name = client.full_name
        if client.preferred_name and client.preferred_name != client.first_name:
            name += f" (“{client.preferred_name}”)"
        self.name_label.setText(name)
        born = format_date_of_birth(client.date_of_birth, today) or "Not recorded"
        self._set(self._contacts, self.born_label, born)
        self._set(self._contacts, self.phone_label, client.phone)
        self._set(self._contacts, self.email_label, client.email)
        claim = record.claim
        self._set(self._payer, self.claim_label, claim.payer if claim is not None else "")
        claim_number = ""
        if claim is not None and claim.claim_number:
            claim_number = claim.claim_number
            if claim.date_of_injury is not None:
                claim_number += f" (injury {format_date(claim.date_of_injury)})"
        self._set(self._payer, self.claim_number_label, claim_number)
        referral = record.referral
        self._set(self._payer, self.referral_label, referral.prescriber if referral else "")
        self._set(
            self._payer, self.icd10_label, ", ".join(referral.icd10_codes) if referral else ""
        )

    def _value_label(self, accessible_name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(accessible_name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def _form(self, *rows: tuple[str, QLabel]) -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for caption, value in rows:
            caption_label = QLabel(caption)
            muted(caption_label)
            caption_label.setBuddy(value)
            form.addRow(caption_label, value)
        return form

    @staticmethod
    def _set(form: QFormLayout, label: QLabel, text: str) -> None:
        label.setText(text)
        form.setRowVisible(label, bool(text))


class ClientDetailPanel(QWidget):
    """The selected client's header and visit list, or a hint when no client is selected.

    Signals:
        visit_opened(visit_id): Enter or a double-click on a visit.
    """

    visit_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = ClientHeader()

        self.visits_title = QLabel("Visits")
        heading(self.visits_title, 1.15)
        self.new_visit_button = QToolButton()
        self.new_visit_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.chart_button = QToolButton()
        self.chart_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.visit_model = VisitListModel(self)
        self.visit_view = QTableView()
        self.visit_view.setModel(self.visit_model)
        self.visit_view.setAccessibleName("Visits")
        self.visit_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.visit_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.visit_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.visit_view.setAlternatingRowColors(True)
        self.visit_view.setShowGrid(False)
        self.visit_view.setWordWrap(False)
        self.visit_view.setTabKeyNavigation(False)
        self.visit_view.verticalHeader().setVisible(False)
        self.visit_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.visit_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.visit_view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        advance = self.fontMetrics().horizontalAdvance
        fixed = {
            VisitColumn.DATE: advance("30 Sep 2026") + 24,
            VisitColumn.TIME: advance("00:00–00:00") + 24,
            VisitColumn.PROVIDER: advance("Alexandra Rivera, LMT") + 24,
            VisitColumn.STATUS: advance("Signed") + 48,
            VisitColumn.PAIN: advance("10 → 10") + 24,
            VisitColumn.MARKS: advance("Marks") + 24,
        }
        for column, width in fixed.items():
            mode = (
                QHeaderView.ResizeMode.Interactive
                if column == VisitColumn.PROVIDER
                else QHeaderView.ResizeMode.Fixed
            )
            header.setSectionResizeMode(column, mode)
            header.resizeSection(column, width)
        header.setSectionResizeMode(VisitColumn.COMPLAINT, QHeaderView.ResizeMode.Stretch)

        self.no_visits_label = QLabel()
        self.no_visits_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_visits_label.setWordWrap(True)
        muted(self.no_visits_label)
        self._visit_stack = QStackedWidget()
        self._visit_stack.addWidget(self.visit_view)
        self._visit_stack.addWidget(self.no_visits_label)

        visits_bar = QHBoxLayout()
        visits_bar.setContentsMargins(0, 0, 0, 0)
        visits_bar.addWidget(self.visits_title)
        visits_bar.addStretch(1)
        visits_bar.addWidget(self.chart_button)
        visits_bar.addWidget(self.new_visit_button)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        record_page = QWidget()
        record_layout = QVBoxLayout(record_page)
        record_layout.setContentsMargins(0, 0, 0, 0)
        record_layout.setSpacing(10)
        record_layout.addWidget(self.header)
        record_layout.addWidget(rule)
        record_layout.addLayout(visits_bar)
        record_layout.addWidget(self._visit_stack, 1)

        self.empty_label = QLabel(SELECT_A_CLIENT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        muted(self.empty_label)

        self._pages = QStackedWidget()
        self._pages.addWidget(self.empty_label)
        self._pages.addWidget(record_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)

        self.visit_view.activated.connect(self._on_visit_view_activated)

        self.record: ClientOverview | None = None

    def show_client(
        self, record: ClientOverview, visits: Sequence[VisitSummary], today: dt.date
    ) -> None:
        """Show a client; the visit that was selected stays selected if it is still there."""
        keep = (
            self.current_visit_id()
            if self.record and self.record.client.id == record.client.id
            else ""
        )
        self.record = record
        self.header.show_record(record, today)
        self.visit_model.set_visits(visits)
        count = len(visits)
        self.visits_title.setText("Visits" if count == 0 else f"Visits ({count})")
        self.no_visits_label.setText(
            f"No visits for {record.client.full_name} yet.\n"
            "Start one with File ▸ New visit (Ctrl+Shift+N)."
        )
        self._visit_stack.setCurrentIndex(0 if count else 1)
        self._pages.setCurrentIndex(1)
        if keep:
            self.select_visit(keep)

    def show_nothing(self, *, practice_is_empty: bool = False) -> None:
        """No client is selected (or there is none yet)."""
        self.empty_label.setText(FIRST_CLIENT if practice_is_empty else SELECT_A_CLIENT)
        self.record = None
        self.visit_model.set_visits(())
        self._pages.setCurrentIndex(0)

    def select_visit(self, visit_id: str) -> bool:
        """Select a visit of the shown client; returns whether it is listed."""
        row = self.visit_model.row_of(visit_id)
        if row is None:
            return False
        index = self.visit_model.index(row, VisitColumn.DATE)
        self.visit_view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.visit_view.scrollTo(index)
        return True

    def current_visit_id(self) -> str:
        """The selected visit's id, or ""."""
        visit = self.current_visit()
        return visit.id if visit else ""

    def current_visit(self) -> VisitSummary | None:
        """The selected visit, or None."""
        index = self.visit_view.currentIndex()
        return self.visit_model.visit_at(index.row()) if index.isValid() else None

    def focus_visits(self) -> None:
        """Move the keyboard into the visit list (after Enter on a client)."""
        if self.visit_model.rowCount() == 0:
            return
        if not self.current_visit_id():
            newest = self.visit_model.visit_at(0)
            if newest is not None:
                self.select_visit(newest.id)
        self.visit_view.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(QModelIndex)
    def _on_visit_view_activated(self, index: QModelIndex) -> None:
        visit = self.visit_model.visit_at(index.row())
        if visit is not None:
            self.visit_opened.emit(visit.id)
