//! The editable lines of the migration view and the values each can take. Pure, shared by
//! `update` (editing) and the migration view (drawing).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Container, NetworkMode};
use crate::model::{
    ContainerDecision, NetworkChoice, PrivilegedPortPolicy, Target, VolumeStrategy,
};

use super::settings::{UNPRIVILEGED_PORT_START, network_text, user_of};

/// One editable line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Include,
    User,
    PortPolicy,
    /// The new host port for one privileged Docker host port (remap policy only).
    RemapPort(u16),
    Volumes,
    Network,
}

/// Docker host ports below 1024, each once, ascending.
pub fn privileged_ports(container: &Container) -> Vec<u16> {
    let mut ports: Vec<u16> = container
        .ports
        .iter()
        .map(|p| p.host_port)
        .filter(|&p| p != 0 && p < UNPRIVILEGED_PORT_START)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The lines shown for a container under its decision.
pub fn items(container: &Container, decision: &ContainerDecision) -> Vec<Item> {
    let mut items = vec![Item::Include, Item::User, Item::PortPolicy];
    if let PrivilegedPortPolicy::Remap { .. } = decision.ports {
        items.extend(privileged_ports(container).into_iter().map(Item::RemapPort));
    }
    items.push(Item::Volumes);
    items.push(Item::Network);
    items
}

pub fn label(item: Item) -> String {
    match item {
        Item::Include => "Migrate".into(),
        Item::User => "Run as user".into(),
        Item::PortPolicy => "Ports < 1024".into(),
        Item::RemapPort(p) => format!("  host port {p} ->"),
        Item::Volumes => "Volumes".into(),
        Item::Network => "Network".into(),
    }
}

pub fn value(
    item: Item,
    container: &Container,
    decision: &ContainerDecision,
    target: &Target,
) -> String {
    match item {
        Item::Include => if decision.include {
            "yes"
        } else {
            "no (stays on Docker)"
        }
        .into(),
        Item::User => {
            let user = user_of(decision, target, container);
            if decision.user.is_some() {
                user
            } else {
                format!("{user} (plan default)")
            }
        }
        Item::PortPolicy => {
            if privileged_ports(container).is_empty() {
                "none published".into()
            } else {
                match decision.ports {
                    PrivilegedPortPolicy::Sysctl => "sysctl: lower unprivileged_port_start".into(),
                    PrivilegedPortPolicy::Remap { .. } => "remap to other host ports".into(),
                }
            }
        }
        Item::RemapPort(p) => match &decision.ports {
            PrivilegedPortPolicy::Remap { ports } => {
                ports.get(&p).copied().unwrap_or(p).to_string()
            }
            PrivilegedPortPolicy::Sysctl => p.to_string(),
        },
        Item::Volumes => match decision.volumes {
            VolumeStrategy::Copy => "copy into podman volumes".into(),
            VolumeStrategy::ChownOnStart => "bind with :U (chown at start)".into(),
            VolumeStrategy::KeepId => "keep-id (UserNS=keep-id)".into(),
        },
        Item::Network => network_text(&decision.network),
    }
}

/// The proposed replacement for a privileged host port: 80 -> 8080, 443 -> 8443, or the
/// next free port after that when another binding on the host already uses it.
pub fn default_remap(port: u16, taken: &BTreeSet<u16>) -> u16 {
    (port + 8000..=u16::MAX)
        .find(|p| !taken.contains(p))
        .unwrap_or(port + 8000)
}

fn network_options(container: &Container) -> Vec<NetworkChoice> {
    let mut options = vec![NetworkChoice::Pasta];
    let mut names: Vec<String> = container
        .networks
        .iter()
        .map(|n| n.network.clone())
        .filter(|n| !matches!(n.as_str(), "bridge" | "host" | "none" | "default"))
        .collect();
    if let NetworkMode::Named(name) = &container.network_mode {
        names.insert(0, name.clone());
    }
    names.dedup();
    options.extend(names.into_iter().map(NetworkChoice::Shared));
    if let Some(compose) = &container.compose {
        options.push(NetworkChoice::Pod(compose.project.clone()));
    }
    options.push(NetworkChoice::Host);
    options.push(NetworkChoice::None);
    options
}

fn cycle<T: PartialEq + Clone>(options: &[T], current: &T, forward: bool) -> T {
    let pos = options.iter().position(|o| o == current);
    let n = options.len();
    let next = match (pos, forward) {
        (None, _) => 0,
        (Some(i), true) => (i + 1) % n,
        (Some(i), false) => (i + n - 1) % n,
    };
    options[next].clone()
}

/// Step a decision line to its next (or previous) value. `None`: the line is edited by
/// typing (user, port) or has only one value.
pub fn step(
    item: Item,
    container: &Container,
    decision: &ContainerDecision,
    forward: bool,
    taken: &BTreeSet<u16>,
) -> Option<ContainerDecision> {
    let mut new = decision.clone();
    match item {
        Item::Include => new.include = !decision.include,
        Item::PortPolicy => {
            let privileged = privileged_ports(container);
            if privileged.is_empty() {
                return None;
            }
            new.ports = match decision.ports {
                PrivilegedPortPolicy::Sysctl => {
                    let mut taken = taken.clone();
                    let mut ports = BTreeMap::new();
                    for p in privileged {
                        let to = default_remap(p, &taken);
                        taken.insert(to);
                        ports.insert(p, to);
                    }
                    PrivilegedPortPolicy::Remap { ports }
                }
                PrivilegedPortPolicy::Remap { .. } => PrivilegedPortPolicy::Sysctl,
            };
        }
        Item::Volumes => {
            let options = [
                VolumeStrategy::Copy,
                VolumeStrategy::ChownOnStart,
                VolumeStrategy::KeepId,
            ];
            new.volumes = cycle(&options, &decision.volumes, forward);
        }
        Item::Network => {
            new.network = cycle(&network_options(container), &decision.network, forward);
        }
        Item::User | Item::RemapPort(_) => return None,
    }
    Some(new)
}

/// Parse a typed replacement host port: unprivileged, and not used by another binding on
/// the host (`taken`) or by another remap of the same container.
pub fn parse_port(
    input: &str,
    original: u16,
    decision: &ContainerDecision,
    taken: &BTreeSet<u16>,
) -> Result<u16, String> {
    let port: u16 = input.trim().parse().map_err(|_| {
        format!(
            "{:?} is not a port number ({UNPRIVILEGED_PORT_START}-65535)",
            input.trim()
        )
    })?;
    if port < UNPRIVILEGED_PORT_START {
        return Err(format!(
            "{port} is below {UNPRIVILEGED_PORT_START} and would need root: pick {UNPRIVILEGED_PORT_START}-65535"
        ));
    }
    let remapped_here = match &decision.ports {
        PrivilegedPortPolicy::Remap { ports } => {
            ports.iter().any(|(o, n)| *o != original && *n == port)
        }
        PrivilegedPortPolicy::Sysctl => false,
    };
    if taken.contains(&port) || remapped_here {
        return Err(format!(
            "host port {port} is already published on this host: pick another"
        ));
    }
    Ok(port)
}

/// Host ports in use by every binding except `except`'s privileged ones: other containers'
/// ports under their decisions (remapped where they are), and this container's other ports.
/// Excluded containers count too: they keep running under Docker on the same host.
pub fn ports_in_use<'a>(
    containers: impl Iterator<Item = (&'a Container, ContainerDecision)>,
    except: &str,
) -> BTreeSet<u16> {
    let mut taken = BTreeSet::new();
    for (c, d) in containers {
        for p in &c.ports {
            if p.host_port == 0 {
                continue;
            }
            let mapped = match &d.ports {
                PrivilegedPortPolicy::Remap { ports } => ports.get(&p.host_port).copied(),
                PrivilegedPortPolicy::Sysctl => None,
            };
            if c.name == except {
                if p.host_port >= UNPRIVILEGED_PORT_START {
                    taken.insert(p.host_port);
                }
            } else {
                taken.insert(mapped.unwrap_or(p.host_port));
            }
        }
    }
    taken
}

/// Validate a typed user name with the plan loader's rule (what `useradd` accepts, not
/// root); empty means "the plan's default user".
pub fn parse_user(input: &str) -> Result<Option<String>, String> {
    let name = input.trim();
    if name.is_empty() {
        return Ok(None);
    }
    crate::plan::load::check_user(name)?;
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PortBinding;

    fn with_ports(name: &str, ports: &[u16]) -> Container {
        Container {
            name: name.into(),
            ports: ports
                .iter()
                .map(|&p| PortBinding {
                    container_port: p,
                    host_port: p,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn remap_skips_ports_other_containers_publish() {
        let web = with_ports("web", &[80, 443, 8443]);
        let other = with_ports("other", &[8080, 8081]);
        let decision = ContainerDecision::default_for(&web);
        let taken = ports_in_use(
            [
                (&web, decision.clone()),
                (&other, ContainerDecision::default_for(&other)),
            ]
            .into_iter(),
            "web",
        );
        assert_eq!(taken, BTreeSet::from([8080, 8081, 8443]));
        let stepped = step(Item::PortPolicy, &web, &decision, true, &taken).unwrap();
        let PrivilegedPortPolicy::Remap { ports } = &stepped.ports else {
            panic!("{stepped:?}")
        };
        assert_eq!(ports, &BTreeMap::from([(80, 8082), (443, 8444)]));
        assert_eq!(items(&web, &stepped).len(), 7, "one line per remapped port");
        let back = step(Item::PortPolicy, &web, &stepped, true, &taken).unwrap();
        assert_eq!(back.ports, PrivilegedPortPolicy::Sysctl);
    }

    #[test]
    fn typed_ports_must_be_unprivileged_numbers_and_free() {
        let web = with_ports("web", &[80]);
        let d = ContainerDecision::default_for(&web);
        let taken = BTreeSet::from([9000]);
        assert!(
            parse_port("http", 80, &d, &taken)
                .unwrap_err()
                .contains("not a port")
        );
        assert!(parse_port("99999", 80, &d, &taken).is_err());
        assert!(
            parse_port("443", 80, &d, &taken)
                .unwrap_err()
                .contains("below 1024")
        );
        assert!(
            parse_port("9000", 80, &d, &taken)
                .unwrap_err()
                .contains("already")
        );
        assert_eq!(parse_port(" 10080 ", 80, &d, &taken), Ok(10080));
    }

    #[test]
    fn a_container_without_low_ports_has_no_policy_to_cycle() {
        let c = with_ports("app", &[3000]);
        let d = ContainerDecision::default_for(&c);
        assert_eq!(step(Item::PortPolicy, &c, &d, true, &BTreeSet::new()), None);
        assert_eq!(
            value(
                Item::PortPolicy,
                &c,
                &d,
                &crate::tui::actions::default_target()
            ),
            "none published"
        );
    }

    #[test]
    fn user_names_follow_useradd_rules() {
        assert_eq!(parse_user(""), Ok(None));
        assert_eq!(parse_user("svc-web"), Ok(Some("svc-web".into())));
        assert!(parse_user("root").is_err());
        assert!(parse_user("Web").is_err());
        assert!(parse_user("9web").is_err());
    }
}
