#!/usr/bin/env bash
# A rootless Podman 5.4.2 host with pasta inside this Debian 12 machine, for end-to-end tests.
#
#   scripts/rootless-host.sh setup
#       Make (or reuse) the Debian trixie root at $UNROOT_ROOTLESS_ROOT. Idempotent. A root is
#       reused only when its completion stamp matches this recipe and its podman runs; anything
#       else (missing, partial, older recipe) is rebuilt in a temp dir and renamed into place.
#   scripts/rootless-host.sh run [--bind SRC[:DST]]... SCRIPT [ARGS...]
#       Enter the root (unshare -m + pivot_root, private /run and /tmp) and run SCRIPT (a host
#       path; it is copied in) as root with bash. Everything that shares Podman state must run
#       inside ONE entry: the user's XDG_RUNTIME_DIR lives on this entry's private /run.
#       --bind makes a host directory visible inside (DST defaults to SRC).
#       Inside, $UNROOT_LIB names a small bash library (scripts/e2e/rootless-lib.sh) with
#       helpers to create an unprivileged user and run commands as that user.
#   scripts/rootless-host.sh check
#       Smoke test: an unprivileged user inside gets rootless Podman 5 with pasta, runc and
#       cgroupfs, and a container it starts serves HTTP to the host through a pasta port.
#   scripts/rootless-host.sh path
#       Print the root's path.
#
# Why this shape (verified on these machines, see notes/e2e.md):
#   - bookworm's podman is 4.3.1 (no quadlet, no pasta); trixie has 5.4.2.
#   - plain chroot is refused by the kernel for new user namespaces; bubblewrap sets
#     no_new_privs, which breaks the setuid newuidmap: hence unshare + pivot_root.
#   - the host has hybrid cgroups and no systemd inside: crun refuses, runc + cgroupfs work.
#
# Concurrency: several callers may `run` at the same time (each entry has its own /run and /tmp;
# callers pick distinct user names and distinct /etc/subuid ranges). `setup` rebuilds a root only
# under an exclusive lock, which waits for running entries to leave.
#
# Environment:
#   UNROOT_CACHE          cache dir (default /var/cache/unroot-test)
#   UNROOT_ROOTLESS_ROOT  the root (default $UNROOT_CACHE/trixie-root)
#   UNROOT_APT_MIRROR     override the Debian mirror (default: derived from this machine's apt sources)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${UNROOT_CACHE:-/var/cache/unroot-test}"
root="${UNROOT_ROOTLESS_ROOT:-$cache/trixie-root}"
lock="$root.lock"
log_dir="$cache/logs"
setup_log="$log_dir/rootless-setup.log"
deb_cache="$cache/debootstrap-debs"

# Bump when the recipe below changes: an older root is then rebuilt.
# nftables: netavark (user-defined networks) runs nft inside the rootless network namespace.
recipe_version="unroot-rootless-root v3"
packages="podman,passt,uidmap,runc,busybox,catatonit,netavark,aardvark-dns,fuse-overlayfs,conmon,nftables,curl,procps,iproute2,ca-certificates"
stamp_name=".unroot-root-ok"

die() {
  echo "rootless-host: error: $*" >&2
  exit 1
}

# The Debian mirror this machine already uses (never a hard-coded host name): the one
# derivation every script shares, scripts/debian-mirror.sh (UNROOT_APT_MIRROR overrides it).
debian_mirror() {
  "$here/debian-mirror.sh" || die "no Debian mirror found in this machine's apt sources (set UNROOT_APT_MIRROR)"
}

