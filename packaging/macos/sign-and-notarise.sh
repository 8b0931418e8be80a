#!/bin/bash
# Sign "Massage Chart.app" inside out with the hardened runtime, put it in a dmg, notarise and
# staple both. Run on a Mac after PyInstaller built dist/Massage Chart.app:
#
#   SIGN_IDENTITY="Developer ID Application: ... (TEAMID)" NOTARY_PROFILE=massage-chart \
#       packaging/macos/sign-and-notarise.sh 0.1.0 arm64
#
# NOTARY_PROFILE is a keychain profile made once with
#   xcrun notarytool store-credentials massage-chart --apple-id ... --team-id ... --password ...
# (in CI from the secrets, see packaging/ci/build.yml). Not run in this repository's Linux CI.
set -euo pipefail

VERSION=$1
ARCH=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP="$ROOT/dist/Massage Chart.app"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
DMG="$ROOT/dist/MassageChart-$VERSION-$ARCH.dmg"

sign() {
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$SIGN_IDENTITY" "$1"
}

# Every Mach-O file first (libraries, Python extensions, Qt frameworks), then the app itself.
find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' \) -print0 |
    while IFS= read -r -d '' file; do sign "$file"; done
find "$APP/Contents" -type d -name '*.framework' -prune -print0 |
    while IFS= read -r -d '' framework; do sign "$framework"; done
sign "$APP/Contents/MacOS/massage-chart"
sign "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Massage Chart" -srcfolder "$STAGE" -format UDZO -ov "$DMG"
rm -rf "$STAGE"
codesign --timestamp --sign "$SIGN_IDENTITY" "$DMG"

xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
xcrun stapler staple "$DMG"
spctl --assess --type open --context context:primary-signature --verbose "$DMG"
echo "$DMG"
