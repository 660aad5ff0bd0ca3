//! Reading a hand-edited plan back: a size and depth check, schema check, strict parsing,
//! then checks against the current inventory. Every error is a typed [`PlanError`] (file,
//! the parser's own line and column, field path, kind) that prints as one line and carries
//! exit code 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::exit::Failure;
use crate::generate::subid;
use crate::model::Inventory;
use crate::plan::document::{Format, PLAN_SCHEMA, PlanDocument};
use crate::plan::locate::{self, Seg, Target};
use crate::plan::{ContainerDecision, NetworkChoice, PrivilegedPortPolicy};
use crate::render::text::one_line;

pub use crate::model::UNPRIVILEGED_PORT_START;

/// Podman versions the generators can target (`MAJOR.MINOR`, inclusive).
pub const PODMAN_VERSIONS: (&str, (u32, u32), (u32, u32)) = ("4.4 ... 5.8", (4, 4), (5, 8));

/// Largest plan accepted (a plan of 1000 containers is about 3 MiB).
pub const MAX_PLAN_BYTES: usize = 32 * 1024 * 1024;
/// Deepest flow nesting (`[`/`{`) accepted; unroot's own plans nest 6 deep.
pub const MAX_NESTING: usize = 32;
/// Deepest block indentation accepted, in columns (`- ` counts as two).
pub const MAX_INDENT: usize = 128;

/// What is wrong with a plan, for callers that react to it (the CLI prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanErrorKind {
    /// The file cannot be read.
    Read,
    /// Larger than [`MAX_PLAN_BYTES`].
    TooLarge,
    /// Nested deeper than [`MAX_NESTING`] / [`MAX_INDENT`].
    TooDeep,
    /// Not YAML (or JSON) at all.
    Syntax,
    /// Another schema, or none.
    Schema,
    /// A key the schema does not have.
    UnknownField,
    /// A required key is missing.
    MissingField,
    /// A value of the wrong type or out of range.
    InvalidValue,
    /// The same container twice, or two containers claiming one host port.
    Conflict,
    /// Names a container the inventory does not have, or a port it does not publish.
    Inventory,
}

/// A plan error: file, position from the parser, field path, kind and what is wrong.
/// Displays as the one line the CLI prints: `PLAN:LINE:COL: field.path: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub file: String,
    /// 1-based line and column, when the parser knows the node.
    pub position: Option<(usize, usize)>,
    /// `containers[0].decision.ports`; empty for the whole file.
    pub path: String,
    pub kind: PlanErrorKind,
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", one_line(&self.message))
    }
}

impl std::error::Error for PlanError {}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Failure::usage(e.to_string())
    }
}

/// A loaded plan and the exact bytes it came from (the output directory gets a verbatim
/// copy: the reviewed file, comments and all).
#[derive(Debug, Clone)]
pub struct LoadedPlan {
    pub document: PlanDocument,
    pub text: String,
    pub format: Format,
}

/// Read and parse a plan file (no inventory checks yet).
pub fn read(path: &Path) -> anyhow::Result<LoadedPlan> {
    let shown = path.display().to_string();
    let error = |kind, message: String| PlanError {
        file: shown.clone(),
        position: None,
        path: String::new(),
        kind,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| error(PlanErrorKind::Read, format!("cannot read plan: {e}")))?
        .len();
    if size > MAX_PLAN_BYTES as u64 {
        return Err(error(PlanErrorKind::TooLarge, too_large(size as usize)).into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(PlanErrorKind::Read, format!("cannot read plan: {e}")))?;
    let format = Format::for_path(path);
    let document = parse(&text, format, &shown)?;
    Ok(LoadedPlan {
        document,
        text,
        format,
    })
}

fn too_large(bytes: usize) -> String {
    format!(
        "{bytes} bytes is larger than a plan can be ({MAX_PLAN_BYTES} bytes); is this an unroot plan?"
    )
}

/// Where the errors of one plan text point.
struct Ctx<'a> {
    text: &'a str,
    format: Format,
    file: &'a str,
}

impl Ctx<'_> {
    /// An error at `target` under `path`, positioned by the parser; a container's name is
    /// added to the message so the reader finds it without counting list items.
    fn error(
        &self,
        kind: PlanErrorKind,
        path: &[Seg],
        target: Target<'_>,
        message: String,
    ) -> PlanError {
        let position = locate::position(self.text, self.format, path, target);
        self.with_position(kind, path, position, message)
    }

    fn with_position(
        &self,
        kind: PlanErrorKind,
        path: &[Seg],
        position: Option<(usize, usize)>,
        mut message: String,
    ) -> PlanError {
        if let [Seg::Key(k), Seg::Index(i), ..] = path
            && k == "containers"
            && let Some(name) = self.container_name(*i)
        {
            message.push_str(&format!(" (container `{name}`)"));
        }
        PlanError {
            file: self.file.to_string(),
            position,
            path: locate::display(path),
            kind,
            message,
        }
    }

    fn container_name(&self, index: usize) -> Option<String> {
        let loose: serde_yaml::Value = match self.format {
            Format::Yaml => serde_yaml::from_str(self.text).ok()?,
            Format::Json => serde_json::from_str(self.text).ok()?,
        };
        loose
            .get("containers")?
            .get(index)?
            .get("name")?
            .as_str()
            .map(str::to_string)
    }
}

