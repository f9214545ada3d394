"""Test images, written from scratch in Python: a busybox rootfs, the same image as
a docker-archive (what `docker save` writes) and as an OCI image layout tar, and a
debootstrap'd Debian 12 minbase split into many layers (for the load benchmark).

Nothing here talks to a daemon. Every builder is deterministic (fixed mtimes and
owners, sorted entries, gzip without a timestamp), so the same inputs give the same
bytes and the same digests; results are cached under CACHE_DIR, keyed by the
inputs (the busybox binary's hash, the layer count, FORMAT_VERSION), and written
atomically (temporary file + rename), so an interrupted build is never reused.

The busybox image's layers (docker-archive and OCI alike):
  1    base directories, /etc files, /bin/busybox, plus files the top layer removes
  2..N-1  the applet symlinks, spread evenly, one marker file per layer
  N    a whiteout (/etc/motd-old) and an opaque directory (/opt/old): see EXPECTED_*
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR = Path(os.environ.get("BERTH_IMAGE_CACHE", "/var/cache/berth-test"))
BUSYBOX = Path(os.environ.get("BUSYBOX", "/bin/busybox"))
# Bump when the output of a builder changes, so stale caches are rebuilt:
# FORMAT_VERSION for the archives and the busybox rootfs, DEBIAN_VERSION for the
# debootstrap'd tree (a rebuild costs a minute or two).
FORMAT_VERSION = "4"
DEBIAN_VERSION = "1"

# 2024-01-01T00:00:00Z: every file and history entry carries this time.
EPOCH = 1704067200
CREATED = "2024-01-01T00:00:00Z"
ENV_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# What a correct loader leaves in the busybox image's final tree.
EXPECTED_REMOVED = ["/etc/motd-old", "/opt/old/a", "/opt/old/sub/b"]
EXPECTED_OPAQUE_DIR = "/opt/old"           # holds only EXPECTED_OPAQUE_CONTENT
EXPECTED_OPAQUE_CONTENT = ["new"]
EXPECTED_MARKER = "/etc/berth-image"       # its content names the top layer

DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("BERTH_DEBIAN_MIRROR", "http://deb.debian.org/debian")
DEBIAN_ROOTFS = CACHE_DIR / f"debian-{DEBIAN_SUITE}-minbase.tar"

PASSWD = b"""root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
"""
GROUP = b"""root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
"""


# ---------------------------------------------------------------- small tools

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _canonical_json(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


@contextlib.contextmanager
def _atomic_path(dest: Path):
    """Yields a temporary path next to `dest`; renames it over `dest` only when the
    block finishes without an exception, so readers never see half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def _cache_lock(name: str):
    """Serialises the builders of one cached file across processes (parallel
    pytest workers, a bench); one lock per file, so a long debootstrap does not
    hold up the busybox images."""
    import fcntl
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f".{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def _place(cached: Path, path) -> Path:
    """Puts a copy of a cached file at `path` (a hard link when it can: these are
    read-only inputs) and returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    try:
        os.link(cached, path)
    except OSError:
        shutil.copyfile(cached, path)
    return path


# ---------------------------------------------------------------- tar members

@dataclass
class Entry:
    """One tar member, described without touching the host filesystem."""
    name: str                    # relative, no leading "./" or "/"
    kind: str                    # "dir", "file", "symlink"
    data: bytes = b""
    target: str = ""
    mode: int = 0o755
    uid: int = 0
    gid: int = 0

    def add_to(self, tf: tarfile.TarFile):
        ti = tarfile.TarInfo(self.name + ("/" if self.kind == "dir" else ""))
        ti.mtime, ti.uid, ti.gid, ti.mode = EPOCH, self.uid, self.gid, self.mode
        ti.uname = ti.gname = ""
        if self.kind == "dir":
            ti.type = tarfile.DIRTYPE
            tf.addfile(ti)
        elif self.kind == "symlink":
            ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, self.target, 0o777
            tf.addfile(ti)
        else:
            ti.size = len(self.data)
            tf.addfile(ti, io.BytesIO(self.data))


def _dir(name, mode=0o755, uid=0, gid=0):
    return Entry(name, "dir", mode=mode, uid=uid, gid=gid)


def _file(name, data: bytes, mode=0o644):
    return Entry(name, "file", data=data, mode=mode)


def _symlink(name, target):
    return Entry(name, "symlink", target=target)


def tar_bytes(entries: list[Entry]) -> bytes:
    """A deterministic uncompressed tar (GNU format, like docker's layers)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for e in entries:
            e.add_to(tf)
    return buf.getvalue()


def _busybox_applets() -> list[str]:
    out = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, check=True, text=True).stdout
    return sorted({a for a in out.split() if a and a != "busybox"})


