"""The visit chart window: body map, legend and tools, inspector, list of marks, changes."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.atlas import DEEP_LAYERS, SURFACE_OF, closer_view
from massage_chart.domain.atlas import Atlas
from massage_chart.domain.comparison import ChangeKind, change_line
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.placement import join_names
from massage_chart.domain.presentation import (
    VIEW_LABELS,
    format_date,
    format_date_time,
    format_recorded_time,
    view_label,
)
from massage_chart.storage.database import Database
from massage_chart.ui.chart.alerts import ChartAlerts
from massage_chart.ui.chart.glyphs import SHORT_NAMES, kind_icon
from massage_chart.ui.chart.inspector import MarkInspector
from massage_chart.ui.chart.legend import LegendPanel
from massage_chart.ui.chart.mark_list import MarkListView
from massage_chart.ui.chart.scene import ChartScene
from massage_chart.ui.chart.tools import OTHER_KEYS, TOOL_KEYS, AreaMode
from massage_chart.ui.chart.view import ChartView
from massage_chart.ui.chart.visit_document import ChartDocument

#: Views shown side by side when there is room: the front and back, the sides, and the detail
#: views of the head, the hands and the feet.
GROUPS = (
    ("anterior", "posterior"),
    ("left_lateral", "right_lateral"),
    ("head_right_lateral", "face", "head_left_lateral"),
    ("hands_palmar", "hands_dorsal"),
    ("feet_dorsal", "feet_plantar"),
    ("anterior_deep", "posterior_deep"),
)
#: A group is shown whole when the viewport is at least this share of the group's own width to
#: height (two core figures side by side from a ratio of 0.8).
GROUP_FIT = 0.77
#: The detail view each further Ctrl+number opens (its group beside it where there is room).
DETAIL_SHORTCUTS = {"face": "Ctrl+5", "hands_palmar": "Ctrl+6", "feet_dorsal": "Ctrl+7"}
CHANGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SIDE_WIDTH = 300  # the selected mark and the lists, at the right of the map
SIDE_WIDTH_COMPACT = 250


#: The region names offered by the find field, per atlas (the same for every chart).
_REGION_NAMES: dict[int, tuple[Atlas, dict[str, tuple[str, str]], list[str]]] = {}


def _region_names(atlas: Atlas) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """The find field's names ("R upper trapezius · back"), each to its (view id, region id),
    and the names in alphabetical order; worked out once per atlas. A deep layer offers the
    muscles charted only there (psoas; the rhomboids under the trapezius): its other regions
    are the surface view's own."""
    kept = _REGION_NAMES.get(id(atlas))
    if kept is None or kept[0] is not atlas:
        on_surface = {
            deep: {region.id for region in atlas.regions(surface)}
            for deep, surface in SURFACE_OF.items()
            if deep in atlas.view_ids
        }
        names = {
            f"{region.label} · {view_label(view.id).lower()}": (view.id, region.id)
            for view in atlas.views
            for region in view.regions
            if region.id not in on_surface.get(view.id, ())
        }
        kept = (atlas, names, sorted(names, key=str.casefold))
        _REGION_NAMES[id(atlas)] = kept
    return kept[1], kept[2]


class _StepButton(QToolButton):
    """A toolbar Undo or Redo under a label that never changes; the step it would undo or redo
    is its tooltip (with any "&" shown as typed). It follows the undo stack's signals and their
    values alone (the stack signals while it is being destroyed), so it outlives the stack or
    the stack it, whichever goes first."""

    def __init__(self, stack: QUndoStack, *, redo: bool) -> None:
        super().__init__()
        self.stack = stack
        self.redo = redo
        label = "Redo" if redo else "Undo"
        self.setText(label)
        self.setAccessibleName(label)
        self.clicked.connect(self._on_clicked)
        (stack.canRedoChanged if redo else stack.canUndoChanged).connect(self._on_able_changed)
        (stack.redoTextChanged if redo else stack.undoTextChanged).connect(self._on_step_changed)
        self._step = stack.redoText() if redo else stack.undoText()
        self._on_able_changed(stack.canRedo() if redo else stack.canUndo())

    @Slot()
    def _on_clicked(self) -> None:
        if self.redo:
            self.stack.redo()
        else:
            self.stack.undo()

    @Slot(bool)
    def _on_able_changed(self, able: bool) -> None:
        self.setEnabled(able)
        self._show_step()

    @Slot(str)
    def _on_step_changed(self, step: str) -> None:
        self._step = step
        self._show_step()

    def _show_step(self) -> None:
        able = self.isEnabled()
        self.setToolTip(
            f"{self.text()} {self._step}" if able else f"Nothing to {self.text().lower()}"
        )


