//! The container's security-relevant settings next to what the rootless version will have.
//! Pure: built from the model, the decision and (when generated) the unit plan, so the
//! rootless column states what the generators will actually write.

use crate::generate::{UnitPlan, caps};
use crate::model::{Container, MountKind, NamespaceMode, NetworkMode, PortBinding, ProfileSetting};
use crate::model::{
    ContainerDecision, NetworkChoice, PrivilegedPortPolicy, Target, VolumeStrategy,
};

/// One row of the side-by-side table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRow {
    pub setting: String,
    pub docker: String,
    pub rootless: String,
}

fn row(
    setting: impl Into<String>,
    docker: impl Into<String>,
    rootless: impl Into<String>,
) -> SettingRow {
    SettingRow {
        setting: setting.into(),
        docker: docker.into(),
        rootless: rootless.into(),
    }
}

pub use crate::model::UNPRIVILEGED_PORT_START;

/// The rootless host port for a Docker host port under a decision.
pub fn rootless_host_port(decision: &ContainerDecision, docker_port: u16) -> u16 {
    match &decision.ports {
        PrivilegedPortPolicy::Remap { ports } => *ports.get(&docker_port).unwrap_or(&docker_port),
        PrivilegedPortPolicy::Sysctl => docker_port,
    }
}

fn port_text(p: &PortBinding, host_port: u16) -> String {
    let ip = match p.host_ip.as_deref() {
        None | Some("") | Some("0.0.0.0") => String::new(),
        Some(ip) if ip.contains(':') => format!("[{ip}]:"),
        Some(ip) => format!("{ip}:"),
    };
    format!(
        "{ip}{host_port}->{}/{}",
        p.container_port,
        format!("{:?}", p.protocol).to_lowercase()
    )
}

pub fn user_of(decision: &ContainerDecision, target: &Target, container: &Container) -> String {
    decision
        .user
        .clone()
        .or_else(|| {
            container
                .compose
                .as_ref()
                .and_then(|c| target.project_users.get(&c.project).cloned())
        })
        .unwrap_or_else(|| target.user.clone())
}

pub fn network_text(choice: &NetworkChoice) -> String {
    match choice {
        NetworkChoice::Pasta => "pasta (own namespace)".into(),
        NetworkChoice::Shared(name) => format!("podman network {name}"),
        NetworkChoice::Pod(name) => format!("pod {name}"),
        NetworkChoice::Host => "host".into(),
        NetworkChoice::None => "none".into(),
    }
}

fn docker_network(mode: &NetworkMode) -> String {
    match mode {
        NetworkMode::Bridge => "default bridge".into(),
        NetworkMode::Host => "host".into(),
        NetworkMode::None => "none".into(),
        NetworkMode::Container(c) => format!("container:{c}"),
        NetworkMode::Named(n) => format!("network {n}"),
    }
}

fn profile(p: &ProfileSetting) -> &str {
    match p {
        ProfileSetting::Default => "default",
        ProfileSetting::Unconfined => "unconfined",
        // Docker stores a custom seccomp profile's JSON itself: too long for a cell.
        ProfileSetting::Custom(json) if json.trim_start().starts_with('{') => {
            "custom profile (JSON)"
        }
        ProfileSetting::Custom(name) => name,
    }
}

/// The image Docker runs, and what `Image=` will say: the generated reference when the
/// unit was generated, otherwise what the decision asks for.
fn image_row(
    container: &Container,
    decision: &ContainerDecision,
    unit: Option<&UnitPlan>,
) -> SettingRow {
    let rootless = match unit {
        Some(u) if u.image.pinned => format!("{} (pinned)", u.image.podman_ref),
        Some(u) => u.image.podman_ref.clone(),
        None if decision.pin_digest => "pinned to the registry digest".to_owned(),
        None => "by tag".to_owned(),
    };
    row("Image", container.image.clone(), rootless)
}

fn list_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(" ")
    }
}

