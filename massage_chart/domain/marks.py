"""Mark kinds of the body chart and their default legend (DOMAIN.md §3.3, PRODUCT.md §4)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any


class Geometry(enum.Enum):
    """How a mark is placed on a view."""

    POINT = "point"
    STROKE = "stroke"
    AREA = "area"


class MarkKind(enum.Enum):
    """Every finding or treatment a therapist can chart; the values are stable file-format ids."""

    TRIGGER_POINT_ACTIVE = "trigger_point_active"
    TRIGGER_POINT_LATENT = "trigger_point_latent"
    TENDER_POINT = "tender_point"
    PAIN = "pain"
    REFERRED_PAIN = "referred_pain"
    HYPERTONICITY = "hypertonicity"
    SPASM = "spasm"
    SCAR = "scar"
    TREATED = "treated"
    ADHESION = "adhesion"
    INFLAMMATION = "inflammation"
    NUMBNESS = "numbness"
    PARESTHESIA = "paresthesia"
    BURNING = "burning"
    ACHING = "aching"
    STABBING = "stabbing"
    BRUISE = "bruise"
    AVOID = "avoid"

    @property
    def legend(self) -> LegendEntry:
        """The default legend entry of this kind."""
        return DEFAULT_LEGEND[self]

    @property
    def geometry(self) -> Geometry:
        """Whether the kind is a point, a stroke or an area."""
        return DEFAULT_LEGEND[self].geometry


@dataclass(frozen=True)
class LegendEntry:
    """How one mark kind is shown: a text code, a glyph and a colour that survive greyscale.

    Attributes:
        name: the finding in the therapist's words ("Trigger point, active").
        code: the short code printed beside the glyph ("TP").
        glyph: a description of the drawn symbol, used by the painters of the screen and the PDF.
        colour: the colour as ``#rrggbb``.
        geometry: point, stroke or area.
        has_intensity: whether the kind takes a 0-10 intensity.
        finding: whether the kind is an examination finding (False for treated and avoid areas).
    """

    name: str
    code: str
    glyph: str
    colour: str
    geometry: Geometry
    has_intensity: bool
    finding: bool = True


_P, _S, _A = Geometry.POINT, Geometry.STROKE, Geometry.AREA

DEFAULT_LEGEND: dict[MarkKind, LegendEntry] = {
    MarkKind.TRIGGER_POINT_ACTIVE: LegendEntry(
        "Trigger point, active", "TP", "filled X", "#000000", _P, True
    ),
    MarkKind.TRIGGER_POINT_LATENT: LegendEntry(
        "Trigger point, latent", "TPl", "outline x", "#6e6e6e", _P, True
    ),
    MarkKind.TENDER_POINT: LegendEntry("Tender point", "TdP", "open circle", "#000000", _P, True),
    MarkKind.PAIN: LegendEntry("Pain (0-10)", "P", "dot with number", "#d62728", _P, True),
    MarkKind.REFERRED_PAIN: LegendEntry("Referred pain", "RP", "solid fill", "#e0413a", _A, True),
    MarkKind.HYPERTONICITY: LegendEntry("Hypertonicity", "HT", "wavy hatch", "#f28e1c", _A, True),
    MarkKind.SPASM: LegendEntry("Spasm", "SP", "zig-zag hatch", "#e5561f", _A, True),
    MarkKind.SCAR: LegendEntry("Scar", "SC", "line with cross-ticks", "#7b3fa0", _S, False),
    MarkKind.TREATED: LegendEntry("Area treated", "Tx", "light fill", "#2ca02c", _A, False, False),
    MarkKind.ADHESION: LegendEntry(
        "Adhesion / fibrosis", "ADH", "cross-hatch", "#8c564b", _A, True
    ),
    MarkKind.INFLAMMATION: LegendEntry("Inflammation", "INF", "shaded fill", "#d63ec1", _A, True),
    MarkKind.NUMBNESS: LegendEntry("Numbness", "N", "=== hatch", "#000000", _A, False),
    MarkKind.PARESTHESIA: LegendEntry("Paresthesia", "P+N", "ooo pattern", "#1a9e4a", _A, True),
    MarkKind.BURNING: LegendEntry("Burning", "B", "xxx pattern", "#1f5fd6", _A, True),
    MarkKind.ACHING: LegendEntry("Aching", "A", "^^^ pattern", "#d4b000", _A, True),
    MarkKind.STABBING: LegendEntry("Stabbing / sharp", "ST", "/// hatch", "#d62728", _A, True),
    MarkKind.BRUISE: LegendEntry("Bruise", "BR", "dotted fill", "#7b3fa0", _A, False),
    MarkKind.AVOID: LegendEntry(
        "Area to avoid", "AV", "red outline, diagonal hatch", "#d00000", _A, False, False
    ),
}


class Side(enum.Enum):
    """The client's side, in anatomical position."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


