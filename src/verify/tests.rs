//! Unit tests of the pure checks from constructed facts: each check passes on a ready
//! target and fails (or warns) for the reason it exists.

use std::collections::BTreeSet;

use super::expect::ExpectedContainer;
use super::facts::*;
use super::host_checks::{self, IdKind, When};
use super::post::DockerContainer;
use super::*;
use crate::generate::PublishedPort;
use crate::model::{ContainerState, Protocol, RestartPolicyName};
use crate::plan::SubIdRange;

const RANGE: SubIdRange = SubIdRange {
    start: 200_000,
    count: 65536,
};

fn expect() -> Expectations {
    Expectations {
        user: "svc".into(),
        podman_version: "5.4".into(),
        subid_range: Some(RANGE),
        subgid_range: Some(RANGE),
        all_subid_ranges: [("svc".to_string(), RANGE)].into(),
        containers: vec![ExpectedContainer {
            docker_name: "web".into(),
            unit: "web".into(),
            image: "docker.io/library/nginx:1.25".into(),
            docker_image: "nginx:1.25".into(),
            ports: vec![PublishedPort {
                host_ip: None,
                host_port: 8080,
                docker_host_port: 8080,
                container_port: 80,
                protocol: Protocol::Tcp,
            }],
            volumes: vec![("web-data".into(), "/data".into())],
            binds: vec![("/etc/nginx/conf.d".into(), "/srv/web/conf".into())],
            container_user: Some("101".into()),
            controllers: BTreeSet::new(),
            sysctl_policy: true,
            apparmor_profile: None,
            runs_once: false,
            podman_secrets: vec![],
        }],
        volumes: ["web-data".to_string()].into(),
        networks: ["appnet".to_string()].into(),
        other_users: Default::default(),
    }
}

fn map() -> Vec<IdMapEntry> {
    vec![
        IdMapEntry {
            container_id: 0,
            host_id: 1001,
            size: 1,
        },
        IdMapEntry {
            container_id: 1,
            host_id: 200_000,
            size: 65536,
        },
    ]
}

fn line(owner: &str, start: u64, count: u64) -> SubIdLine {
    SubIdLine {
        owner: owner.into(),
        start,
        count,
    }
}

fn ready() -> TargetFacts {
    TargetFacts {
        socket: "/run/user/1001/podman/podman.sock".into(),
        podman_version: Some("5.4.2".into()),
        api_version: Some("5.4.2".into()),
        rootless: Some(true),
        network_backend: Some("netavark".into()),
        rootless_network_cmd: Some("pasta".into()),
        pasta_executable: Some("/usr/bin/pasta".into()),
        pasta_version: Some("passt 2025".into()),
        aardvark_dns: Some("/usr/lib/podman/aardvark-dns".into()),
        cgroup_version: Some("v2".into()),
        cgroup_manager: Some("systemd".into()),
        cgroup_controllers: vec!["cpu".into(), "memory".into(), "pids".into()],
        uid_map: map(),
        gid_map: map(),
        host_files: HostFiles {
            root: "/".into(),
            subuid: Some(vec![
                line("other", 100_000, 65536),
                line("svc", 200_000, 65536),
            ]),
            subgid: Some(vec![line("svc", 200_000, 65536)]),
            unprivileged_port_start: Some(1024),
            users: [("svc".to_string(), 1001), ("alice".to_string(), 1000)].into(),
            default_route_interfaces: Some(vec!["ens3".into()]),
            containers_conf: vec![],
            firewall_tools: vec!["nft".into()],
            aardvark_dns: None,
            apparmor: Default::default(),
            errors: vec![],
        },
        images: vec![TargetImage {
            id: "abc".into(),
            names: vec!["docker.io/library/nginx:1.25".into()],
            digests: vec![],
        }],
        ..Default::default()
    }
}

