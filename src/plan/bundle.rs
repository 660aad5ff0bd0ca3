//! The complete output set of `unroot generate`: the generators' files plus migrate.sh,
//! rollback.sh, REPORT.md and a copy of the plan, ready for [`crate::output::write_files`].

use crate::generate::{Generated, GeneratedFile};
use crate::model::Inventory;
use crate::plan::document::PlanDocument;
use crate::plan::report::{ReportInput, report_md};
use crate::plan::script::{ScriptInput, migrate_sh, migrate_steps, rollback_sh};

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
    generated: &Generated,
) -> Vec<GeneratedFile> {
    let script_input = ScriptInput {
        inventory,
        target: &plan.target,
        generated,
    };
    let steps = migrate_steps(&script_input);
    let report = report_md(&ReportInput {
        inventory,
        plan,
        generated,
        steps: &steps,
        plan_file: copy.name,
    });
    let mut files = generated.files.clone();
    files.push(GeneratedFile {
        path: "migrate.sh".to_string(),
        mode: 0o755,
        content: migrate_sh(&script_input),
    });
    files.push(GeneratedFile {
        path: "rollback.sh".to_string(),
        mode: 0o755,
        content: rollback_sh(&script_input),
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
