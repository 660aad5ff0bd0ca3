#!/usr/bin/env bash
# The `vm` stage's scenario, run INSIDE the VM as root at every boot (by unroot-vm-phase.service,
# see scripts/vm/image.sh) with the 9p share at /share. scripts/vm/run.sh writes the phase to
# run into /share/phase and the run's settings into /share/scenario.env, boots the VM, and
# reads /share/out/PHASE.result ("PASS" or "FAIL: why") and PHASE.log afterwards.
#
# Scenario `main` (the operator's path, nothing prepared by hand):
#   migrate   rootful Docker with local-image fixtures -> unroot plan + generate ->
#             ./migrate.sh --apply -> checks (units active in the user's manager, the same
#             pages, container processes never root, Docker side stopped with restart=no,
#             `unroot verify`) -> reboot
#   reboot    without any login: lingering brings every service back on its port (the
#             sysctl.d file applied at boot), Docker side still stopped -> ./rollback.sh
#             --apply -> reboot
#   rollback  Docker serves every page as before; nothing of the migration runs
# Scenario `fleet` (the Ansible rollout): the phases of `main`, but the operator's machine is
# the test host. It reaches the guest's Docker over ssh (qemu forwards a loopback port to the
# guest's sshd), runs `unroot plan/generate --hosts`, and applies with the generated
# playbooks: `migrate.yml -e unroot_apply=true`, later `rollback.yml -e unroot_apply=true`.
# The guest asks for each step (`OUT/want-STEP`) and waits for its exit code
# (`SHARE/done-STEP`, written by scripts/vm/controller.sh); its own checks are unchanged.
# Scenario `failure` (per-service cutover): the user is prepared and `unroot verify --phase
# readiness` passes first; one service's unit is made to fail on purpose (its remapped port is
# held by another process): migrate.sh --apply must fail on it, put that one back on Docker,
# and every other service must still serve.
#   failure   all of the above in one boot -> poweroff
set -uo pipefail

SHARE=/share
OUT="$SHARE/out"
WORK=/root/unroot-vm
mkdir -p "$OUT" "$WORK"
PHASE="$(cat "$SHARE/phase" 2>/dev/null || echo missing)"
# shellcheck source=/dev/null
source "$SHARE/scenario.env" # SCENARIO SUITE PODMAN_VERSION TOKEN SECRET
# Everything goes to the share and to the serial console (the host prints the console's tail
# when a boot hangs).
exec > >(tee "$OUT/$PHASE.log" >/dev/console) 2>&1
echo poweroff >"$SHARE/action"

USER_NAME=unroot-vm
SUBID_START=200000
SUBID_COUNT=65536
UNROOT=/usr/local/bin/unroot
# On the guest's own disk: read once over 9p, then from the page cache.
if ! cmp -s "$SHARE/unroot" "$UNROOT"; then install -m 0755 "$SHARE/unroot" "$UNROOT"; fi
PROJECT=vmproj
# name:host-port of every HTTP service (the compose api is published too).
SERVICES=(web-low:80 web-high:8081 "$PROJECT-api-1:8082" "$PROJECT-client-1:8083")
FAIL_SERVICE=web-spare       # failure scenario only: the unit made to fail
FAIL_PORT=81                 # its Docker port (privileged: the plan may remap it)
BLOCKED_PORT=18084           # the port its plan remaps to, held by a listener in the guest
BASELINE="$WORK/baseline"
started=$SECONDS

log() { printf '[%4ss] %s\n' "$((SECONDS - started))" "$*"; }
result() { printf '%s\n' "$*" >"$OUT/$PHASE.result"; sync; }
fail() {
  log "FAIL: $*"
  diagnose
  result "FAIL: $*"
  exit 1
}
# What a failure report needs: the user's units, their recent journal, the containers.
diagnose() {
  id -u "$USER_NAME" >/dev/null 2>&1 || return 0
  local uid
  uid="$(id -u "$USER_NAME")"
  echo "--- $USER_NAME's units:"
  user_systemctl --no-pager list-units --all --type=service,socket 2>&1 | head -40
  echo "--- $USER_NAME's journal (last 60 lines):"
  journalctl --no-pager _UID="$uid" -n 60 2>&1
  echo "--- $USER_NAME's containers:"
  as_user podman ps -a 2>&1 | head -20
} >&2
trap 'rc=$?; [ -s "$OUT/$PHASE.result" ] || result "FAIL: guest.sh stopped (exit $rc) at line $LINENO"' EXIT

