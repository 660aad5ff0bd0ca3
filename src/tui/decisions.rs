//! The editable lines of the migration view and the values each can take. Pure, shared by
//! `update` (editing) and the migration view (drawing).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::auto_update::AutoUpdate;
use crate::model::hardening::{HardeningItem, image_user_overridden};
use crate::model::{Container, Image, MountKind, NetworkMode};
use crate::model::{
    ContainerDecision, NetworkChoice, PrivilegedPortPolicy, SecretStore, Target, VolumeStrategy,
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
    /// `Image=` by the registry digest Docker runs, or by tag.
    PinDigest,
    /// `AutoUpdate=`: Podman updates the image, replacing a watcher (issue 14).
    AutoUpdate,
    /// Where secret-looking variables go: the env file or Podman secrets (issue 14).
    Secrets,
    /// One hardening decision of the plan's `hardening:` block (issue 14).
    Harden(HardeningItem),
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
    items.push(Item::PinDigest);
    items.push(Item::AutoUpdate);
    if has_secrets(container) {
        items.push(Item::Secrets);
    }
    items.extend(HardeningItem::ALL.map(Item::Harden));
    items
}

/// Whether the container adds a secret-looking variable (the only ones `secrets:` moves).
fn has_secrets(container: &Container) -> bool {
    container
        .added_env()
        .any(|e| crate::model::secret::is_secret(&e.name, &e.value))
}

pub fn label(item: Item) -> String {
    match item {
        Item::Include => "Migrate".into(),
        Item::User => "Run as user".into(),
        Item::PortPolicy => "Ports < 1024".into(),
        Item::RemapPort(p) => format!("  host port {p} ->"),
        Item::Volumes => "Volumes".into(),
        Item::Network => "Network".into(),
        Item::PinDigest => "Pin image digest".into(),
        Item::AutoUpdate => "Podman auto-update".into(),
        Item::Secrets => "Secret variables".into(),
        Item::Harden(h) => match h {
            HardeningItem::NoNewPrivileges => "No new privileges",
            HardeningItem::DropCapabilities => "Drop capabilities",
            HardeningItem::ReadOnlyRoot => "Read-only root",
            HardeningItem::Memory => "Memory limit",
            HardeningItem::PidsLimit => "PID limit",
            HardeningItem::ReadOnlyBinds => "Read-only bind mounts",
            HardeningItem::User => "Image's non-root user",
        }
        .into(),
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
        Item::PinDigest => if decision.pin_digest {
            "yes: Image=repo@sha256:... (the bytes Docker runs)"
        } else {
            "no: Image= by tag (may move)"
        }
        .into(),
        Item::AutoUpdate => match decision.auto_update.value() {
            Some(v) => format!("{v}: AutoUpdate={v} (podman-auto-update.timer)"),
            None => "off".into(),
        },
        Item::Secrets => match decision.secrets {
            SecretStore::EnvFile => "env file (0600, EnvironmentFile=)",
            SecretStore::PodmanSecret => "Podman secrets (Secret=, created by migrate.sh)",
        }
        .into(),
        Item::Harden(h) => hardening_value(h, decision),
    }
}

/// `on: DropCapability=all` or `off` with the finding it would close.
fn hardening_value(item: HardeningItem, decision: &ContainerDecision) -> String {
    let h = &decision.hardening;
    let what = match item {
        HardeningItem::NoNewPrivileges | HardeningItem::ReadOnlyRoot => String::new(),
        HardeningItem::DropCapabilities => h.drop_capabilities.join(" "),
        HardeningItem::Memory => h.memory.clone().unwrap_or_default(),
        HardeningItem::PidsLimit => h.pids_limit.map(|p| p.to_string()).unwrap_or_default(),
        HardeningItem::ReadOnlyBinds => h.read_only_binds.join(" "),
        HardeningItem::User => h.user.clone().unwrap_or_default(),
    };
    let closes = item.closes()[0];
    if item.is_on(h) {
        let what = if what.is_empty() {
            String::new()
        } else {
            format!(" {what}")
        };
        format!("on{what}: {closes}")
    } else {
        format!("off: {closes}")
    }
}

/// Memory limits the TUI cycles through; any other size is typed into the plan.
const MEMORY_STEPS: [&str; 4] = ["256m", "512m", "1g", "2g"];
/// PID limits the TUI cycles through.
const PIDS_STEPS: [u32; 3] = [256, 1024, 4096];

