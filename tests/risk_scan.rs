//! `unroot scan --format json` against the real Docker engine and the `risk` fixture fleet
//! (scripts/fixtures.d/risk.sh): every fixture container yields the findings its settings
//! call for, Created containers included, and the hardened one nothing above `low`.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

const PREFIX: &str = "unroot-r-";

/// The fleet, or `None` (skip/fail) when the engine or the fixtures are missing.
fn fleet() -> Option<(Value, BTreeMap<String, Value>)> {
    if !common::docker_available() {
        return None;
    }
    let ids = Command::new("docker")
        .args(["ps", "-aq", "--filter", "label=unroot.fixture=risk"])
        .output()
        .expect("docker ps");
    if String::from_utf8_lossy(&ids.stdout).trim().is_empty() {
        common::skip_or_fail(
            "UNROOT_REQUIRE_DOCKER",
            "the risk fixtures (scripts/fixtures.sh risk)",
        );
        return None;
    }
    let o = common::unroot()
        .args([
            "scan",
            "--format",
            "json",
            "--filter",
            "unroot.fixture=risk",
        ])
        .output()
        .expect("run unroot scan");
    assert!(
        o.status.success(),
        "scan failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: Value = serde_json::from_slice(&o.stdout).expect("scan JSON");
    let by_name = doc["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    Some((doc, by_name))
}

fn finding<'a>(c: &'a Value, rule: &str) -> Option<&'a Value> {
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

fn container<'a>(fleet: &'a BTreeMap<String, Value>, short: &str) -> &'a Value {
    fleet
        .get(&format!("{PREFIX}{short}"))
        .unwrap_or_else(|| panic!("fixture {PREFIX}{short} missing from the scan"))
}

/// (container, rule, severity, migration): `None` means "any".
const EXPECTED: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    (
        "privileged",
        "privileged",
        Some("critical"),
        Some("blocker"),
    ),
    ("privileged", "seccomp-unconfined", Some("high"), None),
    (
        "docker-sock",
        "docker-socket-mount",
        Some("critical"),
        Some("change"),
    ),
    (
        "run-dir",
        "docker-socket-mount",
        Some("critical"),
        Some("change"),
    ),
    (
        "containerd-sock",
        "docker-socket-mount",
        Some("critical"),
        None,
    ),
    ("seccomp-mixed", "seccomp-unconfined", Some("high"), None),
    ("root-0-0", "root-user", Some("medium"), None),
    ("root-root", "root-user", Some("medium"), None),
    ("etc-shadow", "sensitive-host-mount", Some("high"), None),
    (
        "var-lib-docker",
        "sensitive-host-mount",
        Some("critical"),
        None,
    ),
    ("host-root", "host-root-mount", Some("critical"), None),
    ("host-proc", "host-proc-sys-mount", Some("critical"), None),
    ("low-ports", "privileged-port", Some("low"), Some("change")),
    ("low-ports", "all-interfaces-binding", Some("low"), None),
    ("host-net", "host-network", Some("high"), None),
    ("host-net", "host-network-low-port", None, Some("change")),
    (
        "nnp-false",
        "no-new-privileges-missing",
        Some("medium"),
        None,
    ),
    ("namespaces", "host-pid", Some("high"), Some("change")),
    ("namespaces", "host-ipc", Some("medium"), Some("change")),
    ("namespaces", "host-uts", Some("medium"), None),
    ("namespaces", "host-userns", Some("medium"), None),
    ("devices", "host-devices", Some("medium"), Some("change")),
    ("gpus", "host-devices", Some("medium"), Some("change")),
    (
        "shared-prop",
        "shared-propagation",
        Some("medium"),
        Some("blocker"),
    ),
    ("restart-always", "restart-retries", Some("low"), None),
    (
        "restart-always",
        "restart-needs-lingering",
        None,
        Some("change"),
    ),
    (
        "cgroup-parent",
        "cgroup-parent",
        Some("low"),
        Some("change"),
    ),
    ("no-health", "healthcheck-missing", Some("low"), None),
    ("lsm-off", "apparmor-unconfined", Some("medium"), None),
    ("caps", "cap-sys-admin", Some("critical"), None),
    ("caps", "cap-sys-ptrace-host-pid", Some("critical"), None),
    ("caps", "cap-dac-read-search", Some("high"), None),
    ("caps", "cap-sys-module", Some("critical"), None),
    ("caps", "capabilities-added", Some("medium"), None),
    ("caps", "host-only-capability", None, Some("blocker")),
    ("caps", "namespaced-capability", None, Some("change")),
    ("systempaths", "systempaths-unconfined", Some("high"), None),
    ("leaky-workdir", "workdir-proc-fd", Some("critical"), None),
    ("secrets", "secret-env", Some("medium"), None),
    ("latest", "image-latest", Some("low"), None),
    ("high-uid", "high-uid", None, Some("change")),
    ("ulimit", "ulimit-above-hard-limit", None, Some("change")),
    (
        "monitor-agent",
        "host-monitoring-agent",
        Some("info"),
        Some("blocker"),
    ),
    ("monitor-agent", "host-pid", Some("high"), Some("change")),
    (
        "sysctl-hostnet",
        "unnamespaced-sysctl",
        None,
        Some("blocker"),
    ),
    ("bind-data", "bind-mount-ownership", None, Some("change")),
    ("volume", "named-volume-data", None, Some("change")),
];

