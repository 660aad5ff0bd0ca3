//! `unroot scan` from the outside, on the embedded demo host (no Docker needed): the JSON
//! contract, SARIF structure, Markdown, exit codes, bad flag values and the empty filter.

mod common;

use std::collections::BTreeSet;
use std::process::Output;

use serde_json::Value;

use common::stderr;

fn scan(args: &[&str]) -> Output {
    common::unroot()
        .arg("--demo")
        .arg("scan")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run unroot")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn json(args: &[&str]) -> Value {
    let o = scan(&[&["--format", "json"], args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("scan JSON parses")
}

#[test]
fn json_contract() {
    let doc = json(&[]);
    assert_eq!(doc["schema"], "unroot.scan/v1");
    assert!(doc["host"].is_object());
    let containers = doc["containers"].as_array().unwrap();
    assert!(
        containers.len() >= 10,
        "the demo host has a dozen containers"
    );
    let mut saw_null_cis = false;
    for c in containers {
        for key in ["id", "name", "image", "state"] {
            assert!(c[key].is_string(), "container {key}: {c}");
        }
        assert!(c["score"].is_u64());
        let mut score = 0;
        for f in c["findings"].as_array().unwrap() {
            for key in ["rule", "severity", "migration", "title", "explanation"] {
                assert!(
                    f[key].is_string() && !f[key].as_str().unwrap().is_empty(),
                    "{key}: {f}"
                );
            }
            assert!(
                f["remediation"]["docker"].is_string() && f["remediation"]["podman"].is_string()
            );
            assert!(f["cis"].is_string() || f["cis"].is_null());
            saw_null_cis |= f["cis"].is_null();
            assert!(
                ["critical", "high", "medium", "low", "info"]
                    .contains(&f["severity"].as_str().unwrap())
            );
            assert!(["blocker", "change", "ok"].contains(&f["migration"].as_str().unwrap()));
            score += match f["severity"].as_str().unwrap() {
                "critical" => 25,
                "high" => 10,
                "medium" => 4,
                "low" => 1,
                _ => 0,
            };
        }
        assert_eq!(
            c["score"].as_u64().unwrap(),
            score,
            "score is the sum of weights: {}",
            c["name"]
        );
    }
    assert!(saw_null_cis, "escape and rootless findings have cis: null");
    // The demo's privileged container is a critical blocker.
    let ha = containers
        .iter()
        .find(|c| c["name"] == "homeassistant")
        .unwrap();
    let privileged = ha["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged")
        .unwrap();
    assert_eq!(privileged["severity"], "critical");
    assert_eq!(privileged["migration"], "blocker");
    assert_eq!(privileged["cis"], "5.5");
    assert_eq!(ha["migration"], "blocker");
}

#[test]
fn secret_values_never_reach_any_output() {
    let snapshot: Value =
        serde_json::from_str(include_str!("../assets/demo-snapshot.json")).unwrap();
    let mut values = Vec::new();
    for c in snapshot["containers"].as_array().unwrap() {
        for e in c["env"].as_array().unwrap() {
            let name = e["name"].as_str().unwrap();
            if ["PASS", "TOKEN", "SECRET"].iter().any(|w| name.contains(w)) {
                values.push(e["value"].as_str().unwrap().to_string());
            }
        }
    }
    assert!(
        values.len() >= 3,
        "the demo carries secret-looking variables"
    );
    for format in ["table", "json", "sarif", "markdown"] {
        let o = scan(&["--format", format]);
        assert!(o.status.success());
        // Markdown escapes `_`; the name must still be there for a reader.
        let out = (stdout(&o) + &stderr(&o)).replace('\\', "");
        assert!(
            out.contains("POSTGRES_PASSWORD"),
            "{format}: the name is reported"
        );
        for v in &values {
            assert!(!out.contains(v.as_str()), "{format} leaks a value");
        }
    }
}

#[test]
fn sarif_structure() {
    let o = scan(&["--format", "sarif"]);
    assert!(o.status.success());
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "unroot");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "unique rule ids"
    );
    for r in rules {
        assert!(
            r["shortDescription"]["text"].is_string() && r["fullDescription"]["text"].is_string()
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let doc = json(&[]);
    let findings: usize = doc["host"]["findings"].as_array().unwrap().len()
        + doc["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["findings"].as_array().unwrap().len())
            .sum::<usize>();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings, "one result per finding");
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["logicalLocations"][0];
        assert!(
            loc["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("host/")
        );
    }
    let privileged = results
        .iter()
        .find(|r| r["ruleId"] == "privileged")
        .unwrap();
    assert_eq!(privileged["level"], "error");
    assert_eq!(
        privileged["locations"][0]["logicalLocations"][0]["name"],
        "homeassistant"
    );
}

#[test]
fn markdown_for_reviews() {
    let o = scan(&["--format", "markdown"]);
    assert!(o.status.success());
    let md = stdout(&o);
    assert!(md.starts_with("# unroot scan"));
    assert!(md.contains("### homeassistant"));
    assert!(md.contains("| critical | blocker | 5.5 | `privileged` | Privileged container |"));
    assert!(md.contains("Rootless Podman:"));
}

#[test]
fn table_is_the_default_and_plain_when_piped() {
    let o = common::unroot().args(["--demo", "scan"]).output().unwrap();
    assert!(o.status.success());
    let table = stdout(&o);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("CONTAINER") && l.contains("SEVERITY"))
    );
    assert!(table.contains("homeassistant") && table.contains("privileged"));
    assert!(
        !table.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn fail_on_thresholds() {
    let o = scan(&["--format", "json", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(1), "the demo has critical findings");
    assert!(
        stderr(&o).contains("at or above critical"),
        "{}",
        stderr(&o)
    );
    serde_json::from_slice::<Value>(&o.stdout).expect("the report is still written");
    // vaultwarden has only info findings; the demo host's Debian kernel (6.1.0-26-amd64)
    // has one medium "check your distribution's advisory" finding, and host findings count.
    let o = scan(&["--filter", "vaultwarden", "--fail-on", "high"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = scan(&["--filter", "vaultwarden", "--fail-on", "medium"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = scan(&[
        "--filter",
        "vaultwarden",
        "--fail-on",
        "low",
        "--filter",
        "restart-needs-lingering",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn filter_by_rule_id_narrows_findings() {
    let doc = json(&["--filter", "docker-socket-mount"]);
    let names: BTreeSet<&str> = doc["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("traefik") && names.contains("watchtower") && !names.contains("grafana"),
        "{names:?}"
    );
    for c in doc["containers"].as_array().unwrap() {
        assert!(
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["rule"] == "docker-socket-mount")
        );
    }
}

#[test]
fn filter_matching_nothing_says_so_and_exits_0() {
    for format in ["table", "json"] {
        let o = scan(&[
            "--format",
            format,
            "--filter",
            "no-such-container-anywhere",
            "--fail-on",
            "low",
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}");
        assert!(
            stderr(&o).contains("no container matches --filter no-such-container-anywhere"),
            "{}",
            stderr(&o)
        );
    }
    let doc: Value =
        serde_json::from_slice(&scan(&["--format", "json", "--filter", "zzz-none"]).stdout)
            .unwrap();
    assert_eq!(doc["containers"].as_array().unwrap().len(), 0);
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        &["--format", "xml"][..],
        &["--fail-on", "severe"][..],
        &["--fail-on"][..],
        &["--format", ""][..],
    ] {
        let o = scan(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let err = stderr(&scan(&["--format", "xml"]));
    assert!(
        err.contains("xml") && err.contains("table") && err.contains("sarif"),
        "{err}"
    );
}

#[test]
fn help_documents_exit_codes() {
    let o = common::unroot().args(["scan", "--help"]).output().unwrap();
    let help = stdout(&o);
    assert!(
        help.contains("Exit codes") && help.contains("--fail-on"),
        "{help}"
    );
}

/// On a real terminal (a pty from util-linux `script`) the table is coloured, unless
/// NO_COLOR is set.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    let bin = env!("CARGO_BIN_EXE_unroot");
    let run = |no_color: bool| {
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qec",
            &format!("{bin} --demo scan --filter vaultwarden"),
            "/dev/null",
        ]);
        cmd.env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        cmd.output()
    };
    let Ok(coloured) = run(false) else {
        eprintln!("SKIPPED: util-linux `script` not available to provide a terminal");
        return;
    };
    let coloured = String::from_utf8_lossy(&coloured.stdout).into_owned();
    assert!(coloured.contains("vaultwarden"), "{coloured}");
    assert!(
        coloured.contains("\x1b["),
        "colour on a terminal: {coloured:?}"
    );
    let plain = String::from_utf8_lossy(&run(true).unwrap().stdout).into_owned();
    assert!(plain.contains("vaultwarden"));
    assert!(!plain.contains('\x1b'), "NO_COLOR honoured: {plain:?}");
}
