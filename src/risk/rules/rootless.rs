//! What stops a container from running under rootless Podman as is (`blocker`), or what has
//! to change first (`change`). Security severity is `info` unless stated: the security side
//! of the same settings is reported by the CIS and escape rules.

use crate::model::host_path;
use crate::model::{
    CgroupVersion, IdOrName, MountKind, NamespaceMode, NetworkMode, RestartPolicyName,
};
use crate::risk::Migration;

use super::{
    BENIGN_READ_ONLY, Check, Ctx, Hit, Rule, added_caps, bind_mounts, cap_effective, clean_path,
    is_runtime_socket, join, path_under,
};

pub const RULES: &[Rule] = &[
    Rule {
        id: "host-network-low-port",
        check: Check::Container(host_network_low_port),
    },
    Rule {
        id: "host-only-capability",
        check: Check::Container(host_only_capability),
    },
    Rule {
        id: "namespaced-capability",
        check: Check::Container(namespaced_capability),
    },
    Rule {
        id: "host-monitoring-agent",
        check: Check::Container(host_monitoring_agent),
    },
    Rule {
        id: "macvlan-network",
        check: Check::Container(macvlan_network),
    },
    Rule {
        id: "high-uid",
        check: Check::Container(high_uid),
    },
    Rule {
        id: "cgroup-limits-rootless",
        check: Check::Container(cgroup_limits_rootless),
    },
    Rule {
        id: "ulimit-above-hard-limit",
        check: Check::Container(ulimit_above_hard_limit),
    },
    Rule {
        id: "unnamespaced-sysctl",
        check: Check::Container(unnamespaced_sysctl),
    },
    Rule {
        id: "restart-needs-lingering",
        check: Check::Container(restart_needs_lingering),
    },
    Rule {
        id: "bind-mount-ownership",
        check: Check::Container(bind_mount_ownership),
    },
    Rule {
        id: "bind-owner-conflict",
        check: Check::Container(bind_owner_conflict),
    },
    Rule {
        id: "named-volume-data",
        check: Check::Container(named_volume_data),
    },
];

pub use crate::model::UNPRIVILEGED_PORT_START;

/// Capabilities acting on host-wide state that a user namespace cannot reach.
const HOST_ONLY_CAPS: &[&str] = &[
    "SYS_MODULE",
    "SYS_TIME",
    "SYS_RAWIO",
    "SYS_BOOT",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
];

/// Capabilities that still work rootless, but only on namespaces the user owns.
const NAMESPACED_CAPS: &[&str] = &[
    "NET_ADMIN",
    "SYS_ADMIN",
    "SYS_PTRACE",
    "SYS_NICE",
    "SYS_RESOURCE",
    "IPC_LOCK",
    "SYS_PACCT",
    "BPF",
    "PERFMON",
];

/// With `--network host` the container binds on the host itself: exposed low ports fail.
fn host_network_low_port(ctx: &Ctx) -> Option<Hit> {
    if ctx.container.network_mode != NetworkMode::Host {
        return None;
    }
    let image_ports = ctx
        .image
        .map(|i| i.exposed_ports.as_slice())
        .unwrap_or_default();
    let mut low: Vec<u16> = ctx
        .container
        .exposed_ports
        .iter()
        .chain(image_ports)
        .map(|p| p.port)
        .filter(|p| *p < UNPRIVILEGED_PORT_START)
        .collect();
    low.sort_unstable();
    low.dedup();
    (!low.is_empty()).then(|| {
        Hit::new(format!(
            "host network and listens on {}",
            join(low.iter().map(u16::to_string))
        ))
    })
}

fn host_only_capability(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged {
        return None; // `privileged` is the blocker that says it all.
    }
    let caps: Vec<String> = if c.capabilities.add_all {
        vec!["ALL (includes SYS_MODULE, SYS_TIME, ...)".to_string()]
    } else {
        added_caps(c)
            .into_iter()
            .filter(|cap| HOST_ONLY_CAPS.contains(&cap.as_str()))
            .collect()
    };
    (!caps.is_empty()).then(|| Hit::new(format!("cap-add {}", join(&caps))))
}

