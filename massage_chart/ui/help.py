"""The Help menu's windows: the user guide, the keyboard-shortcut sheet and About with licences.

The shortcut sheet is read off the menus and the chart's key table at the moment it opens, so it
never lists a key the app does not have.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QFont,
    QImage,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import massage_chart
from massage_chart.domain.marks import MarkKind
from massage_chart.resources import guide_path, resources_dir

# The libraries the app runs on, as their distributions are named (their licences are read from
# the installed metadata, so the list stays true when a version changes).
LIBRARIES = (
    "PySide6",
    "shiboken6",
    "SQLAlchemy",
    "alembic",
    "reportlab",
    "python-bidi",
    "uharfbuzz",
    "platformdirs",
    "simple-icd-10-cm",
    "psycopg",
    "jsonschema",
    "cryptography",
    "pillow",
    "sqlcipher3",
)


@dataclass(frozen=True)
class ShortcutRow:
    """One line of the shortcut sheet."""

    section: str
    keys: str
    what: str


def _plain(text: str) -> str:
    """A menu text as read: "&Edit note…" -> "Edit note"."""
    return re.sub(r"&(?!&)", "", text).replace("&&", "&").rstrip("…").rstrip(".")


def menu_shortcuts(menu_bar: QMenuBar) -> list[ShortcutRow]:
    """Every action with a key in the window's menus, menu by menu, as the menus show them."""
    rows: list[ShortcutRow] = []
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        section = _plain(top.text())
        for action in menu.actions():
            rows.extend(_action_rows(section, action))
    return rows


def _action_rows(section: str, action: QAction) -> list[ShortcutRow]:
    if action.isSeparator() or not action.isVisible():
        return []
    keys = [
        key.toString(QKeySequence.SequenceFormat.NativeText)
        for key in action.shortcuts()
        if not key.isEmpty()
    ]
    if not keys:
        return []
    return [ShortcutRow(section, " or ".join(keys), _plain(action.text()))]


def chart_shortcuts() -> list[ShortcutRow]:
    """The body chart's keys: one per tool, then the others (the table the chart itself uses)."""
    from massage_chart.ui.chart.tools import OTHER_KEYS, TOOL_KEYS  # the chart loads on use

    rows = [
        ShortcutRow("Body chart", TOOL_KEYS[kind], f"{kind.legend.name} tool ({kind.legend.code})")
        for kind in MarkKind
    ]
    rows += [ShortcutRow("Body chart", keys, what) for keys, what in OTHER_KEYS]
    return rows


class ShortcutSheet(QDialog):
    """Every keyboard shortcut of the app on one sheet, grouped by where it works."""

    def __init__(self, rows: list[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = rows
        sections = list(dict.fromkeys(row.section for row in rows))
        self.table = QTableWidget(len(rows) + len(sections), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        bold = QFont(self.font())
        bold.setBold(True)
        line = 0
        for section in sections:
            heading = QTableWidgetItem(section)
            heading.setFont(bold)
            self.table.setItem(line, 0, heading)
            self.table.setSpan(line, 0, 1, 2)
            line += 1
            for row in (r for r in rows if r.section == section):
                self.table.setItem(line, 0, QTableWidgetItem(row.keys))
                self.table.setItem(line, 1, QTableWidgetItem(row.what))
                line += 1
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 640)


class GuideWindow(QDialog):
    """The user guide, read from the Markdown file shipped with the app, screenshots included."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Massage Chart user guide")
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        path = guide_path()
        self.path = path
        if path is None:
            self.browser.setPlainText(
                "The user guide is missing from this installation. Reinstall the application "
                "to get it back; your records are not affected."
            )
        else:
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(900, 760)
        self.browser.sourceChanged.connect(lambda _url: self.fit_pictures())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep every screenshot within the page's width."""
        super().resizeEvent(event)
        self.fit_pictures()

    def fit_pictures(self) -> None:
        """Scale the screenshots down to the width of the page (never up), keeping their shape."""
        document = self.browser.document()
        room = max(200, self.width() - 90)
        cursor = QTextCursor(document)
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                image_format = fragment.charFormat().toImageFormat()
                if image_format.isValid():
                    self._fit(cursor, fragment.position(), image_format, room)
                iterator += 1
            block = block.next()

    def _fit(self, cursor: QTextCursor, position: int, image: QTextImageFormat, room: int) -> None:
        picture = self.browser.document().resource(
            QTextDocument.ResourceType.ImageResource, QUrl(image.name())
        )
        if not isinstance(picture, QImage | QPixmap) or picture.isNull():
            return
        scale = min(1.0, room / picture.width())
        image.setWidth(picture.width() * scale)
        image.setHeight(picture.height() * scale)
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(image)

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        # Links out of the guide (a website) open in the browser; the guide's own pages here.
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            self.browser.setSource(self.browser.source())


def library_licences() -> list[tuple[str, str, str]]:
    """(library, version, licence) of each library the app runs on that is installed."""
    found = []
    for name in LIBRARIES:
        try:
            meta = metadata.metadata(name).json
        except metadata.PackageNotFoundError:
            continue
        licence = (
            str(meta.get("license_expression") or "")
            or _licence_classifier(list(meta.get("classifier") or []))
            or next(iter(str(meta.get("license") or "").splitlines()), "")
            or "see its files"
        )
        found.append((str(meta.get("name") or name), str(meta.get("version") or ""), licence))
    return found


def _licence_classifier(classifiers: list[str]) -> str:
    names = [c.rsplit(" :: ", 1)[-1] for c in classifiers if c.startswith("License ::")]
    return ", ".join(names)


def font_licences() -> str:
    """The bundled fonts' notice (which font, which licence), as shipped beside the fonts."""
    notice = resources_dir() / "fonts" / "README.md"
    return notice.read_text(encoding="utf-8") if notice.is_file() else ""


class AboutDialog(QDialog):
    """Version, the open database, and the licences of the bundled fonts and libraries."""

    def __init__(self, database_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Massage Chart")
        title = QLabel(f"<h2>Massage Chart {massage_chart.__version__}</h2>", self)
        facts = QLabel(
            "Clinical massage charting on your own computer.<br><br>"
            f"Database: {_escape(database_name)}<br>"
            f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {PySide6.__version__}",
            self,
        )
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.libraries = QTableWidget(0, 3, self)
        self.libraries.setHorizontalHeaderLabels(["Library", "Version", "Licence"])
        self.libraries.verticalHeader().hide()
        self.libraries.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for name, version, licence in library_licences():
            row = self.libraries.rowCount()
            self.libraries.insertRow(row)
            for column, text in enumerate((name, version, licence)):
                self.libraries.setItem(row, column, QTableWidgetItem(text))
        header = self.libraries.horizontalHeader()
        header.setStretchLastSection(True)
        # Sized as shown (with the window's own font), so no name is cut short.
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.fonts = QTextBrowser(self)
        self.fonts.setMarkdown(font_licences())
        self.tabs.addTab(self.libraries, "Libraries")
        self.tabs.addTab(self.fonts, "Fonts in the PDFs")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(facts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(700, 560)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
