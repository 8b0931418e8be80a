"""Generate the body-chart atlas's four core views (resources/atlas/v1/*.json) from smooth curves;
needs shapely. They are version 1 of the atlas: released, so a run must reproduce them byte for
byte (tests pin them). A redrawing is written as a new version; see docs/atlas.md."""

# Run from the repository root: ``python scripts/build_atlas.py``. The figure is drawn here in
# "world" units where standing height H = 1 (heights measured up from the floor, horizontal
# distances from the midline or the plumb line), following the proportions in shared/ATLAS.md
# (Drillis & Contini / ANSUR II). Each view is a set of body parts (head, trunk and legs, arms,
# hands, feet) unioned into a silhouette; regions are cut from it by landmark zones in priority
# order, so that they tile the silhouette exactly. The result is written in frame fractions
# (x right, y down, origin top-left), snapped to a 5-decimal grid as one coverage.

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely import affinity
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
)
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel, unary_union

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "atlas" / "v1"

ASPECT = 0.5  # frame width / frame height, the same for every view
TOP, FIG = 0.03, 0.94  # vertex at y = TOP, soles at y = TOP + FIG
K = FIG / ASPECT  # one H unit as a fraction of the frame width
LATERAL_X0 = 0.64  # frame x of the plumb line on the left lateral view

Pt = tuple[float, float]

# --------------------------------------------------------------------------------------------
# Curves


def spline(points: Sequence[Pt], *, closed: bool = False, per_segment: int = 8) -> list[Pt]:
    """Sample a centripetal Catmull-Rom spline through ``points``."""
    pts = list(points)
    if closed:
        ext = [pts[-1], *pts, pts[0], pts[1]]
    else:
        ext = [
            (2 * pts[0][0] - pts[1][0], 2 * pts[0][1] - pts[1][1]),
            *pts,
            (2 * pts[-1][0] - pts[-2][0], 2 * pts[-1][1] - pts[-2][1]),
        ]
    out: list[Pt] = []
    segments = len(pts) if closed else len(pts) - 1
    for i in range(segments):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]

        def tj(ti: float, a: Pt, b: Pt) -> float:
            return ti + max(math.dist(a, b), 1e-9) ** 0.5

        t0 = 0.0
        t1 = tj(t0, p0, p1)
        t2 = tj(t1, p1, p2)
        t3 = tj(t2, p2, p3)
        for k in range(per_segment):
            t = t1 + (t2 - t1) * k / per_segment

            def lerp(a: Pt, b: Pt, ta: float, tb: float, tt: float) -> Pt:
                wa = (tb - tt) / (tb - ta)
                wb = (tt - ta) / (tb - ta)
                return (wa * a[0] + wb * b[0], wa * a[1] + wb * b[1])

            a1 = lerp(p0, p1, t0, t1, t)
            a2 = lerp(p1, p2, t1, t2, t)
            a3 = lerp(p2, p3, t2, t3, t)
            b1 = lerp(a1, a2, t0, t2, t)
            b2 = lerp(a2, a3, t1, t3, t)
            out.append(lerp(b1, b2, t1, t2, t))
    if not closed:
        out.append(pts[-1])
    return out


def loop(points: Sequence[Pt], per_segment: int = 5) -> list[Pt]:
    """A closed smooth curve as an open polyline that ends where it starts (a detail line)."""
    pts = spline(points, closed=True, per_segment=per_segment)
    return [*pts, pts[0]]


def smooth(points: Sequence[Pt], per_segment: int = 8) -> Polygon:
    """A closed smooth shape through ``points``."""
    poly = Polygon(spline(points, closed=True, per_segment=per_segment))
    return poly if poly.is_valid else poly.buffer(0)


def mirror_pts(points: Iterable[Pt]) -> list[Pt]:
    return [(-x, y) for x, y in points]


def sym_shape(half: Sequence[Pt], per_segment: int = 8) -> Polygon:
    """A shape symmetric about x = 0 from its right half (listed top to bottom, x >= 0)."""
    left = mirror_pts(reversed(half))
    pts = [*half, *[p for p in left if abs(p[0]) > 1e-9]]
    return smooth(pts, per_segment)


def capsule(a: Pt, b: Pt, width: float, tip_width: float | None = None) -> Polygon:
    """A rounded tube from a to b (a finger, a toe); optionally tapering toward b."""
    if tip_width is None:
        return LineString([a, b]).buffer(width / 2, quad_segs=6)
    steps = 6
    discs = [
        Point(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps).buffer(
            (width + (tip_width - width) * i / steps) / 2, quad_segs=6
        )
        for i in range(steps + 1)
    ]
    return unary_union(discs).convex_hull


def poly(points: Sequence[Pt]) -> Polygon:
    return Polygon(points)


def half_plane_right(line: Sequence[Pt], far: float = 3.0) -> Polygon:
    """The area on the right of a polyline running top to bottom (x increasing side)."""
    top, bottom = line[0], line[-1]
    return Polygon(
        [
            (top[0], top[1] + far),
            *line,
            (bottom[0], bottom[1] - far),
            (far, bottom[1] - far),
            (far, top[1] + far),
        ]
    ).buffer(0)


def below(line: Sequence[Pt], far: float = 3.0) -> Polygon:
    """The area below a polyline running left to right."""
    left, right = line[0], line[-1]
    return Polygon(
        [
            (left[0] - far, left[1]),
            *line,
            (right[0] + far, right[1]),
            (right[0] + far, -far),
            (left[0] - far, -far),
        ]
    ).buffer(0)


def above(line: Sequence[Pt], far: float = 3.0) -> Polygon:
    left, right = line[0], line[-1]
    return Polygon(
        [
            (left[0] - far, left[1]),
            *line,
            (right[0] + far, right[1]),
            (right[0] + far, far),
            (left[0] - far, far),
        ]
    ).buffer(0)


def band(top_line: Sequence[Pt], bottom_line: Sequence[Pt]) -> Polygon:
    """The area between two left-to-right polylines, extended far left and right."""
    return above(bottom_line).intersection(below(top_line))


# --------------------------------------------------------------------------------------------
# Limb frames: u runs down the limb axis from its root, v across it (positive = lateral).


@dataclass(frozen=True)
class Frame:
    """A rotated local frame of a limb in world coordinates."""

    ox: float
    oy: float
    angle_deg: float  # angle of the axis from straight down, toward +v
    flip: float = 1.0  # +1: +v points to world +x side of the axis; -1 mirrored

    def pt(self, u: float, v: float) -> Pt:
        a = math.radians(self.angle_deg)
        ax, ay = math.sin(a) * self.flip, -math.cos(a)
        nx, ny = math.cos(a) * self.flip, math.sin(a)
        return (self.ox + u * ax + v * nx, self.oy + u * ay + v * ny)

    def pts(self, points: Iterable[Pt]) -> list[Pt]:
        return [self.pt(u, v) for u, v in points]

    def poly(self, points: Sequence[Pt]) -> Polygon:
        return Polygon(self.pts(densify(points))).buffer(0)

    def smooth(self, points: Sequence[Pt], per_segment: int = 8) -> Polygon:
        return smooth(self.pts(points), per_segment)

    def line(self, points: Sequence[Pt]) -> list[Pt]:
        return self.pts(points)


@dataclass(frozen=True)
class BentFrame(Frame):
    """A limb frame with a joint: beyond ``joint_u`` the limb turns by ``bend_deg`` toward +v,
    blended smoothly over ``blend`` either side of the joint."""

    joint_u: float = 0.0
    bend_deg: float = 0.0
    blend: float = 0.02

    def pt(self, u: float, v: float) -> Pt:
        x, y = super().pt(u, v)
        t = min(1.0, max(0.0, (u - self.joint_u + self.blend) / (2 * self.blend)))
        angle = math.radians(self.bend_deg) * t * t * (3 - 2 * t) * self.flip
        jx, jy = super().pt(self.joint_u, 0.0)
        dx, dy = x - jx, y - jy
        return (
            jx + dx * math.cos(angle) - dy * math.sin(angle),
            jy + dx * math.sin(angle) + dy * math.cos(angle),
        )


def densify(points: Sequence[Pt], step: float = 0.008) -> list[Pt]:
    """Subdivide a closed polygon's edges so a bent frame can curve them."""
    out: list[Pt] = []
    for a, b in zip(points, [*points[1:], points[0]], strict=True):
        n = max(1, math.ceil(math.dist(a, b) / step))
        out.extend((a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n))
    return out


# --------------------------------------------------------------------------------------------
# Regions


@dataclass
class Spec:
    """One region to cut: its zone (world coords, None = all that is left of its parts)."""

    stem: str
    name: str
    zone: BaseGeometry | None
    parts: tuple[str, ...]
    deep: tuple[str, ...]
    flags: tuple[str, ...] = ()
    midline: bool = False


def spec(
    stem: str,
    name: str,
    zone: BaseGeometry | None,
    parts: str | tuple[str, ...],
    deep: str = "",
    flags: str = "",
    midline: bool = False,
) -> Spec:
    return Spec(
        stem,
        name,
        zone,
        (parts,) if isinstance(parts, str) else parts,
        tuple(m.strip() for m in deep.split(";") if m.strip()),
        tuple(f.strip() for f in flags.split(",") if f.strip()),
        midline,
    )


def polygons_of(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon | GeometryCollection):
        out: list[Polygon] = []
        for g in geom.geoms:
            out.extend(polygons_of(g))
        return out
    return []


def clean(geom: BaseGeometry) -> BaseGeometry:
    """Drop specks and pinholes (degenerate pieces left by boolean operations)."""
    parts = [
        Polygon(p.exterior, [i for i in p.interiors if Polygon(i).area > 1e-9])
        for p in polygons_of(geom)
        if p.area > 1e-9
    ]
    return unary_union(parts) if parts else Polygon()


def partition(
    area: BaseGeometry,
    specs: Sequence[Spec],
    parts: dict[str, BaseGeometry],
) -> dict[str, BaseGeometry]:
    """Cut ``area`` into regions in priority order; leftovers go to the best neighbour."""
    taken: BaseGeometry = Polygon()
    result: dict[str, BaseGeometry] = {}
    for s in specs:
        mask = unary_union([parts[p] for p in s.parts]).intersection(area)
        geom = mask if s.zone is None else mask.intersection(s.zone)
        geom = clean(geom.difference(taken))
        if geom.is_empty:
            raise SystemExit(f"region {s.stem} is empty")
        result[s.stem] = geom
        taken = taken.union(geom)
    leftover = clean(area.difference(taken))
    _absorb(result, polygons_of(leftover))
    # Small stray fragments of a region are handed to the neighbour they touch most.
    for stem in list(result):
        pieces = sorted(polygons_of(result[stem]), key=lambda p: p.area, reverse=True)
        if len(pieces) > 1:
            keep = [pieces[0]] + [p for p in pieces[1:] if p.area > 0.25 * pieces[0].area]
            strays = [p for p in pieces if all(p is not k for k in keep)]
            result[stem] = unary_union(keep)
            _absorb(result, strays, exclude=stem)
    return result


def _absorb(result: dict[str, BaseGeometry], pieces: list[Polygon], exclude: str = "") -> None:
    for piece in pieces:
        if piece.area < 1e-10:
            continue
        best, best_len = "", -1.0
        for stem, geom in result.items():
            if stem == exclude:
                continue
            shared = piece.boundary.intersection(geom.buffer(1e-7)).length
            if shared > best_len:
                best, best_len = stem, shared
        if best_len <= 0:
            best = min((s for s in result if s != exclude), key=lambda s: result[s].distance(piece))
        result[best] = clean(result[best].union(piece.buffer(1e-9)))


