"""One outcome measure's scores over time, on a true date axis, with the MCID drawn as a band.

Plotted with Qt Charts. The band runs the MCID either side of the first score: a later score
outside it is a clinically important change, one inside it is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from massage_chart.domain.outcomes import Measure
from massage_chart.storage.outcomes import OutcomeEntry
from massage_chart.ui.progress.chart_time import msecs

LINE_COLOUR = QColor("#1f6fb2")
BAND_COLOUR = QColor(31, 111, 178, 40)


class OutcomeChart(QChartView):
    """The scores of one measure, oldest first, with the MCID band around the first score."""

    def __init__(
        self, measure: Measure, entries: Sequence[OutcomeEntry], parent: QWidget | None = None
    ) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.measure = measure
        self.entries = list(entries)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setAccessibleName(f"{measure.name} over time")
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setTitle(f"{measure.name} ({measure.better.value} is better)")

        scores = QLineSeries()
        scores.setName(measure.short_name)
        scores.setPen(QPen(LINE_COLOUR, 2.5))
        dots = QScatterSeries()
        dots.setMarkerSize(9)
        dots.setColor(LINE_COLOUR)
        dots.setBorderColor(LINE_COLOUR)
        for entry in self.entries:
            x = msecs(entry.taken_on)
            scores.append(x, entry.score)
            dots.append(x, entry.score)

        first_day = self.entries[0].taken_on
        last_day = max(self.entries[-1].taken_on, first_day + dt.timedelta(days=1))
        start, end = msecs(first_day), msecs(last_day)
        first = self.entries[0].score
        low = max(measure.score_min, first - measure.mcid)
        high = min(measure.score_max, first + measure.mcid)
        upper, lower = QLineSeries(), QLineSeries()
        for x in (start, end):
            upper.append(x, high)
            lower.append(x, low)
        # The area series draws from these two lines but does not own them: keep them alive.
        self._band_edges = (upper, lower)
        band = QAreaSeries(upper, lower)
        band.setName(f"Within the MCID ({measure.mcid:g}) of the first score")
        band.setBrush(QBrush(BAND_COLOUR))
        band.setPen(QPen(Qt.PenStyle.NoPen))

        for series in (band, scores, dots):
            chart.addSeries(series)
        chart.legend().markers(dots)[0].setVisible(False)

        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM yyyy")
        x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(int(start - 86_400_000)),
            QDateTime.fromMSecsSinceEpoch(int(end + 86_400_000)),
        )
        x_axis.setTickCount(min(6, max(2, len(self.entries))))
        y_axis = QValueAxis()
        y_axis.setRange(measure.score_min, measure.score_max)
        span = measure.score_max - measure.score_min
        y_axis.setTickCount(next((n for n in (6, 5, 9, 11) if span % (n - 1) == 0), 5))
        y_axis.setLabelFormat("%.0f")
        y_axis.setTitleText("score")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (band, scores, dots):
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        self.band = band
        self.scores = scores

    def band_range(self) -> tuple[float, float]:
        """The band's low and high score."""
        return self.band.lowerSeries().at(0).y(), self.band.upperSeries().at(0).y()
