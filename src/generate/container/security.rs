//! Security mappers: capabilities, `--privileged`, devices, confinement profiles and
//! namespaces.

use super::super::NoteLevel;
use super::super::caps;
use super::super::keys::container as k;
use super::Gen;
use crate::model::{
    Capabilities, DeviceMapping, DeviceRequest, NamespaceMode, ProfileSetting, SecurityOptions,
};

impl Gen<'_> {
    /// Dropped capabilities carry over; added ones only when the plan keeps them, since
    /// each one widens what the service can do. The keys come from [`caps::plan`], which
    /// the TUI's settings table reads too.
    pub(super) fn capabilities(&mut self, caps: &Capabilities) {
        let Capabilities {
            added: _,
            dropped: _,
            add_all,
            drop_all: _,
            // Derived from the others for the risk rules; not a setting of its own.
            effective: _,
        } = caps;
        // added, dropped and drop_all: translated by caps::plan.
        let plan = caps::plan(caps, self.decision);
        if plan.drop_all {
            self.sec.set_words(k::DROP_CAPABILITY, &["all"]);
        } else {
            self.sec.set_words(k::DROP_CAPABILITY, &plan.dropped);
        }
        for cap in &plan.not_kept {
            self.note(
                NoteLevel::NotTranslated,
                format!("--cap-add {cap}"),
                format!("not kept (plan decision): the service may fail where it needs {cap}; add it to keep_capabilities if so (in a user namespace it only acts on the container's own resources)"),
            );
        }
        if *add_all {
            self.add_all(plan.add_all_dropped);
        }
        self.sec.set_words(k::ADD_CAPABILITY, &plan.added);
    }

    /// `--cap-add ALL` survives only as an explicit plan decision.
    fn add_all(&mut self, dropped: bool) {
        if dropped {
            self.note(
                NoteLevel::NotTranslated,
                "--cap-add ALL",
                "not kept: list the capabilities the service needs in keep_capabilities",
            );
        } else {
            self.note(
                NoteLevel::Warning,
                "--cap-add ALL",
                "kept (plan decision): every capability of the user namespace",
            );
        }
    }

    /// `--privileged` is dropped unless the plan keeps it.
    pub(super) fn privileged(&mut self, privileged: bool) {
        if !privileged {
            return;
        }
        if self.decision.keep_privileged {
            self.sec.podman_args(&["--privileged"], "--privileged");
            self.note(
                NoteLevel::Warning,
                "--privileged",
                "kept (plan decision): rootless --privileged only grants the user's own rights, but it still disables seccomp, masks and device restrictions inside the container",
            );
        } else {
            self.note(
                NoteLevel::NotTranslated,
                "--privileged",
                "dropped: the container runs with the default capabilities; set keep_privileged in the plan only if it cannot work otherwise, or list the capabilities and devices it needs",
            );
        }
    }

    /// `AddDevice=` for the devices the plan keeps; GPUs and cgroup rules are reported.
    pub(super) fn devices(
        &mut self,
        devices: &[DeviceMapping],
        requests: &[DeviceRequest],
        cgroup_rules: &[String],
    ) {
        let mut kept = Vec::new();
        for d in devices {
            if self
                .decision
                .keep_devices
                .iter()
                .any(|k| *k == d.host_path || *k == d.container_path)
            {
                kept.push(device_spec(d));
            } else {
                self.note(
                    NoteLevel::NotTranslated,
                    format!("--device {}", d.host_path),
                    "not kept (plan decision); to keep it add it to keep_devices and give the rootless user access to the device node (group membership or udev rule)",
                );
            }
        }
        self.sec.set_words(k::ADD_DEVICE, &kept);
        for r in requests {
            let what = r.driver.clone().unwrap_or_else(|| "gpu".to_owned());
            self.note(
                NoteLevel::NotTranslated,
                format!("--gpus ({what})"),
                "device requests are not carried over: install the vendor's CDI spec (nvidia-ctk cdi generate) and add AddDevice=nvidia.com/gpu=all",
            );
        }
        if !cgroup_rules.is_empty() {
            self.note(NoteLevel::NotTranslated, "--device-cgroup-rule", "device cgroup rules cannot be set by an unprivileged user; pass the devices themselves");
        }
    }

    /// Read-only root, no-new-privileges, seccomp, AppArmor, SELinux labels and masks.
    pub(super) fn confinement(&mut self, read_only_rootfs: bool, security: &SecurityOptions) {
        let SecurityOptions {
            // Docker's `--security-opt` words, parsed into the fields below.
            raw: _,
            // Read through `confinement_without_privileged`, which undoes what
            // `--privileged` implied when the plan drops it.
            seccomp: _,
            apparmor: _,
            selinux_labels,
            no_new_privileges,
            systempaths_unconfined,
        } = security;
        let h = &self.decision.hardening;
        self.sec
            .set_bool(k::READ_ONLY, read_only_rootfs || h.read_only_root);
        self.sec.set_bool(
            k::NO_NEW_PRIVILEGES,
            *no_new_privileges || h.no_new_privileges,
        );
        if h.read_only_root && !read_only_rootfs {
            self.hardened_tmpfs();
        }
        // Without --privileged, only the confinement the operator asked for stays off.
        let (seccomp, apparmor) = if self.decision.keep_privileged {
            (security.seccomp.clone(), security.apparmor.clone())
        } else {
            self.c.confinement_without_privileged()
        };
        self.seccomp(&seccomp);
        self.apparmor(&apparmor);
        self.selinux(selinux_labels);
        if *systempaths_unconfined {
            self.sec.set_words(k::UNMASK, &["ALL"]);
            self.note(
                NoteLevel::Warning,
                "systempaths=unconfined",
                "kept as Unmask=ALL: /proc and /sys paths are not masked",
            );
        }
    }

    /// `Tmpfs=` for the paths the plan says a hardened read-only root writes to; Podman's
    /// `ReadOnlyTmpfs=true` default already covers /tmp, /var/tmp and /run.
    fn hardened_tmpfs(&mut self) {
        let taken: Vec<&str> = self
            .c
            .mounts
            .iter()
            .map(|m| m.destination.as_str())
            .collect();
        let paths: Vec<String> = self
            .decision
            .hardening
            .tmpfs
            .iter()
            .filter(|p| !taken.contains(&p.as_str()))
            .cloned()
            .collect();
        for p in paths {
            self.sec.set(k::TMPFS, p);
        }
    }

    /// `SeccompProfile=`: unconfined or a profile file on the target host.
    fn seccomp(&mut self, seccomp: &ProfileSetting) {
        match seccomp {
            ProfileSetting::Default => {}
            ProfileSetting::Unconfined => {
                self.sec.set(k::SECCOMP_PROFILE, "unconfined");
                self.note(
                    NoteLevel::Warning,
                    "seccomp=unconfined",
                    "kept: the container runs without a seccomp filter",
                );
            }
            ProfileSetting::Custom(p) if p.starts_with('/') => {
                self.sec.set(k::SECCOMP_PROFILE, p);
                self.note(
                    NoteLevel::Info,
                    "seccomp",
                    format!("the profile {p} must exist on the target host"),
                );
            }
            ProfileSetting::Custom(json) => self.seccomp_json(json),
        }
    }

    /// Docker stores a custom profile's JSON itself (`seccomp=<json>`): it is written into
    /// the bundle as `seccomp/<unit>.json`, installed for the user under the quadlet
    /// directory, and named through `%h` (the user's home, resolved by systemd), since the
    /// home on the target is not known here. Only a JSON object is a profile; anything else
    /// is reported, never written.
    fn seccomp_json(&mut self, json: &str) {
        let parsed = serde_json::from_str::<serde_json::Value>(json);
        if !matches!(parsed, Ok(serde_json::Value::Object(_))) {
            self.note(
                NoteLevel::NotTranslated,
                "seccomp",
                "the custom seccomp profile Docker stored is not a JSON object: not carried over; the container runs with Podman's default profile",
            );
            return;
        }
        let path = super::seccomp_path(self.unit);
        let tail = format!("/{}/{path}", self.names.quadlet_dir.trim_end_matches('/'));
        self.sec.set_under_home_dir(k::SECCOMP_PROFILE, &tail);
        let mut content = json.trim().to_owned();
        content.push('\n');
        self.seccomp_profile = Some(content);
        self.note(
            NoteLevel::Info,
            "seccomp",
            format!("the custom profile is written to {path} and installed next to the units (SeccompProfile=%h/...)"),
        );
    }

    /// `AppArmor=` (or the flag before the key existed); Docker's default profile needs
    /// neither.
    fn apparmor(&mut self, apparmor: &ProfileSetting) {
        let name = match apparmor {
            ProfileSetting::Default => return,
            ProfileSetting::Custom(n) => n.clone(),
            ProfileSetting::Unconfined => "unconfined".to_owned(),
        };
        if name == "docker-default" {
            return;
        }
        if name != "unconfined" {
            self.note(
                NoteLevel::Info,
                "apparmor",
                format!("the AppArmor profile {name} must be loaded on the target host (apparmor_parser); `unroot verify --phase readiness` checks it"),
            );
            self.apparmor_profile = Some(name.clone());
        }
        if k::APPARMOR.supported_by(self.version) {
            self.sec.set(k::APPARMOR, &name);
        } else {
            self.sec.podman_args(
                &["--security-opt".to_owned(), format!("apparmor={name}")],
                "AppArmor",
            );
        }
    }

    /// `SecurityLabel*=` keys, or `--security-opt label=` for kinds without one.
    fn selinux(&mut self, labels: &[String]) {
        for label in labels {
            let (kind, value) = label.split_once(':').unwrap_or((label.as_str(), ""));
            match kind {
                "disable" => self.sec.set_bool(k::SECURITY_LABEL_DISABLE, true),
                "nested" => self.sec.set_bool(k::SECURITY_LABEL_NESTED, true),
                "type" => self.sec.set(k::SECURITY_LABEL_TYPE, value),
                "level" => self.sec.set(k::SECURITY_LABEL_LEVEL, value),
                "filetype" => self.sec.set(k::SECURITY_LABEL_FILE_TYPE, value),
                _ => self.sec.podman_args(
                    &["--security-opt".to_owned(), format!("label={label}")],
                    "SecurityLabel",
                ),
            }
        }
    }

    /// PID, IPC and UTS namespaces: `host` is kept (as the rootless user), sharing another
    /// container's needs a pod. The cgroup namespace follows `host` too.
    pub(super) fn namespaces(
        &mut self,
        pid: &NamespaceMode,
        ipc: &NamespaceMode,
        uts: &NamespaceMode,
        cgroupns: Option<&str>,
    ) {
        for (mode, flag, setting) in [
            (pid, "--pid", "HostConfig.PidMode"),
            (ipc, "--ipc", "HostConfig.IpcMode"),
            (uts, "--uts", "HostConfig.UTSMode"),
        ] {
            match mode {
                NamespaceMode::Private | NamespaceMode::Other(_) => {}
                NamespaceMode::Host => {
                    self.sec.podman_args(&[format!("{flag}=host")], setting);
                    self.note(NoteLevel::Warning, setting, format!("{flag}=host kept: the container shares the host's namespace (as the rootless user)"));
                }
                NamespaceMode::Container(other) => self.note(
                    NoteLevel::NotTranslated,
                    setting,
                    format!("shared with container {other}: put both containers in one pod (network decision pod) instead"),
                ),
            }
        }
        if cgroupns == Some("host") {
            self.sec
                .podman_args(&["--cgroupns=host"], "HostConfig.CgroupnsMode");
        }
    }

    /// Cgroup parent and OCI runtime belong to the rootful daemon; both are reported.
    pub(super) fn runtime(&mut self, cgroup_parent: Option<&str>, runtime: Option<&str>) {
        if let Some(parent) = cgroup_parent {
            self.note(NoteLevel::NotTranslated, "HostConfig.CgroupParent", format!("{parent}: rootless containers live in the user's systemd slice; use Slice= in [Service] if needed"));
        }
        if let Some(rt) = runtime.filter(|r| *r != "runc") {
            self.note(NoteLevel::NotTranslated, "HostConfig.Runtime", format!("runtime {rt} is not carried over; Podman uses its default OCI runtime (crun or runc)"));
        }
    }
}

/// `HOST[:CONTAINER][:PERMISSIONS]`, leaving out what equals the default.
fn device_spec(d: &DeviceMapping) -> String {
    let mut spec = d.host_path.clone();
    let custom_permissions = !d.permissions.is_empty() && d.permissions != "rwm";
    if d.container_path != d.host_path || custom_permissions {
        spec = format!("{spec}:{}", d.container_path);
    }
    if custom_permissions {
        spec = format!("{spec}:{}", d.permissions);
    }
    spec
}
