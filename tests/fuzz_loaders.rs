//! Issue 16, proof: a bounded fuzz run of the loaders that read hostile input, the snapshot
//! loader (unroot's format and raw `docker inspect`), the plan loader (YAML and JSON, then
//! the inventory checks) and the subuid/subgid, login.defs, passwd and group parsers. Over
//! arbitrary bytes and over valid documents with bytes flipped, inserted, deleted and
//! duplicated: no panic, and every error is the one line the CLI prints (no newline, no
//! control character). Bounded: a fixed case count per property (256 by default,
//! `PROPTEST_CASES` overrides), a few seconds each; it runs in the `unit` stage.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use unroot::generate::{host_ids, subid};
use unroot::plan::load;

mod common;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // Shrinking a 100 KB document byte by byte would take minutes; the failing input is
        // printed in full anyway.
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    }
}

/// An error as `main` prints it: one line, nothing a terminal would act on.
fn one_line(err: &anyhow::Error) -> Result<(), TestCaseError> {
    let line = unroot::exit::error_line(err);
    prop_assert!(!line.trim().is_empty(), "empty error");
    prop_assert!(
        !line.chars().any(char::is_control),
        "not one clean line: {line:?}"
    );
    // The message is built as one line, not flattened by the sanitiser afterwards.
    let raw = format!("{err:#}");
    prop_assert!(!raw.contains('\n'), "a multi-line message: {raw:?}");
    prop_assert!(!panicked_text(&raw), "{raw}");
    Ok(())
}

fn panicked_text(text: &str) -> bool {
    text.contains("panicked") || text.contains("RUST_BACKTRACE")
}

/// A scratch file per property (tests run in parallel, cases one after another).
fn scratch(name: &str) -> PathBuf {
    static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());
    DIR.path().join(name)
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

// ---- valid documents to mutate ---------------------------------------------------------------

const DEMO_SNAPSHOT: &str = include_str!("../assets/demo-snapshot.json");
const RAW_INSPECT: &str = include_str!("fixtures/inspect/api-1.47-docker-27.3.json");

/// unroot's own plan of the demo host, as YAML and as JSON, written once by the binary.
static PLANS: LazyLock<(String, String)> = LazyLock::new(|| {
    let yaml = scratch("demo-plan.yaml");
    let json = scratch("demo-plan.json");
    common::ok(&[
        "plan",
        "--demo",
        "--user",
        "podman",
        "-o",
        yaml.to_str().unwrap(),
    ]);
    common::ok(&[
        "plan",
        "--demo",
        "--user",
        "podman",
        "-o",
        json.to_str().unwrap(),
    ]);
    (
        std::fs::read_to_string(yaml).unwrap(),
        std::fs::read_to_string(json).unwrap(),
    )
});

const SUBUID: &str =
    "# subordinate IDs\nroot:100000:65536\n1000:165536:65536\npodman:231072:65536\n";

/// One byte-level edit; positions are taken modulo the document's length.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Replace(usize, u8),
    Duplicate(usize, usize),
}

/// Bytes that matter to JSON, YAML and colon-separated files, and any byte at all.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => proptest::sample::select(b"{}[]:,\"'-\n\r\t #&*!|>?%@`\\0\x00\x1b".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip(at, bit)),
        (any::<usize>(), interesting_byte()).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), interesting_byte()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), 1usize..256).prop_map(|(at, n)| Edit::Duplicate(at, n)),
    ];
    proptest::collection::vec(edit, 1..8)
}

fn mutate(doc: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = doc.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % len };
        match *edit {
            Edit::Flip(i, bit) if len > 0 => bytes[at(i)] ^= 1 << bit,
            Edit::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Edit::Delete(i, n) if len > 0 => {
                let start = at(i);
                bytes.drain(start..(start + n).min(len));
            }
            Edit::Replace(i, b) if len > 0 => bytes[at(i)] = b,
            Edit::Duplicate(i, n) if len > 0 => {
                let start = at(i);
                let piece = bytes[start..(start + n).min(len)].to_vec();
                bytes.splice(start..start, piece);
            }
            _ => {}
        }
    }
    bytes
}

// ---- the checks ---------------------------------------------------------------------------

fn check_snapshot(file: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = scratch(file);
    write(&path, bytes);
    match unroot::source::read_snapshot(&path) {
        Ok(inventory) => {
            // What loaded is usable: the risk engine and the generators run on it.
            let _ = unroot::risk::assess(&inventory);
            Ok(())
        }
        Err(err) => {
            prop_assert_eq!(
                unroot::exit::code_of(&err),
                unroot::exit::USAGE,
                "{:#}",
                err
            );
            one_line(&err)
        }
    }
}

