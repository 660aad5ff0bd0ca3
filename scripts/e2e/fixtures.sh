# shellcheck shell=bash
# The e2e stage's fixture services on the real rootful Docker engine, sourced by scripts/e2e.sh.
# Every object carries the label unroot.e2e=1 so it can be found and removed again; the
# images are imported from busybox-static (no registry is reachable) with a per-run token in
# their pages, so a stale image or container from an earlier run can never make a check pass.
#
# Needs: scripts/fixtures-lib.sh (fixture_rootfs), $E2E_WORK, $E2E_TOKEN.

E2E_LABEL=unroot.e2e
E2E_PREFIX=unroot-e2e
# Host ports: one below 1024 (needs the unprivileged-port sysctl under rootless Podman) and
# one above. Unusual numbers, so other fixture fleets on the same engine do not collide.
E2E_PORT_LOW="${UNROOT_E2E_PORT_LOW:-981}"
E2E_PORT_HIGH="${UNROOT_E2E_PORT_HIGH:-28481}"
# A second privileged port, whose plan decision is edited to a remap (E2E_PORT_REMAPPED).
E2E_PORT_REMAP="${UNROOT_E2E_PORT_REMAP:-982}"
# shellcheck disable=SC2034 # read by scripts/e2e.sh
E2E_PORT_REMAPPED="${UNROOT_E2E_PORT_REMAPPED:-28482}"
E2E_PROJECT="$E2E_PREFIX-proj"
E2E_NETWORK="${E2E_PROJECT}_backend"
E2E_VOLUME="$E2E_PREFIX-data"
E2E_DATA_UID=1000
# A value that needs every kind of quoting on its way through unroot's Environment= writer,
# quadlet's ExecStart and systemd's (here: quadlet-run's) command-line rules.
# shellcheck disable=SC2016 # literal $ on purpose
E2E_TRICKY_VALUE='it'"'"'s "quoted" $HOME ${USER} 100% %n \back\slash; `tick` a=b  two  spaces'

# shellcheck disable=SC2034 # read by scripts/e2e.sh
E2E_CONTAINERS=(
  "$E2E_PREFIX-web-low" "$E2E_PREFIX-web-high" "$E2E_PREFIX-web-remap" "$E2E_PREFIX-data"
  "$E2E_PROJECT-api-1" "$E2E_PROJECT-client-1" "$E2E_PREFIX-watched"
)
# A Watchtower-style watcher (issue 14): planned, but replaced by Podman's auto-update rather
# than migrated, so it stays on Docker and is not one of E2E_CONTAINERS.
# shellcheck disable=SC2034 # read by scripts/e2e.sh
E2E_WATCHER="$E2E_PREFIX-watchtower"

e2e_log() { printf 'e2e: %s\n' "$*" >&2; }

# e2e_image REF PAGE [--change INSTRUCTION]...: busybox rootfs with /www/index.html = PAGE.
e2e_image() {
  local ref="$1" page="$2" rootfs="$E2E_WORK/rootfs-${1//[^a-z0-9]/_}"
  shift 2
  fixture_rootfs
  rm -rf "$rootfs"
  cp -a "$FIXTURE_ROOTFS" "$rootfs"
  printf '%s\n' "$page" >"$rootfs/www/index.html"
  local args=() change
  for change in "$@"; do
    args+=(--change "$change")
  done
  tar -C "$rootfs" -c . | docker import "${args[@]}" --change "LABEL $E2E_LABEL=1" - "$ref" >/dev/null
  rm -rf "$rootfs"
}

# Remove every e2e object (containers, networks, volumes, images), whatever run made them.
e2e_fixtures_remove() {
  local ids
  ids="$(docker ps -aq --filter "label=$E2E_LABEL")"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
  ids="$(docker network ls -q --filter "label=$E2E_LABEL")"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || docker network rm $ids >/dev/null
  ids="$(docker volume ls -q --filter "label=$E2E_LABEL")"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || docker volume rm -f $ids >/dev/null
  ids="$(docker image ls -q --filter "label=$E2E_LABEL" | sort -u)"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || docker image rm -f $ids >/dev/null
}

# The pages each HTTP service serves; the token ties them to this run.
e2e_page() { printf 'unroot-e2e %s %s\n' "$1" "$E2E_TOKEN"; }

