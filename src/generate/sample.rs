//! A hand-built fleet that exercises every mapping of the generators, and a synthetic
//! fleet of any size for the benchmark. Used by `tests/generate_*.rs` and
//! `benches/generate.rs`; the values are made up (no real secrets).

use std::collections::BTreeMap;

use crate::model::auto_update::AutoUpdate;
use crate::model::*;
use crate::model::{ContainerDecision, NetworkChoice, PrivilegedPortPolicy, VolumeStrategy};

fn env(name: &str, value: &str, origin: EnvOrigin) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: value.into(),
        origin,
    }
}

fn port(ip: Option<&str>, host: u16, ctr: u16, protocol: Protocol) -> PortBinding {
    PortBinding {
        container_port: ctr,
        protocol,
        host_ip: ip.map(Into::into),
        host_port: host,
        host_port_range: None,
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

fn image(id: &str, tag: &str, pulled: bool) -> Image {
    Image {
        id: id.into(),
        repo_tags: vec![tag.into()],
        repo_digests: if pulled {
            vec![format!(
                "{}@sha256:{}",
                tag.split(':').next().unwrap_or(tag),
                "ab".repeat(32)
            )]
        } else {
            Vec::new()
        },
        env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
        command: Some(s(&["/bin/sleep", "infinity"])),
        ..Default::default()
    }
}

/// `depends_on` entries as compose's label writes them: `db` or `db:service_healthy`.
fn compose(project: &str, service: &str, depends_on: &[&str]) -> Option<ComposeInfo> {
    Some(ComposeInfo {
        project: project.into(),
        service: Some(service.into()),
        depends_on: depends_on
            .iter()
            .map(|d| {
                let (service, condition) = d.split_once(':').unwrap_or((d, ""));
                ComposeDependency::new(service, DependencyCondition::parse(condition))
            })
            .collect(),
        ..Default::default()
    })
}

fn attach(network: &str, aliases: &[&str]) -> NetworkAttachment {
    NetworkAttachment {
        network: network.into(),
        aliases: s(aliases),
        ..Default::default()
    }
}

/// The fixture fleet plus the plan decisions that differ from the defaults.
pub fn fleet() -> (Inventory, BTreeMap<String, ContainerDecision>) {
    let id = |n: u8| format!("{n:02x}").repeat(32);
    let path_env = env(
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        EnvOrigin::Image,
    );
    let web = Container {
        id: id(1),
        name: "web".into(),
        image: "nginx:1.25".into(),
        image_id: "sha256:01".into(),
        state: ContainerState::Running,
        command: Some(s(&["nginx", "-g", "daemon off;"])),
        working_dir: Some("/srv".into()),
        user: UserSpec {
            raw: "101:101".into(),
            user: Some(IdOrName::Id(101)),
            group: Some(IdOrName::Id(101)),
            is_root: false,
        },
        env: vec![
            path_env.clone(),
            env("MODE", "prod", EnvOrigin::Container),
            env("GREETING", "hello world", EnvOrigin::Container),
            env("PRICE", "100% of $5 a${X}b $HOME", EnvOrigin::Container),
            env("QUOTED", r#"say "hi" it's C:\path\"#, EnvOrigin::Container),
            env("UNICODE", "grüße ✓ 日本", EnvOrigin::Container),
            env("TABBED", "a\tb", EnvOrigin::Container),
        ],
        labels: BTreeMap::from([
            ("org.example.team".into(), "web platform".into()),
            (
                "traefik.http.routers.web.rule".into(),
                "Host(`x`) && PathPrefix(`/y`)".into(),
            ),
        ]),
        hostname: Some("www".into()),
        capabilities: Capabilities {
            added: s(&["NET_ADMIN", "SYS_TIME"]),
            dropped: s(&["MKNOD"]),
            ..Default::default()
        },
        security: SecurityOptions {
            no_new_privileges: true,
            selinux_labels: s(&["type:container_t"]),
            ..Default::default()
        },
        read_only_rootfs: true,
        ports: vec![
            port(Some("0.0.0.0"), 80, 80, Protocol::Tcp),
            port(Some("::"), 80, 80, Protocol::Tcp),
            port(Some("0.0.0.0"), 443, 443, Protocol::Tcp),
            port(Some("0.0.0.0"), 8000, 8000, Protocol::Tcp),
            port(Some("0.0.0.0"), 8001, 8001, Protocol::Tcp),
            port(Some("0.0.0.0"), 8002, 8002, Protocol::Tcp),
            port(Some("127.0.0.1"), 5353, 53, Protocol::Udp),
            port(Some("::1"), 9090, 90, Protocol::Tcp),
        ],
        mounts: vec![
            Mount {
                kind: MountKind::Bind,
                source: "/srv/www data".into(),
                destination: "/usr/share/nginx/html".into(),
                read_only: true,
                mode: Some("Z".into()),
                ..Default::default()
            },
            Mount {
                kind: MountKind::Tmpfs,
                destination: "/run".into(),
                tmpfs_options: Some("size=64m,mode=1777".into()),
                ..Default::default()
            },
        ],
        resources: Resources {
            memory: Some(512 * 1024 * 1024),
            pids_limit: Some(100),
            nano_cpus: Some(1_500_000_000),
            ..Default::default()
        },
        ulimits: vec![Ulimit {
            name: "nofile".into(),
            soft: 1024,
            hard: 2048,
        }],
        sysctls: BTreeMap::from([("net.core.somaxconn".into(), "1024".into())]),
        restart_policy: RestartPolicy {
            name: RestartPolicyName::Always,
            max_retries: None,
        },
        healthcheck: Some(Healthcheck {
            test: s(&["CMD-SHELL", "curl -f http://localhost/ || exit 1"]),
            interval_ns: Some(30_000_000_000),
            timeout_ns: Some(5_000_000_000),
            start_period_ns: Some(1_500_000_000),
            retries: Some(3),
            ..Default::default()
        }),
        log_driver: Some("journald".into()),
        stop_signal: Some("SIGQUIT".into()),
        stop_timeout: Some(30),
        dns: s(&["192.0.2.53"]),
        dns_search: s(&["example.internal"]),
        dns_options: s(&["ndots:2"]),
        extra_hosts: s(&["host.docker.internal:host-gateway", "db.local:192.0.2.5"]),
        group_add: s(&["999"]),
        shm_size: Some(128 * 1024 * 1024),
        init: Some(true),
        ..Default::default()
    };
    let db = Container {
        id: id(2),
        name: "shop-db-1".into(),
        image: "postgres:16".into(),
        image_id: "sha256:02".into(),
        state: ContainerState::Running,
        user: UserSpec {
            raw: "postgres".into(),
            user: Some(IdOrName::Name("postgres".into())),
            group: None,
            is_root: false,
        },
        env: vec![
            path_env.clone(),
            env(
                "POSTGRES_PASSWORD",
                "example-only-not-a-secret",
                EnvOrigin::Container,
            ),
            env("POSTGRES_DB", "shop", EnvOrigin::Container),
        ],
        labels: BTreeMap::from([("com.docker.compose.project".into(), "shop".into())]),
        compose: compose("shop", "db", &[]),
        network_mode: NetworkMode::Named("shop_default".into()),
        networks: vec![attach("shop_default", &["db", "shop-db-1", &id(2)[..12]])],
        mounts: vec![Mount {
            kind: MountKind::Volume,
            source: "shop_pgdata".into(),
            destination: "/var/lib/postgresql/data".into(),
            driver: Some("local".into()),
            ..Default::default()
        }],
        restart_policy: RestartPolicy {
            name: RestartPolicyName::UnlessStopped,
            max_retries: None,
        },
        healthcheck: Some(Healthcheck {
            test: s(&["CMD-SHELL", r#"pg_isready -U "postgres""#]),
            interval_ns: Some(10_000_000_000),
            ..Default::default()
        }),
        ..Default::default()
    };
    let app = Container {
        id: id(3),
        name: "shop-app-1".into(),
        image: "shop-app:2".into(),
        image_id: "sha256:03".into(),
        state: ContainerState::Running,
        entrypoint: Some(s(&[
            "/docker-entrypoint.sh",
            "--config",
            "/etc/app conf.yml",
        ])),
        command: Some(s(&["sh", "-c", "echo \"$HOME\" 100% ${X} 'q' \\ done"])),
        env: vec![
            path_env.clone(),
            env("API_TOKEN", "tok-$-%-\"-'", EnvOrigin::Container),
            env("LOG_LEVEL", "debug", EnvOrigin::Override),
        ],
        compose: compose("shop", "app", &["db:service_healthy", "cache"]),
        network_mode: NetworkMode::Named("shop_default".into()),
        networks: vec![
            attach("shop_default", &["app"]),
            attach("shop_backend", &["app"]),
        ],
        privileged: true,
        devices: vec![DeviceMapping {
            host_path: "/dev/fuse".into(),
            container_path: "/dev/fuse".into(),
            permissions: "rwm".into(),
        }],
        ports: vec![port(None, 3000, 3000, Protocol::Tcp)],
        mounts: vec![Mount {
            kind: MountKind::Volume,
            source: "ab".repeat(32),
            destination: "/cache".into(),
            ..Default::default()
        }],
        restart_policy: RestartPolicy {
            name: RestartPolicyName::OnFailure,
            max_retries: Some(3),
        },
        healthcheck: Some(Healthcheck {
            test: s(&["CMD", "/bin/check", "--url", "http://localhost:3000/"]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let odd = Container {
        id: id(4),
        name: "odd name@1".into(),
        image: "sha256:0404040404040404".into(),
        image_id: "sha256:0404040404040404".into(),
        state: ContainerState::Exited,
        user: UserSpec {
            raw: "70000".into(),
            user: Some(IdOrName::Id(70000)),
            group: None,
            is_root: false,
        },
        env: vec![
            env("MULTI", "line1\nline2", EnvOrigin::Container),
            env("OK", "fine", EnvOrigin::Container),
        ],
        security: SecurityOptions {
            seccomp: ProfileSetting::Unconfined,
            apparmor: ProfileSetting::Unconfined,
            ..Default::default()
        },
        pid_mode: NamespaceMode::Host,
        mounts: vec![Mount {
            kind: MountKind::Bind,
            source: "/data".into(),
            destination: "/data".into(),
            ..Default::default()
        }],
        log_driver: Some("gelf".into()),
        ..Default::default()
    };
    let twin = Container {
        id: id(5),
        name: "odd-name-1".into(),
        image: "busybox:latest".into(),
        image_id: "sha256:05".into(),
        command: Some(s(&["", "x"])),
        ..Default::default()
    };
    let cache = Container {
        id: id(6),
        name: "shop-cache-1".into(),
        image: "redis:7".into(),
        image_id: "sha256:06".into(),
        state: ContainerState::Running,
        compose: compose("shop", "cache", &[]),
        hostname: Some("cache".into()),
        extra_hosts: s(&["metrics.local:192.0.2.9"]),
        dns: s(&["192.0.2.53"]),
        ports: vec![port(Some("127.0.0.1"), 6379, 6379, Protocol::Tcp)],
        restart_policy: RestartPolicy {
            name: RestartPolicyName::Always,
            max_retries: None,
        },
        ..Default::default()
    };
    let front = Container {
        id: id(7),
        name: "front".into(),
        image: "registry.example.org/team/front:3".into(),
        image_id: "sha256:07".into(),
        state: ContainerState::Running,
        ports: vec![
            port(None, 80, 8080, Protocol::Tcp),
            port(None, 25, 25, Protocol::Tcp),
            port(None, 132, 132, Protocol::Sctp),
        ],
        mounts: vec![Mount {
            kind: MountKind::Bind,
            source: "/srv/front".into(),
            destination: "/data".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let hostnet = Container {
        id: id(8),
        name: "monitor".into(),
        image: "prom/node-exporter:v1".into(),
        image_id: "sha256:08".into(),
        network_mode: NetworkMode::Host,
        capabilities: Capabilities {
            add_all: true,
            ..Default::default()
        },
        devices: vec![DeviceMapping {
            host_path: "/dev/kmsg".into(),
            container_path: "/dev/kmsg".into(),
            permissions: "r".into(),
        }],
        mounts: vec![
            Mount {
                kind: MountKind::Bind,
                source: "/var/run/docker.sock".into(),
                destination: "/var/run/docker.sock".into(),
                read_only: true,
                ..Default::default()
            },
            Mount {
                kind: MountKind::Bind,
                source: "/etc/localtime".into(),
                destination: "/etc/localtime".into(),
                read_only: true,
                ..Default::default()
            },
            Mount {
                kind: MountKind::Bind,
                source: "/srv/monitor state".into(),
                destination: "/state".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let images = vec![
        Image {
            labels: BTreeMap::from([("maintainer".into(), "NGINX".into())]),
            ..image("sha256:01", "nginx:1.25", true)
        },
        image("sha256:02", "postgres:16", true),
        Image {
            entrypoint: Some(s(&["/docker-entrypoint.sh"])),
            ..image("sha256:03", "shop-app:2", false)
        },
        image("sha256:06", "redis:7", true),
        image("sha256:07", "registry.example.org/team/front:3", true),
    ];
    let inventory = Inventory {
        schema: SNAPSHOT_SCHEMA.into(),
        source: "unroot generate sample fleet".into(),
        containers: vec![web, db, app, odd, twin, cache, front, hostnet],
        images,
        networks: vec![
            Network {
                name: "shop_default".into(),
                driver: "bridge".into(),
                labels: BTreeMap::from([("com.docker.compose.network".into(), "default".into())]),
                ..Default::default()
            },
            Network {
                name: "shop_backend".into(),
                driver: "bridge".into(),
                internal: true,
                ..Default::default()
            },
        ],
        volumes: vec![Volume {
            name: "shop_pgdata".into(),
            driver: "local".into(),
            labels: BTreeMap::from([("backup".into(), "nightly".into())]),
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut decisions = BTreeMap::new();
    let mut d = ContainerDecision::default_for(&inventory.containers[0]);
    d.keep_capabilities = s(&["NET_ADMIN"]);
    // Updated by Podman (issue 14): a pulled image from its registry, a copied one locally.
    d.auto_update = AutoUpdate::Registry;
    decisions.insert("web".into(), d);
    let app = inventory.container("shop-app-1").expect("in the fleet");
    let mut d = ContainerDecision::default_for(app);
    d.auto_update = AutoUpdate::Local;
    decisions.insert("shop-app-1".into(), d);
    let mut d = ContainerDecision::default_for(&inventory.containers[5]);
    d.network = NetworkChoice::Pod("shop".into());
    decisions.insert("shop-cache-1".into(), d);
    let mut d = ContainerDecision::default_for(&inventory.containers[6]);
    d.ports = PrivilegedPortPolicy::Remap {
        ports: BTreeMap::from([(80, 8081)]),
    };
    d.volumes = VolumeStrategy::ChownOnStart;
    decisions.insert("front".into(), d);
    let mut d = ContainerDecision::default_for(&inventory.containers[7]);
    d.keep_devices = s(&["/dev/kmsg"]);
    decisions.insert("monitor".into(), d);
    let mut d = ContainerDecision::default_for(&inventory.containers[3]);
    d.volumes = VolumeStrategy::KeepId;
    decisions.insert("odd name@1".into(), d);
    (inventory, decisions)
}

/// The fixture fleet with every hardening decision accepted on every container: the
/// generator's hardened forms in one place, for the golden file and the real quadlet run.
pub fn fleet_hardened() -> (Inventory, BTreeMap<String, ContainerDecision>) {
    let (inventory, mut decisions) = fleet();
    for c in &inventory.containers {
        let d = decisions
            .entry(c.name.clone())
            .or_insert_with(|| ContainerDecision::default_for(c));
        d.hardening = Hardening {
            no_new_privileges: true,
            drop_capabilities: s(&["SETPCAP", "SYS_CHROOT"]),
            read_only_root: true,
            tmpfs: s(&["/var/cache/app"]),
            memory: Some("256m".into()),
            pids_limit: Some(512),
            read_only_binds: c
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Bind && !m.read_only)
                .map(|m| m.destination.clone())
                .collect(),
            user: Some("1000:1000".into()),
        };
    }
    (inventory, decisions)
}

/// `n` plausible containers (ports, env, volumes, compose projects) for the benchmark.
pub fn synthetic(n: usize) -> Inventory {
    let containers = (0..n)
        .map(|i| {
            let project = format!("proj{}", i / 10);
            Container {
                id: format!("{i:064x}"),
                name: format!("svc-{i}"),
                image: format!("app{}:1.{}", i % 17, i % 5),
                image_id: format!("sha256:{i}"),
                state: ContainerState::Running,
                command: Some(vec!["serve".into(), format!("--port={}", 8000 + i % 100)]),
                env: (0..8)
                    .map(|j| {
                        env(
                            &format!("VAR_{j}"),
                            &format!("value {i} {j} 100% $x"),
                            EnvOrigin::Container,
                        )
                    })
                    .chain([env("DB_PASSWORD", "x", EnvOrigin::Container)])
                    .collect(),
                labels: (0..4)
                    .map(|j| (format!("org.example.l{j}"), format!("v{i}")))
                    .collect(),
                compose: compose(
                    &project,
                    &format!("s{}", i % 10),
                    if i % 10 > 0 { &["s0"] } else { &[] },
                ),
                network_mode: NetworkMode::Named(format!("{project}_default")),
                networks: vec![attach(
                    &format!("{project}_default"),
                    &[&format!("s{}", i % 10)],
                )],
                ports: vec![
                    port(None, 10000 + i as u16, 80, Protocol::Tcp),
                    port(Some("::"), 10000 + i as u16, 80, Protocol::Tcp),
                ],
                mounts: vec![
                    Mount {
                        kind: MountKind::Volume,
                        source: format!("{project}_data{}", i % 10),
                        destination: "/data".into(),
                        ..Default::default()
                    },
                    Mount {
                        kind: MountKind::Bind,
                        source: format!("/srv/{i}"),
                        destination: "/etc/app".into(),
                        read_only: true,
                        ..Default::default()
                    },
                ],
                capabilities: Capabilities {
                    added: s(&["NET_BIND_SERVICE"]),
                    dropped: s(&["MKNOD"]),
                    ..Default::default()
                },
                restart_policy: RestartPolicy {
                    name: RestartPolicyName::UnlessStopped,
                    max_retries: None,
                },
                healthcheck: Some(Healthcheck {
                    test: s(&["CMD", "wget", "-q", "http://localhost/"]),
                    interval_ns: Some(30_000_000_000),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    Inventory {
        schema: SNAPSHOT_SCHEMA.into(),
        source: "synthetic".into(),
        containers,
        ..Default::default()
    }
}
