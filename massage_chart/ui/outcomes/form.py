"""An outcome measure filled in on the laptop by the client (large type, plain words), or typed in
from the client's paper form by the therapist; filed through ``storage.outcomes.record_outcome``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.outcomes import Kind, Measure, OutcomeError
from massage_chart.storage.database import Database
from massage_chart.storage.outcomes import SOURCES, list_outcomes, record_outcome
from massage_chart.storage.repositories import NotFoundError
from massage_chart.ui.practice_document import READ_ERRORS, WRITE_ERRORS, describe_error
from massage_chart.ui.style import error_text, heading, muted

LARGE_TYPE = 1.35
"""How much larger the client reads the questions than the rest of the app."""


class RatingRow(QWidget):
    """One question's answers as large buttons: one per step of the scale, one choice at most."""

    changed = Signal()

    def __init__(self, measure: Measure, *, words: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        # The chosen answer stands out in the theme's selection colours, light or dark.
        self.setStyleSheet(
            "QPushButton:checked { background: palette(highlight); "
            "color: palette(highlighted-text); font-weight: bold; }"
        )
        for value in range(measure.scale_min, measure.scale_max + 1):
            text = measure.anchors.get(value, "") if words else ""
            button = QPushButton(f"{value}\n{text}" if text else str(value))
            heading(button, LARGE_TYPE if not text else 1.1)
            button.setCheckable(True)
            button.setMinimumHeight(44 if not text else 64)
            button.setToolTip(measure.anchors.get(value, str(value)))
            self.group.addButton(button, value)
            layout.addWidget(button, 1)
        self.group.idClicked.connect(lambda _value: self.changed.emit())

    def value(self) -> int | None:
        """The chosen answer, or None."""
        chosen = self.group.checkedId()
        return None if chosen == -1 else chosen

    def choose(self, value: int) -> None:
        """Pick an answer (as a click would)."""
        button = self.group.button(value)
        if button is not None:
            button.click()


class AnswersFooter(QWidget):
    """The foot of a form the client answers: how the answers were given (on this computer, or
    typed in from paper), the day (never after today), Cancel and Done."""

    def __init__(self, taken_on: dt.date, latest: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_box = QComboBox()
        for code, words in SOURCES.items():
            self.source_box.addItem(words[:1].upper() + words[1:], code)
        self.day_edit = QDateEdit(QDate(taken_on.year, taken_on.month, taken_on.day))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("d MMM yyyy")
        self.day_edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        self.done_button = QPushButton("Done")
        self.done_button.setDefault(True)
        heading(self.done_button, LARGE_TYPE)
        self.cancel_button = QPushButton("Cancel")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Answers:"))
        row.addWidget(self.source_box)
        row.addWidget(QLabel("Day:"))
        row.addWidget(self.day_edit)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.done_button)

    def day(self) -> dt.date:
        """The day chosen."""
        chosen = self.day_edit.date()
        return dt.date(chosen.year(), chosen.month(), chosen.day())


class OutcomeForm(QDialog):
    """One outcome measure to answer, for one client (and visit, when one is chosen).

    Args:
        database: the open database.
        measure: which measure.
        client_id: whose answers.
        visit_id: the visit they belong to, if any.
        taken_on: the day the answers are given (the visit's day, or today).
        recorded_by_id: the provider filing the sheet, if known.

    Signals:
        recorded: the sheet's id, once filed.
    """

    recorded = Signal(str)

    def __init__(
        self,
        database: Database,
        measure: Measure,
        client_id: str,
        *,
        visit_id: str | None = None,
        taken_on: dt.date,
        recorded_by_id: str | None = None,
        parent: QWidget | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.measure = measure
        self.client_id = client_id
        self.visit_id = visit_id
        self.recorded_by_id = recorded_by_id
        self.setWindowTitle(measure.name)
        self.rows: list[RatingRow] = []
        self.activity_edits: list[QLineEdit] = []
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        error_text(self.problem_label)
        self.problem_label.hide()

        title = QLabel(measure.name)
        heading(title, 1.4 * LARGE_TYPE)
        question = QLabel(measure.question)
        question.setWordWrap(True)
        how = QLabel(measure.client_words)
        how.setWordWrap(True)
        for label in (question, how):
            heading(label, LARGE_TYPE)
        self.body = QWidget()
        body_layout = QVBoxLayout(self.body)
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(10)
        self.grid.setColumnStretch(1, 1)
        body_layout.addLayout(self.grid)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        self.scroll_area = scroll

        if measure.kind is Kind.ITEMS:
            for number, item in enumerate(measure.items, start=1):
                self._add_question(f"{number}. {item}", words=True)
        elif measure.kind is Kind.SINGLE:
            self._add_question("", words=False)
            anchors = QLabel(
                "   ·   ".join(f"{value} = {text}" for value, text in measure.anchors.items())
            )
            muted(anchors)
            self.grid.addWidget(anchors, 2, 0, 1, 2)
        else:
            self.add_activity_button = QPushButton("Add an activity")
            self.add_activity_button.clicked.connect(self._on_add_activity_button_clicked)
            for name in self._last_activities() or [""] * (measure.activities or (3, 5))[0]:
                self.add_activity(name)

        self.footer = AnswersFooter(taken_on, today())
        self.source_box, self.day_edit = self.footer.source_box, self.footer.day_edit
        self.done_button, self.cancel_button = self.footer.done_button, self.footer.cancel_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 14)
        layout.addWidget(title)
        layout.addWidget(question)
        layout.addWidget(how)
        layout.addWidget(scroll, 1)
        if measure.kind is Kind.ACTIVITIES:
            layout.addWidget(self.add_activity_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.footer)
        self.done_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.resize(1100, 760)

    # ---------------------------------------------------------------- building

    def _add_question(self, text: str, *, words: bool) -> RatingRow:
        row_index = len(self.rows)
        label = QLabel(text)
        label.setWordWrap(True)
        heading(label, LARGE_TYPE)
        row = RatingRow(self.measure, words=words)
        row.changed.connect(self.problem_label.hide)
        if text:
            self.grid.addWidget(label, row_index * 2, 0, 1, 2)
        self.grid.addWidget(row, row_index * 2 + 1, 0, 1, 2)
        self.rows.append(row)
        return row

    def add_activity(self, name: str = "") -> None:
        """One more activity to name and rate (PSFS), up to the measure's maximum."""
        assert self.measure.activities is not None
        if len(self.rows) >= self.measure.activities[1]:
            return
        index = len(self.rows)
        edit = QLineEdit(name)
        edit.setPlaceholderText(f"Activity {index + 1}, e.g. lift my child, drive 30 minutes")
        edit.setAccessibleName(f"Activity {index + 1}")
        heading(edit, LARGE_TYPE)
        row = RatingRow(self.measure, words=False)
        row.changed.connect(self.problem_label.hide)
        self.grid.addWidget(edit, index * 2, 0, 1, 2)
        self.grid.addWidget(row, index * 2 + 1, 0, 1, 2)
        self.activity_edits.append(edit)
        self.rows.append(row)
        self.add_activity_button.setEnabled(len(self.rows) < self.measure.activities[1])

    def _last_activities(self) -> list[str]:
        """The activities the client named last time, so they rate the same ones again."""
        try:
            with self.database.read() as session:
                earlier = list_outcomes(session, self.client_id, code=self.measure.code)
        except READ_ERRORS:
            return []
        return list(earlier[-1].activities) if earlier else []

    @Slot()
    def _on_add_activity_button_clicked(self) -> None:
        self.add_activity()
        self.activity_edits[-1].setFocus()

    # ---------------------------------------------------------------- answers

    def answers(self) -> list[int | None]:
        """The answers as chosen, None where a question is not answered yet."""
        return [row.value() for row in self.rows]

    def activities(self) -> list[str]:
        """The activity names as typed (PSFS)."""
        return [edit.text().strip() for edit in self.activity_edits]

    def _rated(self) -> tuple[list[int | None], list[str]]:
        """Answers and names, leaving out PSFS rows left entirely empty."""
        answers, names = self.answers(), self.activities()
        if self.measure.kind is not Kind.ACTIVITIES:
            return answers, names
        kept = [(a, n) for a, n in zip(answers, names, strict=True) if a is not None or n]
        return [a for a, _ in kept], [n for _, n in kept]

    @Slot()
    def submit(self) -> bool:
        """File the sheet; on a problem, say what is missing and keep every answer."""
        answers, names = self._rated()
        missing = [index for index, answer in enumerate(answers, start=1) if answer is None]
        if missing and self.measure.kind is Kind.ITEMS:
            shown = ", ".join(str(n) for n in missing[:8]) + (" …" if len(missing) > 8 else ".")
            return self._refuse(
                f"{len(missing)} question{'s are' if len(missing) > 1 else ' is'} not answered "
                f"yet: {shown}"
            )
        if missing:
            return self._refuse("Pick a number for each activity you named.")
        given = [a for a in answers if a is not None]
        problem = self.measure.answer_problem(given, names)
        if problem:
            return self._refuse(problem)
        try:
            with self.database.write() as session:
                entry = record_outcome(
                    session,
                    self.client_id,
                    self.measure.code,
                    given,
                    activities=names,
                    taken_on=self.footer.day(),
                    source=self.source_box.currentData(),
                    visit_id=self.visit_id,
                    recorded_by_id=self.recorded_by_id,
                )
        except (OutcomeError, NotFoundError) as exc:
            return self._refuse(str(exc))
        except WRITE_ERRORS as exc:
            return self._refuse(f"Not saved: {describe_error(exc)} The answers are still here.")
        self.recorded.emit(entry.id)
        self.accept()
        return True

    def _refuse(self, message: str) -> bool:
        self.problem_label.setText(message)
        self.problem_label.show()
        return False