# Whether $1 is a complete root made by this recipe.
root_complete() {
  local r="$1"
  [ -f "$r/$stamp_name" ] && [ "$(cat "$r/$stamp_name")" = "$recipe_version" ] || return 1
  local f
  for f in usr/bin/podman usr/bin/pasta usr/bin/runc usr/bin/newuidmap usr/bin/newgidmap \
    usr/libexec/podman/quadlet usr/bin/busybox etc/containers/containers.conf; do
    [ -e "$r/$f" ] || return 1
  done
  # Every package fully installed (an interrupted debootstrap leaves some unpacked only), the
  # Podman the tests are written for, and the key binaries intact (checksums from dpkg).
  local status
  # shellcheck disable=SC2016,SC2086 # dpkg format string; the package list is split on purpose
  status="$(chroot "$r" dpkg-query -W -f '${db:Status-Abbrev}\n' ${packages//,/ } 2>/dev/null)" || return 1
  ! echo "$status" | grep -qv '^ii' || return 1
  root_podman_version "$r" | grep -q '^5\.4\.' || return 1
  chroot "$r" dpkg --verify podman passt runc uidmap >/dev/null 2>&1 || return 1
}

root_podman_version() {
  # shellcheck disable=SC2016 # dpkg format string
  chroot "$1" dpkg-query -W -f '${Version}' podman 2>/dev/null
}

# Configuration the verified recipe needs, written into a fresh root.
configure_root() {
  local r="$1"
  mkdir -p "$r/.oldroot" "$r/etc/containers"
  cat >"$r/etc/containers/containers.conf" <<'EOF'
# Written by unroot's scripts/rootless-host.sh. The host has hybrid cgroups (v1 + v2) and
# there is no systemd inside this root: crun refuses hybrid mode, runc + cgroupfs work.
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
default_rootless_network_cmd = "pasta"
EOF
  # No registry is reachable: never try to resolve short names against one.
  mkdir -p "$r/etc/containers/registries.conf.d"
  cat >"$r/etc/containers/registries.conf.d/99-unroot-offline.conf" <<'EOF'
unqualified-search-registries = []
short-name-mode = "permissive"
EOF
  echo 'PODMAN_IGNORE_CGROUPSV1_WARNING=1' >>"$r/etc/environment"
  # The user's podman needs somewhere to put the subuid ranges; callers append lines.
  touch "$r/etc/subuid" "$r/etc/subgid"
  # The debootstrap'd apt lists/caches are not needed inside; keep the root small.
  rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"* 2>/dev/null || true
}

build_root() {
  local mirror tmp
  mirror="$(debian_mirror)"
  tmp="$root.tmp.$$"
  rm -rf --one-file-system "$tmp"
  mkdir -p "$deb_cache" "$(dirname "$root")"
  echo "building trixie root in $tmp from the machine's Debian mirror"
  command -v debootstrap >/dev/null || {
    echo "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  }
  debootstrap --variant=minbase --cache-dir="$deb_cache" --include="$packages" \
    trixie "$tmp" "$mirror"
  configure_root "$tmp"
  echo "$recipe_version" >"$tmp/$stamp_name"
  root_complete "$tmp" || die "the freshly built root at $tmp is incomplete"
  if [ -e "$root" ]; then
    rm -rf --one-file-system "$root.old"
    mv "$root" "$root.old"
    rm -rf --one-file-system "$root.old"
  fi
  mv "$tmp" "$root"
  echo "trixie root ready at $root"
}

cmd_setup() {
  if root_complete "$root"; then
    echo "rootless-host: reusing the trixie root at $root (podman $(root_podman_version "$root"))"
    return 0
  fi
  mkdir -p "$log_dir" "$(dirname "$root")"
  exec 9>"$lock"
  # Exclusive: waits for entries that are still using an old root.
  flock -x 9
  if root_complete "$root"; then
    echo "rootless-host: reusing the trixie root at $root (built by a concurrent setup)"
    return 0
  fi
  local start=$SECONDS
  # Not `if ! (build_root)`: errexit is ignored in a condition, and every command of the
  # build must stop it.
  local rc=0
  set +e
  (
    set -e
    build_root
  ) >"$setup_log" 2>&1
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    echo "rootless-host: setup FAILED; the setup log ($setup_log) follows:" >&2
    cat "$setup_log" >&2
    rm -rf --one-file-system "$root.tmp.$$"
    exit 1
  fi
  echo "rootless-host: built the trixie root at $root in $((SECONDS - start)) s (podman $(root_podman_version "$root")); log: $setup_log"
}

cmd_run() {
  local binds=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --bind) [ $# -ge 2 ] || die "--bind needs SRC[:DST]"; binds+=("$2"); shift 2 ;;
      --bind=*) binds+=("${1#--bind=}"); shift ;;
      --) shift; break ;;
      -*) die "unknown option $1 (usage: run [--bind SRC[:DST]]... SCRIPT [ARGS...])" ;;
      *) break ;;
    esac
  done
  [ $# -ge 1 ] || die "usage: run [--bind SRC[:DST]]... SCRIPT [ARGS...]"
  local script="$1"
  shift
  [ -r "$script" ] || die "script $script not readable"
  root_complete "$root" || die "no complete trixie root at $root: run '$0 setup' first"
  local b
  for b in "${binds[@]+"${binds[@]}"}"; do
    [ -d "${b%%:*}" ] || die "--bind source ${b%%:*} is not a directory"
  done
  script="$(realpath "$script")"
  mkdir -p "$(dirname "$lock")"
  # A shared lock for the whole entry: setup never swaps the root away underneath it.
  exec 9>"$lock"
  flock -s 9
  UNROOT_ENTRY_ROOT="$root" UNROOT_ENTRY_SCRIPT="$script" UNROOT_ENTRY_LIB="$here/e2e/rootless-lib.sh" \
    UNROOT_ENTRY_BINDS="$(printf '%s\n' "${binds[@]+"${binds[@]}"}")" \
    exec unshare -m --propagation private -- bash -c "$enter_program" unroot-enter "$@"
}

