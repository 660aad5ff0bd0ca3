//! Host-level checks that matter before and after the migration: Podman version, rootless
//! mode, networking (pasta's template interface, netavark's firewall tool, aardvark-dns),
//! subordinate IDs, cgroups, unprivileged ports. Pure functions.

use super::check::{Check, parse_version};
use super::expect::{Expectations, QUADLET_MIN_VERSION};
use super::facts::{ContainersConf, IdMapEntry, SubIdLine, TargetFacts};
use crate::plan::SubIdRange;

/// Whether the migration already happened: post-migration checks want the sysctl applied,
/// readiness accepts that migrate.sh will apply it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Before,
    After,
}

pub fn all(expect: &Expectations, facts: &TargetFacts, when: When) -> Vec<Check> {
    vec![
        podman_version(expect, facts),
        rootless(facts),
        service_user(expect, facts),
        network_backend(facts),
        rootless_network_cmd(facts),
        pasta_template(expect, facts),
        network_firewall(expect, facts),
        aardvark_dns(expect, facts),
        subids(expect, facts, IdKind::Uid),
        subids(expect, facts, IdKind::Gid),
        cgroups(expect, facts),
        unprivileged_ports(expect, facts, when),
    ]
}

pub fn podman_version(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "podman-version";
    let Some(found) = facts.podman_version.as_deref() else {
        return Check::fail(
            ID,
            "the service did not report its version",
            "check that the socket belongs to `podman system service`",
        );
    };
    let Some(have) = parse_version(found) else {
        return Check::fail(
            ID,
            format!("unreadable Podman version {found:?}"),
            "upgrade to a released Podman",
        );
    };
    let floor = parse_version(QUADLET_MIN_VERSION).expect("constant parses");
    let planned = parse_version(&expect.podman_version);
    let need = planned.map_or(floor, |p| p.max(floor));
    let need_text = if planned.is_some_and(|p| p >= floor) {
        format!("{} (the plan's target)", expect.podman_version)
    } else {
        format!("{QUADLET_MIN_VERSION} (quadlet)")
    };
    if have >= need {
        Check::pass(ID, format!("Podman {found} >= {need_text}"))
    } else {
        Check::fail(
            ID,
            format!("Podman {found} is older than {need_text}"),
            format!(
                "upgrade Podman on the target, or regenerate the plan with `--podman-version {}.{}`",
                have.0, have.1
            ),
        )
    }
}

pub fn rootless(facts: &TargetFacts) -> Check {
    const ID: &str = "rootless";
    match facts.rootless {
        Some(true) => Check::pass(ID, "the service runs rootless"),
        Some(false) => Check::fail(
            ID,
            "the service runs as root (rootful Podman)",
            "point --podman-socket at the target user's socket: \
             /run/user/UID/podman/podman.sock (`systemctl --user enable --now podman.socket`)",
        ),
        None => Check::fail(
            ID,
            "the service did not say whether it is rootless",
            "check that the socket belongs to `podman system service`",
        ),
    }
}

/// The socket must belong to the plan's user: the service's user namespace maps container
/// root to that user's UID.
pub fn service_user(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "service-user";
    let user = &expect.user;
    let owner = facts
        .uid_map
        .iter()
        .find(|m| m.container_id == 0)
        .map(|m| m.host_id);
    let Some(uid) = facts.host_files.users.get(user).copied() else {
        return Check::fail(
            ID,
            format!(
                "user {user} does not exist in {}/etc/passwd (read locally)",
                facts.host_files.root.trim_end_matches('/')
            ),
            format!(
                "create it: `useradd --create-home {user}` (migrate.sh does with create_user: true)"
            ),
        );
    };
    match owner {
        Some(owner) if owner == u64::from(uid) => {
            Check::pass(ID, format!("the service runs as {user} (UID {uid})"))
        }
        Some(owner) => {
            let name = facts
                .host_files
                .users
                .iter()
                .find(|(_, u)| u64::from(**u) == owner)
                .map_or_else(
                    || format!("UID {owner}"),
                    |(n, _)| format!("{n} (UID {owner})"),
                );
            Check::fail(
                ID,
                format!("the socket belongs to {name}, the plan's user is {user} (UID {uid})"),
                format!(
                    "use {user}'s socket: /run/user/{uid}/podman/podman.sock, or pass --user {}",
                    name.split(' ').next().unwrap_or_default()
                ),
            )
        }
        None => Check::fail(
            ID,
            "the service reports no user namespace mapping",
            "check that the socket belongs to a rootless `podman system service`",
        ),
    }
}

