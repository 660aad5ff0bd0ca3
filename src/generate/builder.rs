//! A quadlet section under construction for one Podman version.
//!
//! Callers say *what* to set with typed [`Key`]s; the builder decides *how*: as the key
//! itself, as the equivalent podman flag in `PodmanArgs=` (the target Podman lacks the key,
//! or quadlet would mangle the value), or not at all. Every case other than "as the key"
//! is recorded in [`QuadletSection::downgrades`] so nothing is lost silently.

use std::borrow::Cow;

use super::NoteLevel;
use super::keys::{Fallback, Key, PodmanVersion, SectionKind};
use super::unit_file::{self, Context, EncodedInput, Encoding, Section};

/// What happened to a key that was not written as itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downgrade {
    /// The quadlet key, or the Docker setting for flags that have no key.
    pub key: &'static str,
    /// `key` is a quadlet key (not a Docker setting name).
    pub is_key: bool,
    /// The podman flags that express it (empty when there are none).
    pub podman_flags: Vec<String>,
    /// `true`: written as podman flags in `PodmanArgs=`; `false`: dropped.
    pub moved_to_podman_args: bool,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct QuadletSection {
    pub kind: SectionKind,
    pub version: PodmanVersion,
    section: Section,
    /// Words for `PodmanArgs=`, unencoded, in insertion order.
    podman_args: Vec<String>,
    pub downgrades: Vec<Downgrade>,
}

impl Downgrade {
    /// `(setting, message)` for a note.
    pub fn describe(&self) -> (String, String) {
        let setting = if self.is_key {
            format!("quadlet {}=", self.key)
        } else {
            self.key.to_owned()
        };
        let message = if self.moved_to_podman_args {
            format!(
                "{}: written as podman flags in PodmanArgs= instead",
                self.reason
            )
        } else if self.podman_flags.is_empty() || self.key == "Environment" {
            // Environment values may be secrets: never repeat them in a note.
            format!(
                "{}: left out; set it by hand once the target Podman supports it",
                self.reason
            )
        } else {
            format!(
                "{}: left out; the podman run flags are `{}` (add them by hand, e.g. in a drop-in, once possible)",
                self.reason,
                self.podman_flags.join(" ")
            )
        };
        (setting, message)
    }

    /// Moved into `PodmanArgs=` still takes effect (info); dropped does not.
    pub fn note_level(&self) -> NoteLevel {
        if self.moved_to_podman_args {
            NoteLevel::Info
        } else {
            NoteLevel::NotTranslated
        }
    }
}

impl QuadletSection {
    pub fn new(kind: SectionKind, version: PodmanVersion) -> Self {
        Self {
            kind,
            version,
            section: Section::new(kind.name()),
            podman_args: Vec::new(),
            downgrades: Vec::new(),
        }
    }

    /// Set a single-valued (or one line of a repeatable) key.
    pub fn set(&mut self, key: Key, value: impl AsRef<str>) {
        let value = value.as_ref();
        self.set_input(key, EncodedInput::One(Cow::Borrowed(value)), &[value]);
    }

    /// Set a verbatim key whose value starts with the `%t` specifier (the user's runtime
    /// directory, `$XDG_RUNTIME_DIR`); `tail` is escaped as usual.
    pub fn set_under_runtime_dir(&mut self, key: Key, tail: &str) {
        self.set_under_specifier(key, "%t", tail);
    }

    /// Set a verbatim key whose value starts with the `%h` specifier (the user's home,
    /// which systemd resolves in the generated `ExecStart=`); `tail` is escaped as usual.
    /// For files migrate.sh installs under the home, whose path the generator cannot know.
    pub fn set_under_home_dir(&mut self, key: Key, tail: &str) {
        self.set_under_specifier(key, "%h", tail);
    }

    /// `specifier` (written in this crate's source) followed by the escaped `tail`.
    fn set_under_specifier(&mut self, key: Key, specifier: &'static str, tail: &str) {
        debug_assert!(matches!(key.encoding, Encoding::Raw | Encoding::RawLine));
        let encoded = unit_file::encode(
            &EncodedInput::One(Cow::Borrowed(tail)),
            key.encoding,
            Context::Podman,
        );
        match encoded {
            Ok(v) if key.supported_by(self.version) => {
                self.section.push(key.name, format!("{specifier}{v}"))
            }
            Ok(_) | Err(_) => self.downgrades.push(Downgrade {
                key: key.name,
                is_key: true,
                podman_flags: Vec::new(),
                moved_to_podman_args: false,
                reason: format!(
                    "the value {specifier}{tail} cannot be written as {}=",
                    key.name
                ),
            }),
        }
    }

    /// Set a word-list key (`Environment=`, `Exec=`, `AddCapability=`, ...) on one line.
    pub fn set_words<S: AsRef<str>>(&mut self, key: Key, words: &[S]) {
        if words.is_empty() {
            return;
        }
        let refs: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
        let input = EncodedInput::Many(refs.iter().map(|w| Cow::Borrowed(*w)).collect());
        self.set_input(key, input, &refs);
    }

    /// Set a boolean key; `false` writes nothing (every key unroot uses defaults to false).
    pub fn set_bool(&mut self, key: Key, value: bool) {
        if value {
            self.set(key, "true");
        }
    }

