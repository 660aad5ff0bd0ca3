//! Property: arbitrary environment values and command arguments (with `%`, `$`, quotes,
//! backslashes, spaces, tabs, Unicode) written by unroot, converted by the real quadlet
//! generator and read back from `ExecStart=` with systemd's rules, equal the originals.
//!
//! Each case generates several containers at once so the real generator runs once per
//! case (64 cases by default; PROPTEST_CASES overrides).

mod common;
mod generate_support;

use std::collections::BTreeMap;

use generate_support::{assert_all_converted, dry_run, exec_start, target};
use proptest::prelude::*;
use unroot::generate::generate;
use unroot::model::{Container, EnvOrigin, EnvVar, Inventory, SNAPSHOT_SCHEMA};

/// Characters that exercise every escaping rule, plus ordinary text.
fn text(min: usize) -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        6 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('0', '9'),
        8 => proptest::sample::select(vec![
            ' ', '\t', '%', '$', '{', '}', '"', '\'', '\\', '=', ';', '#', '`', '&', '|', '*', '~', ':', ',',
            'ü', 'é', '日', '😀', '\u{a0}', '\u{2028}', '-', '/',
        ]),
    ];
    proptest::collection::vec(chars, min..12).prop_map(|v| v.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Case {
    args: Vec<String>,
    env: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(text(1), 1..5),
        proptest::collection::vec(text(0), 0..4),
    )
        .prop_map(|(args, env)| Case { args, env })
}

fn container(i: usize, case: &Case) -> Container {
    Container {
        id: format!("{i:064x}"),
        name: format!("c{i}"),
        image: "busybox:1".into(),
        command: Some(case.args.clone()),
        env: case
            .env
            .iter()
            .enumerate()
            .map(|(j, v)| EnvVar {
                name: format!("V{j}"),
                value: v.clone(),
                origin: EnvOrigin::Container,
            })
            .collect(),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn env_and_args_survive_quadlet_and_systemd(cases in proptest::collection::vec(case(), 6)) {
        let Some(bin) = common::quadlet_bin() else { return Ok(()) };
        let inventory = Inventory {
            schema: SNAPSHOT_SCHEMA.into(),
            containers: cases.iter().enumerate().map(|(i, c)| container(i, c)).collect(),
            ..Default::default()
        };
        let generated = generate(&inventory, &target("5.4"), &BTreeMap::new()).unwrap();
        let run = dry_run(&bin, &generated.files);
        assert_all_converted(&run, &generated.files);
        for (i, case) in cases.iter().enumerate() {
            let argv = exec_start(&run, &format!("c{i}.service"));
            let image = argv.iter().position(|a| a == "docker.io/library/busybox:1").unwrap();
            prop_assert_eq!(&argv[image + 1..], &case.args[..]);
            let envs: Vec<&String> = argv.windows(2).filter(|w| w[0] == "--env").map(|w| &w[1]).collect();
            for (j, value) in case.env.iter().enumerate() {
                let want = format!("V{j}={value}");
                prop_assert!(envs.contains(&&want), "missing {:?} in {:?}", want, envs);
            }
            prop_assert_eq!(envs.len(), case.env.len());
        }
    }
}
