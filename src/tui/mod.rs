//! The interactive terminal session (issue 6), in The Elm Architecture as ratatui documents
//! it: [`state::App`] holds everything shown, [`update::update`] turns messages into state
//! changes (pure), [`view::draw`] renders a frame from state (pure), and [`run`] wires the
//! terminal, the input stream and the loader task together.

pub mod actions;
pub mod decisions;
pub mod event;
#[cfg(test)]
pub mod fixtures;
pub mod keymap;
pub mod msg;
pub mod preview;
pub mod run;
pub mod settings;
pub mod state;
pub mod target;
pub mod update;
pub mod view;

pub use run::run;
