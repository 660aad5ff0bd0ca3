//! The TUI's file actions, through the same library code as `unroot plan` and
//! `unroot generate`. Called off the UI task.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};

use crate::plan::{ContainerDecision, Target};

use super::state::{Loaded, WriteReview};

/// The target before the operator changes anything.
pub fn default_target() -> Target {
    Target {
        user: "podman".into(),
        project_users: BTreeMap::new(),
        create_user: false,
        podman_version: "5.4".into(),
        quadlet_dir: ".config/containers/systemd".into(),
        subid_ranges: BTreeMap::new(),
    }
}

pub fn export_plan(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    path: &Path,
) -> Result<String> {
    let _ = (loaded, target, decisions, path);
    bail!("plan export needs the plan module (not merged yet)")
}

pub fn review_write(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    dir: &Path,
) -> Result<WriteReview> {
    let _ = (loaded, target, decisions, dir);
    bail!("writing needs the plan module (not merged yet)")
}

pub fn write(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    dir: &Path,
    overwrite: bool,
) -> Result<String> {
    let _ = (loaded, target, decisions, dir, overwrite);
    bail!("writing needs the plan module (not merged yet)")
}
