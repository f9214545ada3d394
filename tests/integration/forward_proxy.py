"""A tiny HTTP forward proxy for tests: CONNECT tunnels (what HTTPS_PROXY
clients ask for) and absolute-form requests (HTTP_PROXY), each recorded. Every
connection goes to `upstream` whatever host the client named, so a client can
use a name nothing resolves ("registry.test:5000") and still reach the test
registry: only through this proxy.

    with ForwardProxy("127.0.0.1:5000") as p: ... p.url, p.requests
"""

from __future__ import annotations

import socket
import threading

from tcp_server import TcpServer


class ForwardProxy(TcpServer):
    def __init__(self, upstream: str):
        super().__init__()
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.requests: list[tuple[str, str]] = []  # (method, target) as the client sent them
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.port}"

    def serve(self, client: socket.socket):
        with client:
            head = self.read_head(client)
            if head is None:
                return
            line, _, rest = head.partition(b"\r\n")
            method, target, version = line.decode().split(" ", 2)
            with self._lock:
                self.requests.append((method, target))
            with socket.create_connection(self.upstream) as up:
                if method == "CONNECT":
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    early = head.partition(b"\r\n\r\n")[2]  # bytes sent before the answer
                    if early:
                        up.sendall(early)
                else:
                    if not target.startswith("http://"):
                        client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                        return
                    path = "/" + target[len("http://"):].partition("/")[2]
                    up.sendall(f"{method} {path} {version}\r\n".encode() + rest)
                threading.Thread(target=self.pump, args=(client, up, True), daemon=True).start()
                self.pump(up, client, True)
