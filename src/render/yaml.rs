//! Block-style YAML for files operators edit and feed through their own tools (the plan).
//!
//! serde_yaml emits YAML 1.2, where `no`, `on`, `2026-01-01` or `0777` are plain strings;
//! YAML 1.1 parsers (PyYAML, hence Ansible and most Python tooling) read the same text as
//! a boolean, a date or an octal number, and a plan they load and dump comes back broken
//! (`docker_restart: no` becomes `false`). This emitter writes every string so that both
//! read it back as the same string: plain only when it cannot be anything else, single-
//! quoted otherwise, double-quoted with escapes when it holds a control, line-breaking or
//! invisible character, so every value stays on its own line whatever it contains.

use std::borrow::Cow;

use serde::Serialize;
use serde_yaml::Value;

use crate::render::text::needs_escape;

/// `value` as block-style YAML (a mapping at the top, as serde_yaml writes it).
pub fn to_string<T: Serialize>(value: &T) -> Result<String, serde_yaml::Error> {
    let value = serde_yaml::to_value(value)?;
    let mut out = String::new();
    match &value {
        Value::Mapping(m) if !m.is_empty() => mapping(&mut out, m, 0, false),
        Value::Sequence(s) if !s.is_empty() => sequence(&mut out, s, 0, false),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    Ok(out)
}

/// The one-line form of a scalar or an empty collection; `None` for a block node.
fn inline(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s).into_owned(),
        Value::Mapping(m) if m.is_empty() => "{}".to_string(),
        Value::Sequence(s) if s.is_empty() => "[]".to_string(),
        Value::Tagged(t) => format!("!{} {}", t.tag, inline(&t.value)?),
        Value::Mapping(_) | Value::Sequence(_) => return None,
    })
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A mapping at `level`; `inline_first` when its first key follows a `- ` already written.
fn mapping(out: &mut String, map: &serde_yaml::Mapping, level: usize, inline_first: bool) {
    for (index, (key, value)) in map.iter().enumerate() {
        if index > 0 || !inline_first {
            indent(out, level);
        }
        out.push_str(&inline(key).unwrap_or_else(|| "?".to_string()));
        out.push(':');
        match inline(value) {
            Some(text) => {
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
            }
            None => {
                out.push('\n');
                match value {
                    Value::Mapping(m) => mapping(out, m, level + 2, false),
                    // Sequences under a key sit at the key's indentation (serde_yaml's style).
                    Value::Sequence(s) => sequence(out, s, level, false),
                    _ => {}
                }
            }
        }
    }
}

fn sequence(out: &mut String, items: &[Value], level: usize, inline_first: bool) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !inline_first {
            indent(out, level);
        }
        out.push_str("- ");
        match (inline(item), item) {
            (Some(text), _) => {
                out.push_str(&text);
                out.push('\n');
            }
            (None, Value::Mapping(m)) => mapping(out, m, level + 2, true),
            (None, Value::Sequence(s)) => sequence(out, s, level + 2, true),
            (None, _) => out.push('\n'),
        }
    }
}

/// A string scalar that YAML 1.1 and 1.2 parsers both read back as exactly `s`.
pub fn scalar(s: &str) -> Cow<'_, str> {
    if s.chars().any(needs_double_quotes) {
        return Cow::Owned(double_quoted(s));
    }
    if plain_is_safe(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(format!("'{}'", s.replace('\'', "''")))
    }
}

