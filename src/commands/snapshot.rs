//! `unroot snapshot`: save the inventory as a versioned JSON file.
//!
//! Snapshots hold environment values (often secrets), so the file is created 0600 from the
//! first byte, written to a temporary sibling and renamed (never half-written), and an
//! existing different file is only replaced with `--force`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Result;

use crate::cli::{GlobalArgs, SnapshotArgs};
use crate::exit::{self, Failure};
use crate::model::Inventory;
use crate::source;

/// Owner read/write only: the snapshot contains environment values.
pub const SNAPSHOT_MODE: u32 = 0o600;

pub async fn run(global: &GlobalArgs, args: &SnapshotArgs) -> Result<u8> {
    let inventory = source::load(global, None).await?;
    let text = render(&inventory)?;
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::usage(format!("cannot write the snapshot to stdout: {e}")))?;
        return Ok(exit::OK);
    }
    let written = write_new_or_same(&args.output, text.as_bytes(), args.force)?;
    eprintln!(
        "unroot: {} {} containers, {} images from {} to {} (mode 0600: it contains environment values)",
        if written { "saved" } else { "unchanged:" },
        inventory.containers.len(),
        inventory.images.len(),
        inventory.source,
        args.output.display()
    );
    Ok(exit::OK)
}

/// Pretty JSON with a final newline; stable order (the model sorts its lists).
pub fn render(inventory: &Inventory) -> Result<String> {
    let mut text = serde_json::to_string_pretty(inventory)?;
    text.push('\n');
    Ok(text)
}

/// Write `content` to `target` unless a different file is there (then only with `force`).
/// Returns false when the file already had this exact content.
fn write_new_or_same(target: &Path, content: &[u8], force: bool) -> Result<bool> {
    let shown = target.display();
    match fs::symlink_metadata(target) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(Failure::usage(format!(
                "{shown} exists and is not a regular file; choose another -o path"
            ))
            .into());
        }
        Ok(_) => {
            let current = fs::read(target)
                .map_err(|e| Failure::usage(format!("cannot read existing {shown}: {e}")))?;
            if current == content {
                return Ok(false);
            }
            if !force {
                return Err(Failure::usage(format!(
                    "{shown} already exists with other content; nothing was written (use --force to replace it)"
                ))
                .into());
            }
        }
        Err(_) => {}
    }
    write_atomic(target, content)?;
    Ok(true)
}

/// Temporary sibling (same filesystem, so the rename is atomic), synced, renamed.
fn write_atomic(target: &Path, content: &[u8]) -> Result<()> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.unroot-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(SNAPSHOT_MODE)
            .open(&tmp)?;
        file.set_permissions(fs::Permissions::from_mode(SNAPSHOT_MODE))?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&tmp, target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(
            Failure::usage(format!("cannot write snapshot {}: {e}", target.display())).into(),
        );
    }
    Ok(())
}