/// `ready()` after the migration: web runs as planned.
fn migrated() -> TargetFacts {
    let mut f = ready();
    f.containers = vec![TargetContainer {
        id: "0123456789abcdef".into(),
        name: "web".into(),
        state: "running".into(),
        image: "docker.io/library/nginx:1.25".into(),
        user: "101".into(),
        ports: vec![TargetPort {
            host_ip: String::new(),
            host_port: 8080,
            container_port: 80,
            protocol: Protocol::Tcp,
        }],
        mounts: vec![
            TargetMount {
                kind: "volume".into(),
                source: "web-data".into(),
                destination: "/data".into(),
                read_write: true,
            },
            TargetMount {
                kind: "bind".into(),
                source: "/srv/web/conf".into(),
                destination: "/etc/nginx/conf.d".into(),
                read_write: false,
            },
        ],
        labels: [("PODMAN_SYSTEMD_UNIT".to_string(), "web.service".to_string())].into(),
        ..Default::default()
    }];
    f.volumes = vec!["web-data".into()];
    f
}

fn docker(state: ContainerState, restart: RestartPolicyName) -> DockerSide {
    DockerSide::Read {
        containers: vec![DockerContainer {
            name: "web".into(),
            state,
            restart,
        }],
    }
}

fn get<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {checks:#?}"))
}

fn status(checks: &[Check], id: &str) -> Status {
    get(checks, id).status
}

#[test]
fn a_ready_target_passes_every_readiness_check() {
    let checks = readiness(&expect(), &ready());
    let not_passing: Vec<&Check> = checks.iter().filter(|c| c.status != Status::Pass).collect();
    assert!(not_passing.is_empty(), "{not_passing:#?}");
    assert_eq!(checks.len(), 16);
    assert!(checks.iter().all(|c| c.fix.is_none()));
}

#[test]
fn podman_version_below_plan_or_quadlet_floor_fails() {
    let mut f = ready();
    f.podman_version = Some("5.2.1".into());
    let c = host_checks::podman_version(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("older than 5.4"), "{c:?}");
    assert!(c.fix.unwrap().contains("--podman-version 5.2"));
    // A plan written for 4.0 still needs quadlet's 4.4.
    let mut old_plan = expect();
    old_plan.podman_version = "4.0".into();
    f.podman_version = Some("4.3.1".into());
    let c = host_checks::podman_version(&old_plan, &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("4.4 (quadlet)"), "{c:?}");
    f.podman_version = None;
    assert_eq!(
        host_checks::podman_version(&expect(), &f).status,
        Status::Fail
    );
}

#[test]
fn rootful_or_unknown_service_fails() {
    let mut f = ready();
    f.rootless = Some(false);
    assert_eq!(host_checks::rootless(&f).status, Status::Fail);
    f.rootless = None;
    assert_eq!(host_checks::rootless(&f).status, Status::Fail);
}

#[test]
fn network_backend_and_pasta() {
    let mut f = ready();
    f.network_backend = Some("cni".into());
    assert_eq!(host_checks::network_backend(&f).status, Status::Warn);
    f.network_backend = None;
    assert_eq!(host_checks::network_backend(&f).status, Status::Fail);

    let mut f = ready();
    f.rootless_network_cmd = Some("slirp4netns".into());
    let c = host_checks::rootless_network_cmd(&f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("default_rootless_network_cmd"));
    f.rootless_network_cmd = Some("pasta".into());
    f.pasta_executable = None;
    assert_eq!(host_checks::rootless_network_cmd(&f).status, Status::Fail);
    f.rootless_network_cmd = None;
    assert_eq!(host_checks::rootless_network_cmd(&f).status, Status::Fail);
}

