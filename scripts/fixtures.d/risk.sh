# shellcheck shell=bash
# Fixture group `risk`: one container per risk rule that the local engine can express, each
# named after what it shows, plus a hardened reference that must yield nothing above `low`.
# tests/risk_scan.rs runs `unroot scan --format json` and asserts the findings per container.
# Containers that would touch the host if started (privileged, /, /proc, low ports, host
# network, the Leaky Vessels workdir) stay in the Created state: the scan must cover them
# anyway (docker-bench skips non-running containers).
# Sourced by scripts/fixtures.sh (helpers from scripts/fixtures-lib.sh). Idempotent.
# Not expressible here: macvlan/ipvlan networks (this kernel has neither driver; the rule is
# covered by unit tests) and non-namespaced sysctls (Docker refuses them at create).

G=risk
R=unroot-r-   # container name prefix
fixture_reset "$G"

risk_dir=${TMPDIR:-/tmp}/unroot-fixture-risk
mkdir -p "$risk_dir/data" "$risk_dir/shared" "$risk_dir/containerd.sock"
fixture_volume "$G" unroot-r-vol

# --- the hardened reference -----------------------------------------------------------------
fixture_run "$G" ${R}hardened -u 10001:10001 --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges:true --memory 64m --pids-limit 100 \
  --health-cmd /bin/true --health-interval 30s -p 127.0.0.1:18443:8443 \
  --ulimit nofile=1024:4096 --restart on-failure:3 "$FIXTURE_BASE"

# --- CIS section 5 / 4 ----------------------------------------------------------------------
fixture_create "$G" ${R}privileged --privileged "$FIXTURE_BASE"
fixture_run "$G" ${R}docker-sock -v /var/run/docker.sock:/var/run/docker.sock:ro "$FIXTURE_BASE"
fixture_run "$G" ${R}run-dir -v /run:/host/run:ro "$FIXTURE_BASE"
fixture_run "$G" ${R}containerd-sock -v "$risk_dir/containerd.sock:/run/containerd/containerd.sock" "$FIXTURE_BASE"
fixture_run "$G" ${R}seccomp-mixed --security-opt no-new-privileges \
  --security-opt seccomp=unconfined "$FIXTURE_BASE"
fixture_run "$G" ${R}root-0-0 -u 0:0 "$FIXTURE_BASE"
fixture_run "$G" ${R}root-root -u root:root "$FIXTURE_BASE"
fixture_create "$G" ${R}etc-shadow -v /etc/shadow:/host-shadow:ro "$FIXTURE_BASE"
fixture_create "$G" ${R}var-lib-docker -v /var/lib/docker:/docker "$FIXTURE_BASE"
fixture_create "$G" ${R}host-root -v /:/host "$FIXTURE_BASE"
fixture_create "$G" ${R}host-proc -v /proc:/host/proc "$FIXTURE_BASE"
fixture_create "$G" ${R}low-ports -p 80:8080 -p '[::]:443:8443' "$FIXTURE_BASE"
fixture_create "$G" ${R}host-net --network host nginx:1.25
fixture_run "$G" ${R}nnp-false --security-opt no-new-privileges:false "$FIXTURE_BASE"
fixture_create "$G" ${R}namespaces --pid host --ipc host --uts host --userns host "$FIXTURE_BASE"
fixture_run "$G" ${R}devices --device /dev/null:/dev/xnull "$FIXTURE_BASE"
fixture_create "$G" ${R}gpus --gpus all "$FIXTURE_BASE"
fixture_create "$G" ${R}shared-prop -v "$risk_dir/shared:/shared:rshared" "$FIXTURE_BASE"
fixture_run "$G" ${R}restart-always --restart always "$FIXTURE_BASE"
fixture_create "$G" ${R}cgroup-parent --cgroup-parent /unroot-fixture "$FIXTURE_BASE"
fixture_run "$G" ${R}no-health --no-healthcheck containrrr/watchtower:latest
fixture_create "$G" ${R}lsm-off --security-opt apparmor=unconfined --security-opt label=disable \
  "$FIXTURE_BASE"

# --- escape patterns --------------------------------------------------------------------------
fixture_create "$G" ${R}caps --cap-add SYS_ADMIN --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH \
  --cap-add SYS_MODULE --cap-add SYS_TIME --cap-add NET_ADMIN --pid host \
  -v /lib/modules:/lib/modules:ro "$FIXTURE_BASE"
fixture_create "$G" ${R}systempaths --security-opt systempaths=unconfined "$FIXTURE_BASE"
fixture_create "$G" ${R}leaky-workdir -w /proc/self/fd/7 "$FIXTURE_BASE"
fixture_run "$G" ${R}secrets -e DB_PASSWORD=unroot-fixture-secret-1 \
  -e GITHUB_TOKEN=unroot-fixture-secret-2 -e TZ=UTC "$FIXTURE_BASE"
fixture_run "$G" ${R}latest busybox:latest

# --- rootless blockers and changes ------------------------------------------------------------
fixture_run "$G" ${R}high-uid -u 70000:70000 "$FIXTURE_BASE"
fixture_create "$G" ${R}ulimit --ulimit nofile=1048576:1048576 "$FIXTURE_BASE"
# A host-monitoring agent as node-exporter/cAdvisor are run: a blocker, not a change.
fixture_create "$G" ${R}monitor-agent --pid host --cap-add SYS_PTRACE -v /:/host:ro \
  -v /proc:/host/proc:ro -v /sys:/host/sys:ro "$FIXTURE_BASE"
fixture_create "$G" ${R}sysctl-hostnet --network host --sysctl net.ipv4.ip_forward=1 "$FIXTURE_BASE"
fixture_run "$G" ${R}bind-data -v "$risk_dir/data:/data" "$FIXTURE_BASE"
fixture_run "$G" ${R}volume -v unroot-r-vol:/data "$FIXTURE_BASE"
# Settings with no counterpart in a unit: each must come back as a note, never dropped.
fixture_create "$G" ${R}legacy --link ${R}volume:db --volumes-from ${R}volume -P \
  --expose 8080 --oom-score-adj 200 --cpuset-mems 0 "$FIXTURE_BASE"

# --- odd text: labels with control characters, pipes, backticks and wide characters --------------
fixture_run "$G" ${R}odd-labels --label "note=名前 🚀 |pipe| \`tick\` $(printf '\033[31mred')" \
  --label "$(printf 'multi\nline')=x" "$FIXTURE_BASE"
