"""Identifier checks: the US National Provider Identifier (NPI) and its Luhn check digit."""

from __future__ import annotations

_NPI_PREFIX = "80840"  # the card-issuer prefix the NPI check digit is computed with


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def _ascii_digits(text: str) -> bool:
    # str.isdigit() is also true for "²" and "١", which int() rejects or an NPI never holds.
    return text.isascii() and text.isdigit()


def npi_with_check_digit(first_nine: str) -> str:
    """Complete a 9-digit NPI base with its check digit ("123456789" -> "1234567893")."""
    if len(first_nine) != 9 or not _ascii_digits(first_nine):
        raise ValueError("An NPI base is exactly 9 digits.")
    return first_nine + str(_luhn_check_digit(_NPI_PREFIX + first_nine))


def npi_problem(npi: str) -> str | None:
    """What is wrong with an NPI, in plain words, or None when it is valid (or left empty)."""
    text = npi.strip()
    if not text:
        return None
    if len(text) != 10 or not _ascii_digits(text):
        return "An NPI is exactly 10 digits."
    if text[0] not in "12":
        return "An NPI starts with 1 or 2."
    if npi_with_check_digit(text[:9]) != text:
        return "This NPI's check digit is wrong; check for a typo."
    return None
