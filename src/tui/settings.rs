//! The container's security-relevant settings next to what the rootless version will have.
//! Pure: built from the model, the decision and (when generated) the unit plan, so the
//! rootless column states what the generators will actually write.

use crate::generate::UnitPlan;
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
        ProfileSetting::Custom(name) => name,
    }
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
    rows.push(row("User", docker_user, rootless_user));
    rows.push(row(
        "Privileged",
        if container.privileged { "yes" } else { "no" },
        match (container.privileged, decision.keep_privileged) {
            (false, _) => "no",
            (true, true) => "yes, confined to the user namespace",
            (true, false) => "dropped",
        },
    ));
    let docker_caps = {
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
    let dropped: Vec<String> = container
        .capabilities
        .added
        .iter()
        .filter(|c| !decision.keep_capabilities.contains(c))
        .cloned()
        .collect();
    let mut rootless_caps = if decision.keep_capabilities.is_empty() {
        "defaults".to_string()
    } else {
        format!(
            "keeps {} (namespaced)",
            decision.keep_capabilities.join(" ")
        )
    };
    if !dropped.is_empty() {
        rootless_caps.push_str(&format!("; drops {}", dropped.join(" ")));
    }
    rows.push(row("Capabilities", docker_caps, rootless_caps));
    rows.push(row(
        "Network",
        docker_network(&container.network_mode),
        network_text(&decision.network),
    ));
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
    if !container.devices.is_empty() || !container.device_requests.is_empty() {
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
        rows.push(row(
            "Devices",
            docker.join(" "),
            list_or(&decision.keep_devices, "dropped"),
        ));
    }
    for (name, mode) in [
        ("PID namespace", &container.pid_mode),
        ("IPC namespace", &container.ipc_mode),
    ] {
        if *mode == NamespaceMode::Host {
            rows.push(row(name, "host", "host (only the user's processes)"));
        }
    }
    let rootless_seccomp = if decision.keep_privileged {
        container.security.seccomp.clone()
    } else {
        container.confinement_without_privileged().0
    };
    rows.push(row(
        "Seccomp",
        profile(&container.security.seccomp),
        // The generators keep an explicitly requested profile (and say so in a note).
        profile(&rootless_seccomp),
    ));
    rows.push(row(
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
    ));
    rows
}
