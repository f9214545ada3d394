#!/bin/sh
# demo.sh: berth's main job, from a fresh Debian 12 machine: install what is
# needed, build, start berthd in a private root, import a busybox image (made
# from Debian's busybox-static) through the Docker Engine API with the berth CLI,
# show it as `docker images` would, and run containers from it through berthd
# with `berth run`: one in the foreground, one detached web server on a network of
# its own (reached by name from another container and through a published port
# from the host), with logs, exec and stop. The daemon gets a bridge and an
# nftables table named for the demo, removed at the end.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh" Release

build=$repo/build
work=${DEMO_DIR:-/tmp/berth-demo}
sock=$work/berth.sock
berthd_pid=""
cleanup() {
    [ -n "$berthd_pid" ] && { "$build/berth" -H "unix://$sock" rm -f demo-web >/dev/null 2>&1 || true; }
    [ -n "$berthd_pid" ] && kill "$berthd_pid" 2>/dev/null && wait "$berthd_pid" 2>/dev/null
    for rec in "$work"/data/network/networks/*.json; do
        [ -f "$rec" ] || continue
        b=$(sed -n 's/.*"Bridge": *"\([^"]*\)".*/\1/p' "$rec")
        [ -n "$b" ] && ip link delete "$b" 2>/dev/null || true
    done
    nft delete table inet bt_demo 2>/dev/null || true
    nft delete table bridge bt_demo 2>/dev/null || true
    rm -rf "$work"
}
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"

echo "+ berthd --data-root $work/data --exec-root $work/exec -H unix://$sock --bridge btdemo0 --nft-table bt_demo"
"$build/berthd" --data-root "$work/data" --exec-root "$work/exec" -H "unix://$sock" \
    --bridge btdemo0 --nft-table bt_demo --log-level warn &
berthd_pid=$!
export BERTH_HOST=unix://$sock
i=0
until "$build/berth" version >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "demo.sh: berthd did not answer" >&2; exit 1; }
    sleep 0.05
done

# A rootfs tarball from Debian's busybox-static (cached), imported as an image.
RUNTIME=$build/berth-runtime "$repo/scripts/make-busybox-bundle.sh" "$work/src" --rootfs-only >/dev/null
echo "+ tar -C rootfs -c . | berth import -c 'CMD [\"sh\"]' - busybox:demo"
tar -C "$work/src/rootfs" -c . | "$build/berth" import -c 'CMD ["sh"]' -m "busybox-static" - busybox:demo
echo "+ berth images"
"$build/berth" images
echo "+ berth history busybox:demo"
"$build/berth" history busybox:demo

# The container says who and where it is; `run` exits with the container's code.
echo "+ berth run --rm busybox:demo sh -c '...'"
"$build/berth" run --rm busybox:demo sh -c \
    'echo hello from berth: host $(hostname), pid $$, $(id); grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
echo "+ berth network create demo-net"
"$build/berth" network create demo-net
web='mkdir -p /www && echo "hello from $(hostname) over berth networking" > /www/index.html && echo serving && exec httpd -f -p 80 -h /www'
echo "+ berth run -d --name demo-web --network demo-net -p 127.0.0.1::80 busybox:demo sh -c '<httpd>'"
"$build/berth" run -d --name demo-web --network demo-net -p 127.0.0.1::80 busybox:demo sh -c "$web"
sleep 0.3
echo "+ berth run --rm --network demo-net busybox:demo sh -c '<HTTP GET of demo-web:80 by name, with nc>'"
"$build/berth" run --rm --network demo-net busybox:demo sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc demo-web 80 | tail -1'
echo "+ berth port demo-web"
"$build/berth" port demo-web
hostport=$("$build/berth" port demo-web 80/tcp | sed 's/.*://')
echo "+ curl http://127.0.0.1:$hostport/"
curl -s "http://127.0.0.1:$hostport/"
echo "+ berth ps"
"$build/berth" ps
echo "+ berth exec demo-web ps"
"$build/berth" exec demo-web ps
echo "+ berth logs demo-web"
"$build/berth" logs demo-web
echo "+ berth stop -t 1 demo-web && berth rm demo-web"
"$build/berth" stop -t 1 demo-web >/dev/null
"$build/berth" rm demo-web
"$build/berth" network rm demo-net
