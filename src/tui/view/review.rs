//! What `w` will write, before anything is written: new, unchanged and differing files.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::state::{FileStatus, WriteReview};

use super::centered;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, review: &WriteReview) {
    let boxed = centered(area, 76, review.files.len() as u16 + 7);
    let differing = review.differing();
    let mut lines = vec![Line::from(format!(
        "{} files into {}:",
        review.files.len(),
        review.dir.display()
    ))];
    for (path, status) in &review.files {
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
    lines.push(Line::default());
    lines.push(if differing > 0 {
        Line::from(Span::styled(
            format!("{differing} existing file(s) differ: o overwrites them, Esc writes nothing"),
            theme.error(),
        ))
    } else {
        Line::from("y writes, Esc writes nothing")
    });
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Write the migration files? ");
    frame.render_widget(Clear, boxed);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        boxed,
    );
}
