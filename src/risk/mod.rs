//! Risk engine: pure functions over the normalized model.
//!
//! Each rule is one function deciding whether it fires for a container (or the host); the
//! words (title, explanation, remediation, references) live in `assets/rules.yaml` so an
//! operator-facing text change never touches logic.

use serde::{Deserialize, Serialize};

use crate::model::{Container, Inventory};

/// Security severity, ordered so that `Critical > High > ... > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// What a finding means for running the container rootless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Migration {
    /// Nothing to do for the move.
    Ok,
    /// Works rootless after a stated change.
    Change,
    /// Will not work rootless as is.
    Blocker,
}

/// One rule that fired for one container (or for the host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case rule id (`privileged`, `docker-socket-mount`).
    pub rule: String,
    pub severity: Severity,
    pub migration: Migration,
    /// CIS Docker Benchmark 1.6 id, when one applies.
    pub cis: Option<String>,
    /// What exactly fired (`mounts /var/run/docker.sock`); never contains env values.
    pub detail: String,
}

/// Findings for one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerAssessment {
    pub container_id: String,
    pub container_name: String,
    /// 0 (no risk) and up; higher is worse.
    pub score: u32,
    pub findings: Vec<Finding>,
}

impl ContainerAssessment {
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    pub fn migration_verdict(&self) -> Migration {
        self.findings
            .iter()
            .map(|f| f.migration)
            .max()
            .unwrap_or(Migration::Ok)
    }
}

/// The whole host's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub host_findings: Vec<Finding>,
    pub containers: Vec<ContainerAssessment>,
}

/// Run every rule over the inventory.
pub fn assess(inventory: &Inventory) -> Assessment {
    let _ = inventory;
    unimplemented!("risk engine: issue 3")
}

/// Run every container rule over one container (the TUI re-assesses on edits).
pub fn assess_container(inventory: &Inventory, container: &Container) -> ContainerAssessment {
    let _ = (inventory, container);
    unimplemented!("risk engine: issue 3")
}
