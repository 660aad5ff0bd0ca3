//! The normalized inventory of a Docker host.
//!
//! Everything downstream of `docker/` (risk rules, generators, the plan, the TUI) works on
//! these plain types only, never on bollard's, so it can be tested from fixtures and fed
//! from a saved snapshot. Normalization decisions (what "root" means, what `--privileged`
//! implies, which env vars the container adds) are made once, in `docker/normalize.rs`,
//! and recorded here as explicit fields.

pub mod auto_update;
pub mod decision;
pub mod hardening;
pub mod host_path;
pub mod image_ref;
pub mod json;
pub mod secret;
pub mod untranslated;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use decision::{
    ContainerDecision, DEFAULT_PODMAN_VERSION, DEFAULT_QUADLET_DIR, DEFAULT_USER, NetworkChoice,
    PodmanVersion, PrivilegedPortPolicy, SecretStore, SubIdRange, Target, UNPRIVILEGED_PORT_START,
    VolumeStrategy,
};
pub use hardening::{Hardening, HardeningItem};
pub use untranslated::{DockerSetting, Untranslated};

/// Schema tag written into every snapshot; bump on incompatible changes.
pub const SNAPSHOT_SCHEMA: &str = "unroot.snapshot/v1";

/// Everything unroot knows about one Docker host.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Always [`SNAPSHOT_SCHEMA`] for snapshots this version writes.
    pub schema: String,
    /// Where the data came from: a Docker endpoint, a snapshot path, or `demo`.
    pub source: String,
    /// When the data was read (RFC 3339, UTC), if known.
    #[serde(default)]
    pub captured_at: Option<String>,
    pub host: HostFacts,
    pub containers: Vec<Container>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub networks: Vec<Network>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
}

/// Facts from `GET /info` (and `/version`) that matter for risk and for the move.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HostFacts {
    pub hostname: Option<String>,
    pub server_version: Option<String>,
    pub api_version: Option<String>,
    pub os: Option<String>,
    pub kernel_version: Option<String>,
    pub architecture: Option<String>,
    pub cgroup_version: Option<CgroupVersion>,
    pub cgroup_driver: Option<String>,
    /// Raw `SecurityOptions` strings, e.g. `name=seccomp,profile=builtin`.
    pub security_options: Vec<String>,
    pub apparmor: bool,
    pub seccomp: bool,
    pub selinux: bool,
    /// Daemon runs with `userns-remap`.
    pub userns_remap: bool,
    /// Daemon itself is rootless.
    pub rootless: bool,
    /// `RuncCommit.ID` from `/info`.
    pub runc_commit: Option<String>,
    /// runc version from `/version` components, when the engine reports it.
    pub runc_version: Option<String>,
    pub default_runtime: Option<String>,
    pub storage_driver: Option<String>,
    pub docker_root_dir: Option<String>,
    pub live_restore: bool,
    pub containers_total: Option<u64>,
    /// The engine is not on the machine that read it (ssh://, tcp://, a forwarded socket),
    /// so the owners of bind-mount host paths were not read: a local file of the same name
    /// says nothing about the engine's host. migrate.sh records them on the target.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bind_owners_not_read: bool,
    /// The engine's host's ID files, read over the same ssh login as the engine (read only,
    /// `cat` of five world-readable files): that host is the one being migrated, so its
    /// sub-ID ranges are chosen against its own files, not the reading machine's. `None`
    /// when the engine is local (its files are read where unroot runs) or could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_files: Option<HostIdText>,
}

/// The text of a host's `/etc/subuid`, `/etc/subgid`, `/etc/login.defs`, `/etc/passwd` and
/// `/etc/group` (a missing file is empty), as [`crate::generate::host_ids`] parses them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostIdText {
    pub subuid: String,
    pub subgid: String,
    pub login_defs: String,
    pub passwd: String,
    pub group: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CgroupVersion {
    V1,
    V2,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    #[default]
    Unknown,
}

