//! The fleet's own files beside the per-host bundles: `FLEET.md` (for people), `fleet.json`
//! (for pipelines), and `ansible/` (an inventory rendered here, the playbooks static).
//!
//! Host names are validated names ([`crate::fleet::check_name`]); everything else that
//! reaches the INI inventory (ssh users and host names from the endpoints) goes through
//! [`ini_value`], and everything shown in Markdown through [`crate::render::text::one_line`].

use std::fmt::Write as _;

use serde::Serialize;

use crate::docker::Endpoint;
use crate::fleet::{FleetHost, HostOutcome, HostSummary};
use crate::generate::GeneratedFile;
use crate::plan::report::md;
use crate::render::text::one_line;

/// The playbooks: static, no value from Docker or the operator in them.
const MIGRATE_YML: &str = include_str!("ansible/migrate.yml");
const ROLLBACK_YML: &str = include_str!("ansible/rollback.yml");

/// Schema of `fleet.json`.
pub const FLEET_SCHEMA: &str = "unroot.fleet/v1";

/// Every fleet-level file, for [`crate::output::write_files`] on the output directory.
/// The inventory lists only the hosts whose bundle was written.
pub fn files(hosts: &[FleetHost], summaries: &[HostSummary]) -> Vec<GeneratedFile> {
    let written: Vec<&FleetHost> = hosts
        .iter()
        .filter(|h| {
            summaries
                .iter()
                .any(|s| s.name == h.name && matches!(s.outcome, HostOutcome::Written(_)))
        })
        .collect();
    let file = |path: &str, content: String| GeneratedFile {
        path: path.to_owned(),
        mode: 0o644,
        content,
    };
    vec![
        file("FLEET.md", fleet_md(hosts, summaries)),
        file("ansible/inventory.ini", inventory_ini(&written)),
        file("ansible/migrate.yml", MIGRATE_YML.to_owned()),
        file("ansible/rollback.yml", ROLLBACK_YML.to_owned()),
        file("fleet.json", fleet_json(summaries)),
    ]
}

#[derive(Serialize)]
struct FleetJson<'a> {
    schema: &'static str,
    hosts: &'a [HostSummary],
}

/// `fleet.json`: per host the containers, verdict counts, blockers and worst risk, or the
/// host's error (serde quotes every value).
pub fn fleet_json(summaries: &[HostSummary]) -> String {
    let doc = FleetJson {
        schema: FLEET_SCHEMA,
        hosts: summaries,
    };
    // Plain data with string keys: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// What unroot could not read on hosts whose engine it reached over the network: bind-mount
/// owners on every one; the ID files only where there was no ssh login to read them with.
fn read_elsewhere(out: &mut String, hosts: &[FleetHost], summaries: &[HostSummary]) {
    let remote: Vec<&str> = hosts
        .iter()
        .filter(|h| !matches!(h.endpoint, Endpoint::Unix(_)))
        .map(|h| h.name.as_str())
        .collect();
    if remote.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## Read from another machine\n\n{}: unroot read these engines over the network. \
         Bind-mount owners were not read (migrate.sh records them on the host before it hands \
         anything over).",
        remote.join(", ")
    );
    // Per written remote host: were its ID files read over ssh?
    let written: Vec<(&str, bool)> = summaries
        .iter()
        .filter(|s| remote.contains(&s.name.as_str()))
        .filter_map(|s| match &s.outcome {
            HostOutcome::Written(f) => Some((s.name.as_str(), f.id_files_read_over_ssh)),
            HostOutcome::Error(_) => None,
        })
        .collect();
    let ssh_read = written.iter().filter(|(_, read)| *read).count();
    let ids_not_read: Vec<&str> = written
        .iter()
        .filter(|(_, read)| !read)
        .map(|(name, _)| *name)
        .collect();
    if ssh_read > 0 {
        let _ = writeln!(
            out,
            "\nThe sub-ID ranges of hosts reached over ssh were chosen against each host's own \
             /etc/subuid, /etc/subgid and /etc/login.defs, read over the same login."
        );
    }
    if !ids_not_read.is_empty() {
        let _ = writeln!(
            out,
            "\n{}: the subordinate ID ranges in their plans were chosen against this machine's \
             /etc/subuid and /etc/subgid (or UNROOT_TARGET_ROOT), not the host's (a TCP engine \
             has no login to read them with, or the files could not be read over ssh). \
             `migrate.sh --apply` checks them on the host before it writes: it stops on a range \
             that overlaps another user's, or when the user already has a different one.",
            ids_not_read.join(", ")
        );
    }
}

