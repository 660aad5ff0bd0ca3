//! `unroot verify` as a user runs it: bad input (one line, exit 2), and the whole flow on
//! real parts: a container on the real Docker engine -> `unroot plan` -> `unroot generate`
//! -> readiness against real rootless Podman 5.4.2 -> the generated units applied -> post
//! checks, with the Docker side read from the real engine.
// Without the `podman` feature only the "built without Podman support" case runs.
#![cfg_attr(not(feature = "podman"), allow(dead_code, unused_imports))]

mod common;
mod verify_sandbox;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use verify_sandbox::{Sandbox, USER, apply_quadlet_script, repo, root};

fn unroot() -> Command {
    let mut cmd = common::unroot();
    cmd.env_remove("DOCKER_HOST")
        .env_remove("UNROOT_TARGET_ROOT");
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    assert!(lines[0].starts_with("unroot: error: "), "{err}");
    for n in needles {
        assert!(lines[0].contains(n), "missing {n:?} in {err}");
    }
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for an input error"
    );
}

fn demo_plan(dir: &Path) -> String {
    let plan = dir.join("plan.yaml");
    let out = unroot()
        .args([
            "plan",
            "--demo",
            "--user",
            USER,
            "--podman-version",
            "5.4",
            "-o",
        ])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    plan.display().to_string()
}

/// Built with `--no-default-features`: no Podman client, and `verify` says so.
#[cfg(not(feature = "podman"))]
#[test]
fn without_the_podman_feature_verify_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plan = demo_plan(dir.path());
    let out = unroot()
        .args(["verify", "--demo", "--plan", &plan])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        2,
        &["built without Podman support", "feature `podman`"],
    );
}

#[cfg(feature = "podman")]
#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let plan = demo_plan(dir.path());
    let verify = |extra: &[&str]| {
        unroot()
            .args(["verify", "--demo", "--plan", &plan])
            .args(extra)
            .output()
            .unwrap()
    };

    let missing = dir.path().join("none/podman.sock");
    let out = verify(&["--podman-socket", missing.to_str().unwrap()]);
    assert_one_line_error(
        &out,
        2,
        &[
            missing.to_str().unwrap(),
            "systemctl --user enable --now podman.socket",
        ],
    );

    let out = verify(&["--podman-socket", &plan]);
    assert_one_line_error(&out, 2, &["is not a socket"]);

    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let out = verify(&["--podman-socket", stale.to_str().unwrap()]);
    assert_one_line_error(&out, 2, &["nothing listens", "podman.socket"]);

    // The default socket belongs to the plan's user, who does not exist here.
    let out = verify(&[]);
    assert_one_line_error(&out, 2, &[USER, "does not exist", "--podman-socket"]);

    // A plan from a newer schema, and no plan at all.
    let newer = dir.path().join("newer.yaml");
    let text = fs::read_to_string(&plan).unwrap();
    fs::write(&newer, text.replace("unroot.plan/v1", "unroot.plan/v2")).unwrap();
    let out = unroot()
        .args(["verify", "--demo", "--plan", newer.to_str().unwrap()])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["unroot.plan/v2", "not supported"]);
    let out = unroot()
        .args(["verify", "--demo", "--plan", "/nonexistent/plan.yaml"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["/nonexistent/plan.yaml"]);

    // Bad flag values are clap's usage errors (exit 2).
    let out = verify(&["--phase", "later"]);
    assert_eq!(out.status.code(), Some(2));

    // A socket that answers but is not Podman: the real Docker engine.
    if common::docker_available() {
        let out = verify(&["--podman-socket", "/var/run/docker.sock"]);
        assert_one_line_error(&out, 2, &["not a Podman API service", "no libpod API"]);
    }

    // Wrong permissions: a live socket the caller may not connect to.
    let locked = dir.path().join("locked.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o600)).unwrap();
    if let Some(out) = as_nobody(&[
        "verify",
        "--demo",
        "--plan",
        &plan,
        "--podman-socket",
        locked.to_str().unwrap(),
        "--log-file",
        "/dev/null",
    ]) {
        assert_one_line_error(&out, 2, &["permission denied", locked.to_str().unwrap()]);
    } else {
        eprintln!("SKIPPED: the permission case needs root and setpriv");
    }
}

/// Run the binary as `nobody` with `setpriv` (util-linux), when we are root.
fn as_nobody(args: &[&str]) -> Option<Output> {
    if uzers::get_current_uid() != 0 || Command::new("setpriv").arg("--version").output().is_err() {
        return None;
    }
    Some(
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_unroot"))
            .args(args)
            .env_remove("DOCKER_HOST")
            .env("HOME", "/nonexistent")
            .output()
            .unwrap(),
    )
}

fn bash(script: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Docker side of the test: one HTTP service with a named volume, restart policy
/// unless-stopped, labelled for `fixture_reset verify`.
const DOCKER_SETUP: &str = r#"
source scripts/fixtures-lib.sh
fixture_reset verify
fixture_image unroot-verify/web:1 --change 'CMD ["/bin/httpd","-f","-p","8080","-h","/www"]'
fixture_volume verify verify-data
fixture_run verify verify-web -p 18483:8080 -v verify-data:/data --restart unless-stopped unroot-verify/web:1
"#;

fn verify_json(sandbox: &Sandbox, plan: &Path) -> (i32, serde_json::Value) {
    let out = unroot()
        .args(["verify", "--plan"])
        .arg(plan)
        .arg("--podman-socket")
        .arg(sandbox.socket())
        .arg("--target-root")
        .arg(root())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(&out)));
    (out.status.code().unwrap(), json)
}

