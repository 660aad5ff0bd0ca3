//! The generator hands over (chown, `:U`) only what the host-path policy calls the
//! application's own: the regression tests for chowned system directories (issue 11).

use std::collections::BTreeMap;

use super::{Generated, NoteLevel, generate};
use crate::model::{Container, Inventory, Mount, MountKind, UserSpec};
use crate::model::{ContainerDecision, Target, VolumeStrategy};

/// Read-write binds the old lists let through (or disagreed on), and more system paths.
const SYSTEM_SOURCES: &[&str] = &[
    "/var/spool",
    "/var/mail",
    "/var/www",
    "/var/www/html",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/var/lib/docker/volumes/x/_data",
    "/etc/ssl",
    "/home",
    "/home/alice",
    "/var/log",
    "/var/cache/nginx",
    "/tmp/app",
    "/srv",
    "/run/dbus",
    "/dev/shm",
    "/root/.ssh",
    "/",
];

/// One container per source, each writing to it as UID 1000.
fn writer(name: &str, user: &str, source: &str) -> Container {
    Container {
        name: name.into(),
        id: format!("id-{name}"),
        image: "busybox:latest".into(),
        user: UserSpec {
            raw: user.into(),
            user: Some(crate::model::IdOrName::Id(
                user.split(':').next().unwrap().parse().unwrap(),
            )),
            group: user
                .split(':')
                .nth(1)
                .map(|g| crate::model::IdOrName::Id(g.parse().unwrap())),
            is_root: false,
        },
        mounts: vec![Mount {
            kind: MountKind::Bind,
            source: source.into(),
            destination: "/data".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn run(inv: &Inventory, strategy: VolumeStrategy) -> Generated {
    let decisions: BTreeMap<String, ContainerDecision> = inv
        .containers
        .iter()
        .map(|c| {
            let mut d = ContainerDecision::default_for(c);
            d.volumes = strategy;
            (c.name.clone(), d)
        })
        .collect();
    generate(inv, &Target::new("alice", "5.4"), &decisions).unwrap()
}

fn unit_text<'g>(g: &'g Generated, name: &str) -> &'g str {
    &g.files
        .iter()
        .find(|f| f.path == format!("quadlet/{name}.container"))
        .unwrap_or_else(|| panic!("no unit for {name}"))
        .content
}

fn inventory(containers: Vec<Container>) -> Inventory {
    Inventory {
        containers,
        ..Default::default()
    }
}

#[test]
fn system_paths_are_never_handed_over() {
    let containers = SYSTEM_SOURCES
        .iter()
        .enumerate()
        .map(|(i, src)| writer(&format!("c{i}"), "1000:1000", src))
        .collect();
    let inv = inventory(containers);
    let g = run(&inv, VolumeStrategy::Copy);
    for (i, src) in SYSTEM_SOURCES.iter().enumerate() {
        let name = format!("c{i}");
        let unit = g.units.iter().find(|u| u.container == name).unwrap();
        assert!(unit.chown_binds.is_empty(), "{src} is handed over");
        assert!(
            g.notes
                .iter()
                .any(|n| n.container.as_deref() == Some(name.as_str())
                    && n.level == NoteLevel::Warning
                    && n.setting == format!("mount {src}")
                    && n.message.starts_with("not handed over (")),
            "{src}: no note saying why"
        );
    }
    // `:U` would chown at every start: never on a system path either.
    let g = run(&inv, VolumeStrategy::ChownOnStart);
    for (i, src) in SYSTEM_SOURCES.iter().enumerate() {
        let unit = unit_text(&g, &format!("c{i}"));
        assert!(
            unit.contains(&format!("Volume={src}:/data\n")),
            "{src}: {unit}"
        );
    }
}

#[test]
fn application_directories_are_handed_over() {
    let apps = [
        "/srv/app/data",
        "/opt/app/data",
        "/var/lib/grafana",
        "/home/alice/app",
    ];
    let containers = apps
        .iter()
        .enumerate()
        .map(|(i, src)| writer(&format!("a{i}"), "1000:1000", src))
        .collect();
    let inv = inventory(containers);
    let g = run(&inv, VolumeStrategy::Copy);
    for (i, src) in apps.iter().enumerate() {
        let unit = g
            .units
            .iter()
            .find(|u| u.container == format!("a{i}"))
            .unwrap();
        assert_eq!(unit.chown_binds.len(), 1, "{src}");
        assert_eq!(unit.chown_binds[0].host_path, *src);
        assert_eq!(
            (unit.chown_binds[0].uid, unit.chown_binds[0].gid),
            (1000, 1000)
        );
    }
    let g = run(&inv, VolumeStrategy::ChownOnStart);
    for (i, src) in apps.iter().enumerate() {
        let unit = unit_text(&g, &format!("a{i}"));
        assert!(
            unit.contains(&format!("Volume={src}:/data:U\n")),
            "{src}: {unit}"
        );
    }
}

/// Two containers writing to one directory (and one inside it) as different users: neither
/// is handed over, both say why, and the scan reports the conflict as a blocker.
#[test]
fn a_source_shared_by_two_containers_is_not_handed_over() {
    let inv = inventory(vec![
        writer("app", "1000:1000", "/srv/shared"),
        writer("worker", "2000:2000", "/srv/shared/jobs"),
        writer("solo", "1000:1000", "/srv/solo"),
    ]);
    for strategy in [VolumeStrategy::Copy, VolumeStrategy::ChownOnStart] {
        let g = run(&inv, strategy);
        for (name, src, other) in [
            ("app", "/srv/shared", "worker"),
            ("worker", "/srv/shared/jobs", "app"),
        ] {
            let unit = g.units.iter().find(|u| u.container == name).unwrap();
            assert!(unit.chown_binds.is_empty(), "{name}");
            assert!(!unit_text(&g, name).contains(":U"), "{name}");
            let note = g
                .notes
                .iter()
                .find(|n| {
                    n.container.as_deref() == Some(name) && n.setting == format!("mount {src}")
                })
                .unwrap_or_else(|| panic!("{name}: no note"));
            assert!(
                note.message
                    .contains(&format!("also used by other containers ({other})")),
                "{}",
                note.message
            );
        }
    }
    let g = run(&inv, VolumeStrategy::Copy);
    let solo = g.units.iter().find(|u| u.container == "solo").unwrap();
    assert_eq!(solo.chown_binds.len(), 1);

    let report = crate::risk::assess(&inv);
    let blocker = |name: &str| {
        report
            .containers
            .iter()
            .find(|c| c.container_name == name)
            .unwrap()
            .findings
            .iter()
            .find(|f| f.rule == "bind-owner-conflict")
            .map(|f| (f.migration, f.detail.clone()))
    };
    assert_eq!(
        blocker("app"),
        Some((
            crate::risk::Migration::Blocker,
            "/srv/shared (user 1000) is also written by worker at /srv/shared/jobs as user 2000"
                .to_owned()
        ))
    );
    assert!(blocker("worker").is_some());
    assert!(blocker("solo").is_none());
}
