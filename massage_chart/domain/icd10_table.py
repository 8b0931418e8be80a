"""The ICD-10-CM tabular as the checks read it: from a small on-disk index, or from the library.

The simple-icd-10-cm package parses the whole tabular (a 10 MB XML file) on import: about two
seconds and 170 MB, paid by every process that describes even one code. The checks and the
picker need only a few facts of each code (description, parent, children, leaf, 7th-character
definitions, Excludes1 notes), so those facts are copied once into an SQLite index, built from
the installed library and named after its version. Later processes read the index, one row per
code looked up, and never load the library.

Where the index is looked for, in order:
- beside the package (``massage_chart/_data``), where the installer build puts it;
- the user cache folder, where the first process that needs it builds it.

Both tables answer the same questions the same way (tests compare them code by code), so the
checks do not know which one they read.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Protocol

INDEX_FORMAT = 1
"""Bumped whenever the index's tables change, so an older index is rebuilt, never misread."""

INDEX_DIR_VARIABLE = "MASSAGE_CHART_ICD10_INDEX_DIR"
"""Where to keep the built index instead of the user cache folder (tests share one)."""

_BUNDLED_DIR = Path(__file__).resolve().parent.parent / "_data"

_LIBRARY_LOCK = threading.RLock()
"""Held while the library lists its codes or an index is opened or built: the library fills its
list of every code lazily, so two threads listing at once can see half of it (the picker's
preloading thread and a check on the window's thread do)."""


@dataclass(frozen=True)
class TableRow:
    """One item of the tabular in tabular order, as the picker's search reads it."""

    code: str
    description: str
    leaf: bool
    chapter_or_block: bool


class CodeTable(Protocol):
    """The questions the ICD-10-CM checks ask of the tabular (default, category-first lookups)."""

    def is_valid_item(self, code: str) -> bool: ...
    def is_chapter_or_block(self, code: str) -> bool: ...
    def is_leaf(self, code: str) -> bool: ...
    def is_extended_subcategory(self, code: str) -> bool: ...
    def get_description(self, code: str) -> str: ...
    def get_parent(self, code: str) -> str: ...
    def get_children(self, code: str) -> list[str]: ...
    def get_ancestors(self, code: str) -> list[str]: ...
    def get_descendants(self, code: str) -> list[str]: ...
    def get_excludes1(self, code: str) -> list[str]: ...
    def get_seven_chr_def(self, code: str, search_in_ancestors: bool = False) -> dict[str, str]: ...
    def rows(self) -> list[TableRow]: ...


def library_version() -> str:
    """The installed simple-icd-10-cm version ("unknown" when run from a bundle without metadata)."""
    try:
        return metadata.version("simple-icd-10-cm")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed with the app
        return "unknown"


def index_name(version: str | None = None) -> str:
    """The index's file name for a library version and this index format."""
    return f"icd10cm-{version or library_version()}-format{INDEX_FORMAT}.sqlite"


def _cache_dir() -> Path:
    override = os.environ.get(INDEX_DIR_VARIABLE)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("massage-chart", appauthor=False))


def index_locations() -> list[Path]:
    """Where the index for the installed library is looked for, first match wins."""
    name = index_name()
    return [_BUNDLED_DIR / name, _cache_dir() / name]


# The library ------------------------------------------------------------------------------------


