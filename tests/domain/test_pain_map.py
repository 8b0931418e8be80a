"""The client's own pain map: the atlas mapped onto the ACR 2016 Widespread Pain Index, scored by
hand-checked examples, and the same areas counted from the therapist's marks kept apart."""

from __future__ import annotations

import json

import pytest

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.pain_extent import body_area, region_area
from massage_chart.domain.pain_map import (
    PainMapError,
    Symptoms,
    clinician_wpi_areas,
    instrument,
    parse_region_keys,
    region_key,
    score_pain_map,
    symptoms_problem,
)
from massage_chart.resources import resource_path
from massage_chart.storage.marks import place_mark


def _regions(*keys: str):
    return parse_region_keys(load_atlas(), keys)


def test_the_index_has_nineteen_areas_in_five_regions() -> None:
    chosen = instrument()
    assert len(chosen.areas) == 19
    assert len({a.id for a in chosen.areas}) == 19
    sizes = {n: sum(1 for a in chosen.areas if a.region == n) for n in range(1, 6)}
    assert sizes == {1: 4, 2: 4, 3: 3, 4: 3, 5: 5}
    not_generalized = {a.id for a in chosen.areas if not a.generalized}
    assert not_generalized == {"jaw.l", "jaw.r", "chest", "abdomen"}
    assert chosen.area("shoulder_girdle.l").label == "Left shoulder girdle"
    assert chosen.area("neck").label == "Neck"


def test_every_atlas_region_has_one_rule_and_every_area_is_reachable_on_both_sides() -> None:
    atlas = load_atlas()
    chosen = instrument()
    stems = {region.stem for view in atlas for region in view.regions}
    assert stems == set(chosen.rules), "every atlas region, and only those, needs a rule"
    table = json.loads(
        resource_path("pain_maps", "acr2016_atlas_map.json").read_text(encoding="utf-8")
    )
    assert table["atlas_version"] == atlas.version, "a new atlas needs a reviewed table"
    area_stems = {a.id.split(".")[0] for a in chosen.areas}
    reached: set[str] = set()
    for view_id in ("anterior", "posterior", "left_lateral", "right_lateral"):
        for region in atlas.regions(view_id):
            rule = chosen.rules[region.stem]
            area = chosen.area_of(region)
            if area is None:
                assert rule.why, f"{region.stem}: say why it counts toward no area"
                continue
            if view_id in ("anterior", "posterior"):
                reached.add(area.id)
            assert area.id.split(".")[0] == rule.area
            if region.side == "midline":
                assert "." not in area.id, f"{region.id} is midline but counts for a side"
            elif "." in area.id:
                assert area.id.endswith("." + region.side[0]), f"{region.id} changed side"
            # A region counts toward one area; what it also touches is named, never counted.
            assert rule.area not in rule.straddles
            assert set(rule.straddles) <= area_stems
            if rule.straddles:
                assert rule.why, f"{region.stem} straddles {rule.straddles}: say the rule"
    assert reached == {a.id for a in chosen.areas}


def test_a_widespread_map_scored_by_hand_meets_the_criteria() -> None:
    """Checked by hand: 8 areas over all 5 regions; SSS 2+2+1 + 1+0+0 = 6; FS 14.
    WPI 8 >= 7 and SSS 6 >= 5; generalized (5 of 5 regions); 3 months: met."""
    regions = _regions(
        "posterior:upper_trapezius.l",  # left shoulder girdle (region 1)
        "anterior:upper_trapezius.l",  # the same area from the front: counted once
        "posterior:upper_trapezius.r",  # right shoulder girdle (2)
        "anterior:biceps.r",  # right upper arm (2)
        "anterior:forearm_flexors.l",  # left lower arm (1)
        "posterior:lumbar_spine",  # lower back (5)
        "posterior:cervical_spine",  # neck (5)
        "posterior:gluteus_maximus.r",  # right hip (4)
        "posterior:medial_hamstring.l",  # left upper leg (3)
        "anterior:palm.r",  # no WPI area
    )
    score = score_pain_map(load_atlas(), regions, Symptoms(2, 2, 1, 1, 0, 0), True)
    assert score.wpi == 8
    assert [a.id for a in score.areas] == [
        "shoulder_girdle.l", "lower_arm.l", "shoulder_girdle.r", "upper_arm.r",
        "upper_leg.l", "hip.r", "neck", "lower_back",
    ]  # fmt: skip
    assert [r.id for r in score.uncounted] == ["palm.r"]
    assert score.regions_with_pain == (1, 2, 3, 4, 5)
    assert score.sss == 6
    assert score.severity_score == 14
    assert score.criteria is not None and score.criteria.met is True
    assert "met on the client's answers" in score.criteria.words()
    assert "does not diagnose" in score.criteria.words()
    assert score.summary().startswith("WPI 8/19, SSS 6/12, FS 14/31; ")


