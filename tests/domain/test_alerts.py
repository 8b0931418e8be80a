"""Contraindication alerts: every rule raised and not raised, tiers, sources, treatment checks."""

from __future__ import annotations

import datetime as dt

import pytest

from massage_chart.atlas import load_atlas
from massage_chart.domain.alerts import (
    ALERT_RULES,
    Alert,
    AlertAction,
    AlertTier,
    HealthFlag,
    HealthSnapshot,
    Medication,
    Surgery,
    WarningLevel,
    areas_to_avoid,
    assess_health,
    blocking_alerts,
    check_treatment,
    is_deep_technique,
    normalise_condition,
    recommended_max_pressure,
    tier_counts,
    treatment_plan_warnings,
)
from massage_chart.domain.findings import MarkFinding, find_body_part
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.record_kinds import MedicationClass

TODAY = dt.date(2026, 11, 23)


def _codes(snapshot: HealthSnapshot) -> set[str]:
    return {alert.code for alert in assess_health(snapshot, today=TODAY)}


def _one(snapshot: HealthSnapshot, code: str) -> Alert:
    found = [a for a in assess_health(snapshot, today=TODAY) if a.code == code]
    assert len(found) == 1, found
    return found[0]


def test_rule_codes_are_unique_and_every_tier_is_used() -> None:
    codes = [rule.code for rule in ALERT_RULES]
    assert len(codes) == len(set(codes))
    assert {rule.tier for rule in ALERT_RULES} == set(AlertTier)


def test_nothing_typed_raises_nothing() -> None:
    assert assess_health(HealthSnapshot(), today=TODAY) == []


