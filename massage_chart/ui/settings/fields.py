"""The building blocks of the Settings pages: a checked field, an image picker and a folder picker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.practice import ImageRefusedError, read_image_file
from massage_chart.ui.style import error_text, heading, muted

ImageChooser = Callable[[QWidget, str], Path | None]
"""Asks for an image file: (parent, title) -> the path, or None when cancelled."""
FolderChooser = Callable[[QWidget, str, str], Path | None]
"""Asks for a folder: (parent, title, folder to start in) -> the path, or None."""

TYPED_TEXT_MOST = 1_000_000
"""Line edits keep a long paste whole (Qt's default cuts at 32,767 without a word) so the
message can say how long it was; the limits of domain/limits.py decide what is stored."""
FIELD_MINIMUM_WIDTH = 280


def choose_image_file(parent: QWidget, title: str) -> Path | None:
    """The platform's open dialog, for PNG and JPEG files."""
    name, _ = QFileDialog.getOpenFileName(
        parent, title, str(Path.home()), "Images (*.png *.jpg *.jpeg);;All files (*)"
    )
    return Path(name) if name else None


def choose_folder(parent: QWidget, title: str, start: str) -> Path | None:
    """The platform's folder dialog."""
    name = QFileDialog.getExistingDirectory(parent, title, start or str(Path.home()))
    return Path(name) if name else None


class CheckedField(QWidget):
    """An input with an optional quiet hint under it and a line for its problem.

    Args:
        editor: the input.
        hint: a short explanation shown under it.
    """

    def __init__(
        self, editor: QWidget, hint: str = "", parent: QWidget | None = None, *, fill: bool = True
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.hint_label = QLabel(hint)
        self.hint_label.setWordWrap(True)
        muted(self.hint_label)
        self.hint_label.setVisible(bool(hint))
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setAccessibleName(f"Problem with {editor.accessibleName()}")
        error_text(self.problem_label)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if fill:
            layout.addWidget(editor)
        else:
            layout.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.problem_label)
        self.setFocusProxy(editor)

    def show_problem(self, message: str) -> None:
        """Say what is wrong under the input (what was typed stays)."""
        self.problem_label.setText(message)
        self.problem_label.show()

    def clear_problem(self) -> None:
        """Hide the problem line."""
        self.problem_label.clear()
        self.problem_label.hide()

    @property
    def problem(self) -> str:
        """The problem shown, or ""."""
        return self.problem_label.text() if self.problem_label.isVisible() else ""


def line_edit(name: str, placeholder: str = "") -> QLineEdit:
    """A one-line input that keeps a long paste whole (the limits decide what is stored)."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(TYPED_TEXT_MOST)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumWidth(FIELD_MINIMUM_WIDTH)
    return edit


def page_layout(page: QWidget, title: str, intro: str) -> QVBoxLayout:
    """Give a settings page its heading and introduction; returns its layout."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    title_label = QLabel(title)
    heading(title_label, 1.2)
    layout.addWidget(title_label)
    if intro:
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        muted(intro_label)
        layout.addWidget(intro_label)
    return layout


def form_layout() -> QFormLayout:
    """A form of labelled fields, labels on the right, aligned to the top of their field."""
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return form


class ImagePicker(QWidget):
    """A preview of an image with Choose… and Remove; what is chosen is checked at once.

    Args:
        label: what the image is, in messages ("logo", "signature").
        preview_size: the box the preview is fitted in.
        chooser: asks for the file (a seam for tests).

    Signals:
        image_changed(): an image was chosen or removed.
    """

    image_changed = Signal()

    def __init__(
        self,
        label: str,
        preview_size: QSize,
        chooser: ImageChooser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._chooser = chooser
        self._image: bytes | None = None
        self.preview = QLabel()
        self.preview.setFixedSize(preview_size)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setAccessibleName(f"{label.capitalize()} preview")
        muted(self.preview)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip(f"Choose a PNG or JPEG file for the {label}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(f"Print no {label}")
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.field = CheckedField(self, "PNG or JPEG, up to 10 MB; large images are scaled down.")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self._show()

    def image(self) -> bytes | None:
        """The image as it will be stored (a PNG), or None."""
        return self._image

    def set_image(self, image: bytes | None) -> None:
        """Show an image without announcing a change (loading what is stored)."""
        self._image = image
        self.field.clear_problem()
        self._show()

    def choose_file(self, path: Path) -> bool:
        """Use the image in ``path`` if it is a usable PNG or JPEG; else say why and keep the
        current one. Returns whether it was taken."""
        try:
            image = read_image_file(path, self.label)
        except ImageRefusedError as exc:
            self.field.show_problem(str(exc))
            return False
        self._image = image
        self.field.clear_problem()
        self._show()
        self.image_changed.emit()
        return True

    def _show(self) -> None:
        pixmap = QPixmap()
        if self._image and pixmap.loadFromData(self._image):
            ratio = self.devicePixelRatioF()
            box = self.preview.contentsRect().size() * ratio
            scaled = pixmap.scaled(
                box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            scaled.setDevicePixelRatio(ratio)
            self.preview.setPixmap(scaled)
        else:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(f"No {self.label}")
        self.remove_button.setEnabled(self._image is not None)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self._chooser(self, f"Choose the {self.label} image")
        if path is not None:
            self.choose_file(path)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        self._image = None
        self.field.clear_problem()
        self._show()
        self.image_changed.emit()


class FolderPicker(QWidget):
    """A folder path that can be typed, chosen, or cleared to use the default.

    Signals:
        folder_changed(str): the text changed.
    """

    folder_changed = Signal(str)

    def __init__(
        self, name: str, placeholder: str, chooser: FolderChooser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._chooser = chooser
        self.line_edit = line_edit(name, placeholder)
        self.choose_button = QPushButton("Choose…")
        self.default_button = QPushButton("Use default")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.default_button)
        self.setFocusProxy(self.line_edit)
        self.setAccessibleName(name)
        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.default_button.clicked.connect(self.line_edit.clear)
        self._on_line_edit_text_changed(self.line_edit.text())

    def text(self) -> str:
        """The folder as typed, without spaces around it."""
        return self.line_edit.text().strip()

    @Slot(str)
    def _on_line_edit_text_changed(self, text: str) -> None:
        self.default_button.setEnabled(bool(text))
        self.folder_changed.emit(text)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self._chooser(self, f"Choose the {self.accessibleName().lower()}", self.text())
        if path is not None:
            self.line_edit.setText(str(path))
