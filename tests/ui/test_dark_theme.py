"""On a computer in dark mode the app takes the system's palette: every message, bar and note
drawn in a colour of its own must still read (at least 4.5:1, WCAG AA), judged on the pixels
drawn, as a person sees them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database
from massage_chart.storage.overviews import load_visit_note
from massage_chart.ui.idle_lock import LockScreen
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.outcomes.pain_map_form import PainMapForm
from massage_chart.ui.passphrase_dialog import PassphraseDialog
from massage_chart.ui.style import dark_fusion_palette
from massage_chart.ui.visit_note import VisitNoteDialog
from tests.helpers.contrast import contrast
from tests.ui.conftest import NOW, TODAY, SmallPractice, new_draft

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def textcontrast(widget: QWidget) -> float:
    """The contrast of the text drawn in ``widget`` against the colour it is drawn on: the most
    common colour of its pixels, against the one furthest from it (a glyph's core)."""
    window = widget.window()  # drawn as it shows: with what is painted beneath it
    where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    image = window.grab(where).toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter(
        image.pixel(x, y) for y in range(image.height()) for x in range(image.width())
    )
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(QColor.fromRgb(rgb), background) for rgb in counts)


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[None]:
    original = qapp.palette()
    qapp.setPalette(dark_fusion_palette())
    yield
    qapp.setPalette(original)


def test_a_problem_in_a_dialog_reads_on_a_dark_window(
    dark: None, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = PassphraseDialog(tmp_path / "records.db")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_problem("Incorrect passphrase or damaged file.")
    qtbot.waitExposed(dialog)
    assert textcontrast(dialog.problem) >= 4.5


def test_the_lock_screen_message_reads_on_a_dark_window(dark: None, qtbot: QtBot) -> None:
    screen = LockScreen(needs_secret=True)
    qtbot.addWidget(screen)
    screen.show()
    screen.message.setText("That passphrase is not right.")
    screen.message.show()
    qtbot.waitExposed(screen)
    assert textcontrast(screen.message) >= 4.5


def test_the_note_s_bars_keep_dark_text_on_their_light_paper(
    dark: None, qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = new_draft(db, practice, dt.datetime(2026, 11, 23, 9, 0))
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    for bar, label in ((editor.draft_bar, editor.draft_label),
                       (editor.conflict_bar, editor.conflict_label)):  # fmt: skip
        label.setText("Saved elsewhere by Lee at 09:41 since you opened this note: Objective")
        bar.show()
        qtbot.waitExposed(bar)
        assert textcontrast(label) >= 4.5, bar.objectName()
        bar.hide()


def test_the_read_only_note_and_its_integrity_failure_read_on_a_dark_window(
    dark: None, qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    with db.read() as session:
        note = load_visit_note(session, practice.zoe_first_visit_id)
    note = type(note)(**{**note.__dict__, "integrity_problems": ("its content was changed",)})
    dialog = VisitNoteDialog(note)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    html = dialog.browser.toHtml()
    assert "#ff8a80" in html  # the failure in the dark theme's alert colour, not dark red
    assert "#9aa0a6" in html  # captions in a grey that reads on dark
    assert textcontrast(dialog.browser.viewport()) >= 4.5


def test_the_client_s_body_map_keeps_the_chart_s_light_paper(
    dark: None, qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    """Its figures, sides (R, L) and captions are drawn to read on light paper, as printed."""
    form = PainMapForm(db, practice.zoe_id, taken_on=TODAY, today=lambda: TODAY)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    image = form.picker.viewport().grab().toImage()
    counts = Counter(
        image.pixel(x, y) for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
    )
    paper = QColor.fromRgb(counts.most_common(1)[0][0])
    assert paper.lightness() > 200, paper.name()
    form.reject()
