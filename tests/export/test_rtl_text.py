"""Hebrew and Arabic in every field a note prints: exported, in reading order, searchable."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from massage_chart.cli import main
from massage_chart.domain.marks import MarkKind
from massage_chart.export import fonts
from massage_chart.export.document import PageMarks, build_pdf
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.export.styles import BidiParagraph, para, stylesheet
from massage_chart.storage.database import Database
from massage_chart.storage.models import Practice, Provider
from tests.export import pdftext
from tests.export.conftest import MadeVisit, region_point
from tests.export.pdftext import (
    all_text,
    drawn_runs,
    flat,
    have_pdftotext,
    pages_text,
    poppler_text,
)

Factory = Callable[..., MadeVisit]

#: What a note holds, in Hebrew and in Arabic: full stops, commas, numbers, codes, parentheses.
HEBREW = {
    "first_name": "דוד",
    "last_name": "כהן.",
    "chief_complaint": "כאב בצוואר (צד ימין) מאז 01/11, בעוצמה 7/10.",
    "subjective": "הלקוח מדווח על כאב 7/10 בכתף ימין (C5-C6), פעמיים ביום.",
    "objective": "מתח בשריר הטרפז העליון, נקודת טריגר פעילה.",
    "assessment": "שיפור של 30% בתנועת הצוואר.",
    "plan": "טיפול שבועי, 4 פעמים. מתיחות 3 x 30 שניות.",
    "goals": "לסובב את הראש בזמן נהיגה.\nלישון לילה שלם, 8 שעות.",
    "mark_note": "מקרין לרקה (צד ימין).",
    "avoid_note": "דליות בירך.",
    "reason": "תיקון של תאריך הפציעה.",
    "addendum": "תאריך הפציעה הוא 01/09/2026, לא 02/09.",
    "practice": "מרפאת עיסוי הנמל.",
    "provider_first": "שרה",
    "provider_last": "לוי",
}
ARABIC = {
    "first_name": "محمد",
    "last_name": "العلي",
    "chief_complaint": "ألم في الرقبة (الجهة اليمنى) منذ 3 أسابيع، 7/10.",
    "subjective": "يشكو العميل من ألم 7/10 في الكتف الأيمن (C5-C6)، مرتين يوميا.",
    "objective": "شد في العضلة شبه المنحرفة العليا، نقطة زناد نشطة.",
    "assessment": "تحسن بنسبة 30% في حركة الرقبة.",
    "plan": "علاج أسبوعي لمدة 4 أسابيع. تمارين إطالة 3 x 30 ثانية.",
    "goals": "تدوير الرأس أثناء القيادة.\nالنوم طوال الليل، 8 ساعات.",
    "mark_note": "ألم ينتشر إلى الصدغ (الجهة اليمنى).",
    "avoid_note": "دوالي في الفخذ.",
    "reason": "تصحيح تاريخ الإصابة.",
    "addendum": "تاريخ الإصابة هو 01/09/2026، وليس 02/09.",
    "practice": "عيادة المرفأ للتدليك.",
    "provider_first": "سارة",
    "provider_last": "حداد",
}
SCRIPTS = pytest.mark.parametrize("words", [HEBREW, ARABIC], ids=["hebrew", "arabic"])


def rtl_visit(
    db: Database, visit_factory: Factory, words: dict[str, str], **overrides: object
) -> MadeVisit:
    """A signed visit with the words in every field a note prints."""
    fields: dict[str, object] = {
        "first_name": words["first_name"],
        "last_name": words["last_name"],
        "chief_complaint": words["chief_complaint"],
        "subjective": words["subjective"],
        "objective": words["objective"],
        "assessment": words["assessment"],
        "plan": words["plan"],
        "goals": words["goals"],
        "marks": [
            (MarkKind.TRIGGER_POINT_ACTIVE, "posterior",
             [region_point("posterior", "upper_trapezius.r")], False,
             {"intensity": 7, "note": words["mark_note"]}),
            (MarkKind.AVOID, "anterior", [region_point("anterior", "femoral_triangle.r")], True,
             {"note": words["avoid_note"]}),
        ],
        "addenda": ((words["reason"], words["addendum"]),),
        **overrides,
    }  # fmt: skip
    made = visit_factory(**fields)
    with db.write() as session:
        session.query(Practice).one().name = words["practice"]
        provider = session.get(Provider, made.provider_id)
        assert provider is not None
        provider.first_name = words["provider_first"]
        provider.last_name = words["provider_last"]
    return made


def words_of(words: dict[str, str], *keys: str) -> list[str]:
    """The words (letters and digits, no punctuation) of some fields."""
    return [w for key in keys for w in re.findall(r"\w+", words[key])]


NOTE_FIELDS = (
    "first_name", "last_name", "chief_complaint", "subjective", "objective", "assessment",
    "plan", "goals", "mark_note", "avoid_note", "reason", "addendum", "practice",
    "provider_first", "provider_last",
)  # fmt: skip


def no_presentation_forms(text: str) -> bool:
    return not any(0xFB1D <= ord(c) <= 0xFDFF or 0xFE70 <= ord(c) <= 0xFEFC for c in text)


@SCRIPTS
def test_a_soap_note_with_right_to_left_text_in_every_field_exports(
    db: Database, visit_factory: Factory, words: dict[str, str]
) -> None:
    pdf = render(DocumentKind.SOAP, read_snapshot(db, rtl_visit(db, visit_factory, words).visit_id))
    text = all_text(pdf)
    missing = [w for w in words_of(words, *NOTE_FIELDS) if w not in flat(text)]
    assert not missing, missing
    assert "\ufffd" not in text and "\u25a0" not in text
    assert no_presentation_forms(text)


@SCRIPTS
def test_a_draft_note_with_right_to_left_text_exports(
    db: Database, visit_factory: Factory, words: dict[str, str]
) -> None:
    made = rtl_visit(db, visit_factory, words, signed=False, addenda=())
    text = all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id)))
    assert "DRAFT" in text
    assert all(w in flat(text) for w in words_of(words, "goals", "subjective"))


@SCRIPTS
def test_a_visit_summary_with_right_to_left_text_exports(
    db: Database, visit_factory: Factory, words: dict[str, str]
) -> None:
    made = rtl_visit(db, visit_factory, words)
    text = all_text(render(DocumentKind.SUMMARY, read_snapshot(db, made.visit_id)))
    keys = ("first_name", "chief_complaint", "practice", "provider_first", "provider_last")
    missing = [w for w in words_of(words, *keys) if w not in flat(text)]
    assert not missing, missing
    assert no_presentation_forms(text)


@SCRIPTS
def test_a_long_right_to_left_paragraph_wraps_and_splits_across_pages(
    db: Database, visit_factory: Factory, words: dict[str, str]
) -> None:
    sentence = words["subjective"]
    long = " ".join(f"{sentence[:-1]} [{n}]." for n in range(1, 301))
    made = rtl_visit(db, visit_factory, words, subjective=long)
    pdf = render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))
    assert len(pages_text(pdf)) >= 3
    text = flat(all_text(pdf))
    first_word = re.findall(r"\w+", sentence)[0]
    assert text.count(first_word) >= 300
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", all_text(pdf))}
    assert numbers == set(range(1, 301))


def test_a_batch_of_right_to_left_notes_exits_0(
    db: Database, visit_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day, words in enumerate([HEBREW, ARABIC, HEBREW, ARABIC], start=2):
        rtl_visit(db, visit_factory, words, start=dt.datetime(2026, 11, day, 9))
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", "batch", "--from", "2026-11-01", "--to", "2026-11-30", "--workers", "1"]
    assert db.file is not None
    assert main([*args, "--db", str(db.file), "-o", str(out)]) == 0, capsys.readouterr().err
    written = sorted(out.glob("*.pdf"))
    assert len(written) == 4
    assert "כהן" in all_text(written[0].read_bytes()) or "العلي" in all_text(
        written[0].read_bytes()
    )


def one_paragraph(text: str, *, rtl: bool | None = None) -> bytes:
    return build_pdf([para(text, stylesheet().body, rtl=rtl)], PageMarks(footer="Footer"))


def test_a_hebrew_sentence_ends_with_its_full_stop_at_the_left() -> None:
    assert drawn_runs(one_paragraph("דוד כהן."))[:2] == [".", "דוד כהן"]


def test_numbers_and_codes_inside_a_hebrew_sentence_keep_their_place() -> None:
    runs = drawn_runs(one_paragraph("כאב 7/10 בכתף ימין (C5-C6), פעמיים ביום."))

    def at(word: str) -> int:
        return next(i for i, run in enumerate(runs) if word in run)

    assert runs[0] == "."
    assert at("פעמיים ביום") < at("C5-C6") < at("בכתף ימין") < at("7/10") < at("כאב")


def test_a_hebrew_word_inside_an_english_sentence_stays_in_place() -> None:
    runs = drawn_runs(one_paragraph("Pain over the (ימין) shoulder, 7/10."))
    body = runs[: runs.index("Page 1 of 1")]
    assert " ".join(body).replace("( ", "(").replace(" )", ")") == (
        "Pain over the (ימין) shoulder, 7/10."
    )


def test_the_arabic_full_stop_is_the_leftmost_glyph_of_its_line() -> None:
    paragraph = para("محمد العلي.", stylesheet().body)
    assert isinstance(paragraph, BidiParagraph) and paragraph.starts_rtl
    paragraph.wrap(400, 100)
    line = paragraph._visual(paragraph.blPara).lines[0]
    assert str(line.words[0].text)[0] == "."
    assert line.extraSpace > 0


@pytest.mark.parametrize(("name", "face"), [("שרה לוי", "NotoSansHebrew-Bold"),
                                            ("سارة حداد", "NotoSansArabic-Bold")])  # fmt: skip
def test_a_name_in_a_bold_style_prints_in_the_bold_face(name: str, face: str) -> None:
    pdf = build_pdf([para(name, stylesheet().value_bold)], PageMarks(footer="Footer"))
    assert any(face in used for used in pdftext.fonts(pdf)), pdftext.fonts(pdf)


def test_our_words_after_arabic_text_keep_their_digits_in_place() -> None:
    paragraph = para("تمارين إطالة 3 x 30 ثانية", stylesheet().friendly, suffix=" (3 sets of 30)")
    runs = drawn_runs(build_pdf([paragraph], PageMarks(footer="Footer")))
    assert runs[0] == "(3 sets of 30)"


def test_spaces_between_arabic_words_are_kept() -> None:
    text = all_text(one_paragraph("ألم في الرقبة منذ 3 أسابيع (حادث سيارة)."))
    assert "حادث سيارة" in text and "الرقبة منذ" in text


@SCRIPTS
def test_the_footer_prints_the_name_as_the_header_does(
    db: Database, visit_factory: Factory, words: dict[str, str]
) -> None:
    made = rtl_visit(db, visit_factory, words)
    pdf = render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))
    runs = drawn_runs(pdf, 0)
    header = runs[runs.index("CLIENT") + 1 : runs.index("DATE OF BIRTH")]
    page = next(i for i, run in enumerate(runs) if re.fullmatch(r"Page 1 of \d+", run))
    footer = runs[page + 1 :]
    assert header and footer[: len(header)] == header, (header, footer)
    assert footer[len(header)].startswith("· DOB")
    assert "يلعلا" not in all_text(pdf)


def test_the_right_to_left_paragraph_direction_comes_from_its_first_letter() -> None:
    assert fonts.base_is_rtl("(7) דוד Cohen") is True
    assert fonts.base_is_rtl("Reason: תיקון") is False
    assert fonts.base_is_rtl("7/10 (...)") is None


def test_visual_runs_reverse_a_right_to_left_line_and_keep_numbers_left_to_right() -> None:
    runs = fonts.visual_runs(
        [("he", "כאב "), ("sans", "7/10"), ("he", " בכתף"), ("sans", ".")], True
    )
    assert runs == [("sans", ".", True), ("he", " בכתף", True), ("sans", "7/10", False),
                    ("he", "כאב ", True)]  # fmt: skip


def test_trailing_spaces_take_the_paragraph_direction() -> None:
    assert fonts.embedding_levels("abc דוד ", False) == [0, 0, 0, 0, 1, 1, 1, 0]
    assert fonts.embedding_levels("דוד 12 ", True) == [1, 1, 1, 1, 2, 2, 1]


def test_brackets_of_a_right_to_left_run_are_mirrored() -> None:
    assert fonts.mirrored("), ") == " ,("
    assert fonts.mirrored("[") == "]"


def test_presentation_forms_read_back_as_the_letters_typed() -> None:
    assert fonts.typed_letters("\ufee3") == "\u0645"  # MEEM INITIAL FORM
    assert fonts.typed_letters("\ufefb") == "\u0644\u0627"  # LAM WITH ALEF ligature
    assert fonts.typed_letters("a") == "a"


@pytest.mark.skipif(not have_pdftotext(), reason="poppler-utils not installed")
def test_a_viewer_finds_the_names_in_the_text_layer(db: Database, visit_factory: Factory) -> None:
    for words in (HEBREW, ARABIC):
        made = rtl_visit(db, visit_factory, words)
        text = poppler_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id)))
        # poppler puts a full stop that ends a right-to-left name on its own side: leave it out.
        assert f"{words['first_name']} {words['last_name'].rstrip('.')}" in text
        assert words["provider_first"] in text
        assert no_presentation_forms(text)