/// The side-by-side rows for one container.
pub fn compare(
    container: &Container,
    decision: &ContainerDecision,
    target: &Target,
    unit: Option<&UnitPlan>,
) -> Vec<SettingRow> {
    let user = user_of(decision, target, container);
    let mut rows = Vec::new();
    if !decision.include {
        rows.push(row(
            "Migration",
            "runs under Docker",
            "excluded: stays on Docker",
        ));
    }
    rows.push(row(
        "Engine",
        "dockerd as root",
        format!("podman as {user} (no daemon)"),
    ));
    rows.push(image_row(container, decision, unit));
    rows.push(user_row(container, decision, &user));
    rows.push(privileged_row(container, decision));
    rows.push(capability_row(container, decision));
    rows.push(row(
        "Network",
        docker_network(&container.network_mode),
        network_text(&decision.network),
    ));
    rows.extend(port_rows(container, decision, unit));
    rows.extend(mount_rows(container, decision, unit));
    rows.extend(device_row(container, decision));
    for (name, mode) in [
        ("PID namespace", &container.pid_mode),
        ("IPC namespace", &container.ipc_mode),
    ] {
        if *mode == NamespaceMode::Host {
            rows.push(row(name, "host", "host (only the user's processes)"));
        }
    }
    rows.extend(confinement_rows(container, decision));
    rows
}

fn user_row(container: &Container, decision: &ContainerDecision, user: &str) -> SettingRow {
    let docker_user = if container.user.raw.is_empty() {
        "image default (root)".to_string()
    } else {
        container.user.raw.clone()
    };
    let rootless_user = match (decision.volumes, container.user.is_root) {
        (VolumeStrategy::KeepId, _) => format!("keep-id: {user}'s own UID"),
        (_, true) => format!("root in a user namespace = {user} on the host"),
        (_, false) => format!("{} = a subordinate UID of {user}", container.user.raw),
    };
    row("User", docker_user, rootless_user)
}

fn privileged_row(container: &Container, decision: &ContainerDecision) -> SettingRow {
    row(
        "Privileged",
        if container.privileged { "yes" } else { "no" },
        match (container.privileged, decision.keep_privileged) {
            (false, _) => "no",
            (true, true) => "yes, confined to the user namespace",
            (true, false) => "dropped",
        },
    )
}

/// Docker's capability flags next to the unit's `DropCapability=`/`AddCapability=`, read
/// from the same [`caps::plan`] the generator writes them from.
fn capability_row(container: &Container, decision: &ContainerDecision) -> SettingRow {
    let docker = {
        let mut parts = Vec::new();
        if container.capabilities.add_all || container.privileged {
            parts.push("+ALL".to_string());
        }
        parts.extend(container.capabilities.added.iter().map(|c| format!("+{c}")));
        if container.capabilities.drop_all {
            parts.push("-ALL".to_string());
        }
        parts.extend(
            container
                .capabilities
                .dropped
                .iter()
                .map(|c| format!("-{c}")),
        );
        list_or(&parts, "defaults")
    };
    let plan = caps::plan(&container.capabilities, decision);
    let mut parts = Vec::new();
    if plan.drop_all {
        parts.push("-ALL".to_string());
    }
    parts.extend(plan.dropped.iter().map(|c| format!("-{c}")));
    parts.extend(plan.added.iter().map(|c| format!("+{c}")));
    let mut rootless = list_or(&parts, "defaults");
    let mut not_kept = plan.not_kept.clone();
    if plan.add_all_dropped {
        not_kept.insert(0, "ALL".into());
    }
    if !not_kept.is_empty() {
        rootless.push_str(&format!("; not kept: {}", not_kept.join(" ")));
    }
    row("Capabilities", docker, rootless)
}

