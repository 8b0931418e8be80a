"""Fonts: escaped markup, a fallback font per script, no mixed-font words to garble."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from massage_chart.export import fonts


def test_markup_escapes_user_text() -> None:
    assert fonts.markup('a <b>x</b> & "q"') == 'a &lt;b&gt;x&lt;/b&gt; &amp; "q"'


def test_markup_keeps_line_breaks() -> None:
    assert fonts.markup("one\ntwo\r\nthree") == "one<br/>two<br/>three"


def test_latin_greek_and_cyrillic_stay_in_noto_sans() -> None:
    text = "Zoë Ağaoğlu Łukasz Ελένη Дмитрий"
    assert fonts.markup(text) == text


def test_cjk_hangul_arabic_and_hebrew_get_their_fallback_fonts() -> None:
    assert fonts.markup("王小明") == f'<font name="{fonts.CJK}">王小明</font>'
    assert fonts.markup("김민준") == f'<font name="{fonts.KOREAN}">김민준</font>'
    assert fonts.markup("محمد") == f'<font name="{fonts.ARABIC}">محمد</font>'
    assert fonts.markup("דוד") == f'<font name="{fonts.HEBREW}">דוד</font>'


def test_hebrew_and_arabic_runs_of_a_bold_style_name_their_bold_faces() -> None:
    assert fonts.markup("דוד", bold=True) == f'<font name="{fonts.HEBREW}-Bold">דוד</font>'
    assert (
        fonts.markup("Zoë محمد", bold=True) == f'Zoë <font name="{fonts.ARABIC}-Bold">محمد</font>'
    )


def test_punctuation_follows_the_letters_of_its_word_when_the_font_has_it() -> None:
    # Noto Sans Arabic has the comma: the whole word is one Arabic run (shaped as one).
    assert fonts.markup("العلي,") == f'<font name="{fonts.ARABIC}">العلي,</font>'


def test_only_right_to_left_text_needs_the_bidirectional_algorithm() -> None:
    assert fonts.needs_bidi("محمد") and fonts.needs_bidi("Dr. דוד") and fonts.needs_bidi("٣")
    assert not fonts.needs_bidi("王小明 Дмитрий Zoë 7/10 (C5-C6).")


def test_single_font_for_canvas_strings() -> None:
    assert fonts.single_font("王小明") == fonts.CJK
    assert fonts.single_font("Zoë 王") == fonts.SANS


_SOME_OF_EVERY_SCRIPT = st.one_of(
    st.characters(max_codepoint=0x2FF),  # ASCII, Latin, controls
    st.sampled_from("°·–—…“”€ΩЖж\r\n\t\u200d\ufe0f"),
    st.sampled_from("שלוםمحمد王小明김😀"),
    st.characters(),
)


@given(st.text(alphabet=_SOME_OF_EVERY_SCRIPT))
def test_text_noto_sans_draws_whole_is_marked_up_as_it_would_be_run_by_run(text: str) -> None:
    """Most of a note is drawn by Noto Sans alone: it takes a short road, which must give the
    long road's markup (escaping, line breaks of every kind, control characters), and any other
    text the long road itself."""
    assert fonts.markup(text) == fonts._markup_by_runs(text)
    assert fonts.markup(text, bold=True) == fonts._markup_by_runs(text, bold=True)


def test_text_beyond_ascii_still_takes_its_fonts_run_by_run() -> None:
    assert fonts.markup("Zoë & <Ana>\r\nשלום") == (
        f'Zoë &amp; &lt;Ana&gt;<br/><font name="{fonts.HEBREW}">שלום</font>'
    )
