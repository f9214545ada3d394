"""exec: a new process in a running container, with runc's options."""

import json
import os
import subprocess

import pytest

from helpers import (DEFAULT_CAPS, runtime_is_runc, TIMEOUT, ConsoleSocket, cap_mask, pid_alive, proc_status_field,
                     read_until, wait_for, TEST_CGROUP_PARENT)


@pytest.fixture
def running(bundle, rt):
    """A running container; its init is `sleep 1000` in a shell."""
    bundle.process["env"].append("FROM_CONFIG=cfg")
    bundle.start_detached("touch /ready; exec sleep 1000")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), what="the container to start")
    return bundle


def test_exec_runs_a_command(running, rt):
    r = rt("exec", running.id, "echo", "hello").ok()
    assert r.stdout == "hello\n"


def test_exec_ps_sees_the_container_processes(running, rt):
    r = rt("exec", running.id, "ps").ok()
    lines = r.stdout.splitlines()
    assert any("sleep 1000" in line for line in lines), r.stdout
    # In the pid namespace, init is pid 1.
    assert any(line.split()[0] == "1" and "sleep" in line for line in lines[1:]), r.stdout


def test_exec_env(running, rt):
    r = rt("exec", "--env", "X=1", running.id, "sh", "-c", "echo $X-$FROM_CONFIG").ok()
    assert r.stdout == "1-cfg\n", "exec must add --env to the container's configured env\n" + r.describe()


def test_exec_double_dash_before_the_id(running, rt):
    r = rt("exec", "--env", "X=1", "--", running.id, "sh", "-c", "echo $X").ok()
    assert r.stdout == "1\n"


@pytest.mark.xfail(condition=runtime_is_runc, strict=True,
                   reason="runc 1.1 passes a '--' after the id on as the command")
def test_exec_double_dash_after_the_id(running, rt):
    r = rt("exec", "--env", "X=1", running.id, "--", "sh", "-c", "echo $X").ok()
    assert r.stdout == "1\n"


def test_exec_cwd(running, rt):
    assert rt("exec", "--cwd", "/tmp", running.id, "pwd").ok().stdout == "/tmp\n"


def test_exec_default_cwd_is_the_configs(bundle, rt):
    bundle.process["cwd"] = "/etc"
    bundle.start_detached("exec sleep 1000")
    assert rt("exec", bundle.id, "pwd").ok().stdout == "/etc\n"


def test_exec_user(running, rt):
    r = rt("exec", "--user", "1000:1000", running.id, "sh", "-c", "id -u; id -g").ok()
    assert r.stdout.split() == ["1000", "1000"]


def test_exec_additional_gids(running, rt):
    r = rt("exec", "--user", "1000:1000", "--additional-gids", "10", "--additional-gids", "20",
           running.id, "grep", "^Groups:", "/proc/self/status").ok()
    assert sorted(r.stdout.split()[1:]) == ["10", "20"], r.stdout


def test_exec_exit_code_is_propagated(running, rt):
    r = rt("exec", running.id, "sh", "-c", "exit 5")
    assert r.returncode == 5, r.describe()


def test_exec_killed_by_signal(running, rt):
    r = rt("exec", running.id, "sh", "-c", "kill -9 $$")
    assert r.returncode == 137, r.describe()


def test_exec_in_the_container_namespaces(running, rt):
    init = rt.state(running.id)["pid"]
    r = rt("exec", running.id, "sh", "-c",
           "for n in pid net ipc uts mnt; do readlink /proc/self/ns/$n; done").ok()
    want = [os.readlink(f"/proc/{init}/ns/{n}") for n in ("pid", "net", "ipc", "uts", "mnt")]
    assert r.stdout.split() == want, "exec'd process is not in the container's namespaces"


def test_exec_gets_the_config_capabilities(running, rt):
    r = rt("exec", running.id, "grep", "^CapBnd:", "/proc/self/status").ok()
    assert int(r.stdout.split()[1], 16) == cap_mask(DEFAULT_CAPS), r.stdout


