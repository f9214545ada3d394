"""create / start / state / kill / delete / list / run: the container lifecycle
and runc's exit-code conventions."""

import json
import os
import signal
import subprocess

import pytest

from helpers import TIMEOUT, pid_alive, wait_for

# A container that keeps running and exits 7 on SIGTERM. pid 1 of a pid
# namespace only gets the signals it has a handler for, hence the trap; `wait`
# returns as soon as a trapped signal arrives.
TRAP_TERM = "trap 'exit 7' TERM; touch /ready; sleep 1000 & wait"


def wait_ready(bundle, name="ready"):
    wait_for(lambda: (bundle.rootfs / name).exists(), timeout=TIMEOUT, what=f"/{name} in the container")


def test_create_gives_created_state_without_running_the_process(bundle, rt):
    bundle.sh("touch /started")
    bundle.create().ok()
    st = rt.state(bundle.id)
    assert st["status"] == "created", st
    assert st["id"] == bundle.id
    assert isinstance(st["pid"], int) and st["pid"] > 0, st
    assert pid_alive(st["pid"]), f"init pid {st['pid']} of a created container is not alive"
    assert os.path.realpath(st["bundle"]) == os.path.realpath(bundle.path), st
    assert st["ociVersion"].startswith("1."), st
    assert not (bundle.rootfs / "started").exists(), "the user process ran before start"


def test_start_runs_the_process_and_state_says_running(bundle, rt):
    bundle.sh("touch /started; sleep 1000")
    bundle.create().ok()
    rt("start", bundle.id).ok()
    wait_for(lambda: (bundle.rootfs / "started").exists(), what="the process to run after start")
    assert rt.status(bundle.id) == "running"


def test_start_twice_fails(bundle, rt):
    bundle.start_detached("sleep 1000")
    r = rt("start", bundle.id).failed()
    assert r.stderr.strip(), "no message for starting a running container"


@pytest.mark.parametrize("sig", ["KILL", "9", "SIGKILL", "TERM", "15", "SIGTERM"])
def test_kill_stops_the_container(bundle, rt, sig):
    st = bundle.start_detached(TRAP_TERM)
    wait_ready(bundle)
    rt("kill", bundle.id, sig).ok()
    rt.wait_status(bundle.id, "stopped")
    assert not pid_alive(st["pid"]), f"pid {st['pid']} still alive after kill {sig}"


def test_kill_defaults_to_sigterm(bundle, rt):
    bundle.start_detached(TRAP_TERM)
    wait_ready(bundle)
    rt("kill", bundle.id).ok()
    rt.wait_status(bundle.id, "stopped")


def test_kill_created_container(bundle, rt):
    bundle.sh("touch /started")
    bundle.create().ok()
    rt("kill", bundle.id, "KILL").ok()
    rt.wait_status(bundle.id, "stopped")
    assert not (bundle.rootfs / "started").exists()


def test_kill_unknown_signal_fails(bundle, rt):
    bundle.start_detached("sleep 1000")
    r = rt("kill", bundle.id, "NOSUCHSIG").failed()
    assert "NOSUCHSIG" in r.stderr or "signal" in r.stderr.lower(), r.describe()
    assert rt.status(bundle.id) == "running"


def test_delete_removes_the_container(bundle, rt):
    bundle.start_detached("sleep 1000")
    rt("kill", bundle.id, "KILL").ok()
    rt.wait_status(bundle.id, "stopped")
    rt("delete", bundle.id).ok()
    r = rt("state", bundle.id).failed()
    assert bundle.id in r.stderr or "not exist" in r.stderr, r.describe()
    assert not (rt.root / bundle.id).exists(), "state directory still there after delete"


def test_delete_running_without_force_fails(bundle, rt):
    bundle.start_detached("sleep 1000")
    rt("delete", bundle.id).failed()
    assert rt.status(bundle.id) == "running", "a refused delete must not touch the container"


def test_delete_force_kills_a_running_container(bundle, rt):
    st = bundle.start_detached("sleep 1000")
    rt("delete", "--force", bundle.id).ok()
    wait_for(lambda: not pid_alive(st["pid"]), what=f"pid {st['pid']} to die after delete --force")
    rt("state", bundle.id).failed()


