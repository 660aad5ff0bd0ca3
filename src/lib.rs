//! unroot: move containers from rootful Docker to rootless Podman.
//!
//! Data flows one way: `docker/` (the only code touching the Docker socket) or a snapshot
//! -> [`model::Inventory`] -> pure [`risk`], [`generate`] and [`plan`] functions -> front
//! ends ([`commands`] for batch use, [`tui`] for the interactive session).

pub mod cli;
pub mod commands;
pub mod docker;
pub mod exit;
pub mod fleet;
pub mod generate;
pub mod logging;
pub mod migration;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
pub mod risk;
pub mod source;
pub mod tui;
pub mod verify;
