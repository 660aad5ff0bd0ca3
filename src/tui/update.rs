//! Messages in, state changes out (The Elm Architecture's `update`). Pure apart from the
//! returned [`Effect`], which the run loop performs off the UI path and answers with a
//! message; so every behaviour here is unit-testable with fixture models.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use crate::docker::Progress;
use crate::plan::{ContainerDecision, PrivilegedPortPolicy};
use crate::risk::Severity;

use super::decisions::{self, Item};
use super::keymap::{self, Action, Context};
use super::preview::preview_for;
use super::state::{
    App, Loaded, Overlay, Pane, Phase, Prompt, PromptKind, Screen, SortKey, Status, WriteReview,
};
use super::view;

/// Default answer of the `e` prompt.
pub const DEFAULT_PLAN_PATH: &str = "./unroot-plan.yaml";
/// Default answer of the `w` prompt.
pub const DEFAULT_OUT_DIR: &str = "./unroot-migration";

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
    /// An export or write finished: the line to show.
    Done(Result<String, String>),
    /// SIGINT from outside the terminal.
    Interrupt,
}

/// Work the run loop does for `update` (file I/O), answering with a [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    ExportPlan { path: PathBuf },
    ReviewWrite { dir: PathBuf },
    Write { dir: PathBuf, overwrite: bool },
}

/// The key context the app is in.
pub fn context(app: &App) -> Context {
    match (&app.overlay, &app.phase) {
        (Some(Overlay::Help), _) => Context::Help,
        (Some(Overlay::Prompt(_)), _) => Context::Prompt,
        (Some(Overlay::Review(_)), _) => Context::Confirm,
        (None, Phase::Loading { .. }) => Context::Loading,
        (None, Phase::Failed { .. }) => Context::Error,
        (None, Phase::Ready(_)) if app.filter_editing => Context::Filter,
        (None, Phase::Ready(_)) => match app.screen {
            Screen::List => Context::List,
            Screen::Detail => Context::Detail,
            Screen::Migration => Context::Migration,
        },
    }
}

/// Apply one message. Marks the app dirty when anything visible changed.
pub fn update(app: &mut App, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Key(key) => {
            let effect = on_key(app, key);
            app.dirty = true;
            effect
        }
        Msg::Mouse(mouse) => {
            let action = match mouse.kind {
                MouseEventKind::ScrollDown => Action::Down,
                MouseEventKind::ScrollUp => Action::Up,
                _ => return None,
            };
            let ctx = context(app);
            if ctx.takes_text() {
                return None;
            }
            let steps = if ctx == Context::List { 1 } else { 3 };
            for _ in 0..steps {
                on_action(app, ctx, action);
            }
            app.dirty = true;
            None
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            keep_selection_visible(app);
            app.dirty = true;
            None
        }
        Msg::Progress(p) => {
            if let Phase::Loading { .. } = app.phase {
                app.phase = Phase::Loading {
                    inspected: p.inspected,
                    total: Some(p.total),
                };
                app.dirty = true;
            }
            None
        }
        Msg::Loaded(loaded) => {
            app.phase = Phase::Ready(Arc::new(*loaded));
            refresh_rows(app, None);
            app.dirty = true;
            None
        }
        Msg::LoadFailed { message, code } => {
            app.phase = Phase::Failed { message, code };
            app.dirty = true;
            None
        }
        Msg::Reviewed(result) => {
            match result {
                Ok(review) => app.overlay = Some(Overlay::Review(review)),
                Err(e) => set_status(app, e, true),
            }
            app.dirty = true;
            None
        }
        Msg::Done(result) => {
            match result {
                Ok(text) => set_status(app, text, false),
                Err(text) => set_status(app, text, true),
            }
            app.dirty = true;
            None
        }
        Msg::Interrupt => {
            app.quit = true;
            None
        }
    }
}

fn set_status(app: &mut App, text: String, error: bool) {
    app.status = Some(Status { text, error });
}

fn on_key(app: &mut App, key: KeyEvent) -> Option<Effect> {
    let ctx = context(app);
    match keymap::action_for(ctx, &key) {
        Some(action) => on_action(app, ctx, action),
        None => {
            if let KeyCode::Char(c) = key.code
                && !key.modifiers.contains(KeyModifiers::CONTROL)
            {
                type_char(app, ctx, c);
            }
            None
        }
    }
}

