//! Docker settings that unroot does not translate, kept in the model so that the plan and
//! REPORT.md say each one is not carried over. A dropped setting is never silent: the
//! normalizer lists bollard's every field, and each one is read, translated, or recorded here.

use serde::{Deserialize, Serialize};

/// One setting Docker had that the generated unit does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Untranslated {
    pub setting: DockerSetting,
    /// What Docker had, for the reviewer: names, numbers and keys, never free-form values
    /// (an annotation's value may hold anything, a secret included).
    pub value: String,
}

/// The Docker settings [`Untranslated`] records, in `docker run` terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DockerSetting {
    /// `--volumes-from`: the volumes of another container.
    VolumesFrom,
    /// `--link`: legacy links (a name and environment variables for another container).
    Links,
    /// `-P`: every exposed port published on a random host port.
    PublishAllPorts,
    /// `Config.NetworkDisabled`: no network at all (API only).
    NetworkDisabled,
    /// `--volume-driver`: a volume plugin other than `local`.
    VolumeDriver,
    /// `--rm`: the container is removed when it exits.
    AutoRemove,
    /// `--oom-score-adj`.
    OomScoreAdj,
    /// `--memory-swappiness`.
    MemorySwappiness,
    /// `--cpuset-mems`.
    CpusetMems,
    /// `--cpu-rt-period` / `--cpu-rt-runtime`.
    CpuRealtime,
    /// `--blkio-weight-device`, `--device-read-bps` and the other per-device I/O limits.
    BlkioDeviceLimits,
    /// `--storage-opt` (a size quota for the container's writable layer).
    StorageOpt,
    /// `--annotation`.
    Annotations,
    /// `--cgroup` (API `Cgroup`: join another container's cgroup).
    Cgroup,
}

impl DockerSetting {
    /// Where `docker inspect` shows it, as the other notes name settings.
    pub fn field(self) -> &'static str {
        match self {
            Self::VolumesFrom => "HostConfig.VolumesFrom",
            Self::Links => "HostConfig.Links",
            Self::PublishAllPorts => "HostConfig.PublishAllPorts",
            Self::NetworkDisabled => "Config.NetworkDisabled",
            Self::VolumeDriver => "HostConfig.VolumeDriver",
            Self::AutoRemove => "HostConfig.AutoRemove",
            Self::OomScoreAdj => "HostConfig.OomScoreAdj",
            Self::MemorySwappiness => "HostConfig.MemorySwappiness",
            Self::CpusetMems => "HostConfig.CpusetMems",
            Self::CpuRealtime => "HostConfig.CpuRealtimeRuntime",
            Self::BlkioDeviceLimits => "HostConfig.BlkioDevice*",
            Self::StorageOpt => "HostConfig.StorageOpt",
            Self::Annotations => "HostConfig.Annotations",
            Self::Cgroup => "HostConfig.Cgroup",
        }
    }
}
