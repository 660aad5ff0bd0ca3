# shellcheck shell=bash
# Helpers for scripts run inside the rootless root by `scripts/rootless-host.sh run`.
# Source it with `source "$UNROOT_LIB"`. Every user made here is remembered for this entry
# (on the entry's private /run) so the entry can stop its containers and processes on exit.

UNROOT_ENTRY_USERS=/run/unroot/users

# rootless_user NAME UID SUBID_START SUBID_COUNT
# Create (or reuse) an unprivileged user with one /etc/subuid and /etc/subgid line each and a
# fresh XDG_RUNTIME_DIR. Existing lines for NAME are replaced; other users' lines are kept, so
# concurrent callers must pick distinct names, UIDs and ranges.
rootless_user() {
  local name="$1" uid="$2" start="$3" count="$4"
  if ! id -u "$name" >/dev/null 2>&1; then
    useradd --create-home --uid "$uid" --user-group --shell /bin/bash "$name"
  fi
  rootless_subids "$name" "$start" "$count"
  rootless_runtime_dir "$name"
}

# rootless_subids NAME START COUNT: set NAME's single subuid/subgid line (under a lock, since
# /etc is shared between concurrent entries).
rootless_subids() {
  local name="$1" start="$2" count="$3" f
  for f in /etc/subuid /etc/subgid; do
    (
      flock -x 8
      grep -v "^${name}:" "$f" >"$f.unroot.$$" || true
      echo "${name}:${start}:${count}" >>"$f.unroot.$$"
      chmod 0644 "$f.unroot.$$"
      mv "$f.unroot.$$" "$f"
    ) 8>"$f.unroot-lock"
  done
}

# rootless_user_remove NAME: delete the user, its home and its subuid/subgid lines.
rootless_user_remove() {
  local name="$1" f
  if id -u "$name" >/dev/null 2>&1; then
    userdel --remove "$name" 2>/dev/null || true
  fi
  rm -rf "/home/${name:?}"
  for f in /etc/subuid /etc/subgid; do
    (
      flock -x 8
      grep -v "^${name}:" "$f" >"$f.unroot.$$" || true
      cat "$f.unroot.$$" >"$f"
      rm -f "$f.unroot.$$"
    ) 8>"$f.unroot-lock"
  done
}

# rootless_runtime_dir NAME: /run/user/UID owned by NAME, remembered for the exit sweep.
rootless_runtime_dir() {
  local name="$1" uid
  uid="$(id -u "$name")"
  install -d -m 0700 -o "$name" -g "$(id -g "$name")" "/run/user/$uid"
  grep -qx "$name" "$UNROOT_ENTRY_USERS" 2>/dev/null || echo "$name" >>"$UNROOT_ENTRY_USERS"
}

# as_user NAME CMD...: run CMD as NAME with the environment a login session would give podman
# (directly when the caller already is NAME).
as_user() {
  local name="$1" uid home switch=()
  shift
  uid="$(id -u "$name")"
  home="$(getent passwd "$name" | cut -d: -f6)"
  [ "$(id -u)" = "$uid" ] || switch=(runuser -u "$name" --)
  (cd "$home" && "${switch[@]}" env -i \
    HOME="$home" USER="$name" LOGNAME="$name" \
    PATH=/usr/local/bin:/usr/bin:/bin \
    XDG_RUNTIME_DIR="/run/user/$uid" \
    PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
    "$@")
}

# user_podman NAME ARGS...: podman as NAME.
user_podman() {
  local name="$1"
  shift
  as_user "$name" podman "$@"
}

# busybox_image USER REF PAGE: import a tiny image made from the root's own busybox
# (dynamically linked on trixie, so its libraries come along) as USER, named REF, serving
# PAGE as /www/index.html. Needs no registry.
busybox_image() {
  local user="$1" ref="$2" page="$3" img lib
  img="$(mktemp -d /tmp/busybox-rootfs.XXXXXX)"
  mkdir -p "$img/bin" "$img/www"
  cp /usr/bin/busybox "$img/bin/busybox"
  for lib in $(ldd /usr/bin/busybox | grep -o '/[^ ]*'); do
    mkdir -p "$img$(dirname "$lib")"
    cp -L "$lib" "$img$lib"
  done
  ln -sf busybox "$img/bin/sh"
  echo "$page" >"$img/www/index.html"
  tar -C "$img" -c . | user_podman "$user" import - "$ref" >/dev/null
  rm -rf "$img"
}

# The PIDs of processes whose real UID is $1 or within [$2, $2+$3).
uid_pids() {
  local uid="$1" start="${2:-0}" count="${3:-0}" st pid ruid
  for st in /proc/[0-9]*/status; do
    pid="${st#/proc/}"
    pid="${pid%/status}"
    ruid="$(awk '/^Uid:/ { print $2; exit }' "$st" 2>/dev/null)" || continue
    [ -n "$ruid" ] || continue
    if [ "$ruid" = "$uid" ] || { [ "$count" -gt 0 ] && [ "$ruid" -ge "$start" ] && [ "$ruid" -lt $((start + count)) ]; }; then
      echo "$pid"
    fi
  done
}

# rootless_sweep: for every user made in this entry, remove its containers, then end what is
# left of its processes (conmon, pasta, aardvark-dns, the rootless pause process), by PID.
# Called by rootless-host.sh when the entry's script exits; safe to call more than once.
rootless_sweep() {
  [ -f "$UNROOT_ENTRY_USERS" ] || return 0
  local name uid line start count pids
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    uid="$(id -u "$name" 2>/dev/null)" || continue
    user_podman "$name" rm --all --force --time 0 >/dev/null 2>&1 || true
    line="$(grep "^${name}:" /etc/subuid | head -n1)"
    start="$(echo "$line" | cut -d: -f2)"
    count="$(echo "$line" | cut -d: -f3)"
    pids="$(uid_pids "$uid" "${start:-0}" "${count:-0}")"
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill $pids 2>/dev/null || true
      sleep 1
      pids="$(uid_pids "$uid" "${start:-0}" "${count:-0}")"
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    fi
  done <"$UNROOT_ENTRY_USERS"
}
