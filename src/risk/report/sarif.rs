//! SARIF 2.1.0 output so code-scanning dashboards can ingest a scan: the rule metadata comes
//! from the catalog (`tool.driver.rules`), one result per finding, each located logically at
//! its container (and physically at its compose file when one is known).

use serde_json::{Value, json};

use crate::risk::catalog::{RuleInfo, catalog};
use crate::risk::{Finding, Severity};

use super::Report;

/// The OASIS schema id of SARIF 2.1.0 (errata 01), which validators and GitHub accept.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF `level` for a severity: critical and high fail a check, medium warns.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (CVSS-like 0.0–10.0), which drives its severity badges.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn rule(info: &RuleInfo) -> Value {
    let mut tags = vec![
        "security".to_string(),
        format!("migration:{}", info.migration.as_str()),
    ];
    if let Some(cis) = &info.cis {
        tags.push(format!("CIS-{cis}"));
    }
    let help = format!(
        "{}\n\nDocker: {}\n\nRootless Podman: {}",
        info.explanation, info.remediation.docker, info.remediation.podman
    );
    let help_md = format!(
        "{}\n\n**Docker:** {}\n\n**Rootless Podman:** {}\n\nReferences: {}",
        info.explanation,
        info.remediation.docker,
        info.remediation.podman,
        info.references.join(", ")
    );
    let mut rule = json!({
        "id": info.id,
        "name": pascal_case(&info.id),
        "shortDescription": { "text": info.title },
        "fullDescription": { "text": info.explanation },
        "help": { "text": help, "markdown": help_md },
        "defaultConfiguration": { "level": level(info.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(info.severity),
            "severity": info.severity,
            "migration": info.migration,
            "cis": info.cis,
            "references": info.references,
        }
    });
    if let Some(uri) = info.references.iter().find(|r| r.starts_with("https://")) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn result(finding: &Finding, location: Value, fingerprint: String) -> Value {
    let mut r = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": format!("{}: {}", finding.title(), finding.detail) },
        "locations": [location],
        "partialFingerprints": { "unroot/v1": fingerprint },
        "properties": {
            "severity": finding.severity,
            "migration": finding.migration,
            "cis": finding.cis,
            "security-severity": security_severity(finding.severity),
        }
    });
    if let Some(index) = catalog().index_of(&finding.rule) {
        r["ruleIndex"] = json!(index);
    }
    r
}

/// The SARIF log as pretty JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = catalog().rules().iter().map(rule).collect();
    let host_name = report
        .inventory
        .host
        .hostname
        .clone()
        .unwrap_or_else(|| "docker-host".to_string());
    let mut results = Vec::new();
    for f in &report.host_findings {
        let location = json!({
            "logicalLocations": [{ "name": host_name, "fullyQualifiedName": format!("host/{host_name}"), "kind": "module" }]
        });
        results.push(result(f, location, format!("host/{host_name}/{}", f.rule)));
    }
    for (c, a) in &report.containers {
        let mut location = json!({
            "logicalLocations": [{
                "name": c.name,
                "fullyQualifiedName": format!("host/{host_name}/container/{}", c.name),
                "kind": "resource",
            }],
            "properties": { "containerId": c.id, "image": c.image },
        });
        // A compose file is the artifact an operator would edit: point dashboards at it.
        if let Some(first) = c
            .compose
            .as_ref()
            .and_then(|p| p.config_files.as_deref())
            .and_then(|files| files.split(',').next())
            .filter(|f| !f.is_empty())
        {
            location["physicalLocation"] =
                json!({ "artifactLocation": { "uri": file_uri(first) } });
        }
        for f in &a.findings {
            results.push(result(
                f,
                location.clone(),
                format!("container/{}/{}", c.name, f.rule),
            ));
        }
    }
    let doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "unroot",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/containers/podman/blob/main/rootless.md",
                "rules": rules,
            }},
            "automationDetails": { "id": format!("unroot/scan/{host_name}/") },
            "properties": { "source": report.inventory.source, "summary": report.summary },
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("SARIF document serializes");
    out.push('\n');
    out
}

/// An absolute path as a `file://` URI (spaces and other unsafe bytes percent-encoded).
fn file_uri(path: &str) -> String {
    let mut out = String::from("file://");
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_names() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(pascal_case("docker-socket-mount"), "DockerSocketMount");
        assert_eq!(
            file_uri("/srv/my app/compose.yml"),
            "file:///srv/my%20app/compose.yml"
        );
    }
}
