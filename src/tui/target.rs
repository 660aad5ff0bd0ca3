//! The target side in the TUI (issue 8): is the rootless Podman host ready for what the
//! operator decided? The probe talks to the Podman socket, so it runs on its own task
//! after the inventory is loaded; its answer arrives as [`Msg::TargetChecked`] and the
//! host screen shows it. Nothing here blocks the UI or runs in `update`/`draw`.
//!
//! [`Msg::TargetChecked`]: super::msg::Msg::TargetChecked

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::Inventory;
use crate::model::{ContainerDecision, Target};
use crate::verify::Report;

/// What the probe found out about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetCheck {
    /// The readiness report from the target user's Podman socket.
    Checked(Box<Report>),
    /// Not checked, and why in one line (no socket, user absent, not Podman).
    NotChecked(String),
}

impl TargetCheck {
    /// One line: `podman 5.4.2 for podman · 12 pass 2 warn 1 fail`, or why not checked.
    pub fn summary(&self) -> String {
        match self {
            TargetCheck::Checked(report) => {
                let t = report.summary;
                format!(
                    "podman {} for {} · {} pass {} warn {} fail",
                    report.podman_version.as_deref().unwrap_or("?"),
                    report.user,
                    t.pass,
                    t.warn,
                    t.fail
                )
            }
            TargetCheck::NotChecked(reason) => format!("not checked ({reason})"),
        }
    }
}

/// Where the target's /etc/subuid, /etc/subgid and /etc/passwd are read: `/`, or
/// `UNROOT_TARGET_ROOT` as for `unroot verify --target-root` (a mounted or sandboxed
/// target).
pub fn host_root() -> PathBuf {
    std::env::var_os("UNROOT_TARGET_ROOT")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("/"), PathBuf::from)
}

/// Readiness of the target for these decisions, through `socket` (`None`: the target
/// user's default rootless socket, as `unroot verify` uses). Every error (no socket, no
/// such user, not Podman) becomes [`TargetCheck::NotChecked`] with the CLI's words.
pub async fn probe(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    socket: Option<&Path>,
    host_root: &Path,
) -> TargetCheck {
    match crate::verify::readiness_for(inventory, target, decisions, socket, host_root).await {
        Ok(report) => TargetCheck::Checked(Box::new(report)),
        Err(err) => TargetCheck::NotChecked(crate::exit::error_line(&err)),
    }
}
