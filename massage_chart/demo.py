"""A realistic demo practice: therapists, clients with varied histories, and visits with SOAP notes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from massage_chart.atlas import Atlas, load_atlas
from massage_chart.domain.billing import compute_units
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.identifiers import npi_with_check_digit
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.domain.placement import locate
from massage_chart.domain.record_kinds import (
    ConsentKind,
    MedicationClass,
    PayerType,
    UnitRule,
)
from massage_chart.storage import audit
from massage_chart.storage.client_records import sign_and_record
from massage_chart.storage.database import Database
from massage_chart.storage.models import (
    BillingLine,
    Claim,
    Client,
    Consent,
    Mark,
    Practice,
    Provider,
    Referral,
    Visit,
    new_id,
    utc_now,
)
from massage_chart.storage.repositories import (
    add_health_history_version,
    count_clients,
)


class DemoNotEmptyError(Exception):
    """The database already holds clients; the demo is only seeded into an empty practice."""


@dataclass(frozen=True)
class Scenario:
    """A clinical story a demo client follows from visit to visit."""

    complaint: str
    regions: str
    payer: PayerType
    icd10: tuple[str, ...]
    techniques: tuple[str, ...]
    goals: str
    conditions: tuple[str, ...] = ()
    medications: tuple[MedicationInfo, ...] = ()
    allergies: tuple[str, ...] = ()
    surgeries: str = ""
    home_care: str = "Gentle stretching twice daily; heat 15 minutes in the evening."
    cpt: tuple[str, ...] = ("97140",)
    positioning: str = "Prone and supine"
    pregnancy_weeks: int | None = None
    pressure: int = 3


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        complaint="Tension headaches and neck stiffness after long days at the computer",
        regions="bilateral upper trapezius, levator scapulae and suboccipitals",
        payer=PayerType.COMMERCIAL,
        icd10=("G44.209", "M54.2"),
        techniques=("trigger point therapy", "myofascial release", "Swedish massage"),
        goals="Work a full day at the computer with no more than 2 headaches a week.",
        medications=(
            MedicationInfo("ibuprofen", "400 mg as needed", "headache", MedicationClass.NSAID),
        ),
        home_care="Chin tucks 10 x 5 s hourly at work; upper trapezius stretch 3 x 30 s each side.",
        cpt=("97140", "97124"),
    ),
    Scenario(
        complaint="Neck pain and headaches since a rear-end car collision",
        regions="cervical paraspinals, SCM and scalenes, R upper trapezius",
        payer=PayerType.PIP,
        icd10=("S13.4XXD", "S16.1XXD", "M62.830"),
        techniques=("myofascial release", "trigger point therapy", "gentle cervical traction"),
        goals="Turn the head fully to check traffic; sleep through the night without waking from neck pain.",
        medications=(
            MedicationInfo(
                "cyclobenzaprine", "10 mg at night", "muscle spasm", MedicationClass.MUSCLE_RELAXANT
            ),
        ),
        home_care="Cervical rotation range-of-motion 10 reps each way, 3 times daily; ice 10 minutes after activity.",
        cpt=("97140", "97112"),
        pressure=2,
    ),
    Scenario(
        complaint="Low back pain after lifting boxes at work",
        regions="lumbar erector spinae, quadratus lumborum and gluteus medius",
        payer=PayerType.WORKERS_COMP,
        icd10=("S39.012D", "M62.830"),
        techniques=("deep tissue", "myofascial release", "muscle energy technique"),
        goals="Lift 10 kg from floor to waist and stand for a 4-hour shift.",
        medications=(
            MedicationInfo("naproxen", "500 mg twice daily", "back pain", MedicationClass.NSAID),
        ),
        home_care="Knee-to-chest 3 x 30 s; cat-cow 10 reps morning and evening; heat 15 minutes.",
        cpt=("97140", "97124"),
        pressure=4,
    ),
    Scenario(
        complaint="Right shoulder stiffness after rotator cuff repair",
        regions="R deltoid, infraspinatus, teres minor and pectoralis major",
        payer=PayerType.COMMERCIAL,
        icd10=("Z47.89", "M25.511"),
        techniques=("scar tissue mobilization", "lymphatic drainage", "Swedish massage"),
        goals="Reach an overhead shelf with the right arm; shoulder flexion above 150 degrees.",
        surgeries="Arthroscopic rotator cuff repair, right shoulder",
        medications=(
            MedicationInfo(
                "oxycodone", "5 mg as needed", "post-operative pain", MedicationClass.OPIOID
            ),
        ),
        home_care="Pendulum swings 2 minutes, 3 times daily; wall walks 10 reps as the surgeon allows.",
        positioning="Supine and left side-lying, right arm supported",
        pressure=2,
    ),
    Scenario(
        complaint="Heel and arch pain, worst with the first steps in the morning",
        regions="plantar fascia, gastrocnemius and soleus",
        payer=PayerType.SELF_PAY,
        icd10=("M72.2",),
        techniques=("cross-fiber friction", "myofascial release", "stretching"),
        goals="Walk 5 km without heel pain.",
        home_care="Calf stretch against a wall 3 x 30 s; roll the arch on a frozen bottle 5 minutes.",
    ),
    Scenario(
        complaint="Numbness and tingling in the right hand at night",
        regions="R forearm flexors, pronator teres and carpal tunnel area",
        payer=PayerType.COMMERCIAL,
        icd10=("G56.01", "M79.641"),
        techniques=("myofascial release", "nerve gliding", "Swedish massage"),
        goals="Sleep through the night without numbness; type for 2 hours without symptoms.",
        conditions=("type 2 diabetes",),
        medications=(MedicationInfo("metformin", "500 mg twice daily", "diabetes"),),
        home_care="Median nerve glides 10 reps, 3 times daily; wrist flexor stretch 3 x 30 s.",
    ),
    Scenario(
        complaint="Widespread aching and fatigue from fibromyalgia",
        regions="upper back, neck, hips and thighs",
        payer=PayerType.SELF_PAY,
        icd10=("M79.7",),
        techniques=("Swedish massage", "gentle myofascial release"),
        goals="Keep pain at or below 4/10 for daily walks and household tasks.",
        conditions=("fibromyalgia", "irritable bowel syndrome"),
        medications=(MedicationInfo("duloxetine", "60 mg daily", "fibromyalgia"),),
        allergies=("lavender oil",),
        home_care="Warm bath before bed; gentle whole-body stretching 10 minutes daily.",
        cpt=("97124",),
        pressure=2,
    ),
    Scenario(
        complaint="Jaw pain and clicking, clenching at night",
        regions="masseter, temporalis and SCM bilaterally",
        payer=PayerType.SELF_PAY,
        icd10=("M26.623",),
        techniques=("intraoral release", "trigger point therapy"),
        goals="Chew a full meal without jaw pain.",
        home_care="Jaw relaxation: tongue on palate, teeth apart, 5 times an hour; warm compress 10 minutes.",
    ),
    Scenario(
        complaint="Pain in the right buttock radiating down the back of the thigh",
        regions="R piriformis, gluteus medius and hamstrings",
        payer=PayerType.COMMERCIAL,
        icd10=("M54.31",),
        techniques=("trigger point therapy", "deep tissue", "stretching"),
        goals="Sit through a 1-hour meeting without leg pain.",
        home_care="Figure-four piriformis stretch 3 x 30 s each side; avoid sitting on a wallet.",
        cpt=("97140", "97124"),
        pressure=4,
    ),
    Scenario(
        complaint="Low back and hip aches in the second trimester",
        regions="lumbar paraspinals, gluteals and upper trapezius",
        payer=PayerType.SELF_PAY,
        icd10=("M54.50", "Z33.1"),
        techniques=("prenatal massage", "Swedish massage"),
        goals="Sleep comfortably on the side; stay active with daily walks.",
        conditions=("pregnancy",),
        home_care="Pelvic tilts 10 reps twice daily; side-lying with a pillow between the knees.",
        cpt=("97124",),
        positioning="Side-lying with bolsters (pregnancy past 20 weeks)",
        pregnancy_weeks=24,
        pressure=2,
    ),
    Scenario(
        complaint="Mid-back tightness and osteoporosis; on warfarin for atrial fibrillation",
        regions="thoracic erector spinae, rhomboids and middle trapezius",
        payer=PayerType.SELF_PAY,
        icd10=("M54.6",),
        techniques=("Swedish massage", "gentle myofascial release"),
        goals="Garden for 30 minutes without back pain.",
        conditions=("osteoporosis", "atrial fibrillation"),
        medications=(
            MedicationInfo(
                "warfarin", "5 mg daily", "atrial fibrillation", MedicationClass.ANTICOAGULANT
            ),
            MedicationInfo("alendronate", "70 mg weekly", "osteoporosis"),
        ),
        home_care="Shoulder-blade squeezes 10 reps twice daily; walk 20 minutes a day.",
        cpt=("97124",),
        pressure=1,
    ),
    Scenario(
        complaint="Outer knee pain when running",
        regions="R IT band, TFL and vastus lateralis",
        payer=PayerType.COMMERCIAL,
        icd10=("M76.31",),
        techniques=(
            "myofascial release",
            "cross-fiber friction",
            "instrument-assisted soft tissue",
        ),
        goals="Run 10 km without lateral knee pain.",
        home_care="Foam roll the lateral thigh 2 minutes; clamshells 3 x 15 each side.",
        pressure=4,
    ),
    Scenario(
        complaint="Elbow pain when gripping and lifting a kettle",
        regions="R forearm extensors and brachioradialis",
        payer=PayerType.WORKERS_COMP,
        icd10=("M77.11",),
        techniques=("cross-fiber friction", "trigger point therapy", "myofascial release"),
        goals="Use hand tools for a full shift without elbow pain.",
        home_care="Wrist extensor stretch 3 x 30 s; eccentric wrist extension 3 x 15 daily.",
        cpt=("97140",),
    ),
)


# --------------------------------------------------------------------------- body charts


@dataclass(frozen=True)
class Finding:
    """A mark a scenario's client shows, and how it evolves over the course of care.

    Attributes:
        kind, view, region: what is charted where (a region id of the view).
        start, end: intensity at the first visit and when it has eased (None: no intensity).
        over: visits it takes to ease from start to end (the whole course when None).
        shape: "point", "whole" (the whole region), "outline" (a small outline inside the
            region) or "stroke" (a short line, for scars).
        since, until: the part of the course (0 to 1) in which it is present.
        deep_muscle, note: charted with it.
    """

    kind: MarkKind
    view: str
    region: str
    start: int | None = None
    end: int | None = None
    over: int | None = None
    shape: str = "whole"
    since: float = 0.0
    until: float = 1.0
    deep_muscle: str = ""
    note: str = ""


_K = MarkKind
_POST, _ANT, _RLAT = "posterior", "anterior", "right_lateral"

#: Findings per scenario, in the order of SCENARIOS; treated areas are listed in TREATED_AREAS.
FINDINGS: tuple[tuple[Finding, ...], ...] = (
    (  # tension headaches
        Finding(
            _K.TRIGGER_POINT_ACTIVE,
            _POST,
            "upper_trapezius.r",
            7,
            3,
            over=5,
            shape="point",
            note="refers to the R temple",
        ),
        Finding(_K.TRIGGER_POINT_ACTIVE, _POST, "upper_trapezius.l", 6, 2, shape="point"),
        Finding(_K.TRIGGER_POINT_LATENT, _POST, "levator_scapulae.r", 4, 2, shape="point"),
        Finding(_K.HYPERTONICITY, _POST, "suboccipital.r", 6, 3, shape="outline"),
        Finding(_K.REFERRED_PAIN, _ANT, "temporalis.r", 6, 1, until=0.7),
    ),
    (  # whiplash
        Finding(_K.SPASM, _POST, "posterior_cervical.r", 6, 2, until=0.5),
        Finding(_K.TENDER_POINT, _ANT, "sternocleidomastoid.r", 5, 2, shape="point"),
        Finding(_K.PAIN, _POST, "cervical_spine", 7, 3, shape="point"),
        Finding(_K.TRIGGER_POINT_ACTIVE, _ANT, "scalenes.r", 5, 2, shape="point"),
        Finding(_K.AVOID, _ANT, "anterior_neck", note="carotid and jugular: no deep pressure"),
    ),
    (  # low back strain
        Finding(_K.PAIN, _POST, "lumbar_erector.r", 7, 3, shape="point"),
        Finding(
            _K.TRIGGER_POINT_ACTIVE,
            _POST,
            "quadratus_lumborum.r",
            6,
            2,
            shape="point",
            deep_muscle="quadratus lumborum",
        ),
        Finding(_K.HYPERTONICITY, _POST, "lumbar_erector.l", 5, 3),
        Finding(_K.ADHESION, _POST, "thoracic_erector.r", 4, 2, shape="outline", since=0.2),
    ),
    (  # rotator cuff repair
        Finding(_K.SCAR, _ANT, "anterior_deltoid.r", shape="stroke", note="arthroscopy portal"),
        Finding(_K.INFLAMMATION, _ANT, "anterior_deltoid.r", 5, 1, shape="outline", until=0.6),
        Finding(_K.ADHESION, _POST, "posterior_deltoid.r", 6, 2, shape="outline"),
        Finding(_K.TRIGGER_POINT_LATENT, _POST, "infraspinatus.r", 4, 2, shape="point"),
        Finding(_K.BRUISE, _POST, "middle_deltoid.r", until=0.3),
    ),
    (  # plantar fasciitis
        Finding(_K.PAIN, _POST, "plantar_foot.r", 7, 2, shape="point"),
        Finding(_K.STABBING, _POST, "heel.r", 6, 1, until=0.7),
        Finding(_K.TRIGGER_POINT_ACTIVE, _POST, "gastrocnemius_medial.r", 5, 2, shape="point"),
        Finding(_K.HYPERTONICITY, _POST, "soleus.r", 5, 2),
    ),
    (  # carpal tunnel
        Finding(_K.NUMBNESS, _ANT, "fingers_palmar.r", until=0.6),
        Finding(_K.PARESTHESIA, _ANT, "thenar.r", 6, 2),
        Finding(_K.BURNING, _ANT, "palm.r", 4, 1, until=0.5),
        Finding(_K.TRIGGER_POINT_ACTIVE, _ANT, "forearm_flexors.r", 5, 2, shape="point"),
    ),
    (  # fibromyalgia
        Finding(_K.ACHING, _POST, "thoracic_erector.l", 6, 4),
        Finding(_K.ACHING, _POST, "thoracic_erector.r", 6, 4),
        Finding(_K.ACHING, _POST, "lateral_hip.l", 5, 4),
        Finding(_K.TENDER_POINT, _POST, "upper_trapezius.l", 6, 5, shape="point"),
        Finding(_K.TENDER_POINT, _POST, "upper_trapezius.r", 6, 5, shape="point"),
        Finding(_K.TENDER_POINT, _POST, "gluteus_medius.r", 5, 4, shape="point"),
    ),
    (  # jaw
        Finding(_K.TRIGGER_POINT_ACTIVE, _ANT, "masseter_tmj.r", 6, 2, shape="point"),
        Finding(_K.TRIGGER_POINT_LATENT, _ANT, "temporalis.l", 4, 2, shape="point"),
        Finding(_K.PAIN, _ANT, "masseter_tmj.l", 5, 2, shape="point"),
        Finding(_K.HYPERTONICITY, _ANT, "masseter_tmj.r", 6, 3),
    ),
    (  # piriformis / sciatica
        Finding(
            _K.TRIGGER_POINT_ACTIVE,
            _POST,
            "piriformis_area.r",
            7,
            3,
            shape="point",
            deep_muscle="piriformis",
        ),
        Finding(_K.REFERRED_PAIN, _POST, "lateral_hamstring.r", 6, 1),
        Finding(_K.PARESTHESIA, _POST, "gastrocnemius_lateral.r", 4, 1, until=0.5),
    ),
    (  # prenatal
        Finding(_K.ACHING, _POST, "lumbar_erector.l", 5, 3),
        Finding(_K.ACHING, _POST, "lumbar_erector.r", 5, 3),
        Finding(_K.AVOID, _ANT, "adductors.l", note="pregnancy: no deep pressure, medial thigh"),
        Finding(_K.AVOID, _ANT, "adductors.r", note="pregnancy: no deep pressure, medial thigh"),
    ),
    (  # osteoporosis and warfarin
        Finding(_K.HYPERTONICITY, _POST, "thoracic_erector.l", 5, 3),
        Finding(
            _K.BRUISE, _POST, "latissimus.l", since=0.2, until=0.4, note="bruises easily (warfarin)"
        ),
        Finding(_K.AVOID, _POST, "thoracic_spine", note="osteoporosis: no pressure on the spine"),
    ),
    (  # IT band
        Finding(_K.TRIGGER_POINT_ACTIVE, _ANT, "vastus_lateralis.r", 6, 2, shape="point"),
        Finding(_K.ADHESION, _RLAT, "it_band.r", 5, 2, shape="outline"),
        Finding(_K.PAIN, _ANT, "lateral_knee.r", 6, 1, shape="point"),
    ),
    (  # lateral epicondylalgia
        Finding(_K.PAIN, _POST, "lateral_elbow.r", 7, 2, shape="point"),
        Finding(_K.TRIGGER_POINT_ACTIVE, _POST, "forearm_extensors.r", 6, 2, shape="point"),
        Finding(_K.INFLAMMATION, _POST, "lateral_elbow.r", 4, 1, until=0.4),
    ),
)

#: The regions each scenario's visits treat (view, region id), minutes shared among them.
TREATED_AREAS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (_POST, "upper_trapezius.r"),
        (_POST, "upper_trapezius.l"),
        (_POST, "levator_scapulae.r"),
        (_POST, "suboccipital.r"),
    ),
    (
        (_POST, "posterior_cervical.r"),
        (_POST, "posterior_cervical.l"),
        (_POST, "upper_trapezius.r"),
    ),
    (
        (_POST, "lumbar_erector.r"),
        (_POST, "lumbar_erector.l"),
        (_POST, "quadratus_lumborum.r"),
        (_POST, "gluteus_medius.r"),
    ),
    ((_POST, "infraspinatus.r"), (_POST, "teres.r"), (_ANT, "pec_major.r")),
    ((_POST, "plantar_foot.r"), (_POST, "gastrocnemius_medial.r"), (_POST, "soleus.r")),
    ((_ANT, "forearm_flexors.r"), (_ANT, "palm.r")),
    ((_POST, "thoracic_erector.l"), (_POST, "thoracic_erector.r"), (_POST, "lateral_hip.l")),
    ((_ANT, "masseter_tmj.r"), (_ANT, "masseter_tmj.l"), (_ANT, "temporalis.l")),
    ((_POST, "gluteus_maximus.r"), (_POST, "piriformis_area.r"), (_POST, "lateral_hamstring.r")),
    ((_POST, "lumbar_erector.l"), (_POST, "lumbar_erector.r"), (_POST, "lateral_hip.r")),
    ((_POST, "thoracic_erector.l"), (_POST, "rhomboid.r"), (_POST, "middle_trapezius.r")),
    ((_RLAT, "it_band.r"), (_ANT, "vastus_lateralis.r")),
    ((_POST, "forearm_extensors.r"), (_POST, "lateral_elbow.r")),
)


@dataclass(frozen=True)
class _Placed:
    points: list[list[float]]
    region_id: str | None
    side: str
    whole: bool


def _place(
    atlas: Atlas, cache: dict[tuple[MarkKind, str, str, str], _Placed], finding: Finding
) -> _Placed:
    """Where a finding is drawn, computed once with ``locate`` (never typed)."""
    key = (finding.kind, finding.view, finding.region, finding.shape)
    if key in cache:
        return cache[key]
    region = atlas.region(finding.view, finding.region)
    x, y = region.inner_point
    shape = finding.shape
    if finding.kind.geometry is Geometry.POINT:
        points, whole = [[x, y]], False
    elif shape == "stroke":
        points, whole = [[x - 0.004, y - 0.02], [x, y], [x + 0.003, y + 0.02]], False
    elif shape == "outline":
        dx, dy = 0.012, 0.008
        points = [
            [x - dx, y - dy],
            [x + dx, y - dy * 0.6],
            [x + dx * 0.8, y + dy],
            [x - dx, y + dy * 0.8],
        ]
        whole = False
        if locate(atlas, finding.view, finding.kind, points).region_id != region.id:
            points, whole = [[x, y]], True
    else:
        points, whole = [[x, y]], True
    placement = locate(atlas, finding.view, finding.kind, points, whole_region=whole)
    placed = _Placed(points, placement.region_id, placement.side, whole)
    cache[key] = placed
    return placed


def _intensity(finding: Finding, index: int, total: int) -> int | None:
    """The finding's intensity at visit ``index`` (0-based) of ``total``."""
    if finding.start is None or not finding.kind.legend.has_intensity:
        return None
    end = finding.end if finding.end is not None else finding.start
    span = (finding.over or total) - 1
    progress = min(1.0, index / span) if span > 0 else 1.0
    return round(finding.start + (end - finding.start) * progress)


