"""Containers on cgroup v2, for real. On a v2 host that is /sys/fs/cgroup; on a
hybrid host (like this project's CI) berth-runtime is pointed at the cgroup2
hierarchy mounted at /sys/fs/cgroup/unified with BERTH_CGROUP_ROOT. Controllers
bound to v1 there are not available, so these tests use what v2 itself provides:
membership, clone into the cgroup, freezing, killing, the eBPF device filter,
and hugetlb (free on the unified hierarchy here)."""

import os
from pathlib import Path

import pytest

from helpers import CGROUP_MOUNT, TEST_CGROUP_PARENT, wait_for


def _cgroup2_root() -> Path | None:
    for p in (CGROUP_MOUNT, CGROUP_MOUNT / "unified"):
        if (p / "cgroup.controllers").exists():
            return p
    return None


V2_ROOT = _cgroup2_root()
pytestmark = pytest.mark.skipif(V2_ROOT is None, reason="no cgroup2 hierarchy on this host")


@pytest.fixture
def v2(monkeypatch, rt):
    # Requested before `bundle`, so the variable is still set when the runtime's
    # teardown (delete --force) runs.
    if os.path.basename(str(rt.binary)) == "runc":
        pytest.skip("runc has no way to be pointed at a second cgroup2 mount")
    monkeypatch.setenv("BERTH_CGROUP_ROOT", str(V2_ROOT))
    return V2_ROOT


def cgroup_of(root: Path, cid: str) -> Path:
    return root / TEST_CGROUP_PARENT / cid


def test_container_is_born_in_its_v2_cgroup(v2, bundle, rt):
    if not any(ns["type"] == "cgroup" for ns in bundle.linux["namespaces"]):
        bundle.linux["namespaces"].append({"type": "cgroup"})
    st = bundle.start_detached("cat /proc/self/cgroup > /cg; touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")
    d = cgroup_of(v2, bundle.id)
    assert str(st["pid"]) in (d / "cgroup.procs").read_text().split()
    host_view = Path(f"/proc/{st['pid']}/cgroup").read_text()
    assert f"0::/{TEST_CGROUP_PARENT}/{bundle.id}\n" in host_view, host_view
    # A new cgroup namespace: the container sees its cgroup as the root.
    assert "0::/\n" in (bundle.rootfs / "cg").read_text()


def test_pause_and_resume_freeze_the_v2_cgroup(v2, bundle, rt):
    bundle.start_detached("touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")
    d = cgroup_of(v2, bundle.id)
    rt("pause", bundle.id).ok()
    assert rt.state(bundle.id)["status"] == "paused"
    assert "frozen 1" in (d / "cgroup.events").read_text()
    rt("resume", bundle.id).ok()
    assert rt.state(bundle.id)["status"] == "running"
    assert "frozen 0" in (d / "cgroup.events").read_text()


def test_delete_force_removes_the_v2_cgroup(v2, bundle, rt):
    bundle.start_detached("touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")
    rt("delete", "--force", bundle.id).ok()
    assert not cgroup_of(v2, bundle.id).exists()


FUSE = {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}


def test_ebpf_device_filter_denies_an_unlisted_device(v2, bundle):
    bundle.linux["devices"] = [FUSE]
    bundle.sh("exec 3<>/dev/fuse && echo opened")
    r = bundle.run()
    assert r.returncode != 0 and "Operation not permitted" in r.stderr, r.describe()


def test_ebpf_device_filter_allows_a_listed_device(v2, bundle):
    bundle.linux["devices"] = [FUSE]
    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"})
    bundle.sh("exec 3<>/dev/fuse && echo opened; echo x > /dev/null && echo null-ok")
    assert bundle.run().ok().stdout == "opened\nnull-ok\n"


@pytest.mark.skipif(V2_ROOT is not None and
                    "hugetlb" not in (V2_ROOT / "cgroup.controllers").read_text().split(),
                    reason="hugetlb is bound to a v1 hierarchy here")
def test_hugetlb_limit_is_written(v2, bundle, rt):
    bundle.linux["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 * 1024 * 1024}]
    bundle.start_detached("touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")
    assert (cgroup_of(v2, bundle.id) / "hugetlb.2MB.max").read_text().strip() == str(4 * 1024 * 1024)
