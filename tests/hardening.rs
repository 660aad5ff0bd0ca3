//! Issue 16: secrets never reach the log or an error message, every failure is one clean
//! line with its documented exit code, and a closed pipe is not a crash. The binary end to
//! end; the log test runs against the real Docker engine.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use common::{assert_one_line_error, p, stderr};

/// The binary, never pointed at an engine by the caller's `DOCKER_HOST`.
fn unroot() -> Command {
    let mut cmd = common::unroot();
    cmd.env_remove("DOCKER_HOST").env_remove("UNROOT_LOG");
    cmd
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI")
}

/// A value no one else could have written, so finding it means this run leaked it.
fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("h16-{tag}-{}-{nanos}", std::process::id())
}

/// A container with secrets in its environment, removed when dropped.
struct SecretContainer {
    name: String,
}

impl Drop for SecretContainer {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.name]);
    }
}

// ---- 1. the debug log of a real run holds no secret -------------------------------------------

#[test]
fn debug_log_of_a_real_run_holds_no_secret_value() {
    if !common::docker_available() {
        return;
    }
    let image = "unroot-fixture/busybox:1";
    if !docker(&["image", "inspect", image]).status.success() {
        common::skip_or_fail(
            "UNROOT_REQUIRE_DOCKER",
            "the fixture image (scripts/fixtures.sh)",
        );
        return;
    }
    let name = unique("log-secrets");
    let password = unique("pw");
    let token = unique("tok");
    let url_password = unique("url");
    let ado = unique("ado");
    let env = [
        format!("DB_PASSWORD={password}"),
        format!("GITHUB_TOKEN={token}"),
        format!("DATABASE_URL=postgres://app:{url_password}/x@db/app"),
        format!("CONN=Server=db;User Id=app;Password={ado};"),
    ];
    let mut args = vec!["create".to_owned(), "--name".into(), name.clone()];
    for e in &env {
        args.extend(["-e".to_owned(), e.clone()]);
    }
    args.extend([image.to_owned(), "true".into()]);
    let out = Command::new("docker").args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let _guard = SecretContainer { name: name.clone() };

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("state/unroot/unroot.log");
    let plan = dir.path().join("plan.yaml");
    let outdir = dir.path().join("out");
    let runs: [&[&str]; 4] = [
        &["scan"],
        &["scan", "--format", "json"],
        &["plan", "--user", "app", "--only", &name, "-o", p(&plan)],
        &["generate", "--plan", p(&plan), "--out", p(&outdir)],
    ];
    for (run, level) in runs.iter().zip([
        "debug",
        "trace",
        "debug",
        "trace,bollard=trace,hyper=trace,hyper_util=trace,h2=trace",
    ]) {
        let out = unroot()
            .args(*run)
            .args([
                "--docker-host",
                "unix:///var/run/docker.sock",
                "--log-file",
                p(&log),
            ])
            .env("UNROOT_LOG", level)
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "unroot {run:?}: {}",
            stderr(&out)
        );
    }

    let text = std::fs::read_to_string(&log).unwrap();
    // The run did log at debug, and saw the container (by name, never by value).
    assert!(
        text.contains(&format!("container {name} ")) && text.contains("DB_PASSWORD"),
        "{text}"
    );
    let mut secrets = vec![password, token, url_password, ado];
    secrets.extend(every_secret_value_on_the_engine());
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "secret {secret:?} in the log"
        );
    }
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(log.parent().unwrap()), 0o700);
}

/// Every environment value on the engine that unroot's classifier calls secret (the
/// fixtures' `DB_PASSWORD=unroot-fixture-secret-1` and the like).
fn every_secret_value_on_the_engine() -> Vec<String> {
    let ids = String::from_utf8(docker(&["ps", "-aq"]).stdout).unwrap();
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let out = docker(&[&["inspect", "--format", "{{json .Config.Env}}"], &ids[..]].concat());
    let mut values = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let env: Vec<String> = serde_json::from_str(line).unwrap_or_default();
        for pair in env {
            if let Some((k, v)) = pair.split_once('=')
                && v.len() >= 6
                && unroot::model::secret::is_secret(k, v)
            {
                values.push(v.to_owned());
            }
        }
    }
    values
}

// ---- 4, 6. usage errors are one line, exit 2 --------------------------------------------------

