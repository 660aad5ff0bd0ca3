//! The plan's hardening block in the unit (issue 14): each item writes its key, Docker's
//! own limits win over the plan's, and `Memory=` falls back to `--memory` before 5.5.

use std::collections::BTreeMap;

use super::{Generated, generate};
use crate::model::{Container, ContainerDecision, Hardening, Inventory, Mount, MountKind, Target};
use crate::risk::testkit::ContainerBuilder as B;

fn app() -> Container {
    let mut c = B::new("app").user("0").build();
    c.image = "busybox:latest".into();
    c.mounts = vec![
        Mount {
            kind: MountKind::Bind,
            source: "/srv/app/conf".into(),
            destination: "/conf".into(),
            ..Default::default()
        },
        Mount {
            kind: MountKind::Bind,
            source: "/srv/app/data".into(),
            destination: "/data".into(),
            ..Default::default()
        },
    ];
    c
}

fn full() -> Hardening {
    Hardening {
        no_new_privileges: true,
        drop_capabilities: vec!["ALL".into()],
        read_only_root: true,
        tmpfs: vec!["/var/cache/app".into()],
        memory: Some("512m".into()),
        pids_limit: Some(300),
        read_only_binds: vec!["/conf".into()],
        user: Some("1000:1000".into()),
    }
}

fn unit(c: &Container, hardening: Hardening, version: &str) -> (Generated, String) {
    let inv = Inventory {
        containers: vec![c.clone()],
        ..Default::default()
    };
    let mut d = ContainerDecision::default_for(c);
    d.hardening = hardening;
    let g = generate(
        &inv,
        &Target::new("alice", version),
        &BTreeMap::from([(c.name.clone(), d)]),
    )
    .unwrap();
    let text = g
        .files
        .iter()
        .find(|f| f.path == "quadlet/app.container")
        .unwrap()
        .content
        .clone();
    (g, text)
}

#[test]
fn every_item_writes_its_key() {
    let (_, text) = unit(&app(), full(), "5.5");
    for line in [
        "NoNewPrivileges=true",
        "DropCapability=all",
        "ReadOnly=true",
        "Tmpfs=/var/cache/app",
        "Memory=512m",
        "PidsLimit=300",
        "Volume=/srv/app/conf:/conf:ro",
        "Volume=/srv/app/data:/data\n",
        "User=1000\nGroup=1000",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// No hardening: none of the keys Docker did not have (the default NNP aside).
#[test]
fn nothing_without_the_block() {
    let (_, text) = unit(&app(), Hardening::default(), "5.5");
    for key in [
        "NoNewPrivileges",
        "ReadOnly",
        "Tmpfs",
        "Memory",
        "PidsLimit",
        ":ro",
        "User=1000",
    ] {
        assert!(!text.contains(key), "{key} in\n{text}");
    }
    let (_, text) = unit(&app(), Hardening::default_for(&app()), "5.5");
    assert!(
        text.contains("NoNewPrivileges=true"),
        "the default for a root process"
    );
}

#[test]
fn memory_falls_back_before_5_5_and_docker_limits_win() {
    let (_, text) = unit(&app(), full(), "5.4");
    assert!(!text.contains("Memory="), "{text}");
    assert!(text.contains("PodmanArgs=--memory 512m"), "{text}");
    let mut limited = app();
    limited.resources.memory = Some(64 << 20);
    limited.resources.pids_limit = Some(50);
    let (_, text) = unit(&limited, full(), "5.5");
    assert!(text.contains(&format!("Memory={}b", 64 << 20)), "{text}");
    assert!(
        text.contains("PidsLimit=50") && !text.contains("PidsLimit=300"),
        "{text}"
    );
}

/// A bind made read-only is not handed over; the writable one is chowned for the image's
/// user the block runs.
#[test]
fn read_only_binds_are_not_handed_over_and_the_user_owns_the_rest() {
    let (g, _) = unit(&app(), full(), "5.5");
    let chowns: Vec<(&str, u32)> = g.units[0]
        .chown_binds
        .iter()
        .map(|b| (b.host_path.as_str(), b.uid))
        .collect();
    assert_eq!(chowns, [("/srv/app/data", 1000)]);
}