fn port_rows(
    container: &Container,
    decision: &ContainerDecision,
    unit: Option<&UnitPlan>,
) -> Vec<SettingRow> {
    let mut rows = Vec::new();
    for (i, p) in container.ports.iter().enumerate() {
        let podman_port = unit
            .and_then(|u| {
                u.ports.iter().find(|pp| {
                    pp.docker_host_port == p.host_port
                        && pp.container_port == p.container_port
                        && pp.protocol == p.protocol
                })
            })
            .map(|pp| pp.host_port)
            .unwrap_or_else(|| rootless_host_port(decision, p.host_port));
        let mut rootless = port_text(p, podman_port);
        if podman_port < UNPRIVILEGED_PORT_START && podman_port != 0 {
            rootless.push_str(" (sysctl)");
        }
        rows.push(row(
            if i == 0 { "Ports" } else { "" },
            port_text(p, p.host_port),
            rootless,
        ));
    }
    rows
}

fn mount_rows(
    container: &Container,
    decision: &ContainerDecision,
    unit: Option<&UnitPlan>,
) -> Vec<SettingRow> {
    let mut rows = Vec::new();
    for (i, m) in container.mounts.iter().enumerate() {
        let ro = if m.read_only { ":ro" } else { "" };
        let docker = match m.kind {
            MountKind::Tmpfs => format!("tmpfs {}", m.destination),
            MountKind::Volume => format!("volume {}:{}{ro}", m.source, m.destination),
            _ => format!("{}:{}{ro}", m.source, m.destination),
        };
        let rootless = match (m.kind, decision.volumes) {
            (MountKind::Tmpfs, _) => format!("tmpfs {}", m.destination),
            (MountKind::Volume, _) => {
                let name = unit
                    .and_then(|u| u.volumes.iter().find(|v| v.destination == m.destination))
                    .map(|v| v.podman_volume.clone())
                    .unwrap_or_else(|| m.source.clone());
                format!("podman volume {name} (data copied)")
            }
            (_, VolumeStrategy::Copy) => {
                let chowned =
                    unit.is_some_and(|u| u.chown_binds.iter().any(|b| b.host_path == m.source));
                if chowned {
                    format!("{} chowned into the userns", m.source)
                } else {
                    format!("{}:{}{ro} as is", m.source, m.destination)
                }
            }
            (_, VolumeStrategy::ChownOnStart) => format!("{}:{}:U", m.source, m.destination),
            (_, VolumeStrategy::KeepId) => format!("{} with keep-id", m.source),
        };
        rows.push(row(if i == 0 { "Mounts" } else { "" }, docker, rootless));
    }
    rows
}

fn device_row(container: &Container, decision: &ContainerDecision) -> Option<SettingRow> {
    if container.devices.is_empty() && container.device_requests.is_empty() {
        return None;
    }
    let docker: Vec<String> = container
        .devices
        .iter()
        .map(|d| d.host_path.clone())
        .chain(
            container
                .device_requests
                .iter()
                .map(|r| format!("gpu {}", r.driver.clone().unwrap_or_default())),
        )
        .collect();
    Some(row(
        "Devices",
        docker.join(" "),
        list_or(&decision.keep_devices, "dropped"),
    ))
}

