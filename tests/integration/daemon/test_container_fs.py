"""The container filesystem endpoints against berthd: docker diff, export, cp
(both ways, running and stopped containers, hostile archives) and commit, through
the docker CLI, docker-py and raw API calls; docker diff is compared with the
reference dockerd's."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import uuid

import images

BB = "busybox:latest"


def load_busybox(d, tmp_path, tag=BB):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", tag=tag)
    d.docker("load", "-i", archive).ok()
    return archive


def run_detached(d, name, script="sleep 1000"):
    d.docker("run", "-d", "--name", name, "--network", "none", BB, "sh", "-c", script).ok()


def tar_of(entries) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            if kind == "file":
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
                tf.addfile(ti)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tf.addfile(ti)
    return buf.getvalue()


def names_in(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        return tf.getnames()


def file_in(data: bytes, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        return tf.extractfile(name).read()


# ---------------------------------------------------------------- diff

DIFF_SCRIPT = "mkdir /new && touch /new/f && rm /etc/group && echo >> /etc/passwd"


def test_diff_matches_dockerd(berthd, dockerd, dockerd_tags, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("run", "--name", "ct", "--network", "none", BB, "sh", "-c", DIFF_SCRIPT).ok()
    ours = berthd.docker("diff", "ct").ok().stdout.splitlines()
    tag = "bt-fs/busybox:diff"
    dockerd.docker("load", "-i", images.busybox_docker_archive(tmp_path / "ref.tar", tag=tag)).ok()
    dockerd_tags.append(tag)
    name = "bt-fs-diff-" + uuid.uuid4().hex[:8]
    try:
        dockerd.docker("run", "--name", name, "--network", "none", tag, "sh", "-c", DIFF_SCRIPT).ok()
        theirs = dockerd.docker("diff", name).ok().stdout.splitlines()
    finally:
        dockerd.docker("rm", "-f", name)
    # dockerd lists changes in its directory walk's (readdir) order, which no one
    # can rely on: the same set is what counts.
    assert sorted(ours) == sorted(theirs), f"berthd diff {ours} != dockerd diff {theirs}"
    assert "D /etc/group" in ours and "A /new/f" in ours, ours
    assert not any("hostname" in l or "resolv.conf" in l for l in ours), f"mount targets in diff: {ours}"


def test_diff_over_the_api_gives_kinds(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("run", "--name", "ct", "--network", "none", BB, "sh", "-c", "touch /a && rm /etc/passwd").ok()
    r = berthd.api("GET", "/v1.41/containers/ct/changes")
    assert r.status == 200, r
    assert {"Path": "/a", "Kind": 1} in r.json() and {"Path": "/etc/passwd", "Kind": 2} in r.json(), r.json()
    assert berthd.api("GET", "/v1.41/containers/nope/changes").status == 404


# ---------------------------------------------------------------- export

def test_export_is_the_merged_rootfs(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("run", "--name", "ct", "--network", "none", BB, "sh", "-c", "echo mine > /mine").ok()
    out = tmp_path / "export.tar"
    berthd.docker("export", "-o", str(out), "ct").ok()
    data = out.read_bytes()
    names = names_in(data)
    assert "bin/busybox" in names and "etc/passwd" in names, names[:20]
    assert file_in(data, "mine") == b"mine\n"
    for removed in images.EXPECTED_REMOVED:
        assert removed.lstrip("/") not in names, f"{removed} (deleted by a whiteout) is in the export"
    assert not any(".wh." in n for n in names), "whiteouts leaked into the export"


def test_export_of_a_running_container(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    run_detached(berthd, "ct", "echo live > /live && sleep 1000")
    berthd.docker("exec", "ct", "cat", "/live").ok()
    r = berthd.api("GET", "/v1.41/containers/ct/export", timeout=60)
    assert r.status == 200, r
    assert file_in(r.body, "live") == b"live\n"


# ---------------------------------------------------------------- cp / archive

def test_cp_both_ways_with_a_running_container(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    run_detached(berthd, "ct")
    src = tmp_path / "in.txt"
    src.write_text("copied in\n")
    berthd.docker("cp", str(src), "ct:/tmp/").ok()
    assert berthd.docker("exec", "ct", "cat", "/tmp/in.txt").ok().stdout == "copied in\n"
    berthd.docker("exec", "ct", "sh", "-c", "mkdir -p /out/sub && echo deep > /out/sub/f").ok()
    dest = tmp_path / "back"
    dest.mkdir()
    berthd.docker("cp", "ct:/out", str(dest)).ok()
    assert (dest / "out" / "sub" / "f").read_text() == "deep\n"
    # The container's own view: /etc/hostname is its bind mount, not the image's.
    berthd.docker("cp", "ct:/etc/hostname", str(dest / "hostname")).ok()
    hostname = berthd.docker("exec", "ct", "hostname").ok().stdout.strip()
    assert (dest / "hostname").read_text().strip() == hostname


def test_cp_with_a_stopped_container(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("create", "--name", "ct", "--network", "none", BB, "cat", "/tmp/in.txt").ok()
    out = berthd.docker("cp", "ct:/etc/passwd", "-").ok()
    assert "root:" in out.stdout
    src = tmp_path / "in.txt"
    src.write_text("before start\n")
    berthd.docker("cp", str(src), "ct:/tmp/in.txt").ok()
    berthd.docker("start", "-a", "ct").ok()
    assert berthd.docker("logs", "ct").ok().stdout == "before start\n"
    # Nothing stays mounted for the copies.
    mounts = open("/proc/self/mountinfo").read()
    assert str(berthd.exec_root / "fs-mounts") not in mounts


def test_archive_head_gives_the_path_stat(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("create", "--name", "ct", BB, "true").ok()
    r = berthd.api("HEAD", "/v1.41/containers/ct/archive?path=/bin/sh")
    assert r.status == 200, r
    stat = json.loads(base64.b64decode(r.headers["x-docker-container-path-stat"]))
    assert stat["name"] == "sh" and stat["linkTarget"] == "/bin/busybox", stat
    assert stat["mode"] & (1 << 27), f"symlink bit missing: {stat}"
    r = berthd.api("GET", "/v1.41/containers/ct/archive?path=/etc")
    assert r.status == 200
    stat = json.loads(base64.b64decode(r.headers["x-docker-container-path-stat"]))
    assert stat["name"] == "etc" and stat["mode"] & (1 << 31), stat
    assert "etc/passwd" in names_in(r.body)


def test_archive_errors_are_dockers(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("create", "--name", "ct", BB, "true").ok()
    r = berthd.api("GET", "/v1.41/containers/ct/archive?path=/nope")
    assert r.status == 404 and r.json()["message"] == "Could not find the file /nope in container ct", r
    r = berthd.api("PUT", "/v1.41/containers/ct/archive?path=/etc/passwd", body=tar_of([("x", "file", b"x")]))
    assert r.status == 400 and r.json()["message"] == "extraction point is not a directory", r
    r = berthd.api("PUT", "/v1.41/containers/ct/archive?path=/nope", body=tar_of([("x", "file", b"x")]))
    assert r.status == 404, r
    res = berthd.docker("cp", "ct:/nope", str(tmp_path))
    assert res.returncode != 0 and "No such container:path: ct:/nope" in res.stderr, res.describe()


def test_hostile_archives_change_nothing_outside_the_rootfs(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    run_detached(berthd, "ct")
    outside = tmp_path / "outside"
    outside.mkdir()
    escape = tar_of([("../../../../../../../../" + str(outside).lstrip("/") + "/dotdot", "file", b"x")])
    r = berthd.api("PUT", "/v1.41/containers/ct/archive?path=/tmp", body=escape)
    assert r.status >= 400, r
    via_link = tar_of([("lnk", "symlink", str(outside)), ("lnk/pwned", "file", b"pwned\n"),
                       ("up", "symlink", "../../../../../.."), ("up/pwned2", "file", b"2\n")])
    r = berthd.api("PUT", "/v1.41/containers/ct/archive?path=/tmp", body=via_link)
    assert r.status == 200, r
    assert list(outside.iterdir()) == [], f"written outside the rootfs: {list(outside.iterdir())}"
    inside = berthd.docker("exec", "ct", "cat", str(outside / "pwned"), "/pwned2").ok().stdout
    assert inside == "pwned\n2\n"
    # Stopped: the private overlay confines it just the same.
    berthd.docker("rm", "-f", "ct").ok()
    berthd.docker("create", "--name", "st", BB, "true").ok()
    r = berthd.api("PUT", "/v1.41/containers/st/archive?path=/", body=via_link)
    assert r.status == 200, r
    assert list(outside.iterdir()) == []
    assert berthd.docker("cp", "st:" + str(outside / "pwned"), "-").ok().stdout != ""


def test_docker_py_put_and_get_archive(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    c = berthd.py.containers.create(BB, ["true"], name="ct")
    assert c.put_archive("/tmp", tar_of([("d", "dir", None), ("d/f", "file", b"py\n")]))
    stream, stat = c.get_archive("/tmp/d/f")
    assert stat["name"] == "f" and stat["size"] == 3, stat
    assert file_in(b"".join(stream), "f") == b"py\n"
    assert {"Path": "/tmp/d", "Kind": 1} in c.diff()


# ---------------------------------------------------------------- commit

def test_commit_then_run_the_new_image(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("run", "--name", "ct", "--network", "none", BB, "sh", "-c", "echo committed > /hello").ok()
    image_id = berthd.docker("commit", "-m", "a message", "-a", "me", "ct", "bt/committed:1").ok().stdout.strip()
    assert image_id.startswith("sha256:")
    out = berthd.docker("run", "--rm", "--network", "none", "bt/committed:1", "cat", "/hello").ok().stdout
    assert out == "committed\n"
    img = json.loads(berthd.docker("image", "inspect", "bt/committed:1").ok().stdout)[0]
    assert img["Author"] == "me" and img["Comment"] == "a message", img
    assert img["Container"] and img["Config"]["Cmd"] == ["sh", "-c", "echo committed > /hello"], img["Config"]
    base = json.loads(berthd.docker("image", "inspect", BB).ok().stdout)[0]
    assert len(img["RootFS"]["Layers"]) == len(base["RootFS"]["Layers"]) + 1


def test_commit_with_changes_and_a_running_container(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    run_detached(berthd, "ct", "echo live > /live && sleep 1000")
    berthd.docker("exec", "ct", "cat", "/live").ok()
    berthd.docker("commit", "--change", 'CMD ["echo","hi"]', "--change", "ENV A=b", "ct", "bt/changed").ok()
    assert berthd.docker("inspect", "-f", "{{.State.Status}}", "ct").ok().stdout.strip() == "running"
    out = berthd.docker("run", "--rm", "--network", "none", "bt/changed").ok().stdout
    assert out == "hi\n"
    out = berthd.docker("run", "--rm", "--network", "none", "bt/changed", "sh", "-c", "cat /live; echo $A").ok().stdout
    assert out == "live\nb\n"
    hist = json.loads(berthd.api("GET", "/v1.41/images/bt/changed/history").body)
    assert hist[0]["CreatedBy"] == "sh -c echo live > /live && sleep 1000", hist[0]


def test_commit_over_the_api_merges_the_body_config(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("create", "--name", "ct", "-e", "X=1", BB, "true").ok()
    body = json.dumps({"Env": ["Y=2"], "Labels": {"k": "v"}, "Cmd": ["echo", "body"]}).encode()
    r = berthd.api("POST", "/v1.41/commit?container=ct&repo=bt/api&tag=t&pause=0", body=body,
                   headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    img = json.loads(berthd.docker("image", "inspect", "bt/api:t").ok().stdout)[0]
    assert r.json()["Id"] == img["Id"]
    assert "X=1" in img["Config"]["Env"] and "Y=2" in img["Config"]["Env"], img["Config"]["Env"]
    assert img["Config"]["Labels"] == {"k": "v"} and img["Config"]["Cmd"] == ["echo", "body"]
    # Nothing changed: no new layer, as docker.
    base = json.loads(berthd.docker("image", "inspect", BB).ok().stdout)[0]
    assert img["RootFS"]["Layers"] == base["RootFS"]["Layers"]
    assert berthd.api("POST", "/v1.41/commit?container=nope").status == 404
