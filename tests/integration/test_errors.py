"""Refused configurations and commands: a clear message naming what is wrong, a
non-zero exit, and nothing left behind (the teardown checks processes, mounts,
state and cgroups for every id)."""

import json
import shutil

import pytest

from helpers import cgroup_dirs_for, runtime_is_runc


def assert_nothing_created(rt, cid):
    r = rt("state", cid)
    assert r.returncode != 0, f"a failed create left a container behind:\n{r.describe()}"
    assert not (rt.root / cid).exists(), f"state directory {rt.root / cid} left by a failed create"
    assert cgroup_dirs_for(cid) == [], f"cgroup left by a failed create: {cgroup_dirs_for(cid)}"


@pytest.mark.xfail(condition=runtime_is_runc, strict=True,
                   reason="runc says 'container with given ID already exists' without naming the id")
def test_duplicate_id_is_refused(make_bundle, rt):
    a, b = make_bundle("a"), make_bundle("b")
    a.start_detached("sleep 1000")
    b.sh("sleep 1000")
    r = b.create(cid=a.id).failed()
    assert "exist" in r.stderr, r.describe()
    assert a.id in r.stderr, "the message does not name the id\n" + r.describe()
    assert rt.status(a.id) == "running", "the refused duplicate disturbed the first container"
    assert rt.state(a.id)["bundle"] == str(a.path)


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "", ".", "..", "a b"])
def test_bad_container_id_is_refused(bundle, rt, bad_id):
    bundle.sh("true")
    r = bundle.create(cid=bad_id).failed()
    assert r.stderr.strip(), "no message for a bad container id"
    assert not (rt.tmp / "x").exists(), "an id with .. escaped the state root"
    if rt.root.is_dir():
        assert [e for e in rt.root.iterdir()] == [], "state written for a refused id"


def test_missing_config_json(bundle, rt):
    r = bundle.create(write=False).failed()
    assert "config.json" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


@pytest.mark.xfail(condition=runtime_is_runc, strict=True,
                   reason="runc reports only 'unexpected EOF', naming neither the file nor JSON")
def test_invalid_json(bundle, rt):
    (bundle.path / "config.json").write_text('{"ociVersion": "1.0.2", "process": ')
    r = bundle.create(write=False).failed()
    assert "config.json" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_wrong_field_type_names_the_field(bundle, rt):
    bundle.config["process"]["args"] = 42
    r = bundle.create().failed()
    assert "process.args" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_unknown_namespace_type_is_named(bundle, rt):
    bundle.linux["namespaces"].append({"type": "bogusns"})
    r = bundle.create().failed()
    assert "bogusns" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


@pytest.mark.xfail(condition=runtime_is_runc, strict=True,
                   reason="runc 1.1 accepts a relative mount destination (legacy behaviour, resolves it "
                          "against /); the spec says it MUST be absolute")
def test_relative_mount_destination_is_refused(bundle, rt):
    bundle.config["mounts"].append({"destination": "relative/dir", "type": "tmpfs", "source": "tmpfs"})
    bundle.sh("true")
    r = bundle.create()
    assert r.returncode != 0, "a relative mount destination was accepted\n" + r.describe()
    assert "relative/dir" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_missing_root_is_named(bundle, rt):
    bundle.config["root"]["path"] = "no-such-rootfs"
    r = bundle.create().failed()
    assert "no-such-rootfs" in r.stderr or "root" in r.stderr.lower(), r.describe()
    assert_nothing_created(rt, bundle.id)


def test_missing_bundle_directory(bundle, rt):
    shutil.rmtree(bundle.path)
    r = rt("create", "--bundle", bundle.path, bundle.id).failed()
    assert str(bundle.path) in r.stderr or "config.json" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_missing_process_args(bundle, rt):
    bundle.config["process"]["args"] = []
    r = bundle.create().failed()
    assert "args" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_missing_process_is_named(bundle, rt):
    del bundle.config["process"]
    r = bundle.create().failed()
    assert "process" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_nonexistent_executable_fails_start_or_create(bundle, rt):
    bundle.args("/no/such/binary")
    r = bundle.run()
    assert r.returncode != 0, r.describe()
    assert "/no/such/binary" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_bad_mount_source_leaves_nothing(bundle, rt):
    bundle.config["mounts"].append({"destination": "/data", "type": "bind",
                                    "source": str(rt.tmp / "no-such-source"), "options": ["rbind"]})
    bundle.sh("true")
    r = bundle.create().failed()
    assert "no-such-source" in r.stderr or "/data" in r.stderr, r.describe()
    assert_nothing_created(rt, bundle.id)


def test_commands_on_unknown_container_fail(rt):
    for args in (["start", "bt-nope"], ["kill", "bt-nope", "KILL"], ["delete", "bt-nope"],
                 ["pause", "bt-nope"], ["resume", "bt-nope"], ["ps", "bt-nope"],
                 ["exec", "bt-nope", "true"]):
        r = rt(*args)
        assert r.returncode != 0, f"{args[0]} of an unknown container succeeded\n" + r.describe()
        assert "bt-nope" in r.stderr or "not exist" in r.stderr, r.describe()


def test_unknown_subcommand_fails(rt):
    r = rt("frobnicate")
    assert r.returncode != 0 and "frobnicate" in r.stderr, r.describe()


def test_config_with_unknown_fields_is_accepted(bundle, rt):
    # Unknown properties MUST be ignored (config.md "Extensibility").
    bundle.config["org.example.future"] = {"x": 1}
    bundle.config["process"]["futureKnob"] = True
    bundle.args("true")
    bundle.run().ok()


def test_json_output_of_state_is_an_object(bundle, rt):
    bundle.start_detached("sleep 1000")
    st = json.loads(rt("state", bundle.id).ok().stdout)
    assert set(st) >= {"ociVersion", "id", "status", "pid", "bundle"}, st
