"""berth-monitor (docs/monitor.md), driven the way berthd drives it: spawned with
a sync socket on fd 3, then spoken to over <state-dir>/monitor.sock. Uses the
runtime fixtures (rt, make_bundle), so their leak checks cover the containers."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

from helpers import REPO, TIMEOUT, find_cgroup_dir, pid_alive, wait_for

MONITOR = os.environ.get("BERTH_MONITOR", str(REPO / "build" / "berth-monitor"))


class Monitor:
    """One spawned monitor: its state dir, process, and sync socket."""

    def __init__(self, rt, bundle, tty=False, open_stdin=False, stdin_once=False, log=True,
                 max_size=0, max_file=1):
        self.bundle = bundle
        self.dir = rt.tmp / f"mon-{bundle.id}"
        self.dir.mkdir()
        self.log = self.dir / "container.log" if log else None
        spec = {"id": bundle.id, "bundle": str(bundle.path), "runtime_root": str(rt.root),
                "tty": tty, "open_stdin": open_stdin, "stdin_once": stdin_once,
                "log": {"path": str(self.log), "max_size": max_size, "max_file": max_file}
                if log else None}
        (self.dir / "monitor.json").write_text(json.dumps(spec))
        bundle.process["terminal"] = tty
        bundle.write()
        ours, theirs = socket.socketpair()
        self.sync = ours
        self.sync.settimeout(TIMEOUT)
        stderr = open(self.dir / "monitor.stderr", "wb")
        self.proc = subprocess.Popen([MONITOR, str(self.dir)], stdin=subprocess.DEVNULL,
                                     stdout=stderr, stderr=stderr,
                                     pass_fds=(theirs.fileno(), 3),
                                     preexec_fn=lambda: os.dup2(theirs.fileno(), 3))
        stderr.close()
        theirs.close()
        rt.popens.append(self.proc)
        self.created = self._line()
        self.pid = self.created.get("pid")
        if self.pid:
            rt._remember_pid(bundle.id, self.pid)

    def _line(self) -> dict:
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = self.sync.recv(4096)
            if not chunk:
                break
            buf += chunk
        return json.loads(buf) if buf else {}

    def start(self) -> dict:
        self.sync.sendall(b"start\n")
        answer = self._line()
        self.sync.close()
        return answer

    @property
    def sock_path(self) -> str:
        return str(self.dir / "monitor.sock")

    def connect(self, request: dict) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect(self.sock_path)
        s.sendall(json.dumps(request).encode() + b"\n")
        return s

    def ask(self, request: dict) -> dict:
        with self.connect(request) as s:
            return json.loads(read_line(s))

    def wait_exit(self, timeout=TIMEOUT) -> dict:
        self.proc.wait(timeout=timeout)
        return json.loads((self.dir / "exit.json").read_text())

    def log_entries(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def read_line(s: socket.socket) -> bytes:
    buf = b""
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            break
        buf += c
    return buf


def read_frames(s: socket.socket) -> list[tuple[int, bytes]]:
    """Every stdcopy frame until the monitor closes the connection."""
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    frames = []
    while data:
        assert len(data) >= 8, f"truncated frame header: {data!r}"
        stream, size = data[0], struct.unpack(">I", data[4:8])[0]
        assert data[1:4] == b"\0\0\0", f"bad frame header {data[:8]!r}"
        frames.append((stream, data[8:8 + size]))
        data = data[8 + size:]
    return frames


def joined(frames, stream) -> bytes:
    return b"".join(p for s, p in frames if s == stream)


@pytest.fixture
def monitors():
    made = []
    yield made
    for m in made:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait(timeout=10)


def spawn(monitors, rt, bundle, **kw) -> Monitor:
    m = Monitor(rt, bundle, **kw)
    monitors.append(m)
    return m


def test_output_reaches_log_and_attached_client_in_order(rt, bundle, monitors):
    bundle.sh("for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 7")
    m = spawn(monitors, rt, bundle)
    assert m.pid, m.created
    attach = m.connect({"attach": {"stdin": False, "stdout": True, "stderr": True}})
    assert m.start() == {"started": True}
    frames = read_frames(attach)
    assert joined(frames, 1) == b"out1\nout2\nout3\n"
    assert joined(frames, 2) == b"err1\nerr2\nerr3\n"
    exit_rec = m.wait_exit()
    assert exit_rec["exit_code"] == 7 and exit_rec["signal"] == 0 and not exit_rec["oom_killed"]
    assert exit_rec["finished_at"].endswith("Z")
    entries = m.log_entries()
    # Order holds within a stream; two pipes can't keep it between them (nor in docker).
    for stream in ("stdout", "stderr"):
        assert [e["log"] for e in entries if e["stream"] == stream] == \
            [f"{stream[3:]}{i}\n" for i in (1, 2, 3)]
    assert all(e["time"].endswith("Z") for e in entries)
    assert m.proc.returncode == 0
    assert not Path(m.sock_path).exists()
    assert not (rt.root / bundle.id).exists(), "the monitor did not delete the container"


def test_killed_by_signal_is_recorded(rt, bundle, monitors):
    bundle.args("sleep", "100")
    m = spawn(monitors, rt, bundle)
    m.start()
    rt("kill", bundle.id, "KILL").ok()
    rec = m.wait_exit()
    assert (rec["exit_code"], rec["signal"]) == (137, 9)


def test_stdin_once_via_attach(rt, bundle, monitors):
    bundle.args("cat")
    m = spawn(monitors, rt, bundle, open_stdin=True, stdin_once=True)
    attach = m.connect({"attach": {"stdin": True, "stdout": True, "stderr": True}})
    m.start()
    attach.sendall(b"hello\nworld\n")
    attach.shutdown(socket.SHUT_WR)
    frames = read_frames(attach)
    assert joined(frames, 1) == b"hello\nworld\n"
    assert m.wait_exit()["exit_code"] == 0


def test_tty_and_resize(rt, bundle, monitors):
    bundle.sh("read line; stty size; exit 3")
    m = spawn(monitors, rt, bundle, tty=True, open_stdin=True)
    attach = m.connect({"attach": {"stdin": True, "stdout": True, "stderr": True}})
    m.start()
    assert m.ask({"resize": {"height": 33, "width": 111}}) == {"ok": True}
    attach.sendall(b"go\n")
    frames = read_frames(attach)
    assert {s for s, _ in frames} == {1}, "a tty container's output is all stream 1"
    assert b"33 111" in joined(frames, 1)
    assert m.wait_exit()["exit_code"] == 3
    assert "33 111" in "".join(e["log"] for e in m.log_entries())


def test_resize_without_tty_is_an_error(rt, bundle, monitors):
    bundle.args("sleep", "100")
    m = spawn(monitors, rt, bundle)
    m.start()
    assert "error" in m.ask({"resize": {"height": 10, "width": 10}})
    rt("kill", bundle.id, "KILL").ok()
    assert m.wait_exit()["exit_code"] == 137


def exec_process(bundle, *args) -> dict:
    p = dict(bundle.process)
    p["args"] = list(args)
    p["terminal"] = False
    return p


def test_exec_output_and_exit_code(rt, bundle, monitors):
    bundle.args("sleep", "100")
    m = spawn(monitors, rt, bundle)
    m.start()
    s = m.connect({"exec": {"process": exec_process(bundle, "sh", "-c", "cat; echo out; echo err >&2; exit 5"),
                            "tty": False, "stdin": True}})
    answer = json.loads(read_line(s))
    assert answer.get("pid"), answer
    s.sendall(b"from stdin\n")
    s.shutdown(socket.SHUT_WR)
    frames = read_frames(s)
    assert joined(frames, 1) == b"from stdin\nout\n"
    assert joined(frames, 2) == b"err\n"
    assert frames[-1][0] == 3 and json.loads(frames[-1][1]) == {"exit_code": 5}
    assert "out" not in m.log.read_text(), "exec output must not reach the container log"
    rt("kill", bundle.id, "KILL").ok()
    m.wait_exit()


def test_exec_tty_resize(rt, bundle, monitors):
    bundle.args("sleep", "100")
    m = spawn(monitors, rt, bundle)
    m.start()
    s = m.connect({"exec": {"process": exec_process(bundle, "sh", "-c", "read x; stty size"),
                            "tty": True, "stdin": True}})
    pid = json.loads(read_line(s))["pid"]
    assert m.ask({"exec_resize": {"pid": pid, "height": 21, "width": 77}}) == {"ok": True}
    s.sendall(b"\n")
    frames = read_frames(s)
    assert b"21 77" in joined(frames, 1)
    assert json.loads(frames[-1][1]) == {"exit_code": 0}
    rt("kill", bundle.id, "KILL").ok()
    m.wait_exit()


def test_exec_missing_executable_is_not_found(rt, bundle, monitors):
    bundle.args("sleep", "100")
    m = spawn(monitors, rt, bundle)
    m.start()
    answer = m.ask({"exec": {"process": exec_process(bundle, "no-such-cmd"), "tty": False, "stdin": False}})
    assert answer.get("kind") == "not_found", answer
    assert 'exec: "no-such-cmd": executable file not found in $PATH' in answer["error"]
    rt("kill", bundle.id, "KILL").ok()
    m.wait_exit()


def test_start_missing_executable_is_not_found(rt, bundle, monitors):
    bundle.args("no-such-cmd")
    m = spawn(monitors, rt, bundle)
    answer = m.start()
    assert answer.get("kind") == "not_found", answer
    assert "executable file not found" in answer["error"]
    assert m.wait_exit()["exit_code"] == 127


def test_create_failure_is_reported(rt, bundle, monitors):
    bundle.config["root"]["path"] = "no-such-rootfs"
    m = spawn(monitors, rt, bundle)
    assert "error" in m.created and "no-such-rootfs" in m.created["error"], m.created
    assert m.proc.wait(timeout=TIMEOUT) == 1
    assert not Path(m.sock_path).exists()


def test_spawner_gone_before_start_deletes_container(rt, bundle, monitors):
    bundle.args("true")
    m = spawn(monitors, rt, bundle)
    assert m.pid
    m.sync.close()
    assert m.proc.wait(timeout=TIMEOUT) == 0
    assert not (rt.root / bundle.id).exists()
    assert not pid_alive(m.pid)


def test_survives_spawner_sigkill(rt, bundle, monitors):
    """The spawner (berthd) is SIGKILLed: the monitor and container go on, and a
    new client can attach and see the rest of the output."""
    bundle.sh("read x; echo after")
    bundle.write()
    dirs = {}
    spawner = subprocess.Popen(
        ["/usr/bin/python3", "-c", SPAWNER, MONITOR, str(rt.tmp), bundle.id, str(bundle.path), str(rt.root)],
        stdout=subprocess.PIPE, cwd=str(Path(__file__).parent))
    rt.popens.append(spawner)
    line = json.loads(spawner.stdout.readline())
    dirs["state"], monitor_pid = Path(line["dir"]), line["monitor_pid"]
    rt._remember_pid(bundle.id, line["pid"])
    spawner.send_signal(signal.SIGKILL)
    spawner.wait(timeout=TIMEOUT)
    time.sleep(0.1)
    assert pid_alive(monitor_pid), "the monitor died with its spawner"
    assert pid_alive(line["pid"]), "the container died with its spawner"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(str(dirs["state"] / "monitor.sock"))
    s.sendall(b'{"state": {}}\n')
    assert json.loads(read_line(s)) == {"pid": line["pid"], "status": "running"}
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(str(dirs["state"] / "monitor.sock"))
    s.sendall(b'{"attach": {"stdin": true, "stdout": true, "stderr": true}}\n')
    s.sendall(b"go\n")
    assert joined(read_frames(s), 1) == b"after\n"
    wait_for(lambda: (dirs["state"] / "exit.json").exists(), what="exit.json")
    wait_for(lambda: not pid_alive(monitor_pid), what="the monitor to exit")


# A stand-in for berthd: spawns the monitor, starts the container, reports, and
# waits to be killed.
SPAWNER = r"""
import json, os, socket, subprocess, sys, time
monitor, tmp, cid, bundle, root = sys.argv[1:]
d = os.path.join(tmp, "mon-" + cid)
os.mkdir(d)
open(os.path.join(d, "monitor.json"), "w").write(json.dumps({"id": cid, "bundle": bundle,
    "runtime_root": root, "tty": False, "open_stdin": True, "stdin_once": True, "log": None}))
