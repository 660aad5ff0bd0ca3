//! Builders for test containers and inventories, so each rule test states only the setting
//! it is about. The builder fills fields the way Docker's normalization does (e.g. a
//! `seccomp=unconfined` security option also sets `security.seccomp`).

use crate::model::{
    CgroupVersion, Container, ContainerState, DeviceMapping, DeviceRequest, EnvOrigin, EnvVar,
    ExposedPort, Healthcheck, HostFacts, IdOrName, Image, Inventory, Mount, MountKind,
    NamespaceMode, Network, NetworkAttachment, NetworkMode, PortBinding, ProfileSetting, Protocol,
    RestartPolicyName, Ulimit,
};

use super::rules::{DOCKER_DEFAULT_CAPS, normalize_cap};

pub struct ContainerBuilder {
    c: Container,
}

impl ContainerBuilder {
    /// A plain `docker run -d IMAGE` container: root, default caps, bridge network.
    pub fn new(name: &str) -> Self {
        let c = Container {
            id: format!("{:0<64}", hex_of(name)),
            name: name.to_string(),
            image: "example/app:1.0".to_string(),
            image_id: format!("sha256:{:0<64}", hex_of(name)),
            state: ContainerState::Running,
            ..Container::default()
        };
        let mut b = Self { c };
        b = b.user("");
        b.recompute_caps();
        b
    }

    /// The hardened reference: non-root, read-only, cap-drop ALL, no-new-privileges,
    /// memory and pids limits, a healthcheck, a high port on one interface.
    pub fn hardened(name: &str) -> Self {
        Self::new(name)
            .user("10001:10001")
            .read_only()
            .cap_drop("ALL")
            .security_opt("no-new-privileges:true")
            .memory(64 << 20)
            .pids(100)
            .cpus(500_000_000)
            .healthcheck(&["CMD", "/bin/true"])
            .port(Some("127.0.0.1"), 8080, 8080)
            .ulimit("nofile", 1024, 4096)
    }

    pub fn build(self) -> Container {
        self.c
    }

    pub fn state(mut self, state: ContainerState) -> Self {
        self.c.state = state;
        self
    }

    pub fn image(mut self, reference: &str) -> Self {
        self.c.image = reference.to_string();
        self
    }

    pub fn user(mut self, raw: &str) -> Self {
        let mut parts = raw.splitn(2, ':');
        let parse = |s: &str| -> Option<IdOrName> {
            if s.is_empty() {
                None
            } else if let Ok(id) = s.parse() {
                Some(IdOrName::Id(id))
            } else {
                Some(IdOrName::Name(s.to_string()))
            }
        };
        let user = parts.next().and_then(parse);
        let group = parts.next().and_then(parse);
        self.c.user.is_root = matches!(&user, None | Some(IdOrName::Id(0)))
            || user == Some(IdOrName::Name("root".into()));
        self.c.user.raw = raw.to_string();
        self.c.user.user = user;
        self.c.user.group = group;
        self
    }

    pub fn privileged(mut self) -> Self {
        self.c.privileged = true;
        self.c.capabilities.add_all = true;
        self.c.security.seccomp = ProfileSetting::Unconfined;
        self.c.security.apparmor = ProfileSetting::Unconfined;
        self.c.masked_paths = Some(Vec::new());
        self.recompute_caps();
        self
    }

    pub fn cap_add(mut self, cap: &str) -> Self {
        if normalize_cap(cap) == "ALL" {
            self.c.capabilities.add_all = true;
        }
        self.c.capabilities.added.push(normalize_cap(cap));
        self.recompute_caps();
        self
    }

    pub fn cap_drop(mut self, cap: &str) -> Self {
        if normalize_cap(cap) == "ALL" {
            self.c.capabilities.drop_all = true;
        }
        self.c.capabilities.dropped.push(normalize_cap(cap));
        self.recompute_caps();
        self
    }

    fn recompute_caps(&mut self) {
        let caps = &self.c.capabilities;
        let mut effective: Vec<String> = if self.c.privileged || caps.add_all {
            vec!["ALL".to_string()]
        } else {
            DOCKER_DEFAULT_CAPS
                .iter()
                .filter(|d| !caps.drop_all && !caps.dropped.iter().any(|x| x == *d))
                .map(|d| d.to_string())
                .chain(caps.added.iter().cloned())
                .collect()
        };
        effective.sort();
        effective.dedup();
        self.c.capabilities.effective = effective;
    }