@pytest.mark.parametrize(
    ("condition", "code", "tier"),
    [
        # Stop / refer
        ("DVT", "dvt", AlertTier.STOP_REFER),
        ("deep vein thrombosis", "dvt", AlertTier.STOP_REFER),
        ("Deep Venous Thrombosis R leg", "dvt", AlertTier.STOP_REFER),
        ("blood clot in leg", "dvt", AlertTier.STOP_REFER),
        ("Blood clots", "dvt", AlertTier.STOP_REFER),
        ("D.V.T. left calf", "dvt", AlertTier.STOP_REFER),
        ("pulmonary embolism", "dvt", AlertTier.STOP_REFER),
        ("fever", "fever", AlertTier.STOP_REFER),
        ("feverish since yesterday", "fever", AlertTier.STOP_REFER),
        ("the flu", "acute_infection", AlertTier.STOP_REFER),
        ("COVID-19", "acute_infection", AlertTier.STOP_REFER),
        ("stomach bug", "acute_infection", AlertTier.STOP_REFER),
        ("uncontrolled high blood pressure", "uncontrolled_hypertension", AlertTier.STOP_REFER),
        ("Hypertensive crisis", "uncontrolled_hypertension", AlertTier.STOP_REFER),
        ("preeclampsia", "pregnancy_red_flags", AlertTier.STOP_REFER),
        ("Pre-eclampsia", "pregnancy_red_flags", AlertTier.STOP_REFER),
        ("placenta previa", "pregnancy_red_flags", AlertTier.STOP_REFER),
        ("chest pain on exertion", "acute_medical", AlertTier.STOP_REFER),
        ("loss of bladder control", "acute_medical", AlertTier.STOP_REFER),
        # Clearance recommended
        ("on chemo", "cancer_treatment", AlertTier.CLEARANCE),
        ("chemotherapy", "cancer_treatment", AlertTier.CLEARANCE),
        ("radiation therapy", "cancer_treatment", AlertTier.CLEARANCE),
        ("breast cancer", "cancer_treatment", AlertTier.CLEARANCE),
        ("Lymphoma", "cancer_treatment", AlertTier.CLEARANCE),
        ("high-risk pregnancy", "high_risk_pregnancy", AlertTier.CLEARANCE),
        ("gestational diabetes", "high_risk_pregnancy", AlertTier.CLEARANCE),
        ("recent surgery", "recent_surgery", AlertTier.CLEARANCE),
        ("post-op", "recent_surgery", AlertTier.CLEARANCE),
        ("heart disease", "heart_disease", AlertTier.CLEARANCE),
        ("CHF", "heart_disease", AlertTier.CLEARANCE),
        ("A-fib", "heart_disease", AlertTier.CLEARANCE),
        ("stroke last month", "stroke_tia", AlertTier.CLEARANCE),
        ("TIA", "stroke_tia", AlertTier.CLEARANCE),
        ("uncontrolled diabetes", "uncontrolled_diabetes", AlertTier.CLEARANCE),
        ("poorly controlled type 2 diabetes", "uncontrolled_diabetes", AlertTier.CLEARANCE),
        ("dermatomyositis", "dermatomyositis", AlertTier.CLEARANCE),
        # Deep-tissue caution
        ("on blood thinners", "anticoagulant", AlertTier.DEEP_TISSUE_CAUTION),
        ("hemophilia", "bleeding_disorder", AlertTier.DEEP_TISSUE_CAUTION),
        ("low platelets", "bleeding_disorder", AlertTier.DEEP_TISSUE_CAUTION),
        ("bruises easily", "bleeding_disorder", AlertTier.DEEP_TISSUE_CAUTION),
        ("osteoporosis", "osteoporosis", AlertTier.DEEP_TISSUE_CAUTION),
        ("Osteopenia", "osteoporosis", AlertTier.DEEP_TISSUE_CAUTION),
        ("bone mets", "bone_metastasis", AlertTier.DEEP_TISSUE_CAUTION),
        ("metastatic to the spine", "bone_metastasis", AlertTier.DEEP_TISSUE_CAUTION),
        ("long term steroids", "corticosteroid", AlertTier.DEEP_TISSUE_CAUTION),
        ("took pain meds today", "altered_pain_feedback", AlertTier.DEEP_TISSUE_CAUTION),
        ("peripheral neuropathy", "neuropathy", AlertTier.DEEP_TISSUE_CAUTION),
        ("diabetic neuropathies", "neuropathy", AlertTier.DEEP_TISSUE_CAUTION),
        ("fragile skin", "fragile_skin", AlertTier.DEEP_TISSUE_CAUTION),
        ("lymphedema L arm", "lymphedema", AlertTier.DEEP_TISSUE_CAUTION),
        ("lymph nodes removed (right axilla)", "lymphedema", AlertTier.DEEP_TISSUE_CAUTION),
        ("history of DVT", "dvt_history", AlertTier.DEEP_TISSUE_CAUTION),
        ("breast cancer, in remission", "cancer_history", AlertTier.DEEP_TISSUE_CAUTION),
        # Local avoid
        ("open wound on left shin", "open_wound", AlertTier.LOCAL_AVOID),
        ("Burns on hand", "open_wound", AlertTier.LOCAL_AVOID),
        ("cellulitis R lower leg", "skin_infection", AlertTier.LOCAL_AVOID),
        ("athlete's foot", "skin_infection", AlertTier.LOCAL_AVOID),
        ("rash on back", "skin_infection", AlertTier.LOCAL_AVOID),
        ("varicose veins", "varicose_veins", AlertTier.LOCAL_AVOID),
        ("Varicosities both calves", "varicose_veins", AlertTier.LOCAL_AVOID),
        ("fractured left wrist", "fracture", AlertTier.LOCAL_AVOID),
        ("broken arm", "fracture", AlertTier.LOCAL_AVOID),
        ("sprained R ankle", "acute_sprain", AlertTier.LOCAL_AVOID),
        ("gout flare big toe", "acute_sprain", AlertTier.LOCAL_AVOID),
        ("tumor on right thigh", "tumour_site", AlertTier.LOCAL_AVOID),
        ("unexplained lump in neck", "tumour_site", AlertTier.LOCAL_AVOID),
        ("cortisone injection R shoulder", "injection_site", AlertTier.LOCAL_AVOID),
        ("port-a-cath", "injection_site", AlertTier.LOCAL_AVOID),
        ("radiation burn chest", "radiation_field", AlertTier.LOCAL_AVOID),
        ("inguinal hernia", "hernia", AlertTier.LOCAL_AVOID),
        # Positioning
        ("acid reflux", "reflux", AlertTier.POSITIONING),
        ("GERD", "reflux", AlertTier.POSITIONING),
        ("asthma", "breathing", AlertTier.POSITIONING),
        ("COPD", "breathing", AlertTier.POSITIONING),
        ("low blood pressure", "dizziness", AlertTier.POSITIONING),
    ],
)
def test_typed_conditions_raise_their_rule(condition: str, code: str, tier: AlertTier) -> None:
    alert = _one(HealthSnapshot(conditions=(condition,)), code)
    assert alert.tier is tier
    assert alert.source == f'condition "{condition}"'
    assert alert.title and alert.message


