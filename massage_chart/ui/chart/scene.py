"""The body-map scene: a projection of the chart document, and the charting tools' input.

The scene shows the document's marks (and the last visit's ghosts and standing avoid areas) on
one figure per atlas view. Clicks and drags with a tool become document intents; a drag of
selected marks becomes one Move at mouse release.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QWidget,
)

from massage_chart.atlas import Region, closer_view
from massage_chart.domain.atlas_moves import on_surface_view
from massage_chart.domain.marks import Geometry, MarkData, MarkKind
from massage_chart.ui.chart import tools
from massage_chart.ui.chart.glyphs import SHORT_NAMES
from massage_chart.ui.chart.items import BadgeItem, FigureItem, MarkItem
from massage_chart.ui.chart.tools import AreaMode
from massage_chart.ui.chart.visit_document import ChartDocument

FIGURE_GAP = 140.0
DEFAULT_INTENSITY = 5
LABEL_COLUMN = 64.0
"""The width, in screen pixels, of the columns labels are filed by while kept apart."""


PAPER = QColor("#ece8e3")
"""The body chart's paper, light in any theme: the figures, captions and symbols are drawn to
read on it, as they print."""


class ChartScene(QGraphicsScene):
    """Figures of the atlas views with the document's marks; tools turn input into intents.

    Args:
        document: the chart document shown and edited.

    Attributes:
        tool: the current tool: a mark kind, or None for Select.
        area_mode: how area tools draw when dragged.
        new_intensity: the intensity given to new marks of kinds that take one.

    Signals:
        hovered(text): the label of the region under the pointer ("" off the body).
        closer_wanted(view_id): a double-click with Select asked for the detail view that shows
            the region closer.
        tool_used(message): a short hint after a tool did nothing (for the status bar).
    """

    hovered = Signal(str)
    tool_used = Signal(str)
    closer_wanted = Signal(str)

    def __init__(self, document: ChartDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.tool: MarkKind | None = None
        self.area_mode = AreaMode.BRUSH
        self.new_intensity = DEFAULT_INTENSITY
        self.glyph_scale = 1.0
        self.view_scale = 1.0  # screen pixels per scene unit, as the view last said
        # Hidden views whose labels were last kept apart at another zoom: done when shown.
        self._badges_stale: set[str] = set()
        self.figures: dict[str, FigureItem] = {}
        self.items_by_id: dict[str, MarkItem] = {}
        self.ghosts: list[MarkItem] = []
        self.standing: list[MarkItem] = []
        self._ghosts_visible = True
        self._gesture_figure: FigureItem | None = None
        self._gesture: list[tuple[float, float]] = []
        self._preview = QGraphicsPathItem()
        self._preview.setZValue(50)
        self.addItem(self._preview)
        self._drag_start: dict[str, QPointF] = {}
        self._hover_figure: FigureItem | None = None
        # The region under the pointer, with its view (None off the body).
        self.hovered_region: tuple[str, Region] | None = None
        # The region chosen from the keyboard (view id, index in its view's regions).
        self._keyboard: tuple[str, int] | None = None
        self.setBackgroundBrush(PAPER)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        for view in document.atlas.views:
            figure = FigureItem(view)
            self.addItem(figure)
            self.figures[view.id] = figure
        self.layout_views(list(self.figures)[:2])
        for mark in document.marks.values():
            self._add_item(mark, arrange=False)
        self._build_ghosts()  # arranges every region's labels, this visit's marks' too
        document.mark_added.connect(self._on_document_mark_added)
        document.mark_removed.connect(self._on_document_mark_removed)
        document.mark_changed.connect(self._on_document_mark_changed)
        document.mark_moved.connect(self._on_document_mark_changed)
        document.read_only_changed.connect(self._on_document_read_only_changed)
        document.earlier_changed.connect(self._build_ghosts)
        self._on_document_read_only_changed(document.read_only)

    # ------------------------------------------------------------------ layout and display

    def layout_views(self, view_ids: Sequence[str]) -> QRectF:
        """Show these views side by side (others hidden); returns the area they take."""
        x = 0.0
        shown = QRectF()
        for view_id, figure in self.figures.items():
            visible = view_id in view_ids
            figure.setVisible(visible)
            if visible and view_id in self._badges_stale:
                self._separate_badges(view_id)
        for view_id in view_ids:
            figure = self.figures[view_id]
            figure.setPos(x, 0)
            shown = shown.united(figure.mapRectToScene(figure.boundingRect()))
            x += figure.frame_width + FIGURE_GAP
        self.setSceneRect(shown.adjusted(-40, -20, 40, 20))
        return shown

    def group_ratio(self, view_ids: Sequence[str]) -> float:
        """The width to height of these views laid out side by side, with their captions."""
        figures = [self.figures[view_id] for view_id in view_ids]
        width = sum(f.boundingRect().width() for f in figures) + FIGURE_GAP * (len(figures) - 1)
        height = max(f.boundingRect().height() for f in figures)
        return width / height

    def show_alert_regions(self, by_view: Mapping[str, Sequence[str]]) -> None:
        """Hatch the regions health alerts name, per view (views not given: none)."""
        for view_id, figure in self.figures.items():
            figure.show_alert_regions(list(by_view.get(view_id, ())))

    def visible_views(self) -> list[str]:
        """The views shown now, left to right."""
        return [v for v, f in self.figures.items() if f.isVisible()]

    def set_zoom(self, scale: float, *, settled: bool = True) -> None:
        """Follow the view's zoom: point glyphs shrink a little when the figures are small, and
        labels of neighbouring regions are kept apart at the new size.

        While zoom steps are still coming (``settled=False``) only the labels are kept apart:
        the glyphs keep their size, and treated areas' labels stay shown or hidden, until the
        zoom settles and this is called again. A glyph of a new size is drawn afresh, and doing
        that for every point mark at every step was half of a zoomed-out step's painting.
        """
        self.view_scale = scale
        glyph_scale = round(min(1.0, max(0.7, 0.7 + 0.3 * (scale - 0.5) / 0.7)), 2)
        if settled and glyph_scale != self.glyph_scale:
            self.glyph_scale = glyph_scale
            for item in [*self.items_by_id.values(), *self.ghosts]:
                item.set_glyph_scale(glyph_scale)
            places: set[tuple[str, str | None]] = set()
            for item in [*self.items_by_id.values(), *self.standing]:
                if item.badge is not None and item.mark.kind is MarkKind.TREATED:
                    item.badge.show_label(self._treated_badges())
                    places.add((item.mark.view, item.mark.region_id))
            self._arrange_places(places)
        self._separate_all_badges()

    def _treated_badges(self) -> bool:
        """Treated areas are labelled only when zoomed in: their light fill reads at a glance,
        and at a small size their labels would crowd the findings'."""
        return self.glyph_scale >= 0.85

    def _add_item(self, mark: MarkData, role: str = "mark", *, arrange: bool = True) -> MarkItem:
        """The item of a mark on its figure; ``arrange=False`` leaves its region's labels to the
        caller (adding many, it arranges each region once with ``_arrange_places``)."""
        item = MarkItem(self.figures[mark.view], mark, role)
        item.set_glyph_scale(self.glyph_scale)
        if item.badge is not None and mark.kind is MarkKind.TREATED:
            item.badge.show_label(self._treated_badges())
        if role == "mark":
            self.items_by_id[mark.id] = item
            editable = not self.document.read_only and not self.document.held_by
            item.setFlag(item.GraphicsItemFlag.ItemIsMovable, editable)
        if item.badge is not None and arrange:
            self._arrange_badges(mark.view, mark.region_id)
        return item

    def _arrange_badges(self, view_id: str, region_id: str | None) -> None:
        """Keep the labels of one region's areas side by side, just below its point marks
        (the caller then moves the view's labels off other regions', once per change)."""
        self._arrange_places({(view_id, region_id)})

    def _arrange_places(self, places: set[tuple[str, str | None]]) -> None:
        """``_arrange_badges`` for many regions, reading each view's items once."""
        regions_by_view: dict[str, set[str]] = {}
        for view_id, region_id in places:
            if region_id is not None:
                regions_by_view.setdefault(view_id, set()).add(region_id)
        for view_id, region_ids in regions_by_view.items():
            figure = self.figures[view_id]
            labelled: dict[str, list[MarkItem]] = {region_id: [] for region_id in region_ids}
            for item in figure.childItems():
                if not isinstance(item, MarkItem) or item.badge is None:
                    continue
                items = labelled.get(item.mark.region_id or "")
                if (
                    items is not None
                    and item.badge.isVisibleTo(figure)
                    and item.isVisibleTo(figure)
                ):
                    items.append(item)
            for items in labelled.values():
                self._place_side_by_side(items)

    @staticmethod
    def _place_side_by_side(items: list[MarkItem]) -> None:
        """One region's labels in a row, centred under its marks."""
        items.sort(key=lambda item: (item.zValue(), item.mark.created_at))
        widths = [item.badge.width() + 2 if item.badge else 0 for item in items]
        x = -sum(widths) / 2
        for item, width in zip(items, widths, strict=True):
            if item.badge is not None:
                item.badge.set_offset(QPointF(x + width / 2, 16))
            x += width

    def _separate_all_badges(self) -> None:
        """Keep labels apart on the views shown; hidden views wait until they are shown (a
        zoom step then costs only what is on screen)."""
        for view_id, figure in self.figures.items():
            if figure.isVisible():
                self._separate_badges(view_id)
            else:
                self._badges_stale.add(view_id)

    def _separate_badges(self, view_id: str) -> None:
        """Move labels of neighbouring regions off each other, downwards, at the view's zoom
        (labels keep their size on screen while the body grows and shrinks under them). Labels
        only move down, so none crosses to the other side of the body."""
        figure = self.figures.get(view_id)
        if figure is None:
            return
        self._badges_stale.discard(view_id)
        scale = self.view_scale
        per_unit = scale * figure.sceneTransform().m11()  # screen pixels per figure unit
        # (ghost, top, left, right, bottom, label) in screen pixels: plain numbers, as a view
        # can hold hundreds of labels and this runs at every zoom step and every new mark.
        boxes: list[tuple[bool, float, float, float, float, BadgeItem]] = []
        for item in figure.childItems():
            if not isinstance(item, MarkItem) or item.badge is None:
                continue
            badge = item.badge
            if badge.isVisibleTo(figure) and item.isVisibleTo(figure):
                anchor = figure.mapToScene(badge.anchor)
                x, y = anchor.x() * scale, anchor.y() * scale
                box = badge.boundingRect()
                ghost = item.role == "ghost"
                boxes.append(
                    (ghost, box.top() + y, box.left() + x, box.right() + x, box.bottom() + y, badge)
                )
        # This visit's labels first; the last visit's faint ones make way for them.
        boxes.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
        # The labels placed so far (left, top, right, bottom), filed by the columns of the
        # screen they span: a label is checked only against those in its own columns.
        columns: dict[int, list[tuple[float, float, float, float]]] = {}
        for _ghost, top, left, right, bottom, badge in boxes:
            if right <= left or bottom <= top:
                badge.set_nudge(QPointF(0, 0), per_unit)  # an empty box meets nothing
                continue
            spanned = range(int(left // LABEL_COLUMN), int(right // LABEL_COLUMN) + 1)
            # Moving down never changes which labels overlap it across: only those can meet it.
            across = sorted(
                {
                    other
                    for column in spanned
                    for other in columns.get(column, ())
                    if other[0] < right and left < other[2]
                },
                key=lambda other: other[1],
            )
            # Top to bottom: one it meets sends it below that one; the first that starts below
            # it ends the search (all after it start lower still).
            shift = 0.0
            for _left, other_top, _right, other_bottom in across:
                if other_top >= bottom + shift:
                    break
                if other_bottom > top + shift:
                    shift = other_bottom - top + 1
            badge.set_nudge(QPointF(0, shift), per_unit)
            placed = (left, top + shift, right, bottom + shift)
            for column in spanned:
                columns.setdefault(column, []).append(placed)

    def _build_ghosts(self) -> None:
        for item in self.ghosts + self.standing:
            self.removeItem(item)
        carried = self.document.carried_ids()
        self.ghosts = [
            self._add_item(m, "ghost", arrange=False)
            for m in self.document.previous
            if m.id not in carried
        ]
        self.standing = []
        for mark in self.document.standing_avoid:
            self.standing.append(self._add_item(mark, "standing", arrange=False))
            skin = on_surface_view(mark)  # an area to avoid over a deep muscle: on the skin too
            if skin.view != mark.view and skin.view in self.figures:
                self.standing.append(self._add_item(skin, "standing", arrange=False))
        self._arrange_places(
            {
                (item.mark.view, item.mark.region_id)
                for item in [*self.ghosts, *self.standing, *self.items_by_id.values()]
                if item.badge is not None
            }
        )  # with the ghosts shown, so their labels have their places when they are shown
        for ghost in self.ghosts:
            ghost.setVisible(self._ghosts_visible)
        self._separate_all_badges()  # the marks' labels too, when the scene is first built

    def set_ghosts_visible(self, visible: bool) -> None:
        """Show or hide the last visit's marks."""
        self._ghosts_visible = visible
        for ghost in self.ghosts:
            ghost.setVisible(visible)
        self._separate_all_badges()  # this visit's labels no longer make way for hidden ones

    def select_marks(self, mark_ids: Sequence[str]) -> None:
        """Select exactly these marks."""
        wanted = set(mark_ids)
        self.blockSignals(True)
        try:
            # Only the marks whose selection changes (a chart can hold hundreds).
            for item in self.selectedItems():
                if isinstance(item, MarkItem) and item.mark_id not in wanted:
                    item.setSelected(False)
            for mark_id in wanted:
                chosen = self.items_by_id.get(mark_id)
                if chosen is not None:
                    chosen.setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def selected_mark_ids(self) -> list[str]:
        """The ids of the selected marks, in charting order (asked of the few selected items, not
        of every mark: a chart can hold hundreds, and this is asked at every click)."""
        selected = {
            item.mark_id
            for item in self.selectedItems()
            if isinstance(item, MarkItem) and item.mark_id in self.items_by_id
        }
        return [i for i in self.items_by_id if i in selected]

    # ------------------------------------------------------------------ document signals

    @Slot(str)
    def _on_document_mark_added(self, mark_id: str) -> None:
        mark = self.document.mark(mark_id)
        if self._add_item(mark).badge is not None:  # a point mark moves no label
            self._separate_badges(mark.view)
        if mark.carried_from_id is not None:
            self._rebuild_ghosts_if_needed()

    @Slot(str)
    def _on_document_mark_removed(self, mark_id: str) -> None:
        item = self.items_by_id.pop(mark_id, None)
        if item is not None:
            was_selected = item.isSelected()
            self.removeItem(item)
            if item.badge is not None:
                self._arrange_badges(item.mark.view, item.mark.region_id)
                self._separate_badges(item.mark.view)
            if was_selected:
                self.selectionChanged.emit()
        self._rebuild_ghosts_if_needed()

    def _rebuild_ghosts_if_needed(self) -> None:
        carried = self.document.carried_ids()
        expected = {m.id for m in self.document.previous if m.id not in carried}
        if {g.mark.id for g in self.ghosts} != expected:
            self._build_ghosts()

    @Slot(str)
    def _on_document_mark_changed(self, mark_id: str) -> None:
        item = self.items_by_id.get(mark_id)
        if item is not None:
            old_region = item.mark.region_id
            item.set_mark(self.document.mark(mark_id))
            item.update()
            self._arrange_badges(item.mark.view, old_region)
            if item.mark.region_id != old_region:
                self._arrange_badges(item.mark.view, item.mark.region_id)
            self._separate_badges(item.mark.view)

    def set_editable(self, editable: bool) -> None:
        """Let marks be dragged and tools chart (False: signed, or charting held by an alert)."""
        for item in self.items_by_id.values():
            item.setFlag(item.GraphicsItemFlag.ItemIsMovable, editable)
        if not editable:
            self.tool = None

    @Slot(bool)
    def _on_document_read_only_changed(self, read_only: bool) -> None:
        self.set_editable(not read_only and not self.document.held_by)

    # ------------------------------------------------------------------ input

    def figure_at(self, scene_pos: QPointF) -> FigureItem | None:
        """The visible figure whose frame holds a scene point."""
        for figure in self.figures.values():
            if not figure.isVisible():
                continue
            local = figure.mapFromScene(scene_pos)
            if 0 <= local.x() < figure.frame_width and 0 <= local.y() < figure.frame_height:
                return figure
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Start a mark, a drawing, or (Select) a selection or drag."""
        if (
            self.tool is None
            or self.document.read_only
            or event.button() != Qt.MouseButton.LeftButton
        ):
            super().mousePressEvent(event)
            self._drag_start = {
                i: it.pos() for i, it in self.items_by_id.items() if it.isSelected()
            }
            return
        figure = self.figure_at(event.scenePos())
        if figure is None:
            self.tool_used.emit("Click on a figure to chart.")
            event.accept()
            return
        x, y = tools.clamp(*figure.to_fraction(figure.mapFromScene(event.scenePos())))
        kind = self.tool
        if kind.geometry is Geometry.POINT:
            self._chart(kind, figure.view.id, [(x, y)])
            event.accept()
            return
        self._gesture_figure = figure
        self._gesture = [(x, y)]
        self._update_preview()
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Extend a drawing, or let Select drag the selection; say which region is under the
        pointer."""
        self._hover(event.scenePos())
        figure = self._gesture_figure
        if figure is not None:
            x, y = tools.clamp(*figure.to_fraction(figure.mapFromScene(event.scenePos())))
            if tools.keep_point(self._gesture, x, y):
                self._gesture.append((x, y))
                self._update_preview()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Finish a drawing as one mark, or a drag as one Move."""
        figure = self._gesture_figure
        if figure is not None:
            points = self._gesture
            self.cancel_gesture()
            self._finish_gesture(figure, points)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        starts, self._drag_start = self._drag_start, {}
        moves: dict[str, list[tuple[float, float]]] = {}
        for mark_id, start in starts.items():
            item = self.items_by_id.get(mark_id)
            if item is None or item.pos() == start:
                continue
            delta = item.pos() - start
            f = item.figure
            dx, dy = delta.x() / f.frame_width, delta.y() / f.frame_height
            moves[mark_id] = [tools.clamp(x + dx, y + dy) for x, y in item.mark.points]
        if moves:
            self.document.move_marks(moves)
            for mark_id in moves:  # a refused move puts the item back where the mark is
                item = self.items_by_id.get(mark_id)
                if item is not None:
                    item.set_mark(self.document.mark(mark_id))

    def _hover(self, scene_pos: QPointF) -> None:
        figure = self.figure_at(scene_pos)
        region = figure.region_at(figure.mapFromScene(scene_pos)) if figure is not None else None
        if self._hover_figure is not None and self._hover_figure is not figure:
            self._hover_figure.show_region(None)
        self._hover_figure = figure
        if figure is not None:
            figure.show_region(region)
        self.hovered_region = (
            (figure.view.id, region) if figure is not None and region is not None else None
        )
        self.hovered.emit(region.label if region is not None else "")

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """With Select, a double-click on a hand, a foot or the head asks for its close-up."""
        if self.tool is None and event.button() == Qt.MouseButton.LeftButton:
            self._hover(event.scenePos())
            if self.hovered_region is not None and self.items_at(event.scenePos()) == []:
                view_id, region = self.hovered_region
                closer = closer_view(view_id, region)
                if closer in self.figures:
                    self.closer_wanted.emit(closer)
                    event.accept()
                    return
        super().mouseDoubleClickEvent(event)

    def items_at(self, scene_pos: QPointF) -> list[MarkItem]:
        """The marks drawn at a scene point."""
        return [item for item in self.items(scene_pos) if isinstance(item, MarkItem)]

    def step_region(self, step: int) -> str:
        """Choose the next (``step`` 1) or previous (-1) region of the views shown, from the
        keyboard: it is outlined as under the pointer and named; returns its name ("" when no
        view is shown). Charting without a mouse: choose a region, then ``chart_chosen_region``.
        """
        entries = [
            (view_id, index)
            for view_id in self.visible_views()
            for index in range(len(self.figures[view_id].view.regions))
        ]
        if not entries:
            return ""
        current = entries.index(self._keyboard) if self._keyboard in entries else -1
        if current == -1 and step < 0:
            current = 0
        view_id, index = entries[(current + step) % len(entries)]
        self._keyboard = (view_id, index)
        figure = self.figures[view_id]
        return self._show_chosen(figure, figure.view.regions[index])

    def choose_region(self, view_id: str, region_id: str) -> str:
        """Choose a region by its id (found by name), as . and , choose one: outlined, named, and
        charted by ``chart_chosen_region``; returns its name.

        Raises:
            AtlasError: no such region in that view.
        """
        figure = self.figures[view_id]
        region = figure.view.region(region_id)
        self._keyboard = (view_id, figure.view.regions.index(region))
        return self._show_chosen(figure, region)

    def _show_chosen(self, figure: FigureItem, region: Region) -> str:
        """Outline and name the region chosen from the keyboard (and no other); its name."""
        if self._hover_figure is not None and self._hover_figure is not figure:
            self._hover_figure.show_region(None)
        self._hover_figure = figure
        figure.show_region(region)
        self.hovered.emit(region.label)
        return region.label

    def chart_chosen_region(self) -> None:
        """Chart the tool on the region chosen from the keyboard: a point kind at the region's
        inner point, an area kind over the whole region (as a click with it does)."""
        if self.tool is None:
            self.tool_used.emit("Choose a tool first (its letter key), then chart the region.")
            return
        if self._keyboard is None or self._keyboard[0] not in self.visible_views():
            self.tool_used.emit(
                "Choose a region first: type its name (/), or step with . (next) and , (previous)."
            )
            return
        view_id, index = self._keyboard
        region = self.figures[view_id].view.regions[index]
        kind = self.tool
        if kind.geometry is Geometry.POINT:
            self._chart(kind, view_id, [region.inner_point])
        else:
            self._chart(kind, view_id, [region.inner_point], whole_region=True)

    def leave(self) -> None:
        """The pointer left the view: clear the hover outline."""
        if self._hover_figure is not None:
            self._hover_figure.show_region(None)
            self._hover_figure = None
        self.hovered.emit("")

    def cancel_gesture(self) -> None:
        """Drop a drawing in progress."""
        self._gesture_figure = None
        self._gesture = []
        self._preview.setPath(QPainterPath())

    def _update_preview(self) -> None:
        figure = self._gesture_figure
        if figure is None or self.tool is None:
            return
        kind = self.tool
        path = QPainterPath()
        pts = [figure.mapToScene(figure.to_local(x, y)) for x, y in self._gesture]
        if kind.geometry is Geometry.AREA and self.area_mode is AreaMode.BRUSH:
            width = tools.BRUSH_WIDTH * figure.frame_height
            for p in pts:
                path.addEllipse(p, width / 2, width / 2)
            colour = QColor(kind.legend.colour)
            colour.setAlpha(90)
            self._preview.setBrush(colour)
            self._preview.setPen(Qt.PenStyle.NoPen)
            self._preview.setPath(path.simplified())
            return
        path.addPolygon(QPolygonF(pts))
        pen = QPen(QColor(kind.legend.colour), 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._preview.setPen(pen)
        self._preview.setBrush(Qt.BrushStyle.NoBrush)
        self._preview.setPath(path)

    def _finish_gesture(self, figure: FigureItem, points: list[tuple[float, float]]) -> None:
        kind = self.tool
        if kind is None:
            return
        view_id = figure.view.id
        dragged = tools.path_length(points) > 0.01
        if kind.geometry is Geometry.STROKE:
            if not dragged:
                self.tool_used.emit(f"Drag to draw a {SHORT_NAMES[kind].lower()}.")
                return
            self._chart(kind, view_id, tools.simplify(points))
            return
        if not dragged:
            if figure.view.region_at(*points[0]) is None:
                self.tool_used.emit("Click inside the body to mark a whole region.")
                return
            self._chart(kind, view_id, points[:1], whole_region=True)
            return
        if self.area_mode is AreaMode.BRUSH:
            outline = tools.brush_outline(points, figure.view.aspect)
        else:
            outline = tools.simplify(points)
        if len(outline) < 3:
            self.tool_used.emit("Draw a larger outline.")
            return
        self._chart(kind, view_id, outline)

    def _chart(
        self,
        kind: MarkKind,
        view_id: str,
        points: Sequence[tuple[float, float]],
        *,
        whole_region: bool = False,
    ) -> None:
        intensity = self.new_intensity if kind.legend.has_intensity else None
        mark_id = self.document.add_mark(
            kind, view_id, points, whole_region=whole_region, intensity=intensity
        )
        if mark_id is not None:
            self.select_marks([mark_id])
