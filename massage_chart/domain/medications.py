"""Medication names to the classes that safety alerts read, from resources/medications.json."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from massage_chart.domain.record_kinds import MedicationClass
from massage_chart.domain.text import fold
from massage_chart.resources import resource_path

MEDICATIONS_FORMAT = "massage-chart-medications/1"

_SEPARATORS = re.compile(r"[\s,;:/+()\[\]#*_-]+")


class MedicationTableError(ValueError):
    """The medication table is malformed: unknown format, unknown class or a duplicate name."""


def medication_key(name: str) -> str:
    """The lookup key of a name: folded, punctuation as spaces ("Toprol-XL" -> "toprol xl")."""
    return " ".join(_SEPARATORS.split(fold(name))).strip(" .")


def parse_medication_table(
    data: Any, *, source: str = "medication table"
) -> dict[str, MedicationClass]:
    """Validate the JSON document of a medication table and return name -> class.

    Raises:
        MedicationTableError: the format is not ``massage-chart-medications/1``, a class is not a
            ``MedicationClass`` value, a name is not a string, or a name is listed twice.
    """
    if not isinstance(data, dict) or data.get("format") != MEDICATIONS_FORMAT:
        raise MedicationTableError(
            f"{source}: expected a JSON object with format {MEDICATIONS_FORMAT!r}"
        )
    classes = data.get("classes")
    if not isinstance(classes, dict):
        raise MedicationTableError(f"{source}: 'classes' must map a class to a list of names")
    valid = {member.value: member for member in MedicationClass}
    table: dict[str, MedicationClass] = {}
    for class_value, names in classes.items():
        if class_value not in valid:
            raise MedicationTableError(
                f"{source}: unknown medication class {class_value!r}; "
                f"expected one of {', '.join(sorted(valid))}"
            )
        if not isinstance(names, list):
            raise MedicationTableError(f"{source}: the names of {class_value!r} must be a list")
        for name in names:
            if not isinstance(name, str) or not medication_key(name):
                raise MedicationTableError(f"{source}: bad name {name!r} under {class_value!r}")
            key = medication_key(name)
            if key in table:
                raise MedicationTableError(
                    f"{source}: {name!r} is listed twice ({table[key].value} and {class_value})"
                )
            table[key] = valid[class_value]
    return table


def load_medication_table(path: Path) -> Mapping[str, MedicationClass]:
    """Read and validate a medication table file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MedicationTableError(f"{path.name}: not valid JSON ({error})") from error
    return MappingProxyType(parse_medication_table(data, source=path.name))


@cache
def shipped_medications() -> Mapping[str, MedicationClass]:
    """The table shipped in ``resources/medications.json`` (read once)."""
    return load_medication_table(resource_path("medications.json"))


def _candidates(name: str) -> list[str]:
    """Keys to try for a typed name, longest first.

    Every leading run of words is tried, so a dose or schedule typed after the name is ignored:
    "Warfarin 5mg daily" -> "warfarin 5mg daily", "warfarin 5mg", "warfarin"; a name in
    brackets is tried too: "Eliquis (apixaban)" -> ... "eliquis", "apixaban".
    """
    candidates: list[str] = []
    for piece in (name, *re.findall(r"\(([^)]*)\)", name)):
        words = medication_key(re.sub(r"\([^)]*\)", " ", piece)).split()
        candidates.extend(" ".join(words[:end]) for end in range(len(words), 0, -1))
    return list(dict.fromkeys(candidates))


def classify_medication(
    name: str, user_table: Mapping[str, MedicationClass] | None = None
) -> MedicationClass | None:
    """The class of a typed medication name, or None if it is not known.

    Case, accents, spacing and a dose typed after the name are ignored ("Warfarin 5mg" ->
    anticoagulant). Entries of ``user_table`` (any spelling; keys are normalised the same way)
    override and extend the shipped table.
    """
    shipped = shipped_medications()
    user = {medication_key(key): value for key, value in (user_table or {}).items()}
    for key in _candidates(name):
        if key in user:
            return user[key]
        if key in shipped:
            return shipped[key]
    return None


def known_medication_names(user_table: Mapping[str, MedicationClass] | None = None) -> list[str]:
    """Every known name (shipped and user), sorted, for completion in a medication field."""
    names = set(shipped_medications())
    names.update(medication_key(key) for key in (user_table or {}))
    return sorted(names)