@pytest.mark.parametrize(
    ("condition", "absent"),
    [
        ("no DVT", "dvt"),
        ("denies fever", "fever"),
        ("Negative for COVID", "acute_infection"),
        ("history of DVT", "dvt"),
        ("old fracture R wrist (2010)", "fracture"),
        ("flu shot last week", "acute_infection"),
        ("stroke 10 years ago", "stroke_tia"),
        ("gastric bypass", "heart_disease"),
        ("hypertension", "uncontrolled_hypertension"),
        ("diabetes type 2", "uncontrolled_diabetes"),
        ("burning pain in feet", "open_wound"),
        ("knee surgery 4 months ago", "recent_surgery"),
        ("cramping", "pregnancy_red_flags"),
        ("twins", "high_risk_pregnancy"),
        ("tension headaches", "acute_medical"),
        ("", "dvt"),
    ],
)
def test_conditions_that_do_not_raise_the_rule(condition: str, absent: str) -> None:
    assert absent not in _codes(HealthSnapshot(conditions=(condition,)))


@pytest.mark.parametrize(
    ("condition", "codes"),
    [
        ("DVT 2019", {"dvt_history"}),
        ("DVT 2026", {"dvt"}),
        ("had covid", set()),
        ("COVID last year", set()),
        ("fracture R wrist 8 months ago", set()),
        ("skin cancer removed from back 2020", {"cancer_history"}),
        ("surgery on R knee 2 wks ago", {"recent_surgery", "surgery_site"}),
        ("had knee surgery 2 weeks ago", {"recent_surgery", "surgery_site"}),
        ("new tattoo L forearm", {"open_wound"}),
        ("port in R chest", {"injection_site"}),
    ],
)
def test_when_typed_text_speaks_of_the_past(condition: str, codes: set[str]) -> None:
    assert _codes(HealthSnapshot(conditions=(condition,))) == codes


def test_history_of_a_clot_becomes_a_caution_on_the_legs() -> None:
    alert = _one(HealthSnapshot(conditions=("Hx of DVT",)), "dvt_history")
    assert alert.max_pressure == 2
    assert alert.body_part == "legs"
    assert "soleus" in alert.stems


def test_pregnancy_only_symptoms_need_a_pregnancy() -> None:
    pregnant = HealthSnapshot(conditions=("spotting and cramping",), pregnant=True)
    assert _one(pregnant, "pregnancy_red_flags").tier is AlertTier.STOP_REFER
    assert "pregnancy_red_flags" not in _codes(HealthSnapshot(conditions=("spotting",)))
    assert "high_risk_pregnancy" in _codes(HealthSnapshot(conditions=("twins",), pregnant=True))