fn type_char(app: &mut App, ctx: Context, c: char) {
    match ctx {
        Context::Filter => {
            app.filter.push(c);
            refresh_rows(app, app.selected_container());
        }
        Context::Prompt => {
            if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                prompt.input.push(c);
                prompt.error = None;
            }
        }
        _ => {}
    }
}

fn on_action(app: &mut App, ctx: Context, action: Action) -> Option<Effect> {
    match action {
        Action::Quit => app.quit = true,
        Action::Help => {
            app.overlay = Some(Overlay::Help);
            app.help_scroll = 0;
        }
        Action::Back => back(app, ctx),
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => movement(app, ctx, action),
        Action::Open => {
            if let Some(index) = app.selected_container() {
                open(app, index, Screen::Detail);
            }
        }
        Action::Migrate => {
            if let Some(index) = app
                .current
                .filter(|_| ctx == Context::Detail)
                .or(app.selected_container())
            {
                open(app, index, Screen::Migration);
            }
        }
        Action::NextPane => {
            app.focus = match app.focus {
                Pane::First => Pane::Second,
                Pane::Second => Pane::First,
            }
        }
        Action::Filter => app.filter_editing = true,
        Action::Sort => {
            app.sort = app.sort.next();
            refresh_rows(app, app.selected_container());
        }
        Action::ExportPlan => open_prompt(app, PromptKind::ExportPath, DEFAULT_PLAN_PATH.into()),
        Action::WriteFiles => open_prompt(app, PromptKind::WriteDir, DEFAULT_OUT_DIR.into()),
        Action::NextValue | Action::PrevValue => {
            if app.focus == Pane::First {
                step_decision(app, action == Action::NextValue);
            }
        }
        Action::Edit => edit_decision(app),
        Action::Accept => return accept(app, ctx),
        Action::DeleteChar => match ctx {
            Context::Filter => {
                app.filter.pop();
                refresh_rows(app, app.selected_container());
            }
            Context::Prompt => {
                if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                    prompt.input.pop();
                    prompt.error = None;
                }
            }
            _ => {}
        },
        Action::ConfirmOverwrite => {
            if let Some(Overlay::Review(review)) = app.overlay.take() {
                return Some(Effect::Write {
                    dir: review.dir,
                    overwrite: true,
                });
            }
        }
        Action::Wheel => {}
    }
    None
}

fn open_prompt(app: &mut App, kind: PromptKind, input: String) {
    if app.loaded().is_none() {
        return;
    }
    app.overlay = Some(Overlay::Prompt(Prompt {
        kind,
        input,
        error: None,
    }));
}

fn back(app: &mut App, ctx: Context) {
    match ctx {
        Context::Help | Context::Prompt => app.overlay = None,
        Context::Confirm => {
            app.overlay = None;
            set_status(app, "Nothing written.".into(), false);
        }
        Context::Filter | Context::List => {
            app.filter_editing = false;
            if !app.filter.is_empty() {
                app.filter.clear();
                refresh_rows(app, app.selected_container());
            }
        }
        Context::Detail => app.screen = Screen::List,
        Context::Migration => {
            app.screen = if app.came_from_detail {
                Screen::Detail
            } else {
                Screen::List
            };
            app.focus = Pane::First;
        }
        Context::Loading | Context::Error | Context::Global => {}
    }
}

fn open(app: &mut App, index: usize, screen: Screen) {
    app.came_from_detail = app.screen == Screen::Detail && screen == Screen::Migration;
    app.current = Some(index);
    app.screen = screen;
    app.focus = Pane::First;
    app.detail_scroll = 0;
    app.settings_scroll = 0;
    app.preview_scroll = 0;
    app.decision_cursor = 0;
    refresh_preview(app);
}

/// Recompute the preview for the open container; cheap because it generates one container.
fn refresh_preview(app: &mut App) {
    let (Some(loaded), Some(index)) = (app.loaded().cloned(), app.current) else {
        return;
    };
    let Some(decision) = app.decision(index) else {
        return;
    };
    app.preview = Some(preview_for(&loaded, &app.target, index, &decision));
}

