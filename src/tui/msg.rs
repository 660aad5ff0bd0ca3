//! The messages `update` takes in and the effects it hands back: the vocabulary shared by
//! the run loop, the loader task and `update`, kept apart so none of them imports another.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::docker::Progress;
use crate::docker::events::EngineEvent;

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
    /// The live engine's event stream (not for --snapshot/--demo): containers created,
    /// removed or changed, or the stream dropped or back.
    Engine(EngineEvent),
    /// The answer to [`Effect::Reread`]: the host with the named containers read again
    /// (assessed off the UI task), or why reading them failed. `generation` tells the run
    /// loop whether a later re-read superseded this one.
    Reread {
        generation: u64,
        result: Result<Box<Loaded>, String>,
    },
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
    /// Put text on the terminal's clipboard with OSC 52 (works over SSH when the terminal
    /// allows it).
    Copy(String),
    /// Read the inventory again (`r`): the loader answers with `Loaded` or `LoadFailed`.
    Reload,
    /// Read just these containers again (IDs named by engine events) and drop the `gone`
    /// ones; answered with [`Msg::Reread`]. The run loop turns it into a [`Effect::Reload`]
    /// when too many are pending or a whole read is under way.
    Reread {
        read: BTreeSet<String>,
        gone: BTreeSet<String>,
    },
    /// Take (`true`) or release the mouse.
    MouseCapture(bool),
    /// Ask the target's Podman socket whether it is ready for the decisions (readiness
    /// checks of `unroot verify`).
    CheckTarget,
}
