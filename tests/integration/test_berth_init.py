"""berth-init, the init of `--init`, run directly (no container needed): it runs
the command after "--", reaps orphans, forwards signals and exits as the command did.

The binary is BERTH_INIT (default: the berth-init of the main build directory).
"""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

from helpers import REPO

INIT = os.environ.get("BERTH_INIT", str(REPO / "build" / "berth-init"))
TIMEOUT = 20


@pytest.fixture(scope="module", autouse=True)
def init_binary():
    if not os.access(INIT, os.X_OK):
        pytest.fail(f"no berth-init at {INIT} (build it, or set BERTH_INIT)")


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([INIT, "--", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_ready(proc: subprocess.Popen):
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"child did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"


def finish(proc: subprocess.Popen) -> int:
    try:
        return proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_exit_code_and_orphans_reaped(tmp_path: Path):
    # The inner sh exits at once, so its background sleep is orphaned to init;
    # when it ends it is a zombie unless init reaps it. The script checks.
    script = tmp_path / "child.sh"
    script.write_text(textwrap.dedent(f"""\
        sh -c 'sleep 0.2 & echo $! > {tmp_path}/grandchild'
        sleep 1.5
        gpid=$(cat {tmp_path}/grandchild)
        if [ -e /proc/$gpid ]; then echo "left: $(cat /proc/$gpid/stat)"; exit 9; fi
        exit 3
        """))
    proc = start(["sh", str(script)])
    code = finish(proc)
    out = proc.stdout.read()
    assert code == 3, f"berth-init exited {code}, want the child's 3; child said {out!r}"


def test_sigterm_forwarded_to_child():
    # exec: the child *is* sleep, which SIGTERM kills: 128 + 15.
    proc = start(["sh", "-c", "echo ready; exec sleep 30"])
    wait_ready(proc)
    proc.send_signal(signal.SIGTERM)
    assert finish(proc) == 143


def test_signal_reaches_child_handler():
    proc = start(["sh", "-c", "trap 'echo got-usr1; exit 7' USR1; echo ready; "
                              "while :; do sleep 0.1; done"])
    wait_ready(proc)
    proc.send_signal(signal.SIGUSR1)
    code = finish(proc)
    assert proc.stdout.read().strip() == "got-usr1"
    assert code == 7


def test_missing_command_exits_127():
    proc = start(["/nonexistent/command"])
    code = finish(proc)
    assert code == 127
    assert "/nonexistent/command" in proc.stderr.read()


def test_no_command_is_usage_error():
    r = subprocess.run([INIT], capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 2
    assert "usage" in r.stderr
