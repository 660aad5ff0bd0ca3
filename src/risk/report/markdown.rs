//! Markdown for change reviews: a summary, the host findings, then one section per container
//! with what fired, why it matters and what to change. Container-supplied text is escaped so
//! it cannot break tables or inject links.

use std::fmt::Write as _;

use crate::risk::{Finding, Migration, Severity};

use super::text::sanitize;
use super::{Report, host_line, state_str};

/// Escape Markdown syntax and table pipes in untrusted text.
pub fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in sanitize(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn findings_table(out: &mut String, findings: &[Finding]) {
    out.push_str("| Severity | Migration | CIS | Rule | Finding | Detail |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for f in findings {
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` | {} | {} |",
            f.severity.as_str(),
            f.migration.as_str(),
            f.cis.as_deref().unwrap_or("–"),
            f.rule,
            f.title(),
            escape(&f.detail),
        );
    }
}

fn remedies(out: &mut String, findings: &[Finding]) {
    let serious: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium || f.migration != Migration::Ok)
        .collect();
    if serious.is_empty() {
        return;
    }
    out.push_str("\n<details><summary>Why it matters and what to change</summary>\n\n");
    for f in serious {
        let r = f.remediation();
        let _ = writeln!(
            out,
            "- **{}** (`{}`): {}\n  - Docker: {}\n  - Rootless Podman: {}",
            f.title(),
            f.rule,
            f.explanation(),
            r.docker,
            r.podman
        );
    }
    out.push_str("\n</details>\n");
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# unroot scan\n\n{}\n",
        escape(&host_line(report.inventory))
    );
    let _ = writeln!(out, "**{}**\n", report.summary.sentence());
    if !report.host_findings.is_empty() {
        out.push_str("## Host\n\n");
        findings_table(&mut out, &report.host_findings);
        remedies(&mut out, &report.host_findings);
        out.push('\n');
    }
    if report.containers.is_empty() {
        out.push_str("No containers to report.\n");
        return out;
    }
    out.push_str("## Containers\n\n| Container | Image | State | Score | Worst | Migration |\n|---|---|---|---|---|---|\n");
    for (c, a) in &report.containers {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&c.name),
            escape(&c.image),
            state_str(c.state),
            a.score,
            a.worst_severity().map_or("none", |s| s.as_str()),
            a.migration_verdict().as_str()
        );
    }
    for (c, a) in &report.containers {
        let _ = writeln!(
            out,
            "\n### {}\n\n{} · {} · score {} · migration **{}**\n",
            escape(&c.name),
            escape(&c.image),
            state_str(c.state),
            a.score,
            a.migration_verdict().as_str()
        );
        if a.findings.is_empty() {
            out.push_str("No findings.\n");
            continue;
        }
        findings_table(&mut out, &a.findings);
        remedies(&mut out, &a.findings);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_break_tables() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("[x](http://e)"), "\\[x\\](http://e)");
        // The newline becomes a visible `\n` whose backslash is itself escaped.
        assert_eq!(escape("line\nnext"), "line\\\\nnext");
    }
}
