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
    #[serde(deserialize_with = "strict::ports")]
    pub ports: PrivilegedPortPolicy,
    pub volumes: VolumeStrategy,
    #[serde(deserialize_with = "strict::network")]
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
    /// Write `Image=` by the registry digest Docker runs today (`repo@sha256:...`), so the
    /// migrated host runs exactly the bytes that were reviewed; off, the tag (which may
    /// move). Absent from older plans: off, as they were generated.
    #[serde(default)]
    pub pin_digest: bool,
    /// Podman's own image updates (`AutoUpdate=registry|local` in the unit, applied by the
    /// user's `podman-auto-update.timer`), replacing a watcher such as Watchtower; `off`
    /// writes nothing. Never together with `pin_digest` (a pinned image cannot move): the
    /// plan loader refuses both. Absent from older plans: off, as they were generated.
    #[serde(default)]
    pub auto_update: super::auto_update::AutoUpdate,
    /// Settings the unit adds that Docker did not have, each closing a named finding.
    /// Missing in plans written before it existed: those mean "no hardening".
    #[serde(default)]
    pub hardening: super::hardening::Hardening,
    /// Where its secret-looking variables go (see [`SecretStore`]). Absent from older
    /// plans: the env file, as they were generated.
    #[serde(default)]
    pub secrets: SecretStore,
}

/// Where a container's secret-looking environment variables (`model::secret`) go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStore {
    /// A 0600 env file next to the unit (`EnvironmentFile=`): simple, works with every
    /// quadlet version, but the values sit in a file under the user's home and show in
    /// `podman inspect`.
    #[default]
    EnvFile,
    /// One Podman secret per variable (`Secret=NAME,type=env,target=VAR`): the value is
    /// kept by Podman's file driver in the user's storage, not in the unit, and not shown
    /// by `podman inspect`. migrate.sh creates the secrets as the user.
    PodmanSecret,
}

impl SecretStore {
    /// The plan's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnvFile => "env_file",
            Self::PodmanSecret => "podman_secret",
        }
    }
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
            pin_digest: false,
            auto_update: super::auto_update::AutoUpdate::Off,
            hardening: super::hardening::Hardening::default_for(container),
            secrets: SecretStore::EnvFile,
        }
    }

    /// The decision unroot proposes, with the defaults that need the rest of the inventory:
    /// what [`default_for`](Self::default_for) proposes; a watcher (Watchtower) left out,
    /// since Podman replaces it (`podman-auto-update.timer`) and it would need the Docker
    /// socket; the containers it watches updated by Podman instead
    /// ([`AutoUpdate::proposed`](super::auto_update::AutoUpdate::proposed)); and the digest
    /// pinned when the image has a registry digest in its repository and no watcher
    /// updates the container (an auto-updated container follows its tag by choice).
    pub fn proposed(inventory: &super::Inventory, container: &super::Container) -> Self {
        use super::auto_update::{AutoUpdate, is_auto_updated, is_watcher};
        let mut d = Self::default_for(container);
        d.include = !is_watcher(container);
        d.auto_update = AutoUpdate::proposed(inventory, container);
        d.pin_digest =
            Self::can_pin(inventory, container) && !is_auto_updated(inventory, container);
        d
    }

    /// Whether the container's image has a registry digest in the container's repository
    /// (locally built images have none and cannot be pinned).
    pub fn can_pin(inventory: &super::Inventory, container: &super::Container) -> bool {
        inventory
            .image_of(container)
            .is_some_and(|img| img.digest_in(&container.image).is_some())
    }
}