fn movement(app: &mut App, ctx: Context, action: Action) {
    match ctx {
        Context::List => {
            let len = app.rows.len();
            if len == 0 {
                return;
            }
            let page = view::list_body_height(app).max(1);
            app.selected = move_index(app.selected, len, page, action);
            keep_selection_visible(app);
        }
        Context::Detail => {
            let scroll = match app.focus {
                Pane::First => &mut app.detail_scroll,
                Pane::Second => &mut app.settings_scroll,
            };
            *scroll = scroll_by(*scroll, action, app.size.1);
        }
        Context::Migration => match app.focus {
            Pane::First => {
                let len = current_items(app).len();
                if len > 0 {
                    app.decision_cursor = move_index(app.decision_cursor, len, len, action);
                }
            }
            Pane::Second => app.preview_scroll = scroll_by(app.preview_scroll, action, app.size.1),
        },
        Context::Help => app.help_scroll = scroll_by(app.help_scroll, action, app.size.1),
        _ => {}
    }
}

fn move_index(current: usize, len: usize, page: usize, action: Action) -> usize {
    let last = len - 1;
    match action {
        Action::Up => current.saturating_sub(1),
        Action::Down => (current + 1).min(last),
        Action::PageUp => current.saturating_sub(page),
        Action::PageDown => (current + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => current,
    }
}

/// Scroll offsets are clamped by the views (they know the content height); here only the
/// direction and step.
fn scroll_by(scroll: u16, action: Action, height: u16) -> u16 {
    let page = height.saturating_sub(8).max(1);
    match action {
        Action::Up => scroll.saturating_sub(1),
        Action::Down => scroll.saturating_add(1),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => scroll.saturating_add(page),
        Action::Top => 0,
        Action::Bottom => u16::MAX / 2,
        _ => scroll,
    }
}

fn keep_selection_visible(app: &mut App) {
    let height = view::list_body_height(app).max(1);
    if app.selected < app.list_offset {
        app.list_offset = app.selected;
    } else if app.selected >= app.list_offset + height {
        app.list_offset = app.selected + 1 - height;
    }
    let max_offset = app.rows.len().saturating_sub(height);
    app.list_offset = app.list_offset.min(max_offset);
}

fn current_items(app: &App) -> Vec<Item> {
    let (Some(loaded), Some(index)) = (app.loaded(), app.current) else {
        return Vec::new();
    };
    let Some(decision) = app.decision(index) else {
        return Vec::new();
    };
    decisions::items(&loaded.inventory.containers[index], &decision)
}

fn current_item(app: &App) -> Option<Item> {
    current_items(app).get(app.decision_cursor).copied()
}

/// Store a changed decision and regenerate the preview.
fn set_decision(app: &mut App, decision: ContainerDecision) {
    let (Some(loaded), Some(index)) = (app.loaded().cloned(), app.current) else {
        return;
    };
    let container = &loaded.inventory.containers[index];
    app.decisions.insert(container.name.clone(), decision);
    let len = current_items(app).len();
    app.decision_cursor = app.decision_cursor.min(len.saturating_sub(1));
    refresh_preview(app);
}

fn step_decision(app: &mut App, forward: bool) {
    let (Some(loaded), Some(index), Some(item)) =
        (app.loaded().cloned(), app.current, current_item(app))
    else {
        return;
    };
    let Some(decision) = app.decision(index) else {
        return;
    };
    if let Some(new) = decisions::step(
        item,
        &loaded.inventory.containers[index],
        &decision,
        forward,
    ) {
        set_decision(app, new);
    }
}

fn edit_decision(app: &mut App) {
    if app.focus != Pane::First {
        return;
    }
    let (Some(index), Some(item)) = (app.current, current_item(app)) else {
        return;
    };
    let Some(decision) = app.decision(index) else {
        return;
    };
    match item {
        Item::User => {
            let input = decision.user.clone().unwrap_or_default();
            open_prompt(app, PromptKind::TargetUser, input);
        }
        Item::RemapPort(original) => {
            let current = match &decision.ports {
                PrivilegedPortPolicy::Remap { ports } => ports.get(&original).copied(),
                PrivilegedPortPolicy::Sysctl => None,
            };
            let input = current
                .unwrap_or(decisions::default_remap(original))
                .to_string();
            open_prompt(app, PromptKind::RemapPort { original }, input);
        }
        _ => step_decision(app, true),
    }
}

fn accept(app: &mut App, ctx: Context) -> Option<Effect> {
    match ctx {
        Context::Filter => {
            app.filter_editing = false;
            None
        }
        Context::Confirm => {
            let Some(Overlay::Review(review)) = &app.overlay else {
                return None;
            };
            let differing = review.differing();
            if differing > 0 {
                set_status(
                    app,
                    format!(
                        "{differing} file(s) differ from what would be written: press o to overwrite them, Esc to cancel"
                    ),
                    true,
                );
                return None;
            }
            let dir = review.dir.clone();
            app.overlay = None;
            Some(Effect::Write {
                dir,
                overwrite: false,
            })
        }
        Context::Prompt => accept_prompt(app),
        _ => None,
    }
}

fn accept_prompt(app: &mut App) -> Option<Effect> {
    let Some(Overlay::Prompt(prompt)) = app.overlay.clone() else {
        return None;
    };
    let input = prompt.input.trim().to_string();
    let refuse = |app: &mut App, error: String| {
        if let Some(Overlay::Prompt(p)) = &mut app.overlay {
            p.error = Some(error);
        }
        None
    };
    match prompt.kind {
        PromptKind::ExportPath | PromptKind::WriteDir => {
            if input.is_empty() {
                return refuse(app, "type a path, or Esc to cancel".into());
            }
            app.overlay = None;
            let path = PathBuf::from(input);
            Some(if prompt.kind == PromptKind::ExportPath {
                Effect::ExportPlan { path }
            } else {
                Effect::ReviewWrite { dir: path }
            })
        }
        PromptKind::TargetUser => match decisions::parse_user(&input) {
            Ok(user) => {
                app.overlay = None;
                if let Some(mut decision) = app.current.and_then(|i| app.decision(i)) {
                    decision.user = user;
                    set_decision(app, decision);
                }
                None
            }
            Err(e) => refuse(app, e),
        },
        PromptKind::RemapPort { original } => {
            let (Some(loaded), Some(index)) = (app.loaded().cloned(), app.current) else {
                return None;
            };
            let mut decision = app.decision(index)?;
            match decisions::parse_port(
                &input,
                original,
                &loaded.inventory.containers[index],
                &decision,
            ) {
                Ok(port) => {
                    app.overlay = None;
                    if let PrivilegedPortPolicy::Remap { ports } = &mut decision.ports {
                        ports.insert(original, port);
                    }
                    set_decision(app, decision);
                    None
                }
                Err(e) => refuse(app, e),
            }
        }
    }
}

/// Does a container match the filter text (name, image, label key or value, rule id)?
pub fn matches_filter(loaded: &Loaded, index: usize, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    let c = &loaded.inventory.containers[index];
    let has = |s: &str| s.to_lowercase().contains(needle_lower);
    has(&c.name)
        || has(&c.image)
        || c.labels
            .iter()
            .any(|(k, v)| has(k) || has(v) || has(&format!("{k}={v}")))
        || loaded.assessments[index]
            .findings
            .iter()
            .any(|f| has(&f.rule))
}

/// Rebuild the visible rows (filter + sort), keeping `keep` selected when still shown.
pub fn refresh_rows(app: &mut App, keep: Option<usize>) {
    let Some(loaded) = app.loaded().cloned() else {
        app.rows.clear();
        return;
    };
    let needle = app.filter.to_lowercase();
    let mut rows: Vec<usize> = (0..loaded.inventory.containers.len())
        .filter(|&i| matches_filter(&loaded, i, &needle))
        .collect();
    let containers = &loaded.inventory.containers;
    let name = |i: usize| containers[i].name.as_str();
    match app.sort {
        SortKey::Risk => {
            let key = |i: usize| {
                let a = &loaded.assessments[i];
                (
                    std::cmp::Reverse(a.score),
                    std::cmp::Reverse(a.worst_severity().map_or(-1, severity_rank)),
                )
            };
            rows.sort_by(|&a, &b| key(a).cmp(&key(b)).then_with(|| name(a).cmp(name(b))));
        }
        SortKey::Name => rows.sort_by(|&a, &b| name(a).cmp(name(b))),
        SortKey::Project => {
            let project = |i: usize| containers[i].compose.as_ref().map(|c| c.project.as_str());
            rows.sort_by(|&a, &b| {
                // Containers outside any compose project go last.
                (project(a).is_none(), project(a))
                    .cmp(&(project(b).is_none(), project(b)))
                    .then_with(|| name(a).cmp(name(b)))
            });
        }
    }
    app.rows = rows;
    app.selected = keep
        .and_then(|k| app.rows.iter().position(|&i| i == k))
        .unwrap_or(0);
    keep_selection_visible(app);
}

fn severity_rank(s: Severity) -> i8 {
    s as i8
}
