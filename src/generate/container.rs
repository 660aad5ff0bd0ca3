//! One Docker container → one `.container` quadlet unit (plus its env file and UnitPlan).
//!
//! Every field of the normalized container is either written (as a key, or as podman
//! flags in `PodmanArgs=` when the target lacks the key) or reported in a note that says
//! why and what to do. The order of keys is fixed so regenerated files diff cleanly.

use std::collections::BTreeMap;

use super::builder::QuadletSection;
use super::keys::{PodmanVersion, SectionKind, container as k};
use super::unit_file::{Context, EncodedInput, Encoding, Section, UnitFile, encode};
use super::{
    BindChown, EnvFilePlan, ImageTransfer, Note, NoteLevel, TransferMethod, UnitPlan, VolumeMove,
    env, image, ports,
};
use crate::model::host_path::{HostPathPolicy, PathClass, PathVerdict, path_under};
use crate::model::{
    Container, ContainerState, IdOrName, Inventory, MountKind, NamespaceMode, NetworkMode,
    ProfileSetting, RestartPolicyName, normalize_cap,
};
use crate::model::{ContainerDecision, NetworkChoice, VolumeStrategy};

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
    /// `--map-gw` is set host-wide in containers.conf (`pasta_options`), not per container.
    pub host_wide_map_gw: bool,
    /// Which bind sources may be handed over to the rootless user.
    pub host_paths: &'a HostPathPolicy<'a>,
}

/// Whether a container needs pasta's `--map-gw` to reach the host: it used Docker's
/// `host-gateway` and the target Podman predates `host.containers.internal` via pasta (5.3).
pub fn needs_map_gw(c: &Container, network: &NetworkChoice, version: PodmanVersion) -> bool {
    *network == NetworkChoice::Pasta
        && version < PodmanVersion::new(5, 3)
        && c.extra_hosts.iter().any(|h| h.ends_with(":host-gateway"))
}

/// Everything generated for one container.
pub struct ContainerOutput {
    pub unit_file: UnitFile,
    /// Content of `env/<unit>.env` (mode 0600), when secret variables exist.
    pub env_file: Option<String>,
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

struct Mapper<'a> {
    c: &'a Container,
    notes: Vec<Note>,
}

impl Mapper<'_> {
    fn note(&mut self, level: NoteLevel, setting: impl Into<String>, message: impl Into<String>) {
        self.notes.push(Note {
            container: Some(self.c.name.clone()),
            level,
            setting: setting.into(),
            message: message.into(),
        });
    }
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

/// A bind source is handed over (chowned into the user namespace by migrate.sh) only when
/// the host-path policy says it is the application's own; anything else is left alone with
/// a note that says why and what to do instead.
#[allow(clippy::too_many_arguments)]
fn bind_handover(
    m: &mut Mapper<'_>,
    mt: &crate::model::Mount,
    verdict: &PathVerdict,
    strategy: VolumeStrategy,
    owner: (Option<u32>, Option<u32>),
    chowns: &mut Vec<BindChown>,
    user: &str,
    raw_user: &str,
) {
    let setting = format!("mount {}", mt.source);
    match verdict.class {
        PathClass::System => {
            let level = if mt.read_only { NoteLevel::Info } else { NoteLevel::Warning };
            let root_hint = if path_under(&mt.source, "/root") {
                " and /root is not readable by other users: copy what the container needs elsewhere"
            } else {
                ""
            };
            m.note(
                level,
                setting,
                format!(
                    "not handed over ({}); the container sees it through {user}'s rights{root_hint}",
                    verdict.reason
                ),
            );
        }
        _ if mt.read_only => {
            // Read-only data only needs to be readable by the rootless user.
        }
        PathClass::Shared => m.note(
            NoteLevel::Warning,
            setting,
            format!(
                "not handed over ({}): the rootless container may not be able to write to it; \
                 make it writable for {user} (group, ACL) or use the keep-id volume strategy",
                verdict.explain()
            ),
        ),
        PathClass::Application if strategy == VolumeStrategy::Copy => match owner {
            (Some(uid), Some(gid)) => chowns.push(BindChown {
                host_path: mt.source.clone(),
                uid,
                gid,
            }),
            _ => m.note(
                NoteLevel::Warning,
                format!("mount {}", mt.destination),
                format!(
                    "the container user {raw_user:?} is a name, so unroot cannot tell which UID must own {}; chown it with podman unshare after checking the image's /etc/passwd",
                    mt.source
                ),
            ),
        },
        PathClass::Application => {}
    }
}

