//! CIS Docker Benchmark 1.6, section 5 (container runtime) and the container-level items of
//! section 4, as far as inspect data decides them: without docker-bench's false negatives
//! (stopped containers, `0:0` users, sub-paths, IPv6 bindings, `no-new-privileges:false`).

use crate::model::host_path;
use crate::model::{NamespaceMode, NetworkMode, PortBinding, ProfileSetting, RestartPolicyName};
use crate::risk::Severity;

use super::{
    BENIGN_READ_ONLY, Check, Ctx, DOCKER_DEFAULT_CAPS, Hit, Rule, added_caps, bind_mounts,
    cap_added, cap_dropped, clean_path, is_runtime_socket, join, path_under, runs_as_root,
};

pub const RULES: &[Rule] = &[
    Rule {
        id: "apparmor-unconfined",
        check: Check::Container(apparmor_unconfined),
    },
    Rule {
        id: "selinux-not-applied",
        check: Check::Container(selinux_not_applied),
    },
    Rule {
        id: "capabilities-added",
        check: Check::Container(capabilities_added),
    },
    Rule {
        id: "net-raw-not-dropped",
        check: Check::Container(net_raw_not_dropped),
    },
    Rule {
        id: "privileged",
        check: Check::Container(privileged),
    },
    Rule {
        id: "sensitive-host-mount",
        check: Check::Container(sensitive_host_mount),
    },
    Rule {
        id: "host-root-mount",
        check: Check::Container(host_root_mount),
    },
    Rule {
        id: "host-proc-sys-mount",
        check: Check::Container(host_proc_sys_mount),
    },
    Rule {
        id: "privileged-port",
        check: Check::Container(privileged_port),
    },
    Rule {
        id: "host-network",
        check: Check::Container(host_network),
    },
    Rule {
        id: "memory-unlimited",
        check: Check::Container(memory_unlimited),
    },
    Rule {
        id: "cpu-unlimited",
        check: Check::Container(cpu_unlimited),
    },
    Rule {
        id: "writable-rootfs",
        check: Check::Container(writable_rootfs),
    },
    Rule {
        id: "all-interfaces-binding",
        check: Check::Container(all_interfaces_binding),
    },
    Rule {
        id: "restart-retries",
        check: Check::Container(restart_retries),
    },
    Rule {
        id: "host-pid",
        check: Check::Container(host_pid),
    },
    Rule {
        id: "host-ipc",
        check: Check::Container(host_ipc),
    },
    Rule {
        id: "host-devices",
        check: Check::Container(host_devices),
    },
    Rule {
        id: "ulimits-default",
        check: Check::Container(ulimits_default),
    },
    Rule {
        id: "shared-propagation",
        check: Check::Container(shared_propagation),
    },
    Rule {
        id: "host-uts",
        check: Check::Container(host_uts),
    },
    Rule {
        id: "seccomp-unconfined",
        check: Check::Container(seccomp_unconfined),
    },
    Rule {
        id: "cgroup-parent",
        check: Check::Container(cgroup_parent),
    },
    Rule {
        id: "no-new-privileges-missing",
        check: Check::Container(no_new_privileges_missing),
    },
    Rule {
        id: "healthcheck-missing",
        check: Check::Container(healthcheck_missing),
    },
    Rule {
        id: "pids-unlimited",
        check: Check::Container(pids_unlimited),
    },
    Rule {
        id: "host-userns",
        check: Check::Container(host_userns),
    },
    Rule {
        id: "docker-socket-mount",
        check: Check::Container(docker_socket_mount),
    },
    Rule {
        id: "root-user",
        check: Check::Container(root_user),
    },
    Rule {
        id: "image-healthcheck-missing",
        check: Check::Container(image_healthcheck_missing),
    },
];

/// 5.2: no AppArmor profile. `--privileged` runs unconfined whatever the option says.
fn apparmor_unconfined(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged {
        return Some(Hit::new("AppArmor is off: implied by --privileged"));
    }
    (c.security.apparmor == ProfileSetting::Unconfined)
        .then(|| Hit::new("security option apparmor=unconfined"))
}