@pytest.mark.parametrize(
    ("weeks", "side_lying"), [(12, False), (20, False), (21, True), (34, True), (None, True)]
)
def test_pregnancy_past_20_weeks_means_side_lying(weeks: int | None, side_lying: bool) -> None:
    snapshot = HealthSnapshot(pregnant=True, pregnancy_weeks=weeks, age=30)
    codes = _codes(snapshot)
    assert ("pregnancy_position" in codes) is side_lying
    assert "pregnancy_legs" in codes
    assert "high_risk_pregnancy" not in codes


def test_weeks_alone_mean_pregnant() -> None:
    assert "pregnancy_position" in _codes(HealthSnapshot(pregnancy_weeks=28))


@pytest.mark.parametrize(
    ("age", "conditions", "high_risk"),
    [
        (30, (), False),
        (38, (), True),
        (18, (), True),
        (30, ("type 1 diabetes",), True),
        (30, ("no diabetes",), False),  # denied, not a risk factor
        (30, ("denies hypertension",), False),
    ],
)
def test_pregnancy_risk_factors_need_clearance(
    age: int, conditions: tuple[str, ...], high_risk: bool
) -> None:
    snapshot = HealthSnapshot(pregnant=True, pregnancy_weeks=10, age=age, conditions=conditions)
    assert ("high_risk_pregnancy" in _codes(snapshot)) is high_risk


@pytest.mark.parametrize(
    ("medication", "code"),
    [
        ("warfarin 5 mg", "anticoagulant"),
        ("Eliquis", "anticoagulant"),
        ("clopidogrel", "antiplatelet"),
        ("aspirin 81mg", "antiplatelet"),
        ("prednisone 10mg", "corticosteroid"),
        ("oxycodone", "altered_pain_feedback"),
        ("cyclobenzaprine", "altered_pain_feedback"),
        ("ibuprofen", "pain_reliever"),
        ("Lantus", "injection_site"),
        ("tamoxifen", "cancer_treatment"),
        ("amlodipine", "dizziness"),
    ],
)
def test_medications_raise_their_class_rule(medication: str, code: str) -> None:
    alert = _one(HealthSnapshot(medications=(Medication(medication),)), code)
    assert alert.source.startswith(f'medication "{medication}"')


def test_recorded_class_wins_and_unknown_medications_raise_nothing() -> None:
    recorded = Medication("my compounded cream", MedicationClass.CORTICOSTEROID)
    assert _codes(HealthSnapshot(medications=(recorded,))) == {"corticosteroid"}
    assert _codes(HealthSnapshot(medications=(Medication("vitamin D"),))) == set()
    user = {"vitamin d": MedicationClass.ANTICOAGULANT}
    alerts = assess_health(
        HealthSnapshot(medications=(Medication("vitamin D"),)), today=TODAY, user_medications=user
    )
    assert [a.code for a in alerts] == ["anticoagulant"]


def test_the_same_rule_from_two_sources_is_one_alert_naming_both() -> None:
    snapshot = HealthSnapshot(
        conditions=("on blood thinners",),
        medications=(Medication("warfarin"), Medication("Xarelto")),
    )
    alert = _one(snapshot, "anticoagulant")
    assert alert.source == (
        'condition "on blood thinners"; medication "warfarin" (anticoagulant); '
        'medication "Xarelto" (anticoagulant)'
    )
    assert alert.max_pressure == 2
    assert alert.action is AlertAction.CAP_PRESSURE


def test_dated_surgery_within_six_weeks_needs_clearance_and_marks_the_site() -> None:
    recent = Surgery("Right rotator cuff repair", TODAY - dt.timedelta(days=20))
    old = Surgery("Left knee arthroscopy", TODAY - dt.timedelta(days=60))
    alerts = assess_health(HealthSnapshot(surgeries=(recent, old)), today=TODAY)
    assert [a.code for a in alerts] == ["recent_surgery", "surgery_site"]
    site = alerts[1]
    assert site.body_part == "right shoulder"
    assert site.side is Side.RIGHT
    assert "upper_trapezius" in site.stems
    assert site.action is AlertAction.MARK_AREA_TO_AVOID


