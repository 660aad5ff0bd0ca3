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
# documented stop + restart=no -> the generated rollback.sh, the same way -> Docker serves
# again, as before. Everything is cleaned up on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/fixtures-lib.sh
source scripts/fixtures-lib.sh
# shellcheck source=scripts/e2e/fixtures.sh
source scripts/e2e/fixtures.sh

started=$SECONDS
E2E_USER="${UNROOT_E2E_USER:-unroot-e2e}"
# The user's subordinate range: its own, so concurrent users of the shared root never overlap,
# and inside shadow's default SUB_UID_MAX (600100000), which `generate` holds a new range to.
E2E_SUBID_START="${UNROOT_E2E_SUBID_START:-590000000}"
E2E_SUBID_COUNT=65536

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
for tool in curl python3 cargo; do
  command -v "$tool" >/dev/null || fail "$tool is needed by the e2e stage (curl: HTTP checks; python3: plan edit and Docker diff; cargo: unroot)"
done

# --- cleanup, whatever happens ---------------------------------------------------------------
E2E_WORK="$(mktemp -d /tmp/unroot-e2e.XXXXXX)"
chmod 0711 "$E2E_WORK"
state="$E2E_WORK/state"
mkdir -p "$state"
entry_pid=""
sysctl_saved=""
mirrored_user=""
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
  [ -z "$mirrored_user" ] || userdel "$mirrored_user" 2>/dev/null
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
# Everything this stage prints is also kept, to prove at the end that the secret never
# reached the terminal.
exec > >(tee "$E2E_WORK/output.log") 2>&1

E2E_TOKEN="$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
E2E_SECRET="secret-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export E2E_WORK E2E_TOKEN E2E_SECRET

# --- 1. fixtures on the rootful Docker engine --------------------------------------------------
e2e_log "creating the fixture services on Docker $(docker version --format '{{.Server.Version}}')"
e2e_fixtures_create
# The page on 127.0.0.1:PORT, retried for up to 50 x 0.2 s while a service starts: empty
# (or whatever the last failed try printed) when it never answered.
wait_page() {
  local port="$1" page=""
  for _ in $(seq 1 50); do
    page="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null)" && break
    sleep 0.2
  done
  printf '%s' "$page"
}
# Whether anything answers on 127.0.0.1:PORT right now (a single try).
answers() { curl -fsS --max-time 2 "http://127.0.0.1:$1/" >/dev/null 2>&1; }

declare -A baseline=()
for port in "$E2E_PORT_LOW" "$E2E_PORT_HIGH" "$E2E_PORT_REMAP"; do
  page="$(wait_page "$port")"
  [ -n "$page" ] || fail "the Docker fixture on port $port does not answer"
  baseline[$port]="$page"
done
e2e_log "Docker serves: $(for p in "${!baseline[@]}"; do printf "port %s '%s', " "$p" "${baseline[$p]}"; done)"

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
unroot_bin="${UNROOT_BIN:-}"
if [ -z "$unroot_bin" ]; then
  e2e_log "building unroot (cargo build --locked)"
  cargo build --locked --quiet --bin unroot
  unroot_bin="$(pwd)/target/debug/unroot"
fi
[ -x "$unroot_bin" ] || fail "no unroot binary at $unroot_bin"
generated="$E2E_WORK/generated"
staging="$E2E_WORK/staging"
plan="$E2E_WORK/plan.yaml"
(
  cd "$E2E_WORK"
  "$unroot_bin" --log-file "$E2E_WORK/unroot.log" plan --user "$E2E_USER" --only "${E2E_CONTAINERS[@]}" "$E2E_WATCHER" -o "$plan"
) || fail "unroot plan failed"
# The watcher is planned but replaced, not migrated (issue 14): `include: false` under a comment
# saying why, and the container it watches is updated by Podman (`local`: built here).
plan_block() { awk -v n="- name: $1" '$0 == n { f = 1; print; next } f && /^- name: / { exit } f' "$plan"; }
plan_block "$E2E_WATCHER" | grep -qx '    include: false' ||
  fail "the plan does not leave the watcher $E2E_WATCHER out (include: false)"
grep -B1 -x -- "- name: $E2E_WATCHER" "$plan" | grep -q '^# proposed include: false: replaced by podman-auto-update.timer' ||
  fail "the plan does not say why the watcher is left out"
