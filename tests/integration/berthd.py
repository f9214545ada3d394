"""berthd in a private root, for the daemon tests and benchmarks: its own
--data-root, --exec-root and socket under one directory (on disk, /var/tmp by
default: overlay snapshots behave as in production), clients bound to it
(`berth`, the docker CLI, docker-py, raw HTTP), and a teardown that stops it
and reports whatever it left behind (processes, mounts)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from netcleanup import remove_daemon_network
from daemons import kill_pids, processes_referencing, rss_kb, stop_process, unmount_all, wait_exit
from dockerd import DOCKER_CLI
from helpers import REPO, Result, run_cmd
import unixhttp

BERTHD = os.environ.get("BERTHD", str(REPO / "build" / "berthd"))
BERTH = os.environ.get("BERTH", str(REPO / "build" / "berth"))
LOG_LEVEL = os.environ.get("BERTHD_LOG_LEVEL", "debug")
START_TIMEOUT = float(os.environ.get("BERTHD_START_TIMEOUT", "20"))
STOP_TIMEOUT = float(os.environ.get("BERTHD_STOP_TIMEOUT", "15"))
DAEMON_TMP = os.environ.get("BERTH_DAEMON_TMP", "/var/tmp")


class BerthdError(AssertionError):
    pass


def require_binaries(*paths):
    """A missing binary is a failure, never a skip: the tests exist to run them."""
    for p in paths:
        if not os.access(p, os.X_OK):
            raise BerthdError(f"no executable at {p}: build it (scripts/build.sh) or point "
                              f"BERTHD / BERTH at one")


class Berthd:
    def __init__(self, base: Path | None = None, extra_args=()):
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="bt-berthd-", dir=DAEMON_TMP))
        self.data_root = self.base / "data"
        self.exec_root = self.base / "exec"
        self.sock = self.base / "berth.sock"
        self.host = f"unix://{self.sock}"
        self.log_path = self.base / "berthd.log"
        self.extra_args = list(extra_args)
        # Networking names of its own, kept across restarts on the same base.
        tag_file = self.base / "net-tag"
        if tag_file.exists():
            tag = tag_file.read_text().strip()
        else:
            tag = secrets.token_hex(3)
            self.base.mkdir(parents=True, exist_ok=True)
            tag_file.write_text(tag)
        self.bridge = self._flag("--bridge") or f"bt{tag}"
        self.nft_table = self._flag("--nft-table") or f"bt_{tag}"
        if self._flag("--bridge") is None:
            self.extra_args = ["--bridge", self.bridge, *self.extra_args]
        if self._flag("--nft-table") is None:
            self.extra_args = ["--nft-table", self.nft_table, *self.extra_args]
        self.proc: subprocess.Popen | None = None
        self._py = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "BERTH_HOST"))}
        self.env["DOCKER_CONFIG"] = str(self.base / "docker-cli")  # not ~/.docker
        self.env["BERTH_CONFIG"] = str(self.base / "berth-cli")  # not ~/.berth

    def _flag(self, name):
        args = self.extra_args
        for i, a in enumerate(args):
            if a == name and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(name + "="):
                return a.split("=", 1)[1]
        return None

    def start(self) -> "Berthd":
        require_binaries(BERTHD)
        self.base.mkdir(parents=True, exist_ok=True)
        argv = [BERTHD, "--data-root", str(self.data_root), "--exec-root", str(self.exec_root),
                "-H", self.host, "--log-level", LOG_LEVEL, *self.extra_args]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, env=self.env)
        if not unixhttp.wait_for_ping(self.sock, START_TIMEOUT, alive=lambda: self.proc.poll() is None):
            code = self.proc.poll()
            log = self.log()  # before stop() removes the directory holding it
            self.stop()
            why = f"exited with code {code}" if code is not None else f"gave no answer in {START_TIMEOUT}s"
            raise BerthdError(f"berthd never answered GET /_ping on {self.sock}: {why}\n"
                              f"command: {' '.join(argv)}\nlog:\n{log}")
        return self

    def log(self, tail=6000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    # ------------------------------------------------------------ clients

    def cli(self, *args, timeout=60.0, input=None) -> Result:
        """`berth -H <host> args...`"""
        require_binaries(BERTH)
        return run_cmd([BERTH, "-H", self.host, *args], timeout=timeout, input=input, env=self.env)

    def docker(self, *args, timeout=60.0, input=None) -> Result:
        """The docker.io CLI (BERTH_DOCKER_CLI) against this daemon."""
        return run_cmd([DOCKER_CLI, "-H", self.host, *args], timeout=timeout, input=input, env=self.env)

    @property
    def py(self):
        """A docker-py client (Debian's python3-docker) on the socket, API 1.41."""
        if self._py is None:
            import docker
            self._py = docker.DockerClient(base_url=self.host, version="1.41", timeout=60)
        return self._py

    def api(self, method: str, path: str, body=None, headers=None, timeout=30.0) -> unixhttp.Response:
        """One raw HTTP request (status codes and headers a client would hide)."""
        return unixhttp.request(self.sock, method, path, body, headers, timeout)

    def rss_kb(self) -> int:
        return rss_kb(self.proc.pid)

    # ------------------------------------------------------------ teardown

    def _remove_containers(self) -> list[str]:
        """Force-removes containers a test left (the test's hygiene, not a berthd
        fault); if the API cannot even list them, that is reported."""
        try:
            r = self.api("GET", "/containers/json?all=1", timeout=10)
            if r.status == 404 and r.json() == {"message": "page not found"}:
                return []  # a berthd without the container routes has no containers
            if r.status != 200:
                return [f"GET /containers/json?all=1 answered {r.status}: {r.body[:300]!r}"]
            for c in r.json():
                self.api("DELETE", f"/containers/{c['Id']}?force=1&v=1", timeout=30)
        except Exception as e:  # noqa: BLE001 - reported, teardown continues
            return [f"could not list/remove containers before stopping: {e}"]
        return []

    def stop(self) -> list[str]:
        """Stops berthd (SIGTERM, SIGKILL after STOP_TIMEOUT) and returns what it
        left behind: processes whose exe/root/cwd/command line lies under the
        daemon's directory, mounts under it. Those are cleaned up here either
        way, and the directory removed."""
        problems = []
        if self._py is not None:
            self._py.close()
            self._py = None
        if self.proc is not None and self.proc.poll() is None:
            problems += self._remove_containers()
            msg = stop_process(self.proc, STOP_TIMEOUT)
            problems += [msg] if msg else []
        if self.proc is not None and self.proc.returncode not in (0, None, -15):
            problems.append(f"berthd exited with {self.proc.returncode} on SIGTERM")
        left = processes_referencing([self.base])
        problems += [f"process left: {why}" for _, why in left]
        kill_pids(pid for pid, _ in left)
        wait_exit([pid for pid, _ in left], 5)
        problems += [f"mount left: {m}" for m in unmount_all(self.base)]
        problems += remove_daemon_network(self.data_root, self.bridge, self.nft_table)
        if problems:
            problems.append("berthd log (tail):\n" + self.log(3000))
        shutil.rmtree(self.base, ignore_errors=True)
        return problems
