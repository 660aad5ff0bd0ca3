# shellcheck shell=bash
# The command line of migrate.sh and rollback.sh, included verbatim by unroot after the step
# functions. The generated part before it defines SCRIPT_NAME, STEPS, STEP_GROUP (step ->
# cutover group), GROUP_LABEL (group -> what it is) and one recover_GROUP function per group.

usage() {
  sed -n '3,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# run_guarded NAME: run one step. With --apply, a failing step of a cutover group puts that
# group back on Docker (recover_GROUP) and stops the script: the groups cut over before it
# stay on Podman, the ones after it were never touched, so at most one group was ever down.
run_guarded() {
  local step=$1 group=${STEP_GROUP[$1]:-} rc=0
  if [[ -z "$group" ]] || ! applying; then
    "$step"
    return 0
  fi
  # errexit is ignored in `if`, `||` and `&&` contexts, so the step runs in a subshell of
  # its own with errexit on, and the status is read afterwards.
  set +e
  (
    set -e
    "$step"
  )
  rc=$?
  set -e
  if [[ "$rc" == 0 ]]; then return 0; fi
  say "$step failed: putting ${GROUP_LABEL[$group]} back on Docker"
  "recover_$group"
  die "$step failed, so ${GROUP_LABEL[$group]} was put back on Docker; the services moved before it stay on Podman. Fix the cause and re-run ./$SCRIPT_NAME --apply, or undo every move with ./rollback.sh --apply"
}

main() {
  local only=() step found
  while (($#)); do
    case "$1" in
      --apply)
        # shellcheck disable=SC2034 # read by applying() in helpers.sh
        UNROOT_APPLY=1
        ;;
      --step)
        [[ $# -ge 2 ]] || die "--step needs a step name (see --list)"
        only+=("${2#step_}")
        shift
        ;;
      --list)
        printf '%s\n' "${STEPS[@]}"
        return 0
        ;;
      -h | --help)
        usage
        return 0
        ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  if applying && [[ "$(id -u)" != 0 ]]; then die "--apply must run as root"; fi
  if ! applying; then say "dry run: nothing is changed; re-run with --apply to execute"; fi
  for step in "${only[@]}"; do
    found=0
    for s in "${STEPS[@]}"; do [[ "$s" == "step_$step" ]] && found=1; done
    [[ "$found" == 1 ]] || die "no step named step_$step (see --list)"
  done
  for s in "${STEPS[@]}"; do
    if [[ ${#only[@]} -gt 0 ]]; then
      found=0
      for step in "${only[@]}"; do [[ "$s" == "step_$step" ]] && found=1; done
      [[ "$found" == 1 ]] || continue
    fi
    run_guarded "$s"
  done
  say "$SCRIPT_NAME: done"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
