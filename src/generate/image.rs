//! Image references: fully qualified names for Podman and how the image gets there.

use super::{ImageTransfer, TransferMethod};
use crate::model::{Container, Image};

pub use crate::model::image_ref::qualify;
use crate::model::image_ref::{has_digest, has_registry, is_image_id, repository};

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

/// Decide how the container's image reaches the rootless user.
///
/// An image with `RepoDigests` came from a registry and is pulled by its qualified name, or
/// by the digest Docker runs today when `pin` (the plan's `pin_digest`) says so. One
/// without (built or imported locally, or untagged) is moved with `docker save | podman
/// load` and referred to as `localhost/...`: after `podman load`, migrate.sh tags the
/// loaded image as [`ImageTransfer::podman_ref`] (podman load would otherwise name it
/// `docker.io/library/...`, and an untagged image gets no name at all); such an image has
/// no registry digest to pin, which a note says. `unit` names the image when Docker knows
/// it only by ID.
pub fn transfer(
    container: &Container,
    image: Option<&Image>,
    unit: &str,
    pin: bool,
) -> (ImageTransfer, Vec<String>) {
    let reference = container.image.trim();
    let mut notes = Vec::new();
    let cannot_pin = "pin_digest is on, but the image has no registry digest (built or imported locally): it cannot be pinned, the migrated unit runs the copied image";
    if reference.is_empty() || is_image_id(reference) {
        let id = if reference.is_empty() {
            container.image_id.clone()
        } else {
            reference.to_owned()
        };
        notes.push("the container runs an untagged image (known only by ID): it is saved by ID, loaded and tagged under the localhost/ name shown".to_owned());
        if pin {
            notes.push(cannot_pin.to_owned());
        }
        let transfer = ImageTransfer {
            docker_ref: id,
            podman_ref: format!("localhost/unroot-{}:migrated", unit.to_ascii_lowercase()),
            method: TransferMethod::Load,
            digest: None,
            pinned: false,
        };
        return (transfer, notes);
    }
    let digest = image.and_then(|img| img.digest_in(reference));
    let transfer = match image {
        Some(img) if img.repo_digests.is_empty() => {
            notes.push("the image has no registry digest (built or imported locally): it is copied with docker save | podman load and named localhost/...; Pull=never stops Podman from looking for it in a registry".to_owned());
            if pin {
                notes.push(cannot_pin.to_owned());
            }
            ImageTransfer {
                docker_ref: reference.to_owned(),
                podman_ref: localhost_ref(reference),
                method: TransferMethod::Load,
                digest: None,
                pinned: false,
            }
        }
        _ => {
            let pinned = match digest {
                Some(d) if pin && !has_digest(reference) => {
                    Some(format!("{}@{d}", repository(reference)))
                }
                _ => None,
            };
            if image.is_none() {
                notes.push("the image was not inspected, so unroot assumes it can be pulled from its registry; if it was built locally, use docker save | podman load instead".to_owned());
            }
            if pin && pinned.is_none() && !has_digest(reference) {
                notes.push(format!(
                    "pin_digest is on, but no registry digest of {} is known (image not inspected, or its digests belong to other repositories): Image= keeps the tag",
                    repository(reference)
                ));
            }
            ImageTransfer {
                docker_ref: reference.to_owned(),
                podman_ref: pinned.clone().unwrap_or_else(|| qualify(reference)),
                method: TransferMethod::Pull,
                digest: digest.map(str::to_owned),
                pinned: pinned.is_some(),
            }
        }
    };
    (transfer, notes)
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
        let (t, notes) = transfer(&c, Some(&img), "app", false);
        assert_eq!(t.method, TransferMethod::Load);
        assert_eq!(t.podman_ref, "localhost/app:1");
        assert_eq!(notes.len(), 1);
        // Asked to pin, a local image says why it cannot be.
        let (t, notes) = transfer(&c, Some(&img), "app", true);
        assert_eq!(t.podman_ref, "localhost/app:1");
        assert!(!t.pinned);
        assert!(
            notes.iter().any(|n| n.contains("cannot be pinned")),
            "{notes:?}"
        );
        let c = Container {
            image: "sha256:0123456789abcdef0123".into(),
            ..Default::default()
        };
        let (t, _) = transfer(&c, None, "Web", false);
        assert_eq!(t.podman_ref, "localhost/unroot-web:migrated");
    }

    #[test]
    fn pinning_writes_the_repositorys_digest_and_keeps_the_tag_for_the_report() {
        let hub = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        let img = Image {
            repo_digests: vec![
                "registry.example/mirror/nginx@sha256:2222".into(),
                format!("nginx@{hub}"),
            ],
            ..Default::default()
        };
        let c = Container {
            image: "nginx:1.25".into(),
            ..Default::default()
        };
        let (t, notes) = transfer(&c, Some(&img), "web", true);
        assert_eq!(t.podman_ref, format!("docker.io/library/nginx@{hub}"));
        assert_eq!(t.docker_ref, "nginx:1.25");
        assert_eq!(t.digest.as_deref(), Some(hub));
        assert!(t.pinned);
        assert_eq!(t.method, TransferMethod::Pull);
        assert!(notes.is_empty(), "{notes:?}");
        // Off: the tag, with the digest still known for REPORT.md.
        let (t, _) = transfer(&c, Some(&img), "web", false);
        assert_eq!(t.podman_ref, "docker.io/library/nginx:1.25");
        assert_eq!(t.digest.as_deref(), Some(hub));
        assert!(!t.pinned);
        // A re-tag whose digests belong to other repositories is not pinned, and says so.
        let retag = Container {
            image: "myweb:1".into(),
            ..Default::default()
        };
        let (t, notes) = transfer(&retag, Some(&img), "web", true);
        assert_eq!(t.podman_ref, "docker.io/library/myweb:1");
        assert!(!t.pinned);
        assert!(
            notes.iter().any(|n| n.contains("Image= keeps the tag")),
            "{notes:?}"
        );
        // Already a digest reference: kept as it is.
        let by_digest = Container {
            image: format!("nginx@{hub}"),
            ..Default::default()
        };
        let (t, notes) = transfer(&by_digest, Some(&img), "web", true);
        assert_eq!(t.podman_ref, format!("docker.io/library/nginx@{hub}"));
        assert!(notes.is_empty(), "{notes:?}");
    }
}
