"""seccomp: the filter from linux.seccomp is installed and does what it says."""

import pytest


def profile(*rules, default="SCMP_ACT_ALLOW"):
    return {"defaultAction": default, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": list(rules)}


def test_errno_rule_blocks_the_syscall(bundle):
    bundle.linux["seccomp"] = profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
    bundle.sh("grep '^Seccomp:' /proc/self/status; mkdir /tmp/blocked")
    r = bundle.run()
    assert "Seccomp:\t2" in r.stdout, f"no seccomp filter on the process:\n{r.describe()}"
    assert r.returncode != 0, "mkdir succeeded under a filter that forbids it"
    assert "Operation not permitted" in r.stderr, r.describe()
    assert not (bundle.rootfs / "tmp" / "blocked").exists()


def test_errno_ret_is_used(bundle):
    # ENOTDIR (20) is not what mkdir would ever say on its own here.
    bundle.linux["seccomp"] = profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 20})
    bundle.sh("mkdir /tmp/blocked")
    r = bundle.run()
    assert r.returncode != 0 and "Not a directory" in r.stderr, r.describe()


def test_other_syscalls_still_work(bundle):
    bundle.linux["seccomp"] = profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
    bundle.sh("touch /tmp/allowed && echo ok")
    assert bundle.run().ok().stdout == "ok\n"


def test_argument_condition(bundle):
    # Only chmod to 0777 is refused; the same syscall with another mode passes.
    rule = {"action": "SCMP_ACT_ERRNO", "errnoRet": 1}
    bundle.linux["seccomp"] = profile(
        dict(rule, names=["chmod"], args=[{"index": 1, "value": 0o777, "op": "SCMP_CMP_EQ"}]),
        dict(rule, names=["fchmodat"], args=[{"index": 2, "value": 0o777, "op": "SCMP_CMP_EQ"}]),
        dict(rule, names=["fchmodat2"], args=[{"index": 2, "value": 0o777, "op": "SCMP_CMP_EQ"}]),
    )
    bundle.sh("touch /tmp/f; chmod 755 /tmp/f && echo 755-ok; chmod 777 /tmp/f || echo 777-refused; stat -c %a /tmp/f")
    out = bundle.run().ok().stdout.split()
    assert out == ["755-ok", "777-refused", "755"], out


def test_kill_action(bundle):
    bundle.linux["seccomp"] = profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"})
    bundle.args("mkdir", "/tmp/x")
    r = bundle.run()
    assert r.returncode == 128 + 31, f"expected death by SIGSYS (159)\n{r.describe()}"


def test_default_errno_with_allow_list(bundle):
    # A deny-by-default profile: the process can run only what is listed.
    allowed = ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
               "mmap", "munmap", "mprotect", "read", "write", "exit", "exit_group", "getuid", "geteuid",
               "getpid", "getppid", "uname", "readlink", "getrandom", "newfstatat", "fstat", "ioctl",
               "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "futex", "close", "fcntl", "dup2", "dup3",
               "sigaltstack", "getcwd", "stat", "lstat", "statx",
               # whatever the runtime itself still calls between installing the filter and execve:
               "capget", "capset", "prctl", "setgroups", "setresuid", "setresgid", "setuid", "setgid",
               "chdir", "fchdir", "getdents64", "openat", "open", "epoll_pwait", "epoll_ctl", "epoll_wait",
               "nanosleep", "tgkill", "gettid", "sched_yield", "clock_gettime", "madvise", "mlock",
               "pipe2", "epoll_create1", "wait4", "waitid", "kill", "sched_getaffinity", "faccessat2",
               "access", "faccessat", "getdents", "lseek", "pread64", "personality", "close_range",
               "fstatfs", "statfs", "socket", "connect", "sendmsg", "recvmsg", "setsid", "umask"]
    bundle.linux["seccomp"] = profile({"names": allowed, "action": "SCMP_ACT_ALLOW"}, default="SCMP_ACT_ERRNO")
    bundle.args("echo", "hello")
    r = bundle.run()
    assert r.returncode == 0 and r.stdout == "hello\n", r.describe()


def test_unknown_action_is_refused(bundle):
    bundle.linux["seccomp"] = profile({"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"})
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "SCMP_ACT_BOGUS" in r.stderr, r.describe()


@pytest.mark.parametrize("nnp", [True, False])
def test_filter_installed_with_and_without_no_new_privs(bundle, nnp):
    bundle.process["noNewPrivileges"] = nnp
    bundle.linux["seccomp"] = profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
    bundle.sh("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status")
    out = bundle.run().ok().stdout
    assert "Seccomp:\t2" in out, out
    assert f"NoNewPrivs:\t{int(nnp)}" in out, out