fn namespaced_capability(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged || c.capabilities.add_all {
        return None;
    }
    let caps: Vec<String> = added_caps(c)
        .into_iter()
        .filter(|cap| NAMESPACED_CAPS.contains(&cap.as_str()))
        .collect();
    if caps.is_empty() {
        return None;
    }
    // NET_ADMIN on the host network means reconfiguring the host's interfaces: that
    // cannot be done from a user namespace at all.
    if c.network_mode == NetworkMode::Host && caps.iter().any(|cap| cap == "NET_ADMIN") {
        return Some(
            Hit::new(format!(
                "cap-add {} with --network host: host interfaces and firewall are out of reach",
                join(&caps)
            ))
            .migration(Migration::Blocker),
        );
    }
    Some(Hit::new(format!("cap-add {}", join(&caps))))
}

/// A host-monitoring agent (node-exporter, cAdvisor, a security or APM agent): it sees every
/// host process (`--pid host` with SYS_PTRACE, or `--privileged`) and reads the host itself
/// (`/`, `/proc` or `/sys` of the host mounted). Rootless, both halves shrink to what the
/// user owns, which is exactly what such an agent exists to see past: a blocker for this
/// migration, not a change (the catalog names the alternatives: stay rootful).
fn host_monitoring_agent(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    let sees_processes = if c.privileged {
        "--privileged"
    } else if c.pid_mode == NamespaceMode::Host && cap_effective(c, "SYS_PTRACE") {
        "--pid host with SYS_PTRACE"
    } else {
        return None;
    };
    let host_views: Vec<String> = bind_mounts(c)
        .filter_map(|m| {
            let source = clean_path(&m.source);
            matches!(source, "/" | "/proc" | "/sys")
                .then(|| format!("host {source} at {}", m.destination))
        })
        .collect();
    (!host_views.is_empty()).then(|| {
        Hit::new(format!(
            "{sees_processes}, {}: it monitors the host as root",
            join(&host_views)
        ))
    })
}

/// Needs the inventory's network list to learn drivers.
fn macvlan_network(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    let mut names: Vec<&str> = c.networks.iter().map(|n| n.network.as_str()).collect();
    if let NetworkMode::Named(name) = &c.network_mode {
        names.push(name);
    }
    let mut hits: Vec<String> = names
        .into_iter()
        .filter_map(|name| {
            let net = ctx
                .inventory
                .networks
                .iter()
                .find(|n| n.name == name || n.id == name)?;
            matches!(net.driver.as_str(), "macvlan" | "ipvlan")
                .then(|| format!("{} ({})", net.name, net.driver))
        })
        .collect();
    hits.sort();
    hits.dedup();
    (!hits.is_empty()).then(|| Hit::new(format!("network {}", join(&hits))))
}

/// Numeric UID/GID at or above 65536 (outside a default 65536-wide subuid range).
fn high_uid(ctx: &Ctx) -> Option<Hit> {
    let user = &ctx.container.user;
    let mut ids = Vec::new();
    if let Some(IdOrName::Id(uid)) = user.user
        && uid >= 65536
    {
        ids.push(format!("UID {uid}"));
    }
    if let Some(IdOrName::Id(gid)) = user.group
        && gid >= 65536
    {
        ids.push(format!("GID {gid}"));
    }
    (!ids.is_empty()).then(|| Hit::new(join(&ids)))
}

