//! subuid/subgid: read the host's `/etc/subuid` and `/etc/subgid` text, allocate
//! non-overlapping ranges for the rootless users, and say how to add them.
//!
//! Pure: the caller reads the files (their text is the input, see [`HostIdFiles`] and
//! `generate::host_ids`) and resolves user names through a [`UserDb`] (the system's via
//! `uzers`, or a fixed table in tests). Nothing here writes to `/etc`; the result is lines to
//! append plus the equivalent `usermod` command.
//!
//! One validator, [`check_range`], says what a range must respect on one side (uids or gids)
//! of the target: what shadow-utils and the kernel accept, `SUB_UID_MIN`/`SUB_UID_MAX` (or
//! the GID ones) from the target's `/etc/login.defs`, no existing user's UID (group's GID),
//! no other owner's existing range. The allocator avoids exactly the same things.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::SubIdRange;

/// Where new ranges start when the files are empty (shadow's `SUB_UID_MIN` default).
pub const FIRST_START: u64 = 100_000;
/// The default range size (shadow's `SUB_UID_COUNT` default; covers IDs 0..65535).
pub const DEFAULT_COUNT: u64 = 65_536;
/// IDs are 32-bit and `4294967295` (`(uid_t)-1`) is invalid, so the last usable ID is this.
pub const MAX_ID: u64 = 4_294_967_294;

/// shadow's `SUB_UID_MIN`/`SUB_GID_MIN` when `/etc/login.defs` does not set it.
pub const SHADOW_MIN: u64 = 100_000;
/// shadow's `SUB_UID_MAX`/`SUB_GID_MAX` when `/etc/login.defs` does not set it.
pub const SHADOW_MAX: u64 = 600_100_000;

/// Which side of the target a range is for: `/etc/subuid` or `/etc/subgid`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdKind {
    #[default]
    Uid,
    Gid,
}

impl IdKind {
    pub fn file(self) -> &'static str {
        match self {
            IdKind::Uid => "/etc/subuid",
            IdKind::Gid => "/etc/subgid",
        }
    }

    /// The login.defs key of a bound (`MIN` or `MAX`): `SUB_UID_MIN`.
    pub fn key(self, bound: &str) -> String {
        match self {
            IdKind::Uid => format!("SUB_UID_{bound}"),
            IdKind::Gid => format!("SUB_GID_{bound}"),
        }
    }

    /// The database of existing IDs of this kind, its entries and their IDs.
    fn database(self) -> (&'static str, &'static str, &'static str) {
        match self {
            IdKind::Uid => ("/etc/passwd", "user", "UID"),
            IdKind::Gid => ("/etc/group", "group", "GID"),
        }
    }
}

/// The bounds ranges of one kind must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdLimits {
    pub min: u64,
    pub max: u64,
    /// Read for the local target (`/etc/login.defs` or shadow's defaults), rather than the
    /// bounds any host accepts; only changes how messages name the bounds.
    pub from_login_defs: bool,
}

impl IdLimits {
    /// Any host: above every login UID ([`FIRST_START`]) and inside the 32-bit ID space.
    pub const ANY_HOST: IdLimits = IdLimits {
        min: FIRST_START,
        max: MAX_ID,
        from_login_defs: false,
    };
    /// shadow's defaults, for a local target whose `/etc/login.defs` sets nothing.
    pub const SHADOW_DEFAULTS: IdLimits = IdLimits {
        min: SHADOW_MIN,
        max: SHADOW_MAX,
        from_login_defs: true,
    };
}

impl Default for IdLimits {
    fn default() -> Self {
        Self::ANY_HOST
    }
}

