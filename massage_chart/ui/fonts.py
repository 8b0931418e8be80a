"""The fonts shipped with the program, offered to the window as well as to the PDFs, so that a
name in Chinese, Korean, Arabic or Hebrew shows on a computer without a font for that script
(Qt falls back to them glyph by glyph; the desktop's own fonts still come first)."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase

from massage_chart.resources import resource_path

log = logging.getLogger(__name__)

#: The files of resources/fonts that cover scripts a stock desktop may lack (Latin, Greek and
#: Cyrillic come with every desktop font, so Noto Sans itself is left to the PDFs).
SCRIPT_FONTS = (
    "DroidSansFallbackFull.ttf",  # Chinese, Japanese
    "NanumGothic.ttf",  # Korean
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
)

_installed: list[str] = []


def install_script_fonts() -> list[str]:
    """Offer the shipped script fonts to Qt (once per process); returns the families added.

    A missing or unreadable file is logged and skipped: the window still works, and shows boxes
    for that script only where the desktop has no font of its own.
    """
    if _installed:
        return list(_installed)
    for name in SCRIPT_FONTS:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        if font_id < 0:
            log.warning("The font %s could not be offered to the window", path)
            continue
        _installed.extend(QFontDatabase.applicationFontFamilies(font_id))
    return list(_installed)
