//! Before the maintenance window: is this target ready for the plan? Pure functions.

use super::check::Check;
use super::expect::Expectations;
use super::facts::{AppArmorState, TargetFacts};
use super::host_checks::{self, When};
use super::images::image_present;

/// Every readiness check, host-level first, then names and images.
pub fn readiness(expect: &Expectations, facts: &TargetFacts) -> Vec<Check> {
    let mut out = host_checks::all(expect, facts, When::Before);
    out.push(container_names(expect, facts));
    out.push(volume_names(expect, facts));
    out.push(network_names(expect, facts));
    out.extend(images(expect, facts));
    out.extend(apparmor_profiles(expect, facts));
    out
}

/// The AppArmor profiles the units name are loaded on the target: Podman refuses to start
/// a container whose profile is missing. `None` when no unit names one.
pub fn apparmor_profiles(expect: &Expectations, facts: &TargetFacts) -> Option<Check> {
    const ID: &str = "apparmor-profiles";
    let mut wanted: Vec<(&str, &str)> = expect
        .containers
        .iter()
        .filter_map(|c| Some((c.apparmor_profile.as_deref()?, c.docker_name.as_str())))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    wanted.sort_unstable();
    let named = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(p, c)| format!("{p} ({c})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let load = "load it with `apparmor_parser -r /etc/apparmor.d/PROFILE` (copy the profile file from the Docker host), or set the container's profile back to the default";
    Some(match &facts.host_files.apparmor {
        AppArmorState::Loaded(loaded) => {
            let missing: Vec<(&str, &str)> = wanted
                .iter()
                .copied()
                .filter(|(p, _)| !loaded.iter().any(|l| l == p))
                .collect();
            if missing.is_empty() {
                Check::pass(ID, format!("AppArmor profiles loaded: {}", named(&wanted)))
            } else {
                Check::fail(
                    ID,
                    format!(
                        "AppArmor profiles not loaded on the target: {}",
                        named(&missing)
                    ),
                    load,
                )
            }
        }
        AppArmorState::Disabled => Check::warn(
            ID,
            format!(
                "AppArmor is not enabled on the target, so these profiles cannot be checked or applied: {}",
                named(&wanted)
            ),
            "enable AppArmor on the target (security=apparmor) and load the profiles, or accept running these containers without them",
        ),
        AppArmorState::Unreadable | AppArmorState::Unknown => Check::warn(
            ID,
            format!(
                "the loaded AppArmor profiles could not be read ({}), so these are unchecked: {}",
                "/sys/kernel/security/apparmor/profiles needs root",
                named(&wanted)
            ),
            "run `unroot verify --phase readiness` as root on the target",
        ),
    })
}

/// Quadlet runs `podman run --replace`: an existing container with a planned name would be
/// silently replaced, so any clash fails.
pub fn container_names(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "container-names";
    let clashes: Vec<String> = expect
        .containers
        .iter()
        .flat_map(|c| c.candidate_names())
        .filter(|name| facts.container_named(name).is_some())
        .collect();
    if clashes.is_empty() {
        return Check::pass(
            ID,
            format!(
                "none of the {} planned container names exists",
                expect.containers.len()
            ),
        );
    }
    Check::fail(
        ID,
        format!(
            "containers already exist with planned names: {} (quadlet would replace them)",
            clashes.join(", ")
        ),
        format!(
            "inspect them (`podman ps -a --filter name=...`), then remove (`podman rm {}`) or rename them",
            clashes.join(" ")
        ),
    )
}

/// The planned names (`planned`, of `what`: "volumes", "networks") that already exist on
/// the target, or the pass when none does.
fn existing<'a>(
    id: &str,
    what: &str,
    planned: &'a std::collections::BTreeSet<String>,
    present: &[String],
) -> Result<Check, Vec<&'a str>> {
    let clashes: Vec<&str> = planned
        .iter()
        .filter(|name| present.contains(name))
        .map(String::as_str)
        .collect();
    if clashes.is_empty() {
        return Ok(Check::pass(
            id,
            format!("none of the {} planned {what} exists", planned.len()),
        ));
    }
    Err(clashes)
}

/// An existing volume would receive the imported data on top of what it holds.
pub fn volume_names(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "volume-names";
    existing(ID, "volumes", &expect.volumes, &facts.volumes).unwrap_or_else(|clashes| {
        Check::fail(
            ID,
            format!(
                "volumes already exist: {} (the data import would mix with their contents)",
                clashes.join(", ")
            ),
            format!(
                "back them up (`podman volume export`), then `podman volume rm {}`, or rename the volume in the plan",
                clashes.join(" ")
            ),
        )
    })
}

/// Quadlet `.network` units reuse an existing network of the same name with its settings.
pub fn network_names(expect: &Expectations, facts: &TargetFacts) -> Check {
    const ID: &str = "network-names";
    existing(ID, "networks", &expect.networks, &facts.networks).unwrap_or_else(|clashes| {
        Check::warn(
            ID,
            format!(
                "networks already exist: {} (the units would join them with their current subnet and options)",
                clashes.join(", ")
            ),
            format!(
                "check `podman network inspect {}`; remove them if they are stale",
                clashes.join(" ")
            ),
        )
    })
}

/// One check per planned image: present, or what migrate.sh will transfer.
pub fn images(expect: &Expectations, facts: &TargetFacts) -> Vec<Check> {
    let mut seen = std::collections::BTreeSet::new();
    expect
        .containers
        .iter()
        .filter(|c| seen.insert(c.image.clone()))
        .map(|c| {
            let id = format!("image:{}", c.image);
            if image_present(&c.image, facts) {
                Check::pass(id, format!("{} is present on the target", c.image))
            } else {
                Check::warn(
                    id,
                    format!("{} is not on the target yet: it needs a transfer", c.image),
                    format!(
                        "migrate.sh --apply transfers it; by hand: `docker save {} | podman load` as {}",
                        c.docker_image, expect.user
                    ),
                )
            }
        })
        .collect()
}
