//! Fixture models for the TUI tests: a small host built from the model types with
//! `..Default::default()`, so new model fields never break them.

use std::collections::BTreeMap;

use crate::model::{
    Capabilities, CgroupVersion, ComposeInfo, Container, ContainerState, EnvOrigin, EnvVar,
    HostFacts, Inventory, Mount, MountKind, NamespaceMode, NetworkAttachment, NetworkMode,
    PortBinding, SNAPSHOT_SCHEMA, UserSpec,
};
use crate::risk::{Assessment, ContainerAssessment, Finding, Migration, Severity};

use super::actions::default_target;
use super::msg::{Effect, Msg};
use super::state::{App, Loaded, RuleWords};
use super::update::update;

fn compose(project: &str, service: &str) -> Option<ComposeInfo> {
    Some(ComposeInfo {
        project: project.into(),
        service: Some(service.into()),
        ..Default::default()
    })
}

fn root() -> UserSpec {
    UserSpec {
        raw: String::new(),
        is_root: true,
        ..Default::default()
    }
}

pub fn inventory() -> Inventory {
    let web = Container {
        id: "a1".into(),
        name: "blog-web".into(),
        image: "nginx:1.25".into(),
        image_id: "sha256:web".into(),
        state: ContainerState::Running,
        user: root(),
        compose: compose("blog", "web"),
        network_mode: NetworkMode::Named("blog_default".into()),
        networks: vec![NetworkAttachment {
            network: "blog_default".into(),
            ..Default::default()
        }],
        ports: vec![
            PortBinding {
                container_port: 80,
                host_port: 80,
                ..Default::default()
            },
            PortBinding {
                container_port: 443,
                host_port: 443,
                ..Default::default()
            },
        ],
        mounts: vec![Mount {
            kind: MountKind::Bind,
            source: "/srv/blog/html".into(),
            destination: "/usr/share/nginx/html".into(),
            read_only: true,
            ..Default::default()
        }],
        labels: BTreeMap::from([("com.docker.compose.project".into(), "blog".into())]),
        ..Default::default()
    };
    let db = Container {
        id: "b2".into(),
        name: "blog-db".into(),
        image: "postgres:16".into(),
        image_id: "sha256:db".into(),
        state: ContainerState::Running,
        user: UserSpec {
            raw: "999:999".into(),
            ..Default::default()
        },
        compose: compose("blog", "db"),
        network_mode: NetworkMode::Named("blog_default".into()),
        env: vec![EnvVar {
            name: "POSTGRES_PASSWORD".into(),
            value: "hunter2-fixture-secret".into(),
            origin: EnvOrigin::Container,
        }],
        mounts: vec![Mount {
            kind: MountKind::Volume,
            source: "blog_pgdata".into(),
            destination: "/var/lib/postgresql/data".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let portainer = Container {
        id: "c3".into(),
        name: "portainer".into(),
        image: "portainer/portainer-ce:latest".into(),
        image_id: "sha256:portainer".into(),
        state: ContainerState::Running,
        user: root(),
        ports: vec![PortBinding {
            container_port: 9443,
            host_port: 9443,
            ..Default::default()
        }],
        mounts: vec![Mount {
            kind: MountKind::Bind,
            source: "/var/run/docker.sock".into(),
            destination: "/var/run/docker.sock".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let agent = Container {
        id: "d4".into(),
        name: "node-exporter".into(),
        image: "prom/node-exporter:v1.8.1".into(),
        image_id: "sha256:agent".into(),
        state: ContainerState::Created,
        user: root(),
        privileged: true,
        network_mode: NetworkMode::Host,
        pid_mode: NamespaceMode::Host,
        capabilities: Capabilities {
            added: vec!["SYS_ADMIN".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let hardened = Container {
        id: "e5".into(),
        name: "whoami".into(),
        image: "traefik/whoami:v1.10".into(),
        image_id: "sha256:whoami".into(),
        state: ContainerState::Exited,
        user: UserSpec {
            raw: "1000:1000".into(),
            ..Default::default()
        },
        read_only_rootfs: true,
        ..Default::default()
    };
    Inventory {
        schema: SNAPSHOT_SCHEMA.into(),
        source: "fixture".into(),
        host: HostFacts {
            hostname: Some("docker01".into()),
            server_version: Some("20.10.24".into()),
            api_version: Some("1.41".into()),
            cgroup_version: Some(CgroupVersion::V2),
            cgroup_driver: Some("systemd".into()),
            os: Some("Debian GNU/Linux 12 (bookworm)".into()),
            kernel_version: Some("6.1.0-26-amd64".into()),
            runc_version: Some("1.1.11".into()),
            seccomp: true,
            apparmor: true,
            ..Default::default()
        },
        containers: vec![web, db, portainer, agent, hardened],
        ..Default::default()
    }
}

fn finding(
    rule: &str,
    severity: Severity,
    migration: Migration,
    cis: Option<&str>,
    detail: &str,
) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        migration,
        cis: cis.map(str::to_string),
        detail: detail.into(),
    }
}

fn assessed(c: &Container, score: u32, findings: Vec<Finding>) -> ContainerAssessment {
    ContainerAssessment {
        container_id: c.id.clone(),
        container_name: c.name.clone(),
        score,
        findings,
    }
}

pub fn assessment(inv: &Inventory) -> Assessment {
    use Migration::*;
    use Severity::*;
    let c = &inv.containers;
    Assessment {
        host_findings: vec![finding(
            "runc-vulnerable",
            High,
            Ok,
            None,
            "runc 1.1.11 is older than 1.1.12 (CVE-2024-21626)",
        )],
        containers: vec![
            assessed(
                &c[0],
                30,
                vec![
                    finding(
                        "root-user",
                        Medium,
                        Ok,
                        Some("4.1"),
                        "runs as root (image default)",
                    ),
                    finding(
                        "privileged-port",
                        Low,
                        Change,
                        None,
                        "publishes host ports 80, 443",
                    ),
                ],
            ),
            assessed(
                &c[1],
                20,
                vec![finding(
                    "secret-in-env",
                    High,
                    Change,
                    None,
                    "POSTGRES_PASSWORD is set in the environment",
                )],
            ),
            assessed(
                &c[2],
                90,
                vec![finding(
                    "docker-socket-mount",
                    Critical,
                    Change,
                    Some("5.31"),
                    "mounts /var/run/docker.sock",
                )],
            ),
            assessed(
                &c[3],
                120,
                vec![
                    finding("privileged", Critical, Blocker, Some("5.4"), "--privileged"),
                    finding(
                        "host-pid",
                        High,
                        Blocker,
                        Some("5.16"),
                        "shares the host PID namespace",
                    ),
                ],
            ),
            assessed(&c[4], 0, vec![]),
        ],
        // Recomputed by `Loaded::new` from the aligned containers.
        summary: Default::default(),
    }
}

pub fn words() -> BTreeMap<String, RuleWords> {
    let w = |title: &str, explanation: &str, docker: &str, podman: &str| RuleWords {
        title: title.into(),
        explanation: explanation.into(),
        remedy_docker: docker.into(),
        remedy_podman: podman.into(),
    };
    BTreeMap::from([
        (
            "docker-socket-mount".into(),
            w(
                "Docker socket mounted",
                "Anyone who controls this container controls the Docker daemon and so the host as root.",
                "Remove the mount or put a filtering socket proxy in front.",
                "Point it at the rootless Podman socket of the target user.",
            ),
        ),
        (
            "privileged".into(),
            w(
                "Privileged container",
                "All capabilities and every host device: a shell in it is root on the host.",
                "Drop --privileged; add only the capabilities and devices needed.",
                "Rootless podman cannot grant host root; drop it or keep it confined.",
            ),
        ),
        (
            "runc-vulnerable".into(),
            w(
                "runc with a known container escape",
                "A malicious image or exec can overwrite the host runc binary or reach the host filesystem.",
                "Upgrade runc to 1.1.12 or later.",
                "Podman uses crun or a current runc from the target distribution.",
            ),
        ),
        (
            "root-user".into(),
            w(
                "Runs as root",
                "A process escaping the container is root on the host.",
                "Set a USER in the image or --user.",
                "Root in the container maps to the unprivileged user.",
            ),
        ),
    ])
}

pub fn loaded() -> Loaded {
    let inv = inventory();
    let assessment = assessment(&inv);
    Loaded::new(inv, assessment, words())
}

/// An app that finished loading the fixture host, at `width` x `height`.
pub fn ready_app(width: u16, height: u16) -> App {
    let mut app = App::new("fixture", default_target(), true);
    update(&mut app, Msg::Resize(width, height));
    update(&mut app, Msg::Loaded(Box::new(loaded())));
    app
}

/// A readiness report as `unroot verify` builds it for the default target user: most
/// checks pass, one warns and one fails, each with its fix.
pub fn target_report() -> crate::verify::Report {
    use crate::verify::{Check, Phase, REPORT_SCHEMA, Report, Tally};
    let checks = vec![
        Check::pass(
            "podman-version",
            "Podman 5.4.2 >= 5.4 (plan) and 4.4 (quadlet)",
        ),
        Check::pass("rootless", "the service runs rootless"),
        Check::pass("service-user", "the socket belongs to podman (UID 1001)"),
        Check::pass("network-backend", "network backend netavark"),
        Check::pass(
            "rootless-network-cmd",
            "default rootless network command pasta",
        ),
        Check::warn(
            "unprivileged-ports",
            "host port 80 of web is below ip_unprivileged_port_start 1024 (read locally): \
             pasta cannot bind it until migrate.sh applies the plan's sysctl policy",
            "`sysctl -w net.ipv4.ip_unprivileged_port_start=80`, or remap the port in the plan",
        ),
        Check::fail(
            "subuid",
            "no /etc/subuid range for podman",
            "add `podman:2000000000:65536` to /etc/subuid (migrate.sh does)",
        ),
    ];
    Report {
        schema: REPORT_SCHEMA.into(),
        phase: Phase::Readiness,
        socket: "/run/user/1001/podman/podman.sock".into(),
        user: "podman".into(),
        podman_version: Some("5.4.2".into()),
        summary: Tally::of(&checks),
        checks,
        notes: vec![],
    }
}

/// Feed one plain key press to the app, as the event loop would.
pub fn press(app: &mut App, code: crossterm::event::KeyCode) -> Option<Effect> {
    use crossterm::event::{KeyEvent, KeyModifiers};
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Type `text` key by key.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, crossterm::event::KeyCode::Char(c));
    }
}

/// Press Ctrl and a letter (the keys that write: Ctrl-E, Ctrl-W).
pub fn press_ctrl(app: &mut App, c: char) -> Option<Effect> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}
