//! The TUI's file actions, through the same library code as `unroot plan` and
//! `unroot generate`: the plan document builder, the output bundle and the safe writer.
//! Called off the UI task.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::generate::{GeneratedFile, HostIdFiles};
use crate::migration::{self, Migration};
use crate::model::{ContainerDecision, DEFAULT_PODMAN_VERSION, DEFAULT_USER, Target};
use crate::output;
use crate::plan::bundle::{PlanCopy, output_files};
use crate::plan::document::{self, BuildInput, Format, PlanDocument};
use crate::risk::Assessment;

use super::state::{FileStatus, Loaded, WriteReview};

/// The target `unroot plan` proposes without flags.
pub fn default_target() -> Target {
    crate::plan::proposed_target(DEFAULT_USER, DEFAULT_PODMAN_VERSION)
}

fn assessment(loaded: &Loaded) -> Assessment {
    Assessment {
        host_findings: loaded.host_findings.clone(),
        containers: loaded.assessments.clone(),
        summary: loaded.summary.clone(),
    }
}

/// The plan document for the current decisions, with every container listed (excluded
/// ones say `include: false`), exactly as `unroot plan` builds it.
fn plan_document(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> Result<(PlanDocument, Migration)> {
    let inventory = &loaded.inventory;
    let names: Vec<String> = inventory
        .containers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let migration = migration::plan(inventory, target, decisions, &HostIdFiles::default())?;
    let doc = document::build(&BuildInput {
        inventory,
        target,
        names: &names,
        decisions,
        assessment: &assessment(loaded),
        generated: &migration.generated,
    });
    Ok((doc, migration))
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    Written(String),
    /// The file exists with other content and `overwrite` was not given: nothing written.
    Exists,
}

/// Write the plan to `path` (`.json` for JSON, else YAML).
pub fn export_plan(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    path: &Path,
    overwrite: bool,
) -> Result<Exported> {
    let (doc, _) = plan_document(loaded, target, decisions)?;
    let text = doc.render(Format::for_path(path))?;
    if !overwrite
        && let Ok(current) = std::fs::read(path)
        && current != text.as_bytes()
    {
        return Ok(Exported::Exists);
    }
    let changed = output::write_single(path, &text, 0o644, overwrite)?;
    let included = doc.containers.iter().filter(|c| c.decision.include).count();
    Ok(Exported::Written(format!(
        "Plan {} ({included} of {} containers): {}; apply it with `unroot generate --plan {} --out DIR`",
        if changed { "written" } else { "unchanged" },
        doc.containers.len(),
        path.display(),
        path.display()
    )))
}

/// Everything `w` writes: the same bundle as `unroot generate --plan` (units, subid lines,
/// scripts, REPORT.md and the plan copy).
fn output_set(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> Result<Vec<GeneratedFile>> {
    let (doc, migration) = plan_document(loaded, target, decisions)?;
    let mut doc = doc;
    // Like `unroot generate` without a timestamp: the same decisions give the same bytes.
    doc.source.captured_at = None;
    let text = doc.render(Format::Yaml)?;
    Ok(output_files(
        &loaded.inventory,
        &doc,
        &PlanCopy {
            name: Format::Yaml.copy_name(),
            text: &text,
        },
        &migration,
    ))
}

/// What `w` would write into `dir`, compared with what is there; writes nothing.
pub fn review_write(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    dir: &Path,
) -> Result<WriteReview> {
    let files = output_set(loaded, target, decisions)?;
    // The writer's own plan of the write, so the review says exactly what `y` will do.
    let planned = output::review(dir, &files)?;
    let mut reviewed: Vec<(String, FileStatus)> = planned
        .into_iter()
        .filter_map(|(path, action)| {
            let status = match action {
                output::Action::Create => FileStatus::New,
                output::Action::Keep | output::Action::FixMode => FileStatus::Same,
                output::Action::Update => FileStatus::Differs,
                output::Action::Conflict => FileStatus::Edited,
                // Stale files of an earlier run are not part of what is written.
                output::Action::RemoveStale | output::Action::KeepStale => return None,
            };
            Some((path, status))
        })
        .collect();
    // Files that would replace something first: they are what the operator must look at.
    reviewed.sort_by_key(|(path, status)| {
        let rank = match status {
            FileStatus::Edited => 0,
            FileStatus::Differs => 1,
            FileStatus::New => 2,
            FileStatus::Same => 3,
        };
        (rank, path.clone())
    });
    Ok(WriteReview {
        dir: dir.to_path_buf(),
        files: reviewed,
        refused: None,
    })
}

/// Write the migration files. Without `overwrite` the writer refuses (writing nothing) when
/// a file it did not write, or that was edited since, would be replaced.
pub fn write(
    loaded: &Loaded,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    dir: &Path,
    overwrite: bool,
) -> Result<String> {
    let files = output_set(loaded, target, decisions)?;
    let outcome = output::write_files(dir, &files, overwrite)?;
    Ok(format!(
        "{} written, {} unchanged in {}{}; review REPORT.md, then run migrate.sh (dry run first)",
        outcome.written.len(),
        outcome.unchanged.len(),
        dir.display(),
        if outcome.removed.is_empty() {
            String::new()
        } else {
            format!(", {} stale removed", outcome.removed.len())
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PrivilegedPortPolicy;
    use crate::tui::fixtures::loaded;

    fn decisions_with_remap(loaded: &Loaded) -> BTreeMap<String, ContainerDecision> {
        let mut decisions: BTreeMap<String, ContainerDecision> = loaded
            .inventory
            .containers
            .iter()
            .map(|c| (c.name.clone(), ContainerDecision::default_for(c)))
            .collect();
        let web = decisions.get_mut("blog-web").unwrap();
        web.ports = PrivilegedPortPolicy::Remap {
            ports: BTreeMap::from([(80, 10080), (443, 10443)]),
        };
        decisions.get_mut("node-exporter").unwrap().include = false;
        decisions
    }

    #[test]
    fn exported_plan_carries_the_decisions_and_refuses_to_replace_other_content() {
        let loaded = loaded();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.yaml");
        let decisions = decisions_with_remap(&loaded);
        let target = default_target();
        let done = export_plan(&loaded, &target, &decisions, &path, false).unwrap();
        assert!(
            matches!(done, Exported::Written(ref s) if s.contains("4 of 5")),
            "{done:?}"
        );
        let read = crate::plan::load::read(&path).unwrap();
        let back = read.document.decisions(&loaded.inventory);
        assert_eq!(back["blog-web"].ports, decisions["blog-web"].ports);
        assert!(!back["node-exporter"].include);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("hunter2-fixture-secret"),
            "secret values never reach the plan"
        );

        std::fs::write(&path, "edited by hand\n").unwrap();
        assert_eq!(
            export_plan(&loaded, &target, &decisions, &path, false).unwrap(),
            Exported::Exists
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand\n");
        export_plan(&loaded, &target, &decisions, &path, true).unwrap();
        assert_ne!(std::fs::read_to_string(&path).unwrap(), "edited by hand\n");
    }

    #[test]
    fn write_reviews_first_and_never_replaces_edited_files_without_overwrite() {
        let loaded = loaded();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let decisions = decisions_with_remap(&loaded);
        let target = default_target();
        let review = review_write(&loaded, &target, &decisions, &out).unwrap();
        assert!(!out.exists(), "a review writes nothing");
        assert!(review.files.iter().all(|(_, s)| *s == FileStatus::New));
        let paths: Vec<&str> = review.files.iter().map(|(p, _)| p.as_str()).collect();
        for expected in ["migrate.sh", "REPORT.md", "quadlet/blog-web.container"] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        assert!(
            !paths.iter().any(|p| p.contains("node-exporter")),
            "excluded"
        );

        write(&loaded, &target, &decisions, &out, false).unwrap();
        let unit = std::fs::read_to_string(out.join("quadlet/blog-web.container")).unwrap();
        assert!(unit.contains("10080:80"), "{unit}");
        let again = review_write(&loaded, &target, &decisions, &out).unwrap();
        assert!(again.files.iter().all(|(_, s)| *s == FileStatus::Same));

        std::fs::write(out.join("quadlet/blog-web.container"), "# mine\n").unwrap();
        let edited = review_write(&loaded, &target, &decisions, &out).unwrap();
        assert_eq!(edited.differing(), 1);
        assert_eq!(edited.edited(), ["quadlet/blog-web.container"]);
        assert_eq!(edited.files[0].0, "quadlet/blog-web.container");
        let refused = write(&loaded, &target, &decisions, &out, false).unwrap_err();
        assert!(format!("{refused:#}").contains("quadlet/blog-web.container"));
        assert_eq!(
            std::fs::read_to_string(out.join("quadlet/blog-web.container")).unwrap(),
            "# mine\n"
        );
        write(&loaded, &target, &decisions, &out, true).unwrap();
        assert!(
            std::fs::read_to_string(out.join("quadlet/blog-web.container"))
                .unwrap()
                .contains("10080:80")
        );
    }
}
