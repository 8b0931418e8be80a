"""One finding on one region over time: its intensity (0-10) at each visit that charted it, on a
true date axis, plotted with Qt Charts. A visit that charted it without an intensity is a hollow
dot on the floor (the line joins the rated visits); a visit that did not chart it is absent."""

from __future__ import annotations

from PySide6.QtCharts import (
    QLineSeries,
    QScatterSeries,
)
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QWidget

from massage_chart.storage.client_records import RegionTrend
from massage_chart.ui.progress.chart_time import DateChart, msecs

LINE_COLOUR = QColor("#b9770e")


class RegionChart(DateChart):
    """The intensity of the finding chosen in the findings table, visit by visit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "The chosen finding over time", "intensity (0-10)", 10, 6, height=180, parent=parent
        )
        self.trend: RegionTrend | None = None
        self.rated = QLineSeries()
        self.chart().legend().hide()
        self.set_trend(None)

    def set_trend(self, trend: RegionTrend | None) -> None:
        """Show one finding's course (None: ask for a row to be chosen)."""
        self.trend = trend
        chart = self.chart()
        chart.removeAllSeries()
        self.rated = QLineSeries()
        if trend is None:
            chart.setTitle("Choose a finding in the table to see it over time.")
            return
        chart.setTitle(f"{trend.kind.legend.name}, {trend.label}")
        self.rated.setPen(QPen(LINE_COLOUR, 2.2))
        dots, unrated = QScatterSeries(), QScatterSeries()
        dots.setMarkerSize(9)
        dots.setColor(LINE_COLOUR)
        dots.setBorderColor(LINE_COLOUR)
        unrated.setMarkerSize(9)
        unrated.setColor(self.paper)
        unrated.setBorderColor(LINE_COLOUR)
        for moment, value in trend.values:
            if value is None:
                unrated.append(msecs(moment), 0)
                continue
            self.rated.append(msecs(moment), value)
            dots.append(msecs(moment), value)
        for series in (self.rated, dots, unrated):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        first, last = trend.values[0][0], trend.values[-1][0]
        self.span_dates(first, last, len(trend.values), most_ticks=4)  # a narrow strip

    def point_at(self, index: int) -> QPointF:
        """Where the ``index``-th rated value is drawn, in the view's coordinates."""
        inside = self.chart().mapToPosition(self.rated.at(index), self.rated)
        return QPointF(self.mapFromScene(self.chart().mapToScene(inside)))
