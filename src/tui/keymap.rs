//! The one key table of the TUI.
//!
//! Dispatch ([`action_for`]), the footer hints ([`footer_hints`]) and the `?` help overlay
//! ([`help_sections`]) all read [`BINDINGS`], so a key can never do one thing and be documented
//! as another (gitui's `commands()` idea, as a plain table).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{App, Overlay, Phase, Screen};

/// Where the user is; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Applies on every screen unless a more specific binding takes the key.
    Global,
    Loading,
    Error,
    List,
    Detail,
    Migration,
    Host,
    /// Typing into the `/` filter bar.
    Filter,
    /// Typing into a prompt (path, user, port).
    Prompt,
    /// Reviewing the files `w` will write, or whether to replace a plan file.
    Confirm,
    /// Quitting with edits that were not exported.
    ConfirmQuit,
    Help,
}

impl Context {
    /// Contexts where printable keys are text, not commands.
    pub fn takes_text(self) -> bool {
        matches!(self, Context::Filter | Context::Prompt)
    }

    /// Heading used in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Loading => "While loading",
            Context::Error => "Error screen",
            Context::List => "Container list",
            Context::Detail => "Container detail",
            Context::Migration => "Migration view",
            Context::Host => "Host screen",
            Context::Filter => "Filter bar",
            Context::Prompt => "Prompts",
            Context::Confirm => "Write review",
            Context::ConfirmQuit => "Quit question",
            Context::Help => "Help",
        }
    }
}

/// What a key asks for; [`crate::tui::update`] gives each its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Quit; asks first when edited decisions were not exported or written.
    Quit,
    /// Quit without asking (Ctrl-C).
    ForceQuit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Migrate,
    Back,
    NextPane,
    Filter,
    Sort,
    /// Read the inventory again and mark edited containers that changed since.
    Reload,
    /// Copy what the screen shows (findings, preview) to the clipboard with OSC 52.
    Copy,
    /// Mark or unmark the selected container for a bulk decision.
    Mark,
    /// Mark (or unmark) every container of the selected container's compose project.
    MarkProject,
    /// Ask for one decision and apply it to every marked container.
    ApplyToMarked,
    /// Reverse the list's sort.
    ReverseSort,
    /// Move the list cursor to the next container whose MOVE verdict is BLOCKER.
    NextBlocker,
    Help,
    /// Open the host screen.
    Host,
    /// Release or take back the mouse (released, the terminal can select and copy text).
    ToggleMouse,
    ExportPlan,
    WriteFiles,
    /// Migration view: next value of the selected decision.
    NextValue,
    /// Migration view: previous value of the selected decision.
    PrevValue,
    /// Migration view: edit the selected decision (toggle, or prompt for a value).
    Edit,
    /// Filter bar / prompt: accept the text.
    Accept,
    /// Filter bar / prompt: delete one character.
    DeleteChar,
    /// Filter bar / prompt: delete everything typed.
    ClearLine,
    /// Prompt: keep the pre-filled (selected) text and type after it instead of replacing it.
    KeepText,
    /// Write review: write, overwriting files that differ.
    ConfirmOverwrite,
    /// Documentation only: the mouse wheel (dispatched from mouse events, not keys).
    Wheel,
}

/// One key: a code plus whether Ctrl is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in hints and help (`j/↓`).
    pub label: &'static str,
    pub action: Action,
    pub description: &'static str,
    /// One or two words for the footer.
    pub hint: &'static str,
    pub contexts: &'static [Context],
    /// Shown in the footer; everything is in the help overlay.
    pub footer: bool,
}

use Context as C;

const BROWSE: &[Context] = &[
    C::List,
    C::Detail,
    C::Migration,
    C::Host,
    C::Help,
    C::Confirm,
];
const SCREENS: &[Context] = &[C::List, C::Detail, C::Migration];