/// One container, running or not, normalized from `docker inspect`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Container {
    pub id: String,
    /// Without Docker's leading `/`.
    pub name: String,
    /// The image reference the container was created from (`Config.Image`).
    pub image: String,
    /// The image ID (`sha256:...`).
    pub image_id: String,
    pub state: ContainerState,
    pub created: Option<String>,
    /// `Config.Entrypoint`; `None` when not set.
    pub entrypoint: Option<Vec<String>>,
    /// `Config.Cmd`; `None` when not set.
    pub command: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub user: UserSpec,
    /// Every variable in the container's config, marked by where it comes from.
    pub env: Vec<EnvVar>,
    pub labels: BTreeMap<String, String>,
    /// Compose metadata from `com.docker.compose.*` labels.
    pub compose: Option<ComposeInfo>,
    pub hostname: Option<String>,
    pub domainname: Option<String>,
    pub privileged: bool,
    pub capabilities: Capabilities,
    pub security: SecurityOptions,
    pub read_only_rootfs: bool,
    pub network_mode: NetworkMode,
    pub pid_mode: NamespaceMode,
    pub ipc_mode: NamespaceMode,
    pub uts_mode: NamespaceMode,
    pub userns_mode: NamespaceMode,
    pub cgroupns_mode: Option<String>,
    /// Attachments to Docker networks (`NetworkSettings.Networks`).
    pub networks: Vec<NetworkAttachment>,
    /// Published ports, one per host binding; ranges are expanded by Docker.
    pub ports: Vec<PortBinding>,
    /// Exposed but unpublished ports (`EXPOSE` without `-p`).
    pub exposed_ports: Vec<ExposedPort>,
    pub mounts: Vec<Mount>,
    pub devices: Vec<DeviceMapping>,
    /// Every host device is visible in the container (`--privileged`), beyond `devices`.
    pub all_devices: bool,
    pub device_requests: Vec<DeviceRequest>,
    pub device_cgroup_rules: Vec<String>,
    pub resources: Resources,
    pub ulimits: Vec<Ulimit>,
    pub sysctls: BTreeMap<String, String>,
    pub restart_policy: RestartPolicy,
    /// The effective healthcheck (container's own or inherited from the image).
    pub healthcheck: Option<Healthcheck>,
    pub log_driver: Option<String>,
    pub log_options: BTreeMap<String, String>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    /// `--add-host` entries as `name:ip`.
    pub extra_hosts: Vec<String>,
    pub group_add: Vec<String>,
    pub shm_size: Option<i64>,
    pub init: Option<bool>,
    pub cgroup_parent: Option<String>,
    pub runtime: Option<String>,
    /// `HostConfig.MaskedPaths`; empty with `systempaths=unconfined` or privileged.
    pub masked_paths: Option<Vec<String>>,
    pub readonly_paths: Option<Vec<String>>,
    /// Settings with no counterpart in the unit, each reported in a note.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untranslated: Vec<Untranslated>,
}

