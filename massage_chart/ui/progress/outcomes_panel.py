"""The Outcome measures tab of Progress: each measure's scores over time against its MCID, the
sheets on file, and the button that hands the laptop to the client for a new one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.outcomes import Measure, all_measures
from massage_chart.storage.database import Database
from massage_chart.storage.outcomes import SOURCES, OutcomeEntry, list_outcomes
from massage_chart.ui.formatting import format_date
from massage_chart.ui.outcomes.form import OutcomeForm
from massage_chart.ui.practice_document import READ_ERRORS, describe_error
from massage_chart.ui.progress.outcome_chart import OutcomeChart
from massage_chart.ui.style import heading, muted


def change_sentence(entries: list[OutcomeEntry]) -> str:
    """What the sheets of one measure say, in one line: the change against the MCID."""
    measure = entries[0].measure
    if len(entries) == 1:
        return (
            f"{measure.short_name} {measure.format_score(entries[0].score)} on "
            f"{format_date(entries[0].taken_on)}; a later score shows the change."
        )
    change = measure.change(entries[0].score, entries[-1].score)
    return (
        f"{change.words()} ({format_date(entries[0].taken_on)} to "
        f"{format_date(entries[-1].taken_on)}, {len(entries)} scores)."
    )


class OutcomesPanel(QWidget):
    """One client's outcome measures."""

    def __init__(
        self,
        database: Database,
        client_id: str,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.client_id = client_id
        self._today = today
        self.form: OutcomeForm | None = None
        self.record_button = QPushButton("Record an outcome measure")
        menu = QMenu(self.record_button)
        for measure in all_measures():
            action = menu.addAction(measure.name)
            action.triggered.connect(lambda _checked=False, m=measure: self.open_form(m))
        self.record_button.setMenu(menu)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        muted(self.summary)
        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.content)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.charts: dict[str, OutcomeChart] = {}
        self.sentences: dict[str, QLabel] = {}

    def reload(self) -> bool:
        """Read the client's sheets and draw one section per measure answered."""
        try:
            with self.database.read() as session:
                entries = list_outcomes(session, self.client_id)
        except READ_ERRORS as exc:
            self.summary.setText(describe_error(exc))
            return False
        while self.content_layout.count():
            item = self.content_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.charts.clear()
        self.sentences.clear()
        by_measure: dict[str, list[OutcomeEntry]] = {}
        for entry in entries:
            by_measure.setdefault(entry.measure.code, []).append(entry)
        if not by_measure:
            self.summary.setText(
                "No outcome measures on file yet. Payers accept them as evidence of progress: "
                "record one at the first visit and again every few visits."
            )
        else:
            self.summary.setText(
                "Scores the client gave, oldest first. The shaded band is the measure's minimal "
                "clinically important difference around the first score."
            )
        for code, sheets in by_measure.items():
            self._add_section(code, sheets)
        self.content_layout.addStretch(1)
        return True

    def _add_section(self, code: str, sheets: list[OutcomeEntry]) -> None:
        measure = sheets[0].measure
        title = QLabel(measure.name)
        heading(title, 1.1)
        sentence = QLabel(change_sentence(sheets))
        sentence.setWordWrap(True)
        chart = OutcomeChart(measure, sheets)
        details = QLabel(
            "<br>".join(
                f"{format_date(e.taken_on)}: {measure.format_score(e.score)}"
                + (f" ({', '.join(e.activities)})" if e.activities else "")
                + f" · {SOURCES[e.source]}"
                for e in sheets
            )
        )
        details.setWordWrap(True)
        muted(details)
        for widget in (title, sentence, chart, details):
            self.content_layout.addWidget(widget)
        self.charts[code] = chart
        self.sentences[code] = sentence

    def open_form(self, measure: Measure) -> OutcomeForm:
        """Open the measure's form for the client (today's answers); the tab follows what is filed."""
        form = OutcomeForm(
            self.database, measure, self.client_id, taken_on=self._today(), today=self._today,
            parent=self,
        )  # fmt: skip
        form.recorded.connect(self._on_form_recorded)
        self.form = form
        form.open()
        return form

    @Slot(str)
    def _on_form_recorded(self, _entry_id: str) -> None:
        self.reload()
