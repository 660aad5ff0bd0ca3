//! Reading a hand-edited plan back: schema check, strict parsing, then checks against the
//! current inventory. Every error is one line naming the file, the field and (when it can
//! be found) the line, and carries exit code 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::exit::Failure;
use crate::model::Inventory;
use crate::plan::document::{Format, PLAN_SCHEMA, PlanDocument};
use crate::plan::{NetworkChoice, PrivilegedPortPolicy};

/// First port a rootless user may bind without the sysctl.
pub const UNPRIVILEGED_PORT_START: u16 = 1024;

/// Podman versions the generators can target (`MAJOR.MINOR`, inclusive).
pub const PODMAN_VERSIONS: (&str, (u32, u32), (u32, u32)) = ("4.4 ... 5.8", (4, 4), (5, 8));

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
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read plan {shown}: {e}")))?;
    let format = Format::for_path(path);
    let document = parse(&text, format, &shown.to_string())?;
    Ok(LoadedPlan {
        document,
        text,
        format,
    })
}

/// Parse plan text. `shown` names the file in messages.
pub fn parse(text: &str, format: Format, shown: &str) -> Result<PlanDocument, Failure> {
    // The schema is checked first and loosely, so a plan of another version gets "schema X
    // is not supported" instead of an error about whatever field that version renamed.
    #[derive(Deserialize)]
    struct SchemaOnly {
        schema: Option<serde_yaml::Value>,
    }
    let head: Result<SchemaOnly, String> = match format {
        Format::Yaml => serde_yaml::from_str(text).map_err(|e| e.to_string()),
        Format::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
    };
    let head = head.map_err(|e| {
        Failure::usage(format!(
            "{shown}: not a valid plan: {}",
            crate::exit::without_values(&e)
        ))
    })?;
    match head.schema {
        Some(serde_yaml::Value::String(s)) if s == PLAN_SCHEMA => {}
        Some(other) => {
            let line = line_of_key(text, "schema").map_or(String::new(), |l| format!(":{l}"));
            // The kind of a non-string, never its content (it may hold anything).
            let shown_value = match other {
                serde_yaml::Value::String(s) => crate::render::text::one_line(&s).into_owned(),
                serde_yaml::Value::Sequence(_) => "a list".to_owned(),
                serde_yaml::Value::Mapping(_) => "a map".to_owned(),
                _ => "a non-string value".to_owned(),
            };
            return Err(Failure::usage(format!(
                "{shown}{line}: schema: `{shown_value}` is not supported; this unroot reads \
                 `{PLAN_SCHEMA}` (re-create the plan with `unroot plan`)"
            )));
        }
        None => {
            return Err(Failure::usage(format!(
                "{shown}: schema: missing; expected `schema: {PLAN_SCHEMA}` (is this an unroot plan?)"
            )));
        }
    }
    stray_enum_keys(text, format, shown)?;
    let parsed: Result<PlanDocument, (String, Option<(usize, usize)>)> = match format {
        Format::Yaml => serde_yaml::from_str(text).map_err(|e| {
            let at = e.location().map(|l| (l.line(), l.column()));
            (e.to_string(), at)
        }),
        Format::Json => serde_json::from_str(text).map_err(|e| {
            let at = (e.line() > 0).then(|| (e.line(), e.column()));
            (e.to_string(), at)
        }),
    };
    let document = parsed.map_err(|(message, at)| {
        Failure::usage(serde_message(text, format, shown, &message, at))
    })?;
    check_document(&document, text, shown)?;
    Ok(document)
}

