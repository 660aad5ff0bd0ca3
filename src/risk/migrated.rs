//! The risk of the migrated configuration: what the move itself removes, what the plan's
//! hardening removes, and what is left, per container (issue 14).
//!
//! The one home for "does this decision close that finding": the container is rewritten as
//! the rootless unit will run it ([`migrated`]) and the same rules run again, so the answer
//! can never drift from the rules. Findings whose danger is "root in the container is root
//! on the host" still fire on the rewritten container; [`rootless_effect`] says which of
//! them the user namespace removes.

use serde::{Deserialize, Serialize};

use super::{ContainerAssessment, Finding, assess_container, score};
use crate::model::hardening::{NOT_IN_PODMAN_DEFAULTS, PODMAN_DEFAULT_PIDS_LIMIT, memory_bytes};
use crate::model::{
    Capabilities, CgroupVersion, Container, ContainerDecision, Inventory, MountKind, normalize_cap,
};

/// What moving to rootless Podman does to a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootlessEffect {
    /// Container root is no longer host root: the escalation path this finding describes
    /// ends at the unprivileged user.
    Removed,
    /// The setting survives but acts with the user's rights only.
    Reduced,
    /// Unchanged by rootless (an application or configuration matter).
    Unchanged,
}

/// Rules whose danger is "root in the container is root on the host" (or a root-only
/// daemon): under rootless Podman the escalation ends at the unprivileged user.
const REMOVED_BY_ROOTLESS: &[&str] = &[
    "root-user",
    "privileged",
    "host-userns",
    "docker-socket-mount",
    "host-proc-sys-mount",
    "host-only-capability",
    "cap-sys-module",
];

/// Rules whose setting survives the move but then acts with the user's rights only.
const REDUCED_BY_ROOTLESS: &[&str] = &[
    "capabilities-added",
    "cap-sys-admin",
    "cap-dac-read-search",
    "cap-sys-ptrace-host-pid",
    "namespaced-capability",
    "net-raw-not-dropped",
    "sensitive-host-mount",
    "host-root-mount",
    "host-pid",
    "host-ipc",
    "host-uts",
    "host-network",
    "host-devices",
    "seccomp-unconfined",
    "apparmor-unconfined",
    "selinux-not-applied",
    "systempaths-unconfined",
    "no-new-privileges-missing",
    "shared-propagation",
    "runc-vulnerable",
    "workdir-proc-fd",
];

/// What the move does to a rule's risk (rule ids from `assets/rules.yaml`; a unit test keeps
/// these lists in step with the catalog).
pub fn rootless_effect(rule: &str) -> RootlessEffect {
    if REMOVED_BY_ROOTLESS.contains(&rule) {
        RootlessEffect::Removed
    } else if REDUCED_BY_ROOTLESS.contains(&rule) {
        RootlessEffect::Reduced
    } else {
        RootlessEffect::Unchanged
    }
}

/// Which configuration of a container to assess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// What the move itself changes: dropped `--privileged` and capabilities the plan does
    /// not keep, Podman's default capability set and PID limit, devices not kept.
    Moved,
    /// The move plus the plan's hardening block.
    Hardened,
}

/// `c` as the rootless unit runs it under `d` at `stage`. Reads the same decision fields
/// the generator writes keys from (`generate::caps::plan`, the container mappers); the
/// generator's own tests check each hardening key, the tests below check each rule.
pub fn migrated(
    inventory: &Inventory,
    c: &Container,
    d: &ContainerDecision,
    stage: Stage,
) -> Container {
    let mut m = c.clone();
    m.privileged = c.privileged && d.keep_privileged;
    m.capabilities = capabilities(c, d, m.privileged, stage);
    m.devices.retain(|dev| {
        d.keep_devices
            .iter()
            .any(|k| *k == dev.host_path || *k == dev.container_path)
    });
    if m.resources.pids_limit.unwrap_or(0) <= 0
        && inventory.host.cgroup_version != Some(CgroupVersion::V1)
    {
        m.resources.pids_limit = Some(PODMAN_DEFAULT_PIDS_LIMIT);
    }
    if stage == Stage::Hardened {
        harden(&mut m, d);
    }
    m
}