/// Every key the TUI knows, most specific first within a context.
pub const BINDINGS: &[Binding] = &[
    // Text input first, so Enter/Esc/Backspace mean "accept/cancel/delete" there.
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Accept,
        description: "apply the filter",
        hint: "apply",
        contexts: &[C::Filter],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Back,
        description: "clear the filter",
        hint: "clear",
        contexts: &[C::Filter],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Accept,
        description: "accept",
        hint: "accept",
        contexts: &[C::Prompt],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Back,
        description: "cancel",
        hint: "cancel",
        contexts: &[C::Prompt],
        footer: true,
    },
    Binding {
        keys: &[ctrl('u')],
        label: "Ctrl-U",
        action: Action::ClearLine,
        description: "clear the line",
        hint: "clear",
        contexts: &[C::Filter, C::Prompt],
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Backspace)],
        label: "Bksp",
        action: Action::DeleteChar,
        description: "delete a character",
        hint: "delete",
        contexts: &[C::Filter, C::Prompt],
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Right), code(KeyCode::End)],
        label: "→/End",
        action: Action::KeepText,
        description: "keep the offered text and type after it",
        hint: "keep",
        contexts: &[C::Prompt],
        footer: false,
    },
    // Write review.
    Binding {
        keys: &[k('y'), code(KeyCode::Enter)],
        label: "y",
        action: Action::Accept,
        description: "write; writes nothing if a file was hand-edited",
        hint: "write",
        contexts: &[C::Confirm],
        footer: true,
    },
    Binding {
        keys: &[k('o')],
        label: "o",
        action: Action::ConfirmOverwrite,
        description: "write, replacing hand-edited files too",
        hint: "overwrite",
        contexts: &[C::Confirm],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc), k('n')],
        label: "Esc",
        action: Action::Back,
        description: "cancel, write nothing",
        hint: "cancel",
        contexts: &[C::Confirm],
        footer: true,
    },
    Binding {
        keys: &[k('y'), code(KeyCode::Enter)],
        label: "y",
        action: Action::Accept,
        description: "quit and lose the edits",
        hint: "quit",
        contexts: &[C::ConfirmQuit],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc), k('n')],
        label: "Esc",
        action: Action::Back,
        description: "stay (then Ctrl-E exports the plan)",
        hint: "stay",
        contexts: &[C::ConfirmQuit],
        footer: true,
    },
    // Migration view editing.
    Binding {
        keys: &[code(KeyCode::Right), k('l')],
        label: "→/l",
        action: Action::NextValue,
        description: "next value of the decision",
        hint: "change",
        contexts: &[C::Migration],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Left), k('h')],
        label: "←/h",
        action: Action::PrevValue,
        description: "previous value of the decision",
        hint: "change back",
        contexts: &[C::Migration],
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Enter), k(' ')],
        label: "Enter",
        action: Action::Edit,
        description: "toggle, or type a value (user, port)",
        hint: "edit",
        contexts: &[C::Migration],
        footer: true,
    },
    // Moving around.
    Binding {
        keys: &[k('j'), code(KeyCode::Down)],
        label: "j/↓",
        action: Action::Down,
        description: "down",
        hint: "down",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[k('k'), code(KeyCode::Up)],
        label: "k/↑",
        action: Action::Up,
        description: "up",
        hint: "up",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('d')],
        label: "PgDn",
        action: Action::PageDown,
        description: "page down",
        hint: "page",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('u')],
        label: "PgUp",
        action: Action::PageUp,
        description: "page up",
        hint: "page",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[k('g'), code(KeyCode::Home)],
        label: "g",
        action: Action::Top,
        description: "first line",
        hint: "top",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[k('G'), code(KeyCode::End)],
        label: "G",
        action: Action::Bottom,
        description: "last line",
        hint: "bottom",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[],
        label: "wheel",
        action: Action::Wheel,
        description: "scroll what is under the pointer; click selects",
        hint: "scroll",
        contexts: BROWSE,
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Open,
        description: "open the container's risks",
        hint: "open",
        contexts: &[C::List],
        footer: true,
    },
    Binding {
        keys: &[k('m')],
        label: "m",
        action: Action::Migrate,
        description: "migration decisions and file preview",
        hint: "migrate",
        contexts: &[C::List, C::Detail],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Back,
        description: "back",
        hint: "back",
        contexts: &[C::Detail, C::Migration, C::Host],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Back,
        description: "clear the filter, then the marks",
        hint: "clear",
        contexts: &[C::List],
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Tab), code(KeyCode::BackTab)],
        label: "Tab",
        action: Action::NextPane,
        description: "next pane",
        hint: "pane",
        contexts: &[C::Detail, C::Migration],
        footer: true,
    },
    Binding {
        keys: &[k('r')],
        label: "r",
        action: Action::Reload,
        description: "reload; ! marks edits made on older data",
        hint: "reload",
        contexts: &[C::List, C::Detail, C::Migration, C::Host],
        footer: false,
    },
    Binding {
        keys: &[k('y')],
        label: "y",
        action: Action::Copy,
        description: "copy the findings or the preview (OSC 52)",
        hint: "copy",
        contexts: &[C::Detail, C::Migration],
        footer: false,
    },
    Binding {
        keys: &[k('i')],
        label: "i",
        action: Action::Host,
        description: "host facts and host-wide findings",
        hint: "host",
        contexts: &[C::List],
        footer: true,
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        action: Action::Filter,
        description: "filter: text, blocker/change/ok, sev:high",
        hint: "filter",
        contexts: &[C::List],
        footer: true,
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        action: Action::Filter,
        description: "says where filtering works (the list)",
        hint: "filter",
        contexts: &[C::Detail, C::Migration, C::Host],
        footer: false,
    },
    Binding {
        keys: &[k('s')],
        label: "s",
        action: Action::Sort,
        description: "sort by risk, name, image, state, project, move",
        hint: "sort",
        contexts: &[C::List],
        footer: true,
    },
    Binding {
        keys: &[k(' ')],
        label: "Space",
        action: Action::Mark,
        description: "mark or unmark the container (bulk decisions)",
        hint: "mark",
        contexts: &[C::List],
        footer: false,
    },
    Binding {
        keys: &[k('p')],
        label: "p",
        action: Action::MarkProject,
        description: "mark or unmark its whole compose project",
        hint: "mark project",
        contexts: &[C::List],
        footer: false,
    },
    Binding {
        keys: &[k('a')],
        label: "a",
        action: Action::ApplyToMarked,
        description: "apply one decision to every marked container",
        hint: "apply to marked",
        contexts: &[C::List],
        footer: false,
    },
    Binding {
        keys: &[k('S')],
        label: "S",
        action: Action::ReverseSort,
        description: "reverse the sort",
        hint: "reverse",
        contexts: &[C::List],
        footer: false,
    },
    Binding {
        keys: &[k('b')],
        label: "b",
        action: Action::NextBlocker,
        description: "jump to the next blocked container",
        hint: "next blocker",
        contexts: &[C::List],
        footer: true,
    },
    Binding {
        // Keys that write take Ctrl, so no typed word can reach them (issue 15).
        keys: &[ctrl('e')],
        label: "^E",
        action: Action::ExportPlan,
        description: "export the migration plan (asks for a path)",
        hint: "export plan",
        contexts: SCREENS,
        footer: true,
    },
    Binding {
        keys: &[ctrl('w')],
        label: "^W",
        action: Action::WriteFiles,
        description: "write the migration files (review first)",
        hint: "write files",
        contexts: SCREENS,
        footer: true,
    },
    Binding {
        keys: &[k('?')],
        label: "?",
        action: Action::Help,
        description: "this help",
        hint: "help",
        contexts: &[C::Global],
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc), k('?')],
        label: "Esc/?",
        action: Action::Back,
        description: "close the help",
        hint: "close",
        contexts: &[C::Help],
        footer: false,
    },
    Binding {
        keys: &[k('M')],
        label: "M",
        action: Action::ToggleMouse,
        description: "release the mouse to copy text; M again takes it",
        hint: "mouse",
        contexts: &[C::Global],
        footer: false,
    },
    Binding {
        keys: &[k('q')],
        label: "q",
        action: Action::Quit,
        description: "quit (asks when edits were not exported)",
        hint: "quit",
        contexts: &[C::Global],
        footer: true,
    },
    Binding {
        keys: &[ctrl('c')],
        label: "Ctrl-C",
        action: Action::ForceQuit,
        description: "quit at once, even while typing",
        hint: "quit",
        contexts: &[C::Global],
        footer: false,
    },
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    // Shift is part of the character (`G`, `?`), and BackTab already says Shift.
    key.code == event.code && key.ctrl == ctrl
}