# --- helpers ---------------------------------------------------------------------------------
uid_of() { id -u "$USER_NAME"; }
# Run as the user, with its manager's runtime dir (no login session, as under lingering).
as_user() {
  local uid
  uid="$(uid_of)"
  (cd / && runuser -u "$USER_NAME" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
    DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@")
}
user_systemctl() { as_user systemctl --user "$@"; }
# The page on 127.0.0.1:PORT, retried up to ~60 s (services start under emulation).
page() {
  local port="$1" out=""
  for _ in $(seq 1 60); do
    out="$(curl -fsS --max-time 3 "http://127.0.0.1:$port/" 2>/dev/null)" && break
    out=""
    sleep 1
  done
  printf '%s' "$out"
}
answers() { curl -fsS --max-time 3 "http://127.0.0.1:$1/" >/dev/null 2>&1; }
# Wait up to $2 seconds for a command to succeed.
wait_for() {
  local what="$1" secs="$2"
  shift 2
  for _ in $(seq 1 "$secs"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  fail "$what: not true after ${secs}s"
}
services_of_scenario() {
  printf '%s\n' "${SERVICES[@]}"
  [ "$SCENARIO" != failure ] || echo "$FAIL_SERVICE:$FAIL_PORT"
}

# --- phase: fixtures on rootful Docker --------------------------------------------------------
create_fixtures() {
  log "Docker $(docker version --format '{{.Server.Version}}'), Podman $(podman --version), kernel $(uname -r)"
  docker load -i "$SHARE/images.tar" >/dev/null || fail "docker load of the fixture images"
  local img="unroot-vm/web:$TOKEN"
  docker image inspect "$img" >/dev/null || fail "fixture image $img missing after load"
  # HTTP below 1024 with a secret in the environment.
  docker run -d --name web-low --restart unless-stopped -p 80:80 \
    -e APP_MODE=production -e "API_TOKEN=$SECRET" "$img" \
    /bin/sh -c "echo 'web-low $TOKEN' >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
  # HTTP above 1024 as uid 1000, serving a named volume whose data uid 1000 owns (0600).
  # (Filled through the volume's directory: one container run less under emulation.)
  docker volume create vmdata >/dev/null
  local vol
  vol="$(docker volume inspect -f '{{.Mountpoint}}' vmdata)"
  echo "web-high volume $TOKEN" >"$vol/index.html"
  if ! chown -R 1000:1000 "$vol" || ! chmod 0600 "$vol/index.html"; then fail "filling the vmdata volume"; fi
  docker run -d --name web-high --restart always --user 1000 -p 8081:8080 -v vmdata:/www "$img" \
    httpd -f -p 8080 -h /www >/dev/null
  # A compose project: api with a health check, client depends_on api (healthy) and fetches
  # api's page by service name at start, then serves it.
  local compose=(--label "com.docker.compose.project=$PROJECT"
    --label com.docker.compose.project.working_dir=/srv/vmproj
    --label com.docker.compose.project.config_files=/srv/vmproj/compose.yaml
    --label com.docker.compose.oneoff=False --label com.docker.compose.container-number=1)
  docker network create --label "com.docker.compose.project=$PROJECT" \
    --label com.docker.compose.network=default "${PROJECT}_default" >/dev/null
  docker run -d --name "$PROJECT-api-1" "${compose[@]}" --label com.docker.compose.service=api \
    --network "${PROJECT}_default" --network-alias api --restart unless-stopped -p 8082:8080 \
    --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/' --health-interval 5s --health-retries 3 \
    "$img" /bin/sh -c "echo 'api $TOKEN' >/www/index.html && exec httpd -f -p 8080 -h /www" >/dev/null
  docker run -d --name "$PROJECT-client-1" "${compose[@]}" --label com.docker.compose.service=client \
    --label com.docker.compose.depends_on=api:service_healthy:false \
    --network "${PROJECT}_default" --network-alias client --restart unless-stopped -p 8083:8080 \
    "$img" /bin/sh -c "until wget -q -O /tmp/api http://api:8080/; do sleep 1; done; \
      { echo 'client $TOKEN'; cat /tmp/api; } >/www/index.html && exec httpd -f -p 8080 -h /www" >/dev/null
  # A consumer of the Docker socket (moved onto the user's Podman socket).
  docker run -d --name sock-user --restart unless-stopped \
    -v /var/run/docker.sock:/var/run/docker.sock "$img" sleep 100000 >/dev/null
  if [ "$SCENARIO" = failure ]; then
    docker run -d --name "$FAIL_SERVICE" --restart unless-stopped -p "$FAIL_PORT:8080" "$img" \
      /bin/sh -c "echo '$FAIL_SERVICE $TOKEN' >/www/index.html && exec httpd -f -p 8080 -h /www" >/dev/null
  fi
  : >"$BASELINE"
  local s name port p
  while read -r s; do
    name="${s%%:*}" port="${s##*:}"
    p="$(page "$port")"
    [ -n "$p" ] || fail "Docker's $name does not answer on port $port"
    printf '%s\t%s\t%s\n' "$name" "$port" "$(printf '%s' "$p" | tr '\n' '|')" >>"$BASELINE"
  done < <(services_of_scenario)
  log "Docker serves: $(cut -f1,3 "$BASELINE" | tr '\t\n' '= ')"
  [ "$(docker inspect -f '{{.State.Health.Status}}' "$PROJECT-api-1")" = healthy ] ||
    wait_for "api healthy on Docker" 60 sh -c "[ \"\$(docker inspect -f '{{.State.Health.Status}}' $PROJECT-api-1)\" = healthy ]"
}

# Every service answers with the page Docker served (before the migration).
check_pages() {
  local name port want got
  while IFS=$'\t' read -r name port want; do
    got="$(page "$port" | tr '\n' '|')"
    [ "$got" = "$want" ] || fail "$name on port $port: got '$got', Docker served '$want'"
  done <"$BASELINE"
  log "every service answers with Docker's page"
}

migrated_units() {
  local f
  for f in "$WORK"/bundle/quadlet/*.container; do
    basename "$f" .container
  done
}

# --- checks after the migration ---------------------------------------------------------------
check_units_active() {
  local u
  for u in $(migrated_units); do
    wait_for "$u.service active in $USER_NAME's manager" 120 \
      sh -c "[ \"\$(runuser -u $USER_NAME -- env XDG_RUNTIME_DIR=/run/user/$(uid_of) systemctl --user is-active $u.service)\" = active ]"
  done
  log "every migrated unit is active in $USER_NAME's systemd manager: $(migrated_units | tr '\n' ' ')"
}

# Podman 5.8 targets: migrate.sh installed the units with `podman quadlet install` as one
# application (`unroot.quadlets`), so `podman quadlet list` shows each of them in it.
quadlet_app_expected() { [ "$(printf '%s\n' 5.8 "$PODMAN_VERSION" | sort -V | head -1)" = 5.8 ]; }
# `NAME APPLICATION` per installed quadlet. Podman 5.8 prints the header even with --format
# and has no --noheading (newer Podman does): the header line is dropped here.
quadlet_list() {
  local out rc=0
  out="$(as_user podman quadlet list --format '{{.Name}} {{.App}}' 2>&1)" || rc=$?
  printf '%s\n' "$out" | grep -vx 'NAME APPLICATION' | sed '/^$/d'
  return "$rc"
}
check_quadlet_list() {
  quadlet_app_expected || return 0
  local listed f
  listed="$(quadlet_list)" || fail "podman quadlet list as $USER_NAME failed: $listed"
  for f in "$WORK"/bundle/quadlet/*; do
    grep -qx "$(basename "$f") .unroot.app" <<<"$listed" ||
      fail "podman quadlet list does not show $(basename "$f") in the unroot application: $listed"
  done
  log "podman quadlet list shows every unit in the unroot application"
}
check_quadlet_list_empty() {
  quadlet_app_expected || return 0
  local listed
  listed="$(quadlet_list)" || fail "podman quadlet list as $USER_NAME failed: $listed"
  [ -z "$listed" ] || fail "podman quadlet list still shows after rollback: $listed"
  log "podman quadlet list is empty after rollback"
}

# Scenario main: the reviewer lets Podman update one service from its local image
# (`auto_update: local`, the image is built here): migrate.sh enables the user's
# podman-auto-update.timer and `podman auto-update --dry-run` lists the unit; rollback.sh
# disables the timer again.
AUTO_UPDATE_SERVICE=web-high
# The same service also takes every hardening item the plan only offers (issue 14): no
# capability at all (it runs as user 1000 on port 8080), a read-only root, 64 MiB, 64
# processes; the defaults (no_new_privileges for root processes) apply to the others.
HARDENED_CAPS="[CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]"
edit_plan_for_auto_update() {
  local tmp="$WORK/plan.edit"
  awk -v svc="$AUTO_UPDATE_SERVICE" -v caps="$HARDENED_CAPS" '
    /^- name: / { inside = ($3 == svc) }
    inside && /^    auto_update: / { print "    auto_update: local"; next }
    inside && /^      no_new_privileges: / { print "      no_new_privileges: true"; next }
    inside && /^      drop_capabilities: / { print "      drop_capabilities: " caps; next }
    inside && /^      read_only_root: / { print "      read_only_root: true"; next }
    inside && /^      memory: / { print "      memory: 64m"; next }
    inside && /^      pids_limit: / { print "      pids_limit: 64"; next }
    { print }' "$WORK/plan.yaml" >"$tmp"
  grep -q '^    auto_update: local$' "$tmp" || fail "could not edit $AUTO_UPDATE_SERVICE's auto_update decision"
  [ "$(grep -c '^      read_only_root: true$\|^      memory: 64m$\|^      pids_limit: 64$\|^      drop_capabilities: \[CHOWN' "$tmp")" = 4 ] ||
    fail "could not accept $AUTO_UPDATE_SERVICE's offered hardening in the plan"
  mv "$tmp" "$WORK/plan.yaml"
}
check_hardened() {
  [ "$SCENARIO" = main ] || return 0
  local got caps
  got="$(as_user podman inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' "$AUTO_UPDATE_SERVICE" 2>&1)"
  [ "$got" = "true 67108864 64" ] ||
    fail "$AUTO_UPDATE_SERVICE is not hardened as the plan says (read-only, memory, pids): $got"
  caps="$(as_user podman exec "$AUTO_UPDATE_SERVICE" sh -c 'grep ^CapEff: /proc/1/status' 2>&1)"
  [ "$(printf '%s' "$caps" | tr -d '[:space:]')" = CapEff:0000000000000000 ] ||
    fail "$AUTO_UPDATE_SERVICE still holds capabilities: $caps"
  log "$AUTO_UPDATE_SERVICE runs with the offered hardening accepted (read-only root, 64 MiB, 64 pids, no capability) and serves its page"
}
check_auto_update() {
  [ "$SCENARIO" = main ] || return 0
  local enabled listed
  enabled="$(user_systemctl is-enabled podman-auto-update.timer 2>&1)"
  [ "$enabled" = enabled ] || fail "podman-auto-update.timer is '$enabled' after migrate.sh"
  listed="$(as_user podman auto-update --dry-run --format '{{.Unit}} {{.Policy}} {{.Updated}}' 2>&1)" ||
    fail "podman auto-update --dry-run as $USER_NAME failed: $listed"
  grep -qx "$AUTO_UPDATE_SERVICE.service local false" <<<"$listed" ||
    fail "podman auto-update --dry-run does not list $AUTO_UPDATE_SERVICE.service (local, up to date): $listed"
  log "podman-auto-update.timer is enabled and podman auto-update --dry-run lists $AUTO_UPDATE_SERVICE.service (local, up to date)"
}
check_auto_update_off() {
  [ "$SCENARIO" = main ] || return 0
  local enabled
  enabled="$(user_systemctl is-enabled podman-auto-update.timer 2>&1)"
  [ "$enabled" != enabled ] || fail "podman-auto-update.timer is still enabled after rollback.sh"
  log "podman-auto-update.timer is disabled after rollback.sh ($enabled)"
}

# Every process of every container, and Podman's helpers, run as the user or in its
# subordinate range; never as root.
check_process_uids() {
  local uid lo hi u pid cg n=0 puid
  uid="$(uid_of)"
  lo=$SUBID_START hi=$((SUBID_START + SUBID_COUNT - 1))
  for u in $(migrated_units); do
    pid="$(as_user podman inspect --format '{{.State.Pid}}' "$u" 2>/dev/null)"
    if [ -z "$pid" ] || [ "$pid" = 0 ]; then fail "no running container $u"; fi
    cg="$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")"
    while read -r p; do
      puid="$(awk '/^Uid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" || continue
      [ -n "$puid" ] || continue
      if [ "$puid" != "$uid" ] && { [ "$puid" -lt "$lo" ] || [ "$puid" -gt "$hi" ]; }; then
        fail "process $p of $u runs as uid $puid (not $USER_NAME=$uid nor $lo-$hi)"
      fi
      n=$((n + 1))
    done <"/sys/fs/cgroup$cg/cgroup.procs"
  done
  for p in $(pgrep -x 'pasta|pasta.avx2|conmon|aardvark-dns'); do
    puid="$(awk '/^Uid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" || continue
    [ "$puid" = "$uid" ] || fail "$(cat "/proc/$p/comm") (pid $p) runs as uid $puid, not $USER_NAME"
    n=$((n + 1))
  done
  log "$n container and helper processes: all run as $USER_NAME ($uid) or within $lo-$hi"
  # web-high's process: container uid 1000 -> start + 999.
  pid="$(as_user podman inspect --format '{{.State.Pid}}' web-high)"
  puid="$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
  [ "$puid" = $((SUBID_START + 999)) ] || fail "web-high's httpd runs as $puid, want $((SUBID_START + 999)) (container uid 1000)"
}

# The Docker side of every migrated container: stopped, restart=no.
check_docker_stopped() {
  local u state
  for u in $(migrated_units); do
    state="$(docker inspect -f '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}' "$u")"
    [ "$state" = "false no" ] || fail "Docker's $u is '$state', want 'false no' (stopped, restart=no)"
  done
  log "the Docker containers are stopped with restart=no"
}

check_verify() {
  local uid
  uid="$(uid_of)"
  wait_for "the user's Podman socket" 30 test -S "/run/user/$uid/podman/podman.sock"
  # Against the live Docker engine (not the snapshot), so the Docker side is checked too.
  "$UNROOT" --log-file "$WORK/unroot.log" verify --plan "$WORK/plan.yaml" --phase post \
    >"$WORK/verify-post.txt" 2>&1
  local rc=$?
  cat "$WORK/verify-post.txt"
  [ "$rc" = 0 ] || fail "unroot verify --phase post exited $rc"
  ! grep -q '^WARN  docker-stopped' "$WORK/verify-post.txt" || fail "unroot verify did not check the Docker side"
  log "unroot verify --phase post passed"
}

check_socket_consumer() {
  as_user podman exec sock-user test -S /var/run/docker.sock ||
    fail "sock-user has no API socket at /var/run/docker.sock"
  log "sock-user sees the user's Podman socket at /var/run/docker.sock"
}

secret_nowhere() {
  local f
  for f in "$WORK/plan.yaml" "$WORK/bundle/REPORT.md" "$WORK/bundle/migrate.sh" \
    "$WORK/bundle/rollback.sh" "$WORK/unroot.log" "$WORK"/bundle/quadlet/*; do
    [ -f "$f" ] || continue
    ! grep -qF "$SECRET" "$f" || fail "the secret leaked into $f"
  done
  grep -rqF "$SECRET" "$WORK/bundle/env" || fail "the secret is not in the generated env files"
}

# --- the controller (scenario fleet) --------------------------------------------------------
# Let the test host's key log in as root (Debian's sshd: keys only), and show it this guest's
# host key so its ssh checks it strictly.
open_ssh() {
  install -d -m 0700 /root/.ssh
  install -m 0600 "$SHARE/authorized_keys" /root/.ssh/authorized_keys
  cp /etc/ssh/ssh_host_ed25519_key.pub "$OUT/ssh_host_ed25519_key.pub"
  wait_for "sshd listening" 120 sh -c "ss -Hltn 'sport = :22' | grep -q ."
}

# Ask the controller to run STEP (scripts/vm/controller.sh) with the settings given as
# KEY=VALUE lines, and wait up to 40 minutes for its exit code.
controller() {
  local step="$1" rc
  shift
  rm -f "$SHARE/done-$step"
  printf '%s\n' "$@" >"$OUT/want-$step.tmp"
  mv "$OUT/want-$step.tmp" "$OUT/want-$step"
  sync
  log "waiting for the controller: $step"
  for _ in $(seq 1 2400); do
    if [ -s "$SHARE/done-$step" ]; then
      rc="$(cat "$SHARE/done-$step")"
      [ "$rc" = 0 ] || fail "the controller's $step exited $rc (its log: $step.controller.log beside this one)"
      log "the controller's $step passed"
      return 0
    fi
    sleep 1
  done
  fail "the controller did not finish $step within 2400 s"
}

# The controller's plan, bundle and Ansible rollout, as the guest's checks expect them.
fleet_migrate() {
  open_ssh
  local only=() s
  while read -r s; do only+=("${s%%:*}"); done < <(services_of_scenario)
  only+=(sock-user)
  controller migrate "USER_NAME=$USER_NAME" "PODMAN_VERSION=$PODMAN_VERSION" \
    "SUBID_START=$SUBID_START" "SUBID_COUNT=$SUBID_COUNT" "DEST=$WORK/bundle" "ONLY=${only[*]}"
  [ -f "$WORK/bundle/plan.yaml" ] || fail "Ansible did not leave the bundle at $WORK/bundle"
  [ "$(stat -c %a "$WORK/bundle")" = 700 ] || fail "the bundle directory is not 0700"
  cp "$WORK/bundle/plan.yaml" "$WORK/plan.yaml"
  log "generated on the controller: $(cd "$WORK/bundle/quadlet" && printf '%s ' *)"
}

plan_and_generate() {
  "$UNROOT" --log-file "$WORK/unroot.log" snapshot -o "$WORK/snapshot.json" ||
    fail "unroot snapshot"
  local only=() s
  while read -r s; do only+=(--only "${s%%:*}"); done < <(services_of_scenario)
  only+=(--only sock-user)
  "$UNROOT" --log-file "$WORK/unroot.log" plan --user "$USER_NAME" \
    --podman-version "$PODMAN_VERSION" "${only[@]}" -o "$WORK/plan.yaml" || fail "unroot plan"
  # Reviewer edit: the user's subordinate range of its own (a plan for a user who already has
  # ranges, as in the failure scenario, allocates none: `subid_ranges: {}`).
  if ! grep -q '^  subid_ranges: {}' "$WORK/plan.yaml"; then
    sed -i "/^  subid_ranges:/,/^[a-z]/ { s/^\(      start:\).*/\1 $SUBID_START/; s/^\(      count:\).*/\1 $SUBID_COUNT/ }" "$WORK/plan.yaml"
    grep -q "start: $SUBID_START" "$WORK/plan.yaml" || fail "could not edit the plan's subid range"
  fi
  if [ "$SCENARIO" = failure ]; then edit_plan_for_failure; fi
  if [ "$SCENARIO" = main ]; then edit_plan_for_auto_update; fi
  "$UNROOT" --log-file "$WORK/unroot.log" generate --snapshot "$WORK/snapshot.json" \
    --plan "$WORK/plan.yaml" --out "$WORK/bundle" || fail "unroot generate"
  log "generated: $(cd "$WORK/bundle/quadlet" && printf '%s ' *)"
}

# --- scenario main ----------------------------------------------------------------------------
# The guest is emulated (TCG), an order of magnitude slower than real hardware: at boot,
# several containers starting at once overrun systemd's default 90 s start timeout, and a
# unit whose Requires= dependency timed out is not started again. Real hosts start them
# within the default; the test gives the user's manager more time, nothing else.
emulation_timeouts() {
  mkdir -p /etc/systemd/user.conf.d
  printf '[Manager]\nDefaultTimeoutStartSec=900\n' >/etc/systemd/user.conf.d/90-unroot-vm-emulation.conf
}

phase_migrate() {
  emulation_timeouts
  create_fixtures
  if [ "$SCENARIO" = fleet ]; then
    fleet_migrate
  else
    plan_and_generate
    log "running ./migrate.sh --apply as root"
    local rc=0
    (cd "$WORK/bundle" && ./migrate.sh --apply) 2>&1 | tee "$WORK/migrate.out" || rc=$?
    [ "$rc" = 0 ] || fail "migrate.sh --apply exited $rc"
    log "migrate.sh --apply passed"
  fi
  check_units_active
  check_quadlet_list
  check_auto_update
  check_pages
  check_hardened
  check_process_uids
  check_docker_stopped
  check_socket_consumer
  check_verify
  secret_nowhere
  echo reboot >"$SHARE/action"
  result PASS
}

phase_reboot() {
  local uid
  uid="$(uid_of)"
  # systemd >= 256 lists the user manager itself as a session of class "manager": only
  # class user/user-early is a login.
  local logins
  logins="$(loginctl list-sessions --no-legend 2>/dev/null | awk '$6 ~ /^user/')"
  [ -z "$logins" ] || fail "a login session exists: $logins"
  wait_for "user@$uid.service started by lingering" 120 systemctl is-active "user@$uid.service"
  log "no login session; lingering started user@$uid.service"
  [ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" -le 80 ] ||
    fail "net.ipv4.ip_unprivileged_port_start is $(sysctl -n net.ipv4.ip_unprivileged_port_start) after boot"
  check_units_active
  check_pages
  check_docker_stopped
  check_process_uids
  if [ "$SCENARIO" = fleet ]; then
    controller rollback "DEST=$WORK/bundle"
  else
    log "running ./rollback.sh --apply as root"
    local rc=0
    (cd "$WORK/bundle" && ./rollback.sh --apply) 2>&1 | tee "$WORK/rollback.out" || rc=$?
    [ "$rc" = 0 ] || fail "rollback.sh --apply exited $rc"
  fi
  check_quadlet_list_empty
  check_auto_update_off
  check_pages
  echo reboot >"$SHARE/action"
  result PASS
}

phase_rollback() {
  check_pages
  local u state
  for u in $(migrated_units); do
    state="$(docker inspect -f '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}' "$u")"
    case "$state" in "true no") fail "Docker's $u has restart=no after rollback" ;; true*) ;; *) fail "Docker's $u is '$state' after rollback" ;; esac
  done
  log "every Docker container runs again with its restart policy"
  local n
  n="$(as_user podman ps -q 2>/dev/null | wc -l)"
  [ "$n" = 0 ] || fail "$n Podman containers of $USER_NAME run after rollback + reboot"
  # Files, not directories: rollback.sh removes what migrate.sh installed (an empty env/ may stay).
  local left
  left="$(find "/home/$USER_NAME/.config/containers/systemd" "/home/$USER_NAME/.config/containers/unroot" -type f 2>/dev/null)"
  [ -z "$left" ] || fail "quadlet or env files left: $left"
  log "nothing of the migration runs"
  result PASS
}

