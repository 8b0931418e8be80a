"""The client's words: every region and technique has a plain name, and what the summary writes
itself reads at grade 6 or below (Flesch-Kincaid), for every signed note of the demo practice
and for a note with range of motion, tolerance and goals."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import textstat

from massage_chart.atlas import load_atlas
from massage_chart.domain.lay_words import known_techniques, lay_region, lay_technique
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.export.snapshot import VisitSnapshot
from massage_chart.export.summary_pdf import generated_sentences
from massage_chart.resources import resource_path
from massage_chart.storage.database import Database
from tests.export.conftest import MadeVisit, signed_demo_snapshots
from tests.export.pdftext import all_text, flat
from tests.export.test_soap_measures import _with_measures

Factory = Callable[..., MadeVisit]

MOST_GRADE = 6.0

#: Words of anatomy a client should not have to know.
JARGON = re.compile(
    r"trapezius|erector|spinae|rhomboid|deltoid|lateral|medial|anterior|posterior|thoracic|"
    r"lumbar|cervical|scapula|gluteus|piriformis|fascia|myofascial|trigger point|"
    r"sternocleido|oblique|abdominis|femoris|vastus|tibialis|fibularis|gastrocnemius",
    re.I,
)


def grade(sentences: list[str]) -> float:
    return float(textstat.flesch_kincaid_grade(" ".join(sentences)))


def test_every_region_of_every_view_has_plain_words() -> None:
    atlas = load_atlas()
    missing = [
        region.id
        for view in atlas.view_ids
        for region in atlas.regions(view)
        if lay_region(region.id) is None
    ]
    assert missing == []
    assert lay_region("upper_trapezius.r") == "top of the right shoulder, up to the neck"
    assert lay_region("upper_trapezius.l") == "top of the left shoulder, up to the neck"
    assert lay_region("sacrum") == "flat bone at the base of the spine"


def test_every_technique_the_app_offers_or_the_demo_uses_has_plain_words() -> None:
    from massage_chart.ui.chart.inspector import TECHNIQUES

    demo = json.loads(resource_path("demo", "practice.json").read_text("utf-8"))
    used = {t for scenario in demo["scenarios"] for t in scenario.get("techniques", [])}
    templates = resource_path("soap_templates.json").read_text("utf-8")
    used |= set(re.findall(r'"techniques":\s*\[([^\]]*)\]', templates))
    offered = {t.strip().strip('"').lower() for item in used for t in item.split('",')}
    offered |= {t.lower() for t in TECHNIQUES}
    assert offered - known_techniques() == set()
    assert lay_technique("Trigger point therapy") == "steady pressure on tight, sore knots"
    assert lay_technique("Reiki") == "Reiki"  # a technique typed in is printed as written


def test_the_plain_words_use_no_anatomy_and_read_easily() -> None:
    names = json.loads(resource_path("atlas", "lay_names.json").read_text("utf-8"))
    words = [t.replace("{side}", "right") for t in names["regions"].values()]
    words += list(names["techniques"].values())
    assert [w for w in words if JARGON.search(w)] == []
    assert grade([f"{w.capitalize()}." for w in words]) <= MOST_GRADE


@pytest.fixture(scope="module")
def demo_notes(tmp_path_factory: pytest.TempPathFactory) -> list[VisitSnapshot]:
    return signed_demo_snapshots(tmp_path_factory.mktemp("demo"), clients=12)


def test_what_the_summary_writes_itself_reads_at_grade_6_on_every_demo_note(
    demo_notes: list[VisitSnapshot],
) -> None:
    assert len(demo_notes) > 50
    grades = {note.id: grade(generated_sentences(note)) for note in demo_notes}
    assert max(grades.values()) <= MOST_GRADE, sorted(grades.values())[-5:]
    for note in demo_notes:
        assert not [s for s in generated_sentences(note) if JARGON.search(s)], note.id


def test_measures_and_goals_in_the_summary_read_at_grade_6(
    db: Database, visit_factory: Factory
) -> None:
    made = _with_measures(db, visit_factory)
    snapshot = read_snapshot(db, made.visit_id)
    sentences = generated_sentences(snapshot)
    assert (
        "Turning the head to the left: 55° before your session, 70° after. It was sore at the "
        "end of the movement." in sentences
    )
    assert "Bending the head forward: a normal range." in sentences
    assert "You can sit for 30 minutes (10 minutes last time)." in sentences
    assert "This goal is partly reached." in sentences
    assert grade(sentences) <= MOST_GRADE
    text = flat(all_text(render(DocumentKind.SUMMARY, snapshot)))
    assert "Howyouaremoving" in text and "Yourgoals" in text
    assert flat("Turning the head to the left: 55° before your session, 70° after.") in text
    assert "WNL" not in text and "visual" not in text
    assert flat("Turn the head 70° to check traffic (partly reached)") in text
