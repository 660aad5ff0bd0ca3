#!/usr/bin/env bash
# Stage `e2e` of scripts/test: prove the migration end to end, from the real rootful Docker
# engine to real rootless Podman 5.4.2 with pasta (see notes/e2e.md for what it proves).
#
#   scripts/test e2e         (as root; CI sets UNROOT_REQUIRE_PODMAN=1: setup failures fail)
#   scripts/e2e.sh           (outside CI a missing Docker engine or rootless root is a visible skip)
#
# Steps: fixture services on Docker (label unroot.e2e=1) -> `unroot plan` -> `unroot generate`
# -> the generated migrate.sh's host-side steps on this host -> its user-side steps inside the
# rootless root (scripts/rootless-host.sh) -> every unit started through the real quadlet
# generator -> checks from the host (HTTP with curl, process UIDs in /proc) and inside the
# containers (environment, volume data, peer by name) -> Docker host unchanged except for the
# documented stop + restart=no. Everything is cleaned up on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/fixtures-lib.sh
source scripts/fixtures-lib.sh
# shellcheck source=scripts/e2e/fixtures.sh
source scripts/e2e/fixtures.sh

started=$SECONDS
E2E_USER="${UNROOT_E2E_USER:-unroot-e2e}"
E2E_UID="${UNROOT_E2E_UID:-2950}"

# Outside CI a missing part is a visible skip; inside (UNROOT_REQUIRE_PODMAN=1) a failure.
skip_or_fail() {
  if [ "${UNROOT_REQUIRE_PODMAN:-}" = 1 ] || [ "${UNROOT_REQUIRE_DOCKER:-}" = 1 ]; then
    e2e_log "FAIL: $* (required in CI: UNROOT_REQUIRE_PODMAN/DOCKER=1)"
    exit 1
  fi
  e2e_log "SKIPPED: $* (set UNROOT_REQUIRE_PODMAN=1 to make this a failure)"
  exit 0
}
fail() {
  e2e_log "FAIL: $*"
  exit 1
}

[ "$(id -u)" = 0 ] || skip_or_fail "the e2e stage needs root (Docker socket, unshare, sysctl)"
docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 || skip_or_fail "no Docker engine answers"
if ! scripts/rootless-host.sh setup; then
  skip_or_fail "the rootless Podman root could not be set up (log above)"
fi
command -v curl >/dev/null || fail "curl is needed for the HTTP checks from the host"

# --- cleanup, whatever happens ---------------------------------------------------------------
E2E_WORK="$(mktemp -d /tmp/unroot-e2e.XXXXXX)"
chmod 0711 "$E2E_WORK"
state="$E2E_WORK/state"
mkdir -p "$state"
entry_pid=""
sysctl_saved=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$entry_pid" ] && kill -0 "$entry_pid" 2>/dev/null; then
    touch "$state/abort"
    for _ in $(seq 1 40); do kill -0 "$entry_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$entry_pid" 2>/dev/null && kill "$entry_pid" 2>/dev/null
    wait "$entry_pid" 2>/dev/null
  fi
  if [ -n "$sysctl_saved" ]; then
    sysctl -q -w "net.ipv4.ip_unprivileged_port_start=$sysctl_saved" >/dev/null
  fi
  e2e_fixtures_remove 2>/dev/null
  rm -rf "$E2E_WORK"
  if [ "$rc" = 0 ]; then
    e2e_log "PASSED in $((SECONDS - started)) s"
  else
    e2e_log "FAILED (exit $rc) after $((SECONDS - started)) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

E2E_TOKEN="$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
E2E_SECRET="secret-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export E2E_WORK E2E_TOKEN E2E_SECRET

# --- 1. fixtures on the rootful Docker engine --------------------------------------------------
e2e_log "creating the fixture services on Docker $(docker version --format '{{.Server.Version}}')"
e2e_fixtures_create
declare -A baseline=()
for port in "$E2E_PORT_LOW" "$E2E_PORT_HIGH"; do
  page=""
  for _ in $(seq 1 50); do
    page="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null)" && break
    sleep 0.2
  done
  [ -n "$page" ] || fail "the Docker fixture on port $port does not answer"
  baseline[$port]="$page"
done
e2e_log "Docker serves: port $E2E_PORT_LOW '${baseline[$E2E_PORT_LOW]}', port $E2E_PORT_HIGH '${baseline[$E2E_PORT_HIGH]}'"

