"""Helpers shared by the integration tests: driving the runtime binary, building
bundles, and checking that a container left nothing behind on the host.

Everything here works against any runtime with runc's command line; the binary is
BERTH_RUNTIME (default: the berth-runtime of the main build directory). The tests
are developed against runc too: `runtime_is_runc` lets a test mark a runc-only
known failure, never a berth one.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNTIME = os.environ.get("BERTH_RUNTIME", str(REPO / "build" / "berth-runtime"))
runtime_is_runc = os.path.basename(os.path.realpath(RUNTIME)).startswith("runc")
runtime_name = "runc" if runtime_is_runc else "berth"

BUNDLE_SCRIPT = REPO / "scripts" / "make-busybox-bundle.sh"
ROOTFS_CACHE = Path(os.environ.get("BERTH_ROOTFS_CACHE", "/var/cache/berth-test/busybox-rootfs"))
CGROUP_MOUNT = Path("/sys/fs/cgroup")
# Per test session, so that a session's clean-up (which kills what is left in its
# cgroups) never touches the containers of another session running alongside.
TEST_CGROUP_PARENT = f"berth-test-{os.getpid()}"

# Every subprocess the tests start gets a timeout; a hung runtime fails the test
# instead of the whole suite.
TIMEOUT = float(os.environ.get("BERTH_TEST_TIMEOUT", "20"))

# Capability numbers (linux/capability.h) for the CapXxx masks in /proc/<pid>/status.
CAPS = {
    "CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
    "CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
    "CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
    "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
    "CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
    "CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
    "CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
    "CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
    "CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35,
    "CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37, "CAP_PERFMON": 38, "CAP_BPF": 39,
    "CAP_CHECKPOINT_RESTORE": 40,
}

DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def cap_mask(names) -> int:
    mask = 0
    for n in names:
        mask |= 1 << CAPS[n]
    return mask


def default_config(container_id: str) -> dict:
    """runc's `spec` output, written out here so the tests do not depend on the
    runtime's own `spec`. Differences, on purpose: terminal is false (stdio is
    captured), the root is writable (tests opt into readonly), and cgroupsPath
    is explicit so the cleanliness check does not depend on a runtime's default
    cgroup placement."""
    return copy.deepcopy({
        "ociVersion": "1.0.2-dev",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["sh"],
            "env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
            ],
            "cwd": "/",
            "capabilities": {k: list(DEFAULT_CAPS) for k in ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": "berth-test",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "cgroupsPath": f"/{TEST_CGROUP_PARENT}/{container_id}",
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/proc/scsi",
            ],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    })


@dataclass
class Result:
    args: list
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"command: {' '.join(map(str, self.args))}\n"
                f"exit code: {self.returncode}\n"
                f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}")

    def ok(self) -> "Result":
        assert self.returncode == 0, "command failed\n" + self.describe()
        return self

    def failed(self) -> "Result":
        assert self.returncode != 0, "command should have failed\n" + self.describe()
        return self

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cmd(args, timeout=TIMEOUT, input=None, env=None, cwd=None) -> Result:
    """Runs a command with captured text output; a timeout is a test failure that
    names the command (the child is killed by subprocess.run)."""
    try:
        p = subprocess.run([str(a) for a in args], input=input, capture_output=True, text=True,
                           timeout=timeout, env=env, cwd=cwd,
                           stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        raise AssertionError(f"timed out after {timeout}s: {' '.join(map(str, args))}\n"
                             f"stdout:\n{out}\nstderr:\n{err}") from None
    return Result(list(args), p.returncode, p.stdout, p.stderr)


def wait_for(predicate, timeout=5.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _slug(text: str, n: int) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-")[:n].strip("-").lower() or "t"


class Runtime:
    """One runtime binary with a private state root. Remembers every container id
    it handed out so teardown can delete and check each of them."""

    def __init__(self, binary: str, root: Path, test_name: str):
        self.binary = binary
        self.root = root
        self.test_slug = _slug(test_name.replace("test_", "", 1), 18)
        self.ids: list[str] = []
        self.pids: dict[str, tuple[int, str]] = {}  # id -> (pid, starttime) seen alive
        self.popens: list[subprocess.Popen] = []

    def new_id(self, hint: str = "") -> str:
        cid = f"bt-{_slug(hint, 10) + '-' if hint else ''}{self.test_slug}-{secrets.token_hex(3)}"
        self.ids.append(cid)
        return cid

    def argv(self, *args, global_args=()) -> list:
        return [self.binary, "--root", str(self.root), *global_args, *map(str, args)]

    def __call__(self, *args, timeout=TIMEOUT, input=None, global_args=(), cwd=None) -> Result:
        return run_cmd(self.argv(*args, global_args=global_args), timeout=timeout, input=input, cwd=cwd)

    def popen(self, *args, global_args=(), **kw) -> subprocess.Popen:
        """A runtime process left running (a foreground `run` to signal, say);
        killed at teardown if the test did not reap it."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        p = subprocess.Popen(self.argv(*args, global_args=global_args), **kw)
        self.popens.append(p)
        return p

    def state(self, cid: str) -> dict:
        r = self("state", cid).ok()
        try:
            st = json.loads(r.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"state output is not JSON ({e})\n" + r.describe()) from None
        if st.get("pid"):
            self._remember_pid(cid, st["pid"])
        return st

    def _remember_pid(self, cid: str, pid: int):
        start = proc_starttime(pid)
        if start is not None and cid not in self.pids:
            self.pids[cid] = (pid, start)

    def status(self, cid: str) -> str:
        return self.state(cid)["status"]

    def wait_status(self, cid: str, status: str, timeout=5.0):
        last = {}

        def check():
            last["s"] = self.status(cid)
            return last["s"] == status
        try:
            wait_for(check, timeout=timeout, what=f"{cid} to be {status}")
        except AssertionError:
            raise AssertionError(f"container {cid} is {last.get('s')!r}, expected {status!r} "
                                 f"within {timeout}s") from None


