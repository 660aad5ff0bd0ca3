//! Reading untrusted JSON into model types with errors people can act on.
//!
//! Snapshots and raw `docker inspect` output both arrive as JSON text from another host.
//! This lives beside the model (not in `source` or `docker/`) so both readers share it
//! without importing each other: `docker/` depends on the model, never the reverse.

use crate::exit::without_values;
use crate::render::text::one_line;

/// serde_json's message without its trailing " at line X column Y" (we print our own),
/// without the input values it quotes ([`without_values`]), and on one line: it still
/// names unknown variants and keys as the input spelled them (`unknown variant `b\nd``),
/// and an escaped newline there would end the error line.
pub fn bare_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let bare = match full.rfind(" at line ") {
        Some(cut) => &full[..cut],
        None => &full,
    };
    one_line(&without_values(bare)).into_owned()
}

/// Deserialize JSON text; the error reads `at line L, column C: FIELD.PATH: what was
/// wrong`, naming the field (`containers[0].env`) and never quoting its value: a string
/// where a list belongs may be `DB_PASSWORD=...`.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        // Map keys in the path come from the input too.
        let path = one_line(&err.path().to_string()).into_owned();
        let inner = err.into_inner();
        let field = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        format!(
            "at line {}, column {}: {field}{}",
            inner.line(),
            inner.column(),
            bare_message(&inner)
        )
    })?;
    de.end().map_err(|err| {
        format!(
            "at line {}, column {}: {}",
            err.line(),
            err.column(),
            bare_message(&err)
        )
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz stage: serde names an unknown variant (and the path names map
    /// keys) as the input spelled them, escaped newlines included.
    #[test]
    fn errors_stay_one_line_whatever_the_input_spells() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum Kind {
            Bind,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            kinds: std::collections::BTreeMap<String, Kind>,
        }
        let err = from_json::<Doc>(r#"{"kinds": {"a\u001b]0;x\u0007": "b\nd"}}"#).unwrap_err();
        assert!(!err.chars().any(char::is_control), "{err:?}");
        assert!(err.contains("unknown variant `b\\nd`"), "{err}");
        assert!(err.contains("kinds.a\\u{1b}]0;x\\u{7}"), "{err}");
    }
}
