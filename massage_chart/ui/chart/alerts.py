"""The chart's safety alerts: the client's alerts by tier, warnings on marks, the stop/refer hold."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from massage_chart.domain.alert_areas import (
    alert_regions,
    placed_mark_warnings,
    proposed_avoid_areas,
)
from massage_chart.domain.alerts import Alert, blocking_alerts
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.storage.client_records import record_override, visit_alerts
from massage_chart.storage.database import DATABASE_ERRORS
from massage_chart.storage.repositories import FieldRefusedError, NotFoundError
from massage_chart.ui.chart.visit_document import ChartDocument, describe_error
from massage_chart.ui.record.alerts_banner import AlertsBanner
from massage_chart.ui.style import error_text

ALERT_ERRORS: tuple[type[Exception], ...] = (
    *DATABASE_ERRORS,
    ValueError,
    NotFoundError,
    FieldRefusedError,
)


class ChartAlerts(QWidget):
    """Above the body map: the client's alerts by tier, what the marks charted go against, and,
    while a stop/refer alert has no override reason or clearance, why charting is stopped.

    Args:
        document: the chart document (its visit's client gives the alerts).

    Attributes:
        alerts: the client's alerts, most severe first.
        overrides: override reasons recorded on the visit (alert code -> reason).

    Signals:
        changed(): the alerts, the overrides or the warnings changed.
        override_recorded(code): an override reason was stored for a stop/refer alert.
    """

    changed = Signal()
    override_recorded = Signal(str)

    def __init__(self, document: ChartDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.alerts: list[Alert] = []
        self.overrides: dict[str, str] = {}
        self.warnings: dict[str, list[tuple[str, str]]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.stop_notice = QLabel("")
        self.stop_notice.setObjectName("chartStopNotice")
        self.stop_notice.setWordWrap(True)
        self.stop_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.stop_notice.setStyleSheet(
            "#chartStopNotice { background: #b3261e; color: white; font-weight: 600;"
            " padding: 6px 10px; border-radius: 3px; }"
        )
        layout.addWidget(self.stop_notice)
        self.banner = AlertsBanner()
        self.banner.max_banner_height = 120
        layout.addWidget(self.banner)
        self.mark_notes = QLabel("")
        self.mark_notes.setObjectName("chartMarkWarnings")
        self.mark_notes.setWordWrap(True)
        self.mark_notes.setTextFormat(Qt.TextFormat.PlainText)
        self.mark_notes.setStyleSheet(
            "#chartMarkWarnings { background: #fff8d6; color: #1f1f1f;"
            " border-left: 4px solid #7a5d00; border-radius: 3px; padding: 4px 8px; }"
        )
        layout.addWidget(self.mark_notes)
        proposal = QHBoxLayout()
        proposal.setContentsMargins(0, 0, 0, 0)
        self.areas_note = QLabel("")
        self.areas_note.setWordWrap(True)
        self.areas_note.setTextFormat(Qt.TextFormat.PlainText)
        proposal.addWidget(self.areas_note, 1)
        self.propose_button = QPushButton("Mark as areas to avoid")
        self.propose_button.setToolTip(
            "Chart each region these alerts name as an Area to avoid (one step, undoable)"
        )
        proposal.addWidget(self.propose_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(proposal)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        error_text(self.problem)
        layout.addWidget(self.problem)
        self.problem.hide()
        self.banner.override_requested.connect(self._on_banner_override_requested)
        self.propose_button.clicked.connect(self._on_propose_button_clicked)
        for signal in (document.mark_added, document.mark_changed, document.mark_moved):
            signal.connect(self._on_document_mark_changed)
        document.mark_removed.connect(self._on_document_mark_removed)
        document.read_only_changed.connect(self._on_document_read_only_changed)
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the client's alerts and the visit's overrides again."""
        try:
            with self.document.database.read() as session:
                found = visit_alerts(session, self.document.visit_id)
        except ALERT_ERRORS as exc:
            self._say(f"The client's alerts could not be read: {describe_error(exc)}")
            return
        self.alerts = list(found.alerts)
        self.overrides = dict(found.overrides)
        self.warnings = {m.id: self._warnings(m) for m in self.document.marks.values()}
        self._show()

    def blocking(self) -> list[Alert]:
        """Stop/refer alerts with neither an override reason nor a clearance on file."""
        return blocking_alerts(self.alerts, self.overrides)

    def hold_reason(self) -> str:
        """Why charting is stopped, naming the alerts ("" when it may go on)."""
        if self.document.read_only:
            return ""
        blocking = self.blocking()
        if not blocking:
            return ""
        titles = "; ".join(a.title for a in blocking)
        return (
            f"Charting is stopped: {titles}. Record an override reason (or the physician "
            "clearance obtained) under Stop / refer to chart this visit."
        )

    def regions(self) -> dict[str, list[str]]:
        """Per view, the regions the alerts name (drawn hatched on the map)."""
        return alert_regions(self.alerts, self.document.atlas)

    def proposals(self) -> list[tuple[str, str, Alert]]:
        """Regions the alerts name that no area to avoid covers yet."""
        avoided = [
            m.region_id
            for m in [*self.document.marks.values(), *self.document.standing_avoid]
            if m.kind is MarkKind.AVOID and m.region_id is not None
        ]
        return proposed_avoid_areas(self.alerts, self.document.atlas, avoided)

    def warnings_for(self, mark_ids: Iterable[str]) -> list[tuple[str, str]]:
        """What these marks go against: (alert title, message), each once."""
        found = [pair for i in mark_ids for pair in self.warnings.get(i, [])]
        return list(dict.fromkeys(found))

    # ------------------------------------------------------------------ acting

    def record_override(self, code: str, reason: str) -> bool:
        """Store an override reason for a stop/refer alert on the visit (audited)."""
        try:
            with self.document.database.write() as session:
                record_override(session, self.document.visit_id, code, reason)
        except ALERT_ERRORS as exc:
            self._say(f"Override not recorded: {describe_error(exc)}")
            return False
        self.problem.hide()
        self.reload()
        self.override_recorded.emit(code)
        return True

    def accept_proposals(self) -> int:
        """Chart every proposed region as a whole-region Area to avoid, as one undo step."""
        proposals = self.proposals()
        if not proposals or self.document.read_only or self.document.held_by:
            return 0
        stack = self.document.undo_stack
        stack.beginMacro("Areas to avoid from the health history")
        added = 0
        try:
            for view_id, region_id, alert in proposals:
                point = self.document.atlas.region(view_id, region_id).inner_point
                note = f"{alert.title} ({alert.body_part})" if alert.body_part else alert.title
                if self.document.add_mark(
                    MarkKind.AVOID, view_id, [point], whole_region=True, note=note
                ):
                    added += 1
        finally:
            stack.endMacro()
        return added

    # ------------------------------------------------------------------ showing

    def _warnings(self, mark: MarkData) -> list[tuple[str, str]]:
        return placed_mark_warnings(self.alerts, self.overrides, self.document.atlas, mark)

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def _show(self) -> None:
        doc = self.document
        self.banner.show_alerts(
            self.alerts, overrides=self.overrides, can_override=not doc.read_only
        )
        reason = self.hold_reason()
        doc.hold_charting(reason)
        self.stop_notice.setText(reason)
        self.stop_notice.setVisible(bool(reason))
        self._show_mark_notes()
        self.changed.emit()

    def _show_mark_notes(self) -> None:
        doc = self.document
        # One line per warning, naming the marks it is about: five trigger points under one
        # pain reliever are one caution, not five.
        marks_by_warning: dict[str, list[str]] = {}
        for mark_id, texts in self.warnings.items():
            if texts and mark_id in doc.marks:
                mark = doc.marks[mark_id]
                where = doc.where(mark) or "off the body"
                for _, text in texts:
                    named = marks_by_warning.setdefault(text, [])
                    label = f"{mark.kind.legend.name}, {where}"
                    if label not in named:
                        named.append(label)
        lines = [
            f"•  {text.rstrip('.')}: {'; '.join(named)}."
            if len(named) > 1
            else f"•  {named[0]}: {text}"
            for text, named in marks_by_warning.items()
        ]
        self.mark_notes.setText("On this chart\n" + "\n".join(lines) if lines else "")
        self.mark_notes.setVisible(bool(lines))
        proposals = [] if doc.read_only else self.proposals()
        if proposals:
            names = sorted({doc.atlas.region(v, r).label for v, r, _ in proposals})
            self.areas_note.setText(
                "▨ Hatched on the map: areas the alerts name. Not yet charted as areas to "
                f"avoid: {', '.join(names)}."
            )
            self.propose_button.setText(f"Mark {len(proposals)} as areas to avoid")
        elif self.regions():
            self.areas_note.setText("▨ Hatched on the map: areas the alerts name.")
        else:
            self.areas_note.setText("")
        self.areas_note.setVisible(bool(self.areas_note.text()))
        self.propose_button.setVisible(bool(proposals))
        self.propose_button.setEnabled(not doc.held_by)

    def has_content(self) -> bool:
        """Whether there is anything to show (alerts, or a problem reading or recording them)."""
        return bool(self.alerts) or not self.problem.isHidden()

    # ------------------------------------------------------------------ handlers

    @Slot(str)
    def _on_document_mark_changed(self, mark_id: str) -> None:
        if mark_id in self.document.marks:
            self.warnings[mark_id] = self._warnings(self.document.marks[mark_id])
        self._show_mark_notes()
        self.changed.emit()

    @Slot(str)
    def _on_document_mark_removed(self, mark_id: str) -> None:
        self.warnings.pop(mark_id, None)
        self._show_mark_notes()
        self.changed.emit()

    @Slot(bool)
    def _on_document_read_only_changed(self, _read_only: bool) -> None:
        self.reload()

    @Slot(str, str)
    def _on_banner_override_requested(self, code: str, reason: str) -> None:
        self.record_override(code, reason)

    @Slot()
    def _on_propose_button_clicked(self) -> None:
        self.accept_proposals()