/// Serde cannot deny unknown keys next to the tag of a unit variant (`policy: sysctl`
/// beside a typo'd `portz:` would be accepted and the remap silently lost), so the
/// tagged decision maps are checked here against the keys each form allows.
fn stray_enum_keys(text: &str, format: Format, shown: &str) -> Result<(), Failure> {
    let loose: Option<serde_yaml::Value> = match format {
        Format::Yaml => serde_yaml::from_str(text).ok(),
        Format::Json => serde_json::from_str(text).ok(),
    };
    let Some(containers) = loose
        .as_ref()
        .and_then(|v| v.get("containers"))
        .and_then(|c| c.as_sequence())
    else {
        return Ok(()); // the strict parse reports what is wrong
    };
    for (index, c) in containers.iter().enumerate() {
        let name = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        let Some(decision) = c.get("decision") else {
            continue;
        };
        for (field, allowed) in [
            ("ports", &["policy", "ports"][..]),
            ("network", &["mode", "name"][..]),
        ] {
            let Some(map) = decision.get(field).and_then(|m| m.as_mapping()) else {
                continue;
            };
            for key in map.keys() {
                let key = key.as_str().unwrap_or("?");
                if !allowed.contains(&key) {
                    let line = locate(text, Some(name), &format!("{key}:"))
                        .or_else(|| locate(text, Some(name), &format!("\"{key}\"")))
                        .map_or(String::new(), |l| format!(":{l}"));
                    return Err(Failure::usage(format!(
                        "{shown}{line}: containers[{index}].decision.{field} (container `{name}`): \
                         unknown field `{key}`, expected {}",
                        allowed
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `FILE:LINE:COLUMN: field.path (container name): message`, from a serde error whose text
/// ends in ` at line L column C`.
fn serde_message(
    text: &str,
    format: Format,
    shown: &str,
    message: &str,
    at: Option<(usize, usize)>,
) -> String {
    // Never quote a value: a string in the wrong place may be a password.
    let mut message = crate::exit::without_values(message);
    if let Some(cut) = message.rfind(" at line ") {
        message.truncate(cut);
    }
    let token = message
        .split('`')
        .nth(1)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    // serde names list items by index; add the container's name so the reader finds it.
    if let Some(rest) = message.strip_prefix("containers[")
        && let Some((index, tail)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        let loose: Option<serde_yaml::Value> = match format {
            Format::Yaml => serde_yaml::from_str(text).ok(),
            Format::Json => serde_json::from_str(text).ok(),
        };
        if let Some(name) = loose
            .as_ref()
            .and_then(|v| v.get("containers"))
            .and_then(|c| c.get(index))
            .and_then(|c| c.get("name"))
            .and_then(|n| n.as_str())
        {
            message = format!("containers[{index}]{tail}");
            message = message.replacen(':', &format!(" (container `{name}`):"), 1);
        }
    }
    // Some errors are reported at the start of the enclosing block (buffered enums); point
    // at the offending token (`unknown field `inclde``, `integer `70000``) when it follows.
    let at = at.map(|(line, column)| {
        token
            .as_deref()
            .and_then(|t| {
                text.lines()
                    .enumerate()
                    .skip(line.saturating_sub(1))
                    .take(40)
                    .find(|(_, l)| !l.trim_start().starts_with('#') && l.contains(t))
                    .map(|(i, l)| (i + 1, l.find(t).map_or(1, |c| c + 1)))
            })
            .unwrap_or((line, column))
    });
    match at {
        Some((line, column)) => format!("{shown}:{line}:{column}: {message}"),
        None => format!("{shown}: {message}"),
    }
}

/// Checks that need no inventory: value ranges and names.
fn check_document(doc: &PlanDocument, text: &str, shown: &str) -> Result<(), Failure> {
    let at = |needle: &str, container: Option<&str>| -> String {
        locate(text, container, needle).map_or(String::new(), |l| format!(":{l}"))
    };
    let t = &doc.target;
    check_user(&t.user)
        .map_err(|e| Failure::usage(format!("{shown}{}: target.user: {e}", at("user", None))))?;
    for (project, user) in &t.project_users {
        check_user(user).map_err(|e| {
            Failure::usage(format!(
                "{shown}{}: target.project_users.{project}: {e}",
                at(project, None)
            ))
        })?;
    }
    check_podman_version(&t.podman_version).map_err(|e| {
        Failure::usage(format!(
            "{shown}{}: target.podman_version: {e}",
            at("podman_version", None)
        ))
    })?;
    if t.quadlet_dir.is_empty()
        || t.quadlet_dir.starts_with('/')
        || t.quadlet_dir.split('/').any(|part| part == "..")
    {
        return Err(Failure::usage(format!(
            "{shown}{}: target.quadlet_dir: `{}` must be a path relative to the user's home \
             without `..` (e.g. .config/containers/systemd)",
            at("quadlet_dir", None),
            t.quadlet_dir
        )));
    }
    for (user, range) in &t.subid_ranges {
        if range.count < 65536 || range.start == 0 {
            return Err(Failure::usage(format!(
                "{shown}{}: target.subid_ranges.{user}: start must be > 0 and count at least \
                 65536 (got {}:{})",
                at(user, None),
                range.start,
                range.count
            )));
        }
    }

    let mut seen = BTreeSet::new();
    let mut remap_targets: BTreeMap<u16, &str> = BTreeMap::new();
    for c in &doc.containers {
        let name = c.name.as_str();
        if !seen.insert(name) {
            return Err(Failure::usage(format!(
                "{shown}{}: containers: `{name}` is listed twice",
                at(&format!("name: {name}"), None)
            )));
        }
        let d = &c.decision;
        if let Some(user) = &d.user {
            check_user(user).map_err(|e| {
                Failure::usage(format!(
                    "{shown}{}: containers[{name}].decision.user: {e}",
                    at("user:", Some(name))
                ))
            })?;
        }
        if let PrivilegedPortPolicy::Remap { ports } = &d.ports {
            for (from, to) in ports {
                if *from == 0 || *to < UNPRIVILEGED_PORT_START {
                    return Err(Failure::usage(format!(
                        "{shown}{}: containers[{name}].decision.ports.ports.{from}: invalid \
                         port {from} -> {to}; the new host port must be {UNPRIVILEGED_PORT_START}-65535 \
                         (or use `policy: sysctl`)",
                        at(&format!("{from}"), Some(name))
                    )));
                }
                if let Some(other) = remap_targets.insert(*to, name)
                    && d.include
                {
                    return Err(Failure::usage(format!(
                        "{shown}{}: containers[{name}].decision.ports.ports.{from}: host port {to} \
                         is already the remap target of `{other}`",
                        at(&format!("{from}"), Some(name))
                    )));
                }
            }
        }
        match &d.network {
            NetworkChoice::Shared(net) | NetworkChoice::Pod(net) if !valid_object_name(net) => {
                return Err(Failure::usage(format!(
                    "{shown}{}: containers[{name}].decision.network.name: `{net}` is not a valid \
                     network/pod name (letters, digits, `_`, `.`, `-`)",
                    at("network", Some(name))
                )));
            }
            _ => {}
        }
        for cap in &d.keep_capabilities {
            if cap.is_empty() || !cap.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_') {
                return Err(Failure::usage(format!(
                    "{shown}{}: containers[{name}].decision.keep_capabilities: `{cap}` is not a \
                     capability name (upper case without CAP_, e.g. NET_ADMIN)",
                    at(cap, Some(name))
                )));
            }
        }
        for dev in &d.keep_devices {
            if !dev.starts_with("/dev/") {
                return Err(Failure::usage(format!(
                    "{shown}{}: containers[{name}].decision.keep_devices: `{dev}` is not a path \
                     under /dev",
                    at(dev, Some(name))
                )));
            }
        }
    }
    Ok(())
}

/// Checks against the inventory the plan is applied to: every named container must still
/// exist, and remapped ports must be ports the container publishes.
pub fn check_against(
    doc: &PlanDocument,
    inventory: &Inventory,
    text: &str,
    shown: &str,
) -> Result<(), Failure> {
    let missing: Vec<&str> = doc
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| inventory.container(name).is_none())
        .collect();
    if !missing.is_empty() {
        let line = locate(text, None, &format!("name: {}", missing[0]))
            .map_or(String::new(), |l| format!(":{l}"));
        return Err(Failure::usage(format!(
            "{shown}{line}: containers: {} on {}: {} (remove them from the plan or \
             re-create it with `unroot plan`)",
            if missing.len() == 1 {
                "1 container no longer exists"
            } else {
                "containers no longer exist"
            },
            inventory.source,
            missing.join(", ")
        )));
    }
    for c in &doc.containers {
        let Some(container) = inventory.container(&c.name) else {
            continue;
        };
        if let PrivilegedPortPolicy::Remap { ports } = &c.decision.ports {
            for from in ports.keys() {
                if *from >= UNPRIVILEGED_PORT_START {
                    return Err(Failure::usage(format!(
                        "{shown}{}: containers[{}].decision.ports.ports.{from}: port {from} is \
                         not privileged; `remap` moves host ports below {UNPRIVILEGED_PORT_START} only",
                        locate(text, Some(&c.name), &format!("{from}"))
                            .map_or(String::new(), |l| format!(":{l}")),
                        c.name
                    )));
                }
                if !container.ports.iter().any(|p| p.host_port == *from) {
                    let published: Vec<String> = container
                        .ports
                        .iter()
                        .map(|p| p.host_port.to_string())
                        .collect();
                    return Err(Failure::usage(format!(
                        "{shown}{}: containers[{}].decision.ports.ports.{from}: `{}` does not \
                         publish host port {from} (it publishes: {})",
                        locate(text, Some(&c.name), &format!("{from}"))
                            .map_or(String::new(), |l| format!(":{l}")),
                        c.name,
                        c.name,
                        if published.is_empty() {
                            "none".to_string()
                        } else {
                            published.join(", ")
                        }
                    )));
                }
            }
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

/// 1-based line of the first `key:` (YAML) or `"key":` (JSON) at any depth.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":"))
        })
        .map(|i| i + 1)
}

/// Best-effort 1-based line of `needle`, searched after the container's `name:` line when
/// a container is given. Comment lines are skipped.
fn locate(text: &str, container: Option<&str>, needle: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = match container {
        Some(name) => lines.iter().position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t == format!("name: {name}")
                || t == format!("name: '{name}'")
                || t == format!("name: \"{name}\"")
                || t.starts_with(&format!("\"name\": \"{name}\""))
        })?,
        None => 0,
    };
    let json_needle = needle.replacen(": ", "\": \"", 1);
    lines[start..]
        .iter()
        .position(|l| {
            !l.trim_start().starts_with('#')
                && (l.contains(needle) || l.contains(&format!("\"{json_needle}")))
        })
        .map(|i| start + i + 1)
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
                })
                .collect(),
        }
    }

    fn yaml() -> String {
        doc().render(Format::Yaml).unwrap()
    }

    fn err(text: &str) -> String {
        let e = parse(text, Format::Yaml, "plan.yaml")
            .and_then(|d| check_against(&d, &inventory(), text, "plan.yaml"))
            .unwrap_err();
        assert_eq!(e.code, crate::exit::USAGE);
        assert!(!e.message.contains('\n'), "one line: {}", e.message);
        e.message
    }

    #[test]
    fn yaml_and_json_round_trip() {
        let d = doc();
        let text = yaml();
        assert!(text.starts_with("# unroot migration plan"));
        assert_eq!(parse(&text, Format::Yaml, "p").unwrap(), d);
        let json = d.render(Format::Json).unwrap();
        assert_eq!(parse(&json, Format::Json, "p.json").unwrap(), d);
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
            m.contains("containers[0].decision (container `web`)"),
            "{m}"
        );
        let line: usize = m.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            text.lines().nth(line - 1).unwrap().trim(),
            "inclde: true",
            "{m}"
        );
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
        assert!(m.contains("containers[web].decision.ports.ports.80"), "{m}");
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
        assert!(
            e.message.contains("unknown field `portz`") && e.message.contains("(container `web`)"),
            "{}",
            e.message
        );
        let line: usize = e.message.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(typo.lines().nth(line - 1).unwrap().trim(), "portz:");
        let net = PLAN.replace("      mode: pasta\n", "      mode: pasta\n      nmae: x\n");
        assert!(
            parse(&net, Format::Yaml, "p")
                .unwrap_err()
                .message
                .contains("`nmae`")
        );
    }
}
