//! Names for every unit, and the shared units: `.volume` per named volume used, `.network`
//! per user-defined network used, `.pod` per pod decision.

use std::collections::{BTreeMap, BTreeSet};

use super::builder::QuadletSection;
use super::keys::{PodmanVersion, SectionKind, network as nk, pod as pk, volume as vk};
use super::names::{UnitKind, UnitNamer};
use super::unit_file::{Section, UnitFile};
use super::{Generated, GeneratedFile, Note, NoteLevel, ResourcePlan};
use crate::model::{Container, DependencyCondition, Inventory, MountKind};
use crate::model::{ContainerDecision, NetworkChoice, Target};

/// Unit names for everything, decided before any file is written so units can refer to
/// each other.
#[derive(Debug, Default)]
pub struct UnitNames {
    pub units: BTreeMap<String, String>,
    pub volumes: BTreeMap<String, String>,
    pub networks: BTreeMap<String, String>,
    pub pods: BTreeMap<String, String>,
    pub services: BTreeMap<(String, String), String>,
    /// Docker volume name → the Podman volume's name (what `podman volume import` targets).
    pub podman_volume_names: BTreeMap<String, String>,
    /// Docker container name → its network decision (to check that peers share one).
    pub networks_of: BTreeMap<String, NetworkChoice>,
    /// Docker names of included containers that an included compose service waits for to
    /// be healthy (`service_healthy`).
    pub awaited_healthy: BTreeSet<String>,
    /// Docker names of included containers that an included compose service waits for to
    /// exit successfully (`service_completed_successfully`): they become oneshot units.
    pub awaited_completion: BTreeSet<String>,
    /// Users of each volume/network/pod (by Docker or pod name).
    volume_users: BTreeMap<String, BTreeSet<String>>,
    network_users: BTreeMap<String, BTreeSet<String>>,
    pod_users: BTreeMap<String, BTreeSet<String>>,
    pub notes: Vec<Note>,
}

/// The rootless user that runs a container: the decision's, the compose project's, or the
/// target's.
pub fn user_for(c: &Container, decision: &ContainerDecision, target: &Target) -> String {
    decision
        .user
        .clone()
        .or_else(|| {
            c.compose
                .as_ref()
                .and_then(|p| target.project_users.get(&p.project).cloned())
        })
        .unwrap_or_else(|| target.user.clone())
}

fn host_note(level: NoteLevel, setting: impl Into<String>, message: impl Into<String>) -> Note {
    Note {
        container: None,
        level,
        setting: setting.into(),
        message: message.into(),
    }
}

pub fn plan(
    included: &[(&Container, ContainerDecision)],
    target: &Target,
    version: PodmanVersion,
) -> UnitNames {
    let mut n = UnitNames::default();
    let mut namer = UnitNamer::default();
    name_containers(&mut n, &mut namer, included);
    n.awaited_healthy = awaited(&n.services, included, DependencyCondition::ServiceHealthy);
    n.awaited_completion = awaited(
        &n.services,
        included,
        DependencyCondition::ServiceCompletedSuccessfully,
    );
    record_users(&mut n, included, target, version);
    name_resources(&mut n, &mut namer, version);
    shared_resource_notes(&mut n);
    n
}

/// The included containers that an included compose service waits for with `condition`.
fn awaited(
    services: &BTreeMap<(String, String), String>,
    included: &[(&Container, ContainerDecision)],
    condition: DependencyCondition,
) -> BTreeSet<String> {
    included
        .iter()
        .filter_map(|(c, _)| c.compose.as_ref())
        .flat_map(|compose| {
            compose
                .depends_on
                .iter()
                .filter(move |d| d.condition == condition)
                .filter_map(|d| services.get(&(compose.project.clone(), d.service.clone())))
        })
        .cloned()
        .collect()
}