class VisitChartWindow(QMainWindow):
    """Chart one visit: every change is saved as it happens; a signed visit is read-only.

    Args:
        database: the open database.
        visit_id: the visit to chart.
        document: the visit's shared document (``ui.visit_documents``; by default the window
            reads one of its own).

    Signals:
        closed(visit_id): the window closed.
    """

    closed = Signal(str)

    def __init__(
        self,
        database: Database,
        visit_id: str,
        parent: QWidget | None = None,
        *,
        document: ChartDocument | None = None,
    ) -> None:
        super().__init__(parent)
        self._editable: bool | None = None  # as the tools and marks were last set
        self.document = document or ChartDocument(database, visit_id, parent=self)
        doc = self.document
        self.scene = ChartScene(doc, self)
        self.view = ChartView(self.scene)
        self.legend = LegendPanel()
        self.inspector = MarkInspector(doc)
        self.mark_list = MarkListView(doc)
        self.changes_list = QListWidget()
        self.changes_list.setAccessibleName("Changed since last visit")
        self.alerts_panel = ChartAlerts(doc, self)
        self.current_view = "anterior"
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_toolbar()
        self.hover_label = QLabel("")
        self.hover_label.setMinimumWidth(220)
        self.tool_label = QLabel("")
        self.statusBar().addWidget(self.hover_label, 1)
        self.statusBar().addPermanentWidget(self.tool_label)
        self._changes_timer = QTimer(self)
        self._changes_timer.setSingleShot(True)
        self._changes_timer.setInterval(120)
        self._changes_timer.timeout.connect(self._refresh_changes)
        self._connect()
        self.set_tool(None)
        self.show_view(self._opening_view())
        self._refresh_changes()
        self._on_document_read_only_changed(doc.read_only)
        self._on_alerts_panel_changed()
        self._update_title()
        self.resize(1366, 740)

    # ------------------------------------------------------------------ building

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff4d6; color: #5a3e00; padding: 6px 10px; border-bottom: 1px solid #e0c77a;"
        )
        self.banner.hide()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(
            "background: #fde3e3; color: #8a1111; padding: 6px 10px; border-bottom: 1px solid #e5a0a0;"
        )
        self.problem.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self.problem)
        layout.addWidget(self.alerts_panel)
        layout.addWidget(self.view, 1)
        self.central_layout = layout
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        legend_dock = QDockWidget("Legend and tools", self)
        legend_dock.setObjectName("legend")
        legend_dock.setWidget(self.legend)
        legend_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, legend_dock)
        self.legend_dock = legend_dock
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.inspector)
        tabs = QTabWidget()
        tabs.addTab(self.mark_list, "Marks by region")
        tabs.addTab(self.changes_list, "Since last visit")
        self.tabs = tabs
        side.addWidget(tabs)
        side.setStretchFactor(0, 0)
        side.setStretchFactor(1, 1)
        side_dock = QDockWidget("Selected mark and list", self)
        side_dock.setObjectName("inspector")
        side_dock.setWidget(side)
        side_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        side_dock.setMinimumWidth(SIDE_WIDTH)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, side_dock)
        self.side_dock = side_dock

    def _action(self, text: str, keys: list[str], slot: object, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        shown = " or ".join(keys)
        action.setToolTip(f"{tip or text} ({shown})" if keys else tip or text)
        action.triggered.connect(slot)
        # Only while working in the chart: beside the note in the visit window, a digit, a
        # letter or Delete typed there is the note's, never a chart command.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.tool_actions: dict[str, QAction] = {}
        self.tool_actions[""] = self._action(
            "Select", ["Esc", "Q"], lambda: self.set_tool(None), "Select, move and edit marks"
        )
        for kind in MarkKind:
            self.tool_actions[kind.value] = self._action(
                kind.legend.name,
                [TOOL_KEYS[kind]],
                lambda _=False, k=kind: self.set_tool(k),
                f"{kind.legend.name} tool",
            )
        self.view_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for number, (view_id, name) in enumerate(VIEW_LABELS.items(), start=1):
            action = self._action(
                name,
                [f"Ctrl+{number}"],
                lambda _=False, v=view_id: self.show_view(v),
                f"{name} view",
            )
            action.setCheckable(True)
            group.addAction(action)
            self.view_actions[view_id] = action
        # The detail views this chart's atlas has (a chart signed on an older atlas may have none).
        self.detail_actions: list[QAction] = []
        for atlas_view in self.document.atlas.views:
            if atlas_view.id in VIEW_LABELS or atlas_view.id in SURFACE_OF:
                continue
            shortcut = DETAIL_SHORTCUTS.get(atlas_view.id)
            action = self._action(
                atlas_view.name or atlas_view.id,
                [shortcut] if shortcut else [],
                lambda _=False, v=atlas_view.id: self.show_view(v),
                f"{atlas_view.name} detail view",
            )
            action.setCheckable(True)
            group.addAction(action)
            self.view_actions[atlas_view.id] = action
            self.detail_actions.append(action)
        # The deep layer: the deep muscles under the anterior and posterior views (atlas 2 on).
        self.deep_action: QAction | None = None
        if all(v in self.scene.figures for v in SURFACE_OF):
            self.deep_action = self._action(
                "Deep layer",
                ["Ctrl+D"],
                self._on_deep_action_triggered,
                "Show the deep muscles under the anterior and posterior views",
            )
            self.deep_action.setCheckable(True)
        self.zoom_in_action = self._action("Zoom in", ["+", "=", "Ctrl++"], self.view.zoom_in)
        self.zoom_out_action = self._action("Zoom out", ["-", "Ctrl+-"], self.view.zoom_out)
        self.fit_action = self._action("Fit", ["F", "Ctrl+0"], self.view.fit, "Fit to the window")
        for digit in range(10):
            self._action(
                f"Intensity {digit}", [str(digit)], lambda _=False, d=digit: self.set_intensity(d)
            )
        self._action("Intensity down", ["["], lambda: self.step_intensity(-1))
        self._action("Intensity up", ["]"], lambda: self.step_intensity(1))
        self.delete_action = self._action(
            "Remove",
            ["Delete", "Backspace"],
            self._on_delete_triggered,
            "Remove the selected marks",
        )
        self.confirm_action = self._action(
            "Confirm",
            ["Return", "Enter"],
            self._on_confirm_triggered,
            "Confirm marks copied forward",
        )
        # Enter confirms only on the map and the list: in a text field it saves the text.
        self.removeAction(self.confirm_action)
        self.confirm_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.confirm_action)
        self.mark_list.addAction(self.confirm_action)
        self._action("Select all", ["Ctrl+A"], self._on_select_all_triggered)
        # Charting without a mouse: choose a region, then chart the tool on it.
        self._action("Next region", ["."], lambda: self.scene.step_region(1))
        self._action("Previous region", [","], lambda: self.scene.step_region(-1))
        self._action(
            "Chart the chosen region",
            ["Ctrl+Return", "Ctrl+Enter"],
            self.scene.chart_chosen_region,
            "Chart the tool on the region chosen with . and ,",
        )
        # Charting by name: type a region, Enter chooses it, Ctrl+Enter charts the tool there.
        self.region_names, names_in_order = _region_names(self.document.atlas)
        self.region_field = QLineEdit()
        self.region_field.setPlaceholderText("Find a region  ( / )")
        self.region_field.setAccessibleName("Find a region")
        self.region_field.setToolTip(
            "Type a muscle or area, Enter to choose it, then Ctrl+Enter to chart the tool there"
        )
        self.region_field.setClearButtonEnabled(True)
        self.region_field.setMaximumWidth(260)
        completer = QCompleter(names_in_order, self.region_field)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self._on_region_completer_activated)
        self.region_field.setCompleter(completer)
        self.region_field.returnPressed.connect(self._on_region_field_return_pressed)
        self._action("Find a region", ["/"], self._focus_region_field, "Type a region to chart")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.ghosts_action = self._action(
            "Last visit",
            ["Shift+G"],
            self._on_ghosts_toggled,
            "Show the last visit's marks faintly",
        )
        self.ghosts_action.setCheckable(True)
        self.ghosts_action.setChecked(True)
        self.copy_forward_action = self._action(
            "Copy forward",
            ["Ctrl+Shift+F"],
            self._on_copy_forward_triggered,
            "Bring the last visit's marks in, unconfirmed",
        )
        self.area_mode_action = self._action(
            "Brush", ["M"], self._on_area_mode_triggered, "Area tools: brush or outline"
        )
        self.help_action = self._action("Shortcuts", ["F1"], self.show_shortcuts)
        self._action("Close", ["Ctrl+W"], self._on_close_triggered)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Chart")
        bar.setObjectName("chart_toolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        for action in self.view_actions.values():
            if action not in self.detail_actions:
                bar.addAction(action)
        if self.detail_actions:
            menu = QMenu("Detail views", self)
            for action in self.detail_actions:
                menu.addAction(action)
            self.detail_button = QToolButton()
            self.detail_button.setText("Detail")
            self.detail_button.setToolTip("Head and neck, hands and feet, close up (Ctrl+5, 6, 7)")
            self.detail_button.setAccessibleName("Detail views")
            self.detail_button.setMenu(menu)
            self.detail_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.detail_button.setCheckable(True)  # shown pressed while a detail view is on
            bar.addWidget(self.detail_button)
        if self.deep_action is not None:
            bar.addAction(self.deep_action)
        bar.addSeparator()
        bar.addAction(self.zoom_out_action)
        bar.addAction(self.zoom_in_action)
        bar.addAction(self.fit_action)
        bar.addSeparator()
        # Fixed labels: the actions' texts name the step ("Undo Add P R rhomboids"), which made
        # the toolbar jump at every change; the step is named in the tooltip instead.
        self.undo_button = _StepButton(self.document.undo_stack, redo=False)
        self.redo_button = _StepButton(self.document.undo_stack, redo=True)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        self.addToolBar(bar)
        self.toolbar = bar
        # The charting half: a narrow chart (beside the note) shows it on a row of its own.
        bar = QToolBar("Charting")
        bar.setObjectName("charting_toolbar")
        bar.setMovable(False)
        bar.addAction(self.area_mode_action)
        bar.addSeparator()
        bar.addWidget(self.region_field)
        bar.addSeparator()
        bar.addWidget(QLabel(" New marks "))
        self.intensity_spin = QSpinBox()
        self.intensity_spin.setRange(0, 10)
        self.intensity_spin.setSuffix("/10")
        self.intensity_spin.setValue(self.scene.new_intensity)
        self.intensity_spin.setToolTip(
            "Intensity given to new marks (digits when nothing is selected)"
        )
        self.intensity_spin.setAccessibleName("Intensity of new marks")
        bar.addWidget(self.intensity_spin)
        bar.addSeparator()
        bar.addAction(self.ghosts_action)
        bar.addAction(self.copy_forward_action)
        bar.addSeparator()
        bar.addAction(self.help_action)
        self.addToolBar(bar)
        self.charting_toolbar = bar

    def fold_toolbars(self, fold: bool) -> None:
        """The charting tools on a row of their own under the views (a narrow chart), or on
        the same row."""
        if fold != self.toolBarBreak(self.charting_toolbar):
            if fold:
                self.insertToolBarBreak(self.charting_toolbar)
            else:
                self.removeToolBarBreak(self.charting_toolbar)

    def set_compact(self, compact: bool) -> None:
        """Give the body map the room when the chart is short of width (beside the note): the
        legend shows codes and keys only, the side panel takes less."""
        self.legend.set_compact(compact)
        self.side_dock.setMinimumWidth(SIDE_WIDTH_COMPACT if compact else SIDE_WIDTH)
        self.resizeDocks(
            [self.legend_dock, self.side_dock],
            [self.legend.minimumWidth(), self.side_dock.minimumWidth()],
            Qt.Orientation.Horizontal,
        )

    def toolbars_width(self) -> int:
        """The width both toolbars need on one row."""
        return sum(b.sizeHint().width() for b in (self.toolbar, self.charting_toolbar))

    def _connect(self) -> None:
        doc = self.document
        self.scene.selectionChanged.connect(self._on_scene_selection_changed)
        self.scene.hovered.connect(self._on_scene_hovered)
        self.scene.closer_wanted.connect(self._on_scene_closer_wanted)
        self.scene.tool_used.connect(self._on_scene_tool_used)
        self.mark_list.marks_selected.connect(self._on_mark_list_marks_selected)
        self.legend.tool_chosen.connect(self._on_legend_tool_chosen)
        self.view.resized.connect(self._on_view_resized)
        self.intensity_spin.valueChanged.connect(self._on_intensity_spin_value_changed)
        self.changes_list.itemActivated.connect(self._on_changes_list_item_activated)
        self.changes_list.itemClicked.connect(self._on_changes_list_item_activated)
        for signal in (doc.mark_added, doc.mark_removed, doc.mark_changed, doc.mark_moved):
            signal.connect(self._on_document_changed)
        doc.problem_reported.connect(self._on_document_problem_reported)
        doc.conflict_detected.connect(self._on_document_problem_reported)
        doc.read_only_changed.connect(self._on_document_read_only_changed)
        doc.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)
        doc.note_saved.connect(self._on_document_note_saved)
        doc.earlier_changed.connect(self._on_document_earlier_changed)
        self.alerts_panel.changed.connect(self._on_alerts_panel_changed)

    # ------------------------------------------------------------------ behaviour

    def take_alerts_panel(self) -> ChartAlerts:
        """Hand the alerts panel to a window that shows it above more than the map (the visit
        window shows it above chart and note); it keeps working on this chart."""
        self.central_layout.removeWidget(self.alerts_panel)
        self.alerts_panel.setParent(None)
        return self.alerts_panel

    def _update_title(self) -> None:
        doc = self.document
        when = format_date_time(doc.visit_start)
        state = "signed, read-only" if doc.read_only else "draft, saved as you chart"
        self.setWindowTitle(f"Chart — {doc.client_name} — {when} ({state})")

    def set_tool(self, kind: MarkKind | None) -> None:
        """Make a tool current (None: Select)."""
        if kind is not None and self.document.read_only:
            self._on_document_problem_reported(
                "This visit is signed: its chart cannot be changed. Add an addendum instead."
            )
            kind = None
        if kind is not None and self.document.held_by:
            self._on_document_problem_reported(self.document.held_by)
            kind = None
        self.scene.cancel_gesture()
        self.scene.tool = kind
        self.legend.set_tool(kind)
        if kind is None:
            self.view.setDragMode(ChartView.DragMode.RubberBandDrag)
            self.view.viewport().unsetCursor()
            self.tool_label.setText("Tool: Select")
        else:
            self.view.setDragMode(ChartView.DragMode.NoDrag)
            self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
            how = {
                "point": "click to mark",
                "stroke": "drag to draw",
                "area": f"drag to {'paint' if self.scene.area_mode is AreaMode.BRUSH else 'outline'}; "
                "click for the whole region",
            }[kind.geometry.value]
            self.tool_label.setText(f"Tool: {kind.legend.code} {SHORT_NAMES[kind]} — {how}")

    def choose_region_named(self, text: str) -> str:
        """Choose the region a typed name finds (the first match, as the list offers it), showing
        its view; returns its name, or "" (after saying so) when nothing matches."""
        name = text
        if name not in self.region_names:
            wanted = text.strip().casefold()
            found = sorted(
                (n for n in self.region_names if wanted and wanted in n.casefold()),
                key=lambda n: (not n.casefold().startswith(wanted), n.casefold()),
            )
            if not found:
                self.statusBar().showMessage(f"No region is named “{text.strip()}”.", 4000)
                return ""
            name = found[0]
        view_id, region_id = self.region_names[name]
        if view_id not in self.scene.visible_views():
            self.show_view(view_id, exact=True)
        label = self.scene.choose_region(view_id, region_id)
        tool = self.scene.tool
        then = (
            f"Ctrl+Enter charts {tool.legend.name.lower()} there."
            if tool is not None
            else "Choose a tool (its letter), then Ctrl+Enter charts it there."
        )
        self.statusBar().showMessage(f"{label} chosen. {then}", 8000)
        return label

    @Slot()
    def _focus_region_field(self) -> None:
        self.region_field.setFocus()
        self.region_field.selectAll()

    @Slot(str)
    def _on_region_completer_activated(self, name: str) -> None:
        self.region_field.setText(name)

    @Slot()
    def _on_region_field_return_pressed(self) -> None:
        if self.choose_region_named(self.region_field.text()):
            self.region_field.clear()
            self.view.setFocus()

    def _opening_view(self) -> str:
        """The view a chart opens on: the one holding most of this visit's marks (a new chart:
        most of the last visit's), so a low-back client's chart opens on the back; the front
        when there are none."""
        doc = self.document
        marks = list(doc.marks.values()) or list(doc.previous)
        # A deep layer's marks count for its surface view (the figure it lies under).
        counts = Counter(
            SURFACE_OF.get(m.view, m.view) for m in marks if m.view in self.scene.figures
        )
        return counts.most_common(1)[0][0] if counts else "anterior"

    def show_view(self, view_id: str, *, exact: bool = False) -> None:
        """Show a view, beside its pair (anterior with posterior) when there is room. While the
        deep layer is on, the anterior and posterior views are shown as their deep layers
        (unless ``exact``); a deep layer shown turns the switch on, a surface one off."""
        deep = self.deep_action
        if deep is not None and not exact and deep.isChecked() and view_id in DEEP_LAYERS:
            view_id = DEEP_LAYERS[view_id]
        surface = SURFACE_OF.get(view_id, view_id)
        if deep is not None and view_id in SURFACE_OF:
            deep.setChecked(True)
        elif deep is not None and view_id in DEEP_LAYERS:
            deep.setChecked(False)
        self.current_view = view_id
        self.view_actions[surface].setChecked(True)
        if self.detail_actions:
            self.detail_button.setChecked(self.view_actions[surface] in self.detail_actions)
        self._lay_out()
        self.view.fit()

    @Slot(bool)
    def _on_deep_action_triggered(self, on: bool) -> None:
        surface = SURFACE_OF.get(self.current_view, self.current_view)
        if surface in DEEP_LAYERS:
            self.show_view(DEEP_LAYERS[surface] if on else surface, exact=True)

    def _lay_out(self) -> None:
        viewport = self.view.viewport()
        ratio = viewport.width() / max(1, viewport.height())
        shown = [self.current_view]
        group = [
            view_id
            for view_id in next((g for g in GROUPS if self.current_view in g), shown)
            if view_id in self.scene.figures
        ]
        if len(group) > 1 and ratio >= GROUP_FIT * self.scene.group_ratio(group):
            shown = group
        if shown != self.scene.visible_views():
            self.scene.layout_views(shown)
            self.view.fit()

    def set_intensity(self, value: int) -> None:
        """Set the intensity of the selected marks, or of new marks when none is selected."""
        selected = self.scene.selected_mark_ids()
        if selected:
            self.document.edit_marks(selected, intensity=value)
        else:
            self.intensity_spin.setValue(value)

    def step_intensity(self, step: int) -> None:
        """Raise or lower the intensity of the selected marks by one (0 to 10), one undo step."""
        selected = self.scene.selected_mark_ids()
        if not selected:
            self.intensity_spin.setValue(self.intensity_spin.value() + step)
            return
        changes: dict[str, dict[str, int]] = {}
        for mark_id in selected:
            mark = self.document.mark(mark_id)
            if mark.intensity is None:
                continue
            value = min(10, max(0, mark.intensity + step))
            if value != mark.intensity:
                changes[mark_id] = {"intensity": value}
        if changes:
            self.document.edit_each(changes, f"Intensity {'up' if step > 0 else 'down'} of")

    def show_shortcuts(self) -> None:
        """A list of every key of the chart."""
        dialog = QDialog(self)
        dialog.setWindowTitle("Chart shortcuts")
        table = QTableWidget(len(MarkKind) + len(OTHER_KEYS), 2, dialog)
        table.setHorizontalHeaderLabels(["Key", "What it does"])
        table.verticalHeader().hide()
        row = 0
        for kind in MarkKind:
            table.setItem(row, 0, QTableWidgetItem(TOOL_KEYS[kind]))
            item = QTableWidgetItem(
                kind_icon(kind), f"{kind.legend.code} — {kind.legend.name} tool"
            )
            table.setItem(row, 1, item)
            row += 1
        for keys, words in OTHER_KEYS:
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(words))
            row += 1
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        dialog.resize(620, 620)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.shortcuts_dialog = dialog

    # ------------------------------------------------------------------ handlers

    @Slot()
    def _on_scene_selection_changed(self) -> None:
        ids = self.scene.selected_mark_ids()
        self.mark_list.select_marks(ids)
        self.inspector.show_marks(ids)
        self.inspector.show_warnings(self.alerts_panel.warnings_for(ids))

    @Slot(list)
    def _on_mark_list_marks_selected(self, ids: list[str]) -> None:
        if ids:
            mark = self.document.mark(ids[-1])
            if mark.view not in self.scene.visible_views():
                self.show_view(mark.view)
            item = self.scene.items_by_id.get(ids[-1])
            if item is not None:
                self.view.ensureVisible(item)
        self.scene.select_marks(ids)

    @Slot(str)
    def _on_scene_hovered(self, label: str) -> None:
        hovered = self.scene.hovered_region
        closer = closer_view(*hovered) if hovered is not None else ""
        if closer in self.scene.figures and self.scene.tool is None:
            label = f"{label} — double-click: {view_label(closer).lower()}, close up"
        self.hover_label.setText(label)

    @Slot(str)
    def _on_scene_closer_wanted(self, view_id: str) -> None:
        self.show_view(view_id, exact=True)
        self.statusBar().showMessage(
            f"{view_label(view_id)}: the close-up. Ctrl+1 and Ctrl+2 go back to the body.", 6000
        )

    @Slot(str)
    def _on_scene_tool_used(self, message: str) -> None:
        self.statusBar().showMessage(message, 4000)

    @Slot(str)
    def _on_legend_tool_chosen(self, value: str) -> None:
        self.set_tool(MarkKind(value) if value else None)

    @Slot()
    def _on_view_resized(self) -> None:
        self._lay_out()

    @Slot(int)
    def _on_intensity_spin_value_changed(self, value: int) -> None:
        self.scene.new_intensity = value

    @Slot(QListWidgetItem)
    def _on_changes_list_item_activated(self, item: QListWidgetItem) -> None:
        mark_id = item.data(CHANGE_ID_ROLE)
        if mark_id and mark_id in self.document.marks:
            self._on_mark_list_marks_selected([str(mark_id)])

    @Slot()
    def _on_delete_triggered(self) -> None:
        self.document.delete_marks(self.scene.selected_mark_ids())

    @Slot()
    def _on_confirm_triggered(self) -> None:
        ids = [i for i in self.scene.selected_mark_ids() if not self.document.mark(i).confirmed]
        if ids:
            self.document.confirm_marks(ids)

    @Slot()
    def _on_select_all_triggered(self) -> None:
        self.scene.select_marks(list(self.scene.items_by_id))

    @Slot(bool)
    def _on_ghosts_toggled(self, checked: bool) -> None:
        self.scene.set_ghosts_visible(checked)

    @Slot()
    def _on_copy_forward_triggered(self) -> None:
        count = self.document.copy_forward()
        if count:
            shown = self.scene.visible_views()
            hidden = sorted(
                {m.view for m in self.document.marks.values() if not m.confirmed} - set(shown)
            )
            where = ""
            if hidden:
                names = join_names([v.replace("_", " ") for v in hidden])
                where = (
                    f" Some are on the {names} view{'s' if len(hidden) > 1 else ''}, not shown: "
                    "show it with its button above, or confirm them in the list of marks."
                )
            self.statusBar().showMessage(
                f"{count} marks copied from the last visit: confirm (Enter), edit, or remove "
                f"the resolved ones (Delete).{where}",
                12000,
            )

    @Slot()
    def _on_close_triggered(self) -> None:
        self.window().close()  # the visit window when the chart is part of one

    def _on_area_mode_triggered(self) -> None:
        brush = self.scene.area_mode is AreaMode.BRUSH
        self.scene.area_mode = AreaMode.OUTLINE if brush else AreaMode.BRUSH
        self.area_mode_action.setText("Outline" if brush else "Brush")
        self.set_tool(self.scene.tool)

    @Slot(str)
    def _on_document_changed(self, _mark_id: str) -> None:
        self.problem.hide()
        self._changes_timer.start()

    @Slot(str)
    def _on_document_problem_reported(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.statusBar().showMessage(message, 8000)

    @Slot(bool)
    def _on_document_read_only_changed(self, read_only: bool) -> None:
        doc = self.document
        if read_only:
            when = format_recorded_time(doc.signed_at) if doc.signed_at else "elsewhere"
            self.banner.setText(
                f"Signed {when}: this chart is read-only. Corrections are made as addenda."
            )
            self.banner.show()
            self.set_tool(None)
        self._update_editable()
        self._update_title()

    def _update_editable(self) -> None:
        """Tools and edits only while the chart is a draft and no stop/refer alert holds it."""
        doc = self.document
        editable = not doc.read_only and not doc.held_by
        if editable != self._editable:  # asked after every mark: the tools and every mark's
            self._editable = editable  # flags change only when this does
            if not editable:
                self.set_tool(None)
            for key, action in self.tool_actions.items():
                if key:
                    action.setEnabled(editable)
            for action in (self.delete_action, self.confirm_action, self.area_mode_action):
                action.setEnabled(editable)
            self.intensity_spin.setEnabled(editable)
            self.legend.set_enabled_tools(editable)
            self.scene.set_editable(editable)
        self.inspector.show_marks(self.inspector.mark_ids)
        self._update_copy_forward()

    @Slot()
    def _on_alerts_panel_changed(self) -> None:
        panel = self.alerts_panel
        self._update_editable()
        regions = panel.regions()
        self.scene.show_alert_regions(regions)
        self.legend.show_alert_key(bool(regions))
        self.inspector.show_warnings(panel.warnings_for(self.scene.selected_mark_ids()))
        panel.setVisible(panel.has_content())

    @Slot(str)
    def _on_document_note_saved(self, _visit_id: str) -> None:
        self.alerts_panel.reload()  # the note editor may have recorded an override

    @Slot()
    def _on_document_earlier_changed(self) -> None:
        self._changes_timer.start()  # compared with the previous visit as it is now
        self._update_copy_forward()

    @Slot(int)
    def _on_undo_stack_index_changed(self, _index: int) -> None:
        self._update_copy_forward()

    def _update_copy_forward(self) -> None:
        doc = self.document
        carried = doc.carried_ids()
        left = sum(1 for m in doc.previous if m.id not in carried)
        self.copy_forward_action.setText(f"Copy forward ({left})" if left else "Copy forward")
        self.copy_forward_action.setEnabled(bool(left) and not doc.read_only and not doc.held_by)
        self.ghosts_action.setEnabled(bool(doc.previous))

    def _refresh_changes(self) -> None:
        doc = self.document
        self.changes_list.clear()
        if doc.previous_start is None:
            self.changes_list.addItem("First visit: nothing to compare with.")
            return
        header = QListWidgetItem(f"Compared with {format_date(doc.previous_start.date())}")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.changes_list.addItem(header)
        changes = [c for c in doc.changes() if c.change is not ChangeKind.UNCHANGED]
        if not changes:
            self.changes_list.addItem("No change in findings.")
        symbols = {
            ChangeKind.NEW: "＋",
            ChangeKind.WORSE: "▲",
            ChangeKind.BETTER: "▼",
            ChangeKind.RESOLVED: "✓",
        }
        for change in changes:
            text = f"{symbols[change.change]} {change_line(change)}"
            item = QListWidgetItem(kind_icon(change.kind), text)
            if change.after_id:
                item.setData(CHANGE_ID_ROLE, change.after_id)
            self.changes_list.addItem(item)
        self._update_copy_forward()

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the chart, read the alerts again: an override or a clearance may have
        been recorded in the note or the client's record meanwhile."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.alerts_panel.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Nothing to save: every change was committed as it was made."""
        self.scene.cancel_gesture()
        self.document.hold_charting("")  # the note editor sharing the document holds its own
        super().closeEvent(event)
        self.closed.emit(self.document.visit_id)


def open_visit_chart(
    database: Database,
    visit_id: str,
    parent: QWidget | None = None,
    *,
    document: ChartDocument | None = None,
) -> VisitChartWindow:
    """Open (and show) the chart window of a visit, on its shared document when given one.

    With a parent, the window is its own top-level window owned by the parent and deleted when
    closed; without one, the caller keeps the returned window alive.
    """
    window = VisitChartWindow(database, visit_id, parent, document=document)
    if parent is not None:
        window.setWindowFlag(Qt.WindowType.Window, True)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
