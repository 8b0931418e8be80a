"""The Pain map tab of Progress: the client's own pain maps (ACR 2016 WPI and SSS, pain extent) over
time, and, apart and labelled as such, the pain extent of the therapist's findings.

Plotted with Qt Charts on a true date axis: the WPI on the left axis (0-19), the share of the body
surface on the right (0-100%).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCharts import (
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.database import Database
from massage_chart.storage.outcomes import SOURCES
from massage_chart.storage.pain_maps import (
    ClinicianExtent,
    PainMapEntry,
    clinician_extents,
    list_pain_maps,
)
from massage_chart.ui.formatting import format_date
from massage_chart.ui.outcomes.pain_map_form import PainMapForm
from massage_chart.ui.practice_document import READ_ERRORS, describe_error
from massage_chart.ui.progress.chart_time import DateChart, msecs
from massage_chart.ui.style import heading, muted
from massage_chart.ui.tables import fill_table, table_rows

WPI_COLOUR = QColor("#8e44ad")
CLIENT_EXTENT_COLOUR = QColor("#c0392b")
THERAPIST_EXTENT_COLOUR = QColor("#7f8c8d")
THERAPIST_WPI_COLOUR = QColor("#b39ddb")  # the client's WPI colour, paler: the same scale
COLUMNS = ("Day", "WPI", "SSS", "FS", "2016 criteria", "Pain extent", "Places", "Given")


def _extent_top(share: float) -> int:
    """The top of the body-surface axis, in percent: the first of 10, 20, 50, 100 above the
    largest share, so a small extent is not drawn flat against the floor."""
    return next(top for top in (10, 20, 50, 100) if share * 100 <= top)


def criteria_cell(entry: PainMapEntry) -> str:
    """ "met", "not met", "not asked" or "3 months not answered", for the table."""
    criteria = entry.score.criteria
    if criteria is None:
        return "symptoms not asked"
    if criteria.met is None:
        return "thresholds reached; 3 months not answered"
    return "met" if criteria.met else "not met"


class PainMapChart(DateChart):
    """The client's WPI and pain extent per map, and per signed visit the therapist's pain extent
    and the WPI areas holding their pain findings (dashed, paler: a clinician finding on the
    same scales, never the client's report or its score)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "The client's pain maps over time", "WPI (0-19)", 20, 5, date_format="d MMM yy",
            height=240, parent=parent,
        )  # fmt: skip
        chart = self.chart()
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.wpi_axis = self.y_axis
        self.extent_axis = QValueAxis()
        self.extent_axis.setRange(0, 100)
        self.extent_axis.setTickCount(6)  # whole percents on each top (10, 20, 50, 100)
        self.extent_axis.setLabelFormat("%d%%")
        self.extent_axis.setTitleText("body surface")
        chart.addAxis(self.extent_axis, Qt.AlignmentFlag.AlignRight)
        self.series: dict[str, QLineSeries] = {}

    def _line(
        self, name: str, colour: QColor, points: Sequence[tuple[float, float]], axis: QValueAxis,
        *, dashed: bool = False,
    ) -> QLineSeries:  # fmt: skip
        line = QLineSeries()
        line.setName(name)
        pen = QPen(colour, 2.2)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        line.setPen(pen)
        dots = QScatterSeries()
        dots.setMarkerSize(8)
        dots.setColor(colour)
        dots.setBorderColor(colour)
        for x, y in points:
            line.append(x, y)
            dots.append(x, y)
        chart = self.chart()
        for series in (line, dots):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(axis)
        for marker in chart.legend().markers(dots):
            marker.setVisible(False)
        self.series[name] = line
        return line

    def set_data(self, maps: Sequence[PainMapEntry], visits: Sequence[ClinicianExtent]) -> None:
        """Show the client's maps and the therapist's findings (oldest first)."""
        chart = self.chart()
        chart.removeAllSeries()
        self.series = {}
        chart.setTitle("" if maps or visits else "No pain maps or signed visits yet.")
        if maps:
            self._line(
                "WPI (client)", WPI_COLOUR,
                [(msecs(m.taken_on), m.score.wpi) for m in maps], self.wpi_axis,
            )  # fmt: skip
            self._line(
                "Pain extent (client)", CLIENT_EXTENT_COLOUR,
                [(msecs(m.taken_on), m.score.extent * 100) for m in maps], self.extent_axis,
            )  # fmt: skip
        if visits:
            self._line(
                "Pain extent (therapist's findings)", THERAPIST_EXTENT_COLOUR,
                [(msecs(v.start.date()), v.extent * 100) for v in visits], self.extent_axis,
                dashed=True,
            )  # fmt: skip
            self._line(
                "WPI areas (therapist's findings)", THERAPIST_WPI_COLOUR,
                [(msecs(v.start.date()), len(v.areas)) for v in visits], self.wpi_axis,
                dashed=True,
            )  # fmt: skip
        shares = [m.score.extent for m in maps] + [v.extent for v in visits]
        self.extent_axis.setMax(_extent_top(max(shares, default=0.0)))
        days = [m.taken_on for m in maps] + [v.start.date() for v in visits]
        if days:
            self.span_dates(min(days), max(days), len(set(days)))

    def point_at(self, name: str, index: int) -> QPointF:
        """Where a series' point is drawn, in the view's coordinates."""
        series = self.series[name]
        inside = self.chart().mapToPosition(series.at(index), series)
        return QPointF(self.mapFromScene(self.chart().mapToScene(inside)))


