//! Writing a generated file set into a directory, safely and all at once.
//!
//! - **Never through a symlink.** Every operation below the output directory `D` goes
//!   through directory handles opened with `O_NOFOLLOW` (`openat`/`renameat`), so a
//!   symlinked `D/quadlet`, `D/env` or file is refused with one line before anything is
//!   written, and cannot be swapped in between the check and the write either. `D` itself
//!   is the operator's choice and may be a symlink.
//! - **All or nothing.** The whole set is written into a fresh staging directory inside `D`
//!   (`.unroot-staging.*`, mode 0700, same filesystem), synced once (`syncfs`, not one fsync
//!   per file), then renamed into place file by file. Files that get replaced or removed
//!   are hard-linked into the staging directory first, so any failure while moving puts
//!   every file, mode and the manifest back as they were. ENOSPC while staging touches
//!   nothing in `D`.
//! - **The manifest describes what is on disk.** `.unroot-manifest` records a content
//!   fingerprint per written file. While files move it lists both the old and the new
//!   fingerprint of each, so even after a crash mid-move every file in `D` is recognised
//!   as unroot's own and the next run is not refused; the final manifest replaces it last.
//! - **One run at a time.** A run holds an exclusive lock on `D/.unroot-lock`; a second run
//!   waits briefly, then says another run holds it. Staging directories left by a crashed
//!   run are removed under the lock.
//! - A file is only replaced without `--force` when unroot wrote it last and nobody changed
//!   it since; anything else that exists and differs makes the whole write refuse, listing
//!   those files, before a single byte is written. Files whose content is already right are
//!   not touched (no new mtime); a loosened mode is fixed. Files unroot wrote before but no
//!   longer generates are removed when unmodified, and kept with a warning when edited.
//!
//! Library code shared by `unroot generate` and the TUI's write action.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::exit::Failure;
use crate::generate::GeneratedFile;
use crate::render::text::one_line;

/// Name of the manifest file in the output directory.
pub const MANIFEST: &str = ".unroot-manifest";
/// Lock file a run holds (flock) while it inspects and writes the output directory.
pub const LOCK: &str = ".unroot-lock";
/// Prefix of the staging directories a run builds its file set in.
const STAGING_PREFIX: &str = ".unroot-staging.";
/// How long a second run waits for the lock before saying another run holds it.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// What a write did, file by file (relative paths).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// New files, and files whose content changed.
    pub written: Vec<String>,
    /// Same content already on disk; not touched.
    pub unchanged: Vec<String>,
    /// Only the mode was corrected.
    pub mode_fixed: Vec<String>,
    /// Stale files from an earlier run, removed.
    pub removed: Vec<String>,
    /// Stale files from an earlier run that someone edited: left in place.
    pub kept_stale: Vec<String>,
}

fn usage(message: String) -> Failure {
    Failure::usage(message)
}

/// `dir/rel` for messages, one line whatever the names hold.
fn shown(dir: &Path, rel: &Path) -> String {
    one_line(&dir.join(rel).display().to_string()).into_owned()
}

/// FNV-1a 64: a stable content fingerprint for change detection (not a security hash:
/// it tells "did someone edit this since unroot wrote it", nothing more).
fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Relative path -> the fingerprints it may have as unroot's own file (two while a run
/// moves files into place, one otherwise).
type Manifest = BTreeMap<String, BTreeSet<String>>;

fn parse_manifest(text: &str, dir: &Path) -> Result<Manifest, Failure> {
    let mut manifest = Manifest::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((hash, path)) = line.split_once("  ") else {
            continue;
        };
        if checked_relative(path).is_err() {
            return Err(usage(format!(
                "{}:{}: `{}` leaves the output directory; nothing was written (remove that \
                 line; unroot never writes or deletes outside {})",
                shown(dir, Path::new(MANIFEST)),
                index + 1,
                one_line(path),
                one_line(&dir.display().to_string())
            )));
        }
        manifest
            .entry(path.to_string())
            .or_default()
            .insert(hash.to_string());
    }
    Ok(manifest)
}

fn render_manifest<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from(
        "# Files written by unroot and their content fingerprints (FNV-1a 64).\n\
         # unroot replaces a listed file only while it still matches; edit freely, it will\n\
         # then refuse to overwrite your change without --force.\n",
    );
    let mut lines: Vec<String> = entries
        .into_iter()
        .map(|(path, hash)| format!("{hash}  {path}"))
        .collect();
    lines.sort();
    lines.dedup();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// A relative path that stays inside the output directory and is none of unroot's own
/// bookkeeping names.
fn checked_relative(path: &str) -> Result<PathBuf, Failure> {
    let p = Path::new(path);
    let first = p.components().next().and_then(|c| c.as_os_str().to_str());
    let ok = !path.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && !matches!(first, Some(MANIFEST | LOCK))
        && !first.is_some_and(|f| f.starts_with(STAGING_PREFIX));
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(usage(format!(
            "refusing to write `{}`: generated paths must be relative and stay inside the \
             output directory",
            one_line(path)
        )))
    }
}