class Bundle:
    """A bundle directory with its own copy of the busybox rootfs and a config
    dict the test edits before calling write() (or run/create, which write)."""

    def __init__(self, rt: Runtime, path: Path, cid: str):
        self.rt = rt
        self.path = path
        self.rootfs = path / "rootfs"
        self.id = cid
        self.config = default_config(cid)
        self._outputs: dict[str, tuple[Path, Path]] = {}

    @property
    def process(self) -> dict:
        return self.config["process"]

    @property
    def linux(self) -> dict:
        return self.config["linux"]

    def args(self, *argv) -> "Bundle":
        self.process["args"] = list(argv)
        return self

    def sh(self, script: str) -> "Bundle":
        return self.args("sh", "-c", script)

    def write(self, config: dict | None = None) -> Path:
        p = self.path / "config.json"
        p.write_text(json.dumps(self.config if config is None else config, indent=2))
        return p

    def run(self, cid: str | None = None, extra=(), timeout=TIMEOUT, write=True) -> Result:
        """Foreground `run` with stdio captured (terminal false): the container's
        exit code becomes the runtime's."""
        if write:
            self.write()
        return self.rt("run", "--bundle", self.path, *extra, self.id if cid is None else cid,
                       timeout=timeout)

    def create(self, cid: str | None = None, extra=(), write=True) -> Result:
        """`create` with the container's stdio sent to files (not pipes: a pipe
        held by the container would keep subprocess.run waiting for EOF)."""
        if write:
            self.write()
        cid = self.id if cid is None else cid
        out, err = self._output_files(cid)
        argv = self.rt.argv("create", "--bundle", self.path, *extra, cid)
        with open(out, "wb") as fo, open(err, "wb") as fe:
            try:
                # The runtime's own messages land in the same stderr file, ahead
                # of anything the container writes after start.
                p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"timed out: {' '.join(map(str, argv))}\n"
                                     f"stderr: {err.read_text(errors='replace')}") from None
        r = Result(argv, p.returncode, out.read_text(errors="replace"), err.read_text(errors="replace"))
        if r.returncode == 0:
            self.rt.state(cid)  # remember the pid for the leak check
        return r

    def _output_files(self, cid: str) -> tuple[Path, Path]:
        name = _slug(cid, 60) + "-" + secrets.token_hex(2) if not re.fullmatch(r"[\w.-]+", cid) \
            or cid in (".", "..") else cid
        self._outputs[cid] = (self.path.parent / f"{name}.out", self.path.parent / f"{name}.err")
        return self._outputs[cid]

    def container_output(self, cid: str | None = None) -> tuple[str, str]:
        """What the container wrote to stdout/stderr so far (create/start)."""
        out, err = self._outputs[self.id if cid is None else cid]
        return out.read_text(errors="replace"), err.read_text(errors="replace")

    def start_detached(self, script: str, cid: str | None = None) -> dict:
        """create + start a container running `sh -c script`; returns its state."""
        self.sh(script)
        cid = cid or self.id
        self.create(cid).ok()
        self.rt("start", cid).ok()
        return self.rt.state(cid)


