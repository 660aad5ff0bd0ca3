//! The one host-path policy: may migrate.sh hand a bind-mount source over to the rootless
//! user (`chown -R`, or Podman's `:U`), and if not, why not.
//!
//! migrate.sh runs as root on production hosts, so the policy denies by default: only a
//! path that is plainly one application's own data directory is [`PathClass::Application`].
//! Everything the host itself uses is [`PathClass::System`]; a path another container also
//! writes, or reads as a non-root user (the same directory, or one inside the other), and a
//! location unroot does not recognise are [`PathClass::Shared`]. The generator, the risk rules, migrate.sh and REPORT.md all ask
//! this module; none keeps its own list.

use std::collections::BTreeMap;

use super::{Container, Inventory, MountKind};

/// What a bind-mount source is to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathClass {
    /// Owned by this application alone: safe to hand over to the rootless user.
    Application,
    /// Shared with the host or with another container: never chowned.
    Shared,
    /// A system directory, socket or device: never chowned.
    System,
}

/// Why a path is not (or is) an application's own directory; the wording completes
/// "bind mount `PATH` is ...".
pub mod reason {
    pub const INVALID: &str = "not an absolute, normalized path";
    pub const SOCKET: &str = "a daemon socket: handing it to the user would give away its power";
    pub const SYSTEM: &str = "a system path: changing its owner would break the host";
    pub const HOST_SERVICES: &str = "a directory the host's own services use (web root, spool, mail, logs, caches): changing its owner would break them";
    pub const RUNTIME: &str = "container runtime or orchestrator state: changing its owner would break every container on the host";
    pub const TEMP: &str = "a temporary directory every user of the host writes to";
    pub const TOP_LEVEL: &str = "a top-level directory shared by the whole host";
    pub const HOME: &str = "a user's home directory";
    pub const USER_CONFIG: &str =
        "a user's configuration or credentials (a dot-directory of a home directory)";
    pub const UNRECOGNISED: &str = "not a recognised application data directory (/srv/APP, /data/APP, /opt/APP/..., /var/lib/APP, /home/USER/..., /mnt/DISK/APP): it may be shared with the host";
    pub const OTHER_CONTAINERS: &str = "also used by other containers";
    pub const APPLICATION: &str = "an application's own data directory";
}

/// One system tree: the path, why it is never handed over, and what the CIS sensitive-mount
/// check (5.6) makes of a container that binds it.
struct Tree {
    path: &'static str,
    reason: &'static str,
    /// CIS 5.6 "sensitive host system directory": any mount of it (or below) is a finding.
    sensitive: bool,
    /// Writing below it is a direct host takeover (the finding becomes critical).
    critical_when_writable: bool,
}

const fn tree(path: &'static str, reason: &'static str) -> Tree {
    Tree {
        path,
        reason,
        sensitive: false,
        critical_when_writable: false,
    }
}

/// Sensitive for CIS 5.6, critical when writable.
const fn crit(path: &'static str, reason: &'static str) -> Tree {
    Tree {
        path,
        reason,
        sensitive: true,
        critical_when_writable: true,
    }
}

/// Sensitive for CIS 5.6, not critical when writable.
const fn sens(path: &'static str, reason: &'static str) -> Tree {
    Tree {
        path,
        reason,
        sensitive: true,
        critical_when_writable: false,
    }
}

use reason::{HOST_SERVICES, RUNTIME, SYSTEM, TEMP};