pub fn network_backend(facts: &TargetFacts) -> Check {
    const ID: &str = "network-backend";
    match facts.network_backend.as_deref() {
        Some("netavark") => Check::pass(ID, "network backend netavark"),
        Some("cni") => Check::warn(
            ID,
            "network backend CNI: deprecated, removed in Podman 5; shared networks may behave differently",
            "install netavark and aardvark-dns, then `podman system reset` (destroys local state) \
             or set `network_backend = \"netavark\"` in containers.conf before the migration",
        ),
        Some(other) => Check::fail(
            ID,
            format!("unknown network backend {other:?}"),
            "install netavark and aardvark-dns",
        ),
        None => Check::fail(
            ID,
            "the service did not report its network backend",
            "upgrade Podman to 4.4 or later",
        ),
    }
}

pub fn rootless_network_cmd(facts: &TargetFacts) -> Check {
    const ID: &str = "rootless-network-cmd";
    let set_pasta = "set `default_rootless_network_cmd = \"pasta\"` under [network] in \
                     ~/.config/containers/containers.conf and install the passt package";
    match facts.rootless_network_cmd.as_deref() {
        Some("pasta") => match &facts.pasta_executable {
            Some(exe) => Check::pass(
                ID,
                format!(
                    "default rootless network: pasta ({exe}, {})",
                    facts
                        .pasta_version
                        .as_deref()
                        .unwrap_or("version not reported")
                ),
            ),
            None => Check::fail(
                ID,
                "pasta is the default rootless network but the service found no pasta binary",
                "install the passt package",
            ),
        },
        Some(other) => Check::fail(
            ID,
            format!("default rootless network is {other}, the plan expects pasta"),
            set_pasta,
        ),
        None => Check::fail(
            ID,
            "the service does not report a rootless network command (Podman < 5.0 defaults to slirp4netns)",
            set_pasta,
        ),
    }
}

/// The containers.conf files that apply to the plan's user, in Podman's reading order
/// (system files, then the user's own): a later value of a key wins.
fn applying_conf<'a>(
    expect: &'a Expectations,
    facts: &'a TargetFacts,
) -> impl Iterator<Item = &'a ContainersConf> {
    facts
        .host_files
        .containers_conf
        .iter()
        .filter(|c| c.owner.is_none() || c.owner.as_deref() == Some(expect.user.as_str()))
}

/// pasta copies the addresses and routes of a template interface into each container: the
/// interface of the default route, unless `-i IFACE` is in `pasta_options`. With neither,
/// pasta takes some other interface (docker0 on a Docker host) and every container start
/// fails with "Couldn't set IPv4 route(s) in guest" (seen on a host without a network).
pub fn pasta_template(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "pasta-template";
    if expect.containers.is_empty() {
        return Check::pass(ID, "no containers planned");
    }
    if let Some((iface, path)) = applying_conf(expect, facts)
        .filter_map(|c| c.pasta_interface.as_ref().map(|i| (i, &c.path)))
        .last()
    {
        return Check::pass(
            ID,
            format!("pasta copies interface {iface} (-i in pasta_options, {path})"),
        );
    }
    match &facts.host_files.default_route_interfaces {
        Some(ifaces) if !ifaces.is_empty() => Check::pass(
            ID,
            format!(
                "pasta's template interface: {} (default route, read locally)",
                ifaces.join(", ")
            ),
        ),
        Some(_) => Check::fail(
            ID,
            "this host has no default route (read locally): pasta has no template interface, \
             so containers fail to start (\"Couldn't set IPv4 route(s) in guest\")",
            format!(
                "configure the host's network with a default route, or name the interface pasta \
                 should copy: `pasta_options = [\"-i\", \"IFACE\"]` under [network] in \
                 ~{}/.config/containers/containers.conf",
                expect.user
            ),
        ),
        None => Check::warn(
            ID,
            format!(
                "could not read the routing tables on this machine ({}): pasta's template interface is unknown",
                facts.host_files.errors.join("; ")
            ),
            "run unroot on the target host",
        ),
    }
}

