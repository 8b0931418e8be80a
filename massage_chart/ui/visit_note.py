"""A read-only view of one visit's note: times, therapist, pain, and the S/O/A/P text."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.repositories import NotFoundError, get_visit
from massage_chart.storage.signing import visit_text_form
from massage_chart.ui.formatting import (
    format_date,
    format_pain,
    format_recorded_time,
    format_time,
    format_time_span,
)
from massage_chart.ui.practice_document import READ_ERRORS

if TYPE_CHECKING:
    from massage_chart.ui.chart.visit_document import ChartDocument


@dataclass(frozen=True)
class AddendumText:
    """A correction or late entry after signing."""

    written_at: dt.datetime
    author: str
    reason: str
    text: str


@dataclass(frozen=True)
class VisitNote:
    """Everything the read-only note shows, read in one session."""

    id: str
    client_id: str
    client_name: str
    start: dt.datetime
    end: dt.datetime | None
    provider_name: str
    status: VisitStatus
    signed_at: dt.datetime | None
    signed_by: str
    chief_complaint: str
    health_update: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    pain_before: int | None
    pain_after: int | None
    techniques: tuple[str, ...]
    positioning: str
    icd10_codes: tuple[str, ...]
    mark_count: int
    addenda: tuple[AddendumText, ...]

    @property
    def title(self) -> str:
        """Who and when: "Zoë Nguyễn — 23 Nov 2026, 09:30–10:30"."""
        times = format_time_span(self.start, self.end) if self.end else format_time(self.start)
        return f"{self.client_name} — {format_date(self.start.date())}, {times}"


def load_visit_note(session: Session, visit_id: str) -> VisitNote:
    """Read one visit for the read-only view.

    Raises:
        NotFoundError: the visit does not exist (any more).
    """
    visit = get_visit(session, visit_id)
    printed = visit_text_form(visit)  # sub-fields and overrides as lines of their sections
    return VisitNote(
        id=visit.id,
        client_id=visit.client_id,
        client_name=visit.client.full_name,
        start=visit.start,
        end=visit.end,
        provider_name=visit.provider.display_name if visit.provider else "",
        status=visit.status,
        signed_at=visit.signed_at,
        signed_by=visit.signed_by.display_name if visit.signed_by else "",
        chief_complaint=visit.chief_complaint,
        health_update=printed["health_update"],
        subjective=printed["subjective"],
        objective=visit.objective,
        assessment=printed["assessment"],
        plan=printed["plan"],
        pain_before=visit.pain_before,
        pain_after=visit.pain_after,
        techniques=tuple(str(t) for t in visit.techniques or ()),
        positioning=visit.positioning,
        icd10_codes=tuple(str(c) for c in visit.icd10_codes or ()),
        mark_count=len(visit.marks),
        addenda=tuple(
            AddendumText(
                written_at=a.created_at,
                author=a.author.display_name if a.author else "",
                reason=a.reason,
                text=a.text,
            )
            for a in visit.addenda
        ),
    )


def _paragraphs(text: str) -> str:
    if not text.strip():
        return '<p class="empty">Nothing written.</p>'
    return "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
        for block in text.strip().split("\n\n")
    )


def note_html(note: VisitNote) -> str:
    """The note as HTML for QTextBrowser; every piece of user text is escaped."""
    facts: list[tuple[str, str]] = [("Therapist", note.provider_name or "Not recorded")]
    if note.status is VisitStatus.SIGNED:
        signed = "Signed"
        if note.signed_at is not None:
            signed += f" {format_recorded_time(note.signed_at)}"
        if note.signed_by:
            signed += f" by {note.signed_by}"
        facts.append(("Status", f"{signed}; the note is locked"))
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
        "td.caption { color: #5f6368; padding-right: 14px; } td { padding: 1px 0; }"
        "p.empty { color: #80868b; font-style: italic; }"
        "</style>",
        f"<h2>{html.escape(note.title)}</h2>",
        f"<table>{rows}</table>",
    ]
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
        self.browser.setHtml(note_html(note))
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
