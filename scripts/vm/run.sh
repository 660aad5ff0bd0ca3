#!/usr/bin/env bash
# Run one VM scenario of the `vm` stage: a real Debian host (systemd as PID 1, the user's
# manager, lingering, reboots) where unroot migrates rootful Docker to rootless Podman exactly
# as an operator would.
#
#   scripts/vm/run.sh SUITE SCENARIO      SUITE: trixie (Podman 5.4) | forky (Podman 5.8)
#                                          SCENARIO: main | fleet | failure (see scripts/vm/guest.sh)
#
# Host side: build or reuse the VM root (scripts/vm/image.sh), a fresh ext4 disk from it, the
# fixture image (busybox-static, `docker save` into the share), the unroot binary; then one
# boot per phase, each with a time limit. The guest runs scripts/vm/guest.sh at boot and
# writes PHASE.result / PHASE.log into the share. Each phase's duration is printed; on any
# failure the guest's log and the tail of the serial console are printed. In the `fleet`
# scenario this host is also the operator's machine: qemu forwards a loopback port to the
# guest's sshd, and scripts/vm/controller.sh runs unroot and Ansible against it when the guest
# asks (while that boot runs).
#
# Exit: 0 passed, 1 a phase failed, 3 the VM could not be built or booted (the caller decides
# whether that is a skip: outside CI it may be).
#
# Environment: UNROOT_CACHE, UNROOT_BIN (prebuilt unroot; default: cargo build, target/debug),
# UNROOT_VM_BOOT_TIMEOUT (seconds per boot, default 1800; 3600 for fleet), UNROOT_VM_KEEP=1 (keep the run dir),
# UNROOT_VM_FROM=PHASE (resume a kept run at PHASE on its disk, for debugging a later phase).
set -euo pipefail
cd "$(dirname "$0")/../.."

suite="${1:?usage: run.sh trixie|forky main|fleet|failure}"
scenario="${2:?usage: run.sh trixie|forky main|fleet|failure}"
case "$suite" in trixie) podman_version=5.4 ;; forky) podman_version=5.8 ;; *)
  echo "vm: unknown suite $suite" >&2
  exit 2
  ;;
esac
case "$scenario" in main | fleet) phases=(migrate reboot rollback) ;; failure) phases=(failure) ;; *)
  echo "vm: unknown scenario $scenario" >&2
  exit 2
  ;;
esac
cache="${UNROOT_CACHE:-/var/cache/unroot-test}"
# The fleet scenario's migrate boot also waits for the controller (a read over ssh and
# Ansible's tasks, each a Python process in the emulated guest): 994 s of it at load ~7.
default_timeout=1800
[ "$scenario" != fleet ] || default_timeout=3600
boot_timeout="${UNROOT_VM_BOOT_TIMEOUT:-$default_timeout}"
run_dir="$cache/vm/runs/$suite-$scenario"
share="$run_dir/share"
tag="vm[$suite/$scenario]"
started=$SECONDS
timings=()

log() { printf '%s: %s\n' "$tag" "$*" >&2; }
# A VM that cannot be built or booted: exit 3, with the log that says why.
cannot() {
  log "CANNOT RUN: $*"
  exit 3
}
timed() { timings+=("$1=$2s"); log "phase $1: $2 s"; }

[ "$(id -u)" = 0 ] || cannot "needs root (debootstrap, mkfs, the Docker socket)"
for pkg in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap mkfs.ext4:e2fsprogs; do
  command -v "${pkg%%:*}" >/dev/null && continue
  log "installing ${pkg##*:}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkg##*:}" >/dev/null ||
    cannot "could not install ${pkg##*:}"
done
docker info >/dev/null 2>&1 || cannot "no Docker engine on this host to build the fixture image"

# --- the VM root (cached) --------------------------------------------------------------------
t=$SECONDS
mkdir -p "$cache/vm"
build_log="$cache/vm/image-$suite.log"
if ! root="$(scripts/vm/image.sh "$suite" 2>"$build_log")"; then
  tail -n 60 "$build_log" >&2
  cannot "the $suite root could not be built (log above: $build_log)"
