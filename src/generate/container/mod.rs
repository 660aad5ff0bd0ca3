//! One Docker container → one `.container` quadlet unit (plus its env file and UnitPlan).
//!
//! Every field of the normalized container is either written (as a key, or as podman
//! flags in `PodmanArgs=` when the target lacks the key) or reported in a note that says
//! why and what to do. The order of keys is fixed so regenerated files diff cleanly.

mod identity;
mod mounts;
mod network;
mod process;
mod security;
mod untranslated;

use std::collections::BTreeMap;

use self::mounts::Mounted;
use self::network::NetworkOutcome;
use self::process::HostIdentity;
use super::builder::QuadletSection;
use super::keys::{PodmanVersion, SectionKind};
use super::unit_file::{Section, UnitFile};
use super::{BundleFilePlan, EnvFilePlan, ImageTransfer, Note, NoteLevel, UnitPlan, ports};
use crate::model::host_path::HostPathPolicy;
use crate::model::{Container, IdOrName, Image, Inventory};
use crate::model::{ContainerDecision, NetworkChoice};

/// Host paths of the Docker API socket; mounted, they become the user's Podman socket
/// (`unroot verify` expects the same replacement).
pub const DOCKER_SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock"];

/// Docker's default `/dev/shm` size; not worth a key.
const DOCKER_DEFAULT_SHM: i64 = 64 * 1024 * 1024;

/// Names other generators assigned, needed to refer to them.
pub struct Names<'a> {
    /// Docker container name → unit name (included containers only).
    pub units: &'a BTreeMap<String, String>,
    /// Docker volume name → `.volume` unit name.
    pub volumes: &'a BTreeMap<String, String>,
    /// Docker volume name → Podman volume name.
    pub podman_volume_names: &'a BTreeMap<String, String>,
    /// Docker network name → `.network` unit name.
    pub networks: &'a BTreeMap<String, String>,
    /// Pod name from the decision → `.pod` unit name.
    pub pods: &'a BTreeMap<String, String>,
    /// (compose project, service) → Docker container name, for `depends_on`.
    pub services: &'a BTreeMap<(String, String), String>,
    /// Docker container name → network decision of every included container.
    pub networks_of: &'a BTreeMap<String, NetworkChoice>,
    /// Included containers a compose service waits for to be healthy.
    pub awaited_healthy: &'a std::collections::BTreeSet<String>,
    /// Included containers a compose service waits for to complete: oneshot units.
    pub awaited_completion: &'a std::collections::BTreeSet<String>,
    /// `--map-gw` is set host-wide in containers.conf (`pasta_options`), not per container.
    pub host_wide_map_gw: bool,
    /// Which bind sources may be handed over to the rootless user.
    pub host_paths: &'a HostPathPolicy<'a>,
    /// The target's quadlet directory, relative to each user's home (files installed next
    /// to the units are named by `%h/<quadlet_dir>/...`).
    pub quadlet_dir: &'a str,
}

/// Whether a container needs pasta's `--map-gw` to reach the host: it used Docker's
/// `host-gateway` and the target Podman predates `host.containers.internal` via pasta (5.3).
pub fn needs_map_gw(c: &Container, network: &NetworkChoice, version: PodmanVersion) -> bool {
    *network == NetworkChoice::Pasta
        && version < PodmanVersion::new(5, 3)
        && c.extra_hosts.iter().any(|h| h.ends_with(":host-gateway"))
}

/// The network a decision gets on this Podman version: a pod needs Podman 5.0 (`.pod`
/// units), before that the container gets its own pasta network.
pub fn effective_network(decision: &NetworkChoice, version: PodmanVersion) -> NetworkChoice {
    match decision {
        NetworkChoice::Pod(_) if version < PodmanVersion::new(5, 0) => NetworkChoice::Pasta,
        other => other.clone(),
    }
}

