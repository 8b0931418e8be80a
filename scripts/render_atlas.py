"""Render every atlas view to PNG (docs/atlas/) so the drawing can be looked at and reviewed."""

# Usage: ``python scripts/render_atlas.py [--height PX] [--out DIR] [--views ID ...]``.
# For each view it writes ``<view>.png`` (the drawing alone), ``<view>_regions.png`` (region
# boundaries drawn faint) and ``<view>_labels.png`` (regions tinted and labelled, for checking
# names and laterality).

from __future__ import annotations

import argparse
import colorsys
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from massage_chart.atlas import AtlasView, Polygon, load_atlas_from  # noqa: E402

# PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a method that returns
# nothing (QPainter.drawPath, QPen setters...); enough calls free None and abort the interpreter.
# Until that is fixed upstream, hold spare references so a long render cannot run None down.
_NONE_GUARD = [None] * 4_000_000

INK = QColor(45, 45, 50)
DETAIL = QColor(95, 95, 105)
BOUNDARY = QColor(120, 150, 190, 150)
FIBRE = QColor(205, 170, 150, 150)


def _path(polygons: tuple[Polygon, ...], width: float, height: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in polygons:
        for ring in polygon:
            points = [QPointF(x * width, y * height) for x, y in ring]
            points.append(points[0])
            path.addPolygon(QPolygonF(points))
    return path


def render(view: AtlasView, height: int, mode: str) -> QImage:
    """Draw one view: mode is "plain", "regions" or "labels"."""
    width = round(height * view.aspect)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale = height / 1000
    silhouette = _path(view.silhouette, width, height)
    painter.fillPath(silhouette, QBrush(QColor(252, 250, 247)))
    if mode == "labels":
        for index, region in enumerate(view.regions):
            hue = (index * 0.618034) % 1.0
            r, g, b = colorsys.hls_to_rgb(hue, 0.82, 0.55)
            painter.fillPath(
                _path(region.polygons, width, height),
                QBrush(QColor(int(r * 255), int(g * 255), int(b * 255))),
            )
    if mode != "labels":
        painter.setPen(QPen(FIBRE, 0.8 * scale))
        for line in view.fibre_lines:
            painter.drawPolyline(QPolygonF([QPointF(x * width, y * height) for x, y in line]))
    if mode in ("regions", "labels"):
        pen = QPen(BOUNDARY if mode == "regions" else QColor(90, 110, 140), 0.9 * scale)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for region in view.regions:
            painter.drawPath(_path(region.polygons, width, height))
    detail_pen = QPen(DETAIL, 1.1 * scale)
    detail_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(detail_pen)
    for line in view.detail_lines:
        painter.drawPolyline(QPolygonF([QPointF(x * width, y * height) for x, y in line]))
    pen = QPen(INK, 2.0 * scale)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPath(silhouette)
    if mode == "labels":
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(7, round(8.5 * scale)))
        painter.setFont(font)
        for region in view.regions:
            x, y = region.inner_point
            label = region.label.split(" (")[0]
            rect = QRectF(x * width - 70, y * height - 8, 140, 16)
            painter.setPen(QColor(255, 255, 255, 200))  # a halo keeps labels readable
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawText(rect.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, label)
            painter.setPen(QColor(20, 20, 20))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            painter.drawPoint(QPointF(x * width, y * height))
    font = QFont("DejaVu Sans")
    font.setPixelSize(round(14 * scale))
    painter.setFont(font)
    painter.setPen(INK)
    painter.drawText(QRectF(0, 2, width, 20 * scale), Qt.AlignmentFlag.AlignCenter, view.caption)
    painter.end()
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--height", type=int, default=1200)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "atlas")
    parser.add_argument("--views", nargs="*", default=None)
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    atlas = load_atlas_from(ROOT / "resources" / "atlas")
    args.out.mkdir(parents=True, exist_ok=True)
    for view in atlas.views:
        if args.views and view.id not in args.views:
            continue
        for mode, suffix in (("plain", ""), ("regions", "_regions"), ("labels", "_labels")):
            path = args.out / f"{view.id}{suffix}.png"
            render(view, args.height, mode).save(str(path))
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    del app
    # Skip interpreter teardown: freeing the guard above would expose the leaked references.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
