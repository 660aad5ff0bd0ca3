//! The typed migration: everything migrate.sh and rollback.sh do, as data.
//!
//! [`plan`] runs the generators and [`build::build`] turns the inventory, the target and
//! their output into one [`Migration`], which owns that output. Every front end reads this
//! one value: migrate.sh and rollback.sh (`crate::render::shell`), REPORT.md, `unroot
//! verify`'s expectations and the TUI's preview. Nothing
//! here is text meant for a shell or a person, and nothing re-parses generated files: sub-ID
//! ranges come from the allocator's assignments, env-file destinations, quadlet files and
//! volume services from the generators' typed [`UnitPlan`](crate::generate::UnitPlan).
//!
//! Order of the steps, and why:
//! 1. per user: create (or check) it, enable lingering and wait for its user manager, add
//!    the sub-ID ranges, then `podman system migrate` as the user: nothing runs Podman as
//!    the user before its runtime directory exists (issue 12, item 1);
//! 2. host settings (sysctl.d), then images and units for every user: no downtime yet;
//! 3. the cutover, one [`CutoverGroup`] at a time (a compose project, or containers that
//!    share data or a pod): stop its Docker side, move its data, start and check its units.
//!    A failure puts that group back on Docker and stops the script, so at most one group
//!    is ever down (issue 12, item 4);
//! 4. per user whose units carry `AutoUpdate=`: enable `podman-auto-update.timer`, once
//!    every group runs (rollback.sh disables it first).

pub mod build;
pub mod groups;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::generate::{
    self, BindChown, BundleFilePlan, EnvFilePlan, Generated, HostIdFiles, PodmanSecretPlan,
    TransferMethod,
};
use crate::model::{ContainerDecision, Inventory, RestartPolicy, Target};
use crate::plan::SubIdRange;

pub use build::build;

/// Generate the rootless files for these decisions (sub-ID ranges allocated around the
/// host's `host` files) and build the migration from them: the one value every output is
/// rendered from. Fails only on an unusable target (see [`generate::generate_for_host`]).
pub fn plan(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    host: &HostIdFiles,
) -> anyhow::Result<Migration> {
    let generated = generate::generate_for_host(inventory, target, decisions, host, host)?;
    Ok(build(inventory, target, generated))
}

/// Where a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Uses the Docker CLI: runs on the Docker host, as root.
    Docker,
    /// Root-only system configuration of the target (useradd, usermod, sysctl, loginctl,
    /// installing files, chown); no Docker needed.
    Root,
    /// As the rootless user (podman, systemctl --user) through `as_user`; no Docker needed.
    User,
}

impl Side {
    /// The word the scripts' step list and REPORT.md use.
    pub fn label(self) -> &'static str {
        match self {
            Side::Docker => "docker",
            Side::Root => "root",
            Side::User => "user",
        }
    }
}

/// The whole migration of one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// `MAJOR.MINOR` the units were written for.
    pub podman_version: String,
    /// Quadlet directory relative to each user's home.
    pub quadlet_dir: String,
    /// Number of containers that move.
    pub containers: usize,
    /// The cutover groups, in run order.
    pub groups: Vec<CutoverGroup>,
    /// migrate.sh's steps, in run order.
    pub steps: Vec<Step>,
    /// rollback.sh's steps, in run order.
    pub rollback: Vec<Step>,
    /// What the generators produced and the steps were built from: unit files, env files,
    /// notes, per-container unit plans, sub-ID assignments. Owned here so REPORT.md,
    /// verify and the TUI preview read the same facts as the scripts.
    pub generated: Generated,
}

/// One step: a shell function of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Unique name in its script without the `step_` prefix (`image_save_nginx_1_25`):
    /// made only of ASCII letters, digits and `_`.
    pub name: String,
    /// The containers it concerns (an image shared by four containers names all four).
    pub containers: Vec<String>,
    /// The cutover group whose failure handling covers it (migrate.sh only).
    pub group: Option<String>,
    pub kind: StepKind,
}

