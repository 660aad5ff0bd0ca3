#!/usr/bin/env bash
# Stage `fixtures`: local images from busybox-static (no registry is reachable), tagged under
# real-world names, then every fixture group in scripts/fixtures.d/*.sh. Idempotent.
#   scripts/fixtures.sh            images + all groups
#   scripts/fixtures.sh GROUP...   images + only scripts/fixtures.d/GROUP.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/fixtures-lib.sh
source scripts/fixtures-lib.sh

docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 || {
  fixture_log "no Docker engine answers; run scripts/setup-host.sh first"
  exit 1
}

# The base: a shell that stays up, like most long-running services.
fixture_image "$FIXTURE_BASE" 'CMD ["/bin/sleep","infinity"]'

# Real-world names with the image-level settings that matter to normalization (USER, ENV,
# EXPOSE, VOLUME, HEALTHCHECK), so containers look like real deployments.
fixture_image nginx:1.25 'EXPOSE 80/tcp' 'ENV NGINX_VERSION=1.25.5' \
  'CMD ["/bin/httpd","-f","-p","80","-h","/www"]'
fixture_image postgres:16 'ENV PG_MAJOR=16' 'ENV PGDATA=/var/lib/postgresql/data' \
  'EXPOSE 5432/tcp' 'VOLUME /var/lib/postgresql/data' 'CMD ["/bin/sleep","infinity"]'
fixture_image mariadb:10.11 'ENV MARIADB_VERSION=10.11.9' 'EXPOSE 3306/tcp' \
  'VOLUME /var/lib/mysql' 'CMD ["/bin/sleep","infinity"]'
fixture_image grafana/grafana:11.3.0 'USER 472' 'ENV GF_PATHS_DATA=/var/lib/grafana' \
  'EXPOSE 3000/tcp' 'WORKDIR /usr/share/grafana' 'CMD ["/bin/sleep","infinity"]'
fixture_image containrrr/watchtower:latest \
  'HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["/bin/true"]' \
  'ENTRYPOINT ["/bin/sleep"]' 'CMD ["infinity"]'
fixture_image traefik:v3.1 'EXPOSE 80/tcp' 'CMD ["/bin/sleep","infinity"]'
fixture_image nextcloud:29-apache 'ENV PHP_MEMORY_LIMIT=512M' 'EXPOSE 80/tcp' \
  'VOLUME /var/www/html' 'WORKDIR /var/www/html' 'CMD ["/bin/sleep","infinity"]'
fixture_tag "$FIXTURE_BASE" busybox:latest alpine:3.20 portainer/portainer-ce:2.21.4 \
  jellyfin/jellyfin:10.9.11 pihole/pihole:2024.07.0 homeassistant/home-assistant:2024.11 \
  gitea/gitea:1.22.3

groups=("$@")
if [ ${#groups[@]} -eq 0 ]; then
  for file in scripts/fixtures.d/*.sh; do
    [ -e "$file" ] || continue
    groups+=("$(basename "$file" .sh)")
  done
fi
for group in "${groups[@]}"; do
  file="scripts/fixtures.d/$group.sh"
  [ -f "$file" ] || { fixture_log "no fixture group $file"; exit 2; }
  fixture_log "group $group"
  # shellcheck source=/dev/null
  source "$file"
done
fixture_log "done: $(docker ps -aq --filter label=$FIXTURE_LABEL | wc -l) fixture containers"
