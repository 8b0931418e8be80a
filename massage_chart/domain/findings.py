"""Charted marks as plain values for the rules modules, and body areas that order and find them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.text import fold


@dataclass(frozen=True)
class MarkFinding:
    """One charted mark, as the SOAP, alert and ICD rules read it (storage maps its rows to these).

    Attributes:
        kind: what was found or done.
        region_id: the atlas region id ("upper_trapezius.r"); empty if the mark has no region.
        region_label: the region as charted, with the side ("R upper trapezius").
        side: the client's side.
        intensity: 0-10 where the kind takes one.
        deep_muscle: a deeper muscle palpated through the region ("quadratus lumborum").
        technique: the technique used (treated areas, or a finding that was treated).
        minutes: minutes spent on the area.
        pressure: Walton pressure 0-5.
        note: free text.
        mark_id: the charted mark's id ("" when the finding was not read from a chart).
        carried_from_id: the mark of an earlier visit this one was copied forward from.
        other_regions: the other regions (id, side) a stroke or an area touches; the alerts check
            each, and ``region_label`` names those holding a tenth of it or more.
    """

    kind: MarkKind
    region_id: str = ""
    region_label: str = ""
    side: Side = Side.MIDLINE
    intensity: int | None = None
    deep_muscle: str = ""
    technique: str = ""
    minutes: int | None = None
    pressure: int | None = None
    note: str = ""
    mark_id: str = ""
    carried_from_id: str | None = None
    other_regions: tuple[tuple[str, Side], ...] = ()

    @property
    def stem(self) -> str:
        """The region id without its side suffix ("upper_trapezius"), or "" without a region."""
        return region_stem(self.region_id)

    @property
    def region_name(self) -> str:
        """The region's name without the side ("upper trapezius")."""
        return strip_side_prefix(self.region_label) or self.stem.replace("_", " ")


def region_stem(region_id: str) -> str:
    """The id without its side suffix: "upper_trapezius.r" -> "upper_trapezius"."""
    return region_id.split(".", 1)[0]


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Lumbar spine" -> "lumbar spine"; "SCM" stays.

    A trailing gloss in brackets is dropped: "L levator scapulae (superior angle)" -> "L levator
    scapulae", so the details in brackets that follow read cleanly.
    """
    label = re.sub(r"\s*\([^()]*\)$", "", label.strip()) or label.strip()
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def strip_side_prefix(label: str) -> str:
    """The label without its "R "/"L " prefix: "R upper trapezius" -> "upper trapezius"."""
    if len(label) > 2 and label[:2] in ("R ", "L "):
        return label[2:]
    return label


@dataclass(frozen=True)
class BodyArea:
    """A part of the body that groups atlas regions, in head-to-toe order.

    Attributes:
        name: plain name ("shoulders").
        stems: region stems of the atlas that belong to it.
    """

    name: str
    stems: tuple[str, ...]


BODY_AREAS: tuple[BodyArea, ...] = (
    BodyArea(
        "head and face",
        (
            "occipital", "frontalis", "temporalis", "orbit", "nose", "cheek", "masseter_tmj",
            "mouth_chin", "face_profile",
        ),
    ),
    BodyArea(
        "neck",
        (
            "suboccipital", "posterior_cervical", "cervical_spine", "sternocleidomastoid",
            "scalenes", "anterior_neck",
        ),
    ),
    BodyArea(
        "shoulders",
        (
            "upper_trapezius", "levator_scapulae", "supraspinatus", "infraspinatus", "teres",
            "anterior_deltoid",
            "middle_deltoid", "posterior_deltoid", "axilla",
        ),
    ),
    BodyArea("chest", ("pec_major_clavicular", "pec_major", "sternum", "serratus_anterior")),
    BodyArea(
        "upper back",
        (
            "middle_trapezius", "rhomboid", "lower_trapezius", "thoracic_spine",
            "thoracic_erector", "latissimus",
        ),
    ),
    BodyArea(
        "low back",
        (
            "lumbar_spine", "lumbar_erector", "quadratus_lumborum", "sacrum", "sacroiliac",
            "coccyx",
        ),
    ),
    BodyArea(
        "abdomen",
        (
            "rectus_abdominis_upper", "rectus_abdominis", "rectus_abdominis_lower",
            "external_oblique", "iliac_fossa", "suprapubic",
        ),
    ),
    BodyArea("upper arms", ("biceps", "triceps")),
    BodyArea("elbows", ("medial_elbow", "lateral_elbow", "cubital_fossa", "olecranon")),
    BodyArea("forearms", ("brachioradialis", "forearm_flexors", "forearm_extensors")),
    BodyArea(
        "hands",
        ("thenar", "palm", "fingers_palmar", "dorsal_hand", "fingers_dorsal", "hand_radial"),
    ),
    BodyArea(
        "hips",
        (
            "gluteus_maximus", "gluteus_medius", "piriformis_area", "lateral_hip", "tfl",
            "ischial_tuberosity", "femoral_triangle",
        ),
    ),
    BodyArea(
        "thighs",
        (
            "rectus_femoris", "vastus_medialis", "vastus_lateralis", "adductors", "it_band",
            "medial_hamstring", "lateral_hamstring",
        ),
    ),
    BodyArea("knees", ("anterior_knee", "medial_knee", "lateral_knee", "popliteal")),
    BodyArea(
        "lower legs",
        (
            "tibialis_anterior", "medial_shin", "fibularis", "gastrocnemius_medial",
            "gastrocnemius_lateral", "soleus", "achilles",
        ),
    ),
    BodyArea("feet", ("dorsal_foot", "lateral_foot", "heel", "plantar_foot")),
)  # fmt: skip
"""Body areas head to toe; a region's place in this table is its place in a drafted note."""