/// The container user as configured, plus what it means.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSpec {
    /// `Config.User` exactly as Docker reports it (`""` means the image default, root
    /// unless the image says otherwise: Docker already merged the image USER in).
    pub raw: String,
    pub user: Option<IdOrName>,
    pub group: Option<IdOrName>,
    /// The process runs as UID 0 (`""`, `0`, `root`, `0:0`, `root:root`, ...).
    pub is_root: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdOrName {
    Id(u32),
    Name(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvOrigin {
    /// Set on the container (`-e`, compose `environment:`), not by the image.
    #[default]
    Container,
    /// Same name and value as the image's `ENV`.
    Image,
    /// Image sets the name, the container overrides the value.
    Override,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub origin: EnvOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ComposeInfo {
    pub project: String,
    pub service: Option<String>,
    /// `com.docker.compose.depends_on`: each service this one waits for, and for what.
    pub depends_on: Vec<ComposeDependency>,
    pub working_dir: Option<String>,
    pub config_files: Option<String>,
}

/// One compose `depends_on` entry. Snapshots written before the condition was kept list
/// bare service names; they still read (as `service_started`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DependencyForm")]
pub struct ComposeDependency {
    pub service: String,
    pub condition: DependencyCondition,
}

impl ComposeDependency {
    /// A dependency on `service` with `condition`.
    pub fn new(service: impl Into<String>, condition: DependencyCondition) -> Self {
        Self {
            service: service.into(),
            condition,
        }
    }
}

/// What compose waits for before it starts the dependent service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyCondition {
    /// `service_healthy`: the peer's health check passed.
    ServiceHealthy,
    /// `service_completed_successfully`: the peer ran to completion with exit code 0.
    ServiceCompletedSuccessfully,
    /// `service_started` (and any condition compose may add later): the peer was started.
    #[default]
    #[serde(other)]
    ServiceStarted,
}

impl DependencyCondition {
    /// The label's spelling: `service_healthy`, ...; anything else is `service_started`.
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "service_healthy" => Self::ServiceHealthy,
            "service_completed_successfully" => Self::ServiceCompletedSuccessfully,
            _ => Self::ServiceStarted,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DependencyForm {
    Name(String),
    Full {
        service: String,
        #[serde(default)]
        condition: DependencyCondition,
    },
}

impl From<DependencyForm> for ComposeDependency {
    fn from(form: DependencyForm) -> Self {
        match form {
            DependencyForm::Name(service) => Self::new(service, DependencyCondition::default()),
            DependencyForm::Full { service, condition } => Self::new(service, condition),
        }
    }
}

/// Docker's default capability set for non-privileged containers (moby `caps.DefaultCapabilities`).
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// `cap_net_admin`, `CAP_NET_ADMIN`, ` net_admin ` -> `NET_ADMIN`: the one spelling every
/// module compares capabilities in (Docker accepts all of them).
pub fn normalize_cap(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_owned)
        .unwrap_or(upper)
}

/// Capabilities normalized to upper case without the `CAP_` prefix (`SYS_ADMIN`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    pub added: Vec<String>,
    pub dropped: Vec<String>,
    /// `--cap-add ALL` (or privileged).
    pub add_all: bool,
    /// `--cap-drop ALL`.
    pub drop_all: bool,
    /// The resulting set: Docker's defaults, minus drops, plus adds; all with privileged.
    pub effective: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum ProfileSetting {
    /// The engine's default profile.
    #[default]
    Default,
    Unconfined,
    /// A named or custom profile (AppArmor name, seccomp JSON or path).
    Custom(String),
}

impl ProfileSetting {
    /// Read a `--security-opt seccomp=VALUE` / `apparmor=VALUE` value.
    pub fn parse(value: &str) -> Self {
        match value {
            "unconfined" => Self::Unconfined,
            "" | "builtin" | "docker-default" => Self::Default,
            other => Self::Custom(other.to_owned()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityOptions {
    /// Raw `HostConfig.SecurityOpt` strings.
    pub raw: Vec<String>,
    pub seccomp: ProfileSetting,
    /// From `SecurityOpt` or the container's `AppArmorProfile`.
    pub apparmor: ProfileSetting,
    /// `label=...` options (SELinux), without the `label=` prefix.
    pub selinux_labels: Vec<String>,
    pub no_new_privileges: bool,
    /// `systempaths=unconfined`.
    pub systempaths_unconfined: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum NetworkMode {
    /// The default bridge (`default` or `bridge`).
    #[default]
    Bridge,
    Host,
    None,
    /// `container:<id or name>`.
    Container(String),
    /// A user-defined network by name.
    Named(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum NamespaceMode {
    /// Docker's default for this namespace (private, or shareable for IPC).
    #[default]
    Private,
    Host,
    Container(String),
    /// Anything else Docker reported (e.g. `shareable`), kept verbatim.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkAttachment {
    pub network: String,
    pub aliases: Vec<String>,
    pub ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// The lower-case name Docker and Podman use in port specs (`80/udp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct PortBinding {
    pub container_port: u16,
    pub protocol: Protocol,
    /// `None` or empty means all interfaces; IPv6 addresses without brackets.
    pub host_ip: Option<String>,
    /// The host port: the one Docker bound (running container), else the configured one;
    /// 0 when the engine picks it and has not yet. For a host range (see
    /// [`Self::host_port_range`]) of a container that is not running, the range's first port.
    pub host_port: u16,
    /// A host port range published for this one container port (`-p 8000-8010:80`): Docker
    /// binds one free port of it each time the container starts. Podman cannot publish such
    /// a range (host and container ranges must have the same length), so the generator
    /// narrows it to `host_port` and says so. `None` for a single host port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port_range: Option<PortRange>,
}

/// An inclusive range of host ports, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    pub fn contains(&self, port: u16) -> bool {
        (self.start..=self.end).contains(&port)
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct ExposedPort {
    pub port: u16,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    #[default]
    Bind,
    Volume,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path for binds, volume name for volumes, empty for tmpfs.
    pub source: String,
    pub destination: String,
    pub read_only: bool,
    /// `rprivate`, `rshared`, `rslave`, ... when set.
    pub propagation: Option<String>,
    /// Volume driver for volume mounts.
    pub driver: Option<String>,
    /// Raw mode string (`z`, `Z`, `ro`, ...) as reported.
    pub mode: Option<String>,
    /// tmpfs options (`size=64m,mode=1777`) for tmpfs mounts.
    pub tmpfs_options: Option<String>,
    /// Owner UID of a bind mount's host path, when it could be read on the scanning host
    /// (rootless Podman maps container UIDs elsewhere, so ownership decides `:U`/keep-id).
    pub source_uid: Option<u32>,
    /// Owner GID of a bind mount's host path, when known.
    pub source_gid: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceMapping {
    pub host_path: String,
    pub container_path: String,
    pub permissions: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceRequest {
    pub driver: Option<String>,
    /// -1 means all devices.
    pub count: Option<i64>,
    pub device_ids: Vec<String>,
    pub capabilities: Vec<Vec<String>>,
}

/// Resource limits; `None` means unlimited / engine default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub memory_swap: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
    pub oom_kill_disable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicyName {
    #[default]
    No,
    Always,
    UnlessStopped,
    OnFailure,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartPolicy {
    pub name: RestartPolicyName,
    pub max_retries: Option<i64>,
}

/// Durations in nanoseconds, as Docker stores them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Healthcheck {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]` (disabled).
    pub test: Vec<String>,
    pub interval_ns: Option<i64>,
    pub timeout_ns: Option<i64>,
    pub start_period_ns: Option<i64>,
    pub start_interval_ns: Option<i64>,
    pub retries: Option<i64>,
}

impl Healthcheck {
    /// `HEALTHCHECK NONE` disables an inherited check.
    pub fn is_disabled(&self) -> bool {
        self.test.first().map(String::as_str) == Some("NONE")
    }
}

/// An image referenced by at least one container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub user: Option<String>,
    /// `NAME=value` as in the image config.
    pub env: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub command: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub healthcheck: Option<Healthcheck>,
    pub exposed_ports: Vec<ExposedPort>,
    pub volumes: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub created: Option<String>,
    pub size: Option<i64>,
    pub architecture: Option<String>,
    pub os: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: Option<String>,
    pub internal: bool,
    pub ipv6: bool,
    pub subnets: Vec<String>,
    pub gateways: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// `bridge`, `host` and `none`: created by Docker itself.
    pub builtin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Volume {
    pub name: String,
    pub driver: String,
    pub mountpoint: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub scope: Option<String>,
}

impl SecurityOptions {
    /// What `--security-opt KEY=...` (or the legacy `KEY:...`) asked for, the last one
    /// winning, leaving out what `--privileged` implies.
    pub fn requested(&self, key: &str) -> ProfileSetting {
        self.raw
            .iter()
            .filter_map(|opt| {
                let (k, v) = opt.split_once(['=', ':'])?;
                (k == key).then(|| ProfileSetting::parse(v))
            })
            .next_back()
            .unwrap_or_default()
    }
}

impl Inventory {
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name == name)
    }

    /// The inspected image a container runs, when it was captured.
    pub fn image_of(&self, container: &Container) -> Option<&Image> {
        self.images.iter().find(|i| i.id == container.image_id)
    }

    /// Bring the inventory up to date with containers read again one by one (after engine
    /// events) instead of a whole new read: `read` replace the containers with their ID or
    /// join the inventory, `gone` (IDs) leave it, `images` join the known images. Kept in the
    /// order a whole read gives (containers by name, images by id), so both paths yield the
    /// same inventory for the same engine.
    pub fn apply_reread(
        &mut self,
        read: Vec<Container>,
        gone: &std::collections::BTreeSet<String>,
        images: Vec<Image>,
    ) {
        let read_ids: std::collections::BTreeSet<&str> =
            read.iter().map(|c| c.id.as_str()).collect();
        self.containers
            .retain(|c| !gone.contains(&c.id) && !read_ids.contains(c.id.as_str()));
        self.containers
            .extend(read.into_iter().filter(|c| !gone.contains(&c.id)));
        self.containers.sort_by(|a, b| a.name.cmp(&b.name));
        for image in images {
            if !self.images.iter().any(|i| i.id == image.id) {
                self.images.push(image);
            }
        }
        self.images.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

impl Container {
    /// Variables the container adds or overrides over its image.
    pub fn added_env(&self) -> impl Iterator<Item = &EnvVar> {
        self.env.iter().filter(|e| e.origin != EnvOrigin::Image)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// Seccomp and AppArmor once `--privileged` is dropped: `--privileged` switches both
    /// off, so without it only what `--security-opt` asked for stays unconfined. Keeping
    /// the implied `unconfined` would carry the privilege's weakest part over silently.
    pub fn confinement_without_privileged(&self) -> (ProfileSetting, ProfileSetting) {
        if self.privileged {
            (
                self.security.requested("seccomp"),
                self.security.requested("apparmor"),
            )
        } else {
            (
                self.security.seccomp.clone(),
                self.security.apparmor.clone(),
            )
        }
    }
}

#[cfg(test)]
mod reread_tests {
    use std::collections::BTreeSet;

    use super::*;

    fn container(id: &str, name: &str, image: &str) -> Container {
        Container {
            id: id.into(),
            name: name.into(),
            image: image.into(),
            ..Default::default()
        }
    }

    /// Containers read again replace theirs by ID (a rename included), new ones join in
    /// name order, gone ones leave, and a new image joins once.
    #[test]
    fn a_reread_replaces_adds_and_drops_by_id() {
        let image = |id: &str| Image {
            id: id.into(),
            ..Default::default()
        };
        let mut inventory = Inventory {
            containers: vec![
                container("1", "alpha", "old"),
                container("2", "bravo", "old"),
                container("3", "charlie", "old"),
            ],
            images: vec![image("sha256:b")],
            ..Default::default()
        };
        let read = vec![
            container("2", "zulu", "new"), // renamed and changed
            container("4", "delta", "new"),
            container("5", "echo", "new"), // read, then destroyed before the answer
        ];
        let gone = BTreeSet::from(["3".to_owned(), "5".to_owned()]);
        inventory.apply_reread(read, &gone, vec![image("sha256:a"), image("sha256:b")]);
        let rows: Vec<(&str, &str, &str)> = inventory
            .containers
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str(), c.image.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("1", "alpha", "old"),
                ("4", "delta", "new"),
                ("2", "zulu", "new")
            ]
        );
        let images: Vec<&str> = inventory.images.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(images, ["sha256:a", "sha256:b"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshots written before conditions were kept list bare names; both forms read, and
    /// an unknown condition a newer compose may write reads as `service_started`.
    #[test]
    fn compose_dependencies_read_old_and_new_forms() {
        let json = r#"[ "db",
            {"service": "cache", "condition": "service_healthy"},
            {"service": "init", "condition": "service_completed_successfully"},
            {"service": "next", "condition": "service_someday"},
            {"service": "bare"} ]"#;
        let read: Vec<ComposeDependency> = serde_json::from_str(json).unwrap();
        use DependencyCondition::*;
        let want = [
            ("db", ServiceStarted),
            ("cache", ServiceHealthy),
            ("init", ServiceCompletedSuccessfully),
            ("next", ServiceStarted),
            ("bare", ServiceStarted),
        ];
        let got: Vec<(&str, DependencyCondition)> = read
            .iter()
            .map(|d| (d.service.as_str(), d.condition))
            .collect();
        assert_eq!(got, want);
        let again: Vec<ComposeDependency> =
            serde_json::from_str(&serde_json::to_string(&read).unwrap()).unwrap();
        assert_eq!(again, read);
        assert_eq!(
            DependencyCondition::parse(" service_healthy "),
            ServiceHealthy
        );
    }
}
