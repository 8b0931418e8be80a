"""Embedded TrueType fonts for PDFs: a fallback font per script, escaped markup, bidi runs."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import TypeVar
from xml.sax.saxutils import escape

from bidi import get_base_level, get_display  # type: ignore[import-untyped]
from bidi.mirror import MIRRORED  # type: ignore[import-untyped]
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont, shapeFragWord

from massage_chart.resources import resource_path

SANS = "MCSans"
SANS_BOLD = "MCSans-Bold"
SANS_ITALIC = "MCSans-Italic"
HEBREW = "MCHebrew"
ARABIC = "MCArabic"
CJK = "MCCJK"
KOREAN = "MCKorean"

_FILES: dict[str, str] = {
    SANS: "NotoSans-Regular.ttf",
    SANS_BOLD: "NotoSans-Bold.ttf",
    SANS_ITALIC: "NotoSans-Italic.ttf",
    HEBREW: "NotoSansHebrew-Regular.ttf",
    f"{HEBREW}-Bold": "NotoSansHebrew-Bold.ttf",
    ARABIC: "NotoSansArabic-Regular.ttf",
    f"{ARABIC}-Bold": "NotoSansArabic-Bold.ttf",
}
#: Large fallback fonts, registered the first time a character needs them.
_LAZY_FILES: dict[str, str] = {
    CJK: "DroidSansFallbackFull.ttf",
    KOREAN: "NanumGothic.ttf",
}

_lock = threading.Lock()
_registered = False

_RTL_CLASSES = frozenset({"R", "AL"})
_STRONG_CLASSES = frozenset({"L", "R", "AL"})
#: Characters that make a text need the bidirectional algorithm: right-to-left letters, Arabic
#: digits and the explicit embeddings, overrides and isolates.
_BIDI_CLASSES = frozenset(
    {"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}
)
_DIRECTION_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_LEVEL = re.compile(r"Level\(\s*(\d+)")
T = TypeVar("T")
#: A newline, a run of other whitespace, or a run of anything else (a word).
_TOKENS = re.compile(r"\n|[^\S\n]+|\S+")


def register_fonts() -> None:
    """Register the embedded fonts and their bold/italic families with reportlab (once)."""
    global _registered
    with _lock:
        if _registered:
            return
        for name, file in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))
        addMapping(SANS, 0, 0, SANS)
        addMapping(SANS, 1, 0, SANS_BOLD)
        addMapping(SANS, 0, 1, SANS_ITALIC)
        addMapping(SANS, 1, 1, SANS_BOLD)
        for family in (HEBREW, ARABIC):
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, f"{family}-Bold")
            addMapping(family, 0, 1, family)
            addMapping(family, 1, 1, f"{family}-Bold")
        # reportlab shapes with discretionary ligatures on; in Arabic fonts they turn a name such
        # as Muhammad into a vowelled ligature. Names must print as typed: keep kerning and the
        # required ligatures only.
        if shapeFragWord.__defaults__:
            shapeFragWord.__defaults__[0].pop("dlig", None)
        # Shaped Arabic is drawn with the fonts' contextual forms, which the font's character
        # map lists as presentation forms; the PDF's text then says the letters typed instead.
        ttfonts.makeToUnicodeCMap = _typed_letters_cmap
        _registered = True


_reportlab_cmap = ttfonts.makeToUnicodeCMap
_CMAP_ENTRY = re.compile(r"^<([0-9A-F]{2})> <([0-9A-F]{4})>$", re.MULTILINE)


def typed_letters(char: str) -> str:
    """The letters a Hebrew or Arabic presentation form (a shaped letter or ligature) stands for:
    its compatibility decomposition (U+FEE3 MEEM INITIAL FORM is MEEM); other characters as they
    are."""
    code = ord(char)
    if 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFC:
        return unicodedata.normalize("NFKC", char)
    return char


def _typed_letters_cmap(font_name: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode map of a font subset, with each presentation form mapped to the
    letters it stands for (so the PDF can be searched and copied in the letters typed)."""

    def entry(match: re.Match[str]) -> str:
        letters = typed_letters(chr(int(match.group(2), 16)))
        return f"<{match.group(1)}> <{letters.encode('utf-16-be').hex().upper()}>"

    return _CMAP_ENTRY.sub(entry, _reportlab_cmap(font_name, subset))


def _register_lazy(name: str) -> None:
    """Register one large fallback font (every weight maps to its one face)."""
    register_fonts()
    with _lock:
        if name in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", _LAZY_FILES[name]))))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)