/// Readers for the two tagged decisions that deny stray keys.
///
/// Serde cannot deny unknown keys beside the tag of an internally or adjacently tagged enum:
/// `policy: sysctl` next to a typo'd `portz:` would be accepted and the remap silently lost.
/// Reading each through a plain struct that denies them makes one typed parse of a plan
/// enough; the error reads as serde's own (`unknown field `portz`, expected `policy` or
/// `ports``), so the loader points at the key as it does for every other typo.
mod strict {
    use std::collections::BTreeMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};

    use super::{NetworkChoice, PrivilegedPortPolicy};

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Policy {
        Sysctl,
        Remap,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Ports {
        policy: Policy,
        #[serde(default)]
        ports: Option<BTreeMap<u16, u16>>,
    }

    pub fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<PrivilegedPortPolicy, D::Error> {
        let raw = Ports::deserialize(d)?;
        match raw.policy {
            // A `ports:` map beside `sysctl` is the remap an edit switched away from: kept
            // readable, as it always was, and unused.
            Policy::Sysctl => Ok(PrivilegedPortPolicy::Sysctl),
            Policy::Remap => raw
                .ports
                .map(|ports| PrivilegedPortPolicy::Remap { ports })
                .ok_or_else(|| D::Error::missing_field("ports")),
        }
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Mode {
        Pasta,
        Shared,
        Pod,
        Host,
        None,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Network {
        mode: Mode,
        #[serde(default)]
        name: Option<String>,
    }

    pub fn network<'de, D: Deserializer<'de>>(d: D) -> Result<NetworkChoice, D::Error> {
        let raw = Network::deserialize(d)?;
        let named = |make: fn(String) -> NetworkChoice| {
            raw.name
                .clone()
                .map(make)
                .ok_or_else(|| D::Error::missing_field("name"))
        };
        let unnamed = |choice: NetworkChoice, mode: &str| match raw.name {
            Some(_) => Err(D::Error::custom(format!(
                "`name` is only for modes `shared` and `pod`, not `{mode}`"
            ))),
            None => Ok(choice),
        };
        match raw.mode {
            Mode::Shared => named(NetworkChoice::Shared),
            Mode::Pod => named(NetworkChoice::Pod),
            Mode::Pasta => unnamed(NetworkChoice::Pasta, "pasta"),
            Mode::Host => unnamed(NetworkChoice::Host, "host"),
            Mode::None => unnamed(NetworkChoice::None, "none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strict readers accept every form the writer produces, and refuse what serde's
    /// tagged enums let through silently.
    #[test]
    fn tagged_decisions_round_trip_and_refuse_stray_keys() {
        let forms = [
            (PrivilegedPortPolicy::Sysctl, NetworkChoice::Pasta),
            (
                PrivilegedPortPolicy::Remap {
                    ports: BTreeMap::from([(53, 5353), (80, 8080)]),
                },
                NetworkChoice::Shared("backend".into()),
            ),
            (
                PrivilegedPortPolicy::Sysctl,
                NetworkChoice::Pod("shop".into()),
            ),
            (PrivilegedPortPolicy::Sysctl, NetworkChoice::Host),
            (PrivilegedPortPolicy::Sysctl, NetworkChoice::None),
        ];
        for (ports, network) in forms {
            let mut d = ContainerDecision::default_for(&crate::model::Container::default());
            d.ports = ports;
            d.network = network;
            let yaml = serde_yaml::to_string(&d).unwrap();
            assert_eq!(serde_yaml::from_str::<ContainerDecision>(&yaml).unwrap(), d);
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(serde_json::from_str::<ContainerDecision>(&json).unwrap(), d);
        }
        let base = "include: true\nvolumes: copy\n";
        let refused = [
            (
                "ports: {policy: sysctl, portz: {53: 5353}}\nnetwork: {mode: pasta}",
                "unknown field `portz`, expected `policy` or `ports`",
            ),
            (
                "ports: {policy: remap}\nnetwork: {mode: pasta}",
                "missing field `ports`",
            ),
            (
                "ports: {policy: sysctl}\nnetwork: {mode: shared}",
                "missing field `name`",
            ),
            (
                "ports: {policy: sysctl}\nnetwork: {mode: pasta, name: x}",
                "`name` is only for modes `shared` and `pod`, not `pasta`",
            ),
            (
                "ports: {policy: sysctl}\nnetwork: {mode: pod, nmae: x}",
                "unknown field `nmae`, expected `mode` or `name`",
            ),
        ];
        for (body, expected) in refused {
            let e = serde_yaml::from_str::<ContainerDecision>(&format!("{base}{body}"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{body}: {e}");
        }
    }

    /// A plan written before `pin_digest` existed loads unchanged, with pinning off, as it
    /// was generated; a current one round-trips it.
    #[test]
    fn pin_digest_defaults_off_for_older_plans() {
        let old = "include: true\nports: {policy: sysctl}\nvolumes: copy\nnetwork: {mode: pasta}\n";
        let d: ContainerDecision = serde_yaml::from_str(old).unwrap();
        assert!(!d.pin_digest);
        let mut pinned = d.clone();
        pinned.pin_digest = true;
        let yaml = serde_yaml::to_string(&pinned).unwrap();
        assert!(yaml.contains("pin_digest: true"), "{yaml}");
        assert_eq!(
            serde_yaml::from_str::<ContainerDecision>(&yaml).unwrap(),
            pinned
        );
    }

    /// A watcher is left out, the containers it watches follow their tag through Podman
    /// (`registry`, or `local` for a locally built image), and one that opted out of
    /// Watchtower (label `enable=false`) is neither updated nor pinned away from it.
    #[test]
    fn watchers_are_replaced_and_watched_containers_auto_update() {
        use crate::model::auto_update::{AutoUpdate, WATCHTOWER_ENABLE_LABEL};
        use crate::model::{Container, Image, Inventory, Mount, MountKind};
        let container = |name: &str, image: &str, image_id: &str| Container {
            id: format!("id-{name}"),
            name: name.into(),
            image: image.into(),
            image_id: image_id.into(),
            ..Default::default()
        };
        let mut wt = container("wt", "containrrr/watchtower", "sha256:w");
        wt.mounts.push(Mount {
            kind: MountKind::Bind,
            source: "/var/run/docker.sock".into(),
            destination: "/var/run/docker.sock".into(),
            ..Default::default()
        });
        let web = container("web", "nginx:1.25", "sha256:n");
        let app = container("app", "me/app:1", "sha256:a");
        let mut db = container("db", "postgres:16", "sha256:p");
        db.labels
            .insert(WATCHTOWER_ENABLE_LABEL.into(), "false".into());
        let pulled = |id: &str, digest: &str| Image {
            id: id.into(),
            repo_digests: vec![digest.into()],
            ..Default::default()
        };
        let inv = Inventory {
            containers: vec![wt.clone(), web.clone(), app.clone(), db.clone()],
            images: vec![
                pulled("sha256:n", "nginx@sha256:1111"),
                pulled("sha256:p", "postgres@sha256:2222"),
                Image {
                    id: "sha256:a".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let watcher = ContainerDecision::proposed(&inv, &wt);
        assert!(!watcher.include, "the watcher is replaced, not migrated");
        assert_eq!(watcher.auto_update, AutoUpdate::Off);
        let web_d = ContainerDecision::proposed(&inv, &web);
        assert!(web_d.include);
        assert_eq!(web_d.auto_update, AutoUpdate::Registry);
        assert!(!web_d.pin_digest, "an updated container is not pinned");
        let app_d = ContainerDecision::proposed(&inv, &app);
        assert_eq!(app_d.auto_update, AutoUpdate::Local, "built locally");
        let db_d = ContainerDecision::proposed(&inv, &db);
        assert_eq!(db_d.auto_update, AutoUpdate::Off, "opted out by label");
        assert!(db_d.pin_digest);
        // Without a watcher nothing auto-updates.
        let alone = Inventory {
            containers: vec![web.clone()],
            ..inv.clone()
        };
        assert_eq!(
            ContainerDecision::proposed(&alone, &web).auto_update,
            AutoUpdate::Off
        );
        // A reference by digest cannot move.
        let mut by_digest = web;
        by_digest.image = "nginx@sha256:1111".into();
        let inv = Inventory {
            containers: vec![wt, by_digest.clone()],
            ..inv
        };
        assert_eq!(
            ContainerDecision::proposed(&inv, &by_digest).auto_update,
            AutoUpdate::Off
        );
    }

    /// `auto_update` reads as `registry|local|off` and is off in plans written before it.
    #[test]
    fn auto_update_is_a_plain_word_and_off_in_older_plans() {
        use crate::model::auto_update::AutoUpdate;
        let old = "include: true\nports: {policy: sysctl}\nvolumes: copy\nnetwork: {mode: pasta}\n";
        let d: ContainerDecision = serde_yaml::from_str(old).unwrap();
        assert_eq!(d.auto_update, AutoUpdate::Off);
        for (word, value) in [
            ("registry", AutoUpdate::Registry),
            ("local", AutoUpdate::Local),
            ("off", AutoUpdate::Off),
        ] {
            let d: ContainerDecision =
                serde_yaml::from_str(&format!("{old}auto_update: {word}\n")).unwrap();
            assert_eq!(d.auto_update, value);
            assert!(
                serde_yaml::to_string(&d)
                    .unwrap()
                    .contains(&format!("auto_update: {word}"))
            );
        }
        let e = serde_yaml::from_str::<ContainerDecision>(&format!("{old}auto_update: yes\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("expected one of `off`, `registry`, `local`"),
            "{e}"
        );
    }

    /// A plan written before `secrets` existed loads with the env file, as it was
    /// generated; both choices round-trip and an unknown one is refused by name.
    #[test]
    fn secrets_default_to_the_env_file_and_refuse_unknown_stores() {
        let old = "include: true\nports: {policy: sysctl}\nvolumes: copy\nnetwork: {mode: pasta}\n";
        let d: ContainerDecision = serde_yaml::from_str(old).unwrap();
        assert_eq!(d.secrets, SecretStore::EnvFile);
        for store in [SecretStore::EnvFile, SecretStore::PodmanSecret] {
            let mut e = d.clone();
            e.secrets = store;
            let yaml = serde_yaml::to_string(&e).unwrap();
            assert!(
                yaml.contains(&format!("secrets: {}", store.as_str())),
                "{yaml}"
            );
            assert_eq!(serde_yaml::from_str::<ContainerDecision>(&yaml).unwrap(), e);
        }
        let err = serde_yaml::from_str::<ContainerDecision>(&format!("{old}secrets: vault\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown variant `vault`, expected `env_file` or `podman_secret`"),
            "{err}"
        );
    }

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
