"""seccomp user notification: SCMP_ACT_NOTIFY rules hand the notify fd to the
agent listening at linux.seccomp.listenerPath, with the container process state
(runtime.md, "Container process state"; config-linux.md, "Seccomp")."""

import ctypes
import errno
import fcntl
import json
import os
import select
import socket
import subprocess
import time

import pytest

from helpers import TIMEOUT, accept_from_runtime

# linux/seccomp.h: _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp).
SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101


class SeccompData(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int), ("arch", ctypes.c_uint32), ("instruction_pointer", ctypes.c_uint64),
                ("args", ctypes.c_uint64 * 6)]


class SeccompNotif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("data", SeccompData)]


class SeccompNotifResp(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


assert ctypes.sizeof(SeccompNotif) == 80 and ctypes.sizeof(SeccompNotifResp) == 24


def notify_profile(listener_path, metadata="berth-test-metadata"):
    return {"defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "listenerPath": str(listener_path), "listenerMetadata": metadata,
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}


class Listener:
    """The agent's end of listenerPath."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)

    def receive(self, proc=None, timeout=TIMEOUT):
        """Accepts the runtime's connection; returns (notify fd, process state).
        Gives up early, with the runtime's stderr, if `proc` exits first."""
        conn = accept_from_runtime(self.sock, proc, timeout, "listenerPath")
        with conn:
            conn.settimeout(timeout)
            msg, fds, _flags, _addr = socket.recv_fds(conn, 65536, 4)
            # The state may be longer than one read: take the rest until the runtime closes.
            while True:
                more = conn.recv(65536)
                if not more:
                    break
                msg += more
        assert len(fds) == 1, f"expected one fd (seccompFd), got {fds}; message {msg!r}"
        return fds[0], msg

    def close(self):
        self.sock.close()


@pytest.fixture
def agent_dir(rt):
    d = rt.tmp / "seccomp-agent"
    d.mkdir()
    return d


@pytest.fixture
def listener(agent_dir, bundle):
    """An agent socket reachable at the same path on the host and, through a
    bind mount of its directory, inside the container: these tests check the
    protocol whichever side of pivot_root the runtime connects from
    (test_listener_path_is_a_host_path checks that side)."""
    path = agent_dir / "agent.sock"
    agent = Listener(path)
    bundle.config["mounts"].append({"destination": str(agent_dir), "type": "bind", "source": str(agent_dir),
                                    "options": ["rbind", "rw"]})
    yield path, agent
    agent.close()


def start_run(rt, bundle):
    bundle.write()
    return rt.popen("run", "--bundle", bundle.path, bundle.id)


def finish(proc):
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("the container did not finish after the agent let go of the notify fd")
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def test_listener_gets_the_notify_fd_and_the_process_state(bundle, rt, listener):
    path, agent = listener
    assert bundle.process["noNewPrivileges"] is True
    bundle.linux["seccomp"] = notify_profile(path)
    bundle.sh("mkdir /tmp/notified; echo mkdir-exit=$?")
    proc = start_run(rt, bundle)
    fd, msg = agent.receive(proc)
    try:
        try:
            st = json.loads(msg)
        except json.JSONDecodeError as e:
            raise AssertionError(f"the process state is not JSON ({e}): {msg!r}") from None
        assert st.get("ociVersion", "").startswith("1."), st
        assert st.get("fds") == ["seccompFd"], st
        assert st.get("metadata") == "berth-test-metadata", st
        assert isinstance(st.get("state"), dict), st
        assert st["state"].get("id") == bundle.id, st
        assert isinstance(st.get("pid"), int) and st["pid"] > 0, st
        assert os.path.realpath(st["state"].get("bundle", "")) == os.path.realpath(bundle.path), st
    finally:
        # No agent answers: with the fd closed, the waiting mkdir fails with ENOSYS.
        os.close(fd)
    code, out, err = finish(proc)
    assert code == 0, f"exit {code}\nstdout: {out}\nstderr: {err}"
    assert "mkdir-exit=1" in out, out
    assert "Function not implemented" in err, err
    assert not (bundle.rootfs / "tmp" / "notified").exists()


def test_listener_pid_is_the_container_process_as_the_runtime_sees_it(bundle, rt, listener):
    # runtime.md: the pid of the container process "as seen by the runtime",
    # i.e. the host pid that `state` reports, not 1 from inside a pid namespace.
    path, agent = listener
    bundle.linux["seccomp"] = notify_profile(path)
    bundle.sh("mkdir /tmp/notified")
    proc = start_run(rt, bundle)
    fd, msg = agent.receive(proc)
    try:
        st = json.loads(msg)
        host_pid = rt.state(bundle.id)["pid"]
        assert st["pid"] == host_pid, f"listener got pid {st['pid']}, the runtime says {host_pid}"
        assert st["state"].get("pid") == host_pid, st["state"]
    finally:
        os.close(fd)
    finish(proc)


def test_agent_answers_a_notification(bundle, rt, listener):
    """The fd is a working notify fd: the agent sees mkdir and fails it with its own errno."""
    path, agent = listener
    bundle.linux["seccomp"] = notify_profile(path)
    bundle.sh("mkdir /tmp/notified")
    proc = start_run(rt, bundle)
    fd, _msg = agent.receive(proc)
    try:
        ready, _, _ = select.select([fd], [], [], TIMEOUT)
        assert ready, "no notification arrived for the container's mkdir"
        req = SeccompNotif()
        fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req)
        assert req.data.nr in (83, 258), f"notified syscall {req.data.nr} is not mkdir/mkdirat"
        resp = SeccompNotifResp(id=req.id, val=0, error=-errno.EXDEV, flags=0)
        fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp)
    finally:
        os.close(fd)
    code, out, err = finish(proc)
    assert code != 0, f"mkdir succeeded although the agent failed it\n{out}{err}"
    assert "cross-device" in err.lower(), f"the agent's EXDEV did not reach mkdir: {err}"


def test_notify_without_listener_path_is_refused(bundle, rt):
    profile = notify_profile("/unused")
    del profile["listenerPath"]
    bundle.linux["seccomp"] = profile
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "listenerPath" in r.stderr, r.describe()


def test_listener_path_is_a_host_path(bundle, rt, agent_dir):
    # config-linux.md: the runtime sends the state over listenerPath; the path is
    # the runtime's, not the container's (runc connects from the host).
    path = agent_dir / "host-only.sock"
    agent = Listener(path)
    try:
        bundle.linux["seccomp"] = notify_profile(path)
        bundle.sh("mkdir /tmp/notified")
        proc = start_run(rt, bundle)
        fd, msg = agent.receive(proc)
        os.close(fd)
        assert json.loads(msg)["state"]["id"] == bundle.id
        finish(proc)
    finally:
        agent.close()


def test_exec_sends_its_own_notify_fd(bundle, rt, listener):
    path, agent = listener
    bundle.linux["seccomp"] = notify_profile(path)
    bundle.sh("exec sleep 1000")
    bundle.write()
    out, err = bundle.path.parent / "init.out", bundle.path.parent / "init.err"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        subprocess.run(rt.argv("run", "-d", "--bundle", bundle.path, bundle.id), stdin=subprocess.DEVNULL,
                       stdout=fo, stderr=fe, timeout=TIMEOUT, check=False)
        init_fd, _ = agent.receive()
    try:
        rt.state(bundle.id)
        proc = rt.popen("exec", bundle.id, "mkdir", "/tmp/from-exec")
        exec_fd, msg = agent.receive(proc)
        os.close(exec_fd)
        assert json.loads(msg)["state"]["id"] == bundle.id
        finish(proc)
    finally:
        os.close(init_fd)
