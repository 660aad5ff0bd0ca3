# shellcheck shell=bash
# Fixture group `paths`: read-write bind mounts the host-path policy must tell apart (issue 11,
# chown of host system directories). tests/docker_paths.rs generates the migration for them and
# asserts that migrate.sh hands over (chown -R) only the application directory:
#   - system directories (/var/spool, /var/www, /etc/ssl, /var/lib/kubelet): never chowned;
#   - one directory written by two containers as different users: never chowned, a blocker;
#   - an application's own directory under /srv: chowned.
# The system-directory containers stay Created: nothing ever runs with those mounts.
# Sourced by scripts/fixtures.sh (helpers from scripts/fixtures-lib.sh). Idempotent.

G=paths
P=unroot-p-   # container name prefix
fixture_reset "$G"

paths_dir=/srv/unroot-fixture-paths
mkdir -p "$paths_dir/app" "$paths_dir/shared"

fixture_create "$G" ${P}spool -u 1000:1000 -v /var/spool:/var/spool "$FIXTURE_BASE"
fixture_create "$G" ${P}www -u 1000:1000 -v /var/www:/var/www "$FIXTURE_BASE"
fixture_create "$G" ${P}etc-ssl -u 1000:1000 -v /etc/ssl:/etc/ssl "$FIXTURE_BASE"
fixture_create "$G" ${P}kubelet -v /var/lib/kubelet:/var/lib/kubelet "$FIXTURE_BASE"
fixture_run "$G" ${P}shared-a -u 1000:1000 -v "$paths_dir/shared:/shared" "$FIXTURE_BASE"
fixture_run "$G" ${P}shared-b -u 2000:2000 -v "$paths_dir/shared:/shared" "$FIXTURE_BASE"
fixture_run "$G" ${P}app -u 1000:1000 -v "$paths_dir/app:/data" "$FIXTURE_BASE"
