//! Key hints for the current context, straight from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keymap::{context, footer_hints};
use crate::tui::state::App;

use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App) {
    let width = usize::from(area.width);
    let mut used = 0;
    let mut spans = Vec::new();
    for (key, hint) in footer_hints(context(app)) {
        let len = key.chars().count() + 1 + hint.chars().count() + 2;
        if used + len > width + 2 {
            break;
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {hint}  ")));
        used += len;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