@cache
def library() -> ModuleType:
    """Import simple-icd-10-cm once (it parses the whole tabular: about two seconds).

    The library reads its data with the legacy ``importlib.resources`` calls, which warn on
    import; exactly those two warnings are silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"(read_text|open_text) is deprecated", category=DeprecationWarning
        )
        import simple_icd_10_cm

    return simple_icd_10_cm


class LibraryTable:
    """The tabular read from simple-icd-10-cm itself (when no index can be read or built)."""

    def __init__(self, icd: ModuleType) -> None:
        self._icd = icd

    def is_valid_item(self, code: str) -> bool:
        return bool(self._icd.is_valid_item(code))

    def is_chapter_or_block(self, code: str) -> bool:
        return bool(self._icd.is_chapter_or_block(code))

    def is_leaf(self, code: str) -> bool:
        return bool(self._icd.is_leaf(code))

    def is_extended_subcategory(self, code: str) -> bool:
        return bool(self._icd.is_extended_subcategory(code))

    def get_description(self, code: str) -> str:
        return str(self._icd.get_description(code))

    def get_parent(self, code: str) -> str:
        return str(self._icd.get_parent(code))

    def get_children(self, code: str) -> list[str]:
        return [str(child) for child in self._icd.get_children(code)]

    def get_ancestors(self, code: str) -> list[str]:
        return [str(item) for item in self._icd.get_ancestors(code)]

    def get_descendants(self, code: str) -> list[str]:
        return [str(item) for item in self._icd.get_descendants(code)]

    def get_excludes1(self, code: str) -> list[str]:
        return [str(note) for note in self._icd.get_excludes1(code)]

    def get_seven_chr_def(self, code: str, search_in_ancestors: bool = False) -> dict[str, str]:
        return dict(self._icd.get_seven_chr_def(code, search_in_ancestors=search_in_ancestors))

    def rows(self) -> list[TableRow]:
        icd = self._icd
        with _LIBRARY_LOCK:
            codes = list(_unique(icd.get_all_codes(True)))
        return [
            TableRow(
                code,
                str(icd.get_description(code)),
                bool(icd.is_leaf(code)),
                bool(icd.is_chapter_or_block(code)),
            )
            for code in codes
        ]


def _unique(codes: list[str]) -> Iterator[str]:
    """Codes once each, in tabular order (a block and its only category may share a name)."""
    seen: set[str] = set()
    for code in codes:
        if code not in seen:
            seen.add(code)
            yield code


# The index --------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE item (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    parent TEXT,
    ancestors TEXT NOT NULL,
    leaf INTEGER NOT NULL,
    chapter_or_block INTEGER NOT NULL,
    extended INTEGER NOT NULL,
    excludes1 TEXT,
    seventh TEXT
) WITHOUT ROWID;
CREATE TABLE named_block (code TEXT PRIMARY KEY, parent TEXT NOT NULL, position INTEGER NOT NULL);
"""
_CHILDREN_INDEX = "CREATE INDEX item_parent ON item (parent, position)"


class IndexUnreadableError(Exception):
    """The index file is missing, damaged or of another library version or format."""


class IndexedTable:
    """The tabular read row by row from the SQLite index; safe to share between threads."""

    _COLUMNS = (
        "description, parent, ancestors, leaf, chapter_or_block, extended, excludes1, seventh"
    )

    def __init__(self, path: Path) -> None:
        try:
            self._db = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            count = self._db.execute("SELECT count(*) FROM item").fetchone()[0]
        except sqlite3.Error as exc:
            raise IndexUnreadableError(f"{path}: {exc}") from exc
        expected = {"format": str(INDEX_FORMAT), "library": library_version()}
        if any(meta.get(key) != value for key, value in expected.items()) or str(count) != meta.get(
            "items"
        ):
            self._db.close()
            raise IndexUnreadableError(f"{path}: built for {meta}, expected {expected}")
        self.path = path
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[object, ...] | None] = {}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _row(self, code: str) -> tuple[object, ...] | None:
        if code in self._rows:
            return self._rows[code]
        with self._lock:
            found = self._db.execute(
                f"SELECT {self._COLUMNS} FROM item WHERE code = ?", (_with_dot(code),)
            ).fetchone()
        self._rows[code] = found
        return found

    def _existing(self, code: str) -> tuple[object, ...]:
        row = self._row(code)
        if row is None:
            raise ValueError(f'The code "{code}" does not exist.')
        return row

    def is_valid_item(self, code: str) -> bool:
        return self._row(code) is not None

    def is_chapter_or_block(self, code: str) -> bool:
        row = self._row(code)
        return row is not None and bool(row[4])

    def is_leaf(self, code: str) -> bool:
        return bool(self._existing(code)[3])

    def is_extended_subcategory(self, code: str) -> bool:
        row = self._row(code)
        return row is not None and bool(row[5])

    def get_description(self, code: str) -> str:
        return str(self._existing(code)[0])

    def get_parent(self, code: str) -> str:
        return str(self._existing(code)[1] or "")

    def get_children(self, code: str) -> list[str]:
        self._existing(code)
        key = _with_dot(code)
        with self._lock:
            found = self._db.execute(
                "SELECT code, position FROM item WHERE parent = ? "
                "UNION ALL SELECT code, position FROM named_block WHERE parent = ? "
                "ORDER BY position",
                (key, key),
            ).fetchall()
        # A category that shares its name with its block is its block's child, not its own.
        return [child for child, _position in found if child != key]

    def get_ancestors(self, code: str) -> list[str]:
        return list(json.loads(str(self._existing(code)[2])))

    def get_descendants(self, code: str) -> list[str]:
        found: list[str] = []
        for child in self.get_children(code):
            found.append(child)
            found.extend(self.get_descendants(child))
        return found

    def get_excludes1(self, code: str) -> list[str]:
        notes = self._existing(code)[6]
        return list(json.loads(str(notes))) if notes else []

    def get_seven_chr_def(self, code: str, search_in_ancestors: bool = False) -> dict[str, str]:
        items = [code, *self.get_ancestors(code)] if search_in_ancestors else [code]
        for item in items:
            own = self._existing(item)[7]
            if own:
                return dict(json.loads(str(own)))
        return {}

    def rows(self) -> list[TableRow]:
        with self._lock:
            found = self._db.execute(
                "SELECT code, description, leaf, chapter_or_block FROM item ORDER BY position"
            ).fetchall()
        return [TableRow(code, text, bool(leaf), bool(group)) for code, text, leaf, group in found]