fn lookup(context: Context, event: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| b.contexts.contains(&context) && b.keys.iter().any(|k| matches(k, event)))
        .map(|b| b.action)
}

/// The action a key stands for in a context; `None` when the key means nothing there (or is
/// text being typed).
pub fn action_for(context: Context, event: &KeyEvent) -> Option<Action> {
    if let Some(action) = lookup(context, event) {
        return Some(action);
    }
    let is_ctrl_c =
        event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL);
    if context.takes_text() && !is_ctrl_c {
        return None;
    }
    lookup(Context::Global, event)
}

/// `(keys, description)` pairs for the footer of a context, specific bindings first.
pub fn footer_hints(context: Context) -> Vec<(&'static str, &'static str)> {
    let mut hints: Vec<_> = BINDINGS
        .iter()
        .filter(|b| b.footer && b.contexts.contains(&context))
        .map(|b| (b.label, b.hint))
        .collect();
    if !context.takes_text() {
        hints.extend(
            BINDINGS
                .iter()
                .filter(|b| b.footer && b.contexts.contains(&Context::Global))
                .map(|b| (b.label, b.hint)),
        );
    }
    hints
}

/// Contexts in the order the help overlay lists them.
pub const HELP_ORDER: &[Context] = &[
    C::Global,
    C::List,
    C::Detail,
    C::Migration,
    C::Host,
    C::Filter,
    C::Prompt,
    C::Confirm,
    C::ConfirmQuit,
    C::Help,
];

