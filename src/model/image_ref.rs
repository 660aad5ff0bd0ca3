//! Image references as Docker writes them: registry, repository, tag and digest.
//!
//! One home for the parsing the generator (`Image=`), the digest-pinning decision and
//! `unroot verify` all need, so they agree on what "the same repository" means.

use super::Image;

/// Whether the first path component of a reference is a registry host (Docker's rule:
/// it contains `.` or `:`, or is `localhost`).
pub fn has_registry(reference: &str) -> bool {
    match reference.split_once('/') {
        Some((first, _)) => first.contains('.') || first.contains(':') || first == "localhost",
        None => false,
    }
}

/// `nginx:1.25` → `docker.io/library/nginx:1.25`, `me/app` → `docker.io/me/app`; references
/// with a registry are kept. A missing tag stays missing (Podman then means `latest`, as
/// Docker did).
pub fn qualify(reference: &str) -> String {
    if has_registry(reference) {
        reference.to_owned()
    } else if reference.contains('/') {
        format!("docker.io/{reference}")
    } else {
        format!("docker.io/library/{reference}")
    }
}

/// The fully qualified repository of a reference, without tag or digest:
/// `nginx:1.25` and `nginx@sha256:...` → `docker.io/library/nginx`;
/// `localhost:5000/app:1` → `localhost:5000/app`.
pub fn repository(reference: &str) -> String {
    let name = reference.split('@').next().unwrap_or(reference);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let name = match name[last_slash..].rfind(':') {
        Some(colon) => &name[..last_slash + colon],
        None => name,
    };
    qualify(name)
}

/// Whether the reference already names a digest (`repo@sha256:...`).
pub fn has_digest(reference: &str) -> bool {
    reference.contains('@')
}

/// Whether the reference is an image ID (`sha256:...` or 12+ hex digits): the container
/// runs an untagged image Docker knows only by ID.
pub fn is_image_id(reference: &str) -> bool {
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether the image exists only locally (built or imported, or untagged): no registry
/// serves it, so the migration copies it (`docker save | podman load`) instead of pulling.
/// `image` is the inspected image, when known (not inspected: assumed pullable).
pub fn is_local(reference: &str, image: Option<&Image>) -> bool {
    let reference = reference.trim();
    reference.is_empty()
        || is_image_id(reference)
        || image.is_some_and(|img| img.repo_digests.is_empty())
}

impl Image {
    /// The registry digest (`sha256:...`) this image has in the repository of
    /// `reference`, from its `RepoDigests`: the bytes a pull of that repository by digest
    /// returns. `None` for locally built images (no `RepoDigests`) and for images whose
    /// digests all belong to other repositories (a local re-tag).
    pub fn digest_in(&self, reference: &str) -> Option<&str> {
        let wanted = repository(reference);
        self.repo_digests.iter().find_map(|d| {
            let (repo, digest) = d.split_once('@')?;
            (qualify(repo) == wanted && digest.starts_with("sha256:")).then_some(digest)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_lose_tag_and_digest_but_keep_registry_ports() {
        for (reference, repo) in [
            ("nginx:1.25", "docker.io/library/nginx"),
            ("nginx", "docker.io/library/nginx"),
            ("nginx@sha256:ab", "docker.io/library/nginx"),
            ("nginx:1.25@sha256:ab", "docker.io/library/nginx"),
            ("grafana/grafana:10", "docker.io/grafana/grafana"),
            ("localhost:5000/team/app:1", "localhost:5000/team/app"),
            ("localhost:5000/team/app", "localhost:5000/team/app"),
            ("quay.io/x/y", "quay.io/x/y"),
        ] {
            assert_eq!(repository(reference), repo, "{reference}");
        }
    }

    #[test]
    fn local_images_have_no_registry_digest_or_are_known_by_id() {
        let pulled = Image {
            repo_digests: vec!["nginx@sha256:hub".into()],
            ..Default::default()
        };
        assert!(!is_local("nginx:1.25", Some(&pulled)));
        assert!(
            !is_local("nginx:1.25", None),
            "not inspected: assumed pullable"
        );
        assert!(is_local("app:1", Some(&Image::default())), "built locally");
        assert!(is_local("sha256:0123456789abcdef0123", Some(&pulled)));
        assert!(is_local("", None));
    }

    #[test]
    fn digests_come_from_the_containers_repository_only() {
        let img = Image {
            repo_digests: vec![
                "registry.example/mirror/nginx@sha256:mirror".into(),
                "nginx@sha256:hub".into(),
            ],
            ..Default::default()
        };
        assert_eq!(img.digest_in("nginx:1.25"), Some("sha256:hub"));
        assert_eq!(img.digest_in("docker.io/library/nginx"), Some("sha256:hub"));
        assert_eq!(
            img.digest_in("registry.example/mirror/nginx:1"),
            Some("sha256:mirror")
        );
        assert_eq!(img.digest_in("myweb:1"), None, "a local re-tag");
        assert_eq!(
            Image::default().digest_in("nginx:1.25"),
            None,
            "built locally"
        );
    }
}