e2e_fixtures_create() {
  e2e_fixtures_remove
  local web_low="$E2E_PREFIX/web-low:$E2E_TOKEN" web_high="$E2E_PREFIX/web-high:$E2E_TOKEN"
  local data="$E2E_PREFIX/data:$E2E_TOKEN" api="$E2E_PREFIX/api:$E2E_TOKEN"
  local web_remap="$E2E_PREFIX/web-remap:$E2E_TOKEN"
  local watched="$E2E_PREFIX/watched:$E2E_TOKEN" watcher="$E2E_PREFIX/watchtower:$E2E_TOKEN"
  e2e_image "$web_low" "$(e2e_page web-low)" 'EXPOSE 80/tcp' 'ENV APP_MODE=image-default' \
    'CMD ["/bin/httpd","-f","-p","80","-h","/www"]'
  e2e_image "$web_high" "$(e2e_page web-high)" 'EXPOSE 8080/tcp' \
    'CMD ["/bin/httpd","-f","-p","8080","-h","/www"]'
  e2e_image "$web_remap" "$(e2e_page web-remap)" 'EXPOSE 80/tcp' \
    'CMD ["/bin/httpd","-f","-p","80","-h","/www"]'
  e2e_image "$data" "$(e2e_page data)" "USER $E2E_DATA_UID" 'VOLUME /data' \
    'CMD ["/bin/sleep","infinity"]'
  e2e_image "$api" "$(e2e_page api)" 'CMD ["/bin/httpd","-f","-p","8080","-h","/www"]'
  e2e_image "$watched" "$(e2e_page watched)" 'CMD ["/bin/sleep","infinity"]'
  # Named like Watchtower's image (the last path component) and carrying its own label: enough
  # for unroot to recognise a watcher. It only sleeps; the socket is mounted, never used.
  e2e_image "$watcher" "$(e2e_page watchtower)" 'CMD ["/bin/sleep","infinity"]'

  # (a) HTTP on a privileged and an unprivileged host port, with a secret in the environment.
  docker run -d --name "$E2E_PREFIX-web-low" --label "$E2E_LABEL=1" --stop-timeout 2 --restart unless-stopped \
    -p "$E2E_PORT_LOW:80" -e APP_MODE=production -e "API_TOKEN=$E2E_SECRET" \
    "$web_low" >/dev/null
  docker run -d --name "$E2E_PREFIX-web-high" --label "$E2E_LABEL=1" --stop-timeout 2 --restart always \
    -p "$E2E_PORT_HIGH:8080" -e APP_MODE=staging -e "API_TOKEN=$E2E_SECRET" --user "$E2E_DATA_UID" \
    "$web_high" /bin/httpd -f -p 8080 -h /www >/dev/null

  # A custom seccomp profile (Docker stores its JSON in HostConfig.SecurityOpt): everything
  # allowed but mkdir, so the rootless side can prove the profile was carried over and applied.
  printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' \
    >"$E2E_WORK/seccomp-web-remap.json"
  docker run -d --name "$E2E_PREFIX-web-remap" --label "$E2E_LABEL=1" --stop-timeout 2 --restart unless-stopped \
    --security-opt "seccomp=$E2E_WORK/seccomp-web-remap.json" -p "$E2E_PORT_REMAP:80" "$web_remap" >/dev/null

  # (b) A named volume with known data, owned by and only readable for a non-root UID.
  docker volume create --label "$E2E_LABEL=1" "$E2E_VOLUME" >/dev/null
  docker run --rm --label "$E2E_LABEL=1" --user 0 -v "$E2E_VOLUME:/data" "$data" /bin/sh -c "
    mkdir -p /data/sub && printf '%s\n' '$E2E_TOKEN' >/data/token.txt &&
    dd if=/dev/urandom of=/data/sub/blob.bin bs=1k count=64 2>/dev/null &&
    chown -R $E2E_DATA_UID:$E2E_DATA_UID /data && chmod 0700 /data/sub && chmod 0600 /data/token.txt" >/dev/null
  docker run -d --name "$E2E_PREFIX-data" --label "$E2E_LABEL=1" --stop-timeout 2 --restart unless-stopped \
    -v "$E2E_VOLUME:/data" "$data" >/dev/null

  # (c) A compose-style project: two services on a user-defined network, the client reaches the
  # api by its service name (compose gives each container its service name as an alias).
  local compose_labels=(--label "$E2E_LABEL=1" --label "com.docker.compose.project=$E2E_PROJECT"
    --label com.docker.compose.project.working_dir=/srv/unroot-e2e
    --label com.docker.compose.project.config_files=/srv/unroot-e2e/compose.yaml
    --label com.docker.compose.version=1.29.2 --label com.docker.compose.oneoff=False
    --label com.docker.compose.container-number=1)
  docker network create --label "$E2E_LABEL=1" --label "com.docker.compose.project=$E2E_PROJECT" \
    --label com.docker.compose.network=backend "$E2E_NETWORK" >/dev/null
  docker run -d --name "$E2E_PROJECT-api-1" "${compose_labels[@]}" \
    --label com.docker.compose.service=api --network "$E2E_NETWORK" --network-alias api \
    --stop-timeout 2 --restart unless-stopped "$api" >/dev/null
  docker run -d --name "$E2E_PROJECT-client-1" "${compose_labels[@]}" \
    --label com.docker.compose.service=client --network "$E2E_NETWORK" --network-alias client \
    --stop-timeout 2 --restart unless-stopped -e "API_URL=http://api:8080/" -e "MOTTO=$E2E_TRICKY_VALUE" "$api" /bin/sleep infinity >/dev/null

  # (d) A watcher in label-enable mode with the Docker socket, and the one container that opted
  # in to its updates: unroot replaces the watcher by AutoUpdate= on that container's unit
  # (`local`: its image was built here, no registry serves it).
  docker run -d --name "$E2E_WATCHER" --label "$E2E_LABEL=1" --label com.centurylinklabs.watchtower=true \
    --stop-timeout 2 --restart unless-stopped -e WATCHTOWER_LABEL_ENABLE=true \
    -v /var/run/docker.sock:/var/run/docker.sock "$watcher" >/dev/null
  docker run -d --name "$E2E_PREFIX-watched" --label "$E2E_LABEL=1" \
    --label com.centurylinklabs.watchtower.enable=true --stop-timeout 2 --restart unless-stopped \
    "$watched" >/dev/null
}
