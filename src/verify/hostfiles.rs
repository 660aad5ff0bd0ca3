//! Host facts the Podman API does not expose, read from files on THIS machine.
//!
//! `/etc/subuid` and `/etc/subgid` are read under a target root (default `/`; `--target-root`
//! or `UNROOT_TARGET_ROOT` for a sandboxed or mounted target). The unprivileged-port sysctl
//! is per network namespace and read from this machine's `/proc`: unroot must run on the
//! target host (or share its network namespace) for that value to mean anything.

use std::fs;
use std::path::{Path, PathBuf};

use super::facts::{HostFiles, SubIdLine};

const PORT_START: &str = "/proc/sys/net/ipv4/ip_unprivileged_port_start";

/// Read the host files under `root`.
pub fn read(root: &Path) -> HostFiles {
    let mut out = HostFiles {
        root: root.display().to_string(),
        ..Default::default()
    };
    out.subuid = read_subids(&under(root, "etc/subuid"), &mut out.errors);
    out.subgid = read_subids(&under(root, "etc/subgid"), &mut out.errors);
    match fs::read_to_string(under(root, "etc/passwd")) {
        Ok(text) => out.users = parse_passwd(&text),
        Err(err) => out
            .errors
            .push(format!("{}: {err}", under(root, "etc/passwd").display())),
    }
    match fs::read_to_string(PORT_START) {
        Ok(text) => match text.trim().parse() {
            Ok(v) => out.unprivileged_port_start = Some(v),
            Err(_) => out
                .errors
                .push(format!("{PORT_START}: unexpected value {:?}", text.trim())),
        },
        Err(err) => out.errors.push(format!("{PORT_START}: {err}")),
    }
    out
}

fn under(root: &Path, rel: &str) -> PathBuf {
    root.join(rel)
}

fn read_subids(path: &Path, errors: &mut Vec<String>) -> Option<Vec<SubIdLine>> {
    match fs::read_to_string(path) {
        Ok(text) => Some(parse_subids(&text)),
        // A missing file means "no ranges", which the checks report as such.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Some(Vec::new()),
        Err(err) => {
            errors.push(format!("{}: {err}", path.display()));
            None
        }
    }
}

/// Parse `name:start:count` lines; comments, blanks and malformed lines are skipped
/// (shadow-utils ignores them too).
pub fn parse_subids(text: &str) -> Vec<SubIdLine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split(':');
            let owner = parts.next()?.to_string();
            let start = parts.next()?.trim().parse().ok()?;
            let count = parts.next()?.trim().parse().ok()?;
            Some(SubIdLine {
                owner,
                start,
                count,
            })
        })
        .collect()
}

/// `name -> UID` of every `/etc/passwd` line.
pub fn parse_passwd(text: &str) -> std::collections::BTreeMap<String, u32> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?.to_string();
            f.next()?;
            Some((name, f.next()?.parse().ok()?))
        })
        .collect()
}

/// The UID of `user` in `ROOT/etc/passwd` (subid files may name either).
pub fn passwd_uid(root: &Path, user: &str) -> Option<u32> {
    let text = fs::read_to_string(under(root, "etc/passwd")).ok()?;
    parse_passwd(&text).get(user).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_skips_junk() {
        let lines = parse_subids("# c\nalice:100000:65536\n\nbad line\n1001:200000:65536\nx:1:\n");
        assert_eq!(
            lines,
            vec![
                SubIdLine {
                    owner: "alice".into(),
                    start: 100000,
                    count: 65536
                },
                SubIdLine {
                    owner: "1001".into(),
                    start: 200000,
                    count: 65536
                },
            ]
        );
    }

    #[test]
    fn reads_under_a_root() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/subuid"), "bob:300000:65536\n").unwrap();
        fs::write(
            dir.path().join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\nbob:x:1005:1005::/home/bob:/bin/sh\n",
        )
        .unwrap();
        let files = read(dir.path());
        assert_eq!(files.subuid.as_ref().unwrap()[0].owner, "bob");
        // No subgid file: no ranges, not an error.
        assert_eq!(files.subgid, Some(Vec::new()));
        assert_eq!(passwd_uid(dir.path(), "bob"), Some(1005));
        assert_eq!(passwd_uid(dir.path(), "nobody"), None);
        assert_eq!(files.users.get("bob"), Some(&1005));
    }
}
