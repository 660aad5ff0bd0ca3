//! Everything the TUI shows, in one plain struct. Views are pure functions of [`App`];
//! only [`crate::tui::update`] changes it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::generate::Generated;
use crate::model::Inventory;
use crate::model::{ContainerDecision, Target};
use crate::risk::{Assessment, ContainerAssessment, Finding, Summary};

use super::target::TargetCheck;

/// The operator-facing words of one rule, from the risk catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleWords {
    pub title: String,
    /// What an attacker can do with it.
    pub explanation: String,
    pub remedy_docker: String,
    pub remedy_podman: String,
}

/// The loaded host: inventory, assessment and catalog words, fixed once loading ends.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub inventory: Inventory,
    pub host_findings: Vec<Finding>,
    /// Parallel to `inventory.containers`.
    pub assessments: Vec<ContainerAssessment>,
    /// Keyed by rule id; rules without words are shown by id.
    pub words: BTreeMap<String, RuleWords>,
    /// Counts per severity (host findings included) and containers with blockers.
    pub summary: Summary,
}

impl Loaded {
    /// Line the assessment up with the containers (by id, then name) and count once, so
    /// drawing a frame never walks all findings.
    pub fn new(
        inventory: Inventory,
        assessment: Assessment,
        words: BTreeMap<String, RuleWords>,
    ) -> Self {
        let by_id: HashMap<&str, &ContainerAssessment> = assessment
            .containers
            .iter()
            .map(|a| (a.container_id.as_str(), a))
            .collect();
        let by_name: HashMap<&str, &ContainerAssessment> = assessment
            .containers
            .iter()
            .map(|a| (a.container_name.as_str(), a))
            .collect();
        let assessments: Vec<ContainerAssessment> = inventory
            .containers
            .iter()
            .map(|c| {
                by_id
                    .get(c.id.as_str())
                    .filter(|a| a.container_name == c.name)
                    .or_else(|| by_name.get(c.name.as_str()))
                    .map(|a| (*a).clone())
                    .unwrap_or_else(|| ContainerAssessment {
                        container_id: c.id.clone(),
                        container_name: c.name.clone(),
                        score: 0,
                        findings: Vec::new(),
                    })
            })
            .collect();
        let summary = Summary::of(&assessment.host_findings, &assessments);
        Self {
            inventory,
            host_findings: assessment.host_findings,
            assessments,
            words,
            summary,
        }
    }

    pub fn words(&self, rule: &str) -> Option<&RuleWords> {
        self.words.get(rule)
    }
}

/// Where loading stands.
#[derive(Debug, Clone)]
pub enum Phase {
    Loading {
        inspected: usize,
        total: Option<usize>,
    },
    /// Loading failed: the same one-line message the CLI prints, and its exit code.
    Failed {
        message: String,
        code: u8,
    },
    Ready(Arc<Loaded>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    List,
    Detail,
    Migration,
    /// Host facts and host-wide findings.
    Host,
}

/// Which pane of the detail or migration screen has the focus (`Tab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    First,
    Second,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Worst first: worst severity, then score, then name.
    #[default]
    Risk,
    /// Natural order (`perf4` before `perf10`).
    Name,
    /// Image reference in natural order (`app:1.9` before `app:1.10`), then name.
    Image,
    /// Running first, then restarting, paused, created, removing, exited, dead; then name.
    State,
    /// Compose project (containers without one last), then name.
    Project,
    /// The MOVE column: blockers first, then changes, then ok; then risk.
    Verdict,
}

impl SortKey {
    /// The next key `s` picks: the list's columns left to right.
    pub fn next(self) -> Self {
        match self {
            SortKey::Risk => SortKey::Name,
            SortKey::Name => SortKey::Image,
            SortKey::Image => SortKey::State,
            SortKey::State => SortKey::Project,
            SortKey::Project => SortKey::Verdict,
            SortKey::Verdict => SortKey::Risk,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Risk => "risk",
            SortKey::Name => "name",
            SortKey::Image => "image",
            SortKey::State => "state",
            SortKey::Project => "project",
            SortKey::Verdict => "move",
        }
    }
}

