//! The complete output set of `unroot generate`: the generators' files plus migrate.sh,
//! rollback.sh, REPORT.md and a copy of the plan, all rendered from one
//! [`Migration`], ready for [`crate::output::write_files`].

use std::collections::BTreeMap;

use crate::generate::{GeneratedFile, HostIdFiles};
use crate::migration::{self, Migration};
use crate::model::Inventory;
use crate::plan::document::PlanDocument;
use crate::plan::document::{BuildInput, Format, build};
use crate::plan::report::{ReportInput, report_md};
use crate::plan::{ContainerDecision, Target};
use crate::risk::Assessment;

/// The plan copy to store in the output directory: its file name and exact text.
pub struct PlanCopy<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Every file of the output directory, sorted by path.
pub fn output_files(
    inventory: &Inventory,
    plan: &PlanDocument,
    copy: &PlanCopy<'_>,
    migration: &Migration,
) -> Vec<GeneratedFile> {
    let report = report_md(&ReportInput {
        inventory,
        plan,
        migration,
        plan_file: copy.name,
    });
    let mut files = migration.generated.files.clone();
    files.push(GeneratedFile {
        path: "migrate.sh".to_string(),
        mode: 0o755,
        content: crate::render::shell::migrate_sh(migration),
    });
    files.push(GeneratedFile {
        path: "rollback.sh".to_string(),
        mode: 0o755,
        content: crate::render::shell::rollback_sh(migration),
    });
    files.push(GeneratedFile {
        path: "REPORT.md".to_string(),
        mode: 0o644,
        content: report,
    });
    files.push(GeneratedFile {
        path: copy.name.to_string(),
        mode: 0o644,
        content: copy.text.to_string(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// A plan document, the migration and every file of the output directory.
pub struct Bundle {
    pub document: PlanDocument,
    pub migration: Migration,
    pub files: Vec<GeneratedFile>,
}

/// Exactly what `unroot generate` without `--plan` writes for these decisions: the
/// generators run against the target's subid files (`host`), the plan copy records the
/// ranges they chose and carries no timestamp (same decisions, same bytes). Shared with
/// the TUI's write action so both front ends produce identical directories.
pub fn for_decisions(
    inventory: &Inventory,
    target: &Target,
    names: &[String],
    decisions: &BTreeMap<String, ContainerDecision>,
    assessment: &Assessment,
    host: &HostIdFiles,
) -> anyhow::Result<Bundle> {
    let migration = migration::plan(inventory, target, decisions, host)?;
    let mut document = build(&BuildInput {
        inventory,
        target,
        names,
        decisions,
        assessment,
        generated: &migration.generated,
    });
    document.source.captured_at = None;
    for a in migration.generated.subids.iter().filter(|a| a.uids_new) {
        document.target.subid_ranges.insert(a.user.clone(), a.uids);
    }
    let text = document.render(Format::Yaml)?;
    let files = output_files(
        inventory,
        &document,
        &PlanCopy {
            name: Format::Yaml.copy_name(),
            text: &text,
        },
        &migration,
    );
    Ok(Bundle {
        document,
        migration,
        files,
    })
}
