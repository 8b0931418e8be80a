"""The client's own pain map: where they have had pain in the past week, marked on the atlas, scored
by the ACR 2016 Widespread Pain Index (WPI) with its Symptom Severity Scale (SSS).

The instrument (``resources/pain_maps/acr2016.json``: its 19 areas in 5 regions, the symptom
questions, the scoring rule, citation and terms) and the versioned table that maps the atlas's
regions onto its areas (``acr2016_atlas_map.json``) are data. Each atlas region counts toward at
most one area; the table names the area, what a straddling region also touches, and why.

These are the client's self-report. The same areas counted from the therapist's palpation marks
(``clinician_wpi_areas``) are a clinician finding: the app shows them apart, labelled so, and never
as the validated score.

Pure Python: no Qt, no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from massage_chart.domain.atlas import Atlas, AtlasError, Region
from massage_chart.domain.atlas_moves import region_in_version
from massage_chart.domain.pain_extent import EXTENT_VIEWS, pain_regions, regions_extent
from massage_chart.resources import resource_path

SEVERITY_ITEMS = ("fatigue", "unrefreshed", "cognitive")
"""The three symptoms rated 0 (no problem) to 3 (severe) over the past week."""
BOTHERED_ITEMS = ("headaches", "abdomen", "depression")
"""The three symptoms answered yes (1) or no (0) for the past six months."""


class PainMapError(ValueError):
    """A pain map that cannot be scored or filed, in plain words."""


@dataclass(frozen=True)
class Area:
    """One of the WPI's 19 areas: "shoulder_girdle.l", "neck"."""

    id: str
    name: str
    region: int
    generalized: bool
    """Counts toward generalized pain (the jaw, chest and abdomen do not)."""

    @property
    def label(self) -> str:
        """ "Left shoulder girdle", "Neck"."""
        side = self.id.partition(".")[2]
        prefix = {"l": "Left ", "r": "Right "}.get(side, "")
        name = self.name if prefix else self.name[:1].upper() + self.name[1:]
        return f"{prefix}{name}"


@dataclass(frozen=True)
class AreaRule:
    """Where one atlas region (by stem) counts: an area stem or none, what else it touches, why."""

    area: str | None
    straddles: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Instrument:
    """The ACR 2016 instrument as the app gives it, with the atlas map of its areas."""

    code: str
    version: int
    name: str
    short_name: str
    question: str
    areas: tuple[Area, ...]
    region_names: Mapping[int, str]
    severity_question: str
    severity_answers: Mapping[int, str]
    severity_items: Mapping[str, tuple[str, str]]
    bothered_question: str
    bothered_items: Mapping[str, tuple[str, str]]
    duration_question: str
    scoring: str
    citations: tuple[str, ...]
    licence: str
    map_version: int
    map_rule: str
    rules: Mapping[str, AreaRule]

    def area(self, area_id: str) -> Area:
        """The area with that id."""
        for candidate in self.areas:
            if candidate.id == area_id:
                return candidate
        raise PainMapError(f"The WPI has no area {area_id!r}.")

    def area_of(self, region: Region) -> Area | None:
        """The WPI area an atlas region counts toward, on the client's side, or None.

        Raises:
            PainMapError: the map has no rule for the region (a new atlas region needs one).
        """
        rule = self.rules.get(region.stem)
        if rule is None:
            raise PainMapError(
                f"The pain-map table (version {self.map_version}) has no rule for the region "
                f"{region.stem!r}."
            )
        if rule.area is None:
            return None
        if any(area.id == rule.area for area in self.areas):
            return self.area(rule.area)
        side = {"left": "l", "right": "r"}.get(region.side)
        if side is None:
            raise PainMapError(
                f"The midline region {region.id!r} cannot count toward the sided area {rule.area!r}."
            )
        return self.area(f"{rule.area}.{side}")


def _load(instrument: Mapping[str, Any], table: Mapping[str, Any]) -> Instrument:
    area_info = instrument["areas"]
    areas: list[Area] = []
    for region in instrument["regions"]:
        for area_id in region["areas"]:
            stem = area_id.split(".")[0]
            info = area_info[stem]
            areas.append(Area(area_id, info["name"], region["number"], info["generalized"]))
    symptoms = instrument["symptoms"]
    severity = symptoms["severity"]
    bothered = symptoms["bothered"]
    rules = {
        stem: AreaRule(raw["area"], tuple(raw.get("straddles", ())), raw.get("why", ""))
        for stem, raw in table["regions"].items()
    }
    if table["instrument"] != instrument["code"]:
        raise PainMapError("The pain-map table belongs to another instrument.")
    return Instrument(
        code=instrument["code"],
        version=instrument["version"],
        name=instrument["name"],
        short_name=instrument["short_name"],
        question=instrument["question"],
        areas=tuple(areas),
        region_names={r["number"]: r["name"] for r in instrument["regions"]},
        severity_question=severity["question"],
        severity_answers={int(k): v for k, v in severity["answers"].items()},
        severity_items={i["id"]: (i["name"], i["client_words"]) for i in severity["items"]},
        bothered_question=bothered["question"],
        bothered_items={i["id"]: (i["name"], i["client_words"]) for i in bothered["items"]},
        duration_question=symptoms["duration"]["question"],
        scoring=instrument["scoring"],
        citations=tuple(instrument["citations"]),
        licence=instrument["licence"],
        map_version=table["version"],
        map_rule=table["rule"],
        rules=rules,
    )


