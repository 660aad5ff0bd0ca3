//! The one writer for systemd/quadlet unit files, and the value encodings it needs.
//!
//! Every value goes through an encoding chosen by how quadlet 5.x reads the key, because
//! quadlet copies most values into `ExecStart=` where systemd applies its own rules again:
//!
//! * `%` starts a systemd specifier everywhere: always written `%%`.
//! * `$` is expanded by systemd in `ExecStart=` (`${X}` inside a word, a lone `$X` word):
//!   written `$$` for every key whose value ends up on the podman command line.
//! * [`Encoding::Words`] keys (`Environment=`, `Exec=`, `Label=`, `PodmanArgs=`, ...) are
//!   split by quadlet with systemd's exec rules (quotes, C escapes): each word is quoted
//!   when needed. Quadlet stops at an empty word (`""`), so empty words are refused.
//! * [`Encoding::List`] keys (`AddCapability=`, `Sysctl=`, ...) are split without C
//!   unescaping: words may be quoted but may not contain quotes or backslashes.
//! * [`Encoding::Raw`] / [`Encoding::RawLine`] keys are taken verbatim: quadlet trims
//!   surrounding whitespace, strips a leading or trailing `"` (single-value keys), joins a
//!   line ending in `\` with the next one, and treats an empty value as "reset". Values that
//!   would be changed by that are refused so the caller can fall back to `PodmanArgs=`.
//!
//! Newlines and other control characters (except tab in quoted words) are always refused:
//! there is no way to write them that survives both parsers unchanged.

use std::fmt::Write as _;

/// How quadlet reads a key's value (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Single value read with quadlet's `Lookup` (last one wins).
    Raw,
    /// One value per line read with `LookupAll` (repeatable key).
    RawLine,
    /// Space-separated words with quotes and C escapes (exec-style).
    Words,
    /// Space-separated words with quotes but no escapes (systemd strv).
    List,
}

/// Whether the value is copied into the podman command line (`ExecStart=`), so `$` must
/// be doubled, or read by systemd itself (`[Unit]`, `[Service]`, `[Install]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Podman,
    Systemd,
}

/// Why a value cannot be written under an encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("contains a newline")]
    Newline,
    #[error("contains a NUL byte")]
    Nul,
    #[error("contains the control character U+{0:04X}")]
    Control(u32),
    #[error("is empty")]
    Empty,
    #[error("starts or ends with whitespace")]
    OuterWhitespace,
    #[error("starts or ends with a double quote")]
    OuterQuote,
    #[error("ends with a backslash (read as a line continuation)")]
    TrailingBackslash,
    #[error("contains a quote or backslash, which this key cannot carry")]
    QuoteInList,
}

fn check_controls(value: &str, allow_tab: bool) -> Result<(), EncodeError> {
    for c in value.chars() {
        match c {
            '\n' | '\r' => return Err(EncodeError::Newline),
            '\0' => return Err(EncodeError::Nul),
            '\t' if allow_tab => {}
            c if c.is_control() => return Err(EncodeError::Control(c as u32)),
            _ => {}
        }
    }
    Ok(())
}

/// `%` → `%%`, and in podman context `$` → `$$`.
fn escape_expansions(out: &mut String, value: &str, ctx: Context) {
    for c in value.chars() {
        match c {
            '%' => out.push_str("%%"),
            '$' if ctx == Context::Podman => out.push_str("$$"),
            c => out.push(c),
        }
    }
}

/// Encode one word for an exec-style key: quoted when it holds whitespace, quotes,
/// backslashes or tabs; non-ASCII stays literal UTF-8 (quadlet's `\x` escapes are bytes
/// re-read as code points, so escaping them would corrupt multi-byte characters).
pub fn encode_word(out: &mut String, word: &str, ctx: Context) -> Result<(), EncodeError> {
    if word.is_empty() {
        return Err(EncodeError::Empty);
    }
    check_controls(word, true)?;
    // Any Unicode whitespace: quadlet trims lines with Go's TrimSpace, which would eat
    // an unquoted non-breaking space at the end of a line.
    let needs_quotes = word
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\'));
    if !needs_quotes {
        escape_expansions(out, word, ctx);
        return Ok(());
    }
    out.push('"');
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            '%' => out.push_str("%%"),
            '$' if ctx == Context::Podman => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Encode a whole value under `encoding`.
pub fn encode(
    value: &EncodedInput<'_>,
    encoding: Encoding,
    ctx: Context,
) -> Result<String, EncodeError> {
    let mut out = String::new();
    match (encoding, value) {
        (Encoding::Words, _) => {
            for (i, word) in value.words().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                encode_word(&mut out, word, ctx)?;
            }
            if out.is_empty() {
                return Err(EncodeError::Empty);
            }
        }
        (Encoding::List, _) => {
            for (i, word) in value.words().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if word.is_empty() {
                    return Err(EncodeError::Empty);
                }
                check_controls(word, false)?;
                if word.chars().any(|c| matches!(c, '"' | '\'' | '\\')) {
                    return Err(EncodeError::QuoteInList);
                }
                if word.chars().any(char::is_whitespace) {
                    out.push('"');
                    escape_expansions(&mut out, word, ctx);
                    out.push('"');
                } else {
                    escape_expansions(&mut out, word, ctx);
                }
            }
            if out.is_empty() {
                return Err(EncodeError::Empty);
            }
        }
        (Encoding::Raw | Encoding::RawLine, _) => {
            let raw = value.joined();
            check_raw(&raw, encoding == Encoding::Raw)?;
            escape_expansions(&mut out, &raw, ctx);
        }
    }
    Ok(out)
}