#[test]
fn subuid_missing_mismatched_overlapping_or_not_in_effect_fails() {
    let e = expect();
    let mut f = ready();
    f.host_files.subuid = Some(vec![line("other", 100_000, 65536)]);
    let c = host_checks::subids(&e, &f, IdKind::Uid);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("no range for svc"), "{c:?}");
    assert!(c.fix.unwrap().contains("svc:200000:65536"));

    f.host_files.subuid = Some(vec![line("svc", 300_000, 65536)]);
    let c = host_checks::subids(&e, &f, IdKind::Uid);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("not the plan's 200000:65536"), "{c:?}");

    f.host_files.subuid = Some(vec![line("svc", 200_000, 65536), line("bob", 250_000, 10)]);
    let c = host_checks::subids(&e, &f, IdKind::Uid);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("overlaps bob"), "{c:?}");

    // The file is right but the service still runs with the old namespace.
    let mut f = ready();
    f.uid_map.truncate(1);
    let c = host_checks::subids(&e, &f, IdKind::Uid);
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("podman system migrate"));

    // Lines may name the UID instead of the user.
    let mut f = ready();
    f.host_files.subgid = Some(vec![line("1001", 200_000, 65536)]);
    assert_eq!(
        host_checks::subids(&e, &f, IdKind::Gid).status,
        Status::Pass
    );

    // Unreadable file: the check says so instead of guessing.
    f.host_files.subgid = None;
    f.host_files.errors = vec!["/etc/subgid: Permission denied".into()];
    let c = host_checks::subids(&e, &f, IdKind::Gid);
    assert_eq!(c.status, Status::Warn);
    assert!(c.message.contains("Permission denied"));

    let mut no_range = expect();
    no_range.subid_range = None;
    no_range.subgid_range = None;
    assert_eq!(
        host_checks::subids(&no_range, &ready(), IdKind::Uid).status,
        Status::Warn
    );
}

#[test]
fn limits_need_cgroup_v2_with_delegated_controllers() {
    let mut e = expect();
    e.containers[0].controllers = ["memory".to_string(), "io".to_string()].into();
    let c = host_checks::cgroups(&e, &ready());
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("io"), "{c:?}");
    assert!(c.fix.unwrap().contains("Delegate="));

    e.containers[0].controllers = ["memory".to_string()].into();
    assert_eq!(host_checks::cgroups(&e, &ready()).status, Status::Pass);
    let mut v1 = ready();
    v1.cgroup_version = Some("v1".into());
    let c = host_checks::cgroups(&e, &v1);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("cgroup v1"));
}

#[test]
fn low_ports_against_the_sysctl() {
    let mut e = expect();
    e.containers[0].ports[0].host_port = 80;
    let c = host_checks::unprivileged_ports(&e, &ready(), When::Before);
    assert_eq!(
        c.status,
        Status::Warn,
        "sysctl policy: migrate.sh lowers it"
    );
    let c = host_checks::unprivileged_ports(&e, &ready(), When::After);
    assert_eq!(
        c.status,
        Status::Fail,
        "after the migration it must be applied"
    );
    assert!(c.fix.unwrap().contains("ip_unprivileged_port_start=80"));
    e.containers[0].sysctl_policy = false;
    assert_eq!(
        host_checks::unprivileged_ports(&e, &ready(), When::Before).status,
        Status::Fail
    );
    let mut lowered = ready();
    lowered.host_files.unprivileged_port_start = Some(80);
    assert_eq!(
        host_checks::unprivileged_ports(&e, &lowered, When::After).status,
        Status::Pass
    );
}

#[test]
fn existing_names_conflict() {
    let f = migrated();
    let checks = readiness(&expect(), &f);
    assert_eq!(status(&checks, "container-names"), Status::Fail);
    assert_eq!(status(&checks, "volume-names"), Status::Fail);
    let mut f = ready();
    f.networks = vec!["appnet".into()];
    assert_eq!(
        status(&readiness(&expect(), &f), "network-names"),
        Status::Warn
    );
    // quadlet's default name counts too.
    let mut f = ready();
    f.containers = vec![TargetContainer {
        name: "systemd-web".into(),
        ..Default::default()
    }];
    assert_eq!(
        status(&readiness(&expect(), &f), "container-names"),
        Status::Fail
    );
}

#[test]
fn missing_image_needs_transfer() {
    let mut f = ready();
    f.images.clear();
    let c = get(
        &readiness(&expect(), &f),
        "image:docker.io/library/nginx:1.25",
    )
    .clone();
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.fix
            .unwrap()
            .contains("docker save nginx:1.25 | podman load")
    );
}

