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

use super::connect::{classify, connect};
use super::{Endpoint, Progress, bind_owners, normalize};
use crate::exit::Failure;
use crate::model::Inventory;

/// Inspects in flight at once: enough to hide the engine's per-request latency, few enough
/// not to load a busy production daemon.
const INSPECT_CONCURRENCY: usize = 16;

fn is_not_found(err: &ApiError) -> bool {
    matches!(
        err,
        ApiError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// Read the whole inventory of the engine at `endpoint`. GET requests only.
pub async fn read_inventory(
    endpoint: &Endpoint,
    progress: Option<UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    let conn = connect(endpoint).await?;
    let docker = &conn.docker;
    let fail = |what: &'static str| move |err: ApiError| classify(endpoint, what, &err);

    let list_options = ListContainersOptionsBuilder::default().all(true).build();
    let (info, summaries, networks, volumes) = tokio::try_join!(
        async { docker.info().await.map_err(fail("GET /info")) },
        async {
            docker
                .list_containers(Some(list_options))
                .await
                .map_err(fail("GET /containers/json"))
        },
        async {
            docker
                .list_networks(None::<ListNetworksOptions>)
                .await
                .map_err(fail("GET /networks"))
        },
        async {
            docker
                .list_volumes(None::<ListVolumesOptions>)
                .await
                .map_err(fail("GET /volumes"))
        },
    )?;

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
        .buffer_unordered(INSPECT_CONCURRENCY);
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
        .buffer_unordered(INSPECT_CONCURRENCY)
        .try_filter_map(|img| async move { Ok::<_, Failure>(img) })
        .try_collect::<Vec<_>>()
        .await?;

    let mut networks: Vec<_> = networks.iter().map(normalize::network).collect();
    networks.sort_by(|a, b| a.name.cmp(&b.name));
    let mut volumes: Vec<_> = volumes
        .volumes
        .iter()
        .flatten()
        .map(normalize::volume)
        .collect();
    volumes.sort_by(|a, b| a.name.cmp(&b.name));

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
    Ok(inventory)
}
