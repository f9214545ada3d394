"""Pull, push and login against a real registry (Debian's docker-registry on
127.0.0.1), with the real docker (CLI, dockerd, docker-py) on the other side."""

from __future__ import annotations

import json

import pytest

import images
from berthd import Berthd
from flaky_proxy import FlakyProxy
from forward_proxy import ForwardProxy
from registry import ALIAS, Registry, free_port
from token_server import TokenServer


@pytest.fixture
def registry(tmp_path):
    with Registry(tmp_path / "registry") as reg:
        yield reg


@pytest.fixture
def auth_registry(tmp_path):
    with Registry(tmp_path / "auth-registry", users={"alice": "s3cret"}) as reg:
        yield reg


@pytest.fixture
def token_registry(tmp_path):
    """A registry whose tokens come from token_server.py: alice may pull and push."""
    ts = TokenServer(tmp_path / "tokens", users={"alice": "s3cret"}).start()
    try:
        with Registry(tmp_path / "token-registry", token=ts) as reg:
            yield reg, ts
    finally:
        ts.stop()


@pytest.fixture
def other_berthd():
    """A second, empty berthd: what a pull lands in."""
    d = Berthd().start()
    yield d
    problems = d.stop()
    assert not problems, "second berthd teardown:\n  " + "\n  ".join(problems)


def image_id(daemon, name) -> str:
    return daemon.cli("image", "inspect", "-f", "{{.Id}}", name).ok().stdout.strip()


def pushed(berthd, registry, tmp_path, repo="bb", tag="1") -> str:
    """busybox loaded into `berthd` and pushed as <registry>/<repo>:<tag>; returns the name."""
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    name = f"{registry.host}/{repo}:{tag}"
    berthd.cli("tag", "busybox:latest", name).ok()
    berthd.cli("push", name).ok()
    return name


def messages(resp) -> list[dict]:
    return [json.loads(line) for line in resp.body.decode().splitlines() if line.strip()]


def test_push_prints_the_manifest_digest_and_size(berthd, registry, tmp_path):
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    berthd.cli("tag", "busybox:latest", f"{registry.host}/bb:1").ok()
    r = berthd.cli("push", f"{registry.host}/bb:1").ok()
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("1: digest: sha256:") and " size: " in last, r.describe()
    digest = last.split()[2]
    manifest = registry.manifest("bb", "1")
    assert len(manifest["layers"]) == 4, f"the registry's manifest should list 4 layers: {manifest}"
    assert f"{registry.host}/bb@{digest}" in berthd.py.images.get(f"{registry.host}/bb:1").attrs["RepoDigests"]


