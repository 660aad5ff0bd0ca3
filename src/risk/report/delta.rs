//! `unroot scan --plan`: the risk of the migrated configuration per container, as a table
//! for people and the `unroot.scan-plan/v1` JSON document for pipelines.

use std::fmt::Write as _;

use serde::Serialize;

use crate::render::text::one_line;
use crate::risk::Finding;
use crate::risk::migrated::RiskDelta;

pub const SCAN_PLAN_SCHEMA: &str = "unroot.scan-plan/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    plan: &'a str,
    containers: &'a [RiskDelta],
}

/// The JSON document: per included container, the scores and the three finding lists.
pub fn json(plan: &str, deltas: &[RiskDelta]) -> String {
    let doc = Document {
        schema: SCAN_PLAN_SCHEMA,
        plan,
        containers: deltas,
    };
    // Plain data of strings and numbers: serializing cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn rules(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "-".to_string();
    }
    findings
        .iter()
        .map(|f| one_line(&f.rule))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One block per container: the score today and after, then what the move removes, what
/// the plan's hardening removes and what is left.
pub fn table(plan: &str, deltas: &[RiskDelta]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Risk of the migrated configuration in {} ({} container{})",
        one_line(plan),
        deltas.len(),
        if deltas.len() == 1 { "" } else { "s" }
    );
    let width = deltas
        .iter()
        .map(|d| one_line(&d.container_name).chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(out, "\n{:<width$}  TODAY  AFTER", "CONTAINER");
    for d in deltas {
        let _ = writeln!(
            out,
            "{:<width$}  {:>5}  {:>5}",
            one_line(&d.container_name),
            d.score_before,
            d.score_after
        );
    }
    for d in deltas {
        let _ = writeln!(out, "\n{}", one_line(&d.container_name));
        let _ = writeln!(
            out,
            "  removed by the move:     {}",
            rules(&d.removed_by_move)
        );
        let _ = writeln!(
            out,
            "  removed by hardening:    {}",
            rules(&d.removed_by_hardening)
        );
        let _ = writeln!(out, "  left:                    {}", rules(&d.left));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContainerDecision;
    use crate::risk::migrated::delta;
    use crate::risk::testkit::{ContainerBuilder as B, inventory};

    #[test]
    fn table_and_json_carry_scores_and_lists() {
        let c = B::new("web\u{1b}[31m").build();
        let inv = inventory(vec![c.clone()]);
        let d = delta(&inv, &c, &ContainerDecision::default_for(&c));
        let text = table("plan.yaml", std::slice::from_ref(&d));
        assert!(!text.contains('\u{1b}'), "names are sanitised: {text}");
        assert!(text.contains(&format!("{:>5}  {:>5}", d.score_before, d.score_after)));
        assert!(
            text.contains("removed by hardening:    no-new-privileges-missing"),
            "{text}"
        );
        let v: serde_json::Value =
            serde_json::from_str(&json("plan.yaml", std::slice::from_ref(&d))).unwrap();
        assert_eq!(v["schema"], SCAN_PLAN_SCHEMA);
        assert_eq!(v["containers"][0]["score_after"], d.score_after);
        assert_eq!(
            v["containers"][0]["removed_by_hardening"][0]["rule"],
            "no-new-privileges-missing"
        );
    }
}
