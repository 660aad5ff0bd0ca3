//! The host-path policy of migrate.sh's bind-mount hand-over.
//!
//! The scripts themselves are built elsewhere: [`crate::migration`] (the typed steps) and
//! [`crate::render::shell`] (the only code that writes shell).

/// Why a bind-mount source must never be chowned by migrate.sh, or `None` when it may be.
///
/// The generators only ask for application directories; this checks again, from the path
/// alone, with the one host-path policy (defence in depth: a hand-edited or buggy
/// `chown_binds` entry for `/etc` or a socket never reaches `chown -R`).
pub fn chown_refusal(path: &str) -> Option<&'static str> {
    crate::model::host_path::chown_refusal(path)
}