@cache
def _covered(font_name: str) -> frozenset[int]:
    if font_name in _LAZY_FILES:
        _register_lazy(font_name)
    else:
        register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return frozenset(face.charWidths)


@cache
def font_for(char: str) -> str:
    """The font family that draws this character: Noto Sans, else the script's fallback."""
    code = ord(char)
    if code in _covered(SANS) or unicodedata.category(char) in {"Zs", "Cc", "Cf"}:
        return SANS
    if 0x0590 <= code <= 0x05FF or 0xFB1D <= code <= 0xFB4F:
        return HEBREW
    if code in _covered(ARABIC):
        return ARABIC
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xAC00 <= code <= 0xD7AF:
        return KOREAN if code in _covered(KOREAN) else SANS
    if code in _covered(CJK):
        return CJK
    if code in _covered(KOREAN):
        return KOREAN
    return SANS


def needs_bidi(text: str) -> bool:
    """Whether the text holds right-to-left letters, Arabic digits or explicit direction marks:
    text that must be ordered by the Unicode bidirectional algorithm (and its right-to-left runs
    shaped) before it is drawn. Other text draws in the order it was typed."""
    return any(unicodedata.bidirectional(c) in _BIDI_CLASSES for c in text)


def base_is_rtl(text: str) -> bool | None:
    """The direction of a paragraph by its first strong letter (rules P2 and P3 of the Unicode
    bidirectional algorithm): True for right to left, False for left to right, None when the text
    has no letter that decides it."""
    if not any(unicodedata.bidirectional(c) in _STRONG_CLASSES for c in text):
        return None
    return bool(get_base_level(text))


def embedding_levels(line: str, rtl: bool) -> list[int]:
    """The resolved embedding level of each character of one line, by python-bidi's Unicode
    bidirectional algorithm, with the line's trailing spaces at the paragraph's level (rule L1).

    python-bidi returns its resolved levels when asked for debug output; they are listed per
    UTF-8 byte, so each character takes the level of its first byte.
    """
    if not line:
        return []
    info = str(get_display(line, base_dir="R" if rtl else "L", debug=True))
    listing = info.split("\n    levels: [", 1)[-1].split("\n    ],", 1)[0]
    per_byte = [int(level) for level in _LEVEL.findall(listing)]
    if len(per_byte) != len(line.encode("utf-8")):
        raise RuntimeError("python-bidi did not report one level per byte of the line")
    levels: list[int] = []
    offset = 0
    for char in line:
        levels.append(per_byte[offset])
        offset += len(char.encode("utf-8"))
    base = 1 if rtl else 0
    index = len(line) - 1
    while index >= 0 and unicodedata.bidirectional(line[index]) in {"WS", "S", "B", "BN"}:
        levels[index] = base
        index -= 1
    return levels


