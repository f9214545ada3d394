"""The container's filesystem: root, mounts, symlink-safe mount destinations,
masked and read-only paths, /dev, sysctls, --no-pivot."""

import os
import secrets
import stat

import pytest

from helpers import runtime_is_runc


def run_ok(bundle, script):
    bundle.sh(script)
    return bundle.run().ok().stdout


def test_hostname(bundle):
    bundle.config["hostname"] = "box-1"
    assert run_ok(bundle, "hostname") == "box-1\n"


@pytest.mark.xfail(condition=runtime_is_runc, strict=True, reason="runc 1.1 ignores domainname (added in 1.2)")
def test_hostname_and_domainname(bundle):
    bundle.config["hostname"] = "box-1"
    bundle.config["domainname"] = "example.org"
    out = run_ok(bundle, "hostname; cat /proc/sys/kernel/domainname")
    assert out.split() == ["box-1", "example.org"], out


def test_process_writes_land_in_the_rootfs(bundle):
    run_ok(bundle, "echo hi > /written")
    assert (bundle.rootfs / "written").read_text() == "hi\n"


def test_readonly_root(bundle):
    bundle.config["root"]["readonly"] = True
    bundle.sh("touch /x")
    r = bundle.run()
    assert r.returncode != 0, "touch /x succeeded on a readonly root"
    assert "Read-only file system" in r.stderr, r.describe()
    assert not (bundle.rootfs / "x").exists()


def test_readonly_root_keeps_dev_writable(bundle):
    bundle.config["root"]["readonly"] = True
    assert run_ok(bundle, "echo ok > /dev/shm/f && cat /dev/shm/f") == "ok\n"


