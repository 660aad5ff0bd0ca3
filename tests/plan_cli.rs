//! `unroot plan` / `unroot generate` end to end on the embedded demo host (no Docker needed):
//! byte-identical regeneration, exact change sets after a plan edit, secrets only in the
//! 0600 env files, refusal to overwrite edited files, bad plans, and the generated scripts
//! checked by the real bash and shellcheck.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::{assert_one_line_error, ok, p, run};

/// Every file under `dir`: relative path -> (content, mode, mtime).
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32, std::time::SystemTime)> {
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut BTreeMap<String, (Vec<u8>, u32, std::time::SystemTime)>,
    ) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let meta = fs::metadata(&path).unwrap();
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                out.insert(
                    rel,
                    (
                        fs::read(&path).unwrap(),
                        meta.permissions().mode() & 0o7777,
                        meta.modified().unwrap(),
                    ),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// A plan of the demo host plus a generated directory from it.
fn demo_plan_and_output(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let plan = tmp.join("plan.yaml");
    let out = tmp.join("out");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    (plan, out)
}

#[test]
fn unchanged_plan_regenerates_byte_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let before = tree(&out);
    for required in [
        "migrate.sh",
        "rollback.sh",
        "REPORT.md",
        "plan.yaml",
        "subuid",
        "subgid",
    ] {
        assert!(
            before.contains_key(required),
            "missing {required}: {:?}",
            before.keys()
        );
    }
    assert!(
        before
            .keys()
            .any(|k| k.starts_with("quadlet/") && k.ends_with(".container"))
    );
    assert_eq!(before["migrate.sh"].1, 0o755);
    assert_eq!(before["rollback.sh"].1, 0o755);
    // The copy is the reviewed file itself.
    assert_eq!(before["plan.yaml"].0, fs::read(&plan).unwrap());

    let again = ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains(" 0 written"), "{stdout}");
    assert_eq!(
        tree(&out),
        before,
        "regeneration changed bytes, modes or mtimes"
    );

    // Without a plan, from the same source: also stable.
    let out2 = tmp.path().join("out2");
    ok(&["--demo", "generate", "--user", "app", "--out", p(&out2)]);
    let first = tree(&out2);
    ok(&["--demo", "generate", "--user", "app", "--out", p(&out2)]);
    assert_eq!(tree(&out2), first);
    // The default decisions equal an unedited plan's: same units, scripts and plan body.
    let copy = String::from_utf8(first["plan.yaml"].0.clone()).unwrap();
    assert!(copy.contains("subid_ranges:\n    app:"), "{copy}");
    for (path, (content, ..)) in &first {
        if path.starts_with("quadlet/") || path == "migrate.sh" || path == "subuid" {
            assert_eq!(
                Some(content),
                before.get(path).map(|b| &b.0),
                "{path} differs"
            );
        }
    }
}

#[test]
fn editing_a_decision_changes_exactly_the_affected_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let before = tree(&out);
    assert!(before.contains_key("quadlet/jellyfin.container"));

    // Exclude jellyfin; move pihole's DNS port 53 to 5353.
    let text = fs::read_to_string(&plan).unwrap();
    let text = edit_decision(&text, "jellyfin", "    include: true", "    include: false");
    let text = edit_decision(
        &text,
        "pihole",
        "    ports:\n      policy: sysctl",
        "    ports:\n      policy: remap\n      ports:\n        53: 5353",
    );
    fs::write(&plan, text).unwrap();
    let regenerated = ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let after = tree(&out);

    let changed: BTreeSet<&str> = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_none_or(|b| b.0 != v.0))
        .map(|(k, _)| k.as_str())
        .collect();
    let removed: BTreeSet<&str> = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .map(String::as_str)
        .collect();
    // The files that must change, and the only ones that may.
    for must in [
        "quadlet/pihole.container",
        "migrate.sh",
        "rollback.sh",
        "REPORT.md",
        "plan.yaml",
    ] {
        assert!(
            changed.contains(must),
            "{must} did not change; changed: {changed:?}"
        );
    }
    let allowed: BTreeSet<&str> = [
        "quadlet/pihole.container",
        "migrate.sh",
        "rollback.sh",
        "REPORT.md",
        "plan.yaml",
        ".unroot-manifest",
    ]
    .into();
    let unexpected: Vec<&&str> = changed.difference(&allowed).collect();
    assert!(unexpected.is_empty(), "unexpected changes: {unexpected:?}");
    assert!(
        removed.contains("quadlet/jellyfin.container"),
        "{removed:?}"
    );
    assert!(
        removed.iter().all(|r| r.contains("jellyfin")),
        "only jellyfin's files may go: {removed:?}"
    );
    let unit = String::from_utf8(after["quadlet/pihole.container"].0.clone()).unwrap();
    assert!(unit.contains("5353:53"), "{unit}");
    let migrate = String::from_utf8(after["migrate.sh"].0.clone()).unwrap();
    assert!(!migrate.contains("step_docker_stop_jellyfin"));
    let report = String::from_utf8(after["REPORT.md"].0.clone()).unwrap();
    assert!(
        report.contains("is now published on 5353"),
        "report must tell about the port move"
    );
    // Untouched files keep their mtime: nothing was rewritten needlessly.
    for (path, (content, _, mtime)) in &after {
        if let Some(b) = before.get(path)
            && b.0 == *content
        {
            assert_eq!(b.2, *mtime, "{path} was rewritten with the same content");
        }
    }
    let stdout = String::from_utf8_lossy(&regenerated.stdout);
    assert!(stdout.contains("stale removed"), "{stdout}");
}

