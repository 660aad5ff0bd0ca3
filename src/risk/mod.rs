//! Risk engine: pure functions over the normalized model.
//!
//! Each rule is one function deciding whether it fires for a container (or the host); the
//! words (title, explanation, remediation, references) live in `assets/rules.yaml` so an
//! operator-facing text change never touches logic.

use serde::{Deserialize, Serialize};

use crate::model::{Container, Inventory};

pub mod catalog;
pub mod migrated;
pub mod report;
pub mod rules;
#[cfg(test)]
pub mod testkit;

use catalog::{Remediation, RuleInfo};
use rules::{Check, Ctx, Hit};

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

impl Severity {
    /// Highest first, the order reports list them in.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Points a finding adds to a container's score. Steep on purpose: one critical
    /// outweighs any number of hardening gaps a reviewer would accept.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 4,
            Severity::High => 10,
            Severity::Critical => 25,
        }
    }
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

impl Migration {
    pub fn as_str(self) -> &'static str {
        match self {
            Migration::Ok => "ok",
            Migration::Change => "change",
            Migration::Blocker => "blocker",
        }
    }
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

impl Finding {
    fn from_hit(info: &RuleInfo, hit: Hit) -> Self {
        Self {
            rule: info.id.clone(),
            severity: hit.severity.unwrap_or(info.severity),
            migration: hit.migration.unwrap_or(info.migration),
            cis: info.cis.clone(),
            detail: hit.detail,
        }
    }

    /// The rule's catalog entry (a placeholder for ids this build does not know).
    pub fn info(&self) -> &'static RuleInfo {
        catalog::info(&self.rule)
    }

    pub fn title(&self) -> &'static str {
        &self.info().title
    }

    pub fn explanation(&self) -> &'static str {
        &self.info().explanation
    }

    pub fn remediation(&self) -> &'static Remediation {
        &self.info().remediation
    }
}

/// Findings for one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerAssessment {
    pub container_id: String,
    pub container_name: String,
    /// 0 (no risk) and up; higher is worse. Sum of [`Severity::weight`] over the findings.
    pub score: u32,
    /// Worst first: severity, then migration verdict, then rule id.
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

    /// Keep only the findings `keep` accepts, recomputing the score.
    pub fn retain(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
        self.score = score(&self.findings);
    }
}

/// Counts for the whole host (host findings plus every assessed container).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub containers: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Findings whose migration verdict is `blocker`.
    pub blockers: usize,
    /// Findings whose migration verdict is `change`.
    pub changes: usize,
    /// Containers with at least one blocker.
    pub containers_with_blockers: usize,
}

impl Summary {
    pub fn of(host_findings: &[Finding], containers: &[ContainerAssessment]) -> Self {
        let mut s = Summary {
            containers: containers.len(),
            ..Summary::default()
        };
        let all = host_findings
            .iter()
            .chain(containers.iter().flat_map(|c| &c.findings));
        for f in all {
            *s.count_mut(f.severity) += 1;
            match f.migration {
                Migration::Blocker => s.blockers += 1,
                Migration::Change => s.changes += 1,
                Migration::Ok => {}
            }
        }
        s.containers_with_blockers = containers
            .iter()
            .filter(|c| c.migration_verdict() == Migration::Blocker)
            .count();
        s
    }

    /// `14 containers · 5 critical · ... · 1 rootless blocker in 1 container · 37 changes`.
    pub fn sentence(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![plural(self.containers, "container", "containers")];
        parts.extend(
            Severity::ALL
                .iter()
                .map(|s| format!("{} {}", self.count(*s), s.as_str())),
        );
        parts.push(format!(
            "{} in {}",
            plural(self.blockers, "rootless blocker", "rootless blockers"),
            plural(self.containers_with_blockers, "container", "containers")
        ));
        parts.push(plural(self.changes, "change", "changes"));
        parts.join(" · ")
    }

    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn count_mut(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }
}

/// The whole host's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub host_findings: Vec<Finding>,
    pub containers: Vec<ContainerAssessment>,
    pub summary: Summary,
}

/// Run every rule over the inventory; containers stay in inventory order.
pub fn assess(inventory: &Inventory) -> Assessment {
    let mut host_findings: Vec<Finding> = rules::registry()
        .filter_map(|rule| match rule.check {
            Check::Host(check) => {
                check(&inventory.host).map(|hit| Finding::from_hit(catalog::info(rule.id), hit))
            }
            Check::Container(_) => None,
        })
        .collect();
    sort_findings(&mut host_findings);
    let containers: Vec<ContainerAssessment> = inventory
        .containers
        .iter()
        .map(|c| assess_container(inventory, c))
        .collect();
    let summary = Summary::of(&host_findings, &containers);
    Assessment {
        host_findings,
        containers,
        summary,
    }
}

/// Run every container rule over one container (the TUI re-assesses on edits).
pub fn assess_container(inventory: &Inventory, container: &Container) -> ContainerAssessment {
    let ctx = Ctx::new(inventory, container);
    let mut findings: Vec<Finding> = rules::registry()
        .filter_map(|rule| match rule.check {
            Check::Container(check) => {
                check(&ctx).map(|hit| Finding::from_hit(catalog::info(rule.id), hit))
            }
            Check::Host(_) => None,
        })
        .collect();
    sort_findings(&mut findings);
    ContainerAssessment {
        container_id: container.id.clone(),
        container_name: container.name.clone(),
        score: score(&findings),
        findings,
    }
}

