"""Times on the user's clock: Qt's system locale says what the "auto" clock setting means."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from massage_chart.domain.presentation import Clock, use_clock


def system_clock() -> Clock:
    """The clock of the system locale: 12-hour where its short time format has AM/PM."""
    time_format = QLocale.system().timeFormat(QLocale.FormatType.ShortFormat)
    return Clock.TWELVE_HOUR if "a" in time_format.lower() else Clock.TWENTY_FOUR_HOUR


def apply_clock(clock: Clock) -> None:
    """Write times on ``clock`` from now on, on screen and in PDFs made by this process."""
    use_clock(clock, auto_means=system_clock())
