//! A one-line question (plan path, output directory, user, port).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::state::Prompt;

use super::centered;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, prompt: &Prompt) {
    let boxed = centered(area, 70, 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Enter accept · Esc cancel ");
    let mut lines = vec![
        Line::from(prompt.kind.question()),
        Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(prompt.input.clone()),
            Span::styled("█", theme.key()),
        ]),
    ];
    if let Some(error) = &prompt.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.error())));
    }
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}
