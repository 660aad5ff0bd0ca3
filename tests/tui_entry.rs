//! `unroot` without a subcommand: the TUI needs a terminal; anywhere else (a pipe, CI) it
//! prints the scan table on stdout and a hint on stderr, and never draws a full screen.

mod common;

use assert_cmd::prelude::*;
use predicates::prelude::*;

#[test]
fn without_a_terminal_it_prints_the_scan_table_and_a_hint() {
    common::unroot()
        .arg("--demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("CONTAINER").and(predicate::str::contains("traefik")))
        // No alternate screen, no cursor control: plain text for pipes.
        .stdout(predicate::str::contains("\u{1b}[?1049h").not())
        .stderr(predicate::str::contains("unroot scan").and(predicate::str::contains("terminal")));
}

#[test]
fn without_a_terminal_a_docker_error_keeps_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("missing.sock");
    common::unroot()
        .arg("--docker-host")
        .arg(format!("unix://{}", socket.display()))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("unroot: error:"));
}
