//! Several Docker hosts in one run: which hosts (`--hosts FILE`, repeated `--docker-host` or
//! `--context`), their names (they become directory and file names), reading them
//! concurrently with a bound, and the per-host outcome the fleet summary is rendered from.
//!
//! Each host's read is exactly the single-host read ([`crate::source::read_endpoint`]); a
//! host that fails is reported for that host and never stops the others.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::docker::{Endpoint, Selection};
use crate::exit::{self, Failure};
use crate::model::Inventory;
use crate::render::text::one_line;
use crate::risk::Severity;

/// Names a host may not take: the fleet's own files and directories beside the bundles.
const RESERVED: [&str; 3] = ["ansible", "FLEET.md", "fleet.json"];
/// Longest host name: a directory name, kept short enough for every file below it.
const MAX_NAME: usize = 64;

/// One host of the fleet: its validated name and resolved endpoint.
#[derive(Debug, Clone)]
pub struct FleetHost {
    pub name: String,
    pub endpoint: Endpoint,
}

/// Check a host name: it becomes `OUT/NAME/`, `DIR/NAME.yaml` and an Ansible inventory
/// name, so only `[A-Za-z0-9._-]`, starting with a letter or digit (no `.`, `..`, hidden or
/// option-like names), at most 64 characters, and none of the fleet's own file names.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a host name is empty".to_owned());
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "host name `{}` is longer than {MAX_NAME} characters",
            one_line(name)
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "host name `{}` must start with a letter or a digit",
            one_line(name)
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "host name `{}` has `{}`; use only letters, digits, `.`, `_` and `-` (it names a directory)",
            one_line(name),
            one_line(&bad.to_string())
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "host name `{name}` is taken by the fleet's own output; choose another"
        ));
    }
    Ok(())
}

/// One `NAME ENDPOINT` line of a hosts file, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLine {
    pub line: usize,
    pub name: String,
    pub endpoint: String,
}

/// Parse a hosts file: one `NAME ENDPOINT` per line, blank lines and `#` comments (a whole
/// line, or from a word starting with `#`) skipped. Names are checked and unique. Errors are
/// one line `FILE:LINE: ...`.
pub fn parse_hosts(text: &str, shown: &str) -> Result<Vec<HostLine>, Failure> {
    let mut hosts: Vec<HostLine> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let at = |why: String| Failure::usage(format!("{shown}:{line}: {why}"));
        let words: Vec<&str> = raw
            .split_whitespace()
            .take_while(|w| !w.starts_with('#'))
            .collect();
        match words.as_slice() {
            [] => continue,
            [name, endpoint] => {
                check_name(name).map_err(at)?;
                if let Some(first) = hosts.iter().find(|h| h.name == *name) {
                    return Err(at(format!(
                        "host name `{name}` is already used on line {}; names must be unique",
                        first.line
                    )));
                }
                hosts.push(HostLine {
                    line,
                    name: (*name).to_owned(),
                    endpoint: (*endpoint).to_owned(),
                });
            }
            words => {
                return Err(at(format!(
                    "expected `NAME ENDPOINT`, found {} word(s)",
                    words.len()
                )));
            }
        }
    }
    if hosts.is_empty() {
        return Err(Failure::usage(format!(
            "{shown} lists no hosts; write one `NAME ENDPOINT` per line"
        )));
    }
    Ok(hosts)
}