/// Everything generated for one container.
pub struct ContainerOutput {
    pub unit_file: UnitFile,
    /// Content of `env/<unit>.env` (mode 0600), when secret variables are left for it.
    pub env_file: Option<String>,
    /// `(bundle path, value)` of each Podman secret's 0600 staging file
    /// ([`UnitPlan::podman_secrets`] names them).
    pub secret_values: Vec<(String, String)>,
    /// Content of the custom seccomp profile (validated JSON), written where
    /// [`UnitPlan::seccomp_file`] says.
    pub seccomp_profile: Option<String>,
    pub plan: UnitPlan,
    pub notes: Vec<Note>,
    /// Lowest host port below 1024 published as is (needs the sysctl).
    pub lowest_privileged: Option<u16>,
    /// `PublishPort=` values that belong on the pod (the container joins one).
    pub pod_ports: Vec<String>,
    /// `podman pod create` flags (hostname, hosts, DNS) that belong on the pod.
    pub pod_args: Vec<String>,
    /// Runs in its own pasta network namespace.
    pub uses_pasta: bool,
    /// Highest numeric UID/GID the container is known to use (for subuid sizing).
    pub max_id: Option<u64>,
}

/// One container's unit while it is being built: the sections and notes every mapper adds
/// to, plus the context they read. Each mapper (one per concern, in the submodules)
/// receives the container fields it translates as arguments; only
/// [`generate_container`] takes the container apart.
pub(super) struct Gen<'a> {
    /// For helpers that read several fields themselves (`image::transfer`, `env::split`).
    c: &'a Container,
    img: Option<&'a Image>,
    unit: &'a str,
    user: &'a str,
    decision: &'a ContainerDecision,
    version: PodmanVersion,
    names: &'a Names<'a>,
    sec: QuadletSection,
    unit_sec: Section,
    service: Section,
    install: Section,
    notes: Vec<Note>,
    /// The volume, network and pod units this container's unit names: migrate.sh installs
    /// exactly these for its user (typed here, never searched for in the rendered text).
    needs: Vec<String>,
    /// The custom seccomp profile to install next to the unit, when Docker stored one.
    seccomp_profile: Option<String>,
    /// The AppArmor profile the unit names, when not the default.
    apparmor_profile: Option<String>,
}

impl Gen<'_> {
    fn note(&mut self, level: NoteLevel, setting: impl Into<String>, message: impl Into<String>) {
        self.notes.push(Note {
            container: Some(self.c.name.clone()),
            level,
            setting: setting.into(),
            message: message.into(),
        });
    }
}

/// Where a unit's custom seccomp profile is, in the bundle and under the quadlet directory.
pub fn seccomp_path(unit: &str) -> String {
    format!("seccomp/{unit}.json")
}

/// Go-style duration for podman's `--health-*` flags.
fn duration(ns: i64) -> String {
    if ns % 1_000_000_000 == 0 {
        format!("{}s", ns / 1_000_000_000)
    } else if ns % 1_000_000 == 0 {
        format!("{}ms", ns / 1_000_000)
    } else {
        format!("{}us", ns / 1_000)
    }
}

fn id_value(x: &IdOrName) -> String {
    match x {
        IdOrName::Id(n) => n.to_string(),
        IdOrName::Name(s) => s.clone(),
    }
}

