"""Text folding for search: case- and accent-insensitive matching in every script."""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into a base letter plus a combining mark.
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
    }
)


def fold(text: str) -> str:
    """Fold text for matching: "Zoë ŁUKASZ" -> "zoe lukasz".

    Case is folded with Unicode case folding, accents and other combining marks are dropped after
    compatibility decomposition, and a few letters that do not decompose (ł, ø, ß...) are mapped to
    their usual Latin spelling. Letters of other scripts (Cyrillic, Greek, CJK, Arabic) are kept,
    case-folded, so "дмитрий" finds "Дмитрий".
    """
    if text.isascii():
        # The same answer, without the Unicode passes: ASCII letters fold to lower case and
        # nothing in ASCII decomposes (most of what is folded, ICD-10-CM's 98,000 descriptions
        # among it, is ASCII).
        return text.lower()
    # Case-fold again after the decomposition: compatibility forms such as "𝕬" or "ℍ" have no
    # case mapping of their own and decompose to capitals (Unicode's compatibility caseless
    # matching, NFKD(casefold(NFKD(casefold(x))))).
    once = unicodedata.normalize("NFKD", text.casefold())
    decomposed = unicodedata.normalize("NFKD", once.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.translate(_EXTRA_FOLDS))


def search_key(*parts: str) -> str:
    """Join the searchable fields of a record into one folded string.

    Phone numbers are also stored as bare digits, so "5550123" finds "(555) 0123".
    """
    pieces: list[str] = []
    for part in parts:
        if not part:
            continue
        pieces.append(fold(part))
        digits = "".join(ch for ch in part if ch.isdigit())
        if digits and digits != part:
            pieces.append(digits)
    return " ".join(pieces)


def search_terms(query: str) -> list[str]:
    """Split a typed query into folded terms; every term must match for a record to be found."""
    return [term for term in fold(query).split() if term]