# --------------------------------------------------------------------------------------------
# Output


@dataclass
class ViewOut:
    id: str
    caption: str
    silhouette: BaseGeometry
    details: list[list[Pt]]
    regions: list[tuple[Spec, str, BaseGeometry]]  # (spec, side, geometry) in frame coords
    fibres: list[list[Pt]] = field(default_factory=list)  # light muscle-fibre lines (v3 on)


def r5(v: float) -> float:
    return round(v, 5)


def ring_out(coords: Iterable[Sequence[float]]) -> list[list[float]]:
    pts = [[r5(x), r5(y)] for x, y, *_ in coords]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    dedup: list[list[float]] = []
    for p in pts:
        if not dedup or dedup[-1] != p:
            dedup.append(p)
    return dedup


def polys_out(geom: BaseGeometry) -> list[list[list[list[float]]]]:
    out = []
    for p in polygons_of(geom):
        p = shapely.geometry.polygon.orient(p, 1.0)
        out.append([ring_out(p.exterior.coords), *[ring_out(i.coords) for i in p.interiors]])
    return out


def inner_point(geom: BaseGeometry, iso: Callable[[BaseGeometry], BaseGeometry]) -> Pt:
    """A point well inside the largest piece (pole of inaccessibility, found isotropically)."""
    piece = max(polygons_of(geom), key=lambda p: p.area)
    world = iso(piece)
    label = polylabel(world, tolerance=1e-5)
    back = affinity.affine_transform(label, _inverse(ISO))
    pt = Point(back.x, back.y)
    if not piece.contains(pt):
        pt = piece.representative_point()
    return (r5(pt.x), r5(pt.y))


# Frame coords are anisotropic (x in widths, y in heights); ISO maps them to a square metric.
ISO = [ASPECT, 0.0, 0.0, 1.0, 0.0, 0.0]


def _inverse(m: list[float]) -> list[float]:
    a, b, d, e, xo, yo = m
    det = a * e - b * d
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    return [ia, ib, id_, ie, -(ia * xo + ib * yo), -(id_ * xo + ie * yo)]


def write_view(view: ViewOut, out_dir: Path = OUT_DIR) -> int:
    """Write one view's JSON (regions already snapped to the output grid); return its size."""
    view.silhouette = clean(unary_union([geom for _, _, geom in view.regions]))
    regions = []
    for s, side, geom in view.regions:
        suffix = {"right": ".r", "left": ".l", "midline": ""}[side]
        regions.append(
            {
                "id": s.stem + suffix,
                "name": s.name,
                "side": side,
                "deep_muscles": list(s.deep),
                "flags": list(s.flags),
                "inner_point": list(inner_point(geom, lambda g: affinity.affine_transform(g, ISO))),
                "polygons": polys_out(geom),
            }
        )
    data = {
        "id": view.id,
        "caption": view.caption,
        "aspect": ASPECT,
        "silhouette": polys_out(view.silhouette),
        "detail_lines": [[[r5(x), r5(y)] for x, y in line] for line in view.details],
        "regions": regions,
    }
    if view.fibres:
        data["fibre_lines"] = [[[r5(x), r5(y)] for x, y in line] for line in view.fibres]
    text = json.dumps(data, separators=(",", ":"))
    (out_dir / f"{view.id}.json").write_text(text + "\n", encoding="utf-8")
    return len(text)


def frame_mirror(geom: BaseGeometry) -> BaseGeometry:
    """Reflect frame geometry about the vertical centre line, staying on the output grid."""
    return shapely.set_precision(affinity.affine_transform(geom, MIRROR_X), GRID / 10)


def to_frame(geom: BaseGeometry, matrix: list[float]) -> BaseGeometry:
    return affinity.affine_transform(geom, matrix)


def line_to_frame(line: Sequence[Pt], matrix: list[float]) -> list[Pt]:
    a, b, d, e, xo, yo = matrix
    return [(a * x + b * y + xo, d * x + e * y + yo) for x, y in line]


