"""The progress charts' common ground: days and visit times as their date axes take them (Qt
Charts counts milliseconds since the epoch), and the trend strip they are all drawn on."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QMargins, QSize, Qt, QTime
from PySide6.QtGui import QBrush, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from massage_chart.ui.style import is_dark


def _moment(value: dt.datetime | dt.date) -> dt.datetime:
    """A day as its noon; a moment as it is."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(12))


def qt_time(moment: dt.datetime | dt.date) -> QDateTime:
    """A visit's time (local, as stored) as Qt's date-time; a day at noon."""
    if not isinstance(moment, dt.datetime):
        return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(12, 0))
    day = QDate(moment.year, moment.month, moment.day)
    return QDateTime(day, QTime(moment.hour, moment.minute, moment.second))


def msecs(moment: dt.datetime | dt.date) -> float:
    """The chart's x value of a moment or a day (noon)."""
    return float(qt_time(moment).toMSecsSinceEpoch())


class DateChart(QChartView):
    """A trend strip plotted with Qt Charts: a true date axis along the bottom and a value axis
    on the left, on the window's own paper (light or dark).

    Args:
        name: what the chart shows, for assistive technology.
        value_title, top, ticks: the left axis: its title, its top (from 0), how many ticks.
        date_format: the date axis's labels.
        height: the smallest height.
    """

    def __init__(
        self,
        name: str,
        value_title: str,
        top: float,
        ticks: int,
        *,
        date_format: str = "d MMM",
        height: int = 220,
        parent: QWidget | None = None,
    ) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(height)
        self.setAccessibleName(name)
        chart.setMargins(QMargins(4, 4, 4, 4))
        if is_dark(self):
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
        # The paper the chart is drawn on: a hollow dot is filled with it.
        self.paper = self.palette().color(QPalette.ColorRole.Base)
        chart.setBackgroundBrush(QBrush(self.paper))
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat(date_format)
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, top)
        self.y_axis.setTickCount(ticks)
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTitleText(value_title)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)

    def sizeHint(self) -> QSize:
        """Wide and short, like a trend strip."""
        return QSize(640, max(self.minimumHeight(), 200) + 20)

    def span_dates(self, first: dt.datetime | dt.date, last: dt.datetime | dt.date, count: int,
                   *, most_ticks: int = 7) -> None:  # fmt: skip
        """Fit the date axis to the first and last point, with a little room either side."""
        start, end = _moment(first), _moment(last)
        pad = max((end - start) / 20, dt.timedelta(days=1))
        self.x_axis.setRange(qt_time(start - pad), qt_time(end + pad))
        self.x_axis.setTickCount(min(most_ticks, max(2, count)))
