//! What `w` will write, before anything is written: new, unchanged and differing files.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use std::path::Path;

use crate::tui::state::{FileStatus, WriteReview};

use super::theme::Theme;
use super::{centered, popup};

/// The closing sentence: what `y` will do, in the words of the help.
fn closing(review: &WriteReview, theme: &Theme) -> Line<'static> {
    let edited = review.edited().len();
    let differing = review.differing();
    if edited > 0 {
        Line::from(Span::styled(
            format!(
                "{edited} file(s) were edited by hand: y writes nothing while they differ; o replaces them; Esc writes nothing"
            ),
            theme.error(),
        ))
    } else if differing > 0 {
        Line::from(format!(
            "y writes, replacing {differing} file(s) unroot wrote earlier; Esc writes nothing"
        ))
    } else {
        Line::from("y writes, Esc writes nothing")
    }
}

/// The dialog box and how many file rows fit in it.
fn layout(area: Rect, review: &WriteReview) -> (Rect, usize) {
    let inner = 76.min(area.width.saturating_sub(2)).saturating_sub(2);
    let rows = |line: Line| super::wrapped_height(&[line], inner);
    let refusal_rows = review
        .refused
        .as_ref()
        .map_or(0, |r| rows(Line::from(r.clone())) + 1);
    let closing_rows = rows(closing(review, &Theme::new(false))) + 1;
    // Borders and the heading, then the files, the refusal and the closing sentence.
    let chrome = 2 + 1 + refusal_rows + closing_rows;
    let boxed = centered(area, 76, chrome + review.files.len() as u16);
    let room = usize::from(boxed.height.saturating_sub(chrome));
    (boxed, room.max(1))
}

/// Largest useful scroll offset of the file list.
pub fn max_scroll(area: Rect, review: &WriteReview) -> u16 {
    let (_, room) = layout(area, review);
    u16::try_from(review.files.len().saturating_sub(window(review, room))).unwrap_or(u16::MAX)
}

/// File rows shown: one row goes to the "more" line while the list does not fit.
fn window(review: &WriteReview, room: usize) -> usize {
    if review.files.len() > room {
        room.saturating_sub(1).max(1)
    } else {
        room
    }
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, review: &WriteReview, scroll: u16) {
    let (boxed, room) = layout(area, review);
    let scroll = usize::from(scroll.min(max_scroll(area, review)));
    let mut lines = vec![Line::from(format!(
        "{} files into {}:",
        review.files.len(),
        review.dir.display()
    ))];
    let window = window(review, room);
    // Edited files come first (the review sorts them so): at the top, never cut off.
    for (path, status) in review.files.iter().skip(scroll).take(window) {
        let (word, style) = match status {
            FileStatus::New => ("new      ", theme.ok()),
            FileStatus::Same => ("unchanged", theme.dim()),
            FileStatus::Differs => (
                "replace  ",
                theme.severity(Some(crate::risk::Severity::Medium)),
            ),
            FileStatus::Edited => ("EDITED   ", theme.error()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {word} "), style),
            Span::raw(path.clone()),
        ]));
    }
    let below = review.files.len().saturating_sub(scroll + window);
    if below > 0 || scroll > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "  {scroll} above, {below} more below (j/k scroll, {}-{} of {})",
                scroll + 1,
                scroll + window.min(review.files.len()),
                review.files.len()
            ),
            theme.dim(),
        )));
    }
    if let Some(r) = &review.refused {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(r.clone(), theme.error())));
    }
    lines.push(Line::default());
    lines.push(closing(review, theme));
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
            Span::styled("Ctrl-E", theme.key()),
            Span::raw(" exports)"),
        ]),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(" Quit? ");
    popup(frame, boxed, block, lines);
}
