"""top, stats and live resource updates of running containers, through the docker
CLI and docker-py against a real berthd, with the numbers checked against what
the kernel says (the container's cgroup files, the host's CPU count)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

import images
import unixhttp
from helpers import wait_for

IMAGE = "bt/busybox:stats"
CGROUP_ROOT = Path(os.environ.get("BERTH_CGROUP_ROOT", "/sys/fs/cgroup"))
CGROUP_V2 = (CGROUP_ROOT / "cgroup.controllers").exists()


def cgroup_file(cid: str, v1_controller: str, v1_name: str, v2_name: str) -> Path:
    """The container's cgroup file on this host (v1: per controller, v2: unified)."""
    if CGROUP_V2:
        return CGROUP_ROOT / "berth" / cid / v2_name
    return CGROUP_ROOT / v1_controller / "berth" / cid / v1_name


@pytest.fixture
def bb(berthd, tmp_path):
    berthd.docker("load", "-i", images.busybox_docker_archive(tmp_path / "bb.tar", tag=IMAGE)).ok()
    return berthd


def run(berthd, *args) -> str:
    return berthd.docker("run", "-d", *args).ok().stdout.strip()


def pid_of(berthd, cid: str) -> int:
    return int(berthd.docker("inspect", "-f", "{{.State.Pid}}", cid).ok().stdout)


# ---------------------------------------------------------------- top

def test_docker_top_shows_only_the_containers_processes(bb):
    # sh execs its last command: the container's init becomes "sleep 1002".
    cid = run(bb, "--name", "topper", IMAGE, "sh", "-c", "sleep 1001 & sleep 1002")
    wait_for(lambda: "sleep 1001" in bb.docker("top", "topper").stdout, timeout=10, what="both sleeps")
    out = bb.docker("top", "topper").ok().stdout.splitlines()
    assert out[0].split()[:3] == ["UID", "PID", "PPID"], out
    rows = out[1:]
    assert len(rows) == 2, f"expected the two sleeps:\n{out}"
    assert any(r.endswith("sleep 1001") for r in rows) and any(r.endswith("sleep 1002") for r in rows)
    assert str(pid_of(bb, cid)) in [r.split()[1] for r in rows], "the container's init is listed"
    assert not any("berthd" in r for r in rows), "host processes leak into top"


def test_docker_top_with_ps_args(bb):
    run(bb, "--name", "topargs", IMAGE, "sleep", "1003")
    wait_for(lambda: "sleep" in bb.docker("top", "topargs", "-o", "pid,comm").stdout, timeout=10, what="top")
    out = bb.docker("top", "topargs", "-o", "pid,comm").ok().stdout.splitlines()
    assert out[0].split() == ["PID", "COMMAND"]
    assert [r.split()[1] for r in out[1:]] == ["sleep"]
    bad = bb.docker("top", "topargs", "-o", "user=PIDX").failed()
    assert 'specifying "user=PIDX" is not allowed' in bad.stderr


def test_top_of_a_stopped_container_is_409(bb):
    cid = bb.docker("create", "--name", "stopped", IMAGE, "true").ok().stdout.strip()
    r = bb.api("GET", "/containers/stopped/top")
    assert r.status == 409, r
    assert r.json() == {"message": f"Container {cid} is not running"}


def test_docker_py_top_and_its_event(bb):
    since = int(time.time())
    c = bb.py.containers.run(IMAGE, ["sleep", "1004"], detach=True, name="pytop")
    top = c.top()
    assert "PID" in top["Titles"] and "CMD" in top["Titles"]
    cmd = top["Titles"].index("CMD")
    assert [p[cmd] for p in top["Processes"]] == ["sleep 1004"]
    assert top["Processes"][0][top["Titles"].index("PID")] == str(pid_of(bb, c.id))
    events = bb.py.events(since=since, until=int(time.time()) + 1, decode=True,
                          filters={"container": c.id, "event": "top"})
    assert [e["Action"] for e in events] == ["top"]


# ---------------------------------------------------------------- stats