class PainMapPanel(QWidget):
    """One client's own pain maps, with the therapist's findings shown apart."""

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
        self.form: PainMapForm | None = None
        self.maps: list[PainMapEntry] = []
        self.visits: list[ClinicianExtent] = []
        self.record_button = QPushButton("New pain map…")
        self.record_button.setToolTip(
            "Hand the laptop to the client to mark where it hurt this week, or type in a paper map"
        )
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.chart = PainMapChart()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("The client's pain maps")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(
            "The WPI, SSS and criteria are the client's own report (ACR 2016). The dashed lines "
            "are the therapist's findings at each signed visit: the share of the body where pain "
            "was charted, and how many WPI areas it lies in. They are not the client's score."
        )
        self.note.setWordWrap(True)
        muted(self.note)
        title = QLabel("Where it hurts, over time")
        heading(title, 1.05)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chart, 3)
        layout.addWidget(title)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.note)

    def reload(self) -> bool:
        """Read the client's maps and signed visits and show them."""
        try:
            with self.database.read() as session:
                maps = list_pain_maps(session, self.client_id)
                visits = clinician_extents(session, self.client_id)
        except READ_ERRORS as exc:
            self.summary.setText(describe_error(exc))
            return False
        self.maps, self.visits = maps, visits
        self.chart.set_data(maps, visits)
        self.summary.setText(_summary(maps))
        fill_table(self.table, (_map_cells(entry) for entry in reversed(maps)))
        return True

    def rows(self) -> list[list[str]]:
        """The table as text, newest map first."""
        return table_rows(self.table)

    def open_form(self) -> PainMapForm:
        """Open a new pain map for the client (today's); the tab follows what is filed."""
        form = PainMapForm(
            self.database, self.client_id, taken_on=self._today(), today=self._today, parent=self
        )
        form.recorded.connect(self._on_form_recorded)
        self.form = form
        form.open()
        return form

    @Slot()
    def _on_record_button_clicked(self) -> None:
        self.open_form()

    @Slot(str)
    def _on_form_recorded(self, _entry_id: str) -> None:
        self.reload()


def _map_cells(entry: PainMapEntry) -> tuple[str, ...]:
    """One map as the table shows it."""
    score = entry.score
    return (
        format_date(entry.taken_on),
        f"{score.wpi}/19",
        "—" if score.sss is None else f"{score.sss}/12",
        "—" if score.severity_score is None else f"{score.severity_score}/31",
        criteria_cell(entry),
        f"{score.extent * 100:.1f}%",
        ", ".join(area.label for area in score.areas) or "none in a WPI area",
        SOURCES[entry.source]
        + ("; could not read " + ", ".join(entry.unreadable) if entry.unreadable else ""),
    )


def _summary(maps: Sequence[PainMapEntry]) -> str:
    """One line: the first and latest WPI and extent, or how to start."""
    if not maps:
        return (
            "No pain map of the client's own yet. Ask the client to mark where it hurt this week "
            "(Client > Outcome measure > Where it hurts), at the first visit and every few visits."
        )
    latest = maps[-1].score
    if len(maps) == 1:
        return f"One pain map, {format_date(maps[0].taken_on)}: {latest.summary()}."
    first = maps[0].score
    return (
        f"{len(maps)} pain maps. WPI {first.wpi}/19 on {format_date(maps[0].taken_on)}, "
        f"{latest.wpi}/19 on {format_date(maps[-1].taken_on)}; pain extent "
        f"{first.extent * 100:.1f}% → {latest.extent * 100:.1f}% of the body surface."
    )
