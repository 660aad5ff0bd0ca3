//! A loading failure, with the same actionable message the batch commands print.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::centered;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, message: &str) {
    let boxed = centered(area, 76, 10);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(Span::styled(" Cannot read the inventory ", theme.error()));
    let text = vec![
        Line::from(format!("unroot: error: {message}")),
        Line::default(),
        Line::from(Span::styled(
            "Nothing was changed. Fix the cause and start unroot again, or try --demo / --snapshot FILE.",
            theme.dim(),
        )),
    ];
    super::popup(frame, boxed, block, text);
}
