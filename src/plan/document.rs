//! The plan document: what unroot found on the Docker host and what it decided, in a form
//! an operator reviews, edits and hands back to `unroot generate --plan`.
//!
//! YAML by default (with a header telling the reader how to edit it), JSON when the file
//! name ends in `.json`. Every struct denies unknown fields so a typo'd key is an error
//! naming the field and line, never a silently ignored decision. Env values are never
//! stored: a container lists the names of its variables and the env file holding them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::generate::{Generated, NoteLevel};
use crate::model::{ContainerState, Inventory, RestartPolicyName};
use crate::plan::{ContainerDecision, Target};
use crate::render::text::one_line;
use crate::risk::{Assessment, Migration, Severity};

/// Schema tag of the plan format this version reads and writes.
pub const PLAN_SCHEMA: &str = "unroot.plan/v1";

/// The whole plan file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    /// Always [`PLAN_SCHEMA`].
    pub schema: String,
    /// The Docker host the plan was made from (for the reviewer; not used to generate).
    #[serde(deserialize_with = "informational")]
    pub source: SourceFacts,
    /// The rootless host: user(s), Podman version, quadlet directory, subid ranges.
    pub target: Target,
    /// Host-wide findings (daemon configuration), for the reviewer.
    #[serde(default, deserialize_with = "recomputed")]
    pub host_findings: Vec<PlanFinding>,
    /// One entry per planned container, in inventory order.
    pub containers: Vec<ContainerPlan>,
}

/// Facts about the Docker host, copied from the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFacts {
    /// Docker endpoint, snapshot path or `demo`.
    pub origin: String,
    /// When the inventory was read, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_version: Option<String>,
    #[serde(default)]
    pub rootless: bool,
    #[serde(default)]
    pub userns_remap: bool,
    /// Containers on the host (all of them, planned or not).
    #[serde(default)]
    pub containers_total: usize,
    /// The engine was read from another machine, so bind-mount owners were not read;
    /// migrate.sh records them on the target when it runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bind_owners_not_read: bool,
    /// The engine's host's own ID files were read over ssh, and its sub-ID ranges chosen
    /// against them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub id_files_read_over_ssh: bool,
}

/// One container in the plan: identity (read-only), the decision (editable), and what
/// the risk engine and generators said about it (read-only, refreshed on every run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerPlan {
    /// Docker container name: the key that ties the plan to the inventory.
    pub name: String,
    /// Short container ID at planning time.
    #[serde(default, deserialize_with = "recomputed")]
    pub id: String,
    #[serde(default, deserialize_with = "recomputed")]
    pub image: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "recomputed"
    )]
    pub compose_project: Option<String>,
    #[serde(default, deserialize_with = "recomputed")]
    pub state: ContainerState,
    /// Docker restart policy today; rollback.sh puts it back (from the inventory, not
    /// from here).
    #[serde(default, deserialize_with = "recomputed")]
    pub docker_restart: RestartPolicyName,
    /// Published ports under Docker, `[IP:]HOST->CONTAINER/PROTO`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "recomputed"
    )]
    pub published: Vec<String>,
    /// The editable part.
    pub decision: ContainerDecision,
    /// Where the container's variables go; never their values.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "recomputed"
    )]
    pub env: Option<EnvRef>,
    /// Worst migration verdict over the findings.
    #[serde(default = "verdict_ok", deserialize_with = "recomputed_verdict")]
    pub verdict: Migration,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "recomputed"
    )]
    pub findings: Vec<PlanFinding>,
    /// Settings the generators could not translate, and other caveats.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "recomputed"
    )]
    pub notes: Vec<PlanNote>,
    /// Per hardening key (`no_new_privileges`, ...): what it writes, the finding it closes
    /// and why it is on or only offered. Written as comments above the keys of the
    /// `hardening:` block, never as data, so never read back.
    #[serde(skip)]
    pub hardening_notes: BTreeMap<String, String>,
    /// Why unroot proposes leaving the container out because Podman replaces it natively
    /// (a Watchtower-style watcher): a comment above the container, never data.
    #[serde(skip)]
    pub replaced_by: Option<String>,
}