/// Refuse, before any parsing, a plan too large or nested too deep to be one unroot wrote:
/// the YAML parser's cost grows quadratically with nesting depth. One linear byte scan:
/// block indentation (`- ` counts as two columns) and unbalanced `[`/`{` outside comment
/// lines (brackets inside quoted strings count too: a false alarm needs 32 unbalanced ones).
fn check_shape(ctx: &Ctx<'_>) -> Result<(), PlanError> {
    let text = ctx.text;
    if text.len() > MAX_PLAN_BYTES {
        return Err(ctx.with_position(PlanErrorKind::TooLarge, &[], None, too_large(text.len())));
    }
    let too_deep = |line: usize, column: usize, what: String| {
        ctx.with_position(PlanErrorKind::TooDeep, &[], Some((line, column)), what)
    };
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start_matches(' ');
        if trimmed.starts_with('#') {
            continue;
        }
        let mut indent = line.len() - trimmed.len();
        let mut rest = trimmed;
        while let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("-\t")) {
            indent += 2;
            rest = after.trim_start_matches(' ');
        }
        if indent > MAX_INDENT {
            return Err(too_deep(
                index + 1,
                1,
                format!(
                    "indented deeper than {MAX_INDENT} columns; unroot's plans nest a few levels deep"
                ),
            ));
        }
        for (column, byte) in line.bytes().enumerate() {
            match byte {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(too_deep(
                            index + 1,
                            column + 1,
                            format!(
                                "nested deeper than {MAX_NESTING} levels; unroot's plans nest a few levels deep"
                            ),
                        ));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Parse plan text. `shown` names the file in messages.
pub fn parse(text: &str, format: Format, shown: &str) -> Result<PlanDocument, PlanError> {
    let ctx = Ctx {
        text,
        format,
        file: shown,
    };
    check_shape(&ctx)?;
    // A valid plan costs one typed parse: on a 1000-container plan each parse is about a
    // fifth of `generate --plan`'s CPU, and the loose tree once built first doubled that and
    // the memory. Only a plan that fails is read again, to report its error the way a
    // reviewer needs it: the schema first, then the parser's own path and position.
    if let Ok(document) = from_text::<PlanDocument>(&ctx)
        && document.schema == PLAN_SCHEMA
    {
        check_document(&document, &ctx)?;
        return Ok(document);
    }
    check_schema(&ctx)?;
    let document: PlanDocument =
        from_text(&ctx).map_err(|e| serde_error(&ctx, e, PlanErrorKind::InvalidValue))?;
    check_document(&document, &ctx)?;
    Ok(document)
}

/// The schema is checked first and loosely, so a plan of another version gets "schema X is
/// not supported" instead of an error about whatever field that version renamed.
fn check_schema(ctx: &Ctx<'_>) -> Result<(), PlanError> {
    #[derive(Deserialize)]
    struct SchemaOnly {
        schema: Option<serde_yaml::Value>,
    }
    let head: SchemaOnly =
        from_text(ctx).map_err(|e| serde_error(ctx, e, PlanErrorKind::Syntax))?;
    let schema = [Seg::key("schema")];
    match head.schema {
        Some(serde_yaml::Value::String(s)) if s == PLAN_SCHEMA => {}
        Some(other) => {
            // The kind of a non-string, never its content (it may hold anything).
            let shown_value = match other {
                serde_yaml::Value::String(s) => crate::render::text::one_line(&s).into_owned(),
                serde_yaml::Value::Sequence(_) => "a list".to_owned(),
                serde_yaml::Value::Mapping(_) => "a map".to_owned(),
                _ => "a non-string value".to_owned(),
            };
            return Err(ctx.error(
                PlanErrorKind::Schema,
                &schema,
                Target::Node,
                format!(
                    "`{shown_value}` is not supported; this unroot reads `{PLAN_SCHEMA}` \
                     (re-create the plan with `unroot plan`)"
                ),
            ));
        }
        None => {
            return Err(ctx.with_position(
                PlanErrorKind::Schema,
                &schema,
                None,
                format!("missing; expected `schema: {PLAN_SCHEMA}` (is this an unroot plan?)"),
            ));
        }
    }
    Ok(())
}

/// A parser error with the parser's own text, path and position.
struct ParseError {
    message: String,
    position: Option<(usize, usize)>,
}

fn from_text<T: serde::de::DeserializeOwned>(ctx: &Ctx<'_>) -> Result<T, ParseError> {
    match ctx.format {
        Format::Yaml => serde_yaml::from_str(ctx.text).map_err(|e| ParseError {
            position: e.location().map(|l| (l.line(), l.column())),
            message: e.to_string(),
        }),
        Format::Json => serde_json::from_str(ctx.text).map_err(|e| ParseError {
            position: (e.line() > 0).then(|| (e.line(), e.column())),
            message: e.to_string(),
        }),
    }
}

/// Turn a serde error into a [`PlanError`]. serde_yaml names the field path
/// (`containers[0].decision: unknown field ...`); the position is the parser's, narrowed to
/// the offending key or scalar inside that field when the message names one (errors in
/// tagged decisions are otherwise reported at the start of the decision).
fn serde_error(ctx: &Ctx<'_>, e: ParseError, default_kind: PlanErrorKind) -> PlanError {
    // Never quote a value: a string in the wrong place may be a password.
    let mut message = crate::exit::without_values(&e.message);
    if let Some(cut) = message.rfind(" at line ") {
        message.truncate(cut);
    }
    let (path, what) = match message.split_once(": ") {
        Some((path, what)) if !path.contains(' ') && !path.is_empty() => {
            (locate::parse_path(path), what.to_string())
        }
        _ => (Vec::new(), message.clone()),
    };
    let kind = if what.starts_with("unknown field") {
        PlanErrorKind::UnknownField
    } else if what.starts_with("missing field") {
        PlanErrorKind::MissingField
    } else if e.position.is_some() && default_kind == PlanErrorKind::Syntax {
        PlanErrorKind::Syntax
    } else {
        default_kind
    };
    let token = what.split('`').nth(1).filter(|t| !t.is_empty());
    let narrowed = match (kind, token) {
        (PlanErrorKind::MissingField, _) | (_, None) => None,
        (_, Some(token)) if !path.is_empty() => {
            locate::position(ctx.text, ctx.format, &path, Target::Scalar(token))
        }
        _ => None,
    };
    ctx.with_position(kind, &path, narrowed.or(e.position), what)
}

/// `containers[i].decision.FIELD...`
fn decision_path(index: usize, rest: &[&str]) -> Vec<Seg> {
    let mut path = vec![
        Seg::key("containers"),
        Seg::Index(index),
        Seg::key("decision"),
    ];
    path.extend(rest.iter().map(|s| Seg::key(*s)));
    path
}

/// Checks that need no inventory: value ranges and names.
fn check_document(doc: &PlanDocument, ctx: &Ctx<'_>) -> Result<(), PlanError> {
    check_target(&doc.target, ctx)?;
    let mut seen = BTreeSet::new();
    let mut remap_targets: BTreeMap<u16, &str> = BTreeMap::new();
    for (index, c) in doc.containers.iter().enumerate() {
        let name = c.name.as_str();
        if !seen.insert(name) {
            return Err(ctx.error(
                PlanErrorKind::Conflict,
                &[Seg::key("containers"), Seg::Index(index), Seg::key("name")],
                Target::Node,
                format!("`{name}` is listed twice"),
            ));
        }
        check_decision(index, name, &c.decision, &mut remap_targets, ctx)?;
    }
    Ok(())
}

/// `target:`: user names, Podman version, quadlet directory, fixed sub-ID ranges.
fn check_target(t: &crate::plan::Target, ctx: &Ctx<'_>) -> Result<(), PlanError> {
    use PlanErrorKind::{Conflict, InvalidValue};
    let target = |field: &str| vec![Seg::key("target"), Seg::key(field)];
    check_user(&t.user).map_err(|e| ctx.error(InvalidValue, &target("user"), Target::Node, e))?;
    for (project, user) in &t.project_users {
        let mut path = target("project_users");
        path.push(Seg::key(project));
        check_user(user).map_err(|e| ctx.error(InvalidValue, &path, Target::Node, e))?;
    }
    check_podman_version(&t.podman_version)
        .map_err(|e| ctx.error(InvalidValue, &target("podman_version"), Target::Node, e))?;
    if t.quadlet_dir.is_empty()
        || t.quadlet_dir.starts_with('/')
        || t.quadlet_dir.split('/').any(|part| part == "..")
    {
        return Err(ctx.error(
            InvalidValue,
            &target("quadlet_dir"),
            Target::Node,
            format!(
                "`{}` must be a path relative to the user's home without `..` (e.g. \
                 .config/containers/systemd)",
                t.quadlet_dir
            ),
        ));
    }
    // What every host accepts; the target's own bounds and users are checked by
    // [`check_host`] where the run reads them.
    let any_host = subid::IdSpace::any_host(subid::IdKind::Uid);
    let mut claimed: Vec<(&str, u64, u64)> = Vec::new();
    for (user, range) in &t.subid_ranges {
        let mut path = target("subid_ranges");
        path.push(Seg::key(user));
        let owner = subid::Owner {
            name: user,
            uid: None,
        };
        subid::check_range(range.start, range.count, &any_host, &owner)
            .map_err(|why| ctx.error(InvalidValue, &path, Target::Node, why))?;
        let end = range.start + range.count - 1;
        if let Some((other, ..)) = claimed
            .iter()
            .find(|(_, start, other_end)| *start <= end && range.start <= *other_end)
        {
            return Err(ctx.error(
                Conflict,
                &path,
                Target::Node,
                format!(
                    "range {}-{end} overlaps the range of `{other}` in this plan: their \
                     containers could access each other's files",
                    range.start
                ),
            ));
        }
        claimed.push((user, range.start, end));
    }
    Ok(())
}

/// One container's `decision:`. `remap_targets` collects the remapped host ports seen so
/// far, so two included containers cannot take the same one.
fn check_decision<'a>(
    index: usize,
    name: &'a str,
    d: &ContainerDecision,
    remap_targets: &mut BTreeMap<u16, &'a str>,
    ctx: &Ctx<'_>,
) -> Result<(), PlanError> {
    use PlanErrorKind::InvalidValue;
    if let Some(user) = &d.user {
        check_user(user).map_err(|e| {
            ctx.error(
                InvalidValue,
                &decision_path(index, &["user"]),
                Target::Node,
                e,
            )
        })?;
    }
    if let PrivilegedPortPolicy::Remap { ports } = &d.ports {
        check_remap(index, name, d.include, ports, remap_targets, ctx)?;
    }
    if d.pin_digest
        && let Some(value) = d.auto_update.value()
    {
        return Err(ctx.error(
            InvalidValue,
            &decision_path(index, &["auto_update"]),
            Target::Node,
            format!(
                "auto_update: {value} and pin_digest: true contradict (a pinned image cannot \
                 move): set pin_digest: false to let Podman update it, or auto_update: off"
            ),
        ));
    }
    match &d.network {
        NetworkChoice::Shared(net) | NetworkChoice::Pod(net) if !valid_object_name(net) => {
            return Err(ctx.error(
                InvalidValue,
                &decision_path(index, &["network", "name"]),
                Target::Node,
                format!("`{net}` is not a valid network/pod name (letters, digits, `_`, `.`, `-`)"),
            ));
        }
        _ => {}
    }
    check_keep_lists(index, d, ctx)
}

/// `ports: {policy: remap, ports: {FROM: TO}}`: unprivileged targets, each taken once.
fn check_remap<'a>(
    index: usize,
    name: &'a str,
    include: bool,
    ports: &BTreeMap<u16, u16>,
    remap_targets: &mut BTreeMap<u16, &'a str>,
    ctx: &Ctx<'_>,
) -> Result<(), PlanError> {
    use PlanErrorKind::{Conflict, InvalidValue};
    let path = decision_path(index, &["ports", "ports"]);
    for (from, to) in ports {
        let key = from.to_string();
        let at = |kind, message| {
            let mut p = path.clone();
            p.push(Seg::key(key.clone()));
            ctx.error(kind, &p, Target::Node, message)
        };
        if *from == 0 || *to < UNPRIVILEGED_PORT_START {
            return Err(at(
                InvalidValue,
                format!(
                    "invalid port {from} -> {to}; the new host port must be \
                     {UNPRIVILEGED_PORT_START}-65535 (or use `policy: sysctl`)"
                ),
            ));
        }
        if let Some(other) = remap_targets.insert(*to, name)
            && include
        {
            return Err(at(
                Conflict,
                format!("host port {to} is already the remap target of `{other}`"),
            ));
        }
    }
    Ok(())
}

