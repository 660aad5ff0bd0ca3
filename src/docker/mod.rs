//! The only code that talks to the Docker socket. Read-only: GET requests only.

pub mod endpoint;
pub mod normalize;

pub use endpoint::Endpoint;

use crate::exit::Failure;
use crate::model::Inventory;

/// Inventory progress, for the TUI's loading bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub inspected: usize,
    pub total: usize,
}

/// Read the whole inventory of the engine at `endpoint`.
pub async fn read_inventory(
    endpoint: &Endpoint,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    let _ = progress;
    Err(Failure::docker(format!(
        "reading the Docker engine at {endpoint} is not built yet; use --snapshot FILE or --demo"
    ))
    .into())
}
