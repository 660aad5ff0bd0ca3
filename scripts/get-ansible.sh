#!/usr/bin/env bash
# Setup stage: ansible-core (and ansible-lint when it installs) in a virtual environment at
# $UNROOT_CACHE/ansible-venv, for tests/remote_endpoints.rs. Debian's pip is externally managed,
# so a venv (python3-venv, installed by setup-host.sh) from Debian's own python3. Idempotent:
# an existing venv whose ansible-playbook runs is kept.
set -euo pipefail

log() { printf 'get-ansible: %s\n' "$*" >&2; }
# The first line of `PROGRAM --version` (no `| head`: a closed pipe makes Python tracebacks).
version() { local v; v=$(NO_COLOR=1 "$@" --version 2>/dev/null); printf '%s' "${v%%$'\n'*}"; }

cache="${UNROOT_CACHE:-/var/cache/unroot-test}"
venv="$cache/ansible-venv"
# ansible-core 2.19 runs on Debian 12's Python 3.11 and drives Python 3.8+ targets;
# ansible-lint 25 wants that series too (pinned together so one does not move the other).
core="${UNROOT_ANSIBLE_CORE:-ansible-core>=2.19,<2.20}"
lint="${UNROOT_ANSIBLE_LINT:-ansible-lint>=25,<26}"

# ansible-lint makes a .ansible/ directory where it runs: not in the checkout.
mkdir -p "$cache"
cd "$cache"

if "$venv/bin/ansible-playbook" --version >/dev/null 2>&1; then
  log "present: $(version "$venv/bin/ansible-playbook")"
else
  rm -rf "$venv"
  # /usr/bin/python3, not whatever python3 is first on PATH: the venv must outlive shells.
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$core"
  log "installed: $(version "$venv/bin/ansible-playbook")"
fi

# ansible-lint pulls in much more than ansible-core; a failure here is reported, not fatal,
# and tests/remote_endpoints.rs runs it only when it is there.
if "$venv/bin/ansible-lint" --version >/dev/null 2>&1; then
  log "present: $(version "$venv/bin/ansible-lint")"
elif "$venv/bin/pip" install --quiet --disable-pip-version-check "$core" "$lint"; then
  log "installed: $(version "$venv/bin/ansible-lint")"
else
  log "ansible-lint did not install; the playbooks get ansible-playbook --syntax-check only"
fi
