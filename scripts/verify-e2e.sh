#!/usr/bin/env bash
# A real rootless Podman 5.4.2 API service for `unroot verify`'s tests.
#
#   scripts/verify-e2e.sh serve DIR
#       Enter the rootless root (scripts/rootless-host.sh run), create the unprivileged user
#       `unroot-verify` (UID 2991, subuid/subgid 2991000000:65536), import a small local
#       image, and start `podman system service --time=0` as that user on DIR/podman.sock
#       (DIR is bind-mounted into the root, so the socket is reachable from this host).
#       Then run the command files the test drops into DIR/cmd/ (NAME.sh, as root inside,
#       with $UNROOT_LIB loaded and $VUSER set), writing NAME.out and NAME.rc, until
#       DIR/stop appears. Everything the user started is removed when it returns.
#
# The Rust test tests/verify_podman.rs drives it; run it alone to poke at the service:
#   mkdir -p /tmp/v && scripts/verify-e2e.sh serve /tmp/v &
#   curl --unix-socket /tmp/v/podman.sock http://d/v5.0.0/libpod/info
#   touch /tmp/v/stop
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

VUSER=unroot-verify
VUID=2991
SUBID_START=2991000000
SUBID_COUNT=65536

inside() {
  # shellcheck source=scripts/e2e/rootless-lib.sh
  source "$UNROOT_LIB"
  local dir=/srv/verify
  rootless_user "$VUSER" "$VUID" "$SUBID_START" "$SUBID_COUNT"
  # Fresh storage each run: nothing from an earlier run can make a check pass.
  rm -rf "/home/$VUSER/.local/share/containers" "/home/$VUSER/.config/containers"
  chmod 0777 "$dir"
  mkdir -p "$dir/cmd"
  chmod 0777 "$dir/cmd"

  busybox_image "$VUSER" localhost/verify-app:1 verify-ok

  as_user "$VUSER" podman system service --time=0 "unix://$dir/podman.sock" \
    >"$dir/service.log" 2>&1 &
  local service=$!
  for _ in $(seq 1 100); do
    [ -S "$dir/podman.sock" ] && break
    sleep 0.1
  done
  [ -S "$dir/podman.sock" ] || { echo "the service did not create its socket" >&2; cat "$dir/service.log" >&2; exit 1; }
  echo "$service" >"$dir/service.pid"
  touch "$dir/ready"

  export VUSER UNROOT_LIB
  local f base
  while [ ! -e "$dir/stop" ]; do
    for f in "$dir"/cmd/*.sh; do
      [ -e "$f" ] || continue
      base="${f%.sh}"
      [ -e "$base.rc" ] && continue
      local rc=0
      bash -c 'source "$UNROOT_LIB"; source "$1"' cmd "$f" >"$base.out" 2>&1 || rc=$?
      echo "$rc" >"$base.rc.tmp"
      mv "$base.rc.tmp" "$base.rc"
    done
    sleep 0.1
  done
  kill "$service" 2>/dev/null || true
  wait "$service" 2>/dev/null || true
}

case "${1:-}" in
  serve)
    [ $# -eq 2 ] || { echo "usage: $0 serve DIR" >&2; exit 2; }
    mkdir -p "$2"
    exec "$here/rootless-host.sh" run --bind "$(realpath "$2"):/srv/verify" "$here/verify-e2e.sh" inside
    ;;
  inside) inside ;;
  *) echo "usage: $0 serve DIR" >&2; exit 2 ;;
esac