/// 5.3: on an SELinux host, labelling disabled or no label option. Not applicable without
/// SELinux: Docker itself adds `label=disable` to privileged and host-PID/IPC containers, which
/// means nothing on an AppArmor or LSM-less host.
fn selinux_not_applied(ctx: &Ctx) -> Option<Hit> {
    if !ctx.host().selinux {
        return None;
    }
    let labels = &ctx.container.security.selinux_labels;
    if labels.iter().any(|l| l == "disable") {
        return Some(
            Hit::new("security option label=disable turns SELinux separation off")
                .severity(Severity::Medium),
        );
    }
    labels
        .is_empty()
        .then(|| Hit::new("SELinux is enabled on the host but no label option is set"))
}

/// 5.4: capabilities beyond Docker's defaults.
fn capabilities_added(ctx: &Ctx) -> Option<Hit> {
    let extra: Vec<String> = added_caps(ctx.container)
        .into_iter()
        .filter(|cap| !DOCKER_DEFAULT_CAPS.contains(&cap.as_str()))
        .collect();
    (!extra.is_empty()).then(|| Hit::new(format!("cap-add {}", join(&extra))))
}

/// NET_RAW should be dropped (CIS 5.4's audit text), reported without the 5.4 tag: the
/// benchmark's reference implementation fails 5.4 only for capabilities added beyond the default set.
fn net_raw_not_dropped(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged {
        return None; // `privileged` already says it: every capability.
    }
    if cap_added(c, "NET_RAW") {
        return Some(Hit::new("NET_RAW is added explicitly"));
    }
    (!cap_dropped(c, "NET_RAW")).then(|| Hit::new("NET_RAW is kept from Docker's default set"))
}

/// 5.5.
fn privileged(ctx: &Ctx) -> Option<Hit> {
    ctx.container
        .privileged
        .then(|| Hit::new("--privileged: all capabilities and devices, no seccomp/AppArmor/masks"))
}

/// 5.6 for system directories and anything below them, read-only or not.
fn sensitive_host_mount(ctx: &Ctx) -> Option<Hit> {
    let hits: Vec<String> = bind_mounts(ctx.container)
        .filter(|m| {
            let src = clean_path(&m.source);
            host_path::is_sensitive(src)
                && !is_runtime_socket(src)
                && !(m.read_only && BENIGN_READ_ONLY.iter().any(|b| path_under(src, b)))
        })
        .map(|m| describe_mount(&m.source, &m.destination, m.read_only))
        .collect();
    if hits.is_empty() {
        return None;
    }
    let any_writable = bind_mounts(ctx.container)
        .any(|m| !m.read_only && host_path::is_critical_when_writable(&m.source));
    let hit = Hit::new(join(&hits));
    Some(if any_writable {
        hit.severity(Severity::Critical)
    } else {
        hit
    })
}

/// 5.6 for the host's `/` itself.
fn host_root_mount(ctx: &Ctx) -> Option<Hit> {
    let m = bind_mounts(ctx.container).find(|m| clean_path(&m.source) == "/")?;
    let hit = Hit::new(describe_mount(&m.source, &m.destination, m.read_only));
    Some(if m.read_only {
        hit.severity(Severity::High)
    } else {
        hit
    })
}

/// 5.6 for /proc and /sys: writable is an escape (core_pattern), read-only a leak.
fn host_proc_sys_mount(ctx: &Ctx) -> Option<Hit> {
    let mounts: Vec<_> = bind_mounts(ctx.container)
        .filter(|m| path_under(&m.source, "/proc") || path_under(&m.source, "/sys"))
        .collect();
    if mounts.is_empty() {
        return None;
    }
    let detail = join(
        mounts
            .iter()
            .map(|m| describe_mount(&m.source, &m.destination, m.read_only)),
    );
    let hit = Hit::new(detail);
    Some(if mounts.iter().any(|m| !m.read_only) {
        hit.severity(Severity::Critical)
    } else {
        hit
    })
}

fn describe_mount(source: &str, destination: &str, read_only: bool) -> String {
    format!(
        "{source} -> {destination} ({})",
        if read_only { "ro" } else { "rw" }
    )
}

/// 5.8: host ports below 1024, IPv4 and IPv6 alike (docker-bench skips `[::]:p`).
fn privileged_port(ctx: &Ctx) -> Option<Hit> {
    let low = published(ctx, |p| {
        p.host_port != 0 && p.host_port < crate::model::UNPRIVILEGED_PORT_START
    });
    (!low.is_empty()).then(|| Hit::new(format!("publishes {}", join(&low))))
}

