//! Engine events re-read only the containers they name (issue 15): against the real Docker
//! engine, a container created after the host was loaded is read on its own and comes out
//! exactly as a whole read normalizes it; once removed, re-reading it drops its row, and a
//! destroy event drops the row without a read.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;

use tokio::sync::mpsc::unbounded_channel;
use unroot::cli::GlobalArgs;
use unroot::tui::event::{spawn_loader, spawn_reread};
use unroot::tui::msg::Msg;
use unroot::tui::state::Loaded;

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

async fn load() -> Box<Loaded> {
    let (tx, mut rx) = unbounded_channel();
    spawn_loader(GlobalArgs::default(), tx);
    loop {
        match rx.recv().await.expect("the loader answers") {
            Msg::Progress(_) => continue,
            Msg::Loaded(loaded) => return loaded,
            other => panic!("load failed: {other:?}"),
        }
    }
}

async fn reread(base: &Loaded, read: &[&str], gone: &[&str]) -> Box<Loaded> {
    let set = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
    let (tx, mut rx) = unbounded_channel();
    spawn_reread(
        &GlobalArgs::default(),
        Arc::new(base.clone()),
        set(read),
        set(gone),
        7,
        tx,
    );
    match rx.recv().await.expect("the re-read answers") {
        Msg::Reread {
            generation: 7,
            result: Ok(loaded),
        } => loaded,
        other => panic!("re-read failed: {other:?}"),
    }
}

/// Removes the container even when an assertion fails.
struct Remove(String);
impl Drop for Remove {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

#[tokio::test]
async fn a_reread_reads_one_container_as_a_whole_read_does() {
    if !common::docker_available() {
        return;
    }
    let base = load().await;
    let name = format!("unroot-reread-{}", std::process::id());
    let _cleanup = Remove(name.clone());
    let id = docker(&[
        "create",
        "--name",
        &name,
        "--label",
        "unroot.test=reread",
        "-p",
        "127.0.0.1:18081:80",
        "-e",
        "GREETING=hello",
        "busybox:latest",
        "sleep",
        "60",
    ]);
    assert!(
        base.inventory.container(&name).is_none(),
        "not there before"
    );

    let updated = reread(&base, &[&id], &[]).await;
    let whole = load().await;
    let from_reread = updated.inventory.container(&name).expect("the new row");
    let from_whole = whole.inventory.container(&name).expect("in a whole read");
    assert_eq!(from_reread, from_whole, "normalized the same way");
    assert_eq!(from_reread.id, id);
    assert_eq!(
        updated.inventory.containers.len(),
        base.inventory.containers.len() + 1,
        "the other containers stay as they were"
    );
    let index = updated
        .inventory
        .containers
        .iter()
        .position(|c| c.name == name)
        .unwrap();
    assert_eq!(
        updated.assessments[index].container_name, name,
        "assessed with the rest"
    );

    // Removed: reading it again finds it gone, and a destroy event drops it unread.
    docker(&["rm", "-f", &id]);
    let after_rm = reread(&updated, &[&id], &[]).await;
    assert!(after_rm.inventory.container(&name).is_none());
    assert_eq!(
        after_rm.inventory.containers.len(),
        base.inventory.containers.len()
    );
    let destroyed = reread(&updated, &[], &[&id]).await;
    assert!(destroyed.inventory.container(&name).is_none());
}
