"""A realistic demo practice: therapists, clients with varied histories, and visits with SOAP notes."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from massage_chart.atlas import Atlas, AtlasError, load_atlas
from massage_chart.domain.billing import compute_units
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.identifiers import npi_with_check_digit
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.domain.pain_extent import EXTENT_VIEWS, PAIN_KINDS
from massage_chart.domain.placement import locate
from massage_chart.domain.record_kinds import (
    ConsentKind,
    MedicationClass,
    PayerType,
    UnitRule,
)
from massage_chart.resources import resource_path
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
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.repositories import (
    add_health_history_version,
    count_clients,
)


class DemoNotEmptyError(Exception):
    """The database already holds clients; the demo is only seeded into an empty practice."""


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
    findings: tuple[Finding, ...] = ()
    treated_areas: tuple[tuple[str, str], ...] = ()
    range_of_motion: tuple[dict[str, Any], ...] = ()
    tolerance: tuple[dict[str, Any], ...] = ()
    short_goal: dict[str, Any] | None = None


@dataclass(frozen=True)
class DemoPractice:
    """The demo practice as ``resources/demo/practice.json`` describes it."""

    practice: dict[str, str]
    providers: tuple[dict[str, str], ...]
    clients: tuple[tuple[str, str, str], ...]
    payer_names: dict[PayerType, tuple[str, ...]]
    prescribers: tuple[str, ...]
    streets: tuple[str, ...]
    scenarios: tuple[Scenario, ...]


class DemoDataError(Exception):
    """The demo practice file does not follow its schema or names what the atlas lacks."""


def demo_practice_schema() -> dict[str, Any]:
    """The JSON Schema of the demo practice file (``resources/demo/practice.schema.json``)."""
    schema: dict[str, Any] = json.loads(
        resource_path("demo", "practice.schema.json").read_text(encoding="utf-8")
    )
    return schema


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(**(item | {"kind": MarkKind(item["kind"])}))


def _scenario(item: dict[str, Any]) -> Scenario:
    medications = tuple(
        MedicationInfo(
            m["name"],
            m.get("dose", ""),
            m.get("purpose", ""),
            MedicationClass(m["class"]) if "class" in m else None,
        )
        for m in item.get("medications", ())
    )
    fields: dict[str, Any] = {
        **item,
        **{
            name: tuple(item[name])
            for name in (
                "icd10",
                "techniques",
                "conditions",
                "allergies",
                "cpt",
                "range_of_motion",
                "tolerance",
            )
            if name in item
        },
        "payer": PayerType(item["payer"]),
        "medications": medications,
        "findings": tuple(_finding(f) for f in item["findings"]),
        "treated_areas": tuple((area["view"], area["region"]) for area in item["treated_areas"]),
    }
    return Scenario(**fields)


def read_demo_practice(document: dict[str, Any], atlas: Atlas) -> DemoPractice:
    """The demo practice of a document, checked against its schema and the atlas.

    Raises:
        DemoDataError: the document breaks the schema, or names a region the atlas lacks.
    """
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(demo_practice_schema()).iter_errors(document), key=lambda e: e.path
    )
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "the document"
        raise DemoDataError(f"The demo practice file is not valid at {where}: {errors[0].message}")
    body = {k: v for k, v in document.items() if k != "$schema"}
    practice = DemoPractice(
        practice=dict(body["practice"]),
        providers=tuple(dict(p) for p in body["providers"]),
        clients=tuple((c["first_name"], c["last_name"], c["gender"]) for c in body["clients"]),
        payer_names={PayerType(k): tuple(v) for k, v in body["payer_names"].items()},
        prescribers=tuple(body["prescribers"]),
        streets=tuple(body["streets"]),
        scenarios=tuple(_scenario(s) for s in body["scenarios"]),
    )
    for number, scenario in enumerate(practice.scenarios, start=1):
        places = [(f.view, f.region) for f in scenario.findings] + list(scenario.treated_areas)
        for view, region in places:
            try:
                atlas.region(view, region)
            except AtlasError as exc:
                raise DemoDataError(f"Scenario {number} of the demo practice: {exc}") from exc
        insured = scenario.payer in (PayerType.COMMERCIAL, PayerType.PIP, PayerType.WORKERS_COMP)
        if insured and scenario.payer not in practice.payer_names:
            raise DemoDataError(
                f"Scenario {number} of the demo practice is paid by {scenario.payer.value}, "
                "which has no payer names."
            )
    return practice


@cache
def demo_practice() -> DemoPractice:
    """The demo practice shipped with the program (read once)."""
    document = json.loads(resource_path("demo", "practice.json").read_text(encoding="utf-8"))
    return read_demo_practice(document, load_atlas())


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
    scenario: Scenario,
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
    for number, finding in enumerate(scenario.findings):
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
            atlas_version=atlas.version,
        )
        visit.marks.append(mark)
        made[key] = mark.id
    areas = scenario.treated_areas
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
                atlas_version=atlas.version,
            )
        )
    return made


def _client_pain_map(scenario: Scenario, index: int, total: int) -> list[str]:
    """Where the client says it hurt in the week before visit ``index``: the front and back
    regions of the story's findings present then that still hurt (intensity above 2; pain and
    referred pain at any intensity), each once."""
    progress = index / max(total - 1, 1)
    places: list[str] = []
    for finding in scenario.findings:
        if finding.view not in EXTENT_VIEWS or not finding.since <= progress <= finding.until:
            continue
        if not finding.kind.legend.finding:
            continue
        intensity = _intensity(finding, index, total)
        hurts = finding.kind in PAIN_KINDS or (intensity is not None and intensity > 2)
        key = f"{finding.view}:{finding.region}"
        if hurts and key not in places:
            places.append(key)
    return places


def _symptoms(rng: random.Random, index: int, total: int) -> dict[str, int]:
    """Symptom Severity Scale answers that ease over the course of care."""
    late = index >= total // 2
    return {
        "fatigue": rng.randint(0, 1 if late else 2),
        "unrefreshed": rng.randint(0, 1 if late else 2),
        "cognitive": rng.randint(0, 1),
        "headaches": rng.randint(0, 1),
        "abdomen": 0,
        "depression": int(rng.random() < 0.15),
    }


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


def _measures(
    scenario: Scenario, number: int, total: int, first_day: dt.date, last_day: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """Range of motion (before and after treatment), tolerances and goals of visit ``number``
    of ``total``: each eases from its start toward its end over the course, a little more
    after treatment; the short-term goal is met two thirds of the way through."""
    share = (number - 1) / max(total - 1, 1)
    rom: list[dict[str, Any]] = []
    for item in scenario.range_of_motion:
        start, end = item["start"], item["end"]
        before = round(start + (end - start) * share)
        after = min(end, before + max(2, round((end - start) * 0.15)))
        base = {"motion": item["motion"], "side": item["side"], "passive": False,
                "within_normal": False, "method": "goniometer"}  # fmt: skip
        rom.append({**base, "degrees": before, "painful": share < 0.5, "timing": "before"})
        rom.append({**base, "degrees": after, "painful": False, "timing": "after"})
    tolerances = [
        {
            "activity": item["activity"],
            "minutes": 5 * round((item["start"] + (item["end"] - item["start"]) * share) / 5),
        }
        for item in scenario.tolerance
    ]
    goals: list[dict[str, Any]] = []
    met = share >= 2 / 3
    # The visit the short-term goal is met at; it is not carried past it.
    met_at = next(n for n in range(1, total + 1) if (n - 1) / max(total - 1, 1) >= 2 / 3)
    if scenario.short_goal is not None and number <= met_at:
        goals.append(
            {
                "term": "short",
                "text": scenario.short_goal["text"],
                "target": (
                    first_day + dt.timedelta(weeks=scenario.short_goal["weeks"])
                ).isoformat(),
                "status": "met" if met else "set" if number == 1 else "progressing",
            }
        )
    goals.append(
        {
            "term": "long",
            "text": scenario.goals.rstrip("."),
            "target": max(
                first_day + dt.timedelta(weeks=12), last_day + dt.timedelta(weeks=2)
            ).isoformat(),
            "status": "set" if number == 1 else "partly_met" if share >= 2 / 3 else "progressing",
        }
    )
    return {"range_of_motion": rom, "tolerances": tolerances, "goals": goals}


def _authorised(visit_count: int) -> int:
    """The visits a demo claim or referral authorises: 12, extended by 6 at a time as the payer
    would for a course that runs longer."""
    return 12 + 6 * max(0, -(-(visit_count - 12) // 6))


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
        f"Client reports {trend}. Pain {before}/10 at rest, "
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
    objective = f"Palpation: hypertonicity and tenderness in {scenario.regions}. " + rng.choice(
        (
            "Active trigger points reproduce the familiar pain.",
            "Taut bands with local twitch response.",
            "Fascial restriction on skin rolling.",
            "Guarding on first contact, softening with warm-up.",
        )
    )
    assessment = rng.choice(
        (
            "Tissue texture improved; range of motion increased.",
            "Client tolerated treatment well; reduced guarding.",
            "Good response; trigger points less reactive.",
        )
    ) + (" Progressing toward functional goals." if number > 1 else " Baseline established.")
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


SMALL_PRACTICE = 30
"""Clients of the demo practice, and of one unit of ``demo --scale N``."""

CLINIC_CLIENTS = 20_000
"""Clients of the ten-year clinic of PRODUCT.md §7 (``demo --scale clinic``)."""

LONG_STANDING_EVERY = 1_000
"""In a practice with years of history, the first client of every thousand is a long-standing
one, seen about weekly for six years: the budget's "client with 300 visits"."""

