//! The target host's ID facts, read once per run under a root directory (`/`, or a mounted
//! or sandboxed target, as `unroot verify --target-root`): `/etc/subuid`, `/etc/subgid`,
//! `SUB_UID_MIN`/`SUB_UID_MAX`/`SUB_GID_MIN`/`SUB_GID_MAX` from `/etc/login.defs`, the
//! UIDs of `/etc/passwd` and the GIDs of `/etc/group`. A missing file reads as empty (a
//! missing login.defs or key as shadow's defaults): the checks then enforce what is known.
//! The parsers are pure; only [`read`] touches the file system. A host read over ssh brings
//! the same five files in its inventory ([`from_host`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::subid::{HostIdFiles, IdKind, IdLimits};
use crate::model::HostIdText;

/// Read the target's ID facts under `root`.
pub fn read(root: &Path) -> HostIdFiles {
    let text = |path: &str| std::fs::read_to_string(root.join(path)).unwrap_or_default();
    let files = HostIdText {
        subuid: text("etc/subuid"),
        subgid: text("etc/subgid"),
        login_defs: text("etc/login.defs"),
        passwd: text("etc/passwd"),
        group: text("etc/group"),
    };
    parse(&files, root == Path::new("/"))
}

/// The ID facts of a host whose files were read elsewhere (over ssh, into the inventory).
/// This machine's user database says nothing about that host, so it is never asked.
pub fn from_host(files: &HostIdText) -> HostIdFiles {
    parse(files, false)
}

fn parse(files: &HostIdText, use_system_users: bool) -> HostIdFiles {
    let mut problems = Vec::new();
    let uid_limits = limits(&files.login_defs, IdKind::Uid, &mut problems);
    let gid_limits = limits(&files.login_defs, IdKind::Gid, &mut problems);
    HostIdFiles {
        subuid: files.subuid.clone(),
        subgid: files.subgid.clone(),
        uid_limits,
        gid_limits,
        users: passwd_users(&files.passwd),
        gids: group_ids(&files.group),
        use_system_users,
        problems,
    }
}

/// The bounds of one kind from login.defs text, each key falling back to shadow's default
/// (as shadow does, with a problem sentence, when its value is not a number).
pub fn limits(login_defs: &str, kind: IdKind, problems: &mut Vec<String>) -> IdLimits {
    let defaults = IdLimits::SHADOW_DEFAULTS;
    let mut bound = |name: &str, default: u64| {
        let key = kind.key(name);
        match login_defs_value(login_defs, &key) {
            None => default,
            Some(value) => parse_number(value).unwrap_or_else(|| {
                problems.push(format!(
                    "/etc/login.defs: {key} is not a number; shadow's default {default} is used"
                ));
                default
            }),
        }
    };
    IdLimits {
        min: bound("MIN", defaults.min),
        max: bound("MAX", defaults.max),
        from_login_defs: true,
    }
}

/// The value of `key` as shadow's getdef reads login.defs: `NAME VALUE` lines, `#`
/// comments, the last definition wins, a value may be double-quoted.
fn login_defs_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (name, value) = line.split_once(char::is_whitespace)?;
            (name == key).then(|| value.trim().trim_matches('"'))
        })
        .next_back()
}

/// An unsigned number as `strtoul(s, .., 0)` reads it: decimal, `0x` hex or `0` octal.
fn parse_number(value: &str) -> Option<u64> {
    if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()
    } else if value.len() > 1 && value.starts_with('0') {
        u64::from_str_radix(&value[1..], 8).ok()
    } else {
        value.parse().ok()
    }
}

/// `name:x:UID:...` lines of /etc/passwd; NIS `+`/`-` lines and malformed ones are skipped.
pub fn passwd_users(text: &str) -> BTreeMap<String, u32> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let uid = fields.nth(1)?.trim().parse().ok()?;
            (!name.is_empty() && !name.starts_with(['+', '-'])).then(|| (name.to_owned(), uid))
        })
        .collect()
}

/// The GIDs of `name:x:GID:members` lines of /etc/group.
pub fn group_ids(text: &str) -> BTreeSet<u32> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let gid = fields.nth(1)?.trim().parse().ok()?;
            (!name.is_empty() && !name.starts_with(['+', '-'])).then_some(gid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::subid::{SHADOW_MAX, SHADOW_MIN};

    fn root_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("etc")).unwrap();
        for (path, text) in files {
            std::fs::write(root.path().join(path), text).unwrap();
        }
        root
    }

    #[test]
    fn missing_files_are_shadows_defaults_and_nothing_in_use() {
        let root = root_with(&[]);
        let host = read(root.path());
        assert_eq!(host.uid_limits, IdLimits::SHADOW_DEFAULTS);
        assert_eq!(host.gid_limits, IdLimits::SHADOW_DEFAULTS);
        assert!(host.users.is_empty() && host.gids.is_empty());
        assert!(host.subuid.is_empty() && host.problems.is_empty());
        assert!(
            !host.use_system_users,
            "a sandbox root never asks this machine's NSS"
        );
    }

    #[test]
    fn login_defs_bounds_are_read_as_shadow_reads_them() {
        for (text, uid, gid, problems) in [
            ("", (SHADOW_MIN, SHADOW_MAX), (SHADOW_MIN, SHADOW_MAX), 0),
            (
                "# SUB_UID_MIN 1\nSUB_UID_MIN\t200000\nSUB_UID_MAX 300000\n",
                (200_000, 300_000),
                (SHADOW_MIN, SHADOW_MAX),
                0,
            ),
            (
                "SUB_GID_MIN 0x30D40\nSUB_GID_MAX \"0777777\"\nSUB_GID_MIN 300000\n",
                (SHADOW_MIN, SHADOW_MAX),
                (300_000, 0o777_777),
                0,
            ),
            (
                "SUB_UID_MIN lots\nSUB_GID_MAX -5\n",
                (SHADOW_MIN, SHADOW_MAX),
                (SHADOW_MIN, SHADOW_MAX),
                2,
            ),
        ] {
            let mut found = Vec::new();
            let u = limits(text, IdKind::Uid, &mut found);
            let g = limits(text, IdKind::Gid, &mut found);
            assert_eq!((u.min, u.max), uid, "{text:?}");
            assert_eq!((g.min, g.max), gid, "{text:?}");
            assert_eq!(found.len(), problems, "{text:?}: {found:?}");
            assert!(found.iter().all(|p| p.contains("login.defs")));
        }
    }

    #[test]
    fn users_groups_and_subid_files_come_from_under_the_root() {
        let root = root_with(&[
            ("etc/login.defs", "SUB_UID_MIN 165536\n"),
            (
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n\
                 +nis::::::\nbroken line\n",
            ),
            ("etc/group", "root:x:0:\nstaff:x:50:\nbad:x:NaN:\n"),
            ("etc/subuid", "alice:165536:65536\n"),
            ("etc/subgid", "alice:165536:65536\n"),
        ]);
        let host = read(root.path());
        assert_eq!(host.uid_limits.min, 165_536);
        assert_eq!(
            host.users,
            [("alice".to_owned(), 1000), ("root".to_owned(), 0)].into()
        );
        assert_eq!(host.gids, [0, 50].into());
        assert_eq!(host.subuid, "alice:165536:65536\n");
        use crate::generate::subid::UserDb;
        assert_eq!(host.uid_of("alice"), Some(1000));
        assert_eq!(host.uid_of("nobody-here"), None);
    }
}
