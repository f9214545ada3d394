"""A private instance of Debian's dockerd (docker.io 20.10), the reference the
image tests and benchmarks compare berth against. It never touches the host's
Docker: its own data root (on disk under /var/tmp: overlay2 needs a filesystem
with d_type, and a tmpfs would hold gigabytes of layers in memory), exec root,
socket, pidfile and config file, and its OWN containerd started here with a
private config. (dockerd 20.10 would otherwise use /run/containerd/containerd.sock
whenever that file exists, i.e. share the host's containerd.) No bridge, no
iptables, no ip forwarding/masquerading: containers run with --network none.
Containers go under a private cgroup parent, removed at stop.

Usable from a fixture or a script:
    with PrivateDockerd() as dk:
        dk.docker("load", "-i", archive).ok()
    python3 tests/integration/dockerd.py start DIR   # prints the socket; `stop DIR` ends it
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from daemons import (kill_pids, processes_referencing, remove_cgroup_parent, rss_kb, stop_process,
                     unmount_all, wait_exit)
from helpers import Result, run_cmd
from unixhttp import wait_for_ping

DOCKERD = os.environ.get("BERTH_DOCKERD", "/usr/sbin/dockerd")
CONTAINERD = os.environ.get("BERTH_CONTAINERD", "/usr/bin/containerd")
# The docker.io CLI, same release as the daemon (API 1.41, berthd's version too).
DOCKER_CLI = os.environ.get("BERTH_DOCKER_CLI", "/usr/bin/docker")
START_TIMEOUT = float(os.environ.get("BERTH_DOCKERD_START_TIMEOUT", "60"))

CONTAINERD_TOML = """version = 2
root = "{root}"
state = "{state}"
# CRI is Kubernetes' plugin: dockerd never uses it (its own managed containerd
# disables it the same way).
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{sock}"
[ttrpc]
  address = "{sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{root}/opt"
