#!/usr/bin/env python3
"""The reviewer's edits to the plan unroot wrote, as a person would make them in an editor
(text edits of the YAML, so the plan loader sees exactly what a human would save):

1. the target user's subordinate range moves to a range of its own, so it can never overlap
   another caller's user in the shared rootless root (migrate.sh refuses overlaps);
2. one container's privileged port is remapped instead of lowering the sysctl;
3. optionally, one container's secret-looking variables go to Podman secrets
   (`secrets: podman_secret`) instead of the env file.

usage: edit-plan.py PLAN USER SUBID_START SUBID_COUNT CONTAINER DOCKER_PORT NEW_PORT
                    [SECRETS_CONTAINER]
"""
import re
import sys


def entry_of(text, container, path):
    """The container's entry in the plan, up to the next one."""
    entry = re.compile(r"(\n- name: " + re.escape(container) + r"\n.*?)(?=\n- name: |\n# ----|\Z)",
                       re.S)
    m = entry.search(text)
    if not m:
        sys.exit(f"edit-plan: no container {container} in {path}")
    return m


def main():
    path, user, start, count, container, docker_port, new_port = sys.argv[1:8]
    secrets_container = sys.argv[8] if len(sys.argv) > 8 else None
    text = open(path).read()

    block = re.compile(r"(\n  subid_ranges:\n    " + re.escape(user)
                       + r":\n      start: )\d+(\n      count: )\d+\n")
    text, n = block.subn(lambda m: m.group(1) + start + m.group(2) + count + "\n", text)
    if n != 1:
        sys.exit(f"edit-plan: no target.subid_ranges block for {user} in {path}")

    # The container's entry; inside it the `ports:` decision.
    m = entry_of(text, container, path)
    body = m.group(1)
    new_body, n = re.subn(r"\n    ports:\n      policy: sysctl\n",
                          f"\n    ports:\n      policy: remap\n      ports:\n"
                          f"        {docker_port}: {new_port}\n", body)
    if n != 1:
        sys.exit(f"edit-plan: {container}'s decision has no `ports: policy: sysctl` to remap")
    text = text[:m.start(1)] + new_body + text[m.end(1):]

    if secrets_container:
        m = entry_of(text, secrets_container, path)
        new_body, n = re.subn(r"\n    secrets: env_file\n", "\n    secrets: podman_secret\n",
                              m.group(1))
        if n != 1:
            sys.exit(f"edit-plan: {secrets_container}'s decision has no `secrets: env_file`")
        text = text[:m.start(1)] + new_body + text[m.end(1):]
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