def visual_runs(pieces: Sequence[tuple[T, str]], rtl: bool) -> list[tuple[T, str, bool]]:
    """One line's pieces of text (in the order typed, each with its key: its font) as runs in
    the order they are drawn, left to right (rule L2).

    Each run is ``(key, text, right_to_left)``: the text is still in typed order; a right-to-left
    run is to be shaped right to left (or reversed and mirrored) by the caller.
    """
    levels = embedding_levels("".join(text for _, text in pieces), rtl)
    runs: list[tuple[T, str, int]] = []
    position = 0
    for key, text in pieces:
        start = 0
        for index in range(1, len(text) + 1):
            if index == len(text) or levels[position + index] != levels[position + start]:
                runs.append((key, text[start:index], levels[position + start]))
                start = index
        position += len(text)
    if not runs:
        return []
    order = list(range(len(runs)))
    highest = max(level for _, _, level in runs)
    lowest_odd = min((level for _, _, level in runs if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if runs[order[index]][2] < level:
                index += 1
                continue
            end = index
            while end < len(order) and runs[order[end]][2] >= level:
                end += 1
            order[index:end] = order[index:end][::-1]
            index = end
    drawn = ((runs[i][0], _without_controls(runs[i][1]), runs[i][2] % 2 == 1) for i in order)
    return [run for run in drawn if run[1]]


def _without_controls(text: str) -> str:
    """Text without the invisible direction marks, embeddings and isolates (they only steer the
    order; rule X9 removes them)."""
    return "".join(c for c in text if c not in _DIRECTION_CONTROLS)


def isolate(text: str) -> str:
    """User text set inside a line of ours (a name in the footer): isolated, so it takes its own
    direction and its punctuation stays with it ("כהן." keeps its full stop on the left)."""
    return f"\u2068{text}\u2069"


def has_rtl_letters(text: str) -> bool:
    """Whether the text holds Hebrew or Arabic letters (a run that harfbuzz shapes right to left)."""
    return any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text)


def mirrored(text: str) -> str:
    """A right-to-left run without letters (punctuation, brackets) in drawing order: reversed,
    with brackets mirrored (rule L4)."""
    return "".join(MIRRORED.get(c, c) for c in reversed(text))


def _is_strong(char: str) -> bool:
    """Letters and ideographs decide a word's font; punctuation, digits and marks follow them."""
    return unicodedata.category(char)[0] == "L"


def _word_fonts(word: str) -> list[str]:
    """The font of each character of one word.

    reportlab shapes a word with the font of its first character, so a word must not mix fonts
    when it can be helped: punctuation and digits take the font of the word's letters when that
    font has them ("王小明," is all CJK; "(محمد)" all Arabic).
    """
    families = [font_for(c) for c in word]
    strong = {f for c, f in zip(word, families, strict=True) if _is_strong(c)}
    if len(strong) == 1:
        family = strong.pop()
        covered = _covered(family)
        return [family if ord(c) in covered else f for c, f in zip(word, families, strict=True)]
    return families


_SILENT = frozenset(range(0xFE00, 0xFE10)) | {0x200D}
"""Variation selectors and the zero-width joiner: they change how the character before them is
drawn, and carry nothing to print where it cannot be drawn."""


def drawable(char: str) -> bool:
    """Whether one of the embedded fonts has a glyph for ``char`` (or it needs none)."""
    code = ord(char)
    if code in _SILENT or unicodedata.category(char) in {"Zs", "Cc", "Cf"}:
        return True
    family = font_for(char)
    return code in _covered(family)


def spelled_out(char: str) -> str:
    """A character no embedded font draws (an emoji, say), written so that it is still on the
    page: ``[U+1F600 GRINNING FACE]``. A record must never lose what was typed silently."""
    name = unicodedata.name(char, "")
    return f"[U+{ord(char):04X}{' ' + name if name else ''}]"


def printable(text: str) -> str:
    """``text`` with every character no embedded font draws spelled out."""
    if all(drawable(c) for c in text):
        return text
    return "".join(c if drawable(c) else spelled_out(c) for c in text)


def markup(text: str, *, bold: bool = False) -> str:
    """User text as Paragraph markup: escaped (``<b>`` prints literally), a fallback font per run
    of another script, and line breaks kept.

    A font tag sets the weight too, so in a bold style (``bold``) Hebrew and Arabic runs name
    their bold faces. Text Noto Sans draws whole (most of a note: Latin, Greek, Cyrillic, its
    punctuation and degrees) is escaped whole; ``_markup_by_runs`` would give the same, a
    character at a time, in ten times as long.
    """
    whole = _drawn_whole()
    if all(char in whole for char in text):
        lines = text.replace("\r\n", "\n").replace("\r", "\n")
        return escape(lines).replace("\n", "<br/>")
    return _markup_by_runs(text, bold=bold)


@cache
def _drawn_whole() -> frozenset[str]:
    """The characters Noto Sans draws, and the line breaks and tabs between them: text of these
    alone is marked up in one piece."""
    return frozenset(
        char
        for char in (*map(chr, _covered(SANS)), "\n", "\r", "\t")
        if font_for(char) == SANS and drawable(char)
    )


def _markup_by_runs(text: str, *, bold: bool = False) -> str:
    """``markup``, a character at a time: each run of one font in its font tag."""
    parts: list[str] = []
    run: list[str] = []
    current = SANS

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        name = f"{current}-Bold" if bold and current in (HEBREW, ARABIC) else current
        parts.append(chunk if current == SANS else f'<font name="{name}">{chunk}</font>')
        run.clear()

    text = printable(text)
    for token in _TOKENS.findall(text.replace("\r\n", "\n").replace("\r", "\n")):
        if token == "\n":
            flush()
            parts.append("<br/>")
            continue
        if token.isspace():
            run.append(token)
            continue
        for char, family in zip(token, _word_fonts(token), strict=True):
            if family != current:
                flush()
                current = family
            run.append(char)
    flush()
    return "".join(parts)


def single_font(text: str) -> str:
    """The one font that draws all of ``text`` (for canvas strings), Noto Sans when mixed."""
    families = {font_for(c) for c in text if not c.isspace()}
    return families.pop() if len(families) == 1 else SANS
