//! Messages in, state changes out (The Elm Architecture's `update`). Pure apart from the
//! returned [`Effect`], which the run loop performs off the UI path and answers with a
//! message; so every behaviour here is unit-testable with fixture models.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers, MouseEventKind};

use crate::docker::events::EngineEvent;
use crate::model::{ContainerDecision, NetworkChoice, PrivilegedPortPolicy};
use crate::risk::{Migration, Severity};

use super::actions::Exported;
use super::decisions::{self, Item};
use super::keymap::{self, Action, Context, context};
use super::msg::{Effect, Msg};
use super::preview::preview_for;
use super::state::{
    App, Loaded, Overlay, Pane, Phase, Prompt, PromptKind, Screen, SortKey, Status,
};
use super::view::{self, Scrolled};

/// Default answer of the `e` prompt.
pub const DEFAULT_PLAN_PATH: &str = "./unroot-plan.yaml";
/// Default answer of the `w` prompt.
pub const DEFAULT_OUT_DIR: &str = "./unroot-migration";

/// Apply one message. Marks the app dirty when anything visible changed.
pub fn update(app: &mut App, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Key(key) => {
            // The start-up legend makes way at the first key (it is in the help, too).
            if app
                .status
                .as_ref()
                .is_some_and(|s| s.text == view::help::LEGEND_LINE)
            {
                app.status = None;
                app.dirty = true;
            }
            let ctx = context(app);
            match keymap::action_for(ctx, &key) {
                Some(action) => {
                    app.dirty = true;
                    on_action(app, ctx, action)
                }
                None => {
                    if let KeyCode::Char(c) = key.code
                        && !key.modifiers.contains(KeyModifiers::CONTROL)
                        && ctx.takes_text()
                    {
                        type_char(app, ctx, c);
                        app.dirty = true;
                    } else if !matches!(key.code, KeyCode::Modifier(_)) {
                        // Any other key (digit, punctuation, F-key, Ctrl-letter ...) says so
                        // instead of being ignored silently (issue 15): the operator sees
                        // the key was read and where to find the ones that work. A modifier
                        // alone (reported by some terminals) is no key press of its own.
                        let text = unbound_message(&key);
                        if app.status.as_ref().is_none_or(|s| s.text != text) {
                            set_status(app, text, false);
                            app.dirty = true;
                        }
                    }
                    None
                }
            }
        }
        Msg::Mouse(mouse) => {
            on_mouse(app, mouse);
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
            if let Some(old) = app.loaded().cloned() {
                reloaded(app, &old, *loaded, "Reloaded");
                retire(old);
                app.dirty = true;
                return cfg!(feature = "podman").then_some(Effect::CheckTarget);
            }
            app.phase = Phase::Ready(Arc::new(*loaded));
            refresh_rows(app, None);
            if std::mem::take(&mut app.engine_pending) {
                // The engine changed while the first load read it: read it again.
                set_status(
                    app,
                    format!(
                        "The engine changed while loading; reloading from {} ...",
                        app.source
                    ),
                    false,
                );
                app.dirty = true;
                return Some(Effect::Reload);
            }
            // The legend on first start, until the next status replaces it (a key pressed
            // in vain while loading makes way for it too).
            if app
                .status
                .as_ref()
                .is_none_or(|s| s.text.ends_with(UNBOUND))
            {
                set_status(app, view::help::LEGEND_LINE.into(), false);
            }
            app.dirty = true;
            // Without the Podman client there is nothing to ask.
            cfg!(feature = "podman").then_some(Effect::CheckTarget)
        }
        Msg::Engine(event) => on_engine(app, event),
        Msg::Reread { result, .. } => {
            app.dirty = true;
            let old = app.loaded().cloned()?;
            match result {
                Ok(loaded) => {
                    reloaded(app, &old, *loaded, "Updated from the engine");
                    retire(old);
                    cfg!(feature = "podman").then_some(Effect::CheckTarget)
                }
                // The whole read is the fallback; its own failure says why in the status.
                Err(message) => {
                    set_status(
                        app,
                        format!("Reading the changed containers failed ({message}); reloading ..."),
                        true,
                    );
                    Some(Effect::Reload)
                }
            }
        }
        Msg::TargetChecked(check) => {
            app.target_check = Some(check);
            app.dirty = true;
            None
        }
        Msg::LoadFailed { message, code } => {
            if app.loaded().is_some() {
                // A failed reload keeps what was loaded; the operator's edits stay.
                set_status(app, format!("Reload failed: {message}"), true);
                app.dirty = true;
                return None;
            }
            app.phase = Phase::Failed { message, code };
            app.dirty = true;
            None
        }
        Msg::Reviewed(result) => {
            match result {
                Ok(review) => {
                    app.review_scroll = 0;
                    app.overlay = Some(Overlay::Review(review));
                }
                Err(e) => set_status(app, e, true),
            }
            app.dirty = true;
            None
        }
        Msg::Exported(result) => {
            match result {
                Ok(Exported::Written(text)) => {
                    app.unsaved = false;
                    set_status(app, text, false);
                }
                Ok(Exported::Exists) => {
                    if let Some(path) = app.pending_export.take() {
                        app.overlay = Some(Overlay::OverwritePlan { path });
                    }
                }
                Err(text) => set_status(app, text, true),
            }
            app.dirty = true;
            None
        }
        Msg::Written(result) => {
            match result {
                Ok(text) => {
                    // The written directory holds a copy of the plan.
                    app.unsaved = false;
                    app.overlay = None;
                    set_status(app, text, false);
                }
                // The review stays open with the reason: the operator can still overwrite
                // or cancel.
                Err(text) => {
                    // The writer speaks to the command line; here the key is `o`.
                    let text = text.replace("re-run with --force", "press o");
                    if let Some(Overlay::Review(review)) = &mut app.overlay {
                        review.refused = Some(text.clone());
                    }
                    set_status(app, text, true);
                }
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

/// Containers engine events may name at once and still be read one by one; past it, one
/// whole read is cheaper than as many single reads (and a burst that large is a
/// `docker compose up` of a big project, or a host restarting).
pub const REREAD_MAX: usize = 32;

/// The live engine's event stream: the containers the events name are read again (or a
/// whole reload when they are many or unnamed), then swapped in through the same path as
/// `r` (edits, selection and `!` marks kept); a drop says so in the status bar until the
/// stream is back, and its return reloads, since events in the gap were missed.
fn on_engine(app: &mut App, event: EngineEvent) -> Option<Effect> {
    app.dirty = true;
    match event {
        EngineEvent::Changes(changes) => {
            if app.loaded().is_none() {
                app.engine_pending = true;
                return None;
            }
            let what = [
                (changes.created.len(), "created"),
                (changes.removed.len(), "removed"),
                (changes.changed.len(), "changed"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, word)| format!("{n} {word}"))
            .collect::<Vec<_>>()
            .join(", ");
            // A name removed and created again within one burst counts as neither.
            let what = if what.is_empty() {
                "containers replaced".to_owned()
            } else {
                what
            };
            match changes.targeted() {
                // Every event named its container: read just those (GET one container
                // each) while there are few; many at once read faster as one whole read.
                Some((read, gone)) if read.len() + gone.len() <= REREAD_MAX => {
                    if read.is_empty() && gone.is_empty() {
                        return None;
                    }
                    set_status(app, format!("Engine: {what}; updating ..."), false);
                    Some(Effect::Reread { read, gone })
                }
                _ => {
                    set_status(app, format!("Engine: {what}; reloading ..."), false);
                    Some(Effect::Reload)
                }
            }
        }
        EngineEvent::Dropped { message, retry_in } => {
            set_status(
                app,
                // The retry first: a connect failure's message is long and gets cut.
                format!(
                    "Live updates paused, retrying in {} s (r reloads): {message}",
                    retry_in.as_secs().max(1)
                ),
                true,
            );
            app.events_down = Some(message);
            None
        }
        EngineEvent::Reconnected => {
            app.events_down = None;
            // Before the first load there is nothing to bring up to date.
            app.loaded()?;
            set_status(app, "Live updates back; reloading ...".into(), false);
            Some(Effect::Reload)
        }
    }
}

/// How the status bar names a key that means nothing where it was pressed.
const UNBOUND: &str = " does nothing here (? lists the keys)";

/// `F5 does nothing here (? lists the keys)`, with the key spelled as the help spells it.
fn unbound_message(key: &crossterm::event::KeyEvent) -> String {
    let name = keymap::key_name(&keymap::Key {
        code: key.code,
        ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
    });
    let alt = if key.modifiers.contains(KeyModifiers::ALT) {
        "Alt-"
    } else {
        ""
    };
    format!("{alt}{name}{UNBOUND}")
}

fn set_status(app: &mut App, text: String, error: bool) {
    app.status = Some(Status { text, error });
}

fn type_char(app: &mut App, ctx: Context, c: char) {
    match ctx {
        Context::Filter => {
            app.filter.push(c);
            refresh_rows(app, app.selected_container());
        }
        Context::Prompt => {
            if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                if prompt.selected {
                    prompt.input.clear();
                    prompt.selected = false;
                }
                prompt.input.push(c);
                prompt.error = None;
            }
        }
        _ => {}
    }
}

/// The wheel scrolls the pane under the pointer (not the focused one); a click selects the
/// list row or decision under it, or focuses the pane.
fn on_mouse(app: &mut App, mouse: crossterm::event::MouseEvent) {
    let ctx = context(app);
    if ctx.takes_text() {
        return;
    }
    let hit = view::hit(app, mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let action = if mouse.kind == MouseEventKind::ScrollDown {
                Action::Down
            } else {
                Action::Up
            };
            let steps = if ctx == Context::List { 1 } else { 3 };
            let focus = app.focus;
            if let Some(view::Hit::Pane(pane) | view::Hit::Decision(pane, _)) = hit {
                app.focus = pane;
            }
            for _ in 0..steps {
                on_action(app, ctx, action);
            }
            app.focus = focus;
        }
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => match hit {
            Some(view::Hit::Row(pos)) if ctx == Context::List => {
                app.selected = pos;
                keep_selection_visible(app);
            }
            Some(view::Hit::Pane(pane)) if overlay_free(ctx) => app.focus = pane,
            Some(view::Hit::Decision(pane, i)) if overlay_free(ctx) => {
                app.focus = pane;
                let len = current_items(app).len();
                if i < len {
                    app.decision_cursor = i;
                }
            }
            _ => return,
        },
        _ => return,
    }
    app.dirty = true;
}

/// Screens (no overlay on top) where a click may move focus.
fn overlay_free(ctx: Context) -> bool {
    matches!(ctx, Context::Detail | Context::Migration)
}

fn on_action(app: &mut App, ctx: Context, action: Action) -> Option<Effect> {
    match action {
        Action::ForceQuit => app.quit = true,
        Action::ToggleMouse => {
            app.mouse_captured = !app.mouse_captured;
            set_status(
                app,
                if app.mouse_captured {
                    "Mouse: the wheel scrolls (M releases it for copying text).".into()
                } else {
                    "Mouse released: select and copy text with it; M takes it back.".into()
                },
                false,
            );
            return Some(Effect::MouseCapture(app.mouse_captured));
        }
        Action::Quit => {
            if app.unsaved && app.overlay != Some(Overlay::ConfirmQuit) {
                app.overlay = Some(Overlay::ConfirmQuit);
            } else {
                app.quit = true;
            }
        }
        Action::Help => {
            // Help over a dialog keeps the dialog: the operator reads what y does, then
            // answers it.
            app.under_help = app
                .overlay
                .take()
                .filter(|o| !matches!(o, Overlay::Help | Overlay::Prompt(_)))
                .map(Box::new);
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
        Action::Filter if ctx == Context::List => app.filter_editing = true,
        Action::Filter => set_status(
            app,
            "No list here: / filters the container list (Esc goes back to it).".into(),
            false,
        ),
        Action::Host => {
            app.screen = Screen::Host;
            app.host_scroll = 0;
        }
        Action::Sort => {
            app.sort = app.sort.next();
            app.sort_reversed = false;
            refresh_rows(app, app.selected_container());
        }
        Action::ReverseSort => {
            app.sort_reversed = !app.sort_reversed;
            refresh_rows(app, app.selected_container());
        }
        Action::NextBlocker => next_blocker(app),
        Action::Copy => return copy(app, ctx),
        Action::Reload => {
            if app.loaded().is_some() {
                set_status(app, format!("Reloading from {} ...", app.source), false);
                return Some(Effect::Reload);
            }
        }
        Action::Mark => {
            if let Some(name) = selected_name(app) {
                if !app.marked.remove(&name) {
                    app.marked.insert(name);
                }
                movement(app, ctx, Action::Down);
            }
        }
        Action::MarkProject => mark_project(app),
        Action::ApplyToMarked => {
            if app.marked.is_empty() {
                set_status(
                    app,
                    "Nothing marked: Space marks a container, p its compose project.".into(),
                    false,
                );
            } else {
                let count = app.marked.len();
                open_prompt(app, PromptKind::Bulk { count }, String::new());
            }
        }
        Action::ExportPlan => {
            let input = app.last_plan_path.clone();
            open_prompt(
                app,
                PromptKind::ExportPath,
                input.unwrap_or_else(|| DEFAULT_PLAN_PATH.into()),
            )
        }
        Action::WriteFiles => {
            let input = app.last_out_dir.clone();
            open_prompt(
                app,
                PromptKind::WriteDir,
                input.unwrap_or_else(|| DEFAULT_OUT_DIR.into()),
            )
        }
        Action::NextValue | Action::PrevValue => {
            if app.focus == Pane::First {
                step_decision(app, action == Action::NextValue);
            }
        }
        Action::Edit => edit_decision(app),
        Action::Accept => return accept(app, ctx),
        Action::ClearLine => match ctx {
            Context::Filter => {
                app.filter.clear();
                refresh_rows(app, app.selected_container());
            }
            Context::Prompt => {
                if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                    prompt.input.clear();
                    prompt.error = None;
                }
            }
            _ => {}
        },
        Action::DeleteChar => match ctx {
            Context::Filter => {
                app.filter.pop();
                refresh_rows(app, app.selected_container());
            }
            Context::Prompt => {
                if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                    if prompt.selected {
                        prompt.input.clear();
                        prompt.selected = false;
                    } else {
                        prompt.input.pop();
                    }
                    prompt.error = None;
                }
            }
            _ => {}
        },
        Action::ConfirmOverwrite => return confirm(app, true),
        Action::KeepText => {
            if let Some(Overlay::Prompt(prompt)) = &mut app.overlay {
                prompt.selected = false;
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
        selected: !input.is_empty(),
        input,
        error: None,
    }));
}

