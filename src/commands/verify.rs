//! `unroot verify`: check the rootless Podman target against a plan.
//!
//! Order matters for the error a user sees first: the plan (exit 2), then the Podman
//! socket (exit 2), then the inventory the expectations are regenerated from (Docker
//! unreachable: exit 3). Nothing is written anywhere; Podman and Docker are only read.

use anyhow::Result;

use crate::cli::{GlobalArgs, VerifyArgs};

#[cfg(not(feature = "podman"))]
pub async fn run(global: &GlobalArgs, args: &VerifyArgs) -> Result<u8> {
    let _ = (global, args);
    Err(crate::exit::Failure::usage(crate::verify::NO_PODMAN_SUPPORT).into())
}

#[cfg(feature = "podman")]
pub async fn run(global: &GlobalArgs, args: &VerifyArgs) -> Result<u8> {
    use std::path::PathBuf;

    use crate::cli::{VerifyFormat, VerifyPhase};
    use crate::exit::Failure;
    use crate::plan::load;
    use crate::verify::{self, DockerSide, Phase, Report, podman};

    let loaded = load::read(&args.plan)?;
    let doc = &loaded.document;
    let user = args.user.clone().unwrap_or_else(|| doc.target.user.clone());
    let host_root = args
        .target_root
        .clone()
        .unwrap_or_else(|| PathBuf::from("/"));
    let socket = match &args.podman_socket {
        Some(path) => path.clone(),
        None => verify::default_socket(&user, &host_root).ok_or_else(|| {
            Failure::usage(format!(
                "user {user} (from the plan) does not exist in {}: create it \
                 (migrate.sh does with create_user: true) or pass --podman-socket",
                host_root.join("etc/passwd").display()
            ))
        })?,
    };
    let client = podman::connect(&socket).await?;

    let inventory = crate::source::load(global, None).await?;
    let decisions = doc.decisions(&inventory);
    let expect = verify::expectations_for(&inventory, &doc.target, &decisions, &user)?;
    let facts = podman::gather(&client, &socket, &host_root).await?;

    let phase = match args.phase {
        VerifyPhase::Readiness => Phase::Readiness,
        VerifyPhase::Post => Phase::Post,
        VerifyPhase::Auto => verify::auto_phase(&expect, &facts),
    };
    let mut checks = Vec::new();
    // A planned container missing from the inventory cannot be expected on the target.
    for planned in doc.containers.iter().filter(|c| c.decision.include) {
        if inventory.container(&planned.name).is_none() {
            checks.push(verify::Check::fail(
                format!("plan-container:{}", planned.name),
                format!(
                    "{} is in the plan but not in the inventory ({}): its expected unit is unknown",
                    planned.name, inventory.source
                ),
                "pass the --snapshot taken before the migration, or remove it from the plan",
            ));
        }
    }
    checks.extend(match phase {
        Phase::Readiness => verify::readiness(&expect, &facts),
        Phase::Post => {
            let docker = if global.snapshot.is_some() || global.demo {
                DockerSide::Unavailable {
                    reason: format!(
                        "the inventory came from {}, not the live Docker engine",
                        inventory.source
                    ),
                }
            } else {
                DockerSide::from_inventory(&inventory)
            };
            verify::post_migration(&expect, &facts, &docker)
        }
    });
    let report = Report::new(phase, &expect, &facts, checks);
    match args.format {
        VerifyFormat::Table => crate::exit::write_stdout(&verify::render::table(&report))?,
        VerifyFormat::Json => {
            crate::exit::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?
        }
    }
    Ok(report.exit_code())
}
