//! Renderers: the only code that turns the typed model into text.
//!
//! Every value that came from Docker, a snapshot or a plan is hostile until it passes through
//! one of these paths: [`text::one_line`] for anything shown to a person (terminal, logs,
//! REPORT.md, plan comments, script comments and messages).

pub mod fleet;
pub mod shell;
pub mod step_text;
pub mod text;
pub mod yaml;
