//! Tracing to a log file, never to the terminal (the TUI owns it; batch output is parsed).
//!
//! The log must never hold a secret, at any level. Two rules make that hold:
//! - only unroot's own code may log below `info`: the HTTP stack logs every response body
//!   at `debug`/`trace` (bollard's body of `GET /containers/{id}/json` is every environment
//!   value, passwords included), so every other crate is capped at `info` whatever
//!   `UNROOT_LOG` asks for, and a crate added later is capped too;
//! - unroot itself logs the model only through [`log_inventory`]: names, images and env
//!   variable *names*, each through [`one_line`], never a value.
//!
//! The file is created mode 0600 in a directory created 0700, and never through a symlink.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

use crate::model::Inventory;
use crate::render::text::one_line;

/// Keeps the log writer alive for the program's lifetime.
pub struct LogGuard;

/// The most verbose level any code outside unroot may log at.
const DEPENDENCY_CAP: Level = Level::INFO;

/// Start logging to `path` or the default state file. Returns `None` (and logs nothing)
/// when the file cannot be opened: logging is a diagnostic aid, not a precondition.
pub fn init(path: Option<&Path>) -> Option<LogGuard> {
    let path = path.map(Path::to_path_buf).or_else(default_path)?;
    let file = open_private(&path).ok()?;
    let filter = EnvFilter::try_from_env("UNROOT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .with_filter(filter)
        .with_filter(filter_fn(|meta| {
            is_own_target(meta.target()) || *meta.level() <= DEPENDENCY_CAP
        }));
    tracing_subscriber::registry().with(layer).try_init().ok()?;
    Some(LogGuard)
}

/// Whether a log target is unroot's own code (which never logs a value it has not passed
/// through [`log_inventory`]'s redaction) rather than a dependency's.
pub fn is_own_target(target: &str) -> bool {
    target == "unroot" || target.starts_with("unroot::")
}

/// Open (append) the log file: a missing parent is created 0700, the file 0600, an existing
/// regular file is narrowed to 0600, and a symlink at the path is refused (`O_NOFOLLOW`) so
/// the log cannot be pointed at another file.
///
/// Only a regular file is narrowed: `--log-file /dev/null` (or a FIFO) is a device the whole
/// host shares, and narrowing /dev/null to 0600 as root breaks every unprivileged process
/// that writes to it (it did, on a test machine: rootless Podman's newuidmap failed).
pub fn open_private(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let meta = file.metadata()?;
    if meta.file_type().is_file() && meta.permissions().mode() & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Log what was read at `debug`: each container's name, image and the *names* of its
/// environment variables, every one through [`one_line`]. Values are never logged: any of
/// them may be a password, and the log is read by whoever debugs.
pub fn log_inventory(inventory: &Inventory) {
    tracing::debug!(
        "inventory from {}: {} containers, {} images, {} networks, {} volumes",
        one_line(&inventory.source),
        inventory.containers.len(),
        inventory.images.len(),
        inventory.networks.len(),
        inventory.volumes.len()
    );
    for c in &inventory.containers {
        let env_names: Vec<_> = c.env.iter().map(|e| one_line(&e.name)).collect();
        tracing::debug!(
            "container {} image {} env names [{}]",
            one_line(&c.name),
            one_line(&c.image),
            env_names.join(", ")
        );
    }
}

fn default_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("unroot").join("unroot.log"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unroot_targets_are_own() {
        assert!(is_own_target("unroot"));
        assert!(is_own_target("unroot::docker::read"));
        for t in [
            "bollard::docker",
            "hyper_util::client",
            "h2",
            "unrootx",
            "podman_api",
        ] {
            assert!(!is_own_target(t), "{t}");
        }
    }

    #[test]
    fn a_device_as_log_file_keeps_its_mode() {
        // A private copy of /dev/null (char 1,3) so a regression cannot break the host's.
        let dir = tempfile::tempdir().unwrap();
        let null = dir.path().join("null");
        let made = std::process::Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            // CI runs as root: there, a missing mknod is a failure, not a skip.
            assert!(
                std::env::var("UNROOT_REQUIRE_DOCKER").as_deref() != Ok("1"),
                "mknod failed under UNROOT_REQUIRE_DOCKER=1"
            );
            eprintln!("SKIPPED: a_device_as_log_file_keeps_its_mode: mknod needs root");
            return;
        }
        fs::set_permissions(&null, fs::Permissions::from_mode(0o666)).unwrap();
        open_private(&null).unwrap();
        let mode = fs::metadata(&null).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666, "a device's mode must not be narrowed");
    }

    #[test]
    fn log_file_is_private_and_never_followed_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/state/unroot.log");
        open_private(&path).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);

        // An existing world-readable log is narrowed.
        let old = dir.path().join("old.log");
        fs::write(&old, "x").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        open_private(&old).unwrap();
        assert_eq!(mode(&old), 0o600);

        let target = dir.path().join("target");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_private(&link).is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
    }
}