/// `ip:port/proto` of each published port `keep` selects, in publish order, adjacent
/// repeats (one port on several equal bindings) named once.
fn published(ctx: &Ctx, keep: impl Fn(&PortBinding) -> bool) -> Vec<String> {
    let mut labels: Vec<String> = ctx
        .container
        .ports
        .iter()
        .filter(|p| keep(p))
        .map(|p| {
            format!(
                "{}:{}/{}",
                host_ip_label(p.host_ip.as_deref()),
                p.host_port,
                proto(p.protocol)
            )
        })
        .collect();
    labels.dedup();
    labels
}

fn host_ip_label(ip: Option<&str>) -> String {
    match ip {
        None | Some("") => "*".to_string(),
        Some(ip) if ip.contains(':') => format!("[{ip}]"),
        Some(ip) => ip.to_string(),
    }
}

fn proto(p: crate::model::Protocol) -> &'static str {
    match p {
        crate::model::Protocol::Tcp => "tcp",
        crate::model::Protocol::Udp => "udp",
        crate::model::Protocol::Sctp => "sctp",
    }
}

/// 5.10.
fn host_network(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.network_mode == NetworkMode::Host).then(|| Hit::new("--network host"))
}

/// 5.11.
fn memory_unlimited(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.resources.memory.unwrap_or(0) <= 0).then(|| Hit::new("no --memory limit"))
}

/// 5.12: CIS treats shares of 0 or 1024 as unset; a quota or CPU count also counts as set.
fn cpu_unlimited(ctx: &Ctx) -> Option<Hit> {
    let r = &ctx.container.resources;
    let shares_set = r.cpu_shares.is_some_and(|s| s != 0 && s != 1024);
    let limit_set = r.nano_cpus.unwrap_or(0) > 0 || r.cpu_quota.unwrap_or(0) > 0;
    (!shares_set && !limit_set).then(|| Hit::new("no --cpus, --cpu-quota or --cpu-shares"))
}

/// 5.13.
fn writable_rootfs(ctx: &Ctx) -> Option<Hit> {
    (!ctx.container.read_only_rootfs)
        .then(|| Hit::new("root filesystem is writable (no --read-only)"))
}

/// 5.14: 0.0.0.0 and `::` (docker-bench checks only 0.0.0.0).
fn all_interfaces_binding(ctx: &Ctx) -> Option<Hit> {
    let open = published(ctx, |p| {
        matches!(p.host_ip.as_deref(), None | Some("" | "0.0.0.0" | "::"))
    });
    (!open.is_empty()).then(|| Hit::new(format!("listens on all interfaces: {}", join(&open))))
}

/// 5.15: unbounded restarts (`always`, or on-failure with 0 = unlimited or > 5 retries).
fn restart_retries(ctx: &Ctx) -> Option<Hit> {
    let policy = &ctx.container.restart_policy;
    match policy.name {
        RestartPolicyName::Always => Some(Hit::new("restart policy always")),
        RestartPolicyName::OnFailure => match policy.max_retries.unwrap_or(0) {
            0 => Some(Hit::new("restart policy on-failure without a retry limit")),
            n if n > 5 => Some(Hit::new(format!(
                "restart policy on-failure:{n} (more than 5)"
            ))),
            _ => None,
        },
        RestartPolicyName::No | RestartPolicyName::UnlessStopped => None,
    }
}

/// 5.16.
fn host_pid(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.pid_mode == NamespaceMode::Host).then(|| Hit::new("--pid host"))
}

/// 5.17.
fn host_ipc(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.ipc_mode == NamespaceMode::Host).then(|| Hit::new("--ipc host"))
}

/// 5.18: devices, device cgroup rules and GPU requests (docker-bench ignores the last two).
/// Privileged containers are reported by `privileged`, which already means all devices.
fn host_devices(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    let mut items: Vec<String> = c
        .devices
        .iter()
        .map(|d| format!("{} ({})", d.host_path, d.permissions))
        .collect();
    items.extend(
        c.device_cgroup_rules
            .iter()
            .map(|r| format!("cgroup rule {r}")),
    );
    for req in &c.device_requests {
        let gpu = req.capabilities.iter().flatten().any(|cap| cap == "gpu")
            || req.driver.as_deref() == Some("nvidia");
        let what = if gpu { "GPU request" } else { "device request" };
        let count = match req.count {
            Some(-1) => "all".to_string(),
            Some(n) => n.to_string(),
            None if !req.device_ids.is_empty() => join(&req.device_ids),
            None => "default".to_string(),
        };
        items.push(format!(
            "{what} ({}: {count})",
            req.driver.as_deref().unwrap_or("default driver")
        ));
    }
    (!items.is_empty()).then(|| Hit::new(join(&items)))
}