fn back(app: &mut App, ctx: Context) {
    match ctx {
        Context::Help => app.overlay = app.under_help.take().map(|o| *o),
        Context::Prompt => app.overlay = None,
        Context::Confirm => {
            app.overlay = None;
            set_status(app, "Nothing written.".into(), false);
        }
        Context::ConfirmQuit => app.overlay = None,
        Context::Filter | Context::List => {
            app.filter_editing = false;
            if !app.filter.is_empty() {
                app.filter.clear();
                refresh_rows(app, app.selected_container());
            } else if ctx == Context::List && !app.marked.is_empty() {
                app.marked.clear();
                set_status(app, "Marks cleared.".into(), false);
            }
        }
        Context::Detail | Context::Host => app.screen = Screen::List,
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
            let (scroll, pane) = match app.focus {
                Pane::First => (app.detail_scroll, Scrolled::Findings),
                Pane::Second => (app.settings_scroll, Scrolled::Settings),
            };
            let new = scroll_by(scroll, action, app.size.1).min(view::max_scroll(app, pane));
            match app.focus {
                Pane::First => app.detail_scroll = new,
                Pane::Second => app.settings_scroll = new,
            }
        }
        Context::Migration => match app.focus {
            Pane::First => {
                let len = current_items(app).len();
                if len > 0 {
                    app.decision_cursor = move_index(app.decision_cursor, len, len, action);
                }
            }
            Pane::Second => {
                app.preview_scroll = scroll_by(app.preview_scroll, action, app.size.1)
                    .min(view::max_scroll(app, Scrolled::Preview));
            }
        },
        Context::Host => {
            app.host_scroll = scroll_by(app.host_scroll, action, app.size.1)
                .min(view::max_scroll(app, Scrolled::Host));
        }
        Context::Help => {
            app.help_scroll = scroll_by(app.help_scroll, action, app.size.1)
                .min(view::max_scroll(app, Scrolled::Help));
        }
        Context::Confirm => {
            app.review_scroll = scroll_by(app.review_scroll, action, app.size.1)
                .min(view::max_scroll(app, Scrolled::Review));
        }
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

/// The next scroll offset; callers clamp it with [`view::max_scroll`].
fn scroll_by(scroll: u16, action: Action, height: u16) -> u16 {
    let page = height.saturating_sub(8).max(1);
    match action {
        Action::Up => scroll.saturating_sub(1),
        Action::Down => scroll.saturating_add(1),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => scroll.saturating_add(page),
        Action::Top => 0,
        Action::Bottom => u16::MAX,
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

/// Host ports other bindings hold, as seen from container `index`.
fn ports_taken(app: &App, index: usize) -> std::collections::BTreeSet<u16> {
    let Some(loaded) = app.loaded() else {
        return Default::default();
    };
    let containers = &loaded.inventory.containers;
    let with_decisions = containers
        .iter()
        .enumerate()
        .filter_map(|(i, c)| app.decision(i).map(|d| (c, d)));
    decisions::ports_in_use(with_decisions, &containers[index].name)
}

/// Store a changed decision and regenerate the preview.
fn set_decision(app: &mut App, decision: ContainerDecision) {
    let (Some(loaded), Some(index)) = (app.loaded().cloned(), app.current) else {
        return;
    };
    let container = &loaded.inventory.containers[index];
    app.changed.remove(&container.name);
    app.decisions.insert(container.name.clone(), decision);
    app.unsaved = true;
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
    let taken = ports_taken(app, index);
    let container = &loaded.inventory.containers[index];
    if let Some(new) = decisions::step(
        item,
        container,
        loaded.inventory.image_of(container),
        &decision,
        forward,
        &taken,
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
                .unwrap_or_else(|| decisions::default_remap(original, &ports_taken(app, index)))
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
        Context::Confirm | Context::ConfirmQuit => confirm(app, false),
        Context::Prompt => accept_prompt(app),
        _ => None,
    }
}

/// `y` (or `o` with `overwrite`) in the write review or the plan-overwrite question. The
/// write review stays open until the writer answers, so a refusal can still be overridden.
fn confirm(app: &mut App, overwrite: bool) -> Option<Effect> {
    match app.overlay.clone() {
        Some(Overlay::Review(review)) if !overwrite && !review.edited().is_empty() => {
            // What the dialog and the help say: `y` never replaces a hand-edited file, and
            // the writer is all or nothing, so nothing is written; `o` is the way on.
            let edited = review.edited();
            let text = format!(
                "Nothing written: {} file(s) were edited by hand ({}). Press o to replace them, Esc to cancel.",
                edited.len(),
                edited.join(", ")
            );
            if let Some(Overlay::Review(shown)) = &mut app.overlay {
                shown.refused = Some(text.clone());
            }
            set_status(app, text, true);
            None
        }
        Some(Overlay::Review(review)) => {
            set_status(
                app,
                format!("Writing into {} ...", review.dir.display()),
                false,
            );
            Some(Effect::Write {
                dir: review.dir,
                overwrite,
            })
        }
        Some(Overlay::ConfirmQuit) => {
            app.quit = true;
            None
        }
        Some(Overlay::OverwritePlan { path }) => {
            app.overlay = None;
            if !overwrite {
                return None;
            }
            app.pending_export = Some(path.clone());
            Some(Effect::ExportPlan {
                path,
                overwrite: true,
            })
        }
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
            if prompt.kind == PromptKind::ExportPath {
                app.last_plan_path = Some(input.clone());
            } else {
                app.last_out_dir = Some(input.clone());
            }
            let path = PathBuf::from(input);
            Some(if prompt.kind == PromptKind::ExportPath {
                app.pending_export = Some(path.clone());
                Effect::ExportPlan {
                    path,
                    overwrite: false,
                }
            } else {
                Effect::ReviewWrite { dir: path }
            })
        }
        PromptKind::Bulk { .. } => match apply_to_marked(app, &input) {
            Ok(text) => {
                app.overlay = None;
                set_status(app, text, false);
                None
            }
            Err(e) => refuse(app, e),
        },
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
            drop(loaded);
            let taken = ports_taken(app, index);
            match decisions::parse_port(&input, original, &decision, &taken) {
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

/// One word of the filter: `blocker`, `change` and `ok` match the MOVE verdict, `sev:X`
/// a worst severity of X or worse (`crit`, `high`, `med`, `low`, `info`, or the full word);
/// anything else is text (name, image, label key or value, rule id).
fn matches_term(loaded: &Loaded, index: usize, term: &str) -> bool {
    let a = &loaded.assessments[index];
    match term {
        "blocker" | "blockers" => return a.migration_verdict() == Migration::Blocker,
        "change" | "changes" => return a.migration_verdict() == Migration::Change,
        "ok" => return a.migration_verdict() == Migration::Ok,
        _ => {}
    }
    if let Some(word) = term.strip_prefix("sev:") {
        return match severity_named(word) {
            Some(floor) => a.worst_severity().is_some_and(|s| s >= floor),
            None => false,
        };
    }
    let c = &loaded.inventory.containers[index];
    let has = |s: &str| s.to_lowercase().contains(term);
    has(&c.name)
        || has(&c.image)
        || c.labels
            .iter()
            .any(|(k, v)| has(k) || has(v) || has(&format!("{k}={v}")))
        || a.findings.iter().any(|f| has(&f.rule))
}

/// `high`, `crit`, `medium`... as a severity.
fn severity_named(word: &str) -> Option<Severity> {
    Some(match word {
        "crit" | "critical" => Severity::Critical,
        "high" => Severity::High,
        "med" | "medium" => Severity::Medium,
        "low" => Severity::Low,
        "info" => Severity::Info,
        _ => return None,
    })
}

/// Does a container match the filter text? Every word must match (see [`matches_term`]).
pub fn matches_filter(loaded: &Loaded, index: usize, needle_lower: &str) -> bool {
    needle_lower
        .split_whitespace()
        .all(|term| matches_term(loaded, index, term))
}

/// Compare names as people read them: runs of digits by value (`perf4` < `perf10`).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                // Without leading zeros, a longer run is a larger number.
                fn trim(n: &[u8]) -> &[u8] {
                    let z = n.iter().take_while(|c| **c == b'0').count();
                    &n[z..]
                }
                let (ta, tb) = (trim(na), trim(nb));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
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
    // The last tie-break: names are unique on an engine, but natural order takes `web01`
    // and `web1` as equal. With it every order is total, so the in-place unstable sort
    // (no buffer to allocate) gives the same rows every time.
    let by_name = |a: usize, b: usize| natural_cmp(name(a), name(b)).then(a.cmp(&b));
    // The worst severity walks a container's findings: once per container, not once per
    // comparison (a sort of 1000 rows makes about 20 000 comparisons).
    let risks: Vec<_> = loaded
        .assessments
        .iter()
        .map(|a| {
            (
                std::cmp::Reverse(a.worst_severity().map_or(-1, severity_rank)),
                std::cmp::Reverse(a.score),
            )
        })
        .collect();
    let risk = |i: usize| risks[i];
    match app.sort {
        SortKey::Risk => {
            rows.sort_unstable_by(|&a, &b| risk(a).cmp(&risk(b)).then_with(|| by_name(a, b)));
        }
        SortKey::Name => rows.sort_unstable_by(|&a, &b| by_name(a, b)),
        SortKey::Image => rows.sort_unstable_by(|&a, &b| {
            natural_cmp(&containers[a].image, &containers[b].image).then_with(|| by_name(a, b))
        }),
        SortKey::State => {
            rows.sort_unstable_by(|&a, &b| {
                state_rank(containers[a].state)
                    .cmp(&state_rank(containers[b].state))
                    .then_with(|| by_name(a, b))
            });
        }
        SortKey::Project => {
            let project = |i: usize| containers[i].compose.as_ref().map(|c| c.project.as_str());
            rows.sort_unstable_by(|&a, &b| {
                // Containers outside any compose project go last.
                (project(a).is_none(), project(a))
                    .cmp(&(project(b).is_none(), project(b)))
                    .then_with(|| by_name(a, b))
            });
        }
        SortKey::Verdict => {
            // Each verdict walks the findings: once per container, not per comparison.
            let verdicts: Vec<Migration> = loaded
                .assessments
                .iter()
                .map(|a| a.migration_verdict())
                .collect();
            let verdict = |i: usize| std::cmp::Reverse(verdicts[i]);
            rows.sort_unstable_by(|&a, &b| {
                verdict(a)
                    .cmp(&verdict(b))
                    .then_with(|| risk(a).cmp(&risk(b)))
                    .then_with(|| by_name(a, b))
            });
        }
    }
    if app.sort_reversed {
        rows.reverse();
    }
    app.rows = rows;
    app.selected = keep
        .and_then(|k| app.rows.iter().position(|&i| i == k))
        .unwrap_or(0);
    keep_selection_visible(app);
}

/// A reload came back: swap the inventory in, keep the edits (by name), the selection and
/// the open container, and mark edited containers whose facts changed since.
fn reloaded(app: &mut App, old: &Loaded, new: Loaded, label: &str) {
    let new = Arc::new(new);
    // Name -> index once per side: a live engine reloads on every burst of events, and a
    // scan per name made this quadratic on a big host. The names are borrowed, not copied.
    fn index(l: &Loaded) -> std::collections::HashMap<&str, usize> {
        l.inventory
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect()
    }
    let (old_index, new_index) = (index(old), index(&new));
    let in_old = |name: &str| old_index.get(name).copied();
    let in_new = |name: &str| new_index.get(name).copied();
    let selected = selected_name(app);
    let current = app
        .current
        .map(|i| old.inventory.containers[i].name.clone());
    let mut changed = 0;
    for name in app.decisions.keys() {
        let before = in_old(name).map(|i| &old.inventory.containers[i]);
        let after = in_new(name).map(|i| &new.inventory.containers[i]);
        if before != after && after.is_some() && app.changed.insert(name.clone()) {
            changed += 1;
        }
    }
    let added = new
        .inventory
        .containers
        .iter()
        .filter(|c| in_old(&c.name).is_none())
        .count();
    let gone = old
        .inventory
        .containers
        .iter()
        .filter(|c| in_new(&c.name).is_none())
        .count();
    let count = new.inventory.containers.len();
    let keep = selected.and_then(|n| in_new(&n));
    app.current = current.and_then(|n| in_new(&n));
    drop((old_index, new_index));
    app.phase = Phase::Ready(new);
    if app.current.is_none() && matches!(app.screen, Screen::Detail | Screen::Migration) {
        app.screen = Screen::List;
    }
    refresh_rows(app, keep);
    refresh_preview(app);
    set_status(
        app,
        format!(
            "{label}: {count} containers, {added} new, {gone} gone, {changed} edited changed (marked !)."
        ),
        changed > 0,
    );
}

/// Free a replaced host off the UI task. A thousand containers with their findings are
/// about a hundred thousand allocations: freeing them was more than half of swapping in a
/// reloaded host (perf on `cargo bench --bench tui`), and when glibc consolidated its free
/// lists on the way a single swap took several frames. One thread of its own frees them;
/// if it cannot be started, the host is freed right here as before.
fn retire(old: Arc<Loaded>) {
    use std::sync::OnceLock;
    use std::sync::mpsc::{Sender, channel};
    static FREER: OnceLock<Option<Sender<Arc<Loaded>>>> = OnceLock::new();
    let freer = FREER.get_or_init(|| {
        let (tx, rx) = channel::<Arc<Loaded>>();
        std::thread::Builder::new()
            .name("unroot-free".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    match freer {
        // The thread only ends with the process, so the send only fails if it panicked;
        // the host then comes back and is freed here.
        Some(tx) => {
            if let Err(returned) = tx.send(old) {
                drop(returned.0);
            }
        }
        None => drop(old),
    }
}

/// `y`: the open container's findings (detail) or its preview as shown, secrets hidden
/// (migration view), to the clipboard.
fn copy(app: &mut App, ctx: Context) -> Option<Effect> {
    let loaded = app.loaded().cloned()?;
    let index = app.current?;
    let (what, lines): (&str, Vec<String>) = match ctx {
        Context::Detail => (
            "findings",
            view::detail::finding_lines(
                &loaded.assessments[index].findings,
                &loaded,
                &view::Theme::new(false),
                "No finding.",
            )
            .iter()
            .map(|l| l.to_string())
            .collect(),
        ),
        Context::Migration => (
            "preview",
            app.preview
                .as_ref()
                .filter(|p| p.container == index)
                .map(crate::tui::preview::preview_lines)
                .unwrap_or_default(),
        ),
        _ => return None,
    };
    set_status(
        app,
        format!(
            "Copied the {what} ({} lines) to the clipboard (OSC 52: the terminal must allow it).",
            lines.len()
        ),
        false,
    );
    Some(Effect::Copy(lines.join("\n")))
}

/// The name of the container under the list cursor.
fn selected_name(app: &App) -> Option<String> {
    let index = app.selected_container()?;
    Some(app.loaded()?.inventory.containers[index].name.clone())
}

/// `p`: mark every container of the selected one's compose project, or unmark them when
/// all are marked already.
fn mark_project(app: &mut App) {
    let (Some(loaded), Some(index)) = (app.loaded().cloned(), app.selected_container()) else {
        return;
    };
    let Some(project) = loaded.inventory.containers[index]
        .compose
        .as_ref()
        .map(|c| c.project.clone())
    else {
        set_status(
            app,
            "Not in a compose project: Space marks it alone.".into(),
            false,
        );
        return;
    };
    let members: Vec<String> = loaded
        .inventory
        .containers
        .iter()
        .filter(|c| c.compose.as_ref().is_some_and(|p| p.project == project))
        .map(|c| c.name.clone())
        .collect();
    let all = members.iter().all(|m| app.marked.contains(m));
    for m in &members {
        if all {
            app.marked.remove(m);
        } else {
            app.marked.insert(m.clone());
        }
    }
    let verb = if all { "unmarked" } else { "marked" };
    set_status(
        app,
        format!("Project {project}: {} container(s) {verb}.", members.len()),
        false,
    );
}

/// One typed bulk decision, checked before anything changes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BulkDecision {
    Include(bool),
    User(Option<String>),
    Network(&'static str),
    Ports(bool),
}

fn parse_bulk(input: &str) -> Result<BulkDecision, String> {
    let words: Vec<&str> = input.split_whitespace().collect();
    Ok(match words.as_slice() {
        ["include"] => BulkDecision::Include(true),
        ["exclude"] => BulkDecision::Include(false),
        ["user", "-"] => BulkDecision::User(None),
        ["user", name] => BulkDecision::User(decisions::parse_user(name)?),
        ["network", "pasta"] => BulkDecision::Network("pasta"),
        ["network", "pod"] => BulkDecision::Network("pod"),
        ["network", "host"] => BulkDecision::Network("host"),
        ["network", "none"] => BulkDecision::Network("none"),
        ["ports", "sysctl"] => BulkDecision::Ports(false),
        ["ports", "remap"] => BulkDecision::Ports(true),
        _ => {
            return Err(
                "type include, exclude, user NAME, network pasta|pod|host|none or ports sysctl|remap"
                    .into(),
            );
        }
    })
}

/// Apply a typed decision to every marked container, through the same decision rules as
/// the migration view (remapped ports avoid ports other containers hold). All or nothing:
/// a container the decision cannot apply to (`network pod` outside a compose project)
/// refuses the whole change.
fn apply_to_marked(app: &mut App, input: &str) -> Result<String, String> {
    let parsed = parse_bulk(input)?;
    let loaded = app.loaded().cloned().ok_or("nothing loaded")?;
    let containers = &loaded.inventory.containers;
    let marked: Vec<usize> = (0..containers.len())
        .filter(|&i| app.marked.contains(&containers[i].name))
        .collect();
    if let BulkDecision::Network("pod") = parsed
        && let Some(&i) = marked.iter().find(|&&i| containers[i].compose.is_none())
    {
        return Err(format!(
            "{} is in no compose project, so it has no pod",
            crate::render::text::one_line(&containers[i].name)
        ));
    }
    for &i in &marked {
        let c = &containers[i];
        let Some(mut d) = app.decision(i) else {
            continue;
        };
        match &parsed {
            BulkDecision::Include(on) => d.include = *on,
            BulkDecision::User(user) => d.user = user.clone(),
            BulkDecision::Network(mode) => {
                d.network = match *mode {
                    "pasta" => NetworkChoice::Pasta,
                    "host" => NetworkChoice::Host,
                    "none" => NetworkChoice::None,
                    _ => NetworkChoice::Pod(
                        c.compose
                            .as_ref()
                            .map(|p| p.project.clone())
                            .unwrap_or_default(),
                    ),
                }
            }
            BulkDecision::Ports(remap) => {
                let is_remap = matches!(d.ports, PrivilegedPortPolicy::Remap { .. });
                if *remap != is_remap {
                    let taken = ports_taken(app, i);
                    if let Some(new) = decisions::step(Item::PortPolicy, c, None, &d, true, &taken)
                    {
                        d = new;
                    }
                }
            }
        }
        app.decisions.insert(c.name.clone(), d);
    }
    app.unsaved = true;
    refresh_preview(app);
    Ok(format!(
        "`{}` applied to {} container(s).",
        input.split_whitespace().collect::<Vec<_>>().join(" "),
        marked.len()
    ))
}

/// `b`: the next blocked container below the cursor, wrapping around; says so when the
/// list shows none.
fn next_blocker(app: &mut App) {
    let Some(loaded) = app.loaded().cloned() else {
        return;
    };
    let len = app.rows.len();
    let found = (1..=len)
        .map(|step| (app.selected + step) % len.max(1))
        .find(|&pos| loaded.assessments[app.rows[pos]].migration_verdict() == Migration::Blocker);
    match found {
        Some(pos) => {
            app.selected = pos;
            keep_selection_visible(app);
        }
        None => set_status(app, "No blocked container in the list.".into(), false),
    }
}

/// Where a state sorts: what runs now first (it is what a migration interrupts), then what
/// could run again, then what is finished.
fn state_rank(state: crate::model::ContainerState) -> u8 {
    use crate::model::ContainerState as S;
    match state {
        S::Running => 0,
        S::Restarting => 1,
        S::Paused => 2,
        S::Created => 3,
        S::Removing => 4,
        S::Exited => 5,
        S::Dead => 6,
        S::Unknown => 7,
    }
}

fn severity_rank(s: Severity) -> i8 {
    s as i8
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyModifiers, MouseEvent};

    use super::*;
    use crate::docker::Progress;
    use crate::model::VolumeStrategy;
    use crate::tui::fixtures::{press, press_ctrl, ready_app, type_text};
    use crate::tui::state::WriteReview;
    use crate::tui::target::TargetCheck;
    use crossterm::event::KeyEvent;

    fn names(app: &App) -> Vec<String> {
        let loaded = app.loaded().unwrap();
        app.rows
            .iter()
            .map(|&i| loaded.inventory.containers[i].name.clone())
            .collect()
    }

    fn selected_name(app: &App) -> String {
        let loaded = app.loaded().unwrap();
        loaded.inventory.containers[app.selected_container().unwrap()]
            .name
            .clone()
    }

    /// Loading ends with the target probe (I/O the run loop does); its answer lands in the
    /// state untouched and the summary counts what the report counted.
    #[test]
    fn loaded_asks_for_the_target_check_and_keeps_its_answer() {
        let mut app = App::new("fixture", crate::tui::actions::default_target(), true);
        let effect = update(
            &mut app,
            Msg::Loaded(Box::new(crate::tui::fixtures::loaded())),
        );
        if cfg!(feature = "podman") {
            assert_eq!(effect, Some(Effect::CheckTarget));
        } else {
            assert_eq!(effect, None);
        }
        assert_eq!(app.target_check, None);
        app.dirty = false;

        let report = crate::tui::fixtures::target_report();
        let effect = update(
            &mut app,
            Msg::TargetChecked(TargetCheck::Checked(Box::new(report.clone()))),
        );
        assert_eq!(effect, None);
        assert!(app.dirty);
        let check = app.target_check.as_ref().unwrap();
        assert_eq!(check, &TargetCheck::Checked(Box::new(report)));
        assert_eq!(
            check.summary(),
            "podman 5.4.2 for podman · 5 pass 1 warn 1 fail"
        );

        update(
            &mut app,
            Msg::TargetChecked(TargetCheck::NotChecked("no Podman socket at /x".into())),
        );
        assert_eq!(
            app.target_check.as_ref().unwrap().summary(),
            "not checked (no Podman socket at /x)"
        );
    }

    #[test]
    fn loading_progress_then_list_sorted_worst_first() {
        let mut app = App::new("x", crate::tui::actions::default_target(), true);
        update(
            &mut app,
            Msg::Progress(Progress {
                inspected: 2,
                total: 5,
            }),
        );
        assert!(matches!(
            app.phase,
            Phase::Loading {
                inspected: 2,
                total: Some(5)
            }
        ));
        assert_eq!(context(&app), Context::Loading);
        let app = ready_app(80, 24);
        assert_eq!(
            names(&app),
            [
                "node-exporter",
                "portainer",
                "blog-db",
                "blog-web",
                "whoami"
            ]
        );
    }

    #[test]
    fn sort_cycles_and_keeps_the_selected_container() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(selected_name(&app), "portainer");
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Name);
        assert_eq!(
            names(&app),
            [
                "blog-db",
                "blog-web",
                "node-exporter",
                "portainer",
                "whoami"
            ]
        );
        assert_eq!(selected_name(&app), "portainer");
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Image);
        assert_eq!(
            names(&app),
            [
                "blog-web",      // nginx:1.25
                "portainer",     // portainer/portainer-ce:latest
                "blog-db",       // postgres:16
                "node-exporter", // prom/node-exporter:v1.8.1
                "whoami"         // traefik/whoami:v1.10
            ]
        );
        assert_eq!(selected_name(&app), "portainer");
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::State);
        assert_eq!(
            names(&app),
            [
                "blog-db",       // running
                "blog-web",      // running
                "portainer",     // running
                "node-exporter", // created
                "whoami"         // exited
            ]
        );
        press(&mut app, KeyCode::Char('S'));
        assert_eq!(names(&app)[0], "whoami", "S reverses the state sort");
        assert_eq!(selected_name(&app), "portainer");
        press(&mut app, KeyCode::Char('s'));
        assert!(!app.sort_reversed, "the next key sorts forward again");
        assert_eq!(app.sort, SortKey::Project);
        assert_eq!(names(&app)[..2], ["blog-db", "blog-web"]);
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Verdict);
        assert_eq!(
            names(&app)[0],
            "node-exporter",
            "the blocked container first"
        );
        press(&mut app, KeyCode::Char('S'));
        assert_eq!(names(&app)[4], "node-exporter", "S reverses");
        assert_eq!(selected_name(&app), "portainer");
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Risk);
        assert!(!app.sort_reversed, "a new sort starts unreversed");
    }

    /// Image references sort as people read versions: `app:1.9` before `app:1.10`, and
    /// containers of one image by name; `S` turns the whole order round.
    #[test]
    fn image_sort_is_natural_and_reverses() {
        let mut loaded = crate::tui::fixtures::loaded();
        let images = [
            ("blog-web", "app:1.10"),
            ("blog-db", "app:1.9"),
            ("portainer", "app:1.10"),
            ("node-exporter", "app:2"),
            ("whoami", "alpine:3.20"),
        ];
        for c in &mut loaded.inventory.containers {
            c.image = images.iter().find(|(n, _)| *n == c.name).unwrap().1.into();
        }
        let mut app = App::new("fixture", crate::tui::actions::default_target(), true);
        update(&mut app, Msg::Resize(80, 24));
        update(&mut app, Msg::Loaded(Box::new(loaded)));
        press(&mut app, KeyCode::Char('s'));
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Image);
        let expected = [
            "whoami",
            "blog-db",
            "blog-web",
            "portainer",
            "node-exporter",
        ];
        assert_eq!(names(&app), expected);
        press(&mut app, KeyCode::Char('S'));
        let mut reversed = expected;
        reversed.reverse();
        assert_eq!(names(&app), reversed);
    }

    #[test]
    fn bulk_decisions_apply_to_a_marked_compose_project() {
        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Char('a'));
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("Nothing marked")
        );
        assert_eq!(app.overlay, None);
        // blog-db is in project blog with blog-web.
        while selected_name(&app) != "blog-db" {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char('p'));
        assert_eq!(
            app.marked.iter().cloned().collect::<Vec<_>>(),
            ["blog-db", "blog-web"]
        );
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "user nobody-here!");
        press(&mut app, KeyCode::Enter);
        assert!(
            matches!(&app.overlay, Some(Overlay::Prompt(p)) if p.error.is_some()),
            "an invalid user is refused in the prompt"
        );
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        );
        type_text(&mut app, "user blogsvc");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.overlay, None);
        assert_eq!(app.decisions["blog-db"].user.as_deref(), Some("blogsvc"));
        assert_eq!(app.decisions["blog-web"].user.as_deref(), Some("blogsvc"));
        assert!(!app.decisions.contains_key("portainer"), "unmarked stays");
        assert!(app.unsaved);

        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "ports remap");
        press(&mut app, KeyCode::Enter);
        let PrivilegedPortPolicy::Remap { ports } = &app.decisions["blog-web"].ports else {
            panic!("not remapped")
        };
        assert_eq!(ports.get(&80), Some(&8080));
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "network pod");
        press(&mut app, KeyCode::Enter);
        assert_eq!(
            app.decisions["blog-db"].network,
            NetworkChoice::Pod("blog".into())
        );
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "exclude");
        press(&mut app, KeyCode::Enter);
        assert!(!app.decisions["blog-db"].include && !app.decisions["blog-web"].include);

        // Space adds a container outside the project; `network pod` then refuses all.
        while selected_name(&app) != "whoami" {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char(' '));
        assert!(app.marked.contains("whoami"));
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "network pod");
        press(&mut app, KeyCode::Enter);
        assert!(
            matches!(&app.overlay, Some(Overlay::Prompt(p)) if p.error.as_deref().unwrap().contains("whoami"))
        );
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert!(app.marked.is_empty(), "Esc clears the marks");
    }

    #[test]
    fn y_copies_the_findings_and_the_preview() {
        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Enter);
        let Some(Effect::Copy(text)) = press(&mut app, KeyCode::Char('y')) else {
            panic!("no copy")
        };
        assert!(text.contains("privileged"), "{text}");
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("Copied the findings")
        );
        press(&mut app, KeyCode::Char('m'));
        let Some(Effect::Copy(text)) = press(&mut app, KeyCode::Char('y')) else {
            panic!("no copy")
        };
        assert!(text.contains("[Container]"), "{text}");
        assert!(
            !text.contains("hunter2-fixture-secret"),
            "secrets stay hidden"
        );
        assert_eq!(crate::tui::run::osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    /// After a reload: blog-db's migration view is still open and its edited user kept.
    fn assert_blog_db_still_open_with_its_edit(app: &App) {
        assert_eq!(
            app.screen,
            Screen::Migration,
            "the open container stays open"
        );
        let loaded = app.loaded().unwrap();
        assert_eq!(
            loaded.inventory.containers[app.current.unwrap()].name,
            "blog-db"
        );
        assert_eq!(app.decisions["blog-db"].user.as_deref(), Some("blogsvc"));
    }

    #[test]
    fn r_reloads_keeps_edits_and_marks_edited_containers_that_changed() {
        let mut app = ready_app(100, 30);
        migrate(&mut app, "blog-db");
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "blogsvc");
        press(&mut app, KeyCode::Enter);
        assert_eq!(press(&mut app, KeyCode::Char('r')), Some(Effect::Reload));
        // The engine changed blog-db (a new image) and removed whoami.
        let mut fresh = crate::tui::fixtures::loaded();
        let db = fresh
            .inventory
            .containers
            .iter_mut()
            .find(|c| c.name == "blog-db")
            .unwrap();
        db.image = "postgres:17".into();
        let whoami = fresh
            .inventory
            .containers
            .iter()
            .position(|c| c.name == "whoami")
            .unwrap();
        fresh.inventory.containers.remove(whoami);
        fresh.assessments.remove(whoami);
        update(&mut app, Msg::Loaded(Box::new(fresh)));
        assert_blog_db_still_open_with_its_edit(&app);
        assert!(app.changed.contains("blog-db"));
        let status = app.status.as_ref().unwrap().text.clone();
        assert!(
            status.contains("1 gone") && status.contains("1 edited changed"),
            "{status}"
        );
        // Editing the decision again clears the mark.
        press(&mut app, KeyCode::Up);
        press(&mut app, KeyCode::Enter); // Migrate: yes -> no
        assert!(!app.changed.contains("blog-db"));
        // A failed reload keeps the data.
        update(
            &mut app,
            Msg::LoadFailed {
                message: "engine gone".into(),
                code: 3,
            },
        );
        assert!(app.loaded().is_some());
        assert!(app.status.as_ref().unwrap().text.contains("Reload failed"));
    }

    /// The host a reload replaces is freed (on a thread of its own, so the UI task does
    /// not pay for it), and nothing of it stays referenced by the app.
    #[test]
    fn a_replaced_host_is_freed() {
        let mut app = ready_app(100, 30);
        let old = Arc::downgrade(app.loaded().unwrap());
        update(
            &mut app,
            Msg::Loaded(Box::new(crate::tui::fixtures::loaded())),
        );
        let freed = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(5));
            old.strong_count() == 0
        });
        assert!(freed, "the replaced host is still referenced");
        assert_eq!(app.loaded().unwrap().inventory.containers.len(), 5);
    }

    /// A burst of engine events as the follower coalesces it; every container's ID is
    /// `id-` and its name.
    fn changes(created: &[&str], removed: &[&str], changed: &[&str]) -> Msg {
        let mut c = crate::docker::events::Changes::default();
        for (action, names) in [
            ("create", created),
            ("destroy", removed),
            ("update", changed),
        ] {
            for name in names {
                c.add(action, Some(&format!("id-{name}")), (*name).to_owned());
            }
        }
        Msg::Engine(EngineEvent::Changes(c))
    }

    fn ids(items: &[&str]) -> std::collections::BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn reread_answer(loaded: Loaded) -> Msg {
        Msg::Reread {
            generation: 1,
            result: Ok(Box::new(loaded)),
        }
    }

    /// The names in the list, with the filter `migrate` typed cleared.
    fn container_names(app: &mut App) -> Vec<String> {
        app.filter.clear();
        refresh_rows(app, app.selected_container());
        let loaded = app.loaded().unwrap();
        app.rows
            .iter()
            .map(|&i| loaded.inventory.containers[i].name.clone())
            .collect()
    }

    #[test]
    fn engine_created_reloads_and_the_new_container_appears_keeping_edits() {
        let mut app = ready_app(100, 30);
        migrate(&mut app, "blog-db");
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "blogsvc");
        press(&mut app, KeyCode::Enter);
        let effect = update(&mut app, changes(&["late-web"], &[], &[]));
        assert_eq!(
            effect,
            Some(Effect::Reread {
                read: ids(&["id-late-web"]),
                gone: ids(&[]),
            }),
            "just the new container is read"
        );
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "Engine: 1 created; updating ..."
        );
        let mut fresh = crate::tui::fixtures::loaded();
        let mut late = fresh.inventory.containers[0].clone();
        late.name = "late-web".into();
        let assessment = fresh.assessments[0].clone();
        fresh.inventory.containers.push(late);
        fresh.assessments.push(assessment);
        update(&mut app, reread_answer(fresh));
        assert_blog_db_still_open_with_its_edit(&app);
        assert!(
            !app.changed.contains("blog-db"),
            "blog-db itself did not change"
        );
        press(&mut app, KeyCode::Esc);
        assert!(container_names(&mut app).contains(&"late-web".to_string()));
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "Updated from the engine: 6 containers, 1 new, 0 gone, 0 edited changed (marked !)."
        );
    }

    #[test]
    fn engine_removed_and_changed_reload_drop_the_row_and_mark_edits() {
        let mut app = ready_app(100, 30);
        migrate(&mut app, "blog-db");
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "blogsvc");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Esc);
        let effect = update(&mut app, changes(&[], &["whoami"], &["blog-db"]));
        assert_eq!(
            effect,
            Some(Effect::Reread {
                read: ids(&["id-blog-db"]),
                gone: ids(&["id-whoami"]),
            }),
            "the changed one is read, the removed one dropped without a read"
        );
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "Engine: 1 removed, 1 changed; updating ..."
        );
        let mut fresh = crate::tui::fixtures::loaded();
        let whoami = fresh
            .inventory
            .containers
            .iter()
            .position(|c| c.name == "whoami")
            .unwrap();
        fresh.inventory.containers.remove(whoami);
        fresh.assessments.remove(whoami);
        fresh
            .inventory
            .containers
            .iter_mut()
            .find(|c| c.name == "blog-db")
            .unwrap()
            .image = "postgres:17".into();
        update(&mut app, reread_answer(fresh));
        let names = container_names(&mut app);
        assert!(!names.contains(&"whoami".to_string()), "{names:?}");
        assert!(names.contains(&"blog-db".to_string()), "{names:?}");
        assert!(
            app.changed.contains("blog-db"),
            "the edited container is marked !"
        );
        assert_eq!(app.decisions["blog-db"].user.as_deref(), Some("blogsvc"));
    }

    /// The whole read stays the fallback: events without IDs, more containers at once than
    /// single reads are worth, and a re-read that failed.
    #[test]
    fn engine_changes_fall_back_to_a_whole_read() {
        let mut app = ready_app(100, 30);
        let mut unnamed = crate::docker::events::Changes::default();
        unnamed.add("start", None, "web".into());
        let effect = update(&mut app, Msg::Engine(EngineEvent::Changes(unnamed)));
        assert_eq!(effect, Some(Effect::Reload));
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "Engine: 1 changed; reloading ..."
        );
        let many: Vec<String> = (0..=REREAD_MAX).map(|i| format!("c{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            update(&mut app, changes(&many, &[], &[])),
            Some(Effect::Reload)
        );
        assert_eq!(
            update(&mut app, changes(&many[..REREAD_MAX], &[], &[])),
            Some(Effect::Reread {
                read: many[..REREAD_MAX]
                    .iter()
                    .map(|n| format!("id-{n}"))
                    .collect(),
                gone: ids(&[]),
            }),
            "up to the bound, one by one"
        );
        let effect = update(
            &mut app,
            Msg::Reread {
                generation: 1,
                result: Err("cannot connect to the Docker engine".into()),
            },
        );
        assert_eq!(effect, Some(Effect::Reload));
        let status = app.status.clone().unwrap();
        assert!(status.error);
        assert!(status.text.contains("cannot connect"), "{}", status.text);
        assert!(app.loaded().is_some(), "the data stays");
    }

    #[test]
    fn engine_drop_says_so_and_the_return_reloads() {
        let mut app = ready_app(100, 30);
        let effect = update(
            &mut app,
            Msg::Engine(EngineEvent::Dropped {
                message: "the event stream of unix:///x dropped: the engine closed it".into(),
                retry_in: std::time::Duration::from_secs(2),
            }),
        );
        assert_eq!(effect, None);
        let status = app.status.clone().unwrap();
        assert!(status.error);
        assert_eq!(
            status.text,
            "Live updates paused, retrying in 2 s (r reloads): the event stream of unix:///x dropped: the engine closed it"
        );
        assert!(app.events_down.is_some());
        assert!(app.loaded().is_some(), "the data stays");
        let effect = update(&mut app, Msg::Engine(EngineEvent::Reconnected));
        assert_eq!(
            effect,
            Some(Effect::Reload),
            "events in the gap were missed"
        );
        assert!(app.events_down.is_none());
    }

    #[test]
    fn engine_changes_during_the_first_load_reload_once_loaded() {
        let mut app = App::new("engine", crate::tui::actions::default_target(), false);
        assert_eq!(update(&mut app, changes(&["early"], &[], &[])), None);
        assert!(app.engine_pending);
        let effect = update(
            &mut app,
            Msg::Loaded(Box::new(crate::tui::fixtures::loaded())),
        );
        assert_eq!(effect, Some(Effect::Reload));
        assert!(!app.engine_pending);
        assert!(app.loaded().is_some());
    }

    #[test]
    fn names_sort_naturally() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("perf4", "perf10"), Less);
        assert_eq!(natural_cmp("perf10", "perf4"), Greater);
        assert_eq!(natural_cmp("perf04", "perf4"), Equal);
        assert_eq!(natural_cmp("a2b10", "a2b9"), Greater);
        assert_eq!(natural_cmp("web", "web1"), Less);
    }

    #[test]
    fn filter_words_match_verdicts_and_severities() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "blocker");
        assert_eq!(names(&app), ["node-exporter"]);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "sev:crit");
        assert_eq!(names(&app), ["node-exporter", "portainer"]);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "sev:high");
        assert_eq!(names(&app).len(), 3, "high or worse: {:?}", names(&app));
        type_text(&mut app, " blog");
        assert_eq!(names(&app), ["blog-db"], "every word must match");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "ok");
        assert_eq!(names(&app), ["whoami"]);
    }

    #[test]
    fn b_jumps_to_the_next_blocker_and_says_when_there_is_none() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('b'));
        assert_eq!(selected_name(&app), "node-exporter", "wraps around");
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "blog");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('b'));
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "No blocked container in the list."
        );
    }

    #[test]
    fn filter_matches_name_image_label_and_rule_id() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('/'));
        assert_eq!(context(&app), Context::Filter);
        type_text(&mut app, "docker-socket");
        assert_eq!(names(&app), ["portainer"]);
        for _ in 0.."docker-socket".len() {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "POSTGRES");
        assert_eq!(names(&app), ["blog-db"], "image, case-insensitive");
        press(&mut app, KeyCode::Esc);
        assert_eq!(names(&app).len(), 5, "Esc clears the filter");
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "compose.project=blog");
        press(&mut app, KeyCode::Enter);
        assert_eq!(names(&app), ["blog-web"], "label key=value");
        assert_eq!(context(&app), Context::List);
        // `q` typed in the filter is text, not quit.
        press(&mut app, KeyCode::Char('/'));
        press(&mut app, KeyCode::Char('q'));
        assert!(!app.quit);
        assert!(app.filter.ends_with('q'));
    }

    #[test]
    fn navigation_clamps_and_pages() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Up);
        assert_eq!(app.selected, 0);
        press(&mut app, KeyCode::Char('G'));
        assert_eq!(app.selected, 4);
        press(&mut app, KeyCode::Down);
        assert_eq!(app.selected, 4);
        press(&mut app, KeyCode::Home);
        assert_eq!(app.selected, 0);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(app.selected, 4);
    }

    #[test]
    fn selection_stays_visible_in_a_short_terminal() {
        let mut app = ready_app(80, 8);
        // The first key takes the start-up legend off the status bar.
        press(&mut app, KeyCode::Up);
        let height = view::list_body_height(&app);
        assert_eq!(height, 3);
        for _ in 0..4 {
            press(&mut app, KeyCode::Down);
        }
        assert_eq!(app.selected, 4);
        assert_eq!(app.list_offset, 2);
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(app.list_offset, 0);
    }

    #[test]
    fn mouse_wheel_moves_the_list() {
        let mut app = ready_app(80, 24);
        let wheel = |kind| MouseEvent {
            kind,
            column: 10,
            row: 5,
            modifiers: KeyModifiers::NONE,
        };
        update(&mut app, Msg::Mouse(wheel(MouseEventKind::ScrollDown)));
        update(&mut app, Msg::Mouse(wheel(MouseEventKind::ScrollDown)));
        assert_eq!(app.selected, 2);
        update(&mut app, Msg::Mouse(wheel(MouseEventKind::ScrollUp)));
        assert_eq!(app.selected, 1);
    }

    #[test]
    fn help_opens_and_closes_and_quit_works_everywhere() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, Some(Overlay::Help));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'e');
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(app.quit, "Ctrl-C quits even inside a prompt");
        let mut app = ready_app(80, 24);
        update(&mut app, Msg::Interrupt);
        assert!(app.quit, "SIGINT quits");
    }

    #[test]
    fn export_prompt_defaults_and_asks_before_replacing_another_plan() {
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'e');
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt");
        };
        assert_eq!(prompt.input, DEFAULT_PLAN_PATH);
        let effect = press(&mut app, KeyCode::Enter);
        let first = Effect::ExportPlan {
            path: DEFAULT_PLAN_PATH.into(),
            overwrite: false,
        };
        assert_eq!(effect, Some(first));
        assert_eq!(app.overlay, None);
        update(
            &mut app,
            Msg::Exported(Ok(Exported::Written("Plan written".into()))),
        );
        assert_eq!(app.status.as_ref().unwrap().text, "Plan written");

        // The file exists with other content: a question, then only `o` overwrites.
        press_ctrl(&mut app, 'e');
        press(&mut app, KeyCode::Enter);
        update(&mut app, Msg::Exported(Ok(Exported::Exists)));
        assert_eq!(
            app.overlay,
            Some(Overlay::OverwritePlan {
                path: DEFAULT_PLAN_PATH.into()
            })
        );
        assert_eq!(press(&mut app, KeyCode::Char('y')), None, "y is not o");
        assert_eq!(app.overlay, None);
        press_ctrl(&mut app, 'e');
        press(&mut app, KeyCode::Enter);
        update(&mut app, Msg::Exported(Ok(Exported::Exists)));
        assert_eq!(
            press(&mut app, KeyCode::Char('o')),
            Some(Effect::ExportPlan {
                path: DEFAULT_PLAN_PATH.into(),
                overwrite: true
            })
        );
    }

    #[test]
    fn an_empty_path_is_refused_in_the_prompt() {
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'w');
        for _ in 0..DEFAULT_OUT_DIR.len() {
            press(&mut app, KeyCode::Backspace);
        }
        assert_eq!(press(&mut app, KeyCode::Enter), None);
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("prompt closed");
        };
        assert!(prompt.error.as_deref().unwrap().contains("type a path"));
    }

    #[test]
    fn write_review_writes_safely_on_y_and_overwrites_only_on_o() {
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'w');
        let effect = press(&mut app, KeyCode::Enter);
        assert_eq!(
            effect,
            Some(Effect::ReviewWrite {
                dir: DEFAULT_OUT_DIR.into()
            })
        );
        let review = WriteReview {
            dir: "out".into(),
            files: vec![("subuid".into(), crate::tui::state::FileStatus::Differs)],
            refused: None,
        };
        update(&mut app, Msg::Reviewed(Ok(review.clone())));
        assert_eq!(context(&app), Context::Confirm);
        assert_eq!(
            press(&mut app, KeyCode::Char('y')),
            Some(Effect::Write {
                dir: "out".into(),
                overwrite: false
            }),
            "y asks the writer for a safe write"
        );
        // The writer refuses: the review stays open with the reason.
        update(
            &mut app,
            Msg::Written(Err("refusing to overwrite subuid".into())),
        );
        assert_eq!(context(&app), Context::Confirm);
        let Some(Overlay::Review(shown)) = &app.overlay else {
            panic!("review closed")
        };
        assert_eq!(
            shown.refused.as_deref(),
            Some("refusing to overwrite subuid")
        );
        assert!(app.status.as_ref().unwrap().error);
        assert_eq!(
            press(&mut app, KeyCode::Char('o')),
            Some(Effect::Write {
                dir: "out".into(),
                overwrite: true
            })
        );
        update(&mut app, Msg::Written(Ok("out: 1 written".into())));
        assert_eq!(app.overlay, None);
        assert_eq!(app.status.as_ref().unwrap().text, "out: 1 written");
        // Esc writes nothing.
        update(&mut app, Msg::Reviewed(Ok(review)));
        assert_eq!(press(&mut app, KeyCode::Esc), None);
        assert_eq!(app.overlay, None);
        assert_eq!(app.status.as_ref().unwrap().text, "Nothing written.");
    }

    #[test]
    fn enter_opens_detail_tab_switches_panes_esc_goes_back() {
        let mut app = ready_app(80, 16);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Detail);
        assert_eq!(app.current, Some(3), "node-exporter is worst");
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Second);
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(app.settings_scroll, 1);
        assert_eq!(app.detail_scroll, 0);
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(app.screen, Screen::Migration);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen, Screen::Detail, "back to where it came from");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen, Screen::List);
    }

    /// Open the migration view of `name` (through the filter, as a user would).
    fn migrate(app: &mut App, name: &str) {
        press(app, KeyCode::Char('/'));
        type_text(app, name);
        press(app, KeyCode::Enter);
        press(app, KeyCode::Char('m'));
        assert_eq!(app.screen, Screen::Migration);
    }

    fn preview_text(app: &App) -> String {
        crate::tui::preview::preview_lines(app.preview.as_ref().unwrap()).join("\n")
    }

    #[test]
    fn changing_a_decision_changes_the_decision_and_the_preview() {
        let mut app = ready_app(120, 40);
        migrate(&mut app, "blog-web");
        let before = preview_text(&app);
        // Include, User, Ports < 1024: switch to remap.
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Right);
        let decision = app.decisions.get("blog-web").unwrap();
        let PrivilegedPortPolicy::Remap { ports } = &decision.ports else {
            panic!("not remapped: {decision:?}");
        };
        assert_eq!(ports.get(&80), Some(&8080));
        assert_eq!(ports.get(&443), Some(&8443));
        let after = preview_text(&app);
        assert_ne!(before, after, "the preview follows the decision");
        assert!(after.contains("8080"), "{after}");
    }

    #[test]
    fn typing_a_remap_port_validates_it() {
        let mut app = ready_app(120, 40);
        migrate(&mut app, "blog-web");
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Down); // host port 80 ->
        press(&mut app, KeyCode::Enter);
        assert_eq!(context(&app), Context::Prompt);
        for _ in 0..4 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "81");
        press(&mut app, KeyCode::Enter);
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("a privileged port was accepted");
        };
        assert!(prompt.error.as_deref().unwrap().contains("below 1024"));
        press(&mut app, KeyCode::Backspace);
        press(&mut app, KeyCode::Backspace);
        type_text(&mut app, "8443");
        press(&mut app, KeyCode::Enter);
        assert!(app.overlay.is_some(), "8443 is taken by the 443 remap");
        for _ in 0..4 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "18080");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.overlay, None);
        let PrivilegedPortPolicy::Remap { ports } = &app.decisions["blog-web"].ports else {
            panic!()
        };
        assert_eq!(ports[&80], 18080);
        assert!(preview_text(&app).contains("18080"));
    }

    #[test]
    fn excluding_a_container_empties_its_preview_and_marks_the_list() {
        let mut app = ready_app(120, 40);
        migrate(&mut app, "blog-db");
        assert!(
            !app.preview
                .as_ref()
                .unwrap()
                .generated
                .as_ref()
                .unwrap()
                .files
                .is_empty()
        );
        press(&mut app, KeyCode::Enter); // Migrate: yes -> no
        assert!(!app.decisions["blog-db"].include);
        assert!(
            app.preview
                .as_ref()
                .unwrap()
                .generated
                .as_ref()
                .unwrap()
                .files
                .is_empty()
        );
    }

    #[test]
    fn volume_strategy_and_network_cycle_both_ways() {
        let mut app = ready_app(120, 40);
        migrate(&mut app, "blog-db");
        // Include, User, Ports, Volumes, Network
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('l'));
        assert_eq!(
            app.decisions["blog-db"].volumes,
            VolumeStrategy::ChownOnStart
        );
        press(&mut app, KeyCode::Char('h'));
        press(&mut app, KeyCode::Char('h'));
        assert_eq!(app.decisions["blog-db"].volumes, VolumeStrategy::KeepId);
        press(&mut app, KeyCode::Char('j'));
        let before = app.decisions["blog-db"].network.clone();
        press(&mut app, KeyCode::Char('l'));
        assert_ne!(app.decisions["blog-db"].network, before);
    }

    #[test]
    fn target_user_prompt_rejects_root_and_applies_a_name() {
        let mut app = ready_app(120, 40);
        migrate(&mut app, "blog-db");
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "root");
        press(&mut app, KeyCode::Enter);
        assert!(app.overlay.is_some());
        for _ in 0..4 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "blogsvc");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.decisions["blog-db"].user.as_deref(), Some("blogsvc"));
    }
}