def test_docker_py_stats_of_a_busy_container_are_real(bb):
    c = bb.py.containers.run(IMAGE, ["sh", "-c", "while :; do :; done"], detach=True, name="busy")
    time.sleep(0.5)
    s = c.stats(stream=False)
    assert s["name"] == "/busy" and s["id"] == c.id
    cpu, pre = s["cpu_stats"], s["precpu_stats"]
    assert cpu["online_cpus"] == os.cpu_count()
    assert cpu["system_cpu_usage"] > pre["system_cpu_usage"] > 0, "stream=0 primes precpu a second earlier"
    used = cpu["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"]
    elapsed = (cpu["system_cpu_usage"] - pre["system_cpu_usage"]) / cpu["online_cpus"]
    # The machine is shared (other builds): any real share of a CPU will do.
    assert used > 0.02 * elapsed, f"a spinning loop used {used} ns of CPU in {elapsed} ns"
    assert cpu["cpu_usage"]["usage_in_usermode"] > 0
    mem = s["memory_stats"]
    assert mem["usage"] > 0 and mem["limit"] > 0 and mem["stats"]
    assert s["pids_stats"]["current"] == 1, "sh and nothing else (the loop is a builtin)"
    assert "networks" not in s or s["networks"]
    assert s["read"] > s["preread"]


def test_docker_cli_stats_no_stream_shows_cpu_and_memory(bb):
    run(bb, "--name", "spin", IMAGE, "sh", "-c", "while :; do :; done")
    out = bb.docker("stats", "--no-stream", "--format",
                    "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}", "spin").ok().stdout.split()
    name, cpu, mem, pids = out[0], out[1], out[2], out[-1]
    assert name == "spin"
    assert float(cpu.rstrip("%")) > 2.0, out
    assert not mem.startswith("0B"), out
    assert pids == "1", out


def test_stats_one_shot_answers_at_once_without_precpu(bb):
    run(bb, "--name", "oneshot", IMAGE, "sleep", "1005")
    t0 = time.monotonic()
    r = bb.api("GET", "/containers/oneshot/stats?stream=0&one-shot=1")
    assert r.status == 200, r
    assert time.monotonic() - t0 < 0.9, "one-shot must not wait for a second sample"
    s = r.json()
    assert s["precpu_stats"]["cpu_usage"]["total_usage"] == 0
    assert s["preread"] == "0001-01-01T00:00:00Z"
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] > 0
    assert bb.api("GET", "/containers/oneshot/stats?stream=1&one-shot=1").status == 400


def test_stats_stream_chains_samples_each_second(bb):
    c = bb.py.containers.run(IMAGE, ["sh", "-c", "while :; do :; done"], detach=True, name="streamed")
    stream = c.stats(stream=True, decode=True)
    t0 = time.monotonic()
    first, second = next(stream), next(stream)
    took = time.monotonic() - t0
    stream.close()
    assert 0.7 < took < 3, f"two samples took {took:.2f}s"
    assert first["precpu_stats"]["cpu_usage"]["total_usage"] == 0
    assert second["precpu_stats"] == first["cpu_stats"], "precpu is the previous sample"
    assert second["preread"] == first["read"]
    assert second["cpu_stats"]["cpu_usage"]["total_usage"] > first["cpu_stats"]["cpu_usage"]["total_usage"]


def test_stats_stream_zeroes_after_stop_and_ends_on_remove(bb):
    c = bb.py.containers.run(IMAGE, ["sleep", "1013"], detach=True, name="ending")
    stream = c.stats(stream=True, decode=True)
    assert next(stream)["pids_stats"]["current"] == 1
    c.kill()
    zeroed = wait_for(lambda: (lambda s: s if s["read"] == "0001-01-01T00:00:00Z" else None)(next(stream)),
                      timeout=10, what="a zeroed sample after the kill")
    assert zeroed["id"] == c.id and zeroed["memory_stats"] == {}
    c.remove()
    t0 = time.monotonic()
    rest = list(stream)
    assert len(rest) <= 2 and all(r == zeroed for r in rest), "the stream ends once the container is gone"
    assert time.monotonic() - t0 < 5


def test_stats_of_a_stopped_container_are_zeroed(bb):
    cid = bb.docker("create", "--name", "idle", IMAGE, "true").ok().stdout.strip()
    s = bb.py.containers.get("idle").stats(stream=False)
    assert s["id"] == cid and s["name"] == "/idle"
    assert s["read"] == "0001-01-01T00:00:00Z"
    assert s["memory_stats"] == {} and s["pids_stats"] == {}
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] == 0
    assert bb.api("GET", "/containers/nope/stats?stream=0").status == 404