#[test]
fn a_migrated_target_passes_every_post_check() {
    let checks = post_migration(
        &expect(),
        &migrated(),
        &docker(ContainerState::Exited, RestartPolicyName::No),
    );
    let not_passing: Vec<&Check> = checks.iter().filter(|c| c.status != Status::Pass).collect();
    assert!(not_passing.is_empty(), "{not_passing:#?}");
    assert_eq!(checks.len(), 12 + 7);
    assert_eq!(auto_phase(&expect(), &migrated()), Phase::Post);
    assert_eq!(auto_phase(&expect(), &ready()), Phase::Readiness);
    // Same name, no unit label: someone else's container, still readiness.
    let mut foreign = migrated();
    foreign.containers[0].labels.clear();
    assert_eq!(auto_phase(&expect(), &foreign), Phase::Readiness);
}

/// A unit with Podman secrets gets one more check: every name it uses exists for the user;
/// a missing one fails, an unreadable list warns.
#[test]
fn post_checks_find_the_podman_secrets_by_name() {
    let mut e = expect();
    e.containers[0].podman_secrets = vec!["unroot-web-api_token".into()];
    let stopped = docker(ContainerState::Exited, RestartPolicyName::No);
    let mut f = migrated();
    f.secrets = Some(vec!["other".into(), "unroot-web-api_token".into()]);
    let checks = post_migration(&e, &f, &stopped);
    assert_eq!(checks.len(), 12 + 8);
    assert_eq!(status(&checks, "podman-secrets:web"), Status::Pass);
    f.secrets = Some(vec!["other".into()]);
    let c = get(&post_migration(&e, &f, &stopped), "podman-secrets:web").clone();
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("unroot-web-api_token"), "{c:?}");
    f.secrets = None;
    assert_eq!(
        status(&post_migration(&e, &f, &stopped), "podman-secrets:web"),
        Status::Warn
    );
    // Without secrets in the plan there is no such check.
    assert!(
        !post_migration(&expect(), &f, &stopped)
            .iter()
            .any(|c| c.id.starts_with("podman-secrets:"))
    );
}

#[test]
fn post_checks_fail_for_what_differs() {
    let stopped = docker(ContainerState::Exited, RestartPolicyName::No);
    let run = |f: &TargetFacts| post_migration(&expect(), f, &stopped);

    let mut f = migrated();
    f.containers[0].state = "exited".into();
    assert_eq!(status(&run(&f), "container-running:web"), Status::Fail);

    let mut f = migrated();
    f.containers[0].ports[0].host_port = 8081;
    let c = get(&run(&f), "ports:web").clone();
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("missing 8080->80/tcp, unexpected 8081->80/tcp"),
        "{c:?}"
    );

    let mut f = migrated();
    f.containers[0].mounts.remove(1);
    let c = get(&run(&f), "mounts:web").clone();
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("/etc/nginx/conf.d (bind /srv/web/conf) is not mounted")
    );

    let mut f = migrated();
    f.containers[0].user = "0".into();
    assert_eq!(status(&run(&f), "user:web"), Status::Fail);

    let mut f = migrated();
    f.containers[0].image = "docker.io/library/nginx:1.24".into();
    assert_eq!(status(&run(&f), "image:web"), Status::Fail);

    let mut f = migrated();
    f.containers.clear();
    let checks = run(&f);
    assert_eq!(status(&checks, "container-exists:web"), Status::Fail);
    // Nothing to compare without a container: only the existence check is reported.
    assert!(checks.iter().all(|c| c.id != "ports:web"));
}

#[test]
fn root_spelled_differently_is_the_same_user() {
    let mut e = expect();
    e.containers[0].container_user = Some("root".into());
    let mut f = migrated();
    f.containers[0].user = "0:0".into();
    assert_eq!(
        status(
            &post_migration(
                &e,
                &f,
                &docker(ContainerState::Exited, RestartPolicyName::No)
            ),
            "user:web"
        ),
        Status::Pass
    );
}

