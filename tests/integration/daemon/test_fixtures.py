"""The image fixtures against the reference implementation: what images.py
writes must load and run in Debian's dockerd, and round-trip through its
`docker save`. A failure here means the fixture (our archive writer) is wrong,
not berthd."""

from __future__ import annotations

import json
import tarfile

import images
from helpers import run_cmd
from store_checks import archive_config


def _inspect(dockerd, ref) -> dict:
    return json.loads(dockerd.docker("image", "inspect", ref).ok().stdout)[0]


def test_busybox_docker_archive_loads_with_our_image_id(dockerd, dockerd_tags, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", tag="bt-fixture/busybox:load")
    dockerd_tags.append("bt-fixture/busybox:load")
    out = dockerd.docker("load", "-i", archive).ok().stdout
    assert "Loaded image: bt-fixture/busybox:load" in out, out
    img = _inspect(dockerd, "bt-fixture/busybox:load")
    assert img["Id"] == images.busybox_image_id(), "dockerd computed another image id than the config digest"
    assert img["RootFS"]["Layers"] == archive_config(archive)["rootfs"]["diff_ids"], \
        "dockerd's layer diff ids differ from the ones our config declares"
    assert len(img["RootFS"]["Layers"]) == 4
    assert img["Config"]["Cmd"] == ["sh"] and img["Config"]["Env"] == [images.ENV_PATH]


def test_busybox_layers_apply_whiteout_and_opaque_dir(dockerd, dockerd_tags, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", tag="bt-fixture/busybox:run", layers=5)
    dockerd_tags.append("bt-fixture/busybox:run")
    dockerd.docker("load", "-i", archive).ok()
    script = ("for p in " + " ".join(images.EXPECTED_REMOVED) + "; do [ -e $p ] && echo present $p; done; "
              f"ls -A {images.EXPECTED_OPAQUE_DIR}; cat {images.EXPECTED_MARKER}; echo hi")
    r = dockerd.docker("run", "--rm", "--network", "none", "bt-fixture/busybox:run", "sh", "-c", script).ok()
    lines = r.stdout.split("\n")
    assert not [x for x in lines if x.startswith("present")], "whiteouts/opaque dir not applied:\n" + r.stdout
    assert lines[:3] == [*images.EXPECTED_OPAQUE_CONTENT, "busybox top layer 5", "hi"], r.stdout


def test_docker_save_of_our_image_has_our_config_and_layers(dockerd, dockerd_tags, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar", tag="bt-fixture/busybox:save")
    dockerd_tags.append("bt-fixture/busybox:save")
    dockerd.docker("load", "-i", archive).ok()
    saved = tmp_path / "saved.tar"
    dockerd.docker("save", "-o", saved, "bt-fixture/busybox:save").ok()
    with tarfile.open(archive) as ours, tarfile.open(saved) as theirs:
        m_ours = json.load(ours.extractfile("manifest.json"))[0]
        m_theirs = json.load(theirs.extractfile("manifest.json"))[0]
        assert m_theirs["Config"] == m_ours["Config"], "docker save wrote another config"
        assert m_theirs["RepoTags"] == ["bt-fixture/busybox:save"]
        assert theirs.extractfile(m_theirs["Config"]).read() == ours.extractfile(m_ours["Config"]).read()
        # Layers come back byte for byte: our tars are what docker itself stores.
        for a, b in zip(m_ours["Layers"], m_theirs["Layers"], strict=True):
            assert ours.extractfile(a).read() == theirs.extractfile(b).read(), f"layer {a} changed in docker save"
        names = theirs.getnames()
        # The parts of the format we write, as docker writes them.
        assert {"manifest.json", "repositories"} <= set(names)
        for layer in m_theirs["Layers"]:
            lid = layer.split("/")[0]
            assert {f"{lid}/VERSION", f"{lid}/json"} <= set(names)
            assert theirs.extractfile(f"{lid}/VERSION").read() == b"1.0"


def test_oci_archive_is_the_same_image(dockerd, dockerd_tags, tmp_path):
    """docker 20.10 cannot load an OCI layout; skopeo converts it to a
    docker-archive (config and diff ids unchanged), and that must be our image."""
    oci = images.busybox_oci_archive(tmp_path / "bb-oci.tar", tag="bt-fixture/busybox:oci")
    with tarfile.open(oci) as tf:
        index = json.load(tf.extractfile("index.json"))
        assert json.load(tf.extractfile("oci-layout")) == {"imageLayoutVersion": "1.0.0"}
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "oci"
    converted = tmp_path / "converted.tar"
    run_cmd(["skopeo", "copy", f"oci-archive:{oci}:oci", f"docker-archive:{converted}:bt-fixture/busybox:oci"],
            timeout=60).ok()
    dockerd_tags.append("bt-fixture/busybox:oci")
    dockerd.docker("load", "-i", converted).ok()
    assert _inspect(dockerd, "bt-fixture/busybox:oci")["Id"] == images.busybox_image_id()
    r = dockerd.docker("run", "--rm", "--network", "none", "bt-fixture/busybox:oci", "ls", "-A",
                       images.EXPECTED_OPAQUE_DIR).ok()
    assert r.stdout.split() == images.EXPECTED_OPAQUE_CONTENT


def test_busybox_rootfs_tar_imports_and_runs(dockerd, dockerd_tags, tmp_path):
    dockerd_tags.append("bt-fixture/busybox:import")
    dockerd.docker("import", images.busybox_rootfs_tar(), "bt-fixture/busybox:import").ok()
    r = dockerd.docker("run", "--rm", "--network", "none", "bt-fixture/busybox:import",
                       "sh", "-c", "id -un; ls -ld /tmp | cut -c1-10; echo hi").ok()
    assert r.stdout.split() == ["root", "drwxrwxrwt", "hi"], r.stdout


def test_debian_archive_loads_and_runs(dockerd, dockerd_tags, tmp_path):
    # The benchmark's archive (same cache entry), checked before it is timed.
    archive = images.debian_docker_archive(tmp_path / "debian.tar", layers=8)
    dockerd_tags.append(images.DEBIAN_TAG)
    dockerd.docker("load", "-i", archive, timeout=300).ok()
    assert len(_inspect(dockerd, images.DEBIAN_TAG)["RootFS"]["Layers"]) == 8
    r = dockerd.docker("run", "--rm", "--network", "none", images.DEBIAN_TAG, "sh", "-c",
                       "cat /etc/debian_version; dpkg-query -W -f '${Package}\\n' | wc -l; "
                       "stat -c %h /usr/bin/perl").ok()
    version, npkgs, perl_links = r.stdout.split()
    assert version.startswith("12."), r.stdout
    assert int(npkgs) > 80, "fewer packages than a minbase has:\n" + r.stdout
    assert int(perl_links) == 2, "the perl/perl5.36.0 hard link did not survive the layer split"
