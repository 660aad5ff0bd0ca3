//! The only code that talks to the Docker socket. Read-only: GET requests only.

mod bind_owners;
pub mod connect;
pub mod endpoint;
pub mod normalize;
mod read;

pub use endpoint::Endpoint;
pub use read::read_inventory;

/// Inventory progress, for the TUI's loading bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub inspected: usize,
    pub total: usize,
}
