#!/usr/bin/env bash
# Build (or reuse) the root of a Debian VM for the `vm` stage and print its directory.
#
#   scripts/vm/image.sh SUITE        SUITE: trixie (Podman 5.4) or forky (Podman 5.8)
#
# The root is a debootstrap --variant=minbase tree with systemd, rootful Docker and rootless
# Podman + pasta, a 9p share mounted at /share, systemd-networkd doing DHCP on en*, and a
# oneshot unit (unroot-vm-phase.service) that runs /share/guest.sh at every boot, writes its
# output to the share and then powers the guest off (a guest reboot ends qemu as well, which
# runs with -no-reboot). The disk image is made from this root per run (scripts/vm/run.sh), so
# every scenario starts from the same clean host.
#
# Cache: $UNROOT_CACHE/vm/SUITE-KEY, KEY a hash of the recipe version, suite, package list and
# guest-boot.sh (baked in).
# A root is reused only when its stamp matches; anything else is rebuilt in a temp dir and
# renamed into place. Nothing depends on the cache being there.
#
# Why this recipe (verified on these machines, see shared reference ci-environment.md):
#   - debootstrap installs no Recommends: nftables is listed, or netavark cannot run `nft`;
#     trixie's docker.io does not bring the client: docker-cli is listed.
#   - forky's kernel pulls dracut, which conflicts with initramfs-tools.
#   - the 9p and virtio modules must be in the initramfs: the kernel is booted directly.
#
# Environment: UNROOT_CACHE (default /var/cache/unroot-test), UNROOT_APT_MIRROR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
suite="${1:?usage: image.sh trixie|forky}"
cache="${UNROOT_CACHE:-/var/cache/unroot-test}"

# Bump when anything the root is built from changes (configure_root included).
# openssh-server and python3: the `fleet` scenario reaches the guest as Ansible reaches a host
# (sshd on a forwarded port, Python for Ansible's modules).
recipe_version="unroot-vm-root v1"
common="linux-image-amd64,systemd,systemd-sysv,dbus,dbus-user-session,udev,kmod,podman,passt,uidmap,crun,netavark,aardvark-dns,catatonit,nftables,docker.io,docker-cli,curl,iproute2,procps,sudo,ca-certificates,openssh-server,python3"
case "$suite" in
  trixie) packages="$common,initramfs-tools"; script="" ;;
  forky) packages="$common,dracut"; script=/usr/share/debootstrap/scripts/sid ;;
  *) echo "image.sh: unknown suite '$suite' (trixie or forky)" >&2; exit 2 ;;
esac
# Modules the initramfs must hold for a directly booted kernel: its disk (virtio_blk, and
# ext4, a module in Debian's kernels that dracut's host-only mode leaves out when the build
# runs in a chroot) and the share (9p).
initrd_modules="9p 9pnet 9pnet_virtio virtio_blk virtio_pci"
# dracut (forky) also gets ext4; the list is part of forky's key only, so trixie's cached
# root (initramfs-tools, which always includes the root file system's module) stays valid.
[ "$suite" = forky ] && initrd_modules="$initrd_modules ext4"
key_input="$(printf '%s\n%s\n%s\n' "$recipe_version" "$suite" "$packages")"
[ "$suite" = forky ] && key_input="$key_input"$'\n'"$initrd_modules"
key="$( (printf '%s\n' "$key_input"; cat "$here/guest-boot.sh") |
  sha256sum | cut -c1-12)"
root="$cache/vm/$suite-$key"
stamp="$root/.unroot-vm-ok"