def test_state_of_unknown_container_fails(rt):
    r = rt("state", "bt-does-not-exist").failed()
    assert "bt-does-not-exist" in r.stderr or "not exist" in r.stderr, r.describe()


def test_list_table(make_bundle, rt):
    a, b = make_bundle("a"), make_bundle("b")
    a.start_detached("sleep 1000")
    b.sh("sleep 1000")
    b.create().ok()
    r = rt("list").ok()
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], r.stdout
    rows = {line.split()[0]: line.split() for line in lines[1:] if line.strip()}
    assert rows[a.id][2] == "running", r.stdout
    assert rows[b.id][2] == "created", r.stdout
    assert rows[a.id][1] == str(rt.state(a.id)["pid"]), r.stdout
    assert rows[a.id][3] == str(a.path), r.stdout


def test_list_quiet_prints_ids(make_bundle, rt):
    a = make_bundle("a")
    a.start_detached("sleep 1000")
    assert rt("list", "-q").ok().stdout.split() == [a.id]


def test_list_json(make_bundle, rt):
    a = make_bundle("a")
    a.start_detached("sleep 1000")
    r = rt("list", "--format", "json").ok()
    items = json.loads(r.stdout)
    assert isinstance(items, list) and len(items) == 1, r.stdout
    item = items[0]
    assert item["id"] == a.id and item["status"] == "running", item
    assert item["pid"] == rt.state(a.id)["pid"], item
    assert os.path.realpath(item["bundle"]) == str(a.path), item
    assert "created" in item


def test_list_empty_root(rt):
    r = rt("list", "--format", "json").ok()
    assert json.loads(r.stdout or "null") in (None, []), r.stdout


def test_run_propagates_exit_code(bundle, rt):
    bundle.sh("echo out; echo err >&2; exit 3")
    r = bundle.run()
    assert r.returncode == 3, r.describe()
    assert r.stdout == "out\n", r.describe()
    assert "err" in r.stderr, r.describe()
    rt("state", bundle.id).failed()  # run deletes the container when it exits


def test_run_success_exit_zero_and_removes_container(bundle, rt):
    bundle.args("true")
    bundle.run().ok()
    assert rt("list", "-q").ok().stdout.strip() == "", "run left the container behind"


def test_run_forwards_sigterm_to_the_container(bundle, rt):
    bundle.sh("trap 'exit 42' TERM; touch /ready; sleep 1000 & wait")
    bundle.write()
    p = rt.popen("run", "--bundle", bundle.path, bundle.id)
    wait_ready(bundle)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("run did not exit after SIGTERM: the signal was not forwarded")
    assert p.returncode == 42, f"exit {p.returncode}, stderr: {err.decode()}"


def test_run_container_killed_by_signal_exits_128_plus_n(bundle, rt):
    bundle.sh("touch /ready; sleep 1000")
    bundle.write()
    p = rt.popen("run", "--bundle", bundle.path, bundle.id)
    wait_ready(bundle)
    rt("kill", bundle.id, "KILL").ok()
    try:
        _, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("run did not exit after its container was killed")
    assert p.returncode == 128 + 9, f"exit {p.returncode}, stderr: {err.decode()}"


def test_run_detached_then_kill(bundle, rt):
    bundle.sh("touch /ready; sleep 1000")
    # -d returns once the container runs; stdio to files so nothing holds our pipes.
    bundle.write()
    with open(bundle.path.parent / "d.out", "wb") as o:
        p = subprocess.run(rt.argv("run", "-d", "--bundle", bundle.path, bundle.id),
                           stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    assert p.returncode == 0, (bundle.path.parent / "d.out").read_text()
    st = rt.state(bundle.id)
    assert st["status"] == "running", st
    wait_ready(bundle)
    rt("kill", bundle.id, "9").ok()
    rt.wait_status(bundle.id, "stopped")
    rt("delete", bundle.id).ok()


def test_container_exit_makes_state_stopped(bundle, rt):
    st = bundle.start_detached("exit 0")
    rt.wait_status(bundle.id, "stopped")
    assert not pid_alive(st["pid"])
    rt("delete", bundle.id).ok()


def test_pid_file(bundle, rt):
    pidfile = bundle.path.parent / "pidfile"
    bundle.sh("sleep 1000")
    bundle.create(extra=["--pid-file", pidfile]).ok()
    assert pidfile.read_text().strip() == str(rt.state(bundle.id)["pid"])