#[test]
fn docker_side_must_be_stopped_with_restart_no() {
    let e = expect();
    let planned = &e.containers[0];
    let c = post::docker_stopped(
        planned,
        &docker(ContainerState::Running, RestartPolicyName::No),
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("still running"), "{c:?}");
    let c = post::docker_stopped(
        planned,
        &docker(ContainerState::Exited, RestartPolicyName::Always),
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("docker update --restart=no web"));
    let gone = DockerSide::Read { containers: vec![] };
    assert_eq!(post::docker_stopped(planned, &gone).status, Status::Pass);
    let unreadable = DockerSide::Unavailable {
        reason: "permission denied on /var/run/docker.sock".into(),
    };
    let c = post::docker_stopped(planned, &unreadable);
    assert_eq!(c.status, Status::Warn);
    assert!(c.message.contains("permission denied"));
}

#[test]
fn report_exit_codes_and_notes() {
    let mut e = expect();
    e.other_users.insert("db-user".into(), vec!["db".into()]);
    let f = ready();
    let report = Report::new(Phase::Readiness, &e, &f, readiness(&e, &f));
    assert_eq!(report.exit_code(), 0);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("db-user") && n.contains("db"))
    );
    assert!(report.notes.iter().any(|n| n.contains("read locally")));
    let mut f = ready();
    f.rootless = Some(false);
    let report = Report::new(Phase::Readiness, &e, &f, readiness(&e, &f));
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.summary.fail, 1);
}

#[test]
fn expectations_follow_what_generate_writes() {
    use crate::generate::{Generated, ImageTransfer, Note, NoteLevel, TransferMethod, UnitPlan};
    use crate::model::{Container, Inventory, Mount, MountKind};

    let bind = |src: &str, dest: &str| Mount {
        kind: MountKind::Bind,
        source: src.into(),
        destination: dest.into(),
        ..Default::default()
    };
    let inventory = Inventory {
        containers: vec![Container {
            name: "traefik".into(),
            mounts: vec![
                bind("/var/run/docker.sock", "/var/run/docker.sock"),
                bind("/srv/a:b,c", "/odd"),
                bind("/srv/traefik", "/etc/traefik"),
            ],
            ..Default::default()
        }],
        ..Default::default()
    };
    let generated = Generated {
        units: vec![UnitPlan {
            container: "traefik".into(),
            unit: "traefik".into(),
            user: "svc".into(),
            image: ImageTransfer {
                docker_ref: "traefik:v3.1".into(),
                podman_ref: "docker.io/library/traefik:v3.1".into(),
                method: TransferMethod::Load,
                digest: None,
                pinned: false,
            },
            volumes: vec![],
            chown_binds: vec![],
            ports: vec![],
            start_at_boot: true,
            env_file: None,
            quadlet_files: vec!["quadlet/traefik.container".into()],
            seccomp_file: None,
            apparmor_profile: None,
            runs_once: false,
            auto_update: Default::default(),
            podman_secrets: vec![],
        }],
        notes: vec![Note {
            container: Some("traefik".into()),
            level: NoteLevel::NotTranslated,
            setting: "mount /odd".into(),
            message: "cannot be expressed".into(),
        }],
        ..Default::default()
    };
    let target = crate::plan::Target {
        user: "svc".into(),
        project_users: Default::default(),
        create_user: false,
        podman_version: "5.4".into(),
        quadlet_dir: ".config/containers/systemd".into(),
        subid_ranges: Default::default(),
    };
    let migration = crate::migration::build(&inventory, &target, generated);
    let e = Expectations::build(
        &target,
        &Default::default(),
        &migration,
        Some(&inventory),
        "svc",
    );
    assert_eq!(
        e.containers[0].binds,
        vec![
            (
                "/var/run/docker.sock".to_string(),
                "%t/podman/podman.sock".to_string()
            ),
            ("/etc/traefik".to_string(), "/srv/traefik".to_string()),
        ]
    );
    assert!(expect::bind_source_matches(
        "%t/podman/podman.sock",
        "/run/user/1001/podman/podman.sock"
    ));
    assert!(!expect::bind_source_matches(
        "%t/podman/podman.sock",
        "/var/run/docker.sock"
    ));
    assert!(expect::bind_source_matches("/srv/traefik", "/srv/traefik"));
}

