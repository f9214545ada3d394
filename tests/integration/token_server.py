"""A token server for the registry's bearer auth (distribution's "token"
authentication: docs/spec/auth/token.md), enough to test clients: GET /token
with ?service=&scope=, optional Basic credentials, answered with a JWT (RS256,
certificate in the x5c header) granting what the user may do.

    ts = TokenServer(dir, users={"alice": "pw"}).start()
    Registry(dir, token=ts)   # the registry trusts ts.cert_path
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import threading
import time
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SERVICE = "berth-test-registry"
ISSUER = "berth-test-issuer"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    def __init__(self, base: Path, users: dict[str, str], token_field: str = "token"):
        self.base = Path(base)
        self.users = users
        self.token_field = token_field
        self.requests: list[dict] = []  # what clients asked: user, scopes
        self.denied: set[str] = set()  # repositories no one is granted anything on
        self.cert_path = self.base / "token-cert.pem"
        self._httpd = None

    def _make_key(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.base.mkdir(parents=True, exist_ok=True)
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def token(self, user: str | None, scopes: list[str]) -> str:
        access = []
        for s in scopes:
            kind, _, rest = s.partition(":")
            name, _, actions = rest.rpartition(":")
            if user and name not in self.denied:  # anonymous users get nothing
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": str(uuid.uuid4()), "access": access}
        der = self.cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64(sig)

    def start(self) -> "TokenServer":
        self._make_key()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                from urllib.parse import parse_qs, urlparse
                url = urlparse(self.path)
                q = parse_qs(url.query)
                user = None
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
                    if server.users.get(u) != p:
                        self.send_response(401)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    user = u
                scopes = q.get("scope", [])
                server.requests.append({"user": user, "scopes": scopes, "service": q.get("service", [""])[0]})
                body = json.dumps({server.token_field: server.token(user, scopes), "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
