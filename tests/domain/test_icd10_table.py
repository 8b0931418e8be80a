"""The ICD-10-CM index: the same answers as the library, built once, read without the library."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from massage_chart.domain import icd10
from massage_chart.domain.icd10_table import (
    INDEX_DIR_VARIABLE,
    CodeTable,
    IndexedTable,
    IndexUnreadableError,
    LibraryTable,
    build_index,
    index_name,
    library,
    open_table,
)

# Codes whose shape makes the tabular awkward: a category that shares its name with its block
# (B99, C7A), chapters and blocks, 7th characters defined on an ancestor, Excludes1 notes on a
# category, laterality siblings, and codes the demo practice uses.
AWKWARD = (
    "B99",
    "B99.9",
    "C7A",
    "C7A.0",
    "1",
    "13",
    "M00-M02",
    "M54",
    "M54.2",
    "M54.50",
    "M25.511",
    "M25.519",
    "M79.1",
    "M62.830",
    "S13",
    "S13.4",
    "S13.4XXA",
    "S13.4XXD",
    "S16.1XXA",
    "S33.5XXA",
    "S39.012A",
    "T14.8XXA",
    "G44.209",
    "M77.11",
    "M75.01",
    "Z98.890",
    "QA0",
)


@pytest.fixture(scope="module")
def library_table() -> LibraryTable:
    return LibraryTable(library())


@pytest.fixture(scope="module")
def indexed_table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexedTable]:
    path = build_index(tmp_path_factory.mktemp("index") / index_name())
    table = IndexedTable(path)
    yield table
    table.close()


def _facts(table: CodeTable, code: str) -> dict[str, object]:
    if not table.is_valid_item(code):
        return {"valid": False, "group": table.is_chapter_or_block(code)}
    return {
        "valid": True,
        "group": table.is_chapter_or_block(code),
        "leaf": table.is_leaf(code),
        "extended": table.is_extended_subcategory(code),
        "description": table.get_description(code),
        "parent": table.get_parent(code),
        "children": table.get_children(code),
        "ancestors": table.get_ancestors(code),
        "excludes1": table.get_excludes1(code),
        "seventh": table.get_seven_chr_def(code),
        "seventh_inherited": table.get_seven_chr_def(code, search_in_ancestors=True),
    }


def test_the_index_lists_every_item_of_the_tabular_in_order(
    library_table: LibraryTable, indexed_table: IndexedTable
) -> None:
    assert indexed_table.rows() == library_table.rows()
    assert len(indexed_table.rows()) > 90_000


def test_the_index_answers_every_question_as_the_library_does(
    library_table: LibraryTable, indexed_table: IndexedTable
) -> None:
    codes = [row.code for row in library_table.rows()]
    sample = [*AWKWARD, *codes[::97], "M5", "ZZZ.9", "M54.9X", "m54.2", "M542"]
    for code in sample:
        assert _facts(indexed_table, code) == _facts(library_table, code), code


def test_the_index_describes_every_code_as_the_library_does(
    library_table: LibraryTable, indexed_table: IndexedTable
) -> None:
    for row in library_table.rows():
        assert indexed_table.get_description(row.code) == row.description


@pytest.mark.parametrize(
    "codes",
    [
        ["M54.2"],
        ["S13.4XXA", "M54.2"],
        ["S13.4"],
        ["M54"],
        ["M54.5", "M54.50", "M54.50"],
        ["M25.511"],
        ["M25.519"],
        ["M79.1", "M62.830", "G44.209"],
        ["W01.0XXA", "S33.5XXA"],
        ["B99"],
        [
            "M54.2",
            "M54.5",
            "M54.6",
            "M54.9",
            "M79.1",
            "M79.7",
            "M62.830",
            "M62.81",
            "M25.511",
            "M25.512",
            "S13.4XXD",
            "S16.1XXD",
            "S39.012D",
        ],
    ],
)
def test_the_checks_find_the_same_issues_with_either_table(
    codes: list[str],
    library_table: LibraryTable,
    indexed_table: IndexedTable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from massage_chart.domain.marks import Side

    results = []
    for table in (library_table, indexed_table):
        monkeypatch.setattr(icd10, "_icd", lambda table=table: table)
        results.append(
            (
                icd10.check_codes(codes, mark_sides=[Side.LEFT]),
                [icd10.describe(code) for code in codes],
                [icd10.is_billable(code) for code in codes],
            )
        )
    assert results[0] == results[1]


def test_a_process_with_an_index_never_loads_the_library(tmp_path: Path) -> None:
    build_index(tmp_path / index_name())
    script = (
        "import sys; from massage_chart.domain import icd10; "
        "assert icd10.describe('M54.2') == 'Cervicalgia'; "
        "assert [m.code for m in icd10.search_codes('cervicalgia')] == ['M54.2']; "
        "assert any(i.kind == 'missing_7th_character' for i in icd10.check_codes(['S13.4'])); "
        "assert 'simple_icd_10_cm' not in sys.modules, 'the library was loaded'"
    )
    env = {**os.environ, INDEX_DIR_VARIABLE: str(tmp_path)}
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True, env=env)


def test_the_first_process_builds_the_index_for_the_next(tmp_path: Path) -> None:
    script = "from massage_chart.domain import icd10; print(icd10.describe('M54.2'))"
    env = {**os.environ, INDEX_DIR_VARIABLE: str(tmp_path / "cache")}
    first = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.stdout.strip() == "Cervicalgia"
    built = tmp_path / "cache" / index_name()
    assert built.exists()
    assert not [p for p in built.parent.iterdir() if p != built], "a temporary file was left"
    assert IndexedTable(built).get_description("S13.4XXA").startswith("Sprain of ligaments")


def test_a_damaged_index_is_rebuilt_and_the_answers_stay_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INDEX_DIR_VARIABLE, str(tmp_path))
    path = tmp_path / index_name()
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(IndexUnreadableError):
        IndexedTable(path)
    table = open_table()
    assert isinstance(table, IndexedTable)
    assert table.get_description("M54.2") == "Cervicalgia"


def test_an_index_cut_short_is_not_read(tmp_path: Path) -> None:
    path = build_index(tmp_path / index_name())
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM item WHERE code LIKE 'S%'")
    with pytest.raises(IndexUnreadableError, match="expected"):
        IndexedTable(path)


def test_an_index_of_another_library_version_is_not_read(tmp_path: Path) -> None:
    path = build_index(tmp_path / index_name())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '1999.1' WHERE key = 'library'")
    with pytest.raises(IndexUnreadableError, match=r"1999\.1"):
        IndexedTable(path)


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root and Windows ignore a read-only folder",
)
def test_an_unwritable_cache_folder_still_gives_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv(INDEX_DIR_VARIABLE, str(folder))
    try:
        table = open_table()
        assert isinstance(table, LibraryTable)
        assert table.get_description("M54.2") == "Cervicalgia"
    finally:
        folder.chmod(0o700)


def test_a_cache_path_that_is_a_file_still_gives_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(INDEX_DIR_VARIABLE, str(blocker))
    table = open_table()
    assert isinstance(table, LibraryTable)
    assert table.get_description("M54.2") == "Cervicalgia"


def test_two_threads_opening_the_table_at_once_both_read_it_whole(tmp_path: Path) -> None:
    # The picker's preloading thread and a check on the window's thread both open the table in
    # a fresh process, before any index exists.
    script = """
import threading
from massage_chart.domain.icd10_table import open_table
barrier = threading.Barrier(2)
answers = []
def open_and_ask():
    barrier.wait()
    table = open_table()
    answers.append((table.is_valid_item("M54.2"), len(table.rows())))
threads = [threading.Thread(target=open_and_ask) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert len(answers) == 2 and answers[0] == answers[1] and answers[0][0], answers
assert answers[0][1] > 90_000, answers
"""
    env = {**os.environ, INDEX_DIR_VARIABLE: str(tmp_path)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=300)
    assert IndexedTable(tmp_path / index_name()).is_valid_item("M54.2")
