//! `unroot scan`: assess every container and print the result for people (table, Markdown)
//! or pipelines (JSON, SARIF). Exit 1 when `--fail-on` is reached.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::{FailOn, GlobalArgs, ScanArgs, ScanFormat};
use crate::model::Container;
use crate::risk::catalog::catalog;
use crate::risk::report::table::TableOptions;
use crate::risk::report::{Report, json, markdown, sarif, table};
use crate::risk::{self, Severity};
use crate::{exit, fleet};

pub async fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<u8> {
    if let Some(plan) = &args.plan {
        return run_plan(global, args, plan).await;
    }
    if global.is_fleet() {
        return run_fleet(global, args).await;
    }
    let inventory = crate::source::load(global, None).await?;
    let scanned = scan(&inventory, args);
    write_stdout(&scanned.text)?;

    if !scanned.matched {
        // Said on stderr so JSON/SARIF on stdout stay parseable; nothing matched is not a
        // policy failure.
        exit::stderr_line(&format!(
            "unroot: no container matches --filter {}",
            args.filter.join(" --filter ")
        ));
        return Ok(exit::OK);
    }
    Ok(policy(args, scanned.at_or_above, ""))
}

/// `scan --plan FILE`: the plan (read first, so a broken plan never touches Docker),
/// checked against the inventory, then the risk of each included container as the plan
/// migrates it. `--fail-on` counts the findings left.
async fn run_plan(global: &GlobalArgs, args: &ScanArgs, path: &std::path::Path) -> Result<u8> {
    let format = args.format.unwrap_or(ScanFormat::Table);
    if !matches!(format, ScanFormat::Table | ScanFormat::Json) {
        return Err(exit::Failure::usage(
            "scan --plan: --format must be table or json (the migrated configuration has no SARIF or Markdown form)",
        )
        .into());
    }
    if global.is_fleet() {
        return Err(exit::Failure::usage(
            "scan --plan reads one host: name it with --host or --snapshot, not a fleet",
        )
        .into());
    }
    let plan = crate::plan::load::read(path)?;
    let inventory = crate::source::load(global, None).await?;
    let shown = path.display().to_string();
    crate::plan::load::check_against(&plan.document, &inventory, &plan.text, plan.format, &shown)?;
    let filter = Filter::parse(&args.filter);
    let deltas: Vec<risk::migrated::RiskDelta> = plan
        .document
        .containers
        .iter()
        .filter(|p| p.decision.include)
        .filter_map(|p| Some((p, inventory.container(&p.name)?)))
        .filter(|(_, c)| filter.matches_container(c))
        .map(|(p, c)| risk::migrated::delta(&inventory, c, &p.decision))
        .collect();
    let text = match format {
        ScanFormat::Json => crate::risk::report::delta::json(&shown, &deltas),
        _ => crate::risk::report::delta::table(&shown, &deltas),
    };
    write_stdout(&text)?;
    let left = args.fail_on.map_or(0, |level| {
        deltas
            .iter()
            .flat_map(|d| &d.left)
            .filter(|f| f.severity >= severity_of(level))
            .count()
    });
    Ok(policy(args, left, ""))
}

/// One host's scan: the text in the chosen format, whether the filter left anything, and
/// the findings at or above `--fail-on`.
struct Scanned {
    text: String,
    matched: bool,
    at_or_above: usize,
}

fn scan(inventory: &crate::model::Inventory, args: &ScanArgs) -> Scanned {
    let assessment = risk::assess(inventory);
    let mut report = Report::new(inventory, assessment);
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
    let at_or_above = args
        .fail_on
        .map_or(0, |level| report.count_at_or_above(severity_of(level)));
    Scanned {
        text,
        matched,
        at_or_above,
    }
}

