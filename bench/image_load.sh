#!/bin/sh
# image_load.sh: image-store costs of berthd next to Debian's dockerd 20.10,
# each in a private root (see bench/README.md):
#   1. `load -i` of a multi-layer Debian docker-archive into an empty store;
#   2. `images` with 500 tags on one image;
#   3. idle resident memory right after start (dockerd counted with its containerd).
# The berth side runs when build/berthd and build/berth exist; else it is
# skipped with a message and only docker's figures are printed.
#
# Environment:
#   BERTHD, BERTH      binaries (default: build/berthd, build/berth of this checkout)
#   BERTH_DOCKER_CLI   docker CLI (default /usr/bin/docker, docker.io's, same release as dockerd)
#   LOAD_RUNS          timed loads per engine (default 5; each round first removes the image)
#   LIST_RUNS          timed `images` per engine (default 30, after 3 warm-ups)
#   TAGS               tags for the listing (default 500)
#   LAYERS             layers of the Debian archive (default 8)
#   BENCH_DIR          scratch directory, on disk (default /var/tmp/berth-bench-image;
#                      removed and rebuilt each time)
set -eu

. "$(dirname "$0")/common.sh"
load_runs=${LOAD_RUNS:-5}
list_runs=${LIST_RUNS:-30}
tags=${TAGS:-500}
layers=${LAYERS:-8}
work=${BENCH_DIR:-/var/tmp/berth-bench-image}
for t in hyperfine jq "$docker_cli"; do
    command -v "$t" >/dev/null || die "$t is not installed (scripts/setup.sh)"
done

berthd_pid=""
start_work
debian_tag=berth-bench/debian:bookworm
busybox_tag=berth-bench/busybox:latest

echo "building the archives (cached under /var/cache/berth-test)..."
archive=$work/debian.tar
busybox=$work/busybox.tar
$py -c "import images, sys; images.debian_docker_archive(sys.argv[1], layers=int(sys.argv[2]))" \
    "$archive" "$layers"
$py -c "import images, sys; images.busybox_docker_archive(sys.argv[1], tag=sys.argv[2])" \
    "$busybox" "$busybox_tag"
echo "  $archive: $(($(stat -c %s "$archive") / 1048576)) MiB, $layers layers"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---------------------------------------------------------------- engines
# name -> "cli -H host" and pids, in small files (POSIX sh has no arrays).
engines=""
add_engine() { # name cli host sock
    engines="$engines $1"
    printf '%s -H %s' "$2" "$3" > "$work/$1.cli"
    printf '%s' "$4" > "$work/$1.sock"
}

info=$($py "$repo/tests/integration/dockerd.py" start "$work/dockerd")
export DOCKER_CONFIG
DOCKER_CONFIG=$(echo "$info" | jq -r .config)   # the private CLI config, not ~/.docker
add_engine docker "$docker_cli" "$(echo "$info" | jq -r .host)" "$(echo "$info" | jq -r .sock)"
dockerd_pid=$(echo "$info" | jq -r .dockerd)
containerd_pid=$(echo "$info" | jq -r .containerd)

if [ -x "$berthd" ] && [ -x "$berth" ]; then
    if start_berthd; then
        add_engine berth "$berth" "unix://$sock" "$sock"
    else
        echo "skipping berth: berthd did not answer /_ping within 20 s; its log:" >&2
        sed 's/^/    /' "$work/berthd.log" >&2
    fi
else
    echo "skipping berth: no $berthd or $berth (build them: scripts/build.sh)" >&2
fi

# ---------------------------------------------------------------- idle memory
sleep 2   # let both settle after start
echo
echo "idle RSS after start (kB, /proc/<pid>/status VmRSS):"
d_rss=$(rss "$dockerd_pid") c_rss=$(rss "$containerd_pid")
echo "  docker: dockerd $d_rss + containerd $c_rss = $((d_rss + c_rss))"
b_rss=""
if [ -f "$work/berth.cli" ]; then
    b_rss=$(rss "$berthd_pid")
    echo "  berth:  berthd $b_rss"
fi
jq -n --argjson d "$d_rss" --argjson c "$c_rss" --arg b "$b_rss" \
    '{dockerd_kb: $d, containerd_kb: $c, berthd_kb: ($b | if . == "" then null else tonumber end)}' \
    > "$results/image_rss-$stamp.json"

median_ms() { jq '.results[0].median * 1000 * 10 | round / 10' "$1"; }
report() { # label unit-file-prefix
    echo "$1: medians (ms)"
    d=""; b=""
    for e in $engines; do
        m=$(median_ms "$work/$2-$e.json")
        echo "  $e	$m"
        [ "$e" = docker ] && d=$m || b=$m
    done
    if [ -n "$b" ]; then
        echo "  docker/berth: berth is $(jq -n "$d / $b * 100 | round / 100")x faster"
    fi
    jq -s '[.[].results[0]]' "$work/$2"-*.json > "$results/$2-$stamp.json"
    echo "  JSON: $results/$2-$stamp.json"
    echo
}

# ---------------------------------------------------------------- load
# Each timed run starts from an empty store: the prepare step removes the image
# (and so its layers: nothing else shares them) and flushes dirty pages, so one
# run's writeback does not land in the next one's time.
echo
for e in $engines; do
    cli=$(cat "$work/$e.cli")
    $cli load -i "$archive" >/dev/null || die "$e: load of $archive fails"
    hyperfine -N --warmup 1 --runs "$load_runs" --export-json "$work/image_load-$e.json" \
        --prepare "sh -c '$cli rmi -f $debian_tag >/dev/null 2>&1; sync'" \
        -n "$e" "$cli load -i $archive"
    $cli rmi -f "$debian_tag" >/dev/null
done
report "load -i of the $layers-layer Debian archive ($load_runs runs)" image_load

# ---------------------------------------------------------------- images, many tags
for e in $engines; do
    cli=$(cat "$work/$e.cli")
    $cli load -i "$busybox" >/dev/null || die "$e: load of $busybox fails"
    # Tagging through the API directly: 500 CLI processes would take longer
    # than the benchmark.
    $py - "$(cat "$work/$e.sock")" "$busybox_tag" "$tags" <<'PY' || die "$e: tagging failed"
import sys, unixhttp
sock, ref, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    r = unixhttp.request(sock, "POST", f"/images/{ref}/tag?repo=berth-bench/tag&tag=t{i:04d}")
    if r.status != 201:
        sys.exit(f"POST /images/{ref}/tag answered {r.status}: {r.body[:200]!r}")
PY
    lines=$($cli images | wc -l)
    # One line per tag plus the original tag plus the header: a lister that
    # prints less is not doing the same work.
    [ "$lines" -ge $((tags + 2)) ] || die "$e: 'images' printed $lines lines, expected at least $((tags + 2))"
    hyperfine -N --warmup 3 --runs "$list_runs" --export-json "$work/image_list-$e.json" \
        -n "$e" "$cli images"
done
report "images with $tags tags on one image ($list_runs runs)" image_list
