"""ps, pause/resume, features, spec, and the global --log options."""

import json
import time

from helpers import RUNTIME, TEST_CGROUP_PARENT, pid_alive, proc_status_field, run_cmd, wait_for

COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; done"


def test_ps_table_lists_the_container_pid(bundle, rt):
    st = bundle.start_detached("exec sleep 1000")
    r = rt("ps", bundle.id).ok()
    lines = r.stdout.splitlines()
    header = lines[0].split()
    assert "PID" in header and "CMD" in header, f"no ps header: {lines[0]!r}"
    col = header.index("PID")
    pids = [int(line.split()[col]) for line in lines[1:] if line.strip()]
    assert st["pid"] in pids, f"container pid {st['pid']} not in ps output:\n{r.stdout}"
    assert any("sleep" in line for line in lines[1:]), r.stdout


def test_ps_json_is_an_array_of_host_pids(bundle, rt):
    st = bundle.start_detached("sleep 1000 & sleep 1001 & wait")
    wait_for(lambda: len(json.loads(rt("ps", "--format", "json", bundle.id).ok().stdout)) == 3,
             what="three processes in the container")
    pids = json.loads(rt("ps", "--format", "json", bundle.id).ok().stdout)
    assert isinstance(pids, list) and all(isinstance(p, int) for p in pids), pids
    assert st["pid"] in pids, pids
    for p in pids:
        assert "sleep" in open(f"/proc/{p}/cmdline").read() or p == st["pid"], p


def test_ps_passes_options_to_ps(bundle, rt):
    st = bundle.start_detached("exec sleep 1000")
    r = rt("ps", bundle.id, "-o", "pid,comm").ok()
    lines = r.stdout.split("\n")
    assert lines[0].split() == ["PID", "COMMAND"], r.stdout
    assert f"{st['pid']} sleep" in " ".join(r.stdout.split()), r.stdout


def counter_text(bundle):
    return (bundle.rootfs / "tmp" / "counter").read_text()


def counter(bundle):
    try:
        return int(counter_text(bundle))
    except (OSError, ValueError):
        return None  # the shell is between truncating and writing


def test_pause_and_resume(bundle, rt):
    st = bundle.start_detached(COUNTER)
    wait_for(lambda: (counter(bundle) or 0) > 10, what="the counter loop to run")
    rt("pause", bundle.id).ok()
    assert rt.status(bundle.id) == "paused"
    wait_for(lambda: proc_status_field(st["pid"], "State").startswith(("D", "S")),
             what="the container's init to be frozen")
    # Frozen maybe between truncate and write: compare the raw file.
    before = counter_text(bundle)
    time.sleep(0.3)
    after = counter_text(bundle)
    assert before == after, f"the counter moved from {before!r} to {after!r} while paused"
    rt("resume", bundle.id).ok()
    assert rt.status(bundle.id) == "running"
    last = counter(bundle) or 0
    wait_for(lambda: (counter(bundle) or 0) > last, what="the counter to advance after resume")


def test_pause_a_stopped_container_fails(bundle, rt):
    bundle.start_detached("exit 0")
    rt.wait_status(bundle.id, "stopped")
    assert rt("pause", bundle.id).returncode != 0


def test_resume_a_running_container_fails(bundle, rt):
    bundle.start_detached("exec sleep 1000")
    assert rt("resume", bundle.id).returncode != 0


def test_delete_force_of_a_paused_container(bundle, rt):
    st = bundle.start_detached("exec sleep 1000")
    rt("pause", bundle.id).ok()
    rt("delete", "--force", bundle.id).ok()
    wait_for(lambda: not pid_alive(st["pid"]), what="the paused container to die")


def test_kill_a_paused_container(bundle, rt):
    bundle.start_detached("exec sleep 1000")
    rt("pause", bundle.id).ok()
    rt("kill", bundle.id, "KILL").ok()
    rt("resume", bundle.id)  # a frozen task only dies once thawed on cgroup v1
    rt.wait_status(bundle.id, "stopped")


