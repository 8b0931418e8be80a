"""Hostile input at the storage boundary, on SQLite and PostgreSQL: stored exactly or refused whole.

Every user-typed text column either takes a value and gives it back identical, or refuses it with
``FieldRefusedError`` naming the field; a refused write leaves every table as it was (a full dump
before and after). Numbers out of range and dates in an impossible order are refused the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Enum, String, Text, inspect

from massage_chart.domain import limits
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.record_kinds import ConsentKind, PayerType
from massage_chart.domain.text import search_key, search_terms
from massage_chart.storage.client_records import (
    CLIENT_FIELDS,
    BillingLineData,
    add_addendum,
    record_override,
    replace_billing_lines,
    save_claim,
    save_consent,
    save_referral,
    sign_and_record,
    update_client,
    update_visit_note,
)
from massage_chart.storage.database import Database, WriteError
from massage_chart.storage.models import Base, Client, Provider
from massage_chart.storage.repositories import (
    LIST_LIMITS,
    NUMBER_RANGES,
    SEARCH_MAX_CHARS,
    TEXT_LIMITS,
    FieldRefusedError,
    add_client,
    add_health_history_version,
    create_visit,
    get_client,
    latest_health_history,
    search_clients,
)
from tests.helpers.dump import dump
from tests.helpers.notes import complete_the_note

SQL_INJECTION = "'); DROP TABLE clients;--"

# Text that every field must store exactly and give back identical.
KEPT = {
    "arabic": "فاطمة الزهراء",
    "hebrew": "שרה כהן",
    "cjk": "王小明",
    "emoji": "🧘‍♀️💆🏽",
    "sql": SQL_INJECTION,
    "like": "100%_d\\one",
    "quotes": 'O\'Brien "Bob"',
    "markup": "<b>&amp;</b>",
    "rtl_mark": "\u202eabc\u202c",
    "combining": "Zoe\u0308",
}

# Text that must be refused with a message naming the problem.
REFUSED = {
    "nul": ("Zo\x00ë", "NUL"),
    "surrogate": ("Zo\ud800ë", "broken character"),
    "huge": ("N" * 100_000 + "x", "too long"),
}


@pytest.fixture
def zoe(any_db: Database) -> str:
    with any_db.write() as session:
        return add_client(session, first_name="Zoë", last_name="Nguyễn").id


def _provider(database: Database) -> str:
    with database.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee")
        session.add(provider)
        session.flush()
        return provider.id


def _visit(database: Database, client_id: str) -> str:
    with database.write() as session:
        return create_visit(
            session, client_id, provider_id=None, start=dt.datetime(2026, 11, 2, 10, 0)
        ).id


def _refused(database: Database, message: str, write: Any) -> FieldRefusedError:
    """Run a write that must be refused; the whole database must be unchanged."""
    before = dump(database)
    with pytest.raises(FieldRefusedError, match=message) as raised, database.write() as session:
        write(session)
    assert isinstance(raised.value, WriteError)  # every window reports WriteErrors
    assert isinstance(raised.value, ValueError)
    assert dump(database) == before
    return raised.value


# --------------------------------------------------------------------------- limits vs columns


def test_every_limit_fits_its_column() -> None:
    """A value within its limit always fits its column, so PostgreSQL never refuses it later."""
    for model, table in TEXT_LIMITS.items():
        columns = inspect(model).columns
        for name, limit in table.items():
            column_type = columns[name].type
            if isinstance(column_type, String) and not isinstance(column_type, Text):
                assert column_type.length is not None
                assert limit.most <= column_type.length, f"{model.__name__}.{name}"
    for model, ranges in NUMBER_RANGES.items():
        for name in ranges:
            assert name in inspect(model).columns, f"{model.__name__}.{name}"
    for model, lists in LIST_LIMITS.items():
        for name in lists:
            assert name in inspect(model).columns, f"{model.__name__}.{name}"


def test_every_typed_client_field_has_a_limit() -> None:
    text_fields = {name for name in CLIENT_FIELDS if name != "date_of_birth"}
    assert text_fields == set(limits.CLIENT)


def test_every_text_column_of_the_record_has_a_limit() -> None:
    """A new text column must be given a limit (or be listed here as not typed by users)."""
    not_typed = {"id", "search_key", "sort_key", "content_hash", "prev_hash", "hash", "kind",
                 "view", "region_id", "side", "carried_from_id", "actor", "action", "detail",
                 "client_id", "visit_id", "practice_id", "signed_by_id", "recorded_by_id",
                 "provider_id", "claim_id", "referral_id", "history_id", "author_id",
                 "supervisor_id",
                 # written by a chart-file import (cut to fit; the file's text was checked)
                 "imported_from", "imported_by", "imported_seal",
                 # the person signed in, cut to fit (a clinic's server writes its own)
                 "note_saved_by"}  # fmt: skip
    missing = []
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if model not in TEXT_LIMITS:
            continue
        for column in mapper.columns:
            typed = isinstance(column.type, String) and not isinstance(column.type, Enum)
            if typed and column.key not in not_typed and column.key not in TEXT_LIMITS[model]:
                missing.append(f"{model.__name__}.{column.key}")
    assert missing == []


# --------------------------------------------------------------------------- client text


@pytest.mark.parametrize("field", sorted(limits.CLIENT))
def test_awkward_text_is_stored_exactly_in_every_client_field(
    any_db: Database, zoe: str, field: str
) -> None:
    for value in KEPT.values():
        with any_db.write() as session:
            update_client(session, zoe, **{field: value})
        with any_db.read() as session:
            assert getattr(get_client(session, zoe), field) == value
    with any_db.read() as session:
        tables = set(inspect(session.connection()).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


@pytest.mark.parametrize("field", sorted(limits.CLIENT))
def test_nul_broken_and_over_long_text_is_refused_in_every_client_field(
    any_db: Database, zoe: str, field: str
) -> None:
    for sample, (value, message) in REFUSED.items():
        if sample == "huge":
            value = "N" * (limits.CLIENT[field].most + 1)
        error = _refused(
            any_db, message, lambda session, v=value: update_client(session, zoe, **{field: v})
        )
        assert limits.CLIENT[field].label in str(error)


def test_a_new_client_with_a_100000_character_name_is_refused_with_the_numbers(
    any_db: Database,
) -> None:
    error = _refused(
        any_db,
        "First name is too long",
        lambda session: add_client(session, first_name="N" * 100_000, last_name="Long"),
    )
    assert "100,000 characters; the most is 200" in str(error)


def test_long_text_takes_a_50000_character_note_and_the_most_exactly(
    any_db: Database, zoe: str
) -> None:
    note = ("Left upper trapezius hypertonic; 肩こり; ألم الرقبة. " * 2_000)[:50_000]
    longest = "x" * limits.LONG_TEXT
    with any_db.write() as session:
        update_client(session, zoe, notes=note, goals=longest)
    with any_db.read() as session:
        client = get_client(session, zoe)
        assert (client.notes, client.goals) == (note, longest)


def test_a_value_stored_before_the_limits_does_not_block_other_edits(db: Database) -> None:
    """SQLite stored any length before the limits existed (PostgreSQL's columns never could)."""
    with db.write() as session:
        zoe = add_client(session, first_name="Zoë", last_name="Nguyễn").id
    any_db = db
    legacy = "Long-preferred-name " * 8  # 160 characters: over no limit in the old schema...
    with any_db.write() as session:
        client = session.get(Client, zoe)
        assert client is not None
        client.pronouns = "they/them and a longer note about it" * 2  # 72 > 60, as before limits
        client.preferred_name = legacy
    with any_db.write() as session:
        update_client(session, zoe, phone="555 0100", pronouns=client.pronouns)
    with any_db.read() as session:
        assert get_client(session, zoe).phone == "555 0100"
    _refused(
        any_db,
        "Pronouns is too long",
        lambda session: update_client(session, zoe, pronouns=client.pronouns + "!"),
    )


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (dt.date.today() + dt.timedelta(days=1), "in the future"),
        (dt.date(9999, 12, 31), "in the future"),
        (dt.date(1, 1, 1), "before 1900"),
    ],
)
def test_impossible_dates_of_birth_are_refused(
    any_db: Database, zoe: str, born: dt.date, message: str
) -> None:
    _refused(any_db, message, lambda session: update_client(session, zoe, date_of_birth=born))
    _refused(
        any_db,
        message,
        lambda session: add_client(session, first_name="A", last_name="B", date_of_birth=born),
    )


