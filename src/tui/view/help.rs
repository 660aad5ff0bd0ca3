//! The `?` overlay: every key, per context, from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::keymap::help_sections;

use super::centered;
use super::theme::Theme;

/// What the list's marks mean (issue 15: the legend, in the help and on first start).
pub const LEGEND: &[(&str, &str)] = &[
    ("MOVE ok", "moves to rootless Podman as it is"),
    ("MOVE change", "moves after a change the detail explains"),
    (
        "MOVE BLOCKER",
        "cannot move until fixed (b jumps to the next)",
    ),
    ("MOVE skip", "excluded from the migration"),
    ("name *", "its decisions were edited"),
    ("name !", "changed on the engine after it was edited (r)"),
    ("✓ name", "marked for a bulk decision (Space, p, a)"),
    ("RISK", "worst finding: CRIT HIGH MED LOW INFO, ok = none"),
];

/// The legend in one line, shown in the status bar on start.
pub const LEGEND_LINE: &str =
    "MOVE: ok as is · change needs edits · BLOCKER cannot move · * edited · ? legend";

pub fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled("Legend", theme.title()))];
    for (mark, meaning) in LEGEND {
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark:<16}"), theme.key()),
            Span::raw(*meaning),
        ]));
    }
    lines.push(Line::default());
    for (title, rows) in help_sections() {
        lines.push(Line::from(Span::styled(title, theme.title())));
        for (keys, description) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key()),
                Span::raw(description),
            ]));
        }
        lines.push(Line::default());
    }
    lines
}

fn boxed(area: Rect) -> Rect {
    centered(area, 72, 40)
}

pub fn max_scroll(area: Rect) -> u16 {
    let visible = boxed(area).height.saturating_sub(2);
    (lines(&Theme::new(false)).len() as u16).saturating_sub(visible)
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, scroll: u16) {
    let boxed = boxed(area);
    let lines = lines(theme);
    let max_scroll = max_scroll(area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Legend and keys (j/k scroll, Esc close) ");
    frame.render_widget(Clear, boxed);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        boxed,
    );
}
