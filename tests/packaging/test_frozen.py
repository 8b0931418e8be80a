"""The installable app: the one-folder build runs with no Python or checkout, and the .deb is sound.

Builds ``dist/massage-chart`` and ``dist/massage-chart_<version>_<arch>.deb`` with
``packaging/build.sh`` (as ``make package`` does), or reuses them when they are newer than every
source file. The built program is run with a clean environment (only HOME and PATH).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from massage_chart import __version__
from massage_chart.domain.icd10 import describe
from tests.export.pdftext import all_text, flat

# The Debian tools that build and check the package (``make package-tools`` installs them).
PACKAGE_TOOLS = ("dpkg-deb", "desktop-file-validate", "appstreamcli")
MISSING_TOOLS = [tool for tool in PACKAGE_TOOLS if shutil.which(tool) is None]
# CI installs the tools and sets this, so the build is never skipped there.
REQUIRED = os.environ.get("MASSAGE_CHART_REQUIRE_PACKAGE") == "1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build"),
    pytest.mark.skipif(
        bool(MISSING_TOOLS) and not REQUIRED,
        reason=f"the package tools are missing ({', '.join(MISSING_TOOLS)}): "
        "run `make package-tools` to build and check the package in `make test`",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
APP_DIR = DIST / "massage-chart"
PACKAGING = ROOT / "packaging"
# What the Linux build is made from (the Windows and macOS files do not count).
SOURCES = (
    ROOT / "massage_chart",
    ROOT / "resources",
    ROOT / "docs" / "USER_GUIDE.md",
    ROOT / "docs" / "screenshots",
    ROOT / "pyproject.toml",
    PACKAGING / "massage-chart.spec",
    PACKAGING / "bundle_files.py",
    PACKAGING / "build.sh",
    PACKAGING / "linux",
    PACKAGING / "icons",
)
BUILD_TIMEOUT = 40 * 60
RUN_TIMEOUT = 300
PASSPHRASE = "lavender-and-arnica"


@dataclass(frozen=True)
class Build:
    program: Path
    deb: Path


def _newest_source() -> float:
    newest = 0.0
    for source in SOURCES:
        files = [source] if source.is_file() else source.rglob("*")
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


def _deb() -> Path | None:
    found = sorted(DIST.glob(f"massage-chart_{__version__}_*.deb"))
    return found[-1] if found else None


def _is_current() -> bool:
    program = APP_DIR / "massage-chart"
    deb = _deb()
    if not program.is_file() or deb is None:
        return False
    newest = _newest_source()
    return program.stat().st_mtime > newest and deb.stat().st_mtime >= program.stat().st_mtime


@pytest.fixture(scope="module")
def build() -> Build:
    if not _is_current():
        result = subprocess.run(
            [str(ROOT / "packaging" / "build.sh")],
            env={**os.environ, "PY": sys.executable},
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    deb = _deb()
    assert deb is not None and (APP_DIR / "massage-chart").is_file()
    return Build(APP_DIR / "massage-chart", deb)


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", **extra}


def _run_built(
    program: Path, home: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(program), *args],
        env=_clean_env(home, **env),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def chart_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chart file of two demo clients, written from the source checkout."""
    folder = tmp_path_factory.mktemp("source")
    source_db = folder / "demo.db"
    chart = folder / "chart.json"
    # Module-scoped, so set up before the per-test user folders: give it its own.
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }
    env.pop("MASSAGE_CHART_DB", None)
    env.pop("MASSAGE_CHART_CONFIG", None)
    for args in (
        ["demo", "--db", str(source_db), "--clients", "2"],
        ["export-json", "--db", str(source_db), "-o", str(chart)],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "massage_chart", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    return chart


@pytest.fixture(scope="module")
def imported(build: Build, chart_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made by the built program from the chart file."""
    folder = tmp_path_factory.mktemp("built")
    database = folder / "records.db"
    result = _run_built(
        build.program, folder / "home", "import-json", "--db", str(database), str(chart_file)
    )
    assert result.returncode == 0, result.stderr
    assert "Imported 2 clients" in result.stdout
    return database


def test_prints_its_version(build: Build, tmp_path: Path) -> None:
    result = _run_built(build.program, tmp_path / "home", "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"massage-chart {__version__}"


def test_imports_a_chart_file_with_its_migrations_and_atlas(imported: Path) -> None:
    connection = sqlite3.connect(imported)
    try:
        assert connection.execute("SELECT count(*) FROM clients").fetchone() == (2,)
        assert connection.execute("SELECT count(*) FROM marks").fetchone()[0] > 0
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        connection.close()


def test_exports_a_soap_pdf_with_icd10_descriptions_and_fonts(
    build: Build, imported: Path, tmp_path: Path
) -> None:
    connection = sqlite3.connect(imported)
    try:
        visit_id, codes, last_name = connection.execute(
            "SELECT v.id, v.icd10_codes, c.last_name FROM visits v JOIN clients c "
            "ON c.id = v.client_id WHERE v.signed_at IS NOT NULL AND v.icd10_codes != '[]' "
            "ORDER BY v.start LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    pdf = tmp_path / "soap.pdf"

    result = _run_built(
        build.program,
        tmp_path / "home",
        "export",
        "soap",
        "--db",
        str(imported),
        visit_id,
        "-o",
        str(pdf),
    )

    assert result.returncode == 0, result.stderr
    text = flat(all_text(pdf.read_bytes()))
    assert flat(last_name) in text
    for code in json.loads(codes):
        description = describe(code)
        assert description is not None
        assert flat(description) in text  # read from the bundled ICD-10-CM tables
    assert "INTEGRITYFAILURE" not in text
    # The descriptions came from the index built into the app, not from one built on first use.
    cache = tmp_path / "home" / ".cache" / "massage-chart"
    assert not list(cache.glob("icd10cm-*")), "the app built its own ICD-10-CM index"


def test_encrypts_with_the_bundled_sqlcipher(build: Build, imported: Path, tmp_path: Path) -> None:
    database = tmp_path / "encrypted.db"
    shutil.copyfile(imported, database)
    home = tmp_path / "home"

    encrypted = _run_built(
        build.program, home, "encrypt", "--db", str(database), MASSAGE_CHART_PASSPHRASE=PASSPHRASE
    )
    assert encrypted.returncode == 0, encrypted.stderr
    assert not database.read_bytes().startswith(b"SQLite format 3")
    checked = _run_built(
        build.program, home, "check", "--db", str(database), MASSAGE_CHART_PASSPHRASE=PASSPHRASE
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_opens_its_window_and_quits_after_the_first_paint(
    build: Build, imported: Path, tmp_path: Path
) -> None:
    result = _run_built(
        build.program,
        tmp_path / "home",
        "--db",
        str(imported),
        "--quit-after-start",
        QT_QPA_PLATFORM="offscreen",
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_running_the_app_writes_nothing_into_its_own_folder(
    build: Build, chart_file: Path, tmp_path: Path
) -> None:
    before = sorted(path.relative_to(APP_DIR) for path in APP_DIR.rglob("*"))
    database = tmp_path / "fresh.db"  # a new database runs every migration from the bundle

    result = _run_built(
        build.program, tmp_path / "home", "import-json", "--db", str(database), str(chart_file)
    )

    assert result.returncode == 0, result.stderr
    assert sorted(path.relative_to(APP_DIR) for path in APP_DIR.rglob("*")) == before
    assert not list(APP_DIR.rglob("__pycache__"))


def test_the_bundle_leaves_the_qt_system_libraries_to_the_system(build: Build) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        import bundle_files
    finally:
        sys.path.remove(str(PACKAGING))

    bundled = {path.name for path in APP_DIR.rglob("*.so*")}

    assert bundled & bundle_files.SYSTEM_LIBRARIES == set()
    assert "libQt6XcbQpa.so.6" in bundled


def _deb_field(deb: Path, field: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), field], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_package_declares_the_qt_system_libraries(build: Build) -> None:
    depends = _deb_field(build.deb, "Depends")

    for package in (
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxkbcommon-x11-0",
        "libegl1",
    ):
        assert package in depends
    assert _deb_field(build.deb, "Version") == __version__


def test_the_package_installs_only_its_own_places_and_no_scripts(
    build: Build, tmp_path: Path
) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(build.deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = [line.split()[5] for line in listing.splitlines()]
    allowed = (
        "./opt/massage-chart/",
        "./usr/bin/massage-chart",
        "./usr/share/applications/massage-chart.desktop",
        "./usr/share/metainfo/app.massagechart.MassageChart.metainfo.xml",
        "./usr/share/icons/hicolor/",
        "./usr/share/doc/massage-chart/",
    )
    parents = {
        "./",
        "./opt/",
        "./usr/",
        "./usr/bin/",
        "./usr/share/",
        "./usr/share/applications/",
        "./usr/share/metainfo/",
        "./usr/share/icons/",
        "./usr/share/doc/",
    }
    strays = [p for p in paths if p not in parents and not p.startswith(allowed)]
    assert strays == []
    for size in ("16x16", "48x48", "256x256"):
        assert f"./usr/share/icons/hicolor/{size}/apps/massage-chart.png" in paths
    assert "./usr/share/icons/hicolor/scalable/apps/massage-chart.svg" in paths

    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "--control", str(build.deb), str(control)], check=True)
    assert sorted(path.name for path in control.iterdir()) == ["control", "md5sums"]


def test_the_extracted_package_validates_and_runs(build: Build, tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "--extract", str(build.deb), str(root)], check=True)

    desktop = root / "usr/share/applications/massage-chart.desktop"
    validated = subprocess.run(
        ["desktop-file-validate", str(desktop)], capture_output=True, text=True
    )
    assert validated.returncode == 0 and not validated.stdout.strip(), validated.stdout
    metainfo = root / "usr/share/metainfo/app.massagechart.MassageChart.metainfo.xml"
    appstream = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True
    )
    assert appstream.returncode == 0, appstream.stdout + appstream.stderr
    assert os.readlink(root / "usr/bin/massage-chart") == "/opt/massage-chart/massage-chart"
    result = _run_built(root / "opt/massage-chart/massage-chart", tmp_path / "home", "--version")
    assert result.returncode == 0, result.stderr


def test_installing_and_removing_leaves_nothing_behind(build: Build, tmp_path: Path) -> None:
    root = tmp_path / "root"
    admin = root / "var/lib/dpkg"
    for folder in ("info", "updates", "triggers"):
        (admin / folder).mkdir(parents=True)
    (admin / "status").touch()
    (admin / "available").touch()
    dpkg = [
        "dpkg",
        f"--root={root}",
        f"--admindir={admin}",
        f"--log={tmp_path / 'dpkg.log'}",
        "--force-not-root",  # a scratch root needs no privileges
        "--force-depends",  # its empty database knows no libraries
    ]
    home = root / "home/therapist/.local/share/massage-chart"
    home.mkdir(parents=True)
    (home / "massage-chart.db").write_bytes(b"records")

    installed = subprocess.run([*dpkg, "--install", str(build.deb)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    assert (root / "opt/massage-chart/massage-chart").is_file()
    assert (root / "usr/bin/massage-chart").is_symlink()
    removed = subprocess.run([*dpkg, "--remove", "massage-chart"], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr

    left = list((root / "opt").rglob("*")) + [
        p for p in (root / "usr").rglob("*") if not p.is_dir()
    ]
    assert left == []
    assert (home / "massage-chart.db").read_bytes() == b"records"


def test_the_icon_renders_for_windows_and_macos_too(tmp_path: Path) -> None:
    sys.path.insert(0, str(PACKAGING / "icons"))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING / "icons"))
    from PIL import Image

    ico, icns = render_icons.render_desktop_icons(tmp_path)

    with Image.open(ico) as image:
        assert image.info["sizes"] == {(size, size) for size in render_icons.ICO_SIZES}
    with Image.open(icns) as image:
        assert image.size == (render_icons.ICNS_SIZE, render_icons.ICNS_SIZE)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([ico.name, icns.name])