fn status_of<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))["status"]
        .as_str()
        .unwrap()
}

fn not_passing(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "pass")
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            format!("{} {}: {}", text("status"), text("id"), text("message"))
        })
        .collect()
}

#[cfg(feature = "podman")]
#[test]
fn plan_generate_verify_migrate_verify() {
    if !common::docker_available() {
        return;
    }
    let Some(mut sandbox) = Sandbox::start() else {
        return;
    };
    bash(DOCKER_SETUP);
    let dir = sandbox.dir.path().to_path_buf();
    let plan = dir.join("plan.yaml");

    // The operator's plan, with the subid range this target's user already has.
    let out = unroot()
        .args([
            "plan",
            "--user",
            USER,
            "--podman-version",
            "5.4",
            "--only",
            "verify-web",
            "-o",
        ])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // An operator's edit of `target.subid_ranges`.
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(&plan).unwrap()).unwrap();
    doc["target"]["subid_ranges"] =
        serde_yaml::from_str("unroot-verify: {start: 2991000000, count: 65536}").unwrap();
    // Issue 14: the default hardening (NoNewPrivileges for this root process) plus the
    // offered read-only root and dropped capabilities, accepted: the service must still
    // answer under real rootless Podman below.
    let hardening = &mut doc["containers"][0]["decision"]["hardening"];
    assert_eq!(hardening["no_new_privileges"], true, "the default for root");
    hardening["read_only_root"] = true.into();
    hardening["drop_capabilities"] = serde_yaml::from_str("[ALL]").unwrap();
    hardening["memory"] = "64m".into();
    hardening["pids_limit"] = 64.into();
    fs::write(&plan, serde_yaml::to_string(&doc).unwrap()).unwrap();
    // Generated against the target's ID files (the sandbox root, where the user already
    // holds this range), as an operator generating for that host would.
    let out = unroot()
        .args(["generate", "--plan"])
        .arg(&plan)
        .arg("--out")
        .arg(dir.join("out"))
        .env("UNROOT_TARGET_ROOT", root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Readiness: everything in place but the image, which migrate.sh will transfer.
    let (code, report) = verify_json(&sandbox, &plan);
    assert_eq!(report["schema"], "unroot.verify/v1");
    assert_eq!(report["phase"], "readiness");
    assert_eq!(
        not_passing(&report),
        vec![
            "warn image:localhost/unroot-verify/web:1: localhost/unroot-verify/web:1 is not on the target yet: it needs a transfer"
                .to_string()
        ]
    );
    assert_eq!(code, 0);
    assert_eq!(status_of(&report, "subuid"), "pass");
    assert_eq!(status_of(&report, "rootless-network-cmd"), "pass");

    // Broken: a container with the planned name already exists on the target.
    sandbox
        .sh("user_podman $VUSER create --name verify-web localhost/verify-app:1 true >/dev/null");
    let (code, report) = verify_json(&sandbox, &plan);
    assert_eq!(code, 1);
    assert_eq!(
        report["phase"], "readiness",
        "not one of ours: no unit label"
    );
    assert_eq!(status_of(&report, "container-names"), "fail");
    sandbox.sh("user_podman $VUSER rm -f verify-web >/dev/null");

    // The table format: one line per check, exit 0.
    let out = unroot()
        .args(["verify", "--plan"])
        .arg(&plan)
        .arg("--podman-socket")
        .arg(sandbox.socket())
        .arg("--target-root")
        .arg(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("PASS  podman-version"), "{table}");
    assert!(
        table.contains("WARN  image:localhost/unroot-verify/web:1"),
        "{table}"
    );
    assert!(
        table.contains("-> fix: migrate.sh --apply transfers it"),
        "{table}"
    );

    // The migration: the image moved, Docker stopped (restart policy left as it was, the
    // mistake the post check must catch), the generated units started.
    bash(&format!(
        "docker save -o {0}/image.tar unroot-verify/web:1 && chmod 0644 {0}/image.tar && docker stop verify-web >/dev/null",
        dir.display()
    ));
    sandbox.sh("user_podman $VUSER load -i /srv/verify/image.tar >/dev/null");
    let unit = fs::read_to_string(dir.join("out/quadlet/verify-web.container")).unwrap();
    for key in [
        "NoNewPrivileges=true",
        "ReadOnly=true",
        "DropCapability=all",
        "PidsLimit=64",
        "--memory 64m",
    ] {
        assert!(unit.contains(key), "{key} not in\n{unit}");
    }
    sandbox.sh(&apply_quadlet_script("/srv/verify/out/quadlet"));
    let got = Command::new("curl")
        .args([
            "-fsS",
            "--retry",
            "20",
            "--retry-delay",
            "0",
            "--retry-connrefused",
        ])
        .arg("http://127.0.0.1:18483/")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&got.stdout).contains("unroot fixture"),
        "the migrated service answers: {}",
        stderr(&got)
    );

    let (code, report) = verify_json(&sandbox, &plan);
    assert_eq!(report["phase"], "post");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        not_passing(&report),
        vec![
            "fail docker-stopped:verify-web: verify-web is stopped on Docker but its restart policy unless-stopped brings it back when dockerd restarts"
                .to_string()
        ]
    );
    for id in [
        "container-exists:verify-web",
        "container-running:verify-web",
        "ports:verify-web",
        "mounts:verify-web",
        "user:verify-web",
        "image:verify-web",
    ] {
        assert_eq!(status_of(&report, id), "pass", "{id}");
    }

    bash("docker update --restart=no verify-web >/dev/null");
    let (code, report) = verify_json(&sandbox, &plan);
    assert!(
        not_passing(&report).is_empty(),
        "{:#?}",
        not_passing(&report)
    );
    assert_eq!(code, 0);

    // A plan naming a container the inventory no longer has: its unit cannot be expected.
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(&plan).unwrap()).unwrap();
    let mut gone = doc["containers"][0].clone();
    gone["name"] = "verify-gone".into();
    doc["containers"].as_sequence_mut().unwrap().push(gone);
    let stale_plan = dir.join("stale-plan.yaml");
    fs::write(&stale_plan, serde_yaml::to_string(&doc).unwrap()).unwrap();
    let (code, report) = verify_json(&sandbox, &stale_plan);
    assert_eq!(code, 1);
    assert_eq!(status_of(&report, "plan-container:verify-gone"), "fail");
    assert_eq!(status_of(&report, "container-running:verify-web"), "pass");

    // The unit stopped: exit 1 and the fix names the unit.
    sandbox.sh("user_podman $VUSER stop -t 0 verify-web >/dev/null");
    let (code, report) = verify_json(&sandbox, &plan);
    assert_eq!(code, 1);
    assert_eq!(
        report["phase"], "readiness",
        "nothing planned is on the target any more"
    );
    let (code, report) = {
        let out = unroot()
            .args(["verify", "--phase", "post", "--format", "json", "--plan"])
            .arg(&plan)
            .arg("--podman-socket")
            .arg(sandbox.socket())
            .arg("--target-root")
            .arg(root())
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, 1);
    assert_eq!(status_of(&report, "container-exists:verify-web"), "fail");

    bash("source scripts/fixtures-lib.sh && fixture_reset verify");
}