/// 5.19 (informational in CIS and docker-bench).
fn ulimits_default(ctx: &Ctx) -> Option<Hit> {
    ctx.container
        .ulimits
        .is_empty()
        .then(|| Hit::new("no --ulimit set; the daemon defaults apply"))
}

/// 5.20: `shared` and `rshared`.
fn shared_propagation(ctx: &Ctx) -> Option<Hit> {
    let shared: Vec<String> = ctx
        .container
        .mounts
        .iter()
        .filter(|m| {
            m.propagation
                .as_deref()
                .is_some_and(|p| p.ends_with("shared"))
        })
        .map(|m| {
            format!(
                "{} ({})",
                m.destination,
                m.propagation.as_deref().unwrap_or("")
            )
        })
        .collect();
    (!shared.is_empty()).then(|| Hit::new(join(&shared)))
}

/// 5.21.
fn host_uts(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.uts_mode == NamespaceMode::Host).then(|| Hit::new("--uts host"))
}

/// 5.22: also when combined with other options, and implied by `--privileged`.
fn seccomp_unconfined(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged {
        return Some(Hit::new("seccomp is off: implied by --privileged"));
    }
    let raw = c.security.raw.iter().any(|o| {
        let o = o.replace(':', "=");
        o == "seccomp=unconfined"
    });
    (c.security.seccomp == ProfileSetting::Unconfined || raw)
        .then(|| Hit::new("security option seccomp=unconfined"))
}

/// 5.25.
fn cgroup_parent(ctx: &Ctx) -> Option<Hit> {
    ctx.container
        .cgroup_parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| Hit::new(format!("--cgroup-parent {p}")))
}

/// 5.26: `no-new-privileges:false` counts as missing (docker-bench matches the substring).
fn no_new_privileges_missing(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.security.no_new_privileges {
        return None;
    }
    let explicit_false = c
        .security
        .raw
        .iter()
        .any(|o| o.replace('=', ":") == "no-new-privileges:false");
    Some(Hit::new(if explicit_false {
        "no-new-privileges:false is set explicitly"
    } else {
        "no-new-privileges is not set"
    }))
}

/// 5.27: no effective healthcheck (inherited from the image counts), or `NONE`.
fn healthcheck_missing(ctx: &Ctx) -> Option<Hit> {
    match &ctx.container.healthcheck {
        None => Some(Hit::new("no health check in the container or its image")),
        Some(h) if h.is_disabled() => Some(Hit::new("health check disabled (HEALTHCHECK NONE)")),
        Some(_) => None,
    }
}

/// 5.29: 0, -1 or unset means unlimited.
fn pids_unlimited(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.resources.pids_limit.unwrap_or(0) <= 0).then(|| Hit::new("no --pids-limit"))
}

/// 5.31.
fn host_userns(ctx: &Ctx) -> Option<Hit> {
    (ctx.container.userns_mode == NamespaceMode::Host).then(|| Hit::new("--userns host"))
}

/// 5.32: any runtime socket, by source or destination, or its whole directory.
fn docker_socket_mount(ctx: &Ctx) -> Option<Hit> {
    let hits: Vec<String> = bind_mounts(ctx.container)
        .filter(|m| is_runtime_socket(&m.source) || is_runtime_socket(&m.destination))
        .map(|m| {
            let how = if m.source.ends_with(".sock") {
                "mounts"
            } else {
                "mounts the socket directory"
            };
            format!("{how} {} -> {}", m.source, m.destination)
        })
        .collect();
    (!hits.is_empty()).then(|| Hit::new(join(&hits)))
}

/// 4.1: `""`, `0`, `root`, `0:0`, `root:root` (docker-bench misses the last two).
fn root_user(ctx: &Ctx) -> Option<Hit> {
    let raw = &ctx.container.user.raw;
    runs_as_root(ctx.container).then(|| {
        Hit::new(if raw.is_empty() {
            "no user set: runs as root".to_string()
        } else {
            format!("user {raw:?} is root")
        })
    })
}

