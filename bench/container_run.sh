#!/bin/sh
# container_run.sh: running containers, side by side in one run (bench/README.md):
#   1. `run --rm busybox true` end to end (create, attach, start, wait, remove):
#      berth (berthd) vs docker (Debian's dockerd, private root) vs podman, all
#      with network none, hyperfine medians over RUNS runs after 3 warm-ups;
#      also berth on the default network mode.
#   2. MANY detached `sleep` containers on berth (default 1000): total time, host
#      memory per container (MemAvailable before/after, and the monitors' private
#      RSS), `berth ps` time with them all; then docker with DOCKER_MANY (default
#      50) for its per-container cost.
#
# Environment:
#   BERTHD, BERTH      binaries (default: build/berthd, build/berth of this checkout)
#   BERTH_DOCKER_CLI   docker CLI (default /usr/bin/docker)
#   RUNS               timed runs per contender (default 30)
#   MANY, DOCKER_MANY  container counts for part 2 (default 1000 and 50)
#   BENCH_DIR          scratch directory (default /var/tmp/berth-bench-run)
set -eu

. "$(dirname "$0")/common.sh"
runs=${RUNS:-30}
many=${MANY:-1000}
docker_many=${DOCKER_MANY:-50}
work=${BENCH_DIR:-/var/tmp/berth-bench-run}
for t in hyperfine jq "$docker_cli" "$berthd" "$berth"; do
    command -v "$t" >/dev/null || die "$t is not installed (scripts/setup.sh, scripts/build.sh)"
done
have_podman=$(command -v podman || true)

berthd_pid=""
start_work
podman_root=$work/podman
cleanup_all() {
    [ -n "$have_podman" ] && env -u DOCKER_CONFIG podman --root "$podman_root/root" --runroot "$podman_root/run" rm -af >/dev/null 2>&1 || true
    [ -n "${bcli:-}" ] && $bcli ps -aq | xargs -r $bcli rm -f >/dev/null 2>&1 || true
    cleanup
}
trap cleanup_all EXIT

archive=$work/busybox.tar
$py -c "import images, sys; images.busybox_docker_archive(sys.argv[1])" "$archive"

start_berthd || die "berthd did not answer /_ping within 20 s: $(cat "$work/berthd.log")"
bcli="$berth -H unix://$sock"
$bcli load -i "$archive" >/dev/null

info=$($py "$repo/tests/integration/dockerd.py" start "$work/dockerd")
export DOCKER_CONFIG
DOCKER_CONFIG=$(echo "$info" | jq -r .config)
dcli="$docker_cli -H $(echo "$info" | jq -r .host)"
$dcli load -i "$archive" >/dev/null

# Contenders as name=command lines; one that can't run here is left out with its
# error shown, not timed.
contenders="berth=$bcli run --rm --network none busybox:latest true
berth-default=$bcli run --rm busybox:latest true
docker=$dcli run --rm --network none busybox:latest true"
if [ -n "$have_podman" ]; then
    pcli="podman --root $podman_root/root --runroot $podman_root/run --cgroup-manager cgroupfs --events-backend none"
    env -u DOCKER_CONFIG $pcli load -i "$archive" >/dev/null 2>&1
    # podman asks for RLIMIT_NOFILE/NPROC above what this sandbox's hard limits allow
    # (runc then fails with EPERM): give it limits the caller has.
    contenders="$contenders
podman=env -u DOCKER_CONFIG $pcli run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 busybox:latest true"
else
    echo "podman is not installed: its row is left out (apt-get install podman)"
fi
set --
while IFS= read -r line; do
    name=${line%%=*} cmd=${line#*=}
    # shellcheck disable=SC2086
    if out=$($cmd 2>&1); then
        set -- "$@" -n "$name" "$cmd"
    else
        echo "$name cannot run here, left out: $out"
    fi
done <<EOF2
$contenders
EOF2
echo "== run --rm busybox true ($runs runs each)"
hyperfine -N -w 3 -r "$runs" --export-json "$results/container_run-$stamp.json" "$@" >/dev/null
# The names given with -n are hyperfine's "command"; ratios against berth's median.
jq -r '(.results[] | select(.command == "berth") | .median) as $b |
    .results[] | "\(.command)\tmedian \(.median * 10000 | round / 10) ms\tmean \(.mean * 10000 | round / 10) ms\t\(.median / $b * 10 | round / 10)x berth"' \
    "$results/container_run-$stamp.json"

mem_avail_kb() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }
private_kb() {  # summed Private_Clean+Private_Dirty of the pids on stdin
    total=0
    while read -r p; do
        v=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        total=$((total + v))
    done
    echo "$total"
}

# Starts $2 detached sleep containers with CLI $1 one at a time; prints the total
# time, the host's memory per container, and the private memory of the helper
# processes matching pattern $3 (berth's monitors, docker's shims).
many_containers() {
    cli=$1 n=$2 helpers=$3
    sync; echo 3 > /proc/sys/vm/drop_caches
    before=$(mem_avail_kb)
    t0=$(date +%s.%N)
    i=0
    while [ $i -lt "$n" ]; do $cli run -d --network none busybox:latest sleep 100000 >/dev/null; i=$((i + 1)); done
    t1=$(date +%s.%N)
    sleep 2
    after=$(mem_avail_kb)
    count=$(pgrep -f "$helpers" | wc -l)
    private=$(pgrep -f "$helpers" | private_kb)
    echo "  total $(echo "$t1 - $t0" | bc) s for $n (one at a time from the CLI)"
    echo "  host memory per container: $(( (before - after) / n )) KiB (MemAvailable delta)"
    echo "  helper processes ($helpers): $count, private RSS each: $(( private / (count > 0 ? count : 1) )) KiB"
}

echo "== $many detached sleep containers on berth"
many_containers "$bcli" "$many" "berth-monitor $work/"
echo "  berthd RSS: $(awk '/^VmRSS:/ {print $2}' /proc/$berthd_pid/status) KiB"
hyperfine -N -w 2 -r 10 -n "berth ps ($many running)" "$bcli ps" -n "berth ps -a" "$bcli ps -a" 2>/dev/null | grep -E "Time|berth ps"
t0=$(date +%s.%N)
$bcli ps -aq | xargs $bcli rm -f >/dev/null
echo "  removing all: $(echo "$(date +%s.%N) - $t0" | bc) s"

echo "== $docker_many detached sleep containers on docker"
many_containers "$dcli" "$docker_many" "containerd-shim"
$dcli ps -aq | xargs -r $dcli rm -f >/dev/null
