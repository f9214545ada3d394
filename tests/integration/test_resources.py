"""linux.resources: limits written to the container's cgroup and enforced.
The container's cgroup is /berth-test-<session pid>/<id> (explicit cgroupsPath)."""

from pathlib import Path

import pytest

from helpers import CGROUP_MOUNT, TIMEOUT, find_cgroup_dir, wait_for

V2 = (CGROUP_MOUNT / "cgroup.controllers").exists()
MiB = 1024 * 1024


def read(p: Path) -> str:
    return p.read_text().strip()


def test_process_is_in_its_cgroup(bundle, rt):
    st = bundle.start_detached("sleep 1000")
    for ctrl in (["memory", "pids", "cpu"] if not V2 else ["."]):
        d = find_cgroup_dir(bundle.id, ctrl)
        procs = read(d / "cgroup.procs").split()
        assert str(st["pid"]) in procs, f"pid {st['pid']} not in {d}/cgroup.procs ({procs})"


def test_cgroup_of_created_container_exists_before_start(bundle, rt):
    bundle.sh("sleep 1000")
    bundle.create().ok()
    st = rt.state(bundle.id)
    d = find_cgroup_dir(bundle.id, "pids" if not V2 else ".")
    assert str(st["pid"]) in read(d / "cgroup.procs").split()


def test_memory_limit_is_written(bundle, rt):
    bundle.linux["resources"]["memory"] = {"limit": 64 * MiB, "reservation": 32 * MiB, "swap": 96 * MiB}
    bundle.start_detached("sleep 1000")
    d = find_cgroup_dir(bundle.id, "memory")
    if V2:
        assert read(d / "memory.max") == str(64 * MiB)
        assert read(d / "memory.low") == str(32 * MiB)
        assert read(d / "memory.swap.max") == str(32 * MiB)  # v2 swap excludes memory
    else:
        assert read(d / "memory.limit_in_bytes") == str(64 * MiB)
        assert read(d / "memory.soft_limit_in_bytes") == str(32 * MiB)
        assert read(d / "memory.memsw.limit_in_bytes") == str(96 * MiB)


def test_memory_limit_is_enforced_by_the_oom_killer(bundle, rt):
    bundle.linux["resources"]["memory"] = {"limit": 32 * MiB, "swap": 32 * MiB}
    # tail keeps the whole "line" of an endless newline-free stream in memory.
    bundle.args("tail", "/dev/zero")
    r = bundle.run(timeout=60)
    assert r.returncode == 137, f"expected an OOM kill (137)\n{r.describe()}"


def test_memory_under_the_limit_is_fine(bundle, rt):
    bundle.linux["resources"]["memory"] = {"limit": 64 * MiB, "swap": 64 * MiB}
    bundle.sh("head -c 8000000 /dev/zero | tail -c 1 | wc -c")
    assert bundle.run().ok().stdout.strip() == "1"


def test_pids_limit(bundle, rt):
    bundle.linux["resources"]["pids"] = {"limit": 10}
    # A failed fork is fatal to a non-interactive ash, so the forking happens
    # in a child shell; the container's init shell must outlive it.
    bundle.sh("sh -c 'i=0; while [ $i -lt 20 ]; do sleep 100 & i=$((i+1)); done'; echo alive")
    r = bundle.run()
    assert r.returncode == 0, f"the container did not survive its own fork failures\n{r.describe()}"
    assert r.stdout == "alive\n", r.describe()
    assert "can't fork" in r.stderr or "Resource temporarily unavailable" in r.stderr, \
        f"no fork failure inside a pids-limited container\n{r.describe()}"


def test_pids_limit_is_written(bundle, rt):
    bundle.linux["resources"]["pids"] = {"limit": 42}
    bundle.start_detached("sleep 1000")
    assert read(find_cgroup_dir(bundle.id, "pids") / "pids.max") == "42"


def test_cpu_shares_and_quota_are_written(bundle, rt):
    bundle.linux["resources"]["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}
    bundle.start_detached("sleep 1000")
    d = find_cgroup_dir(bundle.id, "cpu")
    if V2:
        assert read(d / "cpu.max") == "50000 100000"
        # runc's shares->weight conversion: 1 + ((shares - 2) * 9999) / 262142
        assert read(d / "cpu.weight") == str(1 + ((512 - 2) * 9999) // 262142)
    else:
        assert read(d / "cpu.shares") == "512"
        assert read(d / "cpu.cfs_quota_us") == "50000"
        assert read(d / "cpu.cfs_period_us") == "100000"


def test_cpuset_is_written(bundle, rt):
    bundle.linux["resources"]["cpu"] = {"cpus": "0", "mems": "0"}
    bundle.start_detached("sleep 1000")
    d = find_cgroup_dir(bundle.id, "cpuset")
    assert read(d / "cpuset.cpus") == "0"
    assert read(d / "cpuset.mems") == "0"


def test_cpuset_applies_to_the_process(bundle, rt):
    bundle.linux["resources"]["cpu"] = {"cpus": "0"}
    bundle.sh("grep Cpus_allowed_list /proc/self/status")
    assert bundle.run().ok().stdout.split()[-1] == "0"


def test_device_cgroup_denies_unlisted_devices(bundle, rt):
    # The node exists (linux.devices) but resources.devices does not allow it.
    bundle.linux["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]
    bundle.sh("exec 3<>/dev/fuse && echo opened")
    r = bundle.run()
    assert r.returncode != 0 and "Operation not permitted" in r.stderr, r.describe()


def test_device_cgroup_allows_listed_devices(bundle, rt):
    bundle.linux["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]
    bundle.linux["resources"]["devices"].append({"allow": True, "type": "c", "major": 10, "minor": 229,
                                                 "access": "rw"})
    bundle.sh("exec 3<>/dev/fuse && echo opened")
    assert bundle.run().ok().stdout == "opened\n"


def test_cgroup_removed_after_delete(bundle, rt):
    bundle.start_detached("sleep 1000")
    d = find_cgroup_dir(bundle.id, "pids")
    rt("delete", "--force", bundle.id).ok()
    wait_for(lambda: not d.exists(), timeout=TIMEOUT, what=f"{d} to be removed")


def test_update_is_not_required_but_limits_survive_start(bundle, rt):
    bundle.linux["resources"]["pids"] = {"limit": 7}
    bundle.sh("sleep 1000")
    bundle.create().ok()
    d = find_cgroup_dir(bundle.id, "pids")
    assert read(d / "pids.max") == "7", "limits must be in place before the user process runs"
    rt("start", bundle.id).ok()
    assert read(d / "pids.max") == "7"


@pytest.mark.parametrize("ctrl,file", [("memory", "memory.limit_in_bytes"), ("pids", "pids.max")])
def test_no_limit_means_unlimited(bundle, rt, ctrl, file):
    if V2:
        pytest.skip("v1 file names")
    bundle.start_detached("sleep 1000")
    v = read(find_cgroup_dir(bundle.id, ctrl) / file)
    assert v in ("max", "9223372036854771712"), f"{file} is {v} with no limit configured"