/// The target host's facts about IDs, read once (`generate::host_ids::read`): subordinate
/// ID files as text (empty when missing), the login.defs bounds, and the IDs existing users
/// and groups have. The default is "another host, nothing known": only what every host
/// accepts is enforced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostIdFiles {
    pub subuid: String,
    pub subgid: String,
    /// `SUB_UID_MIN`/`SUB_UID_MAX`.
    pub uid_limits: IdLimits,
    /// `SUB_GID_MIN`/`SUB_GID_MAX`.
    pub gid_limits: IdLimits,
    /// User name -> UID from the target's `/etc/passwd`.
    pub users: BTreeMap<String, u32>,
    /// GIDs of the target's `/etc/group`.
    pub gids: BTreeSet<u32>,
    /// Ask the system's user database (NSS) for names `users` does not have: only when the
    /// files were read from this machine's own `/`.
    pub use_system_users: bool,
    /// What could not be read as shadow reads it (e.g. a login.defs value that is not a
    /// number), each a sentence for a note.
    pub problems: Vec<String>,
}

impl HostIdFiles {
    /// The uid and gid sides, parsed, for [`check_range`] and [`allocate`].
    pub fn spaces(&self) -> (IdSpace, IdSpace) {
        (
            IdSpace {
                kind: IdKind::Uid,
                limits: self.uid_limits,
                file: parse(&self.subuid, IdKind::Uid.file()),
                in_use: self.users.values().copied().collect(),
            },
            IdSpace {
                kind: IdKind::Gid,
                limits: self.gid_limits,
                file: parse(&self.subgid, IdKind::Gid.file()),
                in_use: self.gids.clone(),
            },
        )
    }
}

/// Owners of subuid lines are resolved through the target's `/etc/passwd`, then the system's
/// database when the target is this machine.
impl UserDb for HostIdFiles {
    fn uid_of(&self, name: &str) -> Option<u32> {
        self.users.get(name).copied().or_else(|| {
            self.use_system_users
                .then(|| SystemUsers.uid_of(name))
                .flatten()
        })
    }
}

/// One side (uids or gids) of the target, parsed: what a range there must respect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSpace {
    pub kind: IdKind,
    pub limits: IdLimits,
    /// The existing `/etc/subuid` or `/etc/subgid`.
    pub file: SubIdFile,
    /// IDs existing users (groups) have.
    pub in_use: BTreeSet<u32>,
}

impl IdSpace {
    /// Nothing known of the target: the bounds every host accepts.
    pub fn any_host(kind: IdKind) -> Self {
        IdSpace {
            kind,
            ..Default::default()
        }
    }
}

/// The user a range is for, by name and (when known) UID: subuid lines may name either, and
/// a user's own existing range is no conflict.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub name: &'a str,
    pub uid: Option<u32>,
}

impl Owner<'_> {
    pub fn owns(&self, e: &SubIdEntry) -> bool {
        e.owner == self.name || (self.uid.is_some() && e.owner.parse::<u32>().ok() == self.uid)
    }
}

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

