"""Namespaces: new ones per config entry, joined ones by path, user namespace
id mappings."""

import os

import pytest

from helpers import TIMEOUT, runtime_is_runc, wait_for

# config type -> /proc/<pid>/ns/<name>
NS_FILES = {"pid": "pid", "uts": "uts", "ipc": "ipc", "network": "net", "mount": "mnt", "cgroup": "cgroup"}


def ns_links_inside(bundle):
    names = " ".join(NS_FILES.values())
    bundle.sh(f"for n in {names}; do echo $n=$(readlink /proc/self/ns/$n); done")
    out = bundle.run().ok().stdout
    return dict(line.split("=", 1) for line in out.split())


@pytest.mark.parametrize("ns_type", sorted(NS_FILES))
def test_configured_namespace_is_new_and_others_are_shared(bundle, ns_type):
    # Always keep mount (the runtime needs it); toggle the one under test.
    types = {"mount", ns_type}
    bundle.linux["namespaces"] = [{"type": t} for t in sorted(types)]
    bundle.config.pop("hostname", None)  # a hostname needs uts
    inside = ns_links_inside(bundle)
    for t, f in NS_FILES.items():
        host = os.readlink(f"/proc/self/ns/{f}")
        if t in types:
            assert inside[f] != host, f"{t} namespace requested but the container shares the host's ({host})"
        else:
            assert inside[f] == host, f"{t} namespace not requested but the container has its own ({inside[f]})"


def test_pid_namespace_process_is_pid_1(bundle):
    bundle.sh("echo $$; ls /proc | grep -E '^[0-9]+$' | wc -l")
    out = bundle.run().ok().stdout.split()
    assert out[0] == "1", f"the container process is pid {out[0]}, not 1"
    assert int(out[1]) <= 4, f"{out[1]} processes visible in a fresh pid namespace"


def test_network_namespace_has_only_loopback(bundle):
    bundle.sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")
    assert bundle.run().ok().stdout.split() == ["lo"]


def test_loopback_is_up(bundle):
    # runc brings lo up in a new netns; so must berth (many programs bind 127.0.0.1).
    bundle.sh("ip -o link show lo")
    out = bundle.run().ok().stdout
    assert "UP" in out.split("<", 1)[1].split(">", 1)[0], out


def test_uts_namespace_hostname_does_not_leak(bundle):
    before = os.uname().nodename
    bundle.config["hostname"] = "inside-only"
    bundle.args("hostname")
    assert bundle.run().ok().stdout == "inside-only\n"
    assert os.uname().nodename == before


def test_cgroup_namespace_root(bundle):
    bundle.linux["namespaces"].append({"type": "cgroup"})
    bundle.args("cat", "/proc/self/cgroup")
    out = bundle.run().ok().stdout
    paths = [line.split(":", 2)[2] for line in out.splitlines()]
    assert paths and all(p == "/" for p in paths), f"cgroup paths inside a cgroup namespace:\n{out}"


USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def userns_bundle(bundle):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = USERNS_MAP
    bundle.linux["gidMappings"] = USERNS_MAP
    # The cgroup v1 filesystem cannot be mounted from a user namespace without
    # a cgroup namespace; keep the test about id mapping.
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/sys/fs/cgroup"]
    return bundle


def test_user_namespace_mapping_seen_from_host(bundle, rt):
    userns_bundle(bundle)
    st = bundle.start_detached("sleep 1000")
    uid_map = open(f"/proc/{st['pid']}/uid_map").read().split()
    gid_map = open(f"/proc/{st['pid']}/gid_map").read().split()
    assert uid_map == ["0", "100000", "65536"], uid_map
    assert gid_map == ["0", "100000", "65536"], gid_map
    status = open(f"/proc/{st['pid']}/status").read()
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1:] == ["100000"] * 4, f"container root is {uid_line} on the host"
    assert os.readlink(f"/proc/{st['pid']}/ns/user") != os.readlink("/proc/self/ns/user")