# --------------------------------------------------------------------------- claims, referrals


def test_claim_referral_and_consent_text_is_checked(any_db: Database, zoe: str) -> None:
    claim = {"payer_type": PayerType.PIP, "payer_name": "Allstate"}
    _refused(
        any_db,
        "Claim number is too long",
        lambda session: save_claim(session, zoe, None, **claim, claim_number="9" * 81),
    )
    _refused(
        any_db,
        "Policy number holds an invisible NUL",
        lambda session: save_claim(session, zoe, None, **claim, policy_number="A\x00B"),
    )
    _refused(
        any_db,
        "Instructions is too long",
        lambda session: save_referral(
            session, zoe, None, prescriber="Dr. Raman", instructions="x" * 100_001
        ),
    )
    _refused(
        any_db,
        "Consent notes holds a broken character",
        lambda session: save_consent(
            session,
            zoe,
            None,
            kind=ConsentKind.TREATMENT,
            signed_on=dt.date(2026, 1, 5),
            notes="\udfff",
        ),
    )
    with any_db.write() as session:
        kept = save_claim(session, zoe, None, **claim, claim_number=SQL_INJECTION).id
    with any_db.read() as session:
        assert [c.claim_number for c in get_client(session, zoe).claims if c.id == kept] == [
            SQL_INJECTION
        ]


