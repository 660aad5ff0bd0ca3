//! `cargo bench --bench generate`: time the generators on 1000 synthetic containers
//! (target: < 200 ms) next to two baselines measured the same way: serializing the same
//! inventory to JSON (the raw cost of walking the data once) and, when the real quadlet
//! binary is present, quadlet's own dry-run conversion of the generated units.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use unroot::generate::{generate, sample};
use unroot::plan::Target;

const CONTAINERS: usize = 1000;
const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut out = f(); // warm-up
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        out = black_box(f());
        times.push(start.elapsed());
    }
    let min = *times.iter().min().unwrap();
    (median(times), min, out)
}

fn main() {
    let inventory = sample::synthetic(CONTAINERS);
    let target = Target {
        user: "alice".into(),
        project_users: BTreeMap::new(),
        create_user: false,
        podman_version: "5.4".into(),
        quadlet_dir: ".config/containers/systemd".into(),
        subid_ranges: BTreeMap::new(),
    };
    let decisions = BTreeMap::new();

    let (med, min, generated) = time(|| generate(&inventory, &target, &decisions).unwrap());
    let bytes: usize = generated.files.iter().map(|f| f.content.len()).sum();
    println!(
        "generate: {CONTAINERS} containers -> {} files ({} KiB), {} notes: median {:.1} ms, min {:.1} ms over {RUNS} runs (target < 200 ms)",
        generated.files.len(),
        bytes / 1024,
        generated.notes.len(),
        med.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );

    let (med, min, json) = time(|| serde_json::to_string(&inventory).unwrap());
    println!(
        "baseline serde_json::to_string(inventory): {} KiB, median {:.1} ms, min {:.1} ms",
        json.len() / 1024,
        med.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );

    let bin = std::env::var_os("UNROOT_QUADLET_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/var/cache/unroot-test/podman-5.4.2/usr/libexec/podman/quadlet".into());
    if bin.is_file() {
        let dir = tempfile::tempdir().unwrap();
        for f in &generated.files {
            let dest = match f.path.strip_prefix("quadlet/") {
                Some(name) => dir.path().join(name),
                None if f.path.starts_with("env/") => dir.path().join(&f.path),
                None => continue,
            };
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::write(dest, &f.content).unwrap();
        }
        let start = Instant::now();
        let out = std::process::Command::new(&bin)
            .args(["-dryrun", "-user", "-no-kmsg-log"])
            .env("QUADLET_UNIT_DIRS", dir.path())
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        let rejected = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("converting"))
            .count();
        println!(
            "baseline quadlet 5.4.2 -dryrun on the same units (one run, includes process start): {:.1} ms, {rejected} rejected",
            elapsed.as_secs_f64() * 1e3
        );
    } else {
        println!(
            "baseline quadlet: skipped ({} not found; run scripts/get-quadlet.sh)",
            bin.display()
        );
    }
}
