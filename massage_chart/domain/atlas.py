"""The body-chart atlas: named, lateralized regions of each view, loaded from resources/atlas."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from massage_chart.resources import resource_path

Side = Literal["left", "right", "midline"]
Point = tuple[float, float]
Ring = tuple[Point, ...]
#: One polygon: its outer ring first, then any holes.
Polygon = tuple[Ring, ...]
BBox = tuple[float, float, float, float]

SIDES: tuple[Side, ...] = ("left", "right", "midline")

#: The most answers a view keeps (``AtlasView.remembered``): a few days of charting, a few MB
#: at most (an answer's key holds a mark's points).
REMEMBERED_MOST = 5_000

T = TypeVar("T")
#: The four views every chart has; detail views (if any) follow them in ``Atlas.view_ids``.
CORE_VIEW_IDS: tuple[str, ...] = ("anterior", "posterior", "left_lateral", "right_lateral")
#: The deep layer of a core view (atlas 2 on): the same figure with the deep muscles charted
#: through it cut out as regions of their own.
DEEP_LAYERS: dict[str, str] = {"anterior": "anterior_deep", "posterior": "posterior_deep"}
#: The core view each deep layer lies under.
SURFACE_OF: dict[str, str] = {deep: surface for surface, deep in DEEP_LAYERS.items()}
#: The views of the whole figure: the core views and their deep layers (the rest are close-ups).
WHOLE_BODY_VIEW_IDS: frozenset[str] = frozenset((*CORE_VIEW_IDS, *DEEP_LAYERS.values()))
#: Whole-figure regions a detail view shows closer, by stem: the head and neck, the hands, the
#: feet.
_HEAD_STEMS = frozenset(
    {
        "anterior_neck", "cheek", "face_profile", "frontalis", "masseter_tmj", "mouth_chin",
        "nose", "occipital", "orbit", "posterior_cervical", "scalenes", "sternocleidomastoid",
        "suboccipital", "temporalis",
    }
)  # fmt: skip
_HAND_STEMS = frozenset(
    {"dorsal_hand", "fingers_dorsal", "fingers_palmar", "hand_radial", "palm", "thenar"}
)
_FOOT_STEMS = frozenset({"dorsal_foot", "heel", "lateral_foot", "plantar_foot"})
#: What stands at the viewer's left and right of each core view's figure.
_CORE_LETTERS: dict[str, tuple[str, str]] = {
    "anterior": ("R", "L"),
    "posterior": ("L", "R"),
    "left_lateral": ("Front", "Back"),
    "right_lateral": ("Back", "Front"),
}
#: Words kept capitalised when a name is put after the "R"/"L" prefix of a label.
_PROPER_WORDS = frozenset({"Achilles"})
_GRID_COLUMNS = 24
_GRID_ROWS = 48


class AtlasError(ValueError):
    """The atlas data is missing or malformed, or a view or region id is unknown."""


def _ring_contains(ring: Ring, x: float, y: float) -> bool:
    """Even-odd crossing test of one closed ring (the last point joins the first)."""
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


def _polygon_contains(polygon: Polygon, x: float, y: float) -> bool:
    """Whether (x, y) lies inside the outer ring of ``polygon`` and outside all of its holes."""
    if not _ring_contains(polygon[0], x, y):
        return False
    return not any(_ring_contains(hole, x, y) for hole in polygon[1:])


def _bbox(polygons: tuple[Polygon, ...]) -> BBox:
    xs = [x for polygon in polygons for x, _ in polygon[0]]
    ys = [y for polygon in polygons for _, y in polygon[0]]
    return (min(xs), min(ys), max(xs), max(ys))


def _label(name: str, side: Side) -> str:
    """Return the chart label: "R upper trapezius", "L SCM", or the bare name on the midline."""
    if side == "midline":
        return name
    first = name.split(" ", 1)[0]
    keep = first in _PROPER_WORDS or (len(first) > 1 and first[:2].isupper())
    body = name if keep else name[:1].lower() + name[1:]
    return f"{'R' if side == 'right' else 'L'} {body}"


@dataclass(frozen=True)
class Region:
    """One named surface region of one view.

    Attributes:
        id: stable id, ``<stem>.r`` / ``<stem>.l`` for paired regions, ``<stem>`` on the midline.
        name: display name without side ("Upper trapezius").
        side: the client's side, in anatomical position.
        deep_muscles: deeper muscles palpated through this region, offered for a mark placed here.
        polygons: the region's area in frame fractions (x right, y down); outer ring, then holes.
        inner_point: a point guaranteed to lie inside the region (for labels and tests).
        flags: charting flags such as ``"caution"`` (endangerment site) or ``"sensitive"``.
        view_id: the view this region belongs to.
        bbox: the smallest box (x0, y0, x1, y1) that holds the region.

    Two regions are equal when their view, id, name and side are equal.
    """

    id: str
    name: str
    side: Side
    deep_muscles: tuple[str, ...] = field(compare=False)
    polygons: tuple[Polygon, ...] = field(compare=False, repr=False)
    inner_point: Point = field(compare=False)
    flags: tuple[str, ...] = field(default=(), compare=False)
    view_id: str = ""
    bbox: BBox = field(default=(0.0, 0.0, 0.0, 0.0), compare=False, repr=False)

    @property
    def stem(self) -> str:
        """The id without its side suffix ("upper_trapezius")."""
        return self.id.split(".", 1)[0]

    @cached_property
    def label(self) -> str:
        """The name as charted, with the client's side: "R upper trapezius" (worked out once:
        the chart, its lists and the note ask for it hundreds of times)."""
        return _label(self.name, self.side)

    def contains(self, x: float, y: float) -> bool:
        """Whether the frame point (x, y) lies in this region."""
        x0, y0, x1, y1 = self.bbox
        if x < x0 or x > x1 or y < y0 or y > y1:
            return False
        return any(_polygon_contains(polygon, x, y) for polygon in self.polygons)


@dataclass(frozen=True)
class AtlasView:
    """One drawing of the body: its frame, outlines and regions.

    Attributes:
        id: view id ("anterior", "posterior", "left_lateral", "right_lateral").
        caption: human caption that states laterality ("Anterior — client's R on viewer's L").
        aspect: frame width divided by frame height; all coordinates are fractions of the frame.
        silhouette: the body outline polygons (outer ring, then holes), drawn heaviest.
        detail_lines: open polylines of interior anatomy (face, clavicles, fingers, ...).
        fibre_lines: light open polylines of muscle fibres and contours inside the regions (from
            version 3), drawn fainter than the region lines.
        regions: every region of the view; together they tile the silhouette.
        atlas_version: the version of the atlas this view was read for.
        name: the view's short name ("Hands, palms"); the core views' names are the app's own.
        letters: what stands at the viewer's left and right of the figure ("R", "L"), where
            the view says (detail views).
    """

    id: str
    caption: str
    aspect: float
    silhouette: tuple[Polygon, ...]
    detail_lines: tuple[tuple[Point, ...], ...]
    regions: tuple[Region, ...]
    atlas_version: int = field(default=1, compare=False)
    name: str = field(default="", compare=False)
    letters: tuple[str, str] = field(default=("", ""), compare=False)
    fibre_lines: tuple[tuple[Point, ...], ...] = field(default=(), compare=False)
    _grid: tuple[tuple[int, ...], ...] = field(default=(), compare=False, repr=False)
    _by_id: dict[str, Region] = field(default_factory=dict, compare=False, repr=False)
    _remembered: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def side_letters(self) -> tuple[str, str]:
        """What stands at the viewer's left and right of the figure (DOMAIN.md §3.6): "R" and
        "L" on the anterior view, "Front" and "Back" on the left lateral, and so on; a detail
        view's as its data says."""
        return _CORE_LETTERS.get(self.id, self.letters)

    def region_at(self, x: float, y: float) -> Region | None:
        """Return the region under the frame point (x, y), or None outside the body."""
        if not (0.0 <= x < 1.0 and 0.0 <= y < 1.0) or not self._grid:
            return None
        cell = self._grid[int(y * _GRID_ROWS) * _GRID_COLUMNS + int(x * _GRID_COLUMNS)]
        for index in cell:
            region = self.regions[index]
            if region.contains(x, y):
                return region
        return None

    def remembered(self, key: Hashable, work: Callable[[], T]) -> T:
        """What ``work`` gives for ``key`` on this view, worked out the first time only (a view
        never changes once read). Where a charted mark lies is asked again and again, by the
        chart, the note and the documents: ``placement.placement_of`` keeps it here.

        At most ``REMEMBERED_MOST`` answers are kept; beyond that the oldest are let go.
        """
        if key in self._remembered:
            return cast("T", self._remembered[key])
        answer = work()
        if len(self._remembered) >= REMEMBERED_MOST:
            del self._remembered[next(iter(self._remembered))]
        self._remembered[key] = answer
        return answer

    def region(self, region_id: str) -> Region:
        """Return the region with this id, or raise AtlasError."""
        try:
            return self._by_id[region_id]
        except KeyError:
            raise AtlasError(f"No region {region_id!r} in view {self.id!r}") from None


