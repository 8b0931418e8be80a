"""Contraindication alerts in tiers from the health history, and treatment checks (DOMAIN.md §4)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from massage_chart.domain.findings import BodyPart, find_body_part, region_stem
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.medications import classify_medication
from massage_chart.domain.records import MedicationClass
from massage_chart.domain.text import fold

RECENT_SURGERY_DAYS = 42
"""Surgery within six weeks needs clearance, and its site is avoided (DOMAIN.md §4.2, oncology)."""

SIDE_LYING_AFTER_WEEKS = 20
"""Past 20 weeks of pregnancy, supine is avoided: side-lying (DOMAIN.md §4.2, pregnancy)."""

OLDER_CLIENT_AGE = 80
DEEP_PRESSURE_LEVEL = 4
"""Walton 4 (medium-deep) and 5 (deep) count as deep pressure."""


class AlertTier(enum.Enum):
    """How strongly an alert holds the session back, most severe first (DOMAIN.md §4.3)."""

    STOP_REFER = "stop_refer"
    CLEARANCE = "clearance"
    DEEP_TISSUE_CAUTION = "deep_tissue_caution"
    LOCAL_AVOID = "local_avoid"
    POSITIONING = "positioning"
    PRODUCTS = "products"

    @property
    def rank(self) -> int:
        """0 for the most severe tier."""
        return list(AlertTier).index(self)

    @property
    def label(self) -> str:
        """The tier as the window names it."""
        return _TIER_LABELS[self]


_TIER_LABELS = {
    AlertTier.STOP_REFER: "Stop / refer",
    AlertTier.CLEARANCE: "Clearance recommended",
    AlertTier.DEEP_TISSUE_CAUTION: "Deep-tissue caution",
    AlertTier.LOCAL_AVOID: "Area to avoid",
    AlertTier.POSITIONING: "Positioning",
    AlertTier.PRODUCTS: "Products",
}


class AlertAction(enum.Enum):
    """What the app does about an alert."""

    REQUIRE_OVERRIDE = "require_override"
    """Block charting until an override reason (or physician clearance) is recorded."""
    REQUIRE_CLEARANCE = "require_clearance"
    """Show a banner until a clearance is on file (date and document)."""
    CAP_PRESSURE = "cap_pressure"
    """Cap the default pressure; warn on trigger points, deep techniques or deep pressure."""
    MARK_AREA_TO_AVOID = "mark_area_to_avoid"
    """Draw an area to avoid on the chart, carried forward until cleared."""
    POSITION_REMINDER = "position_reminder"
    """Show a positioning reminder on the session screen and in the note."""
    CHECK_PRODUCTS = "check_products"
    """Remind the therapist to check lotions, oils and materials."""

    @property
    def text(self) -> str:
        """What the app does, in a sentence."""
        return _ACTION_TEXT[self]


_ACTION_TEXT = {
    AlertAction.REQUIRE_OVERRIDE: (
        "Charting is blocked until an override reason or physician clearance is recorded."
    ),
    AlertAction.REQUIRE_CLEARANCE: "Shown as a banner until a clearance is on file.",
    AlertAction.CAP_PRESSURE: (
        "Pressure is capped by default; trigger points, deep techniques and deep pressure are "
        "warned about."
    ),
    AlertAction.MARK_AREA_TO_AVOID: (
        "Marked as an area to avoid on the chart and carried forward until cleared."
    ),
    AlertAction.POSITION_REMINDER: "Shown as a positioning reminder and noted in the chart.",
    AlertAction.CHECK_PRODUCTS: "Check lotions, oils, linens and gloves before the session.",
}

_TIER_ACTION = {
    AlertTier.STOP_REFER: AlertAction.REQUIRE_OVERRIDE,
    AlertTier.CLEARANCE: AlertAction.REQUIRE_CLEARANCE,
    AlertTier.DEEP_TISSUE_CAUTION: AlertAction.CAP_PRESSURE,
    AlertTier.LOCAL_AVOID: AlertAction.MARK_AREA_TO_AVOID,
    AlertTier.POSITIONING: AlertAction.POSITION_REMINDER,
    AlertTier.PRODUCTS: AlertAction.CHECK_PRODUCTS,
}


class HealthFlag(enum.Enum):
    """Intake or session-update checkboxes that raise an alert without any typed text."""

    DVT_SIGNS = "dvt_signs"
    """Unilateral leg swelling with heat, redness or pain."""
    FEVER = "fever"
    ACUTE_INFECTION = "acute_infection"
    PREGNANCY_RED_FLAGS = "pregnancy_red_flags"
    HIGH_RISK_PREGNANCY = "high_risk_pregnancy"
    PAIN_MEDICATION_TODAY = "pain_medication_today"
    LYMPH_NODES_REMOVED = "lymph_nodes_removed"
    FRAGILE_SKIN = "fragile_skin"


@dataclass(frozen=True)
class Medication:
    """A medication as recorded: its name and the class chosen by hand, if any.

    Attributes:
        name: as typed ("Eliquis 5 mg").
        med_class: the class recorded with it; None to look the name up.
    """

    name: str
    med_class: MedicationClass | None = None


@dataclass(frozen=True)
class Surgery:
    """A past surgery: what it was (with the body part, ideally) and when."""

    description: str
    date: dt.date | None = None


@dataclass(frozen=True)
class HealthSnapshot:
    """The health history and today's update, as the alert rules read it.

    Attributes:
        conditions: conditions as typed ("DVT left calf", "osteopenia", "on chemo").
        medications: current medications.
        allergies: allergies and sensitivities (oils, lotions, latex...).
        surgeries: past surgeries, dated where known.
        injuries: injuries as typed ("sprained R ankle 2 days ago").
        pregnant: whether the client is pregnant.
        pregnancy_weeks: weeks of pregnancy, if known.
        age: the client's age in years, if known.
        temperature_c: a temperature taken today, if any.
        blood_pressure: (systolic, diastolic) taken today, if any.
        health_update: today's free-text update ("any change since last visit?").
        flags: checkboxes ticked at intake or today.
        clearances_on_file: alert codes for which a clearance is on file.
    """

    conditions: tuple[str, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[str, ...] = ()
    surgeries: tuple[Surgery, ...] = ()
    injuries: tuple[str, ...] = ()
    pregnant: bool = False
    pregnancy_weeks: int | None = None
    age: int | None = None
    temperature_c: float | None = None
    blood_pressure: tuple[int, int] | None = None
    health_update: str = ""
    flags: frozenset[HealthFlag] = frozenset()
    clearances_on_file: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Alert:
    """One contraindication or precaution found in the health history.

    Attributes:
        tier: how strongly it holds the session back.
        code: stable rule code ("dvt", "anticoagulant").
        title: short title ("Suspected or known blood clot (DVT)").
        message: what it means for the session, in plain words.
        source: what triggered it ('condition "DVT L calf"', 'medication "Eliquis 5 mg"').
        action: what the app does about it.
        max_pressure: the highest Walton pressure recommended, for deep-tissue cautions.
        body_part: the body part in words ("left shin") when one is known.
        side: the client's side of that body part, if one was given.
        stems: atlas region stems that the body part covers (areas to avoid, limb cautions).
        clearance_on_file: a clearance is recorded for this alert's code.
    """

    tier: AlertTier
    code: str
    title: str
    message: str
    source: str
    action: AlertAction
    max_pressure: int | None = None
    body_part: str | None = None
    side: Side | None = None
    stems: tuple[str, ...] = ()
    clearance_on_file: bool = False

    @property
    def needs_override(self) -> bool:
        """Whether charting waits for a recorded override reason."""
        return self.tier is AlertTier.STOP_REFER

    @property
    def needs_clearance(self) -> bool:
        """Whether a clearance banner is still due."""
        return self.tier is AlertTier.CLEARANCE and not self.clearance_on_file

    def covers(self, region_id: str, side: Side | None = None) -> bool:
        """Whether a region lies in this alert's body part, on its side.

        The side is taken from ``side`` or, if not given, from the id's suffix (".r", ".l").
        """
        if not self.stems or region_stem(region_id) not in self.stems:
            return False
        side = side or _SIDE_SUFFIXES.get(region_id.rpartition(".")[2] if "." in region_id else "")
        return self.side is None or side is None or side is Side.MIDLINE or side is self.side

    def region_ids(self, region_ids: Iterable[str]) -> list[str]:
        """The regions (of those given) that this alert covers: where to draw areas to avoid."""
        return [region_id for region_id in region_ids if self.covers(region_id)]


_SIDE_SUFFIXES = {"r": Side.RIGHT, "l": Side.LEFT}


@dataclass(frozen=True)
class AlertRule:
    """One rule of the table: which conditions or medication classes raise which alert.

    Attributes:
        code: stable code, also used for clearances and overrides.
        tier: the alert tier.
        title: short title.
        message: what it means, in plain words.
        patterns: regular expressions matched (as whole words) against folded condition text.
        pregnancy_patterns: patterns that count only when the client is pregnant.
        med_classes: medication classes that raise the alert.
        max_pressure: highest recommended Walton pressure (deep-tissue cautions).
        history: what a past-tense mention ("history of DVT") does: "same" raises this alert,
            "skip" raises nothing, any other value is the code of the rule to raise instead.
        locate: find the body part in the text (areas to avoid, limb-specific cautions).
        default_part: body part text used when none is named ("injection sites").
    """

    code: str
    tier: AlertTier
    title: str
    message: str
    patterns: tuple[str, ...] = ()
    pregnancy_patterns: tuple[str, ...] = ()
    med_classes: frozenset[MedicationClass] = frozenset()
    max_pressure: int | None = None
    history: str = "same"
    locate: bool = False
    default_part: str | None = None
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _pregnancy_regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.patterns:
            object.__setattr__(self, "_regex", _compile(self.patterns))
        if self.pregnancy_patterns:
            object.__setattr__(self, "_pregnancy_regex", _compile(self.pregnancy_patterns))

    def matches(self, text: str, *, pregnant: bool) -> bool:
        """Whether normalised condition text raises this rule."""
        if self._regex is not None and self._regex.search(text):
            return True
        return (
            pregnant
            and self._pregnancy_regex is not None
            and bool(self._pregnancy_regex.search(text))
        )


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")


_S, _C, _D, _L, _P, _X = (
    AlertTier.STOP_REFER,
    AlertTier.CLEARANCE,
    AlertTier.DEEP_TISSUE_CAUTION,
    AlertTier.LOCAL_AVOID,
    AlertTier.POSITIONING,
    AlertTier.PRODUCTS,
)
_M = MedicationClass

_CANCER_WORDS = (
    r"cancers?", r"carcinoma", r"lymphoma", r"leuk(?:a)?emia", r"melanoma", r"sarcoma",
    r"myeloma", r"malignan\w*", r"metasta\w*", r"mets", r"oncology",
)  # fmt: skip

ALERT_RULES: tuple[AlertRule, ...] = (
    # Stop / refer: systemic conditions; charting waits for an override reason.
    AlertRule(
        "dvt", _S, "Suspected or known blood clot (DVT)",
        "A clot can break loose and travel to the lungs. Do not massage; refer the client to a "
        "physician today. If a DVT is being treated, massage waits for medical clearance.",
        patterns=(
            r"dvt", r"deep (?:vein|venous) thrombos[ie]s", r"blood clots?",
            r"clots? in (?:the |my |her |his )?(?:\w+ )?(?:legs?|calf|calves|arms?|lungs?|thigh)",
            r"thrombos[ie]s", r"thrombus", r"thrombophlebitis", r"pulmonary embol\w*", r"embolism",
            r"(?:one|single|unilateral) (?:swollen )?(?:leg|calf) (?:swelling|swollen)",
            r"swollen (?:red |hot |painful )*(?:calf|leg) with (?:redness|heat|pain)",
        ),
        history="dvt_history", locate=True,
    ),
    AlertRule(
        "fever", _S, "Fever",
        "Fever means the body is fighting an illness; massage can make it worse and may spread "
        "infection. Reschedule.",
        patterns=(
            r"fever(?:ish)?", r"febrile", r"high temperature", r"temperature today", r"chills",
        ),
        history="skip",
    ),
    AlertRule(
        "acute_infection", _S, "Acute or contagious illness",
        "An acute systemic or contagious illness: reschedule until the client has recovered.",
        patterns=(
            r"flu(?! shots?| vaccines?| jabs?)", r"influenza", r"covid(?: ?19)?", r"coronavirus",
            r"acute (?:\w+ )?infection",
            r"contagious", r"stomach bug", r"gastroenteritis", r"norovirus", r"pneumonia",
            r"strep throat", r"common cold", r"(?:a|head|chest) cold", r"bronchitis",
            r"sinus infection", r"(?:viral|bacterial) infection", r"tuberculosis", r"measles",
            r"chickenpox", r"mono(?:nucleosis)?", r"sepsis", r"vomiting", r"diarrh(?:o)?ea",
        ),
        history="skip",
    ),
    AlertRule(
        "uncontrolled_hypertension", _S, "Severe or unstable high blood pressure",
        "Blood pressure that is severe or not under control needs medical attention before "
        "massage. Refer, or record why the session may go ahead.",
        patterns=(
            r"(?:uncontrolled|unstable|unmanaged|poorly controlled|severe|malignant|very high)"
            r" (?:high blood pressure|hypertension|htn|bp|blood pressure)",
            r"hypertensive (?:crisis|emergency|urgency)", r"blood pressure (?:crisis|spike)",
        ),
        history="skip",
    ),
    AlertRule(
        "pregnancy_red_flags", _S, "Pregnancy warning signs",
        "Bleeding, cramping, sudden swelling, severe headache, or signs of pre-eclampsia or "
        "placental problems need the client's midwife or obstetrician now. Postpone massage.",
        patterns=(
            r"pre ?eclampsia", r"eclampsia", r"placent(?:a|al) (?:previa|praevia|abruption)",
            r"placental abruption", r"abruption", r"hellp(?: syndrome)?",
        ),
        pregnancy_patterns=(
            r"(?:vaginal )?bleeding", r"spotting", r"cramping", r"cramps", r"contractions",
            r"sudden (?:\w+ )?(?:swelling|edema|oedema)", r"(?:widespread|severe) (?:swelling|"
            r"edema|oedema)", r"severe headaches?", r"blurred vision", r"leaking fluid",
            r"reduced (?:fetal|foetal|baby) movements?",
        ),
        history="skip",
    ),
    AlertRule(
        "acute_medical", _S, "Symptoms that need medical attention",
        "These symptoms need a physician before any massage: chest pain, loss of bladder or "
        "bowel control, numbness in the saddle area, or a sudden severe headache.",
        patterns=(
            r"chest pains?", r"(?:loss of|losing|lost) (?:bladder|bowel) control",
            r"(?:bladder|bowel) incontinence (?:new|sudden)",
            r"saddle (?:numbness|an(?:a)?esthesia)",
            r"cauda equina", r"sudden severe headache", r"worst headache", r"thunderclap headache",
        ),
        history="skip",
    ),
    # Clearance recommended: a banner until a clearance is on file.
    AlertRule(
        "cancer_treatment", _C, "Cancer or cancer treatment",
        "Ask the oncology team for clearance before massage, and for any limits on pressure, "
        "positioning and sites (tumour, ports, radiation fields, lymph nodes).",
        patterns=(
            r"on chemo(?:therapy)?", r"chemo(?:therapy)?", r"radiation(?: therapy| treatment)?",
            r"radiotherapy", r"immunotherapy", r"cancer treatment", r"active cancer",
            r"oncology", *_CANCER_WORDS,
        ),
        med_classes=frozenset({_M.CHEMOTHERAPY}),
        history="cancer_history",
    ),
    AlertRule(
        "high_risk_pregnancy", _C, "High-risk pregnancy",
        "A high-risk pregnancy needs a release from the client's midwife or obstetrician before "
        "massage.",
        patterns=(
            r"high ?risk pregnancy", r"high risk pregnant", r"gestational diabetes", r"gdm",
            r"(?:gestational|pregnancy(?: induced)?) hypertension", r"pih",
        ),
        pregnancy_patterns=(
            r"high ?risk", r"twins", r"triplets", r"multiples", r"multiple pregnancy",
            r"previous (?:miscarriages?|preterm (?:labou?r|birth))", r"preterm labou?r",
            r"miscarriages?", r"placenta (?:low|lying)", r"low lying placenta",
        ),
    ),
    AlertRule(
        "recent_surgery", _C, "Surgery in the last six weeks",
        "Ask the surgeon for clearance, and avoid deep pressure near the surgical site for at "
        "least six weeks.",
        patterns=(
            r"recent (?:\w+ )?surgery", r"recent operation", r"post ?op(?:erative)?",
            r"just had (?:\w+ )?surgery", r"surgery (?:last|this) (?:week|month)",
        ),
        history="skip",
    ),
    AlertRule(
        "heart_disease", _C, "Heart disease",
        "Ask the client's physician for clearance; keep sessions gentle and watch for "
        "breathlessness or chest discomfort.",
        patterns=(
            r"heart (?:disease|failure|condition|attack|problems?)", r"chf", r"congestive",
            r"coronary(?: artery)?(?: disease)?", r"cad", r"myocardial infarction", r"angina",
            r"cardiomyopathy", r"arrhythmias?", r"atrial fibrillation", r"a ?fib",
            r"(?:cardiac|heart|coronary) stents?",
            r"(?:cardiac|heart|coronary|double|triple|quadruple) bypass", r"cabg", r"heart valve",
            r"pacemaker", r"cardiac \w+",
        ),
    ),
    AlertRule(
        "stroke_tia", _C, "Recent stroke or TIA",
        "After a stroke or TIA, ask the physician for clearance; clients are often on blood "
        "thinners and may have reduced sensation on one side.",
        patterns=(
            r"strokes?", r"cva", r"tia", r"transient isch(?:a)?emic attacks?", r"mini ?stroke",
        ),
        history="skip",
    ),
    AlertRule(
        "uncontrolled_diabetes", _C, "Uncontrolled diabetes",
        "Diabetes that is not under control needs the physician's clearance; check the feet and "
        "skin, and keep a snack nearby.",
        patterns=(
            r"(?:uncontrolled|poorly controlled|unstable|brittle|unmanaged) "
            r"(?:type [12] )?(?:diabetes|blood sugars?|dm|t[12]dm)",
            r"(?:blood sugars?|glucose) (?:out of control|unstable|high today)",
        ),
        history="skip",
    ),
    AlertRule(
        "dermatomyositis", _C, "Dermatomyositis or polymyositis",
        "Inflammatory muscle disease: ask the physician for clearance and keep pressure light.",
        patterns=(r"dermatomyositis", r"polymyositis", r"myositis"),
    ),
    # Deep-tissue caution: pressure capped; deep work is warned about.
    AlertRule(
        "anticoagulant", _D, "Blood thinner (anticoagulant)",
        "Anticoagulants raise the risk of bruising and internal bleeding: no deep pressure, no "
        "friction or trigger-point compression.",
        patterns=(r"blood thinners?", r"anticoagula\w*"),
        med_classes=frozenset({_M.ANTICOAGULANT}), max_pressure=2,
    ),
    AlertRule(
        "antiplatelet", _D, "Antiplatelet medication",
        "Antiplatelet drugs (clopidogrel, aspirin...) make bruising easier: avoid deep pressure "
        "and sustained compression.",
        patterns=(r"antiplatelets?",),
        med_classes=frozenset({_M.ANTIPLATELET}), max_pressure=3,
    ),
    AlertRule(
        "bleeding_disorder", _D, "Bleeding disorder or low platelets",
        "Bleeding disorders and low platelet counts make bruising and bleeding likely: keep "
        "pressure light.",
        patterns=(
            r"bleeding disorders?", r"ha?emophilia", r"von willebrands?(?: disease)?",
            r"low platelets?(?: count)?", r"thrombocytopenia", r"itp", r"bruises? easily",
            r"easy bruising", r"clotting disorder",
        ),
        max_pressure=2,
    ),
    AlertRule(
        "bone_metastasis", _D, "Cancer in the bones",
        "Bone involvement makes bones fragile: no pressure over the affected bones, light "
        "pressure elsewhere, and no joint mobilisation.",
        patterns=(
            r"bone metasta\w*", r"bone mets", r"bony mets", r"mets to (?:the )?bones?",
            r"metasta\w* to (?:the )?(?:bones?|spine|ribs?|hips?|pelvis)", r"multiple myeloma",
            r"bone cancer",
        ),
        max_pressure=2, history="same",
    ),
    AlertRule(
        "osteoporosis", _D, "Osteoporosis or osteopenia",
        "Weakened bones can fracture under deep pressure: keep pressure moderate, especially over "
        "the ribs and spine, and avoid forceful joint work.",
        patterns=(
            r"osteoporo(?:sis|tic)", r"osteopenia", r"brittle bones", r"low bone density",
            r"bone (?:density )?loss", r"osteogenesis imperfecta", r"thinning bones",
        ),
        max_pressure=3,
    ),
    AlertRule(
        "corticosteroid", _D, "Corticosteroids",
        "Long-term steroids thin the skin, bruise easily and weaken bones: avoid deep pressure "
        "and any recent injection site.",
        patterns=(r"(?:long term |oral )?steroids", r"steroid use", r"on prednisone"),
        med_classes=frozenset({_M.CORTICOSTEROID}), max_pressure=3,
    ),
    AlertRule(
        "altered_pain_feedback", _D, "Pain feedback dulled by medication",
        "Opioids and muscle relaxants blunt pain, so the client may not notice overtreatment: "
        "ask for feedback often and keep pressure moderate.",
        patterns=(
            r"(?:took|taken|had) (?:\w+ )?(?:pain ?killers?|pain medication|pain meds|opioids?)"
            r"(?: today)?",
            r"pain ?killers? today", r"muscle relaxants? today",
        ),
        med_classes=frozenset({_M.OPIOID, _M.MUSCLE_RELAXANT}), max_pressure=3,
    ),
    AlertRule(
        "pain_reliever", _D, "Pain reliever",
        "Ask whether a pain reliever was taken today: it can hide overtreatment. Check in about "
        "pressure.",
        med_classes=frozenset({_M.ANALGESIC, _M.NSAID}),
    ),
    AlertRule(
        "neuropathy", _D, "Neuropathy or reduced sensation",
        "Where sensation is reduced the client cannot judge pressure: keep it moderate and check "
        "the skin.",
        patterns=(
            r"(?:peripheral |diabetic )?neuropath(?:y|ies)", r"(?:loss of|reduced|no) (?:sensation|"
            r"feeling)", r"numb (?:feet|hands|toes)", r"numbness in (?:\w+ )?(?:feet|hands|toes)",
        ),
        max_pressure=3, locate=True,
    ),
    AlertRule(
        "fragile_skin", _D, "Fragile skin",
        "Thin or fragile skin tears and bruises easily: light pressure, plenty of lubricant, no "
        "friction.",
        patterns=(
            r"fragile skin", r"thin skin", r"paper(?: thin)? skin", r"skin tears?",
            r"epidermolysis bullosa",
        ),
        max_pressure=2,
    ),
    AlertRule(
        "lymphedema", _D, "Lymphedema or lymphedema risk",
        "A limb with lymphedema, or at risk of it after lymph node removal or radiation, needs "
        "light pressure for life; no deep work on that side.",
        patterns=(
            r"lymph(?:o)?edema", r"lymphoedema", r"lymph nodes? (?:removed|removal|dissection)",
            r"(?:node|axillary) dissection", r"nodes removed", r"sentinel node",
        ),
        max_pressure=2, locate=True,
    ),
    AlertRule(
        "dvt_history", _D, "History of blood clots",
        "A past DVT leaves a higher risk of another: light pressure on the limbs (especially the "
        "legs), and stop if new swelling, heat or redness appears.",
        max_pressure=2, locate=True, default_part="legs",
    ),
    AlertRule(
        "cancer_history", _D, "History of cancer",
        "Ask about lymph node removal, radiation fields, bone involvement and current follow-up; "
        "pressure limits may apply for life.",
        max_pressure=3,
    ),
    # Local avoid: areas marked on the chart.
    AlertRule(
        "open_wound", _L, "Open or healing wound",
        "Do not massage over or next to an open or healing wound, burn or ulcer.",
        patterns=(
            r"(?:open|healing|fresh) (?:wounds?|sores?|cuts?)", r"wounds?", r"lacerations?",
            r"abrasions?", r"cuts?", r"scrapes?", r"burns?", r"sunburn", r"blisters?",
            r"(?:skin|foot|leg|pressure|diabetic|venous) ulcers?", r"bed ?sores?",
            r"stitches", r"sutures?", r"staples",
            r"(?:new|fresh|recent) (?:tattoos?|piercings?)",
        ),
        history="skip", locate=True,
    ),
    AlertRule(
        "skin_infection", _L, "Skin infection or rash",
        "Do not massage over a skin infection or rash; it can spread. If widespread, reschedule.",
        patterns=(
            r"skin infections?", r"cellulitis", r"impetigo", r"ringworm", r"athletes? foot",
            r"fungal (?:skin )?infections?", r"shingles", r"herpes", r"cold sores?", r"rash(?:es)?",
            r"mrsa", r"boils?", r"abscess", r"poison (?:ivy|oak)", r"scabies", r"warts?",
            r"hives", r"eczema flare", r"psoriasis flare", r"dermatitis",
        ),
        history="skip", locate=True,
    ),
    AlertRule(
        "varicose_veins", _L, "Varicose veins",
        "No pressure directly over varicose veins; light strokes toward the heart around them.",
        patterns=(r"varicose(?: veins?)?", r"varicosit(?:y|ies)"),
        locate=True, default_part="legs",
    ),
    AlertRule(
        "surgery_site", _L, "Recent surgery site",
        "Avoid the surgical site and the tissue around it for at least six weeks, and until the "
        "surgeon says it has healed.",
        locate=True,
    ),
    AlertRule(
        "fracture", _L, "Fracture",
        "Do not massage over a fracture or a cast; work elsewhere only with the physician's "
        "agreement.",
        patterns=(
            r"fractur\w*", r"broken (?:\w+ )?(?:bones?|arm|leg|wrist|ankle|rib|ribs|hand|foot|"
            r"toe|finger|collarbone|clavicle|hip|elbow)", r"fx", r"in a cast", r"cast on",
        ),
        history="skip", locate=True,
    ),
    AlertRule(
        "acute_sprain", _L, "Acute sprain, strain or inflammation",
        "No massage directly on an acute injury or inflamed joint for the first days; work "
        "around it.",
        patterns=(
            r"sprain(?:ed|s)?", r"acute (?:strain|injury|inflammation)", r"pulled (?:\w+ )?muscle",
            r"torn (?:\w+ )?(?:ligament|muscle|tendon)", r"inflamed", r"gout(?: flare)?",
            r"(?:arthritis|rheumatoid|ra) flare(?: up)?", r"hot swollen", r"swollen (?:\w+ )?joint",
            r"bursitis flare",
        ),
        history="skip", locate=True,
    ),
    AlertRule(
        "tumour_site", _L, "Tumour or unexplained lump",
        "No direct pressure over a tumour or an unexplained lump; ask the client to have a new "
        "lump checked.",
        patterns=(
            r"tumou?rs?", r"lumps?", r"(?:unknown|unexplained|new) (?:mass|growth)", r"cysts?",
        ),
        history="skip", locate=True,
    ),
    AlertRule(
        "injection_site", _L, "Injection, port or device site",
        "Avoid recent injection sites, insulin sites and pumps, ports and lines, and implanted "
        "devices.",
        patterns=(
            r"injection sites?", r"(?:cortisone|steroid|botox|prp) (?:shot|injection)s?",
            r"flu shot", r"vaccin\w*", r"insulin (?:pump|injections?|sites?)",
            r"port a cath", r"(?:chemo|medi) ?ports?", r"ports?", r"insulin dependent",
            r"picc(?: line)?", r"iv line", r"catheter",
            r"pacemaker", r"ostomy", r"colostomy", r"ileostomy", r"stoma", r"nerve stimulator",
        ),
        med_classes=frozenset({_M.INSULIN}),
        history="skip", locate=True, default_part="injection sites",
    ),
    AlertRule(
        "radiation_field", _L, "Radiation field",
        "Skin in a radiation field is fragile: no lubricant, friction or pressure on it during "
        "treatment and while it heals.",
        patterns=(r"radiation (?:field|site|burn|area)", r"radiotherapy (?:field|site|area)"),
        locate=True,
    ),
    AlertRule(
        "hernia", _L, "Hernia",
        "No pressure over a hernia.",
        patterns=(r"(?:inguinal|umbilical|abdominal|femoral|incisional) hernia", r"hernias?"),
        history="skip", locate=True, default_part="abdomen",
    ),
    # Positioning.
    AlertRule(
        "pregnancy_position", _P, "Pregnancy: side-lying",
        "Past 20 weeks of pregnancy, lying on the back can press on the large veins: use "
        "side-lying (or semi-reclined) with pillows.",
    ),
    AlertRule(
        "pregnancy_legs", _D, "Pregnancy: legs",
        "Pregnancy raises the risk of blood clots: no deep pressure on the legs.",
        max_pressure=2, default_part="legs",
    ),
    AlertRule(
        "reflux", _P, "Reflux",
        "Lying flat can bring on reflux: raise the head of the table or use side-lying, and "
        "keep prone time short.",
        patterns=(r"reflux", r"gerd", r"gord", r"heartburn", r"hiatal hernia", r"hiatus hernia"),
    ),
    AlertRule(
        "breathing", _P, "Breathing difficulty",
        "Breathing may be harder lying flat or face down: semi-reclined or side-lying, and "
        "short prone time.",
        patterns=(
            r"asthma(?:tic)?", r"copd", r"emphysema", r"shortness of breath", r"short of breath",
            r"sob", r"breathing (?:problems?|issues?|difficult(?:y|ies))", r"difficulty breathing",
            r"dyspn(?:o)?ea", r"sleep apn(?:o)?ea", r"cystic fibrosis",
        ),
    ),
    AlertRule(
        "dizziness", _P, "Dizziness on getting up",
        "Blood pressure medicine or low blood pressure can cause dizziness on rising: sit up "
        "slowly and stay seated for a moment before standing.",
        patterns=(
            r"low blood pressure", r"hypotension", r"orthostatic\w*", r"dizz(?:y|iness)",
            r"vertigo", r"pots", r"faint(?:ing|s)?", r"syncope", r"light ?headed(?:ness)?",
        ),
        med_classes=frozenset({_M.ANTIHYPERTENSIVE}),
    ),
    AlertRule(
        "allergy", _X, "Allergy or sensitivity",
        "Check lotions, oils (nut oils), scents, linens and gloves (latex) against this allergy.",
    ),
)  # fmt: skip
"""The alert rules, most severe first. Codes are stable: clearances and overrides refer to them."""

RULES_BY_CODE: dict[str, AlertRule] = {rule.code: rule for rule in ALERT_RULES}

_NEGATION = re.compile(
    r"^(?:no|not|none|nil|nkda|nka|n a|denies|denied|negative for|ruled out|never had|"
    r"without any)\b"
)
_HISTORY = re.compile(
    r"\b(?:history of|hx of|hx|h o|pmh|in the past|past history|previous(?:ly)?|prior|old|resolved|"
    r"former(?:ly)?|"
    r"years ago|in remission|remission|cancer free|survivor|"
    r"last (?:year|winter|spring|summer|fall|autumn))\b"
)
_WEEKS_AGO = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten) ?"
    r"(days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y) ago\b"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_RECOVERED = re.compile(r"^(?:had|got over|recovered from|over)\b")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
}  # fmt: skip
_DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}
_SURGERY_WORDS = re.compile(
    r"\b(?:surgery|surgical|operation|op|incision|repair|replacement|reconstruction|"
    r"arthroscop\w*|\w+ectomy|\w+otomy|\w+plasty|fusion|post op)\b"
)


def normalise_condition(text: str) -> str:
    """Fold case and accents, and turn punctuation into single spaces: "Hx. of D.V.T." -> ..."""
    folded = fold(text).replace("'", "")
    folded = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)", "", folded)  # d.v.t -> dvt
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _days_ago(text: str) -> int | None:
    match = _WEEKS_AGO.search(text)
    if match is None:
        return None
    count = _NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
    return count * _DAYS_PER_UNIT[match.group(2)[0]]


@dataclass
class _Builder:
    """Collects alerts, merging the same rule raised for the same body part by several sources."""

    clearances: frozenset[str]
    alerts: dict[tuple[str, str | None], Alert] = field(default_factory=dict)

    def add(self, rule: AlertRule, source: str, part: BodyPart | None = None) -> None:
        if part is None and rule.default_part is not None:
            found = find_body_part(rule.default_part)
            part = BodyPart(rule.default_part, None, found.stems if found else ())
        body_part = part.text if part is not None else None
        key = (rule.code, body_part)
        existing = self.alerts.get(key)
        if existing is not None:
            if source not in existing.source.split("; "):
                self.alerts[key] = replace(existing, source=f"{existing.source}; {source}")
            return
        self.alerts[key] = Alert(
            tier=rule.tier,
            code=rule.code,
            title=rule.title,
            message=rule.message,
            source=source,
            action=_TIER_ACTION[rule.tier],
            max_pressure=rule.max_pressure,
            body_part=body_part,
            side=part.side if part is not None else None,
            stems=part.stems if part is not None else (),
            clearance_on_file=rule.code in self.clearances,
        )

    def codes(self) -> set[str]:
        return {code for code, _ in self.alerts}


def _is_past(norm: str, days: int | None, today: dt.date) -> bool:
    """Whether typed text speaks of the past: "history of", "had", "in 2019", "8 months ago"."""
    if _HISTORY.search(norm) or _RECOVERED.search(norm):
        return True
    if days is not None:
        return days > RECENT_SURGERY_DAYS
    return any(int(year) < today.year for year in _YEAR.findall(norm))


def _scan_text(
    builder: _Builder, text: str, source: str, *, pregnant: bool, today: dt.date
) -> None:
    """Raise every rule that a piece of typed health text matches."""
    norm = normalise_condition(text)
    if not norm or _NEGATION.search(norm):
        return
    days = _days_ago(norm)
    past = _is_past(norm, days, today)
    part = find_body_part(norm)
    for rule in ALERT_RULES:
        if not rule.matches(norm, pregnant=pregnant):
            continue
        target = rule
        if past:
            if rule.history == "skip":
                continue
            if rule.history != "same":
                target = RULES_BY_CODE[rule.history]
        if rule.code == "recent_surgery" and days is not None and days > RECENT_SURGERY_DAYS:
            continue
        builder.add(target, source, part if target.locate else None)
        if target.code == "recent_surgery":
            builder.add(RULES_BY_CODE["surgery_site"], source, part)
    if days is not None and days <= RECENT_SURGERY_DAYS and _SURGERY_WORDS.search(norm):
        builder.add(RULES_BY_CODE["recent_surgery"], source)
        builder.add(RULES_BY_CODE["surgery_site"], source, part)


def assess_health(
    snapshot: HealthSnapshot,
    *,
    today: dt.date | None = None,
    user_medications: Mapping[str, MedicationClass] | None = None,
) -> list[Alert]:
    """Every alert the health history and today's update raise, most severe tier first.

    Args:
        snapshot: the client's health history and today's update.
        today: the date of the session (recent surgery is counted back from it).
        user_medications: the practice's own medication table, passed to the medication lookup.
    """
    today = today or dt.date.today()
    builder = _Builder(snapshot.clearances_on_file)
    pregnant = snapshot.pregnant or (snapshot.pregnancy_weeks or 0) > 0
    texts = [(text, f'condition "{text}"') for text in snapshot.conditions]
    texts += [(text, f'injury "{text}"') for text in snapshot.injuries]
    if snapshot.health_update.strip():
        texts += [(snapshot.health_update, f'today\'s update "{snapshot.health_update}"')]
    for text, source in texts:
        _scan_text(builder, text, source, pregnant=pregnant, today=today)

    for surgery in snapshot.surgeries:
        source = f'surgery "{surgery.description}"'
        if surgery.date is not None:
            if 0 <= (today - surgery.date).days <= RECENT_SURGERY_DAYS:
                source = f"{source} on {surgery.date.isoformat()}"
                builder.add(RULES_BY_CODE["recent_surgery"], source)
                builder.add(
                    RULES_BY_CODE["surgery_site"], source, find_body_part(surgery.description)
                )
        else:
            _scan_text(builder, surgery.description, source, pregnant=pregnant, today=today)

    for medication in snapshot.medications:
        med_class = medication.med_class or classify_medication(medication.name, user_medications)
        if med_class is None:
            continue
        for rule in ALERT_RULES:
            if med_class in rule.med_classes:
                builder.add(rule, f'medication "{medication.name}" ({med_class.value})')

    _vital_signs(builder, snapshot)
    _flags(builder, snapshot)
    _pregnancy(builder, snapshot, pregnant=pregnant)
    if snapshot.age is not None and snapshot.age >= OLDER_CLIENT_AGE:
        builder.add(_OLDER_CLIENT, f"age {snapshot.age}")
    for allergy in snapshot.allergies:
        if allergy.strip() and not _NEGATION.search(normalise_condition(allergy)):
            builder.add(RULES_BY_CODE["allergy"], f'allergy "{allergy}"')
    return sort_alerts(builder.alerts.values())


_OLDER_CLIENT = AlertRule(
    "older_client", _D, "Older client",
    "Skin and bones are often more fragile after 80: moderate pressure, and watch for bruising.",
    max_pressure=3,
)  # fmt: skip
_FLAG_RULES = {
    HealthFlag.DVT_SIGNS: "dvt",
    HealthFlag.FEVER: "fever",
    HealthFlag.ACUTE_INFECTION: "acute_infection",
    HealthFlag.PREGNANCY_RED_FLAGS: "pregnancy_red_flags",
    HealthFlag.HIGH_RISK_PREGNANCY: "high_risk_pregnancy",
    HealthFlag.PAIN_MEDICATION_TODAY: "altered_pain_feedback",
    HealthFlag.LYMPH_NODES_REMOVED: "lymphedema",
    HealthFlag.FRAGILE_SKIN: "fragile_skin",
}
_FEVER_CELSIUS = 38.0
_SEVERE_SYSTOLIC = 180
_SEVERE_DIASTOLIC = 110
_PREGNANCY_RISK_CODES = frozenset({"heart_disease", "uncontrolled_diabetes", "stroke_tia"})
_PREGNANCY_RISK_WORDS = re.compile(
    r"\b(?:diabetes|diabetic|dm|hypertension|htn|high blood pressure|kidney disease|"
    r"renal disease|lupus)\b"
)


def _vital_signs(builder: _Builder, snapshot: HealthSnapshot) -> None:
    if snapshot.temperature_c is not None and snapshot.temperature_c >= _FEVER_CELSIUS:
        builder.add(RULES_BY_CODE["fever"], f"temperature {snapshot.temperature_c:.1f} °C")
    if snapshot.blood_pressure is not None:
        systolic, diastolic = snapshot.blood_pressure
        if systolic >= _SEVERE_SYSTOLIC or diastolic >= _SEVERE_DIASTOLIC:
            builder.add(
                RULES_BY_CODE["uncontrolled_hypertension"],
                f"blood pressure {systolic}/{diastolic}",
            )


def _flags(builder: _Builder, snapshot: HealthSnapshot) -> None:
    for flag in HealthFlag:
        if flag in snapshot.flags:
            builder.add(
                RULES_BY_CODE[_FLAG_RULES[flag]], f"checked: {flag.value.replace('_', ' ')}"
            )


def _pregnancy(builder: _Builder, snapshot: HealthSnapshot, *, pregnant: bool) -> None:
    if not pregnant:
        return
    weeks = snapshot.pregnancy_weeks
    source = f"pregnancy, {weeks} weeks" if weeks else "pregnancy"
    builder.add(RULES_BY_CODE["pregnancy_legs"], source)
    if weeks is None or weeks > SIDE_LYING_AFTER_WEEKS:
        builder.add(RULES_BY_CODE["pregnancy_position"], source)
    risk = [
        text
        for text in snapshot.conditions
        if _PREGNANCY_RISK_WORDS.search(normalise_condition(text))
    ]
    if builder.codes() & _PREGNANCY_RISK_CODES:
        risk.append("a condition that needs clearance")
    if snapshot.age is not None and not 20 <= snapshot.age <= 35:
        risk.append(f"age {snapshot.age}")
    for reason in risk:
        builder.add(RULES_BY_CODE["high_risk_pregnancy"], f"pregnancy with {reason}")


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Alerts most severe first, then in rule-table order, then by body part."""
    order = {rule.code: index for index, rule in enumerate(ALERT_RULES)}
    return sorted(
        alerts,
        key=lambda a: (a.tier.rank, order.get(a.code, len(order)), a.body_part or ""),
    )


