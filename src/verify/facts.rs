//! What unroot knows about the rootless Podman target: plain types, filled by
//! [`super::podman`] (through the libpod API) and [`super::hostfiles`] (files the API does
//! not expose, read on this machine). The checks only ever see these types, so they are
//! tested from constructed facts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Protocol;

/// Everything the checks need about the target host and its Podman service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetFacts {
    /// The socket the facts were read from.
    pub socket: String,
    /// Podman's own version (`/libpod/version` `Version`), e.g. `5.4.2`.
    pub podman_version: Option<String>,
    /// Highest libpod API version the service speaks.
    pub api_version: Option<String>,
    /// `host.security.rootless` from `/libpod/info`.
    pub rootless: Option<bool>,
    /// `host.networkBackend` (`netavark` or `cni`).
    pub network_backend: Option<String>,
    /// `host.rootlessNetworkCmd` (`pasta` or `slirp4netns`); Podman ≥ 5.0 reports it.
    pub rootless_network_cmd: Option<String>,
    /// `host.pasta.executable`; `None` when the service found no pasta binary.
    pub pasta_executable: Option<String>,
    /// `host.pasta.version` (or its package name) when pasta is installed.
    pub pasta_version: Option<String>,
    /// `host.networkBackendInfo.dns.path`: the aardvark-dns the service would run.
    pub aardvark_dns: Option<String>,
    /// `v1` or `v2`.
    pub cgroup_version: Option<String>,
    /// `cgroupfs` or `systemd`.
    pub cgroup_manager: Option<String>,
    /// Controllers available to the service's user (for rootless: the delegated ones).
    pub cgroup_controllers: Vec<String>,
    /// The user namespace the service runs in (`host.idMappings`).
    pub uid_map: Vec<IdMapEntry>,
    pub gid_map: Vec<IdMapEntry>,
    /// Read on this machine, not through the API (see [`HostFiles`]).
    pub host_files: HostFiles,
    pub containers: Vec<TargetContainer>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
    pub images: Vec<TargetImage>,
    /// Names of the user's Podman secrets (`/libpod/secrets/json`); `None` when they could
    /// not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<String>>,
    /// Which API served which call when podman-api's models could not (shown in JSON).
    pub api_notes: Vec<String>,
}

/// One line of a user namespace map: `container_id host_id size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdMapEntry {
    pub container_id: u64,
    pub host_id: u64,
    pub size: u64,
}

/// Host facts the Podman API does not expose, read from files on the machine running
/// unroot (under `root`, so a sandboxed target can be checked from outside).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HostFiles {
    /// The directory `/etc/subuid` etc. were read under (`/` normally).
    pub root: String,
    /// Parsed `/etc/subuid`; `None` when the file could not be read.
    pub subuid: Option<Vec<SubIdLine>>,
    pub subgid: Option<Vec<SubIdLine>>,
    /// User name -> UID from `/etc/passwd` under the root.
    pub users: BTreeMap<String, u32>,
    /// `/proc/sys/net/ipv4/ip_unprivileged_port_start` of this machine's network namespace.
    pub unprivileged_port_start: Option<u16>,
    /// Interfaces with a default route (IPv4 or IPv6) in this machine's network namespace,
    /// from `/proc/net/route` and `/proc/net/ipv6_route`: pasta copies addresses and routes
    /// from such an interface (its template). `None`: neither file could be read.
    pub default_route_interfaces: Option<Vec<String>>,
    /// The `[network]` settings of every containers.conf found (system files, then each
    /// user's `~/.config/containers/containers.conf`), in the order Podman reads them.
    pub containers_conf: Vec<ContainersConf>,
    /// Firewall tools netavark may run, found under the root (`nft`, `iptables`).
    pub firewall_tools: Vec<String>,
    /// aardvark-dns (Podman networks' name server) found under the root's helper dirs.
    pub aardvark_dns: Option<String>,
    /// AppArmor on this machine, from `/sys/module/apparmor/parameters/enabled` and
    /// `/sys/kernel/security/apparmor/profiles`.
    #[serde(default)]
    pub apparmor: AppArmorState,
    /// Why a file could not be read, for the check messages.
    pub errors: Vec<String>,
}

/// Whether AppArmor is enabled on the target, and which profiles are loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "profiles")]
pub enum AppArmorState {
    /// Not read (facts from an older unroot, or not this machine).
    #[default]
    Unknown,
    /// The module is absent or disabled: no profile is ever applied.
    Disabled,
    /// Enabled, but the profile list could not be read (it needs root).
    Unreadable,
    /// Enabled, with these loaded profile names.
    Loaded(Vec<String>),
}

/// The settings unroot needs from one containers.conf file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainersConf {
    pub path: String,
    /// The user whose home holds the file; `None` for a system file.
    pub owner: Option<String>,
    /// `[network] firewall_driver` (netavark: nftables, iptables, firewalld, none).
    pub firewall_driver: Option<String>,
    /// The interface named by `-i`/`--interface` in `[network] pasta_options`.
    pub pasta_interface: Option<String>,
}

/// One `/etc/subuid` or `/etc/subgid` line (`name:start:count`; `name` may be a UID).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubIdLine {
    pub owner: String,
    pub start: u64,
    pub count: u64,
}

/// One container on the target.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetContainer {
    pub id: String,
    pub name: String,
    /// Podman's state word: `running`, `exited`, `created`, `paused`, `stopped`, ...
    pub state: String,
    /// The image reference it was created from (`ImageName`).
    pub image: String,
    pub image_id: String,
    /// `Config.User` (empty: the image default).
    pub user: String,
    pub ports: Vec<TargetPort>,
    pub mounts: Vec<TargetMount>,
    pub labels: BTreeMap<String, String>,
}

impl TargetContainer {
    /// The systemd unit quadlet started it from (`PODMAN_SYSTEMD_UNIT`), if any.
    pub fn systemd_unit(&self) -> Option<&str> {
        self.labels.get("PODMAN_SYSTEMD_UNIT").map(String::as_str)
    }

    pub fn is_running(&self) -> bool {
        self.state == "running"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct TargetPort {
    /// Empty or `0.0.0.0` for all interfaces.
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetMount {
    /// `bind`, `volume`, `tmpfs`, ...
    pub kind: String,
    /// Volume name for volumes, host path for binds.
    pub source: String,
    pub destination: String,
    pub read_write: bool,
}

impl TargetMount {
    /// From the fields both inspect answers (libpod and Docker-compatible) carry: the
    /// source is the volume's name for volumes, the host path otherwise.
    pub fn new(
        kind: String,
        name: Option<String>,
        source: Option<String>,
        destination: Option<String>,
        read_write: Option<bool>,
    ) -> Self {
        let source = if kind == "volume" { name } else { source };
        TargetMount {
            kind,
            source: source.unwrap_or_default(),
            destination: destination.unwrap_or_default(),
            read_write: read_write.unwrap_or(false),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetImage {
    pub id: String,
    /// Fully qualified names (`docker.io/library/nginx:1.25`, `localhost/app:1`).
    pub names: Vec<String>,
    /// `repo@sha256:...` for every registry digest it was pulled by (a pinned `Image=`).
    pub digests: Vec<String>,
}

impl TargetFacts {
    pub fn container_named(&self, name: &str) -> Option<&TargetContainer> {
        self.containers.iter().find(|c| c.name == name)
    }
}