def test_tmpfs_mount_with_size_and_mode(bundle):
    bundle.config["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["size=1m", "mode=0710", "nosuid"]})
    out = run_ok(bundle, "stat -c %a /data; stat -f -c %T /data; "
                         "head -c 2000000 /dev/zero > /data/big 2>/dev/null; echo rc=$?; "
                         "grep ' /data ' /proc/self/mountinfo")
    lines = out.splitlines()
    assert lines[0] == "710", out
    assert lines[1] == "tmpfs", out
    assert lines[2] != "rc=0", f"wrote 2 MB into a 1 MB tmpfs:\n{out}"
    assert "nosuid" in lines[3], out


def host_dir(rt, name="hostdir"):
    d = rt.tmp / f"{name}-{secrets.token_hex(3)}"
    d.mkdir()
    (d / "file").write_text("from-host\n")
    return d


def test_readonly_bind_mount(bundle, rt):
    d = host_dir(rt)
    bundle.config["mounts"].append({"destination": "/mnt/ro", "type": "bind", "source": str(d),
                                    "options": ["rbind", "ro"]})
    bundle.sh("cat /mnt/ro/file; touch /mnt/ro/new")
    r = bundle.run()
    assert r.stdout == "from-host\n", r.describe()
    assert r.returncode != 0 and "Read-only file system" in r.stderr, r.describe()
    assert not (d / "new").exists(), "a write went through a read-only bind mount"


def test_readwrite_bind_mount(bundle, rt):
    d = host_dir(rt)
    bundle.config["mounts"].append({"destination": "/mnt/rw", "type": "bind", "source": str(d),
                                    "options": ["bind"]})
    run_ok(bundle, "echo from-container > /mnt/rw/new")
    assert (d / "new").read_text() == "from-container\n"


def test_bind_mount_of_a_file_creates_the_destination_file(bundle, rt):
    src = rt.tmp / "resolv.conf"
    src.write_text("nameserver 192.0.2.1\n")
    bundle.config["mounts"].append({"destination": "/etc/resolv.conf", "type": "bind",
                                    "source": str(src), "options": ["rbind", "ro"]})
    assert run_ok(bundle, "cat /etc/resolv.conf") == "nameserver 192.0.2.1\n"
    assert (bundle.rootfs / "etc/resolv.conf").is_file()


def test_relative_bind_source_is_relative_to_the_bundle(bundle):
    d = bundle.path / "shared"
    d.mkdir()
    (d / "file").write_text("bundle-relative\n")
    bundle.config["mounts"].append({"destination": "/shared", "type": "bind", "source": "shared",
                                    "options": ["rbind"]})
    assert run_ok(bundle, "cat /shared/file") == "bundle-relative\n"


def test_missing_mountpoint_is_created(bundle):
    bundle.config["mounts"].append({"destination": "/deep/new/dir", "type": "tmpfs", "source": "tmpfs"})
    assert run_ok(bundle, "stat -f -c %T /deep/new/dir") == "tmpfs\n"
    assert (bundle.rootfs / "deep/new/dir").is_dir()


def test_nested_mounts_in_config_order(bundle, rt):
    d = host_dir(rt)
    bundle.config["mounts"] += [
        {"destination": "/outer", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/outer/inner", "type": "bind", "source": str(d), "options": ["rbind"]},
    ]
    assert run_ok(bundle, "cat /outer/inner/file") == "from-host\n"


def test_relative_symlink_destination_stays_in_the_rootfs(bundle, rt):
    """A symlink that climbs out of the rootfs must resolve as if the rootfs were
    /: the mount lands inside the rootfs and nothing is made on the host."""
    escape = rt.tmp / f"host-escape-canary-{secrets.token_hex(3)}"
    depth = len(bundle.rootfs.parts) + 2
    os.symlink("../" * depth + str(escape).lstrip("/"), bundle.rootfs / "evil")
    bundle.config["mounts"].append({"destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs"})
    bundle.sh("stat -f -c %T /evil/sub")
    r = bundle.run()
    assert not escape.exists(), f"the runtime followed the symlink out of the rootfs and created {escape}"
    assert r.returncode == 0 and r.stdout == "tmpfs\n", r.describe()
    assert (bundle.rootfs / str(escape).lstrip("/") / "sub").is_dir(), \
        "the mountpoint was not created inside the rootfs"


def test_absolute_symlink_destination_stays_in_the_rootfs(bundle, rt):
    name = f"berth-canary-{secrets.token_hex(4)}"
    os.symlink("/etc", bundle.rootfs / "evil")
    bundle.config["mounts"].append({"destination": f"/evil/{name}", "type": "tmpfs", "source": "tmpfs"})
    bundle.sh(f"stat -f -c %T /etc/{name}")
    try:
        r = bundle.run()
        assert not os.path.exists(f"/etc/{name}"), f"the runtime created /etc/{name} on the host"
    finally:
        if os.path.isdir(f"/etc/{name}"):
            os.rmdir(f"/etc/{name}")
    assert r.returncode == 0 and r.stdout == "tmpfs\n", r.describe()
    assert (bundle.rootfs / "etc" / name).is_dir()


def test_bind_source_symlink_in_destination_path_to_host_file(bundle, rt):
    # The destination itself is a symlink to a host file: the bind must not go
    # through it onto the host.
    target = rt.tmp / "host-target"
    target.write_text("untouched\n")
    os.symlink(str(target), bundle.rootfs / "etc" / "link")
    src = rt.tmp / "src"
    src.write_text("mounted\n")
    bundle.config["mounts"].append({"destination": "/etc/link", "type": "bind", "source": str(src),
                                    "options": ["rbind"]})
    bundle.sh("echo overwritten > /etc/link; cat /etc/link")
    r = bundle.run()
    assert target.read_text() == "untouched\n", "a write through a destination symlink reached the host"
    # Resolved inside the rootfs, the symlink leads to the mountpoint the
    # runtime made there, so the write lands in the bind source (runc); a
    # runtime may refuse the symlink instead, with a message.
    if r.returncode == 0:
        assert src.read_text() == "overwritten\n", r.describe()
    else:
        assert "/etc/link" in r.stderr, r.describe()


def test_masked_paths(bundle):
    (bundle.rootfs / "secretdir").mkdir()
    (bundle.rootfs / "secretdir" / "f").write_text("secret\n")
    (bundle.rootfs / "secretfile").write_text("secret\n")
    bundle.linux["maskedPaths"] += ["/proc/timer_list", "/secretdir", "/secretfile", "/no/such/path"]
    # /proc/kcore is in the default list but this kernel has none; timer_list
    # has content on the host and must read empty inside.
    assert len(open("/proc/timer_list").read()) > 0
    out = run_ok(bundle, "echo proc=$(wc -c < /proc/timer_list); echo dir=$(ls -A /secretdir | wc -l); "
                         "echo file=$(cat /secretfile | wc -c)")
    assert out.split() == ["proc=0", "dir=0", "file=0"], out


def test_readonly_paths(bundle):
    bundle.sh("echo 1 > /proc/sys/net/ipv4/ip_forward")
    r = bundle.run()
    assert r.returncode != 0, "wrote to /proc/sys, a readonly path"
    assert "Read-only file system" in r.stderr, r.describe()


def test_sys_is_readonly(bundle):
    bundle.sh("touch /sys/x")
    r = bundle.run()
    assert r.returncode != 0 and "Read-only file system" in r.stderr, r.describe()


DEFAULT_DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
                   "urandom": (1, 9), "tty": (5, 0)}


def test_default_devices(bundle):
    # busybox stat prints %t/%T (major/minor) in hex.
    names = " ".join(f"/dev/{n}" for n in DEFAULT_DEVICES)
    out = run_ok(bundle, f"stat -c '%n %F %t %T %a' {names}")
    seen = {}
    for line in out.splitlines():
        path, rest = line.split(" ", 1)
        kind, major, minor, mode = rest.rsplit(" ", 3)
        seen[path[5:]] = (kind, int(major, 16), int(minor, 16), mode)
    for name, (major, minor) in DEFAULT_DEVICES.items():
        assert name in seen, f"/dev/{name} missing:\n{out}"
        kind, ma, mi, mode = seen[name]
        assert kind == "character special file", f"/dev/{name} is a {kind}"
        assert (ma, mi) == (major, minor), f"/dev/{name} is {ma}:{mi}, expected {major}:{minor}"
        assert mode == "666", f"/dev/{name} has mode {mode}"


def test_default_devices_are_usable(bundle):
    out = run_ok(bundle, "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c")
    assert out.split() == ["4", "8"]


def test_dev_symlinks(bundle):
    out = run_ok(bundle, "for l in fd stdin stdout stderr ptmx; do echo $l=$(readlink /dev/$l); done")
    links = dict(line.split("=", 1) for line in out.split())
    assert links == {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
                     "stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx"}, out


def test_extra_device_node(bundle):
    bundle.linux["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
                                "fileMode": 0o640, "uid": 0, "gid": 5}]
    out = run_ok(bundle, "stat -c '%F %t %T %a %u %g' /dev/fuse")
    assert out.split() == ["character", "special", "file", "a", "e5", "640", "0", "5"], out