def test_impossible_date_orders_are_refused(any_db: Database, zoe: str) -> None:
    _refused(
        any_db,
        "expires before it was signed",
        lambda session: save_consent(
            session,
            zoe,
            None,
            kind=ConsentKind.TREATMENT,
            signed_on=dt.date(2026, 6, 1),
            expires_on=dt.date(2026, 5, 31),
        ),
    )
    _refused(
        any_db,
        "expires before it was written",
        lambda session: save_referral(
            session,
            zoe,
            None,
            prescriber="Dr. Raman",
            referral_date=dt.date(2026, 6, 1),
            expires_on=dt.date(2025, 6, 1),
        ),
    )
    with any_db.write() as session:
        claim_id = save_claim(
            session, zoe, None, payer_type=PayerType.PIP, payer_name="Allstate"
        ).id
    _visit(any_db, zoe)  # 2 Nov 2026, billed to the open claim
    _refused(
        any_db,
        "date of injury 2026-11-10 is after a visit billed to this claim",
        lambda session: save_claim(session, zoe, claim_id, date_of_injury=dt.date(2026, 11, 10)),
    )
    with any_db.write() as session:
        save_claim(session, zoe, claim_id, date_of_injury=dt.date(2026, 10, 30))


@pytest.mark.parametrize("count", [-1, 10_000, 10**12, True, 2.5])
def test_authorised_visits_out_of_range_are_refused(
    any_db: Database, zoe: str, count: object
) -> None:
    _refused(
        any_db,
        "Authorised visits must be",
        lambda session: save_claim(
            session, zoe, None, payer_type=PayerType.PIP, authorised_visits=count
        ),
    )


# --------------------------------------------------------------------------- health history


def test_health_history_entries_are_checked_and_awkward_ones_kept(
    any_db: Database, zoe: str
) -> None:
    _refused(
        any_db,
        "Condition is too long",
        lambda session: add_health_history_version(session, zoe, conditions=["x" * 301]),
    )
    _refused(
        any_db,
        "Medication holds an invisible NUL",
        lambda session: add_health_history_version(
            session, zoe, medications=[MedicationInfo("warf\x00arin")]
        ),
    )
    _refused(
        any_db,
        "Weeks of pregnancy must be from 0 to 45",
        lambda session: add_health_history_version(
            session, zoe, pregnant=True, pregnancy_weeks=1_000_000_000
        ),
    )
    _refused(
        any_db,
        "Allergies has 501 entries",
        lambda session: add_health_history_version(session, zoe, allergies=["x"] * 501),
    )
    with any_db.write() as session:
        add_health_history_version(
            session,
            zoe,
            conditions=[KEPT["arabic"], KEPT["cjk"], SQL_INJECTION],
            allergies=[KEPT["emoji"]],
            surgeries="s" * 50_000,
        )
    with any_db.read() as session:
        history = latest_health_history(session, zoe)
        assert history is not None
        assert [c.name for c in history.conditions] == [KEPT["arabic"], KEPT["cjk"], SQL_INJECTION]
        assert [a.substance for a in history.allergies] == [KEPT["emoji"]]
        assert len(history.surgeries) == 50_000


