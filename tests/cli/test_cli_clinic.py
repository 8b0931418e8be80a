"""`massage-chart clinic init` and `users ...` on a real PostgreSQL, and people signing in with
`--user`: the server holds each to their group, whatever the command line asks."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from massage_chart.storage import clinic
from massage_chart.storage.database import open_database
from massage_chart.storage.models import Client, Provider, Visit
from tests.helpers.notes import complete_the_note
from tests.helpers.postgres import admin_url, fresh_postgres_url

pytestmark = pytest.mark.postgres


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MASSAGE_CHART_PASS")}
    return subprocess.run(
        [sys.executable, "-m", "massage_chart", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        input=stdin,
        check=False,
    )


@dataclass
class Setup:
    url: str
    practice: str
    sam_visit: str
    lee_visit: str


@pytest.fixture
def practice_db(tmp_path: Path) -> Iterator[Setup]:
    """A practice on PostgreSQL with two therapists' draft notes, before clinic init."""
    practice = f"c{uuid.uuid4().hex[:10]}"
    try:
        with fresh_postgres_url() as url:
            database = open_database(url)
            try:
                with database.write() as session:
                    sam = Provider(first_name="Sam", last_name="Lee")
                    lee = Provider(first_name="Lee", last_name="Park")
                    client = Client(first_name="محمد", last_name="العلي")
                    session.add_all([sam, lee, client])
                    session.flush()
                    visits = [
                        Visit(
                            client_id=client.id, provider_id=p.id, start=dt.datetime(2026, 12, 2, 9)
                        )
                        for p in (sam, lee)
                    ]
                    session.add_all(visits)
                    session.flush()
                    for visit in visits:
                        complete_the_note(session, visit.id)
                    ids = visits[0].id, visits[1].id
            finally:
                database.dispose()
            yield Setup(url, practice, *ids)
    finally:
        clinic.drop_practice_roles(admin_url(), practice)


def _admin(s: Setup, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"MASSAGE_CHART_PASSWORD": password} if password else {}
    return run(*args, "--db", s.url, "--practice", s.practice, env=env)


def test_a_clinic_is_set_up_and_its_people_managed_from_the_command_line(
    practice_db: Setup, tmp_path: Path
) -> None:
    s = practice_db
    secret = tmp_path / "owner.txt"
    secret.write_text("olive's long password\n", encoding="utf-8")
    result = run(
        "clinic", "init", "--db", s.url, "--practice", s.practice, "--owner", "olive",
        "--password-file", str(secret),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "olive can sign in as its owner" in result.stdout
    again = _admin(s, "clinic", "init", "--owner", "olive")  # no password needed to keep her
    assert again.returncode == 0, again.stderr
    assert "kept as it was" in again.stdout

    added = _admin(s, "users", "add", "sam", "--role", "therapist", "--provider", "sam lee",
                   password="pw-sam")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "sam can sign in as therapist" in added.stdout
    no_provider = _admin(s, "users", "add", "tom", "--role", "therapist", password="pw")
    assert no_provider.returncode == 1
    assert "name the provider" in no_provider.stderr
    unknown = _admin(s, "users", "add", "tom", "--role", "therapist", "--provider", "Tom X",
                     password="pw")  # fmt: skip
    assert unknown.returncode == 1
    assert "No provider is 'Tom X'" in unknown.stderr and "Sam Lee (" in unknown.stderr
    desk = _admin(s, "users", "add", "fran", "--role", "front_desk", password="pw-fran")
    assert desk.returncode == 0, desk.stderr
    no_password = _admin(s, "users", "add", "gil", "--role", "front_desk")
    assert no_password.returncode == 1
    assert "A password is needed" in no_password.stderr

    assert _admin(s, "users", "set-role", "fran", "student").returncode == 1  # no provider
    assert _admin(s, "users", "disable", "fran").returncode == 0
    assert _admin(s, "users", "reset-password", "sam", password="pw-sam-2").returncode == 0
    listing = _admin(s, "users", "list")
    assert listing.returncode == 0, listing.stderr
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("fran", "front_desk", "disabled"),
        ("olive", "owner", "active"),
        ("sam", "therapist", "active"),
    ]
    bad = _admin(s, "users", "add", "Sam!", "--role", "owner", password="x")
    assert bad.returncode == 1 and "user name" in bad.stderr


def test_people_sign_in_with_user_and_the_server_holds_them_to_their_group(
    practice_db: Setup,
) -> None:
    s = practice_db
    assert _admin(s, "clinic", "init", "--owner", "olive", password="pw-olive").returncode == 0
    for name, role, provider in (("sam", "therapist", "Sam Lee"), ("fran", "front_desk", "")):
        extra = ("--provider", provider) if provider else ()
        result = _admin(s, "users", "add", name, "--role", role, *extra, password=f"pw-{name}")
        assert result.returncode == 0, result.stderr
    as_sam = {"MASSAGE_CHART_PASSWORD": "pw-sam", "MASSAGE_CHART_PRACTICE": s.practice}

    own = run("sign", s.sam_visit, "--db", s.url, "--user", "sam", env=as_sam)
    assert own.returncode == 0, own.stderr
    other = run("sign", s.lee_visit, "--db", s.url, "--user", "sam", env=as_sam)
    assert other.returncode == 1
    assert "Only the therapist named on the note" in other.stderr

    as_fran = {"MASSAGE_CHART_PASSWORD": "pw-fran", "MASSAGE_CHART_PRACTICE": s.practice}
    desk = run("sign", s.lee_visit, "--db", s.url, "--user", "fran", env=as_fran)
    assert desk.returncode == 1
    assert "front desk" in desk.stderr or "Only the therapist" in desk.stderr

    stranger = run("sign", s.lee_visit, "--db", s.url, "--user", "zed", env=as_fran)
    assert stranger.returncode == 1
    assert "did not accept the user name 'zed'" in stranger.stderr

    log = run("audit", "list", "--db", s.url, "--user", "sam", env=as_sam)
    assert log.returncode == 0, log.stderr
    signs = [line.split("\t") for line in log.stdout.splitlines() if "\tsign\t" in line]
    assert signs and all(row[2] == "sam" for row in signs)
    engine = create_engine(s.url)
    try:
        with engine.connect() as connection:
            status = connection.execute(text("SELECT id, status FROM visits ORDER BY id")).all()
    finally:
        engine.dispose()
    assert dict(status) == {s.sam_visit: "signed", s.lee_visit: "draft"}
