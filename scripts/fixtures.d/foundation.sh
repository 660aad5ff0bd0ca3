# shellcheck shell=bash
# Fixture group `foundation`: one container per normalization case of the inventory
# (capabilities, privileged, users, ports, mounts, security options, restart policies,
# healthchecks, env split, compose labels, networks, namespaces, devices, resources, states).
# tests/docker_inventory.rs reads these through unroot and compares with `docker inspect`.
# Sourced by scripts/fixtures.sh (helpers from scripts/fixtures-lib.sh). Idempotent.

G=foundation
P=unroot-f-   # container name prefix
fixture_reset "$G"

# The API directly, for forms today's CLI normalizes away (lower-case caps without CAP_,
# legacy `key:value` security options). Read-only elsewhere; this is fixture setup.
fixture_api_create() {
  local name=$1 body=$2
  local socket=/var/run/docker.sock
  case "${DOCKER_HOST:-}" in unix://*) socket=${DOCKER_HOST#unix://} ;; esac
  curl -fsS --unix-socket "$socket" -H 'Content-Type: application/json' \
    -X POST "http://localhost/containers/create?name=$name" -d "$body" >/dev/null
}

host_dir=${TMPDIR:-/tmp}/unroot-fixture-foundation
mkdir -p "$host_dir/config" "$host_dir/shared"

fixture_network "$G" unroot-f-proj_default --driver bridge \
  --label com.docker.compose.project=unroot-f-proj --label com.docker.compose.network=default
fixture_network "$G" unroot-f-internal --driver bridge --internal
fixture_volume "$G" unroot-f-proj_db
fixture_volume "$G" unroot-f-data

# --- users --------------------------------------------------------------------------
fixture_run "$G" ${P}user-default "$FIXTURE_BASE"
fixture_run "$G" ${P}user-0 -u 0 "$FIXTURE_BASE"
fixture_run "$G" ${P}user-root -u root "$FIXTURE_BASE"
fixture_run "$G" ${P}user-0-0 -u 0:0 "$FIXTURE_BASE"
fixture_run "$G" ${P}user-root-root -u root:root "$FIXTURE_BASE"
fixture_run "$G" ${P}user-1000 -u 1000:1000 "$FIXTURE_BASE"
fixture_run "$G" ${P}user-name -u app "$FIXTURE_BASE"
fixture_run "$G" ${P}user-image grafana/grafana:11.3.0   # USER 472 from the image

# --- capabilities -----------------------------------------------------------------------
fixture_create "$G" ${P}caps-add --cap-add CAP_NET_ADMIN --cap-add sys_time --cap-drop net_raw \
  "$FIXTURE_BASE"
fixture_api_create ${P}caps-raw "{\"Image\":\"$FIXTURE_BASE\",\"Labels\":{\"$FIXTURE_LABEL\":\"$G\"},
  \"HostConfig\":{\"CapAdd\":[\"net_admin\",\"Sys_Ptrace\"],\"CapDrop\":[\"cap_mknod\"]}}"
fixture_run "$G" ${P}caps-drop-all --cap-drop ALL --cap-add NET_BIND_SERVICE "$FIXTURE_BASE"
fixture_create "$G" ${P}caps-add-all --cap-add ALL --cap-drop SYS_ADMIN "$FIXTURE_BASE"
fixture_create "$G" ${P}privileged --privileged "$FIXTURE_BASE"

# --- ports --------------------------------------------------------------------------
# High host ports: other fixture groups publish on the same engine at the same time.
# A host range for one container port (38110-38119:8110): Docker binds one port of it at start.
fixture_run "$G" ${P}ports --expose 9999 -p 127.0.0.1:38080:80 -p 38053:53/udp \
  -p 38100-38102:8100-8102 -p 127.0.0.1::81 -p 38110-38119:8110 nginx:1.25
fixture_create "$G" ${P}ports-v6 -p '[::1]:38081:80' -p '[::]:38082:80/tcp' -p 38090-38091:90 \
  nginx:1.25

# --- mounts -------------------------------------------------------------------------
fixture_run "$G" ${P}mounts \
  -v "$host_dir/config:/config:ro" \
  -v unroot-f-data:/data \
  -v /anonymous \
  --tmpfs /run/app:size=65536k,mode=1777 \
  --mount type=tmpfs,dst=/cache,tmpfs-size=1048576,tmpfs-mode=0700 \
  "$FIXTURE_BASE"

# Propagation needs a shared host mount to start: kept Created, inspect shows it all the same.
fixture_create "$G" ${P}mounts-propagation \
  --mount "type=bind,src=$host_dir/shared,dst=/shared,bind-propagation=rslave" "$FIXTURE_BASE"

# --- bind mount owners --------------------------------------------------------------
# unroot reads the owner of a bind source when the engine runs on this machine; these paths
# have known owners (a foreign UID, root) and one is removed after creation (owner unknown).
owned_root=/var/tmp/unroot-fixtures
mkdir -p "$owned_root/owned-1234" "$owned_root/root-owned" "$owned_root/gone"
chown 1234:1234 "$owned_root/owned-1234"
chown 0:0 "$owned_root/root-owned"
fixture_run "$G" ${P}mounts-owned -v "$owned_root/owned-1234:/data" \
  -v "$owned_root/root-owned:/config:ro" "$FIXTURE_BASE"