/// Open handles on the output directory and the sub-directories below it, each opened
/// relative to its parent with `O_NOFOLLOW`: a symlink anywhere below `D` is refused.
struct Tree {
    /// `D` as given (for messages).
    path: PathBuf,
    /// Relative directory ("" is `D`) -> its handle.
    dirs: BTreeMap<PathBuf, OwnedFd>,
    /// Directories this run created, in creation order (removed again on rollback).
    created: Vec<PathBuf>,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Tree {
    /// Open `D` (following it: the operator named it). `None` when it does not exist.
    fn open(path: &Path) -> Result<Option<Self>, Failure> {
        match rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => Ok(Some(Self {
                path: path.to_path_buf(),
                dirs: BTreeMap::from([(PathBuf::new(), fd)]),
                created: Vec::new(),
            })),
            Err(Errno::NOENT) => Ok(None),
            Err(Errno::NOTDIR) => Err(usage(format!(
                "{} exists and is not a directory",
                one_line(&path.display().to_string())
            ))),
            Err(e) => Err(usage(format!(
                "cannot open {}: {e}",
                one_line(&path.display().to_string())
            ))),
        }
    }

    fn root(&self) -> BorrowedFd<'_> {
        self.dirs[Path::new("")].as_fd()
    }

    /// The handle of directory `rel` below `D`, never reached through a symlink. `None`
    /// when it does not exist and `create` is false.
    fn dir(&mut self, rel: &Path, create: bool) -> Result<Option<BorrowedFd<'_>>, Failure> {
        let mut at = PathBuf::new();
        for component in rel.components() {
            let name = component.as_os_str();
            let next = at.join(name);
            if !self.dirs.contains_key(&next) {
                let parent = self.dirs[&at].as_fd();
                let fd = match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
                    Err(Errno::NOENT) if create => {
                        rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o755))
                            .map_err(|e| self.io_error("create", &next, e.into()))?;
                        self.created.push(next.clone());
                        rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty())
                    }
                    Err(Errno::NOENT) => return Ok(None),
                    Err(e) => return Err(self.io_error("inspect", &next, e.into())),
                    Ok(st) => match FileType::from_raw_mode(st.st_mode) {
                        FileType::Directory => {
                            rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty())
                        }
                        FileType::Symlink => return Err(self.symlink_error(&next)),
                        _ => {
                            return Err(usage(format!(
                                "{} exists and is not a directory; nothing was written",
                                shown(&self.path, &next)
                            )));
                        }
                    },
                };
                // ELOOP: it was swapped for a symlink since the check above.
                let fd = fd.map_err(|e| match e {
                    Errno::LOOP | Errno::NOTDIR => self.symlink_error(&next),
                    e => self.io_error("open", &next, e.into()),
                })?;
                self.dirs.insert(next.clone(), fd);
            }
            at = next;
        }
        Ok(self.dirs.get(&at).map(|fd| fd.as_fd()))
    }

    fn symlink_error(&self, rel: &Path) -> Failure {
        usage(format!(
            "{} is a symbolic link; unroot never writes or deletes through one below the output \
             directory (replace it by a real directory); nothing was written",
            shown(&self.path, rel)
        ))
    }

    fn io_error(&self, what: &str, rel: &Path, e: io::Error) -> Failure {
        usage(format!("cannot {what} {}: {e}", shown(&self.path, rel)))
    }

    /// The regular file `rel` below `D`: its mode and content, `None` when missing.
    /// A symlink or anything else where a file belongs is refused, even with `--force`.
    fn read_file(&mut self, rel: &Path) -> Result<Option<(u32, Vec<u8>)>, Failure> {
        let (parent, name) = split(rel);
        let path = self.path.clone();
        let Some(dir) = self.dir(parent, false)? else {
            return Ok(None);
        };
        let st = match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(usage(format!("cannot inspect {}: {e}", shown(&path, rel)))),
        };
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(usage(format!(
                "{} exists and is not a regular file; move it away and run again",
                shown(&path, rel)
            )));
        }
        let read = || -> io::Result<Vec<u8>> {
            let fd = rustix::fs::openat(
                dir,
                name,
                OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            let mut bytes = Vec::with_capacity(st.st_size.max(0) as usize);
            File::from(fd).read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        let bytes = read().map_err(|e| usage(format!("cannot read {}: {e}", shown(&path, rel))))?;
        Ok(Some((st.st_mode & 0o7777, bytes)))
    }

    fn manifest(&mut self) -> Result<Manifest, Failure> {
        match self.read_file(Path::new(MANIFEST))? {
            Some((_, bytes)) => parse_manifest(&String::from_utf8_lossy(&bytes), &self.path),
            None => Ok(Manifest::new()),
        }
    }
}

/// `quadlet/web.container` -> (`quadlet`, `web.container`).
fn split(rel: &Path) -> (&Path, &std::ffi::OsStr) {
    (
        rel.parent().unwrap_or(Path::new("")),
        rel.file_name().unwrap_or_default(),
    )
}

/// What is on disk where a generated file goes.
enum Existing {
    Missing,
    Same {
        mode: u32,
    },
    /// Differs, but is exactly what unroot wrote last time.
    Ours,
    /// Differs and was not written by unroot (or was edited since).
    Foreign,
}

fn inspect(
    tree: &mut Tree,
    file: &GeneratedFile,
    manifest: &Manifest,
) -> Result<Existing, Failure> {
    let Some((mode, current)) = tree.read_file(Path::new(&file.path))? else {
        return Ok(Existing::Missing);
    };
    if current == file.content.as_bytes() {
        return Ok(Existing::Same { mode });
    }
    let ours = manifest
        .get(&file.path)
        .is_some_and(|hashes| hashes.contains(&fingerprint(&current)));
    Ok(if ours {
        Existing::Ours
    } else {
        Existing::Foreign
    })
}

/// A file of an earlier run that this run no longer generates.
fn inspect_stale(
    tree: &mut Tree,
    path: &str,
    hashes: &BTreeSet<String>,
) -> Result<Option<bool>, Failure> {
    Ok(tree
        .read_file(Path::new(path))?
        .map(|(_, bytes)| hashes.contains(&fingerprint(&bytes))))
}

