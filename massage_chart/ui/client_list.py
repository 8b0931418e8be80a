"""The client list: a search field that filters as you type, the matching clients, and a count."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.alerts import Alert, AlertTier
from massage_chart.storage.repositories import SEARCH_LIMIT, SEARCH_MAX_CHARS, ClientSummary
from massage_chart.ui.formatting import format_date
from massage_chart.ui.record.alerts_banner import TIER_LOOKS, visible_alerts
from massage_chart.ui.start_window import SEARCH_PLACEHOLDER

#: The pause after a keystroke before the list searches: keys typed in a burst search once.
#: A search takes 5 to 7 ms p95 at 100x and 17 to 19 ms over the full clinic's 20,000 clients,
#: so the results can follow the last key closely (150 ms before: about 200 ms to the results).
SEARCH_DELAY_MS = 50
NAME_MINIMUM_WIDTH = 170

ModelIndex = QModelIndex | QPersistentModelIndex


class ClientColumn(enum.IntEnum):
    """Columns of the client list."""

    NAME = 0
    BORN = 1
    PHONE = 2


_HEADERS = {ClientColumn.NAME: "Name", ClientColumn.BORN: "Born", ClientColumn.PHONE: "Phone"}

#: Tiers that earn a badge in the list, most severe first.
BADGE_TIERS = (AlertTier.STOP_REFER, AlertTier.CLEARANCE, AlertTier.DEEP_TISSUE_CAUTION)


@dataclass(frozen=True)
class AlertBadge:
    """A client's badge in the list: the most severe tier and the titles of the alerts behind it.

    Attributes:
        tier: stop/refer, clearance recommended, or deep-tissue caution.
        titles: the titles of the badged alerts, most severe first.
    """

    tier: AlertTier
    titles: tuple[str, ...]

    @property
    def tooltip(self) -> str:
        """The badge's words: the tier, then each alert."""
        return "\n".join([f"{self.tier.label}:", *(f"•  {t}" for t in self.titles)])


def alert_badge(alerts: Sequence[Alert]) -> AlertBadge | None:
    """The badge of a client with these alerts (None: no stop/refer, clearance or caution)."""
    badged = [a for a in visible_alerts(alerts) if a.tier in BADGE_TIERS]
    if not badged:
        return None
    badged.sort(key=lambda a: a.tier.rank)
    return AlertBadge(badged[0].tier, tuple(dict.fromkeys(a.title for a in badged)))


@cache
def badge_icon(tier: AlertTier | None) -> QIcon:
    """A small round badge in the tier's colour with an exclamation mark (None: a blank space)."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(0, 0, 0, 0))
    if tier is None:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(TIER_LOOKS[tier].accent))
    painter.drawEllipse(1, 1, 14, 14)
    font = QFont()
    font.setPixelSize(12)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pixmap)


class ClientListModel(QAbstractTableModel):
    """Rows of ClientSummary: name ("Last, First"), date of birth and phone."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clients: list[ClientSummary] = []
        self._badges: dict[str, AlertBadge] = {}

    def set_clients(
        self, clients: Sequence[ClientSummary], alerts: Mapping[str, Sequence[Alert]] | None = None
    ) -> None:
        """Replace the rows (after a search or a refresh), with the listed clients' alerts."""
        self.beginResetModel()
        self._clients = list(clients)
        badges = {cid: alert_badge(found) for cid, found in (alerts or {}).items()}
        self._badges = {cid: badge for cid, badge in badges.items() if badge is not None}
        self.endResetModel()

    def badge_of(self, client_id: str) -> AlertBadge | None:
        """A listed client's alert badge, if any."""
        return self._badges.get(client_id)

    def client_at(self, row: int) -> ClientSummary | None:
        """The client shown on ``row``, if the row exists."""
        return self._clients[row] if 0 <= row < len(self._clients) else None

    def row_of(self, client_id: str) -> int | None:
        """The row of a client, or None when the current search does not show it."""
        for row, client in enumerate(self._clients):
            if client.id == client_id:
                return row
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of clients shown."""
        return 0 if parent.isValid() else len(self._clients)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Name, date of birth, phone."""
        return 0 if parent.isValid() else len(ClientColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Text, tooltips and alignment of one cell."""
        client = self.client_at(index.row()) if index.isValid() else None
        if client is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == ClientColumn.NAME:
                return client.list_name
            if column == ClientColumn.BORN:
                return format_date(client.date_of_birth)
            if column == ClientColumn.PHONE:
                return client.phone
        elif role == Qt.ItemDataRole.ToolTipRole:
            badge = self._badges.get(client.id)
            if badge is not None and index.column() == ClientColumn.NAME:
                return f"{_client_tooltip(client)}\n\n{badge.tooltip}"
            return _client_tooltip(client)
        elif role == Qt.ItemDataRole.DecorationRole and index.column() == ClientColumn.NAME:
            badge = self._badges.get(client.id)
            if badge is not None:
                return badge_icon(badge.tier)
            return badge_icon(None) if self._badges else None  # names stay in line
        elif role == Qt.ItemDataRole.AccessibleDescriptionRole:
            badge = self._badges.get(client.id)
            return badge.tooltip if badge is not None else None
        elif role == Qt.ItemDataRole.UserRole:
            return client.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(ClientColumn)
        ):
            return _HEADERS[ClientColumn(section)]
        return None


def _client_tooltip(client: ClientSummary) -> str:
    count = client.visit_count
    visits = {0: "No visits yet", 1: "1 visit"}.get(count, f"{count} visits")
    if client.last_visit is not None:
        visits += f", last on {format_date(client.last_visit.date())}"
    return f"{client.list_name}\n{visits}"


class ClientSearchField(QLineEdit):
    """The search box: Down moves into the list, Escape clears.

    Signals:
        down_pressed: the user pressed Down (or Page Down) to move into the results.
    """

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Hand Down to the list; clear the search on Escape."""
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.down_pressed.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)


