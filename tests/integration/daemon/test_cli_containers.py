"""The berth CLI's container commands (run, create, start, attach, exec, logs, ps,
inspect, ...) against a daemon: output shapes, exit codes and error words as the
docker 20.10 CLI has them.

Every test takes the `daemon` fixture, a (cli, kind) pair: `cli(*args, input=,
timeout=)` runs `berth -H <daemon> args` and returns a helpers.Result; kind names
the daemon ("dockerd": Debian's real dockerd, the reference, until berthd has its
container endpoints). Each test's containers are removed afterwards.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import tarfile
import termios
import threading
import time

import pytest

import images
from berthd import BERTH
from dockerd import DOCKER_CLI
from helpers import Result, run_cmd
from registry import Registry

BB = "busybox:latest"
NET = ("--network", "none")  # the private dockerd has no bridge


class CliRunner:
    """`berth -H host ...` and the docker CLI on the same daemon (the reference
    for comparisons and for clean-up)."""

    def __init__(self, host: str, env: dict):
        self.host, self.env = host, env

    def __call__(self, *args, input=None, timeout=60.0) -> Result:
        return run_cmd([BERTH, "-H", self.host, *args], timeout=timeout, input=input, env=self.env)

    def docker(self, *args, input=None, timeout=60.0) -> Result:
        return run_cmd([DOCKER_CLI, "-H", self.host, *args], timeout=timeout, input=input, env=self.env)

    def popen(self, *args, **kw) -> subprocess.Popen:
        return subprocess.Popen([BERTH, "-H", self.host, *args], env=self.env, **kw)

    def inspect(self, name) -> dict:
        return json.loads(self.docker("container", "inspect", name).ok().stdout)[0]

    def all_ids(self) -> set[str]:
        return set(self.docker("ps", "-aq", "--no-trunc").ok().stdout.split())


@pytest.fixture(scope="session")
def dockerd_busybox(dockerd, tmp_path_factory):
    archive = images.busybox_docker_archive(tmp_path_factory.mktemp("bb") / "bb.tar")
    dockerd.docker("load", "-i", archive).ok()
    return dockerd


def _dockerd_runner(request) -> CliRunner:
    d = request.getfixturevalue("dockerd_busybox")
    return CliRunner(d.host, d.env)


# The daemons the tests run against, by kind: each gives a CliRunner on a daemon
# that holds busybox:latest. berthd joins when its container endpoints land, e.g.
#   def _berthd_runner(request):
#       d = request.getfixturevalue("berthd")
#       d.cli("load", "-i", images.busybox_docker_archive(tmp / "bb.tar")).ok()
#       return CliRunner(d.host, d.env)
DAEMONS = {"dockerd": _dockerd_runner}


@pytest.fixture(params=list(DAEMONS))
def daemon(request):
    """(cli, kind); containers the test made are force-removed afterwards."""
    cli = DAEMONS[request.param](request)
    before = cli.all_ids()
    yield cli, request.param
    left = cli.all_ids() - before
    if left:
        cli.docker("rm", "-f", *left)


def test_run_prints_output_and_exits_with_the_containers_code(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", *NET, BB, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n"), r.describe()


def test_run_rm_removes_the_container(daemon):
    cli, _ = daemon
    cli("run", "--rm", "--name", "bt-rm", *NET, BB, "true").ok()
    assert "bt-rm" not in cli.docker("ps", "-a", "--format", "{{.Names}}").ok().stdout.split()


def test_run_without_rm_keeps_the_exited_container(daemon):
    cli, _ = daemon
    cli("run", "--name", "bt-keep", *NET, BB, "sh", "-c", "exit 5").failed()
    state = cli.inspect("bt-keep")["State"]
    assert (state["Status"], state["ExitCode"]) == ("exited", 5), state


def test_run_command_not_found_exits_127(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", *NET, BB, "no-such-command")
    assert r.returncode == 127, r.describe()
    assert r.stderr.startswith("berth: Error response from daemon: "), r.describe()
    assert "executable file not found" in r.stderr, r.describe()


def test_run_rm_with_a_failed_start_leaves_no_container(daemon):
    cli, _ = daemon
    before = cli.all_ids()
    assert cli("run", "--rm", *NET, BB, "no-such-command").returncode == 127
    assert cli.all_ids() == before


def test_run_command_not_executable_exits_126(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", *NET, BB, "/etc/passwd")
    assert r.returncode == 126, r.describe()
    assert "permission denied" in r.stderr, r.describe()


def test_run_missing_image_with_pull_never_exits_125(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", "--pull", "never", *NET, "bt-no-such/image:1", "true")
    assert r.returncode == 125, r.describe()
    assert "No such image: bt-no-such/image:1" in r.stderr, r.describe()
    assert "See 'berth run --help'." in r.stderr, r.describe()
    assert "Unable to find image" not in r.stderr, r.describe()


def test_run_missing_image_says_it_pulls_then_fails_without_registry(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", *NET, "localhost:1/bt-no-such:1", "true")
    assert r.returncode == 125, r.describe()
    assert r.stderr.startswith("Unable to find image 'localhost:1/bt-no-such:1' locally\n"), r.describe()


def test_run_pulls_a_missing_image_and_pull_always(daemon, tmp_path):
    cli, _ = daemon
    with Registry(tmp_path / "registry") as reg:
        ref = f"{reg.host}/bt/pulled:1"
        cli.docker("tag", BB, ref).ok()
        try:
            cli.docker("push", ref).ok()
            cli.docker("rmi", ref).ok()
            r = cli("run", "--rm", *NET, ref, "echo", "pulled")
            assert (r.returncode, r.stdout) == (0, "pulled\n"), r.describe()
            assert r.stderr.startswith(f"Unable to find image '{ref}' locally\n"), r.describe()
            assert "Pulling from bt/pulled" in r.stderr and f"Status: Downloaded newer image for {ref}" in r.stderr
            r = cli("run", "--rm", "--pull", "always", *NET, ref, "true").ok()
            assert f"Status: Image is up to date for {ref}" in r.stderr, r.describe()
            r = cli("run", "--rm", "--pull", "always", "-q", *NET, ref, "true").ok()
            assert r.stderr == "", r.describe()
        finally:
            cli.docker("rmi", "-f", ref)


def test_run_bad_flag_value_is_a_usage_error(daemon):
    cli, _ = daemon
    r = cli("run", "-m", "lots", BB, "true")
    assert r.returncode == 125, r.describe()
    assert r.stderr == ("invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'\n"
                        "See 'berth run --help'.\n"), r.describe()
    r = cli("run", "--pull", "sometimes", BB, "true")
    assert r.returncode == 125 and "invalid pull option: 'sometimes'" in r.stderr, r.describe()


def test_run_detached_prints_the_full_id(daemon):
    cli, _ = daemon
    r = cli("run", "-d", *NET, BB, "sleep", "30").ok()
    cid = r.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid), r.describe()
    assert cli.inspect(cid)["State"]["Running"] is True


def test_run_interactive_copies_stdin_until_its_end(daemon):
    cli, _ = daemon
    r = cli("run", "-i", "--rm", *NET, BB, "sh", "-c", "cat; echo done", input="line 1\nline 2\n")
    assert (r.returncode, r.stdout) == (0, "line 1\nline 2\ndone\n"), r.describe()


def test_run_and_exec_it_need_a_terminal(daemon):
    cli, _ = daemon
    before = cli.all_ids()
    r = cli("run", "-it", "--rm", *NET, BB, "true", input="")
    assert (r.returncode, r.stderr) == (1, "the input device is not a TTY\n"), r.describe()
    assert cli.all_ids() == before, "nothing may be created"
    cli("run", "-d", "--name", "bt-exec-tty", *NET, BB, "sleep", "60").ok()
    r = cli("exec", "-it", "bt-exec-tty", "true", input="")
    assert (r.returncode, r.stderr) == (1, "the input device is not a TTY\n"), r.describe()


def test_run_attach_only_stderr(daemon):
    cli, _ = daemon
    r = cli("run", "--rm", "-a", "stderr", *NET, BB, "sh", "-c", "echo out; echo err >&2")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "err\n"), r.describe()


# Flags whose create request berth and the docker CLI must build alike; each is
# (flags, paths into the inspect JSON to compare).
CREATE_CASES = [
    (["-e", "A=1", "-e", "B", "-w", "/tmp", "-u", "1:2", "-h", "bthost", "--entrypoint", "/bin/sh"],
     ["Config.Env", "Config.WorkingDir", "Config.User", "Config.Hostname", "Config.Entrypoint", "Config.Cmd"]),
    (["-l", "x=1", "--label", "y", "--stop-signal", "SIGUSR1", "--stop-timeout", "7"],
     ["Config.Labels", "Config.StopSignal", "Config.StopTimeout"]),
    (["-m", "512m", "--memory-swap", "1g", "--memory-reservation", "256m", "--cpus", "1.5",
      "-c", "512", "--cpuset-cpus", "0", "--pids-limit", "64", "--oom-score-adj", "100", "--shm-size", "64m",
      "--blkio-weight", "300"],
     ["HostConfig.Memory", "HostConfig.MemorySwap", "HostConfig.MemoryReservation", "HostConfig.NanoCpus",
      "HostConfig.CpuShares", "HostConfig.CpusetCpus", "HostConfig.PidsLimit", "HostConfig.OomScoreAdj",
      "HostConfig.ShmSize", "HostConfig.BlkioWeight"]),
    (["--cpu-period", "100000", "--cpu-quota", "50000", "--memory-swappiness", "10"],
     ["HostConfig.CpuPeriod", "HostConfig.CpuQuota", "HostConfig.MemorySwappiness"]),
    (["--read-only", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "--security-opt", "no-new-privileges",
      "--init", "--restart", "on-failure:3", "--ulimit", "nofile=100:200", "--device", "/dev/null:/dev/bt-null:r"],
     ["HostConfig.ReadonlyRootfs", "HostConfig.CapAdd", "HostConfig.CapDrop", "HostConfig.SecurityOpt",
      "HostConfig.Init", "HostConfig.RestartPolicy", "HostConfig.Ulimits", "HostConfig.Devices"]),
    (["-v", "/tmp:/mnt/tmp:ro", "-v", "/anon", "--tmpfs", "/run:size=1m", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m",
      "--mount", "type=bind,source=/etc,target=/hostetc,readonly"],
     ["HostConfig.Binds", "Config.Volumes", "HostConfig.Tmpfs", "HostConfig.Mounts"]),
    (["-p", "8080:80", "-p", "127.0.0.1:9000-9001:9000-9001/udp", "--expose", "7000-7001"],
     ["Config.ExposedPorts", "HostConfig.PortBindings"]),
    (["--health-cmd", "true", "--health-interval", "5s", "--health-timeout", "2s", "--health-retries", "4",
      "--health-start-period", "1m", "--log-driver", "json-file", "--log-opt", "max-size=1m"],
     ["Config.Healthcheck", "HostConfig.LogConfig"]),
    (["-i", "-t"], ["Config.OpenStdin", "Config.Tty", "Config.AttachStdin", "Config.StdinOnce"]),
]


def _at(obj, path):
    for key in path.split("."):
        obj = obj[key]
    return obj


@pytest.mark.parametrize("flags,paths", CREATE_CASES, ids=[c[0][0] + c[0][1] for c in CREATE_CASES])
def test_create_builds_the_request_docker_builds(daemon, flags, paths):
    cli, _ = daemon
    cmd = ["sleep", "1"]
    ours = cli("create", *NET, *flags, BB, *cmd)
    assert ours.returncode == 0, ours.describe()
    theirs = cli.docker("create", *NET, *flags, BB, *cmd).ok()
    mine, ref = cli.inspect(ours.stdout.strip()), cli.inspect(theirs.stdout.strip())
    for path in paths:
        if path == "Config.Env":  # docker 28's CLI puts bare names first; 20.10 keeps the order given
            mine["Config"]["Env"].sort()
            ref["Config"]["Env"].sort()
        assert _at(mine, path) == _at(ref, path), f"{path}: berth {_at(mine, path)!r} docker {_at(ref, path)!r}"


def test_create_reads_env_and_label_files(daemon, tmp_path):
    cli, _ = daemon
    env_file = tmp_path / "env"
    env_file.write_text("# comment\n\nA=1\n  B=two words\nBT_FROM_HOST\n")
    label_file = tmp_path / "labels"
    label_file.write_text("k1=v1\nk2\n")
    r = run_cmd([BERTH, "-H", cli.host, "create", *NET, "--env-file", env_file, "--label-file", label_file, BB],
                env={**cli.env, "BT_FROM_HOST": "yes"}).ok()
    config = cli.inspect(r.stdout.strip())["Config"]
    assert [e for e in config["Env"] if not e.startswith("PATH=")] == ["A=1", "B=two words", "BT_FROM_HOST=yes"]
    assert config["Labels"] == {"k1": "v1", "k2": ""}


def test_create_prints_id_and_start_attach_gives_exit_code(daemon):
    cli, _ = daemon
    cid = cli("create", "--name", "bt-start", *NET, BB, "sh", "-c", "echo started; exit 4").ok().stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid)
    r = cli("start", "-a", "bt-start")
    assert (r.returncode, r.stdout) == (4, "started\n"), r.describe()


def test_start_and_stop_print_names_and_gather_errors(daemon):
    cli, _ = daemon
    cli("create", "--name", "bt-ss", *NET, BB, "sleep", "60").ok()
    r = cli("start", "bt-ss", "bt-missing")
    assert r.returncode == 1 and r.stdout == "bt-ss\n", r.describe()
    assert r.stderr == ("Error response from daemon: No such container: bt-missing\n"
                        "Error: failed to start containers: bt-missing\n"), r.describe()
    r = cli("stop", "-t", "1", "bt-ss").ok()
    assert r.stdout == "bt-ss\n"
    assert cli.inspect("bt-ss")["State"]["Status"] == "exited"


def test_wait_prints_exit_code(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-wait", *NET, BB, "sh", "-c", "sleep 0.3; exit 9").ok()
    r = cli("wait", "bt-wait").ok()
    assert r.stdout == "9\n", r.describe()


def test_kill_with_signal_and_rm(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-kill", *NET, BB, "sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done").ok()
    time.sleep(0.3)
    assert cli("kill", "-s", "USR1", "bt-kill").ok().stdout == "bt-kill\n"
    assert cli("wait", "bt-kill").ok().stdout == "42\n"
    r = cli("rm", "bt-kill", "bt-none")
    assert r.returncode == 1 and r.stdout == "bt-kill\n", r.describe()
    assert r.stderr == "Error: No such container: bt-none\n", r.describe()


def test_rm_running_needs_force(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-rmf", *NET, BB, "sleep", "60").ok()
    r = cli("rm", "bt-rmf")
    assert r.returncode == 1 and "Error response from daemon: " in r.stderr and "running" in r.stderr, r.describe()
    assert cli("rm", "-f", "bt-rmf").ok().stdout == "bt-rmf\n"


def test_pause_unpause_restart_rename(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-p", *NET, BB, "sleep", "60").ok()
    cli("pause", "bt-p").ok()
    assert cli.inspect("bt-p")["State"]["Status"] == "paused"
    cli("unpause", "bt-p").ok()
    assert cli.inspect("bt-p")["State"]["Status"] == "running"
    started = cli.inspect("bt-p")["State"]["StartedAt"]
    assert cli("restart", "-t", "0", "bt-p").ok().stdout == "bt-p\n"
    assert cli.inspect("bt-p")["State"]["StartedAt"] != started
    cli("rename", "bt-p", "bt-p2").ok()
    assert cli.inspect("bt-p2")["Name"] == "/bt-p2"


def test_exec_exit_code_env_workdir_user_and_stdin(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-exec", *NET, BB, "sleep", "60").ok()
    r = cli("exec", "-e", "X=1", "-w", "/tmp", "-u", "5", "bt-exec", "sh", "-c", "echo $X $(pwd) $(id -u); exit 6")
    assert (r.returncode, r.stdout) == (6, "1 /tmp 5\n"), r.describe()
    r = cli("exec", "-i", "bt-exec", "cat", input="through exec\n").ok()
    assert r.stdout == "through exec\n"
    cli("exec", "-d", "bt-exec", "touch", "/tmp/detached").ok()
    time.sleep(0.3)
    cli("exec", "bt-exec", "test", "-e", "/tmp/detached").ok()


def test_exec_in_stopped_container_fails(daemon):
    cli, _ = daemon
    cli("create", "--name", "bt-exec-stopped", *NET, BB, "true").ok()
    r = cli("exec", "bt-exec-stopped", "true")
    assert r.returncode == 1 and "is not running" in r.stderr, r.describe()


def test_logs_split_streams_tail_and_timestamps(daemon):
    cli, _ = daemon
    cli("run", "--name", "bt-logs", *NET, BB, "sh", "-c", "echo a; echo b >&2; sleep 0.2; echo c").ok()
    r = cli("logs", "bt-logs").ok()
    assert (r.stdout, r.stderr) == ("a\nc\n", "b\n"), r.describe()
    assert cli("logs", "--tail", "1", "bt-logs").ok().stdout == "c\n"
    stamped = cli("logs", "-t", "bt-logs").ok().stdout.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z [ac]$", line) for line in stamped), stamped
    assert cli("logs", "--since", "2000-01-01", "--until", "2001-01-01", "bt-logs").ok().stdout == ""


def test_logs_follow_ends_with_the_container(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-follow", *NET, BB, "sh", "-c", "echo one; sleep 0.5; echo two").ok()
    r = cli("logs", "-f", "bt-follow", timeout=20).ok()
    assert r.stdout == "one\ntwo\n", r.describe()


def test_ps_table_quiet_format_and_filters(daemon):
    cli, _ = daemon
    cid = cli("run", "-d", "--name", "bt-ps", "-l", "tier=web", *NET, BB, "sleep", "60").ok().stdout.strip()
    cli("create", "--name", "bt-ps-created", *NET, BB, "true").ok()
    r = cli("ps").ok()
    header = r.stdout.splitlines()[0]
    assert re.split(r"\s{2,}", header.strip()) == ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    row = next(line for line in r.stdout.splitlines() if line.endswith("bt-ps"))
    assert row.startswith(cid[:12] + "   busybox:latest   \"sleep 60\"   "), r.describe()
    assert "bt-ps-created" not in r.stdout
    assert cid[:12] in cli("ps", "-q").ok().stdout.split()
    assert cid in cli("ps", "-q", "--no-trunc").ok().stdout.split()
    names = cli("ps", "-a", "--format", "{{.Names}}").ok().stdout.split()
    assert "bt-ps" in names and "bt-ps-created" in names
    r = cli("ps", "-a", "-f", "name=bt-ps", "-f", "label=tier=web", "--format", "{{.Names}} {{.Label \"tier\"}} {{.State}}").ok()
    assert r.stdout == "bt-ps web running\n", r.describe()
    assert cli("ps", "-l", "--format", "{{.Names}}").ok().stdout == "bt-ps-created\n"
    assert cli("ps", "-n", "2", "-q").ok().stdout.count("\n") == 2
    r = cli("ps", "-s", "-f", "name=bt-ps$").ok()
    assert r.stdout.splitlines()[0].rstrip().endswith("SIZE"), r.describe()
    assert re.search(r"\d+B \(virtual [\d.]+[kM]B\)$", r.stdout.splitlines()[1]), r.describe()
    r = cli("container", "ls", "--format", "table {{.ID}}\t{{.Command}}", "-f", "name=bt-ps$").ok()
    assert r.stdout == f"CONTAINER ID   COMMAND\n{cid[:12]}   \"sleep 60\"\n", r.describe()


def test_ps_matches_docker_ps(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-ps-cmp", *NET, BB, "sh", "-c", "echo a long command line here; sleep 60").ok()
    fmt = "{{.ID}}|{{.Image}}|{{.Command}}|{{.Names}}|{{.Labels}}|{{.State}}|{{.Mounts}}"
    ours = cli("ps", "-a", "--format", fmt, "-f", "name=bt-ps-cmp").ok().stdout
    theirs = cli.docker("ps", "-a", "--format", fmt, "-f", "name=bt-ps-cmp").ok().stdout
    assert ours == theirs


def test_inspect_tries_container_then_image(daemon):
    cli, _ = daemon
    cid = cli("create", "--name", "bt-insp", *NET, BB, "true").ok().stdout.strip()
    r = cli("inspect", "--format", "{{.Id}}", "bt-insp", BB).ok()
    lines = r.stdout.splitlines()
    assert lines[0] == cid and lines[1] == images.busybox_image_id(), r.describe()
    r = cli("inspect", "--type", "image", "bt-insp")
    assert r.returncode == 1 and r.stderr == "Error: No such image: bt-insp\n", r.describe()
    r = cli("container", "inspect", BB)
    assert r.returncode == 1 and r.stderr == f"Error: No such container: {BB}\n", r.describe()
    data = json.loads(cli("inspect", "-s", "--type", "container", "bt-insp").ok().stdout)
    assert data[0]["Id"] == cid and "SizeRootFs" in data[0]


@pytest.mark.parametrize("args", [["logs"], ["attach"], ["port"], ["start", "-a"], ["exec", "--", "x"]],
                         ids=lambda a: a[0])
def test_missing_container_is_the_clients_error(daemon, args):
    cli, _ = daemon
    argv = [*args[:-2], "bt-none", args[-1]] if args[-2:-1] == ["--"] else [*args, "bt-none"]
    r = cli(*argv)
    assert (r.returncode, r.stderr) == (1, "Error: No such container: bt-none\n"), r.describe()


def test_port_without_published_ports(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-port", *NET, BB, "sleep", "60").ok()
    assert cli("port", "bt-port").ok().stdout == ""
    r = cli("port", "bt-port", "80")
    assert (r.returncode, r.stderr) == (1, "Error: No public port '80/tcp' published for bt-port\n"), r.describe()


def test_logs_of_a_tty_container_are_raw(daemon):
    cli, _ = daemon
    cli("run", "-t", "--name", "bt-tty-logs", *NET, BB, "echo", "tty line", input="").ok()
    r = subprocess.run([BERTH, "-H", cli.host, "logs", "bt-tty-logs"], capture_output=True, env=cli.env, timeout=30)
    assert (r.returncode, r.stdout) == (0, b"tty line\r\n"), r  # bytes: text mode would fold the CR


def test_attach_no_stdin_and_sig_proxy_off(daemon):
    cli, _ = daemon
    cli("run", "-d", "-i", "--name", "bt-att2", *NET, BB, "sh", "-c", "sleep 0.5; echo out; exit 3").ok()
    r = cli("attach", "--no-stdin", "--sig-proxy=false", "bt-att2", input="ignored\n")
    assert (r.returncode, r.stdout) == (3, "out\n"), r.describe()


def test_start_interactive_feeds_stdin(daemon):
    cli, _ = daemon
    cli("create", "-i", "--name", "bt-start-i", *NET, BB, "sh", "-c", "read x; echo got $x; exit 2").ok()
    r = cli("start", "-a", "-i", "bt-start-i", input="value\n")
    assert (r.returncode, r.stdout) == (2, "got value\n"), r.describe()


def test_export_diff_and_top(daemon, tmp_path):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-fs", *NET, BB, "sh", "-c", "echo x > /newfile; sleep 60").ok()
    time.sleep(0.3)
    assert "A /newfile" in cli("diff", "bt-fs").ok().stdout.splitlines()
    out = tmp_path / "fs.tar"
    cli("export", "-o", out, "bt-fs").ok()
    with tarfile.open(out) as tf:
        names = tf.getnames()
    assert "newfile" in names and "bin/busybox" in names
    top = cli("top", "bt-fs").ok().stdout.splitlines()
    assert top[0].split()[:3] == ["UID", "PID", "PPID"] and any("sleep 60" in line for line in top[1:]), top


def test_container_prune_removes_stopped(daemon):
    cli, _ = daemon
    cid = cli("create", "--name", "bt-prune", "-l", "bt-prune=1", *NET, BB, "true").ok().stdout.strip()
    r = cli("container", "prune", "-f", "--filter", "label=bt-prune=1").ok()
    assert r.stdout.startswith(f"Deleted Containers:\n{cid}\n\nTotal reclaimed space: "), r.describe()


def test_attach_streams_a_running_containers_output(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-att", *NET, BB, "sh", "-c", "sleep 0.5; echo late; exit 2").ok()
    r = cli("attach", "bt-att")
    assert (r.returncode, r.stdout) == (2, "late\n"), r.describe()
    r = cli("attach", "bt-att")
    assert r.returncode == 1 and "You cannot attach to a stopped container" in r.stderr, r.describe()


def test_sig_proxy_forwards_sigterm(daemon):
    cli, _ = daemon
    p = cli.popen("run", "--rm", *NET, BB, "sh", "-c", "trap 'echo got; exit 7' TERM; echo ready; while true; do sleep 0.1; done",
                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(30, p.kill)
    watchdog.start()
    try:
        assert p.stdout.readline() == "ready\n"
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
    finally:
        watchdog.cancel()
        if p.poll() is None:
            p.kill()
            p.wait()
    assert (p.returncode, out) == (7, "got\n"), err


def test_run_tty_on_a_terminal(daemon):
    """-it on a pty: the container sees a terminal of our size, output comes raw
    (CRLF from its tty), and our terminal's mode is restored afterwards."""
    cli, _ = daemon
    master, slave = pty.openpty()
    try:
        import fcntl
        import struct
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        before = termios.tcgetattr(slave)
        p = cli.popen("run", "-it", "--rm", *NET, BB, "sh", "-c", "sleep 0.5; stty size; read x; echo got $x; exit 3",
                      stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        out = b""
        deadline = time.monotonic() + 20
        sent = False
        while p.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    out += os.read(master, 4096)
                except OSError:
                    break
            if not sent and b"33 101" in out:
                os.write(master, b"hello\r")
                sent = True
        p.wait(timeout=10)
        while select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        after = termios.tcgetattr(slave)
    finally:
        os.close(master)
        os.close(slave)
    assert p.returncode == 3, out
    assert b"\r\n33 101\r\n" in out or out.startswith(b"33 101\r\n"), out
    assert b"got hello\r\n" in out and b"\r\r\n" not in out, out
    assert after == before, "the terminal mode was not restored"


def _drive_pty(cli, args, script, timeout=20.0):
    """Runs berth on a fresh pty; `script(out, write)` is called with the output so
    far until it returns True. Returns (exit code or None, output, mode restored)."""
    master, slave = pty.openpty()
    p = None
    try:
        before = termios.tcgetattr(slave)
        p = cli.popen(*args, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        out, done = b"", False
        deadline = time.monotonic() + timeout
        while p.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    out += os.read(master, 4096)
                except OSError:
                    break
            if not done:
                done = script(out, lambda data: os.write(master, data))
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return p.returncode, out, termios.tcgetattr(slave) == before
    finally:
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)


def test_run_tty_detach_keys_leave_the_container_running(daemon):
    cli, _ = daemon

    def script(out, write):
        if b"# " not in out:
            return False
        write(b"echo typed\r")
        time.sleep(0.3)
        write(b"\x10\x11")  # ctrl-p ctrl-q
        return True

    code, out, restored = _drive_pty(cli, ["run", "-it", "--name", "bt-detach", *NET, BB, "sh"], script)
    assert code == 0, out
    assert b"typed\r\n" in out and restored, out
    assert cli.inspect("bt-detach")["State"]["Running"] is True
    code, out, restored = _drive_pty(cli, ["run", "-it", "--detach-keys", "ctrl-x", "--rm", *NET, BB, "sh"],
                                     lambda out, write: b"# " in out and (write(b"\x18"), True)[1])
    assert code == 0 and restored, out


def test_container_group_help_and_aliases(daemon):
    cli, _ = daemon
    r = cli("container", "--help").ok()
    for sub in ("run", "create", "start", "stop", "ls", "rm", "logs", "exec", "inspect", "prune"):
        assert re.search(rf"^  {sub}\s", r.stdout, re.M), sub
    cid = cli("container", "create", *NET, BB, "true").ok().stdout.strip()
    assert cid[:12] in cli("container", "list", "-aq").ok().stdout.split()
    assert cli("container", "rm", cid).ok().stdout == cid + "\n"
    r = cli("run", "--help").ok()
    assert r.stdout.startswith("\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"), r.stdout[:200]
    assert re.search(r"^  -m, --memory bytes\s+Memory limit$", r.stdout, re.M)


def test_update_changes_resources_and_restart_policy(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-upd", *NET, BB, "sleep", "60").ok()
    r = cli("update", "-m", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "20",
            "--restart", "on-failure:2", "bt-upd").ok()
    assert r.stdout == "bt-upd\n"
    host = cli.inspect("bt-upd")["HostConfig"]
    assert (host["Memory"], host["MemorySwap"], host["NanoCpus"], host["PidsLimit"]) == (64 << 20, 128 << 20, 500_000_000, 20)
    assert host["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}
    r = cli("update", "bt-upd")
    assert r.returncode == 1 and "you must provide one or more flags" in r.stderr, r.describe()


def test_commit_makes_an_image_of_the_changes(daemon):
    cli, _ = daemon
    cli("run", "--name", "bt-commit", *NET, BB, "touch", "/committed").ok()
    image_id = cli("commit", "-m", "msg", "-a", "me", "-c", "ENV BT=1", "bt-commit", "bt-committed:1").ok().stdout.strip()
    try:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", image_id)
        info = json.loads(cli.docker("image", "inspect", "bt-committed:1").ok().stdout)[0]
        assert (info["Id"], info["Comment"], info["Author"]) == (image_id, "msg", "me")
        assert "BT=1" in info["Config"]["Env"]
        cli("run", "--rm", *NET, "bt-committed:1", "test", "-e", "/committed").ok()
    finally:
        cli.docker("rmi", "-f", "bt-committed:1")


def test_cp_both_ways_with_dockers_naming(daemon, tmp_path):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-cp", *NET, BB, "sleep", "60").ok()
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a").write_text("hi\n")
    (src / "sub" / "b").write_text("deep\n")
    os.symlink("a", src / "link")
    cli("cp", src, "bt-cp:/tmp/").ok()
    cli("cp", src / "a", "bt-cp:/tmp/renamed").ok()
    r = cli("exec", "bt-cp", "sh", "-c", "cat /tmp/src/a /tmp/src/sub/b /tmp/renamed; readlink /tmp/src/link").ok()
    assert r.stdout == "hi\ndeep\nhi\na\n", r.describe()
    cli("cp", "bt-cp:/tmp/src", tmp_path / "back").ok()
    assert (tmp_path / "back" / "sub" / "b").read_text() == "deep\n"
    assert os.readlink(tmp_path / "back" / "link") == "a"
    (tmp_path / "into").mkdir()
    cli("cp", "bt-cp:/etc/passwd", tmp_path / "into").ok()
    assert (tmp_path / "into" / "passwd").read_text().startswith("root:")
    r = subprocess.run([BERTH, "-H", cli.host, "cp", "bt-cp:/tmp/src/sub", "-"], capture_output=True, env=cli.env)
    assert r.returncode == 0, r.stderr
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tf:
        assert sorted(tf.getnames()) == ["sub", "sub/b"]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("from-stdin")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"in\n"))
    r = subprocess.run([BERTH, "-H", cli.host, "cp", "-", "bt-cp:/"], input=buf.getvalue(), capture_output=True, env=cli.env)
    assert r.returncode == 0, r.stderr
    assert cli("exec", "bt-cp", "cat", "/from-stdin").ok().stdout == "in\n"
    r = cli("cp", "bt-cp:/no-such", tmp_path / "x")
    assert r.returncode == 1 and "/no-such" in r.stderr, r.describe()
    r = cli("cp", tmp_path / "a", tmp_path / "b")
    assert r.returncode == 1 and r.stderr == "must specify at least one container source\n", r.describe()


def test_stats_no_stream_table_and_format(daemon):
    cli, _ = daemon
    cid = cli("run", "-d", "--name", "bt-stats", "-m", "64m", *NET, BB, "sleep", "60").ok().stdout.strip()
    r = cli("stats", "--no-stream", "bt-stats", timeout=30).ok()
    lines = r.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %",
                                                      "NET I/O", "BLOCK I/O", "PIDS"], r.describe()
    assert re.match(rf"{cid[:12]}\s+bt-stats\s+\d+\.\d\d%\s+[\d.]+[KM]iB / 64MiB\s+\d+\.\d\d%\s+\S+ / \S+\s+\S+ / \S+\s+1$",
                    lines[1]), r.describe()
    r = cli("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.Container}}", "bt-stats", timeout=30).ok()
    assert r.stdout == "bt-stats 1 bt-stats\n", r.describe()