#[test]
fn the_socket_must_belong_to_the_plans_user() {
    let mut f = ready();
    f.uid_map[0].host_id = 1000;
    let c = host_checks::service_user(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("belongs to alice (UID 1000)"), "{c:?}");
    assert!(c.fix.unwrap().contains("/run/user/1001/podman/podman.sock"));
    let mut f = ready();
    f.host_files.users.remove("svc");
    let c = host_checks::service_user(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("does not exist"));
    assert_eq!(
        host_checks::service_user(&expect(), &ready()).status,
        Status::Pass
    );
}

fn conf(owner: Option<&str>, driver: Option<&str>, iface: Option<&str>) -> ContainersConf {
    ContainersConf {
        path: format!("/{}/containers.conf", owner.unwrap_or("etc")),
        owner: owner.map(String::from),
        firewall_driver: driver.map(String::from),
        pasta_interface: iface.map(String::from),
    }
}

#[test]
fn pasta_needs_a_default_route_or_an_interface_option() {
    let f = ready();
    assert_eq!(
        host_checks::pasta_template(&expect(), &f).status,
        Status::Pass
    );
    // Issue 12: a host with no default route (docker0 only) fails before anything is stopped.
    let mut f = ready();
    f.host_files.default_route_interfaces = Some(vec![]);
    let c = host_checks::pasta_template(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("no default route"), "{c:?}");
    let fix = c.fix.unwrap();
    assert!(
        fix.contains("\"-i\", \"IFACE\"") && fix.contains("~svc/"),
        "{fix}"
    );
    // -i in the user's containers.conf is a template; another user's is not.
    f.host_files.containers_conf = vec![conf(Some("alice"), None, Some("eth9"))];
    assert_eq!(
        host_checks::pasta_template(&expect(), &f).status,
        Status::Fail
    );
    f.host_files
        .containers_conf
        .push(conf(Some("svc"), None, Some("ens5")));
    let c = host_checks::pasta_template(&expect(), &f);
    assert_eq!(c.status, Status::Pass);
    assert!(c.message.contains("ens5"), "{c:?}");
    // Unreadable tables: a warning, not a guess.
    f.host_files.containers_conf.clear();
    f.host_files.default_route_interfaces = None;
    assert_eq!(
        host_checks::pasta_template(&expect(), &f).status,
        Status::Warn
    );
}

#[test]
fn podman_networks_need_the_firewall_tool_of_netavarks_driver() {
    let mut f = ready();
    assert_eq!(
        host_checks::network_firewall(&expect(), &f).status,
        Status::Pass
    );
    // Issue 12: Debian's netavark only recommends nftables.
    f.host_files.firewall_tools = vec!["iptables".into()];
    let c = host_checks::network_firewall(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains("`nft`") && c.message.contains("appnet"),
        "{c:?}"
    );
    assert!(c.fix.unwrap().contains("nftables package"));
    // Configured for iptables (system file), which is installed.
    f.host_files.containers_conf = vec![conf(None, Some("iptables"), None)];
    assert_eq!(
        host_checks::network_firewall(&expect(), &f).status,
        Status::Pass
    );
    // The user's own file comes later and wins.
    f.host_files
        .containers_conf
        .push(conf(Some("svc"), Some("nftables"), None));
    assert_eq!(
        host_checks::network_firewall(&expect(), &f).status,
        Status::Fail
    );
    f.host_files
        .containers_conf
        .push(conf(Some("svc"), Some("none"), None));
    assert_eq!(
        host_checks::network_firewall(&expect(), &f).status,
        Status::Pass
    );
    f.host_files.containers_conf = vec![conf(None, Some("ipfw"), None)];
    assert_eq!(
        host_checks::network_firewall(&expect(), &f).status,
        Status::Fail
    );
    // No Podman network in the plan: nothing to program.
    let mut e = expect();
    e.networks.clear();
    f.host_files.firewall_tools.clear();
    assert_eq!(host_checks::network_firewall(&e, &f).status, Status::Pass);
}

