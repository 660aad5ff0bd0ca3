# shellcheck shell=bash
# Start a user's quadlet units without systemd, inside the rootless root: run the real quadlet
# generator (`quadlet -dryrun -user`) as the user, then execute each generated service's
# ExecStart as the user, in dependency order, the way systemd would. Only the systemd-only
# parts are dropped: --cgroups=split, --sdnotify=..., --cidfile=... (they need a systemd unit
# around the process); % specifiers and $VAR references are resolved like systemd does.
#
# Needs rootless-lib.sh (as_user). Sourced by scripts/e2e/inside.sh.

QUADLET_BIN=/usr/libexec/podman/quadlet

# systemd_words STRING: split a systemd command line into the array WORDS (double and single
# quotes group, backslash escapes, whitespace separates), like systemd's ExecStart parser.
systemd_words() {
  local s="$1" i=0 n=${#1} c w="" inword=0 q=""
  WORDS=()
  while [ "$i" -lt "$n" ]; do
    c="${s:i:1}"
    if [ "$c" = "\\" ]; then
      i=$((i + 1))
      c="${s:i:1}"
      case "$c" in
        n) w+=$'\n' ;;
        t) w+=$'\t' ;;
        *) w+="$c" ;;
      esac
      inword=1
    elif [ -n "$q" ]; then
      if [ "$c" = "$q" ]; then q=""; else w+="$c"; fi
    else
      case "$c" in
        ' ' | $'\t')
          if [ "$inword" = 1 ]; then
            WORDS+=("$w")
            w=""
            inword=0
          fi
          ;;
        '"' | "'") q="$c"; inword=1 ;;
        *) w+="$c"; inword=1 ;;
      esac
    fi
    i=$((i + 1))
  done
  if [ -n "$q" ]; then
    echo "quadlet-run: unbalanced quote in: $s" >&2
    return 1
  fi
  if [ "$inword" = 1 ]; then WORDS+=("$w"); fi
}

# systemd_specifiers STRING UNIT USER: resolve the specifiers quadlet emits (%n %N %t %h %u %U %%).
systemd_specifiers() {
  local s="$1" unit="$2" user="$3" out="" i=0 n=${#1} c uid home
  uid="$(id -u "$user")"
  home="$(getent passwd "$user" | cut -d: -f6)"
  while [ "$i" -lt "$n" ]; do
    c="${s:i:1}"
    if [ "$c" = % ]; then
      i=$((i + 1))
      case "${s:i:1}" in
        %) out+=% ;;
        n) out+="$unit.service" ;;
        N) out+="$unit" ;;
        t) out+="/run/user/$uid" ;;
        h) out+="$home" ;;
        u) out+="$user" ;;
        U) out+="$uid" ;;
        *)
          echo "quadlet-run: unsupported specifier %${s:i:1} in $unit" >&2
          return 1
          ;;
      esac
    else
      out+="$c"
    fi
    i=$((i + 1))
  done
  printf '%s' "$out"
}

