"""The command line files outcome measures and pain maps by the window's rules: scored the same,
refused for the same reasons with nothing filed, and listed as on file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from massage_chart.cli import main
from massage_chart.storage.database import open_database
from massage_chart.storage.models import OutcomeRecord, PainMapRecord
from massage_chart.storage.pain_maps import list_pain_maps
from massage_chart.storage.repositories import add_client


@pytest.fixture
def practice(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "practice.db"
    database = open_database(str(path))
    try:
        with database.write() as session:
            client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
    finally:
        database.dispose()
    return path, client_id


def _count(path: Path, table: type) -> int:
    database = open_database(str(path))
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        database.dispose()


def test_an_answer_sheet_is_filed_scored_and_listed(
    practice: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, client_id = practice
    lefs = ",".join(["3"] * 20)
    assert main(["outcome", "record", client_id, "--measure", "lefs", "--answers", lefs,
                 "--day", "2026-11-02", "--db", str(path)]) == 0  # fmt: skip
    assert "Filed LEFS of 2026-11-02" in capsys.readouterr().out
    assert main(["outcome", "list", client_id, "--db", str(path)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2026-11-02\tLEFS\t60")


def test_a_sheet_that_cannot_be_scored_is_refused_and_nothing_is_filed(
    practice: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, client_id = practice
    for answers, words in (("3,3,3", "20 items"), ("3,x", "whole numbers"),
                           ("9," * 19 + "9", "answers go from 0 to 4")):  # fmt: skip
        code = main(["outcome", "record", client_id, "--measure", "lefs", "--answers", answers,
                     "--db", str(path)])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 1 and words in err and "Nothing was filed." in err, err
    assert main(["outcome", "record", client_id, "--measure", "xyz", "--answers", "1",
                 "--db", str(path)]) == 1  # fmt: skip
    assert main(["outcome", "record", client_id, "--measure", "nprs", "--answers", "5",
                 "--day", "2026-13-01", "--db", str(path)]) == 1  # fmt: skip
    assert "write it as YYYY-MM-DD. Nothing was filed." in capsys.readouterr().err
    assert _count(path, OutcomeRecord) == 0


def test_a_pain_map_is_filed_scored_like_the_window_and_listed(
    practice: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, client_id = practice
    places = "posterior:upper_trapezius.l,posterior:upper_trapezius.r,posterior:lumbar_spine"
    symptoms = "fatigue=2,unrefreshed=1,cognitive=0,headaches=1,abdomen=0,depression=0"
    assert main(["pain-map", "record", client_id, "--places", places, "--symptoms", symptoms,
                 "--three-months", "yes", "--day", "2026-11-02", "--db", str(path)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    database = open_database(str(path))
    try:
        with database.read() as session:
            (entry,) = list_pain_maps(session, client_id)
    finally:
        database.dispose()
    assert entry.score.wpi == 3 and entry.score.sss == 4 and entry.source == "paper"
    assert "WPI 3/19; SSS 4/12, FS 7/31; 2016 criteria not met" in out
    assert main(["pain-map", "list", client_id, "--db", str(path)]) == 0
    listed = capsys.readouterr().out
    assert "Left shoulder girdle" in listed and "Lower back" in listed


def test_a_pain_map_with_a_place_the_atlas_does_not_have_is_refused(
    practice: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, client_id = practice
    for args, words in (
        (["--places", "posterior:tail.l"], "tail"),
        (["--places", "anterior:sternum", "--symptoms", "fatigue=7"], "Fatigue"),
        (["--places", "anterior:sternum", "--symptoms", "fatigue"], "NAME=N"),
        (["--places", "anterior:sternum", "--day", "2026-13-01"], "YYYY-MM-DD"),
        (["--places", "anterior:sternum", "--replaces", "nope", "--reason", "typo"], "nope"),
    ):
        code = main(["pain-map", "record", client_id, *args, "--db", str(path)])
        err = capsys.readouterr().err
        assert code == 1 and words in err and "Traceback" not in err, (args, err)
    assert _count(path, PainMapRecord) == 0
