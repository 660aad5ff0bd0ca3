//! The one sanitiser for values shown to a person.
//!
//! Container names, images, labels and mount sources come from whoever created the
//! container, and Linux paths may contain any byte but `/` and NUL. Shown raw, a newline
//! starts a new line of a script comment (and the next line runs as a command), an escape
//! sequence recolours or retitles the operator's terminal, a bidirectional override reorders
//! what a reviewer reads (CVE-2021-42574). [`one_line`] makes every such character visible as
//! a Rust-style escape, so the result is a single line that shows exactly what was there.

use std::borrow::Cow;

/// `s` as one line of plain visible text: control characters (C0, DEL, C1), line and
/// paragraph separators, bidirectional controls and the byte-order mark become `\n`, `\t`,
/// `\u{1b}`, `\u{2028}`...; a backslash stays as it is (paths rarely hold one, and doubling
/// it would make every Windows-looking value harder to read). Borrowed when nothing changes.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` would break a line or change how the text around it is displayed.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Characters that are not controls in Unicode's sense but still move or hide text:
/// line/paragraph separators (a new line to many editors and terminals), bidirectional
/// embeddings, overrides, isolates and marks, and the zero-width no-break space.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{2028}'
            | '\u{2029}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_become_visible_escapes() {
        let cases = [
            ("web\ntouch /tmp/pwned #", "web\\ntouch /tmp/pwned #"),
            ("a\x1b]0;title\x07b", "a\\u{1b}]0;title\\u{7}b"),
            ("cr\rnul\0", "cr\\rnul\\u{0}"),
            ("evil\u{202E}txt", "evil\\u{202e}txt"),
            ("ls\u{2028}rm", "ls\\u{2028}rm"),
            ("c1\u{85}x", "c1\\u{85}x"),
            ("bom\u{FEFF}", "bom\\u{feff}"),
        ];
        for (input, want) in cases {
            assert_eq!(one_line(input), want, "input {input:?}");
            assert!(!one_line(input).chars().any(needs_escape));
        }
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "naïve-名前",
            "/srv/app data",
            "C:\\x",
            "$(id) `id` 'q' \"q\" %h",
        ] {
            assert!(matches!(one_line(s), Cow::Borrowed(_)), "{s:?}");
            assert_eq!(one_line(s), s);
        }
    }
}