def test_many_containers_stats_are_cheap(bb):
    """Ten streams at once cost berthd little CPU (each is a dozen small reads a second)."""
    ids = [run(bb, IMAGE, "sleep", "1006") for _ in range(10)]
    streams = [bb.py.api.stats(cid, stream=True, decode=True) for cid in ids]
    for s in streams:
        next(s)
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_ticks():
        fields = Path(f"/proc/{bb.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    before = cpu_ticks()
    for _ in range(3):
        for s in streams:
            assert next(s)["pids_stats"]["current"] == 1
    used = (cpu_ticks() - before) / ticks
    for s in streams:
        s.close()
    assert used < 0.5, f"berthd used {used:.2f}s of CPU for 30 samples"


# ---------------------------------------------------------------- update

def test_docker_update_memory_reaches_the_cgroup_and_stats(bb):
    cid = run(bb, "--name", "grow", "-m", "32m", IMAGE, "sleep", "1007")
    limit = cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")
    assert limit.read_text().strip() == str(32 << 20)
    bb.docker("update", "--memory", "64m", "--memory-swap", "128m", "grow").ok()
    assert limit.read_text().strip() == str(64 << 20)
    s = bb.py.containers.get("grow").stats(stream=False)
    assert s["memory_stats"]["limit"] == 64 << 20
    assert bb.py.api.inspect_container(cid)["HostConfig"]["Memory"] == 64 << 20


def test_docker_py_update_on_a_running_container(bb):
    c = bb.py.containers.run(IMAGE, ["sleep", "1008"], detach=True, name="pyupd")
    c.update(mem_limit="48m", memswap_limit="96m", cpu_shares=512, cpu_quota=50000, cpu_period=100000)
    assert cgroup_file(c.id, "memory", "memory.limit_in_bytes", "memory.max").read_text().strip() == str(48 << 20)
    if CGROUP_V2:
        assert cgroup_file(c.id, "cpu", "", "cpu.max").read_text().split() == ["50000", "100000"]
    else:
        assert cgroup_file(c.id, "cpu", "cpu.shares", "").read_text().strip() == "512"
        assert cgroup_file(c.id, "cpu", "cpu.cfs_quota_us", "").read_text().strip() == "50000"
        assert cgroup_file(c.id, "cpu", "cpu.cfs_period_us", "").read_text().strip() == "100000"
    assert c.stats(stream=False)["memory_stats"]["limit"] == 48 << 20


def test_update_cpus_is_enforced(bb):
    cid = run(bb, "--name", "capped", IMAGE, "sh", "-c", "while :; do :; done")
    bb.docker("update", "--cpus", "0.2", "capped").ok()
    if CGROUP_V2:
        assert cgroup_file(cid, "", "", "cpu.max").read_text().split() == ["20000", "100000"]
    else:
        assert cgroup_file(cid, "cpu", "cpu.cfs_quota_us", "").read_text().strip() == "20000"
        assert cgroup_file(cid, "cpu", "cpu.cfs_period_us", "").read_text().strip() == "100000"
    time.sleep(0.3)
    # The quota holds the loop near 20% of one CPU.
    s = bb.py.containers.get("capped").stats(stream=False)
    used = s["cpu_stats"]["cpu_usage"]["total_usage"] - s["precpu_stats"]["cpu_usage"]["total_usage"]
    wall = (s["cpu_stats"]["system_cpu_usage"] - s["precpu_stats"]["system_cpu_usage"]) / os.cpu_count()
    assert 0 < used < 0.3 * wall, f"used {used} ns in {wall} ns under --cpus 0.2"
    assert s["cpu_stats"]["throttling_data"]["periods"] > 0, "the quota's periods are counted"


def test_update_pids_limit_is_enforced(bb):
    # Once /go appears (made from the host after the update), a child shell forks
    # eight sleeps; under a limit of five, that shell (one pid, beside the outer
    # one) gets three before a fork fails and it gives up. The outer shell then
    # execs, which takes no new pid.
    cid = run(bb, "--name", "forker", IMAGE, "sh", "-c",
              "while [ ! -e /go ]; do sleep 0.1; done; "
              "sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1010 & done'; echo forked; exec sleep 1011")
    bb.docker("update", "--pids-limit", "5", "forker").ok()
    pids_max = cgroup_file(cid, "pids", "pids.max", "pids.max")
    assert pids_max.read_text().strip() == "5"
    assert bb.py.containers.get("forker").stats(stream=False)["pids_stats"]["limit"] == 5
    (bb.data_root / "containers" / cid / "fs" / "merged" / "go").write_text("")
    wait_for(lambda: "forked" in bb.docker("logs", "forker").stdout, timeout=20, what="the forks")
    logs = bb.docker("logs", "forker").ok()
    assert "can't fork" in logs.stderr, logs.describe()
    wait_for(lambda: "sleep 1011" in bb.docker("top", "forker").stdout, timeout=10, what="the exec")
    cmds = [line.split(None, 7)[-1] for line in bb.docker("top", "forker").ok().stdout.splitlines()[1:]]
    assert sorted(cmds) == ["sleep 1010"] * 3 + ["sleep 1011"], cmds
    assert bb.py.containers.get("forker").stats(stream=False)["pids_stats"]["current"] == 4
    bb.docker("update", "--pids-limit", "-1", "forker").ok()
    assert pids_max.read_text().strip() == "max"


def test_update_the_kernel_refuses_is_an_error_and_changes_nothing(bb):
    # 40 MB of anonymous memory held by the shell, no swap to push it to.
    cid = run(bb, "--name", "fat", IMAGE, "sh", "-c",
              "x=$(head -c 40000000 /dev/zero | tr '\\0' a); echo ready; sleep 1009; echo ${#x}")
    wait_for(lambda: "ready" in bb.docker("logs", "fat").stdout, timeout=20, what="the allocation")
    r = bb.docker("update", "--memory", "8m", "--memory-swap", "8m", "fat")
    if CGROUP_V2:
        # v2 does not refuse: memory.max is set and the kernel reclaims or OOM-kills.
        r.ok()
        assert cgroup_file(cid, "", "", "memory.max").read_text().strip() == str(8 << 20)
        return
    r.failed()
    assert f"Cannot update container {cid}" in r.stderr and "busy" in r.stderr, r.stderr
    assert bb.py.api.inspect_container(cid)["HostConfig"]["Memory"] == 0, "a refused update is not stored"
    # Memory is written first, so nothing of the refused update reached the cgroup.
    limit = int(cgroup_file(cid, "memory", "memory.limit_in_bytes", "").read_text())
    assert limit > 1 << 40, f"memory.limit_in_bytes is {limit} after a refused update"
    assert bb.docker("inspect", "-f", "{{.State.Running}}", cid).ok().stdout.strip() == "true"


# ---------------------------------------------------------------- against dockerd

def _shape(value):
    """The JSON's structure: keys of objects (recursively), list and null markers."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value and isinstance(value[0], dict) else "list"
    return "null" if value is None else type(value).__name__


def test_stats_and_top_have_dockerds_shape(bb, dockerd, dockerd_tags, tmp_path):
    """The same container on dockerd and on berthd: the stats object has the same
    keys at every level (memory.stat and the blkio lists depend on what the kernel
    counted, so their lists are compared by name only), the CLI shows the same limits, and
    top the same columns."""
    dockerd_tags.append(IMAGE)
    dockerd.docker("load", "-i", images.busybox_docker_archive(tmp_path / "dk.tar", tag=IMAGE)).ok()
    name = "bt-stats-shape"
    args = ["--name", name, "--network", "none", "-m", "64m", "--pids-limit", "50", IMAGE, "sleep", "1012"]
    dockerd.docker("rm", "-f", name)
    try:
        dockerd.docker("run", "-d", *args).ok()
        run(bb, *args)
        ours = bb.api("GET", f"/containers/{name}/stats?stream=0").json()
        theirs = unixhttp.request(dockerd.sock, "GET", f"/containers/{name}/stats?stream=0", timeout=30).json()
        shapes = []
        for stats in (ours, theirs):
            shape = _shape(stats)
            shape["memory_stats"].pop("stats")
            shape.pop("blkio_stats")
            shapes.append(shape)
        assert shapes[0] == shapes[1]
        assert set(ours["blkio_stats"]) == set(theirs["blkio_stats"])
        assert ours["memory_stats"]["limit"] == theirs["memory_stats"]["limit"] == 64 << 20
        assert ours["pids_stats"] == theirs["pids_stats"] == {"current": 1, "limit": 50}
        assert ours["cpu_stats"]["online_cpus"] == theirs["cpu_stats"]["online_cpus"]
        assert set(ours["memory_stats"]["stats"]) == set(theirs["memory_stats"]["stats"])

        fmt = ["stats", "--no-stream", "--format", "{{.MemUsage}} {{.PIDs}}", name]
        assert bb.docker(*fmt).ok().stdout.split()[1:] == dockerd.docker(*fmt).ok().stdout.split()[1:]
        assert bb.docker("top", name).ok().stdout.splitlines()[0].split() == \
            dockerd.docker("top", name).ok().stdout.splitlines()[0].split()
    finally:
        dockerd.docker("rm", "-f", name)