impl Step {
    /// The shell function's name.
    pub fn function(&self) -> String {
        format!("step_{}", self.name)
    }
}

/// What a step does, with everything its renderer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    CreateUser {
        user: String,
    },
    CheckUser {
        user: String,
    },
    /// Let the user's manager run without a login, and wait for its runtime directory.
    Linger {
        user: String,
    },
    SubIds {
        user: String,
        uids: SubIdAction,
        gids: SubIdAction,
    },
    /// `podman system migrate` as the user, so Podman re-reads the new ranges.
    PodmanMigrate {
        user: String,
    },
    /// Install and apply these `sysctl.d/` files of the bundle.
    Sysctl {
        files: Vec<String>,
    },
    ImageSave(ImagePlan),
    ImageLoad(ImagePlan),
    ImagePull(ImagePlan),
    InstallUnits {
        user: String,
        install: UnitInstall,
    },
    /// Create (or replace) the user's Podman secrets, each value piped on stdin from its
    /// 0600 staging file in the bundle (never on a command line).
    CreateSecrets {
        user: String,
        secrets: Vec<PodmanSecretPlan>,
    },
    DaemonReload {
        user: String,
    },
    /// Set the restart policy to `no` and stop the container.
    DockerStop {
        container: String,
        restart: RestartPolicy,
    },
    VolumeExport(VolumeCopy),
    VolumeImport(VolumeCopy),
    /// Hand bind-mount sources the path policy allows to the user, recording their owners.
    BindHandover {
        user: String,
        unit: String,
        binds: Vec<BindChown>,
    },
    Start {
        user: String,
        service: String,
    },
    Check {
        user: String,
        service: String,
        tcp: Vec<TcpCheck>,
    },
    /// `systemctl --user enable --now podman-auto-update.timer`: some of the user's units
    /// carry `AutoUpdate=` (the replacement for a Watchtower-style watcher).
    EnableAutoUpdate {
        user: String,
    },
    // rollback.sh
    StopUnit {
        user: String,
        service: String,
    },
    RemoveUnits {
        user: String,
        install: UnitInstall,
    },
    /// `systemctl --user disable --now podman-auto-update.timer`, which migrate.sh enabled.
    DisableAutoUpdate {
        user: String,
    },
    RestoreOwners {
        unit: String,
        binds: Vec<BindChown>,
    },
    /// Remove the Podman secrets migrate.sh created for the user.
    RemoveSecrets {
        user: String,
        names: Vec<String>,
    },
    DockerRestore {
        container: String,
        restart: RestartPolicy,
        start: bool,
    },
}

impl StepKind {
    /// Where the step runs: which host, which account.
    pub fn side(&self) -> Side {
        use StepKind as K;
        match self {
            K::ImageSave(_)
            | K::DockerStop { .. }
            | K::VolumeExport(_)
            | K::DockerRestore { .. } => Side::Docker,
            K::CreateUser { .. }
            | K::CheckUser { .. }
            | K::Linger { .. }
            | K::SubIds { .. }
            | K::Sysctl { .. }
            | K::InstallUnits { .. }
            | K::BindHandover { .. }
            | K::RestoreOwners { .. } => Side::Root,
            K::PodmanMigrate { .. }
            | K::ImageLoad(_)
            | K::ImagePull(_)
            | K::DaemonReload { .. }
            | K::VolumeImport(_)
            | K::Start { .. }
            | K::Check { .. }
            | K::StopUnit { .. }
            | K::RemoveUnits { .. }
            | K::EnableAutoUpdate { .. }
            | K::DisableAutoUpdate { .. } => Side::User,
            K::CreateSecrets { .. } | K::RemoveSecrets { .. } => Side::User,
        }
    }
}

/// What migrate.sh does with one of a user's sub-ID files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubIdAction {
    /// Add this planned range (skipped when the exact line is there already).
    Add(SubIdRange),
    /// The host the plan was made for already had this range: only check it is still there.
    Present(SubIdRange),
    /// No range planned: the user must already have one.
    Missing,
}