/// Whether a verbatim value survives quadlet's reader unchanged.
pub fn check_raw(raw: &str, strips_quotes: bool) -> Result<(), EncodeError> {
    if raw.is_empty() {
        return Err(EncodeError::Empty);
    }
    check_controls(raw, false)?;
    if raw.trim() != raw {
        return Err(EncodeError::OuterWhitespace);
    }
    if strips_quotes && (raw.starts_with('"') || raw.ends_with('"')) {
        return Err(EncodeError::OuterQuote);
    }
    if raw.ends_with('\\') {
        return Err(EncodeError::TrailingBackslash);
    }
    Ok(())
}

/// A value before encoding: one string, or a list of words.
#[derive(Debug, Clone)]
pub enum EncodedInput<'a> {
    One(std::borrow::Cow<'a, str>),
    Many(Vec<std::borrow::Cow<'a, str>>),
}

impl EncodedInput<'_> {
    fn words(&self) -> Vec<&str> {
        match self {
            EncodedInput::One(s) => vec![s.as_ref()],
            EncodedInput::Many(v) => v.iter().map(|s| s.as_ref()).collect(),
        }
    }

    fn joined(&self) -> String {
        self.words().join(" ")
    }
}

/// One `Key=value` line, value already encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: &'static str,
    pub value: String,
}

/// One `[Section]` with its lines in insertion order (deterministic output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: &'static str,
    pub comments: Vec<String>,
    pub entries: Vec<Entry>,
}

impl Section {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            comments: Vec::new(),
            entries: Vec::new(),
        }
    }

    pub fn push(&mut self, key: &'static str, value: String) {
        self.entries.push(Entry { key, value });
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Set `key` to at least `secs` seconds: one line whichever part of the generator
    /// asks first (a pull on first start, a health check to wait for), never two.
    pub fn raise_seconds(&mut self, key: &'static str, secs: u64) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => {
                if entry.value.parse::<u64>().is_ok_and(|old| old < secs) {
                    entry.value = secs.to_string();
                }
            }
            None => self.push(key, secs.to_string()),
        }
    }
}

/// A whole unit file: leading comment lines, then sections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitFile {
    pub comments: Vec<String>,
    pub sections: Vec<Section>,
}

/// Comment text on one line: control characters become spaces so a comment can never
/// turn into a key line or a continuation.
fn comment_line(out: &mut String, text: &str) {
    out.push_str("# ");
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    out.push_str(clean.trim_end_matches(['\\', ' ']));
    out.push('\n');
}

impl UnitFile {
    /// Render; empty sections are left out.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            comment_line(&mut out, c);
        }
        let mut first = self.comments.is_empty();
        for section in self.sections.iter().filter(|s| !s.is_empty()) {
            if !first {
                out.push('\n');
            }
            first = false;
            for c in &section.comments {
                comment_line(&mut out, c);
            }
            let _ = writeln!(out, "[{}]", section.name);
            for e in &section.entries {
                let _ = writeln!(out, "{}={}", e.key, e.value);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn words(w: &[&str]) -> String {
        encode(
            &EncodedInput::Many(w.iter().map(|s| Cow::Borrowed(*s)).collect()),
            Encoding::Words,
            Context::Podman,
        )
        .unwrap()
    }

    #[test]
    fn words_are_quoted_and_expansions_doubled() {
        assert_eq!(words(&["a", "b c"]), r#"a "b c""#);
        assert_eq!(words(&["100%", "a${X}b"]), "100%% a$${X}b");
        assert_eq!(words(&[r#"q"x"#, r"back\slash"]), r#""q\"x" "back\\slash""#);
        assert_eq!(words(&["it's", "ü"]), r#""it's" ü"#);
        assert_eq!(words(&["tab\there"]), r#""tab\there""#);
    }

    #[test]
    fn refuses_what_cannot_survive() {
        let one = |s: &str, e| encode(&EncodedInput::One(Cow::Borrowed(s)), e, Context::Podman);
        assert_eq!(one("a\nb", Encoding::Words), Err(EncodeError::Newline));
        assert_eq!(one("a\0b", Encoding::Words), Err(EncodeError::Nul));
        assert_eq!(one("", Encoding::Words), Err(EncodeError::Empty));
        assert_eq!(one("\"x\"", Encoding::Raw), Err(EncodeError::OuterQuote));
        assert_eq!(
            one("x\\", Encoding::RawLine),
            Err(EncodeError::TrailingBackslash)
        );
        assert_eq!(
            one(" x", Encoding::RawLine),
            Err(EncodeError::OuterWhitespace)
        );
        assert_eq!(one("a\"b", Encoding::List), Err(EncodeError::QuoteInList));
        assert_eq!(one("/a b:/c", Encoding::RawLine).unwrap(), "/a b:/c");
        assert_eq!(one("50%", Encoding::Raw).unwrap(), "50%%");
    }

    #[test]
    fn systemd_context_keeps_dollar() {
        let v = encode(
            &EncodedInput::One(Cow::Borrowed("$5 100%")),
            Encoding::Raw,
            Context::Systemd,
        );
        assert_eq!(v.unwrap(), "$5 100%%");
    }

    #[test]
    fn renders_sections_in_order_and_skips_empty() {
        let mut a = Section::new("Unit");
        a.push("Description", "x".into());
        let b = Section::new("Empty");
        let mut c = Section::new("Container");
        c.push("Image", "i".into());
        c.push("Label", "a=1".into());
        c.push("Label", "b=2".into());
        let f = UnitFile {
            comments: vec!["made by\nunroot\\".into()],
            sections: vec![a, b, c],
        };
        assert_eq!(
            f.render(),
            "# made by unroot\n\n[Unit]\nDescription=x\n\n[Container]\nImage=i\nLabel=a=1\nLabel=b=2\n"
        );
    }
}