def _chart_visit(
    atlas: Atlas,
    cache: dict[tuple[MarkKind, str, str, str], _Placed],
    visit: Visit,
    scenario_index: int,
    index: int,
    total: int,
    treatment_minutes: int,
    pressure: int,
    techniques: Sequence[str],
    previous: dict[str, str],
) -> dict[str, str]:
    """Add one visit's marks (before it is signed); returns this visit's mark ids by finding key,
    so the next visit's marks are carried from them."""
    progress = index / max(total - 1, 1)
    made: dict[str, str] = {}
    moment = visit.start
    for number, finding in enumerate(FINDINGS[scenario_index]):
        if not finding.since <= progress <= finding.until:
            continue
        placed = _place(atlas, cache, finding)
        key = f"{number}:{finding.kind.value}:{finding.region}"
        mark = Mark(
            id=new_id(),
            kind=finding.kind.value,
            view=finding.view,
            points=placed.points,
            region_id=placed.region_id,
            side=placed.side,
            whole_region=placed.whole,
            intensity=_intensity(finding, index, total),
            deep_muscle=finding.deep_muscle,
            note=finding.note if index == 0 or finding.kind is MarkKind.AVOID else "",
            carried_from_id=previous.get(key),
            created_at=moment + dt.timedelta(seconds=number + 1),
        )
        visit.marks.append(mark)
        made[key] = mark.id
    areas = TREATED_AREAS[scenario_index]
    share = max(5, treatment_minutes // len(areas))
    for number, (view, region_id) in enumerate(areas):
        finding = Finding(MarkKind.TREATED, view, region_id)
        placed = _place(atlas, cache, finding)
        visit.marks.append(
            Mark(
                id=new_id(),
                kind=MarkKind.TREATED.value,
                view=view,
                points=placed.points,
                region_id=placed.region_id,
                side=placed.side,
                whole_region=placed.whole,
                minutes=share,
                pressure=pressure,
                technique=techniques[number % len(techniques)],
                created_at=moment + dt.timedelta(seconds=100 + number),
            )
        )
    return made


CLIENT_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Zoë", "Nguyễn", "female"),
    ("Łukasz", "Wróbel", "male"),
    ("Дмитрий", "Иванов", "male"),
    ("小明", "王", "male"),
    ("فاطمة", "الزهراء", "female"),
    ("שרה", "כהן", "female"),
    ("José", "Álvarez", "male"),
    ("Siobhán", "O'Connell", "female"),
    ("Zoe", "Ağaoğlu", "female"),
    ("Νίκος", "Παπαδόπουλος", "male"),
    ("Aiko", "Tanaka", "female"),
    ("Grace", "Okafor", "female"),
    ("Marcus", "Johnson", "male"),
    ("Emily", "Chen", "female"),
    ("Rahul", "Sharma", "male"),
    ("Ingrid", "Bjørnstad", "female"),
    ("François", "Lefèvre", "male"),
    ("Amara", "Diallo", "female"),
    ("Liam", "Murphy", "male"),
    ("Olivia", "Smith", "female"),
    ("Mateo", "García", "male"),
    ("Hannah", "Müller", "female"),
    ("Kwame", "Mensah", "male"),
    ("Sofia", "Rossi", "female"),
    ("Jae-won", "Park", "nonbinary"),
    ("Noah", "Williams", "male"),
    ("Ava", "Thompson", "female"),
    ("Mehmet", "Yılmaz", "male"),
    ("Chloé", "Dubois", "female"),
    ("Ethan", "Brown", "male"),
)