fn verdict_ok() -> Migration {
    Migration::Ok
}

/// Facts about the source the reviewer reads and a regenerated plan keeps (the capture
/// time): read leniently, so whatever an editor or a tool turned them into (PyYAML reads an
/// unquoted `no` as `false`) reads as the default instead of making the plan invalid.
fn informational<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_yaml::Value::deserialize(deserializer)?;
    Ok(serde_yaml::from_value(value).unwrap_or_default())
}

/// A field that is information for the reviewer, recomputed on every run from the inventory
/// and never read back (nothing reads back text unroot generated). Whatever an editor or a
/// tool turned it into, it is skipped without being built: it can never make a plan
/// invalid, and a 1000-container plan, four fifths of which is findings and notes, parses
/// in half the time. The key itself must still be one the schema knows.
fn recomputed<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default,
{
    serde::de::IgnoredAny::deserialize(deserializer)?;
    Ok(T::default())
}

fn recomputed_verdict<'de, D>(deserializer: D) -> Result<Migration, D::Error>
where
    D: serde::Deserializer<'de>,
{
    serde::de::IgnoredAny::deserialize(deserializer)?;
    Ok(Migration::Ok)
}

/// Names of a container's variables and the generated env file that holds their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvRef {
    /// Relative to the output directory (`env/web.env`, mode 0600).
    pub file: String,
    pub variables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFinding {
    pub rule: String,
    pub severity: Severity,
    pub migration: Migration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cis: Option<String>,
    #[serde(default)]
    pub detail: String,
}

