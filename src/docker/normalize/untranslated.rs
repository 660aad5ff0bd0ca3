//! The Docker settings unroot does not translate, read so each becomes a note.
//!
//! Only a value that differs from Docker's default is recorded: a setting the operator never
//! chose needs no note.

use bollard::models::{ContainerConfig, HostConfig};

use super::{non_empty, non_empty_vec};
use crate::model::{DockerSetting, Untranslated};

/// Every setting of `config` and `host` that the unit will not carry, in a fixed order.
pub fn untranslated(config: &ContainerConfig, host: &HostConfig) -> Vec<Untranslated> {
    let mut out = Vec::new();
    let mut add = |setting, value: String| out.push(Untranslated { setting, value });
    if let Some(from) = non_empty_vec(host.volumes_from.as_ref()) {
        add(DockerSetting::VolumesFrom, from.join(", "));
    }
    if let Some(links) = non_empty_vec(host.links.as_ref()) {
        let shown: Vec<String> = links.iter().map(|l| link(l)).collect();
        add(DockerSetting::Links, shown.join(", "));
    }
    if host.publish_all_ports == Some(true) {
        add(DockerSetting::PublishAllPorts, "true".into());
    }
    if config.network_disabled == Some(true) {
        add(DockerSetting::NetworkDisabled, "true".into());
    }
    if let Some(driver) = host
        .volume_driver
        .as_deref()
        .filter(|d| !d.is_empty() && *d != "local")
    {
        add(DockerSetting::VolumeDriver, driver.into());
    }
    if host.auto_remove == Some(true) {
        add(DockerSetting::AutoRemove, "true".into());
    }
    if let Some(adj) = host.oom_score_adj.filter(|a| *a != 0) {
        add(DockerSetting::OomScoreAdj, adj.to_string());
    }
    // Docker reports -1 (or nothing) when the kernel's default is kept.
    if let Some(swappiness) = host.memory_swappiness.filter(|s| *s >= 0) {
        add(DockerSetting::MemorySwappiness, swappiness.to_string());
    }
    if let Some(mems) = non_empty(host.cpuset_mems.as_ref()) {
        add(DockerSetting::CpusetMems, mems);
    }
    let period = host.cpu_realtime_period.unwrap_or(0);
    let runtime = host.cpu_realtime_runtime.unwrap_or(0);
    if period != 0 || runtime != 0 {
        add(
            DockerSetting::CpuRealtime,
            format!("period {period} us, runtime {runtime} us"),
        );
    }
    let io_limits = count(host.blkio_weight_device.as_ref())
        + count(host.blkio_device_read_bps.as_ref())
        + count(host.blkio_device_write_bps.as_ref())
        + count(host.blkio_device_read_iops.as_ref())
        + count(host.blkio_device_write_iops.as_ref());
    if io_limits > 0 {
        add(
            DockerSetting::BlkioDeviceLimits,
            format!("{io_limits} per-device limit(s)"),
        );
    }
    if let Some(opts) = host.storage_opt.as_ref().filter(|o| !o.is_empty()) {
        let mut pairs: Vec<String> = opts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        add(DockerSetting::StorageOpt, pairs.join(", "));
    }
    if let Some(annotations) = host.annotations.as_ref().filter(|a| !a.is_empty()) {
        // Keys only: a value may hold anything.
        let mut keys: Vec<&str> = annotations.keys().map(String::as_str).collect();
        keys.sort_unstable();
        add(DockerSetting::Annotations, keys.join(", "));
    }
    if let Some(cgroup) = non_empty(host.cgroup.as_ref()) {
        add(DockerSetting::Cgroup, cgroup);
    }
    out
}

/// Docker stores `--link web:db` as `/web:/this/db`; shown as `web as db`.
fn link(stored: &str) -> String {
    match stored.split_once(':') {
        Some((source, alias)) => format!(
            "{} as {}",
            source.trim_start_matches('/'),
            alias.rsplit('/').next().unwrap_or(alias)
        ),
        None => stored.trim_start_matches('/').to_owned(),
    }
}

fn count<T>(list: Option<&Vec<T>>) -> usize {
    list.map_or(0, Vec::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_record_nothing() {
        let host = HostConfig {
            memory_swappiness: Some(-1),
            volume_driver: Some(String::new()),
            oom_score_adj: Some(0),
            ..HostConfig::default()
        };
        assert!(untranslated(&ContainerConfig::default(), &host).is_empty());
    }

    #[test]
    fn each_chosen_setting_is_recorded_once_in_order() {
        let host = HostConfig {
            volumes_from: Some(vec!["data:ro".into()]),
            links: Some(vec!["/db:/web/database".into()]),
            publish_all_ports: Some(true),
            volume_driver: Some("rexray".into()),
            auto_remove: Some(true),
            oom_score_adj: Some(300),
            memory_swappiness: Some(0),
            cpuset_mems: Some("0-1".into()),
            cpu_realtime_runtime: Some(950),
            blkio_device_read_bps: Some(vec![Default::default(), Default::default()]),
            storage_opt: Some([("size".to_owned(), "10G".to_owned())].into()),
            annotations: Some([("io.example/token".to_owned(), "s3cr3t".to_owned())].into()),
            cgroup: Some("container:other".into()),
            ..HostConfig::default()
        };
        let config = ContainerConfig {
            network_disabled: Some(true),
            ..ContainerConfig::default()
        };
        let got: Vec<(DockerSetting, String)> = untranslated(&config, &host)
            .into_iter()
            .map(|u| (u.setting, u.value))
            .collect();
        use DockerSetting as S;
        let want = [
            (S::VolumesFrom, "data:ro"),
            (S::Links, "db as database"),
            (S::PublishAllPorts, "true"),
            (S::NetworkDisabled, "true"),
            (S::VolumeDriver, "rexray"),
            (S::AutoRemove, "true"),
            (S::OomScoreAdj, "300"),
            (S::MemorySwappiness, "0"),
            (S::CpusetMems, "0-1"),
            (S::CpuRealtime, "period 0 us, runtime 950 us"),
            (S::BlkioDeviceLimits, "2 per-device limit(s)"),
            (S::StorageOpt, "size=10G"),
            // The key, never the value.
            (S::Annotations, "io.example/token"),
            (S::Cgroup, "container:other"),
        ];
        let want: Vec<(DockerSetting, String)> =
            want.iter().map(|(s, v)| (*s, (*v).to_owned())).collect();
        assert_eq!(got, want);
    }
}
