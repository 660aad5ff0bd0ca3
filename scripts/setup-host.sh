#!/usr/bin/env bash
# Stage `setup`: make a fresh Debian 12 machine (as root) able to run the test command.
# Idempotent: installs only missing packages (one `apt-get update`), and starts a Docker
# engine in the background only when none answers. Safe to run again on a warm machine.
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*" >&2; }

# python3 (+ yaml): the e2e stage's helpers and the PyYAML plan round trip. qemu-system-x86
# and e2fsprogs: the vm stage's guest (software emulation) and its disk image (mkfs.ext4 -d).
# openssh-server, openssh-client and openssl: tests/remote_endpoints.rs starts its own sshd
# (on a loopback port, its own config) and a TLS dockerd with certificates it makes. man-db
# and groff: tests/cli_conventions.rs renders the man page with `man -l`. python3-venv:
# scripts/get-ansible.sh puts ansible-core in a venv (Debian's pip is externally managed).
packages=(busybox-static shellcheck tmux debootstrap curl uidmap iproute2 python3 python3-yaml qemu-system-x86 e2fsprogs man-db groff openssh-server openssh-client openssl python3-venv)

missing=()
# An engine installed some other way (docker-ce, a static dockerd) is fine: docker.io would
# conflict with it, so it is only installed when there is no dockerd at all.
if ! command -v dockerd >/dev/null 2>&1; then
  missing+=(docker.io)
fi
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: ${missing[*]}; run this script as root to install them"
    exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "packages present: dockerd ${packages[*]}"
fi

# A newer docker CLI may live in /usr/local/bin; any CLI works against the 20.10 engine.
if docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
  log "Docker engine answers: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "no Docker engine answers and only root can start one"
  exit 1
fi

dockerd_log="${UNROOT_DOCKERD_LOG:-/var/log/unroot-dockerd.log}"
log "starting dockerd in the background (log: $dockerd_log)"
# No iptables: these machines have no usable netfilter for Docker; published ports still
# work through docker-proxy.
nohup dockerd --iptables=false --ip6tables=false >>"$dockerd_log" 2>&1 </dev/null &
dockerd_pid=$!

for _ in $(seq 1 60); do
  if docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
    log "Docker engine up (dockerd pid $dockerd_pid): $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
    exit 0
  fi
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    log "dockerd exited early; last lines of $dockerd_log:"
    tail -n 20 "$dockerd_log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; see $dockerd_log"
exit 1