LONG_STANDING_VISITS = 300


def clients_for_scale(scale: str) -> int:
    """How many clients ``demo --scale`` makes: "clinic" is the ten-year clinic of the
    performance budget, "clinic/10" a tenth of it, a whole number N is N small practices.

    Raises:
        ValueError: neither "clinic", "clinic/K" nor a whole number, each of at least 1.
    """
    words = scale.strip().lower()
    part = words.removeprefix("clinic/")
    if words == "clinic":
        return CLINIC_CLIENTS
    if part != words and part.isdigit() and int(part) >= 1:
        return max(1, CLINIC_CLIENTS // int(part))
    if words.isdigit() and int(words) >= 1:
        return int(words) * SMALL_PRACTICE
    raise ValueError(
        f"--scale takes clinic (a ten-year clinic, {CLINIC_CLIENTS:,} clients), clinic/K "
        f"(a K-th of it) or a whole number N of at least 1 (N times the {SMALL_PRACTICE}-"
        f"client demo), not {scale!r}."
    )


def client_name(demo: DemoPractice, index: int) -> tuple[str, str, str]:
    """The first name, last name and gender of the demo's client number ``index``: the built-in
    people first, then their first and last names paired anew, and only past every pairing the
    first name numbered, so a large practice's names spread as a real one's do."""
    people = demo.clients
    count = len(people)
    first, last, gender = people[index % count]
    if index >= count:
        last = people[(index + index // count) % count][1]
    if index >= count * count:
        first = f"{first} {index // (count * count) + 1}"
    return first, last, gender


def seed_demo(
    database: Database,
    *,
    clients: int = SMALL_PRACTICE,
    seed: int = 20261123,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    years: int = 0,
    tick: Callable[[DemoSummary], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with a living practice, through the same storage code as the app
    (each note checked by the signing rules, hashed and sealed; every mark on a real region).

    Args:
        database: an open, migrated database with no clients yet.
        clients: how many clients to make (``client_name`` names them).
        seed: the random seed; the same seed and day give the same practice.
        today: the day the demo is "now" (visits lie before it).
        progress: called with a short message now and then.
        years: when more than 0, each client's course of visits ends on a day spread over that
            many years before ``today`` (a practice with a history; ``demo --scale``); 0: every
            course is recent.
        tick: called after each client with the running summary (``demo --scale`` shows the
            rate from it).

    Raises:
        DemoNotEmptyError: the database already holds clients.
    """
    rng = random.Random(seed)
    spread = random.Random(seed + 1)  # its own stream: the practice is the same with or without
    demo = demo_practice()
    today = today or dt.date.today()
    summary = DemoSummary()
    with database.read() as session:
        if count_clients(session, include_archived=True):
            raise DemoNotEmptyError(
                f"The database {database.display_name} already holds clients; the demo practice "
                "is only added to an empty database."
            )
    with database.write() as session:
        practice = Practice(**demo.practice, default_unit_rule=UnitRule.CMS)
        session.add(practice)
        providers: list[Provider] = []
        for spec in demo.providers:
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
        first, last, gender = client_name(demo, index)
        scenario = demo.scenarios[index % len(demo.scenarios)]
        ends = today - dt.timedelta(days=spread.randrange(years * 365)) if years else today
        visits = None
        if years and index % LONG_STANDING_EVERY == 0:
            ends, visits = today, LONG_STANDING_VISITS
        with database.write() as session:
            made = _seed_client(
                session,
                rng,
                ends,
                demo,
                (first, last, gender),
                scenario,
                providers,
                today,
                visit_count=visits,
            )
        summary.clients += 1
        summary.visits += made[1]
        summary.signed_visits += made[2]
        summary.client_ids.append(made[0])
        if progress is not None:
            progress(f"client {index + 1}/{clients}: {first} {last}")
        if tick is not None:
            tick(summary)
    database.refresh_statistics()  # planned as a practice that has grown to this size
    return summary


def _seed_client(
    session: Session,
    rng: random.Random,
    today: dt.date,
    demo: DemoPractice,
    name: tuple[str, str, str],
    scenario: Scenario,
    providers: Sequence[Provider],
    now: dt.date | None = None,
    *,
    visit_count: int | None = None,
) -> tuple[str, int, int]:
    """Create one client with history, claim, referral and visits; returns (id, visits, signed).
    ``today`` is the day the client's course ends by; ``now`` the practice's today (the same day
    unless the course lies in the past): only visits of the last ten days before it stay drafts.
    ``visit_count`` overrides the course's usual 5 to 15 visits.

    ``name`` is the first name, last name and gender.
    """
    first, last, gender = name
    age_years = rng.randint(24, 72) if scenario.pregnancy_weeks is None else rng.randint(26, 38)
    dob = today - dt.timedelta(days=age_years * 365 + rng.randint(0, 364))
    visit_count = visit_count or rng.randint(5, 15)
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
        address=f"{rng.randint(10, 9999)} {rng.choice(demo.streets)}, Seattle, WA 981{rng.randint(0, 99):02d}",
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
        primary_care_provider=rng.choice(demo.prescribers),
        referring_provider=rng.choice(demo.prescribers)
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
            payer_name=rng.choice(demo.payer_names[scenario.payer]),
            claim_number=f"{scenario.payer.value[:2].upper()}-{rng.randint(100000, 999999)}",
            policy_number=f"P{rng.randint(1000000, 9999999)}",
            adjuster=rng.choice(("K. Morris", "D. Alvarez", ""))
            if scenario.payer is not PayerType.COMMERCIAL
            else "",
            date_of_injury=(first_visit_day - dt.timedelta(days=rng.randint(5, 40)))
            if scenario.payer in (PayerType.PIP, PayerType.WORKERS_COMP)
            else None,
            authorised_visits=_authorised(visit_count),
            unit_rule=unit_rule,
        )
        session.add(claim)
    if scenario.payer is not PayerType.SELF_PAY or rng.random() < 0.3:
        referral = Referral(
            client_id=client.id,
            claim=claim,
            prescriber=client.referring_provider or rng.choice(demo.prescribers),
            referral_date=first_visit_day - dt.timedelta(days=rng.randint(2, 10)),
            icd10_codes=list(scenario.icd10),
            visits_authorised=_authorised(visit_count),
            frequency="1x/week for 12 weeks",
            expires_on=max(first_visit_day + dt.timedelta(days=120), visit_days[-1]),
        )
        session.add(referral)
    session.flush()

    provider = providers[rng.randrange(len(providers))]
    course = _pain_course(rng, visit_count)
    signed = made = 0
    atlas = load_atlas()
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
        recent = ((now or today) - day).days <= 10
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
            **_measures(scenario, number, visit_count, first_visit_day, visit_days[-1]),
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
            scenario,
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
        if number in {1, (visit_count + 1) // 2, visit_count}:
            # The client marks where it hurt this week, on the laptop, before the session.
            record_pain_map(
                session,
                client.id,
                _client_pain_map(scenario, number - 1, visit_count),
                symptoms=_symptoms(rng, number - 1, visit_count),
                three_months=rng.random() < 0.4,
                taken_on=day,
                source="client",
                visit_id=visit.id,
                recorded_by_id=provider.id,
                recorded_at=start - dt.timedelta(minutes=10),
            )
        if sign_it:
            signed_at = min(end + dt.timedelta(minutes=rng.randint(5, 90)), utc_now())
            sign_and_record(session, visit.id, provider.id, signed_at, today=day)
            signed += 1
    return client.id, made, signed
