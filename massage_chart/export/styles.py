"""Page geometry, colours and the paragraph stylesheet shared by the PDF documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import shapeFragWord
from reportlab.platypus import Flowable, Paragraph, TableStyle
from reportlab.platypus.paragraph import _FK_BREAK, _FK_TEXT, FragLine

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


class BidiParagraph(Paragraph):
    """A paragraph holding right-to-left text, drawn in the order the Unicode bidirectional
    algorithm gives.

    reportlab breaks the lines on the text as typed (so wrapping and splitting across pages see
    words in reading order); each line is then put in visual order as it is drawn: runs ordered by
    python-bidi, Hebrew and Arabic runs shaped right to left by harfbuzz, brackets mirrored. The
    direction of each paragraph of the text (lines between hard breaks) comes from its first
    letter unless ``rtl`` fixes it; a left-aligned style is right-aligned when the text starts
    right to left.
    """

    blPara: Any  # noqa: N815 (reportlab names it)

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle,
        *args: Any,
        rtl: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(text, style, *args, **kw)
        self.rtl = rtl
        self.starts_rtl = bool(fonts.base_is_rtl(_plain(self.frags))) if rtl is None else rtl
        if self.starts_rtl and style.alignment == TA_LEFT:
            self.style = _right_aligned(style)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split as reportlab does; both parts keep this paragraph's direction and alignment."""
        parts: list[Flowable] = super().split(available_width, available_height)
        for part in parts:
            if isinstance(part, BidiParagraph) and part is not self:
                part.rtl, part.starts_rtl, part.style = self.rtl, self.starts_rtl, self.style
        return parts

    def drawPara(self, debug: int = 0) -> None:
        """Draw the lines in visual order (the broken lines stay in typed order for splitting)."""
        typed = self.blPara
        self.blPara = self._visual(typed)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = typed

    def _visual(self, typed: Any) -> Any:
        lines = typed.lines if typed.kind == 1 else [_frag_line(typed, ln) for ln in typed.lines]
        out = []
        rtl = self.starts_rtl
        for index, line in enumerate(lines):
            if self.rtl is not None:
                rtl = self.rtl
            elif index == 0 or _ends_paragraph(lines[index - 1]):
                decided = fonts.base_is_rtl(_paragraph_text(lines, index))
                rtl = self.starts_rtl if decided is None else decided
            out.append(_visual_line(line, rtl) if fonts.needs_bidi(_plain(line.words)) else line)
        return typed.clone(kind=1, lines=out)


def _plain(frags: Sequence[Any]) -> str:
    """The text of a list of fragments (what the bidirectional algorithm sees)."""
    return "".join(
        f.text
        for f in frags
        if getattr(f, "_fkind", _FK_TEXT) == _FK_TEXT
        and not hasattr(f, "cbDefn")
        and isinstance(getattr(f, "text", None), str)
    )


def _ends_paragraph(line: Any) -> bool:
    """Whether a line ends with a hard line break (the next line starts a new paragraph)."""
    return bool(line.words) and line.words[-1]._fkind == _FK_BREAK


def _paragraph_text(lines: Sequence[Any], start: int) -> str:
    """The text of the paragraph that starts at line ``start`` (up to the next hard break)."""
    parts = []
    for line in lines[start:]:
        parts.append(_plain(line.words))
        if _ends_paragraph(line):
            break
    return "".join(parts)


def _frag_line(typed: Any, line: tuple[float, list[str]]) -> FragLine:
    """A line of a one-font paragraph as a line of fragments (the form that carries shaped runs)."""
    extra, words = line
    return FragLine(extraSpace=extra, wordCount=len(words), lineBreak=False,
                    words=[typed.clone(text=" ".join(words), _fkind=_FK_TEXT)],
                    fontSize=typed.fontSize, ascent=typed.ascent, descent=typed.descent)  # fmt: skip


def _visual_line(line: FragLine, rtl: bool) -> FragLine:
    """One line in visual order, its right-to-left runs shaped, its spare width adjusted."""
    texts = [w for w in line.words if _plain([w])]
    others = [w for w in line.words if not _plain([w])]
    before = sum(stringWidth(w.text, w.fontName, w.fontSize) for w in texts)
    words: list[Any] = []
    after = 0.0
    for frag, text, right_to_left in fonts.visual_runs([(w, w.text) for w in texts], rtl):
        plain = stringWidth(text, frag.fontName, frag.fontSize)
        if right_to_left and fonts.has_rtl_letters(text):
            shaped = shapeFragWord([plain, (frag, text)])
            for piece, glyphs in shaped[1:]:
                words.append(piece.clone(text=glyphs))
            after += shaped[0]
            continue
        words.append(frag.clone(text=fonts.mirrored(text) if right_to_left else text))
        after += plain
    return line.clone(words=words + others, extraSpace=line.extraSpace + before - after)


@cache
def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


def para(
    text: str, style: ParagraphStyle, *, prefix: str = "", suffix: str = "", rtl: bool | None = None
) -> Paragraph:
    """A paragraph of user text: escaped, with fallback fonts (bold in a bold style), in
    bidirectional order when it holds right-to-left text (``rtl`` fixes the direction, else the
    first letter decides).

    ``prefix`` and ``suffix`` are trusted markup (our own labels) put around the escaped text.
    """
    bold = style.fontName == fonts.SANS_BOLD
    if not fonts.needs_bidi(text):
        return Paragraph(prefix + fonts.markup(text, bold=bold) + suffix, style)
    # Our words after right-to-left text ("(3 sets of 30)") are a phrase of their own: isolated,
    # their digits do not join the Arabic before them.
    suffix = fonts.isolate(suffix) if suffix else ""
    return BidiParagraph(prefix + fonts.markup(text, bold=bold) + suffix, style, rtl=rtl)


def trusted(markup_text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of our own markup (no user text in it, or user text already escaped)."""
    return Paragraph(markup_text, style)


def table_style(commands: Sequence[tuple[object, ...]]) -> TableStyle:
    """A table style whose plain-string cells use the embedded font (never unembedded Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.SANS), *commands])
