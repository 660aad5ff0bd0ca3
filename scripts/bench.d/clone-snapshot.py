#!/usr/bin/env python3
"""Clone the containers of an unroot snapshot to N, as a bigger host would have them:
copy i of a container gets its own name, ID, hostname and (for published ports) host
ports, so the plan has no conflicts the original did not have.

usage: clone-snapshot.py SNAPSHOT N OUT
"""
import copy
import json
import sys


def main():
    path, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    snap = json.load(open(path, encoding="utf-8"))
    base = snap["containers"]
    clones = []
    next_port = 10000
    for i in range(count):
        c = copy.deepcopy(base[i % len(base)])
        copy_no = i // len(base)
        if copy_no:
            c["name"] = f"{c['name']}-{copy_no}"
            c["id"] = f"{copy_no:012x}" + c["id"][12:]
            c["hostname"] = c["id"][:12]
            # Each copy publishes on ports of its own (IPv4 and IPv6 of one port together).
            moved = {}
            for p in c.get("ports", []):
                if p.get("host_port"):
                    if p["host_port"] not in moved:
                        moved[p["host_port"]] = next_port
                        next_port += 1
                    p["host_port"] = moved[p["host_port"]]
        clones.append(c)
    snap["containers"] = clones
    json.dump(snap, open(out, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
