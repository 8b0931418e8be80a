"""Tier symbols never draw as empty boxes: a font without the glyph gets the plain stand-in."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from pytestqt.qtbot import QtBot

from massage_chart.domain.alerts import AlertTier
from massage_chart.ui.record.alerts_banner import TIER_LOOKS


def test_each_tier_symbol_is_drawn_or_spelled_plainly(qtbot: QtBot) -> None:
    font = QFont()
    for tier, look in TIER_LOOKS.items():
        shown = look.symbol_in(font)
        if QFontMetrics(font).inFontUcs4(ord(look.symbol)):
            assert shown == look.symbol, tier
        else:
            assert shown == look.plain, tier
            assert all(QFontMetrics(font).inFontUcs4(ord(c)) for c in shown), tier
    assert TIER_LOOKS[AlertTier.STOP_REFER].plain == "STOP"
