"""A private CNCF distribution registry (Debian's docker-registry, 2.8) on
127.0.0.1:<free port> with its storage in a temporary directory, optionally
behind htpasswd basic auth or bearer tokens from token_server.py. Plain HTTP: 127.0.0.0/8 is an insecure registry by
default for docker and berth alike.

    with Registry(tmp_path) as reg: ... reg.host == "127.0.0.1:40123"
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
HTPASSWD_BIN = shutil.which("htpasswd") or "/usr/bin/htpasswd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    def __init__(self, base: Path, users: dict[str, str] | None = None, token=None):
        """`users`: htpasswd basic auth; `token`: a token_server.TokenServer for bearer auth."""
        self.base = Path(base)
        self.token = token
        self.storage = self.base / "storage"
        self.users = users or {}
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def _config(self) -> str:
        auth = ""
        if self.users:
            htpasswd = self.base / "htpasswd"
            lines = []
            for user, password in self.users.items():
                # The registry accepts bcrypt entries only.
                out = subprocess.run([HTPASSWD_BIN, "-Bbn", user, password], check=True,
                                     capture_output=True, text=True).stdout.strip()
                lines.append(out)
            htpasswd.write_text("\n".join(lines) + "\n")
            auth = f"auth:\n  htpasswd:\n    realm: berth-test\n    path: {htpasswd}\n"
        if self.token:
            from token_server import ISSUER, SERVICE
            auth = (f"auth:\n  token:\n    realm: {self.token.realm}\n    service: {SERVICE}\n"
                    f"    issuer: {ISSUER}\n    rootcertbundle: {self.token.cert_path}\n")
        return (f"version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n  delete:\n    enabled: true\n"
                f"http:\n  addr: {self.host}\n{auth}")

    def start(self) -> "Registry":
        self.base.mkdir(parents=True, exist_ok=True)
        cfg = self.base / "config.yml"
        cfg.write_text(self._config())
        log = open(self.base / "registry.log", "ab")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {self.log()}")
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # 401 with auth on: it answers
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"docker-registry gave no answer on {self.host}: {self.log()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        p = self.base / "registry.log"
        return p.read_text(errors="replace")[-4000:] if p.exists() else ""

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps a blob's bytes (filesystem driver layout)."""
        algo, hexd = digest.split(":")
        return self.storage / "docker/registry/v2/blobs" / algo / hexd[:2] / hexd / "data"

    def manifest(self, repo: str, tag: str) -> dict:
        import json
        req = urllib.request.Request(f"http://{self.host}/v2/{repo}/manifests/{tag}",
                                     headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
