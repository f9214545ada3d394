"""What the image API tests share: another berthd besides the `berthd` fixture
(a fresh store, a daemon to restart), the on-disk state of a berthd's image store
(to prove that a failed or interrupted operation left nothing behind), and
image archives with a hostile layer."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tarfile
from pathlib import Path

import images
from berthd import Berthd
from dockerd import DOCKER_CLI


@contextlib.contextmanager
def another_berthd(**kwargs):
    """A berthd of its own, stopped at the end; what it left behind fails the test
    (unless the test already failed: then its own error is the one to see)."""
    d = Berthd(**kwargs).start()
    try:
        yield d
    except BaseException:
        d.stop()
        raise
    problems = d.stop()
    assert not problems, "second berthd teardown:\n  " + "\n  ".join(problems)


def docker_with_stdin(d, data: bytes, *args, timeout=60) -> subprocess.CompletedProcess:
    """The docker CLI against `d` with binary `data` on its stdin (Berthd.docker is text)."""
    return subprocess.run([DOCKER_CLI, "-H", d.host, *map(str, args)], input=data, capture_output=True,
                          env=d.env, timeout=timeout)


def _names(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()} if path.is_dir() else set()


def store_state(d: Berthd) -> dict[str, set[str]]:
    """The image store's files: blobs, staged layers, snapshots, ingest files."""
    root = d.data_root / "image"
    return {"blobs": _names(root / "content" / "blobs" / "sha256"),
            "staging": _names(root / "staging"),
            "snapshots": _names(root / "snapshots"),
            "ingest": _names(root / "content" / "ingest")}


def assert_store_clean(d: Berthd, before: dict[str, set[str]], what: str):
    """Nothing new in the store since `before`, no staged layer left, no image listed."""
    after = store_state(d)
    assert not after["staging"], f"{what} left staged layers: {sorted(after['staging'])}"
    assert not after["ingest"], f"{what} left ingest files: {sorted(after['ingest'])}"
    new_blobs = after["blobs"] - before["blobs"]
    assert not new_blobs, f"{what} left {len(new_blobs)} blob(s) nothing references: {sorted(new_blobs)}"
    new_snaps = after["snapshots"] - before["snapshots"]
    assert not new_snaps, f"{what} left snapshot directories: {sorted(new_snaps)}"
    listed = d.api("GET", "/images/json?all=1").json()
    assert listed == [], f"{what} left images visible: {listed}"


def archive_with_layers(dest: Path, layers: list[list[images.Entry] | bytes], tag: str, workdir: Path) -> Path:
    """A docker-archive whose layers are the given entries (or raw tar bytes, for
    members images.Entry can't express), the top one with a CMD."""
    paths = []
    for i, layer in enumerate(layers):
        p = workdir / f"custom-layer{i}.tar"
        p.write_bytes(layer if isinstance(layer, bytes) else images.tar_bytes(layer))
        paths.append(p)
    image = images.Image(paths, [f"/bin/sh -c #(nop) ADD layer {i}" for i in range(len(paths))])
    images.write_docker_archive(image, dest, [tag])
    return dest


def raw_tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    """A tar of exactly these headers (hostile names included: tarfile writes what it is given)."""
    import io
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for ti, data in members:
            ti.size = len(data)
            ti.mtime = images.EPOCH
            tf.addfile(ti, io.BytesIO(data) if data else None)
    return buf.getvalue()


def archive_config(path) -> dict:
    """The image config a docker-archive holds (its first image)."""
    with tarfile.open(path) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        return json.load(tf.extractfile(manifest[0]["Config"]))


def json_lines(body: bytes) -> list[dict]:
    """The messages of a JSON stream answer (/images/load, /events)."""
    return [json.loads(line) for line in body.decode().splitlines() if line.strip()]
