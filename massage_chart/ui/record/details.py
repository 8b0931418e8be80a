"""The client's details page: identity, contact, emergency contact, care team, preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import limits
from massage_chart.domain.client_file import ClientInfo
from massage_chart.ui.dialogs import email_problem
from massage_chart.ui.formatting import parse_date_of_birth
from massage_chart.ui.record.fields import (
    DATE_MAX_LENGTH,
    DATE_PLACEHOLDER,
    ProblemLabel,
    capped_line,
    show_line_text,
)

# (field, label, multi-line) per group, in reading order.
GROUPS: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    (
        "Identity",
        (
            ("first_name", "&First name", False),
            ("last_name", "&Last name", False),
            ("preferred_name", "Preferred name", False),
            ("date_of_birth", "Date of &birth", False),
            ("gender", "Gender", False),
            ("pronouns", "Pronouns", False),
            ("occupation", "Occupation", False),
        ),
    ),
    (
        "Contact",
        (
            ("phone", "&Phone", False),
            ("alternate_phone", "Other phone", False),
            ("email", "&Email", False),
            ("address", "Address", True),
        ),
    ),
    (
        "Emergency contact",
        (
            ("emergency_contact_name", "Name", False),
            ("emergency_contact_phone", "Phone", False),
            ("emergency_contact_relationship", "Relationship", False),
        ),
    ),
    (
        "Care team",
        (
            ("primary_care_provider", "Primary care", False),
            ("primary_care_phone", "Their phone", False),
            ("referring_provider", "Referred by", False),
        ),
    ),
    (
        "Treatment preferences",
        (
            ("goals", "&Goals", True),
            ("pressure_preference", "Pressure", False),
            ("notes", "Notes", True),
        ),
    ),
)


class ClientDetailsPage(QWidget):
    """Every field of the client, with a problem line under the fields that can be wrong.

    Args:
        today: the calendar, for dates of birth in the future.

    Signals:
        save_requested(): the Save details button was pressed.
        edited(): a field changed.
    """

    save_requested = Signal()
    edited = Signal()

    def __init__(self, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._loaded: dict[str, str] = {}
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.problems: dict[str, ProblemLabel] = {}
        group_boxes = []
        for title, rows in GROUPS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for name, label, multi_line in rows:
                widget: QLineEdit | QPlainTextEdit
                if multi_line:
                    widget = QPlainTextEdit()
                    widget.setTabChangesFocus(True)
                    widget.setFixedHeight(62)
                    widget.textChanged.connect(self.edited)
                else:
                    widget = capped_line(limits.CLIENT.get(name) or DATE_MAX_LENGTH)
                    widget.textEdited.connect(self.edited)
                widget.setAccessibleName(label.replace("&", ""))
                self.fields[name] = widget
                problem = ProblemLabel()
                self.problems[name] = problem
                column = QWidget()
                column_layout = QVBoxLayout(column)
                column_layout.setContentsMargins(0, 0, 0, 0)
                column_layout.setSpacing(2)
                column_layout.addWidget(widget)
                column_layout.addWidget(problem)
                form.addRow(f"{label}:", column)
            group_boxes.append(box)
        date_of_birth = self.fields["date_of_birth"]
        assert isinstance(date_of_birth, QLineEdit)
        date_of_birth.setPlaceholderText(DATE_PLACEHOLDER)
        self.fields["email"].setAccessibleName("Email")
        pressure = self.fields["pressure_preference"]
        assert isinstance(pressure, QLineEdit)
        pressure.setPlaceholderText("e.g. medium (Walton 3), lighter on the neck")

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.addWidget(group_boxes[0], 0, 0)
        grid.addWidget(group_boxes[1], 1, 0)
        grid.addWidget(group_boxes[2], 0, 1)
        grid.addWidget(group_boxes[3], 1, 1)
        grid.addWidget(group_boxes[4], 2, 0, 1, 2)
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.problem_label = ProblemLabel()
        self.save_button = QPushButton("&Save details")
        self.save_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problem_label, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def load(self, client: ClientInfo) -> None:
        """Show a client's fields (everything typed before is replaced)."""
        for name, widget in self.fields.items():
            value = getattr(client, name)
            text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(text)
            else:
                show_line_text(widget, text)
        self._loaded = self.texts()
        for problem in self.problems.values():
            problem.say("")
        self.problem_label.say("")

    def set_stored(self, fields: dict[str, Any]) -> None:
        """Show values just written (by undo or redo) in their fields; other typing is kept."""
        for name, value in fields.items():
            text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
            widget = self.fields[name]
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(text)
            else:
                show_line_text(widget, text)
            self._loaded[name] = text
            self.problems[name].say("")

    def texts(self) -> dict[str, str]:
        """Every field as typed."""
        return {
            name: widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
            for name, widget in self.fields.items()
        }

    def is_modified(self) -> bool:
        """Whether anything was typed since the client was loaded or saved."""
        return self.texts() != self._loaded

    def mark_saved(self) -> None:
        """What is shown is now what is stored."""
        self._loaded = self.texts()

    def validate(self) -> dict[str, Any] | None:
        """The fields changed since the client was loaded (or saved), as they are to be stored,
        or None after showing under each wrong field what is wrong.

        Only changed fields: a field left alone is never written back, so saving never reverts
        what someone else changed in it meanwhile (two laptops on one PostgreSQL database).
        """
        texts = self.texts()
        problems: dict[str, str] = {}
        if not texts["first_name"].strip() and not texts["last_name"].strip():
            problems["first_name"] = "Type the client's first or last name."
        born = parse_date_of_birth(texts["date_of_birth"], self._today())
        if born.error:
            problems["date_of_birth"] = born.error
        problem = email_problem(texts["email"])
        if problem:
            problems["email"] = problem
        for name, text in texts.items():
            limit = limits.CLIENT.get(name)
            # Only what was changed: a long value stored before the limits existed is kept.
            if limit is not None and text != self._loaded.get(name) and name not in problems:
                too_long = limit.problem(self._value(name, text))
                if too_long:
                    problems[name] = too_long
        for name, label in self.problems.items():
            label.say(problems.get(name, ""))
        if problems:
            first = next(name for name in self.fields if name in problems)
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)
            self.problem_label.say("Not saved: fix the fields marked in red.")
            return None
        self.problem_label.say("")
        values: dict[str, Any] = {
            name: self._value(name, text)
            for name, text in texts.items()
            if text != self._loaded.get(name)
        }
        if "date_of_birth" in values:
            values["date_of_birth"] = born.date
        return values

    def _value(self, name: str, text: str) -> str:
        """A field's text as stored: one-line fields without surrounding spaces."""
        return text.strip() if isinstance(self.fields[name], QLineEdit) else text
