"""docker-py (Debian's python3-docker 5.0, API 1.41) against berthd: the image
API as a client library sees it, errors mapped to its exception classes."""

from __future__ import annotations

import docker
import pytest

import images
from store_checks import another_berthd, archive_config

BB = "busybox:latest"


def load_busybox(d, tmp_path, tag=BB):
    data = images.busybox_docker_archive(tmp_path / "bb.tar", tag=tag).read_bytes()
    loaded = d.py.images.load(data)
    assert [i.tags for i in loaded] == [[tag]], f"images.load returned {loaded}"
    return loaded[0]


def test_version_and_info(berthd):
    v = berthd.py.version()
    assert v["ApiVersion"] == "1.41" and v["Os"] == "linux", v
    assert v["Components"][0]["Name"] == "Engine", v
    info = berthd.py.info()
    assert info["Images"] == 0 and info["Driver"] == "overlay2", info
    assert berthd.py.ping() is True


def test_load_returns_the_image(berthd, tmp_path):
    img = load_busybox(berthd, tmp_path)
    assert img.id == images.busybox_image_id()
    assert img.attrs["Config"]["Cmd"] == ["sh"]


def test_load_oci_archive(berthd, tmp_path):
    data = images.busybox_oci_archive(tmp_path / "oci.tar", tag="bt/oci:2").read_bytes()
    loaded = berthd.py.images.load(data)
    assert [(i.id, i.tags) for i in loaded] == [(images.busybox_image_id(), ["bt/oci:2"])], loaded


def test_load_of_garbage_raises_image_load_error(berthd):
    with pytest.raises(docker.errors.ImageLoadError) as e:
        berthd.py.images.load(b"this is not a tar archive at all" * 40)
    assert "archive" in str(e.value), f"the error does not say what is wrong: {e.value}"


def test_list_with_filters(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes(), changes=["LABEL k=v"])
    everything = berthd.py.images.list()
    assert len(everything) == 2, everything
    dangling = berthd.py.images.list(filters={"dangling": True})
    assert len(dangling) == 1 and dangling[0].tags == [], dangling
    assert [i.tags for i in berthd.py.images.list(filters={"label": "k=v"})] == [[]]
    assert [i.id for i in berthd.py.images.list(name="busybox")] == [images.busybox_image_id()]
    assert [i.id for i in berthd.py.images.list(filters={"reference": "busy*:latest"})] == \
        [images.busybox_image_id()]


def test_list_before_and_since(berthd, tmp_path):
    load_busybox(berthd, tmp_path)  # created 2024-01-01
    imported = berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes(),
                                                    repository="bt/new", tag="1")  # created now
    assert "bt/new:1" in [t for i in berthd.py.images.list() for t in i.tags], imported
    assert [i.tags for i in berthd.py.images.list(filters={"since": BB})] == [["bt/new:1"]]
    assert [i.tags for i in berthd.py.images.list(filters={"before": "bt/new:1"})] == [[BB]]


def test_tag_and_get(berthd, tmp_path):
    img = load_busybox(berthd, tmp_path)
    assert img.tag("registry.example:5000/team/bb", "v3") is True
    got = berthd.py.images.get("registry.example:5000/team/bb:v3")
    assert got.id == img.id
    assert sorted(got.tags) == [BB, "registry.example:5000/team/bb:v3"]


def test_save_bytes_load_into_fresh_berthd(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    data = b"".join(berthd.py.images.get(BB).save(named=True))
    assert len(data) > 512, "save produced almost nothing"
    with another_berthd() as fresh:
        loaded = fresh.py.images.load(data)
        assert [(i.id, i.tags) for i in loaded] == [(images.busybox_image_id(), [BB])]


def test_remove_untag_then_force(berthd, tmp_path):
    img = load_busybox(berthd, tmp_path)
    img.tag("bt/two", "1")
    with pytest.raises(docker.errors.APIError) as e:
        berthd.py.images.remove(img.id)
    assert e.value.status_code == 409 and "must be forced" in str(e.value), str(e.value)
    berthd.py.images.remove("bt/two:1")
    assert berthd.py.images.get(img.id).tags == [BB], "removing one tag touched the other"
    berthd.py.images.remove(img.id, force=True)
    assert berthd.py.images.list(all=True) == []


def test_history(berthd, tmp_path):
    archive = images.busybox_docker_archive(tmp_path / "bb.tar")
    berthd.py.images.load(archive.read_bytes())
    hist = berthd.py.api.history(BB)
    created_by = [h["created_by"] for h in archive_config(archive)["history"]][::-1]
    assert [h["CreatedBy"] for h in hist] == created_by
    assert hist[0]["Id"] == images.busybox_image_id() and hist[0]["Tags"] == [BB], hist[0]
    assert all(h["Created"] == images.EPOCH for h in hist), hist
    assert all(h["Size"] > 0 for h in hist), "every busybox layer holds files"


def test_import_image_from_data_with_changes(berthd):
    r = berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes(), repository="bt/imp",
                                             tag="2", changes=['CMD ["sh"]', "ENV A=1", "WORKDIR /tmp"])
    img = berthd.py.images.get("bt/imp:2")
    assert img.id in str(r), f"the answer does not name the image: {r}"
    assert img.attrs["Config"]["Cmd"] == ["sh"] and "A=1" in img.attrs["Config"]["Env"], img.attrs["Config"]
    assert img.attrs["Config"]["WorkingDir"] == "/tmp"


