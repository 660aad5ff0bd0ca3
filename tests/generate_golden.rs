//! Golden files for the fixture fleet: every generated file and the notes, for the default
//! target (Podman 5.4) and the oldest (4.4), so any change to the output shows up in review.
//! Update with `cargo insta review` (or INSTA_UPDATE=always) after reading the diff.

use std::collections::BTreeMap;

use unroot::generate::subid::UserDb;
use unroot::generate::{HostIdFiles, generate_for_host, sample};
use unroot::plan::Target;

fn target(version: &str) -> Target {
    Target {
        project_users: BTreeMap::from([("shop".to_owned(), "shop".to_owned())]),
        ..Target::new("alice", version)
    }
}

fn users() -> impl UserDb {
    BTreeMap::from([("alice".to_owned(), 1000u32), ("shop".to_owned(), 1001)])
}

fn render(version: &str) -> String {
    render_fleet(sample::fleet(), version)
}

fn render_fleet(
    (inv, decisions): (
        unroot::model::Inventory,
        BTreeMap<String, unroot::model::ContainerDecision>,
    ),
    version: &str,
) -> String {
    let host = HostIdFiles {
        subuid: "root:100000:65536\n1000:300000:65536\n".into(),
        subgid: "root:100000:65536\n".into(),
        ..Default::default()
    };
    let g = generate_for_host(&inv, &target(version), &decisions, &host, &users()).unwrap();
    let mut out = String::new();
    for f in &g.files {
        out += &format!("==> {} (mode {:o})\n{}\n", f.path, f.mode, f.content);
    }
    out += "==> notes\n";
    for n in &g.notes {
        out += &format!(
            "[{:?}] {} / {}: {}\n",
            n.level,
            n.container.as_deref().unwrap_or("-"),
            n.setting,
            n.message
        );
    }
    out += "==> subids\n";
    for s in &g.subids {
        out += &format!(
            "{} uids {:?} gids {:?} -> {:?}\n",
            s.user,
            s.uids,
            s.gids,
            s.usermod_command()
        );
    }
    out += "==> units\n";
    out += &serde_yaml::to_string(&g.units).unwrap();
    out += "==> resources\n";
    out += &serde_yaml::to_string(&g.resources).unwrap();
    out
}

#[test]
fn fleet_for_podman_5_4() {
    insta::assert_snapshot!("fleet_podman_5_4", render("5.4"));
}

#[test]
fn fleet_for_podman_4_4() {
    insta::assert_snapshot!("fleet_podman_4_4", render("4.4"));
}

/// Every hardening decision accepted (issue 14): 5.5 writes `Memory=`, 5.4 falls back to
/// `PodmanArgs=--memory`.
#[test]
fn hardened_fleet_for_podman_5_5_and_5_4() {
    insta::assert_snapshot!(
        "fleet_hardened_podman_5_5",
        render_fleet(sample::fleet_hardened(), "5.5")
    );
    insta::assert_snapshot!(
        "fleet_hardened_podman_5_4",
        render_fleet(sample::fleet_hardened(), "5.4")
    );
}

#[test]
fn output_is_deterministic() {
    assert_eq!(render("5.4"), render("5.4"));
}