/// What a prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    ExportPath,
    WriteDir,
    /// Target user of the container being edited.
    TargetUser,
    /// New host port for a privileged host port under the remap policy.
    RemapPort {
        original: u16,
    },
    /// One decision for every marked container (`include`, `user NAME`, ...).
    Bulk {
        count: usize,
    },
}

impl PromptKind {
    pub fn question(&self) -> String {
        match self {
            PromptKind::ExportPath => "Export the plan to (.json for JSON, else YAML):".into(),
            PromptKind::WriteDir => "Write the migration files into directory:".into(),
            PromptKind::TargetUser => {
                "Rootless user for this container (empty: plan default):".into()
            }
            PromptKind::Bulk { count } => format!(
                "Decision for the {count} marked container(s): include, exclude, user NAME (- for the plan default), network pasta|pod|host|none, ports sysctl|remap"
            ),
            PromptKind::RemapPort { original } => {
                format!(
                    "Host port to publish instead of {original} ({}-65535):",
                    crate::model::UNPRIVILEGED_PORT_START
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    /// The pre-filled text is selected: the first typed character replaces it (so typed
    /// text never gets appended to an offered path by accident), Backspace clears it.
    pub selected: bool,
    /// Why the last input was refused.
    pub error: Option<String>,
}

/// How a file `w` would write compares with what is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    New,
    Same,
    /// unroot wrote it last and nobody changed it: `y` replaces it.
    Differs,
    /// Differs, and unroot did not write it or it was edited since: `y` writes nothing
    /// while such a file exists, `o` replaces it.
    Edited,
}

/// The write review: what `w` will write, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReview {
    pub dir: PathBuf,
    pub files: Vec<(String, FileStatus)>,
    /// Why the last `y`/`o` did not write (the writer's refusal), shown in the review.
    pub refused: Option<String>,
}

impl WriteReview {
    /// Files `y` would replace (unroot's own earlier output) or refuse over (edited).
    pub fn differing(&self) -> usize {
        self.files
            .iter()
            .filter(|(_, s)| matches!(s, FileStatus::Differs | FileStatus::Edited))
            .count()
    }

    /// Files edited by hand (or not written by unroot): `y` refuses while there are any.
    pub fn edited(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|(_, s)| *s == FileStatus::Edited)
            .map(|(p, _)| p.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Prompt(Prompt),
    Review(WriteReview),
    /// The plan file exists with other content: overwrite it?
    OverwritePlan {
        path: PathBuf,
    },
    /// `q` with edited decisions that were neither exported nor written.
    ConfirmQuit,
}

/// The generated files for the container on screen.
#[derive(Debug, Clone)]
pub struct Preview {
    pub container: usize,
    pub generated: Result<Generated, String>,
}

/// A one-line result of the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct App {
    pub phase: Phase,
    /// Where the inventory comes from (`demo`, a snapshot path, the Docker endpoint).
    pub source: String,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub help_scroll: u16,
    /// The dialog the help was opened over (the write review), shown again when it closes.
    pub under_help: Option<Box<Overlay>>,
    /// First file shown in the write review's list (it scrolls with j/k).
    pub review_scroll: u16,
    pub sort: SortKey,
    /// The sort runs the other way (`S`).
    pub sort_reversed: bool,
    pub filter: String,
    /// The filter bar has the keyboard.
    pub filter_editing: bool,
    /// Container indices shown in the list, filtered and sorted.
    pub rows: Vec<usize>,
    /// Position in `rows`.
    pub selected: usize,
    /// Containers whose edited decision was made on older data: a reload (`r`) found them
    /// changed on the engine. Editing the decision again clears the mark.
    pub changed: std::collections::BTreeSet<String>,
    /// Containers marked for a bulk decision (Space, `p`), by name.
    pub marked: std::collections::BTreeSet<String>,
    /// First row drawn in the list.
    pub list_offset: usize,
    /// The container open in the detail or migration screen.
    pub current: Option<usize>,
    pub focus: Pane,
    /// The migration view was opened from the detail screen (Esc goes back there).
    pub came_from_detail: bool,
    pub detail_scroll: u16,
    pub host_scroll: u16,
    pub settings_scroll: u16,
    /// Selected line of the migration view's decision list.
    pub decision_cursor: usize,
    pub preview_scroll: u16,
    /// Edited decisions by container name; the rest use [`ContainerDecision::default_for`].
    pub decisions: BTreeMap<String, ContainerDecision>,
    pub target: Target,
    pub preview: Option<Preview>,
    pub status: Option<Status>,
    /// The target's readiness once the probe answered (`None` before, or without the
    /// `podman` feature).
    pub target_check: Option<TargetCheck>,
    /// The plan path of the export in flight (for the overwrite question).
    pub pending_export: Option<PathBuf>,
    /// The last answers to the export and write prompts, offered again next time.
    pub last_plan_path: Option<String>,
    pub last_out_dir: Option<String>,
    /// Decisions were edited since the last export or write.
    pub unsaved: bool,
    /// The engine reported changes before the first load finished: reload once it has.
    pub engine_pending: bool,
    /// Why the live engine's event stream is down (the status bar says so until it is
    /// back); `None` while it runs or without a live engine.
    pub events_down: Option<String>,
    /// The TUI has the mouse (wheel scrolls); released, the terminal selects text.
    pub mouse_captured: bool,
    /// Terminal size, for paging and keeping the selection visible.
    pub size: (u16, u16),
    /// False with NO_COLOR: only bold/reverse, no colours.
    pub color: bool,
    pub quit: bool,
    /// A redraw is due.
    pub dirty: bool,
}

impl App {
    pub fn new(source: impl Into<String>, target: Target, color: bool) -> Self {
        Self {
            phase: Phase::Loading {
                inspected: 0,
                total: None,
            },
            source: source.into(),
            screen: Screen::List,
            overlay: None,
            help_scroll: 0,
            under_help: None,
            review_scroll: 0,
            sort: SortKey::Risk,
            sort_reversed: false,
            filter: String::new(),
            filter_editing: false,
            rows: Vec::new(),
            selected: 0,
            marked: Default::default(),
            changed: Default::default(),
            list_offset: 0,
            current: None,
            focus: Pane::First,
            came_from_detail: false,
            detail_scroll: 0,
            host_scroll: 0,
            settings_scroll: 0,
            decision_cursor: 0,
            preview_scroll: 0,
            decisions: BTreeMap::new(),
            target,
            preview: None,
            status: None,
            target_check: None,
            pending_export: None,
            last_plan_path: None,
            last_out_dir: None,
            unsaved: false,
            engine_pending: false,
            events_down: None,
            mouse_captured: true,
            size: (80, 24),
            color,
            quit: false,
            dirty: true,
        }
    }

    pub fn loaded(&self) -> Option<&Arc<Loaded>> {
        match &self.phase {
            Phase::Ready(loaded) => Some(loaded),
            _ => None,
        }
    }

    /// The container under the list cursor.
    pub fn selected_container(&self) -> Option<usize> {
        self.rows.get(self.selected).copied()
    }

    /// The decision in force for a container: the edited one or the default.
    pub fn decision(&self, index: usize) -> Option<ContainerDecision> {
        let loaded = self.loaded()?;
        let container = loaded.inventory.containers.get(index)?;
        Some(
            self.decisions
                .get(&container.name)
                .cloned()
                .unwrap_or_else(|| ContainerDecision::proposed(&loaded.inventory, container)),
        )
    }

    /// Decisions for every container (defaults filled in), as the plan and writer need.
    pub fn all_decisions(&self) -> BTreeMap<String, ContainerDecision> {
        let Some(loaded) = self.loaded() else {
            return BTreeMap::new();
        };
        loaded
            .inventory
            .containers
            .iter()
            .map(|c| {
                let d = self
                    .decisions
                    .get(&c.name)
                    .cloned()
                    .unwrap_or_else(|| ContainerDecision::proposed(&loaded.inventory, c));
                (c.name.clone(), d)
            })
            .collect()
    }
}
