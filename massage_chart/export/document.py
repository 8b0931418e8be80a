"""The page furniture shared by the documents: footer with "Page X of Y", watermark, build to bytes."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus.doctemplate import ActionFlowable

from massage_chart.export import fonts
from massage_chart.export.styles import (
    FOOTER_Y,
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MUTED,
    PAGE_HEIGHT,
    PAGE_SIZE,
    PAGE_WIDTH,
    RULE,
    para,
    stylesheet,
)

WATERMARK_GREY = colors.Color(0.78, 0.78, 0.78)
#: zlib's level for the streams of the PDFs. The largest stream of a note is its page of body
#: charts (about 360 KB of drawing): level 4 deflates it in a third of the time of zlib's
#: default 6, for a file about 3% larger (5 against 16 ms a note, every note of a batch).
DEFLATE_LEVEL = 4


class _Deflate(pdfdoc.PDFStreamFilterZCompress):
    """reportlab's FlateDecode filter at DEFLATE_LEVEL (reportlab's own always deflates at 6)."""

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, DEFLATE_LEVEL)


_DEFLATE = _Deflate()


@dataclass(frozen=True)
class PageMarks:
    """What every page carries.

    Attributes:
        footer: the left part of the footer (user text: client name, date of birth, date).
        watermark: large diagonal text under the content ("DRAFT"), or "" for none.
        watermark_colour: its colour.
        title, author, subject: PDF metadata.
    """

    footer: str
    watermark: str = ""
    watermark_colour: colors.Color = WATERMARK_GREY
    title: str = ""
    author: str = ""
    subject: str = ""


SECTION = "massage_chart_section"
"""The attribute that marks a flowable as a section's heading (its value: the section's title)."""


def as_section_heading(flowable: Flowable, title: str) -> Flowable:
    """Mark a heading: a page that opens inside its section says "TITLE (continued)" on top."""
    setattr(flowable, SECTION, title)
    return flowable


def _opens_section(flowable: Flowable | None) -> bool:
    """Whether a flowable is a section's heading, or a group that starts with one (a heading
    kept with what follows it)."""
    while flowable is not None:
        if getattr(flowable, SECTION, None) is not None:
            return True
        content = getattr(flowable, "_content", None)
        flowable = content[0] if isinstance(content, list) and content else None
    return False


class _SectionedDoc(BaseDocTemplate):
    """A document whose pages say which section they continue, above the frame, when a section
    runs on from the page before (a reviewer reading page 3 alone knows it is still the
    Objective). The line is drawn as the page begins, so it comes first in the page's text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._section = ""
        self._story: list[Flowable] = []

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        """Keep hold of the story still to place: a page begun opens with its first flowable
        that draws something."""
        if flowables is not getattr(self, "_hanging", None):  # page begins are hung apart
            self._story = flowables
        super().handle_flowable(flowables)

    def _next_drawn(self) -> Flowable | None:
        return next((f for f in self._story if not isinstance(f, (Spacer, ActionFlowable))), None)

    def afterFlowable(self, flowable: Flowable) -> None:
        """Follow the section headings as they are drawn."""
        title = getattr(flowable, SECTION, None)
        if title is not None:
            self._section = title

    def handle_pageBegin(self) -> None:
        """Begin a page; say the section it continues unless it opens with a new one."""
        super().handle_pageBegin()
        if self.page > 1 and self._section and not _opens_section(self._next_drawn()):
            canvas = self.canv
            canvas.saveState()
            canvas.setFont(fonts.SANS_BOLD, 7.5)
            canvas.setFillColor(MUTED)
            canvas.drawString(
                MARGIN_LEFT, PAGE_HEIGHT - MARGIN_TOP + 6, f"{self._section} (continued)"
            )
            canvas.restoreState()


def _canvas_class(marks: PageMarks) -> type[Canvas]:
    """A canvas that knows the page count when it saves, to print "Page X of Y" on every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _draw_footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_LEFT, FOOTER_Y + 9, PAGE_WIDTH - MARGIN_RIGHT, FOOTER_Y + 9)
            page = f"Page {self._pageNumber} of {total}"
            self.setFont(fonts.SANS, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, FOOTER_Y, page)
            # Left to right like the page: a right-to-left name keeps its order inside it, as in
            # the header.
            footer = para(marks.footer, stylesheet().tiny, rtl=False)
            width = FRAME_WIDTH - self.stringWidth(page, fonts.SANS, 7.5) - 12
            _, height = footer.wrap(width, 20)
            footer.drawOn(self, MARGIN_LEFT, FOOTER_Y + 7 - height)
            self.restoreState()

    return NumberedCanvas


def _on_page(marks: PageMarks) -> Callable[[Canvas, BaseDocTemplate], None]:
    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if not marks.watermark:
            return
        canvas.saveState()
        canvas.setFillColor(marks.watermark_colour)
        canvas.setFillAlpha(0.35)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(52)
        size = 88.0
        while canvas.stringWidth(marks.watermark, fonts.SANS_BOLD, size) > PAGE_HEIGHT * 0.95:
            size -= 4
        canvas.setFont(fonts.SANS_BOLD, size)
        canvas.drawCentredString(0, -size * 0.35, marks.watermark)
        canvas.restoreState()

    return draw


def build_pdf(flowables: Sequence[Flowable], marks: PageMarks) -> bytes:
    """Lay out the flowables on pages with the shared furniture; the PDF as bytes.

    The output is repeatable: the same input gives the same bytes (reportlab's invariant mode).
    """
    fonts.register_fonts()
    # Binary (deflated) streams, not ASCII85: smaller files and a third less time per note.
    rl_config.useA85 = 0
    pdfdoc.PDFZCompress = _DEFLATE  # which every stream reportlab deflates looks up as it goes
    buffer = io.BytesIO()
    doc = _SectionedDoc(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=marks.title,
        author=marks.author,
        subject=marks.subject,
        creator="Massage Chart",
        producer="Massage Chart (reportlab)",
        invariant=1,
        initialFontName=fonts.SANS,
        initialFontSize=9.5,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_on_page(marks))])
    doc.build(list(flowables), canvasmaker=_canvas_class(marks))
    return buffer.getvalue()
