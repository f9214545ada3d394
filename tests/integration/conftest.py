"""Fixtures for the runtime integration tests.

Run with:  /usr/bin/python3 -m pytest tests/integration -q
Against runc (how the suite itself is validated):
           BERTH_RUNTIME=$(command -v runc) /usr/bin/python3 -m pytest tests/integration -q

Each test gets a private state root (`--root <tmp>/state`), unique container ids
and its own bundle. Teardown force-deletes every container id the test handed out
and then fails the test if anything is left on the host: a process, a mount under
the test's directory, a state directory, or a cgroup directory for one of its ids.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from helpers import (BUNDLE_SCRIPT, CGROUP_MOUNT, ROOTFS_CACHE, RUNTIME, TEST_CGROUP_PARENT, Bundle,
                     Runtime, cgroup_dirs_for, mounts_under, pid_alive, processes_using,
                     remove_cgroup_tree, run_cmd, runtime_is_runc)


def pytest_report_header(config):
    return [f"runtime: {RUNTIME} ({'runc' if runtime_is_runc else 'berth'})"]


@pytest.fixture(scope="session")
def rootfs_cache():
    """The busybox rootfs, built once by the bundle script into its cache."""
    if os.geteuid() != 0:
        pytest.exit("the runtime integration tests need root", returncode=2)
    if not os.access(RUNTIME, os.X_OK):
        pytest.exit(f"no runtime binary at {RUNTIME} (build it, or set BERTH_RUNTIME)", returncode=2)
    scratch = Path(tempfile.mkdtemp(prefix="bt-cache-"))
    try:
        run_cmd(["sh", str(BUNDLE_SCRIPT), scratch / "b", "--rootfs-only"], timeout=120).ok()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert (ROOTFS_CACHE / "bin" / "busybox").is_file(), f"bundle script did not fill {ROOTFS_CACHE}"
    yield ROOTFS_CACHE
    # The per-test teardown removed each container's cgroup; drop the parents.
    for parent in CGROUP_MOUNT.glob(f"*/{TEST_CGROUP_PARENT}"):
        remove_cgroup_tree(parent)
    remove_cgroup_tree(CGROUP_MOUNT / TEST_CGROUP_PARENT)


def _problems(rt: Runtime) -> list[str]:
    problems = []
    for b in rt.bundles:
        problems += [f"process left: {p}" for p in processes_using(b, rt.ids)]
    for cid, (pid, start) in rt.pids.items():
        if pid_alive(pid, start):
            problems.append(f"process left: container {cid} pid {pid} is still alive")
    problems += [f"mount left: {m}" for m in mounts_under(rt.tmp)]
    if rt.root.is_dir():
        # A root-level lock file or berth's compiled-seccomp cache is a runtime's
        # business; a container's directory (or anything named after one) must be gone.
        problems += [f"state left: {rt.root / e}" for e in os.listdir(rt.root)
                     if e != "seccomp-cache" and ((rt.root / e).is_dir() or any(cid in e for cid in rt.ids))]
    for cid in rt.ids:
        problems += [f"cgroup left: {d}" for d in cgroup_dirs_for(cid)]
    return problems


def _force_clean(rt: Runtime):
    for cid in rt.ids:
        for d in cgroup_dirs_for(cid):
            remove_cgroup_tree(d)
    for b in rt.bundles:
        for line in processes_using(b, rt.ids):
            pid = int(line.split()[1].rstrip(":"))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for pid, start in rt.pids.values():
        if pid_alive(pid, start):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for m in sorted(mounts_under(rt.tmp), key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True, timeout=10)


@pytest.fixture(scope="session")
def work_dir():
    """Where the tests' bundles and state roots live: a private tmpfs, because
    copying the rootfs's few hundred symlinks onto this machine's disk takes
    most of a second per test. BERTH_TEST_TMP=<dir> uses a plain directory."""
    if os.environ.get("BERTH_TEST_TMP"):
        d = Path(tempfile.mkdtemp(prefix="berth-it-", dir=os.environ["BERTH_TEST_TMP"]))
        yield d
        shutil.rmtree(d, ignore_errors=True)
        return
    d = Path(tempfile.mkdtemp(prefix="berth-it-", dir="/tmp"))
    run_cmd(["mount", "-t", "tmpfs", "-o", "size=1g,mode=0755", "berth-it", d]).ok()
    try:
        yield d
    finally:
        if subprocess.run(["umount", d], capture_output=True, timeout=30).returncode != 0:
            subprocess.run(["umount", "-l", d], capture_output=True, timeout=30)
        os.rmdir(d)


@pytest.fixture
def rt(request, rootfs_cache, work_dir):
    """The runtime under test with a private state root; cleans and checks."""
    tmp = Path(tempfile.mkdtemp(prefix="bt-", dir=work_dir))
    # mkdtemp makes 0700; a user-namespaced container root (an unprivileged
    # uid on the host) must be able to reach its rootfs.
    tmp.chmod(0o755)
    runtime = Runtime(RUNTIME, tmp / "state", request.node.name)
    runtime.tmp = tmp
    runtime.bundles = []
    yield runtime

    for p in runtime.popens:
        if p.poll() is None:
            p.kill()
        try:
            p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    for cid in runtime.ids:
        try:
            runtime("delete", "--force", cid, timeout=10)
        except AssertionError:
            pass  # a hung delete shows up as leftovers below

    problems = []
    deadline = time.monotonic() + 3
    while True:
        problems = _problems(runtime)
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if problems:
        _force_clean(runtime)
    if not mounts_under(tmp):
        shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        pytest.fail("the runtime left things behind after delete --force:\n  " + "\n  ".join(problems),
                    pytrace=False)


@pytest.fixture
def make_bundle(rt):
    """Factory: a new bundle (own rootfs copy, own id, default config)."""
    def make(hint: str = "") -> Bundle:
        cid = rt.new_id(hint)
        path = rt.tmp / cid
        path.mkdir()
        # cp -a keeps the symlinks and modes; each bundle gets its own busybox
        # inode, which is how the leak check recognises the container's processes.
        run_cmd(["cp", "-a", str(ROOTFS_CACHE), str(path / "rootfs")], timeout=60).ok()
        (path / "rootfs" / ".busybox-stamp").unlink(missing_ok=True)
        rt.bundles.append(path)
        return Bundle(rt, path, cid)
    return make


@pytest.fixture
def bundle(make_bundle) -> Bundle:
    return make_bundle()


@pytest.fixture
def netns():
    """A named network namespace made with ip(8), removed at teardown."""
    name = f"bt-ns-{os.getpid()}-{time.monotonic_ns() % 100000}"
    run_cmd(["ip", "netns", "add", name]).ok()
    yield name
    run_cmd(["ip", "netns", "del", name])
