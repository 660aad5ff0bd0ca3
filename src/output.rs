//! Writing a generated file set into a directory, safely.
//!
//! - Each file is written to a temporary file in its own directory and renamed over the
//!   target, so a reader (or a crash) never sees half a file; modes are set before any
//!   content lands (env files are 0600 from the first byte).
//! - A file is only replaced without `--force` when unroot wrote it last and nobody changed
//!   it since: `.unroot-manifest` records a content hash per written file. Anything else
//!   that exists and differs (a hand-edited unit, a file of another tool) makes the whole
//!   write refuse, listing those files, before a single byte is written.
//! - Files whose content is already right are not touched (no new mtime), so regenerating
//!   from an unchanged plan leaves the directory byte-identical.
//! - Files unroot wrote before but no longer generates (a container was excluded) are
//!   removed when unmodified, and kept with a warning when someone edited them.
//!
//! Library code shared by `unroot generate` and the TUI's write action.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use crate::exit::Failure;
use crate::generate::GeneratedFile;

/// Name of the manifest file in the output directory.
pub const MANIFEST: &str = ".unroot-manifest";

/// What a write did, file by file (relative paths).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// New files, and files whose content changed.
    pub written: Vec<String>,
    /// Same content already on disk; not touched (a wrong mode is fixed and listed here).
    pub unchanged: Vec<String>,
    /// Only the mode was corrected.
    pub mode_fixed: Vec<String>,
    /// Stale files from an earlier run, removed.
    pub removed: Vec<String>,
    /// Stale files from an earlier run that someone edited: left in place.
    pub kept_stale: Vec<String>,
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

fn read_manifest(dir: &Path) -> BTreeMap<String, String> {
    let Ok(text) = fs::read_to_string(dir.join(MANIFEST)) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (hash, path) = l.split_once("  ")?;
            Some((path.to_string(), hash.to_string()))
        })
        .collect()
}

fn render_manifest(files: &[GeneratedFile]) -> String {
    let mut out = String::from(
        "# Files written by unroot and their content fingerprints (FNV-1a 64).\n\
         # unroot replaces a listed file only while it still matches; edit freely, it will\n\
         # then refuse to overwrite your change without --force.\n",
    );
    let mut lines: Vec<String> = files
        .iter()
        .map(|f| format!("{}  {}", fingerprint(f.content.as_bytes()), f.path))
        .collect();
    lines.sort();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// A relative path that stays inside the output directory.
fn checked_relative(path: &str) -> Result<PathBuf, Failure> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && path != MANIFEST;
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(Failure::usage(format!(
            "refusing to write `{path}`: generated paths must be relative and stay inside the \
             output directory"
        )))
    }
}

enum Existing {
    Missing,
    Same {
        mode_ok: bool,
    },
    /// Differs, but is exactly what unroot wrote last time.
    Ours,
    /// Differs and was not written by unroot (or was edited since).
    Foreign,
}

fn inspect(
    target: &Path,
    file: &GeneratedFile,
    manifest: &BTreeMap<String, String>,
) -> Result<Existing, Failure> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot inspect {}: {e}",
                target.display()
            )));
        }
    };
    if !meta.file_type().is_file() {
        // A directory or a symlink where a file belongs: never replaced, even with --force
        // (a symlink could point anywhere on the host).
        return Err(Failure::usage(format!(
            "{} exists and is not a regular file; move it away and run again",
            target.display()
        )));
    }
    let current = fs::read(target)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", target.display())))?;
    if current == file.content.as_bytes() {
        return Ok(Existing::Same {
            mode_ok: meta.permissions().mode() & 0o7777 == file.mode,
        });
    }
    let ours = manifest
        .get(&file.path)
        .is_some_and(|hash| *hash == fingerprint(&current));
    Ok(if ours {
        Existing::Ours
    } else {
        Existing::Foreign
    })
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

