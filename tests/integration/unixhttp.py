"""A minimal HTTP/1.1 client over a unix socket (http.client with AF_UNIX), for
probing daemons without docker-py: GET /_ping while one starts, raw API calls
in tests that check status codes or headers a client library would hide."""

from __future__ import annotations

import http.client
import json
import socket
import time


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 10.0):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = str(path)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self.unix_path)
        except OSError:
            s.close()
            raise
        self.sock = s


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


def request(sock_path, method: str, path: str, body=None, headers=None, timeout=10.0) -> Response:
    """One request on a fresh connection; a dict/list body is sent as JSON."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    conn = UnixHTTPConnection(sock_path, timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def ping(sock_path, timeout=2.0) -> bool:
    """True when the daemon answers GET /_ping with 200 "OK"."""
    try:
        r = request(sock_path, "GET", "/_ping", timeout=timeout)
    except (OSError, http.client.HTTPException):
        return False
    return r.status == 200 and r.body.strip() == b"OK"


def wait_for_ping(sock_path, timeout: float, alive=lambda: True) -> bool:
    """Polls /_ping until it answers, `alive()` turns false (the daemon died)
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(sock_path):
            return True
        if not alive():
            return False
        time.sleep(0.05)
    return False
