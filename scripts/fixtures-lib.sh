# shellcheck shell=bash
# Shared helpers for fixture groups (scripts/fixtures.d/*.sh), sourced by scripts/fixtures.sh.
#
# Every fixture object carries the label unroot.fixture=<group>; a group script starts with
# `fixture_reset GROUP` and then recreates its objects, so running it again gives the same
# fleet. Several helpers may build fleets on the same engine at once: touch only your group.

FIXTURE_LABEL=unroot.fixture
# Where the busybox root filesystem for `docker import` is laid out (cached per run).
FIXTURE_ROOTFS="${FIXTURE_ROOTFS:-${TMPDIR:-/tmp}/unroot-fixture-rootfs}"
# Base image every fixture image derives from.
# shellcheck disable=SC2034 # used by fixtures.sh and group scripts
FIXTURE_BASE=unroot-fixture/busybox:1

fixture_log() { printf 'fixtures: %s\n' "$*" >&2; }

# Lay out a minimal root filesystem from busybox-static: /bin/busybox plus applet symlinks,
# passwd/group with root, an unprivileged `app` (1000) and `nobody`, and a page for httpd.
fixture_rootfs() {
  local root=$FIXTURE_ROOTFS
  if [ -x "$root/bin/busybox" ] && cmp -s /bin/busybox "$root/bin/busybox"; then
    return 0
  fi
  rm -rf "$root"
  mkdir -p "$root"/{bin,etc,tmp,root,www,data,home/app,var/run,proc,sys,dev}
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat >"$root/etc/group" <<'GROUP'
root:x:0:
app:x:1000:
nogroup:x:65534:
GROUP
  echo 'unroot fixture' >"$root/www/index.html"
  chmod 1777 "$root/tmp"
  chown -R 1000:1000 "$root/home/app"
}

# fixture_image REF [--change 'INSTRUCTION' ...]
# Import the busybox rootfs as REF with the given Dockerfile-style changes. Skips the import
# when REF already exists with the same content and changes (tracked by a label hash).
fixture_image() {
  local ref=$1
  shift
  fixture_rootfs
  local want
  want=$( { sha256sum /bin/busybox; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)
  local have
  have=$(docker image inspect --format '{{index .Config.Labels "unroot.fixture.hash"}}' "$ref" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then
    return 0
  fi
  local args=() change
  for change in "$@"; do
    [ "$change" = --change ] && continue
    args+=(--change "$change")
  done
  tar -C "$FIXTURE_ROOTFS" -c . |
    docker import "${args[@]}" --change "LABEL unroot.fixture.hash=$want" - "$ref" >/dev/null
  fixture_log "image $ref"
}

# fixture_tag SOURCE REF...: the same image under more names.
fixture_tag() {
  local src=$1 ref
  shift
  for ref in "$@"; do
    docker tag "$src" "$ref"
  done
}

# fixture_reset GROUP: remove the group's containers, then its networks and volumes.
fixture_reset() {
  local group=$1 ids
  ids=$(docker ps -aq --filter "label=$FIXTURE_LABEL=$group")
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker rm -f -v $ids >/dev/null
  fi
  ids=$(docker network ls -q --filter "label=$FIXTURE_LABEL=$group")
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker network rm $ids >/dev/null
  fi
  ids=$(docker volume ls -q --filter "label=$FIXTURE_LABEL=$group")
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker volume rm -f $ids >/dev/null
  fi
}

# fixture_create GROUP NAME [docker create args...] IMAGE [COMMAND...]
# Create (not start) a container labelled for GROUP; prints nothing.
fixture_create() {
  local group=$1 name=$2
  shift 2
  docker create --name "$name" --label "$FIXTURE_LABEL=$group" "$@" >/dev/null
}

# fixture_run GROUP NAME [docker create args...] IMAGE [COMMAND...]: create and start.
fixture_run() {
  local group=$1 name=$2
  shift 2
  fixture_create "$group" "$name" "$@"
  docker start "$name" >/dev/null
}

# fixture_network GROUP NAME [docker network create args...]
fixture_network() {
  local group=$1 name=$2
  shift 2
  docker network create --label "$FIXTURE_LABEL=$group" "$@" "$name" >/dev/null
}

# fixture_volume GROUP NAME [docker volume create args...]
fixture_volume() {
  local group=$1 name=$2
  shift 2
  docker volume create --label "$FIXTURE_LABEL=$group" "$@" "$name" >/dev/null
}
