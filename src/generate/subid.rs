//! subuid/subgid: read the host's `/etc/subuid` and `/etc/subgid` text, allocate
//! non-overlapping ranges for the rootless users, and say how to add them.
//!
//! Pure: the caller reads the files (their text is the input) and resolves user names
//! through a [`UserDb`] (the system's via `uzers`, or a fixed table in tests). Nothing here
//! writes to `/etc`; the result is lines to append plus the equivalent `usermod` command.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::SubIdRange;

/// Where new ranges start when the files are empty (shadow's `SUB_UID_MIN` default).
pub const FIRST_START: u64 = 100_000;
/// The default range size (shadow's `SUB_UID_COUNT` default; covers IDs 0..65535).
pub const DEFAULT_COUNT: u64 = 65_536;
/// IDs are 32-bit and `4294967295` (`(uid_t)-1`) is invalid, so the last usable ID is this.
pub const MAX_ID: u64 = 4_294_967_294;

/// Resolves user names and numeric IDs (subuid lines may name the owner either way).
pub trait UserDb {
    fn uid_of(&self, name: &str) -> Option<u32>;
}

/// The system's user database (`/etc/passwd`, NSS) through `uzers`.
pub struct SystemUsers;

impl UserDb for SystemUsers {
    fn uid_of(&self, name: &str) -> Option<u32> {
        uzers::get_user_by_name(name).map(|u| u.uid())
    }
}

/// A fixed name → uid table (tests, or a plan made for another host).
impl UserDb for BTreeMap<String, u32> {
    fn uid_of(&self, name: &str) -> Option<u32> {
        self.get(name).copied()
    }
}

/// One valid line of a subordinate ID file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubIdEntry {
    pub line: usize,
    /// User name or numeric uid, as written.
    pub owner: String,
    pub start: u64,
    pub count: u64,
}

impl SubIdEntry {
    /// Last ID in the range (inclusive).
    pub fn end(&self) -> u64 {
        self.start + self.count - 1
    }
}

/// A parsed `/etc/subuid` or `/etc/subgid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubIdFile {
    pub entries: Vec<SubIdEntry>,
    /// Malformed lines and overlaps, each naming the file and line.
    pub problems: Vec<String>,
}

/// Parse the text of a subordinate ID file. `file` names it in problem messages.
pub fn parse(text: &str, file: &str) -> SubIdFile {
    let mut out = SubIdFile::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(':').collect();
        let bad = |why: &str| {
            format!("{file} line {line_no}: {why}; the line is ignored, fix or remove it")
        };
        if fields.len() != 3 {
            out.problems.push(bad("expected USER:START:COUNT"));
            continue;
        }
        let owner = fields[0].trim();
        if owner.is_empty() {
            out.problems.push(bad("empty user"));
            continue;
        }
        let (Ok(start), Ok(count)) = (
            fields[1].trim().parse::<u64>(),
            fields[2].trim().parse::<u64>(),
        ) else {
            out.problems
                .push(bad("START and COUNT must be non-negative integers"));
            continue;
        };
        if count == 0 {
            out.problems.push(bad("COUNT is 0"));
            continue;
        }
        if start.checked_add(count - 1).is_none_or(|end| end > MAX_ID) {
            out.problems.push(bad(&format!(
                "range {start}+{count} goes past the largest ID {MAX_ID}"
            )));
            continue;
        }
        out.entries.push(SubIdEntry {
            line: line_no,
            owner: owner.to_owned(),
            start,
            count,
        });
    }
    // Overlaps between different owners let one user's containers read another's files.
    let mut sorted: Vec<&SubIdEntry> = out.entries.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.line));
    for (i, a) in sorted.iter().enumerate() {
        for b in sorted[i + 1..].iter().take_while(|b| b.start <= a.end()) {
            if a.owner != b.owner {
                out.problems.push(format!(
                    "{file} lines {} and {}: ranges of {} ({}-{}) and {} ({}-{}) overlap; \
                     their containers can access each other's files",
                    a.line,
                    b.line,
                    a.owner,
                    a.start,
                    a.end(),
                    b.owner,
                    b.start,
                    b.end()
                ));
            }
        }
    }
    out
}

