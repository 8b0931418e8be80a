"""The progress window: pain before and after across visits, and findings per region over time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractSeries,
    QLineSeries,
    QScatterSeries,
)
from PySide6.QtCore import QDate, QPointF, Qt, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.comparison import MEANINGFUL_CHANGE
from massage_chart.export.atomic import ExportError
from massage_chart.export.progress_report import ProgressReportError, export_progress
from massage_chart.storage.client_records import PainPoint, RegionTrend, pain_series, region_trends
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import NotFoundError, get_client
from massage_chart.ui.export_actions import AskSavePath, ask_save_path
from massage_chart.ui.formatting import MONTHS
from massage_chart.ui.practice_document import READ_ERRORS, describe_error
from massage_chart.ui.progress.chart_time import DateChart, msecs
from massage_chart.ui.progress.outcomes_panel import OutcomesPanel
from massage_chart.ui.progress.pain_map_panel import PainMapPanel
from massage_chart.ui.progress.region_chart import RegionChart
from massage_chart.ui.style import heading, muted
from massage_chart.ui.tables import fill_table, table_rows

BEFORE_COLOUR = QColor("#c0392b")
AFTER_COLOUR = QColor("#1f6fb2")


def _short_date(point: PainPoint) -> str:
    return f"{point.start.day} {MONTHS[point.start.month - 1]}"


class PainChart(DateChart):
    """Pain (0-10) before and after each visit on a true date axis, plotted with Qt Charts; a
    draft's score is a hollow dot (it may still change), a gap where a score was not taken."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Pain before and after each visit", "pain (0-10)", 10, 6, parent=parent)
        self.points: list[PainPoint] = []
        self._series: list[QAbstractSeries] = []
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignRight)

    def set_points(self, points: Sequence[PainPoint]) -> None:
        """Show these visits (oldest first)."""
        self.points = [p for p in points if p.pain_before is not None or p.pain_after is not None]
        self.setToolTip(
            "\n".join(
                f"{_short_date(p)}: before {_score(p.pain_before)}, after {_score(p.pain_after)}"
                + ("" if p.signed else " (draft, not yet signed)")
                for p in self.points
            )
        )
        chart = self.chart()
        chart.removeAllSeries()
        self._series = []
        chart.setTitle("" if self.points else "No pain scores recorded yet.")
        paper = self.paper
        for colour, attribute, name in (
            (BEFORE_COLOUR, "pain_before", "Before treatment"),
            (AFTER_COLOUR, "pain_after", "After treatment"),
        ):
            segments: list[QLineSeries] = []
            filled, hollow = QScatterSeries(), QScatterSeries()
            for dots, fill in ((filled, colour), (hollow, paper)):
                dots.setMarkerSize(8)
                dots.setColor(fill)
                dots.setBorderColor(colour)
            line: QLineSeries | None = None
            for point in self.points:
                value = getattr(point, attribute)
                if value is None:
                    line = None  # a gap where a score was not taken
                    continue
                if line is None:
                    line = QLineSeries()
                    line.setName(name)
                    line.setPen(QPen(colour, 2.2))
                    segments.append(line)
                x = msecs(point.start)
                line.append(x, value)
                (filled if point.signed else hollow).append(x, value)
            for series in (*segments, filled, hollow):
                chart.addSeries(series)
                series.attachAxis(self.x_axis)
                series.attachAxis(self.y_axis)
                self._series.append(series)
            for series in (*segments[1:], filled, hollow):  # one legend entry per line
                for marker in chart.legend().markers(series):
                    marker.setVisible(False)
        if self.points:
            self.span_dates(self.points[0].start, self.points[-1].start, len(self.points))

    def point_at(self, index: int, value: int) -> QPointF:
        """Where a visit's score is drawn, in the view's coordinates: across by its date (a
        month's gap looks like one), up by the score."""
        chart = self.chart()
        series = self._series[0] if self._series else None
        inside = chart.mapToPosition(QPointF(msecs(self.points[index].start), value), series)
        return QPointF(self.mapFromScene(chart.mapToScene(inside)))


def _score(value: int | None) -> str:
    return "—" if value is None else f"{value}/10"


