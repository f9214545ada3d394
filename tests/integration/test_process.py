"""The container process: args, env, cwd, user, umask, rlimits, capabilities,
no_new_privs, oom_score_adj and the terminal. Each is read back from inside."""

import os
import subprocess

import pytest

from helpers import TIMEOUT, ConsoleSocket, cap_mask, read_until


def status_of_container(bundle, *fields):
    """The named /proc/self/status lines of the container process, as a dict."""
    pattern = "|".join(fields)
    bundle.sh(f"grep -E '^({pattern}):' /proc/self/status")
    r = bundle.run().ok()
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in r.stdout.splitlines())}


def test_args_are_passed_verbatim(bundle):
    bundle.args("sh", "-c", 'for a in "$@"; do echo "[$a]"; done', "argv0", "two words", "", "*")
    r = bundle.run().ok()
    assert r.stdout == "[two words]\n[]\n[*]\n", r.describe()


def test_env_is_exactly_the_configured_one(bundle):
    bundle.process["env"] = ["PATH=/bin", "FOO=bar baz", "EMPTY="]
    bundle.args("env")
    env = dict(line.split("=", 1) for line in bundle.run().ok().stdout.splitlines())
    assert env.get("FOO") == "bar baz", env
    assert env.get("EMPTY") == "", env
    assert env.get("PATH") == "/bin", env
    # runc adds HOME (from /etc/passwd) when the config has none; nothing else.
    assert set(env) - {"FOO", "EMPTY", "PATH", "HOME"} == set(), f"unexpected variables: {env}"


def test_cwd(bundle):
    bundle.process["cwd"] = "/tmp"
    bundle.args("pwd")
    assert bundle.run().ok().stdout == "/tmp\n"


def test_missing_cwd_is_created(bundle):
    bundle.process["cwd"] = "/work/dir"
    bundle.args("pwd")
    assert bundle.run().ok().stdout == "/work/dir\n"


def test_path_lookup_of_args0(bundle):
    bundle.process["env"] = ["PATH=/usr/bin:/bin"]
    bundle.args("echo", "found")
    assert bundle.run().ok().stdout == "found\n"


def test_user_uid_gid_and_additional_gids(bundle):
    bundle.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}
    st = status_of_container(bundle, "Uid", "Gid", "Groups")
    assert st["Uid"].split() == ["1000"] * 4, st
    assert st["Gid"].split() == ["1000"] * 4, st
    assert sorted(map(int, st["Groups"].split())) == [10, 20], st


def test_id_reads_names_from_etc_passwd(bundle):
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.args("id")
    out = bundle.run().ok().stdout
    assert out.startswith("uid=1000(user) gid=1000(user)"), out


def test_root_user_has_no_supplementary_groups_by_default(bundle):
    st = status_of_container(bundle, "Uid", "Groups")
    assert st["Uid"].split() == ["0"] * 4, st
    assert st["Groups"] == "", st


def test_umask(bundle):
    bundle.process["user"]["umask"] = 0o027
    bundle.sh("umask; touch /tmp/f; stat -c %a /tmp/f")
    assert bundle.run().ok().stdout.split() == ["0027", "640"]


def test_default_umask_is_0022(bundle):
    bundle.sh("umask")
    assert bundle.run().ok().stdout.strip() == "0022"


def test_rlimits(bundle):
    bundle.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
        {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
    ]
    bundle.sh("ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu; ulimit -c")
    assert bundle.run().ok().stdout.split() == ["512", "2048", "300", "400", "0"]


def test_unknown_rlimit_is_refused(bundle):
    bundle.process["rlimits"] = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "RLIMIT_BOGUS" in r.stderr, r.describe()


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(bundle, nnp):
    bundle.process["noNewPrivileges"] = nnp
    st = status_of_container(bundle, "NoNewPrivs")
    assert st["NoNewPrivs"] == ("1" if nnp else "0"), st


