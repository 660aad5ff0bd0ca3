//! Text output of a verify report: one line per check, the fix on the same line.

use std::fmt::Write as _;

use super::{Phase, Report, Status};

pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let phase = match report.phase {
        Phase::Readiness => "readiness (before the migration)",
        Phase::Post => "post-migration",
    };
    let _ = writeln!(
        out,
        "unroot verify: {phase} of {} on {} (Podman {})",
        report.user,
        report.socket,
        report.podman_version.as_deref().unwrap_or("unknown")
    );
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &report.checks {
        let status = match c.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        let _ = write!(out, "{status}  {:<width$}  {}", c.id, c.message);
        if let Some(fix) = &c.fix {
            let _ = write!(out, "  -> fix: {fix}");
        }
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let s = report.summary;
    let _ = writeln!(
        out,
        "{} checks: {} pass, {} warn, {} fail",
        report.checks.len(),
        s.pass,
        s.warn,
        s.fail
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Check, Expectations, TargetFacts};

    #[test]
    fn one_line_per_check_with_its_fix() {
        let checks = vec![
            Check::pass("rootless", "the service runs rootless"),
            Check::fail("subuid", "no range", "add `svc:1:2` to /etc/subuid"),
        ];
        let e = Expectations {
            user: "svc".into(),
            ..Default::default()
        };
        let report = Report::new(Phase::Readiness, &e, &TargetFacts::default(), checks);
        let text = table(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("PASS  rootless"));
        assert_eq!(
            lines[2],
            "FAIL  subuid    no range  -> fix: add `svc:1:2` to /etc/subuid"
        );
        assert!(text.ends_with("2 checks: 1 pass, 0 warn, 1 fail\n"));
    }
}
