"""Locate the data files in ``resources/`` from a source checkout or an installed wheel."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    """Return the folder that holds the project's data files.

    An installed wheel carries them inside the package (``massage_chart/resources``, put there by
    the build), and so does the built app (packaging/massage-chart.spec puts them at the same
    place beside the bundled modules); a source checkout or an editable install keeps them at the
    top of the repository.
    """
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "The Massage Chart data files (the 'resources' folder) are missing from this installation. "
        "Reinstall the application."
    )


def resource_path(*parts: str) -> Path:
    """Return the path of one data file, e.g. ``resource_path("atlas", "anterior.json")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"Missing data file: {path}")
    return path


GUIDE_NAME = "USER_GUIDE.md"


def guide_path() -> Path | None:
    """The user guide: inside the package when installed or built (``resources/guide``, beside
    its screenshots), else ``docs/`` of a source checkout; None when neither is there."""
    candidates = [_PACKAGE_DIR.parent / "docs" / GUIDE_NAME]
    with contextlib.suppress(FileNotFoundError):
        candidates.insert(0, resources_dir() / "guide" / GUIDE_NAME)
    return next((path for path in candidates if path.is_file()), None)
