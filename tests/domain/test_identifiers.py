"""NPI check digits."""

from __future__ import annotations

import pytest

from massage_chart.domain.identifiers import npi_problem, npi_with_check_digit


def test_known_valid_npi() -> None:
    assert npi_with_check_digit("123456789") == "1234567893"
    assert npi_problem("1234567893") is None


@pytest.mark.parametrize(
    ("npi", "problem"),
    [
        ("1234567890", "check digit"),
        ("12345", "10 digits"),
        ("12345678a3", "10 digits"),
        ("3234567893", "starts with 1 or 2"),
    ],
)
def test_bad_npis_say_what_is_wrong(npi: str, problem: str) -> None:
    message = npi_problem(npi)
    assert message is not None
    assert problem in message


def test_empty_npi_is_not_an_error() -> None:
    assert npi_problem("") is None
