#!/usr/bin/env bash
# `systemctl --user` for the e2e sandbox, which has no systemd: installed as
# /usr/local/bin/systemctl inside one sandbox entry only (a tmpfs there), so the generated
# migrate.sh and rollback.sh run their start/stop/check/daemon-reload steps unchanged.
#
#   daemon-reload        the real quadlet generator over ~/.config/containers/systemd
#                        (quadlet -dryrun -user; rejected files fail it)
#   start UNIT...        pull in Requires=/Wants=, then each generated ExecStart, minus the
#                        systemd-only --cgroups=split/--sdnotify/--cidfile (quadlet-run.sh)
#   stop UNIT...         the generated ExecStop's effect: podman rm -v -f of the unit's container
#   is-active [-q] UNIT  oneshot units: started; container units: their container runs
#   enable [--now] UNIT, disable [--now] UNIT, is-enabled [-q] UNIT
#                        recorded only (a marker per unit): the sandbox has no timers, so
#                        enabling podman-auto-update.timer schedules nothing here
# Anything else is refused, so a generated script that needs more of systemd fails visibly.
# The runner state lives in $XDG_RUNTIME_DIR/systemd-shim (the entry's private /run).
set -euo pipefail
scripts="@SCRIPTS@"
# shellcheck source=scripts/e2e/rootless-lib.sh
source "$scripts/rootless-lib.sh"
# shellcheck source=scripts/e2e/quadlet-run.sh
source "$scripts/quadlet-run.sh"

shim_fail() {
  echo "systemctl (e2e sandbox shim): $*" >&2
  exit 1
}
[ "${1:-}" = --user ] || shim_fail "only --user is supported here (no system manager in the sandbox)"
shift
verb="${1:-}"
shift || true
quiet=0
now=0
units=()
for arg in "$@"; do
  case "$arg" in
    -q | --quiet) quiet=1 ;;
    --now) now=1 ;;
    --no-block) ;;
    -*) shim_fail "option $arg is not supported" ;;
    *) units+=("$arg") ;;
  esac
done
user="$(id -un)"
dir="${XDG_RUNTIME_DIR:?XDG_RUNTIME_DIR is not set}/systemd-shim"
[ -f "$dir/dryrun.out" ] || [ "$verb" = daemon-reload ] || quadlet_generate "$user" "$dir" --allow-empty >/dev/null

case "$verb" in
  daemon-reload)
    quadlet_generate "$user" "$dir" --allow-empty >/dev/null
    ;;
  start)
    for unit in "${units[@]}"; do
      quadlet_start_service "$user" "$dir" "$unit"
    done
    ;;
  stop)
    for unit in "${units[@]}"; do
      quadlet_stop_service "$user" "$dir" "$unit"
    done
    ;;
  is-active)
    rc=0
    for unit in "${units[@]}"; do
      if [ -f "$dir/$unit" ] && quadlet_is_active "$user" "$dir" "$unit"; then
        [ "$quiet" = 1 ] || echo active
      else
        [ "$quiet" = 1 ] || echo inactive
        rc=3
      fi
    done
    exit "$rc"
    ;;
  enable | disable)
    mkdir -p "$dir/enabled"
    for unit in "${units[@]}"; do
      if [ "$verb" = enable ]; then : >"$dir/enabled/$unit"; else rm -f "$dir/enabled/$unit"; fi
      [ "$now" = 0 ] || echo "systemctl (e2e sandbox shim): $verb --now $unit: recorded; no timers run in the sandbox" >&2
    done
    ;;
  is-enabled)
    rc=0
    for unit in "${units[@]}"; do
      if [ -e "$dir/enabled/$unit" ]; then
        [ "$quiet" = 1 ] || echo enabled
      else
        [ "$quiet" = 1 ] || echo disabled
        rc=1
      fi
    done
    exit "$rc"
    ;;
  *) shim_fail "'$verb' is not supported" ;;
esac