/// A name for a host given by URL: its host name (and port), `local` for a Unix socket.
fn name_from(endpoint: &Endpoint) -> String {
    let raw = match endpoint {
        Endpoint::Unix(_) => "local".to_owned(),
        Endpoint::Http(url) => url.trim_start_matches("http://").to_owned(),
        Endpoint::Tls(tls) => tls.authority.clone(),
        Endpoint::Ssh(ssh) => match ssh.port {
            Some(port) => format!("{}-{port}", ssh.host),
            None => ssh.host.clone(),
        },
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The endpoint flags with one host or one context in place of the repeated ones.
fn selection_for(global: &GlobalArgs, host: Option<&str>, context: Option<&str>) -> Selection {
    Selection {
        host: host.map(str::to_owned),
        context: context.map(str::to_owned),
        ..global.endpoint_selection()
    }
}

/// The hosts the flags ask for (call only when [`GlobalArgs::is_fleet`]). Every endpoint is
/// resolved before anything is read, so a typo exits 2 before any host is touched.
pub fn hosts(global: &GlobalArgs) -> Result<Vec<FleetHost>, Failure> {
    if global.snapshot.is_some() || global.demo {
        return Err(Failure::usage(
            "several hosts (--hosts, repeated --docker-host/--context) are read from Docker; \
             --snapshot and --demo are one host",
        ));
    }
    if let Some(path) = &global.hosts {
        return from_file(global, path);
    }
    let mut hosts: Vec<FleetHost> = Vec::new();
    for url in &global.docker_host {
        let endpoint = Endpoint::resolve(&selection_for(global, Some(url), None))?;
        let name = name_from(&endpoint);
        check_name(&name).map_err(|why| {
            Failure::usage(format!(
                "--docker-host {}: {why}; name it in a --hosts FILE instead",
                one_line(&crate::docker::endpoint::redact(url))
            ))
        })?;
        hosts.push(FleetHost { name, endpoint });
    }
    for context in &global.context {
        check_name(context).map_err(|why| Failure::usage(format!("--context: {why}")))?;
        let endpoint = Endpoint::resolve(&selection_for(global, None, Some(context)))?;
        hosts.push(FleetHost {
            name: context.clone(),
            endpoint,
        });
    }
    for (i, h) in hosts.iter().enumerate() {
        if hosts[..i].iter().any(|o| o.name == h.name) {
            return Err(Failure::usage(format!(
                "two hosts would both be named `{}`; name them in a --hosts FILE (NAME ENDPOINT per line)",
                h.name
            )));
        }
    }
    Ok(hosts)
}

/// Read and resolve a `--hosts` file; errors name the file and line.
fn from_file(global: &GlobalArgs, path: &Path) -> Result<Vec<FleetHost>, Failure> {
    let shown = one_line(&path.display().to_string()).into_owned();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read hosts file {shown}: {e}")))?;
    parse_hosts(&text, &shown)?
        .into_iter()
        .map(|h| {
            let endpoint = Endpoint::resolve(&selection_for(global, Some(&h.endpoint), None))
                .map_err(|e| Failure::usage(format!("{shown}:{}: {}", h.line, e.message)))?;
            Ok(FleetHost {
                name: h.name,
                endpoint,
            })
        })
        .collect()
}

/// Read every host, at most `parallel` at once, each in a tokio task of its own; the
/// results come back in the hosts' order.
pub async fn read_all(hosts: &[FleetHost], parallel: usize) -> Vec<anyhow::Result<Inventory>> {
    let permits = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, host) in hosts.iter().enumerate() {
        let endpoint = host.endpoint.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await;
            (index, crate::source::read_endpoint(&endpoint, None).await)
        });
    }
    let mut results: Vec<Option<anyhow::Result<Inventory>>> =
        std::iter::repeat_with(|| None).take(hosts.len()).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => results[index] = Some(result),
            // A task that panicked: its slot stays empty and is reported below.
            Err(err) => tracing::error!("a host's read task failed: {err}"),
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(anyhow::anyhow!(
                    "the read of this host stopped unexpectedly"
                ))
            })
        })
        .collect()
}

/// Say on stderr that `host` failed: one line naming it.
pub fn report_failure(host: &FleetHost, err: &anyhow::Error) {
    exit::stderr_line(&format!(
        "unroot: error: host {}: {}",
        host.name,
        exit::error_line(err)
    ));
}

