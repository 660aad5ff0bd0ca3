//! The terminal table: one row per finding, worst containers first, columns sized by display
//! width so CJK or emoji names stay aligned. Colour only when the caller says so (a terminal
//! without NO_COLOR); the text is identical either way.

use std::fmt::Write as _;

use crate::risk::{Finding, Migration, Severity};

use super::text::{pad, sanitize, truncate, width};
use super::{Report, host_line, state_str};

/// How the table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    pub colour: bool,
    /// Terminal width; the detail column is cut to fit. `None`: never cut.
    pub max_width: Option<usize>,
}

const NAME_MAX: usize = 32;
const DETAIL_MIN: usize = 24;

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::Info => "\x1b[2m",
    }
}

fn migration_colour(m: Migration) -> &'static str {
    match m {
        Migration::Blocker => "\x1b[1;35m",
        Migration::Change => "\x1b[33m",
        Migration::Ok => "\x1b[2m",
    }
}

fn paint(text: String, code: &str, colour: bool) -> String {
    if colour {
        format!("{code}{text}\x1b[0m")
    } else {
        text
    }
}

struct Row {
    cells: [String; 8],
    severity: Option<Severity>,
    migration: Option<Migration>,
}

const HEADERS: [&str; 8] = [
    "CONTAINER",
    "STATE",
    "SCORE",
    "SEVERITY",
    "MIGRATION",
    "CIS",
    "RULE",
    "DETAIL",
];

fn finding_cells(f: &Finding) -> [String; 5] {
    [
        f.severity.as_str().to_string(),
        f.migration.as_str().to_string(),
        f.cis.clone().unwrap_or_else(|| "-".into()),
        f.rule.clone(),
        sanitize(&f.detail),
    ]
}

fn rows(report: &Report) -> Vec<Row> {
    let mut rows = Vec::new();
    for (c, a) in &report.containers {
        let name = truncate(&sanitize(&c.name), NAME_MAX);
        let head = [name, state_str(c.state).to_string(), a.score.to_string()];
        if a.findings.is_empty() {
            let [n, s, sc] = head;
            rows.push(Row {
                cells: [
                    n,
                    s,
                    sc,
                    "-".into(),
                    "ok".into(),
                    "-".into(),
                    "-".into(),
                    "no findings".into(),
                ],
                severity: None,
                migration: None,
            });
            continue;
        }
        for (i, f) in a.findings.iter().enumerate() {
            let [n, s, sc] = if i == 0 {
                head.clone()
            } else {
                Default::default()
            };
            let [sev, mig, cis, rule, detail] = finding_cells(f);
            rows.push(Row {
                cells: [n, s, sc, sev, mig, cis, rule, detail],
                severity: Some(f.severity),
                migration: Some(f.migration),
            });
        }
    }
    rows
}

fn render_rows(out: &mut String, headers: &[&str], rows: &[Row], skip: usize, opts: TableOptions) {
    let cols = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.cells[skip..].iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    if let Some(max) = opts.max_width {
        let fixed: usize = widths[..cols - 1].iter().map(|w| w + 2).sum();
        widths[cols - 1] = widths[cols - 1].min(max.saturating_sub(fixed).max(DETAIL_MIN));
    }
    let line = |cells: Vec<String>| -> String { cells.join("  ").trim_end().to_string() };
    let header: Vec<String> = headers
        .iter()
        .zip(&widths)
        .map(|(h, w)| pad(h, *w))
        .collect();
    let _ = writeln!(out, "{}", paint(line(header), "\x1b[1m", opts.colour));
    for row in rows {
        let cells: Vec<String> = row.cells[skip..]
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let text = pad(&truncate(cell, widths[i]), widths[i]);
                let header = headers[i];
                match (row.severity, row.migration) {
                    (Some(s), _) if header.ends_with("SEVERITY") => {
                        paint(text, severity_colour(s), opts.colour)
                    }
                    (_, Some(m)) if header == "MIGRATION" => {
                        paint(text, migration_colour(m), opts.colour)
                    }
                    _ => text,
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line(cells));
    }
}

pub fn render(report: &Report, opts: TableOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", sanitize(&host_line(report.inventory)));
    if !report.host_findings.is_empty() {
        let host_rows: Vec<Row> = report
            .host_findings
            .iter()
            .map(|f| {
                let [sev, mig, cis, rule, detail] = finding_cells(f);
                Row {
                    cells: ["".into(), "".into(), "".into(), sev, mig, cis, rule, detail],
                    severity: Some(f.severity),
                    migration: Some(f.migration),
                }
            })
            .collect();
        let headers = ["HOST SEVERITY", "MIGRATION", "CIS", "RULE", "DETAIL"];
        render_rows(&mut out, &headers, &host_rows, 3, opts);
        out.push('\n');
    }
    if report.containers.is_empty() {
        out.push_str("No containers to report.\n");
    } else {
        render_rows(&mut out, &HEADERS, &rows(report), 0, opts);
    }
    let _ = writeln!(out, "\n{}", report.summary.sentence());
    out.push_str("Explanations and fixes: unroot scan --format markdown (or json)\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::assess;
    use crate::risk::testkit::{ContainerBuilder as B, inventory};

    /// Every row's SEVERITY cell starts at the same terminal column, whatever the names.
    #[test]
    fn wide_and_hostile_names_keep_columns_aligned() {
        let inv = inventory(vec![
            B::new("名前-🚀-サービス").privileged().build(),
            B::new("plain").build(),
            B::new("evil\x1b[2J\nname").build(),
            B::new(&"x".repeat(80)).build(),
        ]);
        let report = Report::new(&inv, assess(&inv));
        let out = render(
            &report,
            TableOptions {
                colour: false,
                max_width: Some(140),
            },
        );
        assert!(!out.contains('\x1b'), "escape sequences are made visible");
        let lines: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("CONTAINER"))
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(lines.len() > 10);
        let column = |line: &str| {
            let at = ["critical", "high", "medium", "low", "info", "SEVERITY"]
                .iter()
                .filter_map(|w| {
                    line.find(&format!(" {w} "))
                        .or_else(|| line.find(&format!(" {w}")))
                })
                .min()
                .expect("a severity cell");
            width(&line[..at])
        };
        let first = column(lines[0]);
        for line in &lines {
            assert_eq!(column(line), first, "misaligned: {line:?}");
            assert!(width(line) <= 140, "cut to the terminal: {line:?}");
        }
        assert!(out.contains("\\u{1b}[2J\\nname"));
        assert!(out.contains('…'), "the 80-character name is cut");
    }
}
