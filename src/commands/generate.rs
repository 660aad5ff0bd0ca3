//! `unroot generate`: plan (or defaults) + inventory -> the migration directory.

use anyhow::Result;

use crate::cli::{FailOn, GenerateArgs, GlobalArgs};
use crate::commands::plan::{
    default_decisions, generate_here, host_id_files, select, target_from_flags,
};
use crate::exit::{self, Failure};
use crate::generate::NoteLevel;
use crate::plan::bundle::{PlanCopy, for_decisions, output_files};
use crate::plan::document::{self, BuildInput, Format};
use crate::plan::load;
use crate::risk::{Migration, Severity};
use crate::{output, risk, source};

fn threshold(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

pub async fn run(global: &GlobalArgs, args: &GenerateArgs) -> Result<u8> {
    if args.plan.is_some() && (args.user.is_some() || args.podman_version.is_some()) {
        return Err(Failure::usage(
            "--user and --podman-version apply only without --plan; edit `target:` in the plan instead",
        )
        .into());
    }
    // Read the plan before the inventory: a broken plan is reported without touching Docker.
    let loaded = args.plan.as_deref().map(load::read).transpose()?;
    let inventory = source::load(global, None).await?;
    let assessment = risk::assess(&inventory);

    let (doc, copy_name, copy_text, generated) = match &loaded {
        Some(plan) => {
            let shown = args
                .plan
                .as_deref()
                .unwrap_or_else(|| std::path::Path::new("plan"))
                .display()
                .to_string();
            load::check_against(&plan.document, &inventory, &plan.text, plan.format, &shown)?;
            let decisions = plan.document.decisions(&inventory);
            let generated = generate_here(&inventory, &plan.document.target, &decisions)?;
            // The report shows today's findings and notes with the plan's decisions.
            let names: Vec<String> = plan
                .document
                .containers
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let mut doc = document::build(&BuildInput {
                inventory: &inventory,
                target: &plan.document.target,
                names: &names,
                decisions: &decisions,
                assessment: &assessment,
                generated: &generated,
            });
            doc.source.captured_at = plan.document.source.captured_at.clone();
            (doc, plan.format.copy_name(), plan.text.clone(), generated)
        }
        None => {
            let target = target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
            let names = select(&inventory, &[])?;
            let decisions = default_decisions(&inventory, &names);
            let bundle = for_decisions(
                &inventory,
                &target,
                &names,
                &decisions,
                &assessment,
                &host_id_files(),
            )
            .map_err(|e| Failure::usage(format!("{e:#}")))?;
            let text = bundle
                .files
                .iter()
                .find(|f| f.path == Format::Yaml.copy_name())
                .map(|f| f.content.clone())
                .unwrap_or_default();
            (
                bundle.document,
                Format::Yaml.copy_name(),
                text,
                bundle.generated,
            )
        }
    };

    let files = output_files(
        &inventory,
        &doc,
        &PlanCopy {
            name: copy_name,
            text: &copy_text,
        },
        &generated,
    );
    let outcome = output::write_files(&args.out, &files, args.force)?;

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
    let untranslated = generated
        .notes
        .iter()
        .filter(|n| n.level == NoteLevel::NotTranslated)
        .count();
    exit::stdout_line(&format!(
        "{}: {} container(s) -> {} written, {} unchanged{}{}{}; {} setting(s) not translated, {} container(s) with blockers (see REPORT.md)",
        args.out.display(),
        included.len(),
        outcome.written.len(),
        outcome.unchanged.len(),
        if outcome.mode_fixed.is_empty() {
            String::new()
        } else {
            format!(", {} mode(s) fixed", outcome.mode_fixed.len())
        },
        if outcome.removed.is_empty() {
            String::new()
        } else {
            format!(
                ", {} stale removed ({})",
                outcome.removed.len(),
                outcome.removed.join(", ")
            )
        },
        if outcome.kept_stale.is_empty() {
            String::new()
        } else {
            format!(
                ", {} stale kept because edited ({})",
                outcome.kept_stale.len(),
                outcome.kept_stale.join(", ")
            )
        },
        untranslated,
        blockers.len()
    ))?;
    if !outcome.written.is_empty() {
        exit::stdout_line(&format!("written: {}", outcome.written.join(", ")))?;
    }

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
            return Ok(exit::POLICY);
        }
    }
    if args.fail_on_blockers && !blockers.is_empty() {
        exit::stderr_line(&format!(
            "unroot: policy: blockers in {}",
            blockers.join(", ")
        ));
        return Ok(exit::POLICY);
    }
    Ok(exit::OK)
}
