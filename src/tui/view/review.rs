//! What `w` will write, before anything is written: new, unchanged and differing files.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use std::path::Path;

use crate::tui::state::{FileStatus, WriteReview};

use super::theme::Theme;
use super::{centered, popup};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, review: &WriteReview) {
    let extra = if review.refused.is_some() { 6 } else { 0 };
    let boxed = centered(area, 76, review.files.len() as u16 + 7 + extra);
    let differing = review.differing();
    let mut lines = vec![Line::from(format!(
        "{} files into {}:",
        review.files.len(),
        review.dir.display()
    ))];
    let refusal: Vec<Line> = review
        .refused
        .iter()
        .map(|r| Line::from(Span::styled(r.clone(), theme.error())))
        .collect();
    // The refusal needs a few wrapped rows; keep them free.
    let refusal_rows = if refusal.is_empty() {
        0
    } else {
        super::wrapped_height(&refusal, boxed.width.saturating_sub(2)) + 1
    };
    // Differing files come first (the review sorts them so): they are never cut off.
    let room = usize::from(boxed.height.saturating_sub(2 + 3 + refusal_rows));
    let shown = if review.files.len() > room {
        room.saturating_sub(1)
    } else {
        review.files.len()
    };
    for (path, status) in review.files.iter().take(shown) {
        let (word, style) = match status {
            FileStatus::New => ("new      ", theme.ok()),
            FileStatus::Same => ("unchanged", theme.dim()),
            FileStatus::Differs => ("DIFFERS  ", theme.error()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {word} "), style),
            Span::raw(path.clone()),
        ]));
    }
    if shown < review.files.len() {
        let rest = &review.files[shown..];
        let count = |s: FileStatus| rest.iter().filter(|(_, st)| *st == s).count();
        lines.push(Line::from(Span::styled(
            format!(
                "  ... and {} more ({} new, {} unchanged)",
                rest.len(),
                count(FileStatus::New),
                count(FileStatus::Same)
            ),
            theme.dim(),
        )));
    }
    if !refusal.is_empty() {
        lines.push(Line::default());
        lines.extend(refusal);
    }
    lines.push(Line::default());
    lines.push(if differing > 0 {
        Line::from(Span::styled(
            format!(
                "{differing} existing file(s) differ. y replaces only files unroot wrote and nobody edited; o replaces them all; Esc writes nothing"
            ),
            theme.error(),
        ))
    } else {
        Line::from("y writes, Esc writes nothing")
    });
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Write the migration files? ");
    popup(frame, boxed, block, lines);
}

/// The plan file exists with other content.
pub fn draw_overwrite_plan(frame: &mut Frame, area: Rect, theme: &Theme, path: &Path) {
    let boxed = centered(area, 70, 6);
    let lines = vec![
        Line::from(format!("{} exists with other content.", path.display())),
        Line::default(),
        Line::from(vec![
            Span::styled("o", theme.key()),
            Span::raw(" overwrite it   "),
            Span::styled("Esc", theme.key()),
            Span::raw(" keep it (nothing written)"),
        ]),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(" Replace the plan? ");
    popup(frame, boxed, block, lines);
}

/// `q` with edits that were neither exported nor written.
pub fn draw_confirm_quit(frame: &mut Frame, area: Rect, theme: &Theme) {
    let boxed = centered(area, 64, 7);
    let lines = vec![
        Line::from("Edited decisions were not exported or written yet."),
        Line::default(),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw("/"),
            Span::styled("q", theme.key()),
            Span::raw(" quit and lose them   "),
            Span::styled("Esc", theme.key()),
            Span::raw(" stay (then "),
            Span::styled("e", theme.key()),
            Span::raw(" exports)"),
        ]),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(" Quit? ");
    popup(frame, boxed, block, lines);
}
