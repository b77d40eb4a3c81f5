#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# packaging/check-deb.sh BUILD_DIR VERSION  (ctest "package")
#
# Builds the .deb with CPack into a scratch folder, checks its control data and its files,
# validates the desktop entry and the AppStream metainfo, unpacks it with `dpkg-deb -x` and runs
# the programs from there. Bounded: every command has a timeout; the scratch folder is removed.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: packaging/check-deb.sh BUILD_DIR VERSION" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd)
VERSION=$2
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

fail() { echo "check-deb: $*" >&2; exit 1; }

echo "check-deb: cpack -G DEB"
(cd "$BUILD_DIR" && timeout 240 cpack -G DEB -B "$SCRATCH/out" >"$SCRATCH/cpack.log" 2>&1) \
  || { cat "$SCRATCH/cpack.log" >&2; fail "cpack failed"; }
DEB="$SCRATCH/out/clickscope_${VERSION}_$(dpkg --print-architecture).deb"
[ -f "$DEB" ] || { ls -l "$SCRATCH/out" >&2; fail "no $DEB"; }
echo "check-deb: $(basename "$DEB") $(du -k "$DEB" | cut -f1) KiB"

# Control data: the name, the version, and Qt among the dependencies dpkg-shlibdeps found.
control=$(dpkg-deb -f "$DEB" Package Version Architecture Depends)
echo "$control"
grep -qx "Package: clickscope" <<<"$control" || fail "wrong package name"
grep -qx "Version: $VERSION" <<<"$control" || fail "wrong version"
for lib in libqt6core6 libqt6widgets6 libqt6charts6 libqt6httpserver6 libqt6websockets6 libsimdjson; do
  grep -q "$lib" <<<"$control" || fail "Depends lacks $lib"
done

# Files.
dpkg-deb -x "$DEB" "$SCRATCH/root"
ROOT=$SCRATCH/root
for f in usr/bin/clickscope usr/bin/clickscope-cli \
         usr/share/applications/io.github.clickscope.Clickscope.desktop \
         usr/share/metainfo/io.github.clickscope.Clickscope.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/clickscope.svg \
         usr/share/icons/hicolor/48x48/apps/clickscope.png \
         usr/share/icons/hicolor/256x256/apps/clickscope.png \
         usr/share/man/man1/clickscope.1 usr/share/man/man1/clickscope-cli.1 \
         usr/share/doc/clickscope/copyright; do
  [ -e "$ROOT/$f" ] || [ -e "$ROOT/$f.gz" ] || fail "the package lacks /$f"
done
file "$ROOT/usr/share/icons/hicolor/48x48/apps/clickscope.png" | grep -q "48 x 48" || fail "the 48 px icon is not 48 px"
grep -q "^License: MIT" "$ROOT/usr/share/doc/clickscope/copyright" && grep -q "GPL-3" "$ROOT/usr/share/doc/clickscope/copyright" \
  || fail "the copyright file must give the MIT licence and what the GPL-3 Qt parts mean for the binaries"

# Desktop integration, validated by the tools Debian uses.
desktop-file-validate "$ROOT/usr/share/applications/io.github.clickscope.Clickscope.desktop" \
  || fail "desktop-file-validate"
timeout 60 appstreamcli validate --no-net --explain "$ROOT/usr/share/metainfo/io.github.clickscope.Clickscope.metainfo.xml" \
  || fail "appstreamcli validate"

# The man pages render and say what --help says.
for page in clickscope clickscope-cli; do
  out=$(MANWIDTH=100 timeout 30 man -l "$ROOT/usr/share/man/man1/$page.1" 2>&1) || fail "man $page: $out"
  grep -q -- "--version" <<<"$out" || fail "man $page lacks --version"
done
MANWIDTH=100 man -l "$ROOT/usr/share/man/man1/clickscope-cli.1" | grep -q "done-marker" \
  || fail "man clickscope-cli lacks listen's --done-marker"

# The programs, run from where the package put them.
got=$(timeout 30 "$ROOT/usr/bin/clickscope-cli" --version)
[ "$got" = "clickscope-cli $VERSION" ] || fail "clickscope-cli --version said '$got'"
got=$(QT_QPA_PLATFORM=offscreen timeout 30 "$ROOT/usr/bin/clickscope" --version)
[ "$got" = "Clickscope $VERSION" ] || fail "clickscope --version said '$got'"
echo "check-deb: $(basename "$DEB") installs and runs"
