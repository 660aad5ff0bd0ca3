//! The operator's decisions: the rootless target and what to do with each container.
//!
//! Plain data in the model, because the generators read them, the plan document stores and
//! edits them and the TUI proposes them; none of those needs the others to know them.
//! `crate::plan` re-exports every item for code that imports them from there.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The rootless account proposed when no user is given (`unroot plan`, the TUI).
pub const DEFAULT_USER: &str = "podman";
/// Podman version proposed when none is given (Debian 13's); see [`PodmanVersion::DEFAULT`].
pub const DEFAULT_PODMAN_VERSION: &str = "5.4";
/// First port an unprivileged user may bind (`net.ipv4.ip_unprivileged_port_start` default).
pub const UNPRIVILEGED_PORT_START: u16 = 1024;

/// `MAJOR.MINOR` of the Podman whose quadlet reads the files.
/// Written and read as the string `MAJOR.MINOR` (`"5.4"`), as plans have always stored it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodmanVersion {
    pub major: u16,
    pub minor: u16,
}

impl PodmanVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
    /// Quadlet first shipped in Podman 4.4.
    pub const FIRST_QUADLET: Self = Self::new(4, 4);
    /// The newest version the key table knows.
    pub const NEWEST_KNOWN: Self = Self::new(5, 8);
    /// Used when neither a plan nor a detection says otherwise.
    pub const DEFAULT: Self = Self::new(5, 4);

    /// Parse `5`, `5.4` or `5.4.2` (the patch level is ignored), refusing versions without
    /// quadlet.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let num = |p: Option<&str>| -> Option<u16> { p.and_then(|s| s.parse().ok()) };
        let major = num(parts.next());
        let minor = match parts.next() {
            None => Some(0),
            some => num(some),
        };
        let patch_ok =
            parts.next().is_none_or(|p| p.parse::<u32>().is_ok()) && parts.next().is_none();
        let (Some(major), Some(minor), true) = (major, minor, patch_ok) else {
            anyhow::bail!("podman version {text:?} is not MAJOR.MINOR (for example 5.4)");
        };
        let v = Self::new(major, minor);
        if v < Self::FIRST_QUADLET {
            anyhow::bail!(
                "podman version {v} has no quadlet: quadlet appeared in Podman 4.4, so unroot \
                 targets 4.4 to {}; upgrade Podman on the target host or pass --podman-version 4.4 or later",
                Self::NEWEST_KNOWN
            );
        }
        Ok(v)
    }
}

impl std::str::FromStr for PodmanVersion {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for PodmanVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PodmanVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for PodmanVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

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

    /// The Podman version as a value; fails on a version without quadlet or not a version.
    pub fn version(&self) -> anyhow::Result<PodmanVersion> {
        PodmanVersion::parse(&self.podman_version)
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
    pub fn default_for(container: &super::Container) -> Self {
        use super::NetworkMode;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Plans store the version as a string: the typed value reads and writes the same text.
    #[test]
    fn podman_version_is_the_plan_string() {
        let v = PodmanVersion::new(5, 4);
        assert_eq!(
            serde_yaml::to_string(&v).unwrap(),
            serde_yaml::to_string("5.4").unwrap()
        );
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"5.4\"");
        for text in ["'5.4'", "\"5.4\"", "5.4.2", "v5.4"] {
            let read: PodmanVersion = serde_yaml::from_str(text).unwrap();
            assert_eq!(read, v, "{text}");
        }
        let err = serde_yaml::from_str::<PodmanVersion>("'4.3'").unwrap_err();
        assert!(
            err.to_string().contains("quadlet appeared in Podman 4.4"),
            "{err}"
        );
        assert!(serde_json::from_str::<PodmanVersion>("\"latest\"").is_err());
        assert_eq!(
            Target::new("u", "4.9").version().unwrap(),
            PodmanVersion::new(4, 9)
        );
        assert_eq!(DEFAULT_PODMAN_VERSION, PodmanVersion::DEFAULT.to_string());
    }
}
