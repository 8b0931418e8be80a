"""Property tests for the validators and normalisers that read typed text (hypothesis).

Each one must, for any text at all, answer (a value, a plain-word problem or an issue list) and
never raise; normalising twice changes nothing; valid things stay valid once tidied.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from massage_chart.domain import icd10
from massage_chart.domain.cpt import (
    KNOWN_CPT_CODES,
    BillingEntry,
    check_billing,
    compute_totals,
    normalise_cpt,
    normalise_modifier,
)
from massage_chart.domain.identifiers import npi_problem, npi_with_check_digit
from massage_chart.domain.record_kinds import PayerType, UnitRule
from massage_chart.domain.text import fold, search_key, search_terms

# Characters that break naive parsers: digits of other scripts, superscripts, full-width forms,
# combining marks, RTL controls, surrogates' neighbours, NUL and friends.
AWKWARD = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("0123456789²³¹١٢٣۴５６.-/ \t\n\x00\u202e\u0308ßİıﬁ")),
    ),
    max_size=24,
)
QUICK = settings(max_examples=150, deadline=None)


# --------------------------------------------------------------------------- NPI


@QUICK
@given(first_nine=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_an_npi_completed_with_its_check_digit_is_valid_unless_it_starts_wrong(
    first_nine: str,
) -> None:
    npi = npi_with_check_digit(first_nine)
    assert len(npi) == 10 and npi.isascii()
    problem = npi_problem(npi)
    assert problem is None if npi[0] in "12" else problem == "An NPI starts with 1 or 2."


@QUICK
@given(first_nine=st.text(alphabet="12", min_size=1, max_size=1).flatmap(
    lambda head: st.text(alphabet="0123456789", min_size=8, max_size=8).map(lambda t: head + t)
))  # fmt: skip
def test_any_single_digit_typo_in_an_npi_is_caught(first_nine: str) -> None:
    npi = npi_with_check_digit(first_nine)
    for position in range(1, 10):
        for digit in "0123456789":
            if digit != npi[position]:
                typo = npi[:position] + digit + npi[position + 1 :]
                assert npi_problem(typo) == "This NPI's check digit is wrong; check for a typo."


@QUICK
@given(text=AWKWARD)
def test_npi_problem_answers_any_text_without_raising(text: str) -> None:
    problem = npi_problem(text)
    if problem is None:
        stripped = text.strip()
        assert stripped == "" or (len(stripped) == 10 and stripped.isascii() and stripped.isdigit())


# --------------------------------------------------------------------------- ICD-10 (shape only)


@QUICK
@given(text=AWKWARD)
def test_normalising_an_icd10_code_is_idempotent_and_never_raises(text: str) -> None:
    once = icd10.normalise_code(text)
    assert icd10.normalise_code(once) == once
    assert not any(ch.isspace() for ch in once)


@QUICK
@given(
    letter=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    rest=st.text(alphabet="0123456789ABCDEFGHXYZ", min_size=2, max_size=6),
    spaces=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_an_icd10_code_typed_any_way_normalises_to_one_form(
    letter: str, rest: str, spaces: str
) -> None:
    compact = letter + rest
    dotted = icd10.normalise_code(compact)
    typed = spaces + compact[:3].lower() + "." + spaces + compact[3:].lower() + spaces
    assert icd10.normalise_code(typed) == dotted


# The tabular loads lazily (over a second): these share one load and stay few.
ICD_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ICD_SETTINGS
@given(text=AWKWARD)
def test_icd10_checks_answer_any_text_without_raising(text: str) -> None:
    valid = icd10.is_valid_code(text)
    assert icd10.describe(text) is None or valid
    if not valid:
        assert not icd10.is_billable(text)
    for issue in icd10.check_codes([text, "M54.2"]):
        assert issue.message.strip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=AWKWARD, limit=st.integers(min_value=-3, max_value=40))
def test_icd10_search_answers_any_query_within_its_limit(query: str, limit: int) -> None:
    matches = icd10.search_codes(query, limit=limit)
    assert len(matches) <= max(limit, 0)
    assert all(icd10.is_valid_code(match.code) for match in matches)


# --------------------------------------------------------------------------- CPT


@QUICK
@given(code=AWKWARD)
def test_normalising_cpt_codes_and_modifiers_is_idempotent(code: str) -> None:
    assert normalise_cpt(normalise_cpt(code)) == normalise_cpt(code)
    assert normalise_modifier(normalise_modifier(code)) == normalise_modifier(code)


@QUICK
@given(code=st.sampled_from(sorted(KNOWN_CPT_CODES)), pad=st.sampled_from(["", " ", "\t", "  "]))
def test_known_cpt_codes_survive_padding(code: str, pad: str) -> None:
    assert normalise_cpt(pad + code + pad) == code


BILLING_ENTRIES = st.lists(
    st.builds(
        BillingEntry,
        cpt=st.one_of(st.sampled_from(sorted(KNOWN_CPT_CODES)), AWKWARD),
        minutes=st.integers(min_value=-(10**6), max_value=10**6),
        units=st.one_of(st.none(), st.integers(min_value=-100, max_value=10**6)),
        modifiers=st.lists(AWKWARD, max_size=6).map(tuple),
        diagnosis_pointers=st.lists(st.integers(min_value=-3, max_value=30), max_size=6).map(tuple),
        regions=st.lists(st.text(max_size=8), max_size=3).map(tuple),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=BILLING_ENTRIES,
    rule=st.sampled_from(UnitRule),
    payer=st.sampled_from(PayerType),
    visit_minutes=st.one_of(st.none(), st.integers(min_value=-60, max_value=10**6)),
    diagnoses=st.one_of(st.none(), st.integers(min_value=0, max_value=12)),
)
def test_billing_checks_answer_any_lines_without_raising(
    entries: list[BillingEntry],
    rule: UnitRule,
    payer: PayerType,
    visit_minutes: int | None,
    diagnoses: int | None,
) -> None:
    """Out-of-range minutes, units, modifiers and pointers become issues, never exceptions."""
    issues = check_billing(
        entries,
        unit_rule=rule,
        visit_minutes=visit_minutes,
        payer_type=payer,
        diagnosis_count=diagnoses,
    )
    for issue in issues:
        assert issue.message.strip()
    assume(all(e.minutes >= 0 for e in entries))
    totals = compute_totals(entries, rule)
    assert totals.total_units >= 0


# --------------------------------------------------------------------------- search folding


@QUICK
@given(text=st.text(max_size=40))
def test_folding_is_idempotent_and_ignores_case(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert fold(text.upper()) == fold(text.lower()) or not text.isascii()
    assert unicodedata.is_normalized("NFC", folded)


@QUICK
@given(text=st.text(max_size=40))
def test_a_record_is_found_by_any_word_of_its_own_name(text: str) -> None:
    key = search_key(text)
    for term in search_terms(text):
        assert term in key


@QUICK
@given(query=st.text(max_size=60))
def test_search_terms_are_folded_non_empty_words(query: str) -> None:
    for term in search_terms(query):
        assert term and not any(ch.isspace() for ch in term)
        assert fold(term) == term