def test_typed_surgery_weeks_ago_counts_when_recent() -> None:
    assert {"recent_surgery", "surgery_site"} <= _codes(
        HealthSnapshot(conditions=("knee replacement 3 weeks ago",))
    )
    assert "recent_surgery" not in _codes(
        HealthSnapshot(conditions=("knee replacement 3 years ago",))
    )


def test_areas_to_avoid_carry_the_body_part_and_side() -> None:
    alerts = assess_health(
        HealthSnapshot(conditions=("open wound on L shin", "varicose veins both legs")),
        today=TODAY,
    )
    avoid = areas_to_avoid(alerts)
    assert [(a.code, a.body_part, a.side) for a in avoid] == [
        ("open_wound", "left shin", Side.LEFT),
        ("varicose_veins", "both legs", None),
    ]
    assert avoid[0].covers("tibialis_anterior.l", Side.LEFT)
    assert not avoid[0].covers("tibialis_anterior.r", Side.RIGHT)
    assert not avoid[0].covers("upper_trapezius.l", Side.LEFT)


def test_areas_to_avoid_become_atlas_regions() -> None:
    atlas = load_atlas()
    ids = sorted({r.id for view in atlas.view_ids for r in atlas.regions(view)})
    [wound] = assess_health(HealthSnapshot(conditions=("open wound on L shin",)), today=TODAY)
    assert wound.region_ids(ids) == ["medial_shin.l", "tibialis_anterior.l"]
    assert wound.covers("medial_shin.l")
    assert not wound.covers("medial_shin.r")


def test_a_local_condition_without_a_body_part_has_no_regions() -> None:
    alert = _one(HealthSnapshot(conditions=("skin infection",)), "skin_infection")
    assert alert.body_part is None
    assert alert.stems == ()
    assert not alert.covers("upper_trapezius.r")


def test_vital_signs_and_flags() -> None:
    assert _one(HealthSnapshot(temperature_c=38.4), "fever").source == "temperature 38.4 °C"
    assert "fever" not in _codes(HealthSnapshot(temperature_c=37.1))
    assert "uncontrolled_hypertension" in _codes(HealthSnapshot(blood_pressure=(185, 95)))
    assert "uncontrolled_hypertension" in _codes(HealthSnapshot(blood_pressure=(150, 112)))
    assert "uncontrolled_hypertension" not in _codes(HealthSnapshot(blood_pressure=(150, 95)))
    assert _codes(HealthSnapshot(flags=frozenset({HealthFlag.DVT_SIGNS}))) == {"dvt"}
    every_flag = _codes(HealthSnapshot(flags=frozenset(HealthFlag)))
    assert len(every_flag) == len(HealthFlag)


def test_older_clients_and_allergies() -> None:
    assert _one(HealthSnapshot(age=84), "older_client").max_pressure == 3
    assert "older_client" not in _codes(HealthSnapshot(age=79))
    allergy = _one(HealthSnapshot(allergies=("almond oil", "latex", "NKDA")), "allergy")
    assert allergy.tier is AlertTier.PRODUCTS
    assert allergy.source == 'allergy "almond oil"; allergy "latex"'


def test_todays_update_is_read_like_a_condition() -> None:
    alert = _one(HealthSnapshot(health_update="Has had a fever since Sunday"), "fever")
    assert alert.source.startswith("today's update")


def test_alerts_come_most_severe_first() -> None:
    snapshot = HealthSnapshot(
        conditions=("asthma", "varicose veins", "osteoporosis", "heart disease", "DVT"),
        allergies=("lavender",),
    )
    tiers = [a.tier for a in assess_health(snapshot, today=TODAY)]
    assert tiers == sorted(tiers, key=lambda tier: tier.rank)
    assert tiers[0] is AlertTier.STOP_REFER
    counts = tier_counts(assess_health(snapshot, today=TODAY))
    assert counts[AlertTier.STOP_REFER] == 1
    assert counts[AlertTier.PRODUCTS] == 1


