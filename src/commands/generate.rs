//! `unroot generate`: plan (or defaults) + inventory -> the migration directory.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{FailOn, GenerateArgs, GlobalArgs};
use crate::commands::plan::{default_decisions, host_id_files, select, target_from_flags};
use crate::exit::{self, Failure};
use crate::generate::{HostIdFiles, NoteLevel};
use crate::plan::bundle::{PlanCopy, for_decisions, output_files};
use crate::plan::document::{self, BuildInput, Format};
use crate::plan::load;
use crate::risk::{Migration, Severity};
use crate::{fleet, migration, output, risk, source};

fn threshold(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

/// What the output directory is rendered from: the plan document, its copy's name and
/// text, and the migration.
struct Prepared {
    doc: document::PlanDocument,
    copy_name: &'static str,
    copy_text: String,
    migration: migration::Migration,
}

pub async fn run(global: &GlobalArgs, args: &GenerateArgs) -> Result<u8> {
    if args.plan.is_some() && (args.user.is_some() || args.podman_version.is_some()) {
        return Err(Failure::usage(
            "--user and --podman-version apply only without --plan; edit `target:` in the plan instead",
        )
        .into());
    }
    if global.is_fleet() {
        return run_fleet(global, args).await;
    }
    // Read the plan before the inventory: a broken plan is reported without touching Docker.
    let loaded = args.plan.as_deref().map(load::read).transpose()?;
    let inventory = source::load(global, None).await?;
    let (code, _) = generate_one(
        args,
        args.plan.as_deref(),
        loaded.as_ref(),
        &inventory,
        &args.out,
    )?;
    Ok(code)
}

/// Several hosts: read them concurrently, write `OUT/HOST/` for each exactly as a
/// single-host run would (all or nothing per host), then `OUT/FLEET.md`, `OUT/fleet.json`
/// and `OUT/ansible/` for the hosts that have a bundle. A host that fails is named on
/// stderr and in the summary; the others are written.
async fn run_fleet(global: &GlobalArgs, args: &GenerateArgs) -> Result<u8> {
    if let Some(plan) = &args.plan
        && !plan.is_dir()
    {
        return Err(Failure::usage(format!(
            "--plan {}: with several hosts, --plan names the directory `unroot plan -o DIR` \
             wrote (DIR/HOST.yaml per host)",
            plan.display()
        ))
        .into());
    }
    let hosts = fleet::hosts(global)?;
    let inventories = fleet::read_all(&hosts, usize::from(global.parallel)).await;
    let mut outcomes = Vec::with_capacity(hosts.len());
    let mut summaries = Vec::with_capacity(hosts.len());
    for (host, inventory) in hosts.iter().zip(inventories) {
        let out = args.out.join(&host.name);
        let result = inventory.and_then(|inventory| {
            let plan = args
                .plan
                .as_deref()
                .map(|dir| host_plan(dir, &host.name))
                .transpose()?;
            let loaded = plan.as_deref().map(load::read).transpose()?;
            generate_one(args, plan.as_deref(), loaded.as_ref(), &inventory, &out)
        });
        let outcome = match result {
            Ok((code, facts)) => {
                outcomes.push(Ok(code));
                fleet::HostOutcome::Written(facts)
            }
            Err(err) => {
                fleet::report_failure(host, &err);
                outcomes.push(Err(exit::code_of(&err)));
                fleet::HostOutcome::Error(exit::error_line(&err))
            }
        };
        summaries.push(fleet::HostSummary {
            name: host.name.clone(),
            endpoint: host.endpoint.to_string(),
            outcome,
        });
    }
    let files = crate::render::fleet::files(&hosts, &summaries);
    let written = output::write_files(&args.out, &files, args.force)?;
    exit::stdout_line(&format!(
        "{}: fleet of {} host(s), {} written, {} failed -> FLEET.md, fleet.json, ansible/ ({} file(s) written, {} unchanged)",
        args.out.display(),
        hosts.len(),
        outcomes.iter().filter(|o| o.is_ok()).count(),
        outcomes.iter().filter(|o| o.is_err()).count(),
        written.written.len(),
        written.unchanged.len()
    ))?;
    Ok(fleet::exit_code(&outcomes))
}

/// `DIR/HOST.yaml`, else `DIR/HOST.yml` or `DIR/HOST.json`: the plan `unroot plan -o DIR`
/// wrote for this host.
fn host_plan(dir: &Path, name: &str) -> Result<PathBuf> {
    ["yaml", "yml", "json"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Failure::usage(format!(
                "no plan for this host in {}: expected {name}.yaml (unroot plan -o DIR writes it)",
                dir.display()
            ))
            .into()
        })
}