/// Issue 14: the demo host's Watchtower is replaced, not migrated: the plan proposes
/// `include: false` with the reason as a comment, the containers it watched get
/// `AutoUpdate=`, REPORT.md says both, and the scripts enable and disable the user's
/// podman-auto-update.timer. Including the watcher again is the operator's edit.
#[test]
fn the_watcher_is_replaced_by_podmans_auto_update() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let text = fs::read_to_string(&plan).unwrap();
    let at = text.find("- name: watchtower\n").unwrap();
    let comment = text[..at].lines().last().unwrap();
    assert!(
        comment.starts_with("# proposed include: false: replaced by podman-auto-update.timer; Watchtower needs the Docker socket"),
        "{comment}"
    );
    let files = tree(&out);
    assert!(!files.contains_key("quadlet/watchtower.container"));
    let unit = String::from_utf8(files["quadlet/grafana.container"].0.clone()).unwrap();
    assert!(unit.contains("\nAutoUpdate=registry\n"), "{unit}");
    let report = String::from_utf8(files["REPORT.md"].0.clone()).unwrap();
    assert!(
        report
            .contains("Replaced, not migrated: `watchtower`: replaced by podman-auto-update.timer"),
        "{report}"
    );
    assert!(report.contains("Updated by Podman: `AutoUpdate=registry`"));
    let migrate = String::from_utf8(files["migrate.sh"].0.clone()).unwrap();
    assert!(
        migrate.contains("run as_user app systemctl --user enable --now podman-auto-update.timer")
    );
    let rollback = String::from_utf8(files["rollback.sh"].0.clone()).unwrap();
    assert!(
        rollback
            .contains("run as_user app systemctl --user disable --now podman-auto-update.timer")
    );

    // Set both pin_digest and auto_update: refused, naming the line.
    let both = edit_decision(
        &text,
        "grafana",
        "    pin_digest: false",
        "    pin_digest: true",
    );
    fs::write(&plan, both).unwrap();
    let refused = run(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    assert_one_line_error(
        &refused,
        2,
        &["auto_update: registry and pin_digest: true contradict"],
    );
    // Including the watcher is an edit like any other: it then moves with the Podman socket.
    let included = edit_decision(
        &text,
        "watchtower",
        "    include: false",
        "    include: true",
    );
    fs::write(&plan, included).unwrap();
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    assert!(out.join("quadlet/watchtower.container").exists());
}

/// The containers a YAML plan migrates (`include: true`), in plan order.
fn included(text: &str) -> Vec<&str> {
    text.split("\n- name: ")
        .skip(1)
        .filter(|block| block.contains("\n    include: true\n"))
        .filter_map(|block| block.lines().next())
        .collect()
}

/// Replace `from` by `to` inside the block of the container `name` of a YAML plan.
fn edit_decision(text: &str, name: &str, from: &str, to: &str) -> String {
    let start = text
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no container {name} in the plan"));
    let end = text[start + 1..]
        .find("\n- name: ")
        .map_or(text.len(), |i| start + 1 + i);
    let block = &text[start..end];
    assert!(
        block.contains(from),
        "`{from}` not in {name}'s block:\n{block}"
    );
    format!(
        "{}{}{}",
        &text[..start],
        block.replacen(from, to, 1),
        &text[end..]
    )
}

