"""The docker CLI (docker.io 20.10, API 1.41) against berthd: the image commands
behave as they do against dockerd, output included."""

from __future__ import annotations

import json
import re
import select
import subprocess
import time

import images
from dockerd import DOCKER_CLI
from store_checks import another_berthd, archive_config, docker_with_stdin

BB = "busybox:latest"


def load_busybox(d, tmp_path, tag=BB, **kw):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", tag=tag, **kw)
    out = d.docker("load", "-i", archive).ok().stdout
    assert f"Loaded image: {tag}" in out, out
    return archive


def inspect(d, ref) -> dict:
    return json.loads(d.docker("image", "inspect", ref).ok().stdout)[0]


def image_lines(d, *args, fmt="{{.Repository}}:{{.Tag}}") -> list[str]:
    return sorted(d.docker("images", "--format", fmt, *args).ok().stdout.split())


# ---------------------------------------------------------------- system

def test_version_reports_api_1_41(berthd):
    out = berthd.docker("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}").ok().stdout.split()
    assert out == ["1.41", "linux"], f"docker version saw server {out}"


def test_info_counts_images(berthd, tmp_path):
    assert berthd.docker("info", "--format", "{{.Images}}").ok().stdout.strip() == "0"
    load_busybox(berthd, tmp_path)
    r = berthd.docker("info", "--format", "{{.Images}} {{.DockerRootDir}}").ok()
    assert r.stdout.split() == ["1", str(berthd.data_root)], r.stdout