/// Generate one host's directory `out` from its inventory and plan (or defaults): exactly
/// what `unroot generate` writes for that host. Returns the policy exit code and the facts
/// the fleet summary shows.
fn generate_one(
    args: &GenerateArgs,
    plan_path: Option<&Path>,
    loaded: Option<&load::LoadedPlan>,
    inventory: &crate::model::Inventory,
    out: &Path,
) -> Result<(u8, fleet::HostFacts)> {
    let assessment = risk::assess(inventory);
    // The target's ID facts, read once: the plan's ranges are checked and new ones allocated
    // against the same view.
    let host = host_id_files(inventory);
    let prepared = match loaded {
        Some(plan) => from_plan(plan_path, plan, inventory, &assessment, &host)?,
        None => from_flags(args, inventory, &assessment, &host)?,
    };
    let Prepared {
        doc,
        copy_name,
        copy_text,
        migration,
    } = prepared;
    let files = output_files(
        inventory,
        &doc,
        &PlanCopy {
            name: copy_name,
            text: &copy_text,
        },
        &migration,
    );
    let outcome = output::write_files(out, &files, args.force)?;
    let included: Vec<&document::ContainerPlan> = doc
        .containers
        .iter()
        .filter(|c| c.decision.include)
        .collect();
    let blockers: Vec<&str> = included
        .iter()
        .filter(|c| c.findings.iter().any(|f| f.migration == Migration::Blocker))
        .map(|c| c.name.as_str())
        .collect();
    report_outcome(out, &outcome, included.len(), &migration, blockers.len())?;
    let facts = facts(inventory, &included, &blockers);
    Ok((policy(args, &included, &blockers), facts))
}

/// What the fleet summary says about a written host.
fn facts(
    inventory: &crate::model::Inventory,
    included: &[&document::ContainerPlan],
    blockers: &[&str],
) -> fleet::HostFacts {
    let mut verdicts = fleet::VerdictCounts::default();
    for c in included {
        match c.verdict {
            Migration::Ok => verdicts.ok += 1,
            Migration::Change => verdicts.change += 1,
            Migration::Blocker => verdicts.blocker += 1,
        }
    }
    fleet::HostFacts {
        containers: inventory.containers.len(),
        planned: included.len(),
        verdicts,
        blockers: blockers.iter().map(|b| (*b).to_owned()).collect(),
        worst_risk: included
            .iter()
            .flat_map(|c| c.findings.iter().map(|f| f.severity))
            .max(),
        id_files_read_over_ssh: inventory.host.id_files.is_some(),
    }
}

/// `--plan FILE`: the plan's decisions, checked against today's inventory; the report
/// shows today's findings and notes with those decisions.
fn from_plan(
    plan_path: Option<&Path>,
    plan: &load::LoadedPlan,
    inventory: &crate::model::Inventory,
    assessment: &risk::Assessment,
    host: &HostIdFiles,
) -> Result<Prepared> {
    let shown = plan_path
        .unwrap_or_else(|| Path::new("plan"))
        .display()
        .to_string();
    load::check_against(&plan.document, inventory, &plan.text, plan.format, &shown)?;
    load::check_host(&plan.document, host, &plan.text, plan.format, &shown)?;
    let decisions = plan.document.decisions(inventory);
    let migration = migration::plan(inventory, &plan.document.target, &decisions, host)
        .map_err(|e| Failure::usage(format!("{e:#}")))?;
    let names: Vec<String> = plan
        .document
        .containers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let mut doc = document::build(&BuildInput {
        inventory,
        target: &plan.document.target,
        names: &names,
        decisions: &decisions,
        assessment,
        generated: &migration.generated,
    });
    doc.source.captured_at = plan.document.source.captured_at.clone();
    Ok(Prepared {
        doc,
        copy_name: plan.format.copy_name(),
        copy_text: plan.text.clone(),
        migration,
    })
}

