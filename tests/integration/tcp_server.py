"""The socket plumbing the test proxies share: a listener on 127.0.0.1 and a
free port whose connections each get a thread running `serve(client)`.

    class P(TcpServer):
        def serve(self, client): ...
    with P() as p: ... p.port
"""

from __future__ import annotations

import socket
import threading


class TcpServer:
    def __init__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._sock.close()

    def _accept(self):
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return  # closed by __exit__
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client: socket.socket):
        raise NotImplementedError

    @staticmethod
    def read_head(client: socket.socket) -> bytes | None:
        """Bytes up to and past a request head's blank line; None if the client left first."""
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return None
            head += chunk
        return head

    @staticmethod
    def pump(src: socket.socket, dst: socket.socket, half_close: bool = False):
        """Copies src to dst until src ends; `half_close` then ends dst's sending side."""
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        if half_close:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