#[test]
fn secret_values_appear_only_in_0600_env_files() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    let out = tmp.path().join("out");
    let plan_run = ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    // Every container moves, the watcher Podman replaces too, so every secret is exercised.
    let text = fs::read_to_string(&plan).unwrap();
    let text = edit_decision(
        &text,
        "watchtower",
        "    include: false",
        "    include: true",
    );
    fs::write(&plan, text).unwrap();
    let gen_run = ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);

    let snapshot: serde_json::Value =
        serde_json::from_str(include_str!("../assets/demo-snapshot.json")).unwrap();
    let secrets: Vec<String> = snapshot["containers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["env"].as_array().unwrap().iter())
        .filter(|e| {
            let name = e["name"].as_str().unwrap().to_ascii_uppercase();
            let value = e["value"].as_str().unwrap();
            // Credentials inside a URL are secret whatever the variable is called.
            let url_password = value
                .split_once("://")
                .and_then(|(_, rest)| rest.split_once('@'))
                .is_some_and(|(userinfo, _)| userinfo.contains(':'));
            url_password
                || ["PASSWORD", "PASSWD", "TOKEN", "SECRET"]
                    .iter()
                    .any(|k| name.contains(k))
        })
        .map(|e| e["value"].as_str().unwrap().to_string())
        .filter(|v| v.len() >= 6)
        .collect();
    assert!(
        secrets.len() >= 5,
        "the demo host has secrets to look for: {secrets:?}"
    );

    let mut found_in_env = BTreeSet::new();
    for (path, (content, mode, _)) in tree(&out) {
        let text = String::from_utf8_lossy(&content);
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                assert!(
                    path.starts_with("env/") && path.ends_with(".env"),
                    "secret value of the demo host found in {path}"
                );
                assert_eq!(mode, 0o600, "{path} holds a secret with mode {mode:o}");
                found_in_env.insert(secret.clone());
            }
        }
        if path.starts_with("env/") {
            assert_eq!(mode, 0o600, "{path}");
        }
    }
    assert_eq!(
        found_in_env.len(),
        secrets.iter().collect::<BTreeSet<_>>().len(),
        "every secret must reach an env file so the migration works"
    );
    let plan_text = fs::read_to_string(&plan).unwrap();
    for secret in &secrets {
        assert!(
            !plan_text.contains(secret.as_str()),
            "plan.yaml holds a secret value"
        );
        for o in [&plan_run, &gen_run] {
            assert!(!String::from_utf8_lossy(&o.stdout).contains(secret.as_str()));
            assert!(!String::from_utf8_lossy(&o.stderr).contains(secret.as_str()));
        }
    }
    // The plan names the variables and the file instead.
    assert!(plan_text.contains("MYSQL_PASSWORD"));
    assert!(plan_text.contains("file: env/"));
}

#[test]
fn an_edited_file_makes_the_write_refuse_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let edited = out.join("quadlet/pihole.container");
    let mut content = fs::read_to_string(&edited).unwrap();
    content.push_str("# local tweak\n");
    fs::write(&edited, &content).unwrap();
    // A plan edit that would rewrite several files, including the edited one.
    let text = edit_decision(
        &fs::read_to_string(&plan).unwrap(),
        "pihole",
        "    ports:\n      policy: sysctl",
        "    ports:\n      policy: remap\n      ports:\n        53: 5353",
    );
    fs::write(&plan, text).unwrap();
    let before = tree(&out);

    let refused = run(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("quadlet/pihole.container"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        tree(&out),
        before,
        "a refused write must leave everything untouched"
    );

    ok(&[
        "--demo",
        "generate",
        "--plan",
        p(&plan),
        "--out",
        p(&out),
        "--force",
    ]);
    let replaced = fs::read_to_string(&edited).unwrap();
    assert!(!replaced.contains("# local tweak") && replaced.contains("5353:53"));
}

#[test]
fn bad_plans_exit_2_naming_the_line_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let good = fs::read_to_string(&plan).unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "schema",
            good.replace("schema: unroot.plan/v1", "schema: unroot.plan/v9"),
            "unroot.plan/v9",
        ),
        (
            "unknown container",
            good.replace("- name: jellyfin\n", "- name: jellyfin-old\n"),
            "jellyfin-old",
        ),
        (
            "typo",
            edit_decision(&good, "grafana", "    volumes: copy", "    volumse: copy"),
            "volumse",
        ),
        (
            "stray key",
            edit_decision(
                &good,
                "pihole",
                "    ports:\n      policy: sysctl",
                "    ports:\n      policy: sysctl\n      portz:\n        53: 5353",
            ),
            "portz",
        ),
        (
            "port",
            edit_decision(
                &good,
                "pihole",
                "    ports:\n      policy: sysctl",
                "    ports:\n      policy: remap\n      ports:\n        53: 99999",
            ),
            "99999",
        ),
    ];
    for (what, text, needle) in cases {
        let bad = tmp
            .path()
            .join(format!("bad-{}.yaml", what.replace(' ', "-")));
        fs::write(&bad, &text).unwrap();
        let out = tmp.path().join(format!("out-{}", what.replace(' ', "-")));
        let result = run(&["--demo", "generate", "--plan", p(&bad), "--out", p(&out)]);
        assert_eq!(result.status.code(), Some(2), "{what}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(stderr.lines().count(), 1, "{what}: one line: {stderr}");
        assert!(stderr.starts_with("unroot: error: "), "{what}: {stderr}");
        assert!(stderr.contains(needle), "{what}: {stderr}");
        // FILE:LINE: names the place; the line holds the offending text.
        let rest = stderr
            .trim_start_matches("unroot: error: ")
            .strip_prefix(p(&bad))
            .unwrap_or_else(|| panic!("{what}: names the file: {stderr}"));
        let line: usize = rest
            .trim_start_matches(':')
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{what}: names the line: {stderr}"));
        assert!(
            text.lines().nth(line - 1).unwrap().contains(needle),
            "{what}: line {line} is `{}`",
            text.lines().nth(line - 1).unwrap()
        );
        assert!(!out.exists(), "{what}: nothing may be written");
    }
}

