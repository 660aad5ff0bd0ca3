#!/usr/bin/env bash
# Print the Debian mirror URI this machine's apt already uses (the first main-archive source,
# not -security/-updates/-backports), from deb822 .sources or one-line .list files.
# UNROOT_APT_MIRROR overrides it. No registry host name is ever written in this repository:
# every script that downloads Debian packages asks this one.
set -euo pipefail

if [ -n "${UNROOT_APT_MIRROR:-}" ]; then
  echo "$UNROOT_APT_MIRROR"
  exit 0
fi

uri=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -r "$f" ] || continue
  uri="$(awk 'BEGIN { RS = ""; FS = "\n" }
    {
      uris = ""; plain = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
        if ($i ~ /^Suites:/) {
          sub(/^Suites:[ \t]*/, "", $i); n = split($i, s, /[ \t]+/)
          for (j = 1; j <= n; j++) if (s[j] !~ /-/) plain = 1
        }
      }
      if (uris != "" && plain) { print uris; exit }
    }' "$f")"
  [ -z "$uri" ] || break
done
if [ -z "$uri" ]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    uri="$(awk '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) !~ /-/) { print $i; exit }
      }' "$f")"
    [ -z "$uri" ] || break
  done
fi
if [ -z "$uri" ]; then
  echo "debian-mirror: no Debian mirror in /etc/apt/sources.list{,.d}; set UNROOT_APT_MIRROR" >&2
  exit 2
fi
echo "$uri"