/// What [`write_files`] will do with one file (or one stale file of an earlier run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Not there yet: written.
    Create,
    /// Already has this content: not touched.
    Keep,
    /// Same content, wrong mode: only the mode is fixed.
    FixMode,
    /// unroot wrote it last and nobody changed it: replaced without `--force`.
    Update,
    /// Differs and unroot did not write it, or it was edited since: needs `--force`.
    Conflict,
    /// Written by an earlier run, no longer generated, unmodified: removed.
    RemoveStale,
    /// Written by an earlier run, no longer generated, but edited: left in place.
    KeepStale,
}

/// The actions for `files` against what `tree` holds, in order: the generated files, then
/// the stale files of earlier runs.
fn decide_in(
    tree: &mut Tree,
    manifest: &Manifest,
    files: &[GeneratedFile],
) -> Result<Vec<Action>, Failure> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        out.push(match inspect(tree, f, manifest)? {
            Existing::Missing => Action::Create,
            Existing::Same { mode } if mode == f.mode => Action::Keep,
            Existing::Same { .. } => Action::FixMode,
            Existing::Ours => Action::Update,
            Existing::Foreign => Action::Conflict,
        });
    }
    Ok(out)
}

/// Stale files of earlier runs: (path, removable because unmodified).
fn stale_in(
    tree: &mut Tree,
    manifest: &Manifest,
    files: &[GeneratedFile],
) -> Result<Vec<(String, bool)>, Failure> {
    let current: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut out = Vec::new();
    for (path, hashes) in manifest {
        if current.contains(path.as_str()) {
            continue;
        }
        if let Some(unmodified) = inspect_stale(tree, path, hashes)? {
            out.push((path.clone(), unmodified));
        }
    }
    Ok(out)
}

/// Generated paths are valid and listed once: checked before anything is created.
fn check_file_set(files: &[GeneratedFile]) -> Result<(), Failure> {
    let mut seen = BTreeSet::new();
    for f in files {
        checked_relative(&f.path)?;
        if !seen.insert(f.path.as_str()) {
            return Err(usage(format!(
                "generated file set lists `{}` twice",
                one_line(&f.path)
            )));
        }
    }
    Ok(())
}

/// The plan of a write, file by file, without writing anything: the TUI shows it before
/// `w`, and [`write_files`] follows it, so the two can never disagree.
pub fn review(dir: &Path, files: &[GeneratedFile]) -> anyhow::Result<Vec<(String, Action)>> {
    check_file_set(files)?;
    let Some(mut tree) = Tree::open(dir)? else {
        return Ok(files
            .iter()
            .map(|f| (f.path.clone(), Action::Create))
            .collect());
    };
    let manifest = tree.manifest()?;
    let actions = decide_in(&mut tree, &manifest, files)?;
    let mut out: Vec<(String, Action)> =
        files.iter().map(|f| f.path.clone()).zip(actions).collect();
    for (path, unmodified) in stale_in(&mut tree, &manifest, files)? {
        let action = if unmodified {
            Action::RemoveStale
        } else {
            Action::KeepStale
        };
        out.push((path, action));
    }
    Ok(out)
}

/// Take the output directory's lock, waiting up to [`LOCK_WAIT`] for another run.
fn lock(tree: &Tree) -> Result<File, Failure> {
    let fd = rustix::fs::openat(
        tree.root(),
        LOCK,
        OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(|e| match e {
        Errno::LOOP => tree.symlink_error(Path::new(LOCK)),
        e => tree.io_error("open the lock file", Path::new(LOCK), e.into()),
    })?;
    let file = File::from(fd);
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(usage(format!(
                    "another unroot run is writing to {} (it holds {}); nothing was written, run \
                     again when it has finished",
                    one_line(&tree.path.display().to_string()),
                    LOCK
                )));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(tree.io_error("lock", Path::new(LOCK), e));
            }
        }
    }
}