    /// Docker's `--security-opt`, in `=` or legacy `:` form.
    pub fn security_opt(mut self, opt: &str) -> Self {
        self.c.security.raw.push(opt.to_string());
        let (key, value) = opt
            .split_once('=')
            .or_else(|| opt.split_once(':'))
            .unwrap_or((opt, ""));
        match key {
            "seccomp" if value == "unconfined" => {
                self.c.security.seccomp = ProfileSetting::Unconfined
            }
            "seccomp" => self.c.security.seccomp = ProfileSetting::Custom(value.into()),
            "apparmor" if value == "unconfined" => {
                self.c.security.apparmor = ProfileSetting::Unconfined
            }
            "apparmor" => self.c.security.apparmor = ProfileSetting::Custom(value.into()),
            "label" => self.c.security.selinux_labels.push(value.to_string()),
            "no-new-privileges" => {
                self.c.security.no_new_privileges = value.is_empty() || value == "true"
            }
            "systempaths" if value == "unconfined" => {
                self.c.security.systempaths_unconfined = true;
                self.c.masked_paths = Some(Vec::new());
                self.c.readonly_paths = Some(Vec::new());
            }
            _ => {}
        }
        self
    }

    pub fn read_only(mut self) -> Self {
        self.c.read_only_rootfs = true;
        self
    }

    pub fn network(mut self, mode: NetworkMode) -> Self {
        if let NetworkMode::Named(name) = &mode {
            self.c.networks.push(NetworkAttachment {
                network: name.clone(),
                ..NetworkAttachment::default()
            });
        }
        self.c.network_mode = mode;
        self
    }

    pub fn pid(mut self, mode: NamespaceMode) -> Self {
        self.c.pid_mode = mode;
        self
    }

    pub fn ipc(mut self, mode: NamespaceMode) -> Self {
        self.c.ipc_mode = mode;
        self
    }

    pub fn uts(mut self, mode: NamespaceMode) -> Self {
        self.c.uts_mode = mode;
        self
    }

    pub fn userns(mut self, mode: NamespaceMode) -> Self {
        self.c.userns_mode = mode;
        self
    }

    pub fn port(mut self, host_ip: Option<&str>, host_port: u16, container_port: u16) -> Self {
        self.c.ports.push(PortBinding {
            container_port,
            protocol: Protocol::Tcp,
            host_ip: host_ip.map(str::to_string),
            host_port,
            host_port_range: None,
        });
        self
    }

    pub fn expose(mut self, port: u16) -> Self {
        self.c.exposed_ports.push(ExposedPort {
            port,
            protocol: Protocol::Tcp,
        });
        self
    }

    pub fn bind(mut self, source: &str, destination: &str, read_only: bool) -> Self {
        self.c.mounts.push(Mount {
            kind: MountKind::Bind,
            source: source.to_string(),
            destination: destination.to_string(),
            read_only,
            propagation: Some("rprivate".to_string()),
            ..Mount::default()
        });
        self
    }

    /// Set the host owner of the last mount added.
    pub fn owned_by(mut self, uid: u32) -> Self {
        if let Some(m) = self.c.mounts.last_mut() {
            m.source_uid = Some(uid);
            m.source_gid = Some(uid);
        }
        self
    }

    /// Set the propagation of the last mount added.
    pub fn propagation(mut self, propagation: &str) -> Self {
        if let Some(m) = self.c.mounts.last_mut() {
            m.propagation = Some(propagation.to_string());
        }
        self
    }

    pub fn volume(mut self, name: &str, destination: &str) -> Self {
        self.c.mounts.push(Mount {
            kind: MountKind::Volume,
            source: name.to_string(),
            destination: destination.to_string(),
            driver: Some("local".to_string()),
            ..Mount::default()
        });
        self
    }

    pub fn tmpfs(mut self, destination: &str) -> Self {
        self.c.mounts.push(Mount {
            kind: MountKind::Tmpfs,
            destination: destination.to_string(),
            ..Mount::default()
        });
        self
    }

    pub fn device(mut self, path: &str) -> Self {
        self.c.devices.push(DeviceMapping {
            host_path: path.to_string(),
            container_path: path.to_string(),
            permissions: "rwm".to_string(),
        });
        self
    }

    pub fn gpus(mut self) -> Self {
        self.c.device_requests.push(DeviceRequest {
            driver: Some("nvidia".to_string()),
            count: Some(-1),
            device_ids: Vec::new(),
            capabilities: vec![vec!["gpu".to_string()]],
        });
        self
    }

    pub fn memory(mut self, bytes: i64) -> Self {
        self.c.resources.memory = Some(bytes);
        self
    }