def test_jaw_chest_and_abdomen_do_not_make_pain_generalized() -> None:
    """5 areas (WPI 4-6) with SSS 10 reach the severity threshold, but only the axial region
    counts toward generalized pain: not met."""
    regions = _regions(
        "anterior:masseter_tmj.l",
        "anterior:masseter_tmj.r",
        "anterior:sternum",
        "anterior:rectus_abdominis_lower.l",
        "anterior:anterior_neck",
    )
    score = score_pain_map(load_atlas(), regions, Symptoms(3, 3, 2, 1, 1, 0), True)
    assert score.wpi == 5
    assert score.regions_with_pain == (5,)
    assert not score.generalized
    criteria = score.criteria
    assert criteria is not None and criteria.severity and criteria.met is False
    assert "generalized pain" in criteria.words()


def test_the_thresholds_and_an_unanswered_duration() -> None:
    atlas = load_atlas()
    seven = _regions(
        "posterior:upper_trapezius.l", "posterior:upper_trapezius.r", "posterior:triceps.l",
        "posterior:triceps.r", "posterior:gluteus_medius.l", "posterior:soleus.r",
        "posterior:thoracic_spine",
    )  # fmt: skip
    assert score_pain_map(atlas, seven).wpi == 7
    at_threshold = score_pain_map(atlas, seven, Symptoms(2, 2, 1, 0, 0, 0), None)
    criteria = at_threshold.criteria
    assert criteria is not None and criteria.severity and criteria.generalized
    assert criteria.met is None and "was not answered" in criteria.words()
    below = score_pain_map(atlas, seven, Symptoms(2, 1, 1, 0, 0, 0), True).criteria
    assert below is not None and not below.severity and below.met is False
    four = seven[:4] + seven[5:6]
    assert score_pain_map(atlas, four).wpi == 5
    nine = score_pain_map(atlas, four, Symptoms(3, 3, 3, 0, 0, 0), True).criteria
    assert nine is not None and nine.severity
    eight = score_pain_map(atlas, four, Symptoms(3, 3, 2, 0, 0, 0), True).criteria
    assert eight is not None and not eight.severity
    no_symptoms = score_pain_map(atlas, seven)
    assert no_symptoms.sss is None and no_symptoms.criteria is None
    assert no_symptoms.summary().startswith("WPI 7/19; ")


def test_the_client_extent_is_the_share_of_front_and_back_marked() -> None:
    atlas = load_atlas()
    every = [r for view in ("anterior", "posterior") for r in atlas.regions(view)]
    assert score_pain_map(atlas, every).extent == pytest.approx(1.0)
    one = _regions("posterior:sacrum")
    expected = region_area(atlas, one[0]) / body_area(atlas)
    assert score_pain_map(atlas, one).extent == pytest.approx(expected)
    assert score_pain_map(atlas, ()).extent == 0.0


def test_marked_places_are_front_and_back_regions_given_once() -> None:
    atlas = load_atlas()
    region = atlas.region("posterior", "lower_trapezius.l")
    assert parse_region_keys(atlas, [region_key(region)]) == (region,)
    # A map recorded on an older atlas keeps its places: the rhomboids, on the back view then,
    # are charted on its deep layer from version 3.
    assert parse_region_keys(atlas, ["posterior:rhomboid.l"]) == (
        atlas.region("posterior_deep", "rhomboid.l"),
    )
    for keys, words in (
        (["left_lateral:biceps.l"], "front and back views only"),
        (["anterior:no_such.l"], "is not a place"),
        (["rhomboid.l"], "is not a place"),
        ([5], "is not a place"),
        (["posterior:rhomboid.l", "posterior:rhomboid.l"], "marked twice"),
    ):
        with pytest.raises(PainMapError, match=words):
            parse_region_keys(atlas, keys)


def test_symptom_answers_are_all_needed_and_in_range() -> None:
    good = Symptoms(1, 2, 3, 1, 0, 1).to_json()
    assert symptoms_problem(good) == ""
    assert Symptoms.from_json(good).score == 8
    for change, words in (
        ({"fatigue": None}, "Fatigue is not answered"),
        ({"cognitive": 4}, "0 to 3"),
        ({"headaches": 2}, "yes or no"),
        ({"depression": True}, "yes or no"),
        ({"sleep": 1}, "no symptom question"),
    ):
        raw = {**good, **change}
        if change.get("fatigue", 0) is None:
            del raw["fatigue"]
        assert words in symptoms_problem(raw)
        with pytest.raises(PainMapError):
            Symptoms.from_json(raw)


def test_the_therapists_findings_are_counted_apart_on_the_same_areas() -> None:
    atlas = load_atlas()

    def mark(kind: MarkKind, view: str, region_id: str):
        point = atlas.region(view, region_id).inner_point
        return place_mark(atlas, "v", kind, view, [point], whole_region=True)

    marks = [
        mark(MarkKind.PAIN, "posterior", "upper_trapezius.r"),
        mark(MarkKind.REFERRED_PAIN, "anterior", "masseter_tmj.l"),
        mark(MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "lower_trapezius.l"),  # not pain
        mark(MarkKind.PAIN, "anterior", "palm.r"),  # no WPI area
    ]
    assert [a.id for a in clinician_wpi_areas(atlas, marks)] == ["jaw.l", "shoulder_girdle.r"]
