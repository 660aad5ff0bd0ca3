//! The bar above the footer: the `/` filter being typed or applied, or the last status.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::state::App;

use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App) {
    if area.height == 0 {
        return;
    }
    let line = if app.filter_editing || !app.filter.is_empty() {
        let mut spans = vec![
            Span::styled("/", theme.key()),
            Span::raw(app.filter.clone()),
        ];
        if app.filter_editing {
            spans.push(Span::styled("█", theme.key()));
            spans.push(Span::styled("  name, image, label or rule id", theme.dim()));
        } else {
            spans.push(Span::styled(
                format!("  ({} shown; Esc clears)", app.rows.len()),
                theme.dim(),
            ));
        }
        if let Some(status) = &app.status {
            spans.push(Span::raw("  "));
            spans.push(status_span(theme, &status.text, status.error));
        }
        Line::from(spans)
    } else if let Some(status) = &app.status {
        // A cut status says so with `…` (the whole text is in the dialog or the files).
        let text = super::truncate(&status.text, usize::from(area.width));
        Line::from(status_span(theme, &text, status.error))
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn status_span(theme: &Theme, text: &str, error: bool) -> Span<'static> {
    if error {
        Span::styled(text.to_string(), theme.error())
    } else {
        Span::styled(text.to_string(), theme.ok())
    }
}
