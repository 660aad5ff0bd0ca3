//! Where a field of a plan is, as the parser saw it.
//!
//! Semantic checks run after parsing, when serde has forgotten positions. Rather than guess
//! a line by searching the text, [`position`] parses the plan once more with a probe that
//! walks down a field path and raises an error exactly at the node it is after; the
//! parser attaches its own line and column to that error (serde_yaml's `location()`,
//! serde_json's `line()`/`column()`). Only error paths pay for the second parse.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::plan::document::Format;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub fn key(k: impl Into<String>) -> Self {
        Seg::Key(k.into())
    }
}

/// `containers[0].decision.ports`.
pub fn display(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Parse serde's own path text (`containers[0].decision.ports`) back into steps.
pub fn parse_path(text: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in text.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Seg::key(&rest[..open]));
            }
            rest = &rest[open..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some((index, tail)) = inner.split_once(']') else {
                    break;
                };
                match index.parse() {
                    Ok(i) => out.push(Seg::Index(i)),
                    Err(_) => return out,
                }
                rest = tail;
            }
        } else {
            out.push(Seg::key(rest));
        }
    }
    out
}

/// What to point at once the path is reached.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The node at the path itself.
    Node,
    /// The key `name` of the mapping at the path.
    Key(&'a str),
    /// The first scalar (key or value) spelled `token` anywhere below the path.
    Scalar(&'a str),
}

const FOUND: &str = "\u{0}unroot-located";

/// 1-based line and column of `target` under `path` in `text`, from the parser itself.
pub fn position(
    text: &str,
    format: Format,
    path: &[Seg],
    target: Target<'_>,
) -> Option<(usize, usize)> {
    let probe = Probe { path, target };
    match format {
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_str(text);
            match probe.deserialize(de) {
                Err(e) if e.to_string().contains(FOUND) => {
                    e.location().map(|l| (l.line(), l.column()))
                }
                _ => None,
            }
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            match probe.deserialize(&mut de) {
                Err(e) if e.to_string().contains(FOUND) => Some((e.line(), e.column())),
                _ => None,
            }
        }
    }
}

struct Probe<'p, 'a> {
    path: &'p [Seg],
    target: Target<'a>,
}

impl<'de> DeserializeSeed<'de> for Probe<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any plan node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match (self.path.first(), self.target) {
            (None, Target::Node) => Err(de::Error::custom(FOUND)),
            (None, Target::Key(name)) => {
                while map
                    .next_key_seed(KeyText {
                        fail_on: Some(name),
                    })?
                    .is_some()
                {
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(())
            }
            (None, Target::Scalar(token)) => {
                while map
                    .next_key_seed(KeyText {
                        fail_on: Some(token),
                    })?
                    .is_some()
                {
                    map.next_value_seed(Probe {
                        path: &[],
                        target: self.target,
                    })?;
                }
                Ok(())
            }
            (Some(Seg::Key(want)), _) => {
                while let Some(key) = map.next_key_seed(KeyText { fail_on: None })? {
                    if key == *want {
                        return map.next_value_seed(Probe {
                            path: &self.path[1..],
                            target: self.target,
                        });
                    }
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(())
            }
            (Some(Seg::Index(_)), _) => Ok(()),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match (self.path.first(), self.target) {
            (None, Target::Node) => Err(de::Error::custom(FOUND)),
            (None, Target::Scalar(_)) => {
                while let Some(()) = seq.next_element_seed(Probe {
                    path: &[],
                    target: self.target,
                })? {}
                Ok(())
            }
            (Some(Seg::Index(want)), _) => {
                for _ in 0..*want {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        return Ok(());
                    }
                }
                seq.next_element_seed(Probe {
                    path: &self.path[1..],
                    target: self.target,
                })?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Probe<'_, '_> {
    fn scalar<E: de::Error>(self, v: &str) -> Result<(), E> {
        match (self.path.is_empty(), self.target) {
            (true, Target::Node) => Err(E::custom(FOUND)),
            (true, Target::Scalar(token)) if token == v => Err(E::custom(FOUND)),
            _ => Ok(()),
        }
    }
}

/// A mapping key as text (keys may be numbers: `80: 8080`); with `fail_on`, the "found"
/// error is raised from inside the key's own visit, so the parser marks it with the key's
/// position.
struct KeyText<'a> {
    fail_on: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for KeyText<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl KeyText<'_> {
    fn check<E: de::Error>(self, key: String) -> Result<String, E> {
        if self.fail_on == Some(key.as_str()) {
            Err(E::custom(FOUND))
        } else {
            Ok(key)
        }
    }
}

impl<'de> Visitor<'de> for KeyText<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.check("null".to_string())
    }
}