def blocking_alerts(alerts: Iterable[Alert], overrides: Mapping[str, str]) -> list[Alert]:
    """Stop/refer alerts still blocking charting: those without a recorded override reason.

    Args:
        alerts: the alerts of the session.
        overrides: alert code -> the override reason the therapist recorded (blank counts as none).
    """
    return [a for a in alerts if a.needs_override and not overrides.get(a.code, "").strip()]


def recommended_max_pressure(alerts: Iterable[Alert], region_id: str = "") -> int | None:
    """The lowest Walton cap of the deep-tissue cautions that apply (to a region, if given)."""
    caps = [
        a.max_pressure
        for a in alerts
        if a.tier is AlertTier.DEEP_TISSUE_CAUTION
        and a.max_pressure is not None
        and (not a.stems or not region_id or a.covers(region_id))
    ]
    return min(caps, default=None)


def areas_to_avoid(alerts: Iterable[Alert]) -> list[Alert]:
    """The local alerts, to draw as areas to avoid on the chart."""
    return [a for a in alerts if a.tier is AlertTier.LOCAL_AVOID]


# Treatment checks ---------------------------------------------------------------------------


class WarningLevel(enum.Enum):
    """How a treatment warning is shown."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


@dataclass(frozen=True)
class TreatmentWarning:
    """A proposed mark, technique or pressure that goes against an alert.

    Attributes:
        alert: the alert it goes against.
        level: block (stop/refer without override), warn, or info.
        message: what is wrong, in plain words.
    """

    alert: Alert
    level: WarningLevel
    message: str


DEEP_TECHNIQUE_PATTERNS: tuple[str, ...] = (
    r"deep", r"trigger points?", r"tp(?: therapy| release)?", r"isch(?:a)?emic compression",
    r"(?:cross )?fib(?:er|re) friction", r"friction", r"stripping", r"neuromuscular(?: therapy)?",
    r"nmt", r"iastm", r"graston", r"instrument\w*", r"cupping", r"percussion", r"massage gun",
    r"pin and stretch", r"active release(?: technique)?", r"art", r"sports massage",
    r"(?:joint )?mobili[sz]ation", r"manipulation", r"compression",
)  # fmt: skip
_DEEP_TECHNIQUE = _compile(DEEP_TECHNIQUE_PATTERNS)
_TRIGGER_POINT_KINDS = frozenset({MarkKind.TRIGGER_POINT_ACTIVE, MarkKind.TRIGGER_POINT_LATENT})
_SUPINE_OR_PRONE = re.compile(r"\b(?:supine|prone|face (?:up|down)|on (?:the|her|his) back)\b")
_PRONE = re.compile(r"\b(?:prone|face down)\b")


def is_deep_technique(technique: str) -> bool:
    """Whether a technique name means deep or sustained pressure ("deep tissue", "TP release")."""
    return bool(technique) and bool(_DEEP_TECHNIQUE.search(normalise_condition(technique)))


def check_treatment(
    alerts: Sequence[Alert],
    *,
    kind: MarkKind | None = None,
    technique: str = "",
    pressure: int | None = None,
    region_id: str = "",
    side: Side | None = None,
    position: str = "",
    overrides: Mapping[str, str] | None = None,
) -> list[TreatmentWarning]:
    """Warnings for a proposed mark, technique, pressure, region or position.

    Args:
        alerts: the session's alerts (from ``assess_health``).
        kind: the mark kind being charted, if any.
        technique: the technique being charted ("deep tissue", "Swedish").
        pressure: the Walton pressure being charted (0-5).
        region_id: the atlas region the mark or treatment is on.
        side: the client's side of that region.
        position: the client's position ("prone", "supine", "side-lying").
        overrides: stop/refer override reasons recorded so far (alert code -> reason).
    """
    overrides = overrides or {}
    warnings: list[TreatmentWarning] = []
    treating = kind is MarkKind.TREATED or bool(technique) or pressure is not None
    trigger_point = kind in _TRIGGER_POINT_KINDS
    deep_technique = is_deep_technique(technique)
    for alert in alerts:
        if alert.tier is AlertTier.STOP_REFER:
            if not overrides.get(alert.code, "").strip():
                warnings.append(
                    TreatmentWarning(
                        alert,
                        WarningLevel.BLOCK,
                        f"{alert.title}: record an override reason or physician clearance "
                        "before charting.",
                    )
                )
        elif alert.tier is AlertTier.CLEARANCE:
            if alert.needs_clearance and treating:
                warnings.append(
                    TreatmentWarning(
                        alert, WarningLevel.INFO, f"{alert.title}: no clearance is on file yet."
                    )
                )
        elif alert.tier is AlertTier.DEEP_TISSUE_CAUTION:
            message = _deep_warning(alert, trigger_point, deep_technique, pressure, region_id, side)
            if message:
                warnings.append(TreatmentWarning(alert, WarningLevel.WARN, message))
        elif alert.tier is AlertTier.LOCAL_AVOID:
            if region_id and kind is not MarkKind.AVOID and alert.covers(region_id, side):
                what = "Treating" if treating or kind is None else "Charting work on"
                warnings.append(
                    TreatmentWarning(
                        alert,
                        WarningLevel.WARN,
                        f"{what} an area to avoid ({alert.body_part}): {alert.title.lower()}.",
                    )
                )
        elif alert.tier is AlertTier.POSITIONING and position:
            message = _position_warning(alert, position)
            if message:
                warnings.append(TreatmentWarning(alert, WarningLevel.WARN, message))
    return warnings


def _deep_warning(
    alert: Alert,
    trigger_point: bool,
    deep_technique: bool,
    pressure: int | None,
    region_id: str,
    side: Side | None,
) -> str:
    if alert.stems and region_id and not alert.covers(region_id, side):
        return ""
    cap = alert.max_pressure
    over_cap = pressure is not None and cap is not None and pressure > cap
    deep_pressure = pressure is not None and pressure >= DEEP_PRESSURE_LEVEL
    if not (trigger_point or deep_technique or deep_pressure or over_cap):
        return ""
    what = (
        f"pressure {pressure}"
        if deep_pressure or over_cap
        else "trigger-point work"
        if trigger_point
        else "a deep technique"
    )
    where = f" on the {alert.body_part}" if alert.body_part else ""
    limit = f" Recommended maximum: Walton {cap}." if cap is not None else ""
    return f"{alert.title} ({alert.source}): caution with {what}{where}.{limit}"


def _position_warning(alert: Alert, position: str) -> str:
    text = normalise_condition(position)
    if alert.code == "pregnancy_position" and _SUPINE_OR_PRONE.search(text):
        return f"{alert.title}: use side-lying rather than {position}."
    if alert.code in ("reflux", "breathing") and _PRONE.search(text):
        return f"{alert.title}: keep prone time short, or use side-lying."
    return ""


def tier_counts(alerts: Iterable[Alert]) -> dict[AlertTier, int]:
    """How many alerts of each tier, for a badge."""
    counts = dict.fromkeys(AlertTier, 0)
    for alert in alerts:
        counts[alert.tier] += 1
    return counts
