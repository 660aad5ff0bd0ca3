//! Read an `ExecStart=` line back the way systemd does, to check what a unit will run.
//!
//! systemd (a) resolves `%` specifiers on the whole line, (b) splits it into words, removing
//! quotes (`"…"` and `'…'`, also mid-word) and applying C escapes, and (c) at start time
//! expands environment variables per word: `$$` is a literal `$`, `${NAME}` is replaced
//! inside a word, and a word starting with `$NAME` is replaced by the value's words (and
//! disappears when it is unset).
//!
//! unroot never wants (c) to change anything, so this reader reports any variable
//! reference as an error instead of expanding it. Used by the dry-run tests against the
//! real quadlet generator and available to front ends that preview the podman command.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecLineError {
    #[error("unknown specifier %{0}")]
    Specifier(char),
    #[error("line ends inside a specifier")]
    TrailingPercent,
    #[error("unbalanced quote")]
    Quote,
    #[error("bad escape sequence at {0:?}")]
    Escape(String),
    #[error("word {0:?} would expand an environment variable")]
    Variable(String),
}

/// Resolve specifiers: `%%` and the ones in `known` (e.g. `t`, `N`, `n`).
pub fn resolve_specifiers(
    line: &str,
    known: &BTreeMap<char, String>,
) -> Result<String, ExecLineError> {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(s) => out.push_str(known.get(&s).ok_or(ExecLineError::Specifier(s))?),
            None => return Err(ExecLineError::TrailingPercent),
        }
    }
    Ok(out)
}

fn hex(s: &[char]) -> Option<u32> {
    s.iter()
        .try_fold(0u32, |acc, c| Some(acc * 16 + c.to_digit(16)?))
}

/// One C escape after a backslash; returns the bytes produced and the chars consumed.
fn unescape(rest: &[char]) -> Result<(Vec<u8>, usize), ExecLineError> {
    let bad = || ExecLineError::Escape(rest.iter().take(10).collect());
    let c = *rest.first().ok_or_else(bad)?;
    let simple = |b: u8| Ok((vec![b], 1));
    match c {
        'a' => simple(7),
        'b' => simple(8),
        'f' => simple(12),
        'n' => simple(b'\n'),
        'r' => simple(b'\r'),
        't' => simple(b'\t'),
        'v' => simple(11),
        '\\' => simple(b'\\'),
        '"' => simple(b'"'),
        '\'' => simple(b'\''),
        's' | ' ' => simple(b' '),
        'x' => {
            let v = hex(rest.get(1..3).ok_or_else(bad)?).ok_or_else(bad)?;
            if v == 0 {
                return Err(bad());
            }
            Ok((vec![v as u8], 3))
        }
        'u' | 'U' => {
            let n = if c == 'u' { 4 } else { 8 };
            let v = hex(rest.get(1..=n).ok_or_else(bad)?).ok_or_else(bad)?;
            let ch = char::from_u32(v).filter(|_| v != 0).ok_or_else(bad)?;
            Ok((ch.to_string().into_bytes(), n + 1))
        }
        '0'..='7' => {
            let digits = rest.get(0..3).ok_or_else(bad)?;
            let v = digits
                .iter()
                .try_fold(0u32, |acc, d| Some(acc * 8 + d.to_digit(8)?))
                .ok_or_else(bad)?;
            if v == 0 || v > 255 {
                return Err(bad());
            }
            Ok((vec![v as u8], 3))
        }
        _ => Err(bad()),
    }
}

/// Split a specifier-resolved line into words (quotes removed, escapes applied).
pub fn split_words(line: &str) -> Result<Vec<String>, ExecLineError> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut word: Vec<u8> = Vec::new();
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            match (quote, c) {
                (None, c) if c.is_ascii_whitespace() => break,
                (None, '"' | '\'') => {
                    quote = Some(c);
                    i += 1;
                }
                (Some(q), c) if c == q => {
                    quote = None;
                    i += 1;
                }
                (_, '\\') => {
                    let (bytes, used) = unescape(&chars[i + 1..])?;
                    word.extend(bytes);
                    i += 1 + used;
                }
                (_, c) => {
                    let mut buf = [0u8; 4];
                    word.extend(c.encode_utf8(&mut buf).as_bytes());
                    i += 1;
                }
            }
        }
        if quote.is_some() {
            return Err(ExecLineError::Quote);
        }
        words.push(String::from_utf8_lossy(&word).into_owned());
    }
    Ok(words)
}

/// Apply start-time variable handling: `$$` → `$`; any real variable reference is an error.
pub fn unescape_dollars(word: &str) -> Result<String, ExecLineError> {
    // systemd treats any word starting with `$` (but not `${`/`$$`) as a whole-word
    // variable, and drops it when the variable is unset.
    let is_lone_var = word.starts_with('$') && !word[1..].starts_with(['{', '$']);
    if is_lone_var {
        return Err(ExecLineError::Variable(word.to_owned()));
    }
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            match chars.peek() {
                Some('$') => {
                    chars.next();
                    out.push('$');
                }
                Some('{') => return Err(ExecLineError::Variable(word.to_owned())),
                _ => out.push('$'),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// The argv systemd would run for an `ExecStart=` value.
pub fn parse_exec_start(
    value: &str,
    known: &BTreeMap<char, String>,
) -> Result<Vec<String>, ExecLineError> {
    let resolved = resolve_specifiers(value, known)?;
    split_words(&resolved)?
        .into_iter()
        .map(|w| unescape_dollars(&w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Vec<String>, ExecLineError> {
        let known = BTreeMap::from([('t', "/run/user/1000".to_owned())]);
        parse_exec_start(s, &known)
    }

    #[test]
    fn systemd_rules() {
        assert_eq!(
            parse(r#"a "b c" 'd e' f\x20g"#).unwrap(),
            ["a", "b c", "d e", "f g"]
        );
        assert_eq!(parse(r#"a"b c"d "" x"#).unwrap(), ["ab cd", "", "x"]);
        assert_eq!(
            parse(r#""q\"x" "back\\slash" "t\tab""#).unwrap(),
            ["q\"x", "back\\slash", "t\tab"]
        );
        assert_eq!(
            parse("100%% %t/x $$HOME a$${X}b ü").unwrap(),
            ["100%", "/run/user/1000/x", "$HOME", "a${X}b", "ü"]
        );
        assert_eq!(parse("cost a$5").unwrap(), ["cost", "a$5"]);
        assert_eq!(parse("$5"), Err(ExecLineError::Variable("$5".into())));
        assert_eq!(parse(r"\u00fc\303\274").unwrap(), ["üü"]);
    }

    #[test]
    fn reports_what_systemd_would_change() {
        assert_eq!(parse("$HOME"), Err(ExecLineError::Variable("$HOME".into())));
        assert_eq!(
            parse("a${X}b"),
            Err(ExecLineError::Variable("a${X}b".into()))
        );
        assert_eq!(parse("%q"), Err(ExecLineError::Specifier('q')));
        assert_eq!(parse("\"open"), Err(ExecLineError::Quote));
        assert!(matches!(parse(r"\q"), Err(ExecLineError::Escape(_))));
    }
}
