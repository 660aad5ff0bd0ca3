//! The `unroot.scan/v1` JSON document: a stable contract for pipelines. Fields are only ever
//! added; `cis` is `null` where no CIS item applies.

use serde::Serialize;

use crate::model::CgroupVersion;
use crate::risk::catalog::Remediation;
use crate::risk::{Finding, Migration, Severity, Summary};

use super::{Report, state_str};

pub const SCAN_SCHEMA: &str = "unroot.scan/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    source: &'a str,
    captured_at: Option<&'a str>,
    host: Host<'a>,
    containers: Vec<ContainerOut<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Host<'a> {
    hostname: Option<&'a str>,
    server_version: Option<&'a str>,
    api_version: Option<&'a str>,
    os: Option<&'a str>,
    kernel_version: Option<&'a str>,
    cgroup_version: Option<u8>,
    rootless: bool,
    userns_remap: bool,
    runc_version: Option<&'a str>,
    summary: &'a Summary,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct ContainerOut<'a> {
    id: &'a str,
    name: &'a str,
    image: &'a str,
    state: &'static str,
    score: u32,
    worst_severity: Option<Severity>,
    migration: Migration,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    severity: Severity,
    cis: Option<&'a str>,
    migration: Migration,
    title: &'a str,
    explanation: &'a str,
    remediation: &'a Remediation,
    detail: &'a str,
    references: &'a [String],
}

fn finding(f: &Finding) -> FindingOut<'_> {
    let info = f.info();
    FindingOut {
        rule: &f.rule,
        severity: f.severity,
        cis: f.cis.as_deref(),
        migration: f.migration,
        title: &info.title,
        explanation: &info.explanation,
        remediation: &info.remediation,
        detail: &f.detail,
        references: &info.references,
    }
}

/// Pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let h = &report.inventory.host;
    let doc = Document {
        schema: SCAN_SCHEMA,
        tool: Tool {
            name: "unroot",
            version: env!("CARGO_PKG_VERSION"),
        },
        source: &report.inventory.source,
        captured_at: report.inventory.captured_at.as_deref(),
        host: Host {
            hostname: h.hostname.as_deref(),
            server_version: h.server_version.as_deref(),
            api_version: h.api_version.as_deref(),
            os: h.os.as_deref(),
            kernel_version: h.kernel_version.as_deref(),
            cgroup_version: h.cgroup_version.map(|v| match v {
                CgroupVersion::V1 => 1,
                CgroupVersion::V2 => 2,
            }),
            rootless: h.rootless,
            userns_remap: h.userns_remap,
            runc_version: h.runc_version.as_deref().or(h.runc_commit.as_deref()),
            summary: &report.summary,
            findings: report.host_findings.iter().map(finding).collect(),
        },
        containers: report
            .containers
            .iter()
            .map(|(c, a)| ContainerOut {
                id: &c.id,
                name: &c.name,
                image: &c.image,
                state: state_str(c.state),
                score: a.score,
                worst_severity: a.worst_severity(),
                migration: a.migration_verdict(),
                findings: a.findings.iter().map(finding).collect(),
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).expect("scan document serializes");
    out.push('\n');
    out
}
