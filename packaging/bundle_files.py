"""What the one-folder app carries besides Python code: data files, migrations, dynamic imports."""

from __future__ import annotations

from pathlib import Path

from massage_chart.platform_check import GUI_LIBRARIES, XCB_LIBRARIES

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
MIGRATIONS = ROOT / "massage_chart" / "storage" / "migrations"

# Inside the bundle the files sit where an installed wheel has them, next to the package's
# modules, so massage_chart.resources and the migrations locator find them the same way.
RESOURCES_IN_BUNDLE = "massage_chart/resources"
GUIDE = ROOT / "docs" / "USER_GUIDE.md"
GUIDE_IN_BUNDLE = f"{RESOURCES_IN_BUNDLE}/guide"
MIGRATIONS_IN_BUNDLE = "massage_chart/storage/migrations"

# Every folder of resources/, named so that a new one is a deliberate addition here (a test
# compares this list with the folder).
RESOURCE_FOLDERS = ("alerts", "atlas", "chart-format", "demo", "fonts", "measures", "outcomes",
                    "pain_maps")  # fmt: skip

# Modules imported by name at run time, which PyInstaller's analysis cannot see.
HIDDEN_IMPORTS = (
    "sqlcipher3",
    "sqlcipher3.dbapi2",  # imported on first use of an encrypted database
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
    "uharfbuzz",  # reportlab's shaping of Arabic and Hebrew
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
)

# Installed distributions whose metadata the app reads (the ICD-10-CM release it names on notes
# and in the index's file name).
PACKAGES_WITH_METADATA = ("simple-icd-10-cm",)

# Where the bundle carries the prebuilt ICD-10-CM index (massage_chart.domain.icd10_table looks
# beside the package first), so the installed app never parses the whole tabular.
ICD10_INDEX_IN_BUNDLE = "massage_chart/_data"

# Python packages whose own data files must travel with them.
PACKAGES_WITH_DATA = (
    "simple_icd_10_cm",  # the ICD-10-CM tables
    "reportlab",  # its standard font metrics
    "alembic",
)

# Large parts of Qt and Python the app never loads.
EXCLUDED_MODULES = (
    "tkinter",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtMultimedia",
    "PySide6.Qt3DCore",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtBluetooth",
    "PySide6.QtPositioning",
    "PySide6.QtLocation",
    "PySide6.QtNetworkAuth",
    "PySide6.QtDesigner",
    "pytest",
    "hypothesis",
    "numpy",  # pulled in by optional imports of Pillow and others; the app never uses it
)

# Qt libraries and plugins that PySide6's hooks collect but a widgets app never loads: the
# on-screen keyboard plugin and the QML/Quick engine it drags in.
UNUSED_QT_BINARIES = (
    "libqtvirtualkeyboardplugin",
    "libQt6VirtualKeyboard",
    "libQt6Qml",
    "libQt6Quick",
)


def data_files() -> list[tuple[str, str]]:
    """(source, folder in the bundle) pairs for the resources and the Alembic migrations."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(RESOURCES.iterdir()):
        if path.is_file():
            pairs.append((str(path), RESOURCES_IN_BUNDLE))
    for folder in RESOURCE_FOLDERS:
        pairs.append((str(RESOURCES / folder), f"{RESOURCES_IN_BUNDLE}/{folder}"))
    pairs.append((str(GUIDE), GUIDE_IN_BUNDLE))
    pairs.append((str(GUIDE.parent / "screenshots"), f"{GUIDE_IN_BUNDLE}/screenshots"))
    pairs.append((str(MIGRATIONS / "env.py"), MIGRATIONS_IN_BUNDLE))
    pairs.append((str(MIGRATIONS / "script.py.mako"), MIGRATIONS_IN_BUNDLE))
    for version in sorted((MIGRATIONS / "versions").glob("*.py")):
        pairs.append((str(version), f"{MIGRATIONS_IN_BUNDLE}/versions"))
    return pairs


# Linux system libraries that the Debian package declares (Depends) and the app checks at start:
# the computer's own copies are loaded, never the build machine's. A bundled older GLib or
# fontconfig beside a newer desktop's GTK theme plugin or font configuration fails at run time.
SYSTEM_LIBRARIES = frozenset(
    {library for library, _package in (*GUI_LIBRARIES, *XCB_LIBRARIES)}
    | {"libgio-2.0.so.0", "libgobject-2.0.so.0", "libgmodule-2.0.so.0", "libgthread-2.0.so.0"}
)


def is_wanted_binary(name_in_bundle: str) -> bool:
    """Whether a shared library PyInstaller collected belongs in the app."""
    file_name = Path(name_in_bundle).name
    if file_name in SYSTEM_LIBRARIES:
        return False
    return not any(file_name.startswith(unused) for unused in UNUSED_QT_BINARIES)


def icd10_index(build_dir: Path) -> tuple[str, str]:
    """Build the ICD-10-CM index of the installed library; (source, folder in the bundle)."""
    from massage_chart.domain.icd10_table import build_index, index_name

    built = build_index(build_dir / "icd10-index" / index_name())
    return str(built), ICD10_INDEX_IN_BUNDLE


def bundle_datas(build_dir: Path = ROOT / "build") -> list[tuple[str, str]]:
    """Every data file of the bundle, for the specs of each platform (run inside PyInstaller)."""
    from PyInstaller.utils.hooks import collect_data_files, copy_metadata

    datas = data_files()
    for package in PACKAGES_WITH_DATA:
        datas += collect_data_files(package)
    for distribution in PACKAGES_WITH_METADATA:
        datas += copy_metadata(distribution)
    datas.append(icd10_index(build_dir))
    return datas


def unlisted_resource_folders() -> list[str]:
    """Folders of resources/ that RESOURCE_FOLDERS forgets (empty when the bundle is complete)."""
    present = {path.name for path in RESOURCES.iterdir() if path.is_dir()}
    return sorted(present - set(RESOURCE_FOLDERS))
