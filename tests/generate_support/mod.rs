//! Shared by the generate tests: install generated files the way migrate.sh does, run the
//! real quadlet generator in dry-run mode, and read back what systemd would execute.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use unroot::generate::GeneratedFile;
use unroot::generate::exec_line::parse_exec_start;
use unroot::plan::Target;

pub fn target(version: &str) -> Target {
    Target::new("alice", version)
}

/// What `quadlet -dryrun` printed: service name → unit text, plus stderr.
pub struct DryRun {
    pub services: BTreeMap<String, String>,
    pub stderr: String,
    pub dir: tempfile::TempDir,
}

/// Install the files the way migrate.sh does (units in the unit dir, env files in `env/`
/// and seccomp profiles in `seccomp/` next to them) and run the generator on them.
pub fn dry_run(bin: &Path, files: &[GeneratedFile]) -> DryRun {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let dest = if let Some(name) = f.path.strip_prefix("quadlet/") {
            dir.path().join(name)
        } else if f.path.starts_with("env/") || f.path.starts_with("seccomp/") {
            dir.path().join(&f.path)
        } else {
            continue;
        };
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, &f.content).unwrap();
    }
    let out = Command::new(bin)
        .args(["-dryrun", "-user", "-no-kmsg-log"])
        .env("QUADLET_UNIT_DIRS", dir.path())
        .output()
        .unwrap();
    // Exit status is not a verdict (it is 0 for some rejected units): stderr is checked.
    let mut services = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(name) = line.strip_prefix("---").and_then(|l| l.strip_suffix("---")) {
            if let Some((n, body)) = current.take() {
                services.insert(n, body);
            }
            current = Some((name.to_owned(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some((n, body)) = current {
        services.insert(n, body);
    }
    DryRun {
        services,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    }
}

/// The service quadlet makes from a unit file name.
pub fn service_of(file: &str) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap();
    match ext {
        "container" => format!("{stem}.service"),
        other => format!("{stem}-{other}.service"),
    }
}

/// Fail on any `converting` error and on any unit without its service.
pub fn assert_all_converted(run: &DryRun, files: &[GeneratedFile]) {
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("converting") || l.contains("Warning") || l.contains("rror"))
        .collect();
    assert!(
        errors.is_empty(),
        "quadlet rejected or warned about units:\n{}",
        errors.join("\n")
    );
    for f in files.iter().filter(|f| f.path.starts_with("quadlet/")) {
        let service = service_of(f.path.trim_start_matches("quadlet/"));
        assert!(
            run.services.contains_key(&service),
            "{} produced no {service}; stderr:\n{}",
            f.path,
            run.stderr
        );
    }
}

/// The argv systemd would run for the service's `ExecStart=`.
pub fn exec_start(run: &DryRun, service: &str) -> Vec<String> {
    exec_line(run, service, "ExecStart=")
}

/// The argv of the first `KEY=` command line of a service.
pub fn exec_line(run: &DryRun, service: &str, key: &str) -> Vec<String> {
    let body = run
        .services
        .get(service)
        .unwrap_or_else(|| panic!("no {service}"));
    let line = body.lines().find_map(|l| l.strip_prefix(key)).unwrap();
    let known = BTreeMap::from([
        ('t', "/run/user/1000".to_owned()),
        ('h', "/home/alice".to_owned()),
        ('N', service.trim_end_matches(".service").to_owned()),
        ('n', service.to_owned()),
    ]);
    parse_exec_start(line, &known).unwrap_or_else(|e| panic!("{service}: {e}: {line}"))
}
