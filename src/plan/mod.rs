//! The migration plan: what unroot found and what it decided, per container.
//!
//! The decision types live here because both the generators (which read them) and the plan
//! document (which stores and edits them) need them; the generators never read a plan file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where rootless quadlet files live, relative to the user's home.
pub const DEFAULT_QUADLET_DIR: &str = ".config/containers/systemd";

/// The rootless host the plan targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The unprivileged user that will run the containers.
    pub user: String,
    /// One user per compose project (`project -> user`); others use `user`.
    #[serde(default)]
    pub project_users: BTreeMap<String, String>,
    /// Create the user(s) in migrate.sh when missing.
    #[serde(default)]
    pub create_user: bool,
    /// Podman version the quadlet files are written for, `MAJOR.MINOR`.
    pub podman_version: String,
    /// Where the quadlet files go, relative to the user's home.
    pub quadlet_dir: String,
    /// subuid/subgid ranges per user, filled in by the allocator.
    #[serde(default)]
    pub subid_ranges: BTreeMap<String, SubIdRange>,
}

impl Target {
    /// One user for every project, the default quadlet directory, no ranges allocated yet
    /// and no user creation: callers change the fields that differ.
    pub fn new(user: impl Into<String>, podman_version: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            project_users: BTreeMap::new(),
            create_user: false,
            podman_version: podman_version.into(),
            quadlet_dir: DEFAULT_QUADLET_DIR.to_string(),
            subid_ranges: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubIdRange {
    pub start: u64,
    pub count: u64,
}

/// What to do with host ports below `ip_unprivileged_port_start` (1024 by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "policy")]
pub enum PrivilegedPortPolicy {
    /// Lower `net.ipv4.ip_unprivileged_port_start` host-wide via a sysctl.d file.
    Sysctl,
    /// Publish on other host ports instead: `original host port -> new host port`.
    Remap { ports: BTreeMap<u16, u16> },
}

/// How data in named volumes and bind mounts moves to the rootless user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VolumeStrategy {
    /// Named volumes: copy the data into a Podman volume (`podman volume import`).
    /// Bind mounts: keep the path and chown it inside the user namespace.
    Copy,
    /// Bind mounts with `:U` so Podman chowns at start.
    ChownOnStart,
    /// `UserNS=keep-id` so the container user maps to the host user.
    KeepId,
}

/// How the container is networked under rootless Podman.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "mode", content = "name")]
pub enum NetworkChoice {
    /// Its own pasta network namespace.
    Pasta,
    /// A shared Podman network (the container's user-defined network).
    Shared(String),
    /// Join a pod (one per compose project).
    Pod(String),
    /// `Network=host` kept as a visible decision.
    Host,
    /// `Network=none`.
    None,
}

/// The operator's decisions for one container; defaults come from the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerDecision {
    pub include: bool,
    /// Overrides the target user for this container.
    #[serde(default)]
    pub user: Option<String>,
    pub ports: PrivilegedPortPolicy,
    pub volumes: VolumeStrategy,
    pub network: NetworkChoice,
    /// Keep `--privileged` (never added silently; defaults to false).
    #[serde(default)]
    pub keep_privileged: bool,
    /// Capabilities to keep from the Docker config (others are reported as dropped).
    #[serde(default)]
    pub keep_capabilities: Vec<String>,
    /// Host devices to keep.
    #[serde(default)]
    pub keep_devices: Vec<String>,
}

impl ContainerDecision {
    /// The decision unroot proposes before any operator edit.
    pub fn default_for(container: &crate::model::Container) -> Self {
        use crate::model::NetworkMode;
        let network = match &container.network_mode {
            NetworkMode::Host => NetworkChoice::Host,
            NetworkMode::None => NetworkChoice::None,
            NetworkMode::Named(name) => NetworkChoice::Shared(name.clone()),
            NetworkMode::Bridge | NetworkMode::Container(_) => NetworkChoice::Pasta,
        };
        Self {
            include: true,
            user: None,
            ports: PrivilegedPortPolicy::Sysctl,
            volumes: VolumeStrategy::Copy,
            network,
            keep_privileged: false,
            keep_capabilities: container.capabilities.added.clone(),
            keep_devices: Vec::new(),
        }
    }
}

pub mod bundle;
pub mod document;
pub mod load;
pub mod locate;
pub mod report;
pub mod script;
