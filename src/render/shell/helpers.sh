# shellcheck shell=bash
# Helpers shared by migrate.sh and rollback.sh, included verbatim by unroot
# (src/render/shell/mod.rs) and shellchecked on their own (scripts/lint.sh). Static text:
# nothing from a plan or a Docker host is ever written into this file; values reach these
# functions only as quoted arguments.
say() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
skip() { note "skip: $*"; }
die() { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
applying() { [[ "$UNROOT_APPLY" == 1 ]]; }

# Print the command (dry run) or run it (--apply).
run() {
  if applying; then
    "$@"
  else
    printf '    +'
    printf ' %q' "$@"
    printf '\n'
  fi
}

# USER's home directory and primary group. The dry run runs no program at all, not even
# these read-only lookups: it prints ~USER and USER instead.
home_of() {
  local home
  if ! applying; then
    printf '~%s\n' "$1"
    return 0
  fi
  home=$(getent passwd "$1" | cut -d: -f6) || true
  printf '%s\n' "${home:-/home/$1}"
}

group_of() {
  if ! applying; then
    printf '%s\n' "$1"
    return 0
  fi
  id -gn "$1" 2>/dev/null || printf '%s\n' "$1"
}

# Run a command as USER with the environment rootless Podman and systemctl --user need.
# The single place that switches users: redefine it after sourcing to run elsewhere.
as_user() {
  local user=$1 uid home
  shift
  uid=$(id -u "$user")
  home=$(home_of "$user")
  if [[ "$(id -u)" == "$uid" ]]; then
    (cd "$home" && env HOME="$home" XDG_RUNTIME_DIR="/run/user/$uid" "$@")
  else
    (cd / && runuser -u "$user" -- env HOME="$home" XDG_RUNTIME_DIR="/run/user/$uid" \
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@")
  fi
}

# refuse_symlinks OWNER PATH...: root is about to create or write PATH in OWNER's home, a
# directory OWNER controls. No component below the home (PATH itself included) may be a
# symlink: one the account planted would make root create, chown or write files elsewhere
# (/etc, another home). Paths that do not exist yet pass; the home itself may be a link.
refuse_symlinks() {
  local owner=$1 home p
  shift
  applying || return 0
  home=$(home_of "$owner")
  for p in "$@"; do
    [[ "$p" == "$home"/* ]] || continue
    while [[ "$p" != "$home" ]]; do
      [[ ! -L "$p" ]] || die "refusing to write through a symlink in $owner's home: $p"
      p=${p%/*}
    done
  done
}

# install SRC DEST MODE OWNER, skipped when DEST already has that content. A DEST in
# OWNER's home is written only when no part of its path there is a symlink.
install_file() {
  local src=$1 dest=$2 mode=$3 owner=$4
  if applying && [[ ! -f "$src" ]]; then die "missing $src (UNROOT_BUNDLE=$UNROOT_BUNDLE)"; fi
  refuse_symlinks "$owner" "$dest"
  if applying && cmp -s "$src" "$dest"; then
    skip "$dest is up to date"
    return 0
  fi
  run install -o "$owner" -g "$(group_of "$owner")" -m "$mode" "$src" "$dest"
}

# quadlet_bundle DEST OWNER FILE...: the user's units as one multi-unit `.quadlets` file
# (Podman 5.8): each part starts with `# FileName=` and the file's name without its
# extension (podman reads the type from the [Container], [Volume], ... section), parts are
# separated by `---` lines. Built in root's staging directory, then installed for OWNER.
quadlet_bundle() {
  local dest=$1 owner=$2 f f_name sep="" tmp
  shift 2
  install -d -m 0711 "$UNROOT_STAGING"
  install -d -m 0700 "$UNROOT_STAGING/quadlets"
  tmp="$UNROOT_STAGING/quadlets/$owner.quadlets"
  : >"$tmp"
  for f in "$@"; do
    [[ -f "$f" ]] || die "missing $f (UNROOT_BUNDLE=$UNROOT_BUNDLE)"
    f_name=${f##*/}
    # The empty line keeps a file without a final newline off the separator.
    { printf '%s# FileName=%s\n' "$sep" "${f_name%.*}"; cat "$f"; printf '\n'; } >>"$tmp"
    sep=$'---\n'
  done
  install_file "$tmp" "$dest" 0644 "$owner"
}

# secret_create USER NAME FILE: create USER's Podman secret NAME from FILE, which root reads
# and pipes on stdin: the value is on no command line and no copy of it is left for the
# user. A pipe, not a redirect: `podman secret create NAME -` refuses a stdin that is not a
# pipe. An existing NAME is replaced (--replace, Podman 4.7+); --replace is never given for
# a new NAME, which some Podman versions refuse (or treat as removing another secret).
secret_create() {
  local user=$1 name=$2 file=$3
  if ! applying; then
    note "+ cat $file | as_user $user podman secret create $name -"
    return 0
  fi
  [[ -f "$file" ]] || die "missing $file (UNROOT_BUNDLE=$UNROOT_BUNDLE)"
  if as_user "$user" podman secret inspect "$name" >/dev/null 2>&1; then
    cat -- "$file" | as_user "$user" podman secret create --replace "$name" - >/dev/null
    note "replaced Podman secret $name"
  else
    cat -- "$file" | as_user "$user" podman secret create "$name" - >/dev/null
    note "created Podman secret $name"
  fi
}

# secret_remove USER NAME: remove USER's Podman secret NAME, when it exists.
secret_remove() {
  local user=$1 name=$2
  if applying && ! as_user "$user" podman secret inspect "$name" >/dev/null 2>&1; then
    skip "no Podman secret $name"
    return 0
  fi
  run as_user "$user" podman secret rm "$name"
}

# Refuse a subordinate range that overlaps another user's.
range_free() {
  local file=$1 start=$2 end=$3 user=$4
  [[ -e "$file" ]] || return 0
  awk -F: -v s="$start" -v e="$end" -v u="$user" \
    '$1 != u && NF >= 3 && $2 <= e && $2 + $3 - 1 >= s { print $1; bad = 1 } END { exit bad }' \
    "$file" >/dev/null || die "range $start-$end for $user overlaps another user's range in $file; edit target.subid_ranges in the plan"
}

# Remember the owner of every file under PATH before migrate.sh changes it, so rollback.sh
# can put each one back. Kept on re-runs: the first record is the original state.
record_owners() {
  local path=$1 list=$2
  if ! applying; then
    note "+ record the owner of every file under $path in $list"
    return 0
  fi
  if [[ -s "$list" ]]; then
    skip "owners of $path already recorded in $list"
    return 0
  fi
  install -d -m 0700 "$(dirname "$list")"
  find "$path" -printf '%U:%G %p\0' >"$list.part"
  mv "$list.part" "$list"
}

# Put back the owners record_owners saved; without a record, chown to FALLBACK.
restore_owners() {
  local path=$1 list=$2 fallback=$3 entry
  if ! applying; then
    note "+ chown every file under $path back to its owner recorded in $list (else $fallback)"
    return 0
  fi
  if [[ -s "$list" ]]; then
    while IFS= read -r -d '' entry; do
      chown -h "${entry%% *}" "${entry#* }"
    done <"$list"
  else
    note "no record in $list: giving $path to $fallback"
    chown -R "$fallback" "$path"
  fi
}

# The cutover recovery's restore: only owners migrate.sh recorded (a bind mount it never
# handed over keeps its owner).
restore_recorded_owners() {
  local path=$1 list=$2
  if [[ -s "$list" ]]; then
    restore_owners "$path" "$list" 0:0
  else
    note "$path was not handed over: owner left alone"
  fi
}

# The owner and mode of a volume's top directory: `podman volume import` restores the
# archive's content but not its root, and a non-root container user must own it to write.
save_root_owner() {
  local src=$1 file=$2
  if ! applying; then
    note "+ record the owner and mode of $src in $file"
    return 0
  fi
  stat -c '%u:%g %a' "$src" >"$file.part"
  mv "$file.part" "$file"
}

restore_volume_root() {
  local user=$1 volume=$2 file=$3 owner mode mountpoint
  if ! applying; then
    note "+ give the top of volume $volume the owner and mode recorded in $file (inside $user's user namespace)"
    return 0
  fi
  [[ -s "$file" ]] || die "missing $file: run the volume_export step first"
  read -r owner mode <"$file"
  mountpoint=$(as_user "$user" podman volume inspect --format '{{.Mountpoint}}' "$volume")
  as_user "$user" podman unshare chown "$owner" "$mountpoint"
  as_user "$user" podman unshare chmod "$mode" "$mountpoint"
}

# Wait until lingering has started USER's manager: its runtime directory (Podman needs it,
# "lstat /run/user/UID: no such file or directory" otherwise) and its bus (systemctl --user).
wait_user_manager() {
  local uid
  uid=$(id -u "$1")
  for _ in $(seq 1 60); do
    [[ -d "/run/user/$uid" && -S "/run/user/$uid/bus" ]] && return 0
    sleep 0.5
  done
  [[ -d "/run/user/$uid" ]] ||
    die "the user manager of $1 did not start (no /run/user/$uid after 30 s): check 'systemctl status user@$uid' and 'loginctl show-user $1'"
  note "no user bus for $1 yet (/run/user/$uid/bus); systemctl --user steps may fail"
}

# has_subids FILE USER: whether FILE has a line for USER (compared as a string, not a regex).
has_subids() {
  [[ -e "$1" ]] && awk -F: -v u="$2" '$1 == u { found = 1 } END { exit !found }' "$1"
}

# subids_of FILE USER: USER's lines of FILE on one line.
subids_of() {
  awk -F: -v u="$2" '$1 == u' "$1" | paste -sd ' '
}

# subid_add FILE FLAG USER START COUNT: give USER the plan's range, once. Skipped only on the
# planned line itself; a different range means the host changed since the plan (or useradd
# assigned one): stop and say so rather than run with ranges REPORT.md does not describe.
subid_add() {
  local file=$1 flag=$2 user=$3 start=$4 count=$5 end
  end=$((start + count - 1))
  if applying && [[ -e "$file" ]] && grep -qxF "$user:$start:$count" "$file"; then
    skip "$user:$start:$count is already in $file"
  elif applying && has_subids "$file" "$user"; then
    die "$user already has $(subids_of "$file" "$user") in $file, not the plan's $start:$count: set target.subid_ranges.$user to that range and regenerate, or remove the line"
  else
    if applying; then range_free "$file" "$start" "$end" "$user"; fi
    run usermod "$flag" "$start-$end" "$user"
  fi
}

# subid_present FILE USER START COUNT: the host the plan was made for had this range already.
subid_present() {
  local file=$1 user=$2 start=$3 count=$4
  note "$user already has $start-$((start + count - 1)) in $file on the host the plan was made for"
  if applying && ! has_subids "$file" "$user"; then
    die "$user has no range in $file any more: re-run unroot generate"
  fi
}

# subid_required FILE USER: no range planned; the user must have one.
subid_required() {
  if applying && ! has_subids "$1" "$2"; then
    die "$2 has no range in $1 and the plan allocates none"
  fi
}

# try CMD...: run a command of a recovery, reporting a failure and carrying on (a recovery
# that stops half-way leaves the service down).
try() {
  "$@" || note "failed (continuing):$(printf ' %q' "$@")"
}

docker_volume_path() {
  if applying; then
    docker volume inspect --format '{{.Mountpoint}}' "$1"
  else
    printf '%s\n' "$2"
  fi
}

wait_active() {
  local user=$1 service=$2
  if ! applying; then
    run as_user "$user" systemctl --user is-active "$service"
    return 0
  fi
  for _ in $(seq 1 30); do
    if as_user "$user" systemctl --user is-active --quiet "$service"; then
      note "$service is active"
      return 0
    fi
    sleep 2
  done
  die "$service is not active after 60 s: see 'journalctl --user -u $service' as $user; rollback.sh restores the Docker container"
}

check_tcp() {
  local ip=$1 port=$2
  if ! applying; then
    note "+ connect to $ip:$port"
    return 0
  fi
  for _ in $(seq 1 15); do
    if timeout 2 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null; then
      note "$ip:$port accepts connections"
      return 0
    fi
    sleep 2
  done
  die "nothing accepts connections on $ip:$port"
}