fn confinement_rows(container: &Container, decision: &ContainerDecision) -> [SettingRow; 2] {
    let rootless_seccomp = if decision.keep_privileged {
        container.security.seccomp.clone()
    } else {
        container.confinement_without_privileged().0
    };
    [
        row(
            "Seccomp",
            profile(&container.security.seccomp),
            // The generators keep an explicitly requested profile (and say so in a note).
            profile(&rootless_seccomp),
        ),
        row(
            "No-new-privs",
            if container.security.no_new_privileges {
                "yes"
            } else {
                "no"
            },
            if container.security.no_new_privileges {
                "yes"
            } else {
                "no (setuid stays inside the user namespace)"
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::tui::actions::default_target;
    use crate::tui::fixtures::inventory;

    /// Defect 4: a container created with `--cap-drop ALL` keeps `DropCapability=all` in
    /// its unit, and the table says so instead of "defaults".
    #[test]
    fn capabilities_row_says_what_the_unit_sets() {
        let mut inventory = inventory();
        let c = &mut inventory.containers[0];
        c.capabilities.drop_all = true;
        c.capabilities.added = vec!["NET_BIND_SERVICE".into()];
        let name = c.name.clone();
        let target = default_target();
        let mut decisions: BTreeMap<String, ContainerDecision> = inventory
            .containers
            .iter()
            .map(|c| (c.name.clone(), ContainerDecision::default_for(c)))
            .collect();
        decisions.get_mut(&name).unwrap().keep_capabilities = vec!["NET_BIND_SERVICE".into()];
        let generated = crate::generate::generate(&inventory, &target, &decisions).unwrap();
        let unit = generated
            .files
            .iter()
            .find(|f| f.path == format!("quadlet/{name}.container"))
            .expect("unit");
        assert!(
            unit.content.contains("DropCapability=all"),
            "{}",
            unit.content
        );
        assert!(
            unit.content.contains("AddCapability=NET_BIND_SERVICE"),
            "{}",
            unit.content
        );
        let plan = generated.units.iter().find(|u| u.container == name);
        let rows = compare(&inventory.containers[0], &decisions[&name], &target, plan);
        let caps = rows.iter().find(|r| r.setting == "Capabilities").unwrap();
        assert_eq!(caps.docker, "+NET_BIND_SERVICE -ALL");
        assert_eq!(caps.rootless, "-ALL +NET_BIND_SERVICE");

        // Not kept: the unit drops it and the table says so.
        decisions.get_mut(&name).unwrap().keep_capabilities.clear();
        let rows = compare(&inventory.containers[0], &decisions[&name], &target, plan);
        let caps = rows.iter().find(|r| r.setting == "Capabilities").unwrap();
        assert_eq!(caps.rootless, "-ALL; not kept: NET_BIND_SERVICE");
    }

    /// The image row shows what `Image=` will say, pinned or not, and a seccomp profile
    /// stored as JSON is named, never poured into a cell.
    #[test]
    fn image_and_seccomp_rows_stay_readable() {
        let mut inventory = inventory();
        let c = &mut inventory.containers[0];
        c.security.seccomp = ProfileSetting::Custom(r#"{"defaultAction":"SCMP_ACT_ERRNO"}"#.into());
        let image = c.image.clone();
        let image_id = c.image_id.clone();
        let name = c.name.clone();
        // The fixture has no image records: add the one it runs, pulled from a registry.
        inventory.images.push(crate::model::Image {
            id: image_id,
            repo_digests: vec![format!(
                "{}@sha256:{}",
                crate::model::image_ref::repository(&image),
                "cd".repeat(32)
            )],
            ..Default::default()
        });
        let target = default_target();
        let mut decision = ContainerDecision::proposed(&inventory, &inventory.containers[0]);
        assert!(
            decision.pin_digest,
            "pulled and not watched: proposed pinned"
        );
        let decisions = BTreeMap::from([(name.clone(), decision.clone())]);
        let generated = crate::generate::generate(&inventory, &target, &decisions).unwrap();
        let plan = generated.units.iter().find(|u| u.container == name);
        let rows = compare(&inventory.containers[0], &decision, &target, plan);
        let row = rows.iter().find(|r| r.setting == "Image").unwrap();
        assert_eq!(row.docker, image);
        assert!(
            row.rootless
                .contains(&format!("@sha256:{}", "cd".repeat(32))),
            "{row:?}"
        );
        assert!(row.rootless.ends_with("(pinned)"), "{row:?}");
        let seccomp = rows.iter().find(|r| r.setting == "Seccomp").unwrap();
        assert_eq!(seccomp.docker, "custom profile (JSON)");
        decision.pin_digest = false;
        let rows = compare(&inventory.containers[0], &decision, &target, None);
        assert_eq!(
            rows.iter().find(|r| r.setting == "Image").unwrap().rootless,
            "by tag"
        );
    }
}