/// Limits cannot be applied rootless on cgroup v1 (blocker); on v2 cpu, cpuset and io need
/// delegation beyond systemd's default (change). Unknown cgroup version: no claim.
fn cgroup_limits_rootless(ctx: &Ctx) -> Option<Hit> {
    let r = &ctx.container.resources;
    let mut default_delegated = Vec::new();
    let mut extra_delegation = Vec::new();
    if r.memory.unwrap_or(0) > 0
        || r.memory_reservation.unwrap_or(0) > 0
        || r.memory_swap.unwrap_or(0) > 0
    {
        default_delegated.push("memory");
    }
    if r.pids_limit.unwrap_or(0) > 0 {
        default_delegated.push("pids");
    }
    if r.nano_cpus.unwrap_or(0) > 0
        || r.cpu_quota.unwrap_or(0) > 0
        || r.cpu_shares.is_some_and(|s| s != 0 && s != 1024)
    {
        extra_delegation.push("cpu");
    }
    if r.cpuset_cpus.as_deref().is_some_and(|s| !s.is_empty()) {
        extra_delegation.push("cpuset");
    }
    if r.blkio_weight.unwrap_or(0) > 0 {
        extra_delegation.push("io");
    }
    match ctx.host().cgroup_version? {
        CgroupVersion::V1 => {
            let all: Vec<&str> = default_delegated
                .iter()
                .chain(&extra_delegation)
                .copied()
                .collect();
            (!all.is_empty()).then(|| {
                Hit::new(format!("{} limits set; the host uses cgroup v1, where rootless Podman cannot apply limits", join(&all)))
                    .migration(Migration::Blocker)
            })
        }
        CgroupVersion::V2 => (!extra_delegation.is_empty()).then(|| {
            Hit::new(format!(
                "{} limits need systemd delegation (Delegate={}) for the user",
                join(&extra_delegation),
                extra_delegation.join(" ")
            ))
        }),
    }
}

/// systemd's defaults for a user session (v240+): what a rootless process may reach.
fn user_hard_limit(name: &str) -> Option<i64> {
    match name {
        "nofile" => Some(524_288),
        "memlock" => Some(8 * 1024 * 1024),
        "rtprio" | "nice" => Some(0),
        _ => None,
    }
}

fn ulimit_above_hard_limit(ctx: &Ctx) -> Option<Hit> {
    let over: Vec<String> = ctx
        .container
        .ulimits
        .iter()
        .filter_map(|u| {
            let max = user_hard_limit(&u.name)?;
            // -1 is unlimited.
            (u.hard < 0 || u.hard > max).then(|| {
                let hard = if u.hard < 0 {
                    "unlimited".to_string()
                } else {
                    u.hard.to_string()
                };
                format!("{} hard {hard} (user default {max})", u.name)
            })
        })
        .collect();
    (!over.is_empty()).then(|| Hit::new(join(&over)))
}

/// Sysctls rootless Podman can set: IPC ones (not with `--ipc host`) and `net.*` (not with
/// `--network host`).
fn unnamespaced_sysctl(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    let bad: Vec<String> = c
        .sysctls
        .keys()
        .filter_map(|key| {
            let ipc = key.starts_with("kernel.shm")
                || key.starts_with("kernel.msg")
                || key == "kernel.sem"
                || key.starts_with("fs.mqueue.");
            let net = key.starts_with("net.");
            if ipc && c.ipc_mode == NamespaceMode::Host {
                Some(format!("{key} (with --ipc host)"))
            } else if net && c.network_mode == NetworkMode::Host {
                Some(format!("{key} (with --network host)"))
            } else if !ipc && !net {
                Some(key.clone())
            } else {
                None
            }
        })
        .collect();
    (!bad.is_empty()).then(|| Hit::new(join(&bad)))
}

fn restart_needs_lingering(ctx: &Ctx) -> Option<Hit> {
    match ctx.container.restart_policy.name {
        RestartPolicyName::Always => Some(Hit::new("restart policy always")),
        RestartPolicyName::UnlessStopped => Some(Hit::new("restart policy unless-stopped")),
        RestartPolicyName::No | RestartPolicyName::OnFailure => None,
    }
}

/// Every bind mount but runtime sockets (their own rule) and `/dev` paths (devices).
/// The owner is named when the scanning host could read it.
fn bind_mount_ownership(ctx: &Ctx) -> Option<Hit> {
    let items: Vec<String> = bind_mounts(ctx.container)
        .filter(|m| {
            let benign = m.read_only && BENIGN_READ_ONLY.iter().any(|b| path_under(&m.source, b));
            !(benign || is_runtime_socket(&m.source) || path_under(&m.source, "/dev"))
        })
        .map(|m| {
            let owner = match m.source_uid {
                Some(0) => "owned by root".to_string(),
                Some(uid) => format!("owned by UID {uid}"),
                None => "owner not known".to_string(),
            };
            format!(
                "{} ({owner}{})",
                m.source,
                if m.read_only { ", ro" } else { "" }
            )
        })
        .collect();
    (!items.is_empty()).then(|| Hit::new(join(&items)))
}

