//! After the maintenance window: does what runs on the target match the plan, and is the
//! Docker side of each migrated container stopped for good? Pure functions.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::check::Check;
use super::expect::{Expectations, ExpectedContainer, bind_source_matches};
use super::facts::{TargetContainer, TargetFacts};
use super::host_checks::{self, When};
use super::images::same_image;
use crate::model::{ContainerState, Inventory, Protocol, RestartPolicyName};

/// The Docker side as read (read-only) from the Docker engine or a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum DockerSide {
    Read {
        containers: Vec<DockerContainer>,
    },
    /// Docker could not be read: the stop checks say so instead of guessing.
    Unavailable {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerContainer {
    pub name: String,
    pub state: ContainerState,
    pub restart: RestartPolicyName,
}

impl DockerSide {
    pub fn from_inventory(inventory: &Inventory) -> Self {
        DockerSide::Read {
            containers: inventory
                .containers
                .iter()
                .map(|c| DockerContainer {
                    name: c.name.clone(),
                    state: c.state,
                    restart: c.restart_policy.name,
                })
                .collect(),
        }
    }
}

/// Every post-migration check: host-level ones, then seven per planned container.
pub fn post_migration(
    expect: &Expectations,
    facts: &TargetFacts,
    docker: &DockerSide,
) -> Vec<Check> {
    let mut out = host_checks::all(expect, facts, When::After);
    for planned in &expect.containers {
        out.extend(container_checks(planned, facts));
        out.push(docker_stopped(planned, docker));
    }
    out
}

/// Find the Podman container of a planned unit: by quadlet's unit label first, then name.
pub fn find<'a>(
    planned: &ExpectedContainer,
    facts: &'a TargetFacts,
) -> Option<&'a TargetContainer> {
    let service = planned.service();
    facts
        .containers
        .iter()
        .find(|c| c.systemd_unit() == Some(service.as_str()))
        .or_else(|| {
            planned
                .candidate_names()
                .iter()
                .find_map(|n| facts.container_named(n))
        })
}

fn container_checks(planned: &ExpectedContainer, facts: &TargetFacts) -> Vec<Check> {
    let name = &planned.docker_name;
    let service = planned.service();
    let Some(found) = find(planned, facts) else {
        if planned.runs_once {
            return vec![Check::pass(
                format!("container-exists:{name}"),
                format!(
                    "{name} runs once ({service} is a oneshot unit and its container is removed \
                     when it exits); `systemctl --user status {service}` shows its result"
                ),
            )];
        }
        return vec![Check::fail(
            format!("container-exists:{name}"),
            format!(
                "no Podman container for {name} (unit {service}, names {})",
                planned.candidate_names().join(" or ")
            ),
            format!(
                "install the quadlet file into ~/.config/containers/systemd/, `systemctl --user daemon-reload`, \
                 `systemctl --user start {service}`"
            ),
        )];
    };
    let mut checks = vec![
        Check::pass(
            format!("container-exists:{name}"),
            format!("{} exists ({})", found.name, short_id(&found.id)),
        ),
        running(planned, found),
        ports(planned, found),
        mounts(planned, found),
        user(planned, found),
        image(planned, found),
    ];
    if !planned.podman_secrets.is_empty() {
        checks.push(secrets(planned, facts));
    }
    checks
}

