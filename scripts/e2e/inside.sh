#!/usr/bin/env bash
# The rootless side of the e2e stage, run inside the trixie root by
# `scripts/rootless-host.sh run --bind WORK scripts/e2e/inside.sh WORK`. It is one entry into
# the sandbox for the whole run (the user's Podman runtime state lives on the entry's private
# /run), driven by scripts/e2e.sh through request files in WORK/state:
#
#   req.N  (written by the host)  a step function of the generated migrate.sh (`step_...`) or
#                                 rollback.sh (`rollback:step_...`), or a command:
#            @ready   write WORK/state/ready (running container names and host PIDs)
#            @checks  the checks inside the containers listed in WORK/checks.txt
#            @quit    end the entry (it then sweeps containers and processes)
#   res.N  (written here)         the exit status
#
# Steps run with the generated script sourced in a fresh bash each (UNROOT_APPLY=1), so its
# own as_user, run, die and checks are used unchanged. There is no systemd here: its
# `systemctl --user` calls reach systemctl-shim.sh, which runs the real quadlet generator and
# the generated ExecStart/ExecStop lines (quadlet-run.sh).
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

# A fresh target user every run: nothing in an earlier run's storage can make a check pass.
# migrate.sh's own step creates it again.
rootless_user_remove "$E2E_USER"
# migrate.sh's step_sysctl installs a sysctl.d file: keep it out of the cached root (this
# entry's mount namespace only). The value itself lands on the host and e2e.sh restores it.
mount -t tmpfs tmpfs /etc/sysctl.d
# The systemctl shim, for this entry only (runuser resets PATH, so it must be on the default one).
mount -t tmpfs -o mode=0755 tmpfs /usr/local/bin
sed "s|@SCRIPTS@|$here|" "$here/systemctl-shim.sh" >/usr/local/bin/systemctl
chmod 0755 /usr/local/bin/systemctl

# run_step SCRIPT NAME: a step of the generated SCRIPT in a fresh bash, errexit active in it.
run_step() {
  # shellcheck disable=SC2016 # the arguments are expanded by the inner bash
  UNROOT_APPLY=1 UNROOT_STAGING="$E2E_STAGING" UNROOT_BUNDLE="$E2E_GENERATED" \
    bash -c 'set -euo pipefail; source "$1"; "$2"' run-step "$E2E_GENERATED/$1" "$2"
}

# After any step: once the user exists, give it the runtime dir logind would create, and tell
# the host its UID.
after_step() {
  if id -u "$E2E_USER" >/dev/null 2>&1; then
    [ -d "/run/user/$(id -u "$E2E_USER")" ] || rootless_runtime_dir "$E2E_USER"
    id -u "$E2E_USER" >"$state/uid"
    grep "^$E2E_USER:" /etc/subuid >"$state/subuid" || true
    grep "^$E2E_USER:" /etc/subgid >"$state/subgid" || true
  fi
}

report_ready() {
  local name
  mapfile -t running < <(user_podman "$E2E_USER" ps --format '{{.Names}}')
  log "running under rootless Podman: ${running[*]}"
  {
    for name in "${running[@]}"; do
      echo "container $name $(user_podman "$E2E_USER" inspect --format '{{.State.Pid}}' "$name")"
    done
  } >"$state/ready.tmp"
  mv "$state/ready.tmp" "$state/ready"
}

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

