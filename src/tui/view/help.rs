//! The `?` overlay: every key, per context, from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::keymap::help_sections;

use super::centered;
use super::theme::Theme;

pub fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
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
        .title(" Keys (j/k scroll, Esc close) ");
    frame.render_widget(Clear, boxed);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        boxed,
    );
}