# What the Docker host looks like before the migration: compared afterwards.
snapshot_docker() {
  local out="$1"
  {
    echo '{"containers":'
    docker container inspect "${E2E_CONTAINERS[@]}"
    echo ',"volumes":'
    docker volume inspect "$E2E_VOLUME"
    echo ',"networks":'
    docker network inspect "$E2E_NETWORK"
    echo ',"images":'
    # shellcheck disable=SC2046 # image IDs, one word each
    docker image inspect $(docker image ls -q --filter "label=$E2E_LABEL" | sort -u)
    echo '}'
  } >"$out"
}
snapshot_docker "$E2E_WORK/docker-before.json"

# --- 2. unroot plan + generate, as a user would ----------------------------------------------
generated="$E2E_WORK/generated"
staging="$E2E_WORK/staging"
mkdir -p "$staging"
if [ "${UNROOT_E2E_HANDWRITTEN:-}" = 1 ]; then
  # shellcheck source=scripts/e2e/handwritten.sh
  source scripts/e2e/handwritten.sh
  e2e_log "UNROOT_E2E_HANDWRITTEN=1: hand-written quadlet files (debugging only, not a pass of unroot)"
  hand_generate "$generated"
  E2E_SUBID_START=524288
  E2E_SUBID_COUNT=65536
  declare -A plan_port=(["$E2E_PORT_LOW"]="$E2E_PORT_LOW" ["$E2E_PORT_HIGH"]="$E2E_PORT_HIGH")
  hand_user_steps >"$E2E_WORK/user-steps.sh"
  host_steps() { hand_host_steps "$staging"; }
else
  fail "unroot plan/generate are not wired in yet"
fi

# --- 3. host-side migration steps --------------------------------------------------------------
e2e_log "host-side migration steps"
events_since="$(date +%s.%N)"
host_steps
# pasta binds published ports in the host's network namespace: a port below 1024 needs the
# unprivileged-port floor lowered on the host itself (restored by the cleanup).
low_port=65535
for p in "${plan_port[@]}"; do [ "$p" -lt "$low_port" ] && low_port=$p; done
current="$(sysctl -n net.ipv4.ip_unprivileged_port_start)"
if [ "$low_port" -lt "$current" ]; then
  sysctl_saved="$current"
  sysctl -q -w "net.ipv4.ip_unprivileged_port_start=$low_port" >/dev/null
  e2e_log "net.ipv4.ip_unprivileged_port_start lowered $current -> $low_port for this run"
fi

