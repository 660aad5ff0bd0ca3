//! Quadlet keys as typed data: the section they belong to, how quadlet reads their value,
//! the podman flag they stand for, and (from `assets/quadlet-keys.json`) the first Podman
//! version that accepts them.
//!
//! The flag is what makes version targeting and awkward values work without losing
//! anything: a key the target Podman lacks, or a value quadlet would mangle as a plain key,
//! is written as the same podman flag inside `PodmanArgs=` (whose words are quoted
//! exactly), and only when that is impossible too does it become a note.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::unit_file::Encoding;

pub use crate::model::PodmanVersion;

/// Quadlet unit types unroot writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionKind {
    Container,
    Volume,
    Network,
    Pod,
}

impl SectionKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Container => "Container",
            Self::Volume => "Volume",
            Self::Network => "Network",
            Self::Pod => "Pod",
        }
    }
}

/// How a key can be expressed as podman arguments instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// `FLAG value` for each value (each word for word-list keys).
    Flag(&'static str),
    /// A boolean key that is the bare flag when true.
    Switch(&'static str),
    /// No podman flag (`Exec=` is positional, `Image=` is the image): a note only.
    None,
}

/// One quadlet key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub section: SectionKind,
    pub name: &'static str,
    pub encoding: Encoding,
    pub fallback: Fallback,
}

const fn key(
    section: SectionKind,
    name: &'static str,
    encoding: Encoding,
    fallback: Fallback,
) -> Key {
    Key {
        section,
        name,
        encoding,
        fallback,
    }
}

/// `[Container]` keys unroot writes.
pub mod container {
    use super::Fallback::{Flag, None, Switch};
    use super::SectionKind::Container as C;
    use super::{Key, key};
    use crate::generate::unit_file::Encoding::{List, Raw, RawLine, Words};

