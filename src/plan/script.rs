//! The host-path policy of migrate.sh's bind-mount hand-over.
//!
//! The scripts themselves are built elsewhere: [`crate::migration`] (the typed steps) and
//! [`crate::render::shell`] (the only code that writes shell).

/// Why a bind-mount source must never be chowned by migrate.sh, or `None` when it may be.
///
/// Handing a system path to the rootless user breaks the host (`/etc`, `/root/.ssh`) or
/// gives the user root-equivalent power (`/var/run/docker.sock`): such mounts are left
/// alone and reported instead, whatever the generators ask for.
pub fn chown_refusal(path: &str) -> Option<&'static str> {
    const SYSTEM_TREES: &[&str] = &[
        "/etc",
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/boot",
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/var/run",
        "/var/lib/docker",
        "/var/lib/containers",
        "/var/lib/systemd",
        "/var/log",
        "/root",
        "/tmp",
        "/var/tmp",
        "/snap",
    ];
    const TOP_LEVEL: &[&str] = &[
        "/", "/home", "/srv", "/mnt", "/media", "/opt", "/var", "/var/lib", "/data",
    ];
    let trimmed = path.trim_end_matches('/');
    let p = if trimmed.is_empty() { "/" } else { trimmed };
    if !p.starts_with('/') || p.split('/').any(|part| part == "..") {
        return Some("not an absolute, normalized path");
    }
    if p.ends_with(".sock") || p.contains("/docker.sock") || p.contains("/podman.sock") {
        return Some("a daemon socket: handing it to the user would give away its power");
    }
    if SYSTEM_TREES
        .iter()
        .any(|t| p == *t || p.starts_with(&format!("{t}/")))
    {
        return Some("a system path: changing its owner would break the host");
    }
    if TOP_LEVEL.contains(&p) {
        return Some("a top-level directory shared by the whole host");
    }
    if p.starts_with("/home/") && p.matches('/').count() == 2 {
        return Some("a user's home directory");
    }
    None
}