def test_exec_cap_option_adds_a_capability(running, rt):
    r = rt("exec", "--cap", "CAP_CHOWN", running.id, "grep", "^CapEff:", "/proc/self/status").ok()
    assert int(r.stdout.split()[1], 16) & cap_mask(["CAP_CHOWN"]), r.stdout


def test_exec_process_json(running, rt):
    proc = {"terminal": False, "user": {"uid": 1000, "gid": 1000}, "args": ["sh", "-c", "echo $P; pwd; id -u"],
            "env": ["PATH=/bin", "P=from-process-json"], "cwd": "/tmp"}
    pj = rt.tmp / "process.json"
    pj.write_text(json.dumps(proc))
    r = rt("exec", "--process", pj, running.id).ok()
    assert r.stdout.split() == ["from-process-json", "/tmp", "1000"], r.describe()


def test_exec_detach(running, rt):
    pidfile = rt.tmp / "exec.pid"
    with open(rt.tmp / "exec.out", "wb") as o:
        p = subprocess.run(rt.argv("exec", "--detach", "--pid-file", pidfile, running.id, "sleep", "777"),
                           stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    assert p.returncode == 0, (rt.tmp / "exec.out").read_text()
    pid = int(pidfile.read_text())
    assert pid_alive(pid), "the detached exec process is not running"
    assert "sleep" in open(f"/proc/{pid}/cmdline").read()
    listed = json.loads(rt("ps", "--format", "json", running.id).ok().stdout)
    assert pid in listed, f"detached exec pid {pid} not in ps {listed}"
    cg = open(f"/proc/{pid}/cgroup").read()
    assert f"/{TEST_CGROUP_PARENT}/{running.id}" in cg, f"exec'd process is not in the container's cgroup:\n{cg}"


def test_exec_tty(running, rt):
    # runc takes a console socket only with --detach (it hands the pty away).
    with ConsoleSocket(rt.tmp / "exec-console.sock") as console:
        p = rt.popen("exec", "--tty", "--detach", "--console-socket", console.path, running.id,
                     "sh", "-c", "[ -t 1 ] && echo exec-has-tty; tty; echo end-marker")
        master = console.receive(p)
        out = read_until(master, b"end-marker").replace(b"\r\n", b"\n")
        try:
            p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail("exec --tty --detach did not return")
    assert b"exec-has-tty" in out, out
    assert b"/dev/pts/" in out, out
    assert p.returncode == 0, p.stderr.read().decode()


def test_exec_into_stopped_container_fails(bundle, rt):
    bundle.start_detached("exit 0")
    rt.wait_status(bundle.id, "stopped")
    r = rt("exec", bundle.id, "true")
    assert r.returncode != 0, r.describe()


def test_exec_missing_binary_fails(running, rt):
    r = rt("exec", running.id, "/no/such/binary")
    assert r.returncode != 0 and "/no/such/binary" in r.stderr, r.describe()
    assert rt.status(running.id) == "running"


def test_exec_stdin(running, rt):
    r = rt("exec", running.id, "cat", input="piped-in\n").ok()
    assert r.stdout == "piped-in\n"


def test_exec_process_inherits_no_new_privs_and_seccomp(bundle, rt):
    bundle.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                               "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                             "errnoRet": 1}]}
    bundle.start_detached("exec sleep 1000")
    r = rt("exec", bundle.id, "sh", "-c", "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir /tmp/d")
    assert "Seccomp:\t2" in r.stdout and "NoNewPrivs:\t1" in r.stdout, r.describe()
    assert r.returncode != 0 and "Operation not permitted" in r.stderr, r.describe()


def test_exec_does_not_change_the_init(running, rt):
    init = rt.state(running.id)["pid"]
    rt("exec", running.id, "true").ok()
    assert rt.state(running.id)["pid"] == init
    assert proc_status_field(init, "State").startswith("S")