    pub const IMAGE: Key = key(C, "Image", Raw, None);
    pub const PULL: Key = key(C, "Pull", Raw, Flag("--pull"));
    /// Older targets get the label it stands for (`Label=io.containers.autoupdate=...`).
    pub const AUTO_UPDATE: Key = key(C, "AutoUpdate", Raw, None);
    pub const CONTAINER_NAME: Key = key(C, "ContainerName", Raw, Flag("--name"));
    pub const ENTRYPOINT: Key = key(C, "Entrypoint", Raw, Flag("--entrypoint"));
    pub const EXEC: Key = key(C, "Exec", Words, None);
    pub const ENVIRONMENT: Key = key(C, "Environment", Words, Flag("--env"));
    pub const ENVIRONMENT_FILE: Key = key(C, "EnvironmentFile", Words, Flag("--env-file"));
    pub const SECRET: Key = key(C, "Secret", Words, Flag("--secret"));
    pub const PUBLISH_PORT: Key = key(C, "PublishPort", RawLine, Flag("--publish"));
    pub const EXPOSE_HOST_PORT: Key = key(C, "ExposeHostPort", RawLine, Flag("--expose"));
    pub const VOLUME: Key = key(C, "Volume", RawLine, Flag("--volume"));
    pub const MOUNT: Key = key(C, "Mount", Words, Flag("--mount"));
    pub const TMPFS: Key = key(C, "Tmpfs", RawLine, Flag("--tmpfs"));
    pub const NETWORK: Key = key(C, "Network", RawLine, Flag("--network"));
    pub const NETWORK_ALIAS: Key = key(C, "NetworkAlias", RawLine, Flag("--network-alias"));
    pub const POD: Key = key(C, "Pod", Raw, None);
    pub const USER: Key = key(C, "User", Raw, None);
    pub const GROUP: Key = key(C, "Group", Raw, None);
    pub const USERNS: Key = key(C, "UserNS", Raw, Flag("--userns"));
    pub const GROUP_ADD: Key = key(C, "GroupAdd", RawLine, Flag("--group-add"));
    pub const ADD_CAPABILITY: Key = key(C, "AddCapability", List, Flag("--cap-add"));
    pub const DROP_CAPABILITY: Key = key(C, "DropCapability", List, Flag("--cap-drop"));
    pub const ADD_DEVICE: Key = key(C, "AddDevice", List, Flag("--device"));
    pub const READ_ONLY: Key = key(C, "ReadOnly", Raw, Switch("--read-only"));
    pub const NO_NEW_PRIVILEGES: Key = key(
        C,
        "NoNewPrivileges",
        Raw,
        Switch("--security-opt=no-new-privileges"),
    );
    pub const SECCOMP_PROFILE: Key = key(C, "SeccompProfile", Raw, None);
    pub const SECURITY_LABEL_DISABLE: Key = key(
        C,
        "SecurityLabelDisable",
        Raw,
        Switch("--security-opt=label=disable"),
    );
    pub const SECURITY_LABEL_TYPE: Key = key(C, "SecurityLabelType", Raw, None);
    pub const SECURITY_LABEL_LEVEL: Key = key(C, "SecurityLabelLevel", Raw, None);
    pub const SECURITY_LABEL_FILE_TYPE: Key = key(C, "SecurityLabelFileType", Raw, None);
    pub const SECURITY_LABEL_NESTED: Key = key(
        C,
        "SecurityLabelNested",
        Raw,
        Switch("--security-opt=label=nested"),
    );
    pub const APPARMOR: Key = key(C, "AppArmor", Raw, None);
    pub const MASK: Key = key(C, "Mask", Words, None);
    pub const UNMASK: Key = key(C, "Unmask", Words, None);
    pub const SYSCTL: Key = key(C, "Sysctl", List, Flag("--sysctl"));
    pub const ULIMIT: Key = key(C, "Ulimit", RawLine, Flag("--ulimit"));
    pub const SHM_SIZE: Key = key(C, "ShmSize", Raw, Flag("--shm-size"));
    pub const MEMORY: Key = key(C, "Memory", Raw, Flag("--memory"));
    pub const PIDS_LIMIT: Key = key(C, "PidsLimit", Raw, Flag("--pids-limit"));
    /// Only ever written as `false`: the fallback is that one switch.
    pub const HTTP_PROXY: Key = key(C, "HttpProxy", Raw, Switch("--http-proxy=false"));
    pub const HEALTH_CMD: Key = key(C, "HealthCmd", Raw, Flag("--health-cmd"));
    /// `healthy` needs 5.0; the generator writes nothing older.
    pub const NOTIFY: Key = key(C, "Notify", Raw, None);
    pub const HEALTH_INTERVAL: Key = key(C, "HealthInterval", Raw, Flag("--health-interval"));
    pub const HEALTH_TIMEOUT: Key = key(C, "HealthTimeout", Raw, Flag("--health-timeout"));
    pub const HEALTH_START_PERIOD: Key =
        key(C, "HealthStartPeriod", Raw, Flag("--health-start-period"));
    pub const HEALTH_RETRIES: Key = key(C, "HealthRetries", Raw, Flag("--health-retries"));
    pub const LABEL: Key = key(C, "Label", Words, Flag("--label"));
    pub const HOST_NAME: Key = key(C, "HostName", Raw, Flag("--hostname"));
    pub const ADD_HOST: Key = key(C, "AddHost", RawLine, Flag("--add-host"));
    pub const DNS: Key = key(C, "DNS", RawLine, Flag("--dns"));
    pub const DNS_SEARCH: Key = key(C, "DNSSearch", RawLine, Flag("--dns-search"));
    pub const DNS_OPTION: Key = key(C, "DNSOption", RawLine, Flag("--dns-option"));
    pub const WORKING_DIR: Key = key(C, "WorkingDir", Raw, Flag("--workdir"));
    pub const STOP_SIGNAL: Key = key(C, "StopSignal", Raw, Flag("--stop-signal"));
    pub const STOP_TIMEOUT: Key = key(C, "StopTimeout", Raw, Flag("--stop-timeout"));
    pub const LOG_DRIVER: Key = key(C, "LogDriver", Raw, Flag("--log-driver"));
    pub const LOG_OPT: Key = key(C, "LogOpt", RawLine, Flag("--log-opt"));
    pub const RUN_INIT: Key = key(C, "RunInit", Raw, Switch("--init"));
    pub const PODMAN_ARGS: Key = key(C, "PodmanArgs", Words, None);
}

