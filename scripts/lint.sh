#!/usr/bin/env bash
# Stage `lint`: formatting, clippy with warnings as errors, and the RustSec audit against the
# offline advisory snapshot in ../shared/advisory-db (this machine reaches no advisory feed).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check
# The static bash migrate.sh and rollback.sh include verbatim (the generated scripts are
# shellchecked by the tests).
shellcheck src/render/shell/*.sh
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --no-default-features --all-targets -- -D warnings

db="${UNROOT_ADVISORY_DB:-../shared/advisory-db}"
if [ ! -d "$db/crates" ]; then
  echo "lint: SKIPPED cargo audit: no advisory database at $db (set UNROOT_ADVISORY_DB)" >&2
  exit 0
fi
if ! command -v cargo-audit >/dev/null 2>&1; then
  echo "lint: installing cargo-audit" >&2
  cargo install --locked cargo-audit
fi
# paste (RUSTSEC-2024-0436, unmaintained, a build-time proc macro) comes with podman-api;
# it is a warning, not a vulnerability, and the `podman` feature can be turned off.
cargo audit --db "$db" --no-fetch