@cache
def instrument() -> Instrument:
    """The ACR 2016 WPI and SSS, with the atlas map of its areas."""
    raw = json.loads(resource_path("pain_maps", "acr2016.json").read_text(encoding="utf-8"))
    table = json.loads(
        resource_path("pain_maps", "acr2016_atlas_map.json").read_text(encoding="utf-8")
    )
    return _load(raw, table)


@dataclass(frozen=True)
class Symptoms:
    """The Symptom Severity Scale answers: three ratings 0-3 and three yes/no (1/0)."""

    fatigue: int
    unrefreshed: int
    cognitive: int
    headaches: int
    abdomen: int
    depression: int

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Symptoms:
        """From the stored dict; a missing or wrong answer is refused.

        Raises:
            PainMapError: an answer is missing or out of its range.
        """
        problem = symptoms_problem(raw)
        if problem:
            raise PainMapError(problem)
        return cls(**{key: int(raw[key]) for key in (*SEVERITY_ITEMS, *BOTHERED_ITEMS)})

    def to_json(self) -> dict[str, int]:
        """As stored."""
        return {key: getattr(self, key) for key in (*SEVERITY_ITEMS, *BOTHERED_ITEMS)}

    @property
    def score(self) -> int:
        """The SSS, 0-12."""
        return sum(self.to_json().values())


def symptoms_problem(raw: Mapping[str, Any]) -> str:
    """What is wrong with symptom answers, in words; "" when they can be scored."""
    if not isinstance(raw, Mapping):
        return "The symptom answers are not a set of answers."
    unknown = sorted(set(raw) - {*SEVERITY_ITEMS, *BOTHERED_ITEMS})
    if unknown:
        return f"There is no symptom question {unknown[0]!r}."
    names = {**instrument().severity_items, **instrument().bothered_items}
    for key, top in [*((k, 3) for k in SEVERITY_ITEMS), *((k, 1) for k in BOTHERED_ITEMS)]:
        value = raw.get(key)
        name = names[key][0]
        if value is None:
            return f"Answer every symptom question: {name} is not answered."
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            allowed = "0 to 3" if top == 3 else "yes or no"
            return f"{name}: the answer is {allowed}."
    return ""


@dataclass(frozen=True)
class Criteria:
    """The 2016 criteria checked part by part (``None``: not answered, cannot tell)."""

    severity: bool
    """WPI >= 7 and SSS >= 5, or WPI 4-6 and SSS >= 9."""
    generalized: bool
    """Pain in at least 4 of the 5 regions, not counting the jaw, chest and abdomen."""
    three_months: bool | None

    @property
    def met(self) -> bool | None:
        """All three parts met; None when the duration was not answered and the rest are met."""
        if not (self.severity and self.generalized) or self.three_months is False:
            return False
        return None if self.three_months is None else True

    def words(self) -> str:
        """What the criteria say, for the referring provider (a therapist does not diagnose)."""
        if self.met:
            return (
                "The 2016 fibromyalgia criteria are met on the client's answers: for the referring "
                "provider to consider (a massage therapist does not diagnose)."
            )
        missing = []
        if not self.severity:
            missing.append("the WPI and SSS thresholds")
        if not self.generalized:
            missing.append("generalized pain (4 of 5 regions)")
        if self.three_months is False:
            missing.append("3 months of symptoms")
        if missing:
            return "The 2016 fibromyalgia criteria are not met: not " + ", ".join(missing) + "."
        return (
            "The 2016 fibromyalgia thresholds are reached, but whether the symptoms have lasted "
            "3 months was not answered."
        )


