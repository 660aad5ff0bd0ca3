//! Migration view: editable decisions and untranslated-setting notes on the left, the live
//! preview of the generated files on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::generate::NoteLevel;
use crate::risk::Severity;
use crate::tui::decisions::{items, label, value};
use crate::tui::preview::preview_lines;
use crate::tui::state::{App, Loaded, Pane};

use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let Some(index) = app.current else {
        return;
    };
    let container = &loaded.inventory.containers[index];
    let Some(decision) = app.decision(index) else {
        return;
    };
    let [left, right] = split(area);
    let items = items(container, &decision);
    let decisions_area = left;
    let focused = app.focus == Pane::First;
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let selected = focused && i == app.decision_cursor;
        let marker = if selected { "> " } else { "  " };
        let head = Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(label(*item), theme.dim()),
        ]);
        let val = Line::from(Span::raw(format!(
            "    {}",
            value(*item, container, &decision, &app.target)
        )));
        if selected {
            lines.push(head.style(theme.selected()));
            lines.push(val.style(theme.selected()));
        } else {
            lines.push(head);
            lines.push(val);
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(focused))
                .title(Span::styled(
                    format!(" Decisions: {} ", container.name),
                    theme.title(),
                )),
        ),
        decisions_area,
    );

    let lines = preview_pane_lines(app, index, theme);
    let visible = right.height.saturating_sub(2);
    let max_scroll =
        super::wrapped_height(&lines, right.width.saturating_sub(2)).saturating_sub(visible.max(1));
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(!focused))
                    .title(Span::styled(
                        " Preview: notes and generated files ",
                        theme.title(),
                    )),
            )
            .wrap(Wrap { trim: false })
            .scroll((app.preview_scroll.min(max_scroll), 0)),
        right,
    );
}

/// Decisions on the left, preview on the right.
fn split(area: Rect) -> [Rect; 2] {
    let left_width = (area.width * 2 / 5).clamp(30, 50);
    Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(area)
}

/// The preview pane's text: notes, then the files.
fn preview_pane_lines(app: &App, index: usize, theme: &Theme) -> Vec<Line<'static>> {
    // Notes first: what could not be translated matters more than the files themselves.
    let preview = app.preview.as_ref().filter(|p| p.container == index);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(Ok(generated)) = preview.map(|p| &p.generated) {
        if generated.notes.is_empty() && !generated.files.is_empty() {
            lines.push(Line::from(Span::styled(
                "Every setting is translated.",
                theme.ok(),
            )));
        } else {
            lines.push(Line::from(Span::styled(
                format!("── notes ({})", generated.notes.len()),
                theme.title(),
            )));
        }
        for note in &generated.notes {
            let (tag, style) = match note.level {
                NoteLevel::NotTranslated => ("NOT TRANSLATED", theme.error()),
                NoteLevel::Warning => ("warning", theme.severity(Some(Severity::Medium))),
                NoteLevel::Info => ("info", theme.dim()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{tag} "), style),
                Span::styled(note.setting.clone(), theme.key()),
                Span::raw(format!(": {}", note.message)),
            ]));
        }
        lines.push(Line::default());
    }
    match preview {
        Some(p) => lines.extend(preview_lines(p).into_iter().map(|l| {
            if l.starts_with("── ") {
                Line::from(Span::styled(l, theme.title()))
            } else {
                Line::from(l)
            }
        })),
        None => lines.push(Line::from("(no preview)")),
    }
    lines
}

/// Largest useful scroll offset of the preview pane.
pub fn max_scroll(app: &App, area: Rect) -> u16 {
    let Some(index) = app.current else {
        return 0;
    };
    let [_, right] = split(area);
    let lines = preview_pane_lines(app, index, &Theme::new(false));
    super::wrapped_height(&lines, right.width.saturating_sub(2))
        .saturating_sub(right.height.saturating_sub(2).max(1))
}
