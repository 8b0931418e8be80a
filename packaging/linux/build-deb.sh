#!/bin/sh
# Build the Debian package of Massage Chart from the one-folder app that PyInstaller made.
#
#   packaging/linux/build-deb.sh [APP_DIR] [OUT_DIR]
#
# APP_DIR is the built app (default dist/massage-chart), OUT_DIR where the .deb goes (default
# dist). The package installs the app under /opt/massage-chart, `massage-chart` in /usr/bin,
# the .desktop file, the AppStream metainfo and the icons; it has no maintainer scripts, so
# installing and removing it never touches anyone's records (they live in the user's folders).
# The icon cache and the menu are refreshed by the dpkg triggers of gtk-update-icon-cache and
# desktop-file-utils, which watch /usr/share/icons/hicolor and /usr/share/applications.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
APP_DIR=${1:-$ROOT/dist/massage-chart}
OUT_DIR=${2:-$ROOT/dist}

"$HERE/install-tools.sh"

if [ ! -x "$APP_DIR/massage-chart" ]; then
    echo "build-deb: no built app in $APP_DIR; run 'make package'" >&2
    exit 1
fi

VERSION=$("$PY" -c 'import massage_chart; print(massage_chart.__version__)')
ARCH=$(dpkg --print-architecture)
GLIBC=$(ldd --version | head -n 1 | awk '{print $NF}')
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/massage-chart"

mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
    "$PKG/usr/share/metainfo" "$PKG/usr/share/doc/massage-chart"
cp -a "$APP_DIR" "$PKG/opt/massage-chart"
ln -s /opt/massage-chart/massage-chart "$PKG/usr/bin/massage-chart"
cp "$HERE/massage-chart.desktop" "$PKG/usr/share/applications/"
cp "$HERE/app.massagechart.MassageChart.metainfo.xml" "$PKG/usr/share/metainfo/"
cp "$HERE/copyright" "$PKG/usr/share/doc/massage-chart/copyright"
"$PY" "$ROOT/packaging/icons/render_icons.py" "$PKG/usr/share/icons/hicolor" >/dev/null

# The system libraries Qt loads (the same list the app checks before it starts), plus the C and
# C++ runtimes the bundled Python and Qt were built against.
QT_DEPENDS=$("$PY" -c 'from massage_chart.platform_check import debian_depends; print(debian_depends())')
DEPENDS="libc6 (>= $GLIBC), libstdc++6, libgcc-s1, zlib1g, libzstd1, $QT_DEPENDS"
"$PY" - "$DEPENDS" <<'PYEOF'
import sys
names = [part.split()[0] for group in sys.argv[1].split(",") for part in group.split("|")]
if len(names) != len(set(names)):
    sys.exit(f"build-deb: a package is named twice in Depends: {sys.argv[1]}")
PYEOF

chmod -R u+rwX,go+rX,go-w "$PKG"
(cd "$PKG" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort \
    | xargs -d '\n' md5sum >DEBIAN/md5sums)
INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat >"$PKG/DEBIAN/control" <<CONTROL
Package: massage-chart
Version: $VERSION
Architecture: $ARCH
Maintainer: Massage Chart developers <support@massagechart.app>
Installed-Size: $INSTALLED_SIZE
Depends: $DEPENDS
Recommends: libxcb-glx0
Section: science
Priority: optional
Homepage: https://massagechart.app
Description: clinical massage charting on a body diagram
 Massage Chart keeps a massage therapist's clinical records on their own
 computer: findings charted on a body diagram, SOAP notes with ICD-10-CM
 codes, signed notes with addenda, and insurer-ready PDFs. Records stay in
 the user's own data folder; removing the package leaves them in place.
CONTROL

mkdir -p "$OUT_DIR"
DEB="$OUT_DIR/massage-chart_${VERSION}_${ARCH}.deb"
# zstd (dpkg 1.21.18 and later: Debian 12, Ubuntu 22.04): xz took minutes for 300 MB.
dpkg-deb --root-owner-group -Zzstd --build "$PKG" "$DEB" >/dev/null

desktop-file-validate "$PKG/usr/share/applications/massage-chart.desktop"
appstreamcli validate --no-net "$PKG/usr/share/metainfo/app.massagechart.MassageChart.metainfo.xml" >/dev/null
echo "$DEB"
