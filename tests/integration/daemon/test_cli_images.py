"""The berth CLI's image and system commands against a private berthd: output
shapes, exit codes and error words as the docker CLI has them."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

import images
from berthd import BERTH
from helpers import run_cmd


@pytest.fixture
def busybox(berthd, tmp_path):
    """berthd with busybox:latest loaded through `berth load -i`; returns the load result."""
    archive = images.busybox_docker_archive(tmp_path / "bb.tar")
    return berthd.cli("load", "-i", str(archive)).ok()


def test_load_prints_loaded_image(busybox):
    assert busybox.stdout == "Loaded image: busybox:latest\n", busybox.describe()


def test_load_of_garbage_prints_the_daemon_error_and_exits_1(berthd, tmp_path):
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not a tar archive" * 100)
    r = berthd.cli("load", "-i", str(bad)).failed()
    assert r.returncode == 1, r.describe()
    assert r.stderr.strip(), "the daemon's reason must be shown\n" + r.describe()


def test_images_table_one_row_per_tag(berthd, busybox):
    berthd.cli("tag", "busybox", "localhost:5000/x/y:v2").ok()
    r = berthd.cli("images").ok()
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"], r.describe()
    rows = sorted(tuple(line.split()[:2]) for line in lines[1:])
    assert rows == [("busybox", "latest"), ("localhost:5000/x/y", "v2")], r.describe()
    image_id = images.busybox_image_id()
    assert berthd.cli("images", "-q").ok().stdout.split() == [image_id[7:19]] * 2
    assert berthd.cli("images", "-q", "--no-trunc").ok().stdout.split() == [image_id] * 2


def test_images_argument_shows_only_matching_tags(berthd, busybox):
    berthd.cli("tag", "busybox", "localhost:5000/x/y:v2").ok()
    r = berthd.cli("images", "--format", "{{.Repository}}:{{.Tag}}", "busybox").ok()
    assert r.stdout == "busybox:latest\n", r.describe()


def test_images_format_and_filter(berthd, busybox):
    r = berthd.cli("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=busy*").ok()
    assert r.stdout == "busybox:latest\n", r.describe()


def test_inspect_prints_found_images_then_fails_for_missing(berthd, busybox):
    r = berthd.cli("image", "inspect", "busybox", "nope")
    assert r.returncode == 1, r.describe()
    assert r.stderr == "Error: No such image: nope\n", r.describe()
    data = json.loads(r.stdout)
    assert [d["Id"] for d in data] == [images.busybox_image_id()]
    assert r.stdout.startswith('[\n    {\n        "'), "docker indents by 4 spaces\n" + r.stdout[:200]
    f = berthd.cli("inspect", "-f", "{{.Os}}", "busybox").ok()
    assert f.stdout == "linux\n"
    missing = berthd.cli("inspect", "nope")
    assert (missing.returncode, missing.stdout, missing.stderr) == (1, "[]\n", "Error: No such object: nope\n")


def test_history_truncates_created_by(berthd, busybox):
    r = berthd.cli("history", "busybox").ok()
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["IMAGE", "CREATED", "CREATED"], r.describe()
    assert len(lines) == 5, r.describe()
    assert "…" in lines[1], "the long RUN line is cut with an ellipsis\n" + r.stdout
    assert "<missing>" in lines[2]
    full = berthd.cli("history", "--no-trunc", "--format", "{{.CreatedBy}}", "busybox").ok()
    assert "echo > /opt/old/new" in full.stdout.splitlines()[0], full.describe()


def test_tag_errors(berthd, busybox):
    bad = berthd.cli("tag", "busybox", "Bad")
    assert bad.returncode == 1
    assert bad.stderr.startswith('Error parsing reference: "Bad" is not a valid repository/tag'), bad.describe()
    missing = berthd.cli("tag", "nope", "x")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error response from daemon: "), missing.describe()


def test_rmi_goes_on_after_a_missing_image(berthd, busybox):
    berthd.cli("tag", "busybox", "a/b:c").ok()
    r = berthd.cli("rmi", "a/b:c", "nope", "busybox")
    assert r.returncode == 1, r.describe()
    assert r.stderr == "Error: No such image: nope\n", r.describe()
    out = r.stdout.splitlines()
    assert out[0] == "Untagged: a/b:c", r.describe()
    assert "Untagged: busybox:latest" in out
    assert f"Deleted: {images.busybox_image_id()}" in out, r.describe()
    assert berthd.cli("images", "-q").ok().stdout == ""


def test_save_to_file_round_trips(berthd, busybox, tmp_path):
    out = tmp_path / "saved.tar"
    berthd.cli("save", "-o", str(out), "busybox").ok()
    with tarfile.open(out) as tf:
        assert "manifest.json" in tf.getnames()
    assert not [p for p in tmp_path.iterdir() if "berth-save" in p.name], "no temporary file may remain"
    berthd.cli("rmi", "busybox").ok()
    assert berthd.cli("load", "-q", "-i", str(out)).ok().stdout == "Loaded image: busybox:latest\n"
    missing = berthd.cli("save", "-o", str(tmp_path / "x.tar"), "nope")
    assert missing.returncode == 1 and missing.stderr.startswith("Error response from daemon: "), missing.describe()
    assert not (tmp_path / "x.tar").exists()


def test_import_prints_the_new_id_and_prune_removes_it(berthd, tmp_path):
    rootfs = tmp_path / "rootfs.tar"
    with tarfile.open(rootfs, "w") as tf:
        info = tarfile.TarInfo("hello.txt")
        data = b"hello\n"
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    r = berthd.cli("import", "-m", "hi", "-c", "ENV A=1", str(rootfs), "imp:1").ok()
    assert r.stdout.startswith("sha256:") and len(r.stdout.strip()) == 71, r.describe()
    inspected = json.loads(berthd.cli("image", "inspect", "imp:1").ok().stdout)[0]
    assert "A=1" in inspected["Config"]["Env"]
    pruned = berthd.cli("image", "prune", "-a", "-f").ok()
    assert pruned.stdout.startswith("Deleted Images:\nuntagged: imp:1\n"), pruned.describe()
    assert pruned.stdout.splitlines()[-1].startswith("Total reclaimed space: ")


def test_prune_asks_first(berthd, busybox):
    r = berthd.cli("image", "prune", input="n\n").ok()
    assert r.stdout == ("WARNING! This will remove all dangling images.\n"
                        "Are you sure you want to continue? [y/N] "), r.describe()


def test_system_commands(berthd, busybox):
    v = berthd.cli("version").ok()
    assert v.stdout.startswith("Client:\n Version:  "), v.describe()
    assert "\nServer:\n" in v.stdout
    assert berthd.cli("version", "-f", "{{.Client.APIVersion}}").ok().stdout == "1.41\n"
    info = berthd.cli("info").ok()
    assert "\nServer:\n" in info.stdout and " Images: 1\n" in info.stdout, info.describe()
    df = berthd.cli("system", "df").ok()
    types = [line.split("  ")[0] for line in df.stdout.splitlines()[1:]]
    assert types == ["Images", "Containers", "Local Volumes", "Build Cache"], df.describe()
    ev = berthd.cli("events", "--since", "10m", "--until", "0s").ok()
    assert any(" image load " in line for line in ev.stdout.splitlines()), ev.describe()


def test_no_daemon():
    r = run_cmd([BERTH, "-H", "unix:///nonexistent/b.sock", "images"])
    assert r.returncode == 1
    assert r.stderr == ("Cannot connect to the berth daemon at unix:///nonexistent/b.sock. "
                        "Is the berth daemon running?\n"), r.describe()


def test_debug_flag_logs_each_api_request_and_a_bad_level_is_refused(berthd):
    r = berthd.cli("-D", "images").ok()
    assert 'level=debug msg="GET /v1.41/images/json"' in r.stderr, r.stderr
    assert berthd.cli("images").ok().stderr == "", "without -D the CLI logs nothing"
    bad = berthd.cli("-l", "loud", "images").failed()
    assert "Unable to parse logging level: loud" in bad.stderr, bad.stderr