/// One line `unroot: error: ...` then the `--help` hint, exit 2, nothing on stdout.
fn assert_usage_error(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("unroot: error: "), "{err}");
    assert_eq!(lines[1], "For more information, try '--help'.");
    for n in needles {
        assert!(lines[0].contains(n), "missing {n:?} in {err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn clap_usage_errors_are_one_line_and_exit_2() {
    let cases: [(&[&str], &[&str]); 5] = [
        (&["--bogus"], &["unexpected argument '--bogus'"]),
        (
            &["scan", "--formt", "json"],
            &["'--formt'", "tip: a similar argument exists: '--format'"],
        ),
        (
            &["scan", "--format", "xml"],
            &["'xml'", "possible values: table, json, sarif, markdown"],
        ),
        (
            &["plan", "--demo"],
            &["required arguments were not provided: --output <FILE>"],
        ),
        (&["scna"], &["unrecognized subcommand 'scna'"]),
    ];
    for (args, needles) in cases {
        let out = unroot().args(args).output().unwrap();
        assert_usage_error(&out, needles);
    }
    // A hostile value in a usage error is shown escaped, never raw.
    let out = unroot()
        .args(["scan", "--fail-on", "hi\u{2028}gh\r\u{1b}]0;t\u{7}"])
        .output()
        .unwrap();
    assert_usage_error(&out, &["\\u{2028}", "\\r"]);
    assert!(!stderr(&out).contains('\u{1b}'));
}

#[test]
fn help_and_version_still_go_to_stdout_with_exit_0() {
    for args in [&["--help"][..], &["--version"], &["scan", "--help"]] {
        let out = unroot().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty() && out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn malformed_docker_endpoint_is_a_usage_error() {
    for host in [
        "tcp://127.0.0.1:99999",
        "tcp://127.0.0.1:port",
        "tcp://:2375",
    ] {
        let out = unroot()
            .args(["scan", "--docker-host", host])
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, &[host, "(from --docker-host)"]);
        let out = unroot()
            .arg("scan")
            .env("DOCKER_HOST", host)
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, &[host, "(from DOCKER_HOST)"]);
    }
}

// ---- 7. a closed standard output ends the run quietly -----------------------------------------

/// Run with stdout a pipe whose reader is already gone (`unroot ... | true`).
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    unroot()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn closed_stdout_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let plan = dir.path().join("plan.yaml");
    let runs: [&[&str]; 6] = [
        &["generate", "--demo", "--out", p(&out_dir)],
        &["plan", "--demo", "-o", "-"],
        &["plan", "--demo", "-o", p(&plan)],
        &["snapshot", "--demo", "-o", "-"],
        &["scan", "--demo", "--format", "json"],
        &["--demo"],
    ];
    for args in runs {
        let out = with_closed_stdout(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("error"),
            "{args:?}: {err}"
        );
    }
    // The work before the closed pipe was done: the files are there.
    assert!(out_dir.join("migrate.sh").is_file());
    assert!(plan.is_file());
}

// ---- 2, 5. error messages name the field, never its value; escapes stay visible --------------

const LEAKED: &str = "hunter2-h16-value";

/// Exit 2, one line, naming `needles`, without the value, in stderr and in the log.
fn assert_no_value_in_error(file_name: &str, content: &str, plan: bool, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(file_name);
    std::fs::write(&file, content).unwrap();
    let log = dir.path().join("unroot.log");
    let mut cmd = unroot();
    if plan {
        cmd.args(["generate", "--demo", "--plan", p(&file), "--out"])
            .arg(dir.path().join("out"));
    } else {
        cmd.args(["scan", "--snapshot", p(&file)]);
    }
    let out = cmd
        .args(["--log-file", p(&log)])
        .env("UNROOT_LOG", "debug")
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, needles);
    assert!(!stderr(&out).contains(LEAKED), "{}", stderr(&out));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("ERROR"), "the error is logged: {logged}");
    assert!(!logged.contains(LEAKED), "{logged}");
}