/// Remove staging directories a crashed run left behind (called under the lock, so none
/// belongs to a live run). `remove_dir_all` does not follow symlinks.
fn remove_leftover_staging(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Write `files` under `dir`, all or nothing. Without `force`, refuses (writing nothing)
/// when a file that unroot did not write, or that was edited since, would be replaced.
pub fn write_files(
    dir: &Path,
    files: &[GeneratedFile],
    force: bool,
) -> anyhow::Result<WriteOutcome> {
    check_file_set(files)?;
    if fs::symlink_metadata(dir).is_err() {
        fs::create_dir_all(dir).map_err(|e| {
            usage(format!(
                "cannot create {}: {e}",
                one_line(&dir.display().to_string())
            ))
        })?;
    }
    let mut tree = Tree::open(dir)?.ok_or_else(|| {
        usage(format!(
            "{} vanished while unroot was writing it",
            one_line(&dir.display().to_string())
        ))
    })?;
    let _lock = lock(&tree)?;
    remove_leftover_staging(dir);

    // Decide everything before touching anything.
    let manifest = tree.manifest()?;
    let actions = decide_in(&mut tree, &manifest, files)?;
    let stale = stale_in(&mut tree, &manifest, files)?;
    let foreign: Vec<String> = files
        .iter()
        .zip(&actions)
        .filter(|(_, a)| **a == Action::Conflict)
        .map(|(f, _)| one_line(&f.path).into_owned())
        .collect();
    if !foreign.is_empty() && !force {
        return Err(usage(format!(
            "refusing to overwrite {} file(s) in {} that differ from what unroot would write and \
             were not written by it (or were edited since): {}; nothing was written (review them, \
             then re-run with --force to replace them)",
            foreign.len(),
            one_line(&dir.display().to_string()),
            foreign.join(", ")
        ))
        .into());
    }

    let mut outcome = WriteOutcome::default();
    let mut work = Work::default();
    for (f, action) in files.iter().zip(actions) {
        match action {
            Action::Keep => outcome.unchanged.push(f.path.clone()),
            Action::FixMode => {
                work.modes.push(f);
                outcome.mode_fixed.push(f.path.clone());
            }
            Action::Create => {
                work.writes.push((f, false));
                outcome.written.push(f.path.clone());
            }
            _ => {
                work.writes.push((f, true));
                outcome.written.push(f.path.clone());
            }
        }
    }
    for (path, unmodified) in stale {
        if unmodified {
            outcome.removed.push(path.clone());
            work.removes.push(path);
        } else {
            outcome.kept_stale.push(path);
        }
    }

    // The manifest lists what unroot wrote and still owns: the new set, plus stale files
    // that were edited and therefore stay (so they are still recognised next time).
    let mut entries: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.path.clone(), fingerprint(f.content.as_bytes())))
        .collect();
    for path in &outcome.kept_stale {
        for hash in &manifest[path] {
            entries.push((path.clone(), hash.clone()));
        }
    }
    let final_manifest = render_manifest(entries.iter().map(|(p, h)| (p.as_str(), h.as_str())));
    let current_manifest = tree
        .read_file(Path::new(MANIFEST))?
        .map(|(_, bytes)| bytes)
        .unwrap_or_default();
    if work.is_empty() && current_manifest == final_manifest.as_bytes() {
        return Ok(outcome);
    }
    // While files move, the manifest accepts both the old and the new content of each.
    let union = render_manifest(
        entries.iter().map(|(p, h)| (p.as_str(), h.as_str())).chain(
            manifest
                .iter()
                .flat_map(|(p, hs)| hs.iter().map(move |h| (p.as_str(), h.as_str()))),
        ),
    );
    work.manifest = final_manifest;
    work.union_manifest = union;
    commit(&mut tree, &work)?;
    Ok(outcome)
}

/// What a run changes in the output directory.
#[derive(Default)]
struct Work<'a> {
    /// Files to write, and whether each replaces an existing file.
    writes: Vec<(&'a GeneratedFile, bool)>,
    /// Files whose content is right but mode is not.
    modes: Vec<&'a GeneratedFile>,
    /// Unmodified stale files of an earlier run.
    removes: Vec<String>,
    manifest: String,
    union_manifest: String,
}

impl Work<'_> {
    fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.modes.is_empty() && self.removes.is_empty()
    }
}

/// One change made in `D`, with what puts it back.
enum Undo {
    /// A new file renamed into place; the previous one (if any) is saved under this name
    /// in the staging directory.
    Placed {
        rel: PathBuf,
        backup: Option<String>,
    },
    /// A stale file removed; saved under this name in the staging directory.
    Removed { rel: PathBuf, backup: String },
    /// A mode changed; the previous mode.
    Mode { rel: PathBuf, mode: u32 },
    /// The manifest replaced; the previous one (if any) in the staging directory.
    Manifest { backup: Option<String> },
}

/// Stage the whole set, sync once, then move it into place; on any failure, put `D` back.
fn commit(tree: &mut Tree, work: &Work<'_>) -> Result<(), Failure> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!("{STAGING_PREFIX}{}.{stamp}", std::process::id());
    let staging_path = tree.path.join(&name);
    let staged = stage(tree, &name, work);
    let result = staged.and_then(|staging| {
        let mut undo = Vec::new();
        match install(tree, &staging, work, &mut undo) {
            Ok(()) => {
                // Renames are durable once their directories reach the disk: one more sync.
                rustix::fs::syncfs(tree.root())
                    .map_err(|e| tree.io_error("sync", Path::new(""), e.into()))?;
                Ok(())
            }
            Err(e) => {
                rollback(tree, &staging, undo);
                Err(usage(format!(
                    "{}; {} was put back as it was",
                    e.message,
                    one_line(&tree.path.display().to_string())
                )))
            }
        }
    });
    let _ = fs::remove_dir_all(&staging_path);
    result
}

/// Write every new file (with its final mode) and both manifests into a fresh staging
/// directory in `D`, then sync once. Nothing outside the staging directory changes.
fn stage(tree: &Tree, name: &str, work: &Work<'_>) -> Result<OwnedFd, Failure> {
    let root = tree.root();
    let fail = |e: io::Error| {
        usage(format!(
            "cannot write the file set into {}: {e}; nothing in it was changed",
            one_line(&tree.path.display().to_string())
        ))
    };
    rustix::fs::mkdirat(root, name, Mode::from_raw_mode(0o700)).map_err(|e| fail(e.into()))?;
    let staging =
        rustix::fs::openat(root, name, DIR_FLAGS, Mode::empty()).map_err(|e| fail(e.into()))?;
    let put = |staged: &str, content: &[u8], mode: u32| -> io::Result<()> {
        let fd = rustix::fs::openat(
            &staging,
            staged,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        )?;
        // The umask may have narrowed the mode at creation; set it exactly before content.
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
        let mut file = File::from(fd);
        file.write_all(content)?;
        Ok(())
    };
    for (index, (f, _)) in work.writes.iter().enumerate() {
        put(&format!("n{index}"), f.content.as_bytes(), f.mode).map_err(fail)?;
    }
    put("manifest", work.manifest.as_bytes(), 0o644).map_err(fail)?;
    put("manifest.union", work.union_manifest.as_bytes(), 0o644).map_err(fail)?;
    rustix::fs::syncfs(&staging).map_err(|e| fail(e.into()))?;
    Ok(staging)
}