/// `FLEET.md`: one table row per host, what was not read on remote hosts, and how to roll
/// the bundles out with the playbooks.
pub fn fleet_md(hosts: &[FleetHost], summaries: &[HostSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Fleet migration\n\nGenerated by unroot: one bundle per host under `HOST/` (its own \
         REPORT.md, migrate.sh, rollback.sh and plan copy, exactly what `unroot generate` writes \
         for that host alone), and `ansible/` to roll them out. Review each host's REPORT.md \
         first.\n"
    );
    let _ = writeln!(
        out,
        "| Host | Endpoint | Containers | Planned | ok | change | blocker | Worst risk | Blockers or error |\n\
         |---|---|---|---|---|---|---|---|---|"
    );
    for s in summaries {
        match &s.outcome {
            HostOutcome::Written(f) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    s.name,
                    md(&s.endpoint),
                    f.containers,
                    f.planned,
                    f.verdicts.ok,
                    f.verdicts.change,
                    f.verdicts.blocker,
                    f.worst_risk.map_or("none", |r| r.as_str()),
                    if f.blockers.is_empty() {
                        "-".to_owned()
                    } else {
                        md(&f.blockers.join(", "))
                    }
                );
            }
            HostOutcome::Error(e) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | - | - | - | - | - | - | **not read:** {} |",
                    s.name,
                    md(&s.endpoint),
                    md(e)
                );
            }
        }
    }
    read_elsewhere(&mut out, hosts, summaries);
    let _ = writeln!(
        out,
        "\n## Roll out with Ansible\n\n\
         ```sh\n\
         cd ansible\n\
         ansible-playbook -i inventory.ini migrate.yml                      # copy each bundle, dry run\n\
         ansible-playbook -i inventory.ini migrate.yml -e unroot_apply=true  # apply in waves, check\n\
         ansible-playbook -i inventory.ini rollback.yml -e unroot_apply=true # back to Docker\n\
         ```\n\n\
         Waves: `-e unroot_serial=N` hosts at a time (default 1); the first failure stops the \
         rollout before the next wave. Bundles go to `/var/lib/unroot/bundle` on each host \
         (`-e unroot_dest=DIR`). The check after each apply is `unroot verify --phase post` \
         when unroot is installed on the host, else the bundle's own check steps. Hosts that \
         were not read are not in the inventory."
    );
    out
}

/// A value for the INI inventory: double-quoted, `\` and `"` escaped, control characters
/// made visible by the one sanitiser (Ansible's INI parser splits like a shell).
pub fn ini_value(value: &str) -> String {
    let clean = one_line(value);
    let mut out = String::with_capacity(clean.len() + 2);
    out.push('"');
    for c in clean.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// How Ansible reaches a host, from the endpoint unroot read it through: ssh's user, host
/// and port; a TCP engine's host over ssh with Ansible's defaults; a local socket locally.
/// Logging in as root needs no privilege escalation, so `ansible_become=false` then.
fn host_vars(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Unix(_) => "ansible_connection=local".to_owned(),
        Endpoint::Ssh(ssh) => {
            let mut vars = format!("ansible_host={}", ini_value(&ssh.host));
            if let Some(port) = ssh.port {
                let _ = write!(vars, " ansible_port={port}");
            }
            if let Some(user) = &ssh.user {
                let _ = write!(vars, " ansible_user={}", ini_value(user));
                if user == "root" {
                    vars.push_str(" ansible_become=false");
                }
            }
            vars
        }
        Endpoint::Tls(tls) => format!("ansible_host={}", ini_value(&host_of(&tls.authority))),
        Endpoint::Http(url) => format!(
            "ansible_host={}",
            ini_value(&host_of(url.trim_start_matches("http://")))
        ),
    }
}

/// The host of `host:port` or `[v6]:port`.
fn host_of(authority: &str) -> String {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6).to_owned();
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_owned()
}

/// `ansible/inventory.ini`: group `unroot`, one line per host with a bundle.
pub fn inventory_ini(hosts: &[&FleetHost]) -> String {
    let mut out = String::from(
        "# Generated by unroot: the hosts whose bundle is in ../HOST/, reached as unroot reached\n\
         # their Docker engine. Edit connection settings here or in group_vars as needed.\n\
         [unroot]\n",
    );
    for h in hosts {
        let _ = writeln!(out, "{} {}", h.name, host_vars(&h.endpoint));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::endpoint::SshEndpoint;

    #[test]
    fn ini_values_are_quoted_and_one_line() {
        assert_eq!(ini_value("web1"), "\"web1\"");
        assert_eq!(ini_value(r#"a"b\c"#), r#""a\"b\\c""#);
        assert!(!ini_value("a\nb c=d").contains('\n'));
    }

    #[test]
    fn inventory_lines_follow_the_endpoint() {
        let ssh = FleetHost {
            name: "web1".into(),
            endpoint: Endpoint::Ssh(SshEndpoint {
                user: Some("root".into()),
                host: "127.0.0.1".into(),
                port: Some(2222),
            }),
        };
        let local = FleetHost {
            name: "here".into(),
            endpoint: Endpoint::Unix("/var/run/docker.sock".into()),
        };
        let tls = FleetHost {
            name: "db".into(),
            endpoint: Endpoint::Http("http://[::1]:2375".into()),
        };
        let ini = inventory_ini(&[&ssh, &local, &tls]);
        assert!(ini.contains("\n[unroot]\n"), "{ini}");
        assert!(
            ini.contains(
                "web1 ansible_host=\"127.0.0.1\" ansible_port=2222 ansible_user=\"root\" ansible_become=false\n"
            ),
            "{ini}"
        );
        assert!(ini.contains("here ansible_connection=local\n"), "{ini}");
        assert!(ini.contains("db ansible_host=\"::1\"\n"), "{ini}");
    }

    #[test]
    fn playbooks_use_builtin_modules_and_stop_on_failure() {
        for book in [MIGRATE_YML, ROLLBACK_YML] {
            let modules: Vec<&str> = book
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("ansible.") || l.starts_with("- ansible."))
                .collect();
            assert!(
                modules
                    .iter()
                    .all(|m| m.trim_start_matches("- ").starts_with("ansible.builtin.")),
                "{modules:?}"
            );
            assert!(book.contains("max_fail_percentage: 0"));
            assert!(book.contains("any_errors_fatal: true"));
            assert!(book.contains("unroot_apply | default(false) | bool"));
        }
    }
}