fi
tail -n 1 "$build_log" >&2
timed image $((SECONDS - t))
kernel="$(printf '%s\n' "$root"/boot/vmlinuz-* | sort -V | tail -n 1)"
initrd="$(printf '%s\n' "$root"/boot/initrd.img-* | sort -V | tail -n 1)"

# --- this run's disk, share, binary and fixture image ----------------------------------------
t=$SECONDS
if [ -n "${UNROOT_VM_FROM:-}" ]; then
  # Resume a kept run (UNROOT_VM_KEEP=1) at a later phase, on its disk as that phase left it.
  if [ ! -f "$run_dir/disk.img" ] || [ ! -f "$share/scenario.env" ]; then cannot "no kept run in $run_dir to resume"; fi
  while [ "${phases[0]:-}" ] && [ "${phases[0]}" != "$UNROOT_VM_FROM" ]; do phases=("${phases[@]:1}"); done
  [ ${#phases[@]} -gt 0 ] || cannot "no phase $UNROOT_VM_FROM in scenario $scenario"
  install -m 0755 scripts/vm/guest.sh "$share/guest.sh"
  secret="$(sed -n 's/^SECRET=//p' "$share/scenario.env")"
  log "resuming at phase $UNROOT_VM_FROM on the kept disk"
else
rm -rf "$run_dir"
mkdir -p "$share/out"
if [ -n "${UNROOT_BIN:-}" ]; then
  bin="$UNROOT_BIN"
else
  cargo build --quiet --locked --bin unroot
  bin=target/debug/unroot
fi
# Without debug info: a third of the size to read over 9p under emulation.
objcopy --strip-debug "$bin" "$share/unroot" 2>/dev/null || cp "$bin" "$share/unroot"
chmod 0755 "$share/unroot"
install -m 0755 scripts/vm/guest.sh "$share/guest.sh"
token="$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
secret="secret-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$share/scenario.env" <<EOF
SCENARIO=$scenario
SUITE=$suite
PODMAN_VERSION=$podman_version
TOKEN=$token
SECRET=$secret
EOF
# The fixture image: busybox-static (no registry), saved into the share for `docker load`.
# shellcheck source=scripts/fixtures-lib.sh
source scripts/fixtures-lib.sh
fixture_rootfs
image="unroot-vm/web:$token"
tar -C "$FIXTURE_ROOTFS" -c . | docker import --change 'EXPOSE 8080/tcp' \
  --change 'CMD ["/bin/httpd","-f","-p","8080","-h","/www"]' - "$image" >/dev/null
docker save -o "$share/images.tar" "$image"
docker image rm "$image" >/dev/null
if [ "$scenario" = fleet ]; then
  # The operator's throw-away key; the guest authorizes it for root.
  mkdir -p "$run_dir/controller"
  ssh-keygen -q -t ed25519 -N '' -C unroot-vm-controller -f "$run_dir/controller/id"
  install -m 0644 "$run_dir/controller/id.pub" "$share/authorized_keys"
fi
truncate -s 8G "$run_dir/disk.img"
mkfs.ext4 -q -F -d "$root" "$run_dir/disk.img" || cannot "mkfs.ext4 -d of $root failed"
fi
timed prepare $((SECONDS - t))

# --- one boot per phase ----------------------------------------------------------------------
netdev=user,id=n0,restrict=on
if [ "$scenario" = fleet ]; then
  # restrict=on keeps the guest off the network; explicit forwards still work.
  ssh_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  netdev="$netdev,hostfwd=tcp:127.0.0.1:$ssh_port-:22"
  log "the guest's sshd is forwarded to 127.0.0.1:$ssh_port"
fi
boot() {
  timeout -k 10 "$boot_timeout" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 4096 -smp 2 \
    -nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
    -append "root=/dev/vda rw console=ttyS0 quiet panic=-1" \
    -drive "file=$run_dir/disk.img,format=raw,if=virtio" \
    -virtfs "local,path=$share,mount_tag=share,security_model=none" \
    -netdev "$netdev" -device virtio-net-pci,netdev=n0,romfile= \
    </dev/null >"$run_dir/console-$1.log" 2>&1
}
# Run the controller's steps the guest asks for while the VM is up (fleet scenario).
serve_controller() {
  local want step rc
  for want in "$share"/out/want-*; do
    [ -f "$want" ] || continue
    step="${want##*/want-}"
    # The guest writes want-STEP.tmp, then renames it: only a complete request counts.
    [[ "$step" != *.tmp ]] || continue
    [ ! -e "$share/done-$step" ] || continue
    log "controller: $step (asked by the guest)"
    rc=0
    CTL="$run_dir/controller" SHARE="$share" SSH_PORT="$ssh_port" UNROOT="$share/unroot" \
      scripts/vm/controller.sh "$step" >"$share/out/$step.controller.log" 2>&1 || rc=$?
    grep -h '^\[' "$share/out/$step.controller.log" | sed "s|^|$tag |" >&2 || true
    if [ "$rc" != 0 ]; then
      log "controller: $step exited $rc; its log:"
      tail -n 60 "$share/out/$step.controller.log" >&2
    fi
    echo "$rc" >"$share/done-$step.tmp"
    mv "$share/done-$step.tmp" "$share/done-$step"
  done
}
show_failure() {
  local phase="$1"
  log "guest log of phase $phase ($share/out/$phase.log):"
  tail -n 80 "$share/out/$phase.log" >&2 2>/dev/null || log "(no guest log)"
  log "serial console, last lines ($run_dir/console-$phase.log):"
  tail -n 40 "$run_dir/console-$phase.log" >&2 2>/dev/null || true
}
for phase in "${phases[@]}"; do
  t=$SECONDS
  echo "$phase" >"$share/phase"
  rm -f "$share/action" "$share/out/$phase.result"
  # A guest kernel that panics (seen once under TCG on a loaded 2-core machine: a fault in
  # enqueue_timer 1.5 s into boot) reboots at once (panic=-1), which ends qemu (-no-reboot)
  # instead of hanging until the time limit. Only a boot that never reached the phase script
  # (no PHASE.log in the share: the disk is untouched by the test) is tried once more, said
  # out loud; a phase that started is never re-run.
  for attempt in 1 2; do
    rc=0
    if [ "$scenario" = fleet ]; then
      boot "$phase" &
      qemu=$!
      while kill -0 "$qemu" 2>/dev/null; do
        serve_controller
        sleep 2
      done
      wait "$qemu" || rc=$?
    else
      boot "$phase" || rc=$?
    fi
    if [ "$attempt" = 1 ] && [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ ! -e "$share/out/$phase.log" ]; then
      log "NOTICE: phase $phase: the guest ended before its phase script started (qemu exit $rc); console tail:"
      tail -n 15 "$run_dir/console-$phase.log" >&2 || true
      log "NOTICE: phase $phase: booting once more (the phase had not started, so nothing is re-run)"
      cp "$run_dir/console-$phase.log" "$run_dir/console-$phase.first-boot.log"
      continue
    fi
    break
  done
  result="$(cat "$share/out/$phase.result" 2>/dev/null || true)"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    show_failure "$phase"
    [ -n "$result" ] || cannot "phase $phase: the VM did not finish within ${boot_timeout}s"
    log "FAIL: phase $phase: the VM did not power off within ${boot_timeout}s (result: $result)"
    exit 1
  fi
  if [ -z "$result" ]; then
    show_failure "$phase"
    cannot "phase $phase: qemu exited $rc and the guest wrote no result"
  fi
  timed "$phase" $((SECONDS - t))
  if [ "$result" != PASS ]; then
    show_failure "$phase"
    log "FAIL: phase $phase: $result"
    exit 1
  fi
  grep -h '^\[' "$share/out/$phase.log" | sed "s|^|$tag guest: |" >&2 || true
done
# The secret reached the guest's env files only; nothing the guest printed has it.
if grep -rqF "$secret" "$share/out" "$run_dir"/console-*.log; then
  log "FAIL: the fixture secret appears in the guest's output"
  exit 1
fi
# The controller's plans, reports, scripts, log and Ansible output: only env files hold it.
if [ -d "$run_dir/controller" ] &&
  leaks="$(grep -rlF "$secret" "$run_dir/controller" --exclude-dir=env)"; then
  log "FAIL: the fixture secret appears on the controller: $leaks"
  exit 1
fi
log "PASSED in $((SECONDS - started)) s (${timings[*]})"
[ "${UNROOT_VM_KEEP:-}" = 1 ] || rm -rf "$run_dir"