fn check_plan(file: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    static DEMO: LazyLock<unroot::model::Inventory> = LazyLock::new(unroot::source::demo);
    let path = scratch(file);
    write(&path, bytes);
    match load::read(&path) {
        Ok(plan) => {
            let shown = path.display().to_string();
            if let Err(err) =
                load::check_against(&plan.document, &DEMO, &plan.text, plan.format, &shown)
            {
                let line = err.to_string();
                prop_assert!(!line.contains('\n') && !line.is_empty(), "{line:?}");
                one_line(&anyhow::Error::new(err))?;
            }
            Ok(())
        }
        Err(err) => {
            prop_assert_eq!(
                unroot::exit::code_of(&err),
                unroot::exit::USAGE,
                "{:#}",
                err
            );
            one_line(&err)
        }
    }
}

fn check_subid(text: &str) -> Result<(), TestCaseError> {
    let file = subid::parse(text, "/etc/subuid");
    for e in &file.entries {
        prop_assert!(e.count > 0 && e.end() <= subid::MAX_ID, "{e:?}");
    }
    for problem in &file.problems {
        prop_assert!(!problem.contains('\n'), "{problem:?}");
    }
    // The allocator on whatever parsed: no panic, and no new range overlaps a parsed one of
    // another owner.
    let space = subid::IdSpace {
        file,
        ..subid::IdSpace::any_host(subid::IdKind::Uid)
    };
    let users: std::collections::BTreeMap<String, u32> = [("podman".to_owned(), 1000)].into();
    let requests = [("podman".to_owned(), subid::DEFAULT_COUNT)].into();
    let (assigned, _) = subid::allocate(&space, &space, &requests, &Default::default(), &users);
    for a in assigned.iter().filter(|a| a.uids_new) {
        let owner = subid::Owner {
            name: &a.user,
            uid: Some(1000),
        };
        prop_assert_eq!(
            subid::check_range(a.uids.start, a.uids.count, &space, &owner),
            Ok(())
        );
    }
    let mut problems = Vec::new();
    let _ = host_ids::limits(text, subid::IdKind::Uid, &mut problems);
    let _ = host_ids::passwd_users(text);
    let _ = host_ids::group_ids(text);
    for problem in &problems {
        prop_assert!(!problem.contains('\n'), "{problem:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn snapshot_loader_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check_snapshot("bytes.json", &bytes)?;
    }

    #[test]
    fn snapshot_loader_on_mutated_snapshots(edits in edits(), raw in any::<bool>()) {
        let doc = if raw { RAW_INSPECT } else { DEMO_SNAPSHOT };
        check_snapshot("mutated.json", &mutate(doc, &edits))?;
    }

    #[test]
    fn plan_loader_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096), json in any::<bool>()) {
        check_plan(if json { "bytes.json" } else { "bytes.yaml" }, &bytes)?;
    }

    #[test]
    fn plan_loader_on_mutated_plans(edits in edits(), json in any::<bool>()) {
        let (yaml_plan, json_plan) = &*PLANS;
        if json {
            check_plan("mutated-plan.json", &mutate(json_plan, &edits))?;
        } else {
            check_plan("mutated-plan.yaml", &mutate(yaml_plan, &edits))?;
        }
    }

    #[test]
    fn subid_parsers_on_arbitrary_text(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        check_subid(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn subid_parsers_on_mutated_files(edits in edits()) {
        check_subid(&String::from_utf8_lossy(&mutate(SUBUID, &edits)))?;
    }
}

/// The mutator does what the properties rely on: the valid documents load unmutated.
#[test]
fn the_valid_documents_load() {
    let snapshot = scratch("valid.json");
    for doc in [DEMO_SNAPSHOT, RAW_INSPECT] {
        write(&snapshot, doc.as_bytes());
        unroot::source::read_snapshot(&snapshot).expect("valid snapshot");
    }
    let (yaml_plan, json_plan) = &*PLANS;
    for (name, doc) in [("valid.yaml", yaml_plan), ("valid-plan.json", json_plan)] {
        let path = scratch(name);
        write(&path, doc.as_bytes());
        load::read(&path).expect("valid plan");
    }
    assert_eq!(subid::parse(SUBUID, "/etc/subuid").entries.len(), 3);
    assert_eq!(
        mutate("abc", &[Edit::Insert(3, b'd'), Edit::Delete(0, 1)]),
        b"bcd"
    );
}