/// Another container writes to the same host directory as a different user: the host-path
/// policy hands neither over, and no one owner serves both.
fn bind_owner_conflict(ctx: &Ctx) -> Option<Hit> {
    let items: Vec<String> = host_path::owner_conflicts(ctx.inventory, ctx.container)
        .into_iter()
        .map(|c| {
            let place = if c.other_path == c.path {
                String::new()
            } else {
                format!(" at {}", c.other_path)
            };
            format!(
                "{} (user {}) is also written by {}{place} as user {}",
                c.path, c.user, c.other_container, c.other_user
            )
        })
        .collect();
    (!items.is_empty()).then(|| Hit::new(join(&items)))
}

fn named_volume_data(ctx: &Ctx) -> Option<Hit> {
    let vols: Vec<String> = ctx
        .container
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Volume && m.driver.as_deref().is_none_or(|d| d == "local"))
        .map(|m| format!("{} -> {}", short_volume(&m.source), m.destination))
        .collect();
    (!vols.is_empty()).then(|| Hit::new(join(&vols)))
}

/// Anonymous volumes have 64-hex names; shorten them like `docker ps` does.
fn short_volume(name: &str) -> &str {
    if name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()) {
        &name[..12]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::testkit::{fires, image_for, inventory, network, plain, run, run_in};

    #[test]
    fn host_network_low_ports_from_container_or_image() {
        assert!(fires(
            host_network_low_port,
            plain().network(NetworkMode::Host).expose(53)
        ));
        let c = plain().network(NetworkMode::Host).build();
        let mut inv = inventory(vec![c.clone()]);
        let mut img = image_for(&c, true);
        img.exposed_ports.push(crate::model::ExposedPort {
            port: 80,
            protocol: crate::model::Protocol::Tcp,
        });
        inv.images.push(img);
        assert_eq!(
            run_in(host_network_low_port, &inv).unwrap().detail,
            "host network and listens on 80"
        );
        assert!(!fires(
            host_network_low_port,
            plain().network(NetworkMode::Host).expose(8080)
        ));
        assert!(!fires(host_network_low_port, plain().expose(80)));
    }

    #[test]
    fn host_monitoring_agents_are_blockers() {
        // node-exporter / cAdvisor style: every process, and the host's /, /proc and /sys.
        let agent = plain()
            .pid(NamespaceMode::Host)
            .cap_add("SYS_PTRACE")
            .bind("/", "/host", true)
            .bind("/proc", "/host/proc", true)
            .bind("/sys", "/host/sys", true)
            .build();
        let hit = run(host_monitoring_agent, agent).expect("fires");
        assert_eq!(
            hit.detail,
            "--pid host with SYS_PTRACE, host / at /host, host /proc at /host/proc, host /sys \
             at /host/sys: it monitors the host as root"
        );
        let info = crate::risk::catalog::info("host-monitoring-agent");
        assert_eq!(info.migration, Migration::Blocker);
        assert!(info.remediation.podman.contains("rootful Podman"));
        assert!(fires(
            host_monitoring_agent,
            plain().privileged().bind("/", "/rootfs", true)
        ));
        assert!(fires(
            host_monitoring_agent,
            plain().pid(NamespaceMode::Host).cap_add("SYS_PTRACE").bind(
                "/proc/",
                "/host/proc",
                true
            )
        ));
    }

    #[test]
    fn not_every_host_pid_or_host_mount_is_a_monitoring_agent() {
        // SYS_PTRACE in the host PID namespace but nothing of the host mounted.
        assert!(!fires(
            host_monitoring_agent,
            plain().pid(NamespaceMode::Host).cap_add("SYS_PTRACE").bind(
                "/lib/modules",
                "/lib/modules",
                true
            )
        ));
        // The host's / mounted, but neither the host PID namespace nor SYS_PTRACE.
        assert!(!fires(
            host_monitoring_agent,
            plain().bind("/", "/host", true)
        ));
        // --pid host and /proc without SYS_PTRACE (dropped from the defaults anyway).
        assert!(!fires(
            host_monitoring_agent,
            plain()
                .pid(NamespaceMode::Host)
                .bind("/proc", "/host/proc", true)
        ));
        // A directory below /proc or /sys is not the host's whole view.
        assert!(!fires(
            host_monitoring_agent,
            plain()
                .privileged()
                .bind("/sys/fs/cgroup", "/sys/fs/cgroup", true)
        ));
    }

    #[test]
    fn host_only_caps() {
        assert!(fires(host_only_capability, plain().cap_add("SYS_TIME")));
        assert!(fires(host_only_capability, plain().cap_add("sys_module")));
        assert!(fires(host_only_capability, plain().cap_add("ALL")));
        assert!(!fires(host_only_capability, plain().cap_add("NET_ADMIN")));
        assert!(!fires(host_only_capability, plain().privileged()));
    }

    #[test]
    fn namespaced_caps() {
        let hit = run(
            namespaced_capability,
            plain().cap_add("NET_ADMIN").cap_add("SYS_ADMIN").build(),
        )
        .unwrap();
        assert_eq!(hit.migration, None);
        let hit = run(
            namespaced_capability,
            plain()
                .cap_add("NET_ADMIN")
                .network(NetworkMode::Host)
                .build(),
        )
        .unwrap();
        assert_eq!(hit.migration, Some(Migration::Blocker));
        assert!(!fires(namespaced_capability, plain().cap_add("CHOWN")));
    }

    #[test]
    fn macvlan_and_ipvlan() {
        let c = plain().network(NetworkMode::Named("lan".into())).build();
        let mut inv = inventory(vec![c]);
        inv.networks.push(network("lan", "macvlan"));
        assert_eq!(
            run_in(macvlan_network, &inv).unwrap().detail,
            "network lan (macvlan)"
        );
        inv.networks[0].driver = "ipvlan".into();
        assert!(run_in(macvlan_network, &inv).is_some());
        inv.networks[0].driver = "bridge".into();
        assert!(run_in(macvlan_network, &inv).is_none());
    }

    #[test]
    fn high_uids() {
        assert_eq!(
            run(high_uid, plain().user("70000:1000").build())
                .unwrap()
                .detail,
            "UID 70000"
        );
        assert!(fires(high_uid, plain().user("1000:65536")));
        assert!(!fires(high_uid, plain().user("65535:65535")));
        assert!(!fires(high_uid, plain().user("app")));
    }

    #[test]
    fn cgroup_limits_by_host_version() {
        let c = plain().memory(1 << 28).pids(100).build();
        assert!(
            run(cgroup_limits_rootless, c.clone()).is_none(),
            "memory/pids are delegated on v2"
        );
        let mut inv = inventory(vec![c]);
        inv.host.cgroup_version = Some(CgroupVersion::V1);
        let hit = run_in(cgroup_limits_rootless, &inv).unwrap();
        assert_eq!(hit.migration, Some(Migration::Blocker));
        let hit = run(
            cgroup_limits_rootless,
            plain().cpus(500_000_000).cpuset("0-1").build(),
        )
        .unwrap();
        assert_eq!(hit.migration, None);
        assert!(hit.detail.contains("cpu, cpuset"));
        let mut inv = inventory(vec![plain().build()]);
        inv.host.cgroup_version = Some(CgroupVersion::V1);
        assert!(
            run_in(cgroup_limits_rootless, &inv).is_none(),
            "no limits, nothing to lose"
        );
    }

    #[test]
    fn ulimits_over_user_limits() {
        assert!(fires(
            ulimit_above_hard_limit,
            plain().ulimit("nofile", 1_048_576, 1_048_576)
        ));
        assert!(
            run(
                ulimit_above_hard_limit,
                plain().ulimit("memlock", -1, -1).build()
            )
            .unwrap()
            .detail
            .contains("unlimited")
        );
        assert!(!fires(
            ulimit_above_hard_limit,
            plain().ulimit("nofile", 65536, 65536)
        ));
        assert!(!fires(
            ulimit_above_hard_limit,
            plain().ulimit("core", -1, -1)
        ));
    }

    #[test]
    fn sysctls() {
        assert!(fires(
            unnamespaced_sysctl,
            plain().sysctl("vm.max_map_count", "262144")
        ));
        assert!(fires(
            unnamespaced_sysctl,
            plain()
                .sysctl("net.ipv4.ip_forward", "1")
                .network(NetworkMode::Host)
        ));
        assert!(fires(
            unnamespaced_sysctl,
            plain()
                .sysctl("kernel.shmmax", "1")
                .ipc(NamespaceMode::Host)
        ));
        assert!(!fires(
            unnamespaced_sysctl,
            plain().sysctl("net.ipv4.ip_forward", "1")
        ));
        assert!(!fires(
            unnamespaced_sysctl,
            plain().sysctl("kernel.shmmax", "1")
        ));
    }

    #[test]
    fn lingering() {
        assert!(fires(
            restart_needs_lingering,
            plain().restart(RestartPolicyName::UnlessStopped, None)
        ));
        assert!(fires(
            restart_needs_lingering,
            plain().restart(RestartPolicyName::Always, None)
        ));
        assert!(!fires(restart_needs_lingering, plain()));
    }

    #[test]
    fn bind_owners() {
        let hit = run(
            bind_mount_ownership,
            plain()
                .bind("/srv/data", "/data", false)
                .owned_by(0)
                .bind("/srv/media", "/m", true)
                .owned_by(1000)
                .build(),
        )
        .unwrap();
        assert_eq!(
            hit.detail,
            "/srv/data (owned by root), /srv/media (owned by UID 1000, ro)"
        );
        assert!(
            run(
                bind_mount_ownership,
                plain().bind("/srv/x", "/x", false).build()
            )
            .unwrap()
            .detail
            .contains("owner not known")
        );
        assert!(!fires(
            bind_mount_ownership,
            plain().bind("/var/run/docker.sock", "/var/run/docker.sock", false)
        ));
        assert!(!fires(
            bind_mount_ownership,
            plain().volume("data", "/data").tmpfs("/tmp")
        ));
    }

    #[test]
    fn named_volumes() {
        let anon = "a".repeat(64);
        let hit = run(
            named_volume_data,
            plain()
                .volume("pgdata", "/var/lib/postgresql/data")
                .volume(&anon, "/cache")
                .build(),
        )
        .unwrap();
        assert_eq!(
            hit.detail,
            "pgdata -> /var/lib/postgresql/data, aaaaaaaaaaaa -> /cache"
        );
        assert!(!fires(
            named_volume_data,
            plain().bind("/srv", "/srv", false)
        ));
    }

    /// Two writers with different users on one directory (or one inside the other) block
    /// the move; a reader, or a writer with the same user, does not.
    #[test]
    fn different_writers_on_one_bind_source_are_a_blocker() {
        use crate::risk::testkit::ContainerBuilder;
        let app = ContainerBuilder::new("app")
            .user("1000")
            .bind("/srv/shared", "/data", false)
            .build();
        let worker = ContainerBuilder::new("worker")
            .user("2000:2000")
            .bind("/srv/shared/jobs", "/jobs", false)
            .build();
        let reader = ContainerBuilder::new("reader")
            .user("3000")
            .bind("/srv/shared", "/data", true)
            .build();
        let twin = ContainerBuilder::new("twin")
            .user("1000:1000")
            .bind("/srv/shared", "/data", false)
            .build();
        let hit = run_in(
            bind_owner_conflict,
            &inventory(vec![app.clone(), worker, reader.clone(), twin.clone()]),
        )
        .expect("conflict");
        assert_eq!(
            hit.detail,
            "/srv/shared (user 1000) is also written by worker at /srv/shared/jobs as user 2000"
        );
        assert!(
            run_in(
                bind_owner_conflict,
                &inventory(vec![app.clone(), reader, twin])
            )
            .is_none()
        );
        assert!(run(bind_owner_conflict, app).is_none());
    }
}
