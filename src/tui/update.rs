//! Messages in, state changes out (The Elm Architecture's `update`). Pure apart from the
//! returned [`Effect`], which the run loop performs off the UI path and answers with a
//! message; so every behaviour here is unit-testable with fixture models.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers, MouseEventKind};

use crate::model::{ContainerDecision, PrivilegedPortPolicy};
use crate::risk::Severity;

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
                    }
                    // Any other key means nothing here: no redraw.
                    None
                }
            }
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
            // Without the Podman client there is nothing to ask.
            cfg!(feature = "podman").then_some(Effect::CheckTarget)
        }
        Msg::TargetChecked(check) => {
            app.target_check = Some(check);
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
                prompt.input.push(c);
                prompt.error = None;
            }
        }
        _ => {}
    }
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
        Action::Host => {
            app.screen = Screen::Host;
            app.host_scroll = 0;
        }
        Action::Sort => {
            app.sort = app.sort.next();
            refresh_rows(app, app.selected_container());
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
                    prompt.input.pop();
                    prompt.error = None;
                }
            }
            _ => {}
        },
        Action::ConfirmOverwrite => return confirm(app, true),
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
        Context::ConfirmQuit => app.overlay = None,
        Context::Filter | Context::List => {
            app.filter_editing = false;
            if !app.filter.is_empty() {
                app.filter.clear();
                refresh_rows(app, app.selected_container());
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
    if let Some(new) = decisions::step(
        item,
        &loaded.inventory.containers[index],
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
                    std::cmp::Reverse(a.worst_severity().map_or(-1, severity_rank)),
                    std::cmp::Reverse(a.score),
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

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyModifiers, MouseEvent};

    use super::*;
    use crate::docker::Progress;
    use crate::model::VolumeStrategy;
    use crate::tui::fixtures::{press, ready_app, type_text};
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
        assert_eq!(app.sort, SortKey::Project);
        assert_eq!(names(&app)[..2], ["blog-db", "blog-web"]);
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, SortKey::Risk);
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
        press(&mut app, KeyCode::Char('e'));
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
        press(&mut app, KeyCode::Char('e'));
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
        press(&mut app, KeyCode::Char('e'));
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
        press(&mut app, KeyCode::Char('e'));
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
        press(&mut app, KeyCode::Char('w'));
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
        press(&mut app, KeyCode::Char('w'));
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
        assert!(!app.dirty, "an unbound key in the list redraws nothing");
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
    use crate::tui::fixtures::{press, ready_app};
    use crossterm::event::KeyEvent;

    #[test]
    fn prompts_offer_the_last_answer_again() {
        let mut app = ready_app(80, 24);
        press(&mut app, KeyCode::Char('w'));
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
        press(&mut app, KeyCode::Char('w'));
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
        press(&mut app, KeyCode::Char('e'));
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
