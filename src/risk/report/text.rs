//! Text safety for terminal and Markdown output: container names, labels and images come
//! from whoever created the container, so control characters are made visible and widths are
//! measured in terminal cells (CJK and emoji take two).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Control, separator and bidi characters made visible: the one sanitiser,
/// [`crate::render::text::one_line`], owned.
pub fn sanitize(s: &str) -> String {
    crate::render::text::one_line(s).into_owned()
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` cells, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Pad `s` with spaces to `cells` terminal cells.
pub fn pad(s: &str, cells: usize) -> String {
    let w = width(s);
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(sanitize("a\x1b[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(sanitize("evil\u{202E}txt"), "evil\\u{202e}txt");
        assert_eq!(sanitize("naïve-名前"), "naïve-名前");
    }

    #[test]
    fn widths_and_truncation_count_cells() {
        assert_eq!(width("名前"), 4);
        assert_eq!(pad("名前", 6), "名前  ");
        assert_eq!(truncate("名前名前", 5), "名前…");
        assert_eq!(width(&truncate("名前名前", 5)), 5);
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
