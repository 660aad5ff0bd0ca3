//! The capabilities a rootless unit keeps, as typed facts: the generator writes
//! `DropCapability=`/`AddCapability=` from them and the TUI's settings table reads the same
//! facts, so the table can never say "defaults" while the unit drops everything (issue 15).

use crate::model::{Capabilities, ContainerDecision, normalize_cap};

/// Capability keys of one unit, and what the decision leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapabilityPlan {
    /// `DropCapability=all` (Docker `--cap-drop ALL`).
    pub drop_all: bool,
    /// `DropCapability=` names when not `all`, sorted, once each.
    pub dropped: Vec<String>,
    /// `AddCapability=` names (kept by the decision), sorted, once each; `ALL` when
    /// `--cap-add ALL` is kept.
    pub added: Vec<String>,
    /// `--cap-add` names the decision does not keep.
    pub not_kept: Vec<String>,
    /// `--cap-add ALL` was given and is not kept.
    pub add_all_dropped: bool,
}

/// What a unit sets for a container's capabilities `caps` under `decision`.
pub fn plan(caps: &Capabilities, decision: &ContainerDecision) -> CapabilityPlan {
    let keep: Vec<String> = decision
        .keep_capabilities
        .iter()
        .map(|c| normalize_cap(c))
        .collect();
    let mut out = CapabilityPlan {
        drop_all: caps.drop_all,
        ..Default::default()
    };
    if !caps.drop_all {
        out.dropped = caps.dropped.iter().map(|c| normalize_cap(c)).collect();
        out.dropped.sort();
        out.dropped.dedup();
    }
    for cap in caps.added.iter().map(|c| normalize_cap(c)) {
        if keep.contains(&cap) {
            out.added.push(cap);
        } else if !out.not_kept.contains(&cap) {
            out.not_kept.push(cap);
        }
    }
    for cap in &keep {
        if !out.added.contains(cap) && cap != "ALL" {
            out.added.push(cap.clone());
        }
    }
    if caps.add_all {
        if keep.iter().any(|c| c == "ALL") {
            out.added.push("ALL".to_owned());
        } else {
            out.add_all_dropped = true;
        }
    }
    harden(&mut out, decision);
    out.added.sort();
    out.added.dedup();
    out
}

/// The plan's hardening drops: a dropped name is neither added nor kept, and joins the
/// `DropCapability=` list (`ALL` replaces the list).
fn harden(out: &mut CapabilityPlan, decision: &ContainerDecision) {
    for cap in decision
        .hardening
        .drop_capabilities
        .iter()
        .map(|c| normalize_cap(c))
    {
        out.added.retain(|a| *a != cap);
        if cap == "ALL" {
            out.drop_all = true;
            out.dropped.clear();
        } else if !out.drop_all && !out.dropped.contains(&cap) {
            out.dropped.push(cap);
        }
    }
    out.dropped.sort();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Container;

    #[test]
    fn drop_all_stays_and_unkept_adds_are_listed() {
        let c = Container {
            capabilities: Capabilities {
                drop_all: true,
                added: vec!["cap_net_admin".into(), "CHOWN".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let decision = ContainerDecision {
            keep_capabilities: vec!["CHOWN".into()],
            ..ContainerDecision::default_for(&c)
        };
        let p = plan(&c.capabilities, &decision);
        assert!(p.drop_all);
        assert_eq!(p.added, ["CHOWN"]);
        assert_eq!(p.not_kept, ["NET_ADMIN"]);
    }

    /// Hardening drops join `DropCapability=` and win over a kept add.
    #[test]
    fn hardening_drops_join_the_list() {
        let c = Container {
            capabilities: Capabilities {
                added: vec!["NET_RAW".into()],
                dropped: vec!["MKNOD".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let mut decision = ContainerDecision::default_for(&c);
        decision.hardening.drop_capabilities = vec!["net_raw".into(), "CHOWN".into()];
        let p = plan(&c.capabilities, &decision);
        assert_eq!(p.dropped, ["CHOWN", "MKNOD", "NET_RAW"]);
        assert!(p.added.is_empty(), "{:?}", p.added);
        decision.hardening.drop_capabilities = vec!["ALL".into()];
        let p = plan(&c.capabilities, &decision);
        assert!(p.drop_all && p.dropped.is_empty());
    }
}