def closer_view(view_id: str, region: Region) -> str:
    """The detail view that shows a whole-figure region closer ("" when none does): the face
    from the front, the head from the region's side otherwise; the palms or the backs of the
    hands as the figure shows them; the tops of the feet, or the soles for the heel and sole."""
    stem = region.stem
    if stem in _HEAD_STEMS:
        if view_id == "anterior":
            return "face"
        side = region.side if region.side != "midline" else view_id.split("_", 1)[0]
        return f"head_{'right' if side == 'right' else 'left'}_lateral"
    if stem in _HAND_STEMS:
        return "hands_palmar" if view_id == "anterior" else "hands_dorsal"
    if stem in _FOOT_STEMS:
        return "feet_plantar" if stem in ("heel", "plantar_foot") else "feet_dorsal"
    return ""


def _build_grid(regions: tuple[Region, ...]) -> tuple[tuple[int, ...], ...]:
    """Bucket region indexes by the grid cells their bounding boxes touch."""
    cells: list[list[int]] = [[] for _ in range(_GRID_COLUMNS * _GRID_ROWS)]
    for index, region in enumerate(regions):
        x0, y0, x1, y1 = region.bbox
        c0 = max(0, int(x0 * _GRID_COLUMNS))
        c1 = min(_GRID_COLUMNS - 1, int(x1 * _GRID_COLUMNS))
        r0 = max(0, int(y0 * _GRID_ROWS))
        r1 = min(_GRID_ROWS - 1, int(y1 * _GRID_ROWS))
        for row in range(r0, r1 + 1):
            for column in range(c0, c1 + 1):
                cells[row * _GRID_COLUMNS + column].append(index)
    return tuple(tuple(cell) for cell in cells)


