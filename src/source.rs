//! Choose where the inventory comes from: `--demo`, `--snapshot FILE`, or the Docker socket.

use crate::cli::GlobalArgs;
use crate::docker::Progress;
use crate::model::Inventory;

/// Load the inventory the global flags point at. Docker errors carry exit code 3, bad
/// snapshot files exit code 2 (see [`crate::exit`]).
pub async fn load(
    global: &GlobalArgs,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    let _ = (global, progress);
    unimplemented!("inventory loading: issue 2")
}
