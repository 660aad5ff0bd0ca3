#!/usr/bin/env python3
"""Compare two snapshots of the Docker host taken by scripts/e2e.sh (before and after the
migration), plus the engine's event stream in between, and allow only what migrate.sh
documents: the migrated containers are stopped and their restart policy is set to "no" (so
Docker does not start them again next to their rootless copies), and their images are saved.
Everything else about the fixture objects must be identical (every other container field, the
volume, the network, the images), and no event may touch them otherwise (no container created
from their images, no volume mounted by a helper container, nothing removed or tagged).

Other fleets may run on the same engine at the same time: only events that reference the
fixture objects count.

With --restored (after rollback.sh), the containers must be back as they were: running when
they ran before, with their original restart policy; starting them again (start, connect,
mount events) is then allowed too.

usage: docker-diff.py BEFORE.json AFTER.json EVENTS.jsonl [--restored]
Exit 0 and print a one-line summary when only documented changes happened; exit 1 and print
each difference otherwise.
"""
import json
import sys

# Runtime state that changes when a container stops (not configuration).
RUNTIME_NETWORK_FIELDS = {
    "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
    "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts", "IPAMConfig",
}


def container_config(c):
    """The container without its run state; network membership and aliases are kept."""
    c = json.loads(json.dumps(c))
    c.pop("State", None)
    ns = c.pop("NetworkSettings", {}) or {}
    c["Networks"] = {
        name: {k: v for k, v in (net or {}).items() if k not in RUNTIME_NETWORK_FIELDS}
        for name, net in (ns.get("Networks") or {}).items()
    }
    return c


def diff(path, a, b, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            diff(f"{path}.{k}", a.get(k), b.get(k), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(f"{path}[{i}]", x, y, out)
    elif a != b:
        out.append(f"{path}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}")


# The only engine events migrate.sh may cause on a fixture object.
ALLOWED_EVENTS = {
    ("container", "kill"), ("container", "die"), ("container", "stop"), ("container", "update"),
    ("network", "disconnect"), ("volume", "unmount"), ("image", "save"),
}


# What rollback.sh adds: the containers are started again.
RESTORE_EVENTS = {("container", "start"), ("network", "connect"), ("volume", "mount")}


def check_events(path, before, problems, allowed):
    """Every event that references a fixture object must be one of `allowed`."""
    ours = {c["Id"] for c in before["containers"]}
    ours |= {v["Name"] for v in before["volumes"]}
    ours |= {n["Id"] for n in before["networks"]}
    ours |= {i["Id"] for i in before["images"]}
    ours |= {t for i in before["images"] for t in i.get("RepoTags") or []}
    counts = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            kind, action = ev.get("Type"), ev.get("Action", "").split(":")[0]
            actor = ev.get("Actor") or {}
            attrs = actor.get("Attributes") or {}
            refs = {actor.get("ID"), attrs.get("container"), attrs.get("image"), attrs.get("name")}
            if not refs & ours:
                continue
            if (kind, action) in allowed:
                counts[f"{kind} {action}"] = counts.get(f"{kind} {action}", 0) + 1
            else:
                problems.append(f"event {kind} {action} on {attrs.get('name') or actor.get('ID')}")
    return counts


def main():
    before = json.load(open(sys.argv[1]))
    after = json.load(open(sys.argv[2]))
    restored = sys.argv[4:] == ["--restored"]
    problems, stopped, restart_no = [], [], []

    allowed = ALLOWED_EVENTS | (RESTORE_EVENTS if restored else set())
    counts = check_events(sys.argv[3], before, problems, allowed)
    diff("images", before["images"], after["images"], problems)
    diff("volumes", before["volumes"], after["volumes"], problems)
    for nets in (before["networks"], after["networks"]):
        for n in nets:
            n.pop("Containers", None)  # which containers are attached right now: run state
    diff("networks", before["networks"], after["networks"], problems)

    after_by_id = {c["Id"]: c for c in after["containers"]}
    for b in before["containers"]:
        name = b["Name"].lstrip("/")
        a = after_by_id.get(b["Id"])
        if a is None:
            problems.append(f"container {name} disappeared")
            continue
        if restored:
            if a["State"]["Running"] != b["State"]["Running"]:
                problems.append(f"container {name}: running {a['State']['Running']}, "
                                f"before the migration {b['State']['Running']}")
            if a["HostConfig"]["RestartPolicy"] != b["HostConfig"]["RestartPolicy"]:
                problems.append(f"container {name}: restart policy {a['HostConfig']['RestartPolicy']}"
                                f" not restored to {b['HostConfig']['RestartPolicy']}")
        else:
            if a["State"]["Running"]:
                problems.append(f"container {name} is still running (migrate.sh stops it)")
            elif b["State"]["Running"]:
                stopped.append(name)
            policy = a["HostConfig"]["RestartPolicy"]["Name"]
            if policy not in ("no", ""):
                problems.append(f"container {name} restart policy is {policy!r}, migrate.sh sets 'no'")
            elif b["HostConfig"]["RestartPolicy"]["Name"] not in ("no", ""):
                restart_no.append(name)
        bc, ac = container_config(b), container_config(a)
        bc["HostConfig"].pop("RestartPolicy", None)
        ac["HostConfig"].pop("RestartPolicy", None)
        diff(f"container {name}", bc, ac, problems)

    if problems:
        print("\n".join(problems))
        return 1
    events = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"
    if restored:
        print(f"{len(before['containers'])} containers back as before (state, restart policy), "
              f"nothing else changed; fixture events: {events}")
        return 0
    print(f"{len(stopped)} containers stopped, {len(restart_no)} set to restart=no, "
          f"nothing else changed; fixture events: {events}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