/// The fleet's exit code: each host's own code when all succeeded (the worst: a policy
/// failure anywhere is 1); [`exit::FLEET_PARTIAL`] when some failed and others did not; the
/// first failure's code when every host failed.
pub fn exit_code(outcomes: &[Result<u8, u8>]) -> u8 {
    let failed: Vec<u8> = outcomes.iter().filter_map(|o| o.err()).collect();
    if failed.is_empty() {
        return outcomes
            .iter()
            .filter_map(|o| o.ok())
            .max()
            .unwrap_or(exit::OK);
    }
    if failed.len() == outcomes.len() {
        return failed[0];
    }
    exit::FLEET_PARTIAL
}

/// What the fleet summary says about one host.
#[derive(Debug, Clone, Serialize)]
pub struct HostSummary {
    pub name: String,
    /// The endpoint as shown in messages (no password).
    pub endpoint: String,
    #[serde(flatten)]
    pub outcome: HostOutcome,
}

/// A host's bundle facts, or why it has none.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HostOutcome {
    Written(HostFacts),
    Error(String),
}

/// Per host: containers, verdict counts, blockers, the worst risk.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HostFacts {
    /// Containers on the host, planned or not.
    pub containers: usize,
    /// Containers the bundle moves.
    pub planned: usize,
    pub verdicts: VerdictCounts,
    /// Planned containers with a rootless blocker.
    pub blockers: Vec<String>,
    /// The highest severity among the planned containers' findings.
    pub worst_risk: Option<Severity>,
    /// The host's own `/etc/subuid`, `/etc/subgid` and `/etc/login.defs` were read over
    /// ssh, so its sub-ID ranges were chosen against them.
    pub id_files_read_over_ssh: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerdictCounts {
    pub ok: usize,
    pub change: usize,
    pub blocker: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_directory_safe() {
        for good in ["web1", "db.prod", "a_b-c", "9x"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "-rf",
            "a/b",
            "a b",
            "ansible",
            "FLEET.md",
            "fleet.json",
            "é",
            "a\nb",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn hosts_file_lines_comments_and_errors() {
        let text = "# fleet\n\nweb1 ssh://ops@web1  # the front\n  db ssh://db:2222\n";
        let hosts = parse_hosts(text, "h.txt").unwrap();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].line, 3);
        assert_eq!(hosts[1].name, "db");
        assert_eq!(hosts[1].endpoint, "ssh://db:2222");

        let err = |t: &str| parse_hosts(t, "h.txt").unwrap_err().message;
        assert_eq!(
            err("a ssh://a\na ssh://b\n"),
            "h.txt:2: host name `a` is already used on line 1; names must be unique"
        );
        assert_eq!(
            err("x\n"),
            "h.txt:1: expected `NAME ENDPOINT`, found 1 word(s)"
        );
        assert!(err("ok ssh://a\n.. ssh://b\n").starts_with("h.txt:2: host name `..`"));
        assert!(err("# only\n").contains("lists no hosts"));
    }

    #[test]
    fn exit_codes_say_what_happened() {
        assert_eq!(exit_code(&[Ok(0), Ok(0)]), exit::OK);
        assert_eq!(exit_code(&[Ok(0), Ok(1)]), exit::POLICY);
        assert_eq!(exit_code(&[Ok(0), Err(3)]), exit::FLEET_PARTIAL);
        assert_eq!(exit_code(&[Err(3), Err(2)]), 3);
    }

    #[test]
    fn names_from_urls() {
        let ssh = Endpoint::parse("ssh://ops@web1.example:2222").unwrap();
        let crate::docker::endpoint::Parsed::Ssh(ssh) = ssh else {
            panic!("not ssh")
        };
        assert_eq!(name_from(&Endpoint::Ssh(ssh)), "web1.example-2222");
        assert_eq!(
            name_from(&Endpoint::Unix("/run/docker.sock".into())),
            "local"
        );
        assert_eq!(
            name_from(&Endpoint::Http("http://127.0.0.1:2375".into())),
            "127.0.0.1-2375"
        );
    }
}
