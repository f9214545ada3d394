"""What the berthd and dockerd fixtures share: stopping a daemon within a bound,
finding the processes and mounts it left under its directories, reading its
and reading its resident memory."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from helpers import CGROUP_MOUNT, mounts_under, pid_alive, remove_cgroup_tree


def stop_process(p: subprocess.Popen, term_timeout: float = 20.0) -> str:
    """SIGTERM, then SIGKILL if it has not exited within `term_timeout`.
    Returns "" for a clean exit, else what happened (for a failure message)."""
    if p.poll() is not None:
        return ""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(term_timeout)
        return ""
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(10)
        return f"pid {p.pid} ({' '.join(map(str, p.args[:1]))}) ignored SIGTERM for {term_timeout}s; killed"


def processes_referencing(dirs, exclude=()) -> list[tuple[int, str]]:
    """Live processes whose executable, root, cwd or command line is inside one
    of `dirs` (a daemon's data/exec roots): what a daemon must not leave behind."""
    prefixes = [str(Path(x)).rstrip("/") + "/" for x in dirs]
    skip = {os.getpid(), *exclude}
    found = []
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) in skip:
            continue
        pid = int(e)
        if not pid_alive(pid):
            continue
        why = ""
        for lnk in ("exe", "root", "cwd"):
            try:
                t = os.readlink(f"/proc/{pid}/{lnk}") + "/"
            except OSError:
                continue
            if any(t.startswith(p) for p in prefixes):
                why = f"{lnk} -> {t.rstrip('/')}"
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = ""
        if not why and any(p.rstrip("/") in cmd for p in prefixes):
            why = "command line names it"
        if why:
            found.append((pid, f"pid {pid} ({why}): {cmd.strip()[:200]}"))
    return found


def kill_pids(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def unmount_all(d: Path) -> list[str]:
    """Unmounts everything at or below `d`, deepest first (lazily if busy);
    returns what was mounted."""
    found = mounts_under(d)
    for m in sorted(found, key=len, reverse=True):
        if subprocess.run(["umount", m], capture_output=True, timeout=30).returncode != 0:
            subprocess.run(["umount", "-l", m], capture_output=True, timeout=30)
    return found


def remove_cgroup_parent(name: str):
    """Removes cgroup `name` in every hierarchy (v1 controllers or the v2 tree)."""
    remove_cgroup_tree(CGROUP_MOUNT / name)
    for c in CGROUP_MOUNT.glob(f"*/{name}"):
        remove_cgroup_tree(c)


def rss_kb(pid: int) -> int:
    """VmRSS of a process in kB (/proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"pid {pid} has no VmRSS (a kernel thread or gone)")


def wait_exit(pids, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)
