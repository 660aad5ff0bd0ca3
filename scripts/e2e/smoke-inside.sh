#!/usr/bin/env bash
# Runs inside the rootless root (via `scripts/rootless-host.sh check`): prove that an
# unprivileged user gets rootless Podman 5 with pasta, and that a container it starts serves
# HTTP through a pasta-forwarded port. Exits non-zero on any mismatch.
set -euo pipefail
# shellcheck source=scripts/e2e/rootless-lib.sh
source "$UNROOT_LIB"

user=unroot-smoke
rootless_user "$user" 2990 2990000000 65536
# Fresh storage each check: nothing from an earlier run can make it pass.
rm -rf "/home/$user/.local/share/containers" "/home/$user/.config/containers"

info="$(user_podman "$user" info --format '{{.Host.Security.Rootless}} {{.Host.RootlessNetworkCmd}} {{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Version.Version}}')"
echo "podman info as $user: $info"
read -r rootless netcmd runtime cgm version <<<"$info"
[ "$rootless" = true ] || { echo "not rootless" >&2; exit 1; }
[ "$netcmd" = pasta ] || { echo "rootless network command is $netcmd, not pasta" >&2; exit 1; }
[ "$runtime" = runc ] || { echo "runtime is $runtime, not runc" >&2; exit 1; }
[ "$cgm" = cgroupfs ] || { echo "cgroup manager is $cgm, not cgroupfs" >&2; exit 1; }
case "$version" in 5.*) ;; *) echo "podman $version is not 5.x" >&2; exit 1 ;; esac

# A tiny image from the root's own busybox, then a pasta-published httpd.
busybox_image "$user" localhost/unroot-smoke:1 unroot-smoke-ok
port="${UNROOT_SMOKE_PORT:-18391}"
user_podman "$user" run -d --name smoke --network pasta -p "$port:8080" localhost/unroot-smoke:1 \
  /bin/busybox httpd -f -p 8080 -h /www >/dev/null
got=""
for _ in $(seq 1 50); do
  got="$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null || true)"
  [ -n "$got" ] && break
  sleep 0.2
done
[ "$got" = "unroot-smoke-ok" ] || { echo "httpd through pasta answered '$got'" >&2; user_podman "$user" logs smoke >&2 || true; exit 1; }
echo "container served HTTP through pasta on port $port"
pid="$(user_podman "$user" inspect --format '{{.State.Pid}}' smoke)"
uid="$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
echo "container process $pid runs as host UID $uid"
[ "$uid" != 0 ] || { echo "container runs as host root" >&2; exit 1; }
user_podman "$user" rm -f -t 0 smoke >/dev/null
echo "rootless smoke check passed"