def caps_of_container(bundle):
    st = status_of_container(bundle, "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
    return {k: int(v, 16) for k, v in st.items()}


def test_default_capabilities(bundle):
    want = cap_mask(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
    caps = caps_of_container(bundle)
    assert caps["CapBnd"] == want, f"bounding {caps['CapBnd']:#x}, expected {want:#x}"
    assert caps["CapEff"] == want, f"effective {caps['CapEff']:#x}, expected {want:#x}"
    assert caps["CapPrm"] == want, f"permitted {caps['CapPrm']:#x}, expected {want:#x}"
    assert caps["CapInh"] == 0, f"inheritable {caps['CapInh']:#x}"


@pytest.mark.parametrize("nnp", [True, False])
def test_each_capability_set_is_applied(bundle, nnp):
    bounding = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SYS_ADMIN"]
    permitted = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    bundle.process["noNewPrivileges"] = nnp
    bundle.process["capabilities"] = {
        "bounding": bounding,
        "permitted": permitted,
        "effective": ["CAP_CHOWN", "CAP_KILL"],
        "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_KILL"],
    }
    caps = caps_of_container(bundle)
    # The sets are installed before the runtime execs the shell, and execve as
    # uid 0 recomputes them (capabilities(7), root is treated as having full
    # file capabilities): permitted' = inheritable | bounding, effective' =
    # permitted'. With no_new_privs the kernel then clamps permitted' to the
    # permitted set from before the exec. So the configured bounding,
    # inheritable and ambient sets show directly, and permitted/effective show
    # bounding (no NNP) or the configured permitted set (NNP).
    want_prm = cap_mask(permitted if nnp else bounding)
    assert caps["CapBnd"] == cap_mask(bounding), f"bounding {caps['CapBnd']:#x}"
    assert caps["CapInh"] == cap_mask(["CAP_KILL", "CAP_NET_BIND_SERVICE"]), f"inheritable {caps['CapInh']:#x}"
    assert caps["CapAmb"] == cap_mask(["CAP_KILL"]), f"ambient {caps['CapAmb']:#x}"
    assert caps["CapPrm"] == want_prm, f"permitted {caps['CapPrm']:#x}, expected {want_prm:#x}"
    assert caps["CapEff"] == want_prm, f"effective {caps['CapEff']:#x}, expected {want_prm:#x}"


def test_capabilities_of_non_root_user(bundle):
    # For a non-root uid execve drops everything but the ambient set, so this
    # shows exactly what the runtime put in place.
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["capabilities"] = {
        "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
        "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    }
    caps = caps_of_container(bundle)
    amb = cap_mask(["CAP_KILL", "CAP_NET_BIND_SERVICE"])
    assert caps["CapAmb"] == amb, f"ambient {caps['CapAmb']:#x}, expected {amb:#x}"
    assert caps["CapPrm"] == amb, f"permitted {caps['CapPrm']:#x}, expected {amb:#x}"
    assert caps["CapEff"] == amb, f"effective {caps['CapEff']:#x}, expected {amb:#x}"
    assert caps["CapBnd"] == cap_mask(["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"])


def test_no_capabilities_at_all(bundle):
    bundle.process["capabilities"] = {}
    caps = caps_of_container(bundle)
    assert caps == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}, caps


def test_dropped_capability_is_enforced(bundle):
    # Without CAP_CHOWN root cannot give a file away.
    bundle.sh("touch /tmp/f && chown 1000 /tmp/f")
    r = bundle.run()
    assert r.returncode != 0 and "not permitted" in r.stderr, r.describe()


def test_granted_capability_works(bundle):
    caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"]
    bundle.process["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    bundle.sh("touch /tmp/f && chown 1000 /tmp/f && stat -c %u /tmp/f")
    assert bundle.run().ok().stdout.strip() == "1000"


def test_unknown_capability_is_named(bundle):
    # runc warns and goes on (a config may name capabilities this kernel lacks);
    # refusing is acceptable too. Either way the message must name it.
    bundle.process["capabilities"]["bounding"].append("CAP_BOGUS")
    bundle.args("true")
    r = bundle.run()
    assert "CAP_BOGUS" in r.stderr, r.describe()


def test_oom_score_adj(bundle):
    bundle.process["oomScoreAdj"] = 500
    bundle.args("cat", "/proc/self/oom_score_adj")
    assert bundle.run().ok().stdout.strip() == "500"


def test_terminal_via_console_socket(bundle, rt):
    bundle.process["terminal"] = True
    bundle.sh("[ -t 0 ] && [ -t 1 ] && echo both-tty; tty; echo done-marker")
    bundle.write()
    with ConsoleSocket(rt.tmp / "console.sock") as console:
        p = rt.popen("create", "--bundle", bundle.path, "--console-socket", console.path, bundle.id,
                     stdout=subprocess.DEVNULL)
        master = console.receive(p)
        _, err = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, f"create with a terminal failed: {err.decode()}"
        rt.state(bundle.id)
        rt("start", bundle.id).ok()
        out = read_until(master, b"done-marker").replace(b"\r\n", b"\n")
    assert b"both-tty\n" in out, out
    assert b"/dev/pts/0\n" in out, out


def test_terminal_input_reaches_the_process(bundle, rt):
    bundle.process["terminal"] = True
    bundle.sh("read line; echo got-$line-end")
    bundle.write()
    with ConsoleSocket(rt.tmp / "console.sock") as console:
        p = rt.popen("create", "--bundle", bundle.path, "--console-socket", console.path, bundle.id,
                     stdout=subprocess.DEVNULL)
        master = console.receive(p)
        assert p.wait(timeout=TIMEOUT) == 0
        rt.state(bundle.id)
        rt("start", bundle.id).ok()
        os.write(master, b"hello\n")
        out = read_until(master, b"-end")
    assert b"got-hello-end" in out, out


def test_terminal_without_console_socket_is_refused(bundle, rt):
    bundle.process["terminal"] = True
    bundle.args("true")
    r = bundle.create()
    assert r.returncode != 0, "create with terminal=true and no --console-socket succeeded"
    assert "console" in r.stderr.lower(), r.describe()