/// Host directories (and everything below them) that are never handed over.
const SYSTEM_TREES: &[Tree] = &[
    crit("/etc", SYSTEM),
    crit("/usr", SYSTEM),
    crit("/bin", SYSTEM),
    crit("/sbin", SYSTEM),
    crit("/lib", SYSTEM),
    sens("/lib64", SYSTEM),
    tree("/lib32", SYSTEM),
    tree("/libx32", SYSTEM),
    crit("/boot", SYSTEM),
    tree("/efi", SYSTEM),
    crit("/root", SYSTEM),
    sens("/dev", SYSTEM),
    tree("/proc", SYSTEM),
    tree("/sys", SYSTEM),
    tree("/run", SYSTEM),
    tree("/var/run", SYSTEM),
    tree("/var/lock", SYSTEM),
    tree("/snap", SYSTEM),
    tree("/nix", SYSTEM),
    tree("/lost+found", SYSTEM),
    tree("/var/spool", HOST_SERVICES),
    tree("/var/mail", HOST_SERVICES),
    tree("/var/www", HOST_SERVICES),
    tree("/var/log", HOST_SERVICES),
    tree("/var/cache", HOST_SERVICES),
    tree("/var/backups", HOST_SERVICES),
    tree("/var/crash", HOST_SERVICES),
    tree("/var/opt", HOST_SERVICES),
    tree("/var/local", HOST_SERVICES),
    tree("/var/games", HOST_SERVICES),
    tree("/var/yp", HOST_SERVICES),
    tree("/tmp", TEMP),
    tree("/var/tmp", TEMP),
    crit("/var/lib/docker", RUNTIME),
    sens("/var/lib/containerd", RUNTIME),
    sens("/var/lib/kubelet", RUNTIME),
    sens("/var/lib/containers", RUNTIME),
];

/// `/var/lib/NAME` directories of the host's own services and package managers (beyond the
/// runtimes in [`SYSTEM_TREES`]): never an application's data even though they look like it.
const VAR_LIB_SYSTEM: &[(&str, &str)] = &[
    ("cni", RUNTIME),
    ("etcd", RUNTIME),
    ("rancher", RUNTIME),
    ("k0s", RUNTIME),
    ("k3s", RUNTIME),
    ("lxc", RUNTIME),
    ("lxd", RUNTIME),
    ("incus", RUNTIME),
    ("libvirt", RUNTIME),
    ("machines", RUNTIME),
    ("podman", RUNTIME),
    ("buildkit", RUNTIME),
    ("docker-engine", RUNTIME),
    ("nerdctl", RUNTIME),
    ("systemd", SYSTEM),
    ("dpkg", SYSTEM),
    ("apt", SYSTEM),
    ("aptitude", SYSTEM),
    ("rpm", SYSTEM),
    ("dnf", SYSTEM),
    ("yum", SYSTEM),
    ("pacman", SYSTEM),
    ("snapd", SYSTEM),
    ("flatpak", SYSTEM),
    ("dbus", SYSTEM),
    ("polkit-1", SYSTEM),
    ("sudo", SYSTEM),
    ("pam", SYSTEM),
    ("private", SYSTEM),
    ("NetworkManager", SYSTEM),
    ("dhcp", SYSTEM),
    ("dhclient", SYSTEM),
    ("ucf", SYSTEM),
    ("os-prober", SYSTEM),
    ("sss", SYSTEM),
    ("tpm", SYSTEM),
    ("AccountsService", SYSTEM),
    ("cloud", SYSTEM),
    ("nfs", SYSTEM),
    ("logrotate", SYSTEM),
    ("man-db", SYSTEM),
    ("PackageKit", SYSTEM),
    ("fwupd", SYSTEM),
    ("misc", SYSTEM),
    ("grub", SYSTEM),
    ("initramfs-tools", SYSTEM),
    ("selinux", SYSTEM),
    ("alternatives", SYSTEM),
    ("authselect", SYSTEM),
    ("chrony", SYSTEM),
    ("ntp", SYSTEM),
    ("ubuntu-advantage", SYSTEM),
    ("update-notifier", SYSTEM),
];

/// Read-only mounts of these are the common, harmless time-zone idiom.
pub const BENIGN_READ_ONLY: &[&str] = &["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"];

/// The verdict on one bind-mount source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathVerdict {
    pub class: PathClass,
    /// Why, completing "bind mount `PATH` is ..." (see [`reason`]).
    pub reason: &'static str,
    /// Other containers that write to this path, to one inside it or one around it, or read
    /// it as a non-root user (sorted).
    pub shared_with: Vec<String>,
}

impl PathVerdict {
    fn of(class: PathClass, reason: &'static str) -> Self {
        Self {
            class,
            reason,
            shared_with: Vec::new(),
        }
    }