/// Move the staged set into place, recording in `undo` how to reverse each step.
fn install(
    tree: &mut Tree,
    staging: &OwnedFd,
    work: &Work<'_>,
    undo: &mut Vec<Undo>,
) -> Result<(), Failure> {
    let path = tree.path.clone();
    let err = |what: &str, rel: &Path, e: Errno| {
        usage(format!("cannot {what} {}: {e}", shown(&path, rel)))
    };
    // Save what gets replaced or removed before the first change.
    let mut backups = BTreeMap::new();
    let saved: Vec<(PathBuf, String)> = work
        .writes
        .iter()
        .filter(|(_, replaces)| *replaces)
        .map(|(f, _)| PathBuf::from(&f.path))
        .chain(work.removes.iter().map(PathBuf::from))
        .enumerate()
        .map(|(index, rel)| (rel, format!("b{index}")))
        .collect();
    for (rel, backup) in saved {
        let (parent, name) = split(&rel);
        let dir = tree
            .dir(parent, false)?
            .ok_or_else(|| err("save", &rel, Errno::NOENT))?;
        rustix::fs::linkat(dir, name, staging, backup.as_str(), AtFlags::empty())
            .map_err(|e| err("save", &rel, e))?;
        backups.insert(rel, backup);
    }
    let manifest_backup = match rustix::fs::linkat(
        tree.root(),
        MANIFEST,
        staging,
        "manifest.prev",
        AtFlags::empty(),
    ) {
        Ok(()) => Some("manifest.prev".to_string()),
        Err(Errno::NOENT) => None,
        Err(e) => return Err(err("save", Path::new(MANIFEST), e)),
    };

    rustix::fs::renameat(staging, "manifest.union", tree.root(), MANIFEST)
        .map_err(|e| err("write", Path::new(MANIFEST), e))?;
    undo.push(Undo::Manifest {
        backup: manifest_backup,
    });
    for (index, (f, _)) in work.writes.iter().enumerate() {
        let rel = PathBuf::from(&f.path);
        let (parent, name) = split(&rel);
        fault::check()?;
        let dir = tree
            .dir(parent, true)?
            .ok_or_else(|| err("create", parent, Errno::NOENT))?;
        rustix::fs::renameat(staging, format!("n{index}").as_str(), dir, name)
            .map_err(|e| err("write", &rel, e))?;
        let backup = backups.get(&rel).cloned();
        undo.push(Undo::Placed { rel, backup });
    }
    for path in &work.removes {
        let rel = PathBuf::from(path);
        let (parent, name) = split(&rel);
        let dir = tree
            .dir(parent, false)?
            .ok_or_else(|| err("remove", &rel, Errno::NOENT))?;
        rustix::fs::unlinkat(dir, name, AtFlags::empty())
            .map_err(|e| err("remove stale", &rel, e))?;
        let backup = backups[&rel].clone();
        undo.push(Undo::Removed { rel, backup });
    }
    for f in &work.modes {
        let rel = PathBuf::from(&f.path);
        let (parent, name) = split(&rel);
        let dir = tree
            .dir(parent, false)?
            .ok_or_else(|| err("chmod", &rel, Errno::NOENT))?;
        let fd = rustix::fs::openat(
            dir,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| err("open", &rel, e))?;
        let old = rustix::fs::fstat(&fd)
            .map_err(|e| err("inspect", &rel, e))?
            .st_mode
            & 0o7777;
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(f.mode))
            .map_err(|e| err("set the mode of", &rel, e))?;
        undo.push(Undo::Mode { rel, mode: old });
    }
    fault::check()?;
    rustix::fs::renameat(staging, "manifest", tree.root(), MANIFEST)
        .map_err(|e| err("write", Path::new(MANIFEST), e))?;
    Ok(())
}

/// Reverse `undo`, last change first, then remove the directories this run created.
/// Best effort: each step is independent, and a step that fails does not stop the others.
fn rollback(tree: &mut Tree, staging: &OwnedFd, undo: Vec<Undo>) {
    for step in undo.into_iter().rev() {
        match step {
            Undo::Placed { rel, backup } => {
                let (parent, name) = split(&rel);
                if let Ok(Some(dir)) = tree.dir(parent, false) {
                    let _ = match backup {
                        Some(b) => rustix::fs::renameat(staging, b.as_str(), dir, name),
                        None => rustix::fs::unlinkat(dir, name, AtFlags::empty()),
                    };
                }
            }
            Undo::Removed { rel, backup } => {
                let (parent, name) = split(&rel);
                if let Ok(Some(dir)) = tree.dir(parent, false) {
                    let _ = rustix::fs::renameat(staging, backup.as_str(), dir, name);
                }
            }
            Undo::Mode { rel, mode } => {
                let (parent, name) = split(&rel);
                if let Ok(Some(dir)) = tree.dir(parent, false)
                    && let Ok(fd) = rustix::fs::openat(
                        dir,
                        name,
                        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                {
                    let _ = rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode));
                }
            }
            Undo::Manifest { backup } => {
                let _ = match backup {
                    Some(b) => rustix::fs::renameat(staging, b.as_str(), tree.root(), MANIFEST),
                    None => rustix::fs::unlinkat(tree.root(), MANIFEST, AtFlags::empty()),
                };
            }
        }
    }
    for rel in std::mem::take(&mut tree.created).into_iter().rev() {
        let (parent, name) = split(&rel);
        tree.dirs.remove(&rel);
        if let Ok(Some(dir)) = tree.dir(parent, false) {
            let _ = rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR);
        }
    }
    let _ = rustix::fs::syncfs(tree.root());
}