/// `[Volume]` keys unroot writes.
pub mod volume {
    use super::Fallback::{Flag, None};
    use super::SectionKind::Volume as V;
    use super::{Key, key};
    use crate::generate::unit_file::Encoding::{Raw, Words};

    pub const VOLUME_NAME: Key = key(V, "VolumeName", Raw, None);
    pub const DRIVER: Key = key(V, "Driver", Raw, Flag("--driver"));
    pub const LABEL: Key = key(V, "Label", Words, Flag("--label"));
    pub const PODMAN_ARGS: Key = key(V, "PodmanArgs", Words, None);
}

/// `[Network]` keys unroot writes.
pub mod network {
    use super::Fallback::{Flag, None, Switch};
    use super::SectionKind::Network as N;
    use super::{Key, key};
    use crate::generate::unit_file::Encoding::{Raw, RawLine, Words};

    pub const NETWORK_NAME: Key = key(N, "NetworkName", Raw, None);
    pub const DRIVER: Key = key(N, "Driver", Raw, Flag("--driver"));
    pub const SUBNET: Key = key(N, "Subnet", RawLine, Flag("--subnet"));
    pub const GATEWAY: Key = key(N, "Gateway", RawLine, Flag("--gateway"));
    pub const INTERNAL: Key = key(N, "Internal", Raw, Switch("--internal"));
    pub const IPV6: Key = key(N, "IPv6", Raw, Switch("--ipv6"));
    pub const LABEL: Key = key(N, "Label", Words, Flag("--label"));
    pub const PODMAN_ARGS: Key = key(N, "PodmanArgs", Words, None);
}

/// `[Pod]` keys unroot writes.
pub mod pod {
    use super::Fallback::{Flag, None};
    use super::SectionKind::Pod as P;
    use super::{Key, key};
    use crate::generate::unit_file::Encoding::{Raw, RawLine, Words};

    pub const POD_NAME: Key = key(P, "PodName", Raw, None);
    pub const PUBLISH_PORT: Key = key(P, "PublishPort", RawLine, Flag("--publish"));
    pub const NETWORK: Key = key(P, "Network", RawLine, Flag("--network"));
    pub const PODMAN_ARGS: Key = key(P, "PodmanArgs", Words, None);
}

impl Key {
    /// The `PodmanArgs` key of the same section.
    pub fn podman_args_of(section: SectionKind) -> Key {
        match section {
            SectionKind::Container => container::PODMAN_ARGS,
            SectionKind::Volume => volume::PODMAN_ARGS,
            SectionKind::Network => network::PODMAN_ARGS,
            SectionKind::Pod => pod::PODMAN_ARGS,
        }
    }

    /// First Podman version whose quadlet accepts this key; `None` when the table does not
    /// know the key at all (then it is never written as a key).
    pub fn since(&self) -> Option<PodmanVersion> {
        key_table()
            .get(self.section.name())
            .and_then(|keys| keys.get(self.name))
            .copied()
    }

    pub fn supported_by(&self, version: PodmanVersion) -> bool {
        self.since().is_some_and(|since| since <= version)
    }
}

type KeyTable = BTreeMap<String, BTreeMap<String, PodmanVersion>>;

