//! Docker settings with no counterpart in the unit: one note each, saying what is lost and
//! what to do instead. The model records them (`crate::model::untranslated`), so none is
//! dropped silently.

use super::Gen;
use crate::generate::NoteLevel;
use crate::model::{DockerSetting, Untranslated};

impl Gen<'_> {
    pub(super) fn untranslated(&mut self, settings: &[Untranslated]) {
        for Untranslated { setting, value } in settings {
            let (level, advice) = explain(*setting);
            self.note(level, setting.field(), format!("{value}: {advice}"));
        }
    }
}

/// How much each loss matters, and the way to get the behaviour back under Podman.
fn explain(setting: DockerSetting) -> (NoteLevel, &'static str) {
    use DockerSetting as S;
    use NoteLevel::{Info, NotTranslated};
    match setting {
        S::VolumesFrom => (
            NotTranslated,
            "not carried over (--volumes-from): the unit does not mount the other container's \
             volumes; add the same Volume= lines as that container's unit",
        ),
        S::Links => (
            NotTranslated,
            "legacy links are not carried over: put both containers on one Podman network (or \
             pod) and reach the other by its name; the link's environment variables are gone",
        ),
        S::PublishAllPorts => (
            NotTranslated,
            "-P published every exposed port on a random host port; the unit publishes only \
             the ports listed: add PublishPort= for each port clients use",
        ),
        S::NetworkDisabled => (
            NotTranslated,
            "the container had no network; set the network decision to `none` to keep it so",
        ),
        S::VolumeDriver => (
            NotTranslated,
            "a volume plugin is not carried over; create the volumes with a Podman volume \
             plugin or move their data to local volumes",
        ),
        S::AutoRemove => (
            Info,
            "--rm: quadlet removes the container when its unit stops, which is the same",
        ),
        S::OomScoreAdj => (
            Info,
            "not carried over; a rootless user may only raise it: PodmanArgs=--oom-score-adj=N",
        ),
        S::MemorySwappiness => (
            Info,
            "not carried over: cgroup v2, which rootless Podman uses, has no per-cgroup \
             swappiness; limit swap with MemorySwap= instead",
        ),
        S::CpusetMems => (
            Info,
            "not carried over; PodmanArgs=--cpuset-mems=... needs the cpuset controller \
             delegated to the user",
        ),
        S::CpuRealtime => (
            Info,
            "real-time CPU scheduling is not available to a rootless user",
        ),
        S::BlkioDeviceLimits => (
            Info,
            "not carried over; PodmanArgs=--device-read-bps=... and kin need the io \
             controller delegated to the user",
        ),
        S::StorageOpt => (
            Info,
            "not carried over; a size quota for the writable layer needs Podman's overlay \
             storage on XFS with project quotas: PodmanArgs=--storage-opt=size=...",
        ),
        S::Annotations => (
            Info,
            "not carried over; add Annotation= lines to the unit if a tool reads them",
        ),
        S::Cgroup => (
            Info,
            "joining another container's cgroup is not carried over",
        ),
    }
}