#[cfg(test)]
mod scroll_tests {
    use super::*;
    use crate::tui::fixtures::{press, ready_app};

    #[test]
    fn scrolling_stops_at_the_end_so_the_way_back_is_one_key() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('?'));
        for _ in 0..200 {
            press(&mut app, KeyCode::Char('j'));
        }
        let end = app.help_scroll;
        assert!(
            end > 0 && end < 200,
            "help scrolls, but not past its end: {end}"
        );
        assert_eq!(end, view::max_scroll(&app, Scrolled::Help));
        press(&mut app, KeyCode::Char('k'));
        assert_eq!(app.help_scroll, end - 1);
        press(&mut app, KeyCode::Esc);

        // The preview of a container is longer than the pane at 80x24.
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('G'));
        let end = app.preview_scroll;
        assert!(end > 0);
        assert_eq!(end, view::max_scroll(&app, Scrolled::Preview));
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(app.preview_scroll, end);
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(app.preview_scroll, 0);
    }
}

#[cfg(test)]
mod redraw_tests {
    use crossterm::event::KeyModifiers;

    use super::*;
    use crate::tui::fixtures::ready_app;
    use crossterm::event::KeyEvent;

    #[test]
    fn only_keys_that_change_something_ask_for_a_redraw() {
        let mut app = ready_app(80, 24);
        app.dirty = false;
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
        );
        assert!(app.dirty, "an unbound key says so");
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "x does nothing here (? lists the keys)"
        );
        app.dirty = false;
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
        );
        assert!(!app.dirty, "the same unbound key again redraws nothing");
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        );
        assert!(app.dirty);
        app.dirty = false;
        update(&mut app, Msg::Resize(100, 30));
        assert!(app.dirty, "a resize always redraws");
    }
}