#[test]
fn plan_refuses_unknown_only_names_and_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    let r = run(&["--demo", "plan", "--only", "nope", "-o", p(&plan)]);
    assert_one_line_error(&r, 2, &["nope"]);
    assert!(!plan.exists());

    ok(&[
        "--demo",
        "plan",
        "--only",
        "grafana",
        "postgres",
        "-o",
        p(&plan),
    ]);
    let text = fs::read_to_string(&plan).unwrap();
    assert!(text.contains("- name: grafana") && text.contains("- name: postgres"));
    assert!(!text.contains("- name: jellyfin"));
    // Another plan into the same file needs --force.
    let r = run(&["--demo", "plan", "--user", "other", "-o", p(&plan)]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(fs::read_to_string(&plan).unwrap(), text);
    ok(&[
        "--demo",
        "plan",
        "--user",
        "other",
        "-o",
        p(&plan),
        "--force",
    ]);

    // `-o -` prints the plan (YAML with its header) and writes no file.
    let printed = ok(&["--demo", "plan", "--only", "grafana", "-o", "-"]);
    let printed = String::from_utf8(printed.stdout).unwrap();
    assert!(
        printed.starts_with("# unroot migration plan") && printed.contains("- name: grafana\n")
    );
    assert!(!Path::new("-").exists());

    // --only plans generate units for those containers only.
    ok(&[
        "--demo",
        "plan",
        "--only",
        "grafana",
        "-o",
        p(&plan),
        "--force",
    ]);
    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let units: Vec<String> = tree(&out)
        .into_keys()
        .filter(|k| k.ends_with(".container"))
        .collect();
    assert_eq!(units, vec!["quadlet/grafana.container".to_string()]);
}

#[test]
fn json_plans_work_like_yaml_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.json");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let text = fs::read_to_string(&plan).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["schema"], "unroot.plan/v1");
    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    assert_eq!(fs::read_to_string(out.join("plan.json")).unwrap(), text);
    let bad = text.replacen("\"include\": true", "\"inclued\": true", 1);
    fs::write(&plan, bad).unwrap();
    let r = run(&[
        "--demo",
        "generate",
        "--plan",
        p(&plan),
        "--out",
        p(&tmp.path().join("o2")),
    ]);
    assert_one_line_error(&r, 2, &["inclued"]);
}