"""


class PrivateDockerd:
    def __init__(self, base: Path | None = None, storage_driver: str | None = None):
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="bt-dockerd-", dir="/var/tmp"))
        self.base.mkdir(parents=True, exist_ok=True)
        self.data_root = self.base / "data"
        self.exec_root = self.base / "exec"
        self.sock = self.base / "docker.sock"
        self.host = f"unix://{self.sock}"
        self.containerd_sock = self.exec_root / "containerd" / "containerd.sock"
        self.cgroup_parent = f"berth-test-dockerd-{os.getpid()}-{self.base.name[-8:]}"
        self.storage_driver = storage_driver or os.environ.get("BERTH_DOCKERD_STORAGE", "overlay2")
        # BERTH_DOCKERD_BRIDGE=<CIDR>: a default bridge (docker0 at that address) with
        # docker's userland proxy for published ports, still without iptables (the
        # networking bench's reference); otherwise no networking at all.
        self.bridge_cidr = os.environ.get("BERTH_DOCKERD_BRIDGE", "")
        self.dockerd: subprocess.Popen | None = None
        self.containerd: subprocess.Popen | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        self.env["DOCKER_CONFIG"] = str(self.base / "cli-config")  # not ~/.docker

    # ------------------------------------------------------------ lifecycle

    def start(self):
        for d in (self.data_root, self.exec_root / "containerd", self.base / "containerd", self.base / "cli-config"):
            d.mkdir(parents=True, exist_ok=True)
        toml = self.base / "containerd.toml"
        toml.write_text(CONTAINERD_TOML.format(root=self.base / "containerd", state=self.exec_root / "containerd" / "state",
                                               sock=self.containerd_sock))
        self.containerd = subprocess.Popen(
            [CONTAINERD, "--config", str(toml), "--log-level", "warn"],
            stdin=subprocess.DEVNULL, stdout=open(self.base / "containerd.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.containerd_sock.exists():
            if self.containerd.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"containerd did not start (exit {self.containerd.returncode}):\n" + self.log("containerd"))
            time.sleep(0.05)
        (self.base / "daemon.json").write_text("{}")  # not /etc/docker/daemon.json
        argv = [DOCKERD, "--data-root", self.data_root, "--exec-root", self.exec_root,
                "-H", self.host, "--pidfile", self.base / "docker.pid",
                "--config-file", self.base / "daemon.json", "--containerd", self.containerd_sock,
                "--storage-driver", self.storage_driver, *self._network_flags(),
                "--cgroup-parent", self.cgroup_parent, "--log-level", "warn"]
        self.dockerd = subprocess.Popen(
            [str(a) for a in argv], stdin=subprocess.DEVNULL, env=self.env,
            stdout=open(self.base / "dockerd.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_for_ping(self.sock, START_TIMEOUT, alive=lambda: self.dockerd.poll() is None):
            code = self.dockerd.poll()
            log = self.log("dockerd")
            self.stop()
            why = f"exited with code {code}" if code is not None else f"gave no answer in {START_TIMEOUT}s"
            raise RuntimeError(f"dockerd never answered GET /_ping on {self.sock}: {why}; log:\n{log}")
        self.docker("version").ok()
        return self

    def _network_flags(self) -> list[str]:
        if self.bridge_cidr:
            return ["--bip", self.bridge_cidr, "--iptables=false", "--ip6tables=false", "--ip-forward=true",
                    "--ip-masq=false", "--userland-proxy=true"]
        return ["--bridge", "none", "--iptables=false", "--ip6tables=false", "--ip-forward=false",
                "--ip-masq=false", "--userland-proxy=false"]

    def stop(self) -> list[str]:
        """Stops dockerd (it stops its containers), then containerd and any shim
        left, removes the container cgroups, unmounts and deletes the base
        directory. Never raises; returns what had to be forced."""
        forced = []
        if self.dockerd is not None:
            msg = stop_process(self.dockerd, 30)
            forced += [msg] if msg else []
        if self.containerd is not None:
            msg = stop_process(self.containerd, 10)
            forced += [msg] if msg else []
        # Shims name our containerd's socket in their command line (-address).
        left = processes_referencing([self.base])
        forced += [why for _, why in left]
        kill_pids(pid for pid, _ in left)
        wait_exit([pid for pid, _ in left], 5)
        remove_cgroup_parent(self.cgroup_parent)
        forced += [f"mount left: {m}" for m in unmount_all(self.base)]
        if self.bridge_cidr:
            subprocess.run(["ip", "link", "delete", "docker0"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
        return forced

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------ use

    def docker(self, *args, timeout=120.0, input=None) -> Result:
        return run_cmd([DOCKER_CLI, "-H", self.host, *args], timeout=timeout, input=input, env=self.env)

    def log(self, which="dockerd", tail=4000) -> str:
        p = self.base / f"{which}.log"
        return p.read_text(errors="replace")[-tail:] if p.exists() else ""

    def pids(self) -> dict[str, int]:
        return {"dockerd": self.dockerd.pid, "containerd": self.containerd.pid}

    def rss_kb(self) -> dict[str, int]:
        """Resident memory of dockerd and its containerd, in kB."""
        return {name: rss_kb(pid) for name, pid in self.pids().items()}


def _main(argv):
    """start DIR: starts a private dockerd under DIR, detached, prints its
    host, pids and storage driver as JSON (for bench scripts); stop DIR: stops it."""
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__ + "\nusage: dockerd.py start|stop DIR", file=sys.stderr)
        return 2
    base = Path(argv[2])
    state = base / "fixture.json"
    if argv[1] == "start":
        dk = PrivateDockerd(base).start()
        info = {"host": dk.host, "sock": str(dk.sock), "cli": DOCKER_CLI, "config": dk.env["DOCKER_CONFIG"],
                "cgroup_parent": dk.cgroup_parent, "storage_driver": dk.storage_driver, **dk.pids()}
        state.write_text(json.dumps(info))
        print(json.dumps(info))
        return 0
    info = json.loads(state.read_text())
    dk = PrivateDockerd(base)
    dk.cgroup_parent = info["cgroup_parent"]
    for name in ("dockerd", "containerd"):
        try:
            os.kill(info[name], 15)
        except ProcessLookupError:
            continue
        wait_exit([info[name]], 30)
        kill_pids([info[name]])
    for msg in dk.stop():
        print("forced:", msg, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