_AREA = {area.name: area for area in BODY_AREAS}
_STEM_ORDER = {stem: index for index, stem in enumerate(s for a in BODY_AREAS for s in a.stems)}


def body_order(stem: str) -> int:
    """Sort key of a region stem, head to toe; unknown stems sort after every known one."""
    return _STEM_ORDER.get(stem, len(_STEM_ORDER))


def _stems(*names: str) -> tuple[str, ...]:
    return tuple(stem for name in names for stem in _AREA[name].stems)


# Words therapists type for a body part, and the atlas regions they cover. Longer phrases first.
_BODY_WORDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"low(?:er)? back|lumbar|sacr(?:um|al)|tailbone|coccyx", "low back", _stems("low back")),
    (r"upper back|mid(?:dle)? back|thoracic", "upper back", _stems("upper back")),
    (r"upper (?:limbs?|extremit(?:y|ies))", "arm",
     _stems("shoulders", "upper arms", "elbows", "forearms", "hands")),
    (r"lower (?:limbs?|extremit(?:y|ies))", "leg",
     _stems("hips", "thighs", "knees", "lower legs", "feet")),
    (r"upper arms?|biceps?|triceps?", "upper arm", _stems("upper arms")),
    (r"forearms?", "forearm", _stems("forearms")),
    (r"wrists?", "wrist", ("forearm_flexors", "forearm_extensors", *_stems("hands"))),
    (r"hands?|palms?|fingers?|thumbs?|knuckles?", "hand", _stems("hands")),
    (r"elbows?", "elbow", _stems("elbows")),
    (r"arms?", "arm", _stems("upper arms", "elbows", "forearms")),
    (r"shoulders?|rotator cuff|deltoids?|scapula|shoulder blades?", "shoulder",
     _stems("shoulders")),
    (r"neck|cervical|throat", "neck", _stems("neck")),
    (r"jaw|tmj|temporomandibular(?: joint)?", "jaw", ("masseter_tmj",)),
    (r"face|forehead|cheeks?|eyes?|temples?", "face", _stems("head and face")),
    (r"head|scalp", "head", _stems("head and face")),
    (r"breasts?|chest|ribs?|sternum|pec(?:toral)?s?|port(?:-a-cath)?", "chest",
     _stems("chest")),
    (r"abdomen|abdominal|belly|stomach|tummy", "abdomen", _stems("abdomen")),
    (r"back", "back", _stems("upper back", "low back")),
    (r"glutes?|gluteal|buttocks?|bum|butt|piriformis", "buttock",
     ("gluteus_maximus", "gluteus_medius", "piriformis_area", "ischial_tuberosity")),
    (r"groin|inguinal", "groin", ("femoral_triangle",)),
    (r"hips?", "hip", _stems("hips")),
    (r"hamstrings?", "hamstring", ("medial_hamstring", "lateral_hamstring")),
    (r"thighs?|quads?|quadriceps|it band|itb", "thigh", _stems("thighs")),
    (r"knees?|patella|kneecap", "knee", _stems("knees")),
    (r"shins?", "shin", ("tibialis_anterior", "medial_shin")),
    (r"calf|calves|gastrocs?|soleus", "calf",
     ("gastrocnemius_medial", "gastrocnemius_lateral", "soleus")),
    (r"achilles", "Achilles tendon", ("achilles",)),
    (r"lower legs?", "lower leg", _stems("lower legs")),
    (r"legs?", "leg", _stems("thighs", "knees", "lower legs")),
    (r"ankles?", "ankle", ("achilles", "lateral_foot", "dorsal_foot", "heel")),
    (r"heels?", "heel", ("heel",)),
    (r"feet|foot|toes?|soles?|arch(?:es)?", "foot", _stems("feet")),
)  # fmt: skip
_BODY_PATTERNS = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), word, stems) for pattern, word, stems in _BODY_WORDS
)
_PLURALS = {"foot": "feet", "calf": "calves", "Achilles tendon": "Achilles tendons"}
_SIDE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:both|bilateral(?:ly)?|bilat|b l|each)\b"), "both"),
    (re.compile(r"\b(?:left|lt|l)\b"), "left"),
    (re.compile(r"\b(?:right|rt|r)\b"), "right"),
)


@dataclass(frozen=True)
class BodyPart:
    """A body part named in free text: "open wound on L shin" -> left shin.

    Attributes:
        text: the part in plain words, with the side when one was given ("left shin").
        side: the client's side, or None when both sides or no side was given.
        stems: atlas region stems the part covers (on ``side`` only, if one is set).
    """

    text: str
    side: Side | None
    stems: tuple[str, ...]


def find_body_part(text: str) -> BodyPart | None:
    """The first body part named in ``text``, with its side, or None if none is named."""
    folded = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
    found = next((entry for entry in _BODY_PATTERNS if entry[0].search(folded)), None)
    if found is None:
        return None
    _, word, stems = found
    side_word = next((name for rx, name in _SIDE_PATTERNS if rx.search(folded)), "")
    side = {"left": Side.LEFT, "right": Side.RIGHT}.get(side_word)
    if side_word == "both":
        label = f"both {_PLURALS.get(word, word + 's')}"
    else:
        label = f"{side_word} {word}".strip()
    return BodyPart(label, side, stems)
