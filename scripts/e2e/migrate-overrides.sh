# shellcheck shell=bash
# Sourced after the generated migrate.sh inside the rootless root. The sandbox has no systemd
# user manager: units are started by quadlet-run.sh (the real generator, then each ExecStart),
# which sets PODMAN_SYSTEMD_UNIT the way systemd does, so Podman labels each container with
# its unit. "Active" therefore means: the container labelled with that unit is running.
# Everything else in migrate.sh is used as generated.

# wait_active USER SERVICE (same contract as migrate.sh's: note on success, die otherwise).
wait_active() {
  local user=$1 service=$2 state=""
  for _ in $(seq 1 30); do
    state=$(as_user "$user" podman ps --filter "label=PODMAN_SYSTEMD_UNIT=$service" --format '{{.State}}')
    if [[ "$state" == running ]]; then
      note "$service is active (its container runs; no systemd in the e2e sandbox)"
      return 0
    fi
    sleep 1
  done
  die "$service: no running container labelled PODMAN_SYSTEMD_UNIT=$service (state '$state')"
}