impl From<&crate::risk::Finding> for PlanFinding {
    fn from(f: &crate::risk::Finding) -> Self {
        Self {
            rule: f.rule.clone(),
            severity: f.severity,
            migration: f.migration,
            cis: f.cis.clone(),
            detail: f.detail.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanNote {
    pub level: NoteLevel,
    pub setting: String,
    pub message: String,
}

/// File format, chosen by the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    pub fn for_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// The name of the plan copy in an output directory.
    pub fn copy_name(self) -> &'static str {
        match self {
            Format::Yaml => "plan.yaml",
            Format::Json => "plan.json",
        }
    }
}

/// Tells a reader of the YAML what each decision value means. Kept next to the types so a
/// new decision value and its explanation change together.
pub const YAML_HEADER: &str = "\
# unroot migration plan (schema unroot.plan/v1)
#
# Review and edit the `decision:` block of each container, then run
#   unroot generate --plan THIS_FILE --out DIR      (same --snapshot/--demo/Docker source)
# Everything outside `decision:` and `target:` is information for the reviewer and is
# recomputed on every run. Unknown keys are errors, not ignored.
#
# target:
#   user               the unprivileged user that runs the containers
#   project_users      compose project -> user, for one user per project
#   create_user        true: migrate.sh creates missing users (useradd --create-home)
#   podman_version     MAJOR.MINOR of Podman on the target; quadlet keys are chosen for it
#   quadlet_dir        relative to the user's home (.config/containers/systemd)
#   subid_ranges       user -> {start, count} for /etc/subuid and /etc/subgid
#
# decision:
#   include            true: migrate this container; false: leave it on Docker
#   user               run this container as another user than target.user
#   ports              host ports below 1024:
#                        {policy: sysctl}  lower net.ipv4.ip_unprivileged_port_start
#                                          host-wide (sysctl.d file; keeps the port numbers)
#                        {policy: remap, ports: {80: 8080}}  publish Docker host port 80
#                                          on 8080 instead (target must be 1024-65535);
#                                          privileged ports not listed move to port + 8000
#   volumes            copy           named volumes are copied into Podman volumes
#                                     (podman volume import); bind mounts are chowned
#                                     once inside the user namespace (podman unshare chown)
#                      chown-on-start bind mounts get `:U`: Podman chowns at every start
#                      keep-id        UserNS=keep-id: the container user is the host user
#   network            {mode: pasta}                own network namespace (keeps client IPs)
#                      {mode: shared, name: NET}    a Podman network shared with others
#                                                   (container DNS; source IPs rewritten)
#                      {mode: pod, name: POD}       join a pod (shared localhost)
#                      {mode: host} / {mode: none}
#   keep_privileged    true keeps --privileged (rootless: privileged within the user only)
#   keep_capabilities  capabilities to keep from the Docker config (SYS_ADMIN, NET_RAW ...)
#   keep_devices       host devices to pass through (/dev/dri ...)
#   pin_digest         true: Image= names the registry digest Docker runs today
#                      (repo@sha256:...), so the target runs exactly the reviewed bytes;
#                      false: the tag, which may move. Proposed on when the image has a
#                      digest in its repository and no watcher (Watchtower) updates the
#                      container; a locally built image has no digest and cannot be pinned
#   auto_update        registry: AutoUpdate=registry, the user's podman-auto-update.timer
#                      pulls the tag and restarts the unit when it moved; local:
#                      AutoUpdate=local, restart when the local image of that name changed
#                      (a locally built image); off: no updates. Proposed from the watcher
#                      (Watchtower) that updated the container under Docker: registry, or
#                      local when the image has no registry digest. Not with pin_digest.
#                      The watcher itself is proposed include: false: it is replaced by
#                      podman-auto-update.timer (it would need the Docker socket)
#   secrets            where secret-looking variables (the env list below) go:
#                        env_file       a 0600 env file next to the unit (EnvironmentFile=);
#                                       simple and works on every Podman version
#                        podman_secret  one Podman secret per variable
#                                       (Secret=NAME,type=env,target=VAR; quadlet 4.5+):
#                                       Podman's file driver keeps the value in the user's
#                                       storage, not in the unit nor in `podman inspect`;
#                                       migrate.sh creates them as the user, rollback.sh
#                                       removes them
#   hardening          settings Docker did not have, each closing a named finding; the
#                      comment above each key says what it writes, what it closes and why
#                      it is on or only offered (a plan without this block hardens nothing):
#     no_new_privileges  NoNewPrivileges=true          closes no-new-privileges-missing
#     drop_capabilities  DropCapability= names         closes net-raw-not-dropped,
#                                                      capabilities-added
#     read_only_root     ReadOnly=true                 closes writable-rootfs
#     tmpfs              Tmpfs= paths writable under a read-only root
#     memory             Memory= (512m, 2g)            closes memory-unlimited
#     pids_limit         PidsLimit=                    closes pids-unlimited
#     read_only_binds    container paths of bind mounts made :ro
#                                                      lowers sensitive-host-mount and kin
#     user               User= (the image's own)       closes root-user
#
# findings: severity info|low|medium|high|critical; migration ok (nothing to do),
#   change (works after the stated change), blocker (will not work rootless as is).
# env: the variable NAMES only; values are written to the env file or the Podman secrets'
#   staging files (mode 0600), never here.
";

impl PlanDocument {
    /// Serialize in the format the file name asks for.
    pub fn render(&self, format: Format) -> anyhow::Result<String> {
        match format {
            Format::Json => {
                let mut text = serde_json::to_string_pretty(self)?;
                text.push('\n');
                Ok(text)
            }
            Format::Yaml => {
                let body = crate::render::yaml::to_string(self)?;
                Ok(format!(
                    "{YAML_HEADER}\n{}",
                    annotate_containers(&body, self)
                ))
            }
        }
    }

