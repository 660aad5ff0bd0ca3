#!/usr/bin/env bash
# The rootless side of the e2e stage, run inside the trixie root by
# `scripts/rootless-host.sh run --bind WORK scripts/e2e/inside.sh WORK` (one entry: the
# user's Podman state lives on this entry's private /run).
#
# 1. makes the target user with the subuid/subgid range unroot allocated;
# 2. runs the user-side steps of unroot's generated migrate.sh (image load, volume import,
#    quadlet files into ~/.config/containers/systemd/);
# 3. starts every unit through the real quadlet generator (scripts/e2e/quadlet-run.sh);
# 4. tells the host it is ready (WORK/state/ready), waits while the host checks HTTP and
#    process UIDs (WORK/state/host-done), then checks inside the containers (environment,
#    volume data and its owner, the peer by name) from WORK/checks.txt.
# Exit status 0 only when every step and check passed. The entry sweeps containers on exit.
set -euo pipefail
work="$1"
state="$work/state"
here="$work/scripts"
# shellcheck source=scripts/e2e/rootless-lib.sh
source "$UNROOT_LIB"
# shellcheck source=scripts/e2e/quadlet-run.sh
source "$here/quadlet-run.sh"
# shellcheck source=/dev/null
source "$work/inside.env"

log() { printf 'e2e[rootless]: %s\n' "$*"; }
fail() {
  printf 'e2e[rootless]: FAIL: %s\n' "$*" >&2
  echo fail >"$state/inside-failed"
  exit 1
}

# --- 1. the target user -------------------------------------------------------------------
# A fresh user each run: nothing left in its storage from an earlier run can make a check pass.
if id -u "$E2E_USER" >/dev/null 2>&1; then
  userdel --remove "$E2E_USER" 2>/dev/null || true
fi
rm -rf "/home/${E2E_USER:?}"
rootless_user "$E2E_USER" "$E2E_UID" "$E2E_SUBID_START" "$E2E_SUBID_COUNT"
log "user $E2E_USER (uid $E2E_UID), subuid/subgid $E2E_SUBID_START:$E2E_SUBID_COUNT"
home="$(getent passwd "$E2E_USER" | cut -d: -f6)"

# --- 2. the user-side migration steps ------------------------------------------------------
# shellcheck source=/dev/null
source "$work/user-steps.sh"
e2e_user_steps || fail "the user-side migration steps failed"
log "user-side migration steps done"

# --- 3. start the units --------------------------------------------------------------------
units="$work/units"
if ! quadlet_start_all "$E2E_USER" "$units"; then
  fail "starting the quadlet units failed"
fi
mapfile -t running < <(user_podman "$E2E_USER" ps --format '{{.Names}}')
log "running under rootless Podman: ${running[*]}"

# --- 4. hand over to the host, then check inside ---------------------------------------------
{
  echo "user_uid $E2E_UID"
  for name in "${running[@]}"; do
    echo "container $name $(user_podman "$E2E_USER" inspect --format '{{.State.Pid}}' "$name")"
  done
} >"$state/ready.tmp"
mv "$state/ready.tmp" "$state/ready"
log "waiting for the host-side checks"
for _ in $(seq 1 600); do
  [ -e "$state/host-done" ] || [ -e "$state/abort" ] || { sleep 0.5; continue; }
  break
done
[ ! -e "$state/abort" ] || fail "the host aborted the run"
[ -e "$state/host-done" ] || fail "the host-side checks did not finish within 300 s"

failures=0
check_fail() {
  printf 'e2e[rootless]: FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}
check_ok() { printf 'e2e[rootless]: ok: %s\n' "$*"; }

# The variable is read from the environment of the container's main process (/proc/1/environ),
# and its hash is compared, so a secret never reaches the log, even on a mismatch.
# shellcheck disable=SC2016 # the command runs in the container's shell
check_env() {
  local container="$1" var="$2" want="$3" got
  got="$(user_podman "$E2E_USER" exec "$container" /bin/sh -c \
    'v="$(tr "\0" "\n" </proc/1/environ | grep "^$1=")" || exit 1; printf %s "${v#*=}" | sha256sum' \
    sh "$var" 2>&1 | cut -d' ' -f1)" || true
  if [ "$got" = "$want" ]; then
    check_ok "$container's main process has $var (value matches)"
  else
    check_fail "$container: $var missing or different inside the container"
  fi
}

# The file is read by the container's own user (no --user override): proves the ownership
# survived the move into the user namespace.
check_file() {
  local container="$1" path="$2" want_sha="$3" want_uid="$4" got owner who
  who="$(user_podman "$E2E_USER" exec "$container" id -u 2>&1)" || true
  got="$(user_podman "$E2E_USER" exec "$container" sha256sum "$path" 2>&1 | cut -d' ' -f1)" || true
  owner="$(user_podman "$E2E_USER" exec "$container" stat -c %u "$path" 2>&1)" || true
  if [ "$got" = "$want_sha" ] && [ "$owner" = "$want_uid" ]; then
    check_ok "$container (as uid $who) reads $path intact, owned by uid $owner"
  else
    check_fail "$container (as uid $who): $path sha256 '$got' owner '$owner', want $want_sha owner $want_uid"
  fi
}

# HTTP by name with busybox nc (busybox-static's wget segfaults under Podman on these hosts,
# with or without DNS); the body after the headers must be the peer's page.
# shellcheck disable=SC2016 # the command runs in the container's shell
check_peer() {
  local container="$1" host="$2" port="$3" want="$4" got
  got="$(user_podman "$E2E_USER" exec "$container" /bin/sh -c \
    'printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$1" | nc -w 5 "$1" "$2" | sed "1,/^\r*$/d"' \
    sh "$host" "$port" 2>&1)" || true
  if [ "$got" = "$want" ]; then
    check_ok "$container reaches $host:$port by name and gets '$got'"
  else
    check_fail "$container: http://$host:$port/ answered '$got', want '$want'"
  fi
}

check_env_file_mode() {
  local f="$1" mode owner
  mode="$(stat -c %a "$f")"
  owner="$(stat -c %U "$f")"
  if [ "$mode" = 600 ] && [ "$owner" = "$E2E_USER" ]; then
    check_ok "env file $(basename "$f") is 0600, owned by $E2E_USER"
  else
    check_fail "env file $f is mode $mode owned by $owner, want 600 owned by $E2E_USER"
  fi
}

while read -r kind a b c d; do
  case "$kind" in
    env) check_env "$a" "$b" "$c" ;;
    file) check_file "$a" "$b" "$c" "$d" ;;
    peer) check_peer "$a" "$b" "$c" "$d" ;;
    '' | '#'*) ;;
    *) check_fail "unknown check '$kind'" ;;
  esac
done <"$work/checks.txt"
shopt -s nullglob
env_files=("$home/.config/containers/systemd"/*.env)
[ ${#env_files[@]} -gt 0 ] || check_fail "no env file was installed in $home/.config/containers/systemd"
for f in "${env_files[@]}"; do
  check_env_file_mode "$f"
done

[ "$failures" = 0 ] || fail "$failures check(s) inside the rootless host failed"
log "all checks inside the rootless host passed"
