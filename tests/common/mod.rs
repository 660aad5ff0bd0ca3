//! Helpers shared by the integration tests: finding the real parts (Docker engine, quadlet
//! generator, rootless Podman root) and deciding between "skip with a notice" outside the
//! test command and "fail" inside it (`UNROOT_REQUIRE_*=1`, set by `scripts/test`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// The real Podman 5.8.x quadlet binary (Debian forky's) fetched by
/// `scripts/get-quadlet.sh forky`: the generated forms for targets 5.5 to 5.8 go through it,
/// as older targets go through 5.4.2. Required where the 5.4.2 one is (`scripts/test`).
pub fn quadlet_bin_58() -> Option<PathBuf> {
    let path = std::env::var_os("UNROOT_QUADLET_BIN_58")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from("/var/cache/unroot-test/podman-5.8/usr/libexec/podman/quadlet")
        });
    if path.is_file() {
        Some(path)
    } else {
        skip_or_fail(
            "UNROOT_REQUIRE_PODMAN",
            "the Podman 5.8 quadlet generator (scripts/get-quadlet.sh forky)",
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

/// Run unroot against the local engine's socket (whatever DOCKER_HOST says); it must succeed.
pub fn on_local_engine(args: &[&str]) -> Output {
    let out = unroot()
        .args(args)
        .args(["--docker-host", "unix:///var/run/docker.sock"])
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "unroot {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run the binary with `args` and capture everything.
pub fn run(args: &[&str]) -> Output {
    unroot().args(args).output().expect("run unroot")
}

/// Run the binary with `args`; fail the test with its output unless it exits 0.
pub fn ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "unroot {args:?} failed ({:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A temporary path as a command-line argument (test paths are UTF-8).
pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit code `code` and exactly one line `unroot: error: ...` containing every `needles`.
pub fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {err}");
    assert!(lines[0].starts_with("unroot: error: "), "{err}");
    for n in needles {
        assert!(lines[0].contains(n), "missing {n:?} in: {err}");
    }
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}