def test_features(rt):
    r = rt("features").ok()
    f = json.loads(r.stdout)
    assert f["ociVersionMin"].startswith("1.0"), f["ociVersionMin"]
    assert f["ociVersionMax"].startswith("1."), f["ociVersionMax"]
    assert set(f["hooks"]) >= {"prestart", "createRuntime", "createContainer", "startContainer",
                               "poststart", "poststop"}, f["hooks"]
    assert {"bind", "rbind", "ro", "nosuid", "nodev", "noexec"} <= set(f["mountOptions"]) | {"ro"}, \
        f["mountOptions"]
    linux = f["linux"]
    assert set(linux["namespaces"]) >= {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"}, linux
    assert "CAP_SYS_ADMIN" in linux["capabilities"], linux["capabilities"]
    assert linux["cgroup"]["v1"] is True and linux["cgroup"]["v2"] is True, linux["cgroup"]
    assert linux["seccomp"]["enabled"] is True
    assert "SCMP_ACT_ERRNO" in linux["seccomp"]["actions"]
    assert "SCMP_ARCH_X86_64" in linux["seccomp"]["archs"]
    assert "SCMP_CMP_EQ" in linux["seccomp"]["operators"]


def test_spec_writes_a_parsable_config(rt):
    d = rt.tmp / "specdir"
    d.mkdir()
    r = run_cmd([RUNTIME, "spec"], cwd=d).ok()
    cfg = json.loads((d / "config.json").read_text())
    assert cfg["process"]["args"] == ["sh"], cfg["process"]
    assert cfg["root"]["path"] == "rootfs"
    assert {n["type"] for n in cfg["linux"]["namespaces"]} >= {"pid", "network", "ipc", "uts", "mount"}
    assert r.stdout == ""


def test_spec_bundle_option(rt):
    d = rt.tmp / "specdir2"
    d.mkdir()
    run_cmd([RUNTIME, "spec", "--bundle", d]).ok()
    json.loads((d / "config.json").read_text())


def test_spec_refuses_to_overwrite(rt):
    d = rt.tmp / "specdir3"
    d.mkdir()
    (d / "config.json").write_text("precious")
    r = run_cmd([RUNTIME, "spec"], cwd=d)
    assert r.returncode != 0, "spec overwrote an existing config.json"
    assert (d / "config.json").read_text() == "precious"
    assert "config.json" in r.stderr, r.describe()


def test_spec_output_runs(make_bundle, rt):
    b = make_bundle()
    run_cmd([RUNTIME, "spec"], cwd=b.path).ok()
    cfg = json.loads((b.path / "config.json").read_text())
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["echo", "spec-ok"]
    cfg["linux"]["cgroupsPath"] = f"/{TEST_CGROUP_PARENT}/{b.id}"
    b.write(cfg)
    r = b.run(write=False).ok()
    assert r.stdout == "spec-ok\n"


def test_log_json_format(rt):
    log = rt.tmp / "runtime.log"
    r = rt("state", "bt-no-such-container", global_args=["--log", str(log), "--log-format", "json"])
    assert r.returncode != 0
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines, "nothing written to --log for a failing command"
    for line in lines:
        entry = json.loads(line)
        assert {"level", "msg", "time"} <= set(entry), entry
    assert any(e["level"] == "error" for e in map(json.loads, lines)), lines


def test_log_text_format(rt):
    log = rt.tmp / "runtime.log"
    rt("state", "bt-no-such-container", global_args=["--log", str(log)])
    text = log.read_text()
    assert "level=error" in text and "msg=" in text, text


def test_version(rt):
    r = run_cmd([RUNTIME, "--version"]).ok()
    assert "spec:" in r.stdout or "version" in r.stdout, r.stdout


def test_help(rt):
    r = run_cmd([RUNTIME, "--help"]).ok()
    for cmd in ("create", "start", "state", "kill", "delete", "run", "exec", "ps", "pause", "resume",
                "features", "spec", "list"):
        assert cmd in r.stdout, f"--help does not mention {cmd}"
