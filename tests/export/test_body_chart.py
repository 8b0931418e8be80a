"""The body chart hides nothing: numbers apart, close-ups of crowded areas, kinds that survive a fax."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen.canvas import Canvas

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.export.body_chart import NUMBER_SIZE, BodyChart, area_name, kind_ink
from massage_chart.export.label_placement import inside, overlaps
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.export.snapshot import MarkInfo
from massage_chart.export.soap_pdf import body_charts
from massage_chart.storage.database import Database, open_database
from tests.export.conftest import MadeVisit, VisitSpec, around, make_visit, region_point
from tests.export.pdftext import all_text, have_pdftotext, have_poppler

Factory = Callable[..., MadeVisit]
MarkSpec = tuple[MarkKind, str, list[tuple[float, float]], bool, dict[str, Any]]

needs_poppler = pytest.mark.skipif(
    not (have_poppler() and have_pdftotext()), reason="pdftoppm and pdftotext are not installed"
)


def point(kind: MarkKind, region: str, **fields: Any) -> MarkSpec:
    return (kind, "posterior", [region_point("posterior", region)], False, fields)


def whole(kind: MarkKind, region: str, view: str = "posterior") -> MarkSpec:
    return (kind, view, [region_point(view, region)], True, {})


#: Five findings in ten millimetres of the neck, and treatment over both sides.
NECK: list[MarkSpec] = [
    point(MarkKind.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", intensity=7),
    point(MarkKind.TRIGGER_POINT_LATENT, "middle_trapezius.r", intensity=4),
    point(MarkKind.TENDER_POINT, "posterior_cervical.r"),
    point(MarkKind.PAIN, "middle_trapezius.l", intensity=6),
    whole(MarkKind.HYPERTONICITY, "suboccipital.r"),
    whole(MarkKind.TREATED, "upper_trapezius.r"),
    whole(MarkKind.TREATED, "upper_trapezius.l"),
    whole(MarkKind.TREATED, "middle_trapezius.r"),
]


def charts_of(db: Database, made: MadeVisit) -> list[BodyChart]:
    return body_charts(read_snapshot(db, made.visit_id).marks)


def assert_nothing_hidden(chart: BodyChart) -> None:
    layout = chart.layout
    assert layout.unplaced() == []
    placed = layout.placed()
    for bounds, number in placed:
        assert inside(number.box, bounds), number.label.number
    for (_, a), (_, b) in itertools.combinations(placed, 2):
        assert not overlaps(a.box, b.box), (a.label.number, b.label.number)
    assert sorted(p.label.number for _, p in placed) == sorted(m.number for m in chart.marks)


def test_a_neck_cluster_gets_an_enlarged_close_up_with_its_own_numbers(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory(marks=NECK)
    (chart,) = charts_of(db, made)
    assert_nothing_hidden(chart)
    (inset,) = chart.layout.insets
    assert re.fullmatch(r"A: Neck, posterior view, enlarged (2|2\.5|3)×", inset.caption)
    assert 2.0 <= inset.scale <= 3.0
    assert inside(inset.source, chart.layout.figure)
    assert not overlaps(inset.box, chart.layout.figure)
    in_close_up = {p.label.number for p in inset.numbers.placed}
    assert {1, 2, 3, 4} <= in_close_up  # the trigger, latent, tender points and pain
    for placed in inset.numbers.placed:  # each lies over its enlarged mark, or a line leads there
        assert placed.distance <= placed.label.clearance + 1.5 or placed.leader
    text = " ".join(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))).split())
    assert inset.caption in text


def test_marks_on_one_region_get_separate_numbers_and_leader_lines(
    db: Database, visit_factory: Factory
) -> None:
    region = "thoracic_erector.l"
    marks = [
        whole(MarkKind.TREATED, region),
        whole(MarkKind.HYPERTONICITY, region),
        whole(MarkKind.ADHESION, region),
        point(MarkKind.TRIGGER_POINT_ACTIVE, region, intensity=5),
    ]
    (chart,) = charts_of(db, visit_factory(marks=marks))
    assert_nothing_hidden(chart)
    numbers = chart.layout.numbers.placed + tuple(
        p for inset in chart.layout.insets for p in inset.numbers.placed
    )
    assert sum(p.leader for p in numbers) >= 2  # at most one sits on the shared spot


def test_a_workers_comp_note_shows_every_finding_and_both_treated_sides(
    db: Database, visit_factory: Factory
) -> None:
    marks = [
        whole(MarkKind.TREATED, "lumbar_erector.l"),
        whole(MarkKind.TREATED, "lumbar_erector.r"),
        whole(MarkKind.HYPERTONICITY, "lumbar_erector.r"),
        whole(MarkKind.SPASM, "quadratus_lumborum.r"),
        point(MarkKind.TRIGGER_POINT_ACTIVE, "quadratus_lumborum.r", intensity=8),
        point(MarkKind.PAIN, "lumbar_erector.r", intensity=6),
        whole(MarkKind.AVOID, "lumbar_erector.l"),
    ]
    charts = charts_of(db, visit_factory(marks=marks))
    for chart in charts:
        assert_nothing_hidden(chart)
    assert sum(len(c.layout.placed()) for c in charts) == 7


def test_the_client_summary_chart_has_no_numbers_or_close_ups(
    db: Database, visit_factory: Factory
) -> None:
    marks = read_snapshot(db, visit_factory(marks=NECK).visit_id).marks
    view = load_atlas().view("posterior")
    chart = BodyChart(view, marks, 215.0, friendly=True, numbered=False)
    assert chart.layout.placed() == [] and chart.layout.insets == ()


def test_numbers_are_printed_at_a_size_legible_after_a_fax() -> None:
    assert NUMBER_SIZE >= 6.5


def test_close_ups_are_named_in_the_therapists_words() -> None:
    assert area_name(["suboccipital.r", "middle_trapezius.l"], ["right", "left"]) == "Neck"
    assert area_name(["palm.r", "thenar.r", "fingers_palmar.r"], ["right"] * 3) == "Right hand"
    assert area_name(["plantar_foot.l", "heel.l"], ["left", "left"]) == "Left foot"
    assert area_name(["it_band.r", "vastus_lateralis.r"], ["right"] * 2) == "Right thigh"
    assert area_name(["thoracic_erector.l", "lower_trapezius.l"], ["left"] * 2) == "Upper back"
    assert area_name(["not_in_the_atlas"], ["left"]) == "Detail"


# --------------------------------------------------------------------------- pixels


def _draw(chart: BodyChart, path: Path) -> None:
    canvas = Canvas(str(path), pagesize=(chart.width, chart.height))
    chart.drawOn(canvas, 0, 0)
    canvas.save()


def _png(pdf: Path, dpi: int) -> Path:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True,
        capture_output=True,
    )
    return pdf.with_suffix(".png")


#: A square area over the mid back, 39 points across on a 262-point figure.
SQUARE = ((0.35, 0.28), (0.65, 0.28), (0.65, 0.43), (0.35, 0.43))


def _ink_pixels(chart: BodyChart, kind: MarkKind, folder: Path) -> int:
    """Pixels of the kind's pattern ink in the middle of the square, away from its outline."""
    from PIL import Image

    dpi = 300
    pdf = folder / f"{kind.value}-{len(chart.marks)}.pdf"
    _draw(chart, pdf)
    image = Image.open(_png(pdf, dpi)).convert("RGB")
    x0, y0, x1, y1 = chart.layout.figure
    px = (x0 + 0.5 * (x1 - x0)) * dpi / 72
    py = (chart.height - (y1 - 0.355 * (y1 - y0))) * dpi / 72
    half = 12 * dpi / 72
    crop = image.crop((round(px - half), round(py - half), round(px + half), round(py + half)))
    ink = kind_ink(kind)
    target = (ink.red * 255, ink.green * 255, ink.blue * 255)
    data = crop.tobytes()
    pixels = (data[i : i + 3] for i in range(0, len(data), 3))
    return sum(1 for p in pixels if sum(abs(c - t) for c, t in zip(p, target, strict=True)) < 60)