#[test]
fn policy_flags_exit_1_after_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // The demo host mounts the Docker socket into several containers: blockers.
    let r = run(&["--demo", "generate", "--out", p(&out), "--fail-on-blockers"]);
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(out.join("REPORT.md").exists());
    let r = run(&[
        "--demo",
        "generate",
        "--out",
        p(&out),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let r = run(&["--demo", "generate", "--out", p(&out)]);
    assert_eq!(r.status.code(), Some(0));
    let r = run(&[
        "--demo",
        "generate",
        "--plan",
        "x.yaml",
        "--user",
        "a",
        "--out",
        p(&out),
    ]);
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn migrate_sh_passes_shellcheck_and_its_dry_run_lists_every_step() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let plan_text = fs::read_to_string(&plan).unwrap();
    for script in ["migrate.sh", "rollback.sh"] {
        let path = out.join(script);
        let n = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            n.status.success(),
            "bash -n {script}: {}",
            String::from_utf8_lossy(&n.stderr)
        );
        match std::process::Command::new("shellcheck").arg(&path).output() {
            Ok(sc) => assert!(
                sc.status.success(),
                "shellcheck {script}:\n{}",
                String::from_utf8_lossy(&sc.stdout)
            ),
            Err(_) => common::skip_or_fail("UNROOT_REQUIRE_DOCKER", "shellcheck"),
        }
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("set -euo pipefail"));
    }

    // Dry run: as any user, changes nothing, prints every step with its commands.
    let dry = std::process::Command::new("bash")
        .arg(out.join("migrate.sh"))
        .env("UNROOT_STAGING", tmp.path().join("staging"))
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        !tmp.path().join("staging").exists(),
        "a dry run must not create anything"
    );
    let dry = String::from_utf8(dry.stdout).unwrap();
    let listed = std::process::Command::new("bash")
        .arg(out.join("migrate.sh"))
        .arg("--list")
        .output()
        .unwrap();
    let steps: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(steps.len() > 10, "{steps:?}");
    for step in &steps {
        assert!(
            dry.contains(&format!("==> {step}: ")),
            "dry run does not show {step}"
        );
    }
    // Per container: the Docker side is stopped, the image moves, volumes are copied.
    let report = fs::read_to_string(out.join("REPORT.md")).unwrap();
    let snapshot: serde_json::Value =
        serde_json::from_str(include_str!("../assets/demo-snapshot.json")).unwrap();
    for c in snapshot["containers"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        if !included(&plan_text).contains(&name) {
            continue;
        }
        let unit_steps: Vec<&String> = steps
            .iter()
            .filter(|s| s.contains(&name.replace('-', "_")))
            .collect();
        assert!(
            unit_steps
                .iter()
                .any(|s| s.starts_with("step_docker_stop_")),
            "{name}: no docker stop step in {unit_steps:?}"
        );
        // Images move once per image (and user), so the image step is named after the
        // image; REPORT.md lists it under every container that uses it.
        let section = report
            .split(&format!("\n## {name}\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("no report section for {name}"))
            .split("\n## ")
            .next()
            .unwrap();
        assert!(
            section.contains("`step_image_"),
            "{name}: no image step in its report section"
        );
        for m in c["mounts"].as_array().unwrap() {
            if m["kind"] == "volume" {
                let vol = m["source"].as_str().unwrap().replace('-', "_");
                assert!(
                    steps
                        .iter()
                        .any(|s| s.starts_with("step_volume_export_") && s.ends_with(&vol)),
                    "{name}: volume {vol} is not exported"
                );
                assert!(
                    steps
                        .iter()
                        .any(|s| s.starts_with("step_volume_import_") && s.ends_with(&vol)),
                    "{name}: volume {vol} is not imported"
                );
            }
        }
    }
    assert!(dry.contains("docker update --restart=no"));
    assert!(dry.contains("loginctl enable-linger app"));
    assert!(dry.contains("systemctl --user daemon-reload"));

    // Sourcing defines the steps and runs none of them.
    let sourced = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && declare -F {} >/dev/null && echo defined",
            out.join("migrate.sh").display(),
            steps[0]
        ))
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&sourced.stdout);
    assert_eq!(
        s.trim(),
        "defined",
        "{}",
        String::from_utf8_lossy(&sourced.stderr)
    );

    // One step alone, by name with or without the prefix.
    let one = std::process::Command::new("bash")
        .arg(out.join("migrate.sh"))
        .args(["--step", steps[0].trim_start_matches("step_")])
        .output()
        .unwrap();
    let one = String::from_utf8(one.stdout).unwrap();
    assert_eq!(one.matches("==> step_").count(), 1, "{one}");
    let bad = std::process::Command::new("bash")
        .arg(out.join("migrate.sh"))
        .args(["--step", "nope"])
        .output()
        .unwrap();
    assert!(!bad.status.success());

    // Rollback restores each stopped container's Docker restart policy.
    let rollback = fs::read_to_string(out.join("rollback.sh")).unwrap();
    assert!(
        rollback.contains("docker update --restart=unless-stopped")
            || rollback.contains("docker update --restart=always")
    );
}

/// Run `body` in bash after sourcing the generated migrate.sh.
fn sourced(script: &Path, body: &str) -> Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && {body}", script.display()))
        .output()
        .unwrap()
}

