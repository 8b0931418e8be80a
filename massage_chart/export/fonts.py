"""Embedded TrueType fonts for PDFs, with a fallback font per script and escaped, shaped runs."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedFragWord, TTFont, shapeFragWord
from reportlab.platypus import paragraph as reportlab_paragraph

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
        reportlab_paragraph.shapeFragWord = _shape_right_to_left_words_only
        _registered = True


def _shape_right_to_left_words_only(word: Any, *args: Any, **kwargs: Any) -> Any:
    """Shape only the right-to-left runs of a word, each with its own font.

    reportlab shapes a whole word with the font of its first fragment, which garbles a word that
    mixes fonts ("王小明," with its comma from Noto Sans, "כהן." whose full stop the Hebrew font
    lacks). Latin, Greek, Cyrillic and CJK need no shaping, so only fragments holding Arabic or
    Hebrew letters are shaped, one by one.
    """
    items = word[1:]
    texts = [(frag, text) for frag, text in items if isinstance(text, str)]
    if not any(needs_shaping(text) for _, text in texts):
        return word
    if len({frag.fontName for frag, _ in texts}) <= 1 and len(texts) == len(items):
        return shapeFragWord(word, *args, **kwargs)
    out = ShapedFragWord([])
    width = 0.0
    for frag, text in items:
        if hasattr(frag, "cbDefn") or not isinstance(text, str):
            out.append((frag, text))
            continue
        plain = pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize)
        if needs_shaping(text):
            part = shapeFragWord([plain, (frag, text)], *args, **kwargs)
            width += part[0]
            out.extend(part[1:])
        else:
            width += plain
            out.append((frag, text))
    out.insert(0, width)
    return out


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


def needs_shaping(text: str) -> bool:
    """Whether the text holds right-to-left letters, which need harfbuzz shaping (reportlab then
    also puts the words of a right-to-left run in right-to-left order)."""
    return any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text)


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


def markup(text: str) -> str:
    """User text as Paragraph markup: escaped (``<b>`` prints literally), a fallback font per run
    of another script, and line breaks kept."""
    parts: list[str] = []
    run: list[str] = []
    current = SANS

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        parts.append(chunk if current == SANS else f'<font name="{current}">{chunk}</font>')
        run.clear()

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
