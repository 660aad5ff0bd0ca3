//! The TUI's loader task against the real Docker engine: progress messages (containers
//! inspected / total) arrive before the loaded host, and the loaded host matches
//! `docker ps -aq`. A bad endpoint arrives as a failure message with exit code 3.

mod common;

use std::process::Command;

use tokio::sync::mpsc::unbounded_channel;
use unroot::cli::GlobalArgs;
use unroot::tui::event::spawn_loader;
use unroot::tui::msg::Msg;

fn docker_container_count() -> usize {
    let out = Command::new("docker")
        .args(["ps", "-aq"])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[tokio::test]
async fn loader_reports_progress_then_the_assessed_host() {
    if !common::docker_available() {
        return;
    }
    let expected = docker_container_count();
    let (tx, mut rx) = unbounded_channel();
    let task = spawn_loader(GlobalArgs::default(), tx);
    let mut progress = Vec::new();
    let loaded = loop {
        match rx.recv().await.expect("the loader ends with a result") {
            Msg::Progress(p) => progress.push(p),
            Msg::Loaded(loaded) => break loaded,
            Msg::LoadFailed { message, code } => panic!("load failed ({code}): {message}"),
            other => panic!("unexpected message {other:?}"),
        }
    };
    task.await.unwrap();
    // The engine may gain or lose a container between the two reads only if other tests
    // run at the same time; the fixture fleet is static during the unit stage.
    assert_eq!(loaded.inventory.containers.len(), expected);
    assert_eq!(loaded.assessments.len(), expected);
    if expected > 0 {
        let last = progress.last().expect("progress before the result");
        assert_eq!(last.total, expected);
        assert_eq!(last.inspected, expected);
        assert!(
            progress
                .windows(2)
                .all(|w| w[0].inspected <= w[1].inspected)
        );
    }
    assert!(
        loaded.summary.containers == expected,
        "summary counts every container"
    );
}

#[tokio::test]
async fn an_unreachable_engine_arrives_as_a_failure_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let global = GlobalArgs {
        docker_host: vec![format!("unix://{}/none.sock", dir.path().display())],
        ..Default::default()
    };
    let (tx, mut rx) = unbounded_channel();
    spawn_loader(global, tx);
    loop {
        match rx.recv().await.expect("a result") {
            Msg::Progress(_) => continue,
            Msg::LoadFailed { message, code } => {
                assert_eq!(code, 3);
                assert!(message.contains("none.sock"), "{message}");
                break;
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