/// No plan: default decisions for every container, target from `--user` and
/// `--podman-version`; the plan copy is the one the bundle wrote.
fn from_flags(
    args: &GenerateArgs,
    inventory: &crate::model::Inventory,
    assessment: &risk::Assessment,
    host: &HostIdFiles,
) -> Result<Prepared> {
    let target = target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
    let names = select(inventory, &[])?;
    let decisions = default_decisions(inventory, &names);
    let bundle = for_decisions(inventory, &target, &names, &decisions, assessment, host)
        .map_err(|e| Failure::usage(format!("{e:#}")))?;
    let copy_text = bundle
        .files
        .iter()
        .find(|f| f.path == Format::Yaml.copy_name())
        .map(|f| f.content.clone())
        .unwrap_or_default();
    Ok(Prepared {
        doc: bundle.document,
        copy_name: Format::Yaml.copy_name(),
        copy_text,
        migration: bundle.migration,
    })
}

/// One line saying what was written, kept, removed and what needs review; then the
/// written files.
fn report_outcome(
    out: &Path,
    outcome: &output::WriteOutcome,
    included: usize,
    migration: &migration::Migration,
    blockers: usize,
) -> Result<()> {
    let untranslated = migration
        .generated
        .notes
        .iter()
        .filter(|n| n.level == NoteLevel::NotTranslated)
        .count();
    let listed = |what: &str, names: &[String]| {
        if names.is_empty() {
            String::new()
        } else {
            format!(", {} {what} ({})", names.len(), names.join(", "))
        }
    };
    exit::stdout_line(&format!(
        "{}: {} container(s) -> {} written, {} unchanged{}{}{}; {} setting(s) not translated, {} container(s) with blockers (see REPORT.md)",
        out.display(),
        included,
        outcome.written.len(),
        outcome.unchanged.len(),
        if outcome.mode_fixed.is_empty() {
            String::new()
        } else {
            format!(", {} mode(s) fixed", outcome.mode_fixed.len())
        },
        listed("stale removed", &outcome.removed),
        listed("stale kept because edited", &outcome.kept_stale),
        untranslated,
        blockers
    ))?;
    if !outcome.written.is_empty() {
        exit::stdout_line(&format!("written: {}", outcome.written.join(", ")))?;
    }
    Ok(())
}

/// `--fail-on LEVEL` and `--fail-on-blockers`: the exit code a pipeline acts on.
fn policy(args: &GenerateArgs, included: &[&document::ContainerPlan], blockers: &[&str]) -> u8 {
    if let Some(level) = args.fail_on {
        let at = threshold(level);
        let hits: Vec<String> = included
            .iter()
            .flat_map(|c| {
                c.findings
                    .iter()
                    .filter(|f| f.severity >= at)
                    .map(move |f| format!("{}:{}", c.name, f.rule))
            })
            .collect();
        if !hits.is_empty() {
            exit::stderr_line(&format!(
                "unroot: policy: {} finding(s) at or above {}: {}",
                hits.len(),
                at.as_str(),
                hits.join(", ")
            ));
            return exit::POLICY;
        }
    }
    if args.fail_on_blockers && !blockers.is_empty() {
        exit::stderr_line(&format!(
            "unroot: policy: blockers in {}",
            blockers.join(", ")
        ));
        return exit::POLICY;
    }
    exit::OK
}