def trend_sentence(trend: RegionTrend) -> str:
    """ "3 visits ago 7/10, now 3/10" (or how the finding was charted when it has no scores)."""
    rated = [(when, value) for when, value in trend.values if value is not None]
    if len(rated) >= 2:
        ago = len(trend.values) - 1
        visits = "1 visit ago" if ago == 1 else f"{ago} visits ago"
        series = " → ".join("·" if value is None else str(value) for _, value in trend.values)
        return f"{visits} {trend.first}/10, now {trend.last}/10  ({series})"
    if rated:
        return f"{rated[0][1]}/10 (rated once)"
    count = len(trend.values)
    last = trend.values[-1][0]
    plural = "" if count == 1 else "s"
    return f"charted on {count} visit{plural}, last {last.day} {MONTHS[last.month - 1]} {last.year}"


def trend_change(trend: RegionTrend) -> str:
    """Better / worse / unchanged, from the first to the latest rating."""
    if trend.first is None or trend.last is None or len(trend.values) < 2:
        return ""
    delta = trend.last - trend.first
    if abs(delta) < MEANINGFUL_CHANGE:
        return "about the same"
    return f"better by {-delta}" if delta < 0 else f"worse by {delta}"


def _confirm_signing(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Sign the progress report",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class ProgressDialog(QDialog):
    """One client's progress: the pain chart and a table of findings per region over time.

    Args:
        database: the open database.
        client_id: whose progress.
    """

    def __init__(
        self,
        database: Database,
        client_id: str,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        ask_path: AskSavePath = ask_save_path,
        confirm: Callable[[QWidget, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.client_id = client_id
        self._today = today
        self._ask_path = ask_path
        self._confirm = confirm or _confirm_signing
        self.client_name = ""
        self.setWindowTitle("Progress")
        self.title_label = QLabel("Progress")
        heading(self.title_label, 1.3)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        muted(self.summary_label)
        self.chart = PainChart()
        self.include_drafts = QCheckBox("Include notes not yet signed")
        self.include_drafts.setToolTip(
            "Progress is drawn from signed notes; tick to add the drafts (hollow dots), whose "
            "scores and findings may still change"
        )
        self.include_drafts.toggled.connect(self._on_include_drafts_toggled)
        self.region_chart = RegionChart()
        self.trends: list[RegionTrend] = []
        findings_title = QLabel("Findings per region over time")
        heading(findings_title, 1.05)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Finding", "Region", "Over the visits", "Change"])
        self.table.setAccessibleName("Findings per region")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(self._on_table_current_cell_changed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # The progress report for the referring provider and the payer, over a span of visits.
        self.report_from = QDateEdit()
        self.report_to = QDateEdit()
        for edit, name in ((self.report_from, "Report from"), (self.report_to, "Report to")):
            edit.setAccessibleName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.report_button = QPushButton("&Progress report…")
        self.report_button.setToolTip(
            "Write the progress report of the signed visits in this span, for the referring "
            "provider and the payer (PDF)"
        )
        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.sign_report = QCheckBox("&Sign it")
        self.sign_report.setToolTip(
            "Sign the report (as yourself when signed in to a clinic, else as the therapist who "
            "signed the latest note of the span): once signed it is never changed, and the "
            "claim's progress-report count starts again"
        )
        self.report_state = QLabel()
        self.report_state.setWordWrap(True)
        muted(self.report_state)
        report_row = QHBoxLayout()
        report_row.addWidget(QLabel("Report on visits from"))
        report_row.addWidget(self.report_from)
        report_row.addWidget(QLabel("to"))
        report_row.addWidget(self.report_to)
        report_row.addWidget(self.sign_report)
        report_row.addWidget(self.report_button)
        report_row.addWidget(self.report_state, 1)
        pain_tab = QWidget()
        pain_layout = QVBoxLayout(pain_tab)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.include_drafts)
        pain_layout.addLayout(summary_row)
        pain_layout.addWidget(self.chart, 3)
        pain_layout.addWidget(findings_title)
        findings_row = QHBoxLayout()
        findings_row.addWidget(self.table, 3)
        findings_row.addWidget(self.region_chart, 2)
        pain_layout.addLayout(findings_row, 2)
        self.outcomes = OutcomesPanel(database, client_id, today=today)
        self.tabs = QTabWidget()
        self.tabs.addTab(pain_tab, "Pain and findings")
        self.tabs.addTab(self.outcomes, "Outcome measures")
        self.pain_maps = PainMapPanel(database, client_id, today=today)
        self.tabs.addTab(self.pain_maps, "Where it hurts")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(report_row)
        layout.addWidget(buttons)
        self.resize(960, 720)
        self.reload()

    def reload(self) -> bool:
        """Read the client's visits and marks in one session and show them."""
        try:
            with self.database.read() as session:
                name = get_client(session, self.client_id).full_name
                signed_only = not self.include_drafts.isChecked()
                points = pain_series(session, self.client_id, signed_only=signed_only)
                trends = region_trends(session, self.client_id, signed_only=signed_only)
        except READ_ERRORS as exc:
            self.summary_label.setText(describe_error(exc))
            return False
        self.client_name = name
        signed = [point.start.date() for point in points if point.signed]
        first = signed[0] if signed else self._today()
        self.report_from.setDate(QDate(first.year, first.month, first.day))
        today = self._today()
        self.report_to.setDate(QDate(today.year, today.month, today.day))
        self.setWindowTitle(f"{name} — Progress")
        self.title_label.setText(f"{name}: progress")
        self.chart.set_points(points)
        self.summary_label.setText(_summary(points, signed_only=signed_only))
        self.trends = trends
        fill_table(
            self.table,
            (
                (trend.kind.legend.name, trend.label, trend_sentence(trend), trend_change(trend))
                for trend in trends
            ),
        )
        self.table.setCurrentCell(0 if trends else -1, 0)
        self.region_chart.set_trend(trends[0] if trends else None)
        self.outcomes.reload()
        self.pain_maps.reload()
        return True

    def export_report(self) -> str:
        """Ask where, then write the progress report of the span chosen; returns the path
        written, or "" (with the reason shown) when nothing was."""
        start, end = (edit.date().toPython() for edit in (self.report_from, self.report_to))
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        safe = "".join(c if c.isalnum() else "-" for c in self.client_name).strip("-") or "client"
        suggested = f"progress-{safe}-{start.isoformat()}-to-{end.isoformat()}.pdf"
        sign = self.sign_report.isChecked()
        if sign and not self._confirm(
            self,
            f"Sign the progress report of {self.client_name}, {start:%d %b %Y} to "
            f"{end:%d %b %Y}? A signed report is never changed.",
        ):
            return ""
        path = self._ask_path(self, "Save the progress report", suggested)
        if not path:
            return ""
        try:
            written = export_progress(
                self.database,
                self.client_id,
                start,
                end,
                Path(path),
                sign=sign,
                # Signed in to a clinic: as themselves; on one laptop: the latest note's signer.
                sign_as=self.database.provider_id if sign else None,
            )
        except (ProgressReportError, ExportError) as exc:
            self.report_state.setText(f"{exc} Nothing was written.")
            return ""
        except NotFoundError:
            self.report_state.setText("This client is no longer on file. Nothing was written.")
            return ""
        except READ_ERRORS as exc:
            self.report_state.setText(describe_error(exc))
            return ""
        self.report_state.setText(f"Wrote the {'signed ' if sign else ''}report to {written}.")
        self.sign_report.setChecked(False)
        return str(written)

    @Slot(bool)
    def _on_include_drafts_toggled(self, _checked: bool) -> None:
        self.reload()

    @Slot(int, int, int, int)
    def _on_table_current_cell_changed(self, row: int, *_rest: int) -> None:
        self.region_chart.set_trend(self.trends[row] if 0 <= row < len(self.trends) else None)

    @Slot()
    def _on_report_button_clicked(self) -> None:
        self.export_report()

    def trend_rows(self) -> list[tuple[str, str, str, str]]:
        """The findings table as text, row by row."""
        return [(a, b, c, d) for a, b, c, d in table_rows(self.table)]


def _summary(points: Sequence[PainPoint], *, signed_only: bool) -> str:
    rated = [p for p in points if p.pain_before is not None]
    if not points:
        return "No signed visits yet." if signed_only else "No visits yet."
    text = f"{len(points)} visit" + ("" if len(points) == 1 else "s")
    drafts = sum(1 for p in points if not p.signed)
    if drafts:
        text += (
            f" ({drafts} not yet signed: hollow dots)"
            if drafts < len(points)
            else (" (none signed yet: hollow dots)")
        )
    if len(rated) >= 2:
        first, last = rated[0].pain_before, rated[-1].pain_before
        text += f"; pain before treatment went from {first}/10 to {last}/10"
    relief = [p.pain_before - p.pain_after for p in points
              if p.pain_before is not None and p.pain_after is not None]  # fmt: skip
    if relief:
        text += f"; on average {sum(relief) / len(relief):.1f} points less after each treatment"
    return text + "."