#[test]
fn migrate_sh_helpers_are_safe_and_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = demo_plan_and_output(tmp.path());
    let script = out.join("migrate.sh");
    let d = tmp.path();

    // A range overlapping another user's is refused; the user's own line is not a conflict.
    fs::write(d.join("subuid"), "bob:100000:65536\n").unwrap();
    let r = sourced(
        &script,
        &format!(
            "UNROOT_APPLY=1; range_free {}/subuid 100000 165535 app",
            d.display()
        ),
    );
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("overlaps"),
        "{r:?}"
    );
    fs::write(d.join("subuid"), "app:100000:65536\nbob:165536:65536\n").unwrap();
    let r = sourced(
        &script,
        &format!(
            "UNROOT_APPLY=1; range_free {}/subuid 100000 165535 app",
            d.display()
        ),
    );
    assert!(r.status.success(), "{r:?}");

    // install_file copies once, then skips an identical destination.
    fs::write(d.join("src.conf"), "x=1\n").unwrap();
    let me = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let body = format!(
        "UNROOT_APPLY=1; install_file {d}/src.conf {d}/dst.conf 0600 {me} && install_file {d}/src.conf {d}/dst.conf 0600 {me}",
        d = d.display(),
        me = me.trim()
    );
    let r = sourced(&script, &body);
    assert!(r.status.success(), "{r:?}");
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("skip:"),
        "{r:?}"
    );
    assert_eq!(fs::read_to_string(d.join("dst.conf")).unwrap(), "x=1\n");
    assert_eq!(
        fs::metadata(d.join("dst.conf"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    // The dry run prints commands quoted for the shell, and runs nothing.
    let r = sourced(&script, &format!("run touch '{}/a b'", d.display()));
    let printed = String::from_utf8_lossy(&r.stdout);
    assert!(
        printed.contains("+ touch ") && printed.contains("a\\ b"),
        "{printed}"
    );
    assert!(!d.join("a b").exists());

    // Owners recorded by migrate.sh are put back file by file by rollback.sh (needs root
    // to chown; as another user the check is skipped visibly).
    if String::from_utf8_lossy(
        &std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
        == "0"
    {
        let tree_dir = d.join("bind");
        fs::create_dir_all(tree_dir.join("sub dir")).unwrap();
        fs::write(tree_dir.join("sub dir/odd\nname"), "x").unwrap();
        fs::write(tree_dir.join("plain"), "y").unwrap();
        let chown = |uidgid: &str, path: &Path| {
            assert!(
                std::process::Command::new("chown")
                    .args(["-h", uidgid])
                    .arg(path)
                    .status()
                    .unwrap()
                    .success()
            );
        };
        chown("1234:5678", &tree_dir.join("sub dir/odd\nname"));
        chown("4321:8765", &tree_dir.join("plain"));
        let list = d.join("owners/bind.list");
        let r = sourced(
            &script,
            &format!(
                "UNROOT_APPLY=1; record_owners '{}' '{}'",
                tree_dir.display(),
                list.display()
            ),
        );
        assert!(r.status.success(), "{r:?}");
        assert!(
            std::process::Command::new("chown")
                .args(["-R", "0:0"])
                .arg(&tree_dir)
                .status()
                .unwrap()
                .success()
        );
        let r = sourced(
            &out.join("rollback.sh"),
            &format!(
                "UNROOT_APPLY=1; restore_owners '{}' '{}' 0:0",
                tree_dir.display(),
                list.display()
            ),
        );
        assert!(r.status.success(), "{r:?}");
        use std::os::unix::fs::MetadataExt;
        let odd = fs::symlink_metadata(tree_dir.join("sub dir/odd\nname")).unwrap();
        assert_eq!((odd.uid(), odd.gid()), (1234, 5678));
        let plain = fs::symlink_metadata(tree_dir.join("plain")).unwrap();
        assert_eq!((plain.uid(), plain.gid()), (4321, 8765));

        // The top of a volume: owner and mode recorded for the user-side import.
        chown("999:998", &tree_dir);
        fs::set_permissions(&tree_dir, fs::Permissions::from_mode(0o750)).unwrap();
        let root_file = d.join("vol.tar.root");
        let r = sourced(
            &script,
            &format!(
                "UNROOT_APPLY=1; save_root_owner '{}' '{}'",
                tree_dir.display(),
                root_file.display()
            ),
        );
        assert!(r.status.success(), "{r:?}");
        assert_eq!(fs::read_to_string(&root_file).unwrap(), "999:998 750\n");
    } else {
        eprintln!("SKIPPED: owner record/restore needs root");
    }

    // A step run for real without docker on PATH fails loudly, not silently.
    let r = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && UNROOT_APPLY=1 UNROOT_STAGING={}/st PATH=/nonexistent step_docker_stop_grafana",
            script.display(),
            d.display()
        ))
        .output()
        .unwrap();
    assert!(!r.status.success(), "a failing command must stop the step");
}

#[test]
fn per_project_users_get_their_own_steps_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let text = fs::read_to_string(&plan).unwrap();
    assert!(
        text.contains("compose_project: nextcloud"),
        "the demo has a compose project"
    );
    let text = text.replacen(
        "  project_users: {}",
        "  project_users:\n    nextcloud: cloud",
        1,
    );
    fs::write(&plan, text).unwrap();
    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let migrate = fs::read_to_string(out.join("migrate.sh")).unwrap();
    for step in [
        "step_subids_cloud",
        "step_linger_cloud",
        "step_install_units_cloud",
        "step_subids_app",
    ] {
        assert!(
            migrate.contains(&format!("\n{step}() {{")),
            "{step} missing"
        );
    }
    // cloud's install step carries the nextcloud units and their network, nothing of app's.
    let body = migrate
        .split("\nstep_install_units_cloud() {")
        .nth(1)
        .unwrap()
        .split("\n}\n")
        .next()
        .unwrap();
    assert!(
        body.contains("nextcloud-app-1.container") && body.contains("nextcloud_default.network"),
        "{body}"
    );
    assert!(!body.contains("traefik.container"), "{body}");
    let subuid = fs::read_to_string(out.join("subuid")).unwrap();
    assert!(
        subuid.contains("cloud:") && subuid.contains("app:"),
        "{subuid}"
    );
    let sc = std::process::Command::new("shellcheck")
        .arg(out.join("migrate.sh"))
        .output();
    if let Ok(sc) = sc {
        assert!(
            sc.status.success(),
            "{}",
            String::from_utf8_lossy(&sc.stdout)
        );
    }
}