def test_clearance_on_file_satisfies_the_banner() -> None:
    snapshot = HealthSnapshot(
        conditions=("heart disease",), clearances_on_file=frozenset({"heart_disease"})
    )
    alert = _one(snapshot, "heart_disease")
    assert alert.clearance_on_file
    assert not alert.needs_clearance
    assert not check_treatment([alert], technique="Swedish")
    pending = _one(HealthSnapshot(conditions=("heart disease",)), "heart_disease")
    assert pending.needs_clearance
    assert [w.level for w in check_treatment([pending], technique="Swedish")] == [WarningLevel.INFO]


def test_stop_alerts_block_until_an_override_reason_is_recorded() -> None:
    alerts = assess_health(HealthSnapshot(conditions=("DVT", "fever")), today=TODAY)
    assert {a.code for a in blocking_alerts(alerts, {})} == {"dvt", "fever"}
    assert {a.code for a in blocking_alerts(alerts, {"dvt": "   "})} == {"dvt", "fever"}
    assert {a.code for a in blocking_alerts(alerts, {"dvt": "Cleared by Dr Ruiz"})} == {"fever"}
    warnings = check_treatment(alerts, kind=MarkKind.PAIN, overrides={"dvt": "cleared"})
    assert [(w.alert.code, w.level) for w in warnings] == [("fever", WarningLevel.BLOCK)]
    assert all(a.needs_override for a in alerts)


ANTICOAGULANT = assess_health(HealthSnapshot(medications=(Medication("warfarin"),)), today=TODAY)


@pytest.mark.parametrize(
    ("kwargs", "warned"),
    [
        ({"kind": MarkKind.TRIGGER_POINT_ACTIVE}, True),
        ({"kind": MarkKind.TRIGGER_POINT_LATENT}, True),
        ({"technique": "deep tissue"}, True),
        ({"technique": "Trigger point release"}, True),
        ({"technique": "cross-fiber friction"}, True),
        ({"pressure": 4}, True),
        ({"pressure": 3}, True),  # above the anticoagulant cap of 2
        ({"pressure": 2}, False),
        ({"technique": "Swedish", "pressure": 2}, False),
        ({"kind": MarkKind.HYPERTONICITY}, False),
        ({"kind": MarkKind.TREATED, "technique": "effleurage", "pressure": 1}, False),
    ],
)
def test_deep_tissue_caution_warns_on_deep_work(kwargs: dict[str, object], warned: bool) -> None:
    warnings = check_treatment(ANTICOAGULANT, **kwargs)  # type: ignore[arg-type]
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].level is WarningLevel.WARN
        assert "Recommended maximum: Walton 2." in warnings[0].message


def test_a_limb_caution_only_applies_to_that_limb() -> None:
    alerts = assess_health(HealthSnapshot(conditions=("lymphedema left arm",)), today=TODAY)
    assert check_treatment(alerts, pressure=4, region_id="biceps.l", side=Side.LEFT)
    assert not check_treatment(alerts, pressure=4, region_id="biceps.r", side=Side.RIGHT)
    assert not check_treatment(alerts, pressure=4, region_id="upper_trapezius.l", side=Side.LEFT)
    assert recommended_max_pressure(alerts, "biceps.l") == 2
    assert recommended_max_pressure(alerts, "gluteus_medius.l") is None


def test_recommended_max_pressure_is_the_lowest_cap() -> None:
    alerts = assess_health(
        HealthSnapshot(conditions=("osteopenia",), medications=(Medication("Eliquis"),)),
        today=TODAY,
    )
    assert recommended_max_pressure(alerts) == 2
    assert recommended_max_pressure([]) is None


def test_treating_an_area_to_avoid_is_warned() -> None:
    alerts = assess_health(HealthSnapshot(conditions=("open wound R shin",)), today=TODAY)
    warned = check_treatment(
        alerts, kind=MarkKind.TREATED, region_id="tibialis_anterior.r", side=Side.RIGHT
    )
    assert [w.message for w in warned] == [
        "Treating an area to avoid (right shin): open or healing wound."
    ]
    assert not check_treatment(
        alerts, kind=MarkKind.TREATED, region_id="tibialis_anterior.l", side=Side.LEFT
    )
    assert not check_treatment(
        alerts, kind=MarkKind.AVOID, region_id="tibialis_anterior.r", side=Side.RIGHT
    )