/// Translate one container. The container is destructured here, field by field and without
/// `..`, so a field added to the model fails to compile until it is passed to a mapper or
/// listed as `_` with the reason it needs neither a key nor a note. The mappers run in a
/// fixed order: keys and notes keep their order, so regenerated files diff cleanly.
#[allow(clippy::too_many_lines)] // a field list, then one call per concern
pub fn generate_container(
    inventory: &Inventory,
    c: &Container,
    unit: &str,
    user: &str,
    decision: &ContainerDecision,
    version: PodmanVersion,
    names: &Names<'_>,
) -> ContainerOutput {
    let Container {
        id,
        name,
        // Both read by `image::transfer`, which chooses how the image reaches Podman.
        image: _,
        image_id: _,
        state,
        // Information for the reviewer; nothing to carry over.
        created: _,
        entrypoint,
        command,
        working_dir,
        user: user_spec,
        // Read by `env::split`, which sorts variables into unit, env file and refused.
        env: _,
        labels,
        compose,
        hostname,
        domainname,
        privileged,
        capabilities,
        security,
        read_only_rootfs,
        network_mode,
        pid_mode,
        ipc_mode,
        uts_mode,
        userns_mode,
        cgroupns_mode,
        networks,
        ports,
        // `EXPOSE` metadata: it publishes nothing, under Docker or Podman.
        exposed_ports: _,
        mounts,
        devices,
        // A consequence of `privileged`, which is translated (and noted) below.
        all_devices: _,
        device_requests,
        device_cgroup_rules,
        resources,
        ulimits,
        sysctls,
        restart_policy,
        healthcheck,
        log_driver,
        log_options,
        stop_signal,
        stop_timeout,
        dns,
        dns_search,
        dns_options,
        extra_hosts,
        group_add,
        shm_size,
        init,
        cgroup_parent,
        runtime,
        // Docker's masks: `security.systempaths_unconfined` carries the setting that
        // changes them, and Podman applies its own defaults otherwise.
        masked_paths: _,
        readonly_paths: _,
        untranslated,
    } = c;
    // The plan's hardening may run the image's own non-root user instead of Docker's root:
    // `User=` and the owner of handed-over binds both follow it.
    let hardened_user = decision
        .hardening
        .user
        .as_deref()
        .map(crate::docker::normalize::user::user_spec);
    let user_spec = hardened_user.as_ref().unwrap_or(user_spec);
    let short_id: String = id.chars().take(12).collect();
    let mut g = Gen::new(inventory, c, unit, user, decision, version, names);
    g.description(name);
    let transfer = g.image(name);
    let auto_update = g.auto_update(&transfer);
    g.entrypoint_and_command(entrypoint.as_ref(), command.as_ref());
    let secrets = g.environment();
    let max_id = g.user(user_spec);
    g.userns(userns_mode);
    let keep_id_on_pod = g.keep_id();
    g.group_add(group_add);
    let port_map = g.port_notes(ports, *state);
    let net = g.network(networks, &port_map, name, &short_id);
    g.publish(&net, &port_map, network_mode, extra_hosts);
    let mounted = g.mounts(mounts, user_spec);
    g.capabilities(capabilities);
    g.privileged(*privileged);
    g.devices(devices, device_requests, device_cgroup_rules);
    g.confinement(*read_only_rootfs, security);
    g.namespaces(pid_mode, ipc_mode, uts_mode, cgroupns_mode.as_deref());
    g.runtime(cgroup_parent.as_deref(), runtime.as_deref());
    g.kernel(sysctls, ulimits, *shm_size);
    g.resources(resources);
    let runs_once = names.awaited_completion.contains(&c.name);
    // A job that exits is never "healthy": completion is the condition that wins.
    g.health(
        healthcheck.as_ref(),
        names.awaited_healthy.contains(&c.name) && !runs_once,
    );
    g.labels(labels);
    g.untranslated(untranslated);
    let host = HostIdentity {
        hostname: hostname.as_deref(),
        domainname: domainname.as_deref(),
        extra_hosts,
        dns,
        dns_search,
        dns_options,
    };
    let pod_args = g.host_identity(&host, &net.network, &short_id, keep_id_on_pod);
    g.process(
        working_dir.as_deref(),
        stop_signal.as_deref(),
        *stop_timeout,
        *init,
    );
    g.logging(log_driver.as_deref(), log_options);
    let start_at_boot = g.restart(restart_policy, *state, &transfer, runs_once);
    g.podman_socket(mounted.wants_podman_socket);
    if let Some(compose) = compose {
        g.depends_on(compose, &net.network, networks);
    }
    let built = Built {
        transfer,
        secrets,
        max_id,
        port_map,
        net,
        mounted,
        pod_args,
        start_at_boot,
        runs_once,
        auto_update,
    };
    g.finish(name, &short_id, built)
}

