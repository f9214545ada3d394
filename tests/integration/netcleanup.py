"""What a test berthd leaves in the host's network by design (Docker leaves
docker0 and its rules the same way): its bridges and its nftables tables. The
test daemons get names of their own (`Berthd` passes --bridge and --nft-table)
so they never meet the host's or each other's; this module removes them after a
daemon stops and reports what should have gone by itself (veths of stopped
containers, port mappings)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True)


def bridges_of(data_root: Path, default_bridge: str) -> list[str]:
    """The Linux bridges of a daemon's networks, from its records."""
    names = {default_bridge}
    for rec in (Path(data_root) / "network" / "networks").glob("*.json"):
        try:
            b = json.loads(rec.read_text()).get("Bridge")
        except (OSError, ValueError):
            continue
        if b:
            names.add(b)
    return sorted(names)


def ports_of_bridge(bridge: str) -> list[str]:
    r = _run("ip", "-j", "link", "show", "master", bridge)
    if r.returncode != 0 or not r.stdout.strip():
        return []
    return [l["ifname"] for l in json.loads(r.stdout)]


def remove_daemon_network(data_root: Path, default_bridge: str, table: str, wait=5.0) -> list[str]:
    """Deletes the daemon's bridges and tables; returns the veths still attached
    after `wait` seconds (a stopped container's veth dies with its namespace)."""
    bridges = bridges_of(data_root, default_bridge)
    problems = []
    deadline = time.monotonic() + wait
    for b in bridges:
        while ports_of_bridge(b) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = ports_of_bridge(b)
        if left:
            problems.append(f"veths left on bridge {b}: {', '.join(left)}")
        _run("ip", "link", "delete", b)
    for family in ("inet", "bridge"):
        _run("nft", "delete", "table", family, table)
    return problems