/// The embedded key/version table, parsed once.
pub fn key_table() -> &'static KeyTable {
    static TABLE: OnceLock<KeyTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let raw: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../assets/quadlet-keys.json"))
                .expect("assets/quadlet-keys.json is valid JSON (checked by tests)");
        raw.into_iter()
            .filter(|(section, _)| !section.starts_with('_'))
            .map(|(section, keys)| {
                let keys = keys
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let v = PodmanVersion::parse(v.as_str()?).ok()?;
                        Some((k.clone(), v))
                    })
                    .collect();
                (section, keys)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Key] = &[
        container::IMAGE,
        container::PULL,
        container::AUTO_UPDATE,
        container::CONTAINER_NAME,
        container::ENTRYPOINT,
        container::EXEC,
        container::ENVIRONMENT,
        container::ENVIRONMENT_FILE,
        container::SECRET,
        container::PUBLISH_PORT,
        container::EXPOSE_HOST_PORT,
        container::VOLUME,
        container::MOUNT,
        container::TMPFS,
        container::NETWORK,
        container::NETWORK_ALIAS,
        container::POD,
        container::USER,
        container::GROUP,
        container::USERNS,
        container::GROUP_ADD,
        container::ADD_CAPABILITY,
        container::DROP_CAPABILITY,
        container::ADD_DEVICE,
        container::READ_ONLY,
        container::NO_NEW_PRIVILEGES,
        container::SECCOMP_PROFILE,
        container::SECURITY_LABEL_DISABLE,
        container::SECURITY_LABEL_TYPE,
        container::SECURITY_LABEL_LEVEL,
        container::SECURITY_LABEL_FILE_TYPE,
        container::SECURITY_LABEL_NESTED,
        container::APPARMOR,
        container::MASK,
        container::UNMASK,
        container::SYSCTL,
        container::ULIMIT,
        container::SHM_SIZE,
        container::MEMORY,
        container::PIDS_LIMIT,
        container::HTTP_PROXY,
        container::HEALTH_CMD,
        container::NOTIFY,
        container::HEALTH_INTERVAL,
        container::HEALTH_TIMEOUT,
        container::HEALTH_START_PERIOD,
        container::HEALTH_RETRIES,
        container::LABEL,
        container::HOST_NAME,
        container::ADD_HOST,
        container::DNS,
        container::DNS_SEARCH,
        container::DNS_OPTION,
        container::WORKING_DIR,
        container::STOP_SIGNAL,
        container::STOP_TIMEOUT,
        container::LOG_DRIVER,
        container::LOG_OPT,
        container::RUN_INIT,
        container::PODMAN_ARGS,
        volume::VOLUME_NAME,
        volume::DRIVER,
        volume::LABEL,
        volume::PODMAN_ARGS,
        network::NETWORK_NAME,
        network::DRIVER,
        network::SUBNET,
        network::GATEWAY,
        network::INTERNAL,
        network::IPV6,
        network::LABEL,
        network::PODMAN_ARGS,
        pod::POD_NAME,
        pod::PUBLISH_PORT,
        pod::NETWORK,
        pod::PODMAN_ARGS,
    ];

    #[test]
    fn every_written_key_is_in_the_table_for_the_newest_version() {
        for k in ALL {
            assert!(
                k.supported_by(PodmanVersion::NEWEST_KNOWN),
                "{}.{} missing from assets/quadlet-keys.json",
                k.section.name(),
                k.name
            );
        }
    }

    #[test]
    fn table_dates_match_release_history() {
        let v = |s| PodmanVersion::parse(s).unwrap();
        assert_eq!(container::ENTRYPOINT.since(), Some(v("5.0")));
        assert_eq!(container::GROUP_ADD.since(), Some(v("5.1")));
        assert_eq!(container::STOP_SIGNAL.since(), Some(v("5.2")));
        assert_eq!(container::ADD_HOST.since(), Some(v("5.3")));
        assert_eq!(container::MEMORY.since(), Some(v("5.5")));
        assert_eq!(container::APPARMOR.since(), Some(v("5.8")));
        assert_eq!(container::IMAGE.since(), Some(v("4.4")));
        assert_eq!(container::SYSCTL.since(), Some(v("4.6")));
        assert_eq!(container::SECRET.since(), Some(v("4.5")));
        assert_eq!(pod::POD_NAME.since(), Some(v("5.0")));
        assert!(!container::MEMORY.supported_by(v("5.4")));
        assert!(container::MEMORY.supported_by(v("5.8")));
    }

    #[test]
    fn version_parsing_and_refusal() {
        assert_eq!(
            PodmanVersion::parse("5.4").unwrap(),
            PodmanVersion::new(5, 4)
        );
        assert_eq!(
            PodmanVersion::parse("v5.4.2").unwrap(),
            PodmanVersion::new(5, 4)
        );
        assert_eq!(PodmanVersion::parse("5").unwrap(), PodmanVersion::new(5, 0));
        let err = PodmanVersion::parse("4.3").unwrap_err().to_string();
        assert!(err.contains("quadlet appeared in Podman 4.4"), "{err}");
        assert!(PodmanVersion::parse("five").is_err());
        assert!(PodmanVersion::parse("5.x").is_err());
        assert!(PodmanVersion::parse("5.4.2.1").is_err());
    }
}
