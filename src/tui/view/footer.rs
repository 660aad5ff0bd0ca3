//! Key hints for the current context, straight from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keymap::{context, footer_hints};
use crate::tui::state::App;

use super::theme::Theme;

/// Hints that always stay in the footer, however narrow: the way to every other key and
/// the way out.
const KEPT: &[&str] = &["?", "q"];

fn width_of((key, hint): &(&str, &str)) -> usize {
    key.chars().count() + 1 + hint.chars().count() + 2
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App) {
    let hints = footer_hints(context(app));
    let kept: Vec<_> = hints.iter().filter(|(k, _)| KEPT.contains(k)).collect();
    let kept_width: usize = kept.iter().map(|h| width_of(h)).sum();
    // Room for the context's own hints, with one cell for the `…` of a cut.
    let room = usize::from(area.width).saturating_sub(kept_width + 2);
    let mut used = 0;
    let mut spans = Vec::new();
    let mut cut = false;
    for hint in hints.iter().filter(|(k, _)| !KEPT.contains(k)) {
        let len = width_of(hint);
        if used + len > room + 2 {
            cut = true;
            break;
        }
        spans.push(Span::styled(hint.0, theme.key()));
        spans.push(Span::raw(format!(" {}  ", hint.1)));
        used += len;
    }
    if cut {
        spans.push(Span::styled("…  ", theme.dim()));
    }
    for (key, hint) in kept {
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(format!(" {hint}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