AP_MATRIX = [K, 0.0, 0.0, -FIG, 0.5, TOP + FIG]
LAT_MATRIX = [-K, 0.0, 0.0, -FIG, LATERAL_X0, TOP + FIG]
MIRROR_X = [-1.0, 0.0, 0.0, 1.0, 1.0, 0.0]  # in frame coords: x -> 1 - x
MIRROR_WORLD = [-1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


GRID = 1e-5  # output precision in frame units (the JSON keeps 5 decimals)


def snap_coverage(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Snap a view's regions to the output grid as one coverage.

    Rounding each polygon on its own would leave hairline gaps and overlaps wherever a vertex of
    one region lies on an edge of its neighbour. Instead all boundaries are noded together on
    the grid, the faces between them rebuilt, and each face given back to the region it came
    from, so neighbours share exactly the same vertices.
    """
    lines = unary_union(shapely.set_precision(unary_union([g.boundary for g in geoms]), GRID))
    faces = [f for f in polygons_of(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0]
    owner: list[list[Polygon]] = [[] for _ in geoms]
    strays: list[Polygon] = []
    for face in faces:
        probe = face.representative_point()
        hits = [i for i, g in enumerate(geoms) if g.contains(probe)]
        if hits:
            owner[hits[0]].append(face)
        else:
            strays.append(face)
    snapped = [clean(unary_union(pieces)) for pieces in owner]
    by_index = {str(i): g for i, g in enumerate(snapped)}
    for face in strays:  # slivers the snapping opened: to the neighbour sharing most edge
        best = max(by_index, key=lambda k: face.boundary.intersection(by_index[k]).length)
        if face.boundary.intersection(by_index[best]).length > 0:
            by_index[best] = clean(unary_union([by_index[best], face]))
    return [by_index[str(i)] for i in range(len(geoms))]


# fmt: off
# --------------------------------------------------------------------------------------------
# Front and back figure. World (d, h): d from the midline (+ = viewer's right), h up from floor.

ARM = Frame(0.100, 0.803, 9.5)  # the viewer's-right arm: shoulder joint centre, abduction

HEAD_HALF: list[Pt] = [
    (0.0, 1.0), (0.021, 0.9965), (0.0355, 0.9865), (0.0437, 0.969), (0.0459, 0.948),
    (0.0452, 0.928), (0.0432, 0.908), (0.0400, 0.893), (0.0342, 0.881), (0.0250, 0.8735),
    (0.0120, 0.8695), (0.0, 0.8685),
]
EAR: list[Pt] = [
    (0.0435, 0.9420), (0.0485, 0.9455), (0.0520, 0.9410), (0.0522, 0.9300), (0.0505, 0.9190),
    (0.0475, 0.9115), (0.0440, 0.9110), (0.0425, 0.9200),
]
# Neck, trunk and leg, viewer's right half, from inside the head down the outside of the leg
# and up its inside to the crotch.
BODY_HALF: list[Pt] = [
    (0.000, 0.905), (0.026, 0.900), (0.0325, 0.884), (0.0335, 0.868), (0.0350, 0.857),
    (0.0410, 0.8500), (0.0520, 0.8445), (0.0680, 0.8385), (0.0860, 0.8325), (0.1030, 0.8260),
    (0.1155, 0.8175), (0.1120, 0.8000), (0.1000, 0.7820), (0.0905, 0.7660), (0.0880, 0.7450),
    (0.0890, 0.7150), (0.0880, 0.6800), (0.0852, 0.6500), (0.0835, 0.6250), (0.0862, 0.6000),
    (0.0930, 0.5700), (0.0995, 0.5400), (0.1030, 0.5120), (0.1020, 0.4800), (0.0985, 0.4300),
    (0.0935, 0.3700), (0.0880, 0.3200), (0.0860, 0.2900), (0.0885, 0.2620), (0.0955, 0.2300),
    (0.0965, 0.1950), (0.0930, 0.1450), (0.0905, 0.1000), (0.0930, 0.0620), (0.0975, 0.0440),
    (0.0950, 0.0300), (0.0760, 0.0250), (0.0590, 0.0300), (0.0555, 0.0460), (0.0575, 0.0660),
    (0.0525, 0.1000), (0.0410, 0.1550), (0.0325, 0.2020), (0.0330, 0.2450), (0.0370, 0.2800),
    (0.0340, 0.3100), (0.0230, 0.3600), (0.0135, 0.4100), (0.0070, 0.4500), (0.0025, 0.4740),
    (0.0, 0.4800),
]
# The arm in its own frame: (u down the axis from the shoulder joint, v lateral).
ARM_OUTLINE: list[Pt] = [
    (-0.021, 0.000), (-0.017, 0.0185), (-0.004, 0.0315), (0.016, 0.0350), (0.045, 0.0328),
    (0.078, 0.0282), (0.102, 0.0246), (0.135, 0.0244), (0.165, 0.0258), (0.188, 0.0283),
    (0.210, 0.0308), (0.238, 0.0296), (0.272, 0.0242), (0.305, 0.0198), (0.330, 0.0182),
    (0.346, 0.0186),
    (0.346, -0.0176), (0.330, -0.0168), (0.300, -0.0190), (0.262, -0.0236), (0.228, -0.0262),
    (0.205, -0.0266), (0.186, -0.0268), (0.165, -0.0240), (0.125, -0.0228), (0.085, -0.0222),
    (0.050, -0.0215), (0.020, -0.0218), (-0.008, -0.0195),
]
PALM: list[Pt] = [
    (0.334, -0.0172), (0.350, -0.0195), (0.372, -0.0226), (0.392, -0.0222), (0.404, -0.0170),
    (0.408, -0.0060), (0.409, 0.0050), (0.406, 0.0170), (0.396, 0.0215), (0.378, 0.0228),
    (0.358, 0.0238), (0.340, 0.0205),
]
# (base u, base v, length, angle toward lateral in degrees, width)
FINGERS: list[tuple[float, float, float, float, float]] = [
    (0.396, 0.0158, 0.0420, 1.5, 0.0112),  # index
    (0.398, 0.0052, 0.0470, 0.4, 0.0116),  # middle
    (0.397, -0.0056, 0.0440, -0.6, 0.0112),  # ring
    (0.392, -0.0158, 0.0350, -1.8, 0.0100),  # little
]
THUMB: list[Pt] = [(0.344, 0.0165), (0.366, 0.0265), (0.390, 0.0300)]

FOOT_FRONT: list[Pt] = [
    (0.0565, 0.0520), (0.0530, 0.0340), (0.0490, 0.0150), (0.0480, 0.0010), (0.0525, -0.0085),
    (0.0620, -0.0115), (0.0740, -0.0105), (0.0860, -0.0070), (0.0970, -0.0030), (0.1080, 0.0030),
    (0.1140, 0.0110), (0.1120, 0.0220), (0.1040, 0.0350), (0.0990, 0.0500), (0.0780, 0.0570),
]
TOES_FRONT: list[tuple[Pt, float]] = [
    ((0.0585, -0.0055), 0.0072), ((0.0720, -0.0070), 0.0050), ((0.0825, -0.0045), 0.0046),
    ((0.0920, -0.0010), 0.0043), ((0.1010, 0.0030), 0.0040),
]
HEEL_BACK: list[Pt] = [
    (0.0580, 0.0580), (0.0560, 0.0380), (0.0555, 0.0200), (0.0590, 0.0070), (0.0680, -0.0005),
    (0.0790, -0.0015), (0.0890, 0.0030), (0.0960, 0.0150), (0.0985, 0.0330), (0.0965, 0.0560),
    (0.0770, 0.0620),
]
SOLE_CENTRE = (0.170, 0.005)  # heel of the inset sole (posterior view), viewer's right
# Sole in its own frame: (s from the heel toward the toes, w toward the midline).
SOLE: list[Pt] = [
    (0.000, 0.000), (0.004, 0.0145), (0.020, 0.0200), (0.050, 0.0175), (0.080, 0.0200),
    (0.104, 0.0262), (0.122, 0.0250), (0.130, 0.0150), (0.131, -0.0050), (0.125, -0.0200),
    (0.110, -0.0265), (0.080, -0.0250), (0.045, -0.0215), (0.018, -0.0195), (0.004, -0.0130),
]
SOLE_TOES: list[tuple[float, float, float]] = [  # (s, w, radius)
    (0.1270, 0.0150, 0.0084), (0.1290, 0.0025, 0.0048), (0.1260, -0.0068, 0.0045),
    (0.1210, -0.0150, 0.0042), (0.1145, -0.0218, 0.0038),
]


def sole_pt(s: float, w: float) -> Pt:
    return (SOLE_CENTRE[0] - w, SOLE_CENTRE[1] + s)


def mirror(geom: BaseGeometry) -> BaseGeometry:
    return affinity.affine_transform(geom, MIRROR_WORLD)


def both(geom: BaseGeometry) -> BaseGeometry:
    return unary_union([geom, mirror(geom)])


def finger_shapes(frame: Frame) -> list[Polygon]:
    shapes = []
    for u, v, length, angle, width in FINGERS:
        a = math.radians(angle)
        tip = (u + length * math.cos(a), v + length * math.sin(a))
        shapes.append(
            capsule(frame.pt(u, v), frame.pt(*tip), width, tip_width=width * 0.86)
        )
    return shapes


def thumb_shape(frame: Frame) -> Polygon:
    pts = frame.pts(THUMB)
    parts = [capsule(pts[0], pts[1], 0.0150, 0.0130), capsule(pts[1], pts[2], 0.0130, 0.0112)]
    return unary_union(parts)


def front_parts(back: bool) -> tuple[dict[str, BaseGeometry], BaseGeometry]:
    """Visible body parts (both halves) of the anterior or posterior figure, and the soles."""
    head = unary_union([sym_shape(HEAD_HALF), both(smooth(EAR))])
    half = Polygon([*spline(BODY_HALF, per_segment=8), (0.0, 0.48)]).buffer(0)
    body = both(half)
    arm = both(ARM.smooth(ARM_OUTLINE))
    hand = both(
        unary_union([ARM.smooth(PALM), *finger_shapes(ARM), thumb_shape(ARM)])
    )
    if back:
        foot = both(smooth(HEEL_BACK))
    else:
        toes = [Point(c).buffer(r, quad_segs=6) for c, r in TOES_FRONT]
        foot = both(unary_union([smooth(FOOT_FRONT), *toes]))
    parts: dict[str, BaseGeometry] = {"head": head}
    parts["hand"] = hand.difference(head)
    parts["foot"] = foot
    body = fillet(body, head)
    # Soften the corner where the trapezius slope meets the deltoid cap (not the armpit).
    shoulder = fillet(body, arm, radius=0.010).difference(body).intersection(
        box(-1.0, 0.79, 1.0, 2.0)
    )
    body = clean(unary_union([body, shoulder]))
    # Blend the wrist into the hand and the ankle into the foot (only around those joints, so
    # the gaps between fingers and toes stay open).
    wrist = both(ARM.poly([(0.315, -0.06), (0.365, -0.06), (0.365, 0.06), (0.315, 0.06)]))
    arm = clean(unary_union([arm, fillet(arm, hand, radius=0.006).difference(hand).intersection(
        wrist)]))
    ankle = box(-1.0, 0.012, 1.0, 0.075)
    foot = clean(unary_union([foot, fillet(foot, body, radius=0.006).difference(body).intersection(
        ankle)]))
    parts["foot"] = foot
    parts["body"] = body.difference(head).difference(foot)
    parts["arm"] = arm.difference(body).difference(hand).difference(head)
    soles: BaseGeometry = Polygon()
    if back:
        sole = smooth([sole_pt(s, w) for s, w in SOLE])
        toes = [Point(sole_pt(s, w)).buffer(r, quad_segs=6) for s, w, r in SOLE_TOES]
        soles = both(unary_union([sole, *toes]))
        parts["sole"] = soles
    for key in parts:
        parts[key] = clean(parts[key])
    return parts, soles


def fill_holes(parts: dict[str, BaseGeometry]) -> BaseGeometry:
    """Give pinholes left between parts (where outlines nearly touch) to the body; return the
    silhouette."""
    union = clean(unary_union(list(parts.values())))
    solid = unary_union([Polygon(p.exterior) for p in polygons_of(union)])
    holes = clean(solid.difference(union))
    if not holes.is_empty:
        parts["body"] = clean(unary_union([parts["body"], holes]))
    return clean(unary_union(list(parts.values())))


def fillet(body: BaseGeometry, head: BaseGeometry, radius: float = 0.004) -> BaseGeometry:
    """Round the concave corners where the neck meets the head (and the crotch), adding the
    filled-in skin to the body."""
    both_parts = unary_union([body, head])
    closed = both_parts.buffer(radius, quad_segs=8).buffer(-radius, quad_segs=8)
    return clean(unary_union([body, closed.difference(both_parts)]))


def front_body_half() -> Polygon:
    return Polygon([*spline(BODY_HALF, per_segment=8), (0.0, 0.48)]).buffer(0)


def hidden_contour(shape: Polygon, inside: BaseGeometry, below_h: float = 9.0) -> list[list[Pt]]:
    """The stretches of a part's outline that run inside another part (e.g. an arm over the
    chest), drawn as detail lines so the overlapping part still reads."""
    cut = shape.exterior.intersection(inside.buffer(-0.0012)).intersection(
        box(-1.0, -1.0, 1.0, below_h)
    )
    lines = [g for g in getattr(cut, "geoms", [cut]) if isinstance(g, LineString)]
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if lines else None
    out: list[list[Pt]] = []
    for line in getattr(merged, "geoms", [merged] if merged is not None else []):
        pts = [(x, y) for x, y, *_ in line.coords]
        if line.length > 0.004:
            out.append(pts)
    return out


def nail_lines(frame: Frame) -> list[list[Pt]]:
    """Fingernails (drawn on the back-of-hand view only: a cue that tells back from front)."""
    nails = []
    tips = [
        (u + length * math.cos(math.radians(a)), v + length * math.sin(math.radians(a)), a, w)
        for u, v, length, a, w in FINGERS
    ]
    (u1, v1), (u2, v2) = THUMB[-2], THUMB[-1]
    thumb_angle = math.degrees(math.atan2(v2 - v1, u2 - u1))
    tips.append((u2 + 0.0050, v2 + 0.0050 * math.tan(math.radians(thumb_angle)), thumb_angle,
                 0.0112))
    for tu, tv, angle, width in tips:
        a = math.radians(angle)
        cu, cv = tu - 0.0088 * math.cos(a), tv - 0.0088 * math.sin(a)
        half_l, half_w = 0.0046, width * 0.28
        ring = [
            (cu + half_l * math.cos(t) * math.cos(a) - half_w * math.sin(t) * math.sin(a),
             cv + half_l * math.cos(t) * math.sin(a) + half_w * math.sin(t) * math.cos(a))
            for t in (2 * math.pi * i / 20 for i in range(21))
        ]
        nails.append(frame.line(ring))
    return nails


def finger_lines(frame: Frame) -> list[list[Pt]]:
    """Lines between adjacent fingers, from the web to just short of the tips."""
    lines = []
    for (u1, v1, l1, a1, _), (u2, v2, l2, a2, _) in itertools.pairwise(FINGERS):
        t1 = (u1 + l1 * math.cos(math.radians(a1)), v1 + l1 * math.sin(math.radians(a1)))
        t2 = (u2 + l2 * math.cos(math.radians(a2)), v2 + l2 * math.sin(math.radians(a2)))
        base = ((u1 + u2) / 2 + 0.004, (v1 + v2) / 2)
        tip = ((t1[0] + t2[0]) / 2 - 0.006, (t1[1] + t2[1]) / 2)
        lines.append(frame.line([base, tip]))
    return lines


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 24) -> list[Pt]:
    return [
        (cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n))
        for i in range(n + 1)
    ]


def both_lines(lines: list[list[Pt]]) -> list[list[Pt]]:
    return [*lines, *[mirror_pts(line) for line in lines]]


def anterior_details() -> list[list[Pt]]:
    half = [
        spline([(0.0085, 0.9362), (0.0185, 0.9398), (0.0285, 0.9362)], per_segment=6),
        spline([(0.0085, 0.9362), (0.0185, 0.9338), (0.0285, 0.9362)], per_segment=6),
        ellipse(0.0185, 0.9366, 0.0028, 0.0026, 16),
        spline([(0.0070, 0.9452), (0.0190, 0.9482), (0.0320, 0.9450)], per_segment=6),
        spline([(0.0040, 0.9330), (0.0055, 0.9150), (0.0085, 0.9065), (0.0065, 0.9035)], per_segment=6),
        spline([(0.0065, 0.9035), (0.0030, 0.9030), (0.0, 0.9042)], per_segment=4),
        spline([(0.0, 0.8932), (0.0060, 0.8945), (0.0125, 0.8928)], per_segment=4),
        spline([(0.0, 0.8918), (0.0070, 0.8915), (0.0125, 0.8928)], per_segment=4),
        spline([(0.0458, 0.9395), (0.0495, 0.9390), (0.0502, 0.9290), (0.0480, 0.9180)], per_segment=6),
        spline([(0.0100, 0.8170), (0.0300, 0.8125), (0.0600, 0.8120), (0.0900, 0.8150),
                (0.1070, 0.8165)], per_segment=6),
        loop([(0.0500, 0.2960), (0.0610, 0.3010), (0.0720, 0.2960), (0.0735, 0.2840),
              (0.0685, 0.2710), (0.0610, 0.2655), (0.0535, 0.2710), (0.0485, 0.2840)]),
        ARM.line(spline([(0.182, -0.012), (0.1785, 0.0), (0.182, 0.012)], per_segment=4)),
        ARM.line(spline([(0.337, -0.010), (0.3345, 0.0), (0.337, 0.012)], per_segment=4)),
        ARM.line(spline([(0.340, 0.010), (0.362, 0.005), (0.386, 0.010)], per_segment=4)),
        *finger_lines(ARM),
    ]
    for (c, r), (c2, r2) in itertools.pairwise(TOES_FRONT):
        x = (c[0] * r2 + c2[0] * r) / (r + r2)
        y = (c[1] + c2[1]) / 2
        half.append([(x, y - 0.0030), (x - 0.0003, y + 0.0060)])
    half.extend(hidden_contour(ARM.smooth(ARM_OUTLINE), front_body_half(), below_h=0.806))
    lines = both_lines(half)
    lines.append(ellipse(0.0, 0.6020, 0.0022, 0.0030, 16))
    lines.append(spline([(-0.0080, 0.8220), (0.0, 0.8175), (0.0080, 0.8220)], per_segment=4))
    return lines


def anterior_specs() -> tuple[list[Spec], list[Spec]]:
    """Midline and paired (viewer's-right half) regions of the anterior view."""
    sym = sym_poly
    mid = [
        spec("nose", "Nose & upper lip",
             sym([(0.006, 0.9440), (0.0095, 0.9140), (0.0130, 0.9040), (0.0160, 0.8935)]),
             "head", "procerus; nasalis; orbicularis oris (upper)"),
        spec("mouth_chin", "Mouth & chin",
             sym([(0.0160, 0.8935), (0.0285, 0.8770), (0.0300, 0.8550)]), "head",
             "orbicularis oris; mentalis; depressor anguli oris"),
        spec("anterior_neck", "Throat (hyoid muscles)",
             sym([(0.0300, 0.8900), (0.0070, 0.8175)]), "body",
             "platysma; digastric (anterior belly); mylohyoid; infrahyoid muscles; longus colli; "
             "longus capitis", "caution"),
        spec("sternum", "Sternum",
             sym([(0.0090, 0.8190), (0.0140, 0.8060), (0.0120, 0.7800), (0.0110, 0.7400),
                  (0.0060, 0.7220), (0.0, 0.7150)]), "body",
             "sternalis; parasternal intercostals; diaphragm (at the xiphoid)"),
        spec("suprapubic", "Suprapubic",
             sym([(0.0350, 0.5220), (0.0160, 0.5030), (0.0040, 0.4860), (0.0, 0.4700)]),
             "body", "pyramidalis; rectus abdominis insertion", "sensitive"),
    ]
    clav = [(0.0, 0.8185), (0.0060, 0.8180), (0.0300, 0.8145), (0.0600, 0.8135),
            (0.0900, 0.8165), (0.1130, 0.8185), (0.1500, 0.8200)]
    groove = [(0.0860, 0.9000), (0.0860, 0.8165), (0.0920, 0.7900), (0.0960, 0.7680),
              (0.0940, 0.7550), (0.0940, 0.6000)]
    rib2 = [(0.0, 0.7920), (0.0400, 0.7910), (0.0700, 0.7900), (0.0940, 0.7880)]
    pec_lat = [(0.0940, 0.7560), (0.0830, 0.7350), (0.0680, 0.7000), (0.0600, 0.6860),
               (0.0600, 0.6000)]
    chest_low = [(0.0, 0.7150), (0.0120, 0.7230), (0.0300, 0.7070), (0.0500, 0.6930),
                 (0.0700, 0.6780), (0.0900, 0.6600), (0.1300, 0.6400)]
    semi = [(0.0460, 0.7400), (0.0460, 0.7000), (0.0440, 0.6400), (0.0410, 0.6000),
            (0.0340, 0.5500), (0.0160, 0.5030), (0.0100, 0.4600)]
    umb = [(0.0, 0.6020), (0.0410, 0.6020), (0.0650, 0.5950), (0.0850, 0.5850),
           (0.1300, 0.5750)]
    inguinal = [(0.0, 0.5150), (0.0150, 0.5020), (0.0400, 0.5280), (0.0650, 0.5550),
                (0.0740, 0.5680), (0.0900, 0.5830), (0.1300, 0.5900)]
    sart = [(0.0740, 0.6000), (0.0740, 0.5680), (0.0610, 0.5000), (0.0480, 0.4560),
            (0.0400, 0.4000), (0.0350, 0.3300), (0.0350, 0.2900)]
    tfl_low = [(0.0, 0.4800), (0.0620, 0.4750), (0.0900, 0.4500), (0.1300, 0.4350)]
    rf_med = [(0.0150, 0.5020), (0.0480, 0.4560), (0.0420, 0.4000), (0.0410, 0.3700),
              (0.0470, 0.3050), (0.0470, 0.2000)]
    rf_lat = [(0.0820, 0.6000), (0.0820, 0.4500), (0.0790, 0.3800), (0.0740, 0.3050),
              (0.0740, 0.2000)]
    crest = [(0.0610, 0.2600), (0.0610, 0.2500), (0.0640, 0.1500), (0.0680, 0.0700),
             (0.0710, 0.0300)]
    fib = [(0.0800, 0.2600), (0.0800, 0.2500), (0.0825, 0.1500), (0.0860, 0.0700),
           (0.0890, 0.0300)]
    big = box(0.0, -0.1, 0.5, 1.1)
    scalene_med = [(0.0375, 0.8900), (0.0300, 0.8400), (0.0260, 0.8140)]
    scalene_lat = [(0.0450, 0.8900), (0.0450, 0.8500), (0.0520, 0.8130)]
    arm = ARM.poly
    deltoid_low = [(-0.06, -0.08), (0.030, -0.050), (0.060, -0.020), (0.095, 0.010),
                   (0.105, 0.030), (0.110, 0.080)]
    delt_split = [(-0.06, 0.0120), (0.098, 0.0240)]
    paired = [
        spec("orbit", "Eye & brow",
             smooth([(0.0060, 0.9400), (0.0100, 0.9490), (0.0200, 0.9515), (0.0330, 0.9490),
                     (0.0365, 0.9380), (0.0315, 0.9280), (0.0185, 0.9260), (0.0080, 0.9300)]),
             "head", "orbicularis oculi", "caution"),
        spec("frontalis", "Frontalis (forehead)",
             poly([(0.0, 1.02), (0.0270, 1.02), (0.0320, 0.9750), (0.0370, 0.9500),
                   (0.0360, 0.9440), (0.0, 0.9440)]),
             "head", "frontalis; corrugator supercilii; procerus; galea aponeurotica"),
        spec("temporalis", "Temporalis (temple & ear)",
             poly([(0.0270, 1.02), (0.0800, 1.02), (0.0800, 0.9050), (0.0455, 0.9050),
                   (0.0430, 0.9250), (0.0365, 0.9300), (0.0370, 0.9500), (0.0320, 0.9750)]),
             "head", "temporalis; auricular muscles"),
        spec("cheek", "Cheek (zygomatic)",
             poly([(0.0060, 0.9340), (0.0365, 0.9300), (0.0335, 0.9050), (0.0310, 0.8850),
                   (0.0285, 0.8770), (0.0160, 0.8935), (0.0130, 0.9040), (0.0095, 0.9140)]),
             "head", "zygomaticus major; buccinator (intra-oral)"),
        spec("masseter_tmj", "Masseter & TMJ", None, "head",
             "masseter; lateral pterygoid (intra-oral); medial pterygoid (intra-oral); "
             "temporalis insertion", "caution"),
        spec("sternocleidomastoid", "Sternocleidomastoid (SCM)",
             poly([(0.0070, 0.8175), (0.0300, 0.8900), (0.0375, 0.8900), (0.0300, 0.8400), (0.0260, 0.8140), (0.0060, 0.8120)]),
             "body", "SCM sternal division; SCM clavicular division; scalenes (behind it); "
             "splenius capitis (near the mastoid)", "caution"),
        spec("scalenes", "Scalenes (side of neck)",
             poly([*scalene_med, *scalene_lat[::-1]]), "body",
             "anterior scalene; middle scalene; posterior scalene; levator scapulae; omohyoid",
             "caution"),
        spec("upper_trapezius", "Upper trapezius",
             above(clav).intersection(half_plane_right(scalene_lat)), "body",
             "upper trapezius; levator scapulae; supraspinatus"),
        spec("middle_deltoid", "Middle deltoid",
             arm([*delt_split, (0.110, 0.080), (-0.06, 0.080)]), ("arm", "body"),
             "supraspinatus tendon; subacromial bursa"),
        spec("anterior_deltoid", "Anterior deltoid",
             arm([*delt_split, *deltoid_low[3::-1]]).intersection(half_plane_right(groove)),
             ("arm", "body"),
             "coracobrachialis; biceps long-head tendon; subscapularis tendon"),
        spec("pec_major_clavicular", "Pectoralis major, clavicular part",
             band(clav, rib2), "body", "subclavius; pectoralis minor (at the coracoid)"),
        spec("axilla", "Axilla",
             smooth([(0.0810, 0.7700), (0.0960, 0.7720), (0.1060, 0.7560), (0.1000, 0.7340),
                     (0.0860, 0.7260), (0.0790, 0.7420)]), ("body", "arm"),
             "subscapularis (via the axilla); serratus anterior (upper); latissimus dorsi; "
             "teres major; coracobrachialis", "caution"),
        spec("pec_major", "Pectoralis major",
             band(rib2, chest_low).difference(half_plane_right(pec_lat)), "body",
             "pectoralis minor; intercostals; sternalis", "sensitive"),
        spec("serratus_anterior", "Serratus anterior",
             above(chest_low).intersection(half_plane_right(pec_lat)).intersection(
                 below([(0.0, 0.7700), (0.2, 0.7700)])), "body",
             "serratus anterior; intercostals"),
        spec("rectus_abdominis_upper", "Upper rectus abdominis",
             band(chest_low, [*umb[:2], (0.3, 0.602)]).difference(half_plane_right(semi)),
             "body", "rectus abdominis; diaphragm (under the costal margin)", "caution"),
        spec("rectus_abdominis_lower", "Lower rectus abdominis",
             band([(0.0, 0.602), (0.3, 0.602)], inguinal).difference(half_plane_right(semi)),
             "body", "rectus abdominis; pyramidalis"),
        spec("external_oblique", "External oblique (flank)",
             band(chest_low, umb).intersection(half_plane_right(semi)), "body",
             "internal oblique; transversus abdominis"),
        spec("iliac_fossa", "Lower abdomen (iliac fossa)",
             band(umb, inguinal).intersection(half_plane_right(semi)), "body",
             "psoas major; iliacus; internal oblique; transversus abdominis"),
        spec("femoral_triangle", "Groin (femoral triangle)",
             below(inguinal).intersection(half_plane_right(rf_med)).difference(
                 half_plane_right(sart)), "body", "iliopsoas tendon; pectineus",
             "caution, sensitive"),
        spec("tfl", "Tensor fasciae latae (TFL)",
             band(inguinal, tfl_low).intersection(half_plane_right(sart)), "body",
             "tensor fasciae latae; gluteus minimus (anterior); gluteus medius (anterior)"),
        spec("vastus_medialis", "Vastus medialis",
             smooth([(0.0200, 0.3750), (0.0320, 0.3650), (0.0420, 0.3500), (0.0480, 0.3250),
                     (0.0520, 0.3020), (0.0420, 0.2990), (0.0250, 0.3050), (0.0150, 0.3400)]),
             "body", "adductor magnus tendon; vastus intermedius"),
        spec("anterior_knee", "Patella & patellar tendon",
             smooth([(0.0500, 0.3040), (0.0720, 0.3040), (0.0745, 0.2800), (0.0700, 0.2500),
                     (0.0530, 0.2500), (0.0480, 0.2800)]),
             "body", "patellar tendon; infrapatellar fat pad"),
        spec("rectus_femoris", "Rectus femoris",
             below(tfl_low).intersection(half_plane_right(rf_med)).difference(
                 half_plane_right(rf_lat)).intersection(above([(0, 0.2990), (0.3, 0.2990)])),
             "body", "vastus intermedius"),
        spec("vastus_lateralis", "Vastus lateralis",
             below(tfl_low).intersection(half_plane_right(rf_lat)).intersection(
                 above([(0, 0.3000), (0.3, 0.3000)])), "body",
             "vastus intermedius; iliotibial band"),
        spec("adductors", "Adductors (inner thigh)",
             big.difference(half_plane_right(rf_med)).intersection(
                 above([(0, 0.3000), (0.3, 0.3000)])), "body",
             "adductor longus; gracilis; pectineus; sartorius; adductor brevis; "
             "adductor magnus", "sensitive"),
        spec("medial_knee", "Medial knee (pes anserinus)",
             big.difference(half_plane_right([(0.05, 0.4), (0.05, 0.30), (0.0485, 0.28),
                                              (0.053, 0.25), (0.053, 0.2)])).intersection(
                 above([(0, 0.2280), (0.0400, 0.2320), (0.0530, 0.2420), (0.3, 0.2420)])), "body",
             "pes anserinus tendons (sartorius, gracilis, semitendinosus); MCL"),
        spec("lateral_knee", "Lateral knee",
             half_plane_right([(0.06, 0.4), (0.06, 0.30), (0.0735, 0.28), (0.069, 0.25),
                               (0.069, 0.2)]).intersection(
                 above([(0, 0.2480), (0.0700, 0.2480), (0.0850, 0.2530), (0.3, 0.2580)])),
             "body", "iliotibial band insertion; LCL; biceps femoris tendon; popliteus tendon"),
        spec("medial_shin", "Medial shin",
             big.difference(half_plane_right(crest)), "body",
             "soleus (medial edge); flexor digitorum longus; tibialis posterior"),
        spec("fibularis", "Peroneals (fibularis)",
             half_plane_right(fib), "body",
             "fibularis longus; fibularis brevis; fibularis tertius"),
        spec("tibialis_anterior", "Tibialis anterior", None, "body",
             "tibialis anterior; extensor digitorum longus; extensor hallucis longus"),
        spec("medial_elbow", "Medial elbow",
             arm(ellipse(0.187, -0.030, 0.024, 0.018, 32)), "arm",
             "common flexor tendon; pronator teres", "caution"),
        spec("brachioradialis", "Brachioradialis",
             arm([(0.155, 0.008), (0.155, 0.080), (0.360, 0.080), (0.360, 0.002),
                  (0.250, 0.004), (0.203, 0.010), (0.178, 0.010)]), "arm",
             "brachioradialis; extensor carpi radialis longus; supinator; "
             "pronator teres insertion"),
        spec("biceps", "Biceps", arm([(-0.2, -0.2), (0.178, -0.2), (0.178, 0.2), (-0.2, 0.2)]),
             "arm", "brachialis; coracobrachialis", "caution"),
        spec("cubital_fossa", "Front of elbow (cubital fossa)",
             arm(ellipse(0.191, -0.001, 0.0145, 0.0125, 32)), "arm",
             "biceps tendon & aponeurosis; brachialis insertion; pronator teres; supinator",
             "caution"),
        spec("forearm_flexors", "Forearm flexors", None, "arm",
             "flexor carpi radialis; palmaris longus; flexor carpi ulnaris; flexor digitorum "
             "superficialis; flexor digitorum profundus; flexor pollicis longus; "
             "pronator quadratus"),
        spec("thenar", "Thenar eminence & thumb",
             unary_union([thumb_shape(ARM).buffer(0.0005),
                          arm([(0.330, 0.004), (0.350, 0.006), (0.372, 0.012), (0.382, 0.030),
                               (0.330, 0.040)])]), "hand",
             "opponens pollicis; abductor pollicis brevis; flexor pollicis brevis; "
             "adductor pollicis"),
        spec("fingers_palmar", "Fingers (palm side)",
             arm([(0.3935, -0.1), (0.5, -0.1), (0.5, 0.1), (0.3935, 0.1)]), "hand",
             "flexor tendon sheaths; lumbricals"),
        spec("palm", "Palm & hypothenar", None, "hand",
             "palmar aponeurosis; abductor digiti minimi; lumbricals; palmar interossei"),
        spec("dorsal_foot", "Top of foot & toes", None, "foot",
             "extensor digitorum brevis; extensor hallucis brevis; tibialis anterior tendon; "
             "extensor hallucis longus tendon; extensor digitorum longus tendons; "
             "dorsal interossei"),
    ]
    return mid, paired


def sym_poly(half: Sequence[Pt]) -> Polygon:
    """A polygon symmetric about x = 0 from its right half, listed top to bottom."""
    left = mirror_pts(reversed(half))
    return Polygon([*half, *left]).buffer(0)


FibreMap = Callable[[dict[str, BaseGeometry]], list[list[Pt]]]


def build_front_view(
    view_id: str,
    back: bool,
    specs: tuple[list[Spec], list[Spec]] | None = None,
    fibres: FibreMap | None = None,
) -> ViewOut:
    """The anterior or posterior view; a later version passes its own regions and a function
    drawing the fibre lines of the near half's regions (world coordinates)."""
    parts, _soles = front_parts(back)
    silhouette = fill_holes(parts)
    if specs is None:
        specs = posterior_specs() if back else anterior_specs()
    mid_specs, pair_specs = specs
    taken: BaseGeometry = Polygon()
    mids: dict[str, BaseGeometry] = {}
    for s in mid_specs:
        s.midline = True
        mask = unary_union([parts[p] for p in s.parts])
        geom = clean(mask.intersection(s.zone).difference(taken))
        mids[s.stem] = geom
        taken = taken.union(geom)
    near_half = box(0.0, -1.0, 1.0, 2.0)
    half = clean(silhouette.intersection(near_half).difference(taken))
    paired = partition(half, pair_specs, parts)
    # Snap the near half (paired regions and the near halves of the midline strips) to the
    # output grid, then mirror it, so the two sides are exact mirror images.
    near_side = "right" if back else "left"
    far_side = "left" if back else "right"
    stems = [s.stem for s in pair_specs]
    snapped = snap_coverage(
        [to_frame(paired[stem], AP_MATRIX) for stem in stems]
        + [to_frame(clean(mids[s.stem].intersection(near_half)), AP_MATRIX) for s in mid_specs]
    )
    near = dict(zip(stems, snapped[: len(stems)], strict=True))
    regions: list[tuple[Spec, str, BaseGeometry]] = []
    for s, geom in zip(mid_specs, snapped[len(stems):], strict=True):
        regions.append((s, "midline", clean(unary_union([geom, frame_mirror(geom)]))))
    for s in pair_specs:
        regions.append((s, far_side, frame_mirror(near[s.stem])))
        regions.append((s, near_side, near[s.stem]))
    details = posterior_details() if back else anterior_details()
    fibre_lines = both_lines(fibres(paired)) if fibres is not None else []
    caption = (
        "Posterior — client's R on viewer's R" if back else "Anterior — client's R on viewer's L"
    )
    return ViewOut(
        id=view_id,
        caption=caption,
        silhouette=to_frame(silhouette, AP_MATRIX),
        details=[line_to_frame(line, AP_MATRIX) for line in details],
        regions=regions,
        fibres=[line_to_frame(line, AP_MATRIX) for line in fibre_lines],
    )


def build_anterior() -> ViewOut:
    return build_front_view("anterior", back=False)


def build_posterior() -> ViewOut:
    return build_front_view("posterior", back=True)


SCAP_SPINE = [(0.0300, 0.8120), (0.0600, 0.8105), (0.0900, 0.8115), (0.1080, 0.8135),
              (0.2000, 0.8150)]
SCAP_MEDIAL = [(0.0320, 0.8320), (0.0310, 0.8120), (0.0335, 0.7850), (0.0390, 0.7660),
               (0.0440, 0.7600)]
SCAP_LATERAL = [(0.0440, 0.7600), (0.0560, 0.7700), (0.0750, 0.7850), (0.0920, 0.8000)]
GLUTEAL_FOLD = [(0.0030, 0.4860), (0.0200, 0.4790), (0.0500, 0.4750), (0.0750, 0.4780),
                (0.0920, 0.4860)]


def posterior_details() -> list[list[Pt]]:
    half = [
        *hidden_contour(ARM.smooth(ARM_OUTLINE), front_body_half(), below_h=0.806),
        spline([(SCAP_MEDIAL[0][0] + 0.002, 0.8300), *SCAP_MEDIAL[1:], *SCAP_LATERAL[1:3],
                (0.0830, 0.7920)], per_segment=5),
        spline(SCAP_SPINE[:4], per_segment=5),
        spline([(0.0050, 0.4830), (0.0200, 0.4755), (0.0450, 0.4725), (0.0680, 0.4760),
                (0.0820, 0.4850)], per_segment=5),
        [(0.0500, 0.2870), (0.0610, 0.2850), (0.0720, 0.2870)],
        ARM.line(spline([(0.181, -0.011), (0.1865, -0.004), (0.1855, 0.003)], per_segment=4)),
        ARM.line(spline([(0.336, -0.012), (0.338, 0.0), (0.336, 0.012)], per_segment=4)),
        *finger_lines(ARM),
        *nail_lines(ARM),
    ]
    for (s1, w1, r1), (s2, w2, r2) in itertools.pairwise(SOLE_TOES):
        sm, wm = (s1 + s2) / 2 - 0.004, (w1 * r2 + w2 * r1) / (r1 + r2)
        half.append([sole_pt(sm - 0.004, wm), sole_pt(sm + 0.004, wm)])
    lines = both_lines(half)
    lines.append([(0.0, 0.8620), (0.0, 0.5900)])
    lines.append([(0.0, 0.5150), (0.0, 0.4830)])
    return lines


def posterior_specs() -> tuple[list[Spec], list[Spec]]:
    """Midline and paired (viewer's-right half = client's right) regions of the posterior view."""
    sym = sym_poly
    mid = [
        spec("cervical_spine", "Cervical spine",
             sym([(0.0060, 0.9250), (0.0060, 0.8620)]), ("head", "body"),
             "nuchal ligament; interspinales; multifidi"),
        spec("thoracic_spine", "Thoracic spine",
             sym([(0.0075, 0.8620), (0.0075, 0.6950)]), "body",
             "supraspinous ligament; multifidi; rotatores"),
        spec("lumbar_spine", "Lumbar spine",
             sym([(0.0080, 0.6950), (0.0080, 0.5850)]), "body",
             "supraspinous ligament; interspinales; multifidi"),
        spec("sacrum", "Sacrum",
             sym([(0.0200, 0.5850), (0.0190, 0.5550), (0.0140, 0.5300), (0.0080, 0.5150)]),
             "body", "erector spinae aponeurosis; sacral multifidi; posterior sacroiliac "
             "ligaments"),
        spec("coccyx", "Coccyx & gluteal cleft",
             sym([(0.0080, 0.5150), (0.0045, 0.4950), (0.0025, 0.4700)]), "body",
             "gluteus maximus origin; coccygeus (internal); levator ani (internal)",
             "sensitive"),
    ]
    nuchal = [(0.0, 0.9250), (0.0300, 0.9220), (0.0480, 0.9150), (0.1000, 0.9150)]
    c2 = [(0.0, 0.9050), (0.0350, 0.9030), (0.1000, 0.8980)]
    c7 = [(0.0, 0.8620), (0.0330, 0.8590), (0.0420, 0.8530), (0.1000, 0.8700)]
    sup_border = [(0.0320, 0.8320), (0.0500, 0.8280), (0.0800, 0.8215), (0.1000, 0.8170),
                  (0.1160, 0.8130), (0.2000, 0.8100)]
    spine_line = [(0.0, 0.8120), *SCAP_SPINE]
    delt_med = [(0.0760, 0.9000), (0.0760, 0.8110), (0.0880, 0.7850), (0.0950, 0.7620),
                (0.0960, 0.6000)]
    teres_low = [(0.0, 0.7600), (0.0440, 0.7600), (0.0700, 0.7520), (0.0950, 0.7420),
                 (0.2000, 0.7300)]
    erector = [(0.0460, 0.9000), (0.0460, 0.6000), (0.0460, 0.5000)]
    rib12 = [(0.0, 0.6950), (0.0200, 0.6850), (0.0460, 0.6680), (0.0700, 0.6580),
             (0.2000, 0.6450)]
    iliac_crest = [(0.0, 0.5850), (0.0300, 0.5850), (0.0460, 0.5900), (0.0600, 0.6000),
                   (0.0750, 0.6060), (0.0900, 0.6000), (0.2000, 0.5900)]
    pir_top = [(0.0, 0.5500), (0.0480, 0.5440), (0.0850, 0.5330), (0.2000, 0.5200)]
    pir_bottom = [(0.0, 0.5260), (0.0500, 0.5220), (0.0850, 0.5110), (0.2000, 0.5000)]
    lat_hip = [(0.0800, 0.6200), (0.0800, 0.5900), (0.0820, 0.5500), (0.0860, 0.5000),
               (0.0880, 0.4600), (0.0880, 0.4000)]
    thigh_mid = [(0.0500, 0.5000), (0.0500, 0.4900), (0.0530, 0.4000), (0.0590, 0.3100),
                 (0.0620, 0.2800), (0.0640, 0.2500), (0.0680, 0.1500), (0.0730, 0.0600),
                 (0.0750, 0.0000)]
    arm = ARM.poly
    deltoid_low = [(-0.06, -0.08), (0.030, -0.050), (0.060, -0.020), (0.095, 0.010),
                   (0.105, 0.030), (0.110, 0.080)]
    delt_split = [(-0.06, 0.0120), (0.098, 0.0240)]
    paired = [
        spec("occipital", "Occiput (back of head)", above(nuchal), "head",
             "occipitalis; galea aponeurotica"),
        spec("suboccipital", "Suboccipitals (base of skull)", above(c2), ("head", "body"),
             "rectus capitis posterior major; rectus capitis posterior minor; obliquus capitis "
             "superior; obliquus capitis inferior; semispinalis capitis"),
        spec("posterior_cervical", "Posterior neck (cervical paraspinals)", above(c7),
             ("head", "body"),
             "splenius capitis; splenius cervicis; semispinalis cervicis; cervical multifidi; "
             "rotatores; levator scapulae (upper)"),
        spec("levator_scapulae", "Levator scapulae (superior angle)",
             box(0.0, 0.8320, 0.0320, 0.9), "body",
             "levator scapulae insertion; serratus posterior superior; rhomboid minor"),
        spec("upper_trapezius", "Upper trapezius", above(sup_border), ("body", "arm"),
             "upper trapezius; levator scapulae; supraspinatus (medial)"),
        spec("middle_deltoid", "Middle deltoid",
             arm([*delt_split, (0.110, 0.080), (-0.06, 0.080)]), ("arm", "body"),
             "supraspinatus tendon; subacromial bursa"),
        spec("posterior_deltoid", "Posterior deltoid",
             arm([*delt_split, *deltoid_low[3::-1]]).intersection(half_plane_right(delt_med)),
             ("arm", "body"), "teres minor; infraspinatus tendon; triceps long head (upper)"),
        spec("supraspinatus", "Supraspinatus",
             below(sup_border).intersection(above(spine_line)).intersection(
                 half_plane_right(SCAP_MEDIAL)), "body", "supraspinatus; middle trapezius"),
        spec("middle_trapezius", "Middle trapezius",
             box(0.0, 0.8120, 0.0320, 0.8320), "body",
             "middle trapezius; rhomboid minor; serratus posterior superior; multifidi"),
        spec("rhomboid", "Rhomboids",
             below(spine_line).difference(half_plane_right(SCAP_MEDIAL)).intersection(
                 above(teres_low)), "body",
             "rhomboid major; rhomboid minor; middle trapezius; lower trapezius; "
             "thoracic erector spinae (medial); multifidi"),
        spec("infraspinatus", "Infraspinatus",
             below(spine_line).intersection(half_plane_right(SCAP_MEDIAL)).intersection(
                 above(SCAP_LATERAL)), "body", "infraspinatus; teres minor"),
        spec("teres", "Teres (lateral border of scapula)",
             below(SCAP_LATERAL).intersection(above(teres_low)), ("body", "arm"),
             "teres minor; teres major; latissimus dorsi; subscapularis (via the axilla)"),
        # The lower trapezius covers a long triangle from the root of the scapular spine to
        # the T12 spinous process; below the rhomboids it is charted over the medial paraspinals.
        spec("lower_trapezius", "Lower trapezius",
             band(teres_low, rib12).intersection(
                 poly([(0.0, 0.8200), (0.0300, 0.8120), (0.0060, 0.6900), (0.0, 0.6900)])),
             "body",
             "lower trapezius; spinalis thoracis; longissimus thoracis (medial); multifidi; "
             "rotatores"),
        spec("thoracic_erector", "Thoracic erector spinae",
             band(teres_low, rib12).difference(half_plane_right(erector)), "body",
             "longissimus thoracis; iliocostalis thoracis; multifidi; rotatores; "
             "serratus posterior inferior; lower trapezius (lateral edge)"),
        spec("latissimus", "Latissimus dorsi",
             band(teres_low, rib12).intersection(half_plane_right(erector)), "body",
             "latissimus dorsi; serratus anterior (lower); intercostals; "
             "serratus posterior inferior"),
        spec("lumbar_erector", "Lumbar erector spinae",
             band(rib12, iliac_crest).difference(half_plane_right(erector)), "body",
             "longissimus lumborum; iliocostalis lumborum; lumbar multifidi; "
             "thoracolumbar fascia"),
        spec("quadratus_lumborum", "Quadratus lumborum area",
             band(rib12, iliac_crest).intersection(half_plane_right(erector)), "body",
             "quadratus lumborum; latissimus aponeurosis; internal oblique (posterior)",
             "caution"),
        spec("sacroiliac", "Sacroiliac joint & PSIS",
             below(iliac_crest).intersection(
                 smooth([(0.0100, 0.5900), (0.0420, 0.5900), (0.0480, 0.5700), (0.0430, 0.5480),
                         (0.0300, 0.5340), (0.0150, 0.5330)])), "body",
             "multifidus; gluteus maximus origin; posterior sacroiliac ligaments"),
        spec("lateral_hip", "Lateral hip (greater trochanter)",
             below(iliac_crest).intersection(half_plane_right(lat_hip)).intersection(
                 above([(0, 0.4600), (0.3, 0.4600)])), "body",
             "gluteus medius tendon; gluteus minimus tendon; trochanteric bursa; "
             "piriformis insertion; iliotibial band"),
        spec("gluteus_medius", "Gluteus medius", band(iliac_crest, pir_top), "body",
             "gluteus medius; gluteus minimus"),
        spec("piriformis_area", "Piriformis area", band(pir_top, pir_bottom), "body",
             "piriformis; sciatic nerve (beneath); gemellus superior"),
        spec("ischial_tuberosity", "Ischial tuberosity (sitting bone)",
             Point(0.0300, 0.4830).buffer(0.0105), "body",
             "hamstring origins; adductor magnus (ischial part); sacrotuberous ligament"),
        spec("gluteus_maximus", "Gluteus maximus", above(GLUTEAL_FOLD), "body",
             "gluteus maximus; gemelli; obturator internus; quadratus femoris"),
        spec("popliteal", "Back of knee (popliteal fossa)",
             smooth([(0.0610, 0.3150), (0.0735, 0.2850), (0.0610, 0.2550), (0.0485, 0.2850)],
                    per_segment=3), "body",
             "popliteus; plantaris; gastrocnemius origins", "caution"),
        spec("medial_hamstring", "Medial hamstrings",
             above([(0, 0.3000), (0.3, 0.3000)]).difference(half_plane_right(thigh_mid)),
             "body", "semitendinosus; semimembranosus; adductor magnus; gracilis"),
        spec("lateral_hamstring", "Lateral hamstring (biceps femoris)",
             above([(0, 0.3000), (0.3, 0.3000)]).intersection(half_plane_right(thigh_mid)),
             "body", "biceps femoris long head; biceps femoris short head; "
             "vastus lateralis (edge)"),
        spec("achilles", "Achilles tendon",
             LineString([(0.0675, 0.1600), (0.0700, 0.1000), (0.0735, 0.0300)]).buffer(
                 0.0068, cap_style="flat"), "body", "Kager's fat pad; flexor hallucis longus"),
        spec("gastrocnemius_medial", "Medial gastrocnemius",
             above([(0, 0.1500), (0.3, 0.1500)]).difference(half_plane_right(thigh_mid)),
             "body", "soleus; tibialis posterior; flexor digitorum longus"),
        spec("gastrocnemius_lateral", "Lateral gastrocnemius",
             above([(0, 0.1700), (0.3, 0.1700)]).intersection(half_plane_right(thigh_mid)),
             "body", "soleus; plantaris; flexor hallucis longus"),
        spec("soleus", "Soleus", None, "body",
             "soleus; tibialis posterior; flexor digitorum longus; flexor hallucis longus"),
        spec("heel", "Heel", None, "foot", "calcaneal tuberosity; plantar fascia origin"),
        spec("plantar_foot", "Sole of foot (plantar fascia)", None, "sole",
             "plantar fascia; flexor digitorum brevis; abductor hallucis; abductor digiti "
             "minimi; quadratus plantae; flexor hallucis brevis; adductor hallucis; interossei"),
        spec("lateral_elbow", "Lateral elbow",
             arm(ellipse(0.190, 0.028, 0.026, 0.020, 32)), "arm",
             "common extensor origin; extensor carpi radialis brevis; extensor digitorum; "
             "supinator"),
        spec("olecranon", "Back of elbow (olecranon)",
             arm(ellipse(0.187, -0.012, 0.020, 0.0185, 32)), "arm",
             "triceps tendon; anconeus; olecranon bursa", "caution"),
        spec("triceps", "Triceps",
             arm([(-0.2, -0.2), (0.168, -0.2), (0.168, 0.2), (-0.2, 0.2)]), "arm",
             "triceps long head; triceps lateral head; triceps medial head"),
        spec("forearm_extensors", "Forearm extensors", None, "arm",
             "extensor digitorum; extensor carpi ulnaris; extensor carpi radialis brevis; "
             "supinator; abductor pollicis longus; extensor pollicis brevis; extensor pollicis "
             "longus; extensor indicis"),
        spec("fingers_dorsal", "Fingers & thumb (back)",
             unary_union([
                 arm([(0.3935, -0.1), (0.5, -0.1), (0.5, 0.1), (0.3935, 0.1)]),
                 thumb_shape(ARM).buffer(0.0005).intersection(
                     arm([(0.366, 0.0), (0.366, 0.1), (0.5, 0.1), (0.5, 0.0)]))]),
             "hand", "extensor expansions"),
        spec("dorsal_hand", "Back of hand", None, "hand",
             "extensor tendons; dorsal interossei; first dorsal interosseous"),
    ]
    return mid, paired


# --------------------------------------------------------------------------------------------
# Lateral figure. World (f, h): f forward of the plumb line (tragion, acromion, trochanter,
# fibular head), h up from the floor. Drawn as the client's left side; the right side is its
# mirror image with the sides swapped.

# Near arm raised forward 30°, elbow a little flexed; +v = the arm's front (flexor) side.
LARM = BentFrame(0.0, 0.800, 30.0, joint_u=0.187, bend_deg=15.0, blend=0.025)

LAT_HEAD: list[Pt] = [
    (0.000, 1.000), (0.030, 0.9935), (0.0495, 0.9780), (0.0595, 0.9580), (0.0620, 0.9450),
    (0.0585, 0.9365), (0.0610, 0.9300), (0.0675, 0.9190), (0.0725, 0.9105), (0.0700, 0.9055),
    (0.0625, 0.9035), (0.0640, 0.8975), (0.0612, 0.8928), (0.0630, 0.8885), (0.0585, 0.8825),
    (0.0610, 0.8760), (0.0565, 0.8685), (0.0420, 0.8670), (0.0250, 0.8720), (0.0080, 0.8840),
    (-0.0100, 0.8950), (-0.0350, 0.9050), (-0.0480, 0.9200), (-0.0530, 0.9450),
    (-0.0480, 0.9750), (-0.0300, 0.9930),
]
LAT_BODY: list[Pt] = [
    (0.0300, 0.9000), (0.0380, 0.8720), (0.0345, 0.8560), (0.0380, 0.8380), (0.0480, 0.8220),
    (0.0620, 0.8000), (0.0760, 0.7700), (0.0840, 0.7400), (0.0850, 0.7150), (0.0800, 0.6900),
    (0.0720, 0.6650), (0.0665, 0.6400), (0.0655, 0.6100), (0.0670, 0.5800), (0.0620, 0.5450),
    (0.0530, 0.5150), (0.0505, 0.4900), (0.0550, 0.4500), (0.0545, 0.4000), (0.0490, 0.3500),
    (0.0415, 0.3100), (0.0435, 0.2900), (0.0400, 0.2650), (0.0345, 0.2450), (0.0360, 0.2100),
    (0.0320, 0.1500), (0.0270, 0.0900), (0.0265, 0.0640), (0.0340, 0.0520), (0.0480, 0.0475),
    (0.0650, 0.0410), (0.0820, 0.0330), (0.0970, 0.0245), (0.1080, 0.0190), (0.1150, 0.0140),
    (0.1190, 0.0080), (0.1195, 0.0030), (0.1150, 0.0000),
    (0.0500, 0.0000), (0.0000, 0.0000), (-0.0300, 0.0005), (-0.0415, 0.0080),
    (-0.0430, 0.0250), (-0.0360, 0.0450), (-0.0280, 0.0700), (-0.0290, 0.1000),
    (-0.0360, 0.1400), (-0.0475, 0.1850), (-0.0520, 0.2150), (-0.0480, 0.2500),
    (-0.0400, 0.2800), (-0.0420, 0.3050), (-0.0500, 0.3500), (-0.0560, 0.4100),
    (-0.0630, 0.4550), (-0.0750, 0.4800), (-0.0840, 0.5050), (-0.0845, 0.5300),
    (-0.0775, 0.5600), (-0.0650, 0.5950), (-0.0585, 0.6300), (-0.0600, 0.6650),
    (-0.0665, 0.7100), (-0.0705, 0.7500), (-0.0690, 0.7900), (-0.0600, 0.8250),
    (-0.0480, 0.8500), (-0.0400, 0.8680), (-0.0360, 0.8900), (-0.0300, 0.9050),
]
LAT_ARM: list[Pt] = [
    (-0.026, 0.000), (-0.021, 0.0215), (0.000, 0.0330), (0.040, 0.0300), (0.080, 0.0250),
    (0.120, 0.0262), (0.160, 0.0225), (0.185, 0.0205), (0.205, 0.0240), (0.230, 0.0242),
    (0.270, 0.0185), (0.310, 0.0135), (0.336, 0.0115),
    (0.336, -0.0110), (0.300, -0.0140), (0.260, -0.0190), (0.215, -0.0220), (0.192, -0.0245),
    (0.176, -0.0262), (0.150, -0.0255), (0.120, -0.0270), (0.070, -0.0300), (0.030, -0.0335),
    (0.000, -0.0330), (-0.021, -0.0215),
]
LAT_HAND: list[Pt] = [
    (0.332, 0.0115), (0.346, 0.0140), (0.362, 0.0135), (0.380, 0.0100), (0.400, 0.0075),
    (0.420, 0.0066), (0.438, 0.0056), (0.4475, 0.0032), (0.4500, -0.0010), (0.4470, -0.0055),
    (0.436, -0.0075), (0.418, -0.0088), (0.400, -0.0098), (0.380, -0.0106), (0.352, -0.0114),
    (0.332, -0.0114),
]
LAT_THUMB: list[Pt] = [(0.350, 0.0105), (0.374, 0.0148), (0.396, 0.0163)]


def lateral_parts() -> dict[str, BaseGeometry]:
    head = smooth(LAT_HEAD)
    body = fillet(smooth(LAT_BODY), head, radius=0.008)
    t0, t1, t2 = LARM.pts(LAT_THUMB)
    hand = unary_union([
        LARM.smooth(LAT_HAND), capsule(t0, t1, 0.0110, 0.0100), capsule(t1, t2, 0.0100, 0.0088)
    ])
    arm = LARM.smooth(LAT_ARM)
    wrist = LARM.poly([(0.315, -0.06), (0.365, -0.06), (0.365, 0.06), (0.315, 0.06)])
    arm = clean(unary_union([arm, fillet(arm, hand, radius=0.005).difference(hand).intersection(
        wrist)]))
    parts: dict[str, BaseGeometry] = {
        "head": head,
        "hand": hand.difference(head),
        "arm": arm.difference(hand).difference(head),
        "body": body.difference(head).difference(arm).difference(hand),
    }
    return {k: clean(v) for k, v in parts.items()}


def lateral_details() -> list[list[Pt]]:
    ear = smooth([(-0.0020, 0.9430), (-0.0080, 0.9440), (-0.0140, 0.9380), (-0.0150, 0.9250),
                  (-0.0120, 0.9110), (-0.0060, 0.9060), (-0.0010, 0.9100), (0.0000, 0.9200),
                  (0.0010, 0.9330)], per_segment=5)
    lines = [
        list(ear.exterior.coords),
        spline([(-0.0040, 0.9360), (-0.0090, 0.9330), (-0.0100, 0.9220), (-0.0060, 0.9160)], per_segment=5),
        spline([(0.0560, 0.9395), (0.0505, 0.9370), (0.0555, 0.9340)], per_segment=4),
        spline([(0.0440, 0.9460), (0.0540, 0.9485), (0.0610, 0.9465)], per_segment=4),
        spline([(0.0640, 0.9085), (0.0610, 0.9065), (0.0625, 0.9045)], per_segment=4),
        [(0.0612, 0.8928), (0.0540, 0.8932)],
        spline([(0.0040, 0.9040), (0.0030, 0.8920), (0.0110, 0.8830), (0.0280, 0.8770)],
               per_segment=5),
        spline([(0.0380, 0.3000), (0.0300, 0.2900), (0.0290, 0.2750), (0.0360, 0.2650)], per_segment=4),
        spline([(-0.0340, 0.2860), (-0.0300, 0.2820), (-0.0260, 0.2830)], per_segment=4),
        spline([(-0.0140, 0.0500), (-0.0110, 0.0400), (-0.0040, 0.0370), (0.0020, 0.0420),
                (0.0000, 0.0510), (-0.0080, 0.0540), (-0.0140, 0.0500)], per_segment=4),
        spline([(0.0850, 0.0040), (0.0950, 0.0075), (0.1030, 0.0070)], per_segment=4),
        spline([(-0.0740, 0.4800), (-0.0550, 0.4760), (-0.0400, 0.4790)], per_segment=4),
        LARM.line(spline([(0.183, 0.0205), (0.190, 0.012), (0.188, 0.004)], per_segment=4)),
        LARM.line([(0.403, 0.0004), (0.446, -0.0012)]),
        LARM.line(spline([(0.352, 0.0062), (0.372, 0.0092), (0.391, 0.0112)], per_segment=4)),
        *hidden_contour(LARM.smooth(LAT_ARM), smooth(LAT_BODY)),
    ]
    return lines


def lateral_specs() -> tuple[list[Spec], list[Spec]]:
    """Midline and client's-left regions of the left lateral view."""
    larm = LARM.poly
    face_line = [(0.0500, 0.9700), (0.0520, 0.9480), (0.0540, 0.9350), (0.0560, 0.9150),
                 (0.0530, 0.8950), (0.0480, 0.8780), (0.0450, 0.8650)]
    # SCM from the mastoid (behind the ear lobe) down and forward to the manubrium; the
    # scalene triangle opens behind it, below the ear.
    scm_front = [(-0.0020, 0.9080), (0.0130, 0.8750), (0.0310, 0.8450), (0.0480, 0.8150)]
    scm_back = [(-0.0170, 0.9080), (-0.0020, 0.8750), (0.0160, 0.8450), (0.0320, 0.8150)]
    trap_front = [(-0.0260, 0.9080), (-0.0210, 0.8720), (-0.0100, 0.8450), (0.0000, 0.8200)]
    clav = [(-0.2000, 0.8200), (0.0000, 0.8200), (0.0480, 0.8200), (0.3000, 0.8200)]
    mid = [
        spec("face_profile", "Face profile (nose, lips, chin)",
             half_plane_right(face_line), "head",
             "procerus; nasalis; orbicularis oris; mentalis"),
        spec("anterior_neck", "Throat (hyoid muscles)",
             half_plane_right(scm_front).intersection(above(clav)), "body",
             "platysma; digastric; suprahyoid and infrahyoid muscles; longus colli", "caution"),
    ]
    deltoid = [(-0.1, -0.1), (-0.1, 0.1), (0.000, 0.1), (0.022, 0.036), (0.055, 0.018),
               (0.090, 0.001), (0.055, -0.020), (0.022, -0.040), (0.000, -0.1)]
    paired = [
        spec("frontalis", "Frontalis (forehead)",
             poly([(0.020, 1.1), (0.3, 1.1), (0.3, 0.9460), (0.020, 0.9460)]), "head",
             "frontalis; galea aponeurotica"),
        spec("occipital", "Occiput (back of head)",
             poly([(-0.2, 1.1), (-0.022, 1.1), (-0.020, 0.9600), (-0.0170, 0.9150),
                   (-0.2, 0.9150)]), "head", "occipitalis"),
        spec("temporalis", "Temporalis (temple & ear)",
             poly([(-0.022, 1.1), (0.020, 1.1), (0.020, 0.9460), (0.0380, 0.9400),
                   (0.0360, 0.9220), (-0.0170, 0.9150), (-0.020, 0.9600)]), "head",
             "temporalis; auricular muscles"),
        spec("cheek", "Eye & cheek",
             poly([(0.0300, 0.9460), (0.3, 0.9460), (0.3, 0.8950), (0.0350, 0.8950),
                   (0.0330, 0.9220), (0.0380, 0.9400)]), "head",
             "orbicularis oculi; zygomaticus major; buccinator (intra-oral)", "caution"),
        spec("masseter_tmj", "Masseter & TMJ",
             poly([(0.0000, 0.9220), (0.0360, 0.9220), (0.0350, 0.8950), (0.3, 0.8950),
                   (0.3, 0.8500), (0.0000, 0.8500)]), "head",
             "masseter; lateral pterygoid (intra-oral); medial pterygoid (intra-oral)",
             "caution"),
        spec("sternocleidomastoid", "Sternocleidomastoid (SCM)",
             half_plane_right([(-0.01, 0.95), *scm_back]).intersection(above(clav)), ("body", "head"),
             "SCM sternal division; SCM clavicular division; anterior scalene (behind it)",
             "caution"),
        spec("scalenes", "Scalenes (side of neck)",
             half_plane_right([(-0.03, 0.95), *trap_front]).intersection(above(clav)),
             ("body", "head"),
             "anterior scalene; middle scalene; posterior scalene; levator scapulae; "
             "splenius capitis", "caution"),
        spec("posterior_cervical", "Posterior neck (cervical paraspinals)",
             above([(-0.2, 0.8540), (-0.0450, 0.8540), (0.0, 0.8800), (0.3, 0.8800)]),
             ("body", "head"),
             "splenius capitis; semispinalis capitis; suboccipitals; cervical multifidi; "
             "upper trapezius"),
        spec("anterior_deltoid", "Anterior deltoid",
             larm(deltoid).intersection(larm([(-0.2, 0.017), (0.090, 0.003), (0.2, 0.2),
                                             (-0.2, 0.2)])), "arm",
             "coracobrachialis; biceps long-head tendon"),
        spec("posterior_deltoid", "Posterior deltoid",
             larm(deltoid).intersection(larm([(-0.2, -0.015), (0.090, -0.001), (0.2, -0.2),
                                             (-0.2, -0.2)])), "arm",
             "teres minor; infraspinatus tendon"),
        spec("middle_deltoid", "Middle deltoid", larm(deltoid), "arm",
             "supraspinatus tendon; subacromial bursa"),
        spec("lateral_elbow", "Lateral elbow",
             larm(ellipse(0.192, -0.002, 0.022, 0.040, 32)), "arm",
             "common extensor origin; anconeus; supinator"),
        spec("biceps", "Biceps",
             larm([(-0.1, -0.004), (0.2, -0.004), (0.2, 0.1), (-0.1, 0.1)]).intersection(
                 larm([(-0.1, -0.1), (0.170, -0.1), (0.170, 0.1), (-0.1, 0.1)])), "arm",
             "biceps brachii; brachialis"),
        spec("triceps", "Triceps",
             larm([(-0.1, -0.1), (0.170, -0.1), (0.170, 0.1), (-0.1, 0.1)]), "arm",
             "triceps lateral head; triceps long head"),
        spec("forearm_flexors", "Forearm flexors",
             larm([(0.2, 0.0080), (0.36, 0.0050), (0.36, 0.1), (0.2, 0.1)]), "arm",
             "flexor carpi radialis; flexor digitorum superficialis; flexor pollicis longus"),
        spec("forearm_extensors", "Forearm extensors",
             larm([(0.2, -0.0070), (0.36, -0.0040), (0.36, -0.1), (0.2, -0.1)]), "arm",
             "extensor carpi radialis brevis; extensor digitorum; abductor pollicis longus; "
             "extensor pollicis brevis"),
        spec("brachioradialis", "Brachioradialis", None, "arm",
             "brachioradialis; extensor carpi radialis longus; supinator"),
        spec("hand_radial", "Hand, thumb side", None, "hand",
             "thenar muscles; first dorsal interosseous; adductor pollicis"),
        spec("upper_trapezius", "Upper trapezius", above(clav), "body",
             "upper trapezius; levator scapulae; supraspinatus"),
        spec("pec_major", "Pectoralis major",
             poly([(0.022, 0.83), (0.3, 0.83), (0.3, 0.6950), (0.045, 0.7050),
                   (0.030, 0.7400), (0.022, 0.7800)]), "body",
             "pectoralis minor; intercostals", "sensitive"),
        spec("axilla", "Axilla",
             smooth([(-0.0300, 0.7900), (0.0050, 0.7950), (0.0230, 0.7700), (0.0150, 0.7350),
                     (-0.0150, 0.7300), (-0.0350, 0.7550)]), "body",
             "subscapularis (via the axilla); serratus anterior (upper)", "caution"),
        spec("infraspinatus", "Infraspinatus",
             poly([(-0.2, 0.83), (-0.0400, 0.83), (-0.0450, 0.7900), (-0.0560, 0.7600),
                   (-0.2, 0.7600)]), "body", "infraspinatus; teres minor; teres major"),
        spec("latissimus", "Latissimus dorsi",
             poly([(-0.0400, 0.83), (-0.0200, 0.83), (-0.0250, 0.7300), (-0.0300, 0.6600),
                   (-0.0520, 0.6700), (-0.0520, 0.7600), (-0.0560, 0.7600), (-0.0450, 0.7900)]),
             "body", "latissimus dorsi; teres major; serratus posterior inferior"),
        spec("thoracic_erector", "Thoracic erector spinae",
             poly([(-0.2, 0.7600), (-0.0520, 0.7600), (-0.0520, 0.6700), (-0.2, 0.6800)]),
             "body", "erector spinae; multifidi; lower trapezius"),
        spec("serratus_anterior", "Serratus anterior",
             poly([(-0.0200, 0.83), (0.045, 0.83), (0.045, 0.7050), (0.040, 0.6550),
                   (-0.0300, 0.6600), (-0.0250, 0.7300)]), "body",
             "serratus anterior; intercostals"),
        spec("quadratus_lumborum", "Quadratus lumborum area",
             poly([(-0.2, 0.6800), (-0.0300, 0.6600), (-0.0250, 0.6000), (-0.2, 0.6050)]),
             "body", "quadratus lumborum; lumbar erector spinae (edge)", "caution"),
        spec("rectus_abdominis", "Rectus abdominis",
             poly([(0.040, 0.7050), (0.3, 0.7050), (0.3, 0.4900), (0.0470, 0.5050),
                   (0.0440, 0.5600), (0.0420, 0.6200), (0.0400, 0.6550)]), "body",
             "rectus abdominis; diaphragm (upper)", "caution"),
        spec("external_oblique", "External oblique (flank)",
             poly([(-0.0300, 0.6600), (0.040, 0.6550), (0.0480, 0.6550), (0.0520, 0.6000),
                   (0.0200, 0.5950), (-0.0250, 0.6000)]), "body",
             "internal oblique; transversus abdominis"),
        spec("iliac_fossa", "Lower abdomen (iliac fossa)",
             poly([(0.0200, 0.5950), (0.0520, 0.6000), (0.0500, 0.5050), (0.0350, 0.5500),
                   (0.0200, 0.5800)]), "body", "psoas major; iliacus"),
        spec("gluteus_medius", "Gluteus medius",
             poly([(-0.0600, 0.6050), (-0.0250, 0.6000), (0.0050, 0.5950), (0.0080, 0.5350),
                   (-0.0400, 0.5350), (-0.0600, 0.5550)]), "body",
             "gluteus medius; gluteus minimus"),
        spec("tfl", "Tensor fasciae latae (TFL)",
             poly([(0.0050, 0.5950), (0.0200, 0.5950), (0.0200, 0.5800), (0.0350, 0.5500),
                   (0.0280, 0.4500), (0.0120, 0.4600), (0.0080, 0.5350)]), "body",
             "tensor fasciae latae; gluteus minimus (anterior)"),
        spec("gluteus_maximus", "Gluteus maximus",
             poly([(-0.2, 0.6100), (-0.0600, 0.6050), (-0.0600, 0.5550), (-0.0400, 0.5350),
                   (-0.0380, 0.4900), (-0.0480, 0.4750), (-0.2, 0.4750)]), "body",
             "gluteus maximus; piriformis (deep)"),
        spec("lateral_hip", "Lateral hip (greater trochanter)",
             poly([(-0.0400, 0.5350), (0.0080, 0.5350), (0.0120, 0.4600), (-0.0380, 0.4650),
                   (-0.0380, 0.4900)]), "body",
             "gluteal tendons; trochanteric bursa; piriformis insertion"),
        spec("rectus_femoris", "Rectus femoris",
             poly([(0.0280, 0.4500), (0.035, 0.56), (0.3, 0.56), (0.3, 0.3100), (0.0200, 0.3100)]),
             "body", "rectus femoris; vastus intermedius"),
        spec("lateral_hamstring", "Lateral hamstring (biceps femoris)",
             poly([(-0.2, 0.4750), (-0.0480, 0.4750), (-0.0380, 0.4650), (-0.0200, 0.4000),
                   (-0.0220, 0.2900), (-0.2, 0.2900)]), "body", "biceps femoris"),
        spec("it_band", "IT band (outer thigh)",
             poly([(-0.0380, 0.4650), (0.0120, 0.4600), (0.0280, 0.4500), (0.0200, 0.3100),
                   (-0.0220, 0.3100), (-0.0200, 0.4000)]), "body",
             "iliotibial band; vastus lateralis"),
        spec("lateral_knee", "Lateral knee",
             poly([(-0.0220, 0.3100), (0.3, 0.3100), (0.3, 0.2550), (-0.0200, 0.2550)]),
             "body", "iliotibial band insertion; LCL; biceps femoris tendon; "
             "popliteus tendon; patella (edge)"),
        spec("lateral_foot", "Outer foot & ankle",
             poly([(-0.0150, 0.0560), (0.3, 0.0560), (0.3, -0.1), (-0.0150, -0.1)]), "body",
             "fibularis tendons; extensor digitorum brevis; abductor digiti minimi"),
        spec("heel", "Heel",
             poly([(-0.2, 0.0450), (-0.0150, 0.0450), (-0.0150, -0.1), (-0.2, -0.1)]), "body",
             "calcaneus; plantar fascia origin"),
        spec("achilles", "Achilles tendon",
             poly([(-0.2, 0.1600), (-0.0330, 0.1600), (-0.0190, 0.1000), (-0.0170, 0.0450),
                   (-0.2, 0.0450)]), "body", "Kager's fat pad"),
        spec("tibialis_anterior", "Tibialis anterior",
             poly([(0.0120, 0.2550), (0.3, 0.2550), (0.3, 0.0560), (0.0100, 0.0560),
                   (0.0100, 0.1500)]), "body", "tibialis anterior; extensor digitorum longus"),
        spec("gastrocnemius_lateral", "Lateral gastrocnemius",
             poly([(-0.2, 0.2900), (-0.0220, 0.2900), (-0.0200, 0.2550), (-0.0220, 0.2200),
                   (-0.0280, 0.1600), (-0.2, 0.1600)]), "body",
             "gastrocnemius lateral head; plantaris"),
        spec("soleus", "Soleus",
             poly([(-0.2, 0.1600), (-0.0200, 0.2200), (-0.0080, 0.1700), (-0.0060, 0.0560),
                   (-0.0150, 0.0560), (-0.2, 0.0560)]), "body", "soleus; flexor hallucis longus"),
        spec("fibularis", "Peroneals (fibularis)", None, "body",
             "fibularis longus; fibularis brevis"),
    ]
    return mid, paired


def build_lateral(
    specs: tuple[list[Spec], list[Spec]] | None = None, fibres: FibreMap | None = None
) -> list[ViewOut]:
    """The left and right lateral views; a later version passes its own regions and a function
    drawing their fibre lines (world coordinates, the left view's)."""
    parts = lateral_parts()
    silhouette = fill_holes(parts)
    mid_specs, side_specs = lateral_specs() if specs is None else specs
    for s in mid_specs:
        s.midline = True
    regions_world = partition(silhouette, [*mid_specs, *side_specs], parts)
    specs = [*mid_specs, *side_specs]
    # Snap the left view to the output grid; the right view is its exact mirror image.
    left = snap_coverage([to_frame(regions_world[s.stem], LAT_MATRIX) for s in specs])
    details = lateral_details()
    fibre_lines = fibres(regions_world) if fibres is not None else []
    views = []
    for view_id, side, caption, matrix in (
        ("left_lateral", "left", "Left lateral — client's L side (facing viewer's left)",
         LAT_MATRIX),
        ("right_lateral", "right", "Right lateral — client's R side (facing viewer's right)",
         [-m for m in LAT_MATRIX[:1]] + LAT_MATRIX[1:4] + [1.0 - LAT_MATRIX[4], LAT_MATRIX[5]]),
    ):
        regions = [
            (s, "midline" if s.midline else side, g if side == "left" else frame_mirror(g))
            for s, g in zip(specs, left, strict=True)
        ]
        views.append(
            ViewOut(
                id=view_id,
                caption=caption,
                silhouette=to_frame(silhouette, matrix),
                details=[line_to_frame(line, matrix) for line in details],
                regions=regions,
                fibres=[line_to_frame(line, matrix) for line in fibre_lines],
            )
        )
    return views


# fmt: on


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    views = [build_anterior(), build_posterior(), *build_lateral()]
    for view in views:
        size = write_view(view)
        print(f"{view.id}: {len(view.regions)} regions, {size / 1024:.0f} KiB")
    # The index (resources/atlas/index.json) lists every version's views and the bytes of each
    # file; scripts/build_detail_views.py writes it.


if __name__ == "__main__":
    main()