def test_import_image_streamed_chunked(berthd):
    """A generator body: requests sends it with Transfer-Encoding: chunked."""
    data = images.busybox_rootfs_tar().read_bytes()
    chunks = (data[i:i + 65536] for i in range(0, len(data), 65536))
    berthd.py.api.import_image(src=chunks, repository="bt/chunked")
    assert len(berthd.py.images.get("bt/chunked:latest").attrs["RootFS"]["Layers"]) == 1


def test_import_bad_change_is_an_api_error(berthd):
    with pytest.raises(docker.errors.APIError) as e:
        berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes(), changes=["RUN rm -rf /"])
    assert e.value.status_code == 400, e.value
    assert berthd.py.images.list(all=True) == [], "a refused import left an image"


def test_missing_image_errors(berthd):
    with pytest.raises(docker.errors.ImageNotFound) as e:
        berthd.py.images.get("nope")
    assert "No such image: nope" in str(e.value)
    with pytest.raises(docker.errors.ImageNotFound):
        berthd.py.images.remove("nope")
    with pytest.raises(docker.errors.ImageNotFound):
        berthd.py.api.history("nope")
    with pytest.raises(docker.errors.ImageNotFound):
        berthd.py.api.tag("nope", "bt/x", "1")


def test_list_summary_as_dockerd_encodes_it(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes())
    by_id = {s["Id"]: s for s in berthd.py.api.images()}
    tagged = by_id.pop(images.busybox_image_id())
    assert tagged["RepoTags"] == [BB] and tagged["RepoDigests"] is None, \
        f"dockerd sends null for no digests: {tagged}"
    assert tagged["Created"] == images.EPOCH and tagged["Size"] == tagged["VirtualSize"] > 0, tagged
    (dangling,) = by_id.values()
    assert dangling["RepoTags"] == ["<none>:<none>"] and dangling["RepoDigests"] == ["<none>@<none>"], dangling


def test_df_counts_shared_layers(berthd, tmp_path):
    """The 4- and 5-layer busybox images share their base layer (same diff id)."""
    load_busybox(berthd, tmp_path)
    berthd.py.images.load(images.busybox_docker_archive(tmp_path / "bb5.tar", tag="bt/five:1", layers=5).read_bytes())
    base_size = berthd.py.api.history(BB)[-1]["Size"]
    df = berthd.py.df()
    assert sorted(i["SharedSize"] for i in df["Images"]) == [base_size, base_size], df["Images"]
    sizes = sum(i["Size"] for i in df["Images"])
    assert df["LayersSize"] == sizes - base_size, "LayersSize counts the shared base layer twice"
    assert df["BuildCache"] is None and df["BuilderSize"] == 0, df


def test_prune_dangling_then_all(berthd, tmp_path):
    load_busybox(berthd, tmp_path)
    dangling = berthd.py.api.import_image_from_data(images.busybox_rootfs_tar().read_bytes())
    r = berthd.py.images.prune()
    deleted = [x["Deleted"] for x in r["ImagesDeleted"] if "Deleted" in x]
    assert any(x in str(dangling) for x in deleted), f"prune did not delete the dangling image: {r}"
    assert r["SpaceReclaimed"] > 0, r
    assert [i.tags for i in berthd.py.images.list()] == [[BB]], "prune removed a tagged image"
    r = berthd.py.images.prune(filters={"dangling": False})
    assert {"Untagged": BB} in r["ImagesDeleted"] and {"Deleted": images.busybox_image_id()} in r["ImagesDeleted"], r
    assert berthd.py.images.list(all=True) == []


def test_prune_with_nothing_to_do(berthd):
    r = berthd.py.images.prune()
    assert r == {"ImagesDeleted": None, "SpaceReclaimed": 0}, r
