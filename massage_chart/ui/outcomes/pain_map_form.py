"""The client's own pain map: the client touches each place that hurt in the past week on the front
and back of the body (large type, plain words), then answers the symptom questions of the ACR 2016
scale; or the therapist types in a paper map. Filed through ``storage.pain_maps.record_pain_map``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from massage_chart.atlas import load_atlas
from massage_chart.domain.lay_words import lay_places
from massage_chart.domain.pain_extent import EXTENT_VIEWS
from massage_chart.domain.pain_map import (
    BOTHERED_ITEMS,
    SEVERITY_ITEMS,
    PainMapError,
    instrument,
)
from massage_chart.storage.database import Database
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.repositories import NotFoundError
from massage_chart.ui.chart.items import FigureItem, region_path
from massage_chart.ui.chart.scene import PAPER
from massage_chart.ui.outcomes.form import LARGE_TYPE, AnswersFooter
from massage_chart.ui.practice_document import WRITE_ERRORS, describe_error
from massage_chart.ui.style import error_text, heading, muted

FIGURE_GAP = 160.0
"""Space between the front and back figures, in figure units."""
CLIENT_CAPTIONS = {"anterior": "The front of you", "posterior": "The back of you"}
"""The figures' captions in the client's words (the atlas's name the client's side clinically)."""
MARKED_FILL = QColor(200, 40, 40, 120)
MARKED_LINE = QColor(150, 20, 20)


class BodyPicker(QGraphicsView):
    """The front and back of the body; a click (or touch) on a place marks it, a second unmarks.

    Signals:
        changed: the marked places changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.scene().setBackgroundBrush(PAPER)  # the chart's own light paper, in any theme
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setAccessibleName("Body map: touch each place that hurt")
        self.figures: dict[str, FigureItem] = {}
        self.marked_items: dict[str, QGraphicsPathItem] = {}
        self._marked: list[str] = []
        x = 0.0
        atlas = load_atlas()
        for view_id in EXTENT_VIEWS:
            figure = FigureItem(atlas.view(view_id), CLIENT_CAPTIONS[view_id])
            figure.setPos(x, 0)
            self.scene().addItem(figure)
            overlay = QGraphicsPathItem(figure)
            overlay.setBrush(MARKED_FILL)
            pen = QPen(MARKED_LINE, 1.6)
            pen.setCosmetic(True)
            overlay.setPen(pen)
            overlay.setZValue(-4)
            overlay.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.figures[view_id] = figure
            self.marked_items[view_id] = overlay
            x += figure.frame_width + FIGURE_GAP
        self.setSceneRect(self.scene().itemsBoundingRect())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep both figures whole and as large as the window allows."""
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _place_at(self, point: QPointF) -> tuple[FigureItem, str] | None:
        scene_point = self.mapToScene(point.toPoint())
        for view_id, figure in self.figures.items():
            region = figure.region_at(figure.mapFromScene(scene_point))
            if region is not None:
                return figure, f"{view_id}:{region.id}"
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Mark or unmark the place under the pointer."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        found = self._place_at(event.position())
        if found is not None:
            self.toggle(found[1])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Outline the place under the pointer."""
        found = self._place_at(event.position())
        for figure in self.figures.values():
            figure.show_region(None)
        if found is not None:
            figure, key = found
            figure.show_region(figure.view.region(key.partition(":")[2]))

    def toggle(self, key: str) -> None:
        """Mark a place ("posterior:upper_trapezius.l"), or unmark it if it is marked."""
        if key in self._marked:
            self._marked.remove(key)
        else:
            self._marked.append(key)
        self._repaint_marked()
        self.changed.emit()

    def set_marked(self, keys: Sequence[str]) -> None:
        """Show these places as marked."""
        self._marked = list(dict.fromkeys(keys))
        self._repaint_marked()
        self.changed.emit()

    def marked(self) -> list[str]:
        """The marked places, in the order they were marked."""
        return list(self._marked)

    def point_of(self, key: str) -> QPointF:
        """Where a place lies in the widget (for tests and for a click)."""
        view_id, _, region_id = key.partition(":")
        figure = self.figures[view_id]
        x, y = figure.view.region(region_id).inner_point
        return self.mapFromScene(figure.mapToScene(figure.to_local(x, y))).toPointF()

    def _repaint_marked(self) -> None:
        for view_id, overlay in self.marked_items.items():
            path = QPainterPath()
            for key in self._marked:
                marked_view, _, region_id = key.partition(":")
                if marked_view == view_id:
                    view = self.figures[view_id].view
                    path.addPath(region_path(view.atlas_version, view_id, region_id))
            overlay.setPath(path)