#[test]
fn fixture_findings_match_their_settings() {
    let Some((_, fleet)) = fleet() else { return };
    let mut failures = Vec::new();
    for (name, rule, severity, migration) in EXPECTED {
        let c = container(&fleet, name);
        match finding(c, rule) {
            None => failures.push(format!("{name}: {rule} missing")),
            Some(f) => {
                if let Some(s) = severity
                    && f["severity"] != *s
                {
                    failures.push(format!("{name}: {rule} severity {} != {s}", f["severity"]));
                }
                if let Some(m) = migration
                    && f["migration"] != *m
                {
                    failures.push(format!(
                        "{name}: {rule} migration {} != {m}",
                        f["migration"]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The negative side on real containers: settings that must NOT fire.
#[test]
fn fixture_findings_that_must_not_fire() {
    let Some((_, fleet)) = fleet() else { return };
    let absent: &[(&str, &str)] = &[
        ("seccomp-mixed", "no-new-privileges-missing"), // set alongside seccomp=unconfined
        ("high-uid", "root-user"),
        ("docker-sock", "sensitive-host-mount"), // its own rule, not a duplicate
        ("caps", "privileged"),
        ("devices", "privileged"),
        ("restart-always", "privileged-port"),
        ("volume", "bind-mount-ownership"),
        ("bind-data", "named-volume-data"),
        ("latest", "workdir-proc-fd"),
        ("privileged", "cap-sys-admin"), // reported once, as privileged
        // --pid host and SYS_PTRACE, but none of the host's /, /proc or /sys mounted.
        ("caps", "host-monitoring-agent"),
        ("host-root", "host-monitoring-agent"), // the host's / alone, no host processes
    ];
    for (name, rule) in absent {
        assert!(
            finding(container(&fleet, name), rule).is_none(),
            "{name}: {rule} fired"
        );
    }
}

/// Issue 16 item 13: a node-exporter-style agent is a blocker as a whole, not a change.
#[test]
fn host_monitoring_agent_verdict_is_blocker() {
    let Some((_, fleet)) = fleet() else { return };
    let agent = container(&fleet, "monitor-agent");
    assert_eq!(agent["migration"], "blocker", "{agent}");
    let f = finding(agent, "host-monitoring-agent").unwrap();
    assert!(
        f["remediation"]["podman"]
            .as_str()
            .unwrap()
            .contains("rootful Podman"),
        "{f}"
    );
    assert!(
        f["detail"].as_str().unwrap().contains("host / at /host"),
        "{f}"
    );
}

#[test]
fn hardened_container_has_nothing_above_low() {
    let Some((_, fleet)) = fleet() else { return };
    let c = container(&fleet, "hardened");
    assert_eq!(c["state"], "running");
    for f in c["findings"].as_array().unwrap() {
        assert!(
            ["low", "info"].contains(&f["severity"].as_str().unwrap()),
            "hardened: {f}"
        );
    }
    for rule in [
        "root-user",
        "writable-rootfs",
        "memory-unlimited",
        "pids-unlimited",
        "healthcheck-missing",
        "no-new-privileges-missing",
        "net-raw-not-dropped",
        "privileged-port",
        "all-interfaces-binding",
    ] {
        assert!(finding(c, rule).is_none(), "hardened: {rule} fired");
    }
}

#[test]
fn created_containers_are_scanned_and_states_match_docker() {
    let Some((_, fleet)) = fleet() else { return };
    for short in ["privileged", "host-root", "leaky-workdir", "hardened"] {
        let c = container(&fleet, short);
        let o = Command::new("docker")
            .args([
                "inspect",
                "--format",
                "{{.Id}} {{.State.Status}}",
                &format!("{PREFIX}{short}"),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(o.stdout).unwrap();
        let (id, state) = text.trim().split_once(' ').unwrap();
        assert_eq!(c["id"], id);
        assert_eq!(c["state"], state);
    }
    assert_eq!(container(&fleet, "privileged")["state"], "created");
}

#[test]
fn secret_values_stay_out_of_every_format() {
    let Some(_) = fleet() else { return };
    for format in ["json", "sarif", "markdown", "table"] {
        let o = common::unroot()
            .args(["scan", "--format", format, "--filter", "unroot-r-secrets"])
            .output()
            .unwrap();
        let out =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{format}: {out}");
        assert!(
            !out.contains("unroot-fixture-secret"),
            "{format} leaks an env value"
        );
        assert!(
            out.replace('\\', "").contains("DB_PASSWORD"),
            "{format} names the variable"
        );
    }
}

#[test]
fn host_findings_come_from_the_engine() {
    let Some((doc, _)) = fleet() else { return };
    let o = Command::new("docker")
        .args(["info", "--format", "{{.CgroupVersion}}"])
        .output()
        .unwrap();
    let cgroup = String::from_utf8(o.stdout).unwrap();
    let host_rules: Vec<&str> = doc["host"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        host_rules.contains(&"host-cgroup-v1"),
        cgroup.trim() == "1",
        "{host_rules:?}"
    );
    assert_eq!(
        doc["host"]["cgroup_version"]
            .as_u64()
            .map(|v| v.to_string())
            .as_deref(),
        Some(cgroup.trim())
    );
}

#[test]
fn odd_labels_filter_and_table_stay_clean() {
    let Some(_) = fleet() else { return };
    let o = common::unroot()
        .args(["scan", "--filter", "名前"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("unroot-r-odd-labels"),
        "a wide-character label value matches"
    );
    assert!(
        !table.contains('\x1b'),
        "no escape sequences reach the terminal"
    );
    let o = common::unroot()
        .args([
            "scan",
            "--format",
            "markdown",
            "--filter",
            "unroot.fixture=risk",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(!String::from_utf8(o.stdout).unwrap().contains('\x1b'));
}

#[test]
fn fail_on_against_the_engine() {
    let Some(_) = fleet() else { return };
    let hardened_cpu: &[&str] = &["unroot-r-hardened", "cpu-unlimited"];
    for (filters, fail_on, code) in [
        (&["unroot-r-privileged"][..], "critical", 1),
        // Host findings count too; rule filters narrow them away.
        (hardened_cpu, "medium", 0),
        (hardened_cpu, "low", 1),
    ] {
        let mut cmd = common::unroot();
        cmd.args(["scan", "--format", "json"]);
        for f in filters {
            cmd.args(["--filter", f]);
        }
        let status = cmd.args(["--fail-on", fail_on]).output().unwrap().status;
        assert_eq!(status.code(), Some(code), "{filters:?} --fail-on {fail_on}");
    }
}

/// Issue 11: a Docker setting with no counterpart in the unit is reported, never dropped.
/// `unroot-r-legacy` uses --link, --volumes-from, -P, --oom-score-adj and --cpuset-mems.
#[test]
fn untranslated_settings_become_notes_in_the_report() {
    if fleet().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inspect = Command::new("docker")
        .args(["inspect", &format!("{PREFIX}legacy")])
        .output()
        .expect("docker inspect");
    assert!(inspect.status.success(), "{inspect:?}");
    let snapshot = dir.path().join("inspect.json");
    std::fs::write(&snapshot, &inspect.stdout).unwrap();
    let out = dir.path().join("bundle");
    let o = common::unroot()
        .arg("--snapshot")
        .arg(&snapshot)
        .args(["generate", "--out"])
        .arg(&out)
        .output()
        .expect("run unroot generate");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    for expected in [
        "not translated: `HostConfig.VolumesFrom`: unroot-r-volume: ",
        "not translated: `HostConfig.Links`: unroot-r-volume as db: ",
        "not translated: `HostConfig.PublishAllPorts`: true: ",
        "info: `HostConfig.OomScoreAdj`: 200: ",
        "info: `HostConfig.CpusetMems`: 0: ",
    ] {
        assert!(
            report.contains(expected),
            "{expected} missing from REPORT.md"
        );
    }
}