/// The plan of a write, file by file, without writing anything: the TUI shows it before
/// `w`, and [`write_files`] follows it, so the two can never disagree.
pub fn review(dir: &Path, files: &[GeneratedFile]) -> anyhow::Result<Vec<(String, Action)>> {
    for f in files {
        checked_relative(&f.path)?;
    }
    let manifest = read_manifest(dir);
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let action = match inspect(&dir.join(&f.path), f, &manifest)? {
            Existing::Missing => Action::Create,
            Existing::Same { mode_ok: true } => Action::Keep,
            Existing::Same { mode_ok: false } => Action::FixMode,
            Existing::Ours => Action::Update,
            Existing::Foreign => Action::Conflict,
        };
        out.push((f.path.clone(), action));
    }
    let current: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for (path, hash) in &manifest {
        if current.contains(path.as_str()) || checked_relative(path).is_err() {
            continue;
        }
        match fs::read(dir.join(path)) {
            Ok(bytes) if fingerprint(&bytes) == *hash => {
                out.push((path.clone(), Action::RemoveStale))
            }
            Ok(_) => out.push((path.clone(), Action::KeepStale)),
            Err(_) => {}
        }
    }
    Ok(out)
}

/// Write `files` under `dir`. Without `force`, refuses (writing nothing) when a file that
/// unroot did not write, or that was edited since, would be replaced.
pub fn write_files(
    dir: &Path,
    files: &[GeneratedFile],
    force: bool,
) -> anyhow::Result<WriteOutcome> {
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        checked_relative(&f.path)?;
        if !seen.insert(f.path.as_str()) {
            return Err(
                Failure::usage(format!("generated file set lists `{}` twice", f.path)).into(),
            );
        }
    }
    if dir.exists() && !dir.is_dir() {
        return Err(
            Failure::usage(format!("{} exists and is not a directory", dir.display())).into(),
        );
    }
    let manifest = read_manifest(dir);

    // Decide everything before touching anything.
    let mut plan = Vec::with_capacity(files.len());
    let mut foreign = Vec::new();
    for f in files {
        let state = inspect(&dir.join(&f.path), f, &manifest)?;
        if matches!(state, Existing::Foreign) {
            foreign.push(f.path.clone());
        }
        plan.push((f, state));
    }
    if !foreign.is_empty() && !force {
        return Err(Failure::usage(format!(
            "refusing to overwrite {} file(s) in {} that differ from what unroot would write and \
             were not written by it (or were edited since): {}; nothing was written (review them, \
             then re-run with --force to replace them)",
            foreign.len(),
            dir.display(),
            foreign.join(", ")
        ))
        .into());
    }

    let mut outcome = WriteOutcome::default();
    fs::create_dir_all(dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
    for (f, state) in plan {
        let target = dir.join(&f.path);
        match state {
            Existing::Same { mode_ok: true } => outcome.unchanged.push(f.path.clone()),
            Existing::Same { mode_ok: false } => {
                fs::set_permissions(&target, fs::Permissions::from_mode(f.mode)).map_err(|e| {
                    Failure::usage(format!("cannot set the mode of {}: {e}", target.display()))
                })?;
                outcome.mode_fixed.push(f.path.clone());
            }
            Existing::Missing | Existing::Ours | Existing::Foreign => {
                write_atomic(&target, f.content.as_bytes(), f.mode)?;
                outcome.written.push(f.path.clone());
            }
        }
    }

    // Stale files of an earlier run.
    let current: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for (path, hash) in &manifest {
        if current.contains(path.as_str()) || checked_relative(path).is_err() {
            continue;
        }
        let target = dir.join(path);
        match fs::read(&target) {
            Ok(bytes) if fingerprint(&bytes) == *hash => {
                fs::remove_file(&target).map_err(|e| {
                    Failure::usage(format!("cannot remove stale {}: {e}", target.display()))
                })?;
                outcome.removed.push(path.clone());
            }
            Ok(_) => outcome.kept_stale.push(path.clone()),
            Err(_) => {}
        }
    }

    let manifest_text = render_manifest(files);
    let manifest_path = dir.join(MANIFEST);
    if fs::read_to_string(&manifest_path).ok().as_deref() != Some(manifest_text.as_str()) {
        write_atomic(&manifest_path, manifest_text.as_bytes(), 0o644)?;
    }
    Ok(outcome)
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
