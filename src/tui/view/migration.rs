//! Migration view: editable decisions and untranslated-setting notes on the left, the live
//! preview of the generated files on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::generate::NoteLevel;
use crate::risk::Severity;
use crate::tui::decisions::{Item, items, label, value};
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
    // The row of the selection, so a list longer than the pane scrolls to keep it in view.
    let mut selected_row = 0;
    for (i, item) in items.iter().enumerate() {
        let selected = focused && i == app.decision_cursor;
        if matches!(item, Item::Harden(_))
            && !matches!(items.get(i.wrapping_sub(1)), Some(Item::Harden(_)))
        {
            lines.push(Line::from(Span::styled(
                "── hardening (closes the finding)",
                theme.title(),
            )));
        }
        if selected {
            selected_row = lines.len() + 1;
        }
        let marker = if selected { "> " } else { "  " };
        // Dim grey on the selection's grey background was unreadable (issue 15): the
        // selected label takes the selection style alone.
        let label_style = if selected {
            theme.selected()
        } else {
            theme.dim()
        };
        let head = Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(label(*item), label_style),
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
    let visible = usize::from(decisions_area.height.saturating_sub(2)).max(1);
    let scroll = u16::try_from((selected_row + 1).saturating_sub(visible)).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(focused))
                    .title(Span::styled(
                        format!(" Decisions: {} ", container.name),
                        theme.title(),
                    )),
            )
            .scroll((scroll, 0)),
        decisions_area,
    );

    let lines = preview_pane_lines(app, index, theme, right.width.saturating_sub(2));
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
pub fn split(area: Rect) -> [Rect; 2] {
    let left_width = (area.width * 2 / 5).clamp(30, 50);
    Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(area)
}

/// The preview pane's text: notes, then the files.
fn preview_pane_lines(app: &App, index: usize, theme: &Theme, width: u16) -> Vec<Line<'static>> {
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
        Some(p) => {
            // Only lines of a file are cut with a mark; sentences before the first file
            // wrap as prose.
            let mut in_file = false;
            for l in preview_lines(p) {
                if l.starts_with("── ") {
                    in_file = true;
                    lines.push(Line::from(Span::styled(l, theme.title())));
                } else if in_file {
                    lines.extend(continued(l, width, theme));
                } else {
                    lines.push(Line::from(l));
                }
            }
        }
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
    let width = right.width.saturating_sub(2);
    let lines = preview_pane_lines(app, index, &Theme::new(false), width);
    super::wrapped_height(&lines, right.width.saturating_sub(2))
        .saturating_sub(right.height.saturating_sub(2).max(1))
}

/// Marks the rows a file line continues on.
pub const CONTINUATION: &str = "↪ ";

/// A line of a generated file cut to the pane's width, each further row starting with
/// [`CONTINUATION`]: wrapped rows never look like lines of their own (issue 15).
fn continued(line: String, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mark = CONTINUATION.chars().count();
    if width <= mark + 1 || line.chars().count() <= width {
        return vec![Line::from(line)];
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = vec![Line::from(chars[..width].iter().collect::<String>())];
    for chunk in chars[width..].chunks(width - mark) {
        out.push(Line::from(vec![
            Span::styled(CONTINUATION, theme.dim()),
            Span::raw(chunk.iter().collect::<String>()),
        ]));
    }
    out
}