/// The subordinate IDs one rootless user gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubIdAssignment {
    pub user: String,
    pub uids: SubIdRange,
    pub gids: SubIdRange,
    /// The uid range is new (to be added); `false` when the host already has it.
    pub uids_new: bool,
    pub gids_new: bool,
}

impl SubIdAssignment {
    /// `usermod --add-subuids A-B --add-subgids A-B USER` for the new ranges, if any.
    pub fn usermod_command(&self) -> Option<String> {
        let mut cmd = String::from("usermod");
        if self.uids_new {
            cmd += &format!(
                " --add-subuids {}-{}",
                self.uids.start,
                self.uids.start + self.uids.count - 1
            );
        }
        if self.gids_new {
            cmd += &format!(
                " --add-subgids {}-{}",
                self.gids.start,
                self.gids.start + self.gids.count - 1
            );
        }
        (self.uids_new || self.gids_new).then(|| format!("{cmd} {}", self.user))
    }
}

/// Round a needed ID count up to whole 65536 blocks (at least one).
pub fn count_for_max_id(max_id_in_container: Option<u64>) -> u64 {
    let needed = max_id_in_container.map_or(DEFAULT_COUNT, |id| id + 1);
    needed.div_ceil(DEFAULT_COUNT).max(1) * DEFAULT_COUNT
}

/// What shadow-utils (`newuidmap`, `usermod --add-subuids`) and the kernel accept for a
/// range a plan fixes, in one place for the plan check and the allocator: at least
/// [`DEFAULT_COUNT`] IDs (a container needs IDs 0..65535), starting at or above
/// [`FIRST_START`] (shadow's `SUB_UID_MIN` default, above every login UID, so the range
/// cannot overlap a real user such as 1000), and ending at or below [`MAX_ID`] (IDs are
/// 32-bit; `4294967295` is `(uid_t)-1`). The error is a phrase for "RANGE: ...".
pub fn check_range(start: u64, count: u64) -> Result<(), String> {
    if count < DEFAULT_COUNT {
        return Err(format!(
            "count {count} is below {DEFAULT_COUNT} (a container needs IDs 0-65535)"
        ));
    }
    if start < FIRST_START {
        return Err(format!(
            "start {start} is below {FIRST_START} (SUB_UID_MIN): it would overlap real user \
             and system IDs"
        ));
    }
    match start.checked_add(count - 1) {
        Some(end) if end <= MAX_ID => Ok(()),
        _ => Err(format!(
            "start {start} + count {count} goes beyond the last 32-bit ID {MAX_ID}"
        )),
    }
}

/// Allocate ranges for `requests` (user → IDs needed), reusing ranges the host already
/// gives a user when large enough, honouring `fixed` ranges from a plan, and otherwise
/// taking the lowest free block at or above [`FIRST_START`] that is free in the file.
///
/// Returns the assignments (sorted by user) and problems (each a sentence for a note).
pub fn allocate(
    subuid: &SubIdFile,
    subgid: &SubIdFile,
    requests: &BTreeMap<String, u64>,
    fixed: &BTreeMap<String, SubIdRange>,
    users: &dyn UserDb,
) -> (Vec<SubIdAssignment>, Vec<String>) {
    let mut problems = Vec::new();
    let mut taken_uid: Vec<(u64, u64)> =
        subuid.entries.iter().map(|e| (e.start, e.end())).collect();
    let mut taken_gid: Vec<(u64, u64)> =
        subgid.entries.iter().map(|e| (e.start, e.end())).collect();
    // Ranges a plan already fixed are taken whatever order users are processed in.
    for r in fixed.values() {
        let end = r.start + r.count.max(1) - 1;
        taken_uid.push((r.start, end));
        taken_gid.push((r.start, end));
    }
    let mut out = Vec::new();
    for (user, &count) in requests {
        let uid = users.uid_of(user);
        let owns = |e: &SubIdEntry| {
            e.owner == *user || (uid.is_some() && e.owner.parse::<u32>().ok() == uid)
        };
        let mut pick = |file: &SubIdFile,
                        taken: &mut Vec<(u64, u64)>,
                        which: &str|
         -> Option<(SubIdRange, bool)> {
            if let Some(e) = file.entries.iter().find(|e| owns(e) && e.count >= count) {
                return Some((
                    SubIdRange {
                        start: e.start,
                        count: e.count,
                    },
                    false,
                ));
            }
            if let Some(r) = fixed.get(user) {
                let end = r.start + r.count.max(1) - 1;
                if let Some(e) = file
                    .entries
                    .iter()
                    .find(|e| !owns(e) && e.start <= end && r.start <= e.end())
                {
                    problems.push(format!(
                        "the plan's range {}-{end} for {user} overlaps {which} line {} ({}); pick another range",
                        r.start, e.line, e.owner
                    ));
                }
                if r.count >= count {
                    taken.push((r.start, end));
                    return Some((*r, true));
                }
                problems.push(format!(
                    "the plan's range for {user} has {} IDs but its containers need {count}; allocating a larger one",
                    r.count
                ));
            }
            match first_free(taken, count) {
                Some(start) => {
                    taken.push((start, start + count - 1));
                    Some((SubIdRange { start, count }, true))
                }
                None => {
                    problems.push(format!(
                        "no free block of {count} IDs left in {which} for {user} (IDs end at {MAX_ID})"
                    ));
                    None
                }
            }
        };
        let u = pick(subuid, &mut taken_uid, "/etc/subuid");
        let g = pick(subgid, &mut taken_gid, "/etc/subgid");
        if let (Some((uids, uids_new)), Some((gids, gids_new))) = (u, g) {
            out.push(SubIdAssignment {
                user: user.clone(),
                uids,
                gids,
                uids_new,
                gids_new,
            });
        }
    }
    (out, problems)
}

