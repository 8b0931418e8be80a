"""A read-only view of one visit's note: times, therapist, pain, and the S/O/A/P text."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.overviews import VisitNote, load_visit_note
from massage_chart.storage.repositories import NotFoundError
from massage_chart.ui.formatting import format_pain, format_recorded_time
from massage_chart.ui.practice_document import READ_ERRORS
from massage_chart.ui.style import error_colour, is_dark

if TYPE_CHECKING:
    from massage_chart.ui.chart.visit_document import ChartDocument


def _paragraphs(text: str) -> str:
    if not text.strip():
        return '<p class="empty">Nothing written.</p>'
    return "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
        for block in text.strip().split("\n\n")
    )


def note_html(note: VisitNote, *, muted: str = "#5f6368", alert: str = "#b3261e") -> str:
    """The note as HTML for QTextBrowser; every piece of user text is escaped. ``muted`` and
    ``alert`` are the captions' and the integrity failure's colours (the theme's: lighter on a
    dark one)."""
    facts: list[tuple[str, str]] = [("Therapist", note.provider_name or "Not recorded")]
    if note.status is VisitStatus.SIGNED:
        signed = "Signed"
        if note.signed_at is not None:
            signed += f" {format_recorded_time(note.signed_at)}"
        if note.signed_by:
            signed += f" by {note.signed_by}"
        facts.append(("Status", f"{signed}; the note is locked"))
        if note.seal_note:
            facts.append(("Seal", note.seal_note))
    else:
        facts.append(("Status", "Draft, not signed"))
    pain = format_pain(note.pain_before, note.pain_after)
    if pain:
        facts.append(("Pain (0–10)", f"{pain}  (before → after)"))
    if note.techniques:
        facts.append(("Techniques", ", ".join(note.techniques)))
    if note.positioning:
        facts.append(("Positioning", note.positioning))
    if note.icd10_codes:
        facts.append(("ICD-10", ", ".join(note.icd10_codes)))
    facts.append(("Body map", f"{note.mark_count} marks" if note.mark_count != 1 else "1 mark"))

    rows = "".join(
        f'<tr><td class="caption">{html.escape(k)}</td><td>{html.escape(v)}</td></tr>'
        for k, v in facts
    )
    parts = [
        "<style>"
        "h2 { margin: 0 0 6px 0; } h3 { margin: 14px 0 4px 0; }"
        f"td.caption {{ color: {muted}; padding-right: 14px; }} td {{ padding: 1px 0; }}"
        f"p.empty {{ color: {muted}; font-style: italic; }}"
        "</style>",
        f"<h2>{html.escape(note.title)}</h2>",
    ]
    if note.integrity_problems:  # what `check` would report, said where the note is read
        parts.append(
            f'<p style="color: {alert};"><b>INTEGRITY FAILURE: do not rely on this note.</b> '
            + html.escape("; ".join(note.integrity_problems).capitalize())
            + ". Restore it from a verified backup.</p>"
        )
    parts.append(f"<table>{rows}</table>")
    sections = [
        ("Chief complaint", note.chief_complaint),
        ("Health update", note.health_update),
        ("Subjective", note.subjective),
        ("Objective", note.objective),
        ("Assessment", note.assessment),
        ("Plan", note.plan),
    ]
    for title, text in sections:
        if title == "Health update" and not text.strip():
            continue
        parts.append(f"<h3>{html.escape(title)}</h3>{_paragraphs(text)}")
    for addendum in note.addenda:
        when = format_recorded_time(addendum.written_at)
        by = f" by {addendum.author}" if addendum.author else ""
        parts.append(
            f"<h3>Addendum, {html.escape(when + by)}: {html.escape(addendum.reason)}</h3>"
            f"{_paragraphs(addendum.text)}"
        )
    return "".join(parts)


class VisitNoteDialog(QDialog):
    """The visit's note, read-only (the chart itself, with the body map, is another window).

    Given the visit's shared document, the view follows it: it reads the note again when the
    note is saved or signed, or the marks change, in whichever window.

    Args:
        note: the visit as read from the database.
        document: the visit's shared document (``ui.visit_documents``), or None for a snapshot.
    """

    def __init__(
        self,
        note: VisitNote,
        parent: QWidget | None = None,
        *,
        document: ChartDocument | None = None,
    ) -> None:
        super().__init__(parent)
        self.note = note
        self.document = document
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Visit note")
        self.browser.setOpenLinks(False)
        self._show(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.setMinimumSize(self.minimumSizeHint())  # pinned: see _FormDialog.fix_minimum_size
        self.resize(680, 600)
        if document is not None:
            document.note_saved.connect(self._on_document_note_changed)
            document.note_signed.connect(self._on_document_note_changed)
            document.chart_changed.connect(self.refresh)

    def _show(self, note: VisitNote) -> None:
        self.note = note
        self.setWindowTitle(f"Visit note: {note.title}")
        scrolled = self.browser.verticalScrollBar().value()
        dark = is_dark(self.browser)
        self.browser.setHtml(
            note_html(
                note,
                muted="#9aa0a6" if dark else "#5f6368",
                alert=error_colour(self.browser).name(),
            )
        )
        self.browser.verticalScrollBar().setValue(scrolled)

    @Slot()
    def refresh(self) -> bool:
        """Read the note again and show it; False (the note on show stays) if it cannot be read."""
        if self.document is None:
            return False
        try:
            with self.document.database.read() as session:
                note = load_visit_note(session, self.note.id)
        except NotFoundError:
            return False
        except READ_ERRORS:
            return False
        self._show(note)
        return True

    @Slot(str)
    def _on_document_note_changed(self, _visit_id: str) -> None:
        self.refresh()
