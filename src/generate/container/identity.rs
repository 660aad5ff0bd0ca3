//! Identity mappers: description, image, entrypoint and command, environment, user and
//! user namespace.

use super::super::keys::{PodmanVersion, container as k};
use super::super::unit_file::{Context, EncodedInput, Encoding, encode};
use super::super::{ImageTransfer, NoteLevel, PodmanSecretPlan, TransferMethod, env, image};
use super::{Gen, id_value};
use crate::model::auto_update::AutoUpdate;
use crate::model::{IdOrName, NamespaceMode, NetworkChoice, SecretStore, UserSpec, VolumeStrategy};

/// Where a container's secret variables went.
pub(super) struct SecretOutput {
    /// Content of `env/<unit>.env`, when any variable is left for it.
    pub env_file: Option<String>,
    /// The Podman secrets the unit names, with each value for its staging file.
    pub podman: Vec<(PodmanSecretPlan, String)>,
}

/// The label `AutoUpdate=` sets; `podman auto-update` reads it.
const AUTO_UPDATE_LABEL: &str = "io.containers.autoupdate";

impl Gen<'_> {
    /// `Description=` names the Docker container, so `systemctl --user status` says where
    /// the unit came from.
    pub(super) fn description(&mut self, name: &str) {
        let desc = format!("{name} (moved from rootful Docker by unroot)");
        if let Ok(d) = encode(
            &EncodedInput::One(desc.as_str().into()),
            Encoding::Raw,
            Context::Systemd,
        ) {
            self.unit_sec.push("Description", d);
        }
    }

    /// `Image=` and `ContainerName=`; a loaded image must never be pulled (`Pull=never`),
    /// since the registry may not have it.
    pub(super) fn image(&mut self, name: &str) -> ImageTransfer {
        let (transfer, image_notes) =
            image::transfer(self.c, self.img, self.unit, self.decision.pin_digest);
        for n in image_notes {
            self.note(NoteLevel::Info, "Config.Image", n);
        }
        self.sec.set(k::IMAGE, &transfer.podman_ref);
        if transfer.method == TransferMethod::Load {
            self.sec.set(k::PULL, "never");
        }
        self.sec.set(k::CONTAINER_NAME, name);
        transfer
    }

    /// `AutoUpdate=` as the plan's `auto_update` says (the label it stands for on targets
    /// before 4.6), and the value written. A pinned image cannot move: pinning wins and a
    /// note says so (the plan loader refuses both; this guards plans built in code). A
    /// registry update of a copied `localhost/` image is written as asked, with a warning:
    /// no registry serves it. `Image=` is already fully qualified, as `registry` needs.
    pub(super) fn auto_update(&mut self, transfer: &ImageTransfer) -> AutoUpdate {
        let wanted = self.decision.auto_update;
        let Some(value) = wanted.value() else {
            return AutoUpdate::Off;
        };
        if transfer.pinned {
            self.note(
                NoteLevel::Warning,
                "auto_update",
                format!("auto_update: {value} and pin_digest: true contradict (a pinned image cannot move): the image stays pinned and no AutoUpdate= is written; set one of them off"),
            );
            return AutoUpdate::Off;
        }
        if wanted == AutoUpdate::Registry && transfer.method == TransferMethod::Load {
            self.note(
                NoteLevel::Warning,
                "auto_update",
                format!("AutoUpdate=registry, but {} is copied from Docker and no registry serves it: podman auto-update reports an error for it; use auto_update: local", transfer.podman_ref),
            );
        }
        if k::AUTO_UPDATE.supported_by(self.version) {
            self.sec.set(k::AUTO_UPDATE, value);
        } else {
            self.sec
                .set_words(k::LABEL, &[format!("{AUTO_UPDATE_LABEL}={value}")]);
        }
        wanted
    }

    /// Entrypoint and command, only where they differ from the image's own.
    pub(super) fn entrypoint_and_command(
        &mut self,
        entrypoint: Option<&Vec<String>>,
        command: Option<&Vec<String>>,
    ) {
        let img = self.img;
        let image_entry = img.and_then(|i| i.entrypoint.as_ref());
        let image_cmd = img.and_then(|i| i.command.as_ref());
        let entry_differs = img.is_none() || entrypoint != image_entry;
        let mut wrote_entry = false;
        if let Some(entry) = entrypoint.filter(|_| entry_differs) {
            let value = match entry.as_slice() {
                [single] if !single.starts_with('[') && !single.is_empty() => single.clone(),
                _ => serde_json::to_string(entry).unwrap_or_default(),
            };
            self.sec.set(k::ENTRYPOINT, value);
            wrote_entry = true;
        }
        let cmd_differs = img.is_none() || command != image_cmd || wrote_entry;
        if let Some(cmd) = command.filter(|cmd| cmd_differs && !cmd.is_empty()) {
            self.command(cmd);
        }
    }

    /// `Exec=`, unless an argument cannot be written into a unit file.
    fn command(&mut self, cmd: &[String]) {
        if cmd.iter().any(String::is_empty) {
            self.note(
                NoteLevel::NotTranslated,
                "Config.Cmd",
                "the command has an empty argument, which quadlet's Exec= cannot express (it stops reading at \"\"); \
                 the image's default command runs instead. Put the command in a small wrapper script inside the image or a bind-mounted file",
            );
            return;
        }
        let before = self.sec.downgrades.len();
        self.sec.set_words(k::EXEC, cmd);
        if self.sec.downgrades.len() > before {
            self.note(
                NoteLevel::NotTranslated,
                "Config.Cmd",
                "an argument of the command contains a newline or control character, which a unit file cannot carry; \
                 the image's default command runs instead. Move the command into a script",
            );
            self.sec.downgrades.truncate(before);
        }
    }

    /// Plain variables go into the unit; secret-looking ones into `env/<unit>.env` (mode
    /// 0600), whose content is returned. Values a file cannot carry are refused with a note.
    pub(super) fn environment(&mut self) -> SecretOutput {
        let env_split = env::split(self.c);
        for (name, why) in &env_split.refused {
            self.note(
                NoteLevel::NotTranslated,
                format!("Config.Env {name}"),
                format!("{why}; unit and env files cannot carry it. Pass it as a Podman secret (podman secret create, then Secret=) or change the value"),
            );
        }
        for var in &env_split.plain {
            self.sec.set_words(k::ENVIRONMENT, &[var]);
        }
        let (podman, in_file) = self.podman_secrets(env_split.secret);
        let mut out = SecretOutput {
            env_file: None,
            podman,
        };
        if in_file.is_empty() {
            return out;
        }
        // Relative: quadlet resolves it next to the unit file (see the module doc of `generate`).
        let unit = self.unit;
        let env_path = format!("env/{unit}.env");
        self.sec
            .set_words(k::ENVIRONMENT_FILE, &[env_path.as_str()]);
        let names: Vec<&str> = in_file.iter().map(|(n, _)| n.as_str()).collect();
        let hint = if self.decision.secrets == SecretStore::EnvFile
            && k::SECRET.supported_by(self.version)
        {
            "; or set `secrets: podman_secret` in the plan to pass them as Podman secrets"
        } else {
            ""
        };
        self.note(
            NoteLevel::Info,
            "Config.Env",
            format!(
                "secret-looking variables ({}) are in env/{unit}.env (mode 0600), not in the unit{hint}",
                names.join(", ")
            ),
        );
        out.env_file = Some(in_file.iter().map(|(n, v)| format!("{n}={v}\n")).collect());
        out
    }

    /// With the plan's `secrets: podman_secret`, one `Secret=NAME,type=env,target=VAR` per
    /// secret variable that can be one; returns those (with their values, for the staging
    /// files) and the variables left for the env file.
    #[allow(clippy::type_complexity)] // two plain lists
    fn podman_secrets(
        &mut self,
        secret: Vec<(String, String)>,
    ) -> (Vec<(PodmanSecretPlan, String)>, Vec<(String, String)>) {
        if self.decision.secrets == SecretStore::EnvFile || secret.is_empty() {
            return (Vec::new(), secret);
        }
        if !k::SECRET.supported_by(self.version) {
            // Neither `Secret=` nor `PodmanArgs=` before 4.5: the env file still works.
            self.note(
                NoteLevel::Info,
                "Config.Env",
                format!(
                    "secrets: podman_secret needs Podman 4.5 (Secret=), the target is {}: the secret-looking variables stay in the env file",
                    self.version
                ),
            );
            return (Vec::new(), secret);
        }
        let mut names = env::SecretNames::new(self.unit);
        let (mut podman, mut in_file) = (Vec::new(), Vec::new());
        for (var, value) in secret {
            if let Some(why) = env::podman_secret_refusal(&var, &value) {
                self.note(
                    NoteLevel::Info,
                    format!("Config.Env {var}"),
                    format!("stays in the env file, not a Podman secret: {why}"),
                );
                in_file.push((var, value));
                continue;
            }
            let name = names.name(&var);
            self.sec
                .set_words(k::SECRET, &[format!("{name},type=env,target={var}")]);
            let plan = PodmanSecretPlan {
                bundle_path: format!("secrets/{name}"),
                name,
                variable: var,
            };
            podman.push((plan, value));
        }
        if !podman.is_empty() {
            let vars: Vec<&str> = podman.iter().map(|(p, _)| p.variable.as_str()).collect();
            self.note(
                NoteLevel::Info,
                "Config.Env",
                format!(
                    "secret-looking variables ({}) are Podman secrets (Secret=), created by migrate.sh as {}; their values are in no unit or env file",
                    vars.join(", "),
                    self.user
                ),
            );
        }
        (podman, in_file)
    }

    /// `User=` and `Group=`; returns the highest numeric ID the container is known to run
    /// as (the container's own, else the image's), which sizes the subordinate ID range.
    pub(super) fn user(&mut self, spec: &UserSpec) -> Option<u64> {
        let mut max_id: Option<u64> = None;
        let mut bump =
            |id: u32| max_id = Some(max_id.map_or(u64::from(id), |m: u64| m.max(u64::from(id))));
        if let Some(u) = &spec.user {
            self.sec.set(k::USER, id_value(u));
            if let IdOrName::Id(n) = u {
                bump(*n);
            }
            if let Some(g) = &spec.group {
                self.sec.set(k::GROUP, id_value(g));
                if let IdOrName::Id(n) = g {
                    bump(*n);
                }
            }
        } else if let Some(n) = self
            .img
            .and_then(|i| i.user.as_deref())
            .and_then(|u| u.split(':').next()?.parse::<u32>().ok())
        {
            bump(n);
        }
        max_id
    }

    /// Docker's `--userns`: only the default translates; rootless Podman always runs in the
    /// user's own namespace.
    pub(super) fn userns(&mut self, mode: &NamespaceMode) {
        match mode {
            NamespaceMode::Host => self.note(
                NoteLevel::Info,
                "HostConfig.UsernsMode",
                "userns=host only opted out of the daemon's userns-remap; rootless Podman always runs in the user's namespace",
            ),
            NamespaceMode::Private => {}
            other => self.note(NoteLevel::NotTranslated, "HostConfig.UsernsMode", format!("{other:?} has no rootless equivalent; the container uses the default user namespace")),
        }
    }

    /// The keep-id volume strategy: `UserNS=keep-id` on the container, or on its pod when
    /// it joins one (pod members share the pod's user namespace). Returns whether the pod
    /// carries it.
    pub(super) fn keep_id(&mut self) -> bool {
        let keep_id = self.decision.volumes == VolumeStrategy::KeepId;
        let keep_id_on_pod = keep_id
            && matches!(self.decision.network, NetworkChoice::Pod(_))
            && self.version >= PodmanVersion::new(5, 0);
        if keep_id {
            if !keep_id_on_pod {
                self.sec.set(k::USERNS, "keep-id");
            }
            self.note(
                NoteLevel::Info,
                "volumes",
                "UserNS=keep-id: your user's UID is the same inside the container, so bind mounts owned by you stay writable",
            );
        }
        keep_id_on_pod
    }

    /// `GroupAdd=`, sorted so the unit does not change with Docker's order.
    pub(super) fn group_add(&mut self, group_add: &[String]) {
        let mut groups: Vec<&String> = group_add.iter().collect();
        groups.sort();
        for g in groups {
            self.sec.set(k::GROUP_ADD, g);
        }
    }
}
