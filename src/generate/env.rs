//! Environment variables: which go into `Environment=` and which into a 0600 env file.
//!
//! Only variables the container adds over its image are written (the image supplies the
//! rest under Podman too). Secrets (by name or by value, see `model::secret`) go to `env/<unit>.env`, so their values are
//! not in unit files that `systemctl cat` and backups show; unroot never prints a value.

use crate::model::{Container, secret};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct EnvSplit {
    /// `NAME=value` words for `Environment=`.
    pub plain: Vec<String>,
    /// `NAME=value` lines for the env file.
    pub secret: Vec<String>,
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
        let entry = format!("{}={}", var.name, var.value);
        if secret::is_secret(&var.name, &var.value) {
            out.secret.push(entry);
        } else {
            out.plain.push(entry);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnvOrigin, EnvVar};

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
        assert_eq!(s.secret, vec!["DB_PASSWORD=s3cret"]);
        assert_eq!(
            s.refused,
            vec![("BAD".to_owned(), "the value contains a newline")]
        );
    }
}
