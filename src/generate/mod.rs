//! Generators: model + decisions -> files the rootless host needs, plus notes.
//!
//! Pure: no file is written here. The plan/batch code and the TUI preview call
//! [`generate`] and decide themselves what to do with the result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Inventory, Protocol};
use crate::plan::{ContainerDecision, Target};

/// One file to write, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedFile {
    /// Relative path, `/`-separated (`quadlet/web.container`).
    pub path: String,
    /// Unix mode (0o644, 0o600 for env files, 0o755 for scripts).
    pub mode: u32,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    Info,
    Warning,
    /// The setting could not be translated and the container may not work as before.
    NotTranslated,
}

/// Something the operator must know: a setting not translated, a rename, a caveat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Container name, or `None` for host-wide notes.
    pub container: Option<String>,
    pub level: NoteLevel,
    /// The Docker setting concerned (`--privileged`, `HostConfig.Devices`).
    pub setting: String,
    /// What happened and what to do instead.
    pub message: String,
}

/// Everything the generators produce.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Generated {
    /// Sorted by path.
    pub files: Vec<GeneratedFile>,
    pub notes: Vec<Note>,
    /// One entry per included container: what migrate.sh must do for it. The script and
    /// report writers read this instead of re-deriving names, ports and ownership.
    pub units: Vec<UnitPlan>,
}

/// What the migration of one container involves, in the generated names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPlan {
    /// The Docker container name.
    pub container: String,
    /// Sanitized unit name: `quadlet/<unit>.container`, systemd service `<unit>.service`.
    pub unit: String,
    /// The rootless user that runs it.
    pub user: String,
    pub image: ImageTransfer,
    pub volumes: Vec<VolumeMove>,
    /// Bind mounts whose ownership must be fixed inside the user namespace.
    pub chown_binds: Vec<BindChown>,
    pub ports: Vec<PublishedPort>,
    /// `[Install] WantedBy=default.target` was written (needs lingering).
    pub start_at_boot: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferMethod {
    /// Locally built or untraceable image: `docker save | podman load`.
    Load,
    /// The image has a registry origin: `podman pull`.
    Pull,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageTransfer {
    /// Reference on the Docker side (`nginx:1.25`, or the image ID when untagged).
    pub docker_ref: String,
    /// Fully qualified reference written into `Image=` (`docker.io/library/nginx:1.25`,
    /// `localhost/app:1`).
    pub podman_ref: String,
    pub method: TransferMethod,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeMove {
    pub docker_volume: String,
    /// `VolumeName=` of the generated `.volume` unit (Podman prefixes `systemd-` otherwise).
    pub podman_volume: String,
    pub destination: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindChown {
    pub host_path: String,
    /// Owner inside the container (mapped through the user namespace by `podman unshare`).
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPort {
    pub host_ip: Option<String>,
    /// The host port under Podman (after a remap decision).
    pub host_port: u16,
    /// The host port under Docker.
    pub docker_host_port: u16,
    pub container_port: u16,
    pub protocol: Protocol,
}

/// Generate the rootless files for the included containers.
///
/// `decisions` is keyed by container name; a container without an entry gets the defaults.
pub fn generate(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> anyhow::Result<Generated> {
    let _ = (inventory, target, decisions);
    unimplemented!("generators: issue 4")
}
