//! Which containers are cut over together, and in which order.
//!
//! A compose project moves as one group; so do containers that share a Docker volume (its
//! data is copied once, while every writer is stopped), a pod, or a network namespace
//! (`--network container:x`). Groups run in the order of their first unit; inside a group
//! dependencies (`depends_on`) start first.

use std::collections::{BTreeMap, HashMap};

use crate::generate::UnitPlan;
use crate::model::{Container, NetworkMode};

/// One group: indices into the unit list, in start order, and its compose project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    pub project: Option<String>,
    pub members: Vec<usize>,
}

/// Union-find over unit indices: the smallest index of a set is its root, so a group's
/// root is its first unit.
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        self.0[i] = r;
        r
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.0[hi] = lo;
    }
}

/// The keys that tie a unit to others: its project, volumes, pods and namespace peers.
fn ties(unit: &UnitPlan, docker: Option<&Container>) -> Vec<String> {
    let mut keys: Vec<String> = unit
        .volumes
        .iter()
        .map(|v| format!("volume\0{}", v.docker_volume))
        .collect();
    keys.extend(
        unit.quadlet_files
            .iter()
            .filter(|f| f.ends_with(".pod"))
            .map(|f| format!("pod\0{f}")),
    );
    if let Some(c) = docker {
        if let Some(p) = &c.compose {
            keys.push(format!("project\0{}", p.project));
        }
        if let NetworkMode::Container(peer) = &c.network_mode {
            keys.push(format!("container\0{peer}"));
        }
        for own in [&c.name, &c.id].into_iter().filter(|x| !x.is_empty()) {
            keys.push(format!("container\0{own}"));
        }
    }
    keys
}

/// Group the units and order each group's members.
pub fn group(units: &[UnitPlan], containers: &HashMap<&str, &Container>) -> Vec<Grouping> {
    let mut sets = Sets((0..units.len()).collect());
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        for key in ties(u, containers.get(u.container.as_str()).copied()) {
            match first.get(&key) {
                Some(&j) => sets.union(i, j),
                None => {
                    first.insert(key, i);
                }
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..units.len() {
        let root = sets.find(i);
        by_root.entry(root).or_default().push(i);
    }
    by_root
        .into_values()
        .map(|members| {
            let docker = |i: usize| containers.get(units[i].container.as_str()).copied();
            let projects: Vec<Option<&str>> = members
                .iter()
                .map(|&i| {
                    docker(i)
                        .and_then(|c| c.compose.as_ref())
                        .map(|p| p.project.as_str())
                })
                .collect();
            let project = projects
                .first()
                .copied()
                .flatten()
                .filter(|p| projects.iter().all(|x| *x == Some(*p)))
                .map(str::to_string);
            Grouping {
                project,
                members: start_order(&members, &docker),
            }
        })
        .collect()
}

/// Members ordered so every `depends_on` service starts before its dependents; ties and
/// cycles keep the unit order.
fn start_order<'a>(
    members: &[usize],
    docker: &dyn Fn(usize) -> Option<&'a Container>,
) -> Vec<usize> {
    let service_of = |i: usize| {
        docker(i)
            .and_then(|c| c.compose.as_ref())
            .and_then(|p| p.service.clone().map(|s| (p.project.clone(), s)))
    };
    let by_service: HashMap<(String, String), usize> = members
        .iter()
        .filter_map(|&i| service_of(i).map(|k| (k, i)))
        .collect();
    let deps = |i: usize| -> Vec<usize> {
        let Some(p) = docker(i).and_then(|c| c.compose.as_ref()) else {
            return Vec::new();
        };
        p.depends_on
            .iter()
            .filter_map(|d| {
                by_service
                    .get(&(p.project.clone(), d.service.clone()))
                    .copied()
            })
            .filter(|&d| d != i)
            .collect()
    };
    let mut placed: Vec<usize> = Vec::with_capacity(members.len());
    let mut left: Vec<usize> = members.to_vec();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|&i| deps(i).iter().all(|d| placed.contains(d)))
            .unwrap_or(0);
        placed.push(left.remove(ready));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{ImageTransfer, TransferMethod, VolumeMove};
    use crate::model::ComposeInfo;

    fn unit(name: &str, volumes: &[&str]) -> UnitPlan {
        UnitPlan {
            container: name.into(),
            unit: name.into(),
            user: "app".into(),
            image: ImageTransfer {
                docker_ref: "x".into(),
                podman_ref: "localhost/x".into(),
                method: TransferMethod::Load,
                digest: None,
                pinned: false,
            },
            volumes: volumes
                .iter()
                .map(|v| VolumeMove {
                    docker_volume: (*v).into(),
                    podman_volume: (*v).into(),
                    destination: "/d".into(),
                    service: format!("{v}-volume.service"),
                })
                .collect(),
            chown_binds: vec![],
            ports: vec![],
            start_at_boot: true,
            env_file: None,
            quadlet_files: vec![],
            seccomp_file: None,
            apparmor_profile: None,
            runs_once: false,
            auto_update: Default::default(),
            podman_secrets: vec![],
        }
    }

    fn container(name: &str, project: Option<(&str, &str, &[&str])>) -> Container {
        Container {
            name: name.into(),
            id: format!("id-{name}"),
            compose: project.map(|(p, s, d)| ComposeInfo {
                project: p.into(),
                service: Some(s.into()),
                depends_on: d
                    .iter()
                    .map(|x| {
                        crate::model::ComposeDependency::new(
                            *x,
                            crate::model::DependencyCondition::ServiceStarted,
                        )
                    })
                    .collect(),
                working_dir: None,
                config_files: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn projects_and_shared_volumes_form_groups_in_dependency_order() {
        let units = vec![
            unit("app-web-1", &[]),
            unit("app-db-1", &["pg"]),
            unit("backup", &["pg"]),
            unit("lone", &["own"]),
            unit("app-cache-1", &[]),
        ];
        let docker = [
            container("app-web-1", Some(("app", "web", &["db", "cache"]))),
            container("app-db-1", Some(("app", "db", &[]))),
            container("backup", None),
            container("lone", None),
            container("app-cache-1", Some(("app", "cache", &["db"]))),
        ];
        let map: HashMap<&str, &Container> = docker.iter().map(|c| (c.name.as_str(), c)).collect();
        let groups = group(&units, &map);
        let names: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .map(|&i| units[i].container.as_str())
                    .collect()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["app-db-1", "backup", "app-cache-1", "app-web-1"],
                vec!["lone"],
            ]
        );
        // `backup` shares the project's volume but is not part of it.
        assert_eq!(groups[0].project, None);
        assert_eq!(groups[1].project, None);
        let only_project = group(&units[..2], &map);
        assert_eq!(only_project[0].project.as_deref(), Some("app"));
    }
}