/// The capability set after the move: the adds the plan keeps, Docker's drops, the three
/// Docker defaults Podman's default set lacks, and (hardened) the plan's extra drops; the
/// effective set computed by the one function that computes it for Docker.
fn capabilities(
    c: &Container,
    d: &ContainerDecision,
    privileged: bool,
    stage: Stage,
) -> Capabilities {
    let caps = &c.capabilities;
    let keep: Vec<String> = d
        .keep_capabilities
        .iter()
        .map(|k| normalize_cap(k))
        .collect();
    let mut adds: Vec<String> = caps
        .added
        .iter()
        .map(|a| normalize_cap(a))
        .filter(|a| keep.contains(a))
        .collect();
    if caps.add_all && keep.iter().any(|k| k == "ALL") {
        adds.push("ALL".to_string());
    }
    let mut drops: Vec<String> = caps.dropped.iter().map(|x| normalize_cap(x)).collect();
    if caps.drop_all {
        drops.push("ALL".to_string());
    }
    drops.extend(
        NOT_IN_PODMAN_DEFAULTS
            .iter()
            .filter(|cap| !adds.iter().any(|a| a == *cap))
            .map(|cap| cap.to_string()),
    );
    if stage == Stage::Hardened {
        for cap in d
            .hardening
            .drop_capabilities
            .iter()
            .map(|x| normalize_cap(x))
        {
            // `ALL` drops every capability but those the plan keeps, as `caps::plan` does.
            adds.retain(|a| *a != cap);
            drops.push(cap);
        }
    }
    crate::docker::normalize::caps::capabilities(&adds, &drops, privileged)
}

/// The rest of the hardening block applied to the moved container.
fn harden(m: &mut Container, d: &ContainerDecision) {
    let h = &d.hardening;
    m.security.no_new_privileges |= h.no_new_privileges;
    m.read_only_rootfs |= h.read_only_root;
    if let Some(bytes) = h.memory.as_deref().and_then(memory_bytes)
        && m.resources.memory.unwrap_or(0) <= 0
    {
        m.resources.memory = Some(bytes);
    }
    if let Some(p) = h.pids_limit.filter(|p| *p > 0) {
        m.resources.pids_limit = Some(i64::from(p));
    }
    for mount in &mut m.mounts {
        if mount.kind == MountKind::Bind && h.read_only_binds.contains(&mount.destination) {
            mount.read_only = true;
        }
    }
    if let Some(user) = &h.user {
        m.user = crate::docker::normalize::user::user_spec(user);
    }
}

/// One container's risk before and after the move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskDelta {
    pub container_name: String,
    /// Score on Docker today.
    pub score_before: u32,
    /// Score of the findings left after the move and the hardening.
    pub score_after: u32,
    /// Gone by the move itself (user namespace, Podman defaults, dropped settings).
    pub removed_by_move: Vec<Finding>,
    /// Gone, or lowered in severity, by the plan's hardening block.
    pub removed_by_hardening: Vec<Finding>,
    /// Still there on the migrated container, at their migrated severity.
    pub left: Vec<Finding>,
}

/// Before, moved and hardened assessments of one container, and what changed between them.
pub fn delta(inventory: &Inventory, c: &Container, d: &ContainerDecision) -> RiskDelta {
    let before = assess_container(inventory, c);
    let moved = reassess(inventory, c, d, Stage::Moved);
    let hardened = reassess(inventory, c, d, Stage::Hardened);
    let same = |a: &Finding, b: &Finding| a.rule == b.rule && a.severity == b.severity;
    let removed_by_move: Vec<Finding> = before
        .findings
        .iter()
        .filter(|f| {
            !moved.findings.iter().any(|m| same(m, f))
                || rootless_effect(&f.rule) == RootlessEffect::Removed
        })
        .cloned()
        .collect();
    let left: Vec<Finding> = hardened
        .findings
        .iter()
        .filter(|f| rootless_effect(&f.rule) != RootlessEffect::Removed)
        .cloned()
        .collect();
    let removed_by_hardening: Vec<Finding> = moved
        .findings
        .iter()
        .filter(|f| rootless_effect(&f.rule) != RootlessEffect::Removed)
        .filter(|f| !hardened.findings.iter().any(|h| same(h, f)))
        .cloned()
        .collect();
    RiskDelta {
        container_name: c.name.clone(),
        score_before: before.score,
        score_after: score(&left),
        removed_by_move,
        removed_by_hardening,
        left,
    }
}

