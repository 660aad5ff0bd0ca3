//! Plans that survive the tools operators use (issue 11 defect 4): a plan loaded and
//! dumped by PyYAML, a YAML 1.1 parser like Ansible's, is accepted and regenerates the
//! same file set byte for byte, hostile container names included; informational fields a
//! tool rewrote (`docker_restart: no` read as `false`) never make a plan invalid.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{ok, p};

/// Every file under `dir` (relative path -> bytes), the plan copy and the manifest
/// (which fingerprints the plan copy) aside: those hold the reviewed text itself.
fn file_set(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out.remove("plan.yaml").expect("a plan copy");
    let manifest = out.remove(".unroot-manifest").expect("a manifest");
    let without_plan: Vec<String> = String::from_utf8(manifest)
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with("  plan.yaml"))
        .map(str::to_string)
        .collect();
    out.insert(
        ".unroot-manifest".into(),
        without_plan.join("\n").into_bytes(),
    );
    out
}

/// `yaml.safe_load` then `yaml.safe_dump`, as a Python tool that edits the plan would.
fn through_pyyaml(from: &Path, to: &Path) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, yaml\n\
             doc = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
             open(sys.argv[2], 'w', encoding='utf-8').write(yaml.safe_dump(doc))",
            p(from),
            p(to),
        ])
        .output()
        .expect("python3 runs (scripts/setup-host.sh installs it with python3-yaml)");
    assert!(
        out.status.success(),
        "PyYAML (python3-yaml, installed by scripts/setup-host.sh) must load and dump the plan: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Plan, generate, pass the plan through PyYAML, generate again: same files.
fn round_trip(source: &[&str], tmp: &Path) -> String {
    let plan = tmp.join("a/plan.yaml");
    let dumped = tmp.join("b/plan.yaml");
    fs::create_dir_all(plan.parent().unwrap()).unwrap();
    fs::create_dir_all(dumped.parent().unwrap()).unwrap();
    let with = |rest: &[&str]| -> Vec<String> {
        source
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let args = with(&["plan", "--user", "app", "-o", p(&plan)]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    through_pyyaml(&plan, &dumped);
    let (out_a, out_b) = (tmp.join("out-a"), tmp.join("out-b"));
    for (plan, out) in [(&plan, &out_a), (&dumped, &out_b)] {
        let args = with(&["generate", "--plan", p(plan), "--out", p(out)]);
        ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let (a, b) = (file_set(&out_a), file_set(&out_b));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (path, bytes) in &a {
        assert!(
            b[path] == *bytes,
            "{path} differs after the PyYAML round trip"
        );
    }
    fs::read_to_string(&plan).unwrap()
}

#[test]
fn a_plan_dumped_by_pyyaml_regenerates_the_same_file_set() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = round_trip(&["--demo"], tmp.path());
    // What PyYAML would otherwise read as a boolean or a date is quoted.
    assert!(plan.contains("docker_restart: 'no'"), "{plan}");
    assert!(plan.contains("captured_at: '2026-"), "{plan}");
}

#[test]
fn hostile_names_survive_plan_generate_and_pyyaml() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = tmp.path().join("demo.json");
    ok(&["--demo", "snapshot", "-o", p(&snapshot)]);
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&snapshot).unwrap()).unwrap();
    let names = [
        "no",
        "web\ntouch /tmp/pwned #",
        "0777",
        "2026-01-01",
        "~",
        " lead",
        "a: b #c",
        "esc\u{1b}]0;title\u{7}",
        "Yes",
        "1e5",
        "rtl\u{202e}evil",
        "sep\u{2028}x",
    ];
    for (container, name) in doc["containers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(names)
    {
        container["name"] = name.into();
    }
    fs::write(&snapshot, serde_json::to_string(&doc).unwrap()).unwrap();
    let plan = round_trip(&["--snapshot", p(&snapshot)], tmp.path());
    assert!(
        plan.contains("- name: \"web\\ntouch /tmp/pwned #\"\n"),
        "{plan}"
    );
    assert!(plan.contains("- name: 'no'\n") && plan.contains("- name: '0777'\n"));
    // Comments go through the one sanitiser: no raw control or separator character.
    for line in plan.lines().filter(|l| l.starts_with('#')) {
        assert!(
            !line.chars().any(unroot::render::text::needs_escape),
            "{line:?}"
        );
    }
    assert!(plan.contains("# ---- web\\ntouch /tmp/pwned # ("), "{plan}");
}

#[test]
fn informational_fields_rewritten_by_a_tool_do_not_invalidate_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let out = tmp.path().join("out");
    ok(&["--demo", "generate", "--plan", p(&plan), "--out", p(&out)]);
    let good = file_set(&out);
    // What an old unquoted plan looks like after PyYAML, and other reviewer-only fields
    // in shapes the schema does not have: all recomputed, none refused.
    let text = fs::read_to_string(&plan)
        .unwrap()
        .replace("docker_restart: 'no'", "docker_restart: false")
        .replace("verdict: change", "verdict: 3")
        .replace(
            "captured_at: '2026-11-28T10:00:00Z'",
            "captured_at: 2026-11-28 10:00:00",
        )
        .replace("  state: running", "  state: [running]");
    assert!(text.contains("docker_restart: false") && text.contains("verdict: 3"));
    let edited = tmp.path().join("edited/plan.yaml");
    fs::create_dir_all(edited.parent().unwrap()).unwrap();
    fs::write(&edited, text).unwrap();
    let out2 = tmp.path().join("out2");
    ok(&[
        "--demo",
        "generate",
        "--plan",
        p(&edited),
        "--out",
        p(&out2),
    ]);
    let regenerated = file_set(&out2);
    for (path, bytes) in &good {
        if path == "REPORT.md" || path == ".unroot-manifest" {
            continue; // the report shows the plan's captured_at, which the edit changed
        }
        assert!(regenerated[path] == *bytes, "{path} differs");
    }
}

#[test]
fn plan_errors_print_file_line_column_and_field_path() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    ok(&["--demo", "plan", "--user", "app", "-o", p(&plan)]);
    let text =
        fs::read_to_string(&plan)
            .unwrap()
            .replacen("    volumes: copy", "    volumes: copyy", 1);
    fs::write(&plan, &text).unwrap();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("copyy").map(|c| (i + 1, c + 1)))
        .unwrap();
    let out_dir = tmp.path().join("out");
    let out = common::run(&[
        "--demo",
        "generate",
        "--plan",
        p(&plan),
        "--out",
        p(&out_dir),
    ]);
    common::assert_one_line_error(
        &out,
        2,
        &[&format!(
            "unroot: error: {}:{line}:{column}: containers[0].decision.volumes: unknown variant `copyy`",
            p(&plan)
        )],
    );
    assert!(!out_dir.exists());

    // A deeply nested file is refused in one line, fast, before the YAML parser sees it.
    let deep = tmp.path().join("deep.yaml");
    fs::write(
        &deep,
        format!("schema: unroot.plan/v1\nx: {}\n", "[".repeat(120_000)),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = common::run(&[
        "--demo",
        "generate",
        "--plan",
        p(&deep),
        "--out",
        p(&out_dir),
    ]);
    common::assert_one_line_error(
        &out,
        2,
        &[&format!("{}:2:", p(&deep)), "nested deeper than 32"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
