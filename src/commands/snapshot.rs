//! `unroot snapshot`.

use anyhow::Result;

use crate::cli::{GlobalArgs, SnapshotArgs};

pub async fn run(global: &GlobalArgs, args: &SnapshotArgs) -> Result<u8> {
    let _ = (global, args);
    anyhow::bail!("`unroot snapshot` is not built yet")
}