/// Characters a single-quoted or plain scalar cannot carry on one line.
fn needs_double_quotes(c: char) -> bool {
    needs_escape(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_double_quotes(c) && (c as u32) <= 0xff => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_double_quotes(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` can be written plain: it starts with no indicator, holds no `: ` or ` #`,
/// has no surrounding spaces, and is nothing a YAML 1.1 or 1.2 resolver would turn into a
/// boolean, null, number (octal, hex, binary, sexagesimal, float, `.inf`), date or merge key.
fn plain_is_safe(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().last()) else {
        return false; // empty: null when plain
    };
    if first.is_whitespace()
        || last.is_whitespace()
        || last == ':'
        || "-?:,[]{}#&*!|>'\"%@`=~+.".contains(first) && !safe_leading_dot(s)
        || s.contains(": ")
        || s.contains(" #")
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "<<"
    ) {
        return false;
    }
    !looks_numeric(s) && !looks_like_date(s)
}

/// `.config/containers/systemd` is a path, `.5`, `.inf` and `.NaN` are numbers.
fn safe_leading_dot(s: &str) -> bool {
    s.starts_with('.') && s.len() > 1 && !looks_numeric(s) && {
        let lower = s.to_ascii_lowercase();
        !matches!(lower.as_str(), ".inf" | ".nan")
    }
}

/// Digits first (after a sign or dot), then only characters that numbers of any base and
/// notation use: `0777`, `0x1F`, `0o17`, `0b101`, `1_000`, `1e5`, `1:20:30`, `5.4`, `27.3.1`.
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-', '.']);
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoObB_.:+-".contains(c))
}

/// `2026-11-28`, `2026-11-28T10:00:00Z`, `2001-12-14 21:59:43.10 -5`: YAML 1.1 timestamps.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_lookalikes_are_quoted() {
        for s in [
            "no",
            "No",
            "NO",
            "yes",
            "y",
            "N",
            "on",
            "OFF",
            "true",
            "False",
            "null",
            "~",
            "",
            " lead",
            "trail ",
            "0777",
            "0o17",
            "0x1F",
            "0b101",
            "1_000",
            "1e5",
            "1:20",
            "5.4",
            "27.3.1",
            ".5",
            ".inf",
            "-.inf",
            ".NaN",
            "+1",
            "-1",
            "2026-11-28",
            "2026-11-28T10:00:00Z",
            "a: b",
            "a #b",
            "key:",
            "#x",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "'q",
            "\"q",
            "%x",
            "@x",
            "`x",
            "<<",
            "=",
            "- x",
            "? x",
            "[x]",
            "{x}",
            ",x",
        ] {
            let out = scalar(s);
            assert_ne!(out, s, "{s:?} must be quoted");
            let back: String = serde_yaml::from_str(&format!("k: {out}"))
                .map(|v: serde_yaml::Value| v["k"].as_str().unwrap().to_string())
                .unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn ordinary_values_stay_plain() {
        for s in [
            "web",
            "traefik:v3.1",
            "nginx:1.25",
            "0.0.0.0:80->80/tcp",
            ".config/containers/systemd",
            "unless-stopped",
            "6.1.0-26-amd64",
            "unroot.plan/v1",
            "Debian GNU/Linux 12 (bookworm)",
            "naïve-名前",
        ] {
            assert_eq!(scalar(s), s);
        }
    }

    #[test]
    fn control_and_invisible_characters_are_escaped_on_one_line() {
        for s in [
            "web\ntouch /tmp/pwned #",
            "a\x1b]0;t\x07",
            "cr\r",
            "x\u{2028}y",
            "\u{202e}",
            "t\tb\\\"",
            "nul\0",
        ] {
            let out = scalar(s);
            assert!(out.starts_with('"') && !out.contains('\n') && !out.contains('\u{2028}'));
            let v: serde_yaml::Value = serde_yaml::from_str(&format!("k: {out}")).unwrap();
            assert_eq!(v["k"].as_str().unwrap(), s, "{out}");
        }
    }

    #[test]
    fn block_layout_matches_serde_yaml_for_plain_documents() {
        let text = "a: 1\nb:\n  c: x\n  d: []\n  e: {}\nf:\n- g: 1\n  h:\n  - i\n  - j\n- k\n";
        let value: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        assert_eq!(to_string(&value).unwrap(), text);
        assert_eq!(serde_yaml::to_string(&value).unwrap(), text);
    }
}
