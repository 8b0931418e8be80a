"""The visit window: the body chart and the SOAP note of one visit side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.database import Database
from massage_chart.storage.drafts import DraftStore
from massage_chart.ui.chart import VisitChartWindow
from massage_chart.ui.chart.visit_document import ChartDocument
from massage_chart.ui.note.editor import VisitNoteEditor

#: Below this width the note keeps its billing under the SOAP parts, not beside them.
NARROW_NOTE = 1000
#: Below this width the chart's legend shows codes and keys only, to leave the map room.
ROOMY_CHART = 1100
#: The alerts above chart and note scroll beyond this height (pixels).
ALERTS_MAX_HEIGHT = 170
#: Where the choice to fold the note away is kept (QSettings).
NOTE_SHOWN_KEY = "visit_window/note_shown"


class VisitWindow(QMainWindow):
    """Chart and write up one visit in one window, both parts on the visit's shared document.

    The chart (left) and the note (right) share the document's marks: a mark charted on the
    left shows in the note's findings and Objective draft at once. Either side folds away (never
    both); whether the note was folded is kept for the next visit. Chart commands act only
    while working in the chart, so what is typed in the note is the note's.

    Args:
        database: the open database.
        visit_id: the visit.
        document: its shared document (``ui.visit_documents``).
        now, today, drafts: as for ``VisitNoteEditor``.

    Signals:
        closed(visit_id): the window closed for good (the note saved or its changes let go).
    """

    closed = Signal(str)

    def __init__(
        self,
        database: Database,
        visit_id: str,
        parent: QWidget | None = None,
        *,
        document: ChartDocument,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        today: Callable[[], dt.date] = dt.date.today,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.visit_id = visit_id
        self.document = document
        self.chart = VisitChartWindow(database, visit_id, document=document)
        self.note = VisitNoteEditor(
            database,
            visit_id,
            now=now,
            today=today,
            drafts=drafts,
            document=document,
            client_alerts_elsewhere=True,  # above chart and note (``_build_alerts``)
        )
        self.note.set_billing_below(True)  # until the note is found wide enough
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.note)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._build_alerts()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.alerts_area)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self._closing = False
        self.chart.closed.connect(self._on_part_closed)
        self.note.closed.connect(self._on_part_closed)
        self.chart.windowTitleChanged.connect(self._on_part_title_changed)
        self._on_part_title_changed()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._shown_once = False
        self._fit_to_screen()
        self._restore_layout()

    # ------------------------------------------------------------------ building

    def _build_alerts(self) -> None:
        """The client's alerts once, above chart and note, as charting and signing follow them."""
        self.alerts_panel = self.chart.take_alerts_panel()
        self.alerts_area = QScrollArea()
        self.alerts_area.setWidget(self.alerts_panel)
        self.alerts_area.setWidgetResizable(True)
        self.alerts_area.setFrameShape(QFrame.Shape.NoFrame)
        self.alerts_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.alerts_area.setMaximumHeight(ALERTS_MAX_HEIGHT)
        self.alerts_area.setAccessibleName("Alerts for this visit")
        self.note.take_overrides(self.alerts_panel.overrides)
        self.alerts_panel.changed.connect(self._on_alerts_panel_changed)
        self.alerts_panel.override_recorded.connect(self._on_alerts_panel_override_recorded)
        self._on_alerts_panel_changed()

    def _build_actions(self) -> None:
        self.show_note_action = QAction("Note", self)
        self.show_note_action.setCheckable(True)
        self.show_note_action.setChecked(True)
        self.show_note_action.setShortcut(QKeySequence("F8"))
        self.show_note_action.setToolTip("Show or fold away the SOAP note (F8)")
        self.show_note_action.toggled.connect(self._on_show_note_toggled)
        self.show_chart_action = QAction("Chart", self)
        self.show_chart_action.setCheckable(True)
        self.show_chart_action.setChecked(True)
        self.show_chart_action.setShortcut(QKeySequence("Shift+F8"))
        self.show_chart_action.setToolTip("Show or fold away the body chart (Shift+F8)")
        self.show_chart_action.toggled.connect(self._on_show_chart_toggled)
        self.switch_action = QAction("Switch between chart and note", self)
        self.switch_action.setShortcut(QKeySequence("F6"))
        self.switch_action.triggered.connect(self.switch_part)
        self.close_action = QAction("Close", self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        for action in (
            self.show_note_action,
            self.show_chart_action,
            self.switch_action,
            self.close_action,
        ):
            self.addAction(action)
        bar = self.chart.charting_toolbar
        bar.addSeparator()
        bar.addAction(self.show_note_action)
        self.note.add_header_action(self.show_chart_action)

    def _fit_to_screen(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1880, 1000
        if screen is not None:
            width = min(width, screen.width())
            height = min(height, screen.height())
        self.resize(width, height)  # shared between chart and note once shown

    def _share_width(self) -> None:
        """Three fifths of the width to the chart, the rest to the note."""
        width = self.width()
        self.splitter.setSizes([width * 3 // 5, width - width * 3 // 5])

    def _restore_layout(self) -> None:
        """Fold the note away if it was folded in the last visit window. (The widths are not
        kept: shares of one screen do not fit another.)"""
        self.show_note_action.setChecked(_note_kept_shown(QSettings()))

    def _keep_layout(self) -> None:
        """Keep whether the note was folded, written only when it changed (writing the settings
        file at every close took milliseconds of each visit window's closing)."""
        settings = QSettings()
        shown = self.show_note_action.isChecked()
        if _note_kept_shown(settings) != shown:
            settings.setValue(NOTE_SHOWN_KEY, shown)

    # ------------------------------------------------------------------ public

    def show_chart(self) -> VisitChartWindow:
        """Bring the chart forward (unfolded) and put the keyboard in it."""
        self.show_chart_action.setChecked(True)
        self.chart.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return self.chart

    def show_note(self) -> VisitNoteEditor:
        """Bring the note forward (unfolded) and put the keyboard in it."""
        self.show_note_action.setChecked(True)
        self.note.focus_first_field()
        return self.note

    @Slot()
    def switch_part(self) -> None:
        """Move the keyboard between the chart and the note (F6)."""
        focus = QApplication.focusWidget()
        in_chart = focus is not None and self.chart.isAncestorOf(focus)
        if in_chart and self.note.isVisible():
            self.show_note()
        elif self.chart.isVisible():
            self.show_chart()

    # ------------------------------------------------------------------ events

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self._share_width()
            self._lay_out()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def _lay_out(self) -> None:
        """Fit the parts to their widths: billing under the note's SOAP parts when the note is
        narrow, the charting tools on a second row when the chart is, alerts no taller than
        they need."""
        if self.isVisible():  # the parts have their widths only once shown
            self.note.set_billing_below(self.note.width() < NARROW_NOTE)
            self.chart.set_compact(self.chart.width() < ROOMY_CHART)
            self.chart.fold_toolbars(self.chart.width() < self.chart.toolbars_width())
        needed = self.alerts_panel.heightForWidth(self.alerts_area.viewport().width())
        if needed < 0:
            needed = self.alerts_panel.sizeHint().height()
        self.alerts_area.setFixedHeight(min(needed, ALERTS_MAX_HEIGHT))

    def closeEvent(self, event: QCloseEvent) -> None:
        """The note saves (or asks about text it could not save) before the window goes."""
        self._closing = True
        try:
            if not self.note.close():
                event.ignore()
                self.raise_()
                return
            self._keep_layout()
            self.chart.close()
        finally:
            self._closing = False
        super().closeEvent(event)
        self.closed.emit(self.visit_id)

    @Slot()
    def _on_part_closed(self) -> None:
        """A part closed on its own (closed, not folded): the visit window goes with it."""
        if not self._closing and self.isVisible():
            self.close()

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_alerts_panel_changed(self) -> None:
        self.alerts_area.setVisible(self.alerts_panel.has_content())
        self._lay_out()

    @Slot(str)
    def _on_alerts_panel_override_recorded(self, _code: str) -> None:
        self.note.take_overrides(self.alerts_panel.overrides)

    @Slot()
    def _on_part_title_changed(self) -> None:
        self.setWindowTitle(self.chart.windowTitle().replace("Chart — ", "Visit — ", 1))

    @Slot(bool)
    def _on_show_note_toggled(self, shown: bool) -> None:
        if not shown and not self.chart.isVisible():
            self.show_chart_action.setChecked(True)
        self.note.setVisible(shown)
        QTimer.singleShot(0, self, self._lay_out)  # once the splitter has shared the width

    @Slot(bool)
    def _on_show_chart_toggled(self, shown: bool) -> None:
        if not shown and not self.note.isVisible():
            self.show_note_action.setChecked(True)
        self.chart.setVisible(shown)
        QTimer.singleShot(0, self, self._lay_out)  # once the splitter has shared the width


def _note_kept_shown(settings: QSettings) -> bool:
    """Whether the last visit window left its note shown (the settings file keeps "false" as
    text on some platforms)."""
    return settings.value(NOTE_SHOWN_KEY, True) not in (False, "false")
