//! Reading a whole host: `/info`, `/version`, every container (stopped and created too),
//! a bounded concurrent inspect of each, one inspect per distinct image, networks, volumes;
//! for an engine on this machine, the owners of bind-mount host paths.

use std::collections::BTreeSet;

use bollard::errors::Error as ApiError;
use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListNetworksOptions, ListVolumesOptions,
};
use futures::{StreamExt, TryStreamExt, stream};
use tokio::sync::mpsc::UnboundedSender;

use super::connect::{classify, concurrency, connect};
use super::{Endpoint, Progress, bind_owners, normalize};
use crate::exit::Failure;
use crate::model::{Container, HostFacts, Image, Inventory, Network, Volume};

fn is_not_found(err: &ApiError) -> bool {
    matches!(
        err,
        ApiError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// Containers read again one by one after engine events (see [`read_containers`]).
#[derive(Debug, Clone, Default)]
pub struct Reread {
    /// Normalized as a whole read normalizes them, bind-mount owners filled when local.
    pub containers: Vec<Container>,
    /// IDs the engine no longer knows (removed since the event).
    pub missing: BTreeSet<String>,
    /// The images of the containers read whose image was not known yet.
    pub images: Vec<Image>,
    /// Networks and volumes as they are now: a container created with `docker compose up`
    /// comes with its own, and both lists are one request each.
    pub networks: Vec<Network>,
    pub volumes: Vec<Volume>,
}

/// Read the containers `ids` again (`GET /containers/{id}/json`, their images when not in
/// `known_images`, `GET /networks`, `GET /volumes`) instead of the whole host, after engine
/// events named them. `host` is the host as last read: it decides, as for a whole read,
/// whether bind-mount owners are read from this machine. GET requests only.
pub async fn read_containers(
    endpoint: &Endpoint,
    ids: &BTreeSet<String>,
    known_images: &[Image],
    host: &HostFacts,
) -> anyhow::Result<Reread> {
    let conn = connect(endpoint).await?;
    let in_flight = concurrency(endpoint);
    let docker = &conn.docker;
    let mut inspects: Vec<ContainerInspectResponse> = Vec::with_capacity(ids.len());
    let mut missing = BTreeSet::new();
    let mut stream = stream::iter(ids.iter().cloned())
        .map(|id| async move { (docker.inspect_container(&id, None).await, id) })
        .buffer_unordered(in_flight);
    while let Some((result, id)) = stream.next().await {
        match result {
            Ok(c) => inspects.push(c),
            // Removed again before it could be read: it is gone.
            Err(err) if is_not_found(&err) => {
                missing.insert(id);
            }
            Err(err) => return Err(classify(endpoint, "GET /containers/{id}/json", &err).into()),
        }
    }
    let new_images: BTreeSet<String> = inspects
        .iter()
        .filter_map(|c| c.image.clone())
        .filter(|id| !known_images.iter().any(|i| &i.id == id))
        .collect();
    let mut images = Vec::new();
    for id in new_images {
        match docker.inspect_image(&id).await {
            Ok(img) => images.push(normalize::image(&img)),
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(classify(endpoint, "GET /images/{id}/json", &err).into()),
        }
    }
    let networks = docker
        .list_networks(None::<ListNetworksOptions>)
        .await
        .map_err(|err| classify(endpoint, "GET /networks", &err))?;
    let volumes = docker
        .list_volumes(None::<ListVolumesOptions>)
        .await
        .map_err(|err| classify(endpoint, "GET /volumes", &err))?;
    // The same normalization and owner lookup as a whole read, on an inventory holding
    // only these containers and the host as last read.
    // The known images too, so a container of a known image gets its env split and
    // healthcheck as in a whole read.
    let new_ids: BTreeSet<String> = images.iter().map(|i: &Image| i.id.clone()).collect();
    let mut all_images = images;
    all_images.extend(known_images.iter().cloned());
    let mut partial = normalize::inventory(
        endpoint.to_string(),
        host.clone(),
        None,
        &inspects,
        all_images,
        normalized_networks(&networks),
        normalized_volumes(&volumes),
    );
    bind_owners::fill_if_local(&mut partial, endpoint);
    Ok(Reread {
        containers: partial.containers,
        missing,
        images: partial
            .images
            .into_iter()
            .filter(|i| new_ids.contains(&i.id))
            .collect(),
        networks: partial.networks,
        volumes: partial.volumes,
    })
}

/// Networks as the model keeps them, by name.
fn normalized_networks(networks: &[bollard::models::Network]) -> Vec<Network> {
    let mut out: Vec<_> = networks.iter().map(normalize::network).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Volumes as the model keeps them, by name.
fn normalized_volumes(volumes: &bollard::models::VolumeListResponse) -> Vec<Volume> {
    let mut out: Vec<_> = volumes
        .volumes
        .iter()
        .flatten()
        .map(normalize::volume)
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Read the whole inventory of the engine at `endpoint`. GET requests only.
pub async fn read_inventory(
    endpoint: &Endpoint,
    progress: Option<UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    let conn = connect(endpoint).await?;
    // Inspects in flight at once: enough to hide the engine's per-request latency, few
    // enough not to load a busy production daemon (or its sshd).
    let in_flight = concurrency(endpoint);
    let docker = &conn.docker;
    let fail = |what: &'static str| move |err: ApiError| classify(endpoint, what, &err);

    let list_options = ListContainersOptionsBuilder::default().all(true).build();
    let info = async { docker.info().await.map_err(fail("GET /info")) };
    let summaries = async {
        docker
            .list_containers(Some(list_options))
            .await
            .map_err(fail("GET /containers/json"))
    };
    let networks = async {
        docker
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(fail("GET /networks"))
    };
    let volumes = async {
        docker
            .list_volumes(None::<ListVolumesOptions>)
            .await
            .map_err(fail("GET /volumes"))
    };
    // One request at a time where every extra connection costs a session (ssh): the four
    // answers then come over the connection that is already open.
    let (info, summaries, networks, volumes) = if in_flight > 1 {
        tokio::try_join!(info, summaries, networks, volumes)?
    } else {
        (
            info.await?,
            summaries.await?,
            networks.await?,
            volumes.await?,
        )
    };

    let ids: Vec<String> = summaries.into_iter().filter_map(|s| s.id).collect();
    let total = ids.len();
    let send = |inspected: usize| {
        if let Some(tx) = &progress {
            // The receiver (the TUI) may have gone away; loading goes on regardless.
            let _ = tx.send(Progress { inspected, total });
        }
    };
    send(0);
    let mut inspected = 0usize;
    let mut containers: Vec<ContainerInspectResponse> = Vec::with_capacity(total);
    let mut stream = stream::iter(ids)
        .map(|id| async move { (docker.inspect_container(&id, None).await, id) })
        .buffer_unordered(in_flight);
    while let Some((result, id)) = stream.next().await {
        inspected += 1;
        send(inspected);
        match result {
            Ok(c) => containers.push(c),
            // Removed between the list and the inspect: it is no longer on the host.
            Err(err) if is_not_found(&err) => {
                tracing::info!(
                    "container {} vanished during the inventory",
                    crate::render::text::one_line(&id)
                );
            }
            Err(err) => return Err(classify(endpoint, "GET /containers/{id}/json", &err).into()),
        }
    }

    let image_ids: BTreeSet<String> = containers.iter().filter_map(|c| c.image.clone()).collect();
    let images = stream::iter(image_ids)
        .map(|id| async move {
            match docker.inspect_image(&id).await {
                Ok(img) => Ok(Some(normalize::image(&img))),
                Err(err) if is_not_found(&err) => {
                    tracing::info!(
                        "image {} not found; its env split and healthcheck stay unknown",
                        crate::render::text::one_line(&id)
                    );
                    Ok(None)
                }
                Err(err) => Err(classify(endpoint, "GET /images/{id}/json", &err)),
            }
        })
        .buffer_unordered(in_flight)
        .try_filter_map(|img| async move { Ok::<_, Failure>(img) })
        .try_collect::<Vec<_>>()
        .await?;

    let networks = normalized_networks(&networks);
    let volumes = normalized_volumes(&volumes);

    let mut inventory = normalize::inventory(
        endpoint.to_string(),
        normalize::host_facts(&info, &conn.version),
        info.system_time.clone(),
        &containers,
        images,
        networks,
        volumes,
    );
    bind_owners::fill_if_local(&mut inventory, endpoint);
    if let Some(master) = &conn.ssh_master {
        inventory.host.id_files =
            super::ssh::read_id_files(master, super::connect::timeout()).await;
    }
    Ok(inventory)
}