# ---------------------------------------------------------------- host inspection

def proc_starttime(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def pid_alive(pid: int, starttime: str | None = None) -> bool:
    st = proc_state(pid)
    if st is None or st in ("Z", "X"):
        return False
    return starttime is None or proc_starttime(pid) == starttime


def proc_status_field(pid, name: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


def _unescape_mountinfo(s: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def mounts_under(path: Path) -> list[str]:
    prefix = str(path).rstrip("/")
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        mp = _unescape_mountinfo(line.split()[4])
        if mp == prefix or mp.startswith(prefix + "/"):
            found.append(mp)
    return found


def own_cgroup_paths() -> dict[str, str]:
    """controller mount dir name -> this process's cgroup path in it."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if ctrls == "":
            paths["unified"] = path
            continue
        for c in ctrls.split(","):
            paths[c.replace("name=", "")] = path
    return paths


def cgroup_dirs_for(cid: str) -> list[Path]:
    """Every cgroup directory a runtime could have made for `cid`: under the test
    parent (explicit cgroupsPath), under berth's default /berth/<id>, at the top,
    or next to our own cgroup (runc's v1 default with an empty cgroupsPath)."""
    found = []
    mounts = [CGROUP_MOUNT] if (CGROUP_MOUNT / "cgroup.controllers").exists() else \
        [p for p in CGROUP_MOUNT.iterdir() if p.is_dir() and not p.is_symlink()]
    own = own_cgroup_paths()
    for m in mounts:
        candidates = {m / TEST_CGROUP_PARENT / cid, m / "berth" / cid, m / cid}
        rel = own.get(m.name, own.get("unified", "/")).lstrip("/")
        if rel:
            candidates.add(m / rel / cid)
        found += [c for c in candidates if c.is_dir()]
    return sorted(found)


def find_cgroup_dir(cid: str, controller: str) -> Path:
    """The container's cgroup directory for one v1 controller (or the v2 dir)."""
    if (CGROUP_MOUNT / "cgroup.controllers").exists():
        base = CGROUP_MOUNT
    else:
        base = CGROUP_MOUNT / controller
    p = base / TEST_CGROUP_PARENT / cid
    assert p.is_dir(), f"no cgroup directory {p} for container {cid}"
    return p


def processes_using(bundle: Path, cids: list[str]) -> list[str]:
    """Host processes that still belong to the bundle: running its busybox (each
    bundle has its own copy, so the inode identifies it; /proc/<pid>/root reads
    "/" after pivot_root and is useless), having their root or cwd inside it
    (a runtime child that never pivoted), or naming one of the ids on their
    command line (a stuck `run`/`init`)."""
    me = os.getpid()
    try:
        bb = os.stat(bundle / "rootfs" / "bin" / "busybox")
        bb_key = (bb.st_dev, bb.st_ino)
    except OSError:
        bb_key = None
    prefix = str(bundle).rstrip("/") + "/"
    leftovers = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        pid = int(d)
        if proc_state(pid) in (None, "Z", "X"):
            continue
        why = None
        try:
            if bb_key is not None:
                st = os.stat(f"/proc/{pid}/exe")
                if (st.st_dev, st.st_ino) == bb_key:
                    why = "runs the bundle's busybox"
        except OSError:
            pass
        for link in ("root", "cwd"):
            try:
                target = os.readlink(f"/proc/{pid}/{link}")
            except OSError:
                continue
            if (target + "/").startswith(prefix):
                why = f"{link} is {target}"
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(c.encode() in cmdline for c in cids):
                why = "command line names the container: " + b" ".join(cmdline).decode(errors="replace")
        except OSError:
            pass
        if why:
            leftovers.append(f"pid {pid}: {why}")
    return leftovers


def kill_pids_in_cgroup(d: Path):
    for f in ("cgroup.procs", "tasks"):
        try:
            for pid in (d / f).read_text().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        except OSError:
            pass


def remove_cgroup_tree(d: Path):
    """Removes a cgroup directory and its children (deepest first), thawing a
    frozen v1 freezer and killing members so rmdir can succeed."""
    if not d.is_dir():
        return
    for sub, _, _ in sorted(os.walk(d), key=lambda t: -len(t[0])):
        p = Path(sub)
        for f, v in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
            try:
                (p / f).write_text(v)
            except OSError:
                pass
        kill_pids_in_cgroup(p)
        for _ in range(50):
            try:
                os.rmdir(p)
                break
            except OSError as e:
                if e.errno == errno.ENOENT:
                    break
                time.sleep(0.02)


def recv_fd(sock, timeout=TIMEOUT) -> int:
    """Receives one fd sent with SCM_RIGHTS (the console socket protocol)."""
    sock.settimeout(timeout)
    msg, fds, _flags, _addr = socket.recv_fds(sock, 4096, 1)
    assert fds, f"no file descriptor received on the console socket (message {msg!r})"
    return fds[0]


def read_until(fd: int, needle: bytes, timeout=TIMEOUT) -> bytes:
    """Reads from a pty master until `needle` shows up, EOF/EIO (slave closed),
    or the timeout."""
    import select
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out reading the terminal; got {buf!r}")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        buf += chunk
    return buf


def accept_from_runtime(sock: socket.socket, proc: subprocess.Popen | None, timeout: float,
                        what: str) -> socket.socket:
    """Accepts the runtime's connection to `sock`; gives up early, with the
    runtime's output, if `proc` exits without connecting."""
    deadline = time.monotonic() + timeout
    sock.settimeout(0.05)
    while True:
        try:
            conn, _ = sock.accept()
            return conn
        except TimeoutError:
            pass
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            text = "\n".join(x.decode(errors="replace") for x in (out, err) if x)
            raise AssertionError(f"the runtime exited ({proc.returncode}) without connecting to "
                                 f"{what}: {text}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the runtime never connected to {what}")


class ConsoleSocket:
    """The listening end of --console-socket: the runtime connects and sends the
    pty master with SCM_RIGHTS."""

    def __init__(self, path: Path):
        import socket
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.master: int | None = None

    def receive(self, proc: subprocess.Popen | None = None, timeout=TIMEOUT) -> int:
        """Accepts the runtime's connection and returns the pty master; gives up
        early, with the runtime's stderr, if `proc` exits without connecting."""
        conn = accept_from_runtime(self.sock, proc, timeout, f"the console socket {self.path}")
        with conn:
            self.master = recv_fd(conn, timeout)
        return self.master

    def close(self):
        if self.master is not None:
            os.close(self.master)
            self.master = None
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