    pub fn pids(mut self, limit: i64) -> Self {
        self.c.resources.pids_limit = Some(limit);
        self
    }

    pub fn cpus(mut self, nano: i64) -> Self {
        self.c.resources.nano_cpus = Some(nano);
        self
    }

    pub fn cpu_shares(mut self, shares: i64) -> Self {
        self.c.resources.cpu_shares = Some(shares);
        self
    }

    pub fn cpuset(mut self, cpus: &str) -> Self {
        self.c.resources.cpuset_cpus = Some(cpus.to_string());
        self
    }

    pub fn healthcheck(mut self, test: &[&str]) -> Self {
        self.c.healthcheck = Some(Healthcheck {
            test: test.iter().map(|s| s.to_string()).collect(),
            ..Healthcheck::default()
        });
        self
    }

    pub fn ulimit(mut self, name: &str, soft: i64, hard: i64) -> Self {
        self.c.ulimits.push(Ulimit {
            name: name.to_string(),
            soft,
            hard,
        });
        self
    }

    pub fn sysctl(mut self, key: &str, value: &str) -> Self {
        self.c.sysctls.insert(key.to_string(), value.to_string());
        self
    }

    pub fn restart(mut self, name: RestartPolicyName, max_retries: Option<i64>) -> Self {
        self.c.restart_policy.name = name;
        self.c.restart_policy.max_retries = max_retries;
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.c.env.push(EnvVar {
            name: name.to_string(),
            value: value.to_string(),
            origin: EnvOrigin::Container,
        });
        self
    }

    pub fn working_dir(mut self, dir: &str) -> Self {
        self.c.working_dir = Some(dir.to_string());
        self
    }

    pub fn cgroup_parent(mut self, parent: &str) -> Self {
        self.c.cgroup_parent = Some(parent.to_string());
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.c.labels.insert(key.to_string(), value.to_string());
        self
    }
}

/// A stable fake hex id from a name, so test ids are deterministic.
fn hex_of(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect::<String>()
}

/// A host with the usual facts: cgroup v2, seccomp and AppArmor on, runc 1.1.12.
pub fn modern_host() -> HostFacts {
    HostFacts {
        server_version: Some("26.1.0".into()),
        cgroup_version: Some(CgroupVersion::V2),
        seccomp: true,
        apparmor: true,
        runc_version: Some("1.1.12".into()),
        ..HostFacts::default()
    }
}

/// An inventory of the given containers on [`modern_host`].
pub fn inventory(containers: Vec<Container>) -> Inventory {
    Inventory {
        schema: crate::model::SNAPSHOT_SCHEMA.to_string(),
        source: "test".to_string(),
        host: modern_host(),
        containers,
        ..Inventory::default()
    }
}

/// An image record for `container` (same id), with or without a HEALTHCHECK.
pub fn image_for(container: &Container, healthcheck: bool) -> Image {
    Image {
        id: container.image_id.clone(),
        repo_tags: vec![container.image.clone()],
        healthcheck: healthcheck.then(|| Healthcheck {
            test: vec!["CMD".into(), "/bin/true".into()],
            ..Healthcheck::default()
        }),
        ..Image::default()
    }
}

/// A user-defined network with the given driver.
pub fn network(name: &str, driver: &str) -> Network {
    Network {
        id: format!("{:0<64}", hex_of(name)),
        name: name.to_string(),
        driver: driver.to_string(),
        ..Network::default()
    }
}

/// The container most rule tests start from: `docker run -d IMAGE` and nothing else.
pub fn plain() -> ContainerBuilder {
    ContainerBuilder::new("plain")
}

/// Whether `rule` fires on the built `container` alone on [`modern_host`].
pub fn fires(
    rule: fn(&super::rules::Ctx) -> Option<super::rules::Hit>,
    container: ContainerBuilder,
) -> bool {
    run(rule, container.build()).is_some()
}

/// Run one container rule on `container` alone on [`modern_host`].
pub fn run(
    rule: fn(&super::rules::Ctx) -> Option<super::rules::Hit>,
    container: Container,
) -> Option<super::rules::Hit> {
    run_in(rule, &inventory(vec![container]))
}

/// Run one container rule on the first container of `inventory`.
pub fn run_in(
    rule: fn(&super::rules::Ctx) -> Option<super::rules::Hit>,
    inventory: &Inventory,
) -> Option<super::rules::Hit> {
    rule(&super::rules::Ctx::new(inventory, &inventory.containers[0]))
}
