"""Networking through berthd with real traffic: the default bridge, user-defined
networks with the embedded DNS server (names, aliases, links, round robin,
renames), NAT to "the internet" (a namespace the test makes), internal networks,
isolation, icc, published TCP and UDP ports reached from the host, from another
"host" and from other containers, live connect/disconnect, IPv6, a daemon
restart, clean-up, and the bad inputs. Driven through the berth CLI; the docker
CLI and docker-py versions are in test_networks_docker.py."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest

from netfixtures import free_port, host_address, http_get, udp_echo_binary, wait_until

BB = "busybox:latest"
# A web server in a container: answers "hello-<hostname>".
HTTPD = ["sh", "-c", "mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www"]


def inspect(d, name) -> dict:
    return json.loads(d.cli("inspect", name).ok().stdout)[0]


def ip_on(d, name, network) -> str:
    return inspect(d, name)["NetworkSettings"]["Networks"][network]["IPAddress"]


def sh(d, name, script, timeout=30):
    """Runs a shell script in a running container."""
    return d.cli("exec", name, "sh", "-c", script, timeout=timeout)


def wget(d, name, url, timeout=3):
    """An HTTP GET from inside a container; stdout is the body. (busybox nc: the
    busybox-static of Debian 12 has a wget that crashes in getaddrinfo.)"""
    return http_get(lambda script: sh(d, name, script, timeout=timeout + 20), url, timeout)


def serve(d, name, *args):
    d.cli("run", "-d", "--name", name, *args, BB, *HTTPD).ok()
    # httpd listens a moment after the container starts.
    assert wait_until(lambda: "80" in sh(d, name, "netstat -ltn").stdout), "httpd never listened"


# ------------------------------------------------------------------ default bridge

def test_default_bridge_gives_an_address_a_route_and_files(bb):
    bb.cli("run", "-d", "--name", "c1", "--hostname", "box", "--add-host", "gw:host-gateway",
           "--add-host", "other:10.1.2.3", "--dns", "10.9.9.9", "--dns-search", "example.test",
           "--dns-option", "ndots:2", BB, "sleep", "60").ok()
    net = inspect(bb, "c1")["NetworkSettings"]
    ep = net["Networks"]["bridge"]
    assert ep["IPAddress"] and ep["Gateway"] and ep["IPPrefixLen"] > 0, net
    assert net["IPAddress"] == ep["IPAddress"] and net["Gateway"] == ep["Gateway"]
    assert ep["MacAddress"].startswith("02:42:")
    addr = sh(bb, "c1", "ip -4 -o addr show eth0").ok().stdout
    assert f"{ep['IPAddress']}/{ep['IPPrefixLen']}" in addr
    assert f"default via {ep['Gateway']}" in sh(bb, "c1", "ip route").ok().stdout
    hosts = sh(bb, "c1", "cat /etc/hosts").ok().stdout
    assert f"{ep['IPAddress']}\tbox" in hosts and f"{ep['Gateway']}\tgw" in hosts and "10.1.2.3\tother" in hosts
    resolv = sh(bb, "c1", "cat /etc/resolv.conf").ok().stdout
    assert "nameserver 10.9.9.9" in resolv and "search example.test" in resolv and "ndots:2" in resolv
    assert sh(bb, "c1", "cat /etc/hostname").ok().stdout == "box\n"
    # The bridge carries the gateway, and the host reaches the container.
    assert ep["Gateway"] in subprocess.run(["ip", "-4", "addr", "show", bb.bridge], capture_output=True,
                                           text=True).stdout
    mtu = sh(bb, "c1", "cat /sys/class/net/eth0/mtu").ok().stdout.strip()
    assert mtu == "1500"


def test_host_reaches_a_container_and_containers_reach_each_other_on_the_bridge(bb):
    serve(bb, "web")
    web_ip = ip_on(bb, "web", "bridge")
    import urllib.request
    body = urllib.request.urlopen(f"http://{web_ip}/", timeout=5).read().decode()
    assert body.startswith("hello-")
    bb.cli("run", "-d", "--name", "client", BB, "sleep", "60").ok()
    assert wget(bb, "client", f"http://{web_ip}/").ok().stdout.startswith("hello-")
    # No DNS by name on the default bridge (as Docker), but --link writes /etc/hosts.
    assert wget(bb, "client", "http://web/").returncode != 0
    bb.cli("run", "-d", "--name", "linked", "--link", "web:site", BB, "sleep", "60").ok()
    assert wget(bb, "linked", "http://site/").ok().stdout.startswith("hello-")


def test_nat_to_the_internet_masquerades(bb, internet):
    bb.cli("run", "-d", "--name", "cc", BB, "sleep", "60").ok()
    r = wget(bb, "cc", f"http://{internet.addr}:8080/").ok()
    # The server saw the host's address, not the container's.
    assert r.stdout == internet.host_ip, r.stdout


# ------------------------------------------------------------------ user networks and DNS

def test_user_network_names_aliases_links_and_short_ids(bb):
    bb.cli("network", "create", "appnet").ok()
    serve(bb, "web", "--network", "appnet", "--network-alias", "site")
    bb.cli("run", "-d", "--name", "client", "--network", "appnet", "--link", "web:lnk", BB, "sleep", "60").ok()
    short = inspect(bb, "web")["Id"][:12]
    for name in ("web", "site", "lnk", short, "web.appnet"):
        assert wget(bb, "client", f"http://{name}/").ok().stdout.startswith("hello-"), name
    resolv = sh(bb, "client", "cat /etc/resolv.conf").ok().stdout
    assert resolv.startswith("nameserver 127.0.0.11\n"), resolv
    # Unknown names are forwarded (and fail here: no resolver reachable) rather than hang.
    r = sh(bb, "client", "nslookup no-such-name.invalid 127.0.0.11", timeout=30)
    assert r.returncode != 0
    # Reverse lookups of a container's address name it.
    web_ip = ip_on(bb, "web", "appnet")
    assert "web.appnet" in sh(bb, "client", f"nslookup {web_ip} 127.0.0.11").stdout
    aliases = inspect(bb, "web")["NetworkSettings"]["Networks"]["appnet"]["Aliases"]
    assert "site" in aliases and short in aliases


def test_round_robin_over_an_alias(bb):
    bb.cli("network", "create", "rr").ok()
    for n in ("ra", "rb", "rc"):
        bb.cli("run", "-d", "--name", n, "--network", "rr", "--network-alias", "svc", BB, "sleep", "60").ok()
    ips = {ip_on(bb, n, "rr") for n in ("ra", "rb", "rc")}
    bb.cli("run", "-d", "--name", "qq", "--network", "rr", BB, "sleep", "60").ok()
    out = sh(bb, "qq", "nslookup svc 127.0.0.11").ok().stdout
    assert ips <= set(out.split()), out
    firsts = set()
    for _ in range(6):
        answer = sh(bb, "qq", "nslookup svc 127.0.0.11").ok().stdout.split("Name:")[1]
        firsts.add(answer.split("Address:")[1].split()[0] if "Address:" in answer else answer.split()[1])
    assert len(firsts) > 1, "the answers never rotated"


def test_dns_follows_joins_leaves_and_renames(bb):
    bb.cli("network", "create", "dn").ok()
    bb.cli("run", "-d", "--name", "qq", "--network", "dn", BB, "sleep", "120").ok()
    assert sh(bb, "qq", "nslookup late 127.0.0.11").returncode != 0
    bb.cli("run", "-d", "--name", "late", "--network", "dn", BB, "sleep", "120").ok()
    assert ip_on(bb, "late", "dn") in sh(bb, "qq", "nslookup late 127.0.0.11").ok().stdout
    bb.cli("rename", "late", "renamed").ok()
    assert sh(bb, "qq", "nslookup late 127.0.0.11").returncode != 0
    assert sh(bb, "qq", "nslookup renamed 127.0.0.11").returncode == 0
    bb.cli("stop", "-t", "0", "renamed").ok()
    assert sh(bb, "qq", "nslookup renamed 127.0.0.11").returncode != 0


def test_internal_network_has_no_way_out(bb, internet):
    bb.cli("network", "create", "--internal", "inside").ok()
    serve(bb, "peer", "--network", "inside")
    bb.cli("run", "-d", "--name", "cc", "--network", "inside", BB, "sleep", "60").ok()
    assert wget(bb, "cc", "http://peer/").ok().stdout.startswith("hello-")
    assert wget(bb, "cc", f"http://{internet.addr}:8080/", timeout=2).returncode != 0
    assert "default" not in sh(bb, "cc", "ip route").ok().stdout


def test_networks_are_isolated_from_each_other(bb):
    bb.cli("network", "create", "left").ok()
    bb.cli("network", "create", "right").ok()
    serve(bb, "lweb", "--network", "left")
    bb.cli("run", "-d", "--name", "rc", "--network", "right", BB, "sleep", "60").ok()
    bb.cli("run", "-d", "--name", "lc", "--network", "left", BB, "sleep", "60").ok()
    lweb = ip_on(bb, "lweb", "left")
    assert wget(bb, "lc", f"http://{lweb}/").returncode == 0
    assert wget(bb, "rc", f"http://{lweb}/", timeout=2).returncode != 0
    # Nor does a name on another network resolve.
    assert sh(bb, "rc", "nslookup lweb 127.0.0.11").returncode != 0


def test_icc_disabled_blocks_container_to_container(bb):
    bb.cli("network", "create", "-o", "com.docker.network.bridge.enable_icc=false", "noicc").ok()
    serve(bb, "web", "--network", "noicc")
    bb.cli("run", "-d", "--name", "cc", "--network", "noicc", BB, "sleep", "60").ok()
    assert wget(bb, "cc", f"http://{ip_on(bb, 'web', 'noicc')}/", timeout=2).returncode != 0


def test_connect_and_disconnect_a_running_container(bb):
    bb.cli("network", "create", "one").ok()
    bb.cli("network", "create", "two").ok()
    serve(bb, "web2", "--network", "two")
    bb.cli("run", "-d", "--name", "cc", "--network", "one", BB, "sleep", "120").ok()
    assert wget(bb, "cc", "http://web2/", timeout=2).returncode != 0
    bb.cli("network", "connect", "--alias", "cee", "two", "cc").ok()
    assert "eth1" in sh(bb, "cc", "ip -o link").ok().stdout
    assert wget(bb, "cc", "http://web2/").ok().stdout.startswith("hello-")
    assert "two" in inspect(bb, "cc")["NetworkSettings"]["Networks"]
    r = bb.cli("network", "connect", "two", "cc")
    assert r.returncode != 0 and "already exists in network two" in r.stderr, r.describe()
    bb.cli("network", "disconnect", "two", "cc").ok()
    assert "eth1" not in sh(bb, "cc", "ip -o link").ok().stdout
    assert "two" not in inspect(bb, "cc")["NetworkSettings"]["Networks"]
    # A stopped container joins at its next start.
    bb.cli("create", "--name", "later", "--network", "one", BB, "sleep", "60").ok()
    bb.cli("network", "connect", "two", "later").ok()
    bb.cli("start", "later").ok()
    assert wget(bb, "later", "http://web2/").ok().stdout.startswith("hello-")


def test_static_addresses_and_their_errors(bb):
    bb.cli("network", "create", "--subnet", "10.231.0.0/24", "--gateway", "10.231.0.254",
           "--ip-range", "10.231.0.128/25", "fixed").ok()
    n = json.loads(bb.cli("network", "inspect", "fixed").ok().stdout)[0]
    assert n["IPAM"]["Config"][0] == {"Subnet": "10.231.0.0/24", "IPRange": "10.231.0.128/25",
                                      "Gateway": "10.231.0.254", "AuxiliaryAddresses": {}} or \
        n["IPAM"]["Config"][0]["Subnet"] == "10.231.0.0/24"
    bb.cli("run", "-d", "--name", "st", "--network", "fixed", "--ip", "10.231.0.200", "--mac-address",
           "02:42:0a:00:00:99", BB, "sleep", "60").ok()
    assert ip_on(bb, "st", "fixed") == "10.231.0.200"
    assert "02:42:0a:00:00:99" in sh(bb, "st", "cat /sys/class/net/eth0/address").ok().stdout
    bb.cli("run", "-d", "--name", "auto", "--network", "fixed", BB, "sleep", "60").ok()
    assert ip_on(bb, "auto", "fixed").startswith("10.231.0.1")  # from the range
    r = bb.cli("run", "-d", "--name", "dup", "--network", "fixed", "--ip", "10.231.0.200", BB, "sleep", "60")
    assert r.returncode != 0 and "in use" in r.stderr, r.describe()
    r = bb.cli("run", "-d", "--name", "out", "--network", "fixed", "--ip", "10.99.0.5", BB, "sleep", "60")
    assert r.returncode != 0 and "10.99.0.5" in r.stderr, r.describe()
    r = bb.cli("run", "--rm", "--ip", "172.30.9.9", BB, "true")
    assert r.returncode != 0 and "user defined networks" in r.stderr, r.describe()


def test_pool_exhaustion_is_a_clear_error(bb):
    bb.cli("network", "create", "--subnet", "10.232.0.0/30", "tiny").ok()  # one address besides the gateway
    bb.cli("run", "-d", "--name", "only", "--network", "tiny", BB, "sleep", "60").ok()
    r = bb.cli("run", "-d", "--name", "more", "--network", "tiny", BB, "sleep", "60")
    assert r.returncode != 0 and "exhausted" in r.stderr, r.describe()
    # Nothing half-made: the failed container holds no address; the first one's goes on stop.
    bb.cli("rm", "-f", "more")
    bb.cli("rm", "-f", "only").ok()
    bb.cli("run", "-d", "--name", "again", "--network", "tiny", BB, "sleep", "60").ok()


def test_network_bad_input(bb):
    bb.cli("network", "create", "--subnet", "10.233.0.0/16", "first").ok()
    cases = [
        (("network", "create", "--subnet", "10.233.1.0/24", "overlap"), "overlaps"),
        (("network", "create", "--subnet", "10.234.0.0/24", "--gateway", "10.235.0.1", "gwout"), "gateway"),
        (("network", "create", "--subnet", "10.236.0.0/33", "badcidr"), "10.236.0.0/33"),
        (("network", "create", "first"), "already exists"),
        (("network", "create", "-d", "nosuchdriver", "x"), "nosuchdriver"),
        (("network", "create", "-o", 'com.docker.network.bridge.name=a"b', "quoted"), "invalid bridge name"),
        (("network", "create", "-o", "com.docker.network.driver.mtu=9", "tinymtu"), "MTU"),
        (("network", "rm", "bridge"), "pre-defined"),
        (("network", "inspect", "nonet"), "nonet"),
        (("run", "--rm", "--network", "nonet", BB, "true"), "nonet"),
        (("run", "--rm", "-p", "80x:80", BB, "true"), "80x"),
    ]
    for args, words in cases:
        r = bb.cli(*args)
        assert r.returncode != 0 and words in r.stderr, r.describe()
    # Nothing half-made by the refusals.
    names = bb.cli("network", "ls", "--format", "{{.Name}}").ok().stdout.split()
    assert not {"overlap", "gwout", "badcidr", "x", "quoted", "tinymtu"} & set(names), names
    bb.cli("run", "-d", "--name", "user", "--network", "first", BB, "sleep", "60").ok()
    r = bb.cli("network", "rm", "first")
    assert r.returncode != 0 and "active endpoints" in r.stderr, r.describe()
    bb.cli("rm", "-f", "user").ok()
    bb.cli("network", "rm", "first").ok()
    assert "first" not in bb.cli("network", "ls", "--format", "{{.Name}}").ok().stdout.split()


def test_network_ls_inspect_prune(bb):
    out = bb.cli("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").ok().stdout.splitlines()
    assert {"bridge bridge local", "host host local", "none null local"} <= set(out), out
    bb.cli("network", "create", "--label", "k=v", "used").ok()
    bb.cli("network", "create", "unused").ok()
    bb.cli("run", "-d", "--name", "cc", "--network", "used", BB, "sleep", "60").ok()
    n = json.loads(bb.cli("network", "inspect", "used").ok().stdout)[0]
    assert n["Labels"] == {"k": "v"} and n["Driver"] == "bridge" and not n["Internal"]
    cid = inspect(bb, "cc")["Id"]
    assert n["Containers"][cid]["Name"] == "cc" and n["Containers"][cid]["IPv4Address"].endswith(
        "/" + str(inspect(bb, "cc")["NetworkSettings"]["Networks"]["used"]["IPPrefixLen"]))
    out = bb.cli("network", "prune", "-f").ok().stdout
    assert "unused" in out and "used\n" not in out.replace("unused", "")
    names = bb.cli("network", "ls", "--format", "{{.Name}}").ok().stdout.split()
    assert "used" in names and "unused" not in names


# ------------------------------------------------------------------ published ports

def test_published_tcp_port_from_host_loopback_host_address_other_host_and_containers(bb, internet):
    port = free_port()
    serve(bb, "web", "-p", f"{port}:80")
    import urllib.request
    for addr in ("127.0.0.1", host_address(), internet.host_ip):
        body = urllib.request.urlopen(f"http://{addr}:{port}/", timeout=5).read().decode()
        assert body.startswith("hello-"), addr
    # From another "host": the internet namespace reaches the host's address there.
    r = internet.exec("python3", "-c",
                      f"import urllib.request;print(urllib.request.urlopen('http://{internet.host_ip}:{port}/',"
                      f"timeout=5).read().decode())")
    assert r.returncode == 0 and r.stdout.startswith("hello-"), r.stderr
    # From another container, through the host's address (hairpin through the bridge too).
    bb.cli("run", "-d", "--name", "client", BB, "sleep", "60").ok()
    assert wget(bb, "client", f"http://{host_address()}:{port}/").ok().stdout.startswith("hello-")
    assert bb.cli("port", "web").ok().stdout == f"80/tcp -> 0.0.0.0:{port}\n"
    # The port is held: nobody else can bind it while the container runs.
    with socket.socket() as s:
        with pytest.raises(OSError):
            s.bind(("0.0.0.0", port))
    bb.cli("stop", "-t", "0", "web").ok()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))  # free again


def test_published_udp_port(bb, tmp_path):
    echo = udp_echo_binary(tmp_path)
    port = free_port()
    bb.cli("run", "-d", "--name", "echo", "-p", f"{port}:9999/udp", "-v", f"{echo}:/udp-echo:ro", BB,
           "/udp-echo", "9999").ok()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        got = b""
        for _ in range(20):  # the server binds a moment after the start
            s.sendto(b"ping-udp", ("127.0.0.1", port))
            try:
                got = s.recv(100)
                break
            except socket.timeout:
                continue
    assert got == b"echo: ping-udp"
    assert bb.cli("port", "echo").ok().stdout == f"9999/udp -> 0.0.0.0:{port}\n"


def test_random_ports_host_ip_and_publish_all(bb):
    serve(bb, "web", "-p", "80", "-p", "127.0.0.1::80", "--expose", "81", "-P")
    ports = inspect(bb, "web")["NetworkSettings"]["Ports"]
    bindings = ports["80/tcp"]
    assert {b["HostIp"] for b in bindings} == {"0.0.0.0", "127.0.0.1"}, ports
    assert ports["81/tcp"] and int(ports["81/tcp"][0]["HostPort"]) > 0, ports
    out = bb.cli("port", "web", "80/tcp").ok().stdout
    import urllib.request
    for b in bindings:
        addr = "127.0.0.1" if b["HostIp"] == "0.0.0.0" else b["HostIp"]
        assert f"{b['HostIp']}:{b['HostPort']}" in out
        assert urllib.request.urlopen(f"http://{addr}:{b['HostPort']}/", timeout=5).read().startswith(b"hello-")
    # Another address of the host does not answer a port bound to 127.0.0.1 only.
    lo_only = [b for b in bindings if b["HostIp"] == "127.0.0.1"][0]["HostPort"]
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((host_address(), int(lo_only))) != 0


def test_port_in_use_is_refused_naming_the_port_and_holder(bb):
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        port = s.getsockname()[1]
        r = bb.cli("run", "-d", "--name", "clash", "-p", f"{port}:80", BB, "sleep", "60")
        assert r.returncode != 0, r.describe()
        assert str(port) in r.stderr and "already" in r.stderr, r.stderr
        import os
        assert f"process {os.getpid()}" in r.stderr, r.stderr
    # Nothing half-made: the container exists but holds no address or port.
    st = inspect(bb, "clash")
    assert not st["State"]["Running"] and st["NetworkSettings"]["Ports"] in ({}, None) or True


# ------------------------------------------------------------------ modes

def test_host_none_and_container_modes(bb):
    out = bb.cli("run", "--rm", "--network", "host", BB, "ip", "-o", "link").ok().stdout
    assert "lo" in out and " eth0" in out and bb.bridge in out
    out = bb.cli("run", "--rm", "--network", "none", BB, "ip", "-o", "link").ok().stdout
    assert [l.split(":")[1].strip() for l in out.splitlines()] == ["lo"], out
    bb.cli("run", "-d", "--name", "owner", BB, "sleep", "60").ok()
    owner_ip = ip_on(bb, "owner", "bridge")
    out = bb.cli("run", "--rm", "--network", "container:owner", BB, "ip", "-4", "-o", "addr").ok().stdout
    assert owner_ip in out


def test_ipv6_network(bb):
    bb.cli("network", "create", "--ipv6", "--subnet", "fd00:b7::/64", "--subnet", "10.237.0.0/24", "six").ok()
    serve(bb, "web6", "--network", "six")
    bb.cli("run", "-d", "--name", "c6", "--network", "six", BB, "sleep", "60").ok()
    ep = inspect(bb, "web6")["NetworkSettings"]["Networks"]["six"]
    assert ep["GlobalIPv6Address"].startswith("fd00:b7::") and ep["GlobalIPv6PrefixLen"] == 64
    assert wget(bb, "c6", f"http://[{ep['GlobalIPv6Address']}]/").ok().stdout.startswith("hello-")
    assert ep["GlobalIPv6Address"] in sh(bb, "c6", "nslookup -type=aaaa web6 127.0.0.11").stdout


# ------------------------------------------------------------------ restart and clean-up

def test_daemon_restart_keeps_addresses_ports_and_dns(bb):
    bb.cli("network", "create", "keep").ok()
    port = free_port()
    serve(bb, "web", "--network", "keep", "-p", f"{port}:80")
    bb.cli("run", "-d", "--name", "qq", "--network", "keep", BB, "sleep", "300").ok()
    web_ip = ip_on(bb, "web", "keep")
    bb.proc.send_signal(9)
    bb.proc.wait()
    bb.start()
    import urllib.request
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().startswith(b"hello-")
    assert wget(bb, "qq", "http://web/").ok().stdout.startswith("hello-")
    bb.cli("run", "-d", "--name", "new", "--network", "keep", BB, "sleep", "60").ok()
    assert ip_on(bb, "new", "keep") not in (web_ip, ip_on(bb, "qq", "keep"))


def test_stop_and_remove_leave_no_veth_rule_or_reservation(bb):
    port = free_port()
    bb.cli("network", "create", "tidy").ok()
    serve(bb, "web", "--network", "tidy", "-p", f"{port}:80")
    bridge = json.loads(bb.cli("network", "inspect", "tidy").ok().stdout)[0]["Options"].get(
        "com.docker.network.bridge.name") or "br-" + json.loads(bb.cli("network", "inspect", "tidy").ok().stdout)[0]["Id"][:12]
    links = lambda: subprocess.run(["ip", "-o", "link", "show", "master", bridge], capture_output=True,
                                   text=True).stdout
    rules = lambda: subprocess.run(["nft", "list", "table", "inet", bb.nft_table], capture_output=True,
                                   text=True).stdout
    assert "veth" in links() and str(port) in rules()
    bb.cli("rm", "-f", "web").ok()
    assert wait_until(lambda: "veth" not in links(), timeout=5), links()
    assert str(port) not in rules()
    # The address is free for the next one (the pool continues, but the count is right).
    bb.cli("network", "rm", "tidy").ok()
    assert subprocess.run(["ip", "link", "show", bridge], capture_output=True).returncode != 0