/// Whether `owner` may have `start`+`count` on this side of the target, in one place for
/// the plan checks and the allocator. What shadow-utils (`newuidmap`, `usermod
/// --add-subuids`) and the kernel accept: at least [`DEFAULT_COUNT`] IDs (a container needs
/// IDs 0..65535), ending at or below [`MAX_ID`] (IDs are 32-bit; `4294967295` is
/// `(uid_t)-1`). Then the target's bounds (`SUB_UID_MIN`..`SUB_UID_MAX`, or [`FIRST_START`]
/// and up when the target is not known, above every login UID), no existing user's UID
/// (group's GID) inside (its files would belong to a container), and no other owner's
/// existing range overlapping (their containers could read each other's files). The error is
/// a phrase for "FIELD: ...".
pub fn check_range(
    start: u64,
    count: u64,
    space: &IdSpace,
    owner: &Owner<'_>,
) -> Result<(), String> {
    if count < DEFAULT_COUNT {
        return Err(format!(
            "count {count} is below {DEFAULT_COUNT} (a container needs IDs 0-65535)"
        ));
    }
    let end = match start.checked_add(count - 1) {
        Some(end) if end <= MAX_ID => end,
        _ => {
            return Err(format!(
                "start {start} + count {count} goes beyond the last 32-bit ID {MAX_ID}"
            ));
        }
    };
    let limits = space.limits;
    // A range the owner already holds in the host's file is in effect whatever login.defs
    // says: shadow's bounds govern where new ranges go (useradd's allocation), so an existing
    // one outside them is kept, not refused.
    let already_held = space
        .file
        .entries
        .iter()
        .any(|e| owner.owns(e) && e.start <= start && end <= e.end());
    let source = if limits.from_login_defs {
        " (/etc/login.defs, or shadow's default)"
    } else {
        ""
    };
    if !already_held && start < limits.min {
        return Err(format!(
            "start {start} is below {} {}{source}: it would overlap real user and system IDs",
            space.kind.key("MIN"),
            limits.min
        ));
    }
    if !already_held && end > limits.max {
        return Err(format!(
            "range {start}-{end} ends above {} {}{source}",
            space.kind.key("MAX"),
            limits.max
        ));
    }
    // Both ends are at most MAX_ID, so they fit in u32.
    if let Some(id) = space.in_use.range(start as u32..=end as u32).next() {
        let (db, entry, id_word) = space.kind.database();
        return Err(format!(
            "range {start}-{end} contains {id_word} {id} of an existing {entry} ({db}): the \
             container would own that {entry}'s files"
        ));
    }
    if let Some(e) = space
        .file
        .entries
        .iter()
        .find(|e| !owner.owns(e) && e.start <= end && start <= e.end())
    {
        return Err(format!(
            "range {start}-{end} overlaps {} line {} ({} {}-{}): their containers could access \
             each other's files",
            space.kind.file(),
            e.line,
            e.owner,
            e.start,
            e.end()
        ));
    }
    Ok(())
}