@dataclass(frozen=True)
class PainMapScore:
    """A pain map scored: the areas, regions and, with symptom answers, the SSS and criteria."""

    areas: tuple[Area, ...]
    uncounted: tuple[Region, ...]
    """Regions marked that lie in no WPI area (hands, feet, knees, head)."""
    symptoms: Symptoms | None
    three_months: bool | None
    extent: float

    @property
    def wpi(self) -> int:
        """The Widespread Pain Index, 0-19."""
        return len(self.areas)

    @property
    def regions_with_pain(self) -> tuple[int, ...]:
        """The regions (1-5) with pain in an area that counts toward generalized pain."""
        return tuple(sorted({area.region for area in self.areas if area.generalized}))

    @property
    def generalized(self) -> bool:
        """Pain in at least 4 of the 5 regions (jaw, chest and abdomen not counted)."""
        return len(self.regions_with_pain) >= 4

    @property
    def sss(self) -> int | None:
        """The Symptom Severity Scale, 0-12, or None when the symptoms were not asked."""
        return None if self.symptoms is None else self.symptoms.score

    @property
    def severity_score(self) -> int | None:
        """Fibromyalgia severity, WPI + SSS (0-31), or None without the symptoms."""
        return None if self.sss is None else self.wpi + self.sss

    @property
    def criteria(self) -> Criteria | None:
        """The 2016 criteria, or None without the symptom answers."""
        if self.sss is None:
            return None
        wpi, sss = self.wpi, self.sss
        severity = (wpi >= 7 and sss >= 5) or (4 <= wpi <= 6 and sss >= 9)
        return Criteria(severity, self.generalized, self.three_months)

    def summary(self) -> str:
        """ "WPI 8/19, SSS 6/12, FS 14/31; 12.5% of the body surface"."""
        parts = [f"WPI {self.wpi}/19"]
        if self.sss is not None:
            parts.append(f"SSS {self.sss}/12")
            parts.append(f"FS {self.severity_score}/31")
        return ", ".join(parts) + f"; {self.extent * 100:.1f}% of the body surface"


def parse_region_keys(atlas: Atlas, keys: Iterable[str]) -> tuple[Region, ...]:
    """Regions from stored keys ("anterior:upper_trapezius.r"), front and back views only.

    Raises:
        PainMapError: a key that is not a region of the front or back view, or given twice.
    """
    regions: list[Region] = []
    seen: set[str] = set()
    for key in keys:
        if not isinstance(key, str) or ":" not in key:
            raise PainMapError(f"{key!r} is not a place on the body map.")
        view_id, _, region_id = key.partition(":")
        if view_id not in EXTENT_VIEWS:
            raise PainMapError(
                f"The client marks pain on the front and back views only, not {view_id!r}."
            )
        try:
            region = _stored_region(atlas, view_id, region_id)
        except AtlasError as exc:
            raise PainMapError(f"{key!r} is not a place on the body map.") from exc
        if key in seen:
            raise PainMapError(f"{region.label} is marked twice.")
        seen.add(key)
        regions.append(region)
    return tuple(regions)


def _stored_region(atlas: Atlas, view_id: str, region_id: str) -> Region:
    """A stored region of the front or back view on ``atlas``: a map recorded on an older atlas
    names the region as that atlas did (version 3 charts the rhomboids on the deep layer), so a
    region this one does not hold is followed through the versions' renames and moves."""
    try:
        return atlas.region(view_id, region_id)
    except AtlasError:
        if atlas.version == 1:
            raise
    return atlas.region(*region_in_version(view_id, region_id, 1, atlas))


def region_key(region: Region) -> str:
    """How a marked region is stored: "posterior:upper_trapezius.l"."""
    return f"{region.view_id}:{region.id}"


def score_pain_map(
    atlas: Atlas,
    regions: Iterable[Region],
    symptoms: Symptoms | None = None,
    three_months: bool | None = None,
) -> PainMapScore:
    """Score the client's marked regions (and symptom answers) by the ACR 2016 rules."""
    chosen = instrument()
    marked = tuple(regions)
    areas: dict[str, Area] = {}
    uncounted: list[Region] = []
    for region in marked:
        area = chosen.area_of(region)
        if area is None:
            uncounted.append(region)
        else:
            areas[area.id] = area
    order = {area.id: index for index, area in enumerate(chosen.areas)}
    return PainMapScore(
        areas=tuple(sorted(areas.values(), key=lambda a: order[a.id])),
        uncounted=tuple(uncounted),
        symptoms=symptoms,
        three_months=three_months,
        extent=regions_extent(atlas, marked),
    )


def clinician_wpi_areas(atlas: Atlas, marks: Iterable[Any]) -> tuple[Area, ...]:
    """The WPI areas holding a pain finding of the therapist's (a clinician finding, not the
    validated self-report score; shown apart and labelled so)."""
    chosen = instrument()
    found = {
        area.id: area
        for region in pain_regions(atlas, marks)
        if (area := chosen.area_of(region)) is not None
    }
    return tuple(a for a in chosen.areas if a.id in found)