def _busybox_base() -> list[Entry]:
    return [
        _dir("bin"), _dir("dev"), _dir("etc"), _dir("home"), _dir("home/user", uid=1000, gid=1000),
        _dir("proc"), _dir("root", 0o700), _dir("sbin"), _dir("sys"), _dir("tmp", 0o1777),
        _dir("usr"), _dir("usr/bin"), _dir("usr/sbin"), _dir("var"), _dir("var/tmp", 0o1777),
        _file("bin/busybox", BUSYBOX.read_bytes(), 0o755),
        _file("etc/passwd", PASSWD), _file("etc/group", GROUP),
        _file("etc/hosts", b"127.0.0.1 localhost\n"),
    ]


def _busybox_key(*parts) -> str:
    h = hashlib.sha256(FORMAT_VERSION.encode())
    h.update(sha256_file(BUSYBOX).encode())
    for p in parts:
        h.update(repr(p).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- images

@dataclass
class Image:
    """An image before it is written in any format: uncompressed layer tars (as
    files, so a Debian-sized image need not sit in memory) and the config's
    non-layer part."""
    layers: list[Path]
    created_by: list[str]
    config: dict = field(default_factory=lambda: {"Env": [ENV_PATH], "Cmd": ["sh"]})
    diff_ids: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.diff_ids:
            self.diff_ids = ["sha256:" + sha256_file(p) for p in self.layers]

    def config_json(self) -> bytes:
        """The image config (image-spec config.json / docker's <id>.json)."""
        return _canonical_json({
            "architecture": "amd64",
            "os": "linux",
            "created": CREATED,
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": self.diff_ids},
            "history": [{"created": CREATED, "created_by": c} for c in self.created_by],
        })


def busybox_rootfs_tar() -> Path:
    """The busybox rootfs as one flat tarball (for `import` and as a bundle):
    /bin/busybox, a /bin symlink per applet, /etc/passwd, /etc/group, /etc/hosts,
    /tmp (1777), /root, /home/user (1000:1000) and the usual mount points."""
    dest = CACHE_DIR / f"busybox-rootfs-{_busybox_key()}.tar"
    with _cache_lock(dest.name):
        if not dest.exists():
            for stale in CACHE_DIR.glob("busybox-rootfs-*.tar"):
                stale.unlink()
            entries = _busybox_base() + [_symlink(f"bin/{a}", "busybox") for a in _busybox_applets()]
            with _atomic_path(dest) as tmp:
                tmp.write_bytes(tar_bytes(entries))
    return dest


def _busybox_layers(n: int) -> list[list[Entry]]:
    if n < 3:
        raise ValueError(f"the busybox image needs at least 3 layers (got {n}): base, applets, whiteouts")
    applets = _busybox_applets()
    base = _busybox_base() + [
        _file("etc/motd-old", b"removed by a whiteout in the top layer\n"),
        _dir("opt"), _dir("opt/old"), _file("opt/old/a", b"hidden by the opaque dir\n"), _dir("opt/old/sub"),
        _file("opt/old/sub/b", b"hidden by the opaque dir\n"),
    ]
    layers = [base]
    middle = n - 2
    for i in range(middle):
        chunk = applets[i * len(applets) // middle:(i + 1) * len(applets) // middle]
        layers.append([_dir("bin"), _dir("etc"), _file(f"etc/berth-layer-{i + 2}", f"layer {i + 2}\n".encode())]
                      + [_symlink(f"bin/{a}", "busybox") for a in chunk])
    layers.append([
        _dir("etc"), _file("etc/.wh.motd-old", b"", 0o600),
        _file(EXPECTED_MARKER.lstrip("/"), f"busybox top layer {n}\n".encode()),
        _dir("opt"), _dir("opt/old"), _file("opt/old/.wh..wh..opq", b"", 0o600),
        _file("opt/old/new", b"added above the opaque marker\n"),
    ])
    return layers


def _busybox_image(n: int, workdir: Path) -> Image:
    paths = []
    for i, entries in enumerate(_busybox_layers(n)):
        p = workdir / f"layer{i}.tar"
        p.write_bytes(tar_bytes(entries))
        paths.append(p)
    created_by = ["/bin/sh -c #(nop) ADD busybox rootfs in / "] + \
        [f"/bin/sh -c #(nop) ADD applets part {i} in /bin " for i in range(1, n - 1)] + \
        ["/bin/sh -c rm /etc/motd-old && rm -rf /opt/old && mkdir /opt/old && echo > /opt/old/new"]
    return Image(paths, created_by)


# ---------------------------------------------------------------- docker-archive

def _v1_ids(image: Image) -> list[str]:
    """Per-layer legacy ids: a chain hash of the config and the layers below,
    so each id is stable for the same image and differs between images."""
    ids, parent = [], ""
    cfg = hashlib.sha256(image.config_json()).hexdigest()
    for i, diff in enumerate(image.diff_ids):
        top = i == len(image.diff_ids) - 1
        parent = hashlib.sha256(f"{parent} {diff} {cfg if top else ''}".encode()).hexdigest()
        ids.append(parent)
    return ids


def _add_file(tf: tarfile.TarFile, name: str, src: Path):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = src.stat().st_size, EPOCH, 0o644
    with open(src, "rb") as fo:
        tf.addfile(ti, fo)


def write_docker_archive(image: Image, dest: Path, tags: list[str]):
    """Writes what docker 20.10's `docker save` writes (checked against it, see
    tests/integration/daemon/test_fixtures.py): entries sorted by name, as its
    directory walk yields them:
        <config hex>.json                      the image config
        <v1 id>/VERSION  "1.0"                 one directory per layer, bottom up
        <v1 id>/json     legacy v1 JSON (id, parent, created, config on the top one)
        <v1 id>/layer.tar
        manifest.json    [{"Config", "RepoTags", "Layers"}]
        repositories     {"repo": {"tag": "<top v1 id>"}}
    """
    config = image.config_json()
    config_hex = hashlib.sha256(config).hexdigest()
    ids = _v1_ids(image)
    members: dict[str, tuple] = {f"{config_hex}.json": ("bytes", config)}
    for i, (lid, layer) in enumerate(zip(ids, image.layers)):
        v1 = {"id": lid, "created": CREATED, "os": "linux"}
        if i:
            v1["parent"] = ids[i - 1]
        if i == len(ids) - 1:
            v1.update(architecture="amd64", config=image.config)
        else:
            v1["container_config"] = {"Cmd": None, "Env": None}
        members[f"{lid}/"] = ("dir",)
        members[f"{lid}/VERSION"] = ("bytes", b"1.0")
        members[f"{lid}/json"] = ("bytes", _canonical_json(v1))
        members[f"{lid}/layer.tar"] = ("file", layer)
    members["manifest.json"] = ("bytes", _canonical_json([{
        "Config": f"{config_hex}.json",
        "RepoTags": tags or None,
        "Layers": [f"{lid}/layer.tar" for lid in ids],
    }]))
    repos: dict[str, dict[str, str]] = {}
    for t in tags:
        repo, _, tag = t.rpartition(":") if ":" in t.rsplit("/", 1)[-1] else (t, "", "latest")
        repos.setdefault(repo, {})[tag] = ids[-1]
    if repos:
        members["repositories"] = ("bytes", _canonical_json(repos))
    with _atomic_path(dest) as tmp, tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tf:
        for name in sorted(members):
            kind, *val = members[name]
            if kind == "dir":
                _dir(name.rstrip("/")).add_to(tf)
            elif kind == "bytes":
                _file(name, val[0]).add_to(tf)
            else:
                _add_file(tf, name, val[0])


def busybox_docker_archive(path, tag: str = "busybox:latest", layers: int = 4) -> Path:
    """The busybox image (see the module doc) as a docker-archive at `path`."""
    key = _busybox_key("docker", tag, layers)
    cached = CACHE_DIR / f"busybox-docker-{key}.tar"
    with _cache_lock(cached.name):
        if not cached.exists():
            with tempfile.TemporaryDirectory(dir=CACHE_DIR) as w:
                write_docker_archive(_busybox_image(layers, Path(w)), cached, [tag])
    return _place(cached, path)


# ---------------------------------------------------------------- OCI layout

def _gzip_file(src: Path, dest: Path):
    # mtime=0 and no file name in the header: the same tar gives the same blob.
    with open(src, "rb") as fi, open(dest, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        shutil.copyfileobj(fi, gz, 1 << 20)


def write_oci_archive(image: Image, dest: Path, ref: str, workdir: Path):
    """An OCI image layout (image-spec v1.0 layout.md) in a tar: oci-layout,
    index.json, blobs/sha256/<hex>, gzip layers. index.json's manifest carries
    org.opencontainers.image.ref.name (the tag, as containerd's export writes
    it) and io.containerd.image.name (the full reference)."""
    blobs: dict[str, Path] = {}

    def blob(path: Path) -> tuple[str, int]:
        hexd = sha256_file(path)
        blobs[hexd] = path
        return "sha256:" + hexd, path.stat().st_size

    def blob_bytes(data: bytes, name: str) -> tuple[str, int]:
        p = workdir / name
        p.write_bytes(data)
        return blob(p)

    layer_descs = []
    for i, layer in enumerate(image.layers):
        gz = workdir / f"layer{i}.tar.gz"
        _gzip_file(layer, gz)
        dg, size = blob(gz)
        layer_descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": dg, "size": size})
    cdg, csize = blob_bytes(image.config_json(), "config.json")
    manifest = _canonical_json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdg, "size": csize},
        "layers": layer_descs,
    })
    mdg, msize = blob_bytes(manifest, "manifest.json")
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "latest")
    full = name if "/" in name else f"docker.io/library/{name}"
    index = _canonical_json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdg, "size": msize,
            "annotations": {"org.opencontainers.image.ref.name": tag,
                            "io.containerd.image.name": f"{full}:{tag}"},
        }],
    })
    with _atomic_path(dest) as tmp, tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tf:
        _dir("blobs").add_to(tf)
        _dir("blobs/sha256").add_to(tf)
        for hexd in sorted(blobs):
            _add_file(tf, f"blobs/sha256/{hexd}", blobs[hexd])
        _file("index.json", index).add_to(tf)
        _file("oci-layout", _canonical_json({"imageLayoutVersion": "1.0.0"})).add_to(tf)


