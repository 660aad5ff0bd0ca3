//! Normalization per case, from inspect JSON of several engine versions: a real Docker
//! 20.10 (API 1.41) capture of the foundation fixture fleet, and Docker 24.0-27.3
//! (API 1.43-1.47) shapes. No engine needed: these pin the meaning of every field.

use bollard::models::{ContainerInspectResponse, ImageInspect};
use unroot::docker::normalize::{self, caps::ALL_CAPS};
use unroot::model::{
    Container, DependencyCondition, EnvOrigin, IdOrName, Image, MountKind, NamespaceMode,
    NetworkMode, PortBinding, ProfileSetting, Protocol, RestartPolicyName,
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/inspect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn images(name: &str) -> Vec<Image> {
    let raw: Vec<ImageInspect> = serde_json::from_str(&fixture(name)).expect("image inspect JSON");
    raw.iter().map(normalize::image).collect()
}

/// Normalize every container of a fixture file, with the given images known.
fn containers(name: &str, images: &[Image]) -> Vec<Container> {
    let raw: Vec<ContainerInspectResponse> =
        serde_json::from_str(&fixture(name)).expect("container inspect JSON");
    raw.iter()
        .map(|c| {
            let image = images.iter().find(|i| Some(&i.id) == c.image.as_ref());
            normalize::container(c, image)
        })
        .collect()
}

fn find<'a>(list: &'a [Container], name: &str) -> &'a Container {
    list.iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