#[allow(clippy::too_many_lines)]
pub fn generate_container(
    inventory: &Inventory,
    c: &Container,
    unit: &str,
    user: &str,
    decision: &ContainerDecision,
    version: PodmanVersion,
    names: &Names<'_>,
) -> ContainerOutput {
    let mut m = Mapper {
        c,
        notes: Vec::new(),
    };
    let img = inventory.image_of(c);
    let mut sec = QuadletSection::new(SectionKind::Container, version);
    let mut unit_sec = Section::new("Unit");
    let mut service = Section::new("Service");
    let mut install = Section::new("Install");
    let sys = |v: &str| {
        encode(
            &EncodedInput::One(v.into()),
            Encoding::Raw,
            Context::Systemd,
        )
    };

    // [Unit]
    let desc = format!("{} (moved from rootful Docker by unroot)", c.name);
    if let Ok(d) = encode(
        &EncodedInput::One(desc.as_str().into()),
        Encoding::Raw,
        Context::Systemd,
    ) {
        unit_sec.push("Description", d);
    }

    // Image
    let (transfer, image_note) = image::transfer(c, img, unit);
    if let Some(n) = image_note {
        m.note(NoteLevel::Info, "Config.Image", n);
    }
    sec.set(k::IMAGE, &transfer.podman_ref);
    if transfer.method == TransferMethod::Load {
        sec.set(k::PULL, "never");
    }
    sec.set(k::CONTAINER_NAME, &c.name);

    // Entrypoint and command, only where they differ from the image.
    let image_entry = img.and_then(|i| i.entrypoint.clone());
    let image_cmd = img.and_then(|i| i.command.clone());
    let entry_differs = img.is_none() || c.entrypoint != image_entry;
    let mut wrote_entry = false;
    if let Some(entry) = c.entrypoint.as_ref().filter(|_| entry_differs) {
        let value = match entry.as_slice() {
            [single] if !single.starts_with('[') && !single.is_empty() => single.clone(),
            _ => serde_json::to_string(entry).unwrap_or_default(),
        };
        sec.set(k::ENTRYPOINT, value);
        wrote_entry = true;
    }
    let cmd_differs = img.is_none() || c.command != image_cmd || wrote_entry;
    if let Some(cmd) = c
        .command
        .as_ref()
        .filter(|cmd| cmd_differs && !cmd.is_empty())
    {
        if cmd.iter().any(String::is_empty) {
            m.note(
                NoteLevel::NotTranslated,
                "Config.Cmd",
                "the command has an empty argument, which quadlet's Exec= cannot express (it stops reading at \"\"); \
                 the image's default command runs instead. Put the command in a small wrapper script inside the image or a bind-mounted file",
            );
        } else {
            let before = sec.downgrades.len();
            sec.set_words(k::EXEC, cmd);
            if sec.downgrades.len() > before {
                m.note(
                    NoteLevel::NotTranslated,
                    "Config.Cmd",
                    "an argument of the command contains a newline or control character, which a unit file cannot carry; \
                     the image's default command runs instead. Move the command into a script",
                );
                sec.downgrades.truncate(before);
            }
        }
    }

    // Environment
    let env_split = env::split(c);
    for (name, why) in &env_split.refused {
        m.note(
            NoteLevel::NotTranslated,
            format!("Config.Env {name}"),
            format!("{why}; unit and env files cannot carry it. Pass it as a Podman secret (podman secret create, then Secret=) or change the value"),
        );
    }
    for var in &env_split.plain {
        sec.set_words(k::ENVIRONMENT, &[var]);
    }
    // Relative: quadlet resolves it next to the unit file (see the module doc of `generate`).
    let env_path = format!("env/{unit}.env");
    let env_file = if env_split.secret.is_empty() {
        None
    } else {
        sec.set_words(k::ENVIRONMENT_FILE, &[env_path.as_str()]);
        let names: Vec<&str> = env_split
            .secret
            .iter()
            .filter_map(|l| l.split('=').next())
            .collect();
        m.note(
            NoteLevel::Info,
            "Config.Env",
            format!(
                "secret-looking variables ({}) are in env/{unit}.env (mode 0600), not in the unit; consider Podman secrets (Secret=)",
                names.join(", ")
            ),
        );
        Some(env_split.secret.iter().map(|l| format!("{l}\n")).collect())
    };

    // User and user namespace
    let mut max_id: Option<u64> = None;
    let mut bump =
        |id: u32| max_id = Some(max_id.map_or(u64::from(id), |m: u64| m.max(u64::from(id))));
    if let Some(u) = &c.user.user {
        sec.set(k::USER, id_value(u));
        if let IdOrName::Id(n) = u {
            bump(*n);
        }
        if let Some(g) = &c.user.group {
            sec.set(k::GROUP, id_value(g));
            if let IdOrName::Id(n) = g {
                bump(*n);
            }
        }
    } else if let Some(n) = img
        .and_then(|i| i.user.as_deref())
        .and_then(|u| u.split(':').next()?.parse::<u32>().ok())
    {
        bump(n);
    }
    match &c.userns_mode {
        NamespaceMode::Host => m.note(
            NoteLevel::Info,
            "HostConfig.UsernsMode",
            "userns=host only opted out of the daemon's userns-remap; rootless Podman always runs in the user's namespace",
        ),
        NamespaceMode::Private => {}
        other => m.note(NoteLevel::NotTranslated, "HostConfig.UsernsMode", format!("{other:?} has no rootless equivalent; the container uses the default user namespace")),
    }
    // Pod members share the pod's user namespace: keep-id is then set on the pod.
    let keep_id_on_pod = decision.volumes == VolumeStrategy::KeepId
        && matches!(decision.network, NetworkChoice::Pod(_))
        && version >= PodmanVersion::new(5, 0);
    if decision.volumes == VolumeStrategy::KeepId {
        if !keep_id_on_pod {
            sec.set(k::USERNS, "keep-id");
        }
        m.note(
            NoteLevel::Info,
            "volumes",
            "UserNS=keep-id: your user's UID is the same inside the container, so bind mounts owned by you stay writable",
        );
    }
    let mut groups: Vec<String> = c.group_add.clone();
    groups.sort();
    for g in &groups {
        sec.set(k::GROUP_ADD, g);
    }

    // Ports and network
    let port_map = ports::map_ports(&c.ports, &decision.ports);
    for (from, to) in &port_map.remapped {
        m.note(
            NoteLevel::Warning,
            format!("port {from}"),
            format!("host port {from} is below 1024: published on {to} instead (plan decision remap); clients must use port {to}, or choose the sysctl policy"),
        );
    }
    for n in &port_map.narrowed {
        let chosen = if c.state == ContainerState::Running {
            "the port Docker bound at the last start"
        } else {
            "the range's first port, as Docker picks a free one at each start"
        };
        m.note(
            NoteLevel::Warning,
            format!("port {}", n.range),
            format!(
                "host ports {} for container port {}/{} narrowed to {}, {chosen}: Podman cannot publish a host range for one container port; change PublishPort= if clients use another port of the range",
                n.range,
                n.container_port,
                n.protocol.as_str(),
                n.host_port
            ),
        );
    }
    for u in &port_map.unsupported {
        m.note(
            NoteLevel::NotTranslated,
            "HostConfig.PortBindings",
            u.clone(),
        );
    }
    if let Some(low) = port_map.lowest_privileged {
        m.note(
            NoteLevel::Info,
            format!("port {low}"),
            format!("host port {low} is below 1024: sysctl.d/50-unroot-unprivileged-ports.conf lets unprivileged users bind it (install it and run sysctl --system)"),
        );
    }
    let mut uses_pasta = false;
    let mut pod_ports = Vec::new();
    let mut publish_here = true;
    // The volume, network and pod units this container's unit names: migrate.sh installs
    // exactly these for its user (typed here, never searched for in the rendered text).
    let mut needs: Vec<String> = vec![format!("quadlet/{unit}.container")];
    let mut network = decision.network.clone();
    if let NetworkChoice::Pod(p) = &network
        && version < PodmanVersion::new(5, 0)
    {
        m.note(
            NoteLevel::Warning,
            "network",
            format!("pod {p} needs Podman 5.0 (.pod units); the container gets its own pasta network instead"),
        );
        network = NetworkChoice::Pasta;
    }
    let host_gateway = c.extra_hosts.iter().any(|h| h.ends_with(":host-gateway"));
    match &network {
        NetworkChoice::Pasta => {
            uses_pasta = true;
            let mut value = "pasta".to_owned();
            if needs_map_gw(c, &network, version) && !names.host_wide_map_gw {
                value.push_str(":--map-gw");
            }
            sec.set(k::NETWORK, value);
            if !c
                .networks
                .iter()
                .all(|n| matches!(n.network.as_str(), "bridge" | "host" | "none"))
            {
                m.note(
                    NoteLevel::Warning,
                    "NetworkSettings.Networks",
                    "the container was on a user-defined network but now has its own pasta namespace: other containers can no longer reach it by name (choose a shared network or a pod)",
                );
            }
        }
        NetworkChoice::Shared(name) => {
            let mut nets: Vec<&str> = vec![name.as_str()];
            for n in &c.networks {
                if !nets.contains(&n.network.as_str()) && names.networks.contains_key(&n.network) {
                    nets.push(&n.network);
                }
            }
            for n in nets {
                match names.networks.get(n) {
                    Some(u) => {
                        needs.push(format!("quadlet/{u}.network"));
                        sec.set(k::NETWORK, format!("{u}.network"));
                    }
                    None => m.note(
                        NoteLevel::NotTranslated,
                        "network",
                        format!("network {n} has no generated unit"),
                    ),
                }
            }
            let short_id: String = c.id.chars().take(12).collect();
            let mut aliases: Vec<&String> = c
                .networks
                .iter()
                .flat_map(|n| n.aliases.iter())
                .filter(|a| **a != c.name && **a != short_id && !a.is_empty())
                .collect();
            aliases.sort();
            aliases.dedup();
            for a in aliases {
                sec.set(k::NETWORK_ALIAS, a);
            }
            m.note(
                NoteLevel::Info,
                "network",
                "published ports on a rootless user-defined network go through rootlessport, which replaces the client's source IP with an internal address; use Network=pasta if the service needs real client IPs",
            );
        }
        NetworkChoice::Pod(p) => {
            let pod_unit = names.pods.get(p).cloned().unwrap_or_else(|| p.clone());
            needs.push(format!("quadlet/{pod_unit}.pod"));
            sec.set(k::POD, format!("{pod_unit}.pod"));
            pod_ports = port_map.publish.clone();
            publish_here = false;
        }
        NetworkChoice::Host => {
            sec.set(k::NETWORK, "host");
            publish_here = false;
            m.note(
                NoteLevel::Warning,
                "HostConfig.NetworkMode",
                "host networking is kept (plan decision): the container shares the host's interfaces; it still cannot bind ports below 1024 without the sysctl",
            );
        }
        NetworkChoice::None => {
            sec.set(k::NETWORK, "none");
            publish_here = false;
        }
    }
    if !publish_here
        && matches!(network, NetworkChoice::Host | NetworkChoice::None)
        && !port_map.publish.is_empty()
    {
        m.note(NoteLevel::Info, "HostConfig.PortBindings", "published ports are not needed with host networking and impossible with none; left out");
    }
    if publish_here {
        for p in &port_map.publish {
            sec.set(k::PUBLISH_PORT, p);
        }
    }
    if let NetworkMode::Container(other) = &c.network_mode {
        m.note(
            NoteLevel::Warning,
            "HostConfig.NetworkMode",
            format!("the container shared the network namespace of {other}; under Podman put both in one pod (network decision pod) to share localhost"),
        );
    }
    if host_gateway {
        m.note(
            NoteLevel::Info,
            "HostConfig.ExtraHosts",
            "host-gateway: the host is reached as host.containers.internal (pasta maps it to the host); the host's loopback-only services are not reachable, bind them to another address",
        );
    }

    // Mounts
    let mut volumes = Vec::new();
    let mut chowns = Vec::new();
    let (owner_uid, owner_gid) = match (&c.user.user, &c.user.group) {
        (Some(IdOrName::Id(u)), Some(IdOrName::Id(g))) => (Some(*u), Some(*g)),
        (Some(IdOrName::Id(u)), None) => (Some(*u), Some(*u)),
        _ if c.user.is_root || c.user.raw.is_empty() => (Some(0), Some(0)),
        _ => (None, None),
    };
    let mut wants_podman_socket = false;
    let mut mounts: Vec<&crate::model::Mount> = c.mounts.iter().collect();
    mounts.sort_by(|a, b| a.destination.cmp(&b.destination));
    for mt in mounts {
        let mut opts: Vec<&str> = Vec::new();
        if mt.read_only {
            opts.push("ro");
        }
        for flag in mt.mode.as_deref().unwrap_or("").split(',') {
            if matches!(flag, "z" | "Z") {
                opts.push(flag);
            }
        }
        if let Some(p) = mt
            .propagation
            .as_deref()
            .filter(|p| !p.is_empty() && *p != "rprivate")
        {
            opts.push(p);
            m.note(NoteLevel::Warning, format!("mount {}", mt.destination), format!("propagation {p}: a rootless user namespace cannot share mounts back to the host"));
        }
        // `:U` chowns the source at every start: only for volumes and application binds.
        let verdict =
            (mt.kind == MountKind::Bind).then(|| names.host_paths.decide(&c.name, &mt.source));
        if decision.volumes == VolumeStrategy::ChownOnStart
            && match mt.kind {
                MountKind::Volume => true,
                MountKind::Bind => verdict.as_ref().is_some_and(|v| v.may_hand_over()),
                _ => false,
            }
        {
            opts.push("U");
        }
        let suffix = if opts.is_empty() {
            String::new()
        } else {
            format!(":{}", opts.join(","))
        };
        match mt.kind {
            MountKind::Bind if DOCKER_SOCKETS.contains(&mt.source.as_str()) => {
                // The rootless user's Podman API socket speaks the Docker API.
                sec.set_under_runtime_dir(k::VOLUME, &format!("/podman/podman.sock:{}{suffix}", mt.destination));
                wants_podman_socket = true;
                m.note(
                    NoteLevel::Warning,
                    format!("mount {}", mt.source),
                    format!(
                        "the Docker socket becomes {user}'s Podman socket (%t/podman/podman.sock, Docker-compatible API): enable it with `systemctl --user enable --now podman.socket`; \
                         the container can then control all of {user}'s containers (no longer root on the host)"
                    ),
                );
            }
            MountKind::Bind => {
                if mt.source.contains(':') || mt.destination.contains(':') {
                    if mt.source.contains([',', '=']) || mt.destination.contains([',', '=']) {
                        m.note(NoteLevel::NotTranslated, format!("mount {}", mt.destination), "the bind mount path contains ':' and ',' or '=', which neither Volume= nor Mount= can express; rename the host directory");
                        continue;
                    }
                    let mut spec = format!("type=bind,source={},destination={}", mt.source, mt.destination);
                    if mt.read_only {
                        spec.push_str(",ro=true");
                    }
                    sec.set_words(k::MOUNT, &[spec]);
                } else {
                    sec.set(k::VOLUME, format!("{}:{}{suffix}", mt.source, mt.destination));
                }
                let verdict = verdict.unwrap_or_else(|| names.host_paths.decide(&c.name, &mt.source));
                bind_handover(&mut m, mt, &verdict, decision.volumes, (owner_uid, owner_gid), &mut chowns, user, &c.user.raw);
            }
            MountKind::Volume => {
                let Some(vunit) = names.volumes.get(&mt.source) else {
                    m.note(NoteLevel::NotTranslated, format!("mount {}", mt.destination), format!("volume {} has no generated unit", mt.source));
                    continue;
                };
                sec.set(k::VOLUME, format!("{vunit}.volume:{}{suffix}", mt.destination));
                needs.push(format!("quadlet/{vunit}.volume"));
                volumes.push(VolumeMove { docker_volume: mt.source.clone(), podman_volume: names.podman_volume_names.get(&mt.source).cloned().unwrap_or_else(|| mt.source.clone()), destination: mt.destination.clone(), service: format!("{vunit}-volume.service") });
            }
            MountKind::Tmpfs => {
                let value = match mt.tmpfs_options.as_deref().filter(|o| !o.is_empty()) {
                    Some(o) => format!("{}:{o}", mt.destination),
                    None => mt.destination.clone(),
                };
                sec.set(k::TMPFS, value);
            }
            MountKind::Npipe | MountKind::Cluster | MountKind::Image => m.note(
                NoteLevel::NotTranslated,
                format!("mount {}", mt.destination),
                format!("{:?} mounts have no rootless Podman equivalent here; recreate the data as a volume", mt.kind),
            ),
        }
    }

    // Capabilities, privileges, devices
    let keep: Vec<String> = decision
        .keep_capabilities
        .iter()
        .map(|c| normalize_cap(c))
        .collect();
    let caps = &c.capabilities;
    if caps.drop_all {
        sec.set_words(k::DROP_CAPABILITY, &["all"]);
    } else {
        let mut dropped: Vec<String> = caps.dropped.iter().map(|c| normalize_cap(c)).collect();
        dropped.sort();
        dropped.dedup();
        sec.set_words(k::DROP_CAPABILITY, &dropped);
    }
    let mut add: Vec<String> = Vec::new();
    for cap in caps.added.iter().map(|c| normalize_cap(c)) {
        if keep.contains(&cap) {
            add.push(cap);
        } else {
            m.note(
                NoteLevel::NotTranslated,
                format!("--cap-add {cap}"),
                format!("not kept (plan decision): the service may fail where it needs {cap}; add it to keep_capabilities if so (in a user namespace it only acts on the container's own resources)"),
            );
        }
    }
    for cap in &keep {
        if !add.contains(cap) && cap != "ALL" {
            add.push(cap.clone());
        }
    }
    if caps.add_all {
        if keep.iter().any(|c| c == "ALL") {
            add.push("ALL".to_owned());
            m.note(
                NoteLevel::Warning,
                "--cap-add ALL",
                "kept (plan decision): every capability of the user namespace",
            );
        } else {
            m.note(
                NoteLevel::NotTranslated,
                "--cap-add ALL",
                "not kept: list the capabilities the service needs in keep_capabilities",
            );
        }
    }
    add.sort();
    add.dedup();
    sec.set_words(k::ADD_CAPABILITY, &add);
    if c.privileged {
        if decision.keep_privileged {
            sec.podman_args(&["--privileged"], "--privileged");
            m.note(
                NoteLevel::Warning,
                "--privileged",
                "kept (plan decision): rootless --privileged only grants the user's own rights, but it still disables seccomp, masks and device restrictions inside the container",
            );
        } else {
            m.note(
                NoteLevel::NotTranslated,
                "--privileged",
                "dropped: the container runs with the default capabilities; set keep_privileged in the plan only if it cannot work otherwise, or list the capabilities and devices it needs",
            );
        }
    }
    let mut devices = Vec::new();
    for d in &c.devices {
        if decision
            .keep_devices
            .iter()
            .any(|k| *k == d.host_path || *k == d.container_path)
        {
            let mut spec = d.host_path.clone();
            if d.container_path != d.host_path
                || (!d.permissions.is_empty() && d.permissions != "rwm")
            {
                spec = format!("{spec}:{}", d.container_path);
            }
            if !d.permissions.is_empty() && d.permissions != "rwm" {
                spec = format!("{spec}:{}", d.permissions);
            }
            devices.push(spec);
        } else {
            m.note(
                NoteLevel::NotTranslated,
                format!("--device {}", d.host_path),
                "not kept (plan decision); to keep it add it to keep_devices and give the rootless user access to the device node (group membership or udev rule)",
            );
        }
    }
    sec.set_words(k::ADD_DEVICE, &devices);
    for r in &c.device_requests {
        let what = r.driver.clone().unwrap_or_else(|| "gpu".to_owned());
        m.note(
            NoteLevel::NotTranslated,
            format!("--gpus ({what})"),
            "device requests are not carried over: install the vendor's CDI spec (nvidia-ctk cdi generate) and add AddDevice=nvidia.com/gpu=all",
        );
    }
    if !c.device_cgroup_rules.is_empty() {
        m.note(NoteLevel::NotTranslated, "--device-cgroup-rule", "device cgroup rules cannot be set by an unprivileged user; pass the devices themselves");
    }
    sec.set_bool(k::READ_ONLY, c.read_only_rootfs);
    sec.set_bool(k::NO_NEW_PRIVILEGES, c.security.no_new_privileges);
    // Without --privileged, only the confinement the operator asked for stays off.
    let (seccomp, apparmor) = if decision.keep_privileged {
        (c.security.seccomp.clone(), c.security.apparmor.clone())
    } else {
        c.confinement_without_privileged()
    };
    match &seccomp {
        ProfileSetting::Default => {}
        ProfileSetting::Unconfined => {
            sec.set(k::SECCOMP_PROFILE, "unconfined");
            m.note(NoteLevel::Warning, "seccomp=unconfined", "kept: the container runs without a seccomp filter");
        }
        ProfileSetting::Custom(p) if p.starts_with('/') => {
            sec.set(k::SECCOMP_PROFILE, p);
            m.note(NoteLevel::Info, "seccomp", format!("the profile {p} must exist on the target host"));
        }
        ProfileSetting::Custom(_) => m.note(
            NoteLevel::NotTranslated,
            "seccomp",
            "Docker stored the custom profile's JSON, not a file: save it on the target host and add SeccompProfile=/path/to/profile.json",
        ),
    }
    match &apparmor {
        ProfileSetting::Default => {}
        ProfileSetting::Unconfined | ProfileSetting::Custom(_) => {
            let name = match &apparmor {
                ProfileSetting::Custom(n) => n.clone(),
                _ => "unconfined".to_owned(),
            };
            if name != "docker-default" {
                if k::APPARMOR.supported_by(version) {
                    sec.set(k::APPARMOR, &name);
                } else {
                    sec.podman_args(
                        &["--security-opt".to_owned(), format!("apparmor={name}")],
                        "AppArmor",
                    );
                }
            }
        }
    }
    for label in &c.security.selinux_labels {
        let (kind, value) = label.split_once(':').unwrap_or((label.as_str(), ""));
        match kind {
            "disable" => sec.set_bool(k::SECURITY_LABEL_DISABLE, true),
            "nested" => sec.set_bool(k::SECURITY_LABEL_NESTED, true),
            "type" => sec.set(k::SECURITY_LABEL_TYPE, value),
            "level" => sec.set(k::SECURITY_LABEL_LEVEL, value),
            "filetype" => sec.set(k::SECURITY_LABEL_FILE_TYPE, value),
            _ => sec.podman_args(
                &["--security-opt".to_owned(), format!("label={label}")],
                "SecurityLabel",
            ),
        }
    }
    if c.security.systempaths_unconfined {
        sec.set_words(k::UNMASK, &["ALL"]);
        m.note(
            NoteLevel::Warning,
            "systempaths=unconfined",
            "kept as Unmask=ALL: /proc and /sys paths are not masked",
        );
    }

    // Namespaces
    for (mode, flag, setting) in [
        (&c.pid_mode, "--pid", "HostConfig.PidMode"),
        (&c.ipc_mode, "--ipc", "HostConfig.IpcMode"),
        (&c.uts_mode, "--uts", "HostConfig.UTSMode"),
    ] {
        match mode {
            NamespaceMode::Private | NamespaceMode::Other(_) => {}
            NamespaceMode::Host => {
                sec.podman_args(&[format!("{flag}=host")], setting);
                m.note(NoteLevel::Warning, setting, format!("{flag}=host kept: the container shares the host's namespace (as the rootless user)"));
            }
            NamespaceMode::Container(other) => m.note(
                NoteLevel::NotTranslated,
                setting,
                format!("shared with container {other}: put both containers in one pod (network decision pod) instead"),
            ),
        }
    }
    if c.cgroupns_mode.as_deref() == Some("host") {
        sec.podman_args(&["--cgroupns=host"], "HostConfig.CgroupnsMode");
    }
    if let Some(parent) = &c.cgroup_parent {
        m.note(NoteLevel::NotTranslated, "HostConfig.CgroupParent", format!("{parent}: rootless containers live in the user's systemd slice; use Slice= in [Service] if needed"));
    }
    if let Some(rt) = c.runtime.as_deref().filter(|r| *r != "runc") {
        m.note(NoteLevel::NotTranslated, "HostConfig.Runtime", format!("runtime {rt} is not carried over; Podman uses its default OCI runtime (crun or runc)"));
    }

    // Kernel and resource settings
    let sysctls: Vec<String> = c.sysctls.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sec.set_words(k::SYSCTL, &sysctls);
    for u in &c.ulimits {
        sec.set(k::ULIMIT, format!("{}={}:{}", u.name, u.soft, u.hard));
    }
    if !c.ulimits.is_empty() {
        m.note(NoteLevel::Info, "HostConfig.Ulimits", "a rootless user cannot raise hard limits above its own: check ulimit -Hn of the user, or raise it in /etc/security/limits.d");
    }
    if let Some(shm) = c.shm_size.filter(|s| *s > 0 && *s != DOCKER_DEFAULT_SHM) {
        sec.set(k::SHM_SIZE, format!("{shm}b"));
    }
    let r = &c.resources;
    let mut limited = false;
    if let Some(mem) = r.memory.filter(|m| *m > 0) {
        sec.set(k::MEMORY, format!("{mem}b"));
        limited = true;
    }
    if let Some(p) = r.pids_limit.filter(|p| *p > 0) {
        sec.set(k::PIDS_LIMIT, p.to_string());
        limited = true;
    }
    let mut extra: Vec<String> = Vec::new();
    if let Some(v) = r.memory_reservation.filter(|v| *v > 0) {
        extra.push(format!("--memory-reservation={v}b"));
    }
    if let Some(v) = r.memory_swap.filter(|v| *v != 0) {
        extra.push(if v < 0 {
            "--memory-swap=-1".to_owned()
        } else {
            format!("--memory-swap={v}b")
        });
    }
    if let Some(v) = r.nano_cpus.filter(|v| *v > 0) {
        extra.push(format!("--cpus={}", v as f64 / 1e9));
    }
    if let Some(v) = r.cpu_shares.filter(|v| *v > 0) {
        extra.push(format!("--cpu-shares={v}"));
    }
    if let Some(v) = r.cpu_quota.filter(|v| *v > 0) {
        extra.push(format!("--cpu-quota={v}"));
    }
    if let Some(v) = r.cpu_period.filter(|v| *v > 0) {
        extra.push(format!("--cpu-period={v}"));
    }
    if let Some(v) = r.cpuset_cpus.as_deref().filter(|v| !v.is_empty()) {
        extra.push(format!("--cpuset-cpus={v}"));
    }
    if let Some(v) = r.blkio_weight.filter(|v| *v > 0) {
        extra.push(format!("--blkio-weight={v}"));
    }
    if r.oom_kill_disable {
        extra.push("--oom-kill-disable".to_owned());
    }
    if !extra.is_empty() {
        limited = true;
        sec.podman_args(&extra, "HostConfig resources");
    }
    if limited {
        m.note(
            NoteLevel::Info,
            "HostConfig resources",
            "rootless resource limits need cgroup v2 with the cpu, memory, pids (and io) controllers delegated to the user (systemd does this for user@.service on most distributions)",
        );
    }

    // Health
    if let Some(h) = &c.healthcheck {
        let cmd = match h.test.first().map(String::as_str) {
            Some("NONE") => Some("none".to_owned()),
            Some("CMD") => Some(serde_json::to_string(&h.test[1..]).unwrap_or_default()),
            Some("CMD-SHELL") => h.test.get(1).cloned(),
            _ => None,
        };
        match cmd {
            Some(cmd) => {
                sec.set(k::HEALTH_CMD, cmd);
                if !h.is_disabled() {
                    if let Some(v) = h.interval_ns.filter(|v| *v > 0) {
                        sec.set(k::HEALTH_INTERVAL, duration(v));
                    }
                    if let Some(v) = h.timeout_ns.filter(|v| *v > 0) {
                        sec.set(k::HEALTH_TIMEOUT, duration(v));
                    }
                    if let Some(v) = h.start_period_ns.filter(|v| *v > 0) {
                        sec.set(k::HEALTH_START_PERIOD, duration(v));
                    }
                    if let Some(v) = h.retries.filter(|v| *v > 0) {
                        sec.set(k::HEALTH_RETRIES, v.to_string());
                    }
                    if h.start_interval_ns.is_some_and(|v| v > 0) {
                        m.note(NoteLevel::Info, "Healthcheck.StartInterval", "no Podman equivalent; the normal interval applies during the start period");
                    }
                }
            }
            None if h.test.is_empty() => {}
            None => m.note(
                NoteLevel::NotTranslated,
                "Healthcheck.Test",
                "unrecognized test form; add HealthCmd= by hand",
            ),
        }
    }

    // Labels, names, DNS
    let image_labels = img.map(|i| &i.labels);
    let mut compose_labels = 0;
    for (key, value) in &c.labels {
        if key.starts_with("com.docker.compose.") {
            compose_labels += 1;
            continue;
        }
        if image_labels.and_then(|l| l.get(key)) == Some(value) {
            continue;
        }
        sec.set_words(k::LABEL, &[format!("{key}={value}")]);
    }
    if compose_labels > 0 {
        m.note(NoteLevel::Info, "com.docker.compose.* labels", "left out: they only matter to docker-compose; project and dependencies are carried by the unit names and Requires=");
    }
    let short_id: String = c.id.chars().take(12).collect();
    let hostname = c
        .hostname
        .as_deref()
        .filter(|h| !h.is_empty() && *h != short_id);
    if let Some(d) = c.domainname.as_deref().filter(|d| !d.is_empty()) {
        m.note(NoteLevel::NotTranslated, "Config.Domainname", format!("{d}: Podman has no --domainname; use a fully qualified HostName= or an AddHost= entry"));
    }
    let mut pod_args: Vec<String> = Vec::new();
    if matches!(network, NetworkChoice::Pod(_)) {
        // Pod members share the pod's network and UTS namespaces: podman refuses these
        // per container, so they are set when the pod is created.
        let flagged = [
            (
                "--hostname",
                hostname.into_iter().map(str::to_owned).collect::<Vec<_>>(),
            ),
            ("--add-host", c.extra_hosts.clone()),
            ("--dns", c.dns.clone()),
            ("--dns-search", c.dns_search.clone()),
            ("--dns-option", c.dns_options.clone()),
        ];
        for (flag, values) in flagged {
            for v in values {
                pod_args.push(flag.to_owned());
                pod_args.push(v);
            }
        }
        if keep_id_on_pod {
            pod_args.extend(["--userns".to_owned(), "keep-id".to_owned()]);
        }
        if !pod_args.is_empty() {
            m.note(NoteLevel::Info, "network", "hostname, extra hosts, DNS and user namespace settings are set on the pod (podman refuses them on a pod member); they apply to every container of the pod");
        }
    } else {
        if let Some(h) = hostname {
            sec.set(k::HOST_NAME, h);
        }
        for h in &c.extra_hosts {
            sec.set(k::ADD_HOST, h);
        }
        for d in &c.dns {
            sec.set(k::DNS, d);
        }
        for d in &c.dns_search {
            sec.set(k::DNS_SEARCH, d);
        }
        for d in &c.dns_options {
            sec.set(k::DNS_OPTION, d);
        }
    }
    let image_wd = img
        .and_then(|i| i.working_dir.clone())
        .filter(|w| !w.is_empty());
    if let Some(wd) = c.working_dir.as_deref().filter(|w| !w.is_empty())
        && (img.is_none() || image_wd.as_deref() != Some(wd))
    {
        sec.set(k::WORKING_DIR, wd);
    }
    if let Some(s) = c.stop_signal.as_deref().filter(|s| !s.is_empty()) {
        sec.set(k::STOP_SIGNAL, s);
    }
    if let Some(t) = c.stop_timeout.filter(|t| *t >= 0) {
        sec.set(k::STOP_TIMEOUT, t.to_string());
    }
    sec.set_bool(k::RUN_INIT, c.init == Some(true));

    // Logging
    match c.log_driver.as_deref() {
        None | Some("") | Some("json-file") | Some("local") => {
            if !c.log_options.is_empty() {
                m.note(NoteLevel::Info, "HostConfig.LogConfig", "json-file options (max-size, max-file) do not apply: logs go to the journal (journalctl --user -u UNIT), rotated by journald");
            }
        }
        Some("journald") => sec.set(k::LOG_DRIVER, "journald"),
        Some("none") => sec.set(k::LOG_DRIVER, "none"),
        Some(other) => m.note(
            NoteLevel::NotTranslated,
            "HostConfig.LogConfig",
            format!("log driver {other} does not exist in Podman; logs go to the journal, forward them from there (journald remote/syslog)"),
        ),
    }

    // Restart, boot, dependencies
    let policy = &c.restart_policy;
    let restart = match policy.name {
        RestartPolicyName::No => None,
        RestartPolicyName::Always | RestartPolicyName::UnlessStopped => Some("always"),
        RestartPolicyName::OnFailure => Some("on-failure"),
    };
    if let Some(r) = restart {
        service.push("Restart", r.to_owned());
    }
    if policy.name == RestartPolicyName::OnFailure
        && let Some(n) = policy.max_retries.filter(|n| *n > 0)
    {
        // Docker's "at most N restarts" = N+1 starts, counted over the unit's lifetime.
        unit_sec.push("StartLimitIntervalSec", "infinity".to_owned());
        unit_sec.push("StartLimitBurst", (n + 1).to_string());
    }
    if transfer.method == TransferMethod::Pull {
        // The first start may pull the image; the default 90 s is often too short.
        service.push("TimeoutStartSec", "900".to_owned());
    }
    let start_at_boot = match policy.name {
        RestartPolicyName::Always => true,
        RestartPolicyName::UnlessStopped => c.state == crate::model::ContainerState::Running,
        _ => false,
    };
    if start_at_boot {
        install.push("WantedBy", "default.target".to_owned());
    } else if policy.name == RestartPolicyName::UnlessStopped {
        m.note(NoteLevel::Info, "RestartPolicy", "unless-stopped and stopped now: the unit is not enabled at boot (start it with systemctl --user start)");
    }
    if wants_podman_socket {
        unit_sec.push("Wants", "podman.socket".to_owned());
        unit_sec.push("After", "podman.socket".to_owned());
    }
    if let Some(compose) = &c.compose {
        let mut deps = compose.depends_on.clone();
        deps.sort();
        deps.dedup();
        for dep in deps {
            let peer = names.services.get(&(compose.project.clone(), dep.clone()));
            match peer.and_then(|p| names.units.get(p)) {
                Some(peer_unit) => {
                    let peer_net = peer.and_then(|p| names.networks_of.get(p));
                    let shared = match (&network, peer_net) {
                        (NetworkChoice::Shared(a), Some(NetworkChoice::Shared(b))) => {
                            a == b || c.networks.iter().any(|n| n.network == *b)
                        }
                        (NetworkChoice::Pod(a), Some(NetworkChoice::Pod(b))) => a == b,
                        (NetworkChoice::Host, Some(NetworkChoice::Host)) => true,
                        _ => false,
                    };
                    if !shared {
                        m.note(
                            NoteLevel::Warning,
                            "depends_on",
                            format!("depends on {dep}, but the plan puts them on different networks: it can no longer reach {dep} by name; give both the same shared network or pod"),
                        );
                    }
                    if let Ok(v) = sys(&format!("{peer_unit}.service")) {
                        unit_sec.push("Requires", v.clone());
                        unit_sec.push("After", v);
                    }
                }
                None => m.note(
                    NoteLevel::Warning,
                    "depends_on",
                    format!("depends on service {dep} of project {}, which is not part of this migration; start it some other way", compose.project),
                ),
            }
        }
    }

    // Put every downgrade into a note.
    let (container_sec, downgrades) = sec.finish();
    for d in downgrades {
        let (setting, message) = d.describe();
        m.note(d.note_level(), setting, message);
    }

    let mut comments = vec![
        format!(
            "{unit}.container: Docker container {} ({short_id}), generated by unroot for Podman {version}.",
            c.name
        ),
        "Review before installing; notes on what could not be translated are in REPORT.md."
            .to_owned(),
    ];
    for n in m
        .notes
        .iter()
        .filter(|n| n.level == NoteLevel::NotTranslated)
    {
        comments.push(format!("NOT TRANSLATED {}: {}", n.setting, n.message));
    }
    let unit_file = UnitFile {
        comments,
        sections: vec![unit_sec, container_sec, service, install],
    };
    let plan = UnitPlan {
        container: c.name.clone(),
        unit: unit.to_owned(),
        user: user.to_owned(),
        image: ImageTransfer { ..transfer },
        volumes,
        chown_binds: chowns,
        ports: if publish_here || !pod_ports.is_empty() {
            port_map.published
        } else {
            Vec::new()
        },
        start_at_boot,
        env_file: env_file.as_ref().map(|_| EnvFilePlan {
            bundle_path: env_path.clone(),
            install_path: env_path,
        }),
        quadlet_files: {
            needs.sort();
            needs.dedup();
            needs
        },
    };
    ContainerOutput {
        unit_file,
        env_file,
        plan,
        notes: m.notes,
        // With host networking the service binds the port itself and needs the sysctl too.
        lowest_privileged: if matches!(network, NetworkChoice::None) {
            None
        } else {
            port_map.lowest_privileged
        },
        pod_ports,
        pod_args,
        uses_pasta,
        max_id,
    }
}