PROVIDERS: tuple[dict[str, str], ...] = (
    {
        "first_name": "Sam",
        "last_name": "Lee",
        "credentials": "LMT",
        "license_number": "MA60012345",
        "license_jurisdiction": "WA",
        "npi_base": "123456789",
    },
    {
        "first_name": "Priya",
        "last_name": "Raman",
        "credentials": "LMT, CMTPT",
        "license_number": "MA60098765",
        "license_jurisdiction": "WA",
        "npi_base": "198765432",
    },
    {
        "first_name": "Tomás",
        "last_name": "Ortega",
        "credentials": "LMT",
        "license_number": "MA60055511",
        "license_jurisdiction": "WA",
        "npi_base": "155501234",
    },
)

PAYER_NAMES = {
    PayerType.COMMERCIAL: ("Cascade Health Plan", "Evergreen Mutual", "Pacific Blue"),
    PayerType.PIP: ("Northwest Auto Insurance", "Sound Mutual Auto"),
    PayerType.WORKERS_COMP: ("Washington L&I",),
}

PRESCRIBERS = ("Dr. A. Rahman, MD", "Dr. L. Fischer, DO", "Dr. M. Okoye, DC", "Dr. K. Sato, MD")

STREETS = ("Alder St", "Harbor Ave", "Pine Ln", "Maple Dr", "Cedar Ct", "Birch Way", "Lake Blvd")


