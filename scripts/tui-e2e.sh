#!/usr/bin/env bash
# Stage `tui`: the built binary in a real terminal. tmux runs `unroot --demo`, keys are sent
# as a user would type them (filter, open a container, change a decision, export the plan),
# the screen is read back with capture-pane, and the exported plan is parsed to check that
# the decision made on screen is the one in the file. Fails loudly; always cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'tui-e2e: FAIL: %s\n' "$*" >&2; exit 1; }
log() { printf 'tui-e2e: %s\n' "$*" >&2; }

command -v tmux >/dev/null || fail "tmux is not installed (the setup stage installs it)"
command -v python3 >/dev/null || fail "python3 is needed to parse the exported plan"

cargo build --locked --quiet --bin unroot
bin="$PWD/target/debug/unroot"

work="$(mktemp -d)"
session="unroot-tui-e2e-$$"
screen_file="$work/screen.txt"
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

capture() { tmux capture-pane -p -t "$session" >"$screen_file" 2>/dev/null || true; }

# Wait until the screen shows TEXT (fixed string), or fail showing the screen.
wait_for() {
  local text="$1" tries=100
  while [ $tries -gt 0 ]; do
    capture
    if grep -qF -- "$text" "$screen_file"; then
      return 0
    fi
    sleep 0.1
    tries=$((tries - 1))
  done
  log "screen while waiting for: $text"
  cat "$screen_file" >&2
  fail "did not see \"$text\" within 10 s"
}

# Wait until TEXT is gone from the screen, or fail showing the screen.
wait_gone() {
  local text="$1" tries=100
  while [ $tries -gt 0 ]; do
    capture
    if ! grep -qF -- "$text" "$screen_file"; then
      return 0
    fi
    sleep 0.1
    tries=$((tries - 1))
  done
  cat "$screen_file" >&2
  fail "\"$text\" still on screen after 10 s"
}

keys() { tmux send-keys -t "$session" "$@"; }

# 80x24: the smallest size the TUI promises to work at. NO_COLOR keeps capture simple.
tmux new-session -d -s "$session" -x 80 -y 24 -c "$work" \
  "env TERM=xterm-256color NO_COLOR=1 '$bin' --demo; echo \"unroot exited with \$?\"; sleep 60"

wait_for "Containers (14)"
wait_for "Enter open"
log "list shown"

# Filter by name: one container left.
keys /
wait_for "name, image, label or rule id"
keys -l "traefik:v3"
wait_for "(1 of 14)"
keys Enter
wait_gone "name, image, label or rule id"
log "filter applied"

# Open it: findings and the side-by-side settings.
keys Enter
wait_for "Settings: now and rootless"
wait_for "traefik"
log "detail shown"

# Migration view: move to the privileged-port policy and switch it to remap.
keys m
wait_for "Decisions: traefik"
wait_for "sysctl: lower"
keys j j l
wait_for "remap to other host ports"
wait_for "host port 80 ->"
# Type a port for 80 instead of the proposal; 443 keeps its proposed 8443.
keys j Enter
wait_for "instead of 80"
keys C-u
keys -l 10080
keys Enter
wait_gone "instead of 80"
wait_for "10080"
log "decision changed"
# The preview follows the decision: scroll the preview pane to the unit's ports.
keys Tab
for _ in $(seq 60); do
  capture
  grep -qF "10080:80" "$screen_file" && break
  keys j
  sleep 0.05
done
wait_for "10080:80"
log "preview updated"

# Export the plan to a path typed into the prompt.
keys e
wait_for "Export the plan to"
keys C-u
keys -l "$work/plan.yaml"
keys Enter
wait_for "Plan written (14 of 14 containers)"
[ -s "$work/plan.yaml" ] || fail "no plan at $work/plan.yaml"
log "plan exported as YAML"
# Once more as JSON (the prompt picks the format from the name), for a parser-exact check.
keys e
wait_for "Export the plan to"
keys C-u
keys -l "$work/plan.json"
keys Enter
# The status line is too narrow for the path at 80 columns: wait for the file itself.
for _ in $(seq 100); do [ -s "$work/plan.json" ] && break; sleep 0.1; done
log "plan exported as JSON"