/// What the mappers decided, gathered for [`Gen::finish`].
struct Built {
    transfer: ImageTransfer,
    secrets: identity::SecretOutput,
    max_id: Option<u64>,
    port_map: ports::PortMapping,
    net: NetworkOutcome,
    mounted: Mounted,
    pod_args: Vec<String>,
    start_at_boot: bool,
    runs_once: bool,
    auto_update: crate::model::auto_update::AutoUpdate,
}

impl<'a> Gen<'a> {
    fn new(
        inventory: &'a Inventory,
        c: &'a Container,
        unit: &'a str,
        user: &'a str,
        decision: &'a ContainerDecision,
        version: PodmanVersion,
        names: &'a Names<'a>,
    ) -> Self {
        Gen {
            c,
            img: inventory.image_of(c),
            unit,
            user,
            decision,
            version,
            names,
            sec: QuadletSection::new(SectionKind::Container, version),
            unit_sec: Section::new("Unit"),
            service: Section::new("Service"),
            install: Section::new("Install"),
            notes: Vec::new(),
            needs: vec![format!("quadlet/{unit}.container")],
            seccomp_profile: None,
            apparmor_profile: None,
        }
    }

    /// Every downgrade becomes a note; untranslated settings are repeated in the unit's
    /// header comment, where the operator reviewing the file sees them.
    fn finish(mut self, name: &str, short_id: &str, b: Built) -> ContainerOutput {
        let (container_sec, downgrades) = std::mem::replace(
            &mut self.sec,
            QuadletSection::new(SectionKind::Container, self.version),
        )
        .finish();
        for d in downgrades {
            let (setting, message) = d.describe();
            self.note(d.note_level(), setting, message);
        }
        let (unit, version) = (self.unit, self.version);
        let mut comments = vec![
            format!(
                "{unit}.container: Docker container {name} ({short_id}), generated by unroot for Podman {version}."
            ),
            "Review before installing; notes on what could not be translated are in REPORT.md."
                .to_owned(),
        ];
        for n in self
            .notes
            .iter()
            .filter(|n| n.level == NoteLevel::NotTranslated)
        {
            comments.push(format!("NOT TRANSLATED {}: {}", n.setting, n.message));
        }
        let unit_file = UnitFile {
            comments,
            sections: vec![self.unit_sec, container_sec, self.service, self.install],
        };
        let env_path = format!("env/{unit}.env");
        let mut needs = self.needs;
        needs.sort();
        needs.dedup();
        let network = b.net.network;
        let plan = UnitPlan {
            container: name.to_owned(),
            unit: unit.to_owned(),
            user: self.user.to_owned(),
            image: b.transfer,
            volumes: b.mounted.volumes,
            chown_binds: b.mounted.chowns,
            ports: if b.net.publish_here || !b.net.pod_ports.is_empty() {
                b.port_map.published
            } else {
                Vec::new()
            },
            start_at_boot: b.start_at_boot,
            runs_once: b.runs_once,
            env_file: b.secrets.env_file.as_ref().map(|_| EnvFilePlan {
                bundle_path: env_path.clone(),
                install_path: env_path,
            }),
            quadlet_files: needs,
            seccomp_file: self.seccomp_profile.as_ref().map(|_| BundleFilePlan {
                bundle_path: seccomp_path(unit),
                install_path: seccomp_path(unit),
            }),
            apparmor_profile: self.apparmor_profile,
            auto_update: b.auto_update,
            podman_secrets: b.secrets.podman.iter().map(|(p, _)| p.clone()).collect(),
        };
        ContainerOutput {
            unit_file,
            env_file: b.secrets.env_file,
            secret_values: b
                .secrets
                .podman
                .into_iter()
                .map(|(p, value)| (p.bundle_path, value))
                .collect(),
            seccomp_profile: self.seccomp_profile,
            plan,
            notes: self.notes,
            // With host networking the service binds the port itself and needs the sysctl too.
            lowest_privileged: if matches!(network, NetworkChoice::None) {
                None
            } else {
                b.port_map.lowest_privileged
            },
            pod_ports: b.net.pod_ports,
            pod_args: b.pod_args,
            uses_pasta: b.net.uses_pasta,
            max_id: b.max_id,
        }
    }
}