@dataclass
class DemoSummary:
    """What the seeder made."""

    providers: int = 0
    clients: int = 0
    visits: int = 0
    signed_visits: int = 0
    client_ids: list[str] = field(default_factory=list)


def _phone(rng: random.Random) -> str:
    return f"(206) 555-{rng.randint(100, 9999):04d}"


def _pain_course(rng: random.Random, visits: int) -> list[tuple[int, int]]:
    """Pain before and after each visit: high at first, easing over the course of care."""
    start = rng.randint(6, 8)
    course: list[tuple[int, int]] = []
    for index in range(visits):
        progress = index / max(visits - 1, 1)
        before = max(
            1, min(10, round(start - progress * rng.uniform(3, 5) + rng.uniform(-0.8, 0.8)))
        )
        after = max(0, before - rng.randint(1, 3))
        course.append((before, after))
    return course


def _visit_days(rng: random.Random, today: dt.date, count: int) -> list[dt.date]:
    """Weekday visit dates, about a week apart, the last one within the past two weeks."""
    gaps = [rng.choice((6, 7, 7, 7, 8, 14)) for _ in range(count - 1)]
    day = today - dt.timedelta(days=sum(gaps) + rng.randint(1, 12))
    days: list[dt.date] = []
    for gap in [0, *gaps]:
        day += dt.timedelta(days=gap)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        if days and day <= days[-1]:
            day = days[-1] + dt.timedelta(days=1)
        days.append(day)
    return days


