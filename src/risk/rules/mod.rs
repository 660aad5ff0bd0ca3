//! Rule logic: one pure function per rule, grouped by theme, and the registry that lists them.
//!
//! A rule returns at most one [`Hit`] per container (or host): the detail names every item that
//! made it fire (all low ports, all secret names), so one rule never floods the report.

use crate::model::{Container, HostFacts, Image, Inventory, Mount, MountKind};

use super::{Migration, Severity};

pub mod cis;
pub mod escape;
pub mod host;
pub mod rootless;

/// What a container rule sees: the container, its image when inspected, and the host.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub inventory: &'a Inventory,
    pub container: &'a Container,
    pub image: Option<&'a Image>,
}

impl<'a> Ctx<'a> {
    pub fn new(inventory: &'a Inventory, container: &'a Container) -> Self {
        Self {
            inventory,
            container,
            image: inventory.image_of(container),
        }
    }

    pub fn host(&self) -> &'a HostFacts {
        &self.inventory.host
    }
}

/// A rule fired. Severity and migration default to the catalog's; a rule overrides them only
/// when the evidence changes the verdict (e.g. a read-only vs. writable /proc mount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub detail: String,
    pub severity: Option<Severity>,
    pub migration: Option<Migration>,
}

impl Hit {
    pub fn new(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            severity: None,
            migration: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn migration(mut self, migration: Migration) -> Self {
        self.migration = Some(migration);
        self
    }
}

/// The function behind a rule.
#[derive(Clone, Copy)]
pub enum Check {
    Container(fn(&Ctx) -> Option<Hit>),
    Host(fn(&HostFacts) -> Option<Hit>),
}

/// A registered rule: its catalog id and its function.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

/// Every rule unroot knows, grouped by theme.
pub fn registry() -> impl Iterator<Item = &'static Rule> {
    cis::RULES
        .iter()
        .chain(escape::RULES)
        .chain(rootless::RULES)
        .chain(host::RULES)
}

// ------------------------------------------------------------------ shared helpers

pub use crate::model::{DOCKER_DEFAULT_CAPS, normalize_cap};

/// The capability was explicitly added (`--cap-add X` or `--cap-add ALL`).
pub fn cap_added(c: &Container, cap: &str) -> bool {
    c.capabilities.add_all || c.capabilities.added.iter().any(|a| normalize_cap(a) == cap)
}

/// The capability was dropped and not added back.
pub fn cap_dropped(c: &Container, cap: &str) -> bool {
    (c.capabilities.drop_all
        || c.capabilities
            .dropped
            .iter()
            .any(|d| normalize_cap(d) == cap))
        && !cap_added(c, cap)
}

/// The process holds the capability: privileged, explicitly added, or a default not dropped.
pub fn cap_effective(c: &Container, cap: &str) -> bool {
    c.privileged
        || cap_added(c, cap)
        || (DOCKER_DEFAULT_CAPS.contains(&cap) && !cap_dropped(c, cap))
}

/// Explicitly added capabilities, normalized, deduplicated, `ALL` first when present.
pub fn added_caps(c: &Container) -> Vec<String> {
    let mut caps: Vec<String> = c
        .capabilities
        .added
        .iter()
        .map(|a| normalize_cap(a))
        .collect();
    caps.retain(|cap| cap != "ALL");
    caps.sort();
    caps.dedup();
    if c.capabilities.add_all {
        caps.insert(0, "ALL".to_string());
    }
    caps
}

pub use crate::model::hardening::runs_as_root;

pub use crate::model::host_path::{BENIGN_READ_ONLY, clean_path, is_runtime_socket, path_under};

/// Host paths of bind mounts (volumes have names, not paths).
pub fn bind_mounts(c: &Container) -> impl Iterator<Item = &Mount> {
    c.mounts.iter().filter(|m| m.kind == MountKind::Bind)
}

/// Join items for a detail line: `a, b, c`.
pub fn join<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::testkit::ContainerBuilder;

    #[test]
    fn capability_names_are_normalized() {
        assert_eq!(normalize_cap("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_cap(" Net_Admin "), "NET_ADMIN");
        let c = ContainerBuilder::new("x").cap_add("cap_net_admin").build();
        assert!(cap_added(&c, "NET_ADMIN"));
        assert!(!cap_added(&c, "SYS_ADMIN"));
    }

    #[test]
    fn effective_caps_follow_defaults_drops_and_privileged() {
        let plain = ContainerBuilder::new("x").build();
        assert!(cap_effective(&plain, "NET_RAW"));
        assert!(!cap_effective(&plain, "SYS_ADMIN"));
        let dropped = ContainerBuilder::new("x").cap_drop("ALL").build();
        assert!(!cap_effective(&dropped, "NET_RAW"));
        let readded = ContainerBuilder::new("x")
            .cap_drop("ALL")
            .cap_add("NET_RAW")
            .build();
        assert!(cap_effective(&readded, "NET_RAW"));
        let privileged = ContainerBuilder::new("x").privileged().build();
        assert!(cap_effective(&privileged, "SYS_MODULE"));
    }

    #[test]
    fn root_users_in_every_spelling() {
        for raw in ["", "0", "root", "0:0", "root:root", "0:1000"] {
            let c = ContainerBuilder::new("x").user(raw).build();
            assert!(runs_as_root(&c), "{raw:?} is root");
        }
        for raw in ["1000", "1000:1000", "app", "nobody:nogroup"] {
            let c = ContainerBuilder::new("x").user(raw).build();
            assert!(!runs_as_root(&c), "{raw:?} is not root");
        }
    }

    #[test]
    fn paths_and_sockets() {
        assert!(path_under("/etc/shadow", "/etc"));
        assert!(path_under("/etc/", "/etc"));
        assert!(!path_under("/etcetera", "/etc"));
        assert!(path_under("/", "/"));
        assert!(!path_under("/srv", "/"));
        assert!(is_runtime_socket("/var/run/docker.sock"));
        assert!(is_runtime_socket("/run/containerd/containerd.sock"));
        assert!(is_runtime_socket("/run/"));
        assert!(!is_runtime_socket("/run/user/1000/app"));
    }
}