#[test]
fn type_errors_name_the_field_never_the_value() {
    let own = format!(
        r#"{{"schema":"unroot.snapshot/v1","source":"x","host":{{}},
"containers":[{{"name":"a","env":"DB_PASSWORD={LEAKED}"}}]}}"#
    );
    assert_no_value_in_error(
        "own.json",
        &own,
        false,
        &[
            "containers[0].env: invalid type: a string, expected a sequence",
            "line 2",
        ],
    );
    let raw =
        format!(r#"[{{"Id":"abc","Config":{{"Env":"DB_PASSWORD={LEAKED}"}},"HostConfig":{{}}}}]"#);
    assert_no_value_in_error(
        "inspect.json",
        &raw,
        false,
        &["[0].Config.Env: invalid type: a string, expected a sequence"],
    );
    let plan = format!(
        "schema: unroot.plan/v1\ntarget:\n  user: podman\n  podman_version: '5.4'\n  subid_ranges: \"DB_PASSWORD={LEAKED}\"\ncontainers: []\n"
    );
    assert_no_value_in_error(
        "plan.yaml",
        &plan,
        true,
        &["target.subid_ranges: invalid type: a string"],
    );
    let plan = format!("schema: [\"{LEAKED}\"]\ncontainers: []\n");
    assert_no_value_in_error(
        "plan.yaml",
        &plan,
        true,
        &["schema: `a list` is not supported"],
    );
}

/// Every hostile character the issue lists, in the JSON escapes a snapshot can carry.
const HOSTILE_JSON: &str = r"x\u0000\r\u001b]0;pwned\u0007\u2028y";

/// True when `text` holds a character that would break the line or drive the terminal.
fn has_raw_controls(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || c == '\u{2028}')
}