# systemd_vars WORD: $$ -> $, ${VAR}/$VAR from the service environment (the variables
# as_user sets plus PODMAN_SYSTEMD_UNIT), as systemd substitutes them in ExecStart.
systemd_vars() {
  local s="$1" out="" i=0 n=${#1} c name
  while [ "$i" -lt "$n" ]; do
    c="${s:i:1}"
    if [ "$c" = '$' ] && [ "${s:i+1:1}" = '$' ]; then
      out+='$'
      i=$((i + 2))
      continue
    fi
    if [ "$c" = '$' ] && [[ "${s:i+1}" =~ ^(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)) ]]; then
      name="${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
      out+="${SERVICE_ENV[$name]-}"
      i=$((i + 1 + ${#BASH_REMATCH[1]}))
      continue
    fi
    out+="$c"
    i=$((i + 1))
  done
  printf '%s' "$out"
}

# Print a podman command for the log with --env values masked (they may be secrets).
quadlet_show_cmd() {
  local out="" w mask=0
  for w in "$@"; do
    if [ "$mask" = 1 ]; then
      w="${w%%=*}=***"
      mask=0
    elif [ "$w" = --env ] || [ "$w" = -e ]; then
      mask=1
    elif [[ "$w" == --env=* ]]; then
      w="${w#--env=}"
      w="--env=${w%%=*}=***"
    fi
    out+=" $(printf '%q' "$w")"
  done
  printf '%s\n' "${out# }"
}

# quadlet_generate USER OUTDIR [--allow-empty]: run the generator as USER over ~/.config/containers/systemd and
# split its output into OUTDIR/<unit>.service. Fails on any rejected file ("converting ..." on
# stderr, the generator still exits 0) and when a source file produced no service.
quadlet_generate() {
  local user="$1" outdir="$2" allow_empty="${3:-}" home f base count=0
  home="$(getent passwd "$user" | cut -d: -f6)"
  mkdir -p "$outdir"
  # Like a daemon-reload: services of removed files disappear (their .active state stays only
  # while they run, as in systemd).
  rm -f "$outdir"/*.service
  as_user "$user" "$QUADLET_BIN" -dryrun -user >"$outdir/dryrun.out" 2>"$outdir/dryrun.err" || {
    echo "quadlet-run: the generator failed for $user:" >&2
    cat "$outdir/dryrun.err" >&2
    return 1
  }
  if grep -q 'converting' "$outdir/dryrun.err"; then
    echo "quadlet-run: the generator rejected files of $user:" >&2
    grep 'converting' "$outdir/dryrun.err" >&2
    return 1
  fi
  awk -v dir="$outdir" '
    /^---.*---$/ { name = substr($0, 4, length($0) - 6); file = dir "/" name; printf "" > file; next }
    file != "" { print >> file }' "$outdir/dryrun.out"
  for f in "$home/.config/containers/systemd"/*.{container,volume,network,pod,kube,image,build}; do
    [ -e "$f" ] || continue
    base="$(basename "$f")"
    count=$((count + 1))
    if ! grep -qx "SourcePath=$f" "$outdir"/*.service 2>/dev/null; then
      echo "quadlet-run: $base produced no service (generator stderr follows)" >&2
      cat "$outdir/dryrun.err" >&2
      return 1
    fi
  done
  if [ "$count" = 0 ] && [ "$allow_empty" != --allow-empty ]; then
    echo "quadlet-run: no quadlet files in $home/.config/containers/systemd" >&2
    return 1
  fi
  echo "quadlet-run: the generator turned $count quadlet files of $user into services"
}

# The ExecStart= line of a generated service (the last one wins, as in systemd for non-oneshot).
quadlet_exec_start() {
  grep '^ExecStart=' "$1" | tail -n1 | sed 's/^ExecStart=//'
}

# The generated services a service pulls in when started (Requires=/Wants=/BindsTo= naming
# another generated one), as systemd does; After= alone only orders, it does not pull in.
quadlet_deps() {
  local svc="$1" dir
  dir="$(dirname "$svc")"
  grep -E '^(Requires|Wants|BindsTo)=' "$svc" | cut -d= -f2- | tr ' ' '\n' |
    while read -r dep; do
      [ -n "$dep" ] && [ -f "$dir/$dep" ] && echo "$dep"
    done | sort -u
}

quadlet_oneshot() { grep -qx 'Type=oneshot' "$1"; }

# quadlet_is_active USER DIR NAME.service: a oneshot unit (volume, network) is active once its
# ExecStart succeeded (RemainAfterExit=yes); a container unit while the container that
# PODMAN_SYSTEMD_UNIT labelled with it runs.
quadlet_is_active() {
  local user="$1" dir="$2" name="$3"
  if quadlet_oneshot "$dir/$name"; then
    [ -e "$dir/$name.active" ]
  else
    [ -n "$(as_user "$user" podman ps -q --filter "label=PODMAN_SYSTEMD_UNIT=$name" --filter status=running)" ]
  fi
}

# quadlet_start_service USER DIR NAME.service: like `systemctl --user start`: pull in its
# dependencies, then run its ExecStart; nothing happens for a unit that is already active.
quadlet_start_service() {
  local user="$1" dir="$2" name="$3" dep line unit
  [ -f "$dir/$name" ] || { echo "quadlet-run: Unit $name not found." >&2; return 5; }
  quadlet_is_active "$user" "$dir" "$name" && return 0
  [ ! -e "$dir/$name.starting" ] || { echo "quadlet-run: dependency cycle through $name" >&2; return 1; }
  : >"$dir/$name.starting"
  for dep in $(quadlet_deps "$dir/$name"); do
    quadlet_start_service "$user" "$dir" "$dep" || { rm -f "$dir/$name.starting"; return 1; }
  done
  rm -f "$dir/$name.starting"
  unit="${name%.service}"
  line="$(quadlet_exec_start "$dir/$name")"
  [ -n "$line" ] || { echo "quadlet-run: $name has no ExecStart" >&2; return 1; }
  # ExecStart prefixes (-, @, +, !) change how systemd treats the result; none matter here.
  line="${line#[-@+!]}"
  line="$(systemd_specifiers "$line" "$unit" "$user")" || return 1
  systemd_words "$line" || return 1
  local -A SERVICE_ENV=(
    [HOME]="$(getent passwd "$user" | cut -d: -f6)" [USER]="$user"
    [XDG_RUNTIME_DIR]="/run/user/$(id -u "$user")" [PODMAN_SYSTEMD_UNIT]="$name"
  )
  local args=() w skip=0
  for w in "${WORDS[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$w" in
      --cgroups=split | --sdnotify=* | --cidfile=*) continue ;;
      --cidfile | --sdnotify) skip=1; continue ;;
    esac
    args+=("$(systemd_vars "$w")")
  done
  [ "${args[0]}" = /usr/bin/podman ] || { echo "quadlet-run: $name does not start podman: ${args[0]}" >&2; return 1; }
  echo "quadlet-run: $name: $(quadlet_show_cmd "${args[@]}")"
  if ! as_user "$user" env PODMAN_SYSTEMD_UNIT="$name" "${args[@]}" >"$dir/$name.out" 2>"$dir/$name.err"; then
    echo "quadlet-run: $name failed to start:" >&2
    cat "$dir/$name.err" >&2
    return 1
  fi
  ! quadlet_oneshot "$dir/$name" || : >"$dir/$name.active"
}

# quadlet_stop_service USER DIR NAME.service: like `systemctl --user stop`: what the generated
# ExecStop does (podman rm -v -f of the unit's container), found by its unit label since the
# cidfile is a systemd-only part.
quadlet_stop_service() {
  local user="$1" dir="$2" name="$3" ids
  [ -f "$dir/$name" ] || { echo "quadlet-run: Unit $name not loaded." >&2; return 5; }
  if quadlet_oneshot "$dir/$name"; then
    rm -f "$dir/$name.active"
    return 0
  fi
  ids="$(as_user "$user" podman ps -aq --filter "label=PODMAN_SYSTEMD_UNIT=$name")"
  local id
  for id in $ids; do
    as_user "$user" podman rm -v -f "$id" >/dev/null
  done
}
