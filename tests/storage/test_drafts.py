"""The draft store: unsaved text kept apart from the database, atomically, encrypted when asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massage_chart.storage.drafts import (
    Draft,
    DraftError,
    DraftStore,
    draft_key,
    drafts_folder_for,
)

TEXT = "Zoë Nguyễn: heat 15 min twice daily; ibuprofen 400 mg — 王小明 مرحبا 🙂"


def _draft(visit_id: str = "v-1", text: str = TEXT) -> Draft:
    return Draft(
        draft_key("note", visit_id),
        "SOAP note — Zoë Nguyễn, 12 Nov 2026",
        {"plan": text, "pain_before": 6, "techniques": ["MFR", "TrP release"]},
        dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
    )


def test_a_draft_comes_back_exactly_and_goes_when_discarded(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    store.save(_draft())

    again = DraftStore(tmp_path / "drafts").all()

    assert again == [_draft()]
    assert again[0].kind == "note"
    assert again[0].record_id == "v-1"
    store.discard(again[0].key)
    store.discard(again[0].key)  # twice is fine
    assert store.all() == []


def test_a_newer_draft_replaces_the_older_one(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(_draft(text="first"))
    store.save(_draft(text="second"))
    assert [d.fields["plan"] for d in store.all()] == ["second"]
    assert not list(tmp_path.glob("*.partial"))


def test_an_unreadable_draft_is_set_aside_and_the_rest_still_offered(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(_draft("v-1"))
    store.save(_draft("v-2"))
    broken = store._path(draft_key("note", "v-1"))
    broken.write_bytes(broken.read_bytes()[:20])  # a torn write from some other program

    assert [d.record_id for d in store.all()] == ["v-2"]
    assert list(tmp_path.glob("*.unreadable"))


def test_a_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "drafts"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DraftError, match="could not be kept"):
        DraftStore(blocker).save(_draft())


def test_encrypted_drafts_hold_no_client_text_and_need_the_passphrase(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, passphrase='pä"ss; word')
    store.save(_draft())

    raw = b"".join(p.read_bytes() for p in tmp_path.glob("*.draft"))
    for clear in ("Zoë", "ibuprofen", "王小明", "SOAP note"):
        assert clear.encode("utf-8") not in raw
    assert DraftStore(tmp_path, passphrase='pä"ss; word').all() == [_draft()]
    assert DraftStore(tmp_path, passphrase="wrong").load(draft_key("note", "v-1")) is None
    assert DraftStore(tmp_path).load(draft_key("note", "v-1")) is None


@pytest.mark.parametrize("record_id", ["../../etc/passwd", "", "a/b", "x" * 200, "v 1"])
def test_keys_that_could_leave_the_folder_are_refused(record_id: str) -> None:
    with pytest.raises(ValueError, match="not a draft key"):
        draft_key("note", record_id)


def test_each_database_has_its_own_drafts_folder(tmp_path: Path) -> None:
    first = drafts_folder_for("sqlite:////data/practice.db", tmp_path)
    second = drafts_folder_for("sqlite:////data/demo.db", tmp_path)
    assert first != second
    assert first.parent == tmp_path


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=5))
def test_any_text_round_trips(
    tmp_path_factory: pytest.TempPathFactory, fields: dict[str, str]
) -> None:
    store = DraftStore(tmp_path_factory.mktemp("drafts"))
    draft = Draft(draft_key("addendum", "v-9"), "Addendum", fields)
    store.save(draft)
    loaded = store.load(draft.key)
    assert loaded is not None
    assert loaded.fields == fields