# --------------------------------------------------------------------------- visits


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pain_before": -1}, "Pain before must be from 0 to 10; -1"),
        ({"pain_after": 11}, "Pain after must be from 0 to 10; 11"),
        ({"pain_before": 10**9}, "1,000,000,000 is out of range"),
        ({"pain_before": 10**40}, "a number that large"),
        ({"pain_before": 7.5}, "whole number"),
        ({"pain_before": True}, "whole number"),
        ({"pressure": 6}, "Pressure must be from 0 to 5"),
        ({"chief_complaint": "c" * 1_001}, "Chief complaint is too long"),
        ({"subjective": "s" * 100_001}, "Subjective is too long"),
        ({"plan": "a\x00b"}, "Plan holds an invisible NUL"),
        ({"techniques": ["x" * 201]}, "Techniques \\(entry 1\\) is too long"),
        ({"icd10_codes": ["M54.2", "M54.2'; DROP TABLE visits;--"]}, "ICD-10 codes \\(entry 2\\)"),
        ({"end": dt.datetime(2026, 11, 2, 9, 0)}, "ends .* before it starts"),
    ],
)
def test_visit_note_values_out_of_range_are_refused(
    any_db: Database, zoe: str, fields: dict[str, Any], message: str
) -> None:
    visit_id = _visit(any_db, zoe)
    _refused(any_db, message, lambda session: update_visit_note(session, visit_id, **fields))


def test_a_50000_character_soap_section_in_every_script_is_kept(any_db: Database, zoe: str) -> None:
    visit_id = _visit(any_db, zoe)
    text = ("Trapezius hypertonic. 僧帽筋の緊張。 شد العضلة. 🙂 " * 2_000)[:50_000]
    with any_db.write() as session:
        update_visit_note(session, visit_id, subjective=text, chief_complaint=SQL_INJECTION)
    with any_db.read() as session:
        client = get_client(session, zoe)
        visit = next(v for v in client.visits if v.id == visit_id)
        assert (visit.subjective, visit.chief_complaint) == (text, SQL_INJECTION)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (BillingLineData("97124", minutes=-5), "Minutes must be from 0 to 1440; -5"),
        (BillingLineData("97124", minutes=10**9), "Minutes must be from 0 to 1440"),
        (BillingLineData("97124", units=100), "Units must be from 0 to 99"),
        (BillingLineData("97124" * 3), "CPT code is too long"),
        (BillingLineData("97124", modifiers=("59'--",)), "Modifiers \\(entry 1\\) is too long"),
        (BillingLineData("97124", diagnosis_pointers=(0,)), "Diagnosis pointer must be from 1"),
        (BillingLineData("97124", diagnosis_pointers=(13,)), "Diagnosis pointer must be from 1"),
    ],
)
def test_billing_values_out_of_range_are_refused(
    any_db: Database, zoe: str, line: BillingLineData, message: str
) -> None:
    visit_id = _visit(any_db, zoe)
    with any_db.write() as session:
        replace_billing_lines(session, visit_id, [BillingLineData("97140", minutes=30, units=2)])
    _refused(any_db, message, lambda session: replace_billing_lines(session, visit_id, [line]))


def test_create_visit_checks_its_fields(any_db: Database, zoe: str) -> None:
    _refused(
        any_db,
        "Pain before must be from 0 to 10",
        lambda session: create_visit(
            session, zoe, provider_id=None, start=dt.datetime(2026, 11, 2), pain_before=99
        ),
    )