fixture_create "$G" ${P}mounts-gone -v "$owned_root/gone:/gone" "$FIXTURE_BASE"
rmdir "$owned_root/gone"

# --- security options ----------------------------------------------------------------
fixture_run "$G" ${P}secopt-eq --security-opt seccomp=unconfined \
  --security-opt no-new-privileges=true "$FIXTURE_BASE"
fixture_run "$G" ${P}secopt-nnp-bare --security-opt no-new-privileges "$FIXTURE_BASE"
fixture_api_create ${P}secopt-legacy "{\"Image\":\"$FIXTURE_BASE\",\"Labels\":{\"$FIXTURE_LABEL\":\"$G\"},
  \"HostConfig\":{\"SecurityOpt\":[\"seccomp:unconfined\",\"no-new-privileges:false\",\"label:disable\"]}}"
fixture_create "$G" ${P}secopt-apparmor --security-opt apparmor=unconfined \
  --security-opt no-new-privileges:true "$FIXTURE_BASE"

# --- restart policies ----------------------------------------------------------------
fixture_run "$G" ${P}restart-always --restart always "$FIXTURE_BASE"
fixture_run "$G" ${P}restart-unless --restart unless-stopped "$FIXTURE_BASE"
fixture_run "$G" ${P}restart-onfailure --restart on-failure:5 "$FIXTURE_BASE"

# --- healthchecks -------------------------------------------------------------------
fixture_run "$G" ${P}health-own --health-cmd 'true' --health-interval 30s --health-retries 2 \
  --health-timeout 5s --health-start-period 10s "$FIXTURE_BASE"
fixture_run "$G" ${P}health-image containrrr/watchtower:latest
fixture_run "$G" ${P}health-none --no-healthcheck containrrr/watchtower:latest

# --- environment: image ENV vs container -e -------------------------------------------
fixture_run "$G" ${P}env -e PG_MAJOR=15 -e POSTGRES_PASSWORD=fixture-not-a-secret \
  -e EMPTY_VALUE= postgres:16

# --- a compose project on a user-defined network ------------------------------------------
compose_labels() {
  local service=$1 deps=$2
  printf -- '--label\0com.docker.compose.project=unroot-f-proj\0'
  printf -- '--label\0com.docker.compose.service=%s\0' "$service"
  printf -- '--label\0com.docker.compose.project.working_dir=/srv/unroot-f-proj\0'
  printf -- '--label\0com.docker.compose.project.config_files=/srv/unroot-f-proj/docker-compose.yml\0'
  printf -- '--label\0com.docker.compose.depends_on=%s\0' "$deps"
  printf -- '--label\0com.docker.compose.version=2.29.7\0'
}
mapfile -d '' db_labels < <(compose_labels db '')
mapfile -d '' app_labels < <(compose_labels app 'db:service_started:false,cache:service_healthy:true')
fixture_run "$G" unroot-f-proj-db-1 "${db_labels[@]}" --network unroot-f-proj_default \
  --network-alias db -e MARIADB_PASSWORD=fixture-not-a-secret -v unroot-f-proj_db:/var/lib/mysql \
  mariadb:10.11
fixture_run "$G" unroot-f-proj-app-1 "${app_labels[@]}" --network unroot-f-proj_default \
  --network-alias app -e DB_HOST=db nextcloud:29-apache
docker network connect unroot-f-internal unroot-f-proj-app-1

# --- network and namespace modes --------------------------------------------------------
fixture_run "$G" ${P}net-host --network host "$FIXTURE_BASE"
fixture_run "$G" ${P}net-none --network none "$FIXTURE_BASE"
fixture_run "$G" ${P}net-container --network container:${P}user-1000 "$FIXTURE_BASE"
fixture_create "$G" ${P}ns-host --pid host --ipc host --uts host "$FIXTURE_BASE"

# --- devices, resources and the rest of HostConfig ------------------------------------------
fixture_run "$G" ${P}devices --device /dev/null:/dev/xnull:r --device /dev/zero "$FIXTURE_BASE"
fixture_run "$G" ${P}resources --read-only --init --memory 64m --memory-reservation 32m \
  --pids-limit 100 --cpus 0.5 --cpu-shares 512 --ulimit nofile=1024:2048 \
  --sysctl net.ipv4.ip_unprivileged_port_start=80 --dns 192.0.2.53 --dns-search example.invalid \
  --add-host db.example.invalid:192.0.2.10 --group-add 1234 --log-driver json-file \
  --log-opt max-size=5m --stop-signal SIGINT --stop-timeout 20 --shm-size 128m \
  --hostname fixture-host -w /tmp "$FIXTURE_BASE"

# --- states -----------------------------------------------------------------------
fixture_create "$G" ${P}state-created "$FIXTURE_BASE"
fixture_run "$G" ${P}state-exited "$FIXTURE_BASE" /bin/true
docker wait ${P}state-exited >/dev/null
fixture_log "group $G: $(docker ps -aq --filter "label=$FIXTURE_LABEL=$G" | wc -l) containers"
