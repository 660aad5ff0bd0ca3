//! Start-up: a progress bar while the inventory loads in the background.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph};

use super::centered;
use super::theme::Theme;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    source: &str,
    inspected: usize,
    total: Option<usize>,
) {
    let boxed = centered(area, 64, 7);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" unroot: reading the inventory ");
    let inner = block.inner(boxed);
    frame.render_widget(block, boxed);
    let [text, _, bar] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let (message, ratio, label) = match total {
        Some(total) if total > 0 => (
            format!("Inspecting containers from {source}"),
            (inspected as f64 / total as f64).clamp(0.0, 1.0),
            format!("{inspected}/{total} inspected"),
        ),
        Some(_) => (
            format!("No containers on {source}; reading host facts"),
            1.0,
            "0/0".to_string(),
        ),
        None => (
            format!("Connecting to {source}"),
            0.0,
            "waiting".to_string(),
        ),
    };
    frame.render_widget(Paragraph::new(message), text);
    frame.render_widget(
        Gauge::default()
            .gauge_style(theme.title())
            .ratio(ratio)
            .label(label),
        bar,
    );
}
