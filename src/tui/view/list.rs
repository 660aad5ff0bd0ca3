//! The container list: worst severity badge, name, image, state, compose project, verdict.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use crate::model::ContainerDecision;
use crate::model::ContainerState;
use crate::risk::Migration;
use crate::tui::state::{App, Loaded};

use super::theme::{Theme, badge};
use super::{list_body_height, truncate};

pub fn state_word(state: ContainerState) -> &'static str {
    match state {
        ContainerState::Created => "created",
        ContainerState::Running => "running",
        ContainerState::Paused => "paused",
        ContainerState::Restarting => "restart",
        ContainerState::Removing => "removing",
        ContainerState::Exited => "exited",
        ContainerState::Dead => "dead",
        ContainerState::Unknown => "?",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let total = loaded.inventory.containers.len();
    let shown = if app.rows.len() == total {
        format!("{total}")
    } else {
        format!("{} of {total}", app.rows.len())
    };
    let position = if app.rows.is_empty() {
        String::new()
    } else {
        format!("· {}/{} ", app.selected + 1, app.rows.len())
    };
    let title = Line::from(vec![
        Span::styled(" Containers ", theme.title()),
        Span::raw(format!(
            "({shown}) sorted by {}{} {position}{}",
            app.sort.label(),
            if app.sort_reversed { " (reversed)" } else { "" },
            if app.marked.is_empty() {
                String::new()
            } else {
                format!("· {} marked ", app.marked.len())
            }
        )),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(title);
    let header = Row::new(["RISK", "NAME", "IMAGE", "STATE", "PROJECT", "MOVE"]).style(theme.dim());
    let widths = [
        Constraint::Length(4),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Length(8),
        Constraint::Fill(2),
        Constraint::Length(7),
    ];
    // The columns as the table will lay them out, so cut text can end in `…` (issue 15)
    // instead of stopping mid-word.
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let cols = ratatui::layout::Layout::horizontal(widths)
        .spacing(1)
        .split(inner);
    let fit = |text: &str, col: usize| truncate(text, usize::from(cols[col].width));
    let height = list_body_height(app);
    // Only the visible window is built, so a frame costs the same with 10 or 10 000 rows.
    let rows = app
        .rows
        .iter()
        .enumerate()
        .skip(app.list_offset)
        .take(height)
        .map(|(pos, &index)| {
            let c = &loaded.inventory.containers[index];
            let a = &loaded.assessments[index];
            let worst = a.worst_severity();
            let edited = app.decisions.get(&c.name);
            let included = edited.is_none_or(|d| d.include);
            // `*`: the operator changed this container's decision (not yet the default).
            let name = match edited {
                Some(d) if *d != ContainerDecision::proposed(&loaded.inventory, c) => {
                    format!("{} *", c.name)
                }
                _ => c.name.clone(),
            };
            // `!`: a reload found the container changed after its decision was edited.
            let name = if app.changed.contains(&c.name) {
                format!("{name} !")
            } else {
                name
            };
            // `✓`: marked for a bulk decision (Space, p).
            let name = if app.marked.contains(&c.name) {
                format!("✓ {name}")
            } else {
                name
            };
            let verdict = a.migration_verdict();
            let (verdict_text, verdict_style) = if included {
                let word = match verdict {
                    Migration::Blocker => "BLOCKER",
                    Migration::Change => "change",
                    Migration::Ok => "ok",
                };
                (word, theme.verdict(verdict))
            } else {
                ("skip", theme.dim())
            };
            let project = c
                .compose
                .as_ref()
                .map(|p| p.project.as_str())
                .unwrap_or("-");
            let row = Row::new(vec![
                Cell::from(Span::styled(badge(worst), theme.severity(worst))),
                Cell::from(fit(&name, 1)),
                Cell::from(fit(&c.image, 2)),
                Cell::from(state_word(c.state)),
                Cell::from(fit(project, 4)),
                Cell::from(Span::styled(verdict_text, verdict_style)),
            ]);
            if pos == app.selected {
                row.style(theme.selected())
            } else {
                row
            }
        });
    let mut table = Table::new(rows, widths).header(header).block(block);
    if app.rows.is_empty() {
        table = table.footer(Row::new(["", "no container matches the filter"]));
    }
    frame.render_widget(table, area);
}