def _soap_text(
    rng: random.Random, scenario: Scenario, number: int, total: int, before: int, after: int
) -> tuple[str, str, str, str]:
    """The four sections of a plausible note for one visit of a scenario."""
    trend = (
        "first visit"
        if number == 1
        else rng.choice(
            (
                "improving since last visit",
                "about the same since last visit",
                "better for 3 days after last visit",
            )
        )
    )
    subjective = (
        f"{scenario.complaint}. Client reports {trend}. Pain {before}/10 at rest, "
        f"worst {min(10, before + 2)}/10 in the last 24 h. "
        + rng.choice(
            (
                "Sleep disturbed 2-3 nights a week.",
                "Difficulty with prolonged sitting.",
                "Stiff on waking, eases after 30 minutes.",
                "Symptoms worse at the end of the work day.",
            )
        )
    )
    objective = (
        f"Palpation: hypertonicity and tenderness in {scenario.regions}. "
        + rng.choice(
            (
                "Active trigger points reproduce the familiar pain.",
                "Taut bands with local twitch response.",
                "Fascial restriction on skin rolling.",
                "Guarding on first contact, softening with warm-up.",
            )
        )
        + f" Techniques: {', '.join(scenario.techniques)}. Pressure Walton {scenario.pressure}/5."
    )
    assessment = (
        f"Pain {before}/10 before and {after}/10 after treatment. "
        + rng.choice(
            (
                "Tissue texture improved; range of motion increased.",
                "Client tolerated treatment well; reduced guarding.",
                "Good response; trigger points less reactive.",
            )
        )
        + (" Progressing toward functional goals." if number > 1 else " Baseline established.")
    )
    remaining = total - number
    plan = (
        f"Continue {'weekly' if remaining > 2 else 'every 2 weeks'}; {remaining} visits remaining in plan "
        f"of care. Home care: {scenario.home_care}"
        if remaining > 0
        else f"Discharge to home program: {scenario.home_care} Return as needed."
    )
    return subjective, objective, assessment, plan