    /// Podman arguments that have no quadlet key at all (`--cpus`, `--privileged`, ...).
    pub fn podman_args<S: AsRef<str>>(&mut self, args: &[S], what: &'static str) {
        let pa = Key::podman_args_of(self.kind);
        if !pa.supported_by(self.version) {
            self.downgrades.push(Downgrade {
                key: what,
                is_key: false,
                podman_flags: args.iter().map(|a| a.as_ref().to_owned()).collect(),
                moved_to_podman_args: false,
                reason: format!("Podman {} quadlet has no PodmanArgs= key", self.version),
            });
            return;
        }
        for a in args {
            if let Err(e) = unit_file::encode_word(&mut String::new(), a.as_ref(), Context::Podman)
            {
                self.downgrades.push(Downgrade {
                    key: what,
                    is_key: false,
                    podman_flags: Vec::new(),
                    moved_to_podman_args: false,
                    reason: format!("the argument {e}"),
                });
                return;
            }
        }
        self.podman_args
            .extend(args.iter().map(|a| a.as_ref().to_owned()));
    }

    fn set_input(&mut self, key: Key, input: EncodedInput<'_>, words: &[&str]) {
        debug_assert_eq!(
            key.section, self.kind,
            "{} used in the wrong section",
            key.name
        );
        let reason = if key.supported_by(self.version) {
            match unit_file::encode(&input, key.encoding, Context::Podman) {
                Ok(v) => {
                    self.section.push(key.name, v);
                    return;
                }
                Err(e) => format!(
                    "the value {e}, which quadlet cannot read back unchanged as {}=",
                    key.name
                ),
            }
        } else {
            match key.since() {
                Some(since) => format!(
                    "{}= needs Podman {since}, the target is {}",
                    key.name, self.version
                ),
                None => format!("{}= is unknown to quadlet", key.name),
            }
        };
        let args: Vec<String> = match key.fallback {
            Fallback::None => Vec::new(),
            Fallback::Switch(flag) => vec![flag.to_owned()],
            Fallback::Flag(flag) => match key.encoding {
                Encoding::Words | Encoding::List => words
                    .iter()
                    .flat_map(|w| [flag.to_owned(), (*w).to_owned()])
                    .collect(),
                Encoding::Raw | Encoding::RawLine => vec![flag.to_owned(), words.join(" ")],
            },
        };
        let pa = Key::podman_args_of(self.kind);
        let movable = !args.is_empty()
            && pa.supported_by(self.version)
            && args
                .iter()
                .all(|a| unit_file::encode_word(&mut String::new(), a, Context::Podman).is_ok());
        if movable {
            self.podman_args.extend(args.iter().cloned());
        }
        self.downgrades.push(Downgrade {
            key: key.name,
            is_key: true,
            podman_flags: args,
            moved_to_podman_args: movable,
            reason,
        });
    }

    /// The finished section, `PodmanArgs=` last.
    pub fn finish(mut self) -> (Section, Vec<Downgrade>) {
        if !self.podman_args.is_empty() {
            let pa = Key::podman_args_of(self.kind);
            let input = EncodedInput::Many(
                self.podman_args
                    .iter()
                    .map(|a| Cow::Borrowed(a.as_str()))
                    .collect(),
            );
            // Every word was checked when added.
            if let Ok(v) = unit_file::encode(&input, pa.encoding, Context::Podman) {
                self.section.push(pa.name, v);
            }
        }
        (self.section, self.downgrades)
    }

    pub fn has_key(&self, name: &str) -> bool {
        self.section.entries.iter().any(|e| e.key == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::keys::container as k;

    fn v(s: &str) -> PodmanVersion {
        PodmanVersion::parse(s).unwrap()
    }

    #[test]
    fn newer_keys_move_to_podman_args() {
        let mut s = QuadletSection::new(SectionKind::Container, v("5.4"));
        s.set(k::MEMORY, "512m");
        s.set(k::IMAGE, "docker.io/library/x:1");
        let (sec, down) = s.finish();
        assert_eq!(sec.entries[0].key, "Image");
        assert_eq!(sec.entries[1].key, "PodmanArgs");
        assert_eq!(sec.entries[1].value, "--memory 512m");
        assert!(down[0].moved_to_podman_args);
        assert!(
            down[0].reason.contains("needs Podman 5.5"),
            "{}",
            down[0].reason
        );
    }

    #[test]
    fn mangled_values_move_to_podman_args_with_exact_quoting() {
        let mut s = QuadletSection::new(SectionKind::Container, v("5.4"));
        s.set(k::HEALTH_CMD, r#"sh -c "curl -f http://x/""#);
        let (sec, down) = s.finish();
        assert_eq!(
            sec.entries[0].value,
            r#"--health-cmd "sh -c \"curl -f http://x/\"""#
        );
        assert!(down[0].reason.contains("double quote"));
    }

    #[test]
    fn without_podman_args_the_key_is_dropped_and_reported() {
        let mut s = QuadletSection::new(SectionKind::Container, v("4.4"));
        s.set(k::SHM_SIZE, "1g");
        let (sec, down) = s.finish();
        assert!(sec.entries.is_empty());
        assert!(!down[0].moved_to_podman_args);
    }

    #[test]
    fn list_words_fall_back_one_flag_each() {
        let mut s = QuadletSection::new(SectionKind::Container, v("5.0"));
        s.set_words(k::GROUP_ADD, &["10"]);
        s.set_words(k::ADD_CAPABILITY, &["NET_ADMIN", "SYS_TIME"]);
        let (sec, _) = s.finish();
        assert_eq!(sec.entries[0].value, "NET_ADMIN SYS_TIME");
        assert_eq!(sec.entries[1].value, "--group-add 10");
    }
}
