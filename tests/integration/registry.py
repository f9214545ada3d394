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

# A name that resolves nowhere: only a proxy that forwards to the registry reaches it.
ALIAS = "registry.test"
REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
HTPASSWD_BIN = shutil.which("htpasswd") or "/usr/bin/htpasswd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    def __init__(self, base: Path, users: dict[str, str] | None = None, token=None, tls=False,
                 client_certs=False):
        """`users`: htpasswd basic auth; `token`: a token_server.TokenServer for bearer auth;
        `tls`: HTTPS with a certificate for 127.0.0.1 from a CA made here (ca_path);
        `client_certs`: (with tls) clients must show a certificate that CA signed
        (http.tls.clientcas): client_certificate() makes one."""
        self.client_certs = client_certs
        self.base = Path(base)
        self.token = token
        self.tls = tls
        self.ca_path = self.base / "ca.crt"
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
        tls = ""
        if self.tls:
            cert, key = self._make_certificates()
            tls = f"  tls:\n    certificate: {cert}\n    key: {key}\n"
            if self.client_certs:
                tls += f"    clientcas:\n      - {self.ca_path}\n"
        return (f"version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n  delete:\n    enabled: true\n"
                f"http:\n  addr: {self.host}\n{tls}{auth}")

    def _make_certificates(self) -> tuple[Path, Path]:
        """A CA (written to ca_path) and a server certificate it signed for 127.0.0.1."""
        import datetime
        import ipaddress
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        now = datetime.datetime.now(datetime.timezone.utc)
        valid = dict(not_valid_before=now - datetime.timedelta(days=1), not_valid_after=now + datetime.timedelta(days=1))

        def build(subject, issuer, public_key, signer, extensions):
            b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                 .serial_number(x509.random_serial_number())
                 .not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"]))
            for ext, critical in extensions:
                b = b.add_extension(ext, critical=critical)
            return b.sign(signer, hashes.SHA256())

        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "berth test CA")])
        ca = build(ca_name, ca_name, ca_key.public_key(), ca_key,
                   [(x509.BasicConstraints(ca=True, path_length=None), True)])
        self._ca = (ca_key, ca_name, build)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        cert = build(name, ca_name, key.public_key(), ca_key,
                     # ALIAS: the name tests reach it by through forward_proxy.py.
                     [(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName(ALIAS)]), False),
                      (x509.BasicConstraints(ca=False, path_length=None), True)])
        self.ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        cert_path, key_path = self.base / "server.crt", self.base / "server.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path

    def client_certificate(self, cert_path: Path, key_path: Path):
        """A client certificate (and its key) signed by this registry's CA."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
        ca_key, ca_name, build = self._ca
        key = ec.generate_private_key(ec.SECP256R1())
        cert = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "berth test client")]), ca_name,
                     key.public_key(), ca_key,
                     [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
                      (x509.BasicConstraints(ca=False, path_length=None), True)])
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))

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
                if self.tls:
                    import ssl
                    ctx = ssl.create_default_context(cafile=str(self.ca_path))
                    if self.client_certs:
                        probe = (self.base / "probe.cert", self.base / "probe.key")
                        if not probe[0].exists():
                            self.client_certificate(*probe)
                        ctx.load_cert_chain(*probe)
                    urllib.request.urlopen(f"https://{self.host}/v2/", timeout=1, context=ctx)
                else:
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
