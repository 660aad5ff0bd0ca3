//! `unroot scan`: assess every container and print the result for people (table, Markdown)
//! or pipelines (JSON, SARIF). Exit 1 when `--fail-on` is reached.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::{FailOn, GlobalArgs, ScanArgs, ScanFormat};
use crate::exit;
use crate::model::Container;
use crate::risk::catalog::catalog;
use crate::risk::report::table::TableOptions;
use crate::risk::report::{Report, json, markdown, sarif, table};
use crate::risk::{self, Severity};

pub async fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<u8> {
    let inventory = crate::source::load(global, None).await?;
    let assessment = risk::assess(&inventory);
    let mut report = Report::new(&inventory, assessment);
    let filter = Filter::parse(&args.filter);
    let matched = filter.apply(&mut report);

    let stdout = std::io::stdout();
    let is_tty = stdout.is_terminal();
    let format = args.format.unwrap_or(ScanFormat::Table);
    let text = match format {
        ScanFormat::Json => json::render(&report),
        ScanFormat::Sarif => sarif::render(&report),
        ScanFormat::Markdown => markdown::render(&report),
        ScanFormat::Table => table::render(
            &report,
            TableOptions {
                colour: is_tty && colour_allowed(),
                max_width: if is_tty { terminal_width() } else { None },
            },
        ),
    };
    write_stdout(&text)?;

    if !matched {
        // Said on stderr so JSON/SARIF on stdout stay parseable; nothing matched is not a
        // policy failure.
        exit::stderr_line(&format!(
            "unroot: no container matches --filter {}",
            args.filter.join(" --filter ")
        ));
        return Ok(exit::OK);
    }
    if let Some(threshold) = args.fail_on.map(severity_of) {
        let n = report.count_at_or_above(threshold);
        if n > 0 {
            eprintln!(
                "unroot: {n} finding{} at or above {} (--fail-on {})",
                if n == 1 { "" } else { "s" },
                threshold.as_str(),
                threshold.as_str()
            );
            return Ok(exit::POLICY);
        }
    }
    Ok(exit::OK)
}

fn severity_of(f: FailOn) -> Severity {
    match f {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

/// https://no-color.org: any non-empty NO_COLOR turns colour off.
fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn terminal_width() -> Option<usize> {
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
}

/// Write everything; a closed pipe (`| head`) is the reader's choice, not an error.
fn write_stdout(text: &str) -> Result<()> {
    match crate::exit::write_stdout(text) {
        Err(e) if crate::exit::is_stdout_closed(&e) => Ok(()),
        other => other,
    }
}

/// `--filter` terms. A term that is a rule id selects findings of that rule; any other term
/// selects containers whose name, id, image, or a label `key=value` contains it (case
/// insensitive). Several terms must all match.
#[derive(Debug, Default)]
pub struct Filter {
    rules: Vec<String>,
    containers: Vec<String>,
}

impl Filter {
    pub fn parse(terms: &[String]) -> Self {
        let mut f = Filter::default();
        for term in terms {
            if catalog().get(term).is_some() {
                f.rules.push(term.clone());
            } else {
                f.containers.push(term.to_lowercase());
            }
        }
        f
    }

    fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.containers.is_empty()
    }

    fn matches_container(&self, c: &Container) -> bool {
        self.containers.iter().all(|term| {
            c.name.to_lowercase().contains(term)
                || c.id.starts_with(term.as_str())
                || c.image.to_lowercase().contains(term)
                || c.labels
                    .iter()
                    .any(|(k, v)| format!("{k}={v}").to_lowercase().contains(term))
        })
    }

    /// Narrow the report in place; returns whether anything is left to show (always true
    /// without a filter, even for a host with no containers).
    pub fn apply(&self, report: &mut Report) -> bool {
        if self.is_empty() {
            return true;
        }
        if !self.rules.is_empty() {
            report
                .host_findings
                .retain(|f| self.rules.contains(&f.rule));
            for (_, a) in &mut report.containers {
                a.retain(|f| self.rules.contains(&f.rule));
            }
        }
        report.containers.retain(|(c, a)| {
            self.matches_container(c) && (self.rules.is_empty() || !a.findings.is_empty())
        });
        report.refresh_summary();
        !report.containers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::testkit::{ContainerBuilder as B, inventory};

    fn report_names(terms: &[&str]) -> (bool, Vec<String>) {
        let inv = inventory(vec![
            B::new("web-café")
                .image("nginx:1.25")
                .label("com.docker.compose.project", "shop")
                .port(None, 80, 80)
                .build(),
            B::new("db")
                .image("postgres:16")
                .label("tier", "data")
                .build(),
            B::hardened("safe").build(),
        ]);
        let mut report = Report::new(&inv, risk::assess(&inv));
        let terms: Vec<String> = terms.iter().map(|s| s.to_string()).collect();
        let matched = Filter::parse(&terms).apply(&mut report);
        let mut names: Vec<String> = report
            .containers
            .iter()
            .map(|(c, _)| c.name.clone())
            .collect();
        names.sort();
        (matched, names)
    }

    #[test]
    fn filters_by_name_image_label_and_rule() {
        assert_eq!(report_names(&["CAFÉ"]).1, vec!["web-café"]);
        assert_eq!(report_names(&["postgres"]).1, vec!["db"]);
        assert_eq!(report_names(&["tier=data"]).1, vec!["db"]);
        assert_eq!(report_names(&["compose.project=shop"]).1, vec!["web-café"]);
        assert_eq!(report_names(&["privileged-port"]).1, vec!["web-café"]);
        assert_eq!(report_names(&["root-user", "db"]).1, vec!["db"]);
        assert_eq!(report_names(&[]).1.len(), 3);
    }

    #[test]
    fn nothing_matched_is_reported() {
        let (matched, names) = report_names(&["no-such-thing"]);
        assert!(!matched && names.is_empty());
    }

    #[test]
    fn rule_filter_narrows_findings_and_score() {
        let inv = inventory(vec![B::new("p").privileged().build()]);
        let mut report = Report::new(&inv, risk::assess(&inv));
        Filter::parse(&["privileged".to_string()]).apply(&mut report);
        let (_, a) = &report.containers[0];
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.score, Severity::Critical.weight());
        assert_eq!(report.summary.critical, 1);
    }
}