def busybox_oci_archive(path, tag: str = "busybox:latest", layers: int = 4) -> Path:
    """The busybox image (same layers and config as busybox_docker_archive, so
    the same diff_ids and image id) as an OCI layout tar at `path`."""
    key = _busybox_key("oci", tag, layers)
    cached = CACHE_DIR / f"busybox-oci-{key}.tar"
    with _cache_lock(cached.name):
        if not cached.exists():
            with tempfile.TemporaryDirectory(dir=CACHE_DIR) as w:
                write_oci_archive(_busybox_image(layers, Path(w)), cached, tag, Path(w))
    return _place(cached, path)


def busybox_image_id(layers: int = 4) -> str:
    """sha256:<hex> of the busybox image's config: the id a loader must report."""
    with tempfile.TemporaryDirectory() as w:
        return "sha256:" + hashlib.sha256(_busybox_image(layers, Path(w)).config_json()).hexdigest()


# ---------------------------------------------------------------- Debian

# Left out of the rootfs tarball: device nodes (a runtime makes /dev), the
# downloaded .debs and package lists (as Debian's official images do).
_DEBIAN_EXCLUDES = ["./dev/*", "./proc/*", "./sys/*", "./run/*", "./var/cache/apt/archives/*.deb",
                    "./var/cache/apt/*.bin", "./var/lib/apt/lists/*", "./debootstrap"]


