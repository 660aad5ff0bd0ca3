# shellcheck shell=bash
# TEMPORARY scaffolding, used only with UNROOT_E2E_HANDWRITTEN=1: quadlet files and migration
# steps written by hand for the e2e fixtures, to debug the rootless flow before unroot's own
# `plan`/`generate` output exists. The real stage uses unroot's generated files.

hand_generate() {
  local q="$1/quadlet"
  mkdir -p "$q"
  local web_low="$E2E_PREFIX-web-low" web_high="$E2E_PREFIX-web-high"
  cat >"$q/$web_low.container" <<EOF
[Container]
ContainerName=$web_low
Image=localhost/$E2E_PREFIX/web-low:$E2E_TOKEN
EnvironmentFile=$web_low.env
PublishPort=$E2E_PORT_LOW:80
EOF
  printf 'APP_MODE=production\nAPI_TOKEN=%s\n' "$E2E_SECRET" >"$q/$web_low.env"
  cat >"$q/$web_high.container" <<EOF
[Container]
ContainerName=$web_high
Image=localhost/$E2E_PREFIX/web-high:$E2E_TOKEN
User=$E2E_DATA_UID
Exec=/bin/httpd -f -p 8080 -h /www
EnvironmentFile=$web_high.env
PublishPort=$E2E_PORT_HIGH:8080
EOF
  printf 'APP_MODE=staging\nAPI_TOKEN=%s\n' "$E2E_SECRET" >"$q/$web_high.env"
  chmod 0600 "$q"/*.env
  cat >"$q/$E2E_VOLUME.volume" <<EOF
[Volume]
VolumeName=$E2E_VOLUME
EOF
  cat >"$q/$E2E_PREFIX-data.container" <<EOF
[Container]
ContainerName=$E2E_PREFIX-data
Image=localhost/$E2E_PREFIX/data:$E2E_TOKEN
Volume=$E2E_VOLUME.volume:/data
EOF
  cat >"$q/$E2E_NETWORK.network" <<EOF
[Network]
NetworkName=$E2E_NETWORK
EOF
  cat >"$q/$E2E_PROJECT-api-1.container" <<EOF
[Container]
ContainerName=$E2E_PROJECT-api-1
Image=localhost/$E2E_PREFIX/api:$E2E_TOKEN
Network=$E2E_NETWORK.network
NetworkAlias=api
EOF
  cat >"$q/$E2E_PROJECT-client-1.container" <<EOF
[Unit]
After=$E2E_PROJECT-api-1.service
[Container]
ContainerName=$E2E_PROJECT-client-1
Image=localhost/$E2E_PREFIX/api:$E2E_TOKEN
Exec=/bin/sleep infinity
Network=$E2E_NETWORK.network
NetworkAlias=client
Environment=API_URL=http://api:8080/
EOF
}

# Host side: stop, restart=no, save images, export volume data (numeric owners).
hand_host_steps() {
  local staging="$1" name ref vol mp
  mkdir -p "$staging/images" "$staging/volumes"
  for name in "${E2E_CONTAINERS[@]}"; do
    docker update --restart=no "$name" >/dev/null
    docker stop "$name" >/dev/null
  done
  for ref in $(docker ps -a --filter "label=$E2E_LABEL" --format '{{.Image}}' | sort -u); do
    docker save "$ref" -o "$staging/images/${ref//[^a-zA-Z0-9]/_}.tar"
  done
  vol="$E2E_VOLUME"
  mp="$(docker volume inspect --format '{{.Mountpoint}}' "$vol")"
  tar -C "$mp" --numeric-owner -cf "$staging/volumes/$vol.tar" .
  chmod -R a+rX "$staging"
}

# User side (a bash file sourced by inside.sh, defines e2e_user_steps).
hand_user_steps() {
  cat <<'EOF'
e2e_user_steps() {
  local tar vol dest="$home/.config/containers/systemd"
  for tar in "$E2E_STAGING"/images/*.tar; do
    user_podman "$E2E_USER" load -q -i "$tar" || return 1
  done
  for tar in "$E2E_STAGING"/volumes/*.tar; do
    vol="$(basename "$tar" .tar)"
    user_podman "$E2E_USER" volume create --ignore "$vol" >/dev/null || return 1
    user_podman "$E2E_USER" volume import "$vol" "$tar" || return 1
  done
  install -d -o "$E2E_USER" -g "$E2E_USER" -m 0755 "$home/.config" "$home/.config/containers" "$dest"
  cp -a "$E2E_GENERATED/quadlet/." "$dest/"
  chown -R "$E2E_USER:$E2E_USER" "$dest"
}
EOF
}