#[cfg(test)]
mod prompt_memory_tests {
    use crossterm::event::KeyModifiers;

    use super::*;
    use crate::tui::fixtures::{press, press_ctrl, ready_app};
    use crossterm::event::KeyEvent;

    #[test]
    fn prompts_offer_the_last_answer_again() {
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'w');
        for _ in 0..DEFAULT_OUT_DIR.len() {
            press(&mut app, KeyCode::Backspace);
        }
        for c in "/srv/out".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        assert_eq!(
            press(&mut app, KeyCode::Enter),
            Some(Effect::ReviewWrite {
                dir: "/srv/out".into()
            })
        );
        press_ctrl(&mut app, 'w');
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(prompt.input, "/srv/out");
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        );
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(prompt.input, "", "Ctrl-U clears the line");
        press(&mut app, KeyCode::Esc);
        press_ctrl(&mut app, 'e');
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(
            prompt.input, DEFAULT_PLAN_PATH,
            "each prompt remembers its own answer"
        );
    }
}

#[cfg(test)]
mod loading_tests {
    use crossterm::event::KeyModifiers;

    use super::*;
    use crate::tui::actions::default_target;
    use crossterm::event::KeyEvent;

    #[test]
    fn the_loading_screen_answers_keys() {
        let mut app = App::new("x", default_target(), true);
        let key = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        update(&mut app, key('?'));
        assert_eq!(app.overlay, Some(Overlay::Help), "help while loading");
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        update(&mut app, key('e'));
        assert_eq!(
            app.overlay, None,
            "nothing to export before the host is loaded"
        );
        update(&mut app, key('q'));
        assert!(app.quit, "q quits while loading");
    }
}

