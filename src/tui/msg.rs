//! The messages `update` takes in and the effects it hands back: the vocabulary shared by
//! the run loop, the loader task and `update`, kept apart so none of them imports another.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::docker::Progress;

use super::actions::Exported;
use super::state::{Loaded, WriteReview};
use super::target::TargetCheck;

/// Everything that can happen to the TUI.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Progress(Progress),
    Loaded(Box<Loaded>),
    LoadFailed {
        message: String,
        code: u8,
    },
    /// The answer to [`Effect::ReviewWrite`].
    Reviewed(Result<WriteReview, String>),
    /// The answer to [`Effect::ExportPlan`].
    Exported(Result<Exported, String>),
    /// The answer to [`Effect::Write`]: the line to show.
    Written(Result<String, String>),
    /// The answer to [`Effect::CheckTarget`].
    TargetChecked(TargetCheck),
    /// SIGINT from outside the terminal.
    Interrupt,
}

/// Work the run loop does for `update` (file I/O), answering with a [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    ExportPlan {
        path: PathBuf,
        overwrite: bool,
    },
    ReviewWrite {
        dir: PathBuf,
    },
    Write {
        dir: PathBuf,
        overwrite: bool,
    },
    /// Take (`true`) or release the mouse.
    MouseCapture(bool),
    /// Ask the target's Podman socket whether it is ready for the decisions (readiness
    /// checks of `unroot verify`).
    CheckTarget,
}