plan_block "$E2E_PREFIX-watched" | grep -qx '    auto_update: local' ||
  fail "the plan does not update $E2E_PREFIX-watched locally (auto_update: local)"
# The reviewer's edits (scripts/e2e/edit-plan.py): the user's own subuid range, a remap
# of web-remap's privileged port instead of the sysctl, and web-high's API_TOKEN as a Podman
# secret instead of the env file (web-low keeps its env file).
python3 scripts/e2e/edit-plan.py "$plan" "$E2E_USER" "$E2E_SUBID_START" "$E2E_SUBID_COUNT" \
  "$E2E_PREFIX-web-remap" "$E2E_PORT_REMAP" "$E2E_PORT_REMAPPED" "$E2E_PREFIX-web-high" ||
  fail "editing the plan failed"
"$unroot_bin" --log-file "$E2E_WORK/unroot.log" generate --plan "$plan" --out "$generated" || fail "unroot generate failed"
[ -f "$generated/migrate.sh" ] || fail "unroot generate wrote no migrate.sh"
e2e_log "generated: $(cd "$generated" && find . -type f ! -name '.*' | sed 's#^\./##' | sort | tr '\n' ' ')"
grep -qx "$E2E_USER:$E2E_SUBID_START:$E2E_SUBID_COUNT" "$generated/subuid" ||
  fail "generated subuid does not carry the plan's range: $(cat "$generated/subuid")"
[ ! -e "$generated/quadlet/$E2E_WATCHER.container" ] || fail "the watcher $E2E_WATCHER got a unit"
grep -qx 'AutoUpdate=local' "$generated/quadlet/$E2E_PREFIX-watched.container" ||
  fail "$E2E_PREFIX-watched.container has no AutoUpdate=local"
grep -q "^Replaced, not migrated: \`$E2E_WATCHER\`: replaced by podman-auto-update.timer" "$generated/REPORT.md" ||
  fail "REPORT.md does not list the watcher as replaced"
for script in migrate.sh rollback.sh; do
  grep -q '^#   step_auto_update_timer_' "$generated/$script" || fail "$script has no auto-update timer step"
done
# web-high's unit names its Podman secret and no env file; the value is staged 0600.
high_unit="$(grep -lx "ContainerName=$E2E_PREFIX-web-high" "$generated"/quadlet/*.container)" ||
  fail "no generated unit for $E2E_PREFIX-web-high"
high_secret="$(sed -n 's/^Secret=\([^,]*\),type=env,target=API_TOKEN$/\1/p' "$high_unit")"
[ -n "$high_secret" ] || fail "$high_unit has no Secret=...,type=env,target=API_TOKEN"
! grep -q '^EnvironmentFile=' "$high_unit" || fail "$high_unit still names an env file"
[ "$(stat -c %a "$generated/secrets/$high_secret")" = 600 ] ||
  fail "the staging file secrets/$high_secret is not mode 0600"