/// `keep_capabilities` (upper-case names without `CAP_`) and `keep_devices` (under /dev).
fn check_keep_lists(index: usize, d: &ContainerDecision, ctx: &Ctx<'_>) -> Result<(), PlanError> {
    let at = |field: &str, i: usize, message: String| {
        let mut path = decision_path(index, &[field]);
        path.push(Seg::Index(i));
        ctx.error(PlanErrorKind::InvalidValue, &path, Target::Node, message)
    };
    for (i, cap) in d.keep_capabilities.iter().enumerate() {
        if cap.is_empty() || !cap.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_') {
            return Err(at(
                "keep_capabilities",
                i,
                format!(
                    "`{cap}` is not a capability name (upper case without CAP_, e.g. NET_ADMIN)"
                ),
            ));
        }
    }
    for (i, dev) in d.keep_devices.iter().enumerate() {
        if !dev.starts_with("/dev/") {
            return Err(at(
                "keep_devices",
                i,
                format!("`{dev}` is not a path under /dev"),
            ));
        }
    }
    Ok(())
}

/// Checks against the inventory the plan is applied to: every named container must still
/// exist, and remapped ports must be ports the container publishes. `text` is the plan's
/// text (for positions), `format` its format.
pub fn check_against(
    doc: &PlanDocument,
    inventory: &Inventory,
    text: &str,
    format: Format,
    shown: &str,
) -> Result<(), PlanError> {
    let ctx = Ctx {
        text,
        format,
        file: shown,
    };
    let missing: Vec<(usize, &str)> = doc
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.name.as_str()))
        .filter(|(_, name)| inventory.container(name).is_none())
        .collect();
    if let Some((first, _)) = missing.first() {
        return Err(ctx.error(
            PlanErrorKind::Inventory,
            &[Seg::key("containers"), Seg::Index(*first), Seg::key("name")],
            Target::Node,
            format!(
                "{} on {}: {} (remove them from the plan or re-create it with `unroot plan`)",
                if missing.len() == 1 {
                    "1 container no longer exists"
                } else {
                    "containers no longer exist"
                },
                inventory.source,
                missing
                    .iter()
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for (index, c) in doc.containers.iter().enumerate() {
        let Some(container) = inventory.container(&c.name) else {
            continue;
        };
        if let PrivilegedPortPolicy::Remap { ports } = &c.decision.ports {
            for from in ports.keys() {
                let mut path = decision_path(index, &["ports", "ports"]);
                path.push(Seg::key(from.to_string()));
                if *from >= UNPRIVILEGED_PORT_START {
                    return Err(ctx.error(
                        PlanErrorKind::Inventory,
                        &path,
                        Target::Node,
                        format!(
                            "port {from} is not privileged; `remap` moves host ports below \
                             {UNPRIVILEGED_PORT_START} only"
                        ),
                    ));
                }
                if !container.ports.iter().any(|p| p.host_port == *from) {
                    let published: Vec<String> = container
                        .ports
                        .iter()
                        .map(|p| p.host_port.to_string())
                        .collect();
                    return Err(ctx.error(
                        PlanErrorKind::Inventory,
                        &path,
                        Target::Node,
                        format!(
                            "`{}` does not publish host port {from} (it publishes: {})",
                            c.name,
                            if published.is_empty() {
                                "none".to_string()
                            } else {
                                published.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks against the target host's ID facts (read once by the caller, under the target
/// root): every `target.subid_ranges` entry must respect the target's login.defs bounds and
/// stay clear of its users' UIDs, groups' GIDs and other owners' subuid/subgid ranges (the
/// same [`subid::check_range`] the allocator follows). The range is used for both files, so
/// both sides are checked.
pub fn check_host(
    doc: &PlanDocument,
    host: &subid::HostIdFiles,
    text: &str,
    format: Format,
    shown: &str,
) -> Result<(), PlanError> {
    use subid::UserDb;
    let ctx = Ctx {
        text,
        format,
        file: shown,
    };
    let (uids, gids) = host.spaces();
    for (user, range) in &doc.target.subid_ranges {
        let owner = subid::Owner {
            name: user,
            uid: host.uid_of(user),
        };
        for space in [&uids, &gids] {
            subid::check_range(range.start, range.count, space, &owner).map_err(|why| {
                ctx.error(
                    PlanErrorKind::InvalidValue,
                    &[Seg::key("target"), Seg::key("subid_ranges"), Seg::key(user)],
                    Target::Node,
                    why,
                )
            })?;
        }
    }
    Ok(())
}

/// A Linux user name as `useradd` accepts it by default.
pub fn check_user(user: &str) -> Result<(), String> {
    let ok = !user.is_empty()
        && user.len() <= 32
        && user
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && user
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        return Err(format!(
            "`{user}` is not a valid user name (lower case letters, digits, `_`, `-`; starts \
             with a letter or `_`; at most 32 characters)"
        ));
    }
    if user == "root" {
        return Err("`root` defeats the purpose: choose an unprivileged user".to_string());
    }
    Ok(())
}

/// `MAJOR.MINOR` within the supported range.
pub fn check_podman_version(version: &str) -> Result<(u32, u32), String> {
    let (range, low, high) = PODMAN_VERSIONS;
    let parsed = version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match parsed {
        Some(v) if v >= low && v <= high => Ok(v),
        Some(_) => Err(format!("`{version}` is outside the supported {range}")),
        None => Err(format!("`{version}` is not MAJOR.MINOR (e.g. 5.4)")),
    }
}

fn valid_object_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, PortBinding};
    use crate::plan::document::{ContainerPlan, EnvRef, SourceFacts};
    use crate::plan::{ContainerDecision, Target};
    use crate::risk::Migration;

    fn inventory() -> Inventory {
        let web = Container {
            name: "web".into(),
            image: "nginx:1.25".into(),
            ports: vec![PortBinding {
                container_port: 80,
                host_port: 80,
                ..Default::default()
            }],
            ..Default::default()
        };
        let db = Container {
            name: "db".into(),
            image: "postgres:16".into(),
            ..Default::default()
        };
        Inventory {
            source: "test".into(),
            containers: vec![web, db],
            ..Default::default()
        }
    }

    fn doc() -> PlanDocument {
        let inv = inventory();
        PlanDocument {
            schema: PLAN_SCHEMA.into(),
            source: SourceFacts {
                origin: "test".into(),
                ..Default::default()
            },
            target: Target::new("app", "5.4"),
            host_findings: vec![],
            containers: inv
                .containers
                .iter()
                .map(|c| ContainerPlan {
                    name: c.name.clone(),
                    id: String::new(),
                    image: c.image.clone(),
                    compose_project: None,
                    state: Default::default(),
                    docker_restart: Default::default(),
                    published: vec![],
                    decision: ContainerDecision::default_for(c),
                    env: Some(EnvRef {
                        file: format!("env/{}.env", c.name),
                        variables: vec!["PASSWORD".into()],
                    }),
                    verdict: Migration::Change,
                    findings: vec![],
                    notes: vec![],
                    hardening_notes: crate::plan::document::hardening_notes(c, None),
                    replaced_by: None,
                })
                .collect(),
        }
    }

    fn yaml() -> String {
        doc().render(Format::Yaml).unwrap()
    }

    fn typed(text: &str) -> PlanError {
        parse(text, Format::Yaml, "plan.yaml")
            .and_then(|d| check_against(&d, &inventory(), text, Format::Yaml, "plan.yaml"))
            .unwrap_err()
    }

    fn err(text: &str) -> String {
        let e = typed(text);
        let m = e.to_string();
        assert_eq!(Failure::from(e).code, crate::exit::USAGE);
        assert!(!m.contains('\n'), "one line: {m}");
        m
    }

    /// The text at the error's line and column.
    fn at(text: &str, e: &PlanError) -> String {
        let (line, column) = e.position.expect("a position");
        text.lines().nth(line - 1).unwrap()[column - 1..].to_string()
    }

    #[test]
    fn a_scalar_the_tree_types_differently_still_reads_as_the_text_says() {
        // `name: 12` is a number in the loose tree, which the typed document cannot take
        // for a string; the fallback parse from the text reads it as the string "12", as a
        // single parse always did.
        let text = yaml();
        let edited = text.replacen("name: db", "name: 12", 1);
        assert_ne!(edited, text, "the plan names container db");
        let d = parse(&edited, Format::Yaml, "p").unwrap();
        assert_eq!(d.containers[1].name, "12");
    }

    /// What a read plan holds: the fields recomputed on every run are skipped, not read back.
    fn as_read(mut d: PlanDocument) -> PlanDocument {
        d.host_findings.clear();
        for c in &mut d.containers {
            let ContainerPlan {
                name: _,
                decision: _,
                id,
                image,
                compose_project,
                state,
                docker_restart,
                published,
                env,
                verdict,
                findings,
                notes,
                hardening_notes,
                replaced_by,
            } = c;
            id.clear();
            image.clear();
            *compose_project = None;
            *state = Default::default();
            *docker_restart = Default::default();
            published.clear();
            *env = None;
            *verdict = Migration::Ok;
            findings.clear();
            notes.clear();
            hardening_notes.clear();
            *replaced_by = None;
        }
        d
    }

    #[test]
    fn yaml_and_json_round_trip() {
        let d = doc();
        assert_ne!(as_read(d.clone()), d, "the test plan has recomputed facts");
        let text = yaml();
        assert!(text.starts_with("# unroot migration plan"));
        assert_eq!(parse(&text, Format::Yaml, "p").unwrap(), as_read(d.clone()));
        let json = d.render(Format::Json).unwrap();
        assert_eq!(parse(&json, Format::Json, "p.json").unwrap(), as_read(d));
    }

    #[test]
    fn other_schema_is_refused_with_its_line() {
        let text = yaml().replace("schema: unroot.plan/v1", "schema: unroot.plan/v2");
        let m = err(&text);
        assert!(m.starts_with("plan.yaml:"), "{m}");
        assert!(
            m.contains("unroot.plan/v2") && m.contains("not supported"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            text.lines().nth(line - 1).unwrap(),
            "schema: unroot.plan/v2"
        );
    }

    #[test]
    fn typo_key_names_field_and_line() {
        let text = yaml().replacen("  include: true", "  inclde: true", 1);
        let m = err(&text);
        assert!(m.contains("unknown field `inclde`"), "{m}");
        assert!(
            m.contains("containers[0].decision: unknown field `inclde`")
                && m.ends_with("(container `web`)"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            text.lines().nth(line - 1).unwrap().trim(),
            "inclde: true",
            "{m}"
        );
    }

    /// `secrets:` is written for every container; an unknown store is refused in one line
    /// naming the choices, the line and the container, and `podman_secret` reads back.
    #[test]
    fn secrets_store_is_written_and_strict() {
        let text = yaml();
        assert!(text.contains("\n    secrets: env_file\n"), "{text}");
        let edited = text.replacen("    secrets: env_file", "    secrets: vault", 1);
        let m = err(&edited);
        assert!(
            m.contains("unknown variant `vault`, expected `env_file` or `podman_secret`")
                && m.ends_with("(container `web`)"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            edited.lines().nth(line - 1).unwrap().trim(),
            "secrets: vault",
            "{m}"
        );
        let edited = text.replacen("    secrets: env_file", "    secrets: podman_secret", 1);
        let d = parse(&edited, Format::Yaml, "p").unwrap();
        assert_eq!(
            d.containers[0].decision.secrets,
            crate::model::SecretStore::PodmanSecret
        );
    }

    /// The hardening block is written with a comment above each key, and a typo in it is
    /// refused like any other, naming the key, its line and the container.
    #[test]
    fn hardening_block_is_commented_and_strict() {
        let text = yaml();
        let comment = text
            .lines()
            .position(|l| l.trim_start().starts_with("read_only_root:"))
            .map(|i| text.lines().nth(i - 1).unwrap())
            .expect("the plan has the hardening block");
        assert!(
            comment.starts_with("      # ReadOnly=true") && comment.contains("writable-rootfs"),
            "{comment}"
        );
        let edited = text.replacen(
            "      read_only_root: false",
            "      read_only_rot: false",
            1,
        );
        assert_ne!(edited, text);
        let m = err(&edited);
        assert!(
            m.contains("containers[0].decision.hardening: unknown field `read_only_rot`")
                && m.ends_with("(container `web`)"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            edited.lines().nth(line - 1).unwrap().trim(),
            "read_only_rot: false",
            "{m}"
        );
        let edited = text.replacen("      memory: null", "      memory: lots", 1);
        let m = err(&edited);
        assert!(m.contains("not a size such as 512m"), "{m}");
    }

    /// A bind destination from Docker with a line break and YAML in it stays inside its
    /// one-line comment: the plan still parses to the same decisions.
    #[test]
    fn hostile_names_in_hardening_comments_stay_comments() {
        let mut d = doc();
        let c = crate::model::Container {
            mounts: vec![crate::model::Mount {
                kind: crate::model::MountKind::Bind,
                source: "/srv/x".into(),
                destination: "/x\n      user: root\n#".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        d.containers[0].hardening_notes = crate::plan::document::hardening_notes(&c, None);
        let text = d.render(Format::Yaml).unwrap();
        assert!(!text.lines().any(|l| l.trim() == "user: root"), "{text}");
        let read = parse(&text, Format::Yaml, "p").unwrap();
        assert_eq!(read.containers[0].decision, d.containers[0].decision);
    }

    #[test]
    fn auto_update_with_a_pinned_digest_is_refused_with_its_line() {
        let text = yaml()
            .replacen("pin_digest: false", "pin_digest: true", 1)
            .replacen("auto_update: 'off'", "auto_update: registry", 1);
        let m = err(&text);
        assert!(
            m.contains("auto_update: registry and pin_digest: true contradict"),
            "{m}"
        );
        assert!(m.contains("decision.auto_update"), "{m}");
        assert!(at(&text, &typed(&text)).starts_with("registry"), "{m}");
    }

    #[test]
    fn out_of_range_port_names_field_and_line() {
        let text = yaml().replacen(
            "    ports:\n      policy: sysctl",
            "    ports:\n      policy: remap\n      ports:\n        80: 70000",
            1,
        );
        let m = err(&text);
        assert!(
            m.contains("70000") && m.contains("(container `web`)"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            text.lines().nth(line - 1).unwrap().trim(),
            "80: 70000",
            "{m}"
        );
    }

    #[test]
    fn privileged_remap_target_is_refused() {
        let text = yaml().replacen(
            "    ports:\n      policy: sysctl",
            "    ports:\n      policy: remap\n      ports:\n        80: 81",
            1,
        );
        let m = err(&text);
        assert!(m.contains("containers[0].decision.ports.ports.80"), "{m}");
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert!(
            text.lines().nth(line - 1).unwrap().contains("80: 81"),
            "{m}"
        );
    }

    #[test]
    fn remap_of_unpublished_port_is_refused() {
        let text = yaml().replacen(
            "    ports:\n      policy: sysctl",
            "    ports:\n      policy: remap\n      ports:\n        443: 8443",
            1,
        );
        let m = err(&text);
        assert!(m.contains("does not publish host port 443"), "{m}");
    }

    #[test]
    fn remap_of_unprivileged_port_is_refused() {
        let text = yaml().replacen(
            "    ports:\n      policy: sysctl",
            "    ports:\n      policy: remap\n      ports:\n        8080: 9090",
            1,
        );
        let m = err(&text);
        assert!(m.contains("port 8080 is not privileged"), "{m}");
    }

    #[test]
    fn vanished_container_is_named() {
        let text = yaml().replace("name: db", "name: olddb");
        let m = err(&text);
        assert!(m.contains("olddb") && m.contains("no longer exist"), "{m}");
    }

    #[test]
    fn bad_user_and_version_are_refused() {
        assert!(err(&yaml().replace("user: app", "user: Root!")).contains("target.user"));
        assert!(
            err(&yaml().replace("podman_version: '5.4'", "podman_version: '3.0'"))
                .contains("target.podman_version")
        );
    }

    #[test]
    fn positions_come_from_the_parser_exactly() {
        let text = yaml();
        // (edit, expected kind, expected path, text found at LINE:COL)
        let cases: Vec<(String, PlanErrorKind, &str, &str)> = vec![
            (
                text.replacen("  include: true", "  inclde: true", 1),
                PlanErrorKind::UnknownField,
                "containers[0].decision",
                "inclde: true",
            ),
            (
                text.replacen("    volumes: copy", "    volumes: copyy", 1),
                PlanErrorKind::InvalidValue,
                "containers[0].decision.volumes",
                "copyy",
            ),
            (
                text.replacen(
                    "    ports:\n      policy: sysctl",
                    "    ports:\n      policy: remap\n      ports:\n        80: 70000",
                    1,
                ),
                PlanErrorKind::InvalidValue,
                // The tagged decision is read as a plain struct, so serde's own path goes
                // down to the offending scalar.
                "containers[0].decision.ports.ports.80",
                "70000",
            ),
            (
                // The error is in `ports`, not in the `published:` list above it that also
                // says 80 (issue 11 defect 5).
                text.replacen(
                    "    ports:\n      policy: sysctl",
                    "    ports:\n      policy: remap\n      ports:\n        80: 81",
                    1,
                )
                .replacen(
                    "  decision:",
                    "  published:\n  - 80->80/tcp\n  decision:",
                    1,
                ),
                PlanErrorKind::InvalidValue,
                "containers[0].decision.ports.ports.80",
                "81",
            ),
            (
                text.replace("user: app", "user: Root!"),
                PlanErrorKind::InvalidValue,
                "target.user",
                "Root!",
            ),
            (
                text.replacen(
                    "    keep_devices: []",
                    "    keep_devices:\n    - /dev/dri\n    - /etc/x",
                    1,
                ),
                PlanErrorKind::InvalidValue,
                "containers[0].decision.keep_devices[1]",
                "/etc/x",
            ),
            (
                text.replace("name: db", "name: olddb"),
                PlanErrorKind::Inventory,
                "containers[1].name",
                "olddb",
            ),
        ];
        for (edited, kind, path, found) in cases {
            let e = typed(&edited);
            assert_eq!((e.kind, e.path.as_str()), (kind, path), "{e}");
            assert_eq!(at(&edited, &e), found, "{e}");
            let (line, column) = e.position.unwrap();
            assert!(
                e.to_string()
                    .starts_with(&format!("plan.yaml:{line}:{column}: {path}: ")),
                "{e}"
            );
        }
    }

    #[test]
    fn deep_or_huge_plans_are_refused_before_parsing_and_fast() {
        let deep_flow = format!("schema: {PLAN_SCHEMA}\nx: {}\n", "[".repeat(60_000));
        let deep_block: String = (0..2000)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let deep_seq = format!("x:\n{}a\n", "- ".repeat(60_000));
        for text in [deep_flow, deep_block, deep_seq] {
            let started = std::time::Instant::now();
            let e = parse(&text, Format::Yaml, "deep.yaml").unwrap_err();
            assert_eq!(e.kind, PlanErrorKind::TooDeep, "{e}");
            assert!(e.position.is_some() && !e.to_string().contains('\n'));
            assert!(started.elapsed() < std::time::Duration::from_millis(200));
        }
        let json = format!("{{\"schema\": {}", "[".repeat(100));
        assert_eq!(
            parse(&json, Format::Json, "deep.json").unwrap_err().kind,
            PlanErrorKind::TooDeep
        );
        let huge = format!("schema: {PLAN_SCHEMA}\n#{}\n", "x".repeat(MAX_PLAN_BYTES));
        assert_eq!(
            parse(&huge, Format::Yaml, "huge.yaml").unwrap_err().kind,
            PlanErrorKind::TooLarge
        );
        // unroot's own plans pass the scan.
        assert!(parse(&yaml(), Format::Yaml, "p").is_ok());
    }
}

#[cfg(test)]
mod enum_tests {
    use super::*;

    const PLAN: &str = "schema: unroot.plan/v1
source:
  origin: t
target:
  user: app
  podman_version: '5.4'
  quadlet_dir: .config/containers/systemd
containers:
- name: web
  decision:
    include: true
    ports:
      policy: sysctl
    volumes: copy
    network:
      mode: pasta
";

    #[test]
    fn tagged_decisions_reject_stray_keys() {
        assert!(parse(PLAN, Format::Yaml, "p").is_ok());
        let typo = PLAN.replace(
            "      policy: sysctl\n",
            "      policy: sysctl\n      portz:\n        80: 8080\n",
        );
        let e = parse(&typo, Format::Yaml, "p.yaml").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("unknown field `portz`") && m.contains("(container `web`)"),
            "{m}"
        );
        assert_eq!(e.kind, PlanErrorKind::UnknownField);
        assert_eq!(e.path, "containers[0].decision.ports");
        let (line, column) = e.position.unwrap();
        assert_eq!(&typo.lines().nth(line - 1).unwrap()[column - 1..], "portz:");
        let net = PLAN.replace("      mode: pasta\n", "      mode: pasta\n      nmae: x\n");
        assert!(
            parse(&net, Format::Yaml, "p")
                .unwrap_err()
                .to_string()
                .contains("`nmae`")
        );
    }
}
