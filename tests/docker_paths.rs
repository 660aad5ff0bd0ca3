//! The host-path policy on the real engine (fixture group `paths`, scripts/fixtures.d/paths.sh):
//! read-write binds of system directories, of one directory written by two containers as
//! different users, and of an application's own directory. Only the last is handed over by
//! the generated migrate.sh (issue 11, chown of host system directories).

mod common;

use std::process::Command;

const GROUP_FILTER: &str = "label=unroot.fixture=paths";
const APP_DIR: &str = "/srv/unroot-fixture-paths/app";
const SHARED_DIR: &str = "/srv/unroot-fixture-paths/shared";
/// Fixture container -> its read-write bind source that must never be chowned.
const NEVER_CHOWNED: &[(&str, &str)] = &[
    ("unroot-p-spool", "/var/spool"),
    ("unroot-p-www", "/var/www"),
    ("unroot-p-etc-ssl", "/etc/ssl"),
    ("unroot-p-kubelet", "/var/lib/kubelet"),
    ("unroot-p-shared-a", SHARED_DIR),
    ("unroot-p-shared-b", SHARED_DIR),
];

/// Creates the group when it is missing or incomplete (the script is idempotent).
fn fleet() -> bool {
    if !common::docker_available() {
        return false;
    }
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let count = || {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", GROUP_FILTER])
            .output()
            .expect("docker ps");
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    if count() < NEVER_CHOWNED.len() + 1 {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fixtures.sh");
        let status = Command::new(script).arg("paths").status().unwrap();
        assert!(status.success(), "scripts/fixtures.sh paths failed");
    }
    assert_eq!(count(), NEVER_CHOWNED.len() + 1, "paths fixture group");
    true
}

/// The `## NAME` section of REPORT.md.
fn section<'r>(report: &'r str, name: &str) -> &'r str {
    let start = report
        .find(&format!("\n## {name}\n"))
        .unwrap_or_else(|| panic!("no section for {name}"));
    let rest = &report[start + 1..];
    &rest[..rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3)]
}

#[test]
fn migrate_sh_hands_over_only_the_application_directory() {
    if !fleet() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.yaml");
    let out = tmp.path().join("out");
    let mut args = vec!["plan", "--user", "alice", "--podman-version", "5.4"];
    for (name, _) in NEVER_CHOWNED {
        args.extend(["--only", name]);
    }
    args.extend(["--only", "unroot-p-app", "-o", common::p(&plan)]);
    common::on_local_engine(&args);
    common::on_local_engine(&[
        "generate",
        "--plan",
        common::p(&plan),
        "--out",
        common::p(&out),
    ]);

    let migrate = std::fs::read_to_string(out.join("migrate.sh")).unwrap();
    let chowns: Vec<&str> = migrate
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("run chown -R"))
        .collect();
    assert_eq!(
        chowns,
        [format!("run chown -R alice: {APP_DIR}")],
        "{migrate}"
    );
    for (name, source) in NEVER_CHOWNED {
        assert!(
            !migrate.contains(&format!("chown -R alice: {source}")),
            "{name}: {source} chowned"
        );
    }
    let rollback = std::fs::read_to_string(out.join("rollback.sh")).unwrap();
    assert!(
        rollback.contains(&format!("restore_owners {APP_DIR} ")),
        "{rollback}"
    );

    // Why each one is left alone, in REPORT.md's blockers; the shared one is a conflict in
    // the plan as well.
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    for (name, source) in NEVER_CHOWNED {
        let s = section(&report, name);
        assert!(
            s.contains(&format!("- bind mount `{source}` is ")),
            "{name}: no blocker for {source}:\n{s}"
        );
    }
    assert!(section(&report, "unroot-p-spool").contains("the host's own services use"));
    assert!(
        section(&report, "unroot-p-kubelet").contains("container runtime or orchestrator state")
    );
    let shared = section(&report, "unroot-p-shared-a");
    assert!(
        shared.contains("also used by other containers (unroot-p-shared-b)")
            && shared.contains(&format!(
                "`bind-owner-conflict`: {SHARED_DIR} (user 1000) is also written by unroot-p-shared-b as user 2000"
            )),
        "{shared}"
    );
    assert!(
        !section(&report, "unroot-p-app").contains("- bind mount `"),
        "the application directory is no blocker"
    );
    let plan_text = std::fs::read_to_string(&plan).unwrap();
    assert_eq!(
        plan_text.matches("rule: bind-owner-conflict").count(),
        2,
        "both writers of the shared directory carry the conflict in the plan"
    );
}
