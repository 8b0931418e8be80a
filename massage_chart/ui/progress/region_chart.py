"""One finding on one region over time: its intensity (0-10) at each visit that charted it, on a
true date axis, plotted with Qt Charts. A visit that charted it without an intensity is a hollow
dot on the floor (the line joins the rated visits); a visit that did not chart it is absent."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QWidget

from massage_chart.storage.client_records import RegionTrend
from massage_chart.ui.progress.chart_time import msecs, qt_time

LINE_COLOUR = QColor("#b9770e")


class RegionChart(QChartView):
    """The intensity of the finding chosen in the findings table, visit by visit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.trend: RegionTrend | None = None
        self.rated = QLineSeries()
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        self.setAccessibleName("The chosen finding over time")
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().hide()
        chart.setBackgroundBrush(QBrush(self.palette().color(QPalette.ColorRole.Base)))
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("d MMM")
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, 10)
        self.y_axis.setTickCount(6)
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTitleText("intensity (0-10)")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.set_trend(None)

    def sizeHint(self) -> QSize:
        """Wide and short, like a trend strip."""
        return QSize(640, 200)

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
        unrated.setColor(self.palette().color(QPalette.ColorRole.Base))
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
        pad = max((last - first) / 20, dt.timedelta(days=1))
        self.x_axis.setRange(qt_time(first - pad), qt_time(last + pad))
        self.x_axis.setTickCount(min(4, max(2, len(trend.values))))  # a narrow strip

    def point_at(self, index: int) -> QPointF:
        """Where the ``index``-th rated value is drawn, in the view's coordinates."""
        inside = self.chart().mapToPosition(self.rated.at(index), self.rated)
        return QPointF(self.mapFromScene(self.chart().mapToScene(inside)))
