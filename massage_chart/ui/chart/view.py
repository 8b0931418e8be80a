"""The body-map view: zoom (wheel, pinch, keys), pan (middle-drag, Space+drag, arrows), fit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGestureEvent, QGraphicsItem, QGraphicsView, QPinchGesture, QWidget

from massage_chart.ui.chart.scene import ChartScene

MIN_SCALE = 0.15
MAX_SCALE = 8.0
ZOOM_STEP = 1.25
#: While zooming, the figures and areas are drawn from their cached pictures scaled, and drawn
#: afresh at the new size once no zoom step came for this long; point glyphs take their size for
#: the new zoom then too. Drawing each afresh at every step took most of a zoomed-out step (40 to
#: 60 ms of 70 with 500 marks, against 15 to 20 so).
ZOOM_SETTLE_MS = 200
#: Once zooming stops, the point glyphs take their size in the first frame, then at most this
#: many figures and areas are drawn afresh per frame, the largest first, FRAME_MS apart (about a
#: third of a second for 500 marks). All at once, that frame took 24 to 39 ms with 500 marks.
SHARPEN_PER_FRAME = 20
FRAME_MS = 16
_DRAWN_AT_SCREEN_SIZE = QGraphicsItem.CacheMode.DeviceCoordinateCache
_DRAWN_SCALED = QGraphicsItem.CacheMode.ItemCoordinateCache
_KEEPS_SCREEN_SIZE = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations


class ChartView(QGraphicsView):
    """Shows the chart scene; the user zooms and pans, the figures fit until they do.

    Signals:
        resized(): the viewport changed size (the window may show one figure or two).
    """

    resized = Signal()

    def __init__(self, scene: ChartScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.chart_scene = scene
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Body map")
        self.fitted = True
        self._pan_from: QPoint | None = None
        self._space = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(ZOOM_SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)
        self._sharpen = QTimer(self)
        self._sharpen.setInterval(FRAME_MS)
        self._sharpen.timeout.connect(self._on_sharpen_timeout)

    @property
    def zooming(self) -> bool:
        """Whether the chart is still settling from a zoom: a step came within the last
        ZOOM_SETTLE_MS, or pictures drawn scaled are still to be drawn afresh."""
        return self._settle.isActive() or self._sharpen.isActive()

    # ------------------------------------------------------------------ zoom

    def scale_factor(self) -> float:
        """The current zoom (device pixels per scene unit)."""
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom in (factor > 1) or out, keeping the point under the pointer (or the centre)."""
        current = self.scale_factor()
        target = min(max(current * factor, MIN_SCALE), MAX_SCALE)
        if target == current:
            return
        self.fitted = False
        self._draw_scaled_while_zooming()
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(target / current, target / current)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        else:
            # Keep the body point under the pointer there: scale about nothing, then scroll so
            # that point is back under the pointer (the pointer of a wheel event, not the
            # cursor's last known place).
            before = self.viewportTransform().inverted()[0].map(anchor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
            self.scale(target / current, target / current)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
            now = self.viewportTransform().map(before)  # where that point went, in pixels
            for bar, moved in (
                (self.horizontalScrollBar(), now.x() - anchor.x()),
                (self.verticalScrollBar(), now.y() - anchor.y()),
            ):
                bar.setValue(bar.value() + round(moved))
        self.chart_scene.set_zoom(self.scale_factor(), settled=False)

    def zoom_in(self) -> None:
        """One step closer."""
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step back."""
        self.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Fit the shown figures to the view."""
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.fitted = True
        self.chart_scene.set_zoom(self.scale_factor())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms around the pointer; Shift+wheel or a touchpad's scroll pans."""
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            super().wheelEvent(event)
            return
        self.zoom_by(ZOOM_STEP**steps, event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        """Pinch to zoom: native touchpad gestures and touchscreen pinches."""
        if (
            isinstance(event, QNativeGestureEvent)
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_by(1.0 + event.value(), event.position())
            return True
        if event.type() == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                centre = self.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                self.zoom_by(pinch.scaleFactor(), QPointF(centre))
                return True
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the figures fitted until the user zooms."""
        super().resizeEvent(event)
        self.resized.emit()
        if self.fitted:
            self.fit()

    # ------------------------------------------------------------------ pan

    def _panning(self, event: QMouseEvent) -> bool:
        return event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Middle-drag or Space+drag pans; anything else goes to the tools."""
        if self._panning(event):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Pan while a pan drag is on."""
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            self.fitted = False
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End a pan drag."""
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space held turns a left drag into a pan; arrows pan."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.fitted = False
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """Space released: back to the tool."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        """Clear the hover outline when the pointer leaves."""
        self.chart_scene.leave()
        super().leaveEvent(event)

    def _draw_scaled_while_zooming(self) -> None:
        self._sharpen.stop()
        if not self._settle.isActive():
            # What keeps its size on screen (point glyphs, labels) is not redrawn by a zoom.
            for item in self.scene().items():
                if item.cacheMode() is _DRAWN_AT_SCREEN_SIZE and not (
                    item.flags() & _KEEPS_SCREEN_SIZE
                ):
                    item.setCacheMode(_DRAWN_SCALED)
        self._settle.start()

    def _on_settle_timeout(self) -> None:
        self.settle()

    def settle(self, *, at_once: bool = False) -> None:
        """Draw the chart afresh at the zoom it has, as once zoom steps stop coming: point
        glyphs at their size for it in this frame, figures and areas sharp over the next ones
        (``sharpen_some``), or everything in this one ``at_once``."""
        self._settle.stop()
        self.chart_scene.set_zoom(self.scale_factor())
        if at_once:
            while self.sharpen_some():
                pass
        else:
            self._sharpen.start()  # from the next frame: this one draws the glyphs afresh

    def sharpen_some(self) -> bool:
        """Draw afresh at screen size up to SHARPEN_PER_FRAME of the pictures still drawn
        scaled, the largest on screen first; whether some are left for the next frame."""
        scaled = [item for item in self.scene().items() if item.cacheMode() is _DRAWN_SCALED]
        scaled.sort(key=_screen_area, reverse=True)
        for item in scaled[:SHARPEN_PER_FRAME]:
            item.setCacheMode(_DRAWN_AT_SCREEN_SIZE)
        left = len(scaled) > SHARPEN_PER_FRAME
        if not left:
            self._sharpen.stop()
        return left

    def _on_sharpen_timeout(self) -> None:
        self.sharpen_some()


def _screen_area(item: QGraphicsItem) -> float:
    box = item.sceneBoundingRect()
    return box.width() * box.height()
