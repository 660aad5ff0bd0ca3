//! Unit names: Docker names made into valid, unique systemd unit names.
//!
//! Quadlet turns `x.container` into `x.service`, `x.volume` into `x-volume.service`,
//! `x.network` into `x-network.service` and `x.pod` into `x-pod.service`; all of them share
//! one systemd namespace per user, so uniqueness is checked on the service names.

use std::collections::BTreeSet;

/// systemd's limit for a unit name, including the suffix.
const MAX_UNIT_NAME: usize = 255;

/// The kinds of quadlet file, with the service-name suffix quadlet gives each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Container,
    Volume,
    Network,
    Pod,
}

impl UnitKind {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Container => "container",
            Self::Volume => "volume",
            Self::Network => "network",
            Self::Pod => "pod",
        }
    }

    fn service_suffix(self) -> &'static str {
        match self {
            Self::Container => "",
            Self::Volume => "-volume",
            Self::Network => "-network",
            Self::Pod => "-pod",
        }
    }
}

/// Replace everything systemd does not allow in a unit name (and `@`, which would make a
/// template, and `\`) by `-`; never empty, never starting with `-` or `.`.
pub fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let ok = c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':');
        let c = if ok { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out
        .trim_start_matches(['-', '.'])
        .trim_end_matches(['-', '.']);
    let mut s = if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.to_owned()
    };
    // Room for the longest suffix (`-network.service`) and a uniqueness counter.
    s.truncate(MAX_UNIT_NAME - 24);
    s
}

/// Hands out unique unit names.
#[derive(Debug, Default)]
pub struct UnitNamer {
    services: BTreeSet<String>,
}

impl UnitNamer {
    /// The unit name for `wanted` (sanitized, made unique with `-2`, `-3`, ...).
    pub fn claim(&mut self, wanted: &str, kind: UnitKind) -> String {
        let base = sanitize(wanted);
        let mut candidate = base.clone();
        let mut n = 1;
        while !self
            .services
            .insert(format!("{candidate}{}", kind.service_suffix()))
        {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_and_keeps_unique() {
        assert_eq!(sanitize("web"), "web");
        assert_eq!(sanitize("my app@2/x"), "my-app-2-x");
        assert_eq!(sanitize("..."), "unnamed");
        assert_eq!(sanitize("ünï"), "n");
        let mut n = UnitNamer::default();
        assert_eq!(n.claim("my app", UnitKind::Container), "my-app");
        assert_eq!(n.claim("my/app", UnitKind::Container), "my-app-2");
        assert_eq!(n.claim("my-app", UnitKind::Volume), "my-app");
        // `db.volume` is `db-volume.service`, so a container called db-volume must move.
        assert_eq!(n.claim("db", UnitKind::Volume), "db");
        assert_eq!(n.claim("db-volume", UnitKind::Container), "db-volume-2");
    }
}
