//! Image reference matching between the plan (`Image=`) and what Podman stores.

use super::facts::TargetFacts;
use crate::generate::image::qualify;

/// Fully qualify a reference the way Podman stores it: `nginx:1.25` ->
/// `docker.io/library/nginx:1.25`, `foo/bar` -> `docker.io/foo/bar:latest`. The registry
/// part is the generator's (the `Image=` it writes), plus the `latest` Podman stores.
pub fn normalize(reference: &str) -> String {
    let (name, suffix) = split_suffix(reference.trim());
    let suffix = if suffix.is_empty() { ":latest" } else { suffix };
    format!("{}{suffix}", qualify(name))
}

/// Split `name[:tag][@digest]` into the name and the rest (`:tag`, `@sha256:...`).
fn split_suffix(reference: &str) -> (&str, &str) {
    if let Some(at) = reference.find('@') {
        return (&reference[..at], &reference[at..]);
    }
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_slash..].rfind(':') {
        Some(colon) => reference.split_at(last_slash + colon),
        None => (reference, ""),
    }
}

/// Two references name the same image once both are fully qualified.
pub fn same_image(a: &str, b: &str) -> bool {
    a == b || normalize(a) == normalize(b)
}

/// The planned image is in the target's store (by name, or by ID for untagged images).
pub fn image_present(reference: &str, facts: &TargetFacts) -> bool {
    let id = reference.trim_start_matches("sha256:");
    facts.images.iter().any(|img| {
        img.names
            .iter()
            .chain(&img.digests)
            .any(|n| same_image(n, reference))
            || (id.len() >= 12 && img.id.trim_start_matches("sha256:").starts_with(id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_podman() {
        for (reference, stored) in [
            ("nginx:1.25", "docker.io/library/nginx:1.25"),
            ("nginx", "docker.io/library/nginx:latest"),
            ("grafana/grafana:10", "docker.io/grafana/grafana:10"),
            ("localhost/app:1", "localhost/app:1"),
            (
                "registry.example:5000/team/app",
                "registry.example:5000/team/app:latest",
            ),
        ] {
            assert_eq!(normalize(reference), stored, "{reference}");
        }
        assert!(same_image("docker.io/library/nginx:1.25", "nginx:1.25"));
        assert!(!same_image("nginx:1.25", "nginx:1.26"));
        assert!(!same_image("localhost/app:1", "app:1"));
    }

    /// A pinned `Image=` is found by the digest Podman pulled it by, whatever its tags.
    #[test]
    fn pinned_references_are_found_by_digest() {
        let pinned = "docker.io/library/nginx@sha256:1111";
        let mut facts = TargetFacts::default();
        facts.images.push(super::super::facts::TargetImage {
            id: "sha256:abcdef0123456789".into(),
            names: vec!["docker.io/library/nginx:1.25".into()],
            digests: vec![pinned.into()],
        });
        assert!(image_present(pinned, &facts));
        assert!(image_present("nginx:1.25", &facts));
        assert!(!image_present(
            "docker.io/library/nginx@sha256:2222",
            &facts
        ));
        assert!(same_image("nginx@sha256:1111", pinned));
    }
}