/// Step one hardening decision: a switch turns on or off; limits cycle through a few
/// sizes and off; drops go between none and `ALL` (the kept capabilities are added back);
/// read-only binds between none and every writable bind; the user between Docker's and the
/// image's own non-root one. `None` when the item has nothing to switch to.
fn step_hardening(
    item: HardeningItem,
    container: &Container,
    image: Option<&Image>,
    decision: &mut ContainerDecision,
    forward: bool,
) -> Option<()> {
    let h = &mut decision.hardening;
    match item {
        HardeningItem::NoNewPrivileges => h.no_new_privileges = !h.no_new_privileges,
        HardeningItem::ReadOnlyRoot => h.read_only_root = !h.read_only_root,
        HardeningItem::DropCapabilities => {
            h.drop_capabilities = if h.drop_capabilities.is_empty() {
                vec!["ALL".to_string()]
            } else {
                Vec::new()
            }
        }
        HardeningItem::Memory => {
            let mut options: Vec<Option<String>> = vec![None];
            options.extend(MEMORY_STEPS.map(|m| Some(m.to_string())));
            h.memory = cycle(&options, &h.memory, forward);
        }
        HardeningItem::PidsLimit => {
            let mut options: Vec<Option<u32>> = vec![None];
            options.extend(PIDS_STEPS.map(Some));
            h.pids_limit = cycle(&options, &h.pids_limit, forward);
        }
        HardeningItem::ReadOnlyBinds => {
            let writable: Vec<String> = container
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Bind && !m.read_only)
                .map(|m| m.destination.clone())
                .collect();
            if writable.is_empty() && h.read_only_binds.is_empty() {
                return None;
            }
            h.read_only_binds = if h.read_only_binds.is_empty() {
                writable
            } else {
                Vec::new()
            };
        }
        HardeningItem::User => {
            if h.user.is_some() {
                h.user = None;
            } else {
                h.user = Some(image_user_overridden(container, image)?);
            }
        }
    }
    Some(())
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
    image: Option<&Image>,
    decision: &ContainerDecision,
    forward: bool,
    taken: &BTreeSet<u16>,
) -> Option<ContainerDecision> {
    let mut new = decision.clone();
    match item {
        Item::Include => new.include = !decision.include,
        // Pinned and auto-updated contradict: turning one on turns the other off.
        Item::PinDigest => {
            new.pin_digest = !decision.pin_digest;
            if new.pin_digest {
                new.auto_update = AutoUpdate::Off;
            }
        }
        Item::AutoUpdate => {
            const ORDER: [AutoUpdate; 3] =
                [AutoUpdate::Off, AutoUpdate::Registry, AutoUpdate::Local];
            let i = ORDER
                .iter()
                .position(|a| *a == decision.auto_update)
                .unwrap_or(0);
            let n = ORDER.len();
            new.auto_update = ORDER[if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
            if !new.auto_update.is_off() {
                new.pin_digest = false;
            }
        }
        Item::Secrets => {
            new.secrets = match decision.secrets {
                SecretStore::EnvFile => SecretStore::PodmanSecret,
                SecretStore::PodmanSecret => SecretStore::EnvFile,
            }
        }
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
        Item::Harden(h) => step_hardening(h, container, image, &mut new, forward)?,
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
        let stepped = step(Item::PortPolicy, &web, None, &decision, true, &taken).unwrap();
        let PrivilegedPortPolicy::Remap { ports } = &stepped.ports else {
            panic!("{stepped:?}")
        };
        assert_eq!(ports, &BTreeMap::from([(80, 8082), (443, 8444)]));
        assert_eq!(
            items(&web, &stepped).len(),
            9 + HardeningItem::ALL.len(),
            "one line per remapped port"
        );
        let back = step(Item::PortPolicy, &web, None, &stepped, true, &taken).unwrap();
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
        assert_eq!(
            step(Item::PortPolicy, &c, None, &d, true, &BTreeSet::new()),
            None
        );
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

    /// Every hardening line toggles its item in the decision, and back.
    #[test]
    fn hardening_lines_toggle_the_plan_block() {
        let mut c = with_ports("app", &[3000]);
        c.mounts.push(crate::model::Mount {
            kind: MountKind::Bind,
            source: "/srv/app".into(),
            destination: "/data".into(),
            ..Default::default()
        });
        c.user.raw = "0".into();
        c.user.is_root = true;
        let image = Image {
            user: Some("app".into()),
            ..Default::default()
        };
        let d = ContainerDecision::default_for(&c);
        let none = BTreeSet::new();
        for h in HardeningItem::ALL {
            let on_before = h.is_on(&d.hardening);
            let stepped = step(Item::Harden(h), &c, Some(&image), &d, true, &none)
                .unwrap_or_else(|| panic!("{h:?} does not step"));
            assert_ne!(h.is_on(&stepped.hardening), on_before, "{h:?}");
            let target = crate::tui::actions::default_target();
            let shown = value(Item::Harden(h), &c, &stepped, &target);
            assert!(shown.contains(h.closes()[0]), "{h:?}: {shown}");
            let back = step(Item::Harden(h), &c, Some(&image), &stepped, false, &none).unwrap();
            assert_eq!(back.hardening, d.hardening, "{h:?} steps back");
        }
        let stepped = step(
            Item::Harden(HardeningItem::User),
            &c,
            Some(&image),
            &d,
            true,
            &none,
        )
        .unwrap();
        assert_eq!(stepped.hardening.user.as_deref(), Some("app"));
        assert_eq!(
            step(Item::Harden(HardeningItem::User), &c, None, &d, true, &none),
            None,
            "no image user, nothing to switch to"
        );
    }

    #[test]
    fn pin_digest_toggles_both_ways_and_says_what_image_is_written() {
        let c = with_ports("app", &[3000]);
        let d = ContainerDecision::default_for(&c);
        assert!(items(&c, &d).contains(&Item::PinDigest));
        let target = crate::tui::actions::default_target();
        assert!(value(Item::PinDigest, &c, &d, &target).starts_with("no"));
        let on = step(Item::PinDigest, &c, None, &d, true, &BTreeSet::new()).unwrap();
        assert!(on.pin_digest);
        assert!(value(Item::PinDigest, &c, &on, &target).contains("sha256"));
        let off = step(Item::PinDigest, &c, None, &on, false, &BTreeSet::new()).unwrap();
        assert_eq!(off, d);
    }

    /// `auto_update` cycles off, registry, local; it and `pin_digest` never end up both on.
    #[test]
    fn auto_update_cycles_and_excludes_pinning() {
        let c = with_ports("app", &[3000]);
        let mut d = ContainerDecision::default_for(&c);
        d.pin_digest = true;
        assert!(items(&c, &d).contains(&Item::AutoUpdate));
        let target = crate::tui::actions::default_target();
        assert_eq!(value(Item::AutoUpdate, &c, &d, &target), "off");
        let none = BTreeSet::new();
        let registry = step(Item::AutoUpdate, &c, None, &d, true, &none).unwrap();
        assert_eq!(registry.auto_update, AutoUpdate::Registry);
        assert!(!registry.pin_digest, "an updated image is not pinned");
        assert!(value(Item::AutoUpdate, &c, &registry, &target).contains("AutoUpdate=registry"));
        let local = step(Item::AutoUpdate, &c, None, &registry, true, &none).unwrap();
        assert_eq!(local.auto_update, AutoUpdate::Local);
        let off = step(Item::AutoUpdate, &c, None, &local, true, &none).unwrap();
        assert_eq!(off.auto_update, AutoUpdate::Off);
        let back = step(Item::AutoUpdate, &c, None, &d, false, &none).unwrap();
        assert_eq!(back.auto_update, AutoUpdate::Local);
        let pinned = step(Item::PinDigest, &c, None, &local, true, &none).unwrap();
        assert!(pinned.pin_digest);
        assert_eq!(pinned.auto_update, AutoUpdate::Off);
    }

    /// Offered only to a container with a secret-looking variable; toggles both ways.
    #[test]
    fn secrets_toggle_between_env_file_and_podman_secrets() {
        use crate::model::{EnvOrigin, EnvVar};
        let mut c = with_ports("app", &[3000]);
        let d = ContainerDecision::default_for(&c);
        assert!(!items(&c, &d).contains(&Item::Secrets));
        c.env.push(EnvVar {
            name: "API_TOKEN".into(),
            value: "x".into(),
            origin: EnvOrigin::Container,
        });
        assert!(items(&c, &d).contains(&Item::Secrets));
        let target = crate::tui::actions::default_target();
        assert!(value(Item::Secrets, &c, &d, &target).starts_with("env file"));
        let on = step(Item::Secrets, &c, None, &d, true, &BTreeSet::new()).unwrap();
        assert_eq!(on.secrets, SecretStore::PodmanSecret);
        assert!(value(Item::Secrets, &c, &on, &target).starts_with("Podman secrets"));
        let off = step(Item::Secrets, &c, None, &on, false, &BTreeSet::new()).unwrap();
        assert_eq!(off, d);
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
