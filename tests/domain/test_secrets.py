"""Unlock password hashes: never the password, salted, checked exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massage_chart.domain.secrets import SecretError, hash_password, verify_password


def test_a_hash_checks_the_password_and_nothing_else() -> None:
    stored = hash_password("lavender-42")
    assert "lavender" not in stored
    assert verify_password("lavender-42", stored)
    assert not verify_password("lavender-43", stored)
    assert not verify_password("", stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("lavender-42") != hash_password("lavender-42")


@pytest.mark.parametrize("password", ["", "     ", "abc", "ab\x00cdefg"])
def test_weak_passwords_are_refused_with_a_reason(password: str) -> None:
    with pytest.raises(SecretError):
        hash_password(password)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2$3$!!$!!", "bcrypt$a$b$c$d$e"])
def test_a_malformed_stored_hash_never_unlocks(stored: str) -> None:
    assert not verify_password("anything", stored)


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=6, max_size=40).filter(lambda s: s.strip() and "\x00" not in s))
def test_any_unicode_password_round_trips(password: str) -> None:
    stored = hash_password(password)
    assert verify_password(password, stored)
    assert not verify_password(password + "x", stored)