#[test]
fn hostile_values_in_messages_are_escaped_on_the_terminal_and_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("unroot.log");
    let snapshot = dir.path().join("s.json");
    std::fs::write(&snapshot, format!(r#"{{"schema":"{HOSTILE_JSON}"}}"#)).unwrap();
    let out = unroot()
        .args(["scan", "--snapshot", p(&snapshot), "--log-file", p(&log)])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        2,
        &["has schema `x\\u{0}\\r\\u{1b}]0;pwned\\u{7}\\u{2028}y`"],
    );
    assert!(!has_raw_controls(&stderr(&out)), "{:?}", stderr(&out));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("\\u{1b}]0;pwned") && !has_raw_controls(&logged),
        "{logged:?}"
    );

    // A value echoed in a notice on stderr.
    let out = unroot()
        .args([
            "scan",
            "--demo",
            "--filter",
            "no\u{1b}]0;pwned\u{7}\r\u{2028}match",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("no\\u{1b}]0;pwned\\u{7}\\r\\u{2028}match"),
        "{err:?}"
    );
    assert!(!has_raw_controls(&err), "{err:?}");

    // The operator's own output path, echoed in the summary line on stdout.
    let out_dir = dir.path().join("out\u{1b}]0;t\u{7}\rdir");
    let out = unroot()
        .args(["generate", "--demo", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("out\\u{1b}]0;t\\u{7}\\rdir"), "{text:?}");
    assert!(!has_raw_controls(&text), "{text:?}");
}

// ---- 8. the same container twice in raw `docker inspect` input --------------------------------

fn inspect_fixture() -> Vec<serde_json::Value> {
    let path = format!(
        "{}/tests/fixtures/inspect/api-1.47-docker-27.3.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn identical_duplicates_are_kept_once_and_conflicting_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `docker inspect $(docker ps -aq) $(docker ps -q)`: every entry twice.
    let once = inspect_fixture();
    let twice: Vec<_> = once.iter().chain(once.iter()).cloned().collect();
    let file = dir.path().join("twice.json");
    std::fs::write(&file, serde_json::to_string(&twice).unwrap()).unwrap();

    let out = unroot()
        .args(["scan", "--format", "json", "--snapshot", p(&file)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let scan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(scan["containers"].as_array().unwrap().len(), once.len());

    let plan = dir.path().join("plan.yaml");
    let out = unroot()
        .args(["plan", "--snapshot", p(&file), "-o", p(&plan)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = unroot()
        .args([
            "generate",
            "--snapshot",
            p(&file),
            "--plan",
            p(&plan),
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Same ID, different content (two hosts or two moments mixed): refused in one line.
    let mut changed = once[0].clone();
    changed["State"]["Status"] = "exited".into();
    let mixed = vec![once[0].clone(), once[1].clone(), changed];
    std::fs::write(&file, serde_json::to_string(&mixed).unwrap()).unwrap();
    let out = unroot()
        .args(["scan", "--snapshot", p(&file)])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        2,
        &[
            "entry 3 is container pihole",
            "again with different content (first seen as entry 1)",
        ],
    );
}

// ---- 9. sub-ID ranges outside what shadow-utils and the kernel accept --------------------------

#[test]
fn plan_subid_ranges_beyond_shadow_limits_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    // An empty target root: the allocation must not depend on this machine's /etc/subuid
    // (the e2e stage adds and removes users there).
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    let planned = unroot()
        .env("UNROOT_TARGET_ROOT", &root)
        .args(["plan", "--demo", "--user", "podman", "-o", p(&plan)])
        .output()
        .unwrap();
    assert!(planned.status.success(), "{}", stderr(&planned));
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(
        text.contains("      start: 100000\n      count: 65536\n"),
        "{text}"
    );
    for (start, count, why) in [
        ("1", "65536", "below SUB_UID_MIN 100000"),
        ("4294967295", "65536", "beyond the last 32-bit ID"),
        ("100000", "4294967295", "beyond the last 32-bit ID"),
    ] {
        let edited = text.replace(
            "      start: 100000\n      count: 65536\n",
            &format!("      start: {start}\n      count: {count}\n"),
        );
        std::fs::write(&plan, edited).unwrap();
        let out = unroot()
            .env("UNROOT_TARGET_ROOT", &root)
            .args(["generate", "--demo", "--plan", p(&plan), "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, &["target.subid_ranges.podman", why]);
        assert!(!dir.path().join("out").exists());
    }
}

/// The rest of item 9: on the target (a sandboxed root through UNROOT_TARGET_ROOT here, `/`
/// normally) a plan's range must respect login.defs' SUB_UID_MIN/MAX and stay clear of
/// existing users' UIDs, groups' GIDs and other owners' ranges; the allocator that wrote the
/// plan already does, so unroot's own plan passes and every hand edit that breaks a rule is
/// one line naming the field, with nothing written.
#[test]
fn plan_subid_ranges_must_fit_the_target_host() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    for (file, text) in [
        (
            "login.defs",
            "# the target's bounds\nSUB_UID_MIN 200000\nSUB_UID_MAX 1000000\n",
        ),
        (
            "passwd",
            "root:x:0:0:root:/root:/bin/sh\npodman:x:1000:1000::/home/podman:/bin/sh\n\
             svc:x:500000:500000::/:/bin/false\n",
        ),
        ("group", "root:x:0:\nbig:x:700000:\n"),
        ("subuid", "bob:800000:65536\n"),
    ] {
        std::fs::write(root.join("etc").join(file), text).unwrap();
    }
    let on_target = |args: &[&str]| {
        unroot()
            .args(args)
            .env("UNROOT_TARGET_ROOT", &root)
            .output()
            .unwrap()
    };
    let plan = dir.path().join("plan.yaml");
    let out = on_target(&["plan", "--demo", "--user", "podman", "-o", p(&plan)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&plan).unwrap();
    let chosen = "      start: 200000\n      count: 65536\n";
    assert!(text.contains(chosen), "allocated at SUB_UID_MIN: {text}");
    let out_dir = dir.path().join("out");
    let out = on_target(&[
        "generate",
        "--demo",
        "--plan",
        p(&plan),
        "--out",
        p(&out_dir),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(out_dir.join("subuid")).unwrap(),
        "podman:200000:65536\n"
    );
    for (start, why) in [
        ("100000", "below SUB_UID_MIN 200000"),
        ("990000", "ends above SUB_UID_MAX 1000000"),
        (
            "450000",
            "contains UID 500000 of an existing user (/etc/passwd)",
        ),
        (
            "650000",
            "contains GID 700000 of an existing group (/etc/group)",
        ),
        ("780000", "overlaps /etc/subuid line 1 (bob 800000-865535)"),
    ] {
        std::fs::write(
            &plan,
            text.replace(
                chosen,
                &format!("      start: {start}\n      count: 65536\n"),
            ),
        )
        .unwrap();
        let fresh = dir.path().join(format!("out-{start}"));
        let out = on_target(&["generate", "--demo", "--plan", p(&plan), "--out", p(&fresh)]);
        assert_one_line_error(&out, 2, &["target.subid_ranges.podman", why]);
        assert!(!fresh.exists(), "{start}: something was written");
    }
}