    /// Only an application's own directory may be handed over.
    pub fn may_hand_over(&self) -> bool {
        self.class == PathClass::Application
    }

    /// Why the path must not be handed over, `None` when it may be.
    pub fn refusal(&self) -> Option<&'static str> {
        (!self.may_hand_over()).then_some(self.reason)
    }

    /// The reason for a person: names the other containers of a shared source.
    pub fn explain(&self) -> String {
        if self.shared_with.is_empty() {
            self.reason.to_owned()
        } else {
            format!("{} ({})", self.reason, self.shared_with.join(", "))
        }
    }
}

/// Collapse repeated and trailing slashes (`//etc/` -> `/etc`), keeping `/` itself.
pub fn clean_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() && path.starts_with('/') {
        "/"
    } else {
        trimmed
    }
}

/// `path` is `dir` or below it. Both are compared without trailing slashes.
pub fn path_under(path: &str, dir: &str) -> bool {
    let path = clean_path(path);
    let dir = clean_path(dir);
    if dir == "/" {
        return path == "/";
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A container runtime API socket, or a directory that contains one.
pub fn is_runtime_socket(path: &str) -> bool {
    const SOCKETS: &[&str] = &[
        "docker.sock",
        "containerd.sock",
        "podman.sock",
        "crio.sock",
        "dockershim.sock",
        "cri-dockerd.sock",
    ];
    const SOCKET_DIRS: &[&str] = &[
        "/run",
        "/var/run",
        "/run/docker",
        "/var/run/docker",
        "/run/containerd",
        "/var/run/containerd",
        "/run/podman",
        "/var/run/podman",
        "/run/crio",
        "/var/run/crio",
    ];
    let path = clean_path(path);
    let name = path.rsplit('/').next().unwrap_or(path);
    SOCKETS.contains(&name) || SOCKET_DIRS.contains(&path)
}

/// CIS 5.6: a sensitive host system directory (or something below it); not the runtime
/// sockets, which have their own check.
pub fn is_sensitive(path: &str) -> bool {
    SYSTEM_TREES
        .iter()
        .any(|t| t.sensitive && path_under(path, t.path))
}

/// A writable mount of this path is a direct host takeover.
pub fn is_critical_when_writable(path: &str) -> bool {
    SYSTEM_TREES
        .iter()
        .any(|t| t.critical_when_writable && path_under(path, t.path))
}

/// The path as components when it is absolute and has no `.`/`..` parts (`//a/b/` is
/// `["a", "b"]`); `None` otherwise.
fn components(path: &str) -> Option<Vec<&str>> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| matches!(*p, "." | "..")) {
        return None;
    }
    Some(parts)
}

/// The normalized form (`//srv/app/` -> `/srv/app`), `None` for a relative path or one with
/// `.`/`..` components.
pub fn normalize(path: &str) -> Option<String> {
    components(path).map(|parts| format!("/{}", parts.join("/")))
}

/// The verdict from the path alone, without looking at other containers: what migrate.sh
/// checks again before every chown (defence in depth).
pub fn classify_path(path: &str) -> PathVerdict {
    use PathClass::{Application, Shared, System};
    let Some(parts) = components(path) else {
        return PathVerdict::of(System, reason::INVALID);
    };
    let p = format!("/{}", parts.join("/"));
    let name = parts.last().copied().unwrap_or("");
    if name.ends_with(".sock") || is_runtime_socket(&p) {
        return PathVerdict::of(System, reason::SOCKET);
    }
    if let Some(t) = SYSTEM_TREES.iter().find(|t| path_under(&p, t.path)) {
        return PathVerdict::of(System, t.reason);
    }
    match parts.as_slice() {
        [] | [_] | ["var", "lib"] => PathVerdict::of(System, reason::TOP_LEVEL),
        ["home", _] => PathVerdict::of(System, reason::HOME),
        ["home", _, dot, ..] if dot.starts_with('.') => {
            PathVerdict::of(System, reason::USER_CONFIG)
        }
        ["var", "lib", app, ..] => match VAR_LIB_SYSTEM.iter().find(|(n, _)| n == app) {
            Some((_, why)) => PathVerdict::of(System, why),
            None => PathVerdict::of(Application, reason::APPLICATION),
        },
        ["srv" | "data", _, ..] | ["opt", _, _, ..] | ["home", _, _, ..] | ["mnt", _, _, ..] => {
            PathVerdict::of(Application, reason::APPLICATION)
        }
        _ => PathVerdict::of(Shared, reason::UNRECOGNISED),
    }
}