/// Lowest start ≥ [`FIRST_START`] where `count` IDs fit between the taken ranges.
fn first_free(taken: &[(u64, u64)], count: u64) -> Option<u64> {
    let mut sorted = taken.to_vec();
    sorted.sort_unstable();
    let mut candidate = FIRST_START;
    for (start, end) in sorted {
        if end < candidate {
            continue;
        }
        if candidate + count <= start {
            break;
        }
        candidate = end + 1;
    }
    (candidate.checked_add(count - 1)? <= MAX_ID).then_some(candidate)
}

/// The lines to append (`user:start:count`), one per new range, sorted by user.
pub fn new_lines(assignments: &[SubIdAssignment], gids: bool) -> String {
    assignments
        .iter()
        .filter(|a| if gids { a.gids_new } else { a.uids_new })
        .map(|a| {
            let r = if gids { a.gids } else { a.uids };
            format!("{}:{}:{}\n", a.user, r.start, r.count)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> BTreeMap<String, u32> {
        [("alice".to_owned(), 1000), ("bob".to_owned(), 1001)].into()
    }

    fn req(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(u, c)| ((*u).to_owned(), *c)).collect()
    }

    #[test]
    fn plan_ranges_outside_what_shadow_accepts_are_refused() {
        assert!(check_range(100_000, 65_536).is_ok());
        assert!(check_range(MAX_ID + 1 - 65_536, 65_536).is_ok());
        for (start, count, why) in [
            (1, 65_536, "below 100000"),
            (1_000, 65_536, "below 100000"),
            (4_294_967_295, 65_536, "beyond the last 32-bit ID"),
            (100_000, 4_294_967_295, "beyond the last 32-bit ID"),
            (MAX_ID + 2 - 65_536, 65_536, "beyond the last 32-bit ID"),
            (100_000, 65_535, "below 65536"),
        ] {
            let err = check_range(start, count).unwrap_err();
            assert!(err.contains(why), "{start}:{count}: {err}");
        }
    }

    #[test]
    fn parses_comments_blank_lines_and_reports_malformed() {
        let f = parse(
            "# comment\n\nalice:100000:65536\nbroken\nbob:x:1\ncarol:5:0\ndave:4294967290:10\n",
            "/etc/subuid",
        );
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.problems.len(), 4, "{:?}", f.problems);
        assert!(f.problems[0].contains("line 4"));
        assert!(f.problems[3].contains("largest ID"));
    }

    #[test]
    fn detects_overlaps_between_owners_only() {
        let f = parse(
            "a:100000:65536\nb:150000:65536\na:300000:10\na:300005:10\n",
            "/etc/subuid",
        );
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert!(f.problems[0].contains("overlap"));
    }

    #[test]
    fn allocates_after_existing_ranges_without_overlap() {
        let uid = parse("root:100000:65536\nx:165536:65536\n", "u");
        let gid = parse("root:100000:65536\n", "g");
        let (a, p) = allocate(
            &uid,
            &gid,
            &req(&[("alice", DEFAULT_COUNT), ("bob", DEFAULT_COUNT)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            a[0].uids,
            SubIdRange {
                start: 231_072,
                count: 65_536
            }
        );
        assert_eq!(
            a[0].gids,
            SubIdRange {
                start: 165_536,
                count: 65_536
            }
        );
        assert_eq!(a[1].uids.start, 296_608);
        assert_eq!(a[1].gids.start, 231_072);
        assert_eq!(
            a[0].usermod_command().unwrap(),
            "usermod --add-subuids 231072-296607 --add-subgids 165536-231071 alice"
        );
        assert_eq!(
            new_lines(&a, false),
            "alice:231072:65536\nbob:296608:65536\n"
        );
    }

    #[test]
    fn fills_a_gap_that_is_large_enough() {
        let uid = parse("a:100000:65536\nb:400000:65536\n", "u");
        let (a, _) = allocate(
            &uid,
            &uid,
            &req(&[("alice", DEFAULT_COUNT)]),
            &BTreeMap::new(),
            &db(),
        );
        assert_eq!(a[0].uids.start, 165_536);
    }

    #[test]
    fn reuses_existing_range_given_by_numeric_uid() {
        let uid = parse("1000:200000:65536\n", "u");
        let gid = parse("alice:300000:65536\n", "g");
        let (a, p) = allocate(
            &uid,
            &gid,
            &req(&[("alice", DEFAULT_COUNT)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(p.is_empty());
        assert!(!a[0].uids_new && !a[0].gids_new);
        assert_eq!(a[0].uids.start, 200_000);
        assert_eq!(a[0].usermod_command(), None);
    }

    #[test]
    fn existing_range_too_small_for_huge_ids_gets_a_new_one() {
        let uid = parse("alice:100000:65536\n", "u");
        let count = count_for_max_id(Some(1_000_000));
        assert_eq!(count, 16 * 65_536);
        let (a, _) = allocate(
            &uid,
            &uid,
            &req(&[("alice", count)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(a[0].uids_new);
        assert_eq!(a[0].uids.start, 165_536);
        assert_eq!(a[0].uids.count, count);
    }

    #[test]
    fn full_id_space_is_reported_not_wrapped() {
        let uid = parse(
            &format!("x:{FIRST_START}:{}\n", MAX_ID - FIRST_START + 1),
            "/etc/subuid",
        );
        assert!(uid.problems.is_empty(), "{:?}", uid.problems);
        let (a, p) = allocate(
            &uid,
            &uid,
            &req(&[("alice", DEFAULT_COUNT)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(a.is_empty());
        assert!(p[0].contains("no free block"), "{p:?}");
        // A huge request that cannot fit anywhere below the ID limit.
        let empty = SubIdFile::default();
        let (a, p) = allocate(
            &empty,
            &empty,
            &req(&[("bob", 1 << 33)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(a.is_empty() && p.len() == 2);
    }

    #[test]
    fn plan_ranges_of_later_users_are_not_handed_out_first() {
        let empty = SubIdFile::default();
        let fixed: BTreeMap<String, SubIdRange> = [(
            "zed".to_owned(),
            SubIdRange {
                start: FIRST_START,
                count: DEFAULT_COUNT,
            },
        )]
        .into();
        let (a, p) = allocate(
            &empty,
            &empty,
            &req(&[("alice", DEFAULT_COUNT), ("zed", DEFAULT_COUNT)]),
            &fixed,
            &db(),
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            a[0].uids.start,
            FIRST_START + DEFAULT_COUNT,
            "alice must not get zed's range"
        );
        assert_eq!(a[1].uids.start, FIRST_START);
    }

    #[test]
    fn plan_ranges_are_honoured_and_conflicts_reported() {
        let uid = parse("bob:100000:65536\n", "u");
        let fixed: BTreeMap<String, SubIdRange> = [(
            "alice".to_owned(),
            SubIdRange {
                start: 120_000,
                count: 65_536,
            },
        )]
        .into();
        let (a, p) = allocate(&uid, &uid, &req(&[("alice", DEFAULT_COUNT)]), &fixed, &db());
        assert_eq!(a[0].uids.start, 120_000);
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
