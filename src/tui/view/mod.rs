//! Views: pure functions from [`App`] to a frame, one file per screen or pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::state::{App, Overlay, Phase, Screen};

pub mod detail;
mod error;
mod filter;
mod footer;
pub mod help;
mod host;
mod list;
mod loading;
pub mod migration;
mod prompt;
mod review;
mod summary;
pub mod theme;

#[cfg(test)]
mod tests;

pub use theme::Theme;

/// Rows of chrome around the list body: host line, footer, table borders and header.
const LIST_CHROME: u16 = 1 + 1 + 2 + 1;

/// Whether the one-line bar above the footer (filter or status) is shown.
pub fn bar_shown(app: &App) -> bool {
    app.filter_editing || !app.filter.is_empty() || app.status.is_some()
}

/// Container rows that fit in the list; `update` pages and scrolls with the same number.
pub fn list_body_height(app: &App) -> usize {
    let bar = u16::from(bar_shown(app));
    usize::from(app.size.1.saturating_sub(LIST_CHROME + bar))
}

/// Draw the whole screen.
/// Body, status/filter bar and footer rows.
fn screen_layout(app: &App, area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(u16::from(bar_shown(app))),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Host summary line over the screen's own area.
fn body_layout(body: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body)
}

/// A pane that scrolls by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrolled {
    Findings,
    Settings,
    Preview,
    Help,
    Host,
    /// The write review's file list.
    Review,
}

/// The largest useful scroll offset of a pane at the current terminal size, so `update`
/// can clamp and `k` answers at once after scrolling past the end.
pub fn max_scroll(app: &App, pane: Scrolled) -> u16 {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let [body, _, _] = screen_layout(app, area);
    let [_, main] = body_layout(body);
    match pane {
        Scrolled::Help => help::max_scroll(area),
        Scrolled::Review => match &app.overlay {
            Some(Overlay::Review(r)) => review::max_scroll(overlay_area(area), r),
            _ => 0,
        },
        Scrolled::Findings | Scrolled::Settings => {
            let Some(loaded) = app.loaded() else {
                return 0;
            };
            let (findings, settings) = detail::max_scrolls(app, loaded, main);
            if pane == Scrolled::Findings {
                findings
            } else {
                settings
            }
        }
        Scrolled::Preview => migration::max_scroll(app, main),
        Scrolled::Host => app.loaded().map_or(0, |l| host::max_scroll(app, l, main)),
    }
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.color);
    let area = frame.area();
    let [body, bar, foot] = screen_layout(app, area);
    match &app.phase {
        Phase::Loading { inspected, total } => {
            loading::draw(frame, body, &theme, &app.source, *inspected, *total)
        }
        Phase::Failed { message, .. } => error::draw(frame, body, &theme, message),
        Phase::Ready(loaded) => {
            let [head, main] = body_layout(body);
            summary::draw(frame, head, &theme, app, loaded);
            match app.screen {
                Screen::List => list::draw(frame, main, &theme, app, loaded),
                Screen::Detail => detail::draw(frame, main, &theme, app, loaded),
                Screen::Migration => migration::draw(frame, main, &theme, app, loaded),
                Screen::Host => host::draw(frame, main, &theme, app, loaded),
            }
        }
    }
    // On every screen, the loading and error screens too: a key pressed in vain says so.
    filter::draw(frame, bar, &theme, app);
    footer::draw(frame, foot, &theme, app);
    match &app.overlay {
        Some(Overlay::Help) => help::draw(frame, area, &theme, app.help_scroll),
        Some(Overlay::Prompt(p)) => prompt::draw(frame, area, &theme, p),
        Some(Overlay::Review(r)) => {
            review::draw(frame, overlay_area(area), &theme, r, app.review_scroll)
        }
        Some(Overlay::ConfirmQuit) => review::draw_confirm_quit(frame, area, &theme),
        Some(Overlay::OverwritePlan { path }) => {
            review::draw_overwrite_plan(frame, area, &theme, path)
        }
        None => {}
    }
}

/// Where dialogs may go: everything but the status bar and the footer, which stay
/// readable under a dialog (issue 15: the write review covered the status line).
fn overlay_area(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(2),
        ..area
    }
}

/// What is under the mouse pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A container row of the list: its position in `rows`.
    Row(usize),
    /// A pane of the detail or migration screen.
    Pane(super::state::Pane),
    /// A decision of the migration view (its index) in the given pane.
    Decision(super::state::Pane, usize),
}

fn inside(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// The thing at a screen cell, from the same layout the frame is drawn with, so a click
/// or the wheel acts on what the operator points at.
pub fn hit(app: &App, column: u16, row: u16) -> Option<Hit> {
    use super::state::Pane;
    let loaded = app.loaded()?;
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let [body, _, _] = screen_layout(app, area);
    let [_, main] = body_layout(body);
    if !inside(main, column, row) {
        return None;
    }
    match app.screen {
        Screen::List => {
            // Border and header rows above the first container.
            let first = main.y + 2;
            if row < first {
                return None;
            }
            let pos = app.list_offset + usize::from(row - first);
            (pos < app.rows.len() && pos < app.list_offset + list_body_height(app))
                .then_some(Hit::Row(pos))
        }
        Screen::Detail => {
            let [top, _] = detail::panes(app, loaded, main);
            Some(Hit::Pane(if inside(top, column, row) {
                Pane::First
            } else {
                Pane::Second
            }))
        }
        Screen::Migration => {
            let [left, _] = migration::split(main);
            if !inside(left, column, row) {
                return Some(Hit::Pane(Pane::Second));
            }
            // Each decision takes two rows (label, value) under the top border.
            match row.checked_sub(left.y + 1) {
                Some(offset) => Some(Hit::Decision(Pane::First, usize::from(offset / 2))),
                None => Some(Hit::Pane(Pane::First)),
            }
        }
        Screen::Host => None,
    }
}

/// A centred rectangle of at most `width` x `height`, leaving a margin on small screens.
/// Draw a popup: clear what is under `boxed`, then the wrapped `lines` inside `block`.
pub fn popup(frame: &mut Frame, boxed: Rect, block: Block, lines: Vec<Line>) {
    frame.render_widget(Clear, boxed);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        boxed,
    );
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

/// Cut a string to `width` characters, marking the cut with `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// Rows `lines` take when wrapped at `width` (word wrapping can only add a little more, so
/// scrolling clamped with this reaches the end).
pub fn wrapped_height(lines: &[ratatui::text::Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