# shellcheck disable=SC2016 # the command runs in the container's shell
# The file is read by the container's own user (no --user override): proves the ownership
# survived the move into the user namespace.
check_file() {
  local container="$1" path="$2" want_sha="$3" want_uid="$4" got owner who
  who="$(user_podman "$E2E_USER" exec "$container" id -u 2>&1)" || true
  got="$(user_podman "$E2E_USER" exec "$container" sha256sum "$path" 2>&1 | cut -d' ' -f1)" || true
  owner="$(user_podman "$E2E_USER" exec "$container" stat -c %u "$path" 2>&1)" || true
  if [ "$got" = "$want_sha" ] && [ "$owner" = "$want_uid" ]; then
    check_ok "$container (as uid $who) reads $path intact, owned by uid $owner"
    # A data service also writes next to its data: the directory must stay writable for it.
    if user_podman "$E2E_USER" exec "$container" /bin/sh -c \
      'f="$(dirname "$1")/.unroot-e2e-write" && echo x >"$f" && rm "$f"' sh "$path" >/dev/null 2>&1; then
      check_ok "$container (as uid $who) can write in $(dirname "$path")"
    else
      check_fail "$container (as uid $who) cannot write in $(dirname "$path")"
    fi
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

# The whole Podman volume, seen from inside the user namespace (so owners read as the
# container's UIDs), must match Docker's volume: paths, owners, groups, modes, sizes, content.
# shellcheck disable=SC2016 # the command runs in podman unshare's shell
check_tree() {
  local volume="$1" want="$2" mp got
  mp="$(user_podman "$E2E_USER" volume inspect --format '{{.Mountpoint}}' "$volume")" || {
    check_fail "no Podman volume $volume"
    return
  }
  got="$(user_podman "$E2E_USER" unshare sh -c \
    'cd "$1" && find . -printf "%p %U %G %m %s\n" | sort && find . -type f -exec sha256sum {} + | sort -k2' \
    sh "$mp" 2>&1)" || true
  if [ "$got" = "$(cat "$want")" ]; then
    check_ok "Podman volume $volume matches Docker's: $(grep -c . "$want") manifest lines (owners, modes, sizes, hashes)"
  else
    check_fail "Podman volume $volume differs from Docker's:"
    diff <(echo "$got") "$want" | head -n 20 >&2 || true
  fi
}

# The custom seccomp profile Docker ran the container with (mkdir denied) was installed for
# the user and is applied by Podman: a file can still be created, a directory cannot.
check_seccomp() {
  local container="$1" profiles out
  mapfile -t profiles < <(find "$home/.config/containers/systemd/seccomp" -name '*.json' 2>/dev/null | sort)
  if [ ${#profiles[@]} -gt 0 ] && [ "$(stat -c '%a %U' "${profiles[0]}")" = "644 $E2E_USER" ]; then
    check_ok "seccomp profile ${profiles[0]#"$home"/} installed, 0644, owned by $E2E_USER"
  else
    check_fail "no seccomp profile (0644, owned by $E2E_USER) under $home/.config/containers/systemd/seccomp"
  fi
  if ! user_podman "$E2E_USER" exec "$container" touch /tmp/unroot-e2e-file >/dev/null 2>&1; then
    check_fail "$container: podman exec touch failed, so the seccomp check proves nothing"
    return
  fi
  out="$(user_podman "$E2E_USER" exec "$container" mkdir /tmp/unroot-e2e-dir 2>&1)" && {
    check_fail "$container: mkdir succeeded, the custom seccomp profile is not applied"
    return
  }
  case "$out" in
    *"not permitted"*) check_ok "$container runs under the carried-over seccomp profile (mkdir: $out)" ;;
    *) check_fail "$container: mkdir failed for another reason: $out" ;;
  esac
}

# Issue 14: the container a watcher updated under Docker runs from its unit with the label
# `podman auto-update` selects it by (io.containers.autoupdate=POLICY) and the unit it
# restarts (PODMAN_SYSTEMD_UNIT), and migrate.sh enabled the user's auto-update timer. Then
# `podman auto-update --dry-run` as the user must list the unit. It connects to the user's
# systemd ($XDG_RUNTIME_DIR/systemd/private) once it has found something to update, even for a
# dry run, and this sandbox has no systemd: that one refusal is reported as such (it shows the
# container was selected), anything else fails.
check_autoupdate() {
  local container="$1" policy="$2" unit="$1.service" got out
  got="$(user_podman "$E2E_USER" inspect --format \
    '{{index .Config.Labels "io.containers.autoupdate"}} {{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}' \
    "$container" 2>&1)" || true
  if [ "$got" = "$policy $unit" ]; then
    check_ok "$container runs with io.containers.autoupdate=$policy from $unit (what podman auto-update selects)"
  else
    check_fail "$container: auto-update label and unit are '$got', want '$policy $unit'"
  fi
  if as_user "$E2E_USER" systemctl --user is-enabled --quiet podman-auto-update.timer; then
    check_ok "migrate.sh enabled $E2E_USER's podman-auto-update.timer"
  else
    check_fail "podman-auto-update.timer is not enabled for $E2E_USER"
  fi
  if out="$(user_podman "$E2E_USER" auto-update --dry-run --format '{{.Unit}} {{.Policy}} {{.Updated}}' 2>&1)"; then
    if grep -qx "$unit $policy .*" <<<"$out"; then
      check_ok "podman auto-update --dry-run lists $unit ($policy): $(grep -x "$unit .*" <<<"$out")"
    else
      check_fail "podman auto-update --dry-run does not list $unit ($policy): $out"
    fi
  elif [[ "$out" == *"/run/user/$(id -u "$E2E_USER")/systemd"* ]]; then
    # It connects only when it found a container to update (with none it ends at once, with
    # no error): this refusal proves the task was found, and only the restart bus is missing.
    log "note: podman auto-update --dry-run found the container to update, then stopped at connecting to the user's systemd, which this sandbox does not have ($(head -n1 <<<"$out"))"
  else
    check_fail "podman auto-update --dry-run failed: $out"
  fi
}

# A Podman secret migrate.sh created for the user (the container sees its value: the `env`
# check of the same variable).
check_podman_secret() {
  local name="$1"
  if user_podman "$E2E_USER" secret ls --format '{{.Name}}' | grep -qxF -- "$name"; then
    check_ok "podman secret ls of $E2E_USER lists $name"
  else
    check_fail "podman secret ls of $E2E_USER does not list $name"
  fi
}

check_env_file_mode() {
  local f="$1" mode owner
  mode="$(stat -c %a "$f")"
  owner="$(stat -c %U "$f")"
  if [ "$mode" = 600 ] && [ "$owner" = "$E2E_USER" ]; then
    check_ok "env file ${f#"$home"/} is 0600, owned by $E2E_USER"
  else
    check_fail "env file $f is mode $mode owned by $owner, want 600 owned by $E2E_USER"
  fi
}

inside_checks() {
  local kind a b c d f
  failures=0
  home="$(getent passwd "$E2E_USER" | cut -d: -f6)"
  while read -r kind a b c d; do
    case "$kind" in
      env) check_env "$a" "$b" "$c" ;;
      file) check_file "$a" "$b" "$c" "$d" ;;
      peer) check_peer "$a" "$b" "$c" "$d" ;;
      tree) check_tree "$a" "$b" ;;
      seccomp) check_seccomp "$a" ;;
      autoupdate) check_autoupdate "$a" "$b" ;;
      podman-secret) check_podman_secret "$a" ;;
      '' | '#'*) ;;
      *) check_fail "unknown check '$kind'" ;;
    esac
  done <"$work/checks.txt"
  mapfile -t env_files < <(find "$home/.config/containers/systemd" -name '*.env' | sort)
  [ ${#env_files[@]} -gt 0 ] || check_fail "no env file was installed under $home/.config/containers/systemd"
  for f in "${env_files[@]}"; do
    check_env_file_mode "$f"
  done
  [ "$failures" = 0 ] || { log "$failures check(s) inside the rootless host failed"; return 1; }
  log "all checks inside the rootless host passed"
}

# After rollback.sh: no container of the user runs, none of the generated quadlet or env files
# is left in the quadlet directory (its volumes and images are kept, as rollback.sh says).
rolled_back_checks() {
  local left files f
  failures=0
  home="$(getent passwd "$E2E_USER" | cut -d: -f6)"
  left="$(user_podman "$E2E_USER" ps --format '{{.Names}}' | tr '\n' ' ')"
  if [ -z "$left" ]; then
    check_ok "after rollback, no container of $E2E_USER runs"
  else
    check_fail "after rollback, still running under $E2E_USER: $left"
  fi
  files=""
  for f in "$E2E_GENERATED"/quadlet/* "$E2E_GENERATED"/env/* "$E2E_GENERATED"/seccomp/*; do
    [ -e "$f" ] || continue
    case "$f" in
      */env/*) [ ! -e "$home/.config/containers/systemd/env/$(basename "$f")" ] || files="$files $(basename "$f")" ;;
      */seccomp/*) [ ! -e "$home/.config/containers/systemd/seccomp/$(basename "$f")" ] || files="$files $(basename "$f")" ;;
      *) [ ! -e "$home/.config/containers/systemd/$(basename "$f")" ] || files="$files $(basename "$f")" ;;
    esac
  done
  if [ -z "$files" ]; then
    check_ok "after rollback, none of the generated quadlet, env or seccomp files is installed"
  else
    check_fail "after rollback, still installed:$files"
  fi
  if grep -q '^#   step_auto_update_timer_' "$E2E_GENERATED/rollback.sh"; then
    if as_user "$E2E_USER" systemctl --user is-enabled --quiet podman-auto-update.timer; then
      check_fail "after rollback, podman-auto-update.timer is still enabled for $E2E_USER"
    else
      check_ok "after rollback, podman-auto-update.timer is disabled again for $E2E_USER"
    fi
  fi
  left="$(user_podman "$E2E_USER" secret ls --format '{{.Name}}' | tr '\n' ' ')"
  for f in "$E2E_GENERATED"/secrets/*; do
    [ -e "$f" ] || continue
    case " $left " in
      *" $(basename "$f") "*) check_fail "after rollback, Podman secret $(basename "$f") is left" ;;
      *) check_ok "after rollback, Podman secret $(basename "$f") is removed" ;;
    esac
  done
  [ "$failures" = 0 ]
}

n=1
while :; do
  waited=0
  until [ -e "$state/req.$n" ]; do
    if [ -e "$state/abort" ] || [ "$waited" -gt 1200 ]; then
      log "no request from the host (aborted or 600 s passed); leaving"
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  cmd="$(cat "$state/req.$n")"
  set +e
  case "$cmd" in
    @quit) echo 0 >"$state/res.$n"; break ;;
    @ready) (set -e; report_ready) ;;
    @checks) (set -e; inside_checks) ;;
    @rolled-back) (set -e; rolled_back_checks) ;;
    step_*)
      run_step migrate.sh "$cmd"
      ;;
    rollback:step_*) run_step rollback.sh "${cmd#rollback:}" ;;
    *) log "unknown request '$cmd'"; false ;;
  esac
  rc=$?
  set -e
  after_step
  echo "$rc" >"$state/res.$n.tmp"
  mv "$state/res.$n.tmp" "$state/res.$n"
  n=$((n + 1))
done
