#!/bin/sh
# make-busybox-bundle.sh DIR [--rootfs-only]
#
# Builds a minimal OCI bundle around the static busybox: DIR/rootfs holds
# bin/busybox, one symlink per applet, etc/passwd, etc/group and the empty
# mount points the default spec needs; DIR/config.json (unless --rootfs-only)
# comes from "$RUNTIME spec" with terminal=false and args ["sh"].
#
# The rootfs is built once into a cache ($BERTH_ROOTFS_CACHE, default
# /var/cache/berth-test/busybox-rootfs) and copied from there, so calling this
# for every test or benchmark run is cheap. Re-running on an existing DIR is
# safe: the rootfs is refreshed and an existing config.json is left alone.
#
# Environment:
#   RUNTIME             runtime used for "spec" (default: build/berth-runtime,
#                       then runc if that cannot write a spec yet)
#   BUSYBOX             static busybox to install (default: /bin/busybox)
#   BERTH_ROOTFS_CACHE  cache directory (see above)
set -eu

usage() { echo "usage: $0 DIR [--rootfs-only]" >&2; exit 2; }

dir=""
rootfs_only=0
for arg in "$@"; do
    case "$arg" in
        --rootfs-only) rootfs_only=1 ;;
        -h|--help) usage ;;
        -*) echo "unknown option: $arg" >&2; usage ;;
        *) [ -z "$dir" ] || usage; dir=$arg ;;
    esac
done
[ -n "$dir" ] || usage

here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
cache=${BERTH_ROOTFS_CACHE:-/var/cache/berth-test/busybox-rootfs}
runtime=${RUNTIME:-$here/../build/berth-runtime}

[ -x "$busybox" ] || { echo "$0: no busybox at $busybox (apt-get install busybox-static)" >&2; exit 1; }

# The cache is keyed by the busybox binary: a new busybox means new applets.
stamp_of() { stat -c '%s %Y %i' "$1"; }

build_cache() {
    tmp="$cache.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" \
             "$tmp/root" "$tmp/home/user" "$tmp/sbin" "$tmp/usr/bin" "$tmp/usr/sbin"
    chmod 1777 "$tmp/tmp"
    chmod 700 "$tmp/root"
    cp "$busybox" "$tmp/bin/busybox"
    # One symlink per applet, all in bin/ (PATH in the default spec covers it).
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
    done
    cat > "$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
    cat > "$tmp/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
GROUP
    echo "127.0.0.1 localhost" > "$tmp/etc/hosts"
    chown 1000:1000 "$tmp/home/user"
    stamp_of "$busybox" > "$tmp/.busybox-stamp"
    rm -rf "$cache"
    mv "$tmp" "$cache"
}

mkdir -p "$(dirname "$cache")"
if [ ! -f "$cache/.busybox-stamp" ] || [ "$(cat "$cache/.busybox-stamp")" != "$(stamp_of "$busybox")" ]; then
    # flock keeps parallel callers (pytest-xdist, benches) from racing the build.
    exec 9>"$(dirname "$cache")/.lock"
    flock 9
    if [ ! -f "$cache/.busybox-stamp" ] || [ "$(cat "$cache/.busybox-stamp")" != "$(stamp_of "$busybox")" ]; then
        build_cache
    fi
    exec 9>&-
fi

mkdir -p "$dir"
rm -rf "$dir/rootfs"
cp -a "$cache" "$dir/rootfs"
rm -f "$dir/rootfs/.busybox-stamp"

[ "$rootfs_only" -eq 1 ] && exit 0
[ -f "$dir/config.json" ] && exit 0

# "spec" writes config.json into the current directory.
make_spec() {
    (cd "$dir" && "$1" spec) >/dev/null 2>&1 && [ -s "$dir/config.json" ]
}
if ! { [ -x "$runtime" ] && make_spec "$runtime"; }; then
    rm -f "$dir/config.json"
    fallback=$(command -v runc || true)
    if [ -n "$fallback" ] && make_spec "$fallback"; then
        echo "$0: '$runtime spec' failed, used $fallback spec" >&2
    else
        echo "$0: cannot write config.json: neither '$runtime spec' nor runc worked" >&2
        exit 1
    fi
fi

# Non-interactive by default: a terminal needs a console socket.
if command -v jq >/dev/null 2>&1; then
    jq '.process.terminal = false | .process.args = ["sh"]' "$dir/config.json" > "$dir/config.json.new"
else
    /usr/bin/python3 - "$dir/config.json" > "$dir/config.json.new" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh"]
json.dump(c, sys.stdout, indent=2)
PY
fi
mv "$dir/config.json.new" "$dir/config.json"
