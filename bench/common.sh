# Sourced by the engine benches (image_load.sh, image_pull.sh): paths, the
# binaries under test, and the root check. Sets here, repo, berthd, berth,
# docker_cli, results, py and PYTHONPATH (the test fixtures); defines die.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
berthd=${BERTHD:-$repo/build/berthd}
berth=${BERTH:-$repo/build/berth}
docker_cli=${BERTH_DOCKER_CLI:-/usr/bin/docker}
results=$here/results
py=/usr/bin/python3
export PYTHONPATH="$repo/tests/integration"

# berthd's networking names in the benches: never the host's berth0/berth.
bench_bridge=${BENCH_BRIDGE:-btbench0}
bench_table=${BENCH_NFT_TABLE:-bt_bench}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (both daemons need it)"

# Ends process $1: TERM, up to 15 s, then KILL.
stop_pid() {
    kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1"
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null || true
}

# Stops what the bench started ($berthd_pid, $registry_pid, the private dockerd
# under $work/dockerd) and removes $work.
cleanup() {
    [ -n "${berthd_pid:-}" ] && stop_pid "$berthd_pid"
    [ -n "${registry_pid:-}" ] && stop_pid "$registry_pid"
    [ -f "$work/dockerd/fixture.json" ] && $py "$repo/tests/integration/dockerd.py" stop "$work/dockerd"
    # berthd's bridges and tables stay after it (as docker0 does): not on this host.
    if [ -n "${berthd_pid:-}" ]; then
        for rec in "$work"/berthd/data/network/networks/*.json; do
            [ -f "$rec" ] && b=$(jq -r '.Bridge // empty' "$rec") && [ -n "$b" ] && ip link delete "$b" 2>/dev/null
        done
        ip link delete "$bench_bridge" 2>/dev/null || true
        nft delete table inet "$bench_table" 2>/dev/null || true
        nft delete table bridge "$bench_table" 2>/dev/null || true
    fi
    # Whatever berthd left mounted (a bug to report, but not to leave on the host).
    grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$work"
}

# A fresh $work (and $results), cleaned up at exit; sets $stamp for result files.
start_work() {
    rm -rf "$work"
    mkdir -p "$work" "$results"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
}

# Starts berthd in $work/berthd (private roots, socket $sock, log $work/berthd.log),
# sets berthd_pid and sock, and waits for its /_ping; returns 1 if it never answers.
start_berthd() {
    mkdir -p "$work/berthd"
    sock=$work/berthd/berth.sock
    "$berthd" --data-root "$work/berthd/data" --exec-root "$work/berthd/exec" -H "unix://$sock" \
        --bridge "$bench_bridge" --nft-table "$bench_table" \
        --log-level warn </dev/null >"$work/berthd.log" 2>&1 &
    berthd_pid=$!
    $py -c "import unixhttp, sys; sys.exit(0 if unixhttp.wait_for_ping(sys.argv[1], 20) else 1)" "$sock"
}