def test_second_push_finds_every_layer_already_there(berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    r = berthd.cli("push", name).ok()
    assert r.stdout.count("Layer already exists") == 4, r.describe()


def test_push_then_pull_into_a_fresh_berthd_gives_the_same_image(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    r = other_berthd.cli("pull", name).ok()
    assert r.stdout.strip().splitlines()[-1] == name, "pull ends with the full name\n" + r.describe()
    assert f"Status: Downloaded newer image for {name}" in r.stdout, r.describe()
    assert image_id(other_berthd, name) == image_id(berthd, name)
    digests = other_berthd.py.images.get(name).attrs["RepoDigests"]
    assert len(digests) == 1 and digests[0].startswith(f"{registry.host}/bb@sha256:"), digests
    # The pulled image is whole: its files are there.
    inspect = json.loads(other_berthd.cli("image", "inspect", name).ok().stdout)
    assert inspect[0]["RootFS"]["Layers"] == json.loads(berthd.cli("image", "inspect", name).ok().stdout)[0]["RootFS"]["Layers"]


def test_pull_by_digest_records_no_tag(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    digest = berthd.py.images.get(name).attrs["RepoDigests"][0]
    other_berthd.cli("pull", digest).ok()
    attrs = other_berthd.py.images.get(digest).attrs
    assert attrs["RepoTags"] == [] and attrs["RepoDigests"] == [digest], attrs


def test_pull_again_is_up_to_date_and_skips_layers(berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    berthd.cli("rmi", "busybox:latest").ok()
    r = berthd.cli("pull", name).ok()
    assert r.stdout.count("Already exists") == 4, r.describe()
    assert f"Status: Image is up to date for {name}" in r.stdout, r.describe()


def test_pull_progress_stream_has_dockers_messages(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    resp = other_berthd.api("POST", f"/v1.41/images/create?fromImage={registry.host}/bb&tag=1", timeout=60)
    assert resp.status == 200, resp
    msgs = messages(resp)
    assert msgs[0] == {"status": "Pulling from bb", "id": "1"}, msgs[0]
    statuses = [m.get("status", "") for m in msgs]
    assert statuses.count("Pulling fs layer") == 4 and statuses.count("Pull complete") == 4, statuses
    downloading = [m for m in msgs if m.get("status") == "Downloading"]
    assert downloading and all(m["progressDetail"]["current"] <= m["progressDetail"]["total"] for m in downloading), downloading
    assert statuses[-2].startswith("Digest: sha256:"), statuses
    assert statuses[-1] == f"Status: Downloaded newer image for {name}", statuses


def test_distribution_inspect_describes_the_manifest_without_pulling(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    data = other_berthd.py.images.get_registry_data(name)
    digest = berthd.py.images.get(name).attrs["RepoDigests"][0].split("@")[1]
    assert data.id == digest, data.attrs
    assert data.attrs["Descriptor"]["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert data.attrs["Platforms"] == [{"architecture": "amd64", "os": "linux"}], data.attrs
    assert other_berthd.cli("images", "-q").ok().stdout == "", "nothing is pulled"


def test_pull_of_a_missing_tag_is_a_404_naming_it(berthd, other_berthd, registry, tmp_path):
    pushed(berthd, registry, tmp_path)
    r = other_berthd.cli("pull", f"{registry.host}/bb:nope").failed()
    assert f"manifest for {registry.host}/bb:nope not found" in r.stderr, r.describe()
    resp = other_berthd.api("POST", f"/v1.41/images/create?fromImage={registry.host}/bb&tag=nope")
    assert resp.status == 404, resp


def test_docker_cli_and_docker_py_pull_through_berthd(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    r = other_berthd.docker("pull", name).ok()
    assert "Pull complete" in r.stdout, r.describe()
    other_berthd.cli("rmi", name).ok()
    img = other_berthd.py.images.pull(f"{registry.host}/bb", tag="1")
    assert img.id == image_id(berthd, name)


def test_dockerd_pulls_what_berth_pushed(dockerd, berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    dockerd.docker("pull", name).ok()
    try:
        assert dockerd.docker("image", "inspect", "-f", "{{.Id}}", name).ok().stdout.strip() == image_id(berthd, name)
        r = dockerd.docker("run", "--rm", "--network", "none", name, "echo", "ran")
        assert r.stdout == "ran\n", r.describe()
    finally:
        dockerd.docker("rmi", "-f", name)


def test_berth_pulls_what_dockerd_pushed(dockerd, berthd, registry, tmp_path):
    dockerd.docker("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    name = f"{registry.host}/from-docker:2"
    dockerd.docker("tag", "busybox:latest", name).ok()
    try:
        dockerd.docker("push", name).ok()
        want = dockerd.docker("image", "inspect", "-f", "{{.Id}}", name).ok().stdout.strip()
    finally:
        dockerd.docker("rmi", "-f", name, "busybox:latest")
    berthd.cli("pull", name).ok()
    assert image_id(berthd, name) == want


def test_login_with_a_wrong_password_fails_and_stores_nothing(berthd, auth_registry):
    r = berthd.cli("login", "-u", "alice", "--password-stdin", auth_registry.host, input="wrong\n").failed()
    assert "unauthorized" in r.stderr, r.describe()
    config = berthd.base / "berth-cli" / "config.json"
    assert not config.exists() or auth_registry.host not in config.read_text(), config.read_text()


def test_auth_endpoint_answers_401_for_a_wrong_password(berthd, auth_registry):
    resp = berthd.api("POST", "/v1.41/auth", {"username": "alice", "password": "nope",
                                              "serveraddress": auth_registry.host})
    assert resp.status == 401, resp
    ok = berthd.api("POST", "/v1.41/auth", {"username": "alice", "password": "s3cret",
                                            "serveraddress": auth_registry.host})
    assert ok.status == 200 and ok.json()["Status"] == "Login Succeeded", ok


def test_push_without_login_is_refused_then_works_after_login(berthd, other_berthd, auth_registry, tmp_path):
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    name = f"{auth_registry.host}/private:1"
    berthd.cli("tag", "busybox:latest", name).ok()
    r = berthd.cli("push", name).failed()
    assert "unauthorized" in r.stderr, r.describe()
    r = berthd.cli("login", "-u", "alice", "--password-stdin", auth_registry.host, input="s3cret\n").ok()
    assert r.stdout == "Login Succeeded\n", r.describe()
    stored = json.loads((berthd.base / "berth-cli" / "config.json").read_text())
    assert auth_registry.host in stored["auths"], stored
    berthd.cli("push", name).ok()
    # Anonymous pull is refused; docker login credentials (DOCKER_CONFIG) also serve berth.
    assert "unauthorized" in other_berthd.cli("pull", name).failed().stderr
    docker_cfg = other_berthd.base / "docker-cli"
    docker_cfg.mkdir(parents=True, exist_ok=True)
    (docker_cfg / "config.json").write_text(json.dumps({"auths": {auth_registry.host: stored["auths"][auth_registry.host]}}))
    other_berthd.cli("pull", name).ok()
    r = berthd.cli("logout", auth_registry.host).ok()
    assert r.stdout == f"Removing login credentials for {auth_registry.host}\n", r.describe()


def test_a_connection_dropped_mid_layer_is_retried(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    with FlakyProxy(registry.host) as proxy:
        via = name.replace(registry.host, proxy.host)
        r = other_berthd.cli("pull", via).ok()
        assert len(proxy.cut) == 5, f"the config's and every layer's first download should be cut: {proxy.cut}"
    assert "Retrying in 1 second" in r.stdout, r.describe()
    assert image_id(other_berthd, via) == image_id(berthd, name)


def test_a_failed_pull_resumes_without_fetching_the_layers_it_completed(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    manifest = registry.manifest("bb", "1")
    layers = [layer["digest"] for layer in manifest["layers"]]
    # Large enough to be cut mid-body; its 3 attempts (1 s and 2 s apart) outlast
    # the small others, which all complete.
    broken = max(manifest["layers"], key=lambda layer: layer["size"])["digest"]
    with FlakyProxy(registry.host, should_cut=lambda path, seen: path.endswith(broken)) as proxy:
        via = name.replace(registry.host, proxy.host)
        r = other_berthd.cli("pull", via).failed()
        assert broken in r.stderr, "the error names the layer that kept breaking\n" + r.describe()
        assert other_berthd.cli("images", "-q").ok().stdout == "", "a failed pull tags nothing"
        first = [g for g in proxy.gets if "/blobs/" + broken not in g and any(g.endswith(d) for d in layers)]
        assert sorted(first) == sorted(f"/v2/bb/blobs/{d}" for d in layers if d != broken), proxy.gets
        proxy.should_cut = lambda path, seen: False
        before = len(proxy.gets)
        other_berthd.cli("pull", via).ok()
        again = [g for g in proxy.gets[before:] if any(g.endswith(d) for d in layers)]
        assert again == [f"/v2/bb/blobs/{broken}"], f"the retry should fetch only the missing layer: {again}"
    assert image_id(other_berthd, via) == image_id(berthd, name)
    inspect = json.loads(other_berthd.cli("image", "inspect", via).ok().stdout)[0]
    assert len(inspect["RootFS"]["Layers"]) == 4, inspect["RootFS"]


def berthd_with(tmp_path, name, config: dict, env: dict | None = None) -> Berthd:
    cfg = tmp_path / f"{name}-daemon.json"
    cfg.write_text(json.dumps(config))
    d = Berthd(extra_args=("--config-file", str(cfg)))
    d.env.update(env or {})
    return d.start()


def test_registry_mirrors_serve_docker_hub_pulls_in_order(berthd, registry, tmp_path):
    # No internet here: Docker Hub fails, so only a mirror can serve the pull.
    pushed(berthd, registry, tmp_path, repo="library/mirrored", tag="1")
    dead = f"http://127.0.0.1:{free_port()}"
    d = berthd_with(tmp_path, "mirrored", {"registry-mirrors": [dead, f"http://{registry.host}"]})
    try:
        r = d.cli("pull", "mirrored:1").ok()
        assert "Status: Downloaded newer image for mirrored:1" in r.stdout, r.describe()
        assert image_id(d, "mirrored:1") == image_id(berthd, f"{registry.host}/library/mirrored:1")
        r = d.cli("pull", "absent:1").failed()
        assert "registry-1.docker.io" in r.stderr, "with no mirror holding it, Docker Hub's error is the pull's\n" + r.describe()
    finally:
        problems = d.stop()
    assert not problems, problems


def test_http_proxy_carries_plain_http_registry_requests(berthd, registry, tmp_path):
    pushed(berthd, registry, tmp_path)
    alias = f"{ALIAS}:{registry.port}"
    with ForwardProxy(registry.host) as proxy:
        d = berthd_with(tmp_path, "proxied", {"insecure-registries": [alias]},
                        {"HTTP_PROXY": proxy.url, "NO_PROXY": "elsewhere.test"})
        try:
            d.cli("pull", f"{alias}/bb:1").ok()
            assert image_id(d, f"{alias}/bb:1") == image_id(berthd, f"{registry.host}/bb:1")
        finally:
            problems = d.stop()
    assert not problems, problems
    assert proxy.requests and all(m == "GET" and t.startswith(f"http://{alias}/v2/") for m, t in proxy.requests), \
        proxy.requests


def _store_is_empty(daemon):
    assert daemon.cli("images", "-q").ok().stdout == "", "nothing may be left after a failed pull"
    staging = daemon.data_root / "image" / "staging"
    assert not staging.exists() or not any(staging.iterdir()), list(staging.iterdir())


def test_a_layer_altered_in_the_registry_is_a_digest_mismatch_and_nothing_is_kept(
        berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    layer = registry.manifest("bb", "1")["layers"][1]["digest"]
    blob = registry.blob_file(layer)
    data = bytearray(blob.read_bytes())
    # gzip's MTIME field (RFC 1952 §2.3.1): the layer still unpacks to the same
    # files, so only the digest check can catch the change.
    data[4] ^= 0xFF
    blob.write_bytes(bytes(data))
    r = other_berthd.cli("pull", name).failed()
    assert "digest mismatch" in r.stderr and layer in r.stderr, r.describe()
    _store_is_empty(other_berthd)


def test_a_corrupt_layer_fails_the_pull_and_nothing_is_kept(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    layer = registry.manifest("bb", "1")["layers"][0]["digest"]
    blob = registry.blob_file(layer)
    data = bytearray(blob.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0x55
    blob.write_bytes(bytes(data))
    r = other_berthd.cli("pull", name).failed()
    assert layer in r.stderr, "the error names the layer\n" + r.describe()
    _store_is_empty(other_berthd)


def test_bearer_tokens_are_asked_for_the_repository_scope(berthd, other_berthd, token_registry, tmp_path):
    reg, tokens = token_registry
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    name = f"{reg.host}/team/app:1"
    berthd.cli("tag", "busybox:latest", name).ok()
    r = berthd.cli("push", name).failed()
    assert "unauthorized" in r.stderr, "an anonymous token grants nothing\n" + r.describe()
    berthd.cli("login", "-u", "alice", "--password-stdin", reg.host, input="s3cret\n").ok()
    berthd.cli("push", name).ok()
    assert {"user": "alice", "scopes": ["repository:team/app:pull,push"], "service": "berth-test-registry"} \
        in tokens.requests, tokens.requests
    other_berthd.cli("login", "-u", "alice", "--password-stdin", reg.host, input="s3cret\n").ok()
    other_berthd.cli("pull", name).ok()
    assert tokens.requests[-1]["scopes"] == ["repository:team/app:pull"], tokens.requests
    assert image_id(other_berthd, name) == image_id(berthd, name)


def test_bearer_login_with_a_wrong_password_is_refused(berthd, token_registry):
    reg, tokens = token_registry
    r = berthd.cli("login", "-u", "alice", "--password-stdin", reg.host, input="nope\n").failed()
    assert "unauthorized" in r.stderr and "incorrect username or password" in r.stderr, r.describe()


@pytest.fixture
def tls_registry(tmp_path):
    with Registry(tmp_path / "tls-registry", tls=True) as reg:
        yield reg


def berthd_trusting(reg, tmp_path, name) -> Berthd:
    """A berthd whose certs.d has `reg`'s CA (daemon.json registry-certs-dir)."""
    certs = tmp_path / f"{name}-certs.d"
    (certs / reg.host).mkdir(parents=True)
    (certs / reg.host / "ca.crt").write_bytes(reg.ca_path.read_bytes())
    cfg = tmp_path / f"{name}-daemon.json"
    cfg.write_text(json.dumps({"registry-certs-dir": str(certs)}))
    return Berthd(extra_args=("--config-file", str(cfg))).start()


def test_https_registry_with_a_ca_from_certs_d(tls_registry, tmp_path):
    pusher = berthd_trusting(tls_registry, tmp_path, "pusher")
    puller = berthd_trusting(tls_registry, tmp_path, "puller")
    try:
        name = pushed(pusher, tls_registry, tmp_path)
        puller.cli("pull", name).ok()
        assert image_id(puller, name) == image_id(pusher, name)
    finally:
        problems = pusher.stop() + puller.stop()
    assert not problems, problems


def test_https_registry_whose_certificate_another_ca_signed_is_refused(tls_registry, tmp_path):
    stranger = Registry(tmp_path / "stranger", tls=True)
    stranger.base.mkdir(parents=True)
    stranger._make_certificates()  # a CA that did not sign tls_registry's certificate
    fooled = Registry(tmp_path / "fooled")
    fooled.host, fooled.ca_path = tls_registry.host, stranger.ca_path
    d = berthd_trusting(fooled, tmp_path, "fooled")
    try:
        r = d.cli("pull", f"{tls_registry.host}/bb:1").failed()
        assert "certificate" in r.stderr, "the error must say the certificate was refused\n" + r.describe()
        assert d.cli("images", "-q").ok().stdout == ""
    finally:
        problems = d.stop()
    assert not problems, problems


def test_https_proxy_tunnels_to_a_tls_registry_with_connect(tls_registry, tmp_path):
    pusher = berthd_trusting(tls_registry, tmp_path, "pusher")
    try:
        name = pushed(pusher, tls_registry, tmp_path)
        want = image_id(pusher, name)
    finally:
        problems = pusher.stop()
    alias = f"{ALIAS}:{tls_registry.port}"
    certs = tmp_path / "tunnel-certs.d"
    (certs / alias).mkdir(parents=True)
    (certs / alias / "ca.crt").write_bytes(tls_registry.ca_path.read_bytes())
    with ForwardProxy(tls_registry.host) as proxy:
        d = berthd_with(tmp_path, "tunnel", {"registry-certs-dir": str(certs)}, {"HTTPS_PROXY": proxy.url})
        try:
            d.cli("pull", f"{alias}/bb:1").ok()
            assert image_id(d, f"{alias}/bb:1") == want
        finally:
            problems += d.stop()
    assert not problems, problems
    assert proxy.requests and all(r == ("CONNECT", alias) for r in proxy.requests), proxy.requests


# ------------------------------------------------------------------ push: chunks, mounts, tags

def big_layer_image(berthd, tmp_path, name, mib=20) -> None:
    """An image of one layer holding `mib` MiB of random bytes (gzip cannot shrink
    them, so the pushed blob stays that large), imported as `name`."""
    import io
    import os
    import tarfile
    tar_path = tmp_path / "big.tar"
    with tarfile.open(tar_path, "w") as tf:
        data = os.urandom(mib << 20)
        info = tarfile.TarInfo("random.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    berthd.cli("import", str(tar_path), name, timeout=120).ok()


def test_a_layer_over_16_mib_is_uploaded_in_patch_chunks(berthd, registry, tmp_path):
    with FlakyProxy(registry.host, cut=False) as proxy:
        name = f"{proxy.host}/big:1"
        big_layer_image(berthd, tmp_path, name)
        r = berthd.cli("push", name, timeout=120).ok()
        patches = [line for line in proxy.requests if line.startswith("PATCH /v2/big/blobs/uploads/")]
        puts = [line for line in proxy.requests if line.startswith("PUT /v2/big/blobs/uploads/")]
    assert len(patches) == 2, f"20 MiB in 16 MiB chunks is two PATCHes: {proxy.requests}"
    assert len(puts) == 2, f"one closing PUT for the layer, one PUT with the config: {proxy.requests}"
    assert "Pushed" in r.stdout, r.describe()
    manifest = registry.manifest("big", "1")
    size = manifest["layers"][0]["size"]
    assert size > 20 << 20, manifest
    blob = registry.blob_file(manifest["layers"][0]["digest"])
    assert blob.stat().st_size == size, "the registry assembled the whole blob from the chunks"


def test_a_second_repository_push_mounts_the_layers(berthd, other_berthd, registry, tmp_path):
    with FlakyProxy(registry.host, cut=False) as proxy:
        first = pushed(berthd, proxy, tmp_path, repo="bb", tag="1")
        berthd.cli("tag", first, f"{proxy.host}/other:1").ok()
        before = len(proxy.requests)
        r = berthd.cli("push", f"{proxy.host}/other:1").ok()
        sent = proxy.requests[before:]
    assert r.stdout.count("Mounted from bb") == 4, r.describe()
    mounts = [line for line in sent if line.startswith("POST /v2/other/blobs/uploads/?mount=sha256")]
    assert len(mounts) == 4 and all("&from=bb " in m for m in mounts), sent
    uploads = [line for line in sent if line.startswith(("PUT /v2/other/blobs/", "PATCH "))]
    assert len(uploads) == 1, f"only the config is uploaded, no layer: {sent}"
    # What another daemon pulled from one repository it mounts when pushing to another.
    other_berthd.cli("pull", f"{registry.host}/bb:1").ok()
    other_berthd.cli("tag", f"{registry.host}/bb:1", f"{registry.host}/third:1").ok()
    r = other_berthd.cli("push", f"{registry.host}/third:1").ok()
    assert r.stdout.count("Mounted from bb") == 4, r.describe()
    assert registry.manifest("third", "1")["layers"] == registry.manifest("bb", "1")["layers"]


def test_push_without_a_tag_pushes_latest_and_all_tags_pushes_every_tag(berthd, registry, tmp_path):
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    repo = f"{registry.host}/multi"
    for tag in ("1", "2", "latest"):
        berthd.cli("tag", "busybox:latest", f"{repo}:{tag}").ok()
    r = berthd.cli("push", repo).ok()
    assert r.stdout.startswith("Using default tag: latest\n"), r.describe()
    assert "latest: digest: sha256:" in r.stdout and "1: digest:" not in r.stdout, r.describe()
    r = berthd.cli("push", "--all-tags", repo).ok()
    for tag in ("1", "2", "latest"):
        assert f"\n{tag}: digest: sha256:" in r.stdout, r.describe()
        assert registry.manifest("multi", tag)["layers"], tag
    assert r.stdout.count("The push refers to repository") == 1, r.describe()
    assert "tag can't be used with --all-tags/-a" in berthd.cli("push", "-a", f"{repo}:1").failed().stderr


def test_docker_cli_all_tags_push_through_berthd(berthd, registry, tmp_path):
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    repo = f"{registry.host}/viadocker"
    for tag in ("a", "b"):
        berthd.cli("tag", "busybox:latest", f"{repo}:{tag}").ok()
    r = berthd.docker("push", "--all-tags", repo).ok()
    assert "a: digest: sha256:" in r.stdout and "b: digest: sha256:" in r.stdout, r.describe()
    r = berthd.docker("push", f"{repo}:nope").failed()
    assert "tag does not exist: " + f"{repo}:nope" in r.stderr, r.describe()
    r = berthd.docker("push", f"{registry.host}/nothing").failed()
    assert f"An image does not exist locally with the tag: {registry.host}/nothing" in r.stderr, r.describe()


# ------------------------------------------------------------------ progress on a terminal

def run_on_pty(argv, env, columns=160, timeout=60) -> tuple[int, str]:
    """Runs `argv` with stdout and stderr on a pseudo-terminal `columns` wide;
    returns its exit code and everything it wrote."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios
    import time
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not chunk:
                break
            out += chunk
        code = proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, out.decode(errors="replace")


def test_pull_on_a_terminal_draws_progress_bars_in_place(berthd, other_berthd, registry, tmp_path):
    from berthd import BERTH
    name = f"{registry.host}/big:1"
    big_layer_image(berthd, tmp_path, name, mib=4)
    berthd.cli("push", name, timeout=120).ok()
    code, out = run_on_pty([BERTH, "-H", other_berthd.host, "pull", name], other_berthd.env)
    assert code == 0, out
    assert "\x1b[2K\r" in out and "\x1b[1A" in out and "\x1b[1B" in out, \
        f"lines are rewritten in place with ANSI cursor moves: {out!r}"
    assert "Downloading [==" in out and "MB/4.19" in out, f"a bar with MB counts (4 MiB layer): {out!r}"
    assert "Pull complete" in out and out.rstrip().endswith(name), out


def test_pull_off_a_terminal_prints_plain_lines_and_quiet_only_the_name(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    r = other_berthd.cli("pull", name).ok()
    assert "\x1b[" not in r.stdout and "Downloading" not in r.stdout, r.describe()
    other_berthd.cli("rmi", name).ok()
    r = other_berthd.cli("pull", "-q", name).ok()
    assert r.stdout == name + "\n", r.describe()


# ------------------------------------------------------------------ mutual TLS (certs.d client certificates)

@pytest.fixture
def mtls_registry(tmp_path):
    with Registry(tmp_path / "mtls-registry", tls=True, client_certs=True) as reg:
        yield reg


def test_registry_requiring_client_certificates_takes_the_one_in_certs_d(mtls_registry, tmp_path):
    reg = mtls_registry
    with_cert = berthd_trusting(reg, tmp_path, "with-cert")
    reg.client_certificate(tmp_path / "with-cert-certs.d" / reg.host / "client.cert",
                           tmp_path / "with-cert-certs.d" / reg.host / "client.key")
    without = berthd_trusting(reg, tmp_path, "without")
    try:
        name = pushed(with_cert, reg, tmp_path)
        r = without.cli("pull", name, timeout=120).failed()
        assert "refused the client certificate" in r.stderr, "the refusal names the certificate\n" + r.describe()
        with_cert.cli("rmi", name).ok()
        with_cert.cli("pull", name).ok()
    finally:
        problems = with_cert.stop() + without.stop()
    assert not problems, problems


def test_a_client_certificate_without_its_key_is_an_error_naming_the_key(mtls_registry, tmp_path):
    reg = mtls_registry
    d = berthd_trusting(reg, tmp_path, "nokey")
    certs = tmp_path / "nokey-certs.d" / reg.host
    reg.client_certificate(certs / "client.cert", tmp_path / "elsewhere.key")
    try:
        r = d.cli("pull", f"{reg.host}/bb:1").failed()
        assert str(certs / "client.key") in r.stderr, r.describe()
    finally:
        problems = d.stop()
    assert not problems, problems


# ------------------------------------------------------------------ X-Registry-Auth and /auth, as dockerd answers

def test_an_undecodable_x_registry_auth_is_taken_as_anonymous(berthd, other_berthd, registry, tmp_path):
    name = pushed(berthd, registry, tmp_path)
    resp = other_berthd.api("POST", f"/v1.41/images/create?fromImage={registry.host}/bb&tag=1",
                            headers={"X-Registry-Auth": "!!!not base64"}, timeout=60)
    assert resp.status == 200 and "error" not in resp.body.decode(), \
        f"dockerd ignores a header it cannot decode; the anonymous pull works: {resp}"
    assert image_id(other_berthd, name) == image_id(berthd, name)


def test_pushing_what_is_not_there_is_an_error_in_the_stream(berthd, registry):
    resp = berthd.api("POST", f"/v1.41/images/{registry.host}/nothing/push?tag=1")
    assert resp.status == 200, f"dockerd starts the stream, then reports the error: {resp}"
    msgs = messages(resp)
    assert msgs[0] == {"status": f"The push refers to repository [{registry.host}/nothing]"}, msgs
    assert msgs[-1]["error"] == f"An image does not exist locally with the tag: {registry.host}/nothing", msgs


def test_a_mount_source_the_token_does_not_cover_falls_back_to_uploading(berthd, token_registry, tmp_path):
    reg, tokens = token_registry
    berthd.cli("login", "-u", "alice", "--password-stdin", reg.host, input="s3cret\n").ok()
    first = pushed(berthd, reg, tmp_path, repo="team/a", tag="1")
    berthd.cli("tag", first, f"{reg.host}/team/b:1").ok()
    tokens.denied.add("team/a")
    r = berthd.cli("push", f"{reg.host}/team/b:1").ok()
    assert any(q["scopes"] == ["repository:team/b:pull,push", "repository:team/a:pull"] for q in tokens.requests), \
        f"the token is asked with pull access to the mount source: {tokens.requests}"
    assert r.stdout.count("Pushed") == 4 and "Mounted" not in r.stdout, r.describe()


def test_an_upload_dropped_mid_layer_is_retried_in_a_new_session(berthd, other_berthd, registry, tmp_path):
    berthd.cli("load", "-i", str(images.busybox_docker_archive(tmp_path / "bb.tar"))).ok()
    with FlakyProxy(registry.host, cut=False, cut_uploads=2) as proxy:
        name = f"{proxy.host}/bb:1"
        berthd.cli("tag", "busybox:latest", name).ok()
        r = berthd.cli("push", name).ok()
        assert len(proxy.uploads_cut) == 2, proxy.requests
    assert "Retrying in 1 second" in r.stdout and "Retrying in 2 seconds" in r.stdout, \
        "the first layer's upload is cut twice, and tried a third time\n" + r.describe()
    assert r.stdout.count("Pushed") == 4, r.describe()
    # The registry behind the proxy has the whole image.
    other_berthd.cli("pull", f"{registry.host}/bb:1").ok()
    assert image_id(other_berthd, f"{registry.host}/bb:1") == image_id(berthd, name)