/// The Podman secrets the unit names exist for the user (names only; a value is never
/// read).
fn secrets(planned: &ExpectedContainer, facts: &TargetFacts) -> Check {
    let id = format!("podman-secrets:{}", planned.docker_name);
    let Some(present) = &facts.secrets else {
        return Check::warn(
            id,
            "the user's Podman secrets could not be listed (GET /libpod/secrets/json)",
            "`podman secret ls` as the user should list the secrets the unit names",
        );
    };
    let missing: Vec<&String> = planned
        .podman_secrets
        .iter()
        .filter(|n| !present.contains(n))
        .collect();
    if missing.is_empty() {
        return Check::pass(
            id,
            format!(
                "the Podman secrets its unit names exist ({})",
                planned.podman_secrets.join(", ")
            ),
        );
    }
    Check::fail(
        id,
        format!("missing Podman secret(s): {}", list_or_none(&missing)),
        "run migrate.sh's `secrets_<user>` step (it creates them from the bundle's secrets/ staging files)",
    )
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn running(planned: &ExpectedContainer, found: &TargetContainer) -> Check {
    let id = format!("container-running:{}", planned.docker_name);
    if found.is_running() {
        return Check::pass(id, format!("{} is running", found.name));
    }
    if planned.runs_once {
        return Check::pass(
            id,
            format!(
                "{} is {} (a oneshot unit: it runs once)",
                found.name, found.state
            ),
        );
    }
    let service = planned.service();
    Check::fail(
        id,
        format!("{} is {}, not running", found.name, found.state),
        format!(
            "`systemctl --user start {service}`; see why with `journalctl --user -u {service}`"
        ),
    )
}

/// `[ip:]host:container/proto` as `podman port` prints it.
fn port_text(host_ip: &str, host: u16, container: u16, proto: Protocol) -> String {
    let proto = match proto {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    };
    let ip = match host_ip {
        "" | "0.0.0.0" | "::" => String::new(),
        ip if ip.contains(':') => format!("[{ip}]:"),
        ip => format!("{ip}:"),
    };
    format!("{ip}{host}->{container}/{proto}")
}

fn ports(planned: &ExpectedContainer, found: &TargetContainer) -> Check {
    let id = format!("ports:{}", planned.docker_name);
    let want: BTreeSet<String> = planned
        .ports
        .iter()
        .map(|p| {
            port_text(
                p.host_ip.as_deref().unwrap_or(""),
                p.host_port,
                p.container_port,
                p.protocol,
            )
        })
        .collect();
    let have: BTreeSet<String> = found
        .ports
        .iter()
        .map(|p| port_text(&p.host_ip, p.host_port, p.container_port, p.protocol))
        .collect();
    if want == have {
        let list = if want.is_empty() {
            "none".to_string()
        } else {
            want.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        return Check::pass(id, format!("published ports as planned: {list}"));
    }
    let missing: Vec<&String> = want.difference(&have).collect();
    let extra: Vec<&String> = have.difference(&want).collect();
    Check::fail(
        id,
        format!(
            "published ports differ: missing {}, unexpected {}",
            list_or_none(&missing),
            list_or_none(&extra)
        ),
        format!(
            "compare `PublishPort=` in {}.container with the plan, regenerate, then `systemctl --user restart {}`",
            planned.unit,
            planned.service()
        ),
    )
}

fn list_or_none(items: &[&String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn mounts(planned: &ExpectedContainer, found: &TargetContainer) -> Check {
    let id = format!("mounts:{}", planned.docker_name);
    let mut problems = Vec::new();
    for (volume, dest) in &planned.volumes {
        match found.mounts.iter().find(|m| &m.destination == dest) {
            Some(m) if m.kind == "volume" && &m.source == volume => {}
            Some(m) => problems.push(format!(
                "{dest} is {} {} instead of volume {volume}",
                m.kind, m.source
            )),
            None => problems.push(format!("{dest} (volume {volume}) is not mounted")),
        }
    }
    for (dest, source) in &planned.binds {
        match found.mounts.iter().find(|m| &m.destination == dest) {
            Some(m) if m.kind == "bind" && bind_source_matches(source, &m.source) => {}
            Some(m) => problems.push(format!(
                "{dest} is {} {} instead of bind {source}",
                m.kind, m.source
            )),
            None => problems.push(format!("{dest} (bind {source}) is not mounted")),
        }
    }
    let total = planned.volumes.len() + planned.binds.len();
    if problems.is_empty() {
        return Check::pass(id, format!("{total} planned mount(s) in place"));
    }
    Check::fail(
        id,
        problems.join("; "),
        format!(
            "compare `Volume=` in {}.container with the plan; for volumes check `podman volume ls`",
            planned.unit
        ),
    )
}

fn user(planned: &ExpectedContainer, found: &TargetContainer) -> Check {
    let id = format!("user:{}", planned.docker_name);
    let Some(want) = planned.container_user.as_deref() else {
        return Check::warn(
            id,
            format!(
                "the plan does not record {}'s Docker user; running as {:?}",
                planned.docker_name, found.user
            ),
            "regenerate the plan from the Docker host so the user is recorded",
        );
    };
    // Docker and Podman both report "" for the image default; root spelled differently is
    // still root.
    let same = want == found.user || (is_root(want) && is_root(&found.user));
    if same {
        let shown = if want.is_empty() {
            "the image default"
        } else {
            want
        };
        return Check::pass(id, format!("runs as {shown}, as under Docker"));
    }
    Check::fail(
        id,
        format!("runs as {:?}, under Docker it ran as {want:?}", found.user),
        format!(
            "set `User={want}` in {}.container and restart the unit",
            planned.unit
        ),
    )
}

fn is_root(user: &str) -> bool {
    matches!(
        user,
        "0" | "root" | "0:0" | "root:root" | "root:0" | "0:root"
    )
}

fn image(planned: &ExpectedContainer, found: &TargetContainer) -> Check {
    let id = format!("image:{}", planned.docker_name);
    if same_image(&found.image, &planned.image) {
        return Check::pass(id, format!("runs {}", planned.image));
    }
    Check::fail(
        id,
        format!("runs {}, the plan says {}", found.image, planned.image),
        format!(
            "set `Image={}` in {}.container (transfer it first if missing) and restart the unit",
            planned.image, planned.unit
        ),
    )
}

/// The Docker container must not come back: stopped, and restart policy `no`.
pub fn docker_stopped(planned: &ExpectedContainer, docker: &DockerSide) -> Check {
    let name = &planned.docker_name;
    let id = format!("docker-stopped:{name}");
    let containers = match docker {
        DockerSide::Read { containers } => containers,
        DockerSide::Unavailable { reason } => {
            return Check::warn(
                id,
                format!("the Docker side was not checked: {reason}"),
                "run verify where the Docker socket is readable (root or the docker group), or pass --docker-host",
            );
        }
    };
    let Some(c) = containers.iter().find(|c| &c.name == name) else {
        return Check::pass(id, format!("{name} no longer exists on Docker"));
    };
    let stopped = !matches!(
        c.state,
        ContainerState::Running | ContainerState::Restarting | ContainerState::Paused
    );
    let no_restart = c.restart == RestartPolicyName::No;
    match (stopped, no_restart) {
        (true, true) => Check::pass(
            id,
            format!("{name} is stopped on Docker with restart policy no"),
        ),
        (false, _) => Check::fail(
            id,
            format!(
                "{name} is still {} on Docker: both copies would serve (and fight over ports and data)",
                format!("{:?}", c.state).to_lowercase()
            ),
            format!(
                "`docker update --restart=no {name} && docker stop {name}` (migrate.sh's stop step)"
            ),
        ),
        (true, false) => Check::fail(
            id,
            format!(
                "{name} is stopped on Docker but its restart policy {} brings it back when dockerd restarts",
                restart_text(c.restart)
            ),
            format!("`docker update --restart=no {name}`"),
        ),
    }
}

fn restart_text(policy: RestartPolicyName) -> &'static str {
    match policy {
        RestartPolicyName::No => "no",
        RestartPolicyName::Always => "always",
        RestartPolicyName::UnlessStopped => "unless-stopped",
        RestartPolicyName::OnFailure => "on-failure",
    }
}