/// Containers on a Podman network start only if netavark can program the firewall: its
/// driver's tool must be installed (`nft` for nftables, netavark's default on Debian;
/// `iptables`). debootstrap and `--no-install-recommends` leave nftables out.
pub fn network_firewall(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "network-firewall";
    if expect.networks.is_empty() {
        return Check::pass(
            ID,
            "the plan creates no Podman network (no firewall rules needed)",
        );
    }
    let configured = applying_conf(expect, facts)
        .filter_map(|c| {
            c.firewall_driver
                .as_ref()
                .map(|d| (d.as_str(), c.path.as_str()))
        })
        .last();
    let nets = expect
        .networks
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let (driver, origin) = match configured {
        Some((d, path)) => (d, format!("firewall_driver in {path}")),
        None => ("nftables", "netavark's default on Debian".to_string()),
    };
    let tool = match driver {
        "none" | "firewalld" => {
            return Check::pass(ID, format!("netavark firewall driver {driver} ({origin})"));
        }
        "nftables" => "nft",
        "iptables" => "iptables",
        other => {
            return Check::fail(
                ID,
                format!("unknown netavark firewall driver {other:?} ({origin})"),
                "set `firewall_driver` under [network] to nftables, iptables, firewalld or none",
            );
        }
    };
    if facts.host_files.firewall_tools.iter().any(|t| t == tool) {
        return Check::pass(
            ID,
            format!(
                "netavark firewall driver {driver} ({origin}): {tool} is installed (read locally)"
            ),
        );
    }
    let package = if tool == "nft" {
        "nftables"
    } else {
        "iptables"
    };
    Check::fail(
        ID,
        format!(
            "netavark's firewall driver is {driver} ({origin}) but `{tool}` is not installed (read locally):              containers on {nets} would fail to start"
        ),
        format!(
            "install the {package} package before the migration (Debian's netavark only recommends it)"
        ),
    )
}

