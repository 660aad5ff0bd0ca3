//! Round trip on real parts: the fixture fleet read from the real Docker engine (and from a
//! snapshot of it) -> plan -> generate -> every quadlet file accepted by the real Podman
//! 5.4.2 quadlet generator; the demo host's output too.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{docker_available, ok, p, quadlet_bin};

/// Run the real generator over `dir/quadlet`: no `converting` error, and one service per
/// `.container` file. Returns the generated services text.
fn assert_quadlet_accepts(quadlet: &Path, dir: &Path) -> String {
    let units = dir.join("quadlet");
    let containers: Vec<String> = fs::read_dir(&units)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".container"))
        .collect();
    assert!(
        !containers.is_empty(),
        "no .container files in {}",
        units.display()
    );
    let out = Command::new(quadlet)
        .args(["-dryrun", "-user"])
        .env("QUADLET_UNIT_DIRS", &units)
        .output()
        .expect("run quadlet");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rejected: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("converting"))
        .collect();
    assert!(
        rejected.is_empty(),
        "quadlet rejected files:\n{}",
        rejected.join("\n")
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for c in &containers {
        let service = format!("{}.service", c.trim_end_matches(".container"));
        assert!(
            stdout.contains(&format!("---{service}---")),
            "quadlet produced no {service}; stderr:\n{stderr}"
        );
    }
    stdout
}

#[test]
fn demo_output_passes_the_real_quadlet_generator() {
    let Some(quadlet) = quadlet_bin() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    let out = tmp.path().join("out");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let services = assert_quadlet_accepts(&quadlet, &out);
    assert!(services.contains("ExecStart=/usr/bin/podman run"));
}

#[test]
fn fixture_fleet_round_trip_through_docker_and_a_snapshot() {
    if !docker_available() {
        return;
    }
    let Some(quadlet) = quadlet_bin() else { return };
    let tmp = tempfile::tempdir().unwrap();

    // The labelled fixture fleet (other containers on a shared engine come and go).
    let names = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            "label=unroot.fixture",
            "--format",
            "{{.Names}}",
        ])
        .output()
        .unwrap();
    let mut names: Vec<String> = String::from_utf8(names.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    assert!(
        names.len() >= 10,
        "the fixture fleet is missing: run scripts/fixtures.sh ({names:?})"
    );

    // Straight from the engine.
    let plan = tmp.path().join("plan.yaml");
    let out = tmp.path().join("out");
    let mut args = vec!["plan", "--user", "app", "-o", p(&plan), "--only"];
    args.extend(names.iter().map(String::as_str));
    ok(&args);
    let plan_text = fs::read_to_string(&plan).unwrap();
    for name in &names {
        assert!(
            plan_text.contains(&format!("- name: {name}\n")),
            "{name} missing from the plan"
        );
    }
    ok(&["generate", "--plan", p(&plan), "--out", p(&out)]);
    assert_quadlet_accepts(&quadlet, &out);
    for script in ["migrate.sh", "rollback.sh"] {
        let n = Command::new("bash")
            .arg("-n")
            .arg(out.join(script))
            .output()
            .unwrap();
        assert!(
            n.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&n.stderr)
        );
        if let Ok(sc) = Command::new("shellcheck").arg(out.join(script)).output() {
            assert!(
                sc.status.success(),
                "{}",
                String::from_utf8_lossy(&sc.stdout)
            );
        }
    }

    // The same engine through a snapshot: the plan applies to it unchanged, and the
    // generated units are identical.
    let snap = tmp.path().join("snap.json");
    ok(&["snapshot", "-o", p(&snap)]);
    let out2 = tmp.path().join("out-snap");
    ok(&[
        "--snapshot",
        p(&snap),
        "generate",
        "--plan",
        p(&plan),
        "--out",
        p(&out2),
    ]);
    assert_quadlet_accepts(&quadlet, &out2);
    for entry in fs::read_dir(out.join("quadlet")).unwrap() {
        let name = entry.unwrap().file_name();
        assert_eq!(
            fs::read(out.join("quadlet").join(&name)).unwrap(),
            fs::read(out2.join("quadlet").join(&name)).unwrap(),
            "{name:?} differs between Docker and its snapshot"
        );
    }
}
