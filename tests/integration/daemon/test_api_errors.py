"""The raw API where clients hide the details: status codes and messages of
errors, archives that are broken or hostile (refused, and nothing left in the
store or outside it), clients that go away mid-stream, HEAD and keep-alive."""

from __future__ import annotations

import socket
import tarfile
import time
import urllib.parse

import images
import unixhttp
from helpers import wait_for
from store_checks import (archive_with_layers, assert_store_clean, json_lines, raw_tar, store_state)

BB = "busybox:latest"


def load_busybox(d, tmp_path):
    body = images.busybox_docker_archive(tmp_path / "bb.tar").read_bytes()
    r = d.api("POST", "/images/load", body, {"Content-Type": "application/x-tar"})
    assert r.status == 200 and b"Loaded image: busybox:latest" in r.body, r


def assert_error(r, status: int, message_part: str):
    assert r.status == status, f"want {status}, got {r}"
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers
    message = r.json()["message"]
    assert message_part in message, f"message {message!r} lacks {message_part!r}"


def load_errors(r) -> list[str]:
    """The errors in /images/load's JSON stream answer."""
    assert r.status == 200, f"load answers 200 and streams its outcome; got {r}"
    return [m["error"] for m in json_lines(r.body) if "error" in m]


# ---------------------------------------------------------------- routing and versions

def test_unknown_route_is_404_page_not_found(berthd):
    r = berthd.api("GET", "/no/such/route")
    assert r.status == 404 and r.json() == {"message": "page not found"}, r
    assert berthd.api("GET", "/v1.41/no/such/route").json() == {"message": "page not found"}


def test_wrong_method_is_not_a_route(berthd):
    r = berthd.api("PUT", "/images/json")
    assert r.status in (404, 405), r


def test_too_old_api_version(berthd):
    assert_error(berthd.api("GET", "/v1.12/version"), 400, "client version 1.12 is too old")


def test_too_new_api_version(berthd):
    r = berthd.api("GET", "/v1.99/version")
    assert_error(r, 400, "client version 1.99 is too new. Maximum supported API version is 1.41")


def test_supported_versions_answer(berthd):
    for v in ("1.24", "1.40", "1.41"):
        r = berthd.api("GET", f"/v{v}/version")
        assert r.status == 200 and r.json()["ApiVersion"] == "1.41", (v, r)


def test_every_answer_carries_docker_headers(berthd):
    r = berthd.api("GET", "/no/such/route")
    assert r.headers.get("api-version") == "1.41" and r.headers.get("ostype") == "linux", r.headers


# ---------------------------------------------------------------- bad parameters

def test_malformed_filters_json_is_400(berthd):
    r = berthd.api("GET", "/images/json?filters=" + urllib.parse.quote('{"dangling": [tru'))
    assert r.status == 400, r
    assert r.json()["message"], "no message"


def test_unknown_filter_is_400(berthd):
    r = berthd.api("GET", "/images/json?filters=" + urllib.parse.quote('{"colour": ["blue"]}'))
    assert_error(r, 400, "colour")


def test_bad_dangling_value_is_400(berthd):
    r = berthd.api("GET", "/images/json?filters=" + urllib.parse.quote('{"dangling": ["maybe"]}'))
    assert_error(r, 400, "dangling")