# --- 4. the rootless side ------------------------------------------------------------------------
mkdir -p "$E2E_WORK/scripts"
cp scripts/e2e/*.sh "$E2E_WORK/scripts/"
cat >"$E2E_WORK/inside.env" <<EOF
E2E_USER=$E2E_USER
E2E_UID=$E2E_UID
E2E_SUBID_START=$E2E_SUBID_START
E2E_SUBID_COUNT=$E2E_SUBID_COUNT
E2E_GENERATED=$generated
E2E_STAGING=$staging
EOF
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
vol_mp="$(docker volume inspect --format '{{.Mountpoint}}' "$E2E_VOLUME")"
{
  echo "env $E2E_PREFIX-web-low API_TOKEN $(sha "$E2E_SECRET")"
  echo "env $E2E_PREFIX-web-low APP_MODE $(sha production)"
  echo "env $E2E_PREFIX-web-high API_TOKEN $(sha "$E2E_SECRET")"
  echo "env $E2E_PROJECT-client-1 API_URL $(sha http://api:8080/)"
  echo "file $E2E_PREFIX-data /data/token.txt $(sha256sum "$vol_mp/token.txt" | cut -d' ' -f1) $E2E_DATA_UID"
  echo "file $E2E_PREFIX-data /data/sub/blob.bin $(sha256sum "$vol_mp/sub/blob.bin" | cut -d' ' -f1) $E2E_DATA_UID"
  echo "peer $E2E_PROJECT-client-1 api 8080 $(e2e_page api)"
} >"$E2E_WORK/checks.txt"
chmod 0600 "$E2E_WORK/checks.txt"

e2e_log "entering the rootless root"
scripts/rootless-host.sh run --bind "$E2E_WORK" "$E2E_WORK/scripts/inside.sh" "$E2E_WORK" &
entry_pid=$!
while [ ! -e "$state/ready" ]; do
  kill -0 "$entry_pid" 2>/dev/null || {
    wait "$entry_pid" || true
    entry_pid=""
    fail "the rootless side ended before its units were running (its output is above)"
  }
  sleep 0.5
done

# --- 5. checks from the host -------------------------------------------------------------------
failures=0
check_fail() { e2e_log "FAIL: $*"; failures=$((failures + 1)); }
check_ok() { e2e_log "ok: $*"; }

for docker_port in "${!plan_port[@]}"; do
  port="${plan_port[$docker_port]}"
  page=""
  for _ in $(seq 1 50); do
    page="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null)" && break
    sleep 0.2
  done
  if [ "$page" = "${baseline[$docker_port]}" ]; then
    check_ok "port $port (Docker $docker_port) answers '$page' from rootless Podman through pasta"
  else
    check_fail "port $port (Docker $docker_port) answered '$page', Docker served '${baseline[$docker_port]}'"
  fi
done

# Each container's own processes (its PID namespace) and every process sharing the rootless
# user namespace (conmon, the pause process, all containers) must run on the host under the
# user's UID or a UID of its allocated subuid range: never host root, never outside the range.
host_userns="$(readlink /proc/self/ns/user)"
in_range() {
  local v
  for v in "$@"; do
    [ "$v" = "$E2E_UID" ] && continue
    [ "$v" -ge "$E2E_SUBID_START" ] && [ "$v" -lt $((E2E_SUBID_START + E2E_SUBID_COUNT)) ] && continue
    return 1
  done
}
# check_uids WHAT NS_KIND NS: every process in namespace NS_KIND=NS (real, effective, saved, fs UID).
check_uids() {
  local what="$1" kind="$2" ns="$3" st p n=0 bad=0 uids="" ru eu su fu
  for st in /proc/[0-9]*/status; do
    p="${st#/proc/}"
    p="${p%/status}"
    [ "$(readlink "/proc/$p/ns/$kind" 2>/dev/null)" = "$ns" ] || continue
    read -r _ ru eu su fu < <(grep '^Uid:' "$st" 2>/dev/null) || continue
    n=$((n + 1))
    uids="$uids $ru"
    in_range "$ru" "$eu" "$su" "$fu" || { bad=$((bad + 1)); e2e_log "pid $p ($what): host UIDs $ru $eu $su $fu"; }
  done
  uids="$(echo "$uids" | tr ' ' '\n' | sed '/^$/d' | sort -un | tr '\n' ' ')"
  if [ "$n" -gt 0 ] && [ "$bad" = 0 ]; then
    check_ok "$what: $n processes, host UIDs { ${uids}} (user $E2E_UID, subuids $E2E_SUBID_START+$E2E_SUBID_COUNT)"
  else
    check_fail "$what: $bad of $n processes run under a host UID outside $E2E_UID and $E2E_SUBID_START+$E2E_SUBID_COUNT"
  fi
}
userns=""
while read -r kind name pid; do
  [ "$kind" = container ] || continue
  [ -r "/proc/$pid/status" ] || { check_fail "$name: no process $pid on the host"; continue; }
  ns="$(readlink "/proc/$pid/ns/user")"
  [ "$ns" != "$host_userns" ] || { check_fail "$name (pid $pid) runs in the host's user namespace"; continue; }
  if [ -z "$userns" ]; then
    userns="$ns"
  elif [ "$ns" != "$userns" ]; then
    e2e_log "note: $name has its own user namespace $ns"
  fi
  check_uids "container $name" pid "$(readlink "/proc/$pid/ns/pid")"
done <"$state/ready"
[ -z "$userns" ] || check_uids "rootless user namespace $userns" user "$userns"
grep -q '^container ' "$state/ready" || check_fail "no container is running under rootless Podman"

touch "$state/host-done"
rc=0
wait "$entry_pid" || rc=$?
entry_pid=""
[ "$rc" = 0 ] || check_fail "the checks inside the rootless host failed (exit $rc, output above)"

# --- 6. the Docker host: nothing changed but the documented steps -----------------------------
snapshot_docker "$E2E_WORK/docker-after.json"
docker events --since "$events_since" --until "$(date +%s.%N)" --format '{{json .}}' >"$E2E_WORK/docker-events.jsonl"
if ! diff_out="$(python3 scripts/e2e/docker-diff.py "$E2E_WORK/docker-before.json" \
  "$E2E_WORK/docker-after.json" "$E2E_WORK/docker-events.jsonl")"; then
  check_fail "the Docker host changed beyond the documented stop + restart=no:"
  printf '%s\n' "$diff_out" >&2
else
  check_ok "Docker host unchanged except the documented steps ($diff_out)"
fi

[ "$failures" = 0 ] || fail "$failures check(s) failed"