def test_positioning_warnings() -> None:
    pregnant = assess_health(HealthSnapshot(pregnancy_weeks=26, age=30), today=TODAY)
    assert any("side-lying" in w.message for w in check_treatment(pregnant, position="supine"))
    assert not check_treatment(pregnant, position="side-lying")
    reflux = assess_health(HealthSnapshot(conditions=("GERD",)), today=TODAY)
    assert check_treatment(reflux, position="prone")
    assert not check_treatment(reflux, position="supine, head raised")


@pytest.mark.parametrize(
    ("technique", "deep"),
    [
        ("Deep tissue", True),
        ("TP therapy", True),
        ("ischemic compression", True),
        ("IASTM", True),
        ("Swedish", False),
        ("effleurage, petrissage", False),
        ("", False),
    ],
)
def test_deep_techniques(technique: str, deep: bool) -> None:
    assert is_deep_technique(technique) is deep


def test_normalise_condition() -> None:
    assert normalise_condition("  Hx. of D.V.T. (L calf)! ") == "hx of dvt l calf"
    assert normalise_condition("Athlete's foot") == "athletes foot"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open wound on L shin", ("left shin", Side.LEFT)),
        ("sprained right ankle", ("right ankle", Side.RIGHT)),
        ("varicose veins b/l legs", ("both legs", None)),
        ("rash on the lower back", ("low back", None)),
        ("cortisone shot rt shoulder", ("right shoulder", Side.RIGHT)),
        ("both feet", ("both feet", None)),
    ],
)
def test_body_parts_in_typed_text(text: str, expected: tuple[str, Side | None]) -> None:
    part = find_body_part(text)
    assert part is not None
    assert (part.text, part.side) == expected
    assert part.stems


def test_no_body_part() -> None:
    assert find_body_part("skin infection") is None


def test_the_treatment_plan_is_checked_as_a_whole_and_each_warning_said_once() -> None:
    """The note's techniques, pressure and position and every charted finding are checked; two
    deep findings on the same caution give one warning, not two."""
    alerts = assess_health(
        HealthSnapshot(conditions=("lymphedema left arm",), pregnant=True, pregnancy_weeks=30),
        today=TODAY,
    )
    findings = [
        MarkFinding(MarkKind.TRIGGER_POINT_ACTIVE, "biceps.l", side=Side.LEFT),
        MarkFinding(MarkKind.TRIGGER_POINT_ACTIVE, "biceps.l", side=Side.LEFT),
        MarkFinding(MarkKind.TRIGGER_POINT_ACTIVE, "biceps.r", side=Side.RIGHT),
    ]
    plain = treatment_plan_warnings(alerts, techniques=[" Swedish ", ""], pressure=1)
    assert plain == []

    warnings = treatment_plan_warnings(
        alerts, techniques=["Swedish"], position="prone", findings=findings
    )
    messages = [w.message for w in warnings]
    assert len(messages) == len(set(messages))
    assert any("trigger-point work" in m and "arm" in m for m in messages)  # the left arm only
    assert any("prone" in m for m in messages)  # pregnancy and lying face down
    assert not any("right" in m.lower() for m in messages)


@pytest.mark.parametrize(
    ("medication", "words"), [("cyclobenzaprine", "(muscle relaxant)"), ("ibuprofen", "(NSAID)")]
)
def test_a_medication_class_is_named_in_words(medication: str, words: str) -> None:
    snapshot = HealthSnapshot(medications=(Medication(medication),))
    sources = [alert.source for alert in assess_health(snapshot, today=TODAY)]
    assert sources and all(words in source for source in sources)