ours, theirs = socket.socketpair()
p = subprocess.Popen([monitor, d], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(), 3),
                     preexec_fn=lambda: os.dup2(theirs.fileno(), 3))
f = ours.makefile("rwb")
created = json.loads(f.readline())
f.write(b"start\n"); f.flush()
json.loads(f.readline())
print(json.dumps({"dir": d, "pid": created["pid"], "monitor_pid": p.pid}), flush=True)
time.sleep(100)
"""


def test_oom_killed(rt, bundle, monitors):
    bundle.linux["resources"]["memory"] = {"limit": 8 * 1024 * 1024, "swap": 8 * 1024 * 1024}
    # A shell variable that doubles until the memory limit stops it.
    bundle.sh("x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done")
    m = spawn(monitors, rt, bundle)
    m.start()
    rec = m.wait_exit(timeout=60)
    assert rec["oom_killed"] is True, rec
    assert rec["exit_code"] == 137


def test_vanishing_client_does_not_block(rt, bundle, monitors):
    bundle.sh("i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done")
    m = spawn(monitors, rt, bundle)
    reader = m.connect({"attach": {"stdin": False, "stdout": True, "stderr": True}})
    gone = m.connect({"attach": {"stdin": False, "stdout": True, "stderr": True}})
    stalled = m.connect({"attach": {"stdin": False, "stdout": True, "stderr": True}})
    m.start()
    gone.close()
    frames = read_frames(reader)  # `stalled` never reads: it must not hold the others up
    rec = m.wait_exit()
    stalled.close()
    assert rec["exit_code"] == 0
    assert joined(frames, 1).count(b"\n") == 3000
    assert len(m.log_entries()) == 3000


def test_log_rotation(rt, bundle, monitors):
    bundle.sh("i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done")
    m = spawn(monitors, rt, bundle, max_size=2000, max_file=3)
    m.start()
    m.wait_exit()
    files = sorted(p.name for p in m.dir.iterdir() if p.name.startswith("container.log"))
    assert files == ["container.log", "container.log.1", "container.log.2"]
    for f in files:
        assert (m.dir / f).stat().st_size <= 2000
    last = [json.loads(x)["log"] for x in (m.dir / "container.log").read_text().splitlines()]
    assert last[-1] == "line 199\n"


def test_many_monitors_run_side_by_side(rt, make_bundle, monitors):
    """Many idle monitors (containers running sleep) at once, each answering for
    its own container. Their memory and start time are measured in bench/
    (container_run.sh), not asserted here."""
    n = int(os.environ.get("BERTH_MONITOR_COUNT", "20"))
    for _ in range(n):
        b = make_bundle("idle")
        b.args("sleep", "1000")
        m = spawn(monitors, rt, b)
        assert m.start() == {"started": True}
    assert len({m.proc.pid for m in monitors}) == n
    for m in monitors:
        rt("kill", m.bundle.id, "KILL").ok()
    for m in monitors:
        assert m.wait_exit()["exit_code"] == 137