fn reassess(
    inventory: &Inventory,
    c: &Container,
    d: &ContainerDecision,
    stage: Stage,
) -> ContainerAssessment {
    assess_container(inventory, &migrated(inventory, c, d, stage))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hardening::{Hardening, HardeningItem};
    use crate::risk::testkit::{ContainerBuilder as B, inventory};

    #[test]
    fn effect_lists_name_rules_of_the_catalog() {
        let catalog = crate::risk::catalog::catalog();
        for id in REMOVED_BY_ROOTLESS.iter().chain(REDUCED_BY_ROOTLESS) {
            assert!(
                catalog.get(id).is_some(),
                "{id} is not a rule in assets/rules.yaml"
            );
        }
        assert_eq!(rootless_effect("privileged"), RootlessEffect::Removed);
        assert_eq!(rootless_effect("host-pid"), RootlessEffect::Reduced);
        assert_eq!(
            rootless_effect("memory-unlimited"),
            RootlessEffect::Unchanged
        );
    }

    /// A container on which every rule a hardening item names fires, in its worst form.
    fn exposed() -> Container {
        B::new("exposed")
            .user("0")
            .cap_add("NET_RAW")
            .cap_add("NET_ADMIN")
            .bind("/etc", "/host-etc", false)
            .bind("/", "/host", false)
            .bind("/proc", "/host-proc", false)
            .build()
    }

    /// Each item closes (or lowers) every finding [`HardeningItem::closes`] names for it:
    /// the words in the plan and the computed delta cannot disagree.
    #[test]
    fn every_item_closes_what_it_names() {
        let c = exposed();
        let mut img = crate::risk::testkit::image_for(&c, false);
        img.user = Some("101".into());
        let mut inv = inventory(vec![c.clone()]);
        inv.images.push(img);
        let base = ContainerDecision {
            hardening: Hardening::default(),
            ..ContainerDecision::default_for(&c)
        };
        for item in HardeningItem::ALL {
            let mut d = base.clone();
            let h = &mut d.hardening;
            match item {
                HardeningItem::NoNewPrivileges => h.no_new_privileges = true,
                HardeningItem::DropCapabilities => {
                    h.drop_capabilities = vec!["NET_RAW".into(), "NET_ADMIN".into()]
                }
                HardeningItem::ReadOnlyRoot => h.read_only_root = true,
                HardeningItem::Memory => h.memory = Some("256m".into()),
                HardeningItem::PidsLimit => h.pids_limit = Some(100),
                HardeningItem::ReadOnlyBinds => {
                    h.read_only_binds =
                        vec!["/host-etc".into(), "/host".into(), "/host-proc".into()]
                }
                HardeningItem::User => h.user = Some("101".into()),
            }
            let moved = reassess(&inv, &c, &d, Stage::Moved);
            let hard = reassess(&inv, &c, &d, Stage::Hardened);
            for rule in item.closes() {
                let sev = |a: &ContainerAssessment| {
                    a.findings
                        .iter()
                        .find(|f| f.rule == *rule)
                        .map(|f| f.severity)
                };
                if item == HardeningItem::PidsLimit {
                    // The move already closes it (Podman's default limit on cgroup v2).
                    assert_eq!(sev(&moved), None);
                    continue;
                }
                let before = sev(&moved)
                    .unwrap_or_else(|| panic!("{item:?}: {rule} does not fire after the move"));
                assert!(
                    sev(&hard).is_none_or(|after| after < before),
                    "{item:?} leaves {rule} at {before:?}"
                );
            }
        }
    }

    /// The move removes what the user namespace and Podman's defaults remove; hardening
    /// what its block turns on; the score after is the sum of what is left.
    #[test]
    fn delta_attributes_each_finding_once() {
        let c = B::new("web").cap_add("SYS_ADMIN").build();
        let inv = inventory(vec![c.clone()]);
        let mut d = ContainerDecision::default_for(&c);
        d.keep_capabilities.clear();
        d.hardening.read_only_root = true;
        let r = delta(&inv, &c, &d);
        let ids = |v: &[Finding]| v.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
        let moved = ids(&r.removed_by_move);
        for rule in [
            "root-user",
            "net-raw-not-dropped",
            "pids-unlimited",
            "capabilities-added",
            "cap-sys-admin",
        ] {
            assert!(
                moved.contains(&rule.to_string()),
                "{rule} not removed by the move: {moved:?}"
            );
        }
        let hardened = ids(&r.removed_by_hardening);
        assert_eq!(
            hardened,
            ["no-new-privileges-missing", "writable-rootfs"].map(String::from),
            "NNP is the default, read-only root was accepted"
        );
        let left = ids(&r.left);
        assert!(left.contains(&"memory-unlimited".to_string()), "{left:?}");
        assert!(
            !left
                .iter()
                .any(|l| moved.contains(l) || hardened.contains(l))
        );
        assert_eq!(r.score_after, score(&r.left));
        assert!(r.score_after < r.score_before);
        // Without hardening nothing is attributed to it.
        d.hardening = Hardening::default();
        assert!(delta(&inv, &c, &d).removed_by_hardening.is_empty());
    }

    /// An added capability the plan keeps survives the move; NET_RAW kept is not dropped.
    #[test]
    fn kept_capabilities_stay_in_the_migrated_container() {
        let c = B::new("ping").cap_add("NET_RAW").build();
        let inv = inventory(vec![c.clone()]);
        let d = ContainerDecision::default_for(&c);
        assert_eq!(d.keep_capabilities, ["NET_RAW"]);
        let m = migrated(&inv, &c, &d, Stage::Moved);
        assert!(m.capabilities.effective.contains(&"NET_RAW".to_string()));
        assert!(!m.capabilities.effective.contains(&"MKNOD".to_string()));
        let r = delta(&inv, &c, &d);
        assert!(r.left.iter().any(|f| f.rule == "net-raw-not-dropped"));
    }
}
