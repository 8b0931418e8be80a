"""The client's words for the body and the work: each atlas region and technique in plain
English (``resources/atlas/lay_names.json``), for the client summary. The SOAP note keeps the
anatomical names."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from massage_chart.resources import resource_path

SIDE_WORDS = {"r": "right", "l": "left"}


@functools.cache
def _lay_names() -> dict[str, Any]:
    return json.loads(resource_path("atlas", "lay_names.json").read_text("utf-8"))


def region_base(region_id: str) -> tuple[str, str]:
    """ "upper_trapezius.r" -> ("upper_trapezius", "right"); a midline region has no side."""
    base, _, side = region_id.rpartition(".")
    if base and side in SIDE_WORDS:
        return base, SIDE_WORDS[side]
    return region_id, ""


def lay_region(region_id: str) -> str | None:
    """A region in the client's words ("top of the right shoulder, up to the neck"), or None
    for a region the table does not name (a newer atlas's)."""
    base, side = region_base(region_id)
    template = _lay_names()["regions"].get(base)
    if template is None:
        return None
    words = template.replace("{side}", side) if side else template.replace("{side} ", "")
    return " ".join(words.split())


def lay_technique(technique: str) -> str:
    """A technique in the client's words; one the table does not know, as the therapist wrote it."""
    key = " ".join(technique.lower().split())
    return str(_lay_names()["techniques"].get(key, technique.strip()))


def known_techniques() -> frozenset[str]:
    """The techniques the table has plain words for (lower case)."""
    return frozenset(_lay_names()["techniques"])


def lay_places(region_ids: Iterable[str]) -> list[str]:
    """Regions in the client's words, each once, in order (those the table lacks left out)."""
    places: list[str] = []
    for region_id in region_ids:
        words = lay_region(region_id)
        if words and words not in places:
            places.append(words)
    return places