/// The help overlay's content: the movement keys once (they work in every list and pane),
/// then per context its own bindings, every key spelled out.
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let shared = |b: &&Binding| b.contexts == BROWSE;
    let mut sections = vec![(
        "Moving (lists, panes, help)",
        BINDINGS
            .iter()
            .filter(shared)
            .map(|b| (all_keys(b), b.description))
            .collect(),
    )];
    for &ctx in HELP_ORDER {
        let rows = BINDINGS
            .iter()
            .filter(|b| !shared(b) && b.contexts.contains(&ctx))
            .map(|b| (all_keys(b), b.description))
            .collect();
        sections.push((ctx.title(), rows));
    }
    sections
}

/// Every key of a binding, written out (`j ↓`), so the help lists each one.
fn all_keys(binding: &Binding) -> String {
    if binding.keys.is_empty() {
        return binding.label.to_string();
    }
    binding
        .keys
        .iter()
        .map(key_name)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn key_name(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Bksp".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Delete => "Del".into(),
        KeyCode::Insert => "Ins".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{}", base.to_uppercase())
    } else {
        base
    }
}

/// The key context the app is in.
pub fn context(app: &App) -> Context {
    match (&app.overlay, &app.phase) {
        (Some(Overlay::Help), _) => Context::Help,
        (Some(Overlay::Prompt(_)), _) => Context::Prompt,
        (Some(Overlay::Review(_) | Overlay::OverwritePlan { .. }), _) => Context::Confirm,
        (Some(Overlay::ConfirmQuit), _) => Context::ConfirmQuit,
        (None, Phase::Loading { .. }) => Context::Loading,
        (None, Phase::Failed { .. }) => Context::Error,
        (None, Phase::Ready(_)) if app.filter_editing => Context::Filter,
        (None, Phase::Ready(_)) => match app.screen {
            Screen::List => Context::List,
            Screen::Detail => Context::Detail,
            Screen::Migration => Context::Migration,
            Screen::Host => Context::Host,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn context_bindings_win_over_global_ones() {
        assert_eq!(
            action_for(Context::Help, &key(KeyCode::Char('?'))),
            Some(Action::Back)
        );
        assert_eq!(
            action_for(Context::List, &key(KeyCode::Char('?'))),
            Some(Action::Help)
        );
    }

    #[test]
    fn typing_never_triggers_commands_but_ctrl_c_still_quits() {
        assert_eq!(action_for(Context::Filter, &key(KeyCode::Char('q'))), None);
        assert_eq!(action_for(Context::Prompt, &key(KeyCode::Char('/'))), None);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            action_for(Context::Prompt, &ctrl_c),
            Some(Action::ForceQuit)
        );
        assert_eq!(action_for(Context::List, &ctrl_c), Some(Action::ForceQuit));
    }

    #[test]
    fn descriptions_fit_the_help_overlay_at_80_columns() {
        // 72-wide box: 2 borders, 2 indent, 16 key column.
        for b in BINDINGS {
            assert!(
                b.description.chars().count() <= 52,
                "too long: {}",
                b.description
            );
        }
    }

    #[test]
    fn every_key_is_unambiguous_within_a_context() {
        for ctx in HELP_ORDER.iter().chain(&[Context::Help, Context::Error]) {
            let mut seen: Vec<Key> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.contexts.contains(ctx)) {
                for key in b.keys {
                    assert!(
                        !seen.contains(key),
                        "{ctx:?}: {} bound twice",
                        key_name(key)
                    );
                    seen.push(*key);
                }
            }
        }
    }

    #[test]
    fn help_lists_every_binding_and_the_footer_only_flagged_ones() {
        let sections = help_sections();
        for b in BINDINGS {
            let keys = all_keys(b);
            assert!(
                sections
                    .iter()
                    .flat_map(|(_, rows)| rows)
                    .any(|(k, d)| *k == keys && *d == b.description),
                "{keys} ({}) is missing from the help",
                b.description
            );
        }
        assert_eq!(sections[0].1.len(), 7, "movement keys are listed once");
        let list_footer = footer_hints(Context::List);
        assert!(list_footer.contains(&("/", "filter")));
        assert!(!list_footer.iter().any(|(k, _)| *k == "j/↓"));
        assert!(footer_hints(Context::Filter).iter().all(|(k, _)| *k != "q"));
    }
}
