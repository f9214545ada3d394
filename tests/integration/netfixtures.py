"""Network fixtures the networking tests build with the `ip` tool (the tests'
side, never berth's): "the internet", a network namespace joined to the host by
a veth pair, with a small HTTP and UDP echo server that tells each client the
address it came from. It has no route back to container subnets, so a container
reaches it only through berth's masquerade."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

# The server run inside the namespace: HTTP on 8080 answers with the client's
# address; UDP on 8081 echoes "from <addr>: <data>".
_SERVER = r"""
import http.server, socket, socketserver, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 8081))
    while True:
        data, peer = s.recvfrom(2048); s.sendto(b"from " + peer[0].encode() + b": " + data, peer)
threading.Thread(target=udp, daemon=True).start()
socketserver.TCPServer.allow_reuse_address = True
print("ready", flush=True)
http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
"""


def ip(*args, check=True) -> subprocess.CompletedProcess:
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)}: {r.stderr}")
    return r


class Internet:
    """A netns at 198.18.<n>.2 reached through the host's 198.18.<n>.1."""

    def __init__(self):
        tag = secrets.token_hex(3)
        n = int(tag[:2], 16)
        self.ns = f"bt-inet-{tag}"
        self.host_if, self.peer_if = f"bti{tag}", f"btp{tag}"
        self.host_ip, self.addr = f"198.18.{n}.1", f"198.18.{n}.2"
        self.server = None

    def start(self) -> "Internet":
        ip("netns", "add", self.ns)
        ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.peer_if, "netns", self.ns)
        ip("addr", "add", f"{self.host_ip}/30", "dev", self.host_if)
        ip("link", "set", self.host_if, "up")
        ip("-n", self.ns, "addr", "add", f"{self.addr}/30", "dev", self.peer_if)
        ip("-n", self.ns, "link", "set", self.peer_if, "up")
        ip("-n", self.ns, "link", "set", "lo", "up")
        self.server = subprocess.Popen(["ip", "netns", "exec", self.ns, sys.executable, "-c", _SERVER],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.server.stdout.readline().strip() == "ready"
        return self

    def exec(self, *cmd, timeout=20) -> subprocess.CompletedProcess:
        """A command run inside "the internet" (another host, as far as berth knows)."""
        return subprocess.run(["ip", "netns", "exec", self.ns, *cmd], capture_output=True, text=True,
                              timeout=timeout)

    def stop(self):
        if self.server:
            self.server.kill()
            self.server.wait()
        ip("link", "delete", self.host_if, check=False)
        ip("netns", "delete", self.ns, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_address() -> str:
    """An address of this host that is not loopback (eth0's)."""
    r = subprocess.run(["ip", "-4", "-o", "route", "get", "1.1.1.1"], capture_output=True, text=True)
    words = r.stdout.split()
    return words[words.index("src") + 1]


def wait_until(fn, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def http_script(url: str, timeout: int) -> str:
    """A shell command for busybox that GETs `url` with nc, printing the whole
    response (busybox wget of Debian 12 crashes in getaddrinfo)."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":") or "80"
    else:
        host, _, port = hostport.partition(":")
        port = port or "80"
    return (f"printf 'GET /{path} HTTP/1.0\\r\\nHost: {host}\\r\\n\\r\\n' | nc -w {timeout} {host} {port}")


def body_of(response: str) -> str:
    # Text-mode pipes turn CRLF into LF.
    head, sep, body = response.replace("\r\n", "\n").partition("\n\n")
    return body if sep else ""


def http_get(run, url: str, timeout: int):
    """Runs http_script through `run` (script -> helpers.Result); the result's
    stdout becomes the body, and a response that is not HTTP 200 a failure."""
    r = run(http_script(url, timeout))
    ok = r.returncode == 0 and r.stdout.startswith("HTTP/1.") and " 200 " in r.stdout.splitlines()[0]
    r.stdout = body_of(r.stdout).strip() if ok else r.stdout
    if not ok and r.returncode == 0:
        r.returncode = 1
    return r


# A UDP echo server for containers (busybox has none): static, so it runs in any
# image. Answers each datagram with "echo: <data>" to its sender.
_UDP_ECHO_C = r"""
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) return 1;
    for (;;) {
        char buf[2048] = "echo: ";
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        ssize_t n = recvfrom(fd, buf + 6, sizeof buf - 6, 0, (struct sockaddr *)&peer, &len);
        if (n > 0) sendto(fd, buf, (size_t)n + 6, 0, (struct sockaddr *)&peer, len);
    }
}
"""


def udp_echo_binary(directory: Path) -> Path:
    """Compiles the UDP echo server (static) into `directory`."""
    src, out = Path(directory) / "udp_echo.c", Path(directory) / "udp-echo"
    if not out.exists():
        src.write_text(_UDP_ECHO_C)
        subprocess.run(["cc", "-static", "-O2", "-o", str(out), str(src)], check=True, capture_output=True)
    return out
