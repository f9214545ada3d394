#!/bin/sh
# demo.sh: berth's main job, from a fresh Debian 12 machine: install what is
# needed, build, start berthd in a private root, import a busybox image (made
# from Debian's busybox-static) through the Docker Engine API with the berth CLI,
# show it as `docker images` would, and run a container from that image's layers
# with berth-runtime. (Until containers are served by berthd, the last step
# mounts the image's overlay and runs the OCI bundle itself.)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh" Release

build=$repo/build
work=${DEMO_DIR:-/tmp/berth-demo}
sock=$work/berth.sock
berthd_pid=""
cleanup() {
    umount "$work/bundle/rootfs" 2>/dev/null || true
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

# The container's root: an overlay over the image's layers, as berthd will mount it.
layers=$("$build/berth" image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox:demo)
mkdir -p "$work/bundle/rootfs" "$work/upper" "$work/work"
mount -t overlay overlay -o "lowerdir=$layers,upperdir=$work/upper,workdir=$work/work" \
    "$work/bundle/rootfs"
(cd "$work/bundle" && "$build/berth-runtime" spec)
# The container says who and where it is; the exit code is the container's.
jq '.process.terminal = false |
    .process.args = ["sh", "-c", "echo hello from berth: host $(hostname), pid $$, $(id); grep -E \"^(CapEff|NoNewPrivs|Seccomp):\" /proc/self/status"]' \
    "$work/bundle/config.json" > "$work/bundle/config.json.new"
mv "$work/bundle/config.json.new" "$work/bundle/config.json"
echo "+ berth-runtime run --bundle $work/bundle demo-$$"
"$build/berth-runtime" --root /run/berth-runtime run --bundle "$work/bundle" "demo-$$"