/// The files one user installs (migrate.sh) or removes (rollback.sh).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitInstall {
    /// How the quadlet files get there (and go away again on rollback).
    pub method: InstallMethod,
    /// Bundle paths under `quadlet/`, sorted, each once.
    pub quadlet_files: Vec<String>,
    pub env_files: Vec<EnvFilePlan>,
    /// Custom seccomp profiles (`seccomp/<unit>.json`), installed under the quadlet
    /// directory where the units' `SeccompProfile=%h/...` names them.
    pub seccomp_files: Vec<BundleFilePlan>,
    /// Bundle paths under `containers.conf.d/`.
    pub conf_files: Vec<String>,
}

/// How a user's quadlet files reach its quadlet directory, by target version (the
/// typed downgrade: each older target gets the newest form it supports).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InstallMethod {
    /// `install` each file. Podman before 5.7: `podman quadlet install` (5.6) cannot
    /// replace a file it installed, and migrate.sh must stay safe to re-run after a failure.
    /// Also any target whose quadlet directory is not the one `podman quadlet` writes to.
    #[default]
    Copy,
    /// `podman quadlet install --replace` once per file (5.7: no multi-unit files yet).
    PodmanEach,
    /// The user's units as one multi-unit `.quadlets` file ([`QUADLETS_APP`]), installed
    /// with one `podman quadlet install --replace` (5.8 and newer): one application that
    /// `podman quadlet list` shows and `podman quadlet rm` removes whole.
    PodmanBundle,
}

/// The stem of the `.quadlets` file, which names the application in `podman quadlet list`.
pub const QUADLETS_APP: &str = "unroot";

impl InstallMethod {
    /// The method for a target. `files` are the user's quadlet files: a line that is only
    /// `---` would split a `.quadlets` file in the wrong place, so such a unit set falls
    /// back to one install per file.
    pub fn for_target(
        version: crate::model::PodmanVersion,
        quadlet_dir: &str,
        files: &[&str],
    ) -> Self {
        use crate::model::PodmanVersion as V;
        if quadlet_dir != crate::model::DEFAULT_QUADLET_DIR || version < V::new(5, 7) {
            InstallMethod::Copy
        } else if version < V::new(5, 8)
            || files.iter().any(|f| f.lines().any(|l| l.trim() == "---"))
        {
            InstallMethod::PodmanEach
        } else {
            InstallMethod::PodmanBundle
        }
    }

    /// Whether `podman quadlet` installs and removes the units.
    pub fn uses_podman_quadlet(self) -> bool {
        self != InstallMethod::Copy
    }
}

/// One image moved for one user, whatever number of containers use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImagePlan {
    pub user: String,
    pub docker_ref: String,
    pub podman_ref: String,
    pub method: TransferMethod,
}

/// One Docker volume's data copied into one user's Podman volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeCopy {
    pub user: String,
    pub docker_volume: String,
    pub podman_volume: String,
    /// Where the inventory saw its data (used by the dry run; `--apply` asks Docker).
    pub mountpoint: String,
    /// The `.volume` unit's service that creates the Podman volume, when there is one.
    pub service: Option<String>,
}

/// A TCP port the check step connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpCheck {
    pub ip: String,
    pub port: u16,
}

/// Containers cut over together: one compose project, or containers that share a volume,
/// a pod or a network namespace (moving one without the other splits their data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutoverGroup {
    /// Unique identifier (ASCII letters, digits, `_`): the recovery function's name.
    pub id: String,
    /// Compose project name, when the group is one.
    pub project: Option<String>,
    /// Members in start order (dependencies first).
    pub members: Vec<GroupMember>,
}

/// One container of a cutover group: what its recovery must undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub container: String,
    pub user: String,
    /// `<unit>.service`.
    pub service: String,
    pub unit: String,
    /// Docker's restart policy before the migration.
    pub restart: RestartPolicy,
    /// Running (or restarting) under Docker: started under Podman, restarted on recovery.
    pub was_running: bool,
    /// Bind mounts migrate.sh hands to the user (the path policy allowed them).
    pub binds: Vec<BindChown>,
}
