//! A one-line question (plan path, output directory, user, port).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::state::Prompt;

use super::centered;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, prompt: &Prompt) {
    let question = ratatui::text::Line::from(prompt.kind.question());
    // Long questions (the bulk decision's syntax) wrap; the box grows to hold them.
    let extra = super::wrapped_height(&[question], 68).saturating_sub(1);
    let boxed = centered(area, 70, 6 + extra);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Enter accept · Esc cancel ");
    let mut lines = vec![
        Line::from(prompt.kind.question()),
        Line::from(vec![
            Span::styled("> ", theme.key()),
            // Selected (reverse video) while typing would replace it.
            if prompt.selected {
                Span::styled(
                    prompt.input.clone(),
                    ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
                )
            } else {
                Span::raw(prompt.input.clone())
            },
            Span::styled("█", theme.key()),
        ]),
    ];
    if let Some(error) = &prompt.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.error())));
    } else if prompt.selected {
        lines.push(Line::from(Span::styled(
            "typing replaces the offered text; → keeps it",
            theme.dim(),
        )));
    }
    frame.render_widget(Clear, boxed);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        boxed,
    );
}