class ClientListPanel(QWidget):
    """Search field, client table and "shown of total" count.

    The panel does not read the database itself: it asks for a search with ``search_requested``
    (debounced while typing) and is given the results with ``show_results``.

    Signals:
        search_requested(query): the search text settled; the owner runs the search.
        client_selected(client_id): the current client changed ("" when none).
        client_opened(client_id): Enter or a double-click on a client.
    """

    search_requested = Signal(str)
    client_selected = Signal(str)
    client_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_field = ClientSearchField()
        self.search_field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_field.setMaxLength(SEARCH_MAX_CHARS)
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search clients")

        self.model = ClientListModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Clients")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(ClientColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ClientColumn.BORN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(ClientColumn.PHONE, QHeaderView.ResizeMode.Fixed)
        advance = self.fontMetrics().horizontalAdvance
        header.resizeSection(ClientColumn.BORN, advance("30 Sep 2000") + 24)
        header.resizeSection(ClientColumn.PHONE, advance("(555) 555-5555") + 24)

        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of clients shown")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setMinimumWidth(1)  # a long typed query must not widen the panel
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        self.buttons.addWidget(self.count_label, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search_field)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.buttons)

        self.search_field.textChanged.connect(self._on_search_field_text_changed)
        self.search_field.returnPressed.connect(self._on_search_field_return_pressed)
        self.search_field.down_pressed.connect(self._on_search_field_down_pressed)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.view.activated.connect(self._on_view_activated)
        self.view.installEventFilter(self)

    # ------------------------------------------------------------------ used by the window

    @property
    def query(self) -> str:
        """The search text as typed."""
        return self.search_field.text()

    def show_results(
        self,
        clients: Sequence[ClientSummary],
        total: int,
        alerts: Mapping[str, Sequence[Alert]] | None = None,
    ) -> None:
        """Show search results, keeping the current client selected when it is still shown.

        When a search hides the selected client, the first match is selected instead, so that
        typing a name is enough to see the record. ``alerts`` (client id -> alerts, read for the
        listed clients at once by ``records.clients_alerts``) puts a tier badge by the names of
        clients with a stop/refer, clearance or deep-tissue caution alert.
        """
        keep = self.current_client_id()
        blocker = self.view.selectionModel().blockSignals(True)
        self.model.set_clients(clients, alerts)
        self.view.selectionModel().blockSignals(blocker)
        self._update_count(len(clients), total)
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self._select_row(row, notify=False)
        elif self.query.strip() and clients:
            self._select_row(0, notify=True)
        elif keep:
            self.client_selected.emit("")

    def current_client_id(self) -> str:
        """The selected client's id, or "" when none is selected."""
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row()):
            return ""
        client = self.model.client_at(index.row())
        return client.id if client else ""

    def current_client(self) -> ClientSummary | None:
        """The selected client's row, if any."""
        index = self.view.currentIndex()
        return self.model.client_at(index.row()) if index.isValid() else None

    def select_client(self, client_id: str) -> bool:
        """Select a client if the list shows it; returns whether it does."""
        row = self.model.row_of(client_id)
        if row is None:
            return False
        self._select_row(row, notify=True)
        return True

    def clear_search(self) -> None:
        """Empty the search field and search at once (no typing delay)."""
        self.search_for("")

    def clear_selection(self) -> None:
        """Select no client (quietly: the owner shows what it chooses)."""
        selection = self.view.selectionModel()
        blocker = selection.blockSignals(True)
        selection.clearSelection()
        selection.clearCurrentIndex()
        selection.blockSignals(blocker)

    def search_for(self, text: str) -> None:
        """Put this text in the search field and search at once (no typing delay)."""
        blocker = self.search_field.blockSignals(True)
        self.search_field.setText(text)
        self.search_field.blockSignals(blocker)
        self._search_timer.stop()
        self.search_requested.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keys in the list that belong to the search field go back to it.

        Up on the first client returns to the search field (as Down came from it), and typing
        a letter or digit in the list continues the search instead of jumping to a row.
        """
        if (
            watched is not self.view
            or event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
        ):
            return super().eventFilter(watched, event)
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        )
        if event.key() == Qt.Key.Key_Up and plain and self.view.currentIndex().row() <= 0:
            self.search_field.setFocus(Qt.FocusReason.BacktabFocusReason)
            return True
        text = event.text()
        if plain and text and text.isprintable() and not text.isspace():
            self.search_field.setFocus(Qt.FocusReason.OtherFocusReason)
            self.search_field.insert(text)
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Drop the phone column when the panel is too narrow for names to be read."""
        super().resizeEvent(event)
        header = self.view.horizontalHeader()
        fixed = header.sectionSize(ClientColumn.BORN) + header.sectionSize(ClientColumn.PHONE)
        name_room = event.size().width() - fixed
        self.view.setColumnHidden(ClientColumn.PHONE, name_room < NAME_MINIMUM_WIDTH)

    # ------------------------------------------------------------------ internals

    def _update_count(self, shown: int, total: int) -> None:
        noun = "client" if total == 1 else "clients"
        if shown == 0 and self.query.strip():
            self.count_label.setText(f"No client matches “{self.query.strip()}”")
        elif shown == total:
            self.count_label.setText(f"{total:,} {noun}")
        elif shown >= SEARCH_LIMIT:
            self.count_label.setText(f"First {shown:,} of {total:,} {noun}: type to narrow")
        else:
            self.count_label.setText(f"{shown:,} of {total:,} {noun} shown")

    def _select_row(self, row: int, *, notify: bool) -> None:
        index = self.model.index(row, ClientColumn.NAME)
        selection = self.view.selectionModel()
        blocker = selection.blockSignals(not notify)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.blockSignals(blocker)
        self.view.scrollTo(index)

    @Slot(str)
    def _on_search_field_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self.search_requested.emit(self.search_field.text())

    @Slot()
    def _on_search_field_return_pressed(self) -> None:
        if self._search_timer.isActive():
            self._search_timer.stop()
            self.search_requested.emit(self.search_field.text())
        if self.model.rowCount() == 0:
            return
        if not self.current_client_id():
            self._select_row(0, notify=True)
        self.client_opened.emit(self.current_client_id())

    @Slot()
    def _on_search_field_down_pressed(self) -> None:
        if self.model.rowCount() == 0:
            return
        if not self.current_client_id():
            self._select_row(0, notify=True)
        self.view.setFocus(Qt.FocusReason.TabFocusReason)

    @Slot(QModelIndex, QModelIndex)
    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        client = self.model.client_at(current.row()) if current.isValid() else None
        self.client_selected.emit(client.id if client else "")

    @Slot(QModelIndex)
    def _on_view_activated(self, index: QModelIndex) -> None:
        client = self.model.client_at(index.row())
        if client is not None:
            self.client_opened.emit(client.id)