def test_system_df_counts_images_and_size(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    rows = berthd.docker("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Size}}").ok().stdout
    by_type = {r.split("|")[0]: r.split("|")[1:] for r in rows.splitlines()}
    assert by_type["Images"][0] == "1", rows
    assert by_type["Images"][1] != "0B", "system df reports no image size:\n" + rows


# ---------------------------------------------------------------- load

def test_load_docker_archive_gives_config_digest_as_id(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    assert inspect(berthd, BB)["Id"] == images.busybox_image_id()


def test_load_oci_archive_gives_the_same_image(berthd, tmp_path):
    oci = images.busybox_oci_archive(tmp_path / "bb-oci.tar", tag="bt/oci:1")
    out = berthd.docker("load", "-i", oci).ok().stdout
    assert "Loaded image: bt/oci:1" in out, out
    assert inspect(berthd, "bt/oci:1")["Id"] == images.busybox_image_id(), \
        "the OCI layout of the busybox image loaded as another image"


def test_load_from_stdin(berthd, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar")
    p = docker_with_stdin(berthd, archive.read_bytes(), "load")
    assert p.returncode == 0 and b"Loaded image: busybox:latest" in p.stdout, p.stdout + p.stderr


def test_save_then_load_into_fresh_berthd_keeps_id_and_tag(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "bt/second:v2").ok()
    saved = tmp_path / "saved.tar"
    berthd.docker("save", "-o", saved, BB, "bt/second:v2").ok()
    with another_berthd() as fresh:
        out = fresh.docker("load", "-i", saved).ok().stdout
        assert "Loaded image: busybox:latest" in out and "Loaded image: bt/second:v2" in out, out
        assert inspect(fresh, "bt/second:v2")["Id"] == images.busybox_image_id()
        assert image_lines(fresh) == ["bt/second:v2", BB]


def test_save_by_id_loads_as_untagged_image(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    saved = tmp_path / "byid.tar"
    berthd.docker("save", "-o", saved, images.busybox_image_id()[7:19]).ok()
    with another_berthd() as fresh:
        out = fresh.docker("load", "-i", saved).ok().stdout
        assert out.strip() == f"Loaded image ID: {images.busybox_image_id()}", out
        assert fresh.docker("images", "-q", "--filter", "dangling=true").ok().stdout.split() == \
            [images.busybox_image_id()[7:19]]


def test_loading_twice_changes_nothing(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    load_busybox(berthd, tmp_path)
    assert berthd.docker("images", "-qa").ok().stdout.split() == [images.busybox_image_id()[7:19]]


def test_load_moves_an_existing_tag_and_leaves_old_image_dangling(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    images.busybox_docker_archive(tmp_path / "bb5.tar", layers=5)
    berthd.docker("load", "-i", tmp_path / "bb5.tar").ok()
    assert inspect(berthd, BB)["Id"] == images.busybox_image_id(5), "the tag did not move to the new image"
    assert berthd.docker("images", "-q", "--filter", "dangling=true").ok().stdout.split() == \
        [images.busybox_image_id()[7:19]]


def test_save_of_unknown_image_fails_cleanly(berthd, tmp_path):
    r = berthd.docker("save", "-o", tmp_path / "x.tar", "nope:1").failed()
    assert "No such image: nope:1" in r.stderr, r.stderr


# ---------------------------------------------------------------- images

def test_images_quiet_lists_short_ids(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    ids = berthd.docker("images", "-q").ok().stdout.split()
    assert ids == [images.busybox_image_id()[7:19]], ids


def test_images_digests_column_is_none_for_loaded_image(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    out = berthd.docker("images", "--digests").ok().stdout.splitlines()
    assert out[0].split()[:4] == ["REPOSITORY", "TAG", "DIGEST", "IMAGE"], out
    assert out[1].split()[:4] == ["busybox", "latest", "<none>", images.busybox_image_id()[7:19]], out


def test_images_filter_dangling(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("import", images.busybox_rootfs_tar()).ok()  # untagged: dangling
    dangling = berthd.docker("images", "-q", "--filter", "dangling=true").ok().stdout.split()
    tagged = berthd.docker("images", "--format", "{{.Repository}}", "--filter", "dangling=false").ok().stdout.split()
    assert len(dangling) == 1 and dangling[0] != images.busybox_image_id()[7:19], dangling
    assert tagged == ["busybox"], tagged


def test_images_filter_reference(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    for t in ("bt/a:1", "bt/b:2", "other/c:3"):
        berthd.docker("tag", BB, t).ok()
    assert image_lines(berthd, "--filter", "reference=bt/*") == ["bt/a:1", "bt/b:2"]
    assert image_lines(berthd, "--filter", "reference=*/c:3") == ["other/c:3"]
    assert image_lines(berthd, "busybox") == [BB], "the positional repository filter"


def test_images_filter_label(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("import", "-c", "LABEL org.bt.kind=imported", images.busybox_rootfs_tar(), "bt/lab:1").ok()
    assert image_lines(berthd, "--filter", "label=org.bt.kind") == ["bt/lab:1"]
    assert image_lines(berthd, "--filter", "label=org.bt.kind=imported") == ["bt/lab:1"]
    assert image_lines(berthd, "--filter", "label=org.bt.kind=other") == []


def test_images_format_fields(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    out = berthd.docker("images", "--format", "{{json .}}").ok().stdout.strip()
    row = json.loads(out)
    assert row["Repository"] == "busybox" and row["Tag"] == "latest", row
    assert row["ID"] == images.busybox_image_id()[7:19], row
    assert row["CreatedAt"].startswith("2024-01-01"), f"created time is not the config's: {row}"
    assert re.fullmatch(r"[0-9.]+[kM]B", row["Size"]), row


# ---------------------------------------------------------------- tag, rmi

def test_tag_with_registry_host_and_port(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "localhost:5000/ns/bb:v1").ok()
    rows = berthd.docker("images", "--format", "{{.Repository}} {{.Tag}}").ok().stdout.splitlines()
    assert sorted(rows) == ["busybox latest", "localhost:5000/ns/bb v1"], rows
    assert inspect(berthd, "localhost:5000/ns/bb:v1")["Id"] == images.busybox_image_id()


def test_tag_defaults_to_latest_and_moves(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("import", images.busybox_rootfs_tar(), "bt/imp:1").ok()
    berthd.docker("tag", BB, "bt/x").ok()
    assert inspect(berthd, "bt/x:latest")["Id"] == images.busybox_image_id()
    berthd.docker("tag", "bt/imp:1", "bt/x").ok()
    assert inspect(berthd, "bt/x")["Id"] == inspect(berthd, "bt/imp:1")["Id"], "a re-tag did not move the tag"


def test_tag_bad_reference_is_refused(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    r = berthd.docker("tag", BB, "UPPER/case").failed()
    assert "invalid reference format" in r.stderr, r.stderr


def test_rmi_of_one_of_two_tags_only_untags(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "bt/keep:1").ok()
    out = berthd.docker("rmi", "bt/keep:1").ok().stdout
    assert out.strip() == "Untagged: bt/keep:1", out
    assert image_lines(berthd) == [BB]


def test_rmi_of_last_tag_deletes_image_and_layers(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    out = berthd.docker("rmi", BB).ok().stdout.splitlines()
    assert out[0] == "Untagged: busybox:latest", out
    assert f"Deleted: {images.busybox_image_id()}" in out, out
    assert len([x for x in out if x.startswith("Deleted: ")]) == 1 + 4, f"image and its 4 layers:\n{out}"
    assert berthd.docker("images", "-qa").ok().stdout.strip() == ""


def test_rmi_by_id_with_two_repositories_must_be_forced(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "bt/other:1").ok()
    short = images.busybox_image_id()[7:19]
    r = berthd.docker("rmi", short).failed()
    assert (f"conflict: unable to delete {short} (must be forced) - image is referenced in multiple "
            f"repositories") in r.stderr, r.stderr
    assert image_lines(berthd) == ["bt/other:1", BB], "a refused rmi changed the tags"
    out = berthd.docker("rmi", "-f", short).ok().stdout.splitlines()
    assert {"Untagged: bt/other:1", "Untagged: busybox:latest",
            f"Deleted: {images.busybox_image_id()}"} <= set(out), out
    assert image_lines(berthd) == []


def test_rmi_by_id_with_tags_in_one_repository_needs_no_force(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "busybox:other").ok()
    out = berthd.docker("rmi", images.busybox_image_id()).ok().stdout.splitlines()
    assert {"Untagged: busybox:latest", "Untagged: busybox:other"} <= set(out), out


def test_rmi_unknown_image(berthd):
    r = berthd.docker("rmi", "nope:1").failed()
    assert "No such image: nope:1" in r.stderr, r.stderr


# ---------------------------------------------------------------- history, inspect

def test_history_lists_layers_top_first(berthd, tmp_path):
    archive = load_busybox(berthd, tmp_path)
    rows = berthd.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.ID}}", BB).ok().stdout.splitlines()
    created_by = [h["created_by"] for h in archive_config(archive)["history"]]
    assert [r.split("|")[0] for r in rows] == created_by[::-1], rows
    assert rows[0].split("|")[1] == images.busybox_image_id(), "the top row names the image"
    assert all(r.split("|")[1] == "<missing>" for r in rows[1:]), rows


def test_inspect_fields(berthd, tmp_path):
    archive = load_busybox(berthd, tmp_path)
    img = inspect(berthd, BB)
    cfg = archive_config(archive)
    assert img["Id"] == images.busybox_image_id()
    assert img["RepoTags"] == [BB] and img["RepoDigests"] == []
    assert img["RootFS"] == {"Type": "layers", "Layers": cfg["rootfs"]["diff_ids"]}
    assert img["Config"]["Cmd"] == ["sh"] and img["Config"]["Env"] == [images.ENV_PATH]
    assert img["Created"].startswith("2024-01-01T00:00:00"), img["Created"]
    assert img["Architecture"] == "amd64" and img["Os"] == "linux"
    assert img["GraphDriver"]["Name"] == "overlay2", img["GraphDriver"]


def test_inspect_format_and_short_id(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    short = images.busybox_image_id()[7:19]
    out = berthd.docker("image", "inspect", "--format", "{{.Id}} {{index .RepoTags 0}}", short).ok().stdout
    assert out.split() == [images.busybox_image_id(), BB], out


# ---------------------------------------------------------------- import

def test_import_file_with_changes_and_message(berthd):
    r = berthd.docker("import", "-c", 'CMD ["sh"]', "-c", "ENV A=1", "-m", "imported by a test",
                      images.busybox_rootfs_tar(), "bt/imp:1").ok()
    img = inspect(berthd, "bt/imp:1")
    assert r.stdout.strip() == img["Id"], "docker import prints the new image ID"
    assert img["Config"]["Cmd"] == ["sh"], img["Config"]
    assert "A=1" in img["Config"]["Env"], img["Config"]
    assert len(img["RootFS"]["Layers"]) == 1
    comments = berthd.docker("history", "--format", "{{.Comment}}", "bt/imp:1").ok().stdout.split("\n")
    assert comments[0] == "imported by a test", comments


def test_import_with_bad_change_shows_the_daemons_error(berthd):
    """The daemon refuses before reading the 2 MB upload; the CLI must still see why."""
    r = berthd.docker("import", "-c", "FROB x", images.busybox_rootfs_tar(), "bt/bad:1").failed()
    assert "FROB is not a valid change command" in r.stderr, r.stderr
    assert berthd.docker("images", "-qa").ok().stdout == "", "a refused import left an image"


def test_import_from_stdin_untagged(berthd):
    p = docker_with_stdin(berthd, images.busybox_rootfs_tar().read_bytes(), "import", "-")
    assert p.returncode == 0, p.stderr
    image_id = p.stdout.decode().strip()
    assert image_id.startswith("sha256:"), p.stdout
    assert berthd.docker("images", "-q", "--filter", "dangling=true").ok().stdout.split() == [image_id[7:19]]


# ---------------------------------------------------------------- events

def _events(d, since, until, *args) -> list[str]:
    """`docker events` between two times, one "<type> <action> <actor id> <name>" per event."""
    r = d.docker("events", "--since", f"{since:.6f}", "--until", f"{until:.6f}", *args,
                 "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}", timeout=20).ok()
    return r.stdout.splitlines()


# What dockerd 20.10 sends (checked against it): load, untag, import, save and
# delete name the image by ID; tag names the new reference.
def test_events_since_until_show_image_actions_in_order(berthd, tmp_path):
    bid = images.busybox_image_id()
    since = time.time()
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "bt/ev:1").ok()
    berthd.docker("rmi", "bt/ev:1").ok()
    berthd.docker("save", "-o", tmp_path / "s.tar", BB).ok()
    berthd.docker("rmi", BB).ok()
    until = time.time() + 0.5
    assert _events(berthd, since, until) == [
        f"image load {bid} {bid}", f"image tag {bid} bt/ev:1", f"image untag {bid} {bid}",
        f"image save {bid} {bid}", f"image untag {bid} {bid}", f"image delete {bid} {bid}"]


def test_events_of_import_and_prune(berthd):
    since = time.time()
    new_id = berthd.docker("import", images.busybox_rootfs_tar(), "bt/imp:1").ok().stdout.strip()
    berthd.docker("image", "prune", "-af").ok()
    until = time.time() + 0.5
    assert _events(berthd, since, until) == [
        f"image tag {new_id} bt/imp:1", f"image import {new_id} {new_id}", f"image untag {new_id} {new_id}",
        f"image delete {new_id} {new_id}", "image prune  <no value>"]
    r = berthd.docker("events", "--since", f"{since:.6f}", "--until", f"{until:.6f}", "--filter", "event=prune",
                      "--format", "{{.Actor.Attributes.reclaimed}}", timeout=20).ok()
    assert int(r.stdout.strip()) > 1_000_000, f"prune event does not say what it reclaimed: {r.stdout}"


def test_events_filter_by_event_and_image(berthd, tmp_path):
    since = time.time()
    load_busybox(berthd, tmp_path)
    berthd.docker("tag", BB, "bt/ev:1").ok()
    berthd.docker("tag", BB, "bt/ev:2").ok()
    until = time.time() + 0.5
    lines = _events(berthd, since, until, "--filter", "event=tag", "--filter", "image=bt/ev:2")
    assert lines == [f"image tag {images.busybox_image_id()} bt/ev:2"], lines


def test_events_stream_live(berthd, tmp_path):
    """Without --since, `docker events` shows what happens while it runs."""
    load_busybox(berthd, tmp_path)
    p = subprocess.Popen([DOCKER_CLI, "-H", berthd.host, "events", "--format", "{{.Action}} {{.Actor.Attributes.name}}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=berthd.env, text=True)
    try:
        time.sleep(0.5)  # let it subscribe: earlier events are not its business
        berthd.docker("tag", BB, "bt/live:1").ok()
        ready, _, _ = select.select([p.stdout], [], [], 10)
        assert ready, "docker events printed nothing within 10 s of a tag"
        line = p.stdout.readline().strip()
        assert line == "tag bt/live:1", f"docker events printed {line!r}"
    finally:
        p.kill()
        p.wait(10)
