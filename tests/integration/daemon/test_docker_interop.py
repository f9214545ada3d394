"""berthd and the real dockerd exchange images: what `docker save` writes loads
into berthd as the same image, and what berthd saves loads into dockerd and runs
there with the right files (whiteouts and opaque directories applied)."""

from __future__ import annotations

import json
import os

import pytest

import images


def _inspect(daemon, ref) -> dict:
    return json.loads(daemon.docker("image", "inspect", ref).ok().stdout)[0]


def _busybox_script() -> str:
    """Prints "present <path>" for each path a whiteout must hide, then the opaque
    dir's listing and the top layer's marker."""
    return ("for p in " + " ".join(images.EXPECTED_REMOVED) + "; do [ -e $p ] && echo present $p; done; "
            f"ls -A {images.EXPECTED_OPAQUE_DIR}; cat {images.EXPECTED_MARKER}")


def test_docker_save_archive_loads_into_berthd(berthd, dockerd, dockerd_tags, tmp_path):
    tag = "bt-interop/from-docker:1"
    dockerd_tags.append(tag)
    dockerd.docker("load", "-i", images.busybox_docker_archive(tmp_path / "bb.tar", tag=tag)).ok()
    dockerd.docker("tag", tag, "bt-interop/from-docker:2").ok()
    dockerd_tags.append("bt-interop/from-docker:2")
    saved = tmp_path / "docker-saved.tar"
    dockerd.docker("save", "-o", saved, tag, "bt-interop/from-docker:2").ok()
    out = berthd.docker("load", "-i", saved).ok().stdout
    assert f"Loaded image: {tag}" in out and "Loaded image: bt-interop/from-docker:2" in out, out
    ours, theirs = _inspect(berthd, tag), _inspect(dockerd, tag)
    assert ours["Id"] == theirs["Id"] == images.busybox_image_id()
    # The session's dockerd is shared: other tests may have tagged the same image.
    mine = lambda tags: sorted(t for t in tags if t.startswith("bt-interop/"))
    assert mine(ours["RepoTags"]) == mine(theirs["RepoTags"]), (ours["RepoTags"], theirs["RepoTags"])
    assert ours["RootFS"] == theirs["RootFS"]
    assert ours["Config"]["Cmd"] == theirs["Config"]["Cmd"]
    assert ours["Size"] == theirs["Size"], "berthd and dockerd count the unpacked size differently"


def test_berthd_save_loads_and_runs_in_dockerd(berthd, dockerd, dockerd_tags, tmp_path):
    tag = "bt-interop/from-berthd:1"
    berthd.docker("load", "-i", images.busybox_docker_archive(tmp_path / "bb.tar", tag=tag, layers=5)).ok()
    saved = tmp_path / "berthd-saved.tar"
    berthd.docker("save", "-o", saved, tag).ok()
    dockerd_tags.append(tag)
    out = dockerd.docker("load", "-i", saved).ok().stdout
    assert f"Loaded image: {tag}" in out, out
    assert _inspect(dockerd, tag)["Id"] == _inspect(berthd, tag)["Id"]
    r = dockerd.docker("run", "--rm", "--network", "none", tag, "sh", "-c", _busybox_script()).ok()
    lines = r.stdout.splitlines()
    assert not [x for x in lines if x.startswith("present")], "whiteouts lost in berthd's save:\n" + r.stdout
    assert lines == [*images.EXPECTED_OPAQUE_CONTENT, "busybox top layer 5"], r.stdout


def test_berthd_save_of_oci_loaded_image_runs_in_dockerd(berthd, dockerd, dockerd_tags, tmp_path):
    """An OCI layout (gzip layers) in, a docker-archive out that docker 20.10 reads."""
    tag = "bt-interop/oci:1"
    berthd.docker("load", "-i", images.busybox_oci_archive(tmp_path / "oci.tar", tag=tag)).ok()
    saved = tmp_path / "berthd-saved.tar"
    berthd.docker("save", "-o", saved, tag).ok()
    dockerd_tags.append(tag)
    dockerd.docker("load", "-i", saved).ok()
    assert _inspect(dockerd, tag)["Id"] == images.busybox_image_id()
    r = dockerd.docker("run", "--rm", "--network", "none", tag, "ls", "-A", images.EXPECTED_OPAQUE_DIR).ok()
    assert r.stdout.split() == images.EXPECTED_OPAQUE_CONTENT, r.stdout


def test_berthd_import_runs_in_dockerd(berthd, dockerd, dockerd_tags, tmp_path):
    tag = "bt-interop/imported:1"
    berthd.docker("import", "-c", 'CMD ["sh", "-c", "id -un; ls -ld /tmp | cut -c1-10"]',
                  images.busybox_rootfs_tar(), tag).ok()
    saved = tmp_path / "imported.tar"
    berthd.docker("save", "-o", saved, tag).ok()
    dockerd_tags.append(tag)
    dockerd.docker("load", "-i", saved).ok()
    r = dockerd.docker("run", "--rm", "--network", "none", tag).ok()
    assert r.stdout.split() == ["root", "drwxrwxrwt"], r.stdout


@pytest.mark.skipif(os.environ.get("BERTH_SKIP_DEBIAN") == "1", reason="BERTH_SKIP_DEBIAN=1")
def test_debian_multilayer_round_trip(berthd, dockerd, dockerd_tags, tmp_path):
    archive = images.debian_docker_archive(tmp_path / "debian.tar", layers=8)
    berthd.docker("load", "-i", archive, timeout=300).ok()
    saved = tmp_path / "debian-saved.tar"
    berthd.docker("save", "-o", saved, images.DEBIAN_TAG, timeout=300).ok()
    dockerd_tags.append(images.DEBIAN_TAG)
    dockerd.docker("load", "-i", saved, timeout=300).ok()
    ours, theirs = _inspect(berthd, images.DEBIAN_TAG), _inspect(dockerd, images.DEBIAN_TAG)
    assert ours["Id"] == theirs["Id"] and len(theirs["RootFS"]["Layers"]) == 8
    assert ours["Size"] == theirs["Size"], "berthd and dockerd count the unpacked size differently"
    r = dockerd.docker("run", "--rm", "--network", "none", images.DEBIAN_TAG, "sh", "-c",
                       "cat /etc/debian_version; stat -c %h /usr/bin/perl").ok()
    version, perl_links = r.stdout.split()
    assert version.startswith("12."), r.stdout
    assert perl_links == "2", "a hard link across berthd's save came back broken"
