//! Helpers shared by the integration tests: finding the real parts (Docker engine, quadlet
//! generator, rootless Podman root) and deciding between "skip with a notice" outside the
//! test command and "fail" inside it (`UNROOT_REQUIRE_*=1`, set by `scripts/test`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// True when the variable is set to `1` by `scripts/test` / CI.
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// Print a visible skip notice, or panic when the part is required.
pub fn skip_or_fail(var: &str, what: &str) {
    if required(var) {
        panic!("{what} is required ({var}=1) but not available");
    }
    eprintln!("SKIPPED: {what} not available (set {var}=1 to make this a failure)");
}

/// Whether a Docker engine answers (`docker info`); skips or fails when not.
pub fn docker_available() -> bool {
    let ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip_or_fail("UNROOT_REQUIRE_DOCKER", "a Docker engine");
    }
    ok
}

/// The real Podman 5.4.2 quadlet binary fetched by `scripts/get-quadlet.sh`.
pub fn quadlet_bin() -> Option<PathBuf> {
    let path = std::env::var_os("UNROOT_QUADLET_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from("/var/cache/unroot-test/podman-5.4.2/usr/libexec/podman/quadlet")
        });
    if path.is_file() {
        Some(path)
    } else {
        skip_or_fail(
            "UNROOT_REQUIRE_PODMAN",
            "the Podman 5.4.2 quadlet generator",
        );
        None
    }
}

/// The trixie root with rootless Podman made by `scripts/rootless-host.sh`.
pub fn rootless_root() -> Option<PathBuf> {
    let path = std::env::var_os("UNROOT_ROOTLESS_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/unroot-test/trixie-root"));
    if path.join("usr/bin/podman").is_file() {
        Some(path)
    } else {
        skip_or_fail("UNROOT_REQUIRE_PODMAN", "the rootless Podman 5.4.2 root");
        None
    }
}

/// The built `unroot` binary.
pub fn unroot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unroot"))
}