/// Containers on a Podman network find each other by name through aardvark-dns.
pub fn aardvark_dns(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "aardvark-dns";
    if expect.networks.is_empty() {
        return Check::pass(
            ID,
            "the plan creates no Podman network (no container DNS needed)",
        );
    }
    match (&facts.aardvark_dns, &facts.host_files.aardvark_dns) {
        (Some(path), _) => Check::pass(
            ID,
            format!("aardvark-dns at {path} (reported by the service)"),
        ),
        (None, Some(path)) => Check::pass(ID, format!("aardvark-dns at {path} (read locally)")),
        (None, None) => Check::fail(
            ID,
            format!(
                "aardvark-dns is not installed: containers on {} could not reach each other by name",
                expect
                    .networks
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "install the aardvark-dns package",
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Uid,
    Gid,
}

impl IdKind {
    fn id(self) -> &'static str {
        match self {
            IdKind::Uid => "subuid",
            IdKind::Gid => "subgid",
        }
    }
}

/// The plan's range must be in `/etc/sub?id` for the user, not overlap anyone else's, and
/// be in effect in the running service's user namespace.
pub fn subids(expect: &Expectations, facts: &TargetFacts, kind: IdKind) -> Check {
    let id = kind.id();
    let file = format!("{}/etc/{id}", facts.host_files.root.trim_end_matches('/'));
    let user = &expect.user;
    let range = match kind {
        IdKind::Uid => expect.subid_range,
        IdKind::Gid => expect.subgid_range,
    };
    let Some(range) = range else {
        return Check::warn(
            id,
            format!("the plan allocates no {id} range to {user}"),
            "regenerate the plan (`unroot plan`) so the allocator assigns a range",
        );
    };
    let want = format!("{user}:{}:{}", range.start, range.count);
    let (lines, map) = match kind {
        IdKind::Uid => (&facts.host_files.subuid, &facts.uid_map),
        IdKind::Gid => (&facts.host_files.subgid, &facts.gid_map),
    };
    let add_line = format!(
        "add `{want}` to /etc/{id} (migrate.sh --apply does), then `podman system migrate` as {user}"
    );
    let Some(lines) = lines else {
        return Check::warn(
            id,
            format!(
                "{file} could not be read on this machine ({}); only the service's map was checked",
                facts.host_files.errors.join("; ")
            ),
            "run unroot as root or as the target user on the target host",
        );
    };
    let owner_uid = facts
        .uid_map
        .first()
        .filter(|m| m.container_id == 0)
        .map(|m| m.host_id.to_string());
    let is_user = |l: &SubIdLine| &l.owner == user || Some(&l.owner) == owner_uid.as_ref();
    let mine: Vec<&SubIdLine> = lines.iter().filter(|l| is_user(l)).collect();
    if mine.is_empty() {
        return Check::fail(
            id,
            format!("{file} has no range for {user} (read locally); the plan allocates {want}"),
            add_line,
        );
    }
    if !mine.iter().any(|l| covers(l.start, l.count, range)) {
        let have: Vec<String> = mine
            .iter()
            .map(|l| format!("{}:{}", l.start, l.count))
            .collect();
        return Check::fail(
            id,
            format!(
                "{file} gives {user} {} (read locally), not the plan's {}:{}",
                have.join(", "),
                range.start,
                range.count
            ),
            format!(
                "replace {user}'s line in /etc/{id} with `{want}`, or edit the plan's subid_ranges to match"
            ),
        );
    }
    if let Some(other) = lines
        .iter()
        .find(|l| !is_user(l) && overlaps(l.start, l.count, range))
    {
        return Check::fail(
            id,
            format!(
                "the plan's range {}:{} overlaps {}'s {}:{} in {file}: their containers could read each other's files",
                range.start, range.count, other.owner, other.start, other.count
            ),
            "allocate a free range: regenerate the plan, or move one of the ranges",
        );
    }
    if !map_covers(map, range) {
        return Check::fail(
            id,
            format!(
                "{file} has the range but the running service's user namespace does not map it ({})",
                describe_map(map)
            ),
            format!(
                "as {user}: `podman system migrate`, then restart the service (`systemctl --user restart podman.socket`)"
            ),
        );
    }
    Check::pass(
        id,
        format!("{want} in {file} (read locally) and in the service's user namespace"),
    )
}

fn covers(start: u64, count: u64, range: SubIdRange) -> bool {
    start <= range.start && range.start + range.count <= start + count
}

fn overlaps(start: u64, count: u64, range: SubIdRange) -> bool {
    start < range.start + range.count && range.start < start + count
}

/// The map entries after the user's own ID (container ID ≥ 1) cover the range.
fn map_covers(map: &[IdMapEntry], range: SubIdRange) -> bool {
    map.iter()
        .filter(|m| m.container_id >= 1)
        .any(|m| covers(m.host_id, m.size, range))
}

fn describe_map(map: &[IdMapEntry]) -> String {
    if map.is_empty() {
        return "no map reported".into();
    }
    map.iter()
        .map(|m| format!("{}->{}+{}", m.container_id, m.host_id, m.size))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn cgroups(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "cgroup";
    let needed = expect.needed_controllers();
    let version = facts.cgroup_version.as_deref().unwrap_or("unknown");
    if needed.is_empty() {
        return Check::pass(
            ID,
            format!("no resource limits in the plan (cgroup {version})"),
        );
    }
    let users: Vec<&str> = expect
        .containers
        .iter()
        .filter(|c| !c.controllers.is_empty())
        .map(|c| c.docker_name.as_str())
        .collect();
    if version != "v2" {
        return Check::fail(
            ID,
            format!(
                "cgroup {version}: rootless Podman cannot apply the limits of {}",
                users.join(", ")
            ),
            "boot the host with cgroup v2 (`systemd.unified_cgroup_hierarchy=1`), or drop the limits from those containers",
        );
    }
    let missing: Vec<&str> = needed
        .iter()
        .filter(|c| !facts.cgroup_controllers.contains(c))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Check::pass(
            ID,
            format!(
                "cgroup v2 with {} delegated (limits of {})",
                needed.iter().cloned().collect::<Vec<_>>().join(", "),
                users.join(", ")
            ),
        );
    }
    Check::fail(
        ID,
        format!(
            "controllers not delegated to {}: {} (have: {}); limits of {} would not apply",
            expect.user,
            missing.join(", "),
            if facts.cgroup_controllers.is_empty() {
                "none".into()
            } else {
                facts.cgroup_controllers.join(", ")
            },
            users.join(", ")
        ),
        "create /etc/systemd/system/user@.service.d/delegate.conf with `[Service]` \
         `Delegate=cpu cpuset io memory pids`, then `systemctl daemon-reload` and log the user in again",
    )
}

pub fn unprivileged_ports(expect: &Expectations, facts: &TargetFacts, when: When) -> Check {
    const ID: &str = "unprivileged-ports";
    let Some((low, owner)) = expect.lowest_host_port() else {
        return Check::pass(ID, "the plan publishes no host ports");
    };
    let Some(start) = facts.host_files.unprivileged_port_start else {
        return Check::warn(
            ID,
            format!(
                "could not read net.ipv4.ip_unprivileged_port_start on this machine ({})",
                facts.host_files.errors.join("; ")
            ),
            "run unroot on the target host",
        );
    };
    let sysctl = format!(
        "`sysctl -w net.ipv4.ip_unprivileged_port_start={low}` and keep it in /etc/sysctl.d/ \
         (the generated sysctl.d file), or remap the port in the plan"
    );
    if low >= start {
        return Check::pass(
            ID,
            format!(
                "lowest planned host port {low} >= ip_unprivileged_port_start {start} (read locally)"
            ),
        );
    }
    let msg = format!(
        "host port {low} of {} is below ip_unprivileged_port_start {start} (read locally): pasta cannot bind it",
        owner.docker_name
    );
    match (when, owner.sysctl_policy) {
        (When::Before, true) => Check::warn(
            ID,
            format!("{msg} until migrate.sh applies the plan's sysctl policy"),
            sysctl,
        ),
        _ => Check::fail(ID, msg, sysctl),
    }
}