/// `--fail-on`: exit 1 (and say why, naming the host in a fleet) when findings reach it.
fn policy(args: &ScanArgs, n: usize, host: &str) -> u8 {
    let Some(threshold) = args.fail_on.map(severity_of) else {
        return exit::OK;
    };
    if n == 0 {
        return exit::OK;
    }
    exit::stderr_line(&format!(
        "unroot: {host}{n} finding{} at or above {} (--fail-on {})",
        if n == 1 { "" } else { "s" },
        threshold.as_str(),
        threshold.as_str()
    ));
    exit::POLICY
}

/// Several hosts: read them concurrently, then each host's scan in the hosts' order. Table
/// and Markdown: a `== host NAME (ENDPOINT) ==` heading per host; JSON: one document with a
/// report (or an error) per host; SARIF: one run per host.
async fn run_fleet(global: &GlobalArgs, args: &ScanArgs) -> Result<u8> {
    let hosts = fleet::hosts(global)?;
    let inventories = fleet::read_all(&hosts, usize::from(global.parallel)).await;
    let format = args.format.unwrap_or(ScanFormat::Table);
    let mut outcomes = Vec::with_capacity(hosts.len());
    let mut documents = Vec::new();
    let mut sections = String::new();
    let mut matched_any = false;
    for (host, inventory) in hosts.iter().zip(inventories) {
        let shown = host.endpoint.to_string();
        let inventory = match inventory {
            Ok(inventory) => inventory,
            Err(err) => {
                fleet::report_failure(host, &err);
                outcomes.push(Err(exit::code_of(&err)));
                documents.push(serde_json::json!({
                    "name": host.name,
                    "endpoint": shown,
                    "error": exit::error_line(&err),
                }));
                continue;
            }
        };
        let scanned = scan(&inventory, args);
        matched_any |= scanned.matched;
        match format {
            ScanFormat::Json | ScanFormat::Sarif => {
                let report: serde_json::Value = serde_json::from_str(&scanned.text)?;
                documents.push(serde_json::json!({
                    "name": host.name,
                    "endpoint": shown,
                    "report": report,
                }));
            }
            ScanFormat::Table | ScanFormat::Markdown => {
                sections.push_str(&format!(
                    "== host {} ({}) ==\n",
                    host.name,
                    crate::render::text::one_line(&shown)
                ));
                sections.push_str(&scanned.text);
                if !scanned.text.ends_with('\n') {
                    sections.push('\n');
                }
            }
        }
        outcomes.push(Ok(if scanned.matched {
            policy(args, scanned.at_or_above, &format!("host {}: ", host.name))
        } else {
            exit::OK
        }));
    }
    let text = match format {
        ScanFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "unroot.fleet-scan/v1",
                "hosts": documents,
            }))?
        ),
        ScanFormat::Sarif => sarif_fleet(&documents)?,
        ScanFormat::Table | ScanFormat::Markdown => sections,
    };
    write_stdout(&text)?;
    if !matched_any && !args.filter.is_empty() && outcomes.iter().any(Result::is_ok) {
        exit::stderr_line(&format!(
            "unroot: no container on any host matches --filter {}",
            args.filter.join(" --filter ")
        ));
    }
    Ok(fleet::exit_code(&outcomes))
}

/// One SARIF log with every host's run, each tagged with the host's name
/// (`automationDetails.id` = `unroot/HOST/`); hosts that failed have no run.
fn sarif_fleet(documents: &[serde_json::Value]) -> Result<String> {
    let mut runs = Vec::new();
    let mut log = serde_json::Value::Null;
    for doc in documents {
        let Some(report) = doc.get("report") else {
            continue;
        };
        if log.is_null() {
            log = report.clone();
        }
        for run in report["runs"].as_array().into_iter().flatten() {
            let mut run = run.clone();
            run["automationDetails"] = serde_json::json!({
                "id": format!("unroot/{}/", doc["name"].as_str().unwrap_or_default()),
            });
            runs.push(run);
        }
    }
    if log.is_null() {
        return Ok(String::new());
    }
    log["runs"] = serde_json::Value::Array(runs);
    Ok(format!("{}\n", serde_json::to_string_pretty(&log)?))
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
