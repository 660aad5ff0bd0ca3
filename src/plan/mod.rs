//! The migration plan: what unroot found and what it decided, per container.
//!
//! The decision types live in [`crate::model::decision`] (the generators and the TUI read
//! them from there); they are re-exported here for the plan document and older imports.

pub use crate::model::decision::{
    ContainerDecision, DEFAULT_QUADLET_DIR, NetworkChoice, PrivilegedPortPolicy, SubIdRange,
    Target, VolumeStrategy,
};

/// The target unroot proposes for `user` (`unroot plan`, the TUI's start): the target is
/// usually this very host, so creating the user is proposed when it is missing here; the
/// reviewer can flip it in the plan.
pub fn proposed_target(user: &str, podman_version: &str) -> Target {
    Target {
        create_user: uzers::get_user_by_name(user).is_none(),
        ..Target::new(user, podman_version)
    }
}

pub mod bundle;
pub mod document;
pub mod load;
pub mod locate;
pub mod report;
pub mod script;
