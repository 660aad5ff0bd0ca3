//! `unroot snapshot`: save the inventory as a versioned JSON file.
//!
//! Snapshots hold environment values (often secrets), so the file is created 0600 from the
//! first byte, written to a temporary sibling and renamed (never half-written), and an
//! existing different file is only replaced with `--force`: the shared
//! [`output::write_single`] rule, used here with [`SNAPSHOT_MODE`].

use std::path::Path;

use anyhow::Result;

use crate::cli::{GlobalArgs, SnapshotArgs};
use crate::exit::{self, Failure};
use crate::model::Inventory;
use crate::{output, source};

/// Owner read/write only: the snapshot contains environment values.
pub const SNAPSHOT_MODE: u32 = 0o600;

pub async fn run(global: &GlobalArgs, args: &SnapshotArgs) -> Result<u8> {
    let inventory = source::load(global, None).await?;
    let text = render(&inventory)?;
    if args.output.as_os_str() == "-" {
        exit::write_stdout(&text)?;
        return Ok(exit::OK);
    }
    require_parent_dir(&args.output)?;
    let written = output::write_single(&args.output, &text, SNAPSHOT_MODE, args.force)?;
    exit::stderr_line(&format!(
        "unroot: {} {} containers, {} images from {} to {} (mode 0600: it contains environment values)",
        if written { "saved" } else { "unchanged:" },
        inventory.containers.len(),
        inventory.images.len(),
        inventory.source,
        args.output.display()
    ));
    Ok(exit::OK)
}

/// Pretty JSON with a final newline; stable order (the model sorts its lists).
pub fn render(inventory: &Inventory) -> Result<String> {
    let mut text = serde_json::to_string_pretty(inventory)?;
    text.push('\n');
    Ok(text)
}

/// The shared writer creates missing parent directories (right for generated trees); a
/// snapshot path with a missing directory is more likely a typo, so it is refused instead of
/// silently growing a directory tree that holds secrets.
fn require_parent_dir(target: &Path) -> Result<()> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if parent.is_dir() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "cannot write snapshot {}: directory {} does not exist; create it first or choose another -o path",
        target.display(),
        parent.display()
    ))
    .into())
}