def test_addendum_and_override_text_is_checked(any_db: Database, zoe: str) -> None:
    provider = _provider(any_db)
    visit_id = _visit(any_db, zoe)
    _refused(
        any_db,
        "Override reason is too long",
        lambda session: record_override(session, visit_id, "dvt", "r" * 1_001),
    )
    with any_db.write() as session:
        complete_the_note(session, visit_id)
        sign_and_record(session, visit_id, provider, dt.datetime(2026, 11, 2, 11, 0))
    _refused(
        any_db,
        "Addendum text holds an invisible NUL",
        lambda session: add_addendum(
            session, visit_id, author_id=provider, reason="Late entry", text="a\x00"
        ),
    )
    _refused(
        any_db,
        "Addendum reason is too long",
        lambda session: add_addendum(
            session, visit_id, author_id=provider, reason="r" * 201, text="text"
        ),
    )
    text = "Correction: " + "ز" * 60_000
    with any_db.write() as session:
        add_addendum(session, visit_id, author_id=provider, reason=SQL_INJECTION, text=text)
    with any_db.read() as session:
        client = get_client(session, zoe)
        visit = next(v for v in client.visits if v.id == visit_id)
        assert [(a.reason, a.text) for a in visit.addenda] == [(SQL_INJECTION, text)]


# --------------------------------------------------------------------------- search

SEARCH_NAMES = [
    ("Percent", "100%_done"),
    ("Under", "a_b"),
    ("Back", "C:\\temp"),
    ("Quote", "O'Brien"),
    ("Double", 'say "hi"'),
    ("Bobby", SQL_INJECTION),
    ("Zoë", "Nguyễn"),
    ("王", "小明"),
    ("فاطمة", "الزهراء"),
    ("Plain", "Abb"),
]


def _search(database: Database, query: str) -> list[str]:
    with database.read() as session:
        return sorted(row.list_name for row in search_clients(session, query))


@pytest.fixture
def searchable(any_db: Database) -> dict[str, str]:
    keys = {}
    with any_db.write() as session:
        for first, last in SEARCH_NAMES:
            client = add_client(session, first_name=first, last_name=last)
            keys[client.list_name] = client.search_key
    return keys


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100%_done, Percent"]),
        ("_", ["100%_done, Percent", "a_b, Under"]),
        ("a_b", ["a_b, Under"]),
        ("a%b", []),
        ("\\", ["C:\\temp, Back"]),
        ("\\t", ["C:\\temp, Back"]),
        ("'", ["O'Brien, Quote", f"{SQL_INJECTION}, Bobby"]),
        ('"hi"', ['say "hi", Double']),
        ("' OR 1=1 --", []),
        ("'); DROP TABLE clients;--", [f"{SQL_INJECTION}, Bobby"]),
    ],
)
def test_search_takes_wildcards_backslashes_and_quotes_literally(
    any_db: Database, searchable: dict[str, str], query: str, expected: list[str]
) -> None:
    assert _search(any_db, query) == sorted(expected)
    assert len(_search(any_db, "")) == len(SEARCH_NAMES)  # the table is still there


def test_a_pasted_paragraph_or_nul_in_the_search_box_does_not_fail(
    any_db: Database, searchable: dict[str, str]
) -> None:
    assert _search(any_db, "a " * 50_000) == _search(any_db, "a " * 12)
    assert _search(any_db, "x" * 100_000) == []
    assert _search(any_db, "\x00") == []
    assert _search(any_db, "Zo\x00ë") == []


SEARCH_ALPHABET = st.sampled_from([*"%_\\'\"; -()=*[]^!abdenoprtuzëï王小明فا", "\x00"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(SEARCH_ALPHABET, max_size=8))
def test_search_finds_exactly_the_literal_matches(
    any_db: Database, searchable: dict[str, str], query: str
) -> None:
    """Whatever is typed, a client is found exactly when its folded text contains every term."""
    terms = search_terms(query[:SEARCH_MAX_CHARS])
    expected = sorted(name for name, key in searchable.items() if all(t in key for t in terms))
    assert _search(any_db, query) == expected


def test_search_key_matches_what_add_client_stores() -> None:
    assert search_key("100%_done") == "100%_done 100"