# The ports the generated units publish: PublishPort=HOST:CONTAINER, matched to the Docker
# host port that published the same container port.
declare -A plan_port=()
for unit in "$generated"/quadlet/*.container; do
  name="$(sed -n 's/^ContainerName=//p' "$unit")"
  while IFS=: read -r host_port container_port; do
    container_port="${container_port%%/*}"
    docker_port="$(docker port "$name" "$container_port/tcp" 2>/dev/null | head -n1 | sed 's/.*://')" || true
    [ -n "$docker_port" ] || fail "$unit publishes $host_port:$container_port, which Docker's $name does not publish"
    plan_port[$docker_port]="$host_port"
  done < <(sed -n 's/^PublishPort=//p' "$unit")
done
for port in "$E2E_PORT_LOW" "$E2E_PORT_HIGH" "$E2E_PORT_REMAP"; do
  [ -n "${plan_port[$port]:-}" ] || fail "no generated unit publishes Docker's port $port"
done
[ "${plan_port[$E2E_PORT_REMAP]}" = "$E2E_PORT_REMAPPED" ] ||
  fail "the plan remaps Docker's port $E2E_PORT_REMAP to $E2E_PORT_REMAPPED, the units publish ${plan_port[$E2E_PORT_REMAP]}"
[ "${plan_port[$E2E_PORT_LOW]}" = "$E2E_PORT_LOW" ] ||
  fail "the plan keeps port $E2E_PORT_LOW (sysctl policy), the units publish ${plan_port[$E2E_PORT_LOW]}"
e2e_log "ports under Podman: $(for p in "${!plan_port[@]}"; do printf '%s->%s ' "$p" "${plan_port[$p]}"; done)"

# --- 3. migrate.sh, step by step: docker steps here, root and user steps in the sandbox ---------
mkdir -p "$E2E_WORK/scripts" "$staging"
cp scripts/e2e/*.sh "$E2E_WORK/scripts/"
cat >"$E2E_WORK/inside.env" <<EOF
E2E_USER=$E2E_USER
E2E_GENERATED=$generated
E2E_STAGING=$staging
EOF
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
vol_mp="$(docker volume inspect --format '{{.Mountpoint}}' "$E2E_VOLUME")"
{
  echo "env $E2E_PREFIX-web-low API_TOKEN $(sha "$E2E_SECRET")"
  echo "env $E2E_PREFIX-web-low APP_MODE $(sha production)"
  echo "env $E2E_PREFIX-web-high API_TOKEN $(sha "$E2E_SECRET")"
  echo "env $E2E_PREFIX-web-high APP_MODE $(sha staging)"
  echo "env $E2E_PROJECT-client-1 API_URL $(sha http://api:8080/)"
  echo "env $E2E_PROJECT-client-1 MOTTO $(sha "$E2E_TRICKY_VALUE")"
  echo "file $E2E_PREFIX-data /data/token.txt $(sha256sum "$vol_mp/token.txt" | cut -d' ' -f1) $E2E_DATA_UID"
  echo "file $E2E_PREFIX-data /data/sub/blob.bin $(sha256sum "$vol_mp/sub/blob.bin" | cut -d' ' -f1) $E2E_DATA_UID"
  echo "peer $E2E_PROJECT-client-1 api 8080 $(e2e_page api)"
  echo "tree $E2E_VOLUME $E2E_WORK/volume-manifest.txt"
  echo "seccomp $E2E_PREFIX-web-remap"
  echo "autoupdate $E2E_PREFIX-watched local"
  echo "podman-secret $high_secret"
} >"$E2E_WORK/checks.txt"
# The whole volume as Docker holds it: path, owner, group, mode, size and content hash.
volume_manifest() {
  (cd "$1" && find . -printf '%p %U %G %m %s\n' | sort && find . -type f -exec sha256sum {} + | sort -k2)
}
volume_manifest "$vol_mp" >"$E2E_WORK/volume-manifest.txt"
chmod 0600 "$E2E_WORK/checks.txt"

# pasta binds published ports in the host's network namespace, so migrate.sh's step_sysctl
# (run in the sandbox, which shares the host's network namespace) lowers the host's
# unprivileged-port floor: remember it, the cleanup restores it.
sysctl_saved="$(sysctl -n net.ipv4.ip_unprivileged_port_start)"

# First prove the runner's own checks can fail: rejected quadlet files, systemd's quoting.
scripts/rootless-host.sh run --bind "$E2E_WORK" scripts/e2e/quadlet-run-selftest.sh "$E2E_WORK/scripts" ||
  fail "the quadlet-run self-test failed"

e2e_log "entering the rootless root (one entry for the whole run)"
scripts/rootless-host.sh run --bind "$E2E_WORK" "$E2E_WORK/scripts/inside.sh" "$E2E_WORK" &
entry_pid=$!
req=0
# inside CMD: run a request in the sandbox and wait for its exit status.
inside() {
  req=$((req + 1))
  printf '%s\n' "$1" >"$state/req.$req.tmp"
  mv "$state/req.$req.tmp" "$state/req.$req"
  until [ -e "$state/res.$req" ]; do
    kill -0 "$entry_pid" 2>/dev/null || fail "the rootless side ended during '$1' (output above)"
    sleep 0.2
  done
  return "$(cat "$state/res.$req")"
}
# host_step SCRIPT NAME: a docker-side step of the generated SCRIPT on this host, errexit
# active inside it.
host_step() {
  # shellcheck disable=SC2016 # the arguments are expanded by the inner bash
  UNROOT_APPLY=1 UNROOT_STAGING="$staging" UNROOT_BUNDLE="$generated" \
    bash -c 'set -euo pipefail; source "$1"; "$2"' host-step "$generated/$1" "$2"
}
# On one machine the Docker host and the target are the same host, so the user migrate.sh
# creates exists for both sides. Here the target is the sandbox: mirror the user (same name
# and UID, no home, no login) on this host so the docker-side steps can hand it the staged
# volume archives; removed again by the cleanup.
mirror_user() {
  local uid entry
  uid="$(cat "$state/uid")"
  mirror_done=1
  if entry="$(getent passwd "$E2E_USER")"; then
    # A mirror left by an interrupted run (no home, no login) is ours to reuse and remove.
    if [ "$(echo "$entry" | cut -d: -f7)" != /usr/sbin/nologin ] || [ -e "$(echo "$entry" | cut -d: -f6)" ]; then
      fail "a host user $E2E_USER already exists; set UNROOT_E2E_USER to another name"
    fi
    userdel "$E2E_USER"
  fi
  useradd --no-create-home --non-unique --uid "$uid" --no-user-group --shell /usr/sbin/nologin "$E2E_USER"
  mirrored_user="$E2E_USER"
  e2e_log "mirrored the sandbox user $E2E_USER (uid $uid) on this host for the docker-side steps"
}
mirror_done=0

# The steps of a generated script, with their side, in the script's own order.
script_steps() {
  awk '/^# Steps, in order:/ { f = 1; next } f && /^#   step_/ { print $2, $3; next } f { exit }' "$1"
}
# run_script NAME [PREFIX]: every step of the generated NAME (migrate.sh or rollback.sh):
# docker steps here, root and user steps in the sandbox (PREFIX tells it which script).
run_script() {
  local script="$1" prefix="${2:-}" step side count=0
  while read -r step side; do
    count=$((count + 1))
    case "$step" in
      step_linger_*)
        # loginctl enable-linger keeps a user manager running without a login; there is no
        # logind in the sandbox and the entry keeps the containers alive instead.
        e2e_log "skip $step (logind only; the sandbox entry plays the lingering user session)"
        continue
        ;;
    esac
    case "$side" in
      docker) host_step "$script" "$step" || fail "$script $step (docker side, on this host) failed" ;;
      root | user)
        inside "$prefix$step" || fail "$script $step ($side side, in the sandbox) failed"
        if [ -e "$state/uid" ] && [ "$mirror_done" = 0 ]; then mirror_user; fi
        ;;
      *) fail "$script lists $step with an unknown side '$side'" ;;
    esac
  done < <(script_steps "$generated/$script")
  [ "$count" -gt 0 ] || fail "$script lists no steps"
}

events_since="$(date +%s.%N)"
run_script migrate.sh
grep -q '^#   step_start_' "$generated/migrate.sh" || fail "migrate.sh has no step_start_* step"
E2E_UID="$(cat "$state/uid")"
inside @ready || fail "the sandbox could not list its running containers"

# --- 5. checks from the host -------------------------------------------------------------------
failures=0
check_fail() { e2e_log "FAIL: $*"; failures=$((failures + 1)); }
check_ok() { e2e_log "ok: $*"; }

# migrate.sh gave the user exactly the plan's subordinate ranges (and nothing else).
for f in subuid subgid; do
  want="$E2E_USER:$E2E_SUBID_START:$E2E_SUBID_COUNT"
  got="$(tr '\n' ' ' <"$state/$f" | sed 's/ $//')"
  if [ "$got" = "$want" ]; then
    check_ok "/etc/$f in the sandbox: $got (the plan's range)"
  else
    check_fail "/etc/$f in the sandbox has '$got' for $E2E_USER, the plan says $want"
  fi
done

for docker_port in "${!plan_port[@]}"; do
  port="${plan_port[$docker_port]}"
  page="$(wait_page "$port")"
  if [ "$page" = "${baseline[$docker_port]}" ]; then
    check_ok "port $port (Docker $docker_port) answers '$page' from rootless Podman through pasta"
  else
    check_fail "port $port (Docker $docker_port) answered '$page', Docker served '${baseline[$docker_port]}'"
  fi
done
# The remapped service left its old port: nothing answers on Docker's privileged port now.
if answers "$E2E_PORT_REMAP"; then
  check_fail "port $E2E_PORT_REMAP still answers although the plan moved it to $E2E_PORT_REMAPPED"
else
  check_ok "port $E2E_PORT_REMAP is free after the remap to $E2E_PORT_REMAPPED"
fi

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
# The helpers outside the containers that serve this user's Podman (pasta, aardvark-dns,
# conmon: each names the user's runtime dir on its command line) run as the user, not root.
n=0 bad=0 helpers=""
for cmdline in /proc/[0-9]*/cmdline; do
  p="${cmdline#/proc/}"
  p="${p%/cmdline}"
  cmd="$(tr '\0' ' ' 2>/dev/null <"$cmdline")" || continue
  case "$cmd" in *"/run/user/$E2E_UID/"*) ;; *) continue ;; esac
  read -r _ ru eu su fu < <(grep '^Uid:' "/proc/$p/status" 2>/dev/null) || continue
  n=$((n + 1))
  helpers="$helpers $(basename "${cmd%% *}")"
  if ! in_range "$ru" "$eu" "$su" "$fu"; then
    bad=$((bad + 1))
    e2e_log "pid $p (${cmd:0:80}): host UIDs $ru $eu $su $fu"
  fi