/// Why migrate.sh must not chown `path`, or `None` when it may (path alone).
pub fn chown_refusal(path: &str) -> Option<&'static str> {
    classify_path(path).refusal()
}

/// Two containers writing to one host directory (or one inside the other) as different
/// users: no single owner serves both once the data is handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerConflict {
    /// The bind source of the container asked about.
    pub path: String,
    pub user: String,
    pub other_container: String,
    pub other_path: String,
    pub other_user: String,
}

/// The policy with the whole inventory in view: built once, then asked per bind source.
/// Lookups walk the path's ancestors and the sorted range of its descendants, so a host
/// with many containers costs `O(depth · log n)` per question, not a scan of every mount.
#[derive(Debug)]
pub struct HostPathPolicy<'a> {
    /// Normalized bind source -> the containers whose access a hand-over would change:
    /// every writer, and readers that do not run as root (root keeps reading whatever the
    /// owner: host root under Docker, namespace root under the same rootless user).
    binds: BTreeMap<String, Vec<&'a str>>,
    /// The Docker root directory: its state is never an application's data.
    docker_root: Option<String>,
}

/// The identity that owns what a container writes: `0` for root, else the user part of
/// `Config.User` (the group does not decide who may write a file the user owns).
fn writer(c: &Container) -> String {
    let user = c.user.raw.split(':').next().unwrap_or("").trim();
    if c.user.is_root || matches!(user, "" | "0" | "root") {
        "0".to_owned()
    } else {
        user.to_owned()
    }
}

impl<'a> HostPathPolicy<'a> {
    pub fn new(inventory: &'a Inventory) -> Self {
        let mut binds: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
        for c in &inventory.containers {
            let root = writer(c) == "0";
            for m in c
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Bind && (!m.read_only || !root))
            {
                let Some(path) = normalize(&m.source) else {
                    continue;
                };
                binds.entry(path).or_default().push(&c.name);
            }
        }
        let docker_root = inventory
            .host
            .docker_root_dir
            .as_deref()
            .and_then(normalize)
            .filter(|r| r != "/");
        Self { binds, docker_root }
    }

    /// Every other container's use of `path`, of a directory above it or of one below it.
    fn others_on(&self, container: &str, path: &str) -> Vec<&'a str> {
        let mut found = Vec::new();
        let mut ancestor = path;
        loop {
            // A container that binds the host's `/`, `/srv` or `/home` sees every application
            // directory below it; counting it would leave nothing to hand over (the CIS mount
            // rules report such a container instead).
            let system_above =
                ancestor != path && classify_path(ancestor).class == PathClass::System;
            if let Some(names) = self.binds.get(ancestor).filter(|_| !system_above) {
                found.extend(names.iter().copied());
            }
            match ancestor.rfind('/') {
                Some(0) if ancestor != "/" => ancestor = "/",
                Some(i) if i > 0 => ancestor = &ancestor[..i],
                _ => break,
            }
        }
        let below = if path == "/" {
            "/".to_owned()
        } else {
            format!("{path}/")
        };
        for (p, uses) in self.binds.range(below.clone()..) {
            if !p.starts_with(&below) {
                break;
            }
            found.extend(uses.iter().copied());
        }
        found.retain(|name| *name != container);
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The verdict on `source`, bound by `container`: the path's own class, then the Docker
    /// root, then the other containers that share it.
    pub fn decide(&self, container: &str, source: &str) -> PathVerdict {
        let verdict = classify_path(source);
        if verdict.class == PathClass::System {
            return verdict;
        }
        let Some(path) = normalize(source) else {
            return verdict;
        };
        if let Some(root) = &self.docker_root
            && (path_under(&path, root) || path_under(root, &path))
        {
            return PathVerdict::of(PathClass::System, reason::RUNTIME);
        }
        let others: Vec<String> = self
            .others_on(container, &path)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if others.is_empty() {
            return verdict;
        }
        PathVerdict {
            class: PathClass::Shared,
            reason: reason::OTHER_CONTAINERS,
            shared_with: others,
        }
    }
}