#[cfg(test)]
mod quit_tests {
    use crossterm::event::KeyModifiers;

    use super::*;
    use crate::tui::fixtures::{press, ready_app};
    use crossterm::event::KeyEvent;

    #[test]
    fn q_asks_before_losing_edits_ctrl_c_does_not() {
        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Enter); // Migrate: yes -> no
        assert!(app.unsaved);
        press(&mut app, KeyCode::Char('q'));
        assert!(!app.quit);
        assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);
        assert!(!app.quit, "Esc stays");
        press(&mut app, KeyCode::Char('q'));
        press(&mut app, KeyCode::Char('y'));
        assert!(app.quit, "y confirms");

        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('q'));
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit, "q twice quits");

        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Enter);
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(app.quit, "Ctrl-C never asks");

        // After an export nothing is lost: q quits at once.
        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Enter);
        update(
            &mut app,
            Msg::Exported(Ok(Exported::Written("Plan written".into()))),
        );
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
    }
}

#[cfg(test)]
mod mouse_tests {
    use crossterm::event::KeyModifiers;

    use super::*;
    use crate::tui::fixtures::ready_app;
    use crossterm::event::KeyEvent;

    #[test]
    fn m_releases_and_takes_back_the_mouse() {
        let mut app = ready_app(80, 24);
        let shift_m = Msg::Key(KeyEvent::new(KeyCode::Char('M'), KeyModifiers::SHIFT));
        assert_eq!(update(&mut app, shift_m), Some(Effect::MouseCapture(false)));
        assert!(!app.mouse_captured);
        let again = Msg::Key(KeyEvent::new(KeyCode::Char('M'), KeyModifiers::SHIFT));
        assert_eq!(update(&mut app, again), Some(Effect::MouseCapture(true)));
    }
}

