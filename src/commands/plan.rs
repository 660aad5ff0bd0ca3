//! `unroot plan`: read the inventory, assess it, propose decisions, write the plan file.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::cli::{GlobalArgs, PlanArgs};
use crate::exit::{self, Failure};
use crate::plan::document::{self, BuildInput, Format};
use crate::plan::{ContainerDecision, Target, load};
use crate::{generate, output, risk, source};

pub use crate::model::{DEFAULT_PODMAN_VERSION, DEFAULT_QUADLET_DIR, DEFAULT_USER};

/// The target from the command line, checked like a plan's target would be.
pub fn target_from_flags(user: Option<&str>, podman_version: Option<&str>) -> Result<Target> {
    let user = user.unwrap_or(DEFAULT_USER).to_string();
    load::check_user(&user).map_err(|e| Failure::usage(format!("--user: {e}")))?;
    let podman_version = podman_version.unwrap_or(DEFAULT_PODMAN_VERSION).to_string();
    load::check_podman_version(&podman_version)
        .map_err(|e| Failure::usage(format!("--podman-version: {e}")))?;
    Ok(crate::plan::proposed_target(&user, &podman_version))
}

/// The target host's `/etc/subuid` and `/etc/subgid` (the target is usually this host):
/// new ranges are allocated around the ones already there. Missing files read as empty.
pub fn host_id_files() -> generate::HostIdFiles {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    generate::HostIdFiles {
        subuid: read("/etc/subuid"),
        subgid: read("/etc/subgid"),
    }
}

/// Run the generators against this host's subordinate ID files.
pub fn generate_here(
    inventory: &crate::model::Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> Result<generate::Generated> {
    generate::generate_for_host(
        inventory,
        target,
        decisions,
        &host_id_files(),
        &generate::subid::SystemUsers,
    )
    .map_err(|e| Failure::usage(format!("{e:#}")).into())
}

/// The container names to plan: `--only` (all must exist), else every container.
pub fn select(inventory: &crate::model::Inventory, only: &[String]) -> Result<Vec<String>> {
    if only.is_empty() {
        return Ok(inventory
            .containers
            .iter()
            .map(|c| c.name.clone())
            .collect());
    }
    let missing: Vec<&str> = only
        .iter()
        .map(String::as_str)
        .filter(|n| inventory.container(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Failure::usage(format!(
            "--only: no container named {} on {} (known: {})",
            missing.join(", "),
            inventory.source,
            inventory
                .containers
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let mut names = Vec::new();
    for c in &inventory.containers {
        if only.contains(&c.name) {
            names.push(c.name.clone());
        }
    }
    Ok(names)
}

/// Default decisions for the selected containers, `include: false` for the rest.
pub fn default_decisions(
    inventory: &crate::model::Inventory,
    selected: &[String],
) -> BTreeMap<String, ContainerDecision> {
    inventory
        .containers
        .iter()
        .map(|c| {
            let mut d = ContainerDecision::default_for(c);
            d.include = selected.contains(&c.name);
            (c.name.clone(), d)
        })
        .collect()
}

pub async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<u8> {
    let mut target = target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
    let inventory = source::load(global, None).await?;
    let names = select(&inventory, &args.only)?;
    let decisions = default_decisions(&inventory, &names);
    let generated = generate_here(&inventory, &target, &decisions)?;
    // Write the ranges the allocator chose into the plan, so the reviewer sees them and a
    // later generate uses the same ones (ranges the host already has are reused, not listed).
    for a in generated.subids.iter().filter(|a| a.uids_new) {
        target.subid_ranges.insert(a.user.clone(), a.uids);
    }
    let assessment = risk::assess(&inventory);
    let doc = document::build(&BuildInput {
        inventory: &inventory,
        target: &target,
        names: &names,
        decisions: &decisions,
        assessment: &assessment,
        generated: &generated,
    });
    let to_stdout = args.output.as_os_str() == "-";
    let format = if to_stdout {
        Format::Yaml
    } else {
        Format::for_path(&args.output)
    };
    let text = doc.render(format)?;
    if to_stdout {
        exit::write_stdout(&text)?;
        return Ok(exit::OK);
    }
    let changed = output::write_single(&args.output, &text, 0o644, args.force)?;
    let blockers = doc
        .containers
        .iter()
        .filter(|c| c.verdict == risk::Migration::Blocker)
        .count();
    exit::stdout_line(&format!(
        "{} {}: {} container(s) planned for user {} (Podman {}), {} with blockers; edit the \
         `decision:` blocks, then run `unroot generate --plan {} --out DIR`",
        if changed { "wrote" } else { "unchanged" },
        args.output.display(),
        doc.containers.len(),
        doc.target.user,
        doc.target.podman_version,
        blockers,
        args.output.display()
    ))?;
    Ok(exit::OK)
}