def test_dev_mounts(bundle):
    out = run_ok(bundle, "awk '{print $5, $(NF-2)}' /proc/self/mountinfo")
    mounts = dict(line.split() for line in out.splitlines())
    for dest, fstype in (("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"),
                         ("/dev/shm", "tmpfs"), ("/dev/mqueue", "mqueue"), ("/sys", "sysfs")):
        assert mounts.get(dest) == fstype, f"{dest} is {mounts.get(dest)!r}, expected {fstype}:\n{out}"


def test_cgroup_filesystem_is_mounted(bundle):
    out = run_ok(bundle, "ls /sys/fs/cgroup")
    entries = out.split()
    assert "memory" in entries or "cgroup.controllers" in entries, f"/sys/fs/cgroup holds {entries}"


def test_host_mounts_are_not_visible(bundle, rt):
    out = run_ok(bundle, "awk '{print $5}' /proc/self/mountinfo")
    inside = set(out.split())
    host = {line.split()[4] for line in open("/proc/self/mountinfo")}
    # Mount points the container has for its own reasons share names with the
    # host's; any other host mount point (the tests' tmpfs, say) is a leak.
    host_only = {m for m in host if m != "/" and not m.startswith(("/dev", "/proc", "/sys"))}
    assert str(rt.tmp.parent) in host_only
    assert not inside & host_only, f"host mounts visible in the container: {inside & host_only}"


def test_sysctl(bundle):
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}
    out = run_ok(bundle, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax")
    assert out.split() == ["1", "123456789"], out


def test_sysctl_outside_the_namespaces_is_refused(bundle):
    # kernel.hostname would be fine (uts); a host-wide knob is not.
    bundle.linux["sysctl"] = {"vm.swappiness": "10"}
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "vm.swappiness" in r.stderr, r.describe()


def test_no_pivot(bundle, rt):
    bundle.sh("echo ok; test -e /bin/busybox && ls /")
    r = bundle.run(extra=["--no-pivot"]).ok()
    assert r.stdout.splitlines()[0] == "ok"
    assert "bin" in r.stdout.split()


def test_rootfs_propagation_private_by_default(bundle):
    out = run_ok(bundle, "awk '$5 == \"/\"' /proc/self/mountinfo")
    assert out.strip(), "no root mount in mountinfo"
    assert "shared:" not in out, f"the container root is shared with the host: {out}"


def test_mount_with_unknown_option_fails(bundle):
    bundle.config["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["bogusoption=1"]})
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0 and "/data" in r.stderr, r.describe()


def test_root_path_absolute(bundle, rt):
    bundle.config["root"]["path"] = str(bundle.rootfs)
    assert run_ok(bundle, "echo abs") == "abs\n"


def test_readonly_root_dev_node_is_char_device(bundle):
    bundle.config["root"]["readonly"] = True
    out = run_ok(bundle, "stat -c %F /dev/null")
    assert out.strip() == "character special file"


def test_hostname_requires_uts_namespace(bundle):
    bundle.linux["namespaces"] = [ns for ns in bundle.linux["namespaces"] if ns["type"] != "uts"]
    bundle.config["hostname"] = "nope"
    bundle.args("true")
    r = bundle.run()
    assert r.returncode != 0, "hostname set without a uts namespace (would change the host's)"
    assert "UTS" in r.stderr.upper() or "hostname" in r.stderr, r.describe()
    assert os.uname().nodename != "nope"


def test_device_in_rootfs_mode(bundle):
    # Created devices must be real nodes, not bind mounts of host files with
    # other owners.
    out = run_ok(bundle, "stat -c %u:%g /dev/null")
    assert out.strip() == "0:0"
    assert stat.S_ISDIR(os.stat(bundle.rootfs / "dev").st_mode)
