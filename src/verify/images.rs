//! Image reference matching between the plan (`Image=`) and what Podman stores.

use super::facts::TargetFacts;

/// Fully qualify a reference the way Podman stores it: `nginx:1.25` ->
/// `docker.io/library/nginx:1.25`, `foo/bar` -> `docker.io/foo/bar:latest`.
pub fn normalize(reference: &str) -> String {
    let reference = reference.trim();
    let (name, suffix) = split_suffix(reference);
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let qualified = if has_registry {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    let suffix = if suffix.is_empty() {
        ":latest".to_string()
    } else {
        suffix.to_string()
    };
    format!("{qualified}{suffix}")
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
        img.names.iter().any(|n| same_image(n, reference))
            || (id.len() >= 12 && img.id.trim_start_matches("sha256:").starts_with(id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_podman() {
        assert_eq!(normalize("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(normalize("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            normalize("grafana/grafana:10"),
            "docker.io/grafana/grafana:10"
        );
        assert_eq!(normalize("localhost/app:1"), "localhost/app:1");
        assert_eq!(
            normalize("registry.example:5000/team/app"),
            "registry.example:5000/team/app:latest"
        );
        assert!(same_image("docker.io/library/nginx:1.25", "nginx:1.25"));
        assert!(!same_image("nginx:1.25", "nginx:1.26"));
        assert!(!same_image("localhost/app:1", "app:1"));
    }
}