def _points(raw: object) -> tuple[Point, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise AtlasError("A ring or line needs a list of at least two [x, y] points")
    return tuple((float(p[0]), float(p[1])) for p in raw)


def _polygons(raw: object) -> tuple[Polygon, ...]:
    if not isinstance(raw, list) or not raw:
        raise AtlasError("Expected a non-empty list of polygons")
    return tuple(tuple(_points(ring) for ring in polygon) for polygon in raw)


def _letters(raw: object) -> tuple[str, str]:
    if isinstance(raw, list) and len(raw) == 2:
        return (str(raw[0]), str(raw[1]))
    return ("", "")


def _parse_view(data: dict[str, object], version: int = 1) -> AtlasView:
    view_id = str(data["id"])
    regions: list[Region] = []
    raw_regions = data["regions"]
    if not isinstance(raw_regions, list):
        raise AtlasError(f"View {view_id!r} has no region list")
    for raw in raw_regions:
        side = raw["side"]
        if side not in SIDES:
            raise AtlasError(f"Region {raw['id']!r} has an unknown side {side!r}")
        polygons = _polygons(raw["polygons"])
        inner = raw["inner_point"]
        regions.append(
            Region(
                id=str(raw["id"]),
                name=str(raw["name"]),
                side=side,
                deep_muscles=tuple(str(m) for m in raw.get("deep_muscles", ())),
                polygons=polygons,
                inner_point=(float(inner[0]), float(inner[1])),
                flags=tuple(str(f) for f in raw.get("flags", ())),
                view_id=view_id,
                bbox=_bbox(polygons),
            )
        )
    frozen = tuple(regions)
    raw_details = data.get("detail_lines", [])
    details = tuple(_points(line) for line in raw_details) if isinstance(raw_details, list) else ()
    raw_fibres = data.get("fibre_lines", [])
    fibres = tuple(_points(line) for line in raw_fibres) if isinstance(raw_fibres, list) else ()
    aspect = data["aspect"]
    if not isinstance(aspect, int | float):
        raise AtlasError(f"View {view_id!r} has no numeric aspect")
    return AtlasView(
        id=view_id,
        caption=str(data["caption"]),
        aspect=float(aspect),
        silhouette=_polygons(data["silhouette"]),
        detail_lines=details,
        regions=frozen,
        atlas_version=version,
        name=str(data.get("name", "")),
        letters=_letters(data.get("letters")),
        fibre_lines=fibres,
        _grid=_build_grid(frozen),
        _by_id={region.id: region for region in frozen},
    )


@dataclass(frozen=True)
class Atlas:
    """All views of the body chart, with hit-testing by frame position.

    Attributes:
        views: the four core views, then any detail views.
        version: the atlas version; every mark records the one it was charted on.
        renamed: regions of the previous version this one names otherwise, (view id, old region
            id) to new region id; every other region keeps its id, side and meaning.
        moved: regions of the previous version that this one charts on another view, (view id,
            region id) to the view that now holds the region (version 3 moved the muscles under
            the trapezius to the deep layer).
    """

    views: tuple[AtlasView, ...]
    version: int = 1
    renamed: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
    moved: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    def region_id_from_previous(self, view_id: str, region_id: str) -> str:
        """The id in this version of a region of the version before it (the same id unless this
        version renamed or merged it)."""
        return self.renamed.get((view_id, region_id), region_id)

    def place_from_previous(self, view_id: str, region_id: str) -> tuple[str, str]:
        """The view and region id in this version of a region of the version before it: renamed
        where this version renamed it, on another view where this version moved it there."""
        region_id = self.region_id_from_previous(view_id, region_id)
        return self.moved.get((view_id, region_id), view_id), region_id

    @property
    def view_ids(self) -> tuple[str, ...]:
        """The view ids: the four core views first, detail views after them."""
        return tuple(view.id for view in self.views)

    def view(self, view_id: str) -> AtlasView:
        """Return one view, or raise AtlasError for an unknown id."""
        for view in self.views:
            if view.id == view_id:
                return view
        raise AtlasError(f"Unknown atlas view {view_id!r}")

    def regions(self, view_id: str) -> tuple[Region, ...]:
        """Every region of one view."""
        return self.view(view_id).regions

    def region(self, view_id: str, region_id: str) -> Region:
        """The region with this id in this view."""
        return self.view(view_id).region(region_id)

    def region_at(self, view_id: str, x: float, y: float) -> Region | None:
        """The region under (x, y) in frame fractions (origin top-left), or None outside the body."""
        return self.view(view_id).region_at(x, y)

    def __iter__(self) -> Iterator[AtlasView]:
        return iter(self.views)


def _read_index(folder: Path) -> dict[str, Any]:
    try:
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AtlasError(f"Cannot read the atlas in {folder}: {error}") from error
    if not isinstance(index, dict):
        raise AtlasError(f"Cannot read the atlas in {folder}: its index is not an object")
    return index


def _pairs(entry: dict[str, Any], key: str) -> dict[tuple[str, str], str]:
    """An index entry's per-view map ({view: {region: value}}) keyed by (view, region)."""
    return {
        (str(view_id), str(old)): str(new)
        for view_id, names in entry.get(key, {}).items()
        for old, new in names.items()
    }


def _version_files(
    folder: Path, index: dict[str, Any], version: int | None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """The version asked for (the current one when None), its view files by view id, and its
    index entry."""
    chosen = int(index["current"]) if version is None else version
    entry = index["versions"].get(str(chosen))
    if entry is None:
        newest = max(int(v) for v in index["versions"])
        if chosen > newest:
            raise AtlasError(
                f"This chart was drawn on body-chart version {chosen}, newer than this copy of "
                f"Massage Chart knows (version {newest}): update Massage Chart to read it"
            )
        raise AtlasError(f"No body-chart version {chosen} in {folder}")
    return chosen, dict(entry["views"]), entry


def load_atlas_from(folder: Path, version: int | None = None) -> Atlas:
    """Read one version of an atlas (the current one when None) from a folder holding
    ``index.json`` and the views' JSON files.

    Raises:
        AtlasError: the folder, its index or a view cannot be read, or it lacks that version.
    """
    index = _read_index(folder)
    try:
        chosen, files, entry = _version_files(folder, index, version)
        renamed, moved = _pairs(entry, "renamed"), _pairs(entry, "moved")
        views = tuple(
            _parse_view(json.loads((folder / name).read_text(encoding="utf-8")), chosen)
            for name in files.values()
        )
    except AtlasError:
        raise
    except (OSError, KeyError, TypeError, IndexError, ValueError) as error:
        raise AtlasError(f"Cannot read the atlas in {folder}: {error}") from error
    for view_id, view in zip(files, views, strict=True):
        if view.id != view_id:
            raise AtlasError(f"The atlas in {folder} files view {view.id!r} as {view_id!r}")
    by_id = {view.id: view for view in views}
    for (_, region_id), target in moved.items():
        if target not in by_id or region_id not in by_id[target]._by_id:
            raise AtlasError(
                f"The atlas in {folder} moves {region_id!r} to {target!r}, which does not hold it"
            )
    return Atlas(views=views, version=chosen, renamed=renamed, moved=moved)


def _folder() -> Path:
    return resource_path("atlas", "index.json").parent


@cache
def atlas_versions() -> tuple[int, ...]:
    """Every atlas version this copy of the app ships, oldest first: a signed chart is always
    drawn on the one it was charted on."""
    return tuple(sorted(int(v) for v in _read_index(_folder())["versions"]))


@cache
def current_atlas_version() -> int:
    """The version new marks are charted on."""
    return int(_read_index(_folder())["current"])


def load_atlas(version: int | None = None) -> Atlas:
    """The application's atlas: the current version, or the one named (each read once, then
    cached).

    Raises:
        AtlasError: no such version (a chart from a newer copy of the app says so).
    """
    return _load_version(current_atlas_version() if version is None else version)


@cache
def _load_version(version: int) -> Atlas:
    return load_atlas_from(_folder(), version)
