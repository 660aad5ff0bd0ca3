#!/usr/bin/env bash
# Fetch a real Podman quadlet generator from a Debian suite's podman package without touching
# the system's apt configuration, and extract it under $UNROOT_CACHE:
#   scripts/get-quadlet.sh          trixie (Debian 13): Podman 5.4.2 -> podman-5.4.2/
#   scripts/get-quadlet.sh forky    forky (Debian testing): Podman 5.8.x -> podman-5.8/
#
# Idempotent: when the extracted binary already reports the wanted version, nothing is
# downloaded. The package mirror is taken from this machine's own apt sources (deb822 or
# one-line format); no registry host is written here. Both binaries run on bookworm
# (checked by -version).
set -euo pipefail

SUITE="${1:-trixie}"
case "$SUITE" in
  trixie) WANT_VERSION=5.4.2; DIR_NAME=podman-5.4.2 ;;
  # forky moves within 5.8.x: any 5.8 release is the generator the 5.8 tests want.
  forky) WANT_VERSION=5.8; DIR_NAME=podman-5.8 ;;
  *) echo "get-quadlet: unknown suite $SUITE (trixie or forky)" >&2; exit 2 ;;
esac
CACHE="${UNROOT_CACHE:-/var/cache/unroot-test}"
DEST="$CACHE/$DIR_NAME"
BIN="$DEST/usr/libexec/podman/quadlet"

# `5.4.2` must match exactly; `5.8` matches any 5.8.N.
have_version() {
  [ -x "$BIN" ] && "$BIN" -version 2>/dev/null | grep -Eq "(^|[^0-9.])${WANT_VERSION//./\\.}([^0-9]|\\.[0-9]+|$)"
}

if have_version; then
  echo "get-quadlet: $BIN already reports $WANT_VERSION"
  exit 0
fi

# The mirror this machine's apt already uses: the one derivation every script shares.
URI="$("$(dirname "$0")/debian-mirror.sh" 2>/dev/null || true)"
if [ -z "$URI" ]; then
  echo "get-quadlet: no Debian mirror found in /etc/apt/sources.list{,.d}; add one or set UNROOT_QUADLET_BIN" >&2
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/etc" "$TMP/lists/partial" "$TMP/archives/partial" "$TMP/download"
# apt downloads as the unprivileged _apt user when it exists: let it write the temp dirs.
chmod 755 "$TMP"
if id _apt >/dev/null 2>&1; then chown -R _apt "$TMP/lists" "$TMP/archives" "$TMP/download"; fi
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$TMP/etc/$SUITE.sources" <<SOURCES
Types: deb
URIs: $URI
Suites: $SUITE
Components: main
Signed-By: $KEYRING
SOURCES

APT_OPTS=(
  -o "Dir::Etc::sourcelist=/dev/null"
  -o "Dir::Etc::sourceparts=$TMP/etc"
  -o "Dir::State::Lists=$TMP/lists"
  -o "Dir::Cache::archives=$TMP/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
)
echo "get-quadlet: reading the $SUITE package index from the machine's mirror"
apt-get "${APT_OPTS[@]}" update -qq
(cd "$TMP/download" && apt-get "${APT_OPTS[@]}" download podman)
DEB="$(ls "$TMP"/download/podman_*.deb)"
echo "get-quadlet: extracting $(basename "$DEB")"
mkdir -p "$CACHE"
# Extract into a fresh directory and move it into place, so a failed run leaves nothing half-made.
STAGE="$(mktemp -d "$CACHE/.podman-XXXXXX")"
dpkg-deb -x "$DEB" "$STAGE"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
chmod 755 "$DEST"

if ! have_version; then
  echo "get-quadlet: $BIN does not report $WANT_VERSION:" >&2
  "$BIN" -version >&2 || true
  exit 1
fi
echo "get-quadlet: $("$BIN" -version) at $BIN"
