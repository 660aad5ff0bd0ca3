//! `unroot verify`: check a rootless Podman target against a plan, before the migration
//! (readiness) and after it (post-migration).
//!
//! I/O is in [`podman`] (the libpod API, feature `podman`) and [`hostfiles`] (files the
//! API does not expose); everything else is pure: [`readiness::readiness`] and
//! [`post::post_migration`] turn [`Expectations`] (from the plan) and [`TargetFacts`] into
//! [`Check`]s.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod check;
#[cfg(feature = "podman")]
pub mod compat;
pub mod expect;
pub mod facts;
pub mod host_checks;
pub mod hostfiles;
pub mod images;
#[cfg(feature = "podman")]
mod libpod_raw;
#[cfg(feature = "podman")]
pub mod podman;
pub mod post;
pub mod readiness;
pub mod render;

pub use check::{Check, Status, Tally};
pub use expect::Expectations;
pub use facts::TargetFacts;
pub use post::{DockerSide, post_migration};
pub use readiness::readiness;

/// Schema tag of `unroot verify --format json`.
pub const REPORT_SCHEMA: &str = "unroot.verify/v1";

/// Which set of checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Before the migration: is the target ready?
    Readiness,
    /// After it: does what runs match the plan?
    Post,
}

/// Post-migration once any planned unit has a container on the target (quadlet's
/// `PODMAN_SYSTEMD_UNIT` label), readiness before. A container that merely has a planned
/// name is someone else's: readiness reports it as a conflict.
pub fn auto_phase(expect: &Expectations, facts: &TargetFacts) -> Phase {
    let started = |c: &expect::ExpectedContainer| {
        let service = c.service();
        facts
            .containers
            .iter()
            .any(|t| t.systemd_unit() == Some(service.as_str()))
    };
    if expect.containers.iter().any(started) {
        Phase::Post
    } else {
        Phase::Readiness
    }
}

/// What `unroot verify --format json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub phase: Phase,
    pub socket: String,
    pub user: String,
    pub podman_version: Option<String>,
    pub summary: Tally,
    pub checks: Vec<Check>,
    /// Which API path served which call (podman-api gaps), and what was read locally.
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(
        phase: Phase,
        expect: &Expectations,
        facts: &TargetFacts,
        checks: Vec<Check>,
    ) -> Self {
        let mut notes = facts.api_notes.clone();
        notes.push(format!(
            "read locally, not through the API: {}/etc/subuid, {0}/etc/subgid, {0}/etc/passwd, \
             /proc/sys/net/ipv4/ip_unprivileged_port_start",
            facts.host_files.root.trim_end_matches('/')
        ));
        for (user, names) in &expect.other_users {
            notes.push(format!(
                "not checked here (they run as {user}; verify with {user}'s socket): {}",
                names.join(", ")
            ));
        }
        Report {
            schema: REPORT_SCHEMA.into(),
            phase,
            socket: facts.socket.clone(),
            user: expect.user.clone(),
            podman_version: facts.podman_version.clone(),
            summary: Tally::of(&checks),
            checks,
            notes,
        }
    }

    /// Exit code contract: 1 when any check failed, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.summary.fail > 0 {
            crate::exit::POLICY
        } else {
            crate::exit::OK
        }
    }
}

/// The target user's default rootless socket: `$XDG_RUNTIME_DIR/podman/podman.sock` of
/// that user, i.e. `/run/user/UID/podman/podman.sock` (UID from `ROOT/etc/passwd`).
/// `XDG_RUNTIME_DIR` is honoured when unroot runs as that very user.
pub fn default_socket(user: &str, host_root: &Path) -> Option<std::path::PathBuf> {
    let uid = hostfiles::passwd_uid(host_root, user)?;
    let own = uzers::get_current_uid() == uid;
    if own && let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        return Some(Path::new(&dir).join("podman/podman.sock"));
    }
    Some(host_root.join(format!("run/user/{uid}/podman/podman.sock")))
}

/// Readiness of the target for what the operator decided so far (the TUI's summary):
/// regenerate the units from the inventory and decisions, then [`readiness_report`].
/// `socket: None` uses the target user's default rootless socket under `host_root`.
pub async fn readiness_for(
    inventory: &crate::model::Inventory,
    target: &crate::plan::Target,
    decisions: &std::collections::BTreeMap<String, crate::plan::ContainerDecision>,
    socket: Option<&Path>,
    host_root: &Path,
) -> anyhow::Result<Report> {
    let socket = match socket {
        Some(path) => path.to_path_buf(),
        None => default_socket(&target.user, host_root).ok_or_else(|| {
            crate::exit::Failure::usage(format!(
                "user {} does not exist on this host: no rootless Podman socket to check",
                target.user
            ))
        })?,
    };
    let expect = expectations_for(inventory, target, decisions, &target.user)?;
    readiness_report(&socket, &expect, host_root).await
}

/// What the plan promises for `user`: the migration is rebuilt exactly as `unroot generate`
/// renders it, so verify checks what was (or will be) installed.
pub fn expectations_for(
    inventory: &crate::model::Inventory,
    target: &crate::plan::Target,
    decisions: &std::collections::BTreeMap<String, crate::plan::ContainerDecision>,
    user: &str,
) -> anyhow::Result<Expectations> {
    let migration = crate::migration::plan(
        inventory,
        target,
        decisions,
        &crate::generate::HostIdFiles::default(),
    )?;
    Ok(Expectations::build(
        target,
        decisions,
        &migration,
        Some(inventory),
        user,
    ))
}

/// Readiness summary for the TUI: connect, gather, run the readiness checks.
///
/// Errors (socket missing, not Podman) come back as one-line messages the TUI can show in
/// place of the summary.
#[cfg(feature = "podman")]
pub async fn readiness_report(
    socket: &Path,
    expect: &Expectations,
    host_root: &Path,
) -> anyhow::Result<Report> {
    let podman = podman::connect(socket).await?;
    let facts = podman::gather(&podman, socket, host_root).await?;
    let checks = readiness(expect, &facts);
    Ok(Report::new(Phase::Readiness, expect, &facts, checks))
}

/// Without the `podman` feature there is no Podman client to ask.
#[cfg(not(feature = "podman"))]
pub async fn readiness_report(
    _socket: &Path,
    _expect: &Expectations,
    _host_root: &Path,
) -> anyhow::Result<Report> {
    Err(crate::exit::Failure::usage(NO_PODMAN_SUPPORT).into())
}

/// The message when the binary was built with `--no-default-features`.
pub const NO_PODMAN_SUPPORT: &str = "this unroot was built without Podman support \
     (cargo feature `podman`); rebuild with default features to use `unroot verify`";

#[cfg(test)]
mod tests;
