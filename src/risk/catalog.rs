//! The rules catalog: every rule's operator-facing words, embedded from `assets/rules.yaml`.
//!
//! Keeping the text as data means a wording fix or a new reference never touches rule logic,
//! and SARIF/Markdown/JSON all describe a rule from the same source.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{Migration, Severity};

/// Schema tag of `assets/rules.yaml`.
pub const CATALOG_SCHEMA: &str = "unroot.rules/v1";

const CATALOG_YAML: &str = include_str!("../../assets/rules.yaml");

/// Whether a rule looks at one container or at the host as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Container,
    Host,
}

/// How to fix a finding, under rootful Docker and after the move to rootless Podman.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub docker: String,
    pub podman: String,
}

/// One rule's catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub id: String,
    pub scope: Scope,
    pub title: String,
    /// Default severity; a finding may carry a different one (and says why in its detail).
    pub severity: Severity,
    pub cis: Option<String>,
    /// Default rootless verdict; a finding may carry a different one.
    pub migration: Migration,
    pub explanation: String,
    pub remediation: Remediation,
    pub references: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    schema: String,
    rules: Vec<RuleInfo>,
}

/// The parsed catalog, in file order.
#[derive(Debug)]
pub struct Catalog {
    rules: Vec<RuleInfo>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    // The YAML is compiled in and checked by `catalog_parses_and_is_consistent`; a failure
    // here is a build defect, never an input error.
    parse(CATALOG_YAML).unwrap_or_else(|err| panic!("embedded assets/rules.yaml: {err}"))
});

fn parse(text: &str) -> Result<Catalog, String> {
    let file: CatalogFile = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    if file.schema != CATALOG_SCHEMA {
        return Err(format!(
            "schema {:?}, expected {CATALOG_SCHEMA:?}",
            file.schema
        ));
    }
    Ok(Catalog { rules: file.rules })
}

/// The embedded catalog.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

impl Catalog {
    /// Every rule, in catalog order (CIS, escapes, rootless, host).
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Position of a rule in [`Catalog::rules`] (SARIF `ruleIndex`).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }
}

/// Stands in for a rule this build does not know, e.g. a finding read back from a plan
/// written by a newer unroot: reports degrade to the bare id instead of failing.
static UNKNOWN: LazyLock<RuleInfo> = LazyLock::new(|| RuleInfo {
    id: String::new(),
    scope: Scope::Container,
    title: "Rule not known to this unroot version".to_string(),
    severity: Severity::Info,
    cis: None,
    migration: Migration::Ok,
    explanation: "This finding names a rule that is not in this build's catalog; it was \
        probably written by a newer unroot. Re-run the scan with this version."
        .to_string(),
    remediation: Remediation {
        docker: "Re-run `unroot scan` with the version that wrote the finding.".to_string(),
        podman: "Re-run `unroot scan` with the version that wrote the finding.".to_string(),
    },
    references: Vec::new(),
});

/// Look a rule up. Every registered rule has an entry (a unit test checks it); an id from
/// elsewhere gets a neutral placeholder rather than a panic.
pub fn info(id: &str) -> &'static RuleInfo {
    catalog().get(id).unwrap_or(&UNKNOWN)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn catalog_parses_and_is_consistent() {
        let catalog = parse(CATALOG_YAML).expect("assets/rules.yaml parses");
        let mut seen = BTreeSet::new();
        for rule in catalog.rules() {
            assert!(seen.insert(rule.id.clone()), "duplicate id {}", rule.id);
            assert!(
                !rule.id.is_empty()
                    && rule
                        .id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !rule.id.starts_with('-')
                    && !rule.id.ends_with('-'),
                "id {:?} is not kebab-case",
                rule.id
            );
            assert!(!rule.title.is_empty(), "{}: empty title", rule.id);
            let sentences = rule.explanation.matches(". ").count() + 1;
            assert!(
                (1..=5).contains(&sentences) && rule.explanation.len() >= 80,
                "{}: explanation should be two to four sentences",
                rule.id
            );
            assert!(!rule.remediation.docker.is_empty(), "{}", rule.id);
            assert!(!rule.remediation.podman.is_empty(), "{}", rule.id);
            assert!(!rule.references.is_empty(), "{}: no references", rule.id);
            if let Some(cis) = &rule.cis {
                assert!(
                    cis.split('.').all(|p| p.parse::<u32>().is_ok()),
                    "{}: cis {cis:?} is not N.N",
                    rule.id
                );
                assert!(
                    rule.references.iter().any(|r| r.ends_with(cis.as_str())),
                    "{}: cis {cis} is not among its references",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn unknown_ids_get_a_placeholder() {
        assert_eq!(info("privileged").id, "privileged");
        assert!(info("from-the-future").title.contains("not known"));
    }

    #[test]
    fn wrong_schema_is_refused() {
        let err = parse("schema: other\nrules: []\n").unwrap_err();
        assert!(err.contains("unroot.rules/v1"), "{err}");
    }
}