def _minutes_split(rng: random.Random, codes: Sequence[str], treatment_minutes: int) -> list[int]:
    """Split the hands-on minutes of a visit among its timed codes."""
    if len(codes) == 1:
        return [treatment_minutes]
    first = rng.choice((23, 30, 38)) if treatment_minutes >= 45 else 15
    return [first, max(8, treatment_minutes - first)]


def seed_demo(
    database: Database,
    *,
    clients: int = 30,
    seed: int = 20261123,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with a living practice.

    Args:
        database: an open, migrated database with no clients yet.
        clients: how many clients to make (names repeat with a number past the built-in list).
        seed: the random seed; the same seed and day give the same practice.
        today: the day the demo is "now" (visits lie before it).
        progress: called with a short message now and then.

    Raises:
        DemoNotEmptyError: the database already holds clients.
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    summary = DemoSummary()
    with database.read() as session:
        if count_clients(session, include_archived=True):
            raise DemoNotEmptyError(
                f"The database {database.display_name} already holds clients; the demo practice "
                "is only added to an empty database."
            )
    with database.write() as session:
        practice = Practice(
            name="Harbourview Clinical Massage",
            address="1200 Harbor Ave, Suite 210\nSeattle, WA 98101",
            phone="(206) 555-0142",
            email="front@harbourview-massage.example",
            website="harbourview-massage.example",
            default_unit_rule=UnitRule.CMS,
        )
        session.add(practice)
        providers: list[Provider] = []
        for spec in PROVIDERS:
            fields = dict(spec)
            npi = npi_with_check_digit(fields.pop("npi_base"))
            provider = Provider(
                practice=practice,
                npi=npi,
                email=f"{fields['first_name'].lower()}@harbourview-massage.example",
                **fields,
            )
            session.add(provider)
            providers.append(provider)
        session.flush()
        audit.record(session, audit.AuditAction.CREATE, detail="demo practice")
        summary.providers = len(providers)

    for index in range(clients):
        first, last, gender = CLIENT_NAMES[index % len(CLIENT_NAMES)]
        if index >= len(CLIENT_NAMES):
            first = f"{first} {index // len(CLIENT_NAMES) + 1}"
        scenario = SCENARIOS[index % len(SCENARIOS)]
        with database.write() as session:
            made = _seed_client(session, rng, today, first, last, gender, scenario, providers)
        summary.clients += 1
        summary.visits += made[1]
        summary.signed_visits += made[2]
        summary.client_ids.append(made[0])
        if progress is not None:
            progress(f"client {index + 1}/{clients}: {first} {last}")
    return summary


def _seed_client(
    session: Session,
    rng: random.Random,
    today: dt.date,
    first: str,
    last: str,
    gender: str,
    scenario: Scenario,
    providers: Sequence[Provider],
) -> tuple[str, int, int]:
    """Create one client with history, claim, referral and visits; returns (id, visits, signed)."""
    age_years = rng.randint(24, 72) if scenario.pregnancy_weeks is None else rng.randint(26, 38)
    dob = today - dt.timedelta(days=age_years * 365 + rng.randint(0, 364))
    visit_count = rng.randint(5, 15)
    visit_days = _visit_days(rng, today, visit_count)
    first_visit_day = visit_days[0]
    client = Client(
        id=new_id(),
        first_name=first,
        last_name=last,
        gender=gender,
        date_of_birth=dob,
        phone=_phone(rng),
        email=f"client{rng.randint(1000, 9999)}@mail.example",
        address=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, Seattle, WA 981{rng.randint(0, 99):02d}",
        occupation=rng.choice(
            (
                "office worker",
                "nurse",
                "teacher",
                "warehouse associate",
                "software developer",
                "retired",
                "chef",
                "student",
            )
        ),
        emergency_contact_name=rng.choice(("Alex", "Jordan", "Taylor", "Morgan", "Casey"))
        + " "
        + last,
        emergency_contact_phone=_phone(rng),
        emergency_contact_relationship=rng.choice(
            ("spouse", "partner", "parent", "sibling", "friend")
        ),
        primary_care_provider=rng.choice(PRESCRIBERS),
        referring_provider=rng.choice(PRESCRIBERS)
        if scenario.payer is not PayerType.SELF_PAY
        else "",
        goals=scenario.goals,
        pressure_preference=(
            "light" if scenario.pressure <= 2 else "medium" if scenario.pressure == 3 else "firm"
        ),
    )
    client.refresh_search_key()
    session.add(client)
    session.flush()
    add_health_history_version(
        session,
        client.id,
        conditions=scenario.conditions,
        medications=scenario.medications,
        allergies=scenario.allergies,
        surgeries=scenario.surgeries,
        pregnant=scenario.pregnancy_weeks is not None,
        pregnancy_weeks=scenario.pregnancy_weeks,
        recorded_at=dt.datetime.combine(first_visit_day, dt.time(8, 0)),
    )
    session.add(
        Consent(
            client_id=client.id,
            kind=ConsentKind.TREATMENT,
            signed_on=first_visit_day,
            expires_on=first_visit_day + dt.timedelta(days=365),
        )
    )
    claim: Claim | None = None
    referral: Referral | None = None
    unit_rule = UnitRule.CMS
    if scenario.payer is not PayerType.SELF_PAY:
        unit_rule = (
            UnitRule.AMA
            if scenario.payer is PayerType.COMMERCIAL and rng.random() < 0.5
            else UnitRule.CMS
        )
        claim = Claim(
            client_id=client.id,
            payer_type=scenario.payer,
            payer_name=rng.choice(PAYER_NAMES[scenario.payer]),
            claim_number=f"{scenario.payer.value[:2].upper()}-{rng.randint(100000, 999999)}",
            policy_number=f"P{rng.randint(1000000, 9999999)}",
            adjuster=rng.choice(("K. Morris", "D. Alvarez", ""))
            if scenario.payer is not PayerType.COMMERCIAL
            else "",
            date_of_injury=(first_visit_day - dt.timedelta(days=rng.randint(5, 40)))
            if scenario.payer in (PayerType.PIP, PayerType.WORKERS_COMP)
            else None,
            authorised_visits=12,
            unit_rule=unit_rule,
        )
        session.add(claim)
    if scenario.payer is not PayerType.SELF_PAY or rng.random() < 0.3:
        referral = Referral(
            client_id=client.id,
            claim=claim,
            prescriber=client.referring_provider or rng.choice(PRESCRIBERS),
            referral_date=first_visit_day - dt.timedelta(days=rng.randint(2, 10)),
            icd10_codes=list(scenario.icd10),
            visits_authorised=12,
            frequency="1x/week for 12 weeks",
            expires_on=first_visit_day + dt.timedelta(days=120),
        )
        session.add(referral)
    session.flush()

    provider = providers[rng.randrange(len(providers))]
    course = _pain_course(rng, visit_count)
    signed = made = 0
    atlas = load_atlas()
    scenario_index = SCENARIOS.index(scenario)
    placements: dict[tuple[MarkKind, str, str, str], _Placed] = {}
    carried: dict[str, str] = {}
    for number, (day, (before, after)) in enumerate(zip(visit_days, course, strict=True), start=1):
        start = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
        duration = (
            rng.choice((45, 60, 60, 60, 75, 90))
            if scenario.payer is not PayerType.SELF_PAY
            else rng.choice((60, 60, 90))
        )
        end = start + dt.timedelta(minutes=duration)
        s, o, a, p = _soap_text(rng, scenario, number, visit_count, before, after)
        recent = (today - day).days <= 10
        sign_it = not recent or rng.random() < 0.3
        visit = Visit(
            id=new_id(),
            client_id=client.id,
            provider_id=provider.id,
            claim_id=claim.id if claim else None,
            referral_id=referral.id if referral else None,
            start=start,
            end=end,
            chief_complaint=scenario.complaint,
            health_update="No changes to health history." if number > 1 else "Intake reviewed.",
            subjective=s,
            objective=o,
            assessment=a,
            plan=p,
            pain_before=before,
            pain_after=after,
            techniques=list(scenario.techniques),
            pressure=scenario.pressure,
            positioning=scenario.positioning,
            icd10_codes=list(scenario.icd10) if referral else [],
        )
        treatment_minutes = duration - rng.choice((5, 8, 10))
        split = _minutes_split(rng, scenario.cpt, treatment_minutes)
        units = compute_units(unit_rule, dict(zip(scenario.cpt, split, strict=True)))
        for position, (code, minutes) in enumerate(zip(scenario.cpt, split, strict=True)):
            modifiers = ["GP"] if scenario.payer is PayerType.COMMERCIAL else []
            if code == "97124" and "97140" in scenario.cpt:
                modifiers = [*modifiers, "59"]
            visit.billing_lines.append(
                BillingLine(
                    position=position,
                    cpt=code,
                    minutes=minutes,
                    units=units[code],
                    modifiers=modifiers,
                    diagnosis_pointers=list(range(1, min(len(scenario.icd10), 4) + 1))
                    if referral
                    else [],
                )
            )
        carried = _chart_visit(
            atlas,
            placements,
            visit,
            scenario_index,
            number - 1,
            visit_count,
            treatment_minutes,
            scenario.pressure,
            scenario.techniques,
            carried,
        )
        session.add(visit)
        session.flush()
        made += 1
        if sign_it:
            signed_at = min(end + dt.timedelta(minutes=rng.randint(5, 90)), utc_now())
            sign_and_record(session, visit.id, provider.id, signed_at, today=day)
            signed += 1
    return client.id, made, signed
