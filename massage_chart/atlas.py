"""Public entry point of the body-chart atlas (PRODUCT.md §3): ``load_atlas()`` and its types."""

from massage_chart.domain.atlas import (
    CORE_VIEW_IDS,
    DEEP_LAYERS,
    SURFACE_OF,
    WHOLE_BODY_VIEW_IDS,
    Atlas,
    AtlasError,
    AtlasView,
    Point,
    Polygon,
    Region,
    Side,
    atlas_versions,
    closer_view,
    current_atlas_version,
    load_atlas,
    load_atlas_from,
)

__all__ = [
    "CORE_VIEW_IDS",
    "DEEP_LAYERS",
    "SURFACE_OF",
    "WHOLE_BODY_VIEW_IDS",
    "Atlas",
    "AtlasError",
    "AtlasView",
    "Point",
    "Polygon",
    "Region",
    "Side",
    "atlas_versions",
    "closer_view",
    "current_atlas_version",
    "load_atlas",
    "load_atlas_from",
]