done
helpers="$(echo "$helpers" | tr ' ' '\n' | sed '/^$/d' | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 }')"
if [ "$n" -gt 0 ] && [ "$bad" = 0 ]; then
  check_ok "Podman's helpers for $E2E_USER run as the user: ${helpers%, }"
else
  check_fail "$bad of $n of Podman's helper processes for $E2E_USER run outside the user's UIDs"
fi

inside @checks || check_fail "the checks inside the rootless host failed (output above)"

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

# --- 7. rollback.sh, step by step: back to Docker ----------------------------------------------
e2e_log "rollback.sh, step by step"
run_script rollback.sh rollback:
inside @rolled-back || check_fail "the rootless side is not rolled back (output above)"
for docker_port in "${!plan_port[@]}"; do
  page="$(wait_page "$docker_port")"
  if [ "$page" = "${baseline[$docker_port]}" ]; then
    check_ok "after rollback, Docker serves port $docker_port again ('$page')"
  else
    check_fail "after rollback, port $docker_port answered '$page', Docker served '${baseline[$docker_port]}'"
  fi
done
if answers "$E2E_PORT_REMAPPED"; then
  check_fail "after rollback, the remapped port $E2E_PORT_REMAPPED still answers"
else
  check_ok "after rollback, the remapped port $E2E_PORT_REMAPPED is free"
