"""Form parts shared by the record pages: typed dates, problem lines, the ICD-10 preload."""

from __future__ import annotations

import atexit
import datetime as dt
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QLineEdit, QScrollArea, QSpinBox, QWidget

from massage_chart.domain import icd10
from massage_chart.domain.limits import TextLimit
from massage_chart.ui.formatting import format_date, search_query
from massage_chart.ui.style import error_text
from massage_chart.ui.threads import start_worker

DATE_PLACEHOLDER = "yyyy-mm-dd"
DATE_MAX_LENGTH = 40
"""Characters a typed date may have ("23 November 2026" and then some)."""


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """A typed date ("2026-11-23", "23 Nov 2026"), or None and why it is not one ("" if empty)."""
    if not text.strip():
        return None, ""
    try:
        return dt.date.fromisoformat(search_query(text.strip())), ""
    except ValueError:
        return None, f"“{text.strip()}” is not a date. Type it year first, like 2026-11-23."


def capped_line(limit: TextLimit | int, edit: QLineEdit | None = None) -> QLineEdit:
    """A line edit (new, or the one given) that takes at most the field's characters.

    Qt keeps only what fits when text is pasted; the limit is the storage one, so whatever the
    field holds can be saved.
    """
    line = edit if edit is not None else QLineEdit()
    most = limit.most if isinstance(limit, TextLimit) else limit
    line.setMaxLength(most)
    line.setProperty("field_limit", most)
    return line


def show_line_text(edit: QLineEdit, text: str) -> None:
    """Show stored text whole, even when it is longer than the field's limit.

    ``setText`` cuts text to ``maxLength``; a value stored before the limit existed (or by an
    import) would be shortened on screen and then written back shortened by the next save. The
    limit is widened to fit it instead; saving a changed over-long value is refused with a
    message by the storage layer.
    """
    limit = edit.property("field_limit")
    most = int(limit) if isinstance(limit, int) else edit.maxLength()
    edit.setMaxLength(max(most, len(text)))
    edit.setText(text)


class DateField(QLineEdit):
    """A date typed year first; what is typed is never changed, even when it is wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(DATE_PLACEHOLDER)
        self.setMaximumWidth(160)
        capped_line(DATE_MAX_LENGTH, self)

    def set_date(self, value: dt.date | None) -> None:
        """Show a date (ISO, so it reads back exactly), or nothing."""
        self.setText(value.isoformat() if value else "")

    def date(self) -> tuple[dt.date | None, str]:
        """The date typed, or None and a sentence about what is wrong."""
        return parse_date(self.text())


class ProblemLabel(QLabel):
    """A line under a field saying what is wrong with it; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Problem")
        error_text(self)
        self.hide()

    def say(self, message: str) -> None:
        """Show a message, or hide the line when it is empty."""
        self.setText(message)
        self.setVisible(bool(message))


def scrolling(layout: QLayout) -> QScrollArea:
    """A frameless scroll area holding a layout, so long forms fit a 768-pixel-high screen."""
    inner = QWidget()
    inner.setLayout(layout)
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def optional_count(maximum: int = 999) -> QSpinBox:
    """A spin box for a count that may be unknown: 0 shows "—" (not recorded)."""
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSpecialValueText("—")
    box.setMaximumWidth(100)
    return box


def count_value(box: QSpinBox) -> int | None:
    """The count, or None for "—"."""
    return box.value() or None


def expiry_text(expires_on: dt.date | None, today: dt.date) -> str:
    """ "expired 1 Oct 2026" / "expires 1 Oct 2027" / ""."""
    if expires_on is None:
        return ""
    word = "expired" if expires_on < today else "expires"
    return f"{word} {format_date(expires_on)}"


# ICD-10: the code set opens once in a worker thread (seconds the first time, when its index is
# built from the library). The picker's search index is built after it, in a second worker, when
# a search is first typed or the picker has been on screen a while: folding 98,000 descriptions
# holds Python for most of a second, and done while a window is being built it froze that window
# for two seconds.

_icd_ready = threading.Event()
_search_ready = threading.Event()
_icd_lock = threading.Lock()
_icd_thread: threading.Thread | None = None
_search_thread: threading.Thread | None = None
PRELOAD_EXIT_WAIT_S = 30.0


def start_icd10_preload() -> None:
    """Start opening the ICD-10 code set in a worker thread (once); returns at once."""
    global _icd_thread
    with _icd_lock:
        if _icd_thread is not None:
            return
        _icd_thread = start_worker(_open_code_set, "icd10-preload")
        # A daemon thread still importing when the interpreter tears down can crash it (the
        # app quit, or a test run ended, while the tables load): let it finish first.
        atexit.register(_finish_preload_before_exit)


def start_icd10_search_preload() -> None:
    """Start building the code search's index in a worker thread (once), after the code set
    has opened; returns at once."""
    global _search_thread
    start_icd10_preload()
    with _icd_lock:
        if _search_thread is not None:
            return
        _search_thread = start_worker(_build_search_index, "icd10-search-index")


def _finish_preload_before_exit() -> None:
    for thread in (_icd_thread, _search_thread):
        if thread is not None:
            thread.join(timeout=PRELOAD_EXIT_WAIT_S)


def _open_code_set() -> None:
    try:
        icd10.open_code_set()
    finally:
        _icd_ready.set()


def _build_search_index() -> None:
    try:
        _icd_ready.wait()
        icd10.preload()
    finally:
        _search_ready.set()


def icd10_ready() -> bool:
    """Whether the ICD-10 code set is open (descriptions and checks are instant)."""
    return _icd_ready.is_set()


def icd10_search_ready() -> bool:
    """Whether the code search's index is built (searching is instant)."""
    return _search_ready.is_set()


def wait_for_icd10(timeout: float | None = None) -> bool:
    """Block until the ICD-10 code set is open and its search index built (for tests and
    scripts); True when both are."""
    start_icd10_search_preload()
    return _icd_ready.wait(timeout) and _search_ready.wait(timeout)