def debian_rootfs_tar() -> Path:
    """A Debian 12 (bookworm) minbase rootfs tarball, debootstrap'd once from the
    configured apt mirror (BERTH_DEBIAN_MIRROR, default deb.debian.org, which
    this machine's resolver points at a local mirror) into
    CACHE_DIR/debian-bookworm-minbase.tar (about 130 MB, ~6000 entries,
    hard links included). A sidecar .stamp records DEBIAN_VERSION and the mirror."""
    stamp = DEBIAN_ROOTFS.with_suffix(".stamp")
    want = f"{DEBIAN_VERSION} {DEBIAN_SUITE} minbase {DEBIAN_MIRROR}\n"
    with _cache_lock(DEBIAN_ROOTFS.name):
        if DEBIAN_ROOTFS.exists() and stamp.exists() and stamp.read_text() == want:
            return DEBIAN_ROOTFS
        with tempfile.TemporaryDirectory(prefix="debootstrap-", dir="/var/tmp") as w:
            root = Path(w) / "root"
            r = subprocess.run(["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(root), DEBIAN_MIRROR],
                               capture_output=True, text=True, timeout=1200)
            if r.returncode != 0:
                log = root / "debootstrap" / "debootstrap.log"
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise RuntimeError(f"debootstrap {DEBIAN_SUITE} from {DEBIAN_MIRROR} failed "
                                   f"({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}\n{tail}")
            with _atomic_path(DEBIAN_ROOTFS) as tmp:
                subprocess.run(["tar", "--sort=name", "--numeric-owner", "--xattrs", "--xattrs-include=*",
                                *[f"--exclude={e}" for e in _DEBIAN_EXCLUDES],
                                "-C", str(root), "-cf", str(tmp), "."], check=True, timeout=600)
        stamp.write_text(want)
    return DEBIAN_ROOTFS


def _strip(name: str) -> str:
    name = name[2:] if name.startswith("./") else name.lstrip("/")
    return name.rstrip("/")


def split_rootfs(rootfs: Path, k: int, workdir: Path) -> list[Path]:
    """Splits a rootfs tarball into `k` layer tars by subtree, as evenly as
    subtrees allow: a directory bigger than a (2k)th of the whole is split into
    its children, recursively; the resulting units are dealt out biggest first
    to the lightest layer. Each layer repeats the directory entries above what
    it holds (as a real layer does), and a hard link goes with its target."""
    with tarfile.open(rootfs) as tf:
        members = [m for m in tf.getmembers() if _strip(m.name)]
    by_name = {_strip(m.name): m for m in members}

    subtree: dict[str, int] = {}
    for m in members:
        parts = _strip(m.name).split("/")
        for depth in range(1, len(parts) + 1):
            p = "/".join(parts[:depth])
            subtree[p] = subtree.get(p, 0) + m.size + 512
    target = sum(m.size + 512 for m in members) // (2 * k)

    def unit(name: str) -> str:
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            p = "/".join(parts[:depth])
            if subtree[p] <= target:
                return p
        return name

    sizes: dict[str, int] = {}
    for m in members:
        u = unit(_strip(m.name))
        sizes[u] = sizes.get(u, 0) + m.size + 512
    load = [0] * k
    layer_of_unit = {}
    for u in sorted(sizes, key=lambda u: (-sizes[u], u)):
        i = min(range(k), key=lambda j: (load[j], j))
        layer_of_unit[u] = i
        load[i] += sizes[u]

    def layer_of(m: tarfile.TarInfo) -> int:
        if m.islnk():
            return layer_of(by_name[_strip(m.linkname)])
        return layer_of_unit[unit(_strip(m.name))]

    paths = [workdir / f"layer{i}.tar" for i in range(k)]
    outs = [tarfile.open(p, "w", format=tarfile.PAX_FORMAT) for p in paths]
    dirs_in = [set() for _ in range(k)]
    try:
        with tarfile.open(rootfs) as tf:
            for m in tf:
                name = _strip(m.name)
                if not name:
                    continue
                i = layer_of(m)
                parts = name.split("/")
                for depth in range(1, len(parts)):
                    parent = "/".join(parts[:depth])
                    if parent not in dirs_in[i] and parent in by_name:
                        dirs_in[i].add(parent)
                        pm = by_name[parent]
                        pm_copy = tarfile.TarInfo(parent + "/")
                        for a in ("mode", "uid", "gid", "mtime", "uname", "gname", "pax_headers"):
                            setattr(pm_copy, a, getattr(pm, a))
                        pm_copy.type = tarfile.DIRTYPE
                        outs[i].addfile(pm_copy)
                if m.isdir():
                    if name in dirs_in[i]:
                        continue
                    dirs_in[i].add(name)
                m.name = name + ("/" if m.isdir() else "")
                if m.islnk():
                    m.linkname = _strip(m.linkname)
                outs[i].addfile(m, tf.extractfile(m) if m.isreg() else None)
    finally:
        for o in outs:
            o.close()
    return paths


DEBIAN_TAG = "berth-bench/debian:bookworm"


def debian_docker_archive(path, layers: int = 8, tag: str = DEBIAN_TAG) -> Path:
    """The Debian rootfs split into `layers` layers (split_rootfs) as a
    docker-archive at `path`; cached per layer count."""
    rootfs = debian_rootfs_tar()
    key = hashlib.sha256(f"{FORMAT_VERSION} {rootfs.stat().st_size} {rootfs.stat().st_mtime_ns} "
                         f"{layers} {tag}".encode()).hexdigest()[:16]
    cached = CACHE_DIR / f"debian-docker-{layers}-{key}.tar"
    with _cache_lock(cached.name):
        if not cached.exists():
            for old in CACHE_DIR.glob("debian-docker-*.tar"):
                if old.stat().st_mtime < rootfs.stat().st_mtime:
                    old.unlink()  # made from an older rootfs
            with tempfile.TemporaryDirectory(dir=CACHE_DIR) as w:
                paths = split_rootfs(rootfs, layers, Path(w))
                image = Image(paths, [f"/bin/sh -c #(nop) ADD debian rootfs part {i} in / "
                                      for i in range(layers)], {"Env": [ENV_PATH], "Cmd": ["bash"]})
                write_docker_archive(image, cached, [tag])
    return _place(cached, path)
