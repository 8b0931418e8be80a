"""SOAP drafting: exact Objective text, bilateral merging, deep muscles, templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from massage_chart.atlas import load_atlas
from massage_chart.domain.findings import BODY_AREAS, MarkFinding
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.soap import (
    OBJECTIVE_HEADINGS,
    HomeCareItem,
    SoapTemplateError,
    draft_objective,
    load_soap_templates_from,
    objective_lines,
    parse_soap_templates,
    soap_template,
    soap_templates,
    treatment_from_findings,
)

K = MarkKind
R, L, MID = Side.RIGHT, Side.LEFT, Side.MIDLINE


def mark(
    kind: MarkKind,
    region_id: str,
    label: str,
    side: Side,
    intensity: int | None = None,
    **extra: object,
) -> MarkFinding:
    return MarkFinding(kind, region_id, label, side, intensity, **extra)  # type: ignore[arg-type]


def test_the_example_of_the_brief() -> None:
    findings = [
        mark(
            K.TRIGGER_POINT_ACTIVE,
            "levator_scapulae.l",
            "L levator scapulae (superior angle)",
            L,
            5,
        ),
        mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", "R upper trapezius", R, 7),
        mark(K.TREATED, "upper_trapezius.r", "R upper trapezius", R, minutes=10, pressure=3),
    ]
    assert draft_objective(findings) == (
        "Active trigger points: R upper trapezius (7/10), L levator scapulae (5/10).\n"
        "Treated: R upper trapezius 10 min (Walton 3)."
    )


def test_a_full_objective_in_body_order() -> None:
    findings = [
        mark(K.SPASM, "gastrocnemius_medial.l", "L medial gastrocnemius", L),
        mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", "L upper trapezius", L, 5),
        mark(
            K.HYPERTONICITY,
            "quadratus_lumborum.r",
            "R quadratus lumborum area",
            R,
            6,
            deep_muscle="quadratus lumborum",
        ),
        mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", "R upper trapezius", R, 7),
        mark(K.HYPERTONICITY, "lumbar_spine", "Lumbar spine", MID, 4),
        mark(K.HYPERTONICITY, "suboccipital.r", "R suboccipitals (base of skull)", R, 5),
        mark(K.HYPERTONICITY, "suboccipital.l", "L suboccipitals (base of skull)", L, 5),
        mark(K.TRIGGER_POINT_LATENT, "infraspinatus.r", "R infraspinatus", R, 3),
        mark(K.TRIGGER_POINT_LATENT, "infraspinatus.r", "R infraspinatus", R, 4),
        mark(K.TENDER_POINT, "lateral_hip.l", "L lateral hip (greater trochanter)", L, 6),
        mark(K.ADHESION, "it_band.l", "L IT band (outer thigh)", L),
        mark(K.PAIN, "lumbar_erector.r", "R lumbar erector spinae", R, 6),
        mark(K.REFERRED_PAIN, "temporalis.r", "R temporalis (temple & ear)", R, 4),
        mark(K.PARESTHESIA, "forearm_flexors.r", "R forearm flexors", R, 3),
        mark(K.NUMBNESS, "thenar.r", "R thenar eminence & thumb", R, 2),
        mark(K.BURNING, "plantar_foot.l", "L sole of foot (plantar fascia)", L, 5),
        mark(K.SCAR, "anterior_knee.r", "R patella & patellar tendon", R, note="TKR 2019"),
        mark(K.BRUISE, "vastus_lateralis.l", "L vastus lateralis", L),
        mark(
            K.TREATED,
            "upper_trapezius.r",
            "R upper trapezius",
            R,
            minutes=10,
            pressure=3,
            technique="trigger point release",
        ),
        mark(
            K.TREATED,
            "upper_trapezius.l",
            "L upper trapezius",
            L,
            minutes=8,
            pressure=2,
            technique="trigger point release",
        ),
        mark(K.TREATED, "lumbar_erector.r", "R lumbar erector spinae", R, minutes=15),
        mark(K.AVOID, "tibialis_anterior.l", "L tibialis anterior", L, note="open wound"),
    ]
    assert objective_lines(findings) == [
        "Active trigger points: bilateral upper trapezius (R 7/10, L 5/10).",
        "Latent trigger points: R infraspinatus x2 (4/10).",
        "Hypertonicity: bilateral suboccipitals (5/10), lumbar spine (4/10), "
        "R quadratus lumborum area (6/10; deep: quadratus lumborum).",
        "Spasm: L medial gastrocnemius.",
        "Adhesions: L IT band.",
        "Tender points: L lateral hip (6/10).",
        "Pain: R lumbar erector spinae (6/10).",
        "Referred pain: R temporalis (4/10).",
        "Burning: L sole of foot (5/10).",
        "Paresthesia: R forearm flexors (3/10).",
        "Numbness: R thenar eminence & thumb.",
        "Scars: R patella & patellar tendon (TKR 2019).",
        "Bruising: L vastus lateralis.",
        "Treated: bilateral upper trapezius 18 min, trigger point release (Walton 2-3), "
        "R lumbar erector spinae 15 min.",
        "Areas avoided: L tibialis anterior (open wound).",
    ]


def test_bilateral_merging_needs_the_same_deep_muscle() -> None:
    findings = [
        mark(K.HYPERTONICITY, "quadratus_lumborum.r", "R quadratus lumborum area", R, 6,
             deep_muscle="quadratus lumborum"),
        mark(K.HYPERTONICITY, "quadratus_lumborum.l", "L quadratus lumborum area", L, 4,
             deep_muscle="quadratus lumborum"),
        mark(K.HYPERTONICITY, "iliac_fossa.r", "R lower abdomen (iliac fossa)", R, 5,
             deep_muscle="psoas major"),
        mark(K.HYPERTONICITY, "iliac_fossa.l", "L lower abdomen (iliac fossa)", L, 5),
    ]  # fmt: skip
    assert draft_objective(findings) == (
        "Hypertonicity: bilateral quadratus lumborum area (R 6/10, L 4/10; deep: quadratus "
        "lumborum), R lower abdomen (5/10; deep: psoas major), L lower abdomen (5/10)."
    )


def test_bilateral_without_intensities_and_with_one_side_rated() -> None:
    findings = [
        mark(K.SPASM, "soleus.l", "L soleus", L),
        mark(K.SPASM, "soleus.r", "R soleus", R),
        mark(K.PAIN, "heel.r", "R heel", R, 3),
        mark(K.PAIN, "heel.l", "L heel", L),
    ]
    assert objective_lines(findings) == [
        "Spasm: bilateral soleus.",
        "Pain: bilateral heel (R 3/10).",
    ]


def test_region_order_given_overrides_body_order() -> None:
    findings = [
        mark(K.PAIN, "upper_trapezius.r", "R upper trapezius", R, 4),
        mark(K.PAIN, "heel.r", "R heel", R, 3),
    ]
    assert draft_objective(findings, region_order=["heel.r", "upper_trapezius.r"]) == (
        "Pain: R heel (3/10), R upper trapezius (4/10)."
    )
    assert draft_objective(findings) == "Pain: R upper trapezius (4/10), R heel (3/10)."


def test_marks_without_a_region_and_no_marks() -> None:
    assert draft_objective([mark(K.BRUISE, "", "", MID)]) == "Bruising: unspecified area."
    assert draft_objective([]) == ""


def test_every_kind_has_a_heading() -> None:
    assert {kind for kind, _ in OBJECTIVE_HEADINGS} == set(MarkKind)


def test_body_areas_name_real_atlas_regions_once() -> None:
    # Regions the atlas adds later sort after the known ones (body_order), so only the other
    # direction is a hard rule: every listed stem must exist.
    atlas = load_atlas()
    stems = {r.stem for view in atlas.view_ids for r in atlas.regions(view)}
    listed = [stem for area in BODY_AREAS for stem in area.stems]
    assert len(listed) == len(set(listed))
    assert set(listed) <= stems, sorted(set(listed) - stems)


def test_shipped_templates() -> None:
    templates = soap_templates()
    assert list(templates) == [
        "tension_headache",
        "low_back_pain",
        "post_surgical_shoulder",
        "whiplash",
        "plantar_fasciitis",
        "forearm_overuse",
        "piriformis_sciatic",
        "prenatal",
    ]
    atlas = load_atlas()
    stems = {r.stem for view in atlas.view_ids for r in atlas.regions(view)}
    for template in templates.values():
        assert "___" in template.subjective
        assert template.objective and template.assessment and template.plan
        assert template.short_term_goals and template.long_term_goals
        assert len(template.home_care) >= 3
        assert set(template.regions) <= stems
    stretch = soap_template("tension_headache").home_care[0]
    assert stretch.name == "Upper trapezius stretch"
    assert stretch.hold_seconds == 30
    assert stretch.reps == 3
    with pytest.raises(KeyError):
        soap_template("nope")


def test_home_care_text() -> None:
    item = HomeCareItem("Calf stretch", "Lean on the wall.", 30, 3, "twice a day")
    assert item.text() == "Calf stretch: Lean on the wall. (hold 30 s, 3 reps, twice a day)"
    assert HomeCareItem("Walk", "Short walks.").text() == "Walk: Short walks."


def _template(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "t",
        "name": "T",
        "subjective": "s",
        "objective": "o",
        "assessment": "a",
        "plan": "p",
        "short_term_goals": ["g"],
        "long_term_goals": ["g"],
        "home_care": [{"name": "n", "instructions": "i", "hold_seconds": 30}],
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "x", "templates": []}, "format"),
        ({"format": "massage-chart-soap-templates/1", "templates": {}}, "must be a list"),
        ({"format": "massage-chart-soap-templates/1", "templates": [_template(plan="")]}, "'plan'"),
        (
            {"format": "massage-chart-soap-templates/1", "templates": [_template(), _template()]},
            "used twice",
        ),
        (
            {
                "format": "massage-chart-soap-templates/1",
                "templates": [_template(home_care=[{"name": "n", "instructions": "i", "reps": 0}])],
            },
            "'reps'",
        ),
        (
            {
                "format": "massage-chart-soap-templates/1",
                "templates": [_template(short_term_goals="g")],
            },
            "short_term_goals",
        ),
    ],
)
def test_malformed_templates_are_refused(data: object, message: str) -> None:
    with pytest.raises(SoapTemplateError, match=message):
        parse_soap_templates(data)


def test_template_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"format": "massage-chart-soap-templates/1", "templates": [_template()]}),
        encoding="utf-8",
    )
    assert load_soap_templates_from(path)["t"].home_care[0].hold_seconds == 30
    path.write_text("{", encoding="utf-8")
    with pytest.raises(SoapTemplateError, match="not valid JSON"):
        load_soap_templates_from(path)


def test_the_treatment_the_marks_record() -> None:
    findings = [
        MarkFinding(MarkKind.TREATED, technique="Myofascial release", pressure=2),
        MarkFinding(MarkKind.TRIGGER_POINT_ACTIVE, intensity=6),
        MarkFinding(MarkKind.TREATED, technique=" myofascial RELEASE ", pressure=4),
        MarkFinding(MarkKind.TREATED, technique="Swedish"),
    ]
    assert treatment_from_findings(findings) == (("Myofascial release", "Swedish"), 4)
    assert treatment_from_findings([]) == ((), None)