fn score(findings: &[Finding]) -> u32 {
    findings.iter().map(|f| f.severity.weight()).sum()
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.migration.cmp(&a.migration))
            .then(a.rule.cmp(&b.rule))
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::{ContainerState, EnvOrigin};
    use crate::risk::catalog::{Scope, catalog};
    use crate::risk::testkit::{ContainerBuilder as B, image_for, inventory};

    /// Every registered rule has a catalog entry of the same scope, and every catalog entry
    /// has a function: the words and the logic cannot drift apart.
    #[test]
    fn catalog_and_registry_in_step() {
        let mut registered = BTreeSet::new();
        for rule in rules::registry() {
            assert!(
                registered.insert(rule.id),
                "rule {} registered twice",
                rule.id
            );
            let info = catalog()
                .get(rule.id)
                .unwrap_or_else(|| panic!("rule {} has no catalog entry", rule.id));
            let scope = match rule.check {
                Check::Container(_) => Scope::Container,
                Check::Host(_) => Scope::Host,
            };
            assert_eq!(info.scope, scope, "{}: scope differs", rule.id);
        }
        let cataloged: BTreeSet<&str> = catalog().rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            cataloged, registered,
            "catalog ids and registered ids differ"
        );
    }

    /// The CIS items the issue asks for are all covered.
    #[test]
    fn cis_coverage() {
        let covered: BTreeSet<&str> = catalog()
            .rules()
            .iter()
            .filter_map(|r| r.cis.as_deref())
            .collect();
        let mut wanted: Vec<String> = ["5.2", "5.3", "5.4", "5.5", "5.6", "5.8"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        wanted.extend((10..=22).map(|n| format!("5.{n}")));
        wanted.extend(
            ["5.25", "5.26", "5.27", "5.29", "5.31", "5.32", "4.1", "4.6"].map(String::from),
        );
        for id in &wanted {
            assert!(covered.contains(id.as_str()), "CIS {id} is not covered");
        }
    }

    /// Issue 16 item 12: a default-capability container keeps its NET_RAW finding but is not
    /// labelled as failing CIS 5.4; only capabilities added beyond the defaults are.
    #[test]
    fn net_raw_kept_from_the_defaults_is_not_a_cis_5_4_failure() {
        let rules = catalog();
        let tag = |id: &str| {
            rules
                .rules()
                .iter()
                .find(|r| r.id == id)
                .unwrap_or_else(|| panic!("no rule {id}"))
                .cis
                .clone()
        };
        assert_eq!(tag("net-raw-not-dropped"), None);
        assert_eq!(tag("capabilities-added").as_deref(), Some("5.4"));
    }

    #[test]
    fn hardened_container_has_nothing_above_low() {
        let c = B::hardened("hardened").build();
        let mut inv = inventory(vec![c.clone()]);
        inv.images.push(image_for(&c, false));
        let a = assess(&inv);
        let worst = a.containers[0].worst_severity();
        assert!(
            worst <= Some(Severity::Low),
            "{:#?}",
            a.containers[0].findings
        );
        // It is a real assessment, not an empty one: the image lacks a HEALTHCHECK.
        assert!(
            a.containers[0]
                .findings
                .iter()
                .any(|f| f.rule == "image-healthcheck-missing")
        );
    }

    #[test]
    fn privileged_created_container_is_critical_and_blocked() {
        let c = B::new("priv")
            .privileged()
            .state(ContainerState::Created)
            .build();
        let a = assess_container(&inventory(vec![c.clone()]), &c);
        assert_eq!(a.worst_severity(), Some(Severity::Critical));
        assert_eq!(a.migration_verdict(), Migration::Blocker);
        assert_eq!(a.findings[0].rule, "privileged");
        let rules: BTreeSet<&str> = a.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains("seccomp-unconfined") && rules.contains("apparmor-unconfined"));
        assert_eq!(
            a.score,
            a.findings.iter().map(|f| f.severity.weight()).sum::<u32>()
        );
    }

    #[test]
    fn findings_never_carry_env_values() {
        let mut c = B::new("leaky")
            .env("DB_PASSWORD", "s3cr3t-value-1")
            .env("MY_API_KEY", "s3cr3t-value-2")
            .build();
        c.env[1].origin = EnvOrigin::Image;
        let a = assess(&inventory(vec![c]));
        let text = serde_json::to_string(&a).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("DB_PASSWORD") && text.contains("MY_API_KEY"));
    }

    #[test]
    fn summary_counts_and_order() {
        let inv = inventory(vec![
            B::new("a").privileged().build(),
            B::hardened("b").build(),
        ]);
        let a = assess(&inv);
        assert_eq!(a.summary.containers, 2);
        assert_eq!(a.summary.containers_with_blockers, 1);
        let total: usize = Severity::ALL.iter().map(|s| a.summary.count(*s)).sum();
        let findings =
            a.host_findings.len() + a.containers.iter().map(|c| c.findings.len()).sum::<usize>();
        assert_eq!(total, findings);
        for c in &a.containers {
            assert!(
                c.findings
                    .windows(2)
                    .all(|w| w[0].severity >= w[1].severity)
            );
        }
        assert!(a.containers[0].score > a.containers[1].score);
    }

    #[test]
    fn finding_words_come_from_the_catalog() {
        let c = B::new("p").privileged().build();
        let a = assess_container(&inventory(vec![c.clone()]), &c);
        let f = a.findings.iter().find(|f| f.rule == "privileged").unwrap();
        assert_eq!(f.title(), "Privileged container");
        assert_eq!(f.cis.as_deref(), Some("5.5"));
        assert!(f.explanation().contains("--privileged"));
        assert!(!f.remediation().podman.is_empty());
    }
}
