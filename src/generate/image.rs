//! Image references: fully qualified names for Podman and how the image gets there.

use super::{ImageTransfer, TransferMethod};
use crate::model::{Container, Image};

/// Whether the first path component of a reference is a registry host (Docker's rule:
/// it contains `.` or `:`, or is `localhost`).
fn has_registry(reference: &str) -> bool {
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

/// The reference without registry, as `localhost/<path>[:tag]` for a loaded image.
fn localhost_ref(reference: &str) -> String {
    let path = if has_registry(reference) {
        reference
            .split_once('/')
            .map_or(reference, |(_, rest)| rest)
    } else {
        reference
    };
    let path = path.strip_prefix("library/").unwrap_or(path);
    // A digest cannot be kept by save/load: use the tag part only.
    let path = path.split('@').next().unwrap_or(path);
    format!("localhost/{path}")
}

fn is_image_id(reference: &str) -> bool {
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// Decide how the container's image reaches the rootless user.
///
/// An image with `RepoDigests` came from a registry and is pulled by its qualified name.
/// One without (built or imported locally, or untagged) is moved with `docker save |
/// podman load` and referred to as `localhost/...`: after `podman load`, migrate.sh tags
/// the loaded image as [`ImageTransfer::podman_ref`] (podman load would otherwise name it
/// `docker.io/library/...`, and an untagged image gets no name at all). `unit` names the
/// image when Docker knows it only by ID.
pub fn transfer(
    container: &Container,
    image: Option<&Image>,
    unit: &str,
) -> (ImageTransfer, Option<String>) {
    let reference = container.image.trim();
    if reference.is_empty() || is_image_id(reference) {
        let id = if reference.is_empty() {
            container.image_id.clone()
        } else {
            reference.to_owned()
        };
        return (
            ImageTransfer {
                docker_ref: id,
                podman_ref: format!("localhost/unroot-{}:migrated", unit.to_ascii_lowercase()),
                method: TransferMethod::Load,
            },
            Some("the container runs an untagged image (known only by ID): it is saved by ID, loaded and tagged under the localhost/ name shown".to_owned()),
        );
    }
    match image {
        Some(img) if img.repo_digests.is_empty() => (
            ImageTransfer {
                docker_ref: reference.to_owned(),
                podman_ref: localhost_ref(reference),
                method: TransferMethod::Load,
            },
            Some("the image has no registry digest (built or imported locally): it is copied with docker save | podman load and named localhost/...; Pull=never stops Podman from looking for it in a registry".to_owned()),
        ),
        Some(_) => (
            ImageTransfer {
                docker_ref: reference.to_owned(),
                podman_ref: qualify(reference),
                method: TransferMethod::Pull,
            },
            None,
        ),
        None => (
            ImageTransfer {
                docker_ref: reference.to_owned(),
                podman_ref: qualify(reference),
                method: TransferMethod::Pull,
            },
            Some("the image was not inspected, so unroot assumes it can be pulled from its registry; if it was built locally, use docker save | podman load instead".to_owned()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifies_like_docker() {
        assert_eq!(qualify("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(qualify("nginx"), "docker.io/library/nginx");
        assert_eq!(
            qualify("grafana/grafana:10"),
            "docker.io/grafana/grafana:10"
        );
        assert_eq!(qualify("quay.io/x/y:1"), "quay.io/x/y:1");
        assert_eq!(qualify("localhost:5000/x"), "localhost:5000/x");
        assert_eq!(qualify("localhost/x"), "localhost/x");
        assert_eq!(
            qualify("nginx@sha256:abcd"),
            "docker.io/library/nginx@sha256:abcd"
        );
    }

    #[test]
    fn local_images_are_loaded_as_localhost() {
        assert_eq!(localhost_ref("app:1"), "localhost/app:1");
        assert_eq!(localhost_ref("docker.io/library/app:1"), "localhost/app:1");
        assert_eq!(localhost_ref("team/app"), "localhost/team/app");
        let c = Container {
            image: "app:1".into(),
            ..Default::default()
        };
        let img = Image::default();
        let (t, note) = transfer(&c, Some(&img), "app");
        assert_eq!(t.method, TransferMethod::Load);
        assert_eq!(t.podman_ref, "localhost/app:1");
        assert!(note.is_some());
        let c = Container {
            image: "sha256:0123456789abcdef0123".into(),
            ..Default::default()
        };
        let (t, _) = transfer(&c, None, "Web");
        assert_eq!(t.podman_ref, "localhost/unroot-web:migrated");
    }
}