class AnswerRow(QWidget):
    """One question's answers as large buttons, one choice at most."""

    changed = Signal()

    def __init__(self, options: Sequence[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.setStyleSheet(
            "QPushButton:checked { background: palette(highlight); "
            "color: palette(highlighted-text); font-weight: bold; }"
        )
        for value, text in options:
            button = QPushButton(text)
            heading(button, 1.1)
            button.setCheckable(True)
            button.setMinimumHeight(48)
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


class PainMapForm(QDialog):
    """Where the client has had pain in the past week, and the symptom questions.

    Args:
        database: the open database.
        client_id: whose map.
        visit_id: the visit it belongs to, if any.
        taken_on: the day it is given (the visit's day, or today).
        recorded_by_id: the provider filing it, if known.

    Signals:
        recorded: the map's id, once filed.
    """

    recorded = Signal(str)

    def __init__(
        self,
        database: Database,
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
        self.client_id = client_id
        self.visit_id = visit_id
        self.recorded_by_id = recorded_by_id
        chosen = instrument()
        self.setWindowTitle("Where it hurts")
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        error_text(self.problem_label)
        self.problem_label.hide()

        title = QLabel("Your pain this week")
        heading(title, 1.4 * LARGE_TYPE)
        question = QLabel(chosen.question)
        question.setWordWrap(True)
        heading(question, LARGE_TYPE)
        sides = QLabel(
            "Front of the body on the left, back on the right. Right and left are your own "
            "right and left."
        )
        sides.setWordWrap(True)
        muted(sides)
        self.picker = BodyPicker()
        self.picker.setMinimumSize(520, 520)
        self.places_label = QLabel()
        self.places_label.setWordWrap(True)
        heading(self.places_label, 1.1)
        self.clear_button = QPushButton("Clear all")
        self.clear_button.clicked.connect(lambda: self.picker.set_marked([]))
        self.picker.changed.connect(self._on_picker_changed)

        questions = QWidget()
        questions_layout = QVBoxLayout(questions)
        questions_layout.setSpacing(8)
        self.severity_rows: dict[str, AnswerRow] = {}
        self.bothered_rows: dict[str, AnswerRow] = {}
        severity_heading = QLabel(chosen.severity_question)
        severity_heading.setWordWrap(True)
        heading(severity_heading, LARGE_TYPE)
        questions_layout.addWidget(severity_heading)
        severity_options = [
            (value, text.split(":")[0]) for value, text in chosen.severity_answers.items()
        ]
        for key in SEVERITY_ITEMS:
            self.severity_rows[key] = self._question(
                questions_layout, chosen.severity_items[key][1], severity_options
            )
        bothered_heading = QLabel(chosen.bothered_question)
        bothered_heading.setWordWrap(True)
        heading(bothered_heading, LARGE_TYPE)
        questions_layout.addSpacing(10)
        questions_layout.addWidget(bothered_heading)
        for key in BOTHERED_ITEMS:
            self.bothered_rows[key] = self._question(
                questions_layout, chosen.bothered_items[key][1], [(0, "No"), (1, "Yes")]
            )
        questions_layout.addSpacing(10)
        self.duration_row = self._question(
            questions_layout, chosen.duration_question, [(0, "No"), (1, "Yes")]
        )
        skip = QLabel("You may leave these questions blank if you were not asked to answer them.")
        skip.setWordWrap(True)
        muted(skip)
        questions_layout.addWidget(skip)
        questions_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(questions)

        self.footer = AnswersFooter(taken_on, today())
        self.source_box, self.day_edit = self.footer.source_box, self.footer.day_edit
        self.done_button, self.cancel_button = self.footer.done_button, self.footer.cancel_button

        left = QVBoxLayout()
        left.addWidget(question)
        left.addWidget(sides)
        left.addWidget(self.picker, 1)
        places_row = QHBoxLayout()
        places_row.addWidget(self.places_label, 1)
        places_row.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(places_row)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(scroll, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 14)
        layout.addWidget(title)
        layout.addLayout(body, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.footer)
        self.done_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self._on_picker_changed()
        self.resize(1280, 860)

    def _question(
        self, layout: QVBoxLayout, text: str, options: Sequence[tuple[int, str]]
    ) -> AnswerRow:
        label = QLabel(text)
        label.setWordWrap(True)
        heading(label, 1.1)
        row = AnswerRow(options)
        row.changed.connect(self.problem_label.hide)
        layout.addWidget(label)
        layout.addWidget(row)
        return row

    @Slot()
    def _on_picker_changed(self) -> None:
        self.problem_label.hide()
        marked = self.picker.marked()
        if not marked:
            self.places_label.setText("Nothing marked: no pain in the past 7 days.")
            return
        places = lay_places(key.partition(":")[2] for key in marked)
        count = len(places)
        self.places_label.setText(
            f"You marked {count} place{'s' if count != 1 else ''}: " + "; ".join(places) + "."
        )

    # ---------------------------------------------------------------- answers

    def symptom_answers(self) -> dict[str, int | None]:
        """The six symptom answers as chosen, None where not answered."""
        rows = {**self.severity_rows, **self.bothered_rows}
        return {key: row.value() for key, row in rows.items()}

    @Slot()
    def submit(self) -> bool:
        """File the map; on a problem, say what is missing and keep every mark and answer."""
        answers = self.symptom_answers()
        given = [value for value in answers.values() if value is not None]
        if given and len(given) < len(answers):
            return self._refuse(
                "Answer every symptom question, or leave them all blank: "
                f"{len(answers) - len(given)} not answered yet."
            )
        symptoms = {key: int(value) for key, value in answers.items() if value is not None}
        duration = self.duration_row.value()
        try:
            with self.database.write() as session:
                entry = record_pain_map(
                    session,
                    self.client_id,
                    self.picker.marked(),
                    symptoms=symptoms or None,
                    three_months=None if duration is None else bool(duration),
                    taken_on=self.footer.day(),
                    source=self.source_box.currentData(),
                    visit_id=self.visit_id,
                    recorded_by_id=self.recorded_by_id,
                )
        except (PainMapError, NotFoundError) as exc:
            return self._refuse(str(exc))
        except WRITE_ERRORS as exc:
            return self._refuse(f"Not saved: {describe_error(exc)} The marks are still here.")
        self.recorded.emit(entry.id)
        self.accept()
        return True

    def _refuse(self, message: str) -> bool:
        self.problem_label.setText(message)
        self.problem_label.show()
        return False
