"""Search folding: case and accents ignored in every script."""

from __future__ import annotations

import pytest

from massage_chart.domain.text import fold, search_key, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Zoë", "zoe"),
        ("ZOË", "zoe"),
        ("Łukasz Wróbel", "lukasz wrobel"),
        ("Nguyễn", "nguyen"),
        ("Ağaoğlu", "agaoglu"),
        ("Bjørnstad", "bjornstad"),
        ("Müller", "muller"),
        ("Straße", "strasse"),
        ("Дмитрий", "дмитрии"),
        ("Νίκος", "νικοσ"),
        ("王小明", "王小明"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_key_keeps_phone_digits() -> None:
    key = search_key("Zoë", "(206) 555-0123")
    assert "zoe" in key
    assert "2065550123" in key


def test_search_terms_split_and_fold() -> None:
    assert search_terms("  Zoë   NGUYỄN ") == ["zoe", "nguyen"]
    assert search_terms("") == []


def test_plain_ascii_folds_as_the_full_unicode_folding_would() -> None:
    """ASCII takes a short way (lower case only): it must give what the Unicode passes give,
    for every ASCII character and mixed with text that takes the long way."""
    everything = "".join(chr(code) for code in range(128))
    assert fold(everything) == fold(everything + "é")[:-1]
    assert fold("Low Back PAIN, unspecified (M54.50)") == "low back pain, unspecified (m54.50)"