def _area(
    number: int, kind: MarkKind, points: tuple[tuple[float, float], ...] = SQUARE
) -> MarkInfo:
    return MarkInfo(
        id=f"m{number}",
        visit_id="v1",
        created_at=dt.datetime(2026, 12, 3, 10, number % 60),
        number=number,
        kind=kind,
        view="posterior",
        points=points,
        region_id="thoracic_erector.l",
        location="mid back",
        side="midline",
        whole_region=False,
        intensity=None,
        deep_muscle="",
        technique="",
        minutes=None,
        pressure=None,
        note="",
    )


def test_a_small_figure_crowded_everywhere_still_shows_every_number() -> None:
    """Twenty findings on a 120-point figure: what finds no room goes to close-ups."""
    view = load_atlas().view("posterior")
    kinds = [MarkKind.TRIGGER_POINT_ACTIVE, MarkKind.TENDER_POINT, MarkKind.PAIN]
    marks = [
        _area(n, kinds[n % 3], ((0.42 + 0.008 * (n % 5), 0.2 + 0.01 * (n // 5)),))
        for n in range(1, 21)
    ]
    chart = BodyChart(view, marks, 120.0, available_width=200.0)
    assert chart.layout.insets
    assert_nothing_hidden(chart)
    assert chart.width <= 200.0


@needs_poppler
@pytest.mark.parametrize(
    ("under", "over"),
    [
        (MarkKind.HYPERTONICITY, MarkKind.REFERRED_PAIN),
        (MarkKind.BURNING, MarkKind.INFLAMMATION),
        (MarkKind.STABBING, MarkKind.TREATED),
        (MarkKind.NUMBNESS, MarkKind.BRUISE),
    ],
)
def test_an_area_drawn_over_another_never_covers_its_pattern(
    tmp_path: Path, under: MarkKind, over: MarkKind
) -> None:
    """Two kinds charted over the same area: each pattern keeps most of its ink pixels."""
    view = load_atlas().view("posterior")

    def chart(*kinds: MarkKind) -> BodyChart:
        marks = [_area(n, k) for n, k in enumerate(kinds, start=1)]
        return BodyChart(view, marks, 262.0, numbered=False)

    for kind in (under, over):
        seen_alone = _ink_pixels(chart(kind), kind, tmp_path)
        assert seen_alone > 100, kind
        assert _ink_pixels(chart(under, over), kind, tmp_path) >= 0.6 * seen_alone, kind


# The legend of a note that charts every kind, rendered as a fax machine would scan it.

EVERY_KIND_REGIONS = [
    "upper_trapezius.r", "lower_trapezius.r", "gluteus_medius.l", "thoracic_erector.l",
    "lumbar_erector.r", "infraspinatus.l", "triceps.r", "gastrocnemius_medial.l", "lateral_hip.r",
    "latissimus.l", "forearm_extensors.r", "medial_hamstring.l", "popliteal.r", "soleus.l",
    "sacrum", "middle_trapezius.l", "teres.r", "lower_trapezius.l",
]  # fmt: skip


def _every_kind() -> list[MarkSpec]:
    marks: list[MarkSpec] = []
    for kind, region in zip(MarkKind, EVERY_KIND_REGIONS, strict=True):
        if kind.geometry is Geometry.POINT:
            marks.append(point(kind, region))
        elif kind.geometry is Geometry.STROKE:
            marks.append((kind, "posterior", around("posterior", region)[:2], False, {}))
        else:
            marks.append(whole(kind, region))
    return marks


@pytest.fixture(scope="module")
def every_kind_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The SOAP note of a visit charting all 18 kinds: its PDF and pdftotext's word boxes."""
    folder = tmp_path_factory.mktemp("every-kind")
    database = open_database(str(folder / "practice.db"))
    try:
        made = make_visit(database, VisitSpec(marks=_every_kind()))
        pdf = folder / "note.pdf"
        pdf.write_bytes(render(DocumentKind.SOAP, read_snapshot(database, made.visit_id)))
    finally:
        database.dispose()
    words = folder / "words.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(words)], check=True, capture_output=True)
    return pdf, words


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
)


def _legend_entries(words: Path) -> dict[MarkKind, tuple[int, float, float]]:
    """Where each kind's legend text starts: (page, x, y of the line's middle), in points."""
    pages = re.findall(r"<page.*?</page>", words.read_text("utf-8"), re.S)
    found: dict[MarkKind, tuple[int, float, float]] = {}
    for kind in MarkKind:
        code, first = kind.legend.code, kind.legend.name.split()[0]
        for number, page in enumerate(pages, start=1):
            boxes = [(float(a), float(b), float(c), w) for a, b, c, w in _WORD.findall(page)]
            hit = next(
                (a for a, b in itertools.pairwise(boxes) if (a[3], b[3]) == (code, first)), None
            )
            if hit:  # the legend comes before the list of marks, which repeats the words
                found[kind] = (number, hit[0], (hit[1] + hit[2]) / 2)
                break
    return found


@needs_poppler
@pytest.mark.parametrize("copy", ["colour", "greyscale", "fax"])
def test_every_kinds_legend_swatch_stays_distinct_in_colour_greyscale_and_on_a_fax(
    every_kind_page: tuple[Path, Path], copy: str
) -> None:
    """Each swatch, compared with every other at the best alignment, differs in its pixels.

    A fax is a 200 dpi scan turned black and white at half grey, as fax machines do in text
    mode; light fills vanish there, so only patterns, ink and outlines tell kinds apart.
    """
    from PIL import Image

    pdf, words = every_kind_page
    entries = _legend_entries(words)
    assert set(entries) == set(MarkKind)
    dpi = 200
    scale = dpi / 72
    pages: dict[int, Image.Image] = {}
    folder = Path(tempfile.mkdtemp(prefix="legend-", dir=pdf.parent))
    for number in {page for page, _, _ in entries.values()}:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-png",
             "-singlefile", str(pdf), str(folder / f"page{number}")],
            check=True, capture_output=True,
        )  # fmt: skip
        image = Image.open(folder / f"page{number}.png").convert("RGB")
        if copy == "greyscale":
            image = image.convert("L")
        elif copy == "fax":
            image = image.convert("L").point(lambda v: 255 if v > 128 else 0)
        pages[number] = image

    def swatch(kind: MarkKind, dx: int = 0, dy: int = 0) -> list[bytes]:
        # The swatch column is 22 points wide with 2 points of padding: the swatch's middle
        # lies 13 points left of its legend text.
        page, x, y = entries[kind]
        cx, cy = round((x - 13) * scale) + dx, round(y * scale) + dy
        crop = pages[page].crop((cx - 12, cy - 5, cx + 12, cy + 5))
        return [band.tobytes() for band in crop.split()]

    def difference(a: list[bytes], b: list[bytes]) -> float:
        total = sum(
            sum(abs(p - q) for p, q in zip(x, y, strict=True)) for x, y in zip(a, b, strict=True)
        )
        return total / (255 * sum(len(x) for x in a))

    closest = min(
        (
            min(
                difference(swatch(p), swatch(q, dx, dy))
                for dx in range(-2, 3)
                for dy in range(-2, 3)
            ),
            p.legend.code,
            q.legend.code,
        )
        for p, q in itertools.combinations(MarkKind, 2)
    )
    assert closest[0] >= 0.05, f"{closest[1]} and {closest[2]} look alike on the {copy} copy"


_BOX = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@needs_poppler
def test_four_figures_keep_their_captions_apart_and_letter_close_ups_in_one_run(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    def front(kind: MarkKind, region: str) -> MarkSpec:
        return (kind, "anterior", [region_point("anterior", region)], False, {})

    marks = [
        front(MarkKind.TRIGGER_POINT_ACTIVE, "masseter_tmj.r"),
        front(MarkKind.TENDER_POINT, "temporalis.r"),
        whole(MarkKind.TREATED, "masseter_tmj.r", "anterior"),
        whole(MarkKind.REFERRED_PAIN, "temporalis.r", "anterior"),
        *NECK,
        whole(MarkKind.TREATED, "it_band.r", "right_lateral"),
        whole(MarkKind.HYPERTONICITY, "it_band.l", "left_lateral"),
    ]
    made = visit_factory(marks=marks)
    letters = [inset.letter for chart in charts_of(db, made) for inset in chart.layout.insets]
    assert letters == ["A", "B"]  # the jaw, then the neck: one run of letters for the note
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id)))
    words = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    for page in re.findall(r"<page.*?</page>", words, re.S):
        boxes = [
            (float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _BOX.findall(page)
        ]
        if not any(w == "Posterior" for *_, w in boxes):
            continue
        for a, b in itertools.combinations(boxes, 2):
            same_line = abs((a[1] + a[3]) - (b[1] + b[3])) < 2
            assert not (same_line and a[0] < b[2] and b[0] < a[2]), f"{a[4]} runs into {b[4]}"
        return
    pytest.fail("no page holds the body charts")


@needs_poppler
def test_an_area_painted_past_the_outline_prints_on_the_body_only(tmp_path: Path) -> None:
    """An outline drawn from the mid back out past the arm: nothing is printed off the body."""
    from PIL import Image

    view = load_atlas().view("posterior")
    off = (0.95, 0.32)
    assert view.region_at(*off) is None
    spill = ((0.55, 0.30), (0.99, 0.30), (0.99, 0.34), (0.55, 0.34))
    chart = BodyChart(view, [_area(1, MarkKind.BURNING, spill)], 262.0, numbered=False)
    dpi = 200
    pdf = tmp_path / "spill.pdf"
    _draw(chart, pdf)
    image = Image.open(_png(pdf, dpi)).convert("RGB")
    x0, y0, x1, y1 = chart.layout.figure

    def inked(fx: float, fy: float) -> int:
        px = (x0 + fx * (x1 - x0)) * dpi / 72
        py = (chart.height - (y1 - fy * (y1 - y0))) * dpi / 72
        crop = image.crop((round(px - 4), round(py - 4), round(px + 4), round(py + 4)))
        data = crop.tobytes()
        return sum(1 for i in range(0, len(data), 3) if sum(data[i : i + 3]) < 3 * 235)

    assert inked(*off) == 0, "the area printed off the body"
    assert inked(0.6, 0.32) > 0, "the area prints on the body"