/// Unit names for the containers, claimed first: they are what operators type. A name
/// that had to change is noted.
fn name_containers(
    n: &mut UnitNames,
    namer: &mut UnitNamer,
    included: &[(&Container, ContainerDecision)],
) {
    // Containers first: their unit names are what operators type.
    for (c, decision) in included {
        let unit = namer.claim(&c.name, UnitKind::Container);
        if unit != c.name {
            let taken = included.iter().any(|(o, _)| {
                o.name != c.name
                    && super::names::sanitize(&o.name) == super::names::sanitize(&c.name)
            });
            n.notes.push(Note {
                container: Some(c.name.clone()),
                level: if taken { NoteLevel::Warning } else { NoteLevel::Info },
                setting: "unit name".to_owned(),
                message: if taken {
                    format!("another container maps to the same unit name; this one is {unit}.service (container name kept as ContainerName=)")
                } else {
                    format!("the container name is not a valid systemd unit name: the unit is {unit}.service (container name kept as ContainerName=)")
                },
            });
        }
        n.units.insert(c.name.clone(), unit);
        n.networks_of
            .insert(c.name.clone(), decision.network.clone());
        if let Some(compose) = &c.compose
            && let Some(service) = &compose.service
        {
            n.services
                .insert((compose.project.clone(), service.clone()), c.name.clone());
        }
    }
}

/// Which users' containers use each volume, network and pod.
fn record_users(
    n: &mut UnitNames,
    included: &[(&Container, ContainerDecision)],
    target: &Target,
    version: PodmanVersion,
) {
    for (c, decision) in included {
        let user = user_for(c, decision, target);
        for m in c
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Volume && !m.source.is_empty())
        {
            n.volume_users
                .entry(m.source.clone())
                .or_default()
                .insert(user.clone());
        }
        let mut nets: Vec<String> = Vec::new();
        match &decision.network {
            NetworkChoice::Shared(name) => {
                nets.push(name.clone());
                for a in &c.networks {
                    if !matches!(a.network.as_str(), "bridge" | "host" | "none") {
                        nets.push(a.network.clone());
                    }
                }
            }
            NetworkChoice::Pod(p)
                if super::container::effective_network(&decision.network, version)
                    == decision.network =>
            {
                n.pod_users
                    .entry(p.clone())
                    .or_default()
                    .insert(user.clone());
            }
            _ => {}
        }
        for net in nets {
            n.network_users.entry(net).or_default().insert(user.clone());
        }
    }
}

/// Unit names (and Podman volume names) for the volumes, networks and pods in use.
fn name_resources(n: &mut UnitNames, namer: &mut UnitNamer, version: PodmanVersion) {
    for v in n.volume_users.keys() {
        let unit = namer.claim(v, UnitKind::Volume);
        // Without VolumeName= (Podman < 4.9 in the key table) quadlet names it systemd-<unit>.
        let podman_name = if vk::VOLUME_NAME.supported_by(version) {
            v.clone()
        } else {
            format!("systemd-{unit}")
        };
        n.podman_volume_names.insert(v.clone(), podman_name);
        n.volumes.insert(v.clone(), unit);
    }
    for net in n.network_users.keys() {
        let unit = namer.claim(net, UnitKind::Network);
        n.networks.insert(net.clone(), unit);
    }
    for p in n.pod_users.keys() {
        let unit = namer.claim(p, UnitKind::Pod);
        n.pods.insert(p.clone(), unit);
    }
}