def test_tag_with_uppercase_repo_is_invalid_reference(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    assert_error(berthd.api("POST", "/images/busybox/tag?repo=UPPER"), 400, "invalid reference format")
    assert_error(berthd.api("POST", "/images/busybox/tag?repo=ok&tag=bad:tag"), 400, "invalid")
    tags = berthd.api("GET", "/images/busybox/json").json()["RepoTags"]
    assert tags == [BB], f"a refused tag changed the tags: {tags}"


def test_tag_without_repo_is_400(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    assert berthd.api("POST", "/images/busybox/tag").status == 400


def test_missing_image_is_404_no_such_image(berthd):
    assert_error(berthd.api("GET", "/images/x/json"), 404, "No such image: x")
    assert_error(berthd.api("GET", "/images/x/history"), 404, "No such image: x")
    assert_error(berthd.api("DELETE", "/images/x"), 404, "No such image: x")
    assert_error(berthd.api("POST", "/images/x/tag?repo=y"), 404, "No such image: x")
    assert_error(berthd.api("GET", "/images/x/get"), 404, "No such image: x")


def test_image_names_with_registry_and_slashes_route(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    assert berthd.api("POST", "/images/busybox/tag?repo=localhost:5000/a/b&tag=c").status == 201
    r = berthd.api("GET", "/images/localhost:5000/a/b:c/json")
    assert r.status == 200 and r.json()["Id"] == images.busybox_image_id(), r


def test_pull_from_an_unreachable_registry_is_a_clear_error(berthd):
    # No internet here: Docker Hub can't be reached, and the error must say so.
    r = berthd.api("POST", "/images/create?fromImage=busybox&tag=latest")
    assert r.status >= 400, r
    message = r.json()["message"]
    assert "busybox" in message and "registry-1.docker.io" in message, message
    assert unixhttp.ping(berthd.sock)


# ---------------------------------------------------------------- broken archives

def test_garbage_load_reports_error_and_leaves_nothing(berthd):
    before = store_state(berthd)
    errors = load_errors(berthd.api("POST", "/images/load", b"\x01garbage" * 3000))
    assert errors, "garbage loaded without an error"
    assert_store_clean(berthd, before, "a garbage load")


def test_truncated_archive_reports_error_and_leaves_nothing(berthd, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", layers=5)
    with tarfile.open(archive) as tf:
        cut = tf.getmember("manifest.json").offset + 100  # every layer read, manifest's header cut
    before = store_state(berthd)
    errors = load_errors(berthd.api("POST", "/images/load", archive.read_bytes()[:cut]))
    assert errors, "a truncated archive loaded without an error"
    assert_store_clean(berthd, before, "a truncated load")


def test_archive_without_manifest_is_refused(berthd):
    before = store_state(berthd)
    body = raw_tar([(tarfile.TarInfo("hello.txt"), b"not an image\n")])
    errors = load_errors(berthd.api("POST", "/images/load", body))
    assert errors, "an archive without an image in it loaded"
    assert_store_clean(berthd, before, "a load without manifest")


def test_layer_not_matching_config_is_refused(berthd, tmp_path):
    """The config's diff_ids name other layer content than the archive holds."""
    archive = images.busybox_docker_archive(tmp_path / "bb.tar")
    with tarfile.open(archive) as tf:
        members = [(m, tf.extractfile(m).read() if m.isfile() else b"") for m in tf.getmembers()]
    layer_names = [m.name for m, _ in members if m.name.endswith("layer.tar")]
    first, second = layer_names[0], layer_names[1]
    swapped = []
    for m, data in members:  # the first two layers change places
        if m.name == first:
            data = dict((x.name, d) for x, d in members)[second]
        elif m.name == second:
            data = dict((x.name, d) for x, d in members)[first]
        swapped.append((m, data))
    before = store_state(berthd)
    errors = load_errors(berthd.api("POST", "/images/load", raw_tar(swapped)))
    assert errors and "does not match" in errors[0], errors
    assert_store_clean(berthd, before, "a load with mismatched layers")


# ---------------------------------------------------------------- hostile layers

def _hostile_load(berthd, tmp_path, hostile_layer) -> list[str]:
    good = [images.Entry("etc", "dir"), images.Entry("etc/hello", "file", data=b"hi\n")]
    archive = archive_with_layers(tmp_path / "hostile.tar", [good, hostile_layer], "bt/hostile:1", tmp_path)
    return load_errors(berthd.api("POST", "/images/load", archive.read_bytes()))


def test_layer_with_dotdot_path_is_refused(berthd, tmp_path):
    staging = berthd.data_root / "image" / "staging"
    before = store_state(berthd)
    errors = _hostile_load(berthd, tmp_path, raw_tar([(tarfile.TarInfo("../escape"), b"pwned\n"),
                                                      (tarfile.TarInfo("../../escape"), b"pwned\n")]))
    assert errors and "escape" in errors[0], errors
    for p in (staging / "escape", staging.parent / "escape", berthd.data_root / "escape"):
        assert not p.exists(), f"a layer entry escaped to {p}"
    assert_store_clean(berthd, before, "a layer with ../")


def test_layer_writing_through_absolute_symlink_is_refused(berthd, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link = tarfile.TarInfo("etc/lnk")
    link.type, link.linkname = tarfile.SYMTYPE, str(outside)
    before = store_state(berthd)
    errors = _hostile_load(berthd, tmp_path, raw_tar([(link, b""), (tarfile.TarInfo("etc/lnk/pwned"), b"x\n")]))
    assert errors and "symlink" in errors[0], errors
    assert list(outside.iterdir()) == [], "a file was written through the symlink, outside the layer"
    assert_store_clean(berthd, before, "a layer writing through a symlink")


def test_layer_writing_through_relative_symlink_is_refused(berthd, tmp_path):
    outside = tmp_path / "outside-rel"
    outside.mkdir()
    link = tarfile.TarInfo("up")
    link.type, link.linkname = tarfile.SYMTYPE, "../" * 20 + str(outside).lstrip("/")
    before = store_state(berthd)
    errors = _hostile_load(berthd, tmp_path, raw_tar([(link, b""), (tarfile.TarInfo("up/pwned"), b"x\n")]))
    assert errors, "the layer loaded"
    assert list(outside.iterdir()) == [], "a file was written through the symlink, outside the layer"
    assert_store_clean(berthd, before, "a layer writing through a relative symlink")


def test_hard_link_to_host_file_is_refused(berthd, tmp_path):
    link = tarfile.TarInfo("etc/shadow-copy")
    link.type, link.linkname = tarfile.LNKTYPE, "/etc/shadow"
    before = store_state(berthd)
    errors = _hostile_load(berthd, tmp_path, raw_tar([(link, b"")]))
    assert errors, "a hard link to a host file loaded"
    assert_store_clean(berthd, before, "a layer hard-linking a host file")


# ---------------------------------------------------------------- connections

def _connect(d) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(d.sock))
    return s


def _read_head(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, f"connection closed before the response head: {data!r}"
        data += chunk
    return data


def test_client_leaving_events_stream_does_not_hurt(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    s = _connect(berthd)
    s.sendall(b"GET /events HTTP/1.1\r\nHost: berth\r\n\r\n")
    assert _read_head(s).startswith(b"HTTP/1.1 200"), "events did not start"
    s.close()
    # Events after the client left: berthd writes to a dead socket and must cope.
    for i in range(3):
        assert berthd.api("POST", f"/images/busybox/tag?repo=bt/gone&tag={i}").status == 201
    time.sleep(1.2)  # past the events loop's wake-up, so it notices
    assert unixhttp.ping(berthd.sock), "berthd stopped answering after an events client left"
    assert berthd.proc.poll() is None


def test_client_leaving_mid_load_leaves_nothing(berthd, tmp_path):
    data = images.busybox_docker_archive(tmp_path / "bb.tar", layers=5).read_bytes()
    before = store_state(berthd)
    s = _connect(berthd)
    s.sendall(b"POST /images/load HTTP/1.1\r\nHost: berth\r\nContent-Type: application/x-tar\r\n"
              b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n")
    s.sendall(data[: len(data) // 2])
    wait_for(lambda: store_state(berthd)["staging"], timeout=10, what="the load to stage a layer")
    s.close()
    wait_for(lambda: not store_state(berthd)["staging"], timeout=10, what="staging to be cleaned")
    assert unixhttp.ping(berthd.sock), "berthd stopped answering after a client left mid-load"
    assert_store_clean(berthd, before, "a load whose client left")


def test_client_leaving_mid_save_does_not_hurt(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    s = _connect(berthd)
    s.sendall(b"GET /images/busybox/get HTTP/1.1\r\nHost: berth\r\n\r\n")
    assert _read_head(s).startswith(b"HTTP/1.1 200")
    s.close()
    wait_for(lambda: unixhttp.ping(berthd.sock), timeout=10, what="berthd to answer /_ping again")
    assert berthd.api("GET", "/images/json").json()[0]["RepoTags"] == [BB]


def test_head_ping(berthd):
    r = berthd.api("HEAD", "/_ping")
    assert r.status == 200 and r.body == b"", r
    assert r.headers.get("api-version") == "1.41", r.headers


def test_keep_alive_serves_two_requests_on_one_connection(berthd):
    conn = unixhttp.UnixHTTPConnection(berthd.sock)
    try:
        conn.request("GET", "/_ping")
        first = conn.getresponse()
        assert first.status == 200 and first.read() == b"OK"
        first_sock = conn.sock  # http.client makes a new socket if the server closed this one
        assert first_sock is not None, "berthd closed the connection after one request"
        conn.request("GET", "/version")
        second = conn.getresponse()
        assert second.status == 200 and b"ApiVersion" in second.read()
        assert conn.sock is first_sock, "the client had to reconnect for the second request"
    finally:
        conn.close()


def test_pipelined_requests_are_answered_in_order(berthd):
    s = _connect(berthd)
    try:
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: b\r\n\r\nGET /nope HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    finally:
        s.close()
    assert data.count(b"HTTP/1.1 ") == 2, data
    assert data.index(b"HTTP/1.1 200") < data.index(b"HTTP/1.1 404"), data