    /// The decisions to hand to the generators: the plan's for planned containers, and
    /// `include: false` for every other container of the inventory (a container the plan
    /// does not name is left on Docker, never migrated with defaults behind the
    /// reviewer's back).
    pub fn decisions(&self, inventory: &Inventory) -> BTreeMap<String, ContainerDecision> {
        let mut decisions: BTreeMap<String, ContainerDecision> = inventory
            .containers
            .iter()
            .map(|c| {
                let mut d = ContainerDecision::default_for(c);
                d.include = false;
                (c.name.clone(), d)
            })
            .collect();
        for planned in &self.containers {
            decisions.insert(planned.name.clone(), planned.decision.clone());
        }
        decisions
    }

    pub fn container(&self, name: &str) -> Option<&ContainerPlan> {
        self.containers.iter().find(|c| c.name == name)
    }
}

/// A comment line above each container (`# web — nginx:1.25 — verdict: change ...`) so a
/// reviewer scrolling a long plan sees where each one starts and how it stands.
fn annotate_containers(body: &str, doc: &PlanDocument) -> String {
    let mut out = String::with_capacity(body.len() + 80 * doc.containers.len());
    let mut index: usize = 0;
    let mut in_containers = false;
    for line in body.lines() {
        if !line.starts_with(' ') && !line.starts_with('-') {
            in_containers = line.starts_with("containers:");
        }
        if let Some(c) = index.checked_sub(1).and_then(|i| doc.containers.get(i)) {
            hardening_comment(&mut out, line, c);
        }
        if in_containers
            && line.starts_with("- name:")
            && let Some(c) = doc.containers.get(index)
        {
            index += 1;
            let worst = c
                .findings
                .iter()
                .map(|f| f.severity)
                .max()
                .map_or("none".to_string(), |s| format!("{s:?}").to_lowercase());
            out.push_str(&format!(
                "\n# ---- {} ({}): verdict {}, worst finding {}, {} note(s)\n",
                one_line(&c.name),
                if c.image.is_empty() {
                    "?".into()
                } else {
                    one_line(&c.image)
                },
                format!("{:?}", c.verdict).to_lowercase(),
                worst,
                c.notes.len()
            ));
            if let Some(why) = &c.replaced_by {
                out.push_str(&format!("# proposed include: false: {}\n", one_line(why)));
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The comment above a key of the `hardening:` block (six spaces in: container item,
/// `decision:`, `hardening:`), when `line` is one.
fn hardening_comment(out: &mut String, line: &str, c: &ContainerPlan) {
    const INDENT: &str = "      ";
    let Some(rest) = line.strip_prefix(INDENT).filter(|r| !r.starts_with(' ')) else {
        return;
    };
    let Some((key, _)) = rest.split_once(':') else {
        return;
    };
    if let Some(note) = c.hardening_notes.get(key) {
        out.push_str(&format!("{INDENT}# {}\n", one_line(note)));
    }
}

/// What each hardening key does, the findings it closes and why it is on or only offered,
/// from the container's inspect data.
pub fn hardening_notes(
    c: &crate::model::Container,
    image: Option<&crate::model::Image>,
) -> BTreeMap<String, String> {
    use crate::model::hardening::{HardeningItem, offer_reason};
    HardeningItem::ALL
        .iter()
        .map(|item| {
            (
                item.key().to_string(),
                format!(
                    "{}, closes {}: {}",
                    item.quadlet(),
                    item.closes().join(", "),
                    offer_reason(*item, c, image)
                ),
            )
        })
        .collect()
}

/// Everything needed to build a plan document from a fresh inventory.
pub struct BuildInput<'a> {
    pub inventory: &'a Inventory,
    pub target: &'a Target,
    /// Names of the containers to plan, in the order they should appear.
    pub names: &'a [String],
    pub decisions: &'a BTreeMap<String, ContainerDecision>,
    pub assessment: &'a Assessment,
    /// The generators' output for `decisions`: notes and env file names come from here.
    pub generated: &'a Generated,
}

/// Build the plan document for the named containers.
pub fn build(input: &BuildInput<'_>) -> PlanDocument {
    let inv = input.inventory;
    let host = &inv.host;
    let source = SourceFacts {
        origin: inv.source.clone(),
        captured_at: inv.captured_at.clone(),
        hostname: host.hostname.clone(),
        docker_version: host.server_version.clone(),
        api_version: host.api_version.clone(),
        os: host.os.clone(),
        kernel_version: host.kernel_version.clone(),
        cgroup_version: host.cgroup_version.map(|v| format!("{v:?}").to_lowercase()),
        rootless: host.rootless,
        userns_remap: host.userns_remap,
        containers_total: inv.containers.len(),
        bind_owners_not_read: host.bind_owners_not_read,
        id_files_read_over_ssh: host.id_files.is_some(),
    };
    let containers = input
        .names
        .iter()
        .filter_map(|name| inv.container(name))
        .map(|c| {
            let assessment = input
                .assessment
                .containers
                .iter()
                .find(|a| a.container_name == c.name);
            let findings: Vec<PlanFinding> = assessment
                .map(|a| a.findings.iter().map(PlanFinding::from).collect())
                .unwrap_or_default();
            let verdict = assessment.map_or(Migration::Ok, |a| a.migration_verdict());
            let notes = input
                .generated
                .notes
                .iter()
                .filter(|n| n.container.as_deref() == Some(c.name.as_str()))
                .map(|n| PlanNote {
                    level: n.level,
                    setting: n.setting.clone(),
                    message: n.message.clone(),
                })
                .collect();
            let decision = input
                .decisions
                .get(&c.name)
                .cloned()
                .unwrap_or_else(|| ContainerDecision::proposed(inv, c));
            ContainerPlan {
                name: c.name.clone(),
                id: c.id.chars().take(12).collect(),
                image: c.image.clone(),
                compose_project: c.compose.as_ref().map(|p| p.project.clone()),
                state: c.state,
                docker_restart: c.restart_policy.name,
                published: c
                    .ports
                    .iter()
                    .map(|p| {
                        let ip = p
                            .host_ip
                            .as_deref()
                            .filter(|ip| !ip.is_empty())
                            .map(|ip| {
                                if ip.contains(':') {
                                    format!("[{ip}]:")
                                } else {
                                    format!("{ip}:")
                                }
                            })
                            .unwrap_or_default();
                        let proto = format!("{:?}", p.protocol).to_lowercase();
                        format!("{ip}{}->{}/{proto}", p.host_port, p.container_port)
                    })
                    .collect(),
                decision,
                env: env_ref(c, input.generated),
                verdict,
                findings,
                notes,
                hardening_notes: hardening_notes(c, inv.image_of(c)),
                replaced_by: crate::model::auto_update::is_watcher(c)
                    .then(|| crate::model::auto_update::WATCHER_REPLACED.to_owned()),
            }
        })
        .collect();
    PlanDocument {
        schema: PLAN_SCHEMA.to_string(),
        source,
        target: input.target.clone(),
        host_findings: input
            .assessment
            .host_findings
            .iter()
            .map(PlanFinding::from)
            .collect(),
        containers,
    }
}

/// The env file the generators wrote for this container, and the names it holds.
fn env_ref(container: &crate::model::Container, generated: &Generated) -> Option<EnvRef> {
    let variables: Vec<String> = container.added_env().map(|e| e.name.clone()).collect();
    if variables.is_empty() {
        return None;
    }
    let unit = generated
        .units
        .iter()
        .find(|u| u.container == container.name)
        .map(|u| u.unit.clone())?;
    let file = generated
        .files
        .iter()
        .map(|f| f.path.as_str())
        .find(|p| p.starts_with("env/") && p.ends_with(".env") && p[4..p.len() - 4] == unit)?
        .to_string();
    Some(EnvRef { file, variables })
}