/// One path is the other or inside it, where the outer one is not a system directory such
/// as `/` or `/srv` (see [`HostPathPolicy`]: those see everything below them).
fn overlaps(a: &str, b: &str) -> bool {
    if !(a.starts_with(b) || b.starts_with(a)) {
        return false; // the common case, decided without looking at components
    }
    a == b
        || (path_under(a, b) && classify_path(b).class != PathClass::System)
        || (path_under(b, a) && classify_path(a).class != PathClass::System)
}

/// Sources `c` writes to that another container also writes to (the same directory, or one
/// inside the other) as a different user, one entry per (source, other container's source).
///
/// The risk rules ask this per container, so it is one pass over the inventory's mounts
/// with no allocation until an overlap is found (Docker reports bind sources normalized;
/// trailing slashes are ignored).
pub fn owner_conflicts(inventory: &Inventory, c: &Container) -> Vec<OwnerConflict> {
    let writable = |m: &&super::Mount| m.kind == MountKind::Bind && !m.read_only;
    let mine: Vec<&str> = c
        .mounts
        .iter()
        .filter(writable)
        .map(|m| clean_path(&m.source))
        .filter(|p| p.starts_with('/'))
        .collect();
    let mut out: Vec<OwnerConflict> = Vec::new();
    if mine.is_empty() {
        return out;
    }
    let me = writer(c);
    for other in inventory.containers.iter().filter(|o| o.name != c.name) {
        for theirs in other
            .mounts
            .iter()
            .filter(writable)
            .map(|m| clean_path(&m.source))
        {
            for path in mine.iter().filter(|p| overlaps(p, theirs)) {
                let them = writer(other);
                if them == me {
                    continue;
                }
                let conflict = OwnerConflict {
                    path: (*path).to_owned(),
                    user: me.clone(),
                    other_container: other.name.clone(),
                    other_path: theirs.to_owned(),
                    other_user: them,
                };
                if !out.contains(&conflict) {
                    out.push(conflict);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mount, UserSpec};
    use PathClass::{Application, Shared, System};

    /// Each path alone: the class and, for refusals, the reason.
    #[test]
    fn path_policy_table() {
        let table: &[(&str, PathClass, &str)] = &[
            // The defect: host service directories were chowned.
            ("/var/spool", System, reason::HOST_SERVICES),
            ("/var/spool/cron", System, reason::HOST_SERVICES),
            ("/var/mail", System, reason::HOST_SERVICES),
            ("/var/www", System, reason::HOST_SERVICES),
            ("/var/www/html", System, reason::HOST_SERVICES),
            ("/var/log", System, reason::HOST_SERVICES),
            ("/var/log/nginx", System, reason::HOST_SERVICES),
            ("/var/cache/apt", System, reason::HOST_SERVICES),
            ("/var/lib/kubelet", System, reason::RUNTIME),
            ("/var/lib/kubelet/pods", System, reason::RUNTIME),
            ("/var/lib/containerd", System, reason::RUNTIME),
            ("/var/lib/docker/volumes/x/_data", System, reason::RUNTIME),
            ("/var/lib/containers", System, reason::RUNTIME),
            ("/var/lib/systemd", System, reason::SYSTEM),
            ("/var/lib/dpkg", System, reason::SYSTEM),
            ("/var/lib/apt/lists", System, reason::SYSTEM),
            ("/var/lib/cni", System, reason::RUNTIME),
            ("/etc", System, reason::SYSTEM),
            ("/etc/ssl", System, reason::SYSTEM),
            ("/etc/localtime", System, reason::SYSTEM),
            ("/usr/share/zoneinfo", System, reason::SYSTEM),
            ("/root/.ssh", System, reason::SYSTEM),
            ("/boot", System, reason::SYSTEM),
            ("/run/dbus", System, reason::SYSTEM),
            ("/dev/shm", System, reason::SYSTEM),
            ("/dev/ttyUSB0", System, reason::SYSTEM),
            ("/proc", System, reason::SYSTEM),
            ("/tmp", System, reason::TEMP),
            ("/tmp/app", System, reason::TEMP),
            ("/var/tmp/x", System, reason::TEMP),
            ("/var/run/docker.sock", System, reason::SOCKET),
            ("/run/docker.sock", System, reason::SOCKET),
            ("/srv/app/agent.sock", System, reason::SOCKET),
            ("/", System, reason::TOP_LEVEL),
            ("//", System, reason::TOP_LEVEL),
            ("/home", System, reason::TOP_LEVEL),
            ("/srv", System, reason::TOP_LEVEL),
            ("/srv/", System, reason::TOP_LEVEL),
            ("/data", System, reason::TOP_LEVEL),
            ("/opt", System, reason::TOP_LEVEL),
            ("/mnt", System, reason::TOP_LEVEL),
            ("/var", System, reason::TOP_LEVEL),
            ("/var/lib", System, reason::TOP_LEVEL),
            ("/home/alice", System, reason::HOME),
            ("/home/alice/", System, reason::HOME),
            ("/home/alice/.ssh", System, reason::USER_CONFIG),
            ("/home/alice/.config/app", System, reason::USER_CONFIG),
            ("/opt/app/../../etc", System, reason::INVALID),
            ("/srv/./app", System, reason::INVALID),
            ("relative/path", System, reason::INVALID),
            ("", System, reason::INVALID),
            // Not plainly one application's: may be shared with the host.
            ("/opt/app", Shared, reason::UNRECOGNISED),
            ("/mnt/media", Shared, reason::UNRECOGNISED),
            ("/media/usb/photos", Shared, reason::UNRECOGNISED),
            ("/backup/db", Shared, reason::UNRECOGNISED),
            ("/var/app", Shared, reason::UNRECOGNISED),
            // An application's own data.
            ("/srv/traefik/acme", Application, reason::APPLICATION),
            ("/srv/www data", Application, reason::APPLICATION),
            ("/srv/app", Application, reason::APPLICATION),
            ("//srv//app/", Application, reason::APPLICATION),
            ("/data/app", Application, reason::APPLICATION),
            ("/opt/app/data", Application, reason::APPLICATION),
            ("/home/alice/media", Application, reason::APPLICATION),
            (
                "/home/alice/stacks/app/data",
                Application,
                reason::APPLICATION,
            ),
            ("/var/lib/grafana", Application, reason::APPLICATION),
            ("/var/lib/postgresql/data", Application, reason::APPLICATION),
            ("/mnt/data/nextcloud", Application, reason::APPLICATION),
        ];
        for (path, class, why) in table {
            let v = classify_path(path);
            assert_eq!((v.class, v.reason), (*class, *why), "{path:?}");
            assert_eq!(
                chown_refusal(path).is_none(),
                *class == Application,
                "{path:?}"
            );
        }
    }

    #[test]
    fn sensitive_and_critical_trees_for_the_cis_check() {
        for p in ["/etc/ssl", "/dev", "/var/lib/kubelet", "/lib64", "/root"] {
            assert!(is_sensitive(p), "{p}");
        }
        for p in ["/var/log", "/tmp", "/run/dbus", "/srv/app", "/proc"] {
            assert!(!is_sensitive(p), "{p}");
        }
        assert!(is_critical_when_writable("/etc/cron.d"));
        assert!(!is_critical_when_writable("/var/lib/kubelet"));
        assert!(path_under("/etc/", "/etc") && !path_under("/etcetera", "/etc"));
        assert!(path_under("/", "/") && !path_under("/srv", "/"));
    }

    fn container(name: &str, user: &str, binds: &[(&str, bool)]) -> Container {
        Container {
            name: name.into(),
            user: UserSpec {
                raw: user.into(),
                is_root: matches!(user, "" | "0" | "root" | "0:0"),
                ..Default::default()
            },
            mounts: binds
                .iter()
                .map(|(src, ro)| Mount {
                    kind: MountKind::Bind,
                    source: (*src).into(),
                    destination: "/d".into(),
                    read_only: *ro,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn inventory(containers: Vec<Container>) -> Inventory {
        Inventory {
            containers,
            ..Default::default()
        }
    }

    /// The same path, one inside the other in both directions, and the Docker root.
    #[test]
    fn sources_bound_by_two_containers_are_shared() {
        let mut inv = inventory(vec![
            container(
                "app",
                "1000",
                &[("/srv/app/data", false), ("/srv/own", false)],
            ),
            container("worker", "2000:2000", &[("/srv/app/data/", false)]),
            container("backup", "0:0", &[("/srv/app", true), ("/srv", true)]),
            container("viewer", "3000", &[("/srv/app", true)]),
            container("indexer", "1000", &[("/srv/own/sub", true)]),
            container(
                "alone",
                "",
                &[("/srv/alone", false), ("/data/docker/x", false)],
            ),
        ]);
        inv.host.docker_root_dir = Some("/data/docker".into());
        let policy = HostPathPolicy::new(&inv);
        let v = policy.decide("app", "/srv/app/data");
        assert_eq!(v.class, Shared);
        // A root reader (backup) keeps reading after a hand-over; a non-root one does not.
        assert_eq!(v.shared_with, ["viewer", "worker"]);
        assert!(v.explain().contains("(viewer, worker)"), "{}", v.explain());
        assert_eq!(
            policy.decide("backup", "/srv/app").shared_with,
            ["app", "viewer", "worker"]
        );
        assert_eq!(policy.decide("app", "/srv/own").shared_with, ["indexer"]);
        // Below the backup's read-only /srv, but a root reader changes nothing.
        assert_eq!(policy.decide("alone", "/srv/alone").class, Application);
        // A writer of the host's / or /srv does not make every directory below it shared.
        let mut inv = inventory(vec![
            container("app", "1000", &[("/srv/app", false)]),
            container("admin", "1000", &[("/", false), ("/srv", false)]),
        ]);
        assert_eq!(
            HostPathPolicy::new(&inv).decide("app", "/srv/app").class,
            Application
        );
        inv.containers[1].mounts[1].source = "/srv/app/sub".into();
        assert_eq!(
            HostPathPolicy::new(&inv).decide("app", "/srv/app").class,
            Shared
        );
        assert_eq!(
            policy.decide("alone", "/data/docker/x"),
            PathVerdict::of(System, reason::RUNTIME)
        );
        // System stays System, whoever else binds it.
        assert_eq!(policy.decide("app", "/etc").class, System);
    }

    /// Two writers with different users conflict; a reader or the same user does not.
    #[test]
    fn different_writers_on_one_source_conflict() {
        let inv = inventory(vec![
            container("app", "1000", &[("/srv/shared", false)]),
            container("worker", "2000:2000", &[("/srv/shared/jobs", false)]),
            container("twin", "1000:1000", &[("/srv/shared", false)]),
            container("reader", "3000", &[("/srv/shared", true)]),
        ]);
        let conflicts = owner_conflicts(&inv, &inv.containers[0]);
        assert_eq!(
            conflicts,
            [OwnerConflict {
                path: "/srv/shared".into(),
                user: "1000".into(),
                other_container: "worker".into(),
                other_path: "/srv/shared/jobs".into(),
                other_user: "2000".into(),
            }]
        );
        assert!(owner_conflicts(&inv, &inv.containers[3]).is_empty());
        assert_eq!(owner_conflicts(&inv, &inv.containers[1]).len(), 2);
        // A root writer of the host's / or /srv is no owner conflict for what is below.
        let root_writer = container("admin", "0", &[("/", false), ("/srv", false)]);
        let inv = inventory(vec![inv.containers[0].clone(), root_writer]);
        assert!(owner_conflicts(&inv, &inv.containers[0]).is_empty());
        assert!(owner_conflicts(&inv, &inv.containers[1]).is_empty());
    }
}
