//! The only code that talks to the Docker engine (a local socket, ssh://, TCP with TLS).
//! Read-only: GET requests only.

mod bind_owners;
pub mod connect;
pub mod context;
pub mod endpoint;
pub mod events;
pub mod normalize;
mod read;
pub mod ssh;

pub use endpoint::{Endpoint, Selection};
pub use normalize::from_docker_inspect_json;
pub use read::{Reread, read_containers, read_inventory};

/// Inventory progress, for the TUI's loading bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub inspected: usize,
    pub total: usize,
}
