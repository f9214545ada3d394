"""runc behaviours that containerd-shim and podman rely on, found in review:
`delete --force` of a container that is gone (or half-made), `kill --all` on a
stopped container whose orphans are still in its cgroup, pausing a created
container, and exec's exit code 255 when the runtime cannot start the process."""

import json

from helpers import pid_alive, wait_for


def test_delete_force_of_a_missing_container_succeeds(rt):
    # runc: "delete --force" of an unknown id exits 0 (shims retry deletes).
    cid = rt.new_id("gone")
    rt("delete", cid).failed()
    rt("delete", "--force", cid).ok()


def test_delete_force_removes_a_state_dir_without_state_json(rt):
    # What a create killed half-way (e.g. by a shim timeout) leaves behind: the
    # directory but no state.json. runc removes it; otherwise the id is stuck
    # ("already exists" on create, "does not exist" on delete).
    cid = rt.new_id("half")
    rt.root.mkdir(parents=True, exist_ok=True)
    (rt.root / cid).mkdir()
    rt("delete", "--force", cid).ok()
    assert not (rt.root / cid).exists()


def test_kill_all_on_a_stopped_container_kills_its_orphans(bundle, rt):
    # containerd-shim sends "kill --all KILL" after the init exits when the
    # container has no pid namespace of its own; runc signals what is left in
    # the cgroup and exits 0.
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "pid"]
    st = bundle.start_detached("sleep 1000 & touch /ready; wait")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")

    def pids():
        return json.loads(rt("ps", "--format", "json", bundle.id).ok().stdout or "[]") or []
    wait_for(lambda: len(pids()) == 2, what="the init and its sleep in the cgroup")
    rt("kill", bundle.id, "KILL").ok()
    wait_for(lambda: not pid_alive(st["pid"]), what="the init to die")
    rt.wait_status(bundle.id, "stopped")
    orphans = pids()
    assert len(orphans) == 1, orphans
    rt("kill", "--all", bundle.id, "KILL").ok()
    wait_for(lambda: not any(pid_alive(p) for p in orphans), what="the orphan to die after kill --all")


def test_pause_and_resume_a_created_container(bundle, rt):
    bundle.args("true")
    bundle.create().ok()
    rt("pause", bundle.id).ok()
    assert rt.state(bundle.id)["status"] == "paused"
    rt("resume", bundle.id).ok()
    assert rt.state(bundle.id)["status"] == "created"


def test_exec_that_cannot_start_exits_255(bundle, rt):
    bundle.start_detached("touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="/ready in the container")
    r = rt("exec", bundle.id, "/no/such/binary")
    assert r.returncode == 255 and "exec failed" in r.stderr, r.describe()
