#!/bin/sh
# demo.sh: berth's main job, from a fresh Debian 12 machine: install what is
# needed, build, start berthd in a private root, import a busybox image (made
# from Debian's busybox-static) through the Docker Engine API with the berth CLI,
# show it as `docker images` would, and run containers from it through berthd
# with `berth run`: one in the foreground, one detached with logs, exec and stop.
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
    rm -rf "$work"
}
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"

echo "+ berthd --data-root $work/data --exec-root $work/exec -H unix://$sock"
"$build/berthd" --data-root "$work/data" --exec-root "$work/exec" -H "unix://$sock" \
    --log-level warn &
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
echo "+ berth run -d --name demo-web busybox:demo sh -c 'echo serving; exec sleep 600'"
"$build/berth" run -d --name demo-web busybox:demo sh -c 'echo serving; exec sleep 600'
echo "+ berth ps"
"$build/berth" ps
echo "+ berth exec demo-web ps"
"$build/berth" exec demo-web ps
echo "+ berth logs demo-web"
"$build/berth" logs demo-web
echo "+ berth stop -t 1 demo-web && berth rm demo-web"
"$build/berth" stop -t 1 demo-web >/dev/null
"$build/berth" rm demo-web
