"""The networking scenarios through the real docker CLI (Debian's 20.10) and
docker-py against berthd: user networks with DNS by name and alias, NAT to "the
internet", published ports, internal networks, isolation, connect/disconnect,
and the API's error statuses."""

from __future__ import annotations

import json
import urllib.request


from netfixtures import body_of, free_port, http_get, http_script, wait_until

BB = "busybox:latest"
HTTPD = ["sh", "-c", "mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www"]


def wget(d, name, url, timeout=3):
    return http_get(lambda script: d.docker("exec", name, "sh", "-c", script, timeout=timeout + 20), url, timeout)


def listening(d, name):
    return wait_until(lambda: ":80 " in d.docker("exec", name, "netstat", "-ltn").stdout)


def test_docker_cli_user_network_dns_nat_and_ports(bb, internet):
    d = bb.docker
    net_id = d("network", "create", "--subnet", "10.240.0.0/24", "web").ok().stdout.strip()
    assert len(net_id) == 64
    port = free_port()
    d("run", "-d", "--name", "srv", "--network", "web", "--network-alias", "api", "-p", f"{port}:80", BB, *HTTPD).ok()
    assert listening(bb, "srv")
    d("run", "-d", "--name", "cli", "--network", "web", BB, "sleep", "60").ok()
    for name in ("srv", "api"):
        r = wget(bb, "cli", f"http://{name}/", 3).ok()
        assert r.stdout.startswith("hello-"), name
    assert wget(bb, "cli", f"http://{internet.addr}:8080/", 3).ok().stdout == internet.host_ip
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().startswith(b"hello-")
    assert d("port", "srv").ok().stdout.strip() == f"80/tcp -> 0.0.0.0:{port}"
    ls = d("network", "ls", "--format", "{{.Name}}\t{{.Driver}}").ok().stdout.splitlines()
    assert "web\tbridge" in ls and "bridge\tbridge" in ls and "host\thost" in ls and "none\tnull" in ls
    n = json.loads(d("network", "inspect", "web").ok().stdout)[0]
    assert n["Id"] == net_id and n["IPAM"]["Config"][0]["Subnet"] == "10.240.0.0/24"
    assert {c["Name"] for c in n["Containers"].values()} == {"srv", "cli"}
    c = json.loads(d("inspect", "srv").ok().stdout)[0]
    ep = c["NetworkSettings"]["Networks"]["web"]
    assert ep["IPAddress"].startswith("10.240.0.") and ep["NetworkID"] == net_id and "api" in ep["Aliases"]
    assert c["NetworkSettings"]["Ports"]["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": str(port)}]
    r = d("network", "rm", "web")
    assert r.returncode != 0 and "active endpoints" in r.stderr, r.describe()
    d("rm", "-f", "srv", "cli").ok()
    assert d("network", "rm", "web").ok().stdout.strip() == "web"


def test_docker_cli_internal_isolation_connect_disconnect(bb, internet):
    d = bb.docker
    d("network", "create", "--internal", "priv").ok()
    d("network", "create", "pub").ok()
    d("run", "-d", "--name", "srv", "--network", "pub", BB, *HTTPD).ok()
    assert listening(bb, "srv")
    d("run", "-d", "--name", "in", "--network", "priv", BB, "sleep", "60").ok()
    assert wget(bb, "in", f"http://{internet.addr}:8080/", 2).returncode != 0
    srv_ip = json.loads(d("inspect", "srv").ok().stdout)[0]["NetworkSettings"]["Networks"]["pub"]["IPAddress"]
    assert wget(bb, "in", f"http://{srv_ip}/", 2).returncode != 0
    d("network", "connect", "pub", "in").ok()
    assert wget(bb, "in", "http://srv/", 3).ok().stdout.startswith("hello-")
    r = d("network", "connect", "pub", "in")
    assert r.returncode != 0 and "already exists" in r.stderr
    d("network", "disconnect", "pub", "in").ok()
    assert wget(bb, "in", "http://srv/", 2).returncode != 0


def test_docker_cli_errors(bb):
    d = bb.docker
    d("network", "create", "--subnet", "10.241.0.0/16", "a").ok()
    for args, words in [
        (("network", "create", "--subnet", "10.241.5.0/24", "b"), "overlaps"),
        (("network", "create", "--subnet", "10.242.0.0/24", "--gateway", "10.243.0.1", "c"), "gateway"),
        (("network", "create", "a"), "already exists"),
        (("network", "rm", "host"), "pre-defined"),
        (("network", "inspect", "zzz"), "zzz"),
        (("run", "--rm", "--network", "a", "--ip", "10.99.1.1", BB, "true"), "10.99.1.1"),
        (("run", "--rm", "-p", "bad:80", BB, "true"), "bad"),
    ]:
        r = d(*args)
        assert r.returncode != 0 and words in r.stderr, r.describe()


def test_docker_py_networks(bb, internet):
    c = bb.py
    net = c.networks.create("pynet", driver="bridge", labels={"k": "v"})
    assert net.attrs["Labels"] == {"k": "v"}
    srv = c.containers.run(BB, HTTPD, name="pysrv", network="pynet", detach=True, ports={"80/tcp": None})
    assert listening(bb, "pysrv")
    srv.reload()
    host_port = int(srv.ports["80/tcp"][0]["HostPort"])
    assert urllib.request.urlopen(f"http://127.0.0.1:{host_port}/", timeout=5).read().startswith(b"hello-")
    # Started on another user network (so it asks the embedded DNS server), then connected.
    other = c.networks.create("pyother")
    cli = c.containers.run(BB, ["sleep", "60"], name="pycli", network="pyother", detach=True)
    net.connect(cli, aliases=["client"])
    code, out = cli.exec_run(["sh", "-c", http_script("http://pysrv/", 3)])
    assert code == 0 and body_of(out.decode()).startswith("hello-")
    code, out = cli.exec_run(["sh", "-c", http_script(f"http://{internet.addr}:8080/", 3)])
    assert code == 0 and body_of(out.decode()) == internet.host_ip
    net.reload()
    assert {x.name for x in net.containers} == {"pysrv", "pycli"}
    net.disconnect(cli)
    net.reload()
    assert {x.name for x in net.containers} == {"pysrv"}
    assert [n.name for n in c.networks.list(names=["pynet"])] == ["pynet"]
    srv.remove(force=True)
    cli.remove(force=True)
    net.remove()
    other.remove()
    c.networks.create("leftover")
    pruned = c.networks.prune()
    assert pruned["NetworksDeleted"] == ["leftover"]
