"""Containers through berthd's Docker API, driven by the real docker CLI (Debian's
20.10) and docker-py: run/attach/logs/exec/stop/kill/rm/inspect/wait, restart
policies, healthchecks, and a berthd killed with SIGKILL and started again while
its containers run. The berth CLI's own tests are in test_cli_containers.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from berthd import Berthd
from helpers import wait_for

BB = "busybox:latest"


def inspect(d, name) -> dict:
    r = d.api("GET", f"/containers/{name}/json")
    assert r.status == 200, r
    return r.json()


def cgroup_dirs(container_id: str) -> list[str]:
    """The container's cgroup directories that still exist (v1 controllers or v2)."""
    found = []
    for root in Path("/sys/fs/cgroup").iterdir():
        for cand in (root / "berth" / container_id, root / container_id):
            if cand.is_dir():
                found.append(str(cand))
    return found


# ------------------------------------------------------------------ run

def test_run_rm_prints_output_and_leaves_nothing(bb):
    r = bb.docker("run", "--rm", BB, "echo", "hello").ok()
    assert r.stdout == "hello\n"
    assert bb.api("GET", "/containers/json?all=1").json() == []


def test_run_exit_code_and_streams(bb):
    r = bb.docker("run", "--name", "c1", BB, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert r.returncode == 3, r.describe()
    assert r.stdout == "out\n" and r.stderr == "err\n"
    st = inspect(bb, "c1")["State"]
    assert st["Status"] == "exited" and st["ExitCode"] == 3 and not st["Running"]
    assert st["FinishedAt"] > st["StartedAt"]
    assert cgroup_dirs(inspect(bb, "c1")["Id"]) == []


def test_run_stdin(bb):
    r = bb.docker("run", "--rm", "-i", BB, "sh", "-c", "tr a-z A-Z; echo done", input="abc\n").ok()
    assert r.stdout == "ABC\ndone\n"


def test_run_command_not_found_is_127_and_not_running(bb):
    r = bb.docker("run", "--name", "nf", BB, "no-such-command")
    assert r.returncode == 127, r.describe()
    assert "executable file not found" in r.stderr
    st = inspect(bb, "nf")["State"]
    assert not st["Running"] and st["ExitCode"] == 127
    assert "executable file not found" in st["Error"]
    bb.docker("rm", "nf").ok()


def test_run_missing_image_and_bad_flags(bb):
    r = bb.docker("create", "--pull", "never", "no-such-image:1")
    assert r.returncode != 0 and "No such image" in r.stderr, r.describe()
    r = bb.docker("run", "--rm", "--memory", "1k", BB, "true")
    assert r.returncode == 125 and "Minimum memory limit" in r.stderr, r.describe()
    r = bb.docker("run", "--rm", "--cpuset-cpus", "0-99", BB, "true")
    assert r.returncode == 125 and "Requested CPUs are not available" in r.stderr, r.describe()
    r = bb.docker("run", "--rm", "-v", "/no/such/dir:/x", BB, "true")
    assert r.returncode == 125 and "/no/such/dir" in r.stderr, r.describe()
    assert bb.api("GET", "/containers/json?all=1").json() == []


def test_name_in_use_and_generated_names(bb):
    bb.docker("create", "--name", "dup", BB, "true").ok()
    r = bb.docker("create", "--name", "dup", BB, "true")
    assert r.returncode != 0 and 'The container name "/dup" is already in use' in r.stderr
    cid = bb.docker("create", BB, "true").ok().stdout.strip()
    name = inspect(bb, cid)["Name"]
    assert name.startswith("/") and "_" in name, name
    bb.docker("rename", "dup", "renamed").ok()
    assert inspect(bb, "renamed")["Name"] == "/renamed"
    bb.docker("rm", "renamed", cid).ok()


# ------------------------------------------------------------------ detached lifecycle

def test_detached_logs_exec_stop(bb):
    cid = bb.docker("run", "-d", "--name", "web", BB, "sh", "-c",
                    "echo started; echo warn >&2; exec sleep 1000").ok().stdout.strip()
    assert len(cid) == 64
    ps = bb.docker("ps", "--format", "{{.Names}} {{.Status}}").ok().stdout
    assert ps.startswith("web Up"), ps
    wait_for(lambda: "started" in bb.docker("logs", "web").stdout, what="log line")
    logs = bb.docker("logs", "web").ok()
    assert logs.stdout == "started\n" and logs.stderr == "warn\n"
    r = bb.docker("logs", "-t", "--tail", "1", "web").ok()
    assert (r.stdout + r.stderr).count("\n") == 1 and "T" in (r.stdout + r.stderr).split(" ")[0]

    assert bb.docker("exec", "web", "echo", "hi").ok().stdout == "hi\n"
    r = bb.docker("exec", "web", "sh", "-c", "exit 5")
    assert r.returncode == 5
    assert bb.docker("exec", "-i", "web", "cat", input="piped\n").ok().stdout == "piped\n"
    assert bb.docker("exec", "-e", "X=1", "-w", "/tmp", "web", "sh", "-c", "echo $X $(pwd)").ok().stdout == "1 /tmp\n"
    r = bb.docker("exec", "web", "no-such-binary")
    # dockerd reports it on the exec's output stream, the CLI exits with its code.
    assert r.returncode in (126, 127) and "not found" in r.stdout + r.stderr, r.describe()

    top = bb.api("GET", "/containers/web/json").json()["State"]["Pid"]
    assert top > 0 and Path(f"/proc/{top}").exists()
    t0 = time.monotonic()
    bb.docker("stop", "-t", "1", "web").ok()
    assert time.monotonic() - t0 < 8
    st = inspect(bb, "web")["State"]
    assert st["Status"] == "exited" and st["ExitCode"] == 137  # sleep as pid 1 ignores TERM
    # A stop on a stopped container is not an error (304), as docker's.
    bb.docker("stop", "web").ok()
    r = bb.docker("exec", "web", "true")
    assert r.returncode != 0 and "is not running" in r.stderr
    bb.docker("rm", "web").ok()
    assert cgroup_dirs(cid) == []


def test_kill_signal_pause_and_rm_rules(bb):
    bb.docker("run", "-d", "--name", "kk", BB, "sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done").ok()
    bb.docker("pause", "kk").ok()
    assert inspect(bb, "kk")["State"]["Status"] == "paused"
    assert "(Paused)" in bb.docker("ps", "--format", "{{.Status}}").ok().stdout
    r = bb.docker("exec", "kk", "true")
    assert r.returncode != 0 and "paused" in r.stderr
    r = bb.docker("rm", "kk")
    assert r.returncode != 0 and "paused" in r.stderr.lower()
    bb.docker("unpause", "kk").ok()
    r = bb.docker("rm", "kk")
    assert r.returncode != 0 and "You cannot remove a running container" in r.stderr
    time.sleep(0.3)  # let the shell install its trap
    bb.docker("kill", "-s", "USR1", "kk").ok()
    assert bb.docker("wait", "kk").ok().stdout.strip() == "42"
    r = bb.docker("kill", "kk")
    assert r.returncode != 0 and "is not running" in r.stderr
    bb.docker("rm", "kk").ok()
    bb.docker("run", "-d", "--name", "ff", BB, "sleep", "1000").ok()
    bb.docker("rm", "-f", "ff").ok()
    assert bb.api("GET", "/containers/json?all=1").json() == []


def test_ps_filters(bb):
    bb.docker("run", "--name", "ok0", "--label", "tier=a", BB, "true").ok()
    bb.docker("run", "--name", "bad1", BB, "sh", "-c", "exit 1")
    bb.docker("run", "-d", "--name", "up", "--label", "tier=b", BB, "sleep", "1000").ok()
    names = lambda *f: sorted(bb.docker("ps", "-a", "--format", "{{.Names}}", *f).ok().stdout.split())
    assert names() == ["bad1", "ok0", "up"]
    assert names("-f", "status=exited") == ["bad1", "ok0"]
    assert names("-f", "exited=1") == ["bad1"]
    assert names("-f", "label=tier=b") == ["up"]
    assert names("-f", "name=ok") == ["ok0"]
    assert names("-f", "ancestor=busybox") == ["bad1", "ok0", "up"]
    assert names("-f", "before=up") == ["bad1", "ok0"]
    assert bb.docker("ps", "-q").ok().stdout.strip() == inspect(bb, "up")["Id"][:12]
    r = bb.docker("ps", "-f", "bogus=1")
    assert r.returncode != 0 and "invalid filter" in r.stderr.lower()
    bb.docker("rm", "-f", "up").ok()
    out = bb.docker("container", "prune", "-f").ok().stdout
    assert "Total reclaimed space" in out
    assert names() == []


def test_image_in_use_by_container(bb):
    bb.docker("create", "--name", "holder", BB, "true").ok()
    r = bb.docker("rmi", BB)
    assert r.returncode != 0 and "image is being used by stopped container" in r.stderr, r.describe()
    bb.docker("rm", "holder").ok()
    bb.docker("rmi", BB).ok()


# ------------------------------------------------------------------ restart policies, health

def test_restart_on_failure_counts(bb):
    bb.docker("run", "-d", "--name", "rf", "--restart", "on-failure:2", BB, "sh", "-c", "exit 1").ok()
    wait_for(lambda: inspect(bb, "rf")["RestartCount"] == 2 and inspect(bb, "rf")["State"]["Status"] == "exited",
             timeout=15, what="two restarts then exited")
    time.sleep(1)
    c = inspect(bb, "rf")
    assert c["RestartCount"] == 2 and c["State"]["ExitCode"] == 1


def test_restart_always_and_stop_ends_it(bb):
    bb.docker("run", "-d", "--name", "ra", "--restart", "always", BB, "sh", "-c", "sleep 0.2").ok()
    wait_for(lambda: inspect(bb, "ra")["RestartCount"] >= 2, timeout=15, what="restarts")
    bb.docker("stop", "-t", "1", "ra").ok()
    time.sleep(1)
    c = inspect(bb, "ra")
    assert c["State"]["Status"] == "exited"
    n = c["RestartCount"]
    time.sleep(1)
    assert inspect(bb, "ra")["RestartCount"] == n


def test_healthcheck_states_and_events(bb):
    since = time.time()
    bb.docker("run", "-d", "--name", "h1", "--health-cmd", "test -e /tmp/ok", "--health-interval", "300ms",
              "--health-retries", "2", BB, "sh", "-c", "touch /tmp/ok; sleep 1000").ok()
    wait_for(lambda: inspect(bb, "h1")["State"].get("Health", {}).get("Status") == "healthy", timeout=10,
             what="healthy")
    assert "(healthy)" in bb.docker("ps", "--format", "{{.Status}}").ok().stdout
    bb.docker("exec", "h1", "rm", "/tmp/ok").ok()
    wait_for(lambda: inspect(bb, "h1")["State"]["Health"]["Status"] == "unhealthy", timeout=10, what="unhealthy")
    h = inspect(bb, "h1")["State"]["Health"]
    assert h["FailingStreak"] >= 2 and h["Log"][-1]["ExitCode"] == 1
    assert bb.docker("ps", "-f", "health=unhealthy", "--format", "{{.Names}}").ok().stdout.strip() == "h1"
    ev = bb.docker("events", "--since", str(since), "--until", str(time.time()), "--filter", "container=h1",
                   "--format", "{{.Action}}").ok().stdout.split("\n")
    assert "health_status: healthy" in ev and "health_status: unhealthy" in ev, ev
    bb.docker("rm", "-f", "h1").ok()


def test_events_for_the_lifecycle(bb):
    since = time.time()
    bb.docker("run", "--name", "ev", BB, "true").ok()
    bb.docker("rm", "ev").ok()
    actions = bb.docker("events", "--since", str(since), "--until", str(time.time()), "--filter", "type=container",
                        "--format", "{{.Action}}").ok().stdout.split()
    for a in ("create", "attach", "start", "die", "destroy"):
        assert a in actions, actions


# ------------------------------------------------------------------ the daemon dies

def test_containers_outlive_a_killed_daemon(bb):
    bb.docker("run", "-d", "--name", "long", BB, "sh", "-c", "echo before; exec sleep 1000").ok()
    bb.docker("run", "-d", "--name", "short", BB, "sh", "-c", "sleep 1.5; exit 7").ok()
    pid = inspect(bb, "long")["State"]["Pid"]
    bb.proc.send_signal(signal.SIGKILL)
    bb.proc.wait()
    time.sleep(2.5)  # `short` exits while no daemon runs
    assert Path(f"/proc/{pid}").exists(), "the container died with the daemon"
    bb.start()
    c = inspect(bb, "long")
    assert c["State"]["Running"] and c["State"]["Pid"] == pid
    s = inspect(bb, "short")["State"]
    assert s["Status"] == "exited" and s["ExitCode"] == 7
    assert bb.docker("exec", "long", "echo", "again").ok().stdout == "again\n"
    assert bb.docker("logs", "long").ok().stdout == "before\n"
    bb.docker("stop", "-t", "1", "long").ok()
    assert not inspect(bb, "long")["State"]["Running"]
    assert not Path(f"/proc/{pid}").exists()


# ------------------------------------------------------------------ docker-py

def test_docker_py_run_exec_wait_logs(bb):
    c = bb.py
    out = c.containers.run(BB, ["sh", "-c", "echo py"], remove=True)
    assert out == b"py\n"
    ctr = c.containers.run(BB, ["sh", "-c", "echo one; exec sleep 1000"], detach=True, name="py1",
                           environment={"A": "b"}, labels={"x": "y"}, mem_limit="64m")
    ctr.reload()
    assert ctr.status == "running" and ctr.labels == {"x": "y"}
    assert ctr.attrs["HostConfig"]["Memory"] == 64 * 1024 * 1024
    code, output = ctr.exec_run(["sh", "-c", "echo $A; exit 4"])
    assert code == 4 and output == b"b\n"
    wait_for(lambda: ctr.logs() == b"one\n", what="logs")
    ctr.kill()
    assert ctr.wait()["StatusCode"] == 137
    ctr.remove()
    with pytest.raises(Exception) as e:
        c.containers.get("py1")
    assert "No such container" in str(e.value)


def test_docker_py_attach_socket_tty(bb):
    api = bb.py.api
    cid = api.create_container(BB, ["sh", "-c", "stty size; read x; echo got $x"], tty=True, stdin_open=True)["Id"]
    sock = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stream": 1})
    api.start(cid)
    api.resize(cid, 33, 77)
    raw = sock._sock
    time.sleep(0.3)
    raw.sendall(b"hello\n")
    data = b""
    deadline = time.time() + 10
    while b"got hello" not in data and time.time() < deadline:
        chunk = raw.recv(4096)
        if not chunk:
            break
        data += chunk
    assert b"got hello" in data, data
    assert api.wait(cid)["StatusCode"] == 0
    api.remove_container(cid)
