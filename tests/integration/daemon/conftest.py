"""Fixtures for the daemon tests: berthd in a private root (`berthd`), and
Debian's dockerd in a private root (`dockerd`, once per session) as the
reference implementation. Image fixtures come from images.py.

    /usr/bin/python3 -m pytest tests/integration/daemon -q
    BERTHD=... BERTH=... to test other binaries; BERTHD_LOG_LEVEL (default debug);
    BERTH_DAEMON_TMP (default /var/tmp) for the daemons' directories.
"""

from __future__ import annotations

import os
import warnings

import pytest

import images
from berthd import BERTH, BERTHD, Berthd, BerthdError
from dockerd import DOCKER_CLI, DOCKERD, PrivateDockerd


def pytest_report_header(config):
    return [f"berthd: {BERTHD}", f"berth: {BERTH}", f"reference: {DOCKERD} with {DOCKER_CLI}"]


def _need_root():
    if os.geteuid() != 0:
        pytest.exit("the daemon tests need root", returncode=2)


@pytest.fixture(scope="session")
def dockerd():
    """Debian's dockerd with its own containerd, data and exec roots; stopped and
    cleaned at the end of the session however the tests ended."""
    _need_root()
    for p in (DOCKERD, DOCKER_CLI):
        if not os.access(p, os.X_OK):
            pytest.fail(f"no {p}: scripts/setup.sh installs docker.io", pytrace=False)
    dk = PrivateDockerd()
    error = None
    try:
        dk.start()
    except RuntimeError as e:
        error = f"the reference dockerd did not start: {e}"
    if error:
        pytest.fail(error, pytrace=False)
    yield dk
    forced = dk.stop()
    if forced:
        # dockerd is the reference, not under test: report, don't fail tests.
        warnings.warn("private dockerd teardown had to force: " + "; ".join(forced))


@pytest.fixture
def dockerd_tags(dockerd):
    """Tags the test puts into the shared dockerd; removed afterwards."""
    tags: list[str] = []
    yield tags
    if tags:
        dockerd.docker("rmi", "-f", *tags)


@pytest.fixture
def berthd():
    """A fresh berthd per test (empty store). Teardown force-removes containers
    the test left, stops berthd (SIGTERM, then SIGKILL) and fails the test if a
    process or mount remains under its directories, or if it had to be killed."""
    _need_root()
    d = Berthd()
    error = None
    try:
        d.start()
    except BerthdError as e:
        error = str(e)
    if error:
        d.stop()
        pytest.fail(error, pytrace=False)
    yield d
    problems = d.stop()
    if problems:
        pytest.fail("berthd teardown:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def bb(berthd, tmp_path):
    """berthd with the busybox image loaded (busybox:latest)."""
    body = images.busybox_docker_archive(tmp_path / "bb.tar").read_bytes()
    r = berthd.api("POST", "/images/load", body, {"Content-Type": "application/x-tar"})
    assert r.status == 200, r
    return berthd


@pytest.fixture
def internet():
    """"The internet": a network namespace with HTTP and UDP servers, reached
    only through the host (netfixtures.Internet)."""
    from netfixtures import Internet
    net = Internet().start()
    yield net
    net.stop()