# Runs in the new mount namespace (as bash -c): assemble the root, pivot into it, run the script.
# Mounts made here vanish with the namespace when the last process in it exits.
# shellcheck disable=SC2016
enter_program='
set -euo pipefail
r="$UNROOT_ENTRY_ROOT"
mount --bind "$r" "$r"
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
mount --make-rslave "$r/sys"
mount --rbind /dev "$r/dev"
mount --make-rslave "$r/dev"
mount -t tmpfs -o mode=0755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mkdir -p "$r/run/unroot" "$r/run/lock" "$r/run/user"
# pasta needs /dev/net/tun usable by the user. It is 0600 on these hosts: bind a private 0666
# node over it instead of changing the host device node.
mknod -m 0666 "$r/run/unroot/tun" c 10 200
mount --bind "$r/run/unroot/tun" "$r/dev/net/tun"
cp "$UNROOT_ENTRY_SCRIPT" "$r/run/unroot/entry.sh"
cp "$UNROOT_ENTRY_LIB" "$r/run/unroot/lib.sh"
while IFS= read -r b; do
  [ -n "$b" ] || continue
  src="${b%%:*}"; dst="${b#*:}"; [ "$b" = "$src" ] && dst="$src"
  mkdir -p "$r$dst"
  mount --bind "$src" "$r$dst"
done <<<"$UNROOT_ENTRY_BINDS"
cd "$r"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
# Rootless podman wants a shared "/" for its mounts; this only affects this private namespace.
mount --make-rshared /
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PODMAN_IGNORE_CGROUPSV1_WARNING=1 UNROOT_LIB=/run/unroot/lib.sh
unset UNROOT_ENTRY_ROOT UNROOT_ENTRY_SCRIPT UNROOT_ENTRY_LIB UNROOT_ENTRY_BINDS
# Not exec: when the script ends (or the entry is interrupted), stop what its users left running
# so no container, pasta or pause process outlives the entry.
# The script runs in the background so a TERM/INT to this process (its PID is the one the
# caller started, thanks to exec) ends the script and still sweeps.
source /run/unroot/lib.sh
trap "rootless_sweep" EXIT
bash /run/unroot/entry.sh "$@" </dev/stdin &
child=$!
trap "kill \$child 2>/dev/null; wait \$child; exit 130" INT TERM
rc=0
wait "$child" || rc=$?
exit "$rc"
'

case "${1:-}" in
  setup) cmd_setup ;;
  run) shift; cmd_run "$@" ;;
  check) cmd_run "$here/e2e/smoke-inside.sh" ;;
  path) echo "$root" ;;
  *) echo "usage: $0 setup | check | run [--bind SRC[:DST]]... SCRIPT [ARGS...] | path" >&2; exit 2 ;;
esac