/// Fault injection for the rollback tests: fail the N-th move of a run.
#[cfg(test)]
mod fault {
    use std::cell::Cell;

    thread_local! {
        pub static FAIL_AT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    pub fn check() -> Result<(), crate::exit::Failure> {
        FAIL_AT.with(|at| match at.get() {
            Some(0) => {
                at.set(None);
                Err(crate::exit::Failure::usage("injected failure"))
            }
            Some(n) => {
                at.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        })
    }
}

#[cfg(not(test))]
mod fault {
    pub fn check() -> Result<(), crate::exit::Failure> {
        Ok(())
    }
}

/// Write one file atomically: a temporary sibling created with the final mode, synced,
/// then renamed over `target`. The temporary file is removed on any error.
pub fn write_atomic(target: &Path, content: &[u8], mode: u32) -> anyhow::Result<()> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", parent.display())))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.unroot-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        // The umask may have narrowed the mode at creation; set it exactly.
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&tmp, target)?;
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Failure::usage(format!("cannot write {}: {e}", target.display())).into());
    }
    Ok(())
}

/// Write a single file (e.g. the plan) with the same rule as [`write_files`] minus the
/// manifest: an existing file with other content is only replaced with `force`.
pub fn write_single(target: &Path, content: &str, mode: u32, force: bool) -> anyhow::Result<bool> {
    match fs::symlink_metadata(target) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(Failure::usage(format!(
                "{} exists and is not a regular file",
                target.display()
            ))
            .into());
        }
        Ok(_) => {
            let current = fs::read(target)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", target.display())))?;
            if current == content.as_bytes() {
                return Ok(false);
            }
            if !force {
                return Err(Failure::usage(format!(
                    "{} exists with other content; nothing was written (use --force to replace it)",
                    target.display()
                ))
                .into());
            }
        }
        Err(_) => {}
    }
    write_atomic(target, content.as_bytes(), mode)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, mode: u32, content: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            mode,
            content: content.to_string(),
        }
    }

    fn mode_of(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn writes_modes_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            file("env/web.env", 0o600, "A=1\n"),
            file("migrate.sh", 0o755, "#!/bin/sh\n"),
            file("quadlet/web.container", 0o644, "[Container]\n"),
        ];
        let first = write_files(dir.path(), &files, false).unwrap();
        assert_eq!(first.written.len(), 3);
        assert_eq!(mode_of(&dir.path().join("env/web.env")), 0o600);
        assert_eq!(mode_of(&dir.path().join("migrate.sh")), 0o755);
        let mtime = fs::metadata(dir.path().join("quadlet/web.container"))
            .unwrap()
            .modified()
            .unwrap();
        let second = write_files(dir.path(), &files, false).unwrap();
        assert!(second.written.is_empty());
        assert_eq!(second.unchanged.len(), 3);
        let mtime2 = fs::metadata(dir.path().join("quadlet/web.container"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(mtime, mtime2, "an unchanged file must not be rewritten");
        // No temporary files left behind.
        let leftovers: Vec<_> = walk(dir.path())
            .into_iter()
            .filter(|p| p.contains("unroot-tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn replaces_own_files_but_refuses_edited_ones() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = vec![file("a", 0o644, "one\n"), file("b", 0o644, "b\n")];
        write_files(dir.path(), &v1, false).unwrap();
        // unroot's own previous output is replaced without --force.
        let v2 = vec![file("a", 0o644, "two\n"), file("b", 0o644, "b\n")];
        let out = write_files(dir.path(), &v2, false).unwrap();
        assert_eq!(out.written, vec!["a".to_string()]);
        // A hand edit makes the next write refuse and change nothing.
        fs::write(dir.path().join("b"), "edited\n").unwrap();
        let v3 = vec![file("a", 0o644, "three\n"), file("b", 0o644, "b2\n")];
        let err = write_files(dir.path(), &v3, false).unwrap_err();
        assert!(err.to_string().contains(": b;"), "{err}");
        assert_eq!(crate::exit::code_of(&err), crate::exit::USAGE);
        assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), "two\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("b")).unwrap(),
            "edited\n"
        );
        // --force replaces it.
        write_files(dir.path(), &v3, true).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("b")).unwrap(), "b2\n");
    }

    #[test]
    fn removes_own_stale_files_keeps_edited_ones() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = vec![
            file("a", 0o644, "a\n"),
            file("b", 0o644, "b\n"),
            file("c", 0o644, "c\n"),
        ];
        write_files(dir.path(), &v1, false).unwrap();
        fs::write(dir.path().join("c"), "mine\n").unwrap();
        let out = write_files(dir.path(), &[file("a", 0o644, "a\n")], false).unwrap();
        assert_eq!(out.removed, vec!["b".to_string()]);
        assert_eq!(out.kept_stale, vec!["c".to_string()]);
        assert!(!dir.path().join("b").exists());
        assert!(dir.path().join("c").exists());
    }

    #[test]
    fn rejects_escaping_paths_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_files(dir.path(), &[file("../x", 0o644, "")], false).is_err());
        assert!(write_files(dir.path(), &[file("/etc/x", 0o644, "")], false).is_err());
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        let err = write_files(dir.path(), &[file("link", 0o644, "x")], true).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn review_predicts_what_write_does() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = vec![
            file("a", 0o644, "a\n"),
            file("b", 0o644, "b\n"),
            file("gone", 0o644, "g\n"),
        ];
        write_files(dir.path(), &v1, false).unwrap();
        fs::write(dir.path().join("b"), "edited\n").unwrap();
        let v2 = vec![
            file("a", 0o644, "a2\n"),
            file("b", 0o644, "b2\n"),
            file("new", 0o600, "n\n"),
        ];
        let plan: BTreeMap<String, Action> = review(dir.path(), &v2).unwrap().into_iter().collect();
        assert_eq!(plan["a"], Action::Update);
        assert_eq!(plan["b"], Action::Conflict);
        assert_eq!(plan["new"], Action::Create);
        assert_eq!(plan["gone"], Action::RemoveStale);
        assert!(
            write_files(dir.path(), &v2, false).is_err(),
            "the conflict refuses"
        );
        let out = write_files(dir.path(), &v2, true).unwrap();
        assert_eq!(out.removed, vec!["gone".to_string()]);
    }

    #[test]
    fn fixes_a_loosened_mode_without_rewriting() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![file("env/x.env", 0o600, "S=1\n")];
        write_files(dir.path(), &files, false).unwrap();
        fs::set_permissions(
            dir.path().join("env/x.env"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let out = write_files(dir.path(), &files, false).unwrap();
        assert_eq!(out.mode_fixed, vec!["env/x.env".to_string()]);
        assert_eq!(mode_of(&dir.path().join("env/x.env")), 0o600);
    }

    /// Every entry below `dir` (not following symlinks) with its kind, mode and content:
    /// two equal snapshots mean nothing was written, removed or re-moded.
    fn snapshot(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let key = p.display().to_string();
            if meta.file_type().is_symlink() {
                out.insert(key, format!("-> {}", fs::read_link(&p).unwrap().display()));
            } else if meta.is_dir() {
                out.insert(key, format!("dir {:o}", meta.permissions().mode() & 0o7777));
                out.extend(snapshot(&p));
            } else {
                let content = fs::read_to_string(&p).unwrap_or_default();
                out.insert(
                    key,
                    format!("{:o} {content}", meta.permissions().mode() & 0o7777),
                );
            }
        }
        out
    }

    fn set_v1() -> Vec<GeneratedFile> {
        vec![
            file("env/web.env", 0o600, "A=1\n"),
            file("migrate.sh", 0o755, "#!/bin/sh\n"),
            file("quadlet/web.container", 0o644, "[Container]\n"),
            file("quadlet/db.container", 0o644, "[Container]\nImage=db\n"),
        ]
    }

    fn set_v2() -> Vec<GeneratedFile> {
        vec![
            file("env/web.env", 0o600, "A=2\n"),
            file("migrate.sh", 0o755, "#!/bin/sh\necho 2\n"),
            file("quadlet/web.container", 0o644, "[Container]\nImage=web2\n"),
            file("quadlet/new.container", 0o644, "[Container]\nImage=new\n"),
        ]
    }

    #[test]
    fn symlinked_sub_directories_are_refused_with_nothing_written() {
        for sub in ["quadlet", "env"] {
            let dir = tempfile::tempdir().unwrap();
            let elsewhere = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(sub)).unwrap();
            let before = snapshot(dir.path());
            for force in [false, true] {
                let err = write_files(dir.path(), &set_v1(), force).unwrap_err();
                let m = err.to_string();
                assert!(
                    m.contains(&format!("{sub} is a symbolic link")) && !m.contains('\n'),
                    "{m}"
                );
                assert_eq!(crate::exit::code_of(&err), crate::exit::USAGE);
                let review_err = review(dir.path(), &set_v1()).unwrap_err();
                assert!(review_err.to_string().contains("symbolic link"));
            }
            assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
            // Only the lock file is new; no file, no manifest, no staging directory.
            let mut after = snapshot(dir.path());
            after.remove(&dir.path().join(LOCK).display().to_string());
            assert_eq!(before, after, "{sub}");
        }
    }

    #[test]
    fn stale_cleanup_never_deletes_through_a_symlink_or_outside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), &set_v1(), false).unwrap();
        // Someone replaces quadlet/ by a symlink to a directory holding a file with the
        // content the manifest records: stale cleanup would delete it there.
        let elsewhere = tempfile::tempdir().unwrap();
        fs::write(
            elsewhere.path().join("db.container"),
            "[Container]\nImage=db\n",
        )
        .unwrap();
        fs::remove_dir_all(dir.path().join("quadlet")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("quadlet")).unwrap();
        let before = snapshot(dir.path());
        let only_web = vec![file("env/web.env", 0o600, "A=1\n")];
        let err = write_files(dir.path(), &only_web, true).unwrap_err();
        assert!(
            err.to_string().contains("quadlet is a symbolic link"),
            "{err}"
        );
        assert!(elsewhere.path().join("db.container").exists());
        assert_eq!(before, snapshot(dir.path()));

        // A manifest entry that leaves the directory is refused, naming its line.
        let dir = tempfile::tempdir().unwrap();
        let victim = tempfile::tempdir().unwrap();
        fs::write(victim.path().join("x"), "x\n").unwrap();
        let rel = format!(
            "../{}/x",
            victim.path().file_name().unwrap().to_string_lossy()
        );
        fs::write(
            dir.path().join(MANIFEST),
            format!("# c\n{}  {rel}\n", fingerprint(b"x\n")),
        )
        .unwrap();
        let before = snapshot(dir.path());
        let err = write_files(dir.path(), &only_web, true).unwrap_err();
        let m = err.to_string();
        assert!(
            m.contains(".unroot-manifest:2:") && m.contains("leaves the output"),
            "{m}"
        );
        assert!(victim.path().join("x").exists());
        let mut after = snapshot(dir.path());
        after.remove(&dir.path().join(LOCK).display().to_string());
        assert_eq!(before, after);
    }

    #[test]
    fn a_failure_while_moving_puts_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), &set_v1(), false).unwrap();
        // A loosened mode, fixed by the next run, must come back loosened too.
        fs::set_permissions(
            dir.path().join("env/web.env"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let before = snapshot(dir.path());
        let mut v2 = set_v2();
        v2.push(file("env/web2.env", 0o600, "B=1\n"));
        for fail_at in 0..=v2.len() {
            fault::FAIL_AT.with(|f| f.set(Some(fail_at)));
            let err = write_files(dir.path(), &v2, false).unwrap_err();
            assert!(err.to_string().contains("put back as it was"), "{err}");
            assert_eq!(before, snapshot(dir.path()), "failing at move {fail_at}");
        }
        fault::FAIL_AT.with(|f| f.set(None));
        // The next run is not refused and lands the whole set.
        let out = write_files(dir.path(), &v2, false).unwrap();
        assert_eq!(out.removed, vec!["quadlet/db.container".to_string()]);
        assert_eq!(
            fs::read_to_string(dir.path().join("quadlet/new.container")).unwrap(),
            "[Container]\nImage=new\n"
        );
    }

    #[test]
    fn a_crash_while_moving_is_not_refused_next_time() {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), &set_v1(), false).unwrap();
        // What a crash mid-move leaves: the union manifest, one new file in place, the
        // rest old, and a staging directory.
        let v2 = set_v2();
        let mut entries: Vec<(String, String)> = v2
            .iter()
            .chain(set_v1().iter())
            .map(|f| (f.path.clone(), fingerprint(f.content.as_bytes())))
            .collect();
        entries.sort();
        fs::write(
            dir.path().join(MANIFEST),
            render_manifest(entries.iter().map(|(p, h)| (p.as_str(), h.as_str()))),
        )
        .unwrap();
        fs::write(dir.path().join("migrate.sh"), "#!/bin/sh\necho 2\n").unwrap();
        fs::create_dir(dir.path().join(".unroot-staging.1.2")).unwrap();
        fs::write(dir.path().join(".unroot-staging.1.2/n0"), "x").unwrap();
        write_files(dir.path(), &v2, false).unwrap();
        assert!(!dir.path().join(".unroot-staging.1.2").exists());
        let manifest = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert_eq!(
            manifest.lines().filter(|l| !l.starts_with('#')).count(),
            v2.len()
        );
        // Nothing else than the set, the manifest and the lock file is left.
        let names: BTreeSet<String> = walk(dir.path()).into_iter().collect();
        let mut want: BTreeSet<String> = v2
            .iter()
            .map(|f| dir.path().join(&f.path).display().to_string())
            .collect();
        want.insert(dir.path().join(MANIFEST).display().to_string());
        want.insert(dir.path().join(LOCK).display().to_string());
        assert_eq!(names, want);
    }

    #[test]
    fn a_full_disk_leaves_the_directory_unchanged() {
        let mnt = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(mnt.path())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            assert_ne!(uzers::get_current_uid(), 0, "root could not mount a tmpfs");
            eprintln!(
                "NOTICE: a_full_disk_leaves_the_directory_unchanged skipped (cannot mount a tmpfs: not root)"
            );
            return;
        }
        struct Unmount<'a>(&'a Path);
        impl Drop for Unmount<'_> {
            fn drop(&mut self) {
                let _ = std::process::Command::new("umount").arg(self.0).status();
            }
        }
        let _guard = Unmount(mnt.path());
        let dir = mnt.path().join("out");
        write_files(&dir, &set_v1(), false).unwrap();
        let before = snapshot(&dir);
        let mut big = set_v2();
        big.push(file(
            "quadlet/huge.container",
            0o644,
            &"x".repeat(200 * 1024),
        ));
        let err = write_files(&dir, &big, false).unwrap_err();
        let m = err.to_string();
        assert!(
            m.contains("nothing in it was changed") && !m.contains('\n'),
            "{m}"
        );
        assert_eq!(before, snapshot(&dir));
        // The next run (with room) is not refused.
        write_files(&dir, &set_v2(), false).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("env/web.env")).unwrap(),
            "A=2\n"
        );
    }

    #[test]
    fn a_second_run_waits_for_the_lock_or_says_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), &set_v1(), false).unwrap();
        let held = File::options()
            .read(true)
            .write(true)
            .open(dir.path().join(LOCK))
            .unwrap();
        held.lock().unwrap();
        let started = Instant::now();
        let err = write_files(dir.path(), &set_v2(), false).unwrap_err();
        assert!(err.to_string().contains("another unroot run"), "{err}");
        assert!(started.elapsed() >= LOCK_WAIT);
        assert_eq!(
            fs::read_to_string(dir.path().join("env/web.env")).unwrap(),
            "A=1\n"
        );
        // Released while the second run waits: it proceeds.
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            held.unlock().unwrap();
        });
        write_files(dir.path(), &set_v2(), false).unwrap();
        releaser.join().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("env/web.env")).unwrap(),
            "A=2\n"
        );
    }

    fn walk(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
        out
    }
}
