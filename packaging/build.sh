#!/bin/sh
# Build the one-folder app (dist/massage-chart) and its Debian package (dist/*.deb).
#
#   PY=.venv/bin/python packaging/build.sh
#
# PY is a Python with the project and its `package` extra installed (`make package` sees to it).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
export PY

"$ROOT/packaging/linux/install-tools.sh"
"$PY" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
    "$ROOT/packaging/massage-chart.spec"
"$ROOT/packaging/linux/build-deb.sh" "$ROOT/dist/massage-chart" "$ROOT/dist"
