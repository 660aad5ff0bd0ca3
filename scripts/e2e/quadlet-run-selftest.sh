#!/usr/bin/env bash
# Self-test of quadlet-run.sh inside the rootless root, run by scripts/e2e.sh before the
# migration: the checks the e2e stage relies on must be able to fail.
#   - a quadlet file the real generator rejects (unknown key, no Image=) fails quadlet_generate;
#   - a valid file passes and yields its service;
#   - systemd_words / systemd_specifiers / systemd_vars follow systemd's ExecStart rules.
# usage (inside): quadlet-run-selftest.sh DIR_WITH_quadlet-run.sh
set -euo pipefail
# shellcheck source=scripts/e2e/rootless-lib.sh
source "$UNROOT_LIB"
# shellcheck source=scripts/e2e/quadlet-run.sh
source "$1/quadlet-run.sh"

user=unroot-e2e-selftest
rootless_user "$user" 2953 2953000000 65536
home="$(getent passwd "$user" | cut -d: -f6)"
dir="$home/.config/containers/systemd"
out="$(mktemp -d)"
failures=0
expect() {
  local what="$1" want="$2" got="$3"
  if [ "$want" = "$got" ]; then
    echo "quadlet-run selftest: ok: $what"
  else
    echo "quadlet-run selftest: FAIL: $what: got [$got], want [$want]" >&2
    failures=$((failures + 1))
  fi
}
# generate_rc NAME CONTENT: the status of quadlet_generate over exactly that one file.
generate_rc() {
  rm -rf "$dir" "$out/gen"
  install -d -o "$user" "$home/.config" "$home/.config/containers" "$dir"
  printf '%s\n' "$2" >"$dir/$1"
  chown "$user" "$dir/$1"
  local rc=0
  quadlet_generate "$user" "$out/gen" >/dev/null 2>&1 || rc=$?
  echo "$rc"
}

expect "an unknown key is rejected" 1 "$(generate_rc bad.container $'[Container]\nImage=localhost/x:1\nNoSuchKey=1')"
expect "a container without Image= is rejected" 1 "$(generate_rc noimage.container $'[Container]\nExec=/bin/true')"
expect "a valid container is accepted" 0 "$(generate_rc good.container $'[Container]\nImage=localhost/x:1\nEnvironment="A=b c"')"
expect "the valid container's service exists" yes "$([ -f "$out/gen/good.service" ] && echo yes || echo no)"

systemd_words 'a "b c" '"'"'d e'"'"' f\ g "h\"i" \\z'
expect "quotes, escapes and whitespace split like systemd" '[a][b c][d e][f g][h"i][\z]' "$(printf '[%s]' "${WORDS[@]}")"
expect "specifiers" "web /run/user/2953 web.service % $home" \
  "$(systemd_specifiers '%N %t %n %% %h' web "$user")"
declare -A SERVICE_ENV=([HOME]=/home/x [PODMAN_SYSTEMD_UNIT]=web.service)
# shellcheck disable=SC2016 # literal $ on purpose
expect "variables and \$\$" '/home/x web.service $literal ' "$(systemd_vars '$HOME ${PODMAN_SYSTEMD_UNIT} $$literal $UNSET')"
if systemd_words '"unbalanced' 2>/dev/null; then
  expect "an unbalanced quote is refused" refused accepted
else
  expect "an unbalanced quote is refused" refused refused
fi

rm -rf "$out"
rootless_user_remove "$user"
[ "$failures" = 0 ]
