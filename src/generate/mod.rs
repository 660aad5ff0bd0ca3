//! Generators: model + decisions -> files the rootless host needs, plus notes.
//!
//! Pure: no file is written here. The plan/batch code and the TUI preview call
//! [`generate`] and decide themselves what to do with the result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Inventory;
use crate::plan::{ContainerDecision, Target};

/// One file to write, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedFile {
    /// Relative path, `/`-separated (`quadlet/web.container`).
    pub path: String,
    /// Unix mode (0o644, 0o600 for env files, 0o755 for scripts).
    pub mode: u32,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    Info,
    Warning,
    /// The setting could not be translated and the container may not work as before.
    NotTranslated,
}

/// Something the operator must know: a setting not translated, a rename, a caveat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Container name, or `None` for host-wide notes.
    pub container: Option<String>,
    pub level: NoteLevel,
    /// The Docker setting concerned (`--privileged`, `HostConfig.Devices`).
    pub setting: String,
    /// What happened and what to do instead.
    pub message: String,
}

/// Everything the generators produce.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Generated {
    /// Sorted by path.
    pub files: Vec<GeneratedFile>,
    pub notes: Vec<Note>,
}

/// Generate the rootless files for the included containers.
///
/// `decisions` is keyed by container name; a container without an entry gets the defaults.
pub fn generate(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> anyhow::Result<Generated> {
    let _ = (inventory, target, decisions);
    unimplemented!("generators: issue 4")
}