def test_name_conflict_exit_codes_of_create_and_run(daemon):
    cli, _ = daemon
    cli("create", "--name", "bt-dup", *NET, BB, "true").ok()
    r = cli("create", "--name", "bt-dup", *NET, BB, "true")
    assert r.returncode == 1 and r.stderr.startswith("Error response from daemon: Conflict."), r.describe()
    r = cli("run", "--name", "bt-dup", *NET, BB, "true")
    assert r.returncode == 125, r.describe()
    assert r.stderr.startswith("berth: Error response from daemon: Conflict."), r.describe()
    assert r.stderr.endswith(".\nSee 'berth run --help'.\n"), r.describe()


def test_cidfile_gets_the_id_and_is_never_overwritten(daemon, tmp_path):
    cli, _ = daemon
    cidfile = tmp_path / "cid"
    cid = cli("run", "-d", "--cidfile", cidfile, *NET, BB, "sleep", "60").ok().stdout.strip()
    assert cidfile.read_text() == cid
    r = cli("run", "-d", "--cidfile", cidfile, *NET, BB, "true")
    assert r.returncode == 125 and "Container ID file found" in r.stderr, r.describe()


def test_stats_stream_redraws_every_second(daemon):
    cli, _ = daemon
    cli("run", "-d", "--name", "bt-stream", *NET, BB, "sleep", "60").ok()
    p = cli.popen("stats", "--format", "{{.Name}} {{.PIDs}}", "bt-stream", stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(20, p.kill)  # a hung berth fails the test instead of the run
    watchdog.start()
    try:
        lines = [p.stdout.readline() for _ in range(3)]
    finally:
        watchdog.cancel()
        p.kill()
        p.wait()
    assert lines == ["bt-stream 1\n"] * 3, lines
