"""A TCP proxy in front of a registry that cuts the first response to each blob
GET after a few bytes (a connection dropped mid-layer), then passes everything
through: what a client must survive by retrying; `should_cut(path, seen)` (seen:
earlier GETs of that path) chooses other cuts. With cut=False it only
watches: every request line it passed is in `requests` ("PATCH /v2/x/... HTTP/1.1").
With cut_uploads=N it also breaks the first N blob upload requests (PUT or PATCH
with a body) after `cut_after` bytes of their body: a push dropped mid-layer.

    with FlakyProxy("127.0.0.1:5000") as p: ... p.host, p.cut (blob paths cut)
"""

from __future__ import annotations

import re
import socket
import threading

from tcp_server import TcpServer

BLOB_GET = re.compile(rb"^GET (/v2/\S+/blobs/sha256:[0-9a-f]{64}) ")
UPLOAD = re.compile(rb"^(PUT|PATCH) /v2/\S+/blobs/uploads/\S* .*\r\nContent-Length: [1-9]", re.S | re.I)


class FlakyProxy(TcpServer):
    def __init__(self, upstream: str, cut_after: int = 1000, cut: bool = True, cut_uploads: int = 0,
                 should_cut=lambda path, seen: seen == 0):
        super().__init__()
        self.upstream = upstream.rsplit(":", 1)
        self.cut_after = cut_after
        self.cutting = cut
        self.should_cut = should_cut
        self.cut: list[str] = []
        self.requests: list[str] = []
        self.cut_uploads = cut_uploads
        self.uploads_cut: list[str] = []
        self._lock = threading.Lock()
        self.host = f"127.0.0.1:{self.port}"

    @property
    def gets(self) -> list[str]:
        """The path of every blob GET passed, in order."""
        return [m.group(1).decode() for r in self.requests if (m := BLOB_GET.match(r.encode()))]

    def serve(self, client: socket.socket):
        with client, socket.create_connection((self.upstream[0], int(self.upstream[1]))) as up:
            head = self.read_head(client)
            if head is None:
                return
            with self._lock:
                self.requests.append(head.split(b"\r\n", 1)[0].decode(errors="replace"))
            m = BLOB_GET.match(head) if self.cutting else None
            cut = False
            if m:
                with self._lock:
                    path = m.group(1).decode()
                    if self.should_cut(path, self.gets.count(path) - 1):
                        self.cut.append(path)
                        cut = True
            if self.cut_uploads and UPLOAD.match(head):
                with self._lock:
                    cut_this = len(self.uploads_cut) < self.cut_uploads
                    if cut_this:
                        self.uploads_cut.append(self.requests[-1])
                if cut_this:
                    # Forward the head and a little of the body, then drop both sides.
                    up.sendall(head[: head.index(b"\r\n\r\n") + 4 + self.cut_after])
                    client.shutdown(socket.SHUT_RDWR)
                    return
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
