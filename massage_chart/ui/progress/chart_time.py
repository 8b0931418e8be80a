"""Days and visit times as the progress charts' date axes take them (Qt Charts counts
milliseconds since the epoch): one conversion for every chart, so their axes agree."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime


def qt_time(moment: dt.datetime | dt.date) -> QDateTime:
    """A visit's time (local, as stored) as Qt's date-time; a day at noon."""
    if not isinstance(moment, dt.datetime):
        return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(12, 0))
    day = QDate(moment.year, moment.month, moment.day)
    return QDateTime(day, QTime(moment.hour, moment.minute, moment.second))


def msecs(moment: dt.datetime | dt.date) -> float:
    """The chart's x value of a moment or a day (noon)."""
    return float(qt_time(moment).toMSecsSinceEpoch())