#[cfg(test)]
mod issue15_tests {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent};

    use super::*;
    use crate::tui::fixtures::{press, press_ctrl, ready_app, type_text};
    use crate::tui::state::{FileStatus, WriteReview};

    fn writes(effect: &Option<Effect>) -> bool {
        matches!(
            effect,
            Some(Effect::ExportPlan { .. } | Effect::Write { .. } | Effect::ReviewWrite { .. })
        )
    }

    /// Defect 1: typing a word (the report's `/steer-esc`, and a few more) then Enter, in
    /// every view, never asks for a file to be written.
    #[test]
    fn typing_a_word_in_any_view_writes_nothing() {
        let views: &[&[KeyCode]] = &[
            &[],
            &[KeyCode::Enter],
            &[KeyCode::Enter, KeyCode::Char('m')],
            &[KeyCode::Char('m'), KeyCode::Tab],
            &[KeyCode::Char('i')],
            &[KeyCode::Char('?')],
        ];
        for view in views {
            for word in ["/steer-esc", "/we-ew", "export", "write", "yes", "ooo"] {
                let mut app = ready_app(120, 40);
                for &key in *view {
                    press(&mut app, key);
                }
                let mut effects = Vec::new();
                for c in word.chars() {
                    effects.push(press(&mut app, KeyCode::Char(c)));
                }
                effects.push(press(&mut app, KeyCode::Enter));
                assert!(
                    !effects.iter().any(writes),
                    "{view:?} then {word:?}: {effects:?}"
                );
                assert!(
                    !matches!(app.overlay, Some(Overlay::Prompt(_) | Overlay::Review(_))),
                    "{view:?} then {word:?} opened {:?}",
                    app.overlay
                );
            }
        }
    }

    /// Issue 15: every key that does nothing where it is pressed says so, not only letters:
    /// digits, punctuation, F-keys, Insert, Ctrl- and Alt-combinations, in every view; keys
    /// a text field takes are typed into it instead.
    #[test]
    fn every_unbound_key_says_so_in_every_view() {
        use crate::tui::actions::default_target;
        use crate::tui::keymap::context;
        use crossterm::event::KeyEvent;
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        let none = KeyModifiers::NONE;
        let unbound = [
            (key(KeyCode::Char('7'), none), "7"),
            (key(KeyCode::Char('%'), none), "%"),
            (key(KeyCode::F(5), none), "F5"),
            (key(KeyCode::Insert, none), "Ins"),
            (key(KeyCode::Char('z'), KeyModifiers::CONTROL), "Ctrl-Z"),
            (key(KeyCode::Char('x'), KeyModifiers::ALT), "Alt-x"),
        ];
        let review = Overlay::Review(WriteReview {
            dir: "/tmp/out".into(),
            files: vec![("migrate.sh".into(), FileStatus::New)],
            refused: None,
        });
        // Each view, reached as an operator would (or its overlay set), and its context.
        let after = |code: KeyCode| -> Box<dyn Fn() -> App> {
            Box::new(move || {
                let mut app = ready_app(120, 40);
                press(&mut app, code);
                app
            })
        };
        let views: Vec<(Context, Box<dyn Fn() -> App>)> = vec![
            (Context::List, Box::new(|| ready_app(120, 40))),
            (Context::Detail, after(KeyCode::Enter)),
            (Context::Migration, after(KeyCode::Char('m'))),
            (Context::Host, after(KeyCode::Char('i'))),
            (Context::Help, after(KeyCode::Char('?'))),
            (
                Context::Confirm,
                Box::new(move || {
                    let mut app = ready_app(120, 40);
                    app.overlay = Some(review.clone());
                    app
                }),
            ),
            (
                Context::Loading,
                Box::new(|| App::new("x", default_target(), true)),
            ),
            (
                Context::Error,
                Box::new(|| {
                    let mut app = App::new("x", default_target(), true);
                    update(
                        &mut app,
                        Msg::LoadFailed {
                            message: "no engine".into(),
                            code: 3,
                        },
                    );
                    app
                }),
            ),
        ];
        for (ctx, make) in &views {
            for (k, name) in &unbound {
                let mut app = make();
                assert_eq!(context(&app), *ctx);
                app.dirty = false;
                let effect = update(&mut app, Msg::Key(*k));
                assert_eq!(effect, None, "{ctx:?} {name}");
                assert!(app.dirty, "{ctx:?} {name}: no redraw");
                assert_eq!(
                    app.status.as_ref().map(|s| s.text.as_str()),
                    Some(format!("{name} does nothing here (? lists the keys)").as_str()),
                    "{ctx:?}"
                );
                assert_eq!(context(&app), *ctx, "{name} changed the view");
            }
        }
        // A text field takes printable keys as text; the rest still say so.
        let mut app = ready_app(120, 40);
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "7%");
        assert_eq!(app.filter, "7%");
        assert!(
            app.status
                .as_ref()
                .is_none_or(|s| !s.text.contains("does nothing"))
        );
        press(&mut app, KeyCode::F(5));
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "F5 does nothing here (? lists the keys)"
        );
        assert_eq!(app.filter, "7%", "F5 typed nothing");
        // A modifier pressed alone is no key of its own.
        let mut app = ready_app(120, 40);
        app.status = None;
        update(
            &mut app,
            Msg::Key(key(
                KeyCode::Modifier(crossterm::event::ModifierKeyCode::LeftShift),
                none,
            )),
        );
        assert_eq!(app.status, None);
    }

    /// A key pressed in vain while loading makes way for the legend once the host is in.
    #[test]
    fn the_legend_replaces_a_key_pressed_in_vain_while_loading() {
        let mut app = App::new("x", crate::tui::actions::default_target(), true);
        press(&mut app, KeyCode::Char('7'));
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("7 does nothing")
        );
        update(
            &mut app,
            Msg::Loaded(Box::new(crate::tui::fixtures::loaded())),
        );
        assert_eq!(
            app.status.as_ref().unwrap().text,
            crate::tui::view::help::LEGEND_LINE
        );
    }

    #[test]
    fn slash_outside_the_list_says_where_filtering_works() {
        let mut app = ready_app(100, 30);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('/'));
        assert!(!app.filter_editing);
        assert!(
            app.status
                .as_ref()
                .unwrap()
                .text
                .contains("/ filters the container list")
        );
    }

    #[test]
    fn a_prompt_selects_its_offered_text_so_typing_replaces_it() {
        let mut app = ready_app(80, 24);
        press_ctrl(&mut app, 'e');
        type_text(&mut app, "mine.json");
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(prompt.input, "mine.json");
        press(&mut app, KeyCode::Esc);
        press_ctrl(&mut app, 'w');
        press(&mut app, KeyCode::End);
        type_text(&mut app, "-2");
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(
            prompt.input,
            format!("{DEFAULT_OUT_DIR}-2"),
            "End keeps the offer"
        );
        press(&mut app, KeyCode::Esc);
        press_ctrl(&mut app, 'w');
        press(&mut app, KeyCode::Backspace);
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("no prompt")
        };
        assert_eq!(prompt.input, "", "Backspace clears a selected offer");
    }

    /// Defect 2: with a hand-edited file, `y` writes nothing and says `o`, as the dialog and
    /// the help do; `o` writes.
    #[test]
    fn y_with_a_hand_edited_file_writes_nothing_and_names_the_o_key() {
        let mut app = ready_app(80, 24);
        let review = WriteReview {
            dir: "out".into(),
            files: vec![
                ("quadlet/blog-web.container".into(), FileStatus::Edited),
                ("subuid".into(), FileStatus::Differs),
            ],
            refused: None,
        };
        update(&mut app, Msg::Reviewed(Ok(review)));
        assert_eq!(
            press(&mut app, KeyCode::Char('y')),
            None,
            "y writes nothing"
        );
        let Some(Overlay::Review(shown)) = &app.overlay else {
            panic!("review closed")
        };
        let refused = shown.refused.clone().unwrap();
        assert!(refused.contains("quadlet/blog-web.container"), "{refused}");
        assert!(refused.contains("Press o"), "{refused}");
        assert!(!refused.contains("--force"), "{refused}");
        let help: Vec<_> = keymap::help_sections()
            .into_iter()
            .filter(|(t, _)| *t == "Write review")
            .flat_map(|(_, rows)| rows)
            .collect();
        assert!(
            help.iter().any(|(k, d)| k.starts_with('y')
                && d.contains("writes nothing if a file was hand-edited")),
            "{help:?}"
        );
        assert_eq!(
            press(&mut app, KeyCode::Char('o')),
            Some(Effect::Write {
                dir: "out".into(),
                overwrite: true
            })
        );
        // A refusal from the writer itself (a file edited after the review) names `o` too.
        update(
            &mut app,
            Msg::Written(Err("refusing ...; nothing was written (review them, then re-run with --force to replace them)".into())),
        );
        assert!(app.status.as_ref().unwrap().text.contains("press o"));
    }

    #[test]
    fn help_over_the_write_review_returns_to_it() {
        let mut app = ready_app(80, 24);
        let review = WriteReview {
            dir: "out".into(),
            files: vec![("subuid".into(), FileStatus::New)],
            refused: None,
        };
        update(&mut app, Msg::Reviewed(Ok(review.clone())));
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, Some(Overlay::Help));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, Some(Overlay::Review(review)));
    }

    #[test]
    fn the_write_review_list_scrolls() {
        let mut app = ready_app(80, 24);
        let files = (0..40)
            .map(|i| (format!("quadlet/app{i:02}.container"), FileStatus::New))
            .collect();
        update(
            &mut app,
            Msg::Reviewed(Ok(WriteReview {
                dir: "out".into(),
                files,
                refused: None,
            })),
        );
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(app.review_scroll, 1);
        press(&mut app, KeyCode::Char('G'));
        let end = app.review_scroll;
        assert!(end > 20 && end < 40, "{end}");
        assert_eq!(end, view::max_scroll(&app, Scrolled::Review));
    }

    fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    }

    /// Defect 7: the wheel scrolls the pane under the pointer; a click selects.
    #[test]
    fn the_wheel_scrolls_the_pane_under_the_pointer_and_a_click_selects() {
        let mut app = ready_app(80, 24);
        // Rows: host line, border, header, then containers from row 3.
        update(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 10, 5),
        );
        assert_eq!(app.selected, 2, "the third container row");
        update(&mut app, mouse(MouseEventKind::ScrollDown, 10, 5));
        assert_eq!(app.selected, 3);

        press(&mut app, KeyCode::Enter);
        assert_eq!(app.focus, Pane::First);
        // The settings table is the lower pane: the last rows above the footer.
        update(&mut app, mouse(MouseEventKind::ScrollDown, 10, 20));
        assert!(
            app.settings_scroll > 0,
            "the pane under the pointer scrolled"
        );
        assert_eq!(app.detail_scroll, 0, "the focused pane did not");
        assert_eq!(app.focus, Pane::First, "the wheel leaves the focus alone");
        update(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 10, 20),
        );
        assert_eq!(app.focus, Pane::Second, "a click focuses");

        press(&mut app, KeyCode::Char('m'));
        // Decisions: two rows each under the border at row 2: the third starts at row 7.
        update(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 5, 7),
        );
        assert_eq!(app.decision_cursor, 2);
        update(&mut app, mouse(MouseEventKind::ScrollDown, 60, 10));
        assert!(
            app.preview_scroll > 0,
            "the preview under the pointer scrolled"
        );
        assert_eq!(app.decision_cursor, 2);
    }

    #[test]
    fn ctrl_keys_write_and_plain_letters_do_not() {
        let mut app = ready_app(80, 24);
        assert_eq!(press(&mut app, KeyCode::Char('e')), None);
        assert_eq!(app.overlay, None);
        press_ctrl(&mut app, 'e');
        assert!(matches!(app.overlay, Some(Overlay::Prompt(_))));
        press(&mut app, KeyCode::Esc);
        assert_eq!(press(&mut app, KeyCode::Char('w')), None);
        assert_eq!(app.overlay, None, "w alone opens nothing");
    }
}