log() { echo "vm-image[$suite]: $*" >&2; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$recipe_version" ] &&
  ls "$root"/boot/vmlinuz-* >/dev/null 2>&1 && ls "$root"/boot/initrd.img-* >/dev/null 2>&1; then
  log "reusing $root"
  echo "$root"
  exit 0
fi

# Files the guest needs, written into a fresh root. Everything runs in a chroot with /proc,
# /sys and /dev bound, which the initramfs builders need.
configure_root() {
  local r="$1"
  echo unroot-vm >"$r/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 unroot-vm\n::1 localhost\n' >"$r/etc/hosts"
  chroot "$r" passwd -d root >/dev/null
  cat >"$r/etc/fstab" <<'EOF'
/dev/vda / ext4 rw,relatime 0 1
share /share 9p trans=virtio,version=9p2000.L,msize=262144,nofail 0 0
EOF
  mkdir -p "$r/share"
  # A real host has a network: without a default route pasta picks docker0 as its template.
  mkdir -p "$r/etc/systemd/network"
  printf '[Match]\nName=en*\n\n[Network]\nDHCP=yes\n' >"$r/etc/systemd/network/20-en.network"
  echo 'nameserver 10.0.2.3' >"$r/etc/resolv.conf"
  chroot "$r" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null 2>&1
  # No registry is reachable: never resolve short names against one.
  mkdir -p "$r/etc/containers/registries.conf.d"
  printf 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n' \
    >"$r/etc/containers/registries.conf.d/99-unroot-offline.conf"
  # Timers that would only compete with the scenario for the emulated CPU.
  local t
  for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    dpkg-db-backup.timer man-db.timer; do
    ln -sf /dev/null "$r/etc/systemd/system/$t"
  done
  install -m 0755 "$here/guest-boot.sh" "$r/usr/local/sbin/unroot-vm-phase"
  cat >"$r/etc/systemd/system/unroot-vm-phase.service" <<'EOF'
[Unit]
Description=unroot VM test: run /share/guest.sh, then power off
After=multi-user.target docker.service network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/unroot-vm-phase
StandardOutput=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
  chroot "$r" systemctl enable unroot-vm-phase.service >/dev/null 2>&1
  # The modules a directly booted kernel needs for its disk and the share.
  local kver
  kver="$(basename "$(printf '%s\n' "$r"/lib/modules/* | sort -V | tail -n 1)")"
  if [ -d "$r/etc/initramfs-tools" ] && [ "$suite" = trixie ]; then
    # shellcheck disable=SC2086 # a word list
    printf '%s\n' $initrd_modules >>"$r/etc/initramfs-tools/modules"
    chroot "$r" update-initramfs -u -k all
  else
    mkdir -p "$r/etc/dracut.conf.d"
    echo "add_drivers+=\" $initrd_modules \"" >"$r/etc/dracut.conf.d/90-unroot-vm.conf"
    chroot "$r" dracut -f --kver "$kver" >/dev/null 2>&1 || chroot "$r" dracut -f --kver "$kver"
  fi
  chroot "$r" apt-get clean
  rm -rf "$r/var/lib/apt/lists/"*
}

mounted=()
tmp="$root.tmp.$$"
cleanup() {
  local m
  for m in "${mounted[@]+"${mounted[@]}"}"; do umount -l "$m" 2>/dev/null || true; done
  [ ! -d "$tmp" ] || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
mirror="$("$here/../debian-mirror.sh")"
deb_cache="$cache/vm/debs-$suite"
mkdir -p "$deb_cache"
start=$SECONDS
log "building $suite root in $tmp (debootstrap minbase from the machine's Debian mirror)"
# shellcheck disable=SC2086 # $script is empty or one path
debootstrap --variant=minbase --cache-dir="$deb_cache" --include="$packages" \
  "$suite" "$tmp" "$mirror" $script >&2
for m in proc sys dev; do
  mount --bind "/$m" "$tmp/$m"
  mounted=("$tmp/$m" "${mounted[@]+"${mounted[@]}"}")
done
configure_root "$tmp" >&2
for m in "${mounted[@]}"; do umount -l "$m"; done
mounted=()
echo "$recipe_version" >"$tmp/.unroot-vm-ok"
rm -rf --one-file-system "$root"
mv "$tmp" "$root"
log "built $root in $((SECONDS - start)) s"
echo "$root"