def _with_dot(code: str) -> str:
    """The library's spelling rule: "M542" is looked up as "M54.2"."""
    if len(code) >= 4 and code[3] != "." and not code[:3].isdigit() and "-" not in code:
        return f"{code[:3]}.{code[3:]}"
    return code


def build_index(path: Path, icd: ModuleType | None = None) -> Path:
    """Write the index of the installed library's tabular to ``path``, atomically.

    The rows go to a temporary file in the same folder, which is flushed to disk and then
    renamed over ``path``, so a reader never sees half an index and two processes building at
    once both end with a whole one.
    """
    with _LIBRARY_LOCK:
        return _build(path, icd or library())


def _build(path: Path, icd: ModuleType) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".icd10cm-", suffix=".partial", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        db = sqlite3.connect(temp)
        try:
            db.executescript(_SCHEMA)
            items, named_blocks = _items(icd)
            db.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
            db.executemany("INSERT INTO named_block VALUES (?, ?, ?)", named_blocks)
            count = db.execute("SELECT count(*) FROM item").fetchone()[0]
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("format", str(INDEX_FORMAT)),
                    ("library", library_version()),
                    ("items", str(count)),
                ],
            )
            db.execute(_CHILDREN_INDEX)
            db.commit()
        finally:
            db.close()
        temp.chmod(0o644)  # readable by every user of an installed app, like its other files
        with open(temp, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return path


def _items(icd: ModuleType) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The index's rows: one per code as the library looks it up, and the blocks it hides.

    A block holding a single category has that category's name ("B99"); the library lists the
    name twice (block, then category) and looks it up as the category. The block is kept apart
    with its own parent (the chapter), so the chapter's children stay complete.
    """
    codes = [str(code) for code in icd.get_all_codes(True)]
    twice = {code for code, count in Counter(codes).items() if count > 1}
    items: list[tuple[object, ...]] = []
    named_blocks: list[tuple[object, ...]] = []
    seen: set[str] = set()
    for position, code in enumerate(codes):
        if code in twice and code not in seen:
            seen.add(code)
            named_blocks.append((code, str(icd.get_parent(code, prioritize_blocks=True)), position))
            continue
        parent = icd.get_parent(code)
        excludes1 = icd.get_excludes1(code)
        seventh = icd.get_seven_chr_def(code)
        items.append(
            (
                code,
                position,
                str(icd.get_description(code)),
                str(parent) if parent else None,
                json.dumps([str(item) for item in icd.get_ancestors(code)]),
                int(bool(icd.is_leaf(code))),
                int(bool(icd.is_chapter_or_block(code))),
                int(bool(icd.is_extended_subcategory(code))),
                json.dumps(list(excludes1)) if excludes1 else None,
                json.dumps(dict(seventh)) if seventh else None,
            )
        )
    return items, named_blocks


def open_table(*, build: bool = True) -> CodeTable:
    """The tabular for the checks: the index if one can be read, else (building it) the library.

    When no index can be read and ``build`` is set, the library is loaded and an index is built
    in the cache folder for the next process; if that folder cannot be written, this process
    simply reads the library.
    """
    with _LIBRARY_LOCK:
        for path in index_locations():
            if path.exists():
                with contextlib.suppress(IndexUnreadableError):
                    return IndexedTable(path)
        icd = library()
        if build:
            target = index_locations()[-1]
            try:
                return IndexedTable(build_index(target, icd))
            except (OSError, sqlite3.Error, IndexUnreadableError):
                pass
        return LibraryTable(icd)