/// A volume, network or pod used by several users is one per user: they share nothing.
fn shared_resource_notes(n: &mut UnitNames) {
    for (kind, map) in [
        ("volume", &n.volume_users),
        ("network", &n.network_users),
        ("pod", &n.pod_users),
    ] {
        for (name, users) in map {
            if users.len() > 1 {
                n.notes.push(host_note(
                    NoteLevel::Warning,
                    format!("{kind} {name}"),
                    format!(
                        "used by containers of several rootless users ({}): each user gets its own {kind}, they do not share data or traffic; move the containers to one user to share it",
                        users.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
}

/// A volume, network or pod unit: the file itself (0644, like every quadlet unit) and the
/// resource entry that says which users' containers need it.
fn push_unit(out: &mut Generated, path: String, users: Option<&BTreeSet<String>>, file: &UnitFile) {
    out.resources.push(ResourcePlan {
        path: path.clone(),
        users: users
            .map(|u| u.iter().cloned().collect())
            .unwrap_or_default(),
    });
    out.files.push(GeneratedFile {
        path,
        mode: 0o644,
        content: file.render(),
    });
}

fn filtered_labels(labels: &BTreeMap<String, String>) -> Vec<String> {
    labels
        .iter()
        .filter(|(k, _)| !k.starts_with("com.docker."))
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

fn push_downgrades(out: &mut Generated, what: &str, downgrades: Vec<super::builder::Downgrade>) {
    for d in downgrades {
        let (setting, message) = d.describe();
        out.notes.push(host_note(
            d.note_level(),
            format!("{what}: {setting}"),
            message,
        ));
    }
}

fn unit_section(description: String) -> Section {
    let mut s = Section::new("Unit");
    if let Ok(v) = super::unit_file::encode(
        &super::unit_file::EncodedInput::One(description.as_str().into()),
        super::unit_file::Encoding::Raw,
        super::unit_file::Context::Systemd,
    ) {
        s.push("Description", v);
    }
    s
}

pub fn render(
    names: &UnitNames,
    inventory: &Inventory,
    version: PodmanVersion,
    pod_ports: &BTreeMap<String, Vec<String>>,
    pod_args: &BTreeMap<String, Vec<Vec<String>>>,
    out: &mut Generated,
) {
    for (docker, unit) in &names.volumes {
        render_volume(names, inventory, version, docker, unit, out);
    }
    for (docker, unit) in &names.networks {
        render_network(names, inventory, version, docker, unit, out);
    }
    for (pod, unit) in &names.pods {
        render_pod(names, version, (pod, unit), pod_ports, pod_args, out);
    }
}

/// One `.volume` unit: name and labels; other drivers and their options are reported.
fn render_volume(
    names: &UnitNames,
    inventory: &Inventory,
    version: PodmanVersion,
    docker: &str,
    unit: &str,
    out: &mut Generated,
) {
    let info = inventory.volumes.iter().find(|v| v.name == *docker);
    let mut sec = QuadletSection::new(SectionKind::Volume, version);
    sec.set(vk::VOLUME_NAME, docker);
    let mut comments = vec![format!(
        "{unit}.volume: Docker volume {docker}, generated by unroot for Podman {version}."
    )];
    if let Some(v) = info {
        sec.set_words(vk::LABEL, &filtered_labels(&v.labels));
        if !v.driver.is_empty() && v.driver != "local" {
            out.notes.push(host_note(
                NoteLevel::NotTranslated,
                format!("volume {docker}"),
                format!("driver {} is not carried over: a local Podman volume is created and the data copied into it", v.driver),
            ));
        }
        if !v.options.is_empty() {
            let opts: Vec<String> = v.options.keys().cloned().collect();
            out.notes.push(host_note(
                NoteLevel::NotTranslated,
                format!("volume {docker}"),
                format!("driver options ({}) are not carried over: mounting (nfs, bind devices) needs root; mount it on the host and bind-mount the path instead", opts.join(", ")),
            ));
            comments
                .push("Docker driver options were not carried over (see REPORT.md).".to_owned());
        }
    }
    if docker.len() == 64 && docker.chars().all(|c| c.is_ascii_hexdigit()) {
        out.notes.push(host_note(
            NoteLevel::Info,
            format!("volume {}", &docker[..12]),
            "an anonymous Docker volume: kept as a named Podman volume so its data moves too",
        ));
    }
    let (section, downgrades) = sec.finish();
    push_downgrades(out, &format!("volume {docker}"), downgrades);
    let file = UnitFile {
        comments,
        sections: vec![
            unit_section(format!(
                "Podman volume {docker} (moved from Docker by unroot)"
            )),
            section,
        ],
    };
    push_unit(
        out,
        format!("quadlet/{unit}.volume"),
        names.volume_users.get(docker),
        &file,
    );
}

/// One `.network` unit: name, internal, IPv6, labels; other drivers are reported.
fn render_network(
    names: &UnitNames,
    inventory: &Inventory,
    version: PodmanVersion,
    docker: &str,
    unit: &str,
    out: &mut Generated,
) {
    let info = inventory.networks.iter().find(|n| n.name == *docker);
    let mut sec = QuadletSection::new(SectionKind::Network, version);
    sec.set(nk::NETWORK_NAME, docker);
    if let Some(n) = info {
        if n.driver != "bridge" && !n.driver.is_empty() {
            out.notes.push(host_note(
                NoteLevel::NotTranslated,
                format!("network {docker}"),
                format!(
                    "driver {} has no rootless equivalent: a bridge network is created instead",
                    n.driver
                ),
            ));
        }
        sec.set_bool(nk::INTERNAL, n.internal);
        sec.set_bool(nk::IPV6, n.ipv6);
        sec.set_words(nk::LABEL, &filtered_labels(&n.labels));
    }
    let (section, downgrades) = sec.finish();
    push_downgrades(out, &format!("network {docker}"), downgrades);
    let file = UnitFile {
        comments: vec![
            format!("{unit}.network: Docker network {docker}, generated by unroot for Podman {version}."),
            "Rootless caveat: ports published from containers on this network go through rootlessport,".to_owned(),
            "which replaces the client's source IP with an internal address (use Network=pasta to keep it).".to_owned(),
            "Docker's subnet is not copied: rootless networks live in the user's own network namespace.".to_owned(),
        ],
        sections: vec![unit_section(format!("Podman network {docker} (moved from Docker by unroot)")), section],
    };
    push_unit(
        out,
        format!("quadlet/{unit}.network"),
        names.network_users.get(docker),
        &file,
    );
}

/// One `.pod` unit: its members' published ports and their hostname, hosts and DNS flags.
fn render_pod(
    names: &UnitNames,
    version: PodmanVersion,
    (pod, unit): (&str, &str),
    pod_ports: &BTreeMap<String, Vec<String>>,
    pod_args: &BTreeMap<String, Vec<Vec<String>>>,
    out: &mut Generated,
) {
    let mut sec = QuadletSection::new(SectionKind::Pod, version);
    sec.set(pk::POD_NAME, pod);
    sec.set(pk::NETWORK, "pasta");
    let mut ports: Vec<String> = pod_ports.get(pod).cloned().unwrap_or_default();
    ports.sort();
    ports.dedup();
    for p in &ports {
        sec.set(pk::PUBLISH_PORT, p);
    }
    // Members' hostname/hosts/DNS flags, each member's set once, in member order.
    let mut flags: Vec<String> = Vec::new();
    for member in pod_args.get(pod).into_iter().flatten() {
        for pair in member.chunks(2) {
            if !flags.chunks(2).any(|f| f == pair) {
                flags.extend(pair.iter().cloned());
            }
        }
    }
    if !flags.is_empty() {
        sec.podman_args(&flags, "pod network settings");
    }
    let (section, downgrades) = sec.finish();
    push_downgrades(out, &format!("pod {pod}"), downgrades);
    let file = UnitFile {
        comments: vec![
            format!("{unit}.pod: pod {pod}, generated by unroot for Podman {version}."),
            "Its containers share localhost and the ports published here.".to_owned(),
        ],
        sections: vec![
            unit_section(format!("Pod {pod} (moved from Docker by unroot)")),
            section,
        ],
    };
    push_unit(
        out,
        format!("quadlet/{unit}.pod"),
        names.pod_users.get(pod),
        &file,
    );
}
