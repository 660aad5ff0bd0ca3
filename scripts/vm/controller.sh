#!/usr/bin/env bash
# The operator's machine in the VM stage's `fleet` scenario: this test host reaches the guest
# as an operator reaches a fleet, over ssh only (qemu forwards a loopback port to the guest's
# sshd). Run by scripts/vm/run.sh while the VM is up, when the guest asks (OUT/want-STEP):
#
#   controller.sh migrate   unroot plan + generate --hosts (reading the guest's Docker over
#                           ssh://), then ansible-playbook migrate.yml -e unroot_apply=true
#   controller.sh rollback  ansible-playbook rollback.yml -e unroot_apply=true
#
# Environment (from run.sh): CTL (this run's controller directory, with the ssh key), SHARE,
# SSH_PORT, UNROOT (the binary). The guest's settings come as KEY=VALUE lines in
# SHARE/out/want-STEP. Output goes to stdout (run.sh keeps it as SHARE/out/STEP.controller.log).
set -euo pipefail
cd "$(dirname "$0")/../.."

step="${1:?usage: controller.sh migrate|rollback}"
: "${CTL:?} ${SHARE:?} ${SSH_PORT:?} ${UNROOT:?}"
cache="${UNROOT_CACHE:-/var/cache/unroot-test}"
started=$SECONDS
log() { printf '[%4ss] controller: %s\n' "$((SECONDS - started))" "$*"; }

# The guest's settings, read as data (never sourced).
declare -A want=()
while IFS='=' read -r key value; do
  [[ "$key" =~ ^[A-Z_]+$ ]] && want[$key]="$value"
done <"$SHARE/out/want-$step"
dest="${want[DEST]:?the guest gave no DEST}"

# ssh as unroot and Ansible run it: OpenSSH reads the invoking user's ~/.ssh, not $HOME's, so
# a wrapper first on PATH hands every ssh this run's config (key, strict host key check).
setup_ssh() {
  mkdir -p "$CTL/bin"
  local hostkey
  hostkey="$(cut -d' ' -f1,2 "$SHARE/out/ssh_host_ed25519_key.pub")"
  printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$hostkey" >"$CTL/known_hosts"
  cat >"$CTL/ssh_config" <<EOF
Host *
  IdentityFile $CTL/id
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $CTL/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 60
  ServerAliveInterval 15
  ServerAliveCountMax 8
EOF
  printf '#!/bin/sh\nexec /usr/bin/ssh -F "%s" "$@"\n' "$CTL/ssh_config" >"$CTL/bin/ssh"
  chmod 0755 "$CTL/bin/ssh"
  export PATH="$CTL/bin:$PATH"
  # Ansible's own state (ssh control sockets, temp files) stays in this run's directory.
  export ANSIBLE_HOME="$CTL/ansible-home" ANSIBLE_LOCAL_TEMP="$CTL/ansible-tmp"
  export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
}

playbook() {
  local book="$1"
  local ap="$cache/ansible-venv/bin/ansible-playbook"
  [ -x "$ap" ] || scripts/get-ansible.sh >&2
  (cd "$CTL/fleet/ansible" &&
    "$ap" -i inventory.ini "$book" -e unroot_apply=true -e "unroot_dest=$dest")
}

migrate() {
  local only=() name
  for name in ${want[ONLY]:?}; do only+=(--only "$name"); done
  printf 'unroot-vm ssh://root@127.0.0.1:%s\n' "$SSH_PORT" >"$CTL/hosts.txt"
  log "unroot plan --hosts: reading the guest's Docker over ssh"
  "$UNROOT" --log-file "$CTL/unroot.log" plan --hosts "$CTL/hosts.txt" \
    --user "${want[USER_NAME]:?}" --podman-version "${want[PODMAN_VERSION]:?}" "${only[@]}" \
    -o "$CTL/plans"
  # The reviewer's edit the main scenario makes too: the user's own sub-ID range.
  local plan="$CTL/plans/unroot-vm.yaml"
  sed -i "/^  subid_ranges:/,/^[a-z]/ { s/^\(      start:\).*/\1 ${want[SUBID_START]:?}/; s/^\(      count:\).*/\1 ${want[SUBID_COUNT]:?}/ }" "$plan"
  grep -q "start: ${want[SUBID_START]}" "$plan" || {
    log "could not edit the plan's subid range"
    return 1
  }
  "$UNROOT" --log-file "$CTL/unroot.log" generate --hosts "$CTL/hosts.txt" \
    --plan "$CTL/plans" --out "$CTL/fleet"
  log "generated $(cd "$CTL/fleet/unroot-vm/quadlet" && printf '%s ' *)"
  log "ansible-playbook migrate.yml -e unroot_apply=true"
  playbook migrate.yml
  log "migrate.yml passed"
}

rollback() {
  log "ansible-playbook rollback.yml -e unroot_apply=true"
  playbook rollback.yml
  log "rollback.yml passed"
}

setup_ssh
case "$step" in
  migrate) migrate ;;
  rollback) rollback ;;
  *)
    log "unknown step $step"
    exit 2
    ;;
esac