def test_user_namespace_id_inside(bundle):
    userns_bundle(bundle)
    bundle.sh("id -u; id -g; cat /proc/self/uid_map")
    out = bundle.run().ok().stdout.split()
    assert out[:2] == ["0", "0"], out
    assert out[2:] == ["0", "100000", "65536"], out


def test_user_namespace_host_files_are_nobody(bundle):
    userns_bundle(bundle)
    # The rootfs belongs to host root, which is unmapped: it shows as the
    # overflow uid inside.
    bundle.args("stat", "-c", "%u", "/bin/busybox")
    assert bundle.run().ok().stdout.strip() == "65534"


@pytest.mark.xfail(condition=runtime_is_runc, strict=True, reason="runc 1.1 has no time namespace support")
def test_time_namespace_offsets(bundle):
    bundle.linux["namespaces"].append({"type": "time"})
    # /proc/uptime reads CLOCK_BOOTTIME, which the "boottime" offset shifts.
    bundle.linux["timeOffsets"] = {"boottime": {"secs": 86400 * 365, "nanosecs": 0}}
    bundle.sh("cut -d' ' -f1 /proc/uptime; readlink /proc/self/ns/time")
    r = bundle.run()
    assert r.returncode == 0, r.describe()
    uptime_inside = float(r.stdout.split()[0])
    uptime_host = float(open("/proc/uptime").read().split()[0])
    assert uptime_inside - uptime_host > 86400 * 364, f"uptime inside {uptime_inside}, host {uptime_host}"
    assert r.stdout.split()[1] != os.readlink("/proc/self/ns/time")


def test_join_network_namespace_by_path(bundle, netns):
    path = f"/var/run/netns/{netns}"
    bundle.linux["namespaces"] = [ns if ns["type"] != "network" else {"type": "network", "path": path}
                                  for ns in bundle.linux["namespaces"]]
    bundle.args("readlink", "/proc/self/ns/net")
    inside = bundle.run().ok().stdout.strip()
    assert inside == f"net:[{os.stat(path).st_ino}]", f"container netns {inside}, wanted the one at {path}"


def test_join_another_containers_uts_namespace(make_bundle, rt):
    a, b = make_bundle("a"), make_bundle("b")
    a.config["hostname"] = "shared-host"
    st = a.start_detached("sleep 1000")
    b.config.pop("hostname")
    b.linux["namespaces"] = [ns if ns["type"] != "uts" else {"type": "uts", "path": f"/proc/{st['pid']}/ns/uts"}
                             for ns in b.linux["namespaces"]]
    b.args("hostname")
    assert b.run().ok().stdout == "shared-host\n"


def test_join_missing_namespace_path_fails(bundle, rt):
    bundle.linux["namespaces"] = [ns if ns["type"] != "network" else
                                  {"type": "network", "path": str(rt.tmp / "no-such-netns")}
                                  for ns in bundle.linux["namespaces"]]
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "no-such-netns" in r.stderr, r.describe()


def test_duplicate_namespace_type_is_refused(bundle):
    bundle.linux["namespaces"].append({"type": "network"})
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "network" in r.stderr, r.describe()


def test_pid_namespace_children_die_with_init(bundle, rt):
    st = bundle.start_detached("sleep 1000 & echo $! > /child; touch /ready; wait")
    wait_for(lambda: (bundle.rootfs / "ready").exists(), timeout=TIMEOUT, what="the child to start")
    rt("kill", bundle.id, "KILL").ok()
    rt.wait_status(bundle.id, "stopped")
    # Every process of the bundle (the sleep child included) is gone: the
    # teardown's leak check would name it; here check right away, by exe.
    from helpers import processes_using
    wait_for(lambda: not processes_using(bundle.path, [bundle.id]), what="the container's children to die")
    assert st["pid"] > 0
