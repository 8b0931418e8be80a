#!/bin/sh
# Install the Debian tools that build and check the Linux package, when they are missing.
set -eu

missing=""
command -v dpkg-deb >/dev/null 2>&1 || missing="$missing dpkg"
command -v desktop-file-validate >/dev/null 2>&1 || missing="$missing desktop-file-utils"
command -v appstreamcli >/dev/null 2>&1 || missing="$missing appstream"
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-tools: these Debian tools are needed:$missing (this system has no apt-get)" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-tools: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
