"""Page geometry, colours and the paragraph stylesheet shared by the PDF documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, TableStyle

from massage_chart.export import fonts

PAGE_SIZE = LETTER
PAGE_WIDTH, PAGE_HEIGHT = PAGE_SIZE
MARGIN_LEFT = 18 * mm
MARGIN_RIGHT = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm
FOOTER_Y = 10 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5b6470")
RULE = colors.HexColor("#c9ced6")
ACCENT = colors.HexColor("#1f5f8b")
SHADE = colors.HexColor("#f2f5f8")
ALERT = colors.HexColor("#b00020")
ALERT_SHADE = colors.HexColor("#fde8ea")
CALM = colors.HexColor("#2e7d4f")
CALM_SHADE = colors.HexColor("#eaf5ee")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the documents (one stylesheet, like pretix's invoice renderer)."""

    body: ParagraphStyle
    small: ParagraphStyle
    tiny: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    value_bold: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    practice: ParagraphStyle
    letterhead: ParagraphStyle
    letterhead_right: ParagraphStyle
    section: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    cell_bold_right: ParagraphStyle
    banner: ParagraphStyle
    friendly: ParagraphStyle
    friendly_heading: ParagraphStyle
    centre: ParagraphStyle


@cache
def stylesheet() -> Styles:
    """The styles, built once (fonts registered first)."""
    fonts.register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=fonts.SANS,
        fontSize=9.5,
        leading=13,
        textColor=INK,
        splitLongWords=1,
        alignment=TA_LEFT,
    )

    def derive(name: str, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return Styles(
        body=base,
        small=derive("small", fontSize=8, leading=10.5),
        tiny=derive("tiny", fontSize=7, leading=8.8, textColor=MUTED),
        label=derive("label", fontSize=7, leading=9, textColor=MUTED),
        value=derive("value", fontSize=9.5, leading=12),
        value_bold=derive("value_bold", fontName=fonts.SANS_BOLD, fontSize=9.5, leading=12),
        title=derive(
            "title", fontName=fonts.SANS_BOLD, fontSize=15, leading=18, alignment=TA_RIGHT
        ),
        subtitle=derive("subtitle", fontSize=8.5, leading=11, textColor=MUTED, alignment=TA_RIGHT),
        practice=derive(
            "practice", fontName=fonts.SANS_BOLD, fontSize=13.5, leading=16.5, textColor=ACCENT
        ),
        letterhead=derive("letterhead", fontSize=8, leading=10.5, textColor=MUTED),
        letterhead_right=derive(
            "letterhead_right", fontSize=8, leading=10.5, textColor=MUTED, alignment=TA_RIGHT
        ),
        section=derive(
            "section",
            fontName=fonts.SANS_BOLD,
            fontSize=10.5,
            leading=13,
            textColor=ACCENT,
            spaceBefore=9,
            spaceAfter=3,
            keepWithNext=1,
        ),
        heading=derive(
            "heading",
            fontName=fonts.SANS_BOLD,
            fontSize=9.5,
            leading=12,
            spaceBefore=5,
            keepWithNext=1,
        ),
        cell=derive("cell", fontSize=8.5, leading=11),
        cell_bold=derive("cell_bold", fontName=fonts.SANS_BOLD, fontSize=8.5, leading=11),
        cell_right=derive("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        cell_bold_right=derive(
            "cell_bold_right",
            fontName=fonts.SANS_BOLD,
            fontSize=8.5,
            leading=11,
            alignment=TA_RIGHT,
        ),
        banner=derive("banner", fontName=fonts.SANS_BOLD, fontSize=10, leading=13, textColor=ALERT),
        friendly=derive("friendly", fontSize=11, leading=15.5),
        friendly_heading=derive(
            "friendly_heading",
            fontName=fonts.SANS_BOLD,
            fontSize=13,
            leading=16,
            textColor=CALM,
            spaceBefore=12,
            spaceAfter=4,
            keepWithNext=1,
        ),
        centre=derive("centre", fontSize=8, leading=10, alignment=TA_CENTER),
    )


@cache
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


def para(text: str, style: ParagraphStyle, *, prefix: str = "", suffix: str = "") -> Paragraph:
    """A paragraph of user text: escaped, with fallback fonts, shaped when it holds RTL letters.

    ``prefix`` and ``suffix`` are trusted markup (our own labels) put around the escaped text.
    """
    shaped = fonts.needs_shaping(text)
    return Paragraph(prefix + fonts.markup(text) + suffix, _shaped(style) if shaped else style)


def trusted(markup_text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of our own markup (no user text in it, or user text already escaped)."""
    return Paragraph(markup_text, style)


def table_style(commands: Sequence[tuple[object, ...]]) -> TableStyle:
    """A table style whose plain-string cells use the embedded font (never unembedded Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.SANS), *commands])
