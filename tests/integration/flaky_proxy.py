"""A TCP proxy in front of a registry that cuts the first response to each blob
GET after a few bytes (a connection dropped mid-layer), then passes everything
through: what a client must survive by retrying. `should_cut(path, seen)` (seen:
earlier GETs of that path) chooses other cuts; `gets` lists every blob GET.

    with FlakyProxy("127.0.0.1:5000") as p: ... p.host, p.cut (blob paths cut)
"""

from __future__ import annotations

import re
import socket
import threading

from tcp_server import TcpServer

BLOB_GET = re.compile(rb"^GET (/v2/\S+/blobs/sha256:[0-9a-f]{64}) ")


class FlakyProxy(TcpServer):
    def __init__(self, upstream: str, cut_after: int = 1000, should_cut=lambda path, seen: seen == 0):
        super().__init__()
        self.upstream = upstream.rsplit(":", 1)
        self.cut_after = cut_after
        self.should_cut = should_cut
        self.cut: list[str] = []
        self.gets: list[str] = []
        self._lock = threading.Lock()
        self.host = f"127.0.0.1:{self.port}"

    def serve(self, client: socket.socket):
        with client, socket.create_connection((self.upstream[0], int(self.upstream[1]))) as up:
            head = self.read_head(client)
            if head is None:
                return
            m = BLOB_GET.match(head)
            cut = False
            if m:
                with self._lock:
                    path = m.group(1).decode()
                    if self.should_cut(path, self.gets.count(path)):
                        self.cut.append(path)
                        cut = True
                    self.gets.append(path)
            # The registry is asked to close after the answer (no keep-alive here).
            head = head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
            up.sendall(head)
            threading.Thread(target=self.pump, args=(client, up), daemon=True).start()
            sent = 0
            while True:
                data = up.recv(65536)
                if not data:
                    return
                if cut and sent + len(data) > self.cut_after:
                    client.sendall(data[: self.cut_after - sent])
                    client.shutdown(socket.SHUT_RDWR)
                    return
                client.sendall(data)
                sent += len(data)
