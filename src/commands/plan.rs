//! `unroot plan`: read the inventory, assess it, propose decisions, write the plan file.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::cli::{GlobalArgs, PlanArgs};
use crate::exit::{self, Failure};
use crate::plan::document::{self, BuildInput, Format};
use crate::plan::{ContainerDecision, Target, load};
use crate::{fleet, generate, output, risk, source};

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

/// Where the target's `/etc` files are read: `/`, or `UNROOT_TARGET_ROOT` (a mounted or
/// sandboxed target, as for `unroot verify --target-root`).
pub fn target_root() -> std::path::PathBuf {
    std::env::var_os("UNROOT_TARGET_ROOT")
        .filter(|v| !v.is_empty())
        .map_or_else(|| "/".into(), std::path::PathBuf::from)
}

/// The target host's ID facts, read once per run: new ranges are allocated around what is
/// there and a plan's ranges are checked against it. The target is the engine's host: its
/// own files when they came with the inventory (read over ssh), else this machine's (or
/// `UNROOT_TARGET_ROOT`'s).
pub fn host_id_files(inventory: &crate::model::Inventory) -> generate::HostIdFiles {
    match &inventory.host.id_files {
        Some(files) => generate::host_ids::from_host(files),
        None => generate::host_ids::read(&target_root()),
    }
}

/// Run the generators against the target's ID facts.
pub fn generate_here(
    inventory: &crate::model::Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    host: &generate::HostIdFiles,
) -> Result<generate::Generated> {
    generate::generate_for_host(inventory, target, decisions, host, host)
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

/// Default decisions for the selected containers, `include: false` for the rest (and for
/// a watcher, which Podman replaces: see [`ContainerDecision::proposed`]).
pub fn default_decisions(
    inventory: &crate::model::Inventory,
    selected: &[String],
) -> BTreeMap<String, ContainerDecision> {
    inventory
        .containers
        .iter()
        .map(|c| {
            let mut d = ContainerDecision::proposed(inventory, c);
            d.include &= selected.contains(&c.name);
            (c.name.clone(), d)
        })
        .collect()
}

pub async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<u8> {
    if global.is_fleet() {
        return run_fleet(global, args).await;
    }
    // The target is checked before the inventory is read: a bad flag never touches Docker.
    target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
    let inventory = source::load(global, None).await?;
    plan_one(&inventory, args, &args.output)
}

/// Several hosts: `-o DIR` gets one `DIR/HOST.yaml` per host read (DIR is created when
/// missing); a host that fails gets no file and a line on stderr.
async fn run_fleet(global: &GlobalArgs, args: &PlanArgs) -> Result<u8> {
    if args.output.as_os_str() == "-" {
        return Err(Failure::usage(
            "-o -: with several hosts, -o names a directory that gets one HOST.yaml per host",
        )
        .into());
    }
    if args.output.is_file() {
        return Err(Failure::usage(format!(
            "-o {}: with several hosts, -o names a directory (one HOST.yaml per host), not a file",
            args.output.display()
        ))
        .into());
    }
    target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
    let hosts = fleet::hosts(global)?;
    std::fs::create_dir_all(&args.output)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", args.output.display())))?;
    let inventories = fleet::read_all(&hosts, usize::from(global.parallel)).await;
    let mut outcomes = Vec::with_capacity(hosts.len());
    for (host, inventory) in hosts.iter().zip(inventories) {
        let path = args.output.join(format!("{}.yaml", host.name));
        match inventory.and_then(|inventory| plan_one(&inventory, args, &path)) {
            Ok(code) => outcomes.push(Ok(code)),
            Err(err) => {
                fleet::report_failure(host, &err);
                outcomes.push(Err(exit::code_of(&err)));
            }
        }
    }
    Ok(fleet::exit_code(&outcomes))
}

/// Plan one host's inventory into `output` (`-` for standard output).
fn plan_one(
    inventory: &crate::model::Inventory,
    args: &PlanArgs,
    output: &std::path::Path,
) -> Result<u8> {
    let mut target = target_from_flags(args.user.as_deref(), args.podman_version.as_deref())?;
    let names = select(inventory, &args.only)?;
    let decisions = default_decisions(inventory, &names);
    let generated = generate_here(inventory, &target, &decisions, &host_id_files(inventory))?;
    // Write the ranges the allocator chose into the plan, so the reviewer sees them and a
    // later generate uses the same ones (ranges the host already has are reused, not listed).
    for a in generated.subids.iter().filter(|a| a.uids_new) {
        target.subid_ranges.insert(a.user.clone(), a.uids);
    }
    let assessment = risk::assess(inventory);
    let doc = document::build(&BuildInput {
        inventory,
        target: &target,
        names: &names,
        decisions: &decisions,
        assessment: &assessment,
        generated: &generated,
    });
    let to_stdout = output.as_os_str() == "-";
    let format = if to_stdout {
        Format::Yaml
    } else {
        Format::for_path(output)
    };
    let text = doc.render(format)?;
    if to_stdout {
        exit::write_stdout(&text)?;
        return Ok(exit::OK);
    }
    let changed = output::write_single(output, &text, 0o644, args.force)?;
    let blockers = doc
        .containers
        .iter()
        .filter(|c| c.verdict == risk::Migration::Blocker)
        .count();
    exit::stdout_line(&format!(
        "{} {}: {} container(s) planned for user {} (Podman {}), {} with blockers; edit the \
         `decision:` blocks, then run `unroot generate --plan {} --out DIR`",
        if changed { "wrote" } else { "unchanged" },
        output.display(),
        doc.containers.len(),
        doc.target.user,
        doc.target.podman_version,
        blockers,
        output.display()
    ))?;
    Ok(exit::OK)
}