#[test]
fn podman_4_4_targets_install_the_pasta_default() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "--demo",
        "generate",
        "--user",
        "app",
        "--podman-version",
        "4.4",
        "--out",
        p(&out),
    ]);
    let confs: Vec<String> = tree(&out)
        .into_keys()
        .filter(|k| k.starts_with("containers.conf.d/"))
        .collect();
    assert!(!confs.is_empty(), "Podman 4.4 needs pasta made the default");
    let migrate = fs::read_to_string(out.join("migrate.sh")).unwrap();
    for conf in &confs {
        assert!(
            migrate.contains(&format!("\"$UNROOT_BUNDLE\"/{conf}")),
            "{conf} is not installed"
        );
    }
    assert!(migrate.contains("Target: Podman 4.4"));
    let r = run(&[
        "--demo",
        "generate",
        "--podman-version",
        "4.3",
        "--out",
        p(&tmp.path().join("o")),
    ]);
    assert_one_line_error(&r, 2, &["--podman-version"]);
}

#[test]
fn report_covers_every_migrated_container() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, out) = demo_plan_and_output(tmp.path());
    let report = fs::read_to_string(out.join("REPORT.md")).unwrap();
    let plan_text = fs::read_to_string(&plan).unwrap();
    let names = included(&plan_text);
    assert!(names.len() >= 10);
    for name in names {
        let section = report
            .split(&format!("\n## {name}\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("no section for {name}"))
            .split("\n## ")
            .next()
            .unwrap();
        for heading in [
            "### Risks today",
            "### What rootless removes",
            "### Risk before and after",
            "### What changes for users of the service",
            "### Blockers left",
            "### Steps migrate.sh runs for it",
        ] {
            assert!(section.contains(heading), "{name}: no `{heading}`");
        }
        assert!(
            section.contains("`step_docker_stop_"),
            "{name}: steps not listed"
        );
    }
    // The demo's Docker-socket mounts are never handed to the user (whether or not the
    // generators ask: script::chown_refusal is unit-tested with a request for it).
    let migrate = fs::read_to_string(out.join("migrate.sh")).unwrap();
    assert!(!migrate.contains("chown -R app: /var/run/docker.sock"));
    // EnvironmentFile=env/<unit>.env resolves next to the unit: the directory is created,
    // before the first env file is installed into it.
    let mkdir = migrate
        .find("-m 0700 \"$dir\"/env\n")
        .expect("migrate.sh creates the env directory");
    let first_env = migrate.find("\"$dir\"/env/").unwrap();
    assert!(mkdir < first_env || migrate[..first_env].contains("-m 0700 \"$dir\"/env"));
}

#[test]
fn subids_step_applies_the_planned_range_once_and_stops_on_another() {
    let is_root = String::from_utf8_lossy(
        &std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
        == "0";
    if !is_root {
        eprintln!(
            "SKIPPED: the subids step test runs the real usermod in a scratch root (needs root)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = demo_plan_and_output(tmp.path());
    let planned = fs::read_to_string(out.join("subuid")).unwrap();
    let planned = planned
        .lines()
        .find(|l| l.starts_with("app:"))
        .expect("a range for app")
        .to_string();

    // A scratch root with the host's account files and a user `app` without ranges; the
    // real usermod works on it through `usermod -R`.
    let root = tmp.path().join("root");
    fs::create_dir_all(root.join("etc")).unwrap();
    for f in ["passwd", "group", "shadow", "gshadow", "login.defs"] {
        let _ = fs::copy(Path::new("/etc").join(f), root.join("etc").join(f));
    }
    fs::write(root.join("etc/subuid"), "").unwrap();
    fs::write(root.join("etc/subgid"), "").unwrap();
    let added = std::process::Command::new("useradd")
        .arg("-R")
        .arg(&root)
        .args(["-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", "app"])
        .status()
        .unwrap();
    assert!(added.success());
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::write(
        bin.join("usermod"),
        format!(
            "#!/bin/sh\nexec /usr/sbin/usermod -R {} \"$@\"\n",
            root.display()
        ),
    )
    .unwrap();
    fs::set_permissions(bin.join("usermod"), fs::Permissions::from_mode(0o755)).unwrap();
    // The script with its /etc paths pointed at the scratch root.
    let script = fs::read_to_string(out.join("migrate.sh"))
        .unwrap()
        .replace("/etc/subuid", &format!("{}/etc/subuid", root.display()))
        .replace("/etc/subgid", &format!("{}/etc/subgid", root.display()));
    let script_path = tmp.path().join("migrate-scratch.sh");
    fs::write(&script_path, script).unwrap();
    let step = || {
        std::process::Command::new("bash")
            .arg("-c")
            // as_user is the documented override point; podman is not needed here.
            .arg(format!(
                "source {} && as_user() {{ :; }} && UNROOT_APPLY=1 PATH={}:$PATH step_subids_app",
                script_path.display(),
                bin.display()
            ))
            .output()
            .unwrap()
    };

    let first = step();
    assert!(first.status.success(), "{first:?}");
    for f in ["subuid", "subgid"] {
        let text = fs::read_to_string(root.join("etc").join(f)).unwrap();
        assert_eq!(text.trim(), planned, "{f}");
    }
    let again = step();
    assert!(again.status.success(), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("is already in"),
        "{again:?}"
    );
    assert_eq!(
        fs::read_to_string(root.join("etc/subuid")).unwrap().trim(),
        planned
    );

    fs::write(root.join("etc/subuid"), "app:300000:65536\n").unwrap();
    let other = step();
    assert!(!other.status.success());
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains("app:300000:65536") && stderr.contains("target.subid_ranges.app"),
        "{stderr}"
    );
}

/// Issue 12: on a real host /run/user/UID exists only once lingering has started the user's
/// manager, so every Podman command run as the user (the subids step's `podman system
/// migrate` first) must come after the linger step in migrate.sh's order.
#[test]
fn linger_comes_before_any_podman_command_run_as_the_user() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--user", "app", "--out", p(&out)]);
    let migrate = fs::read_to_string(out.join("migrate.sh")).unwrap();
    let order = migrate
        .split("\nSTEPS=(\n")
        .nth(1)
        .unwrap()
        .split("\n)")
        .next()
        .unwrap();
    let pos = |step: &str| {
        order
            .lines()
            .position(|l| l.trim() == step)
            .unwrap_or_else(|| panic!("{step} not in STEPS:\n{order}"))
    };
    let linger = pos("step_linger_app");
    assert!(linger < pos("step_subids_app"), "{order}");
    assert!(linger < pos("step_podman_migrate_app"), "{order}");
    // Image steps are named per image (`step_image_pull_gitea_gitea_1_22_3`): every one of
    // them runs Podman as the user.
    let images: Vec<usize> = order
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with("step_image_"))
        .map(|(i, _)| i)
        .collect();
    assert!(!images.is_empty(), "{order}");
    assert!(images.iter().all(|&i| linger < i), "{order}");
}

/// Issue 14: `scan --plan` evaluates the migrated configuration. Accepting an offered
/// hardening item in the plan moves its finding from "left" to "removed by hardening" and
/// lowers the score; REPORT.md says the same.
#[test]
fn scan_plan_shows_the_risk_before_and_after_hardening() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let scan = |plan: &Path| -> serde_json::Value {
        let out = ok(&["--demo", "scan", "--plan", p(plan), "--format", "json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let rules = |c: &serde_json::Value, list: &str| -> Vec<String> {
        c[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let before = scan(&plan);
    assert_eq!(before["schema"], "unroot.scan-plan/v1");
    let first = &before["containers"][0];
    let name = first["container_name"].as_str().unwrap().to_string();
    assert!(
        rules(first, "left").contains(&"writable-rootfs".to_string()),
        "{first}"
    );
    assert!(first["score_after"].as_u64() < first["score_before"].as_u64());

    // Accept read_only_root for the first container.
    let text = fs::read_to_string(&plan).unwrap();
    let edited = text.replacen(
        "      read_only_root: false",
        "      read_only_root: true",
        1,
    );
    assert_ne!(edited, text);
    fs::write(&plan, &edited).unwrap();
    let after = scan(&plan);
    let same = &after["containers"][0];
    assert_eq!(same["container_name"], name.as_str());
    assert!(rules(same, "removed_by_hardening").contains(&"writable-rootfs".to_string()));
    assert!(!rules(same, "left").contains(&"writable-rootfs".to_string()));
    let severity = first["left"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "writable-rootfs")
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .unwrap();
    let points = match severity.as_str() {
        "low" => 1,
        "medium" => 4,
        "high" => 10,
        other => panic!("writable-rootfs at {other}"),
    };
    assert_eq!(
        same["score_after"].as_u64().unwrap() + points,
        first["score_after"].as_u64().unwrap(),
        "the finding's points less"
    );

    let table = ok(&["--demo", "scan", "--plan", p(&plan)]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("removed by hardening:") && table.contains(&name),
        "{table}"
    );

    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let report = fs::read_to_string(out.join("REPORT.md")).unwrap();
    let section = report.split(&format!("\n## {name}\n")).nth(1).unwrap();
    let risk = section.split("### Risk before and after").nth(1).unwrap();
    assert!(
        risk.contains(&format!(
            "after the move and the plan's hardening **{}**",
            same["score_after"]
        )),
        "{risk}"
    );
    assert!(
        risk.contains("- Hardening on: ") && risk.contains("`read_only_root`"),
        "{risk}"
    );

    let r = run(&["--demo", "scan", "--plan", p(&plan), "--format", "sarif"]);
    assert_one_line_error(&r, 2, &["--format must be table or json"]);
}