#[test]
fn podman_networks_need_aardvark_dns() {
    let mut f = ready();
    assert_eq!(
        host_checks::aardvark_dns(&expect(), &f).status,
        Status::Pass
    );
    f.aardvark_dns = None;
    f.host_files.aardvark_dns = Some("/usr/libexec/podman/aardvark-dns".into());
    assert_eq!(
        host_checks::aardvark_dns(&expect(), &f).status,
        Status::Pass
    );
    f.host_files.aardvark_dns = None;
    let c = host_checks::aardvark_dns(&expect(), &f);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("appnet") && c.fix.unwrap().contains("aardvark-dns package"));
    let mut e = expect();
    e.networks.clear();
    assert_eq!(host_checks::aardvark_dns(&e, &f).status, Status::Pass);
}

/// Each named AppArmor profile must be loaded; a target without AppArmor, or whose list
/// cannot be read, is a warning that says why, and no profile means no check at all.
#[test]
fn apparmor_profiles_must_be_loaded_on_the_target() {
    use super::hostfiles::read_apparmor;
    let mut e = expect();
    assert_eq!(readiness::apparmor_profiles(&e, &ready()), None);
    e.containers[0].apparmor_profile = Some("web-profile".into());
    let mut facts = ready();
    facts.host_files.apparmor = read_apparmor(
        Some("Y\n"),
        Some("docker-default (enforce)\nweb-profile (enforce)\n/usr/bin/man (complain)\n"),
    );
    let c = readiness::apparmor_profiles(&e, &facts).unwrap();
    assert_eq!(c.status, Status::Pass, "{c:?}");
    facts.host_files.apparmor = read_apparmor(Some("Y"), Some("docker-default (enforce)\n"));
    let c = readiness::apparmor_profiles(&e, &facts).unwrap();
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("web-profile (web)"), "{}", c.message);
    assert!(c.fix.unwrap().contains("apparmor_parser"));
    for (enabled, profiles, says) in [
        (Some("N"), None, "not enabled"),
        (None, None, "not enabled"),
        (Some("Y"), None, "could not be read"),
    ] {
        facts.host_files.apparmor = read_apparmor(enabled, profiles);
        let c = readiness::apparmor_profiles(&e, &facts).unwrap();
        assert_eq!(c.status, Status::Warn, "{enabled:?}");
        assert!(c.message.contains(says), "{}", c.message);
    }
    // Part of the readiness phase.
    assert!(
        readiness::readiness(&e, &facts)
            .iter()
            .any(|c| c.id == "apparmor-profiles")
    );
}

/// A oneshot (a compose service waits for it to complete) is removed when it exits: its
/// absence, or an exited container, passes; the same absence of a service is a failure.
#[test]
fn a_oneshot_passes_once_it_has_run_and_a_service_does_not() {
    let stopped = docker(ContainerState::Exited, RestartPolicyName::No);
    let mut gone = migrated();
    gone.containers.clear();
    let mut once = expect();
    once.containers[0].runs_once = true;
    let c = get(
        &post_migration(&once, &gone, &stopped),
        "container-exists:web",
    )
    .clone();
    assert_eq!(c.status, Status::Pass, "{c:?}");
    assert!(c.message.contains("oneshot"), "{c:?}");
    assert_eq!(
        status(
            &post_migration(&expect(), &gone, &stopped),
            "container-exists:web"
        ),
        Status::Fail
    );

    let mut exited = migrated();
    exited.containers[0].state = "exited".into();
    assert_eq!(
        status(
            &post_migration(&once, &exited, &stopped),
            "container-running:web"
        ),
        Status::Pass
    );
}
