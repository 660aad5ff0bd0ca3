//! Environment: which variables the container adds over what its image already sets.
//!
//! Docker merges the image's `ENV` into the container's `Config.Env`, so the container list
//! alone cannot tell an operator's `-e` from the image default; comparing with the image can.

use std::collections::HashMap;

use crate::model::{EnvOrigin, EnvVar};

/// `NAME=value` -> (name, value); a bare `NAME` has an empty value.
pub fn split_var(entry: &str) -> (&str, &str) {
    entry.split_once('=').unwrap_or((entry, ""))
}

/// Without the image (`image_env` is `None`, e.g. raw `docker inspect` input) every
/// variable counts as the container's own: the safe side for secret handling.
pub fn env_vars(container_env: &[String], image_env: Option<&[String]>) -> Vec<EnvVar> {
    let image: HashMap<&str, &str> = image_env
        .into_iter()
        .flatten()
        .map(|e| split_var(e))
        .collect();
    container_env
        .iter()
        .map(|entry| {
            let (name, value) = split_var(entry);
            let origin = match image.get(name) {
                Some(v) if *v == value => EnvOrigin::Image,
                Some(_) => EnvOrigin::Override,
                None => EnvOrigin::Container,
            };
            EnvVar {
                name: name.to_owned(),
                value: value.to_owned(),
                origin,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn split_container_vs_image() {
        let image = s(&["PATH=/usr/bin:/bin", "PG_MAJOR=16", "LANG=C"]);
        let container = s(&[
            "PATH=/usr/bin:/bin",
            "PG_MAJOR=15",
            "POSTGRES_PASSWORD=x=y",
            "EMPTY",
        ]);
        let env = env_vars(&container, Some(&image));
        let origin = |n: &str| env.iter().find(|e| e.name == n).unwrap().origin;
        assert_eq!(origin("PATH"), EnvOrigin::Image);
        assert_eq!(origin("PG_MAJOR"), EnvOrigin::Override);
        assert_eq!(origin("POSTGRES_PASSWORD"), EnvOrigin::Container);
        assert_eq!(env[2].value, "x=y");
        assert_eq!(env[3].value, "");
        assert_eq!(env.len(), 4);
    }

    #[test]
    fn unknown_image_means_container_origin() {
        let env = env_vars(&s(&["PATH=/bin"]), None);
        assert_eq!(env[0].origin, EnvOrigin::Container);
    }
}