# Write the migration files: the review lists them before anything is written; y writes.
out="$work/out-tui"
keys w
wait_for "Write the migration files into directory"
keys C-u
keys -l "$out"
keys Enter
wait_for "Write the migration files?"
wait_for "y writes, Esc writes nothing"
[ ! -e "$out" ] || fail "the review wrote something before y"
keys y
wait_for " written, 0 unchanged in "
grep -q "10080:80" "$out/quadlet/traefik.container" || fail "written unit lacks 10080:80"
[ -x "$out/migrate.sh" ] || fail "migrate.sh missing or not executable"
log "migration files written"

# A hand edit is never replaced by y; o replaces it after the refusal.
printf '# edited by hand\n' >>"$out/quadlet/traefik.container"
keys w
wait_for "Write the migration files into directory"
wait_for "$out"
keys Enter
wait_for "DIFFERS   quadlet/traefik.container"
keys y
wait_for "refusing to overwrite"
grep -q "edited by hand" "$out/quadlet/traefik.container" || fail "y replaced a hand-edited file"
keys o
wait_gone "Write the migration files?"
grep -q "edited by hand" "$out/quadlet/traefik.container" && fail "o did not replace the edited file"
log "hand edit kept on y, replaced on o"

keys q
wait_for "unroot exited with 0"

# Docker unreachable: the error screen carries the CLI's message; Ctrl-C quits with code 3.
tmux respawn-pane -k -t "$session" -c "$work" \
  "env TERM=xterm-256color NO_COLOR=1 '$bin' --docker-host unix://$work/no-such.sock; echo \"unroot exited with \$?\"; sleep 60"
wait_for "Cannot read the inventory"
wait_for "no-such.sock"
keys C-c
wait_for "unroot exited with 3"
# The message stays in the scrollback after the full screen is gone.
wait_for "unroot: error: "
log "error screen shown, Ctrl-C quit with exit code 3"

# SIGINT from outside the terminal: the TUI leaves the alternate screen and exits 0.
tmux respawn-pane -k -t "$session" -c "$work" \
  "env TERM=xterm-256color NO_COLOR=1 '$bin' --demo; echo \"unroot exited with \$?\"; sleep 60"
wait_for "Containers (14)"
pane_pid="$(tmux display-message -p -t "$session" '#{pane_pid}')"
tui_pid="$(pgrep -P "$pane_pid" -x unroot || true)"
[ -n "$tui_pid" ] || fail "cannot find the unroot process under pane $pane_pid"
kill -INT "$tui_pid"
wait_for "unroot exited with 0"
wait_gone "Containers (14)"
log "SIGINT restored the terminal"

[ -s "$work/plan.yaml" ] || fail "no plan at $work/plan.yaml"
[ -s "$work/plan.json" ] || fail "no plan at $work/plan.json"
python3 - "$work/plan.json" <<'PY' || fail "the exported plan does not carry the decision made on screen"
import json, sys
with open(sys.argv[1]) as f:
    plan = json.load(f)
assert plan["schema"] == "unroot.plan/v1", plan.get("schema")
by_name = {c["name"]: c for c in plan["containers"]}
assert len(by_name) == 14, sorted(by_name)
ports = by_name["traefik"]["decision"]["ports"]
assert ports["policy"] == "remap", ports
assert int(ports["ports"]["80"]) == 10080, ports
assert int(ports["ports"]["443"]) == 8443, ports
# Containers nobody touched keep the proposed default.
others = [c for n, c in by_name.items() if n != "traefik"]
assert all(c["decision"]["ports"]["policy"] == "sysctl" for c in others), "untouched containers changed"
print("tui-e2e: plan carries traefik 80->10080, 443->8443; 13 others unchanged")
PY
# The YAML export says the same (the default format a reviewer edits).
grep -q "policy: remap" "$work/plan.yaml" || fail "plan.yaml has no remap policy"
grep -Eq "^ +80: 10080$" "$work/plan.yaml" || fail "plan.yaml does not map 80 to 10080"
# The plan is also what `unroot generate --plan` reads: the decision must reach the unit.
"$bin" --demo generate --plan "$work/plan.yaml" --out "$work/out" >/dev/null \
  || fail "unroot generate rejected the exported plan"
grep -q "10080:80" "$work/out/quadlet/traefik.container" \
  || fail "quadlet/traefik.container does not publish 10080:80"
log "unroot generate --plan applies the exported decision"
log "PASS"