fn v41() -> Vec<Container> {
    containers(
        "api-1.41-docker-20.10.json",
        &images("images-api-1.41-docker-20.10.json"),
    )
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

// ---- API 1.41, real captures -------------------------------------------------------------

#[test]
fn v41_privileged_implies_all_caps_unconfined_all_devices() {
    let all = v41();
    let c = find(&all, "unroot-f-privileged");
    assert!(c.privileged);
    assert!(c.capabilities.add_all);
    assert_eq!(c.capabilities.effective.len(), ALL_CAPS.len());
    assert_eq!(c.security.seccomp, ProfileSetting::Unconfined);
    assert_eq!(c.security.apparmor, ProfileSetting::Unconfined);
    assert!(c.all_devices);
    assert_eq!(c.state, unroot::model::ContainerState::Created);
}

#[test]
fn v41_caps_any_case_with_and_without_prefix() {
    let all = v41();
    let raw = find(&all, "unroot-f-caps-raw");
    assert_eq!(
        raw.capabilities.added,
        strings(&["NET_ADMIN", "SYS_PTRACE"])
    );
    assert_eq!(raw.capabilities.dropped, strings(&["MKNOD"]));
    assert!(!raw.capabilities.effective.contains(&"MKNOD".to_owned()));
    let cli = find(&all, "unroot-f-caps-add");
    assert_eq!(cli.capabilities.added, strings(&["NET_ADMIN", "SYS_TIME"]));
    assert_eq!(cli.capabilities.dropped, strings(&["NET_RAW"]));
    assert!(cli.capabilities.effective.contains(&"SYS_TIME".to_owned()));
}

#[test]
fn v41_ports_ipv4_udp_ranges_engine_chosen_and_unpublished_expose() {
    let all = v41();
    let c = find(&all, "unroot-f-ports");
    let has = |cp: u16, proto: Protocol, ip: Option<&str>, hp: u16| {
        c.ports.contains(&PortBinding {
            container_port: cp,
            protocol: proto,
            host_ip: ip.map(str::to_owned),
            host_port: hp,
            host_port_range: None,
        })
    };
    assert!(
        has(80, Protocol::Tcp, Some("127.0.0.1"), 38080),
        "{:?}",
        c.ports
    );
    assert!(has(53, Protocol::Udp, None, 38053));
    for (cp, hp) in [(8100, 38100), (8101, 38101), (8102, 38102)] {
        assert!(has(cp, Protocol::Tcp, None, hp), "range {cp}");
    }
    // `-p 127.0.0.1::81`: the engine picked the host port; the running container shows it.
    let engine = c.ports.iter().find(|p| p.container_port == 81).unwrap();
    assert!(engine.host_port > 0);
    assert_eq!(c.ports.len(), 6);
    assert_eq!(
        c.exposed_ports,
        vec![unroot::model::ExposedPort {
            port: 9999,
            protocol: Protocol::Tcp
        }]
    );
}

#[test]
fn v41_ports_ipv6_host_ips_on_a_created_container() {
    let all = v41();
    let c = find(&all, "unroot-f-ports-v6");
    let ips: Vec<Option<&str>> = c.ports.iter().map(|p| p.host_ip.as_deref()).collect();
    assert!(ips.contains(&Some("::1")), "{:?}", c.ports);
    assert!(ips.contains(&Some("::")), "{:?}", c.ports);
    // `-p 38090-38091:90`: a host range for one container port keeps its first port.
    assert!(
        c.ports
            .iter()
            .any(|p| p.container_port == 90 && p.host_port == 38090)
    );
    assert_eq!(c.ports.len(), 3);
}

#[test]
fn v41_mounts_bind_volume_anonymous_tmpfs_readonly() {
    let all = v41();
    let c = find(&all, "unroot-f-mounts");
    let by = |dst: &str| c.mounts.iter().find(|m| m.destination == dst).unwrap();
    let config = by("/config");
    assert_eq!(config.kind, MountKind::Bind);
    assert!(config.read_only);
    assert!(config.source.ends_with("/unroot-fixture-foundation/config"));
    assert_eq!(config.propagation.as_deref(), Some("rprivate"));
    let data = by("/data");
    assert_eq!(data.kind, MountKind::Volume);
    assert_eq!(data.source, "unroot-f-data");
    assert_eq!(data.driver.as_deref(), Some("local"));
    assert!(!data.read_only);
    let anon = by("/anonymous");
    assert_eq!(anon.kind, MountKind::Volume);
    assert_eq!(
        anon.source.len(),
        64,
        "anonymous volumes are named by a hex id"
    );
    let run = by("/run/app");
    assert_eq!(run.kind, MountKind::Tmpfs);
    assert_eq!(run.tmpfs_options.as_deref(), Some("size=65536k,mode=1777"));
    let cache = by("/cache");
    assert_eq!(cache.kind, MountKind::Tmpfs);
    assert_eq!(
        cache.tmpfs_options.as_deref(),
        Some("size=1048576,mode=700")
    );
    assert_eq!(c.mounts.len(), 5);
}

#[test]
fn v41_bind_propagation() {
    let all = v41();
    let c = find(&all, "unroot-f-mounts-propagation");
    let m = c
        .mounts
        .iter()
        .find(|m| m.destination == "/shared")
        .unwrap();
    assert_eq!(m.propagation.as_deref(), Some("rslave"));
}

#[test]
fn v41_security_options_legacy_and_equals() {
    let all = v41();
    let legacy = find(&all, "unroot-f-secopt-legacy");
    assert_eq!(legacy.security.seccomp, ProfileSetting::Unconfined);
    assert!(
        !legacy.security.no_new_privileges,
        "no-new-privileges:false"
    );
    assert_eq!(legacy.security.selinux_labels, strings(&["disable"]));
    let eq = find(&all, "unroot-f-secopt-eq");
    assert_eq!(eq.security.seccomp, ProfileSetting::Unconfined);
    assert!(eq.security.no_new_privileges);
}

#[test]
fn v41_env_split_container_override_image() {
    let all = v41();
    let c = find(&all, "unroot-f-env");
    let origin = |n: &str| c.env.iter().find(|e| e.name == n).unwrap().origin;
    assert_eq!(origin("PG_MAJOR"), EnvOrigin::Override);
    assert_eq!(origin("POSTGRES_PASSWORD"), EnvOrigin::Container);
    assert_eq!(origin("EMPTY_VALUE"), EnvOrigin::Container);
    assert_eq!(origin("PGDATA"), EnvOrigin::Image);
    let added: Vec<&str> = c.added_env().map(|e| e.name.as_str()).collect();
    assert_eq!(added.len(), 3, "{added:?}");
}

/// A compose service's `depends_on`, as (service, condition) pairs in label order.
fn dependencies(compose: &unroot::model::ComposeInfo) -> Vec<(&str, DependencyCondition)> {
    compose
        .depends_on
        .iter()
        .map(|d| (d.service.as_str(), d.condition))
        .collect()
}

#[test]
fn v41_compose_labels_depends_on_and_networks() {
    let all = v41();
    let c = find(&all, "unroot-f-proj-app-1");
    let compose = c.compose.as_ref().expect("compose info");
    assert_eq!(compose.project, "unroot-f-proj");
    assert_eq!(compose.service.as_deref(), Some("app"));
    assert_eq!(
        dependencies(compose),
        [
            ("db", DependencyCondition::ServiceStarted),
            ("cache", DependencyCondition::ServiceHealthy)
        ]
    );
    assert_eq!(compose.working_dir.as_deref(), Some("/srv/unroot-f-proj"));
    assert_eq!(
        c.network_mode,
        NetworkMode::Named("unroot-f-proj_default".into())
    );
    let nets: Vec<&str> = c.networks.iter().map(|n| n.network.as_str()).collect();
    assert_eq!(nets, ["unroot-f-internal", "unroot-f-proj_default"]);
    assert!(c.networks[1].aliases.contains(&"app".to_owned()));
}

#[test]
fn v41_resources_and_host_config_details() {
    let all = v41();
    let c = find(&all, "unroot-f-resources");
    assert!(c.read_only_rootfs);
    assert_eq!(c.init, Some(true));
    assert_eq!(c.resources.memory, Some(64 * 1024 * 1024));
    assert_eq!(c.resources.memory_reservation, Some(32 * 1024 * 1024));
    assert_eq!(c.resources.pids_limit, Some(100));
    assert_eq!(c.resources.nano_cpus, Some(500_000_000));
    assert_eq!(c.resources.cpu_shares, Some(512));
    assert_eq!(c.ulimits[0].name, "nofile");
    assert_eq!((c.ulimits[0].soft, c.ulimits[0].hard), (1024, 2048));
    assert_eq!(
        c.sysctls
            .get("net.ipv4.ip_unprivileged_port_start")
            .map(String::as_str),
        Some("80")
    );
    assert_eq!(c.dns, strings(&["192.0.2.53"]));
    assert_eq!(c.dns_search, strings(&["example.invalid"]));
    assert_eq!(c.extra_hosts, strings(&["db.example.invalid:192.0.2.10"]));
    assert_eq!(c.group_add, strings(&["1234"]));
    assert_eq!(
        c.log_options.get("max-size").map(String::as_str),
        Some("5m")
    );
    assert_eq!(c.stop_signal.as_deref(), Some("SIGINT"));
    assert_eq!(c.stop_timeout, Some(20));
    assert_eq!(c.shm_size, Some(128 * 1024 * 1024));
    assert_eq!(c.hostname.as_deref(), Some("fixture-host"));
    assert_eq!(c.working_dir.as_deref(), Some("/tmp"));
}

#[test]
fn v41_healthcheck_from_image_and_disabled() {
    let all = v41();
    let from_image = find(&all, "unroot-f-health-image");
    let h = from_image.healthcheck.as_ref().expect("image healthcheck");
    assert_eq!(h.test, strings(&["CMD", "/bin/true"]));
    assert_eq!(h.interval_ns, Some(10_000_000_000));
    let none = find(&all, "unroot-f-health-none");
    assert!(none.healthcheck.as_ref().unwrap().is_disabled());
}

#[test]
fn v41_user_from_image_and_stopped_state() {
    let all = v41();
    let grafana = find(&all, "unroot-f-user-image");
    assert_eq!(grafana.user.user, Some(IdOrName::Id(472)));
    assert!(!grafana.user.is_root);
    let exited = find(&all, "unroot-f-state-exited");
    assert_eq!(exited.state, unroot::model::ContainerState::Exited);
    assert_eq!(exited.command, Some(strings(&["/bin/true"])));
}

// ---- API 1.43 (Docker 24.0) --------------------------------------------------------------

#[test]
fn v43_compose_app_with_dual_stack_port_and_own_healthcheck() {
    let imgs = images("images-api-1.43-1.44.json");
    let all = containers("api-1.43-docker-24.0.json", &imgs);
    let c = find(&all, "nextcloud-app-1");
    assert_eq!(
        c.ports.len(),
        1,
        "configured binding, not the runtime IPv4+IPv6 pair"
    );
    assert_eq!(c.ports[0].host_ip, None);
    assert_eq!(c.ports[0].host_port, 8080);
    assert!(c.exposed_ports.is_empty());
    let compose = c.compose.as_ref().unwrap();
    assert_eq!(
        dependencies(compose),
        [
            ("db", DependencyCondition::ServiceHealthy),
            ("redis", DependencyCondition::ServiceStarted)
        ]
    );
    assert_eq!(
        compose.config_files.as_deref(),
        Some("/srv/nextcloud/compose.yaml")
    );
    assert_eq!(c.restart_policy.name, RestartPolicyName::UnlessStopped);
    assert_eq!(c.cgroupns_mode.as_deref(), Some("private"));
    assert!(c.healthcheck.as_ref().unwrap().test[1].starts_with("curl"));
    let origin = |n: &str| c.env.iter().find(|e| e.name == n).unwrap().origin;
    assert_eq!(origin("PHP_MEMORY_LIMIT"), EnvOrigin::Override);
    assert_eq!(origin("PHP_UPLOAD_LIMIT"), EnvOrigin::Image);
    assert_eq!(origin("MYSQL_PASSWORD"), EnvOrigin::Container);
    assert_eq!(c.stop_signal.as_deref(), Some("SIGWINCH"));
    assert_eq!(c.security.apparmor, ProfileSetting::Default);
    assert_eq!(c.mounts.len(), 2);
}

// ---- API 1.44 (Docker 25.0) --------------------------------------------------------------

#[test]
fn v44_hardened_container() {
    let imgs = images("images-api-1.43-1.44.json");
    let all = containers("api-1.44-docker-25.0.json", &imgs);
    let c = find(&all, "vaultwarden");
    assert!(!c.user.is_root);
    assert_eq!(c.user.group, Some(IdOrName::Id(1000)));
    assert!(c.read_only_rootfs);
    assert!(c.capabilities.drop_all);
    assert_eq!(c.capabilities.effective, strings(&["NET_BIND_SERVICE"]));
    assert!(c.security.no_new_privileges);
    assert_eq!(c.resources.memory, Some(268_435_456));
    assert_eq!(c.resources.memory_swap, Some(536_870_912));
    assert_eq!(c.resources.pids_limit, Some(128));
    assert_eq!(c.init, Some(true));
    let tmp = c.mounts.iter().find(|m| m.destination == "/tmp").unwrap();
    assert_eq!(tmp.kind, MountKind::Tmpfs);
    assert_eq!(
        tmp.tmpfs_options.as_deref(),
        Some("rw,noexec,nosuid,size=65536k")
    );
    let run = c.mounts.iter().find(|m| m.destination == "/run").unwrap();
    assert_eq!(run.tmpfs_options.as_deref(), Some("size=16777216,mode=755"));
    // Exposed 80/tcp is not published: the app listens on 8080 behind the proxy network.
    assert_eq!(c.exposed_ports.len(), 1);
    assert_eq!(c.networks[0].network, "proxy");
    assert_eq!(c.networks[0].ipv4_address.as_deref(), Some("172.18.0.7"));
    assert_eq!(c.ulimits.len(), 1);
    let origin = |n: &str| c.env.iter().find(|e| e.name == n).unwrap().origin;
    assert_eq!(origin("ROCKET_PORT"), EnvOrigin::Override);
    assert_eq!(origin("DOMAIN"), EnvOrigin::Container);
}

// ---- API 1.45 (Docker 26.1) --------------------------------------------------------------

#[test]
fn v45_privileged_host_network_devices_and_gpu() {
    // The image is not known here: every variable counts as the container's own.
    let all = containers("api-1.45-docker-26.1.json", &[]);
    let c = find(&all, "homeassistant");
    assert!(c.privileged && c.all_devices);
    assert_eq!(c.network_mode, NetworkMode::Host);
    assert_eq!(c.pid_mode, NamespaceMode::Host);
    assert_eq!(c.uts_mode, NamespaceMode::Host);
    assert_eq!(c.ipc_mode, NamespaceMode::Private);
    assert_eq!(c.security.selinux_labels, strings(&["disable"]));
    assert_eq!(c.security.apparmor, ProfileSetting::Unconfined);
    assert_eq!(c.restart_policy.name, RestartPolicyName::Always);
    assert_eq!(c.devices[0].host_path, "/dev/ttyUSB0");
    assert_eq!(c.devices[0].container_path, "/dev/zigbee");
    assert_eq!(c.device_requests[0].count, Some(-1));
    assert_eq!(c.device_requests[0].capabilities, vec![strings(&["gpu"])]);
    assert!(c.env.iter().all(|e| e.origin == EnvOrigin::Container));
    assert_eq!(c.masked_paths, None);
    assert_eq!(c.mounts.iter().filter(|m| m.read_only).count(), 2);
}

// ---- API 1.47 (Docker 27.3) --------------------------------------------------------------

#[test]
fn v47_dual_stack_tcp_udp_unpublished_expose_and_security() {
    let all = containers("api-1.47-docker-27.3.json", &[]);
    let c = find(&all, "pihole");
    let count = |port: u16, proto: Protocol| {
        c.ports
            .iter()
            .filter(|p| p.container_port == port && p.protocol == proto)
            .count()
    };
    assert_eq!(count(53, Protocol::Tcp), 2);
    assert_eq!(count(53, Protocol::Udp), 2);
    assert!(
        c.ports
            .iter()
            .any(|p| p.host_ip.as_deref() == Some("::") && p.protocol == Protocol::Udp)
    );
    assert_eq!(
        c.ports
            .iter()
            .find(|p| p.container_port == 8101)
            .unwrap()
            .host_port,
        9101
    );
    assert_eq!(
        c.exposed_ports,
        vec![unroot::model::ExposedPort {
            port: 67,
            protocol: Protocol::Udp
        }]
    );
    assert_eq!(c.capabilities.added, strings(&["NET_ADMIN", "SYS_NICE"]));
    assert_eq!(c.security.seccomp, ProfileSetting::Unconfined);
    assert_eq!(c.security.apparmor, ProfileSetting::Unconfined);
    assert!(c.security.no_new_privileges, "bare no-new-privileges");
    assert_eq!(c.restart_policy.name, RestartPolicyName::OnFailure);
    assert_eq!(c.restart_policy.max_retries, Some(3));
    assert!(c.healthcheck.as_ref().unwrap().is_disabled());
    assert_eq!(c.user.user, Some(IdOrName::Name("pihole".into())));
    assert!(!c.user.is_root);
    assert_eq!(c.mounts[0].propagation.as_deref(), Some("rshared"));
    assert_eq!(c.stop_timeout, Some(30));
    assert_eq!(c.dns.len(), 2);
}

#[test]
fn v47_exited_job_with_host_port_range_and_empty_restart_name() {
    let all = containers("api-1.47-docker-27.3.json", &[]);
    let c = find(&all, "restic-backup");
    assert_eq!(c.state, unroot::model::ContainerState::Exited);
    assert!(c.user.is_root, "0:0");
    assert_eq!(c.ports[0].host_port, 18000, "first port of the host range");
    assert_eq!(
        c.ports[0].host_port_range,
        Some(unroot::model::PortRange {
            start: 18000,
            end: 18010
        }),
        "exited: the range stays, Docker picks a port at the next start"
    );
    assert_eq!(c.restart_policy.name, RestartPolicyName::No);
    assert_eq!(c.entrypoint, Some(strings(&["/usr/bin/restic"])));
    assert_eq!(c.command, Some(strings(&["backup", "/data"])));
    assert!(c.networks[0].ipv4_address.is_none());
}

#[test]
fn every_fixture_deserializes_with_bollard_and_keeps_ids() {
    for name in [
        "api-1.41-docker-20.10.json",
        "api-1.43-docker-24.0.json",
        "api-1.44-docker-25.0.json",
        "api-1.45-docker-26.1.json",
        "api-1.47-docker-27.3.json",
    ] {
        let all = containers(name, &[]);
        assert!(!all.is_empty(), "{name}");
        for c in &all {
            assert_eq!(c.id.len(), 64, "{name}: {}", c.name);
            assert!(!c.name.starts_with('/'), "{name}: {}", c.name);
            assert!(c.image_id.starts_with("sha256:"), "{name}: {}", c.name);
        }
    }
}
