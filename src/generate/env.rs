//! Environment variables: which go into `Environment=`, which into a 0600 env file and
//! which become Podman secrets.
//!
//! Only variables the container adds over its image are written (the image supplies the
//! rest under Podman too). Secrets (by name or by value, see `model::secret`) go to
//! `env/<unit>.env`, or to one Podman secret each when the plan's `secrets:` says
//! `podman_secret`, so their values are not in unit files that `systemctl cat` and backups
//! show; unroot never prints a value.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::model::{Container, secret};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct EnvSplit {
    /// `NAME=value` words for `Environment=`.
    pub plain: Vec<String>,
    /// `(NAME, value)` of the secret-looking variables.
    pub secret: Vec<(String, String)>,
    /// Names refused (value has a NUL or newline), with the reason.
    pub refused: Vec<(String, &'static str)>,
}

pub fn split(container: &Container) -> EnvSplit {
    let mut out = EnvSplit::default();
    for var in container.added_env() {
        if var.name.is_empty() || var.name.contains(['=', '\0', '\n']) {
            out.refused.push((
                var.name.replace(['\0', '\n'], "?"),
                "the name is empty or contains '=', NUL or a newline",
            ));
            continue;
        }
        if var.value.contains('\0') {
            out.refused
                .push((var.name.clone(), "the value contains a NUL byte"));
            continue;
        }
        if var.value.contains(['\n', '\r']) {
            out.refused
                .push((var.name.clone(), "the value contains a newline"));
            continue;
        }
        if secret::is_secret(&var.name, &var.value) {
            out.secret.push((var.name.clone(), var.value.clone()));
        } else {
            out.plain.push(format!("{}={}", var.name, var.value));
        }
    }
    out
}

/// Podman's longest secret name.
const MAX_SECRET_NAME: usize = 253;

/// Why a secret variable cannot be a Podman secret and stays in the env file, if it can't:
/// `target=` is one word of a comma-separated `--secret` value, and Podman refuses an
/// empty secret.
pub fn podman_secret_refusal(name: &str, value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return Some("Podman refuses an empty secret");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Some("its name has characters other than letters, digits, `_`, `.` and `-`");
    }
    None
}

/// Deterministic Podman secret names for one unit's variables, unique per user.
///
/// `unroot-<unit>-<var lowercased>`, made only of `[A-Za-z0-9_.-]`, starting and ending
/// with a letter or digit (what every Podman version accepts). The variable part has no
/// `-`, so the last `-` separates it from the unit name, which is unique per user: two
/// units' names cannot meet. When that reading is lost (a character replaced, a name
/// lowercased onto another variable's, or the length cut), a short hash of the unit and
/// variable keeps the name unique.
pub struct SecretNames<'a> {
    unit: &'a str,
    taken: BTreeSet<String>,
}

impl<'a> SecretNames<'a> {
    pub fn new(unit: &'a str) -> Self {
        Self {
            unit,
            taken: BTreeSet::new(),
        }
    }

    /// The name for `var` of this unit.
    pub fn name(&mut self, var: &str) -> String {
        let unit: String = self
            .unit
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let lowered: String = var
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let var_part = lowered.trim_matches(['_', '.']);
        let var_part = if var_part.is_empty() { "var" } else { var_part };
        let plain = format!("unroot-{unit}-{var_part}");
        let lossy = unit != self.unit
            || var_part != var.to_ascii_lowercase()
            || self.taken.contains(&plain)
            || plain.len() > MAX_SECRET_NAME;
        let name = if lossy {
            let digest = Sha256::digest(format!("{}\0{var}", self.unit).as_bytes());
            let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
            let mut head = plain;
            head.truncate(MAX_SECRET_NAME - hash.len() - 1);
            format!("{}-{hash}", head.trim_end_matches(['_', '.', '-']))
        } else {
            plain
        };
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnvOrigin, EnvVar};

    /// Names are deterministic, in Podman's alphabet, and unique even where lowercasing or
    /// replacing characters would make two the same.
    #[test]
    fn podman_secret_names_are_safe_and_unique() {
        let mut n = SecretNames::new("web");
        assert_eq!(n.name("DB_PASSWORD"), "unroot-web-db_password");
        let lowered_twin = n.name("db_password");
        assert_ne!(lowered_twin, "unroot-web-db_password");
        assert!(
            lowered_twin.starts_with("unroot-web-db_password-"),
            "{lowered_twin}"
        );
        assert_eq!(
            SecretNames::new("web").name("DB_PASSWORD"),
            "unroot-web-db_password"
        );
        let mut m = SecretNames::new("a:b");
        let odd = m.name("API-KEY");
        assert!(odd.starts_with("unroot-a-b-api_key-"), "{odd}");
        assert_ne!(odd, SecretNames::new("a-b").name("API_KEY"));
        let long = SecretNames::new(&"x".repeat(300)).name("TOKEN_");
        assert!(long.len() <= MAX_SECRET_NAME, "{}", long.len());
        for name in [&lowered_twin, &odd, &long] {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
                "{name}"
            );
            assert!(
                name.ends_with(|c: char| c.is_ascii_alphanumeric()),
                "{name}"
            );
        }
        assert_eq!(podman_secret_refusal("TOKEN", "x"), None);
        assert!(podman_secret_refusal("TOKEN", "").is_some());
        assert!(podman_secret_refusal("A,B", "x").is_some());
    }

    #[test]
    fn splits_and_refuses() {
        let var = |n: &str, v: &str, origin| EnvVar {
            name: n.into(),
            value: v.into(),
            origin,
        };
        let c = Container {
            env: vec![
                var("PATH", "/usr/bin", EnvOrigin::Image),
                var("MODE", "prod", EnvOrigin::Container),
                var("DB_PASSWORD", "s3cret", EnvOrigin::Override),
                var("BAD", "a\nb", EnvOrigin::Container),
            ],
            ..Default::default()
        };
        let s = split(&c);
        assert_eq!(s.plain, vec!["MODE=prod"]);
        assert_eq!(s.secret, vec![("DB_PASSWORD".into(), "s3cret".into())]);
        assert_eq!(
            s.refused,
            vec![("BAD".to_owned(), "the value contains a newline")]
        );
    }
}