WALTON_PRESSURE_LEVELS: dict[int, str] = {
    0: "Stationary weightless hold",
    1: "Light lotioning",
    2: "Light pressure",
    3: "Medium pressure",
    4: "Medium-deep pressure",
    5: "Deep pressure",
}
"""The Walton pressure scale (Tracy Walton), 0-5."""


Point = tuple[float, float]
"""A point of a mark: frame fractions of its view, x to the right and y down, in [0, 1]."""

SEALED = "sealed"
"""Field metadata: a signature covers the field (its value goes into the visit's content hash).
The list never changes for a hash version already written, so signed visits keep verifying."""

_SEALED = {SEALED: True}

SEALED_UNLESS = "sealed_unless"
"""Field metadata: a signature covers the field unless it holds this value (a field added after
notes were signed: those notes hashed without it, and keep verifying)."""


@dataclass(frozen=True)
class MarkData:
    """One mark as charted: what it is, where it lies, and what the therapist noted.

    The fields are declared once, here: the database rows are read into them
    (``storage.marks.mark_data``), the chart file writes them, the signature seals those
    marked ``SEALED`` and the documents print them.

    Attributes:
        id: the mark's id (kept across undo and redo, so a re-added mark is the same row).
        visit_id: the visit it belongs to.
        kind: the mark kind.
        view: the atlas view it is drawn on.
        points: frame fractions (x right, y down) in [0, 1].
        region_id: the region it names (None off the body), computed by ``locate``.
        side: the client's side, computed by ``locate``.
        whole_region: the mark covers the whole of its region.
        intensity: 0-10 where the kind takes one.
        deep_muscle: a deep muscle of the region, if chosen.
        technique, minutes, pressure: for treated areas (pressure on the Walton scale 0-5).
        note: free text.
        confirmed: False for a mark copied forward and not yet confirmed.
        carried_from_id: the mark of an earlier visit this one was copied from.
        created_at: when it was first charted (kept across undo and redo).
        atlas_version: the atlas version its points and region are of (sealed from version 2
            on: every mark signed before versions existed was charted on version 1).
    """

    id: str = dataclasses.field(metadata=_SEALED)
    visit_id: str
    kind: MarkKind = dataclasses.field(metadata=_SEALED)
    view: str = dataclasses.field(metadata=_SEALED)
    points: tuple[Point, ...] = dataclasses.field(metadata=_SEALED)
    region_id: str | None = dataclasses.field(metadata=_SEALED)
    side: str = dataclasses.field(metadata=_SEALED)
    whole_region: bool = False
    intensity: int | None = dataclasses.field(default=None, metadata=_SEALED)
    deep_muscle: str = dataclasses.field(default="", metadata=_SEALED)
    technique: str = dataclasses.field(default="", metadata=_SEALED)
    minutes: int | None = dataclasses.field(default=None, metadata=_SEALED)
    pressure: int | None = dataclasses.field(default=None, metadata=_SEALED)
    note: str = dataclasses.field(default="", metadata=_SEALED)
    confirmed: bool = True
    carried_from_id: str | None = None
    created_at: dt.datetime = dataclasses.field(kw_only=True)
    atlas_version: int = dataclasses.field(default=1, kw_only=True, metadata={SEALED_UNLESS: 1})

    def replace(self, **changes: Any) -> MarkData:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


MARK_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(MarkData))
"""Every field of a mark, in declaration order."""

SEALED_MARK_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(MarkData) if f.metadata.get(SEALED)
)
"""The fields of a mark a signature covers."""

SEALED_UNLESS_MARK_FIELDS: dict[str, Any] = {
    f.name: f.metadata[SEALED_UNLESS]
    for f in dataclasses.fields(MarkData)
    if SEALED_UNLESS in f.metadata
}
"""The fields of a mark a signature covers when they do not hold the value given."""
