//! Renderers for an assessment: terminal table, JSON (the `unroot.scan/v1` contract), SARIF
//! 2.1.0 for code-scanning dashboards, and Markdown for change reviews. Pure: each returns a
//! string, the command decides where it goes.

use crate::model::{Container, ContainerState, Inventory};

use super::{Assessment, ContainerAssessment, Finding, Severity, Summary};

pub mod delta;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod text;

/// What one scan shows: the (possibly filtered) assessment joined with the inventory.
#[derive(Debug)]
pub struct Report<'a> {
    pub inventory: &'a Inventory,
    pub host_findings: Vec<Finding>,
    pub containers: Vec<(&'a Container, ContainerAssessment)>,
    pub summary: Summary,
}

impl<'a> Report<'a> {
    /// Pair every assessed container with its inventory record, worst first.
    pub fn new(inventory: &'a Inventory, assessment: Assessment) -> Self {
        let mut containers: Vec<(&Container, ContainerAssessment)> = assessment
            .containers
            .into_iter()
            .filter_map(|a| {
                let c = inventory
                    .containers
                    .iter()
                    .find(|c| c.id == a.container_id)?;
                Some((c, a))
            })
            .collect();
        // Worst first, then by name: the order an operator works through them.
        containers.sort_by(|(ca, a), (cb, b)| b.score.cmp(&a.score).then(ca.name.cmp(&cb.name)));
        let mut report = Self {
            inventory,
            host_findings: assessment.host_findings,
            containers,
            summary: Summary::default(),
        };
        report.refresh_summary();
        report
    }

    /// Recount after filtering.
    pub fn refresh_summary(&mut self) {
        let assessments: Vec<ContainerAssessment> =
            self.containers.iter().map(|(_, a)| a.clone()).collect();
        self.summary = Summary::of(&self.host_findings, &assessments);
    }

    /// Every finding shown, host first.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.host_findings
            .iter()
            .chain(self.containers.iter().flat_map(|(_, a)| &a.findings))
    }

    /// Findings at or above `threshold`.
    pub fn count_at_or_above(&self, threshold: Severity) -> usize {
        self.all_findings()
            .filter(|f| f.severity >= threshold)
            .count()
    }
}

pub fn state_str(state: ContainerState) -> &'static str {
    match state {
        ContainerState::Created => "created",
        ContainerState::Running => "running",
        ContainerState::Paused => "paused",
        ContainerState::Restarting => "restarting",
        ContainerState::Removing => "removing",
        ContainerState::Exited => "exited",
        ContainerState::Dead => "dead",
        ContainerState::Unknown => "unknown",
    }
}

/// One line describing the host, for table and Markdown headers.
pub fn host_line(inventory: &Inventory) -> String {
    let h = &inventory.host;
    let mut parts = Vec::new();
    if let Some(name) = &h.hostname {
        parts.push(name.clone());
    }
    if let Some(v) = &h.server_version {
        parts.push(format!("Docker {v}"));
    }
    if let Some(v) = h.cgroup_version {
        parts.push(match v {
            crate::model::CgroupVersion::V1 => "cgroup v1".to_string(),
            crate::model::CgroupVersion::V2 => "cgroup v2".to_string(),
        });
    }
    if let Some(r) = h.runc_version.as_deref().or(h.runc_commit.as_deref()) {
        parts.push(format!("runc {r}"));
    }
    if h.rootless {
        parts.push("rootless daemon".into());
    }
    if h.userns_remap {
        parts.push("userns-remap".into());
    }
    parts.push(format!("source {}", inventory.source));
    parts.join(" · ")
}