# --- scenario failure -------------------------------------------------------------------------
# The failing service's privileged port is remapped to BLOCKED_PORT, which a listener in the guest holds:
# its unit cannot publish it and fails to start.
edit_plan_for_failure() {
  local tmp="$WORK/plan.edit"
  awk -v svc="$FAIL_SERVICE" -v blocked="$BLOCKED_PORT" -v port="$FAIL_PORT" '
    /^- name: / { inside = ($3 == svc) }
    inside && /^    ports:/ { print "    ports: {policy: remap, ports: {" port ": " blocked "}}"; skip = 1; next }
    skip && /^      / { next }
    { skip = 0; print }' "$WORK/plan.yaml" >"$tmp"
  grep -q "ports: {$FAIL_PORT: $BLOCKED_PORT}" "$tmp" || fail "could not edit $FAIL_SERVICE's port decision"
  mv "$tmp" "$WORK/plan.yaml"
}

phase_failure() {
  emulation_timeouts
  create_fixtures
  # The operator prepares the user first, so `unroot verify` can check readiness before
  # anything is stopped.
  useradd --create-home --user-group --shell /bin/bash "$USER_NAME"
  usermod --add-subuids "$SUBID_START-$((SUBID_START + SUBID_COUNT - 1))" \
    --add-subgids "$SUBID_START-$((SUBID_START + SUBID_COUNT - 1))" "$USER_NAME"
  loginctl enable-linger "$USER_NAME"
  wait_for "user manager" 60 systemctl is-active "user@$(uid_of).service"
  user_systemctl enable --now podman.socket || fail "podman.socket"
  plan_and_generate
  "$UNROOT" --log-file "$WORK/unroot.log" verify --snapshot "$WORK/snapshot.json" \
    --plan "$WORK/plan.yaml" --phase readiness >"$WORK/verify-ready.txt" 2>&1
  local rc=$?
  cat "$WORK/verify-ready.txt"
  [ "$rc" = 0 ] || fail "unroot verify --phase readiness exited $rc"
  # The port the failing unit wants is taken by someone else.
  docker run -d --name port-holder -p "$BLOCKED_PORT:8080" "unroot-vm/web:$TOKEN" \
    httpd -f -p 8080 -h /www >/dev/null || fail "port holder"
  rc=0
  (cd "$WORK/bundle" && ./migrate.sh --apply) 2>&1 | tee "$WORK/migrate.out" || rc=$?
  [ "$rc" != 0 ] || fail "migrate.sh --apply succeeded although $FAIL_SERVICE cannot start"
  log "migrate.sh --apply failed as it should (exit $rc)"
  grep -q "$FAIL_SERVICE" "$WORK/migrate.out" || fail "migrate.sh's output does not name $FAIL_SERVICE"
  check_pages
  [ "$(docker inspect -f '{{.State.Running}}' "$FAIL_SERVICE")" = true ] ||
    fail "$FAIL_SERVICE is not back on Docker"
  # Cutover is service by service and stops at the failed one: every other service runs on
  # exactly one side (Podman if its turn came before, Docker otherwise), at least one moved.
  local u on_podman on_docker moved=0
  for u in $(migrated_units); do
    [ "$u" != "$FAIL_SERVICE" ] || continue
    on_podman="$(user_systemctl is-active "$u.service" 2>/dev/null)"
    on_docker="$(docker inspect -f '{{.State.Running}}' "$u")"
    case "$on_podman/$on_docker" in
      active/false) moved=$((moved + 1)) ;;
      */true) [ "$on_podman" != active ] || fail "$u runs on both Podman and Docker" ;;
      *) fail "$u runs nowhere (Podman: $on_podman, Docker running: $on_docker)" ;;
    esac
  done
  [ "$moved" -gt 0 ] || fail "no service moved to Podman before $FAIL_SERVICE failed"
  log "$FAIL_SERVICE is back on Docker; $moved other service(s) serve from Podman, the rest from Docker"
  result PASS
}

# Where a phase's time goes: the boot before this script, and the units that took longest.
log "booted in $(cut -d' ' -f1 /proc/uptime) s; slowest units: $(systemd-analyze blame --no-pager 2>/dev/null | head -4 | sed 's/^ *//' | paste -sd ';')"
case "$SCENARIO:$PHASE" in
  main:migrate | fleet:migrate) phase_migrate ;;
  main:reboot | fleet:reboot) phase_reboot ;;
  main:rollback | fleet:rollback) phase_rollback ;;
  failure:failure) phase_failure ;;
  *) fail "unknown scenario/phase $SCENARIO/$PHASE" ;;
esac
log "phase $PHASE done in $((SECONDS - started)) s (uptime $(cut -d' ' -f1 /proc/uptime) s)"
