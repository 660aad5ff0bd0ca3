#!/usr/bin/env bash
# Stage `vm` of scripts/test: migrate on real Debian hosts (virtual machines with systemd,
# lingering and reboots) as an operator would; see docs/end-to-end.md and scripts/vm/.
#
#   scripts/test vm                     the default scenarios (CI: a VM that cannot be built or booted fails)
#   scripts/vm.sh [SUITE:SCENARIO...]   default: trixie:main trixie:failure forky:fleet; outside CI a VM that cannot be
#                                       built or booted is a visible skip
#
# UNROOT_VM_SCENARIOS overrides the default list, e.g. "trixie:main" alone.
# trixie:failure: per-service cutover (one unit fails on purpose, every other service keeps
# serving). forky:fleet: the main scenario on Podman 5.8 (the only place the 5.8 keys run),
# driven from this host as a fleet: unroot reads the guest's Docker over ssh and Ansible
# applies and rolls back (issue 13). forky:main remains available.
# The unroot binary is built once here and shared by every scenario.
set -euo pipefail
cd "$(dirname "$0")/.."

required=0
[ "${UNROOT_REQUIRE_PODMAN:-}" = 1 ] && required=1
scenarios=("$@")
if [ ${#scenarios[@]} = 0 ]; then
  read -r -a scenarios <<<"${UNROOT_VM_SCENARIOS:-trixie:main trixie:failure forky:fleet}"
fi
log() { printf 'vm: %s\n' "$*" >&2; }

started=$SECONDS
if [ -z "${UNROOT_BIN:-}" ]; then
  cargo build --quiet --locked --bin unroot
  UNROOT_BIN="$PWD/target/debug/unroot"
fi
export UNROOT_BIN
failed=() skipped=() passed=()
for s in "${scenarios[@]}"; do
  t=$SECONDS
  rc=0
  scripts/vm/run.sh "${s%%:*}" "${s##*:}" || rc=$?
  case "$rc" in
    0) passed+=("$s ($((SECONDS - t)) s)") ;;
    3) if [ "$required" = 1 ]; then
        failed+=("$s (VM could not be built or booted)")
      else
        log "SKIPPED: $s: the VM could not be built or booted (log above; set UNROOT_REQUIRE_PODMAN=1 to make this a failure)"
        skipped+=("$s")
      fi ;;
    *) failed+=("$s") ;;
  esac
done
log "passed: ${passed[*]:-none}; skipped: ${skipped[*]:-none}; failed: ${failed[*]:-none}; $((SECONDS - started)) s"
[ ${#failed[@]} = 0 ]