fi
snapshot_docker "$E2E_WORK/docker-restored.json"
docker events --since "$events_since" --until "$(date +%s.%N)" --format '{{json .}}' >"$E2E_WORK/docker-events.jsonl"
if ! diff_out="$(python3 scripts/e2e/docker-diff.py "$E2E_WORK/docker-before.json" \
  "$E2E_WORK/docker-restored.json" "$E2E_WORK/docker-events.jsonl" --restored)"; then
  check_fail "rollback.sh did not restore the Docker host:"
  printf '%s\n' "$diff_out" >&2
else
  check_ok "rollback.sh restored the Docker host: $diff_out"
fi
inside @quit || true
wait "$entry_pid" || true
entry_pid=""

# The secret lives only in the 0600 env files and Podman secrets' staging files: not in the
# plan, the report, the scripts, the units, unroot's log or anything this stage printed.
leaks="$( (grep -rlF -- "$E2E_SECRET" "$plan" "$generated" "$E2E_WORK/unroot.log" "$E2E_WORK/output.log" 2>/dev/null || true) |
  grep -v -e "^$generated/env/" -e "^$generated/secrets/" || true)"
in_env="$(grep -rlF -- "$E2E_SECRET" "$generated/env" "$generated/secrets" 2>/dev/null | wc -l)"
if [ -z "$leaks" ] && [ "$in_env" -gt 1 ]; then
  check_ok "the secret is only in the generated env and secret staging files ($in_env), never in the plan, report, scripts, units, logs or output"
else
  check_fail "the secret leaked into: ${leaks:-nothing} (env files holding it: $in_env)"
fi

[ "$failures" = 0 ] || fail "$failures check(s) failed"
