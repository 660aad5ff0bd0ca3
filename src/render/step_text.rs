//! One line saying what a migration step does, for the scripts' step lists, their `say`
//! lines and REPORT.md. Raw text: every caller sanitises it for its medium
//! ([`super::text::one_line`] in the scripts, markdown escaping in the report).

use crate::migration::{Step, StepKind};
use crate::model::{RestartPolicy, RestartPolicyName};

/// `docker update --restart=` value for a restart policy.
pub fn restart_arg(policy: &RestartPolicy) -> String {
    match policy.name {
        RestartPolicyName::No => "no".to_string(),
        RestartPolicyName::Always => "always".to_string(),
        RestartPolicyName::UnlessStopped => "unless-stopped".to_string(),
        RestartPolicyName::OnFailure => match policy.max_retries {
            Some(n) if n > 0 => format!("on-failure:{n}"),
            _ => "on-failure".to_string(),
        },
    }
}

/// The containers a step concerns, as a prefix (`web, db: `), at most three named.
fn containers(step: &Step) -> String {
    let names = &step.containers;
    match names.len() {
        0 => String::new(),
        1..=3 => format!("{}: ", names.join(", ")),
        n => format!("{} and {} more: ", names[..3].join(", "), n - 3),
    }
}

/// How the quadlet files are installed, as the step summary says it.
fn install_how(method: crate::migration::InstallMethod) -> &'static str {
    use crate::migration::InstallMethod as M;
    match method {
        M::Copy => "",
        M::PodmanEach => " with podman quadlet install",
        M::PodmanBundle => " as one .quadlets application (podman quadlet install)",
    }
}

/// The step's one-line summary.
pub fn summary(step: &Step, quadlet_dir: &str) -> String {
    format!("{}{}", containers(step), what(&step.kind, quadlet_dir))
}

/// What a step kind does, in words: one arm per kind (a table; the compiler checks that
/// every kind has its line).
fn what(kind: &StepKind, quadlet_dir: &str) -> String {
    use StepKind as K;
    match kind {
        K::CreateUser { user } => format!("create user {user} when missing"),
        K::CheckUser { user } => {
            format!("check that user {user} exists (target.create_user is false)")
        }
        K::Linger { user } => format!(
            "let {user}'s services run without a login session (loginctl enable-linger) and wait for its user manager"
        ),
        K::SubIds { user, .. } => {
            format!("give {user} subordinate uid/gid ranges (/etc/subuid, /etc/subgid)")
        }
        K::PodmanMigrate { user } => {
            format!("make {user}'s Podman re-read its subordinate ranges (podman system migrate)")
        }
        K::Sysctl { files } => format!("install and apply {}", files.join(", ")),
        K::ImageSave(i) => format!(
            "save image {} from Docker into the staging directory",
            i.docker_ref
        ),
        K::ImageLoad(i) => format!(
            "load the image into {}'s Podman storage as {}",
            i.user, i.podman_ref
        ),
        K::ImagePull(i) => format!("pull {} as {}", i.podman_ref, i.user),
        K::InstallUnits { user, install } => format!(
            "install {} quadlet file(s){}, {} env file(s){} for {user} into ~{user}/{quadlet_dir}",
            install.quadlet_files.len(),
            install_how(install.method),
            install.env_files.len(),
            if install.conf_files.is_empty() {
                String::new()
            } else {
                format!(", {} containers.conf.d file(s)", install.conf_files.len())
            },
        ),
        K::CreateSecrets { user, secrets } => format!(
            "create {user}'s Podman secret(s) {} from the bundle's 0600 staging files (value piped on stdin)",
            secrets
                .iter()
                .map(|s| format!("{} ({})", s.name, s.variable))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        K::DaemonReload { user } => {
            format!("make {user}'s systemd generate the services from the quadlet files")
        }
        K::DockerStop { restart, .. } => format!(
            "stop the Docker container and set its restart policy to no (was {}; rollback.sh restores it)",
            restart_arg(restart)
        ),
        K::VolumeExport(v) => format!(
            "archive Docker volume {} (numeric owners kept) into the staging directory",
            v.docker_volume
        ),
        K::VolumeImport(v) => format!(
            "import the data of {} into {}'s Podman volume {}",
            v.docker_volume, v.user, v.podman_volume
        ),
        K::BindHandover { user, binds, .. } => format!(
            "hand the bind mount(s) {} to {user} (owned inside the user namespace as the container user)",
            paths(binds)
        ),
        K::Start { user, service } => format!("start {service} as {user}"),
        K::Check { service, tcp, .. } => format!(
            "check {service} is active{}",
            if tcp.is_empty() {
                ""
            } else {
                " and its TCP ports accept connections"
            }
        ),
        K::EnableAutoUpdate { user } => format!(
            "enable {user}'s podman-auto-update.timer, which updates the units with AutoUpdate= (replacing the Docker-side watcher)"
        ),
        K::StopUnit { service, .. } => format!("stop {service}"),
        K::RemoveUnits { user, install } => format!(
            "remove {user}'s migrated quadlet{} and env files and reload (Podman volumes and images are kept)",
            if install.method.uses_podman_quadlet() {
                "s (podman quadlet rm)"
            } else {
                ""
            }
        ),
        K::DisableAutoUpdate { user } => {
            format!("disable {user}'s podman-auto-update.timer, which migrate.sh enabled")
        }
        K::RemoveSecrets { user, names } => {
            format!("remove {user}'s Podman secret(s) {}", names.join(", "))
        }
        K::RestoreOwners { binds, .. } => format!(
            "give {} back to the owners migrate.sh recorded",
            paths(binds)
        ),
        K::DockerRestore { restart, start, .. } => format!(
            "restore the Docker restart policy ({}){}",
            restart_arg(restart),
            if *start {
                " and start the container"
            } else {
                ""
            }
        ),
    }
}

/// Bind-mount sources, comma-separated.
fn paths(binds: &[crate::generate::BindChown]) -> String {
    binds
        .iter()
        .map(|b| b.host_path.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
