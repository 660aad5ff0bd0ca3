//! The Docker-compatible side of the Podman service, through bollard: used only for calls
//! whose libpod JSON podman-api cannot deserialize (see [`super::podman`]).

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::query_parameters::InspectContainerOptions;

use super::facts::{TargetContainer, TargetMount};

/// A bollard client for the Docker-compatible API of the Podman service at `socket`.
pub async fn connect(socket: &std::path::Path) -> Result<Docker> {
    let path = socket
        .to_str()
        .context("the Podman socket path is not UTF-8")?;
    let docker = Docker::connect_with_unix(path, 60, bollard::API_DEFAULT_VERSION)
        .context("connect to Podman's Docker-compatible API")?;
    docker
        .negotiate_version()
        .await
        .context("negotiate the Docker-compatible API version with Podman")
}

/// Fill user, image and mounts of `container` from `GET /containers/{id}/json`.
pub async fn inspect_into(
    docker: &Docker,
    id: &str,
    container: &mut TargetContainer,
) -> Result<()> {
    let inspect = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .with_context(|| format!("GET /containers/{id}/json on Podman's Docker-compatible API"))?;
    if let Some(config) = inspect.config {
        container.user = config.user.unwrap_or_default();
        if let Some(image) = config.image {
            container.image = image;
        }
    }
    container.mounts = inspect
        .mounts
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            TargetMount::new(
                m.typ.map(|t| t.to_string()).unwrap_or_default(),
                m.name,
                m.source,
                m.destination,
                m.rw,
            )
        })
        .collect();
    Ok(())
}