/// 4.6: only when the image was inspected (a raw inspect snapshot has no images).
fn image_healthcheck_missing(ctx: &Ctx) -> Option<Hit> {
    let image = ctx.image?;
    match &image.healthcheck {
        None => Some(Hit::new(format!(
            "image {} has no HEALTHCHECK",
            ctx.container.image
        ))),
        Some(h) if h.is_disabled() => Some(Hit::new(format!(
            "image {} disables its HEALTHCHECK",
            ctx.container.image
        ))),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContainerState;
    use crate::risk::testkit::{fires, image_for, inventory, plain, run, run_in};

    #[test]
    fn apparmor() {
        assert!(fires(
            apparmor_unconfined,
            plain().security_opt("apparmor=unconfined")
        ));
        assert!(fires(
            apparmor_unconfined,
            plain().security_opt("apparmor:unconfined")
        ));
        let p = run(apparmor_unconfined, plain().privileged().build()).unwrap();
        assert!(p.detail.contains("--privileged"));
        assert!(!fires(apparmor_unconfined, plain()));
        assert!(!fires(
            apparmor_unconfined,
            plain().security_opt("apparmor=my-profile")
        ));
    }

    #[test]
    fn selinux() {
        let selinux_host = |c| {
            let mut inv = inventory(vec![c]);
            inv.host.selinux = true;
            inv
        };
        let inv = selinux_host(plain().security_opt("label=disable").build());
        assert_eq!(
            run_in(selinux_not_applied, &inv).unwrap().severity,
            Some(Severity::Medium)
        );
        assert!(run_in(selinux_not_applied, &selinux_host(plain().build())).is_some());
        // Satisfied by a label; not applicable without SELinux (Docker adds label=disable
        // to privileged containers on every host).
        let inv = selinux_host(plain().security_opt("label=type:svirt_apache_t").build());
        assert!(run_in(selinux_not_applied, &inv).is_none());
        assert!(!fires(
            selinux_not_applied,
            plain().security_opt("label=disable")
        ));
    }

    #[test]
    fn capabilities() {
        let hit = run(
            capabilities_added,
            plain().cap_add("NET_ADMIN").cap_add("CHOWN").build(),
        )
        .unwrap();
        assert_eq!(hit.detail, "cap-add NET_ADMIN");
        assert!(
            run(capabilities_added, plain().cap_add("ALL").build())
                .unwrap()
                .detail
                .contains("ALL")
        );
        assert!(!fires(capabilities_added, plain()));
        assert!(!fires(
            capabilities_added,
            plain().cap_drop("ALL").cap_add("NET_BIND_SERVICE")
        ));
    }

    #[test]
    fn net_raw() {
        assert!(fires(net_raw_not_dropped, plain()));
        assert!(fires(
            net_raw_not_dropped,
            plain().cap_drop("ALL").cap_add("NET_RAW")
        ));
        assert!(!fires(net_raw_not_dropped, plain().cap_drop("NET_RAW")));
        assert!(!fires(net_raw_not_dropped, plain().cap_drop("ALL")));
    }

    #[test]
    fn privileged_rule() {
        assert!(fires(privileged, plain().privileged()));
        assert!(!fires(privileged, plain().cap_add("SYS_ADMIN")));
    }

    #[test]
    fn sensitive_mounts_include_sub_paths_and_read_only() {
        let hit = run(
            sensitive_host_mount,
            plain().bind("/etc/shadow", "/shadow", true).build(),
        )
        .unwrap();
        assert!(hit.detail.contains("/etc/shadow"));
        assert_eq!(hit.severity, None);
        let hit = run(
            sensitive_host_mount,
            plain().bind("/var/lib/docker", "/d", false).build(),
        )
        .unwrap();
        assert_eq!(hit.severity, Some(Severity::Critical));
        assert!(fires(
            sensitive_host_mount,
            plain().bind("/root/.ssh", "/k", true)
        ));
        // The time-zone idiom and ordinary data paths are fine.
        assert!(!fires(
            sensitive_host_mount,
            plain().bind("/etc/localtime", "/etc/localtime", true)
        ));
        assert!(!fires(
            sensitive_host_mount,
            plain().bind("/srv/app", "/data", false)
        ));
        // Sockets belong to docker-socket-mount.
        assert!(!fires(
            sensitive_host_mount,
            plain().bind("/var/run/docker.sock", "/var/run/docker.sock", false)
        ));
    }

    #[test]
    fn root_mount() {
        assert_eq!(
            run(host_root_mount, plain().bind("/", "/host", false).build())
                .unwrap()
                .severity,
            None
        );
        assert_eq!(
            run(host_root_mount, plain().bind("/", "/host", true).build())
                .unwrap()
                .severity,
            Some(Severity::High)
        );
        assert!(!fires(
            host_root_mount,
            plain().bind("/srv", "/host", false)
        ));
    }

    #[test]
    fn proc_sys_mount() {
        let hit = run(
            host_proc_sys_mount,
            plain().bind("/proc", "/host/proc", false).build(),
        )
        .unwrap();
        assert_eq!(hit.severity, Some(Severity::Critical));
        let hit = run(
            host_proc_sys_mount,
            plain().bind("/sys", "/host/sys", true).build(),
        )
        .unwrap();
        assert_eq!(hit.severity, None);
        assert!(!fires(
            host_proc_sys_mount,
            plain().bind("/processing", "/p", false)
        ));
    }

    #[test]
    fn low_ports_ipv4_and_ipv6() {
        let hit = run(
            privileged_port,
            plain()
                .port(None, 80, 80)
                .port(Some("::"), 443, 443)
                .build(),
        )
        .unwrap();
        assert_eq!(hit.detail, "publishes *:80/tcp, [::]:443/tcp");
        assert!(!fires(privileged_port, plain().port(None, 1024, 80)));
        assert!(!fires(privileged_port, plain().port(None, 0, 80)));
    }

    #[test]
    fn namespaces() {
        assert!(fires(host_network, plain().network(NetworkMode::Host)));
        assert!(!fires(
            host_network,
            plain().network(NetworkMode::Named("web".into()))
        ));
        assert!(fires(host_pid, plain().pid(NamespaceMode::Host)));
        assert!(!fires(
            host_pid,
            plain().pid(NamespaceMode::Container("x".into()))
        ));
        assert!(fires(host_ipc, plain().ipc(NamespaceMode::Host)));
        assert!(!fires(
            host_ipc,
            plain().ipc(NamespaceMode::Other("shareable".into()))
        ));
        assert!(fires(host_uts, plain().uts(NamespaceMode::Host)));
        assert!(!fires(host_uts, plain()));
        assert!(fires(host_userns, plain().userns(NamespaceMode::Host)));
        assert!(!fires(host_userns, plain()));
    }

    #[test]
    fn resource_limits() {
        assert!(fires(memory_unlimited, plain()));
        assert!(fires(memory_unlimited, plain().memory(0)));
        assert!(!fires(memory_unlimited, plain().memory(1 << 28)));
        assert!(fires(cpu_unlimited, plain().cpu_shares(1024)));
        assert!(!fires(cpu_unlimited, plain().cpu_shares(512)));
        assert!(!fires(cpu_unlimited, plain().cpus(1_000_000_000)));
        assert!(fires(pids_unlimited, plain().pids(-1)));
        assert!(fires(pids_unlimited, plain()));
        assert!(!fires(pids_unlimited, plain().pids(200)));
    }

    #[test]
    fn rootfs() {
        assert!(fires(writable_rootfs, plain()));
        assert!(!fires(writable_rootfs, plain().read_only()));
    }

    #[test]
    fn all_interfaces() {
        let hit = run(
            all_interfaces_binding,
            plain()
                .port(Some("0.0.0.0"), 8080, 80)
                .port(Some("::"), 8080, 80)
                .build(),
        )
        .unwrap();
        assert!(hit.detail.contains("0.0.0.0:8080/tcp") && hit.detail.contains("[::]:8080/tcp"));
        assert!(!fires(
            all_interfaces_binding,
            plain().port(Some("127.0.0.1"), 8080, 80)
        ));
        assert!(!fires(all_interfaces_binding, plain()));
    }

    #[test]
    fn restart() {
        assert!(fires(
            restart_retries,
            plain().restart(RestartPolicyName::Always, None)
        ));
        assert!(fires(
            restart_retries,
            plain().restart(RestartPolicyName::OnFailure, Some(0))
        ));
        assert!(fires(
            restart_retries,
            plain().restart(RestartPolicyName::OnFailure, Some(10))
        ));
        assert!(!fires(
            restart_retries,
            plain().restart(RestartPolicyName::OnFailure, Some(5))
        ));
        assert!(!fires(
            restart_retries,
            plain().restart(RestartPolicyName::UnlessStopped, None)
        ));
    }

    #[test]
    fn devices_and_gpus() {
        assert!(
            run(host_devices, plain().device("/dev/sda").build())
                .unwrap()
                .detail
                .contains("/dev/sda")
        );
        assert!(
            run(host_devices, plain().gpus().build())
                .unwrap()
                .detail
                .contains("GPU request (nvidia: all)")
        );
        assert!(!fires(host_devices, plain()));
    }

    #[test]
    fn ulimits() {
        assert!(fires(ulimits_default, plain()));
        assert!(!fires(
            ulimits_default,
            plain().ulimit("nofile", 1024, 2048)
        ));
    }

    #[test]
    fn propagation() {
        assert!(fires(
            shared_propagation,
            plain().bind("/mnt", "/mnt", false).propagation("rshared")
        ));
        assert!(fires(
            shared_propagation,
            plain().bind("/mnt", "/mnt", false).propagation("shared")
        ));
        assert!(!fires(
            shared_propagation,
            plain().bind("/mnt", "/mnt", false).propagation("rslave")
        ));
    }

    #[test]
    fn seccomp_alongside_other_options_and_privileged() {
        let c = plain()
            .security_opt("no-new-privileges")
            .security_opt("seccomp=unconfined")
            .build();
        assert!(run(seccomp_unconfined, c).is_some());
        assert!(fires(
            seccomp_unconfined,
            plain().security_opt("seccomp:unconfined")
        ));
        assert!(
            run(seccomp_unconfined, plain().privileged().build())
                .unwrap()
                .detail
                .contains("--privileged")
        );
        assert!(!fires(
            seccomp_unconfined,
            plain().security_opt("seccomp=/etc/profile.json")
        ));
    }

    #[test]
    fn cgroup_parent_rule() {
        assert!(fires(cgroup_parent, plain().cgroup_parent("/custom")));
        assert!(!fires(cgroup_parent, plain()));
    }

    #[test]
    fn no_new_privileges_false_counts_as_missing() {
        let hit = run(
            no_new_privileges_missing,
            plain().security_opt("no-new-privileges:false").build(),
        )
        .unwrap();
        assert!(hit.detail.contains("false"));
        assert!(fires(no_new_privileges_missing, plain()));
        assert!(!fires(
            no_new_privileges_missing,
            plain().security_opt("no-new-privileges")
        ));
        assert!(!fires(
            no_new_privileges_missing,
            plain().security_opt("no-new-privileges=true")
        ));
    }

    #[test]
    fn healthcheck() {
        assert!(fires(healthcheck_missing, plain()));
        assert!(fires(healthcheck_missing, plain().healthcheck(&["NONE"])));
        assert!(!fires(
            healthcheck_missing,
            plain().healthcheck(&["CMD-SHELL", "true"])
        ));
    }

    #[test]
    fn image_healthcheck() {
        let c = plain().build();
        let mut inv = inventory(vec![c.clone()]);
        inv.images.push(image_for(&c, false));
        assert!(run_in(image_healthcheck_missing, &inv).is_some());
        inv.images[0] = image_for(&c, true);
        assert!(run_in(image_healthcheck_missing, &inv).is_none());
        // Undecidable without the image (raw inspect snapshot): no finding.
        assert!(run(image_healthcheck_missing, c).is_none());
    }

    #[test]
    fn sockets_and_run_dirs() {
        for (src, dst) in [
            ("/var/run/docker.sock", "/var/run/docker.sock"),
            ("/run/containerd/containerd.sock", "/c.sock"),
            ("/run/user/1000/podman/podman.sock", "/var/run/docker.sock"),
            ("/var/run/crio/crio.sock", "/crio.sock"),
            ("/var/run", "/host/run"),
            ("/run/", "/host/run"),
        ] {
            assert!(
                fires(docker_socket_mount, plain().bind(src, dst, true)),
                "{src}"
            );
        }
        assert!(!fires(
            docker_socket_mount,
            plain().bind("/srv/run", "/run/app", false)
        ));
    }

    #[test]
    fn root_user_every_spelling_and_state() {
        for raw in ["", "0", "root", "0:0", "root:root"] {
            let c = plain().user(raw).state(ContainerState::Created).build();
            assert!(run(root_user, c).is_some(), "{raw:?}");
        }
        assert!(!fires(root_user, plain().user("1000:1000")));
    }
}
