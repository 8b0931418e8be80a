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