/// Allocate ranges for `requests` (user → IDs needed), reusing ranges the host already
/// gives a user when large enough, honouring `fixed` ranges from a plan (reporting what
/// [`check_range`] says against them), and otherwise taking the lowest block inside the
/// side's bounds that no existing range, plan range, user's UID or group's GID touches.
///
/// Returns the assignments (sorted by user) and problems (each a sentence for a note).
pub fn allocate(
    uid_space: &IdSpace,
    gid_space: &IdSpace,
    requests: &BTreeMap<String, u64>,
    fixed: &BTreeMap<String, SubIdRange>,
    users: &dyn UserDb,
) -> (Vec<SubIdAssignment>, Vec<String>) {
    let mut problems = Vec::new();
    let taken_in = |space: &IdSpace| -> Vec<(u64, u64)> {
        let mut taken: Vec<(u64, u64)> = space
            .file
            .entries
            .iter()
            .map(|e| (e.start, e.end()))
            .collect();
        taken.extend(
            space
                .in_use
                .iter()
                .map(|&id| (u64::from(id), u64::from(id))),
        );
        // Ranges a plan already fixed are taken whatever order users are processed in.
        taken.extend(
            fixed
                .values()
                .map(|r| (r.start, r.start + r.count.max(1) - 1)),
        );
        taken
    };
    let mut taken_uid = taken_in(uid_space);
    let mut taken_gid = taken_in(gid_space);
    let mut out = Vec::new();
    for (user, &count) in requests {
        let owner = Owner {
            name: user,
            uid: users.uid_of(user),
        };
        // A range the host already gives the user, large enough, stays as it is.
        let existing = |space: &IdSpace| {
            space
                .file
                .entries
                .iter()
                .find(|e| owner.owns(e) && e.count >= count)
                .map(|e| {
                    (
                        SubIdRange {
                            start: e.start,
                            count: e.count,
                        },
                        false,
                    )
                })
        };
        let mut uid = existing(uid_space);
        let mut gid = existing(gid_space);
        // Else the plan's range (already in `taken`), with what the checks say against it.
        if let Some(r) = fixed.get(user) {
            if r.count >= count {
                for (side, space) in [(&mut uid, uid_space), (&mut gid, gid_space)] {
                    if side.is_none() {
                        if let Err(why) = check_range(r.start, r.count, space, &owner) {
                            problems.push(format!(
                                "the plan's range for {user} in {}: {why}; pick another range",
                                space.kind.file()
                            ));
                        }
                        *side = Some((*r, true));
                    }
                }
            } else {
                problems.push(format!(
                    "the plan's range for {user} has {} IDs but its containers need {count}; allocating a larger one",
                    r.count
                ));
            }
        }
        // Else a new block. A plan records one range for both files, so when both sides
        // need one it is a block free on both.
        let mut new_block = |spaces: &[&IdSpace], taken: &mut [&mut Vec<(u64, u64)>]| {
            let all: Vec<(u64, u64)> = taken.iter().flat_map(|t| t.iter().copied()).collect();
            let limits = IdLimits {
                min: spaces
                    .iter()
                    .map(|s| s.limits.min)
                    .max()
                    .unwrap_or(FIRST_START),
                max: spaces.iter().map(|s| s.limits.max).min().unwrap_or(MAX_ID),
                from_login_defs: spaces.iter().any(|s| s.limits.from_login_defs),
            };
            match first_free(&all, count, limits) {
                Some(start) => {
                    for t in taken.iter_mut() {
                        t.push((start, start + count - 1));
                    }
                    Some((SubIdRange { start, count }, true))
                }
                None => {
                    let files: Vec<&str> = spaces.iter().map(|s| s.kind.file()).collect();
                    problems.push(format!(
                        "no free block of {count} IDs left in {} for {user} between {} and {}",
                        files.join(" and "),
                        limits.min,
                        limits.max
                    ));
                    None
                }
            }
        };
        match (uid.is_none(), gid.is_none()) {
            (true, true) => {
                let block = new_block(
                    &[uid_space, gid_space],
                    &mut [&mut taken_uid, &mut taken_gid],
                );
                (uid, gid) = (block, block);
            }
            (true, false) => uid = new_block(&[uid_space], &mut [&mut taken_uid]),
            (false, true) => gid = new_block(&[gid_space], &mut [&mut taken_gid]),
            (false, false) => {}
        }
        if let (Some((uids, uids_new)), Some((gids, gids_new))) = (uid, gid) {
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

/// Lowest start ≥ `limits.min` where `count` IDs fit between the taken ranges and end at or
/// below `limits.max` (and [`MAX_ID`]).
fn first_free(taken: &[(u64, u64)], count: u64, limits: IdLimits) -> Option<u64> {
    let mut sorted = taken.to_vec();
    sorted.sort_unstable();
    let mut candidate = limits.min;
    for (start, end) in sorted {
        if end < candidate {
            continue;
        }
        if candidate + count <= start {
            break;
        }
        candidate = end + 1;
    }
    (candidate.checked_add(count - 1)? <= limits.max.min(MAX_ID)).then_some(candidate)
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

    /// A side of a host nothing is known about but this subid file text.
    fn space(text: &str) -> IdSpace {
        IdSpace {
            file: parse(text, "/etc/subuid"),
            ..IdSpace::any_host(IdKind::Uid)
        }
    }

    const ALICE: Owner<'static> = Owner {
        name: "alice",
        uid: Some(1000),
    };

    fn check_any(start: u64, count: u64) -> Result<(), String> {
        check_range(start, count, &IdSpace::any_host(IdKind::Uid), &ALICE)
    }

    fn req(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(u, c)| ((*u).to_owned(), *c)).collect()
    }

    #[test]
    fn plan_ranges_outside_what_shadow_accepts_are_refused() {
        assert!(check_any(100_000, 65_536).is_ok());
        assert!(check_any(MAX_ID + 1 - 65_536, 65_536).is_ok());
        for (start, count, why) in [
            (1, 65_536, "below SUB_UID_MIN 100000"),
            (1_000, 65_536, "below SUB_UID_MIN 100000"),
            (4_294_967_295, 65_536, "beyond the last 32-bit ID"),
            (100_000, 4_294_967_295, "beyond the last 32-bit ID"),
            (MAX_ID + 2 - 65_536, 65_536, "beyond the last 32-bit ID"),
            (100_000, 65_535, "below 65536"),
        ] {
            let err = check_any(start, count).unwrap_err();
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
        let uid = space("root:100000:65536\nx:165536:65536\n");
        let gid = space("root:100000:65536\n");
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
        // One block free in both files: a plan records one range for both.
        assert_eq!(a[0].gids, a[0].uids);
        assert_eq!(a[1].uids.start, 296_608);
        assert_eq!(a[1].gids.start, 296_608);
        assert_eq!(
            a[0].usermod_command().unwrap(),
            "usermod --add-subuids 231072-296607 --add-subgids 231072-296607 alice"
        );
        assert_eq!(
            new_lines(&a, false),
            "alice:231072:65536\nbob:296608:65536\n"
        );
    }

    #[test]
    fn fills_a_gap_that_is_large_enough() {
        let uid = space("a:100000:65536\nb:400000:65536\n");
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
        let uid = space("1000:200000:65536\n");
        let gid = space("alice:300000:65536\n");
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
        let uid = space("alice:100000:65536\n");
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
        let uid = space(&format!("x:{FIRST_START}:{}\n", MAX_ID - FIRST_START + 1));
        assert!(uid.file.problems.is_empty(), "{:?}", uid.file.problems);
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
        let empty = IdSpace::any_host(IdKind::Uid);
        let (a, p) = allocate(
            &empty,
            &empty,
            &req(&[("bob", 1 << 33)]),
            &BTreeMap::new(),
            &db(),
        );
        assert!(a.is_empty() && p.len() == 1, "{p:?}");
    }

    #[test]
    fn plan_ranges_of_later_users_are_not_handed_out_first() {
        let empty = IdSpace::any_host(IdKind::Uid);
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
        let uid = space("bob:100000:65536\n");
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

    /// A local target: login.defs bounds, users, groups and other owners' ranges.
    fn local_host() -> HostIdFiles {
        HostIdFiles {
            subuid: "bob:200000:65536\n1000:400000:65536\n".into(),
            subgid: "carol:500000:65536\n".into(),
            uid_limits: IdLimits {
                min: 200_000,
                max: 600_000,
                from_login_defs: true,
            },
            gid_limits: IdLimits::SHADOW_DEFAULTS,
            users: [("alice".to_owned(), 1000), ("svc".to_owned(), 300_000)].into(),
            gids: [0, 450_000].into(),
            ..Default::default()
        }
    }

    #[test]
    fn ranges_respect_the_targets_bounds_users_groups_and_other_owners() {
        let host = local_host();
        let (uids, gids) = host.spaces();
        for (space, start, why) in [
            (
                &uids,
                100_000,
                Some("below SUB_UID_MIN 200000 (/etc/login.defs"),
            ),
            (&uids, 1, Some("below SUB_UID_MIN 200000")),
            (&uids, 540_000, Some("ends above SUB_UID_MAX 600000")),
            (&gids, 600_050_000, Some("ends above SUB_GID_MAX 600100000")),
            (&gids, 50_000, Some("below SUB_GID_MIN 100000")),
            (
                &uids,
                290_000,
                Some("contains UID 300000 of an existing user (/etc/passwd)"),
            ),
            (
                &gids,
                420_000,
                Some("contains GID 450000 of an existing group (/etc/group)"),
            ),
            (
                &uids,
                230_000,
                Some("overlaps /etc/subuid line 1 (bob 200000-265535)"),
            ),
            (&gids, 520_000, Some("overlaps /etc/subgid line 1 (carol")),
            // alice's own range, written with her UID, is no conflict.
            (&uids, 400_000, None),
            (&gids, 100_000, None),
            (&uids, 465_536, None),
        ] {
            let got = check_range(start, DEFAULT_COUNT, space, &ALICE);
            match why {
                None => assert!(got.is_ok(), "{start}: {got:?}"),
                Some(why) => {
                    let err = got.unwrap_err();
                    assert!(err.contains(why), "{start}: {err}");
                    assert!(!err.contains('\n'));
                }
            }
        }
        // Another owner must not take alice's range either.
        let bob = Owner {
            name: "bob",
            uid: None,
        };
        assert!(check_range(400_000, DEFAULT_COUNT, &uids, &bob).is_err());
    }

    #[test]
    fn a_range_the_owner_already_holds_outside_the_bounds_is_kept() {
        let mut host = local_host();
        host.subuid += "alice:2991000000:65536\n";
        let (uids, _) = host.spaces();
        // Already in /etc/subuid for alice: in effect, so not refused for SUB_UID_MAX.
        assert!(check_range(2_991_000_000, DEFAULT_COUNT, &uids, &ALICE).is_ok());
        // A new range just beside it is still held to the bounds.
        let err = check_range(2_992_000_000, DEFAULT_COUNT, &uids, &ALICE).unwrap_err();
        assert!(err.contains("ends above SUB_UID_MAX 600000"), "{err}");
        // And the range is alice's only: bob may not take it.
        let bob = Owner {
            name: "bob",
            uid: None,
        };
        assert!(check_range(2_991_000_000, DEFAULT_COUNT, &uids, &bob).is_err());
    }

    #[test]
    fn the_allocator_avoids_what_the_check_refuses() {
        let bounds = IdLimits {
            min: 200_000,
            max: 400_000,
            from_login_defs: true,
        };
        let host = HostIdFiles {
            subuid: "bob:200000:10000\n".into(),
            uid_limits: bounds,
            gid_limits: bounds,
            users: [("svc".to_owned(), 250_000)].into(),
            gids: [300_000].into(),
            ..Default::default()
        };
        let (uids, gids) = host.spaces();
        let (a, p) = allocate(
            &uids,
            &gids,
            &req(&[("alice", DEFAULT_COUNT), ("dave", DEFAULT_COUNT)]),
            &BTreeMap::new(),
            &db(),
        );
        // Past bob's range, svc's UID 250000 and GID 300000, inside the bounds.
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].uids.start, 300_001);
        assert_eq!(a[0].gids, a[0].uids);
        for space in [&uids, &gids] {
            assert_eq!(
                check_range(a[0].uids.start, a[0].uids.count, space, &ALICE),
                Ok(())
            );
        }
        // No room left below SUB_UID_MAX for dave: said, not wrapped past the bound.
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("no free block") && p[0].contains("400000"),
            "{p:?}"
        );
    }

    #[test]
    fn a_plan_range_against_the_host_is_reported_per_file() {
        let host = local_host();
        let (uids, gids) = host.spaces();
        let fixed: BTreeMap<String, SubIdRange> = [(
            "alice".to_owned(),
            SubIdRange {
                start: 290_000,
                count: DEFAULT_COUNT,
            },
        )]
        .into();
        let (a, p) = allocate(
            &uids,
            &gids,
            &req(&[("alice", DEFAULT_COUNT)]),
            &fixed,
            &db(),
        );
        // alice already has 400000 in /etc/subuid (by UID); the plan's range is for subgid.
        assert_eq!(a[0].uids.start, 400_000);
        assert!(!a[0].uids_new);
        assert_eq!(a[0].gids.start, 290_000);
        assert!(p.is_empty(), "{p:?}");
        let (_, p) = allocate(
            &uids,
            &gids,
            &req(&[("erin", DEFAULT_COUNT)]),
            &[("erin".to_owned(), fixed["alice"])].into(),
            &db(),
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("/etc/subuid") && p[0].contains("UID 300000"),
            "{p:?}"
        );
    }
}
