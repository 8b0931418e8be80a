"""The insurer SOAP note, read back from the PDF: facts, codes, charts, signature, integrity, text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from sqlalchemy import text

from massage_chart.domain.marks import MarkKind
from massage_chart.domain.presentation import Clock, clock_set_to, format_date, person_name
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.export.soap_pdf import render_soap_pdf
from massage_chart.storage.database import Database
from tests.export.conftest import MadeVisit, region_point
from tests.export.pdftext import (
    all_text,
    body_text,
    flat,
    fonts,
    have_poppler,
    pages_text,
    render_png,
)

Factory = Callable[..., MadeVisit]


def soap(db: Database, made: MadeVisit) -> bytes:
    return render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))


def test_header_carries_the_claim_the_visit_and_the_provider(
    db: Database, visit_factory: Factory
) -> None:
    body = all_text(soap(db, visit_factory()))
    for expected in (
        "Harbourview Clinical Massage",
        "Zoë Ağaoğlu",
        "29 Feb 1984",  # date of birth
        "A-77-1042",  # claim number
        "1 Sep 2026",  # date of injury
        "Evergreen Mutual",
        "20 Nov 2026",  # date of service
        "10:00–11:00\n(60 min)",  # time in and out
        "Dr. A. Rahman",
        "Sam Lee, LMT",
        "MA.60012345",
        "1234567893",
    ):
        assert expected in body, expected
    compact = flat(body)
    assert "TOTALTREATMENTTIME" in compact and "TOTALTIMEDMINUTES" in compact
    assert compact.count("53min") >= 2  # 38 + 15 timed minutes, no untimed codes
    # The payer in the screen's words, without brackets inside brackets.
    assert flat("Evergreen Mutual · Auto insurance (PIP)") in compact


def test_dates_and_times_read_as_on_screen_on_either_clock(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory()
    with clock_set_to(Clock.TWELVE_HOUR):
        body = all_text(soap(db, made))
    assert "10:00 AM – 11:00 AM\n(60 min)" in body
    assert f"Date of service {format_date(dt.date(2026, 11, 20))}" in body
    with clock_set_to(Clock.TWENTY_FOUR_HOUR):
        body = all_text(soap(db, made))
    assert "10:00–11:00\n(60 min)" in body


def test_icd10_codes_print_with_their_official_descriptions(
    db: Database, visit_factory: Factory
) -> None:
    body = all_text(soap(db, visit_factory(icd10=("S13.4XXD", "M54.2", "Q99.999"))))
    assert "S13.4XXD" in body
    assert "Sprain of ligaments of cervical spine, subsequent encounter" in body
    assert "M54.2" in body and "Cervicalgia" in body
    assert "code not found in the ICD-10-CM code set" in body


def test_cpt_lines_show_minutes_units_and_modifiers(db: Database, visit_factory: Factory) -> None:
    body = all_text(soap(db, visit_factory()))
    services = body[body.index("Services (CPT)") : body.index("S — Subjective")]
    cells = [cell.strip() for cell in services.splitlines()]
    assert cells[6:11] == ["97140", "59", "38", "3", "A, B"]
    assert cells[11:16] == ["97124", "—", "15", "1", "A, B"]
    assert cells[16:19] == ["Total", "53", "4"]


def test_soap_sections_and_goals_are_printed(db: Database, visit_factory: Factory) -> None:
    body = all_text(soap(db, visit_factory()))
    positions = [
        body.index(heading)
        for heading in ("S — Subjective", "O — Objective", "A — Assessment", "P — Plan")
    ]
    assert positions == sorted(positions)
    assert "Neck pain after a rear-end collision" in body
    assert "7/10 before treatment, 3/10 after treatment" in body
    assert "Turn the head fully to check traffic." in body
    assert "Sleep through the night." in body


def test_body_charts_of_the_marked_views_with_legend_and_numbered_marks(
    db: Database, visit_factory: Factory
) -> None:
    body = all_text(soap(db, visit_factory()))
    assert "Anterior — client's R on viewer's L" in body
    assert "Posterior — client's R on viewer's R" in body
    assert "lateral" not in body.lower()  # views without marks are not drawn
    for code in ("TP", "TPl", "TdP", "HT", "Tx", "RP", "AV", "ADH", "SC"):
        assert re.search(rf"\b{re.escape(code)}\b", body), code
    assert "NNumbness" not in flat(body) and "Numbness" not in body  # only kinds used
    assert re.search(r"\n5\s*TP Trigger point, active\s*R upper trapezius", body)
    assert "refers to temple" in body
    assert "L middle trapezius" in body


def test_a_chart_point_is_drawn_where_it_was_charted(db: Database, visit_factory: Factory) -> None:
    """The number 1 marker sits beside the pain dot at the atlas point of L pectoralis major."""
    pdf = soap(db, visit_factory(marks=[(MarkKind.PAIN, "anterior",
                                         [region_point("anterior", "pec_major.l")], False,
                                         {"intensity": 6})]))  # fmt: skip
    assert "L pectoralis major" in all_text(pdf)


def test_signed_note_has_the_signature_block_with_the_hash(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory()
    snapshot = read_snapshot(db, made.visit_id)
    body = all_text(render_soap_pdf(snapshot))
    assert "Electronically signed by Sam Lee, LMT" in body
    assert "(licence MA.60012345, NPI 1234567893) on 20 Nov 2026 at 11:42" in body
    assert snapshot.content_hash is not None and snapshot.content_hash in flat(body)
    assert "DRAFT" not in body
    assert "INTEGRITY FAILURE" not in body


def test_unsigned_note_is_marked_draft_on_every_page(db: Database, visit_factory: Factory) -> None:
    pages = pages_text(soap(db, visit_factory(signed=False)))
    assert all("DRAFT — NOT SIGNED" in page for page in pages)
    assert "Electronically signed" not in "".join(pages)


def test_a_signed_note_changed_after_signing_says_integrity_failure(
    db: Database, visit_factory: Factory
) -> None:
    made = visit_factory()
    with db.engine.begin() as connection:  # an attacker with the file bypasses the triggers
        connection.exec_driver_sql("DROP TRIGGER trg_visits_signed_update")
        connection.execute(
            text("UPDATE visits SET assessment = 'tampered' WHERE id = :id"), {"id": made.visit_id}
        )
    pages = pages_text(soap(db, made))
    assert "INTEGRITY FAILURE" in pages[0]
    assert "its content was changed after it was signed" in pages[0]
    assert all("INTEGRITY FAILURE" in page for page in pages)  # the watermark
    assert "Electronically signed by" not in "".join(pages)


def test_addenda_follow_the_signed_note(db: Database, visit_factory: Factory) -> None:
    made = visit_factory(addenda=(("Late entry", "Client phoned: headache eased overnight."),))
    body = all_text(soap(db, made))
    assert body.index("Electronically signed") < body.index("Addendum 1")
    assert "Client phoned: headache eased overnight." in body
    assert "Reason: Late entry" in body


def test_every_page_has_the_client_the_date_and_page_x_of_y(
    db: Database, visit_factory: Factory
) -> None:
    pages = pages_text(soap(db, visit_factory(objective="Palpation findings. " * 900)))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Zoë Ağaoğlu" in page
        assert "DOB 29 Feb 1984" in page
        assert "Date of service 20 Nov 2026" in page


def test_markup_in_user_text_prints_literally(db: Database, visit_factory: Factory) -> None:
    note = 'BP <120/80 & HR 72; "<b>ouch</b>" & <script>alert(1)</script> &amp; <br/>'
    body = all_text(soap(db, visit_factory(subjective=note, first_name="<i>Al</i> & Co")))
    assert flat(note) in flat(body)
    assert "<i>Al</i> & Co" in body


def test_a_50000_character_note_paginates_and_loses_nothing(
    db: Database, visit_factory: Factory
) -> None:
    words = " ".join(f"w{i:05d}" for i in range(8300))  # 8,300 words, about 50,000 characters
    assert len(words) >= 49_000
    pages = pages_text(soap(db, visit_factory(subjective=words)))
    assert len(pages) >= 8
    assert re.findall(r"w\d{5}", "".join(pages)) == words.split()


def test_a_5000_character_word_wraps_inside_the_margins(
    db: Database, visit_factory: Factory
) -> None:
    word = "https://example.org/" + "a1b2c3d4e5" * 498
    pdf = soap(db, visit_factory(plan=word))
    printed = flat(body_text(pdf))
    assert "https://example.org/" in printed
    assert printed.count("a1b2c3d4e5") == 498
    if not have_poppler():
        pytest.skip("pdftoppm is not installed; the pixel check of the margins is skipped")
    from PIL import Image

    for number in range(1, len(pages_text(pdf)) + 1):
        image = Image.open(render_png(pdf, number, dpi=40)).convert("L")
        width, height = image.size
        margin = int(width * 14 / 216)  # 14 mm of the 216 mm letter width: inside the 18 mm margin
        for box in ((0, 0, margin, height), (width - margin, 0, width, height)):
            darkest = image.crop(box).getextrema()[0]
            assert isinstance(darkest, int) and darkest > 200, f"ink in a margin of page {number}"


def test_a_long_list_of_marks_splits_across_pages_with_its_header(
    db: Database, visit_factory: Factory
) -> None:
    point = region_point("posterior", "thoracic_erector.r")
    marks = [
        (MarkKind.TENDER_POINT, "posterior", [point], False, {"note": f"spot {i} " + "x" * 80})
        for i in range(120)
    ]
    pages = pages_text(soap(db, visit_factory(marks=marks)))
    with_header = [p for p in pages if "Location (client's side)" in p]
    assert len(with_header) >= 3
    assert "spot 119" in "".join(pages)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Zoë", "Ağaoğlu"),
        ("Łukasz", "Żółć"),
        ("Ελένη", "Παπαδοπούλου"),
        ("Дмитрий", "Иванов"),
        ("小明", "王"),
        ("太郎", "山田"),
        ("민준", "김"),
    ],
)
def test_names_in_every_script_come_out_right(
    db: Database, visit_factory: Factory, first: str, last: str
) -> None:
    pdf = soap(db, visit_factory(first_name=first, last_name=last))
    body = all_text(pdf)
    assert person_name(first, last) in body  # "王小明": family name first in CJK scripts
    assert "\u25a0" not in body and "\ufffd" not in body
    assert all(fonts(pdf).values()), fonts(pdf)


@pytest.mark.parametrize(
    ("first", "last", "font"),
    [("محمد", "العلي", "NotoSansArabic"), ("דוד", "כהן", "NotoSansHebrew")],
)
def test_arabic_and_hebrew_names_use_their_embedded_fonts(
    db: Database, visit_factory: Factory, first: str, last: str, font: str
) -> None:
    pdf = soap(db, visit_factory(first_name=first, last_name=last))
    used = fonts(pdf)
    assert any(font in name for name in used), used
    assert all(used.values())


def test_only_embedded_fonts_are_used(db: Database, visit_factory: Factory) -> None:
    used = fonts(soap(db, visit_factory(first_name="王小明")))
    assert used and all(used.values()), used
    assert not any("Helvetica" in name for name in used)


def test_the_same_visit_gives_the_same_bytes(db: Database, visit_factory: Factory) -> None:
    made = visit_factory()
    assert soap(db, made) == soap(db, made)


def test_a_visit_without_marks_or_billing_still_prints(
    db: Database, visit_factory: Factory
) -> None:
    body = all_text(soap(db, visit_factory(marks=[], billing=(), icd10=(), goals="")))
    assert "No marks charted." in body
    assert "No services billed." in body
    assert "No diagnosis codes recorded." in body


def test_the_practice_logo_is_on_the_letterhead(db: Database, visit_factory: Factory) -> None:
    import io

    from PIL import Image
    from pypdf import PdfReader

    logo = io.BytesIO()
    Image.new("RGB", (240, 80), (31, 95, 139)).save(logo, format="PNG")
    pdf = soap(db, visit_factory(logo_png=logo.getvalue()))
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(first.images) == 1


def test_a_broken_logo_is_left_out(db: Database, visit_factory: Factory) -> None:
    body = all_text(soap(db, visit_factory(logo_png=b"not a png")))
    assert "Harbourview Clinical Massage" in body


def test_the_signers_signature_image_is_in_the_signature_block(
    db: Database, visit_factory: Factory
) -> None:
    import io

    from PIL import Image
    from pypdf import PdfReader
    from sqlalchemy import select

    from massage_chart.storage.models import Provider

    made = visit_factory()
    ink = io.BytesIO()
    Image.new("RGB", (300, 90), (20, 20, 60)).save(ink, format="PNG")
    with db.write() as session:
        for provider in session.scalars(select(Provider)):
            provider.signature_png = ink.getvalue()
    pages = PdfReader(io.BytesIO(soap(db, made))).pages
    signed_page = next(p for p in pages if "Electronically signed by" in (p.extract_text() or ""))
    assert len(signed_page.images) == 1


def test_a_page_that_opens_inside_a_section_says_which_it_continues(
    db: Database, visit_factory: Factory
) -> None:
    pages = pages_text(soap(db, visit_factory(subjective="Neck stiff on waking. " * 2500)))
    assert len(pages) >= 4
    continued = [page for page in pages[1:] if "S — Subjective (continued)" in page]
    assert len(continued) >= 2  # the Subjective runs over several pages
    # It is the page's first line, read before the text it continues (a reader or a search
    # never finds it inside a sentence).
    assert all(page.splitlines()[0] == "S — Subjective (continued)" for page in continued)
    assert "(continued)" not in pages[0]
    # The page on which the Objective starts continues nothing; the ones after the note do not
    # claim to be in the Subjective.
    starts_objective = next(i for i, page in enumerate(pages) if "O — Objective" in page)
    assert all("S — Subjective (continued)" not in page for page in pages[starts_objective + 1 :])


def test_units_that_disagree_with_the_payers_rule_are_flagged_not_printed_as_right(
    db: Database, visit_factory: Factory
) -> None:
    """A count that came by another road (a chart file, a "sign anyway") and is not what the
    minutes give by the claim's rule is printed as billed, with the check beside it."""
    body = flat(all_text(soap(db, visit_factory(billing=(("97140", 38, 4, ()),)))))
    assert (
        flat("Check: 97140: 38 minutes give 3 units by the CMS 8-minute rule, but 4 are entered.")
        in body
    )
    fine = flat(all_text(soap(db, visit_factory())))
    assert "Check:" not in fine
