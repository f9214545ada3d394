#!/bin/sh
# network.sh: networking, side by side in one run (bench/README.md):
#   1. `run --rm busybox true` on the default bridge: berth vs docker (Debian's
#      dockerd, private root, its own docker0 bridge), plus both with network
#      none for what networking adds; hyperfine medians over RUNS runs.
#   2. Throughput of a published TCP port: SIZE MiB sent from the host to a
#      sink in a container (a static C program built here: accept one
#      connection, read it to the end with 1 MiB reads) through
#      127.0.0.1:<published port>, with berth (kernel DNAT) and docker (its
#      userland proxy), against the same sink run on the host and reached
#      directly on loopback; and, to tell NAT's cost from the veth's, berth's
#      container reached at its own address (no DNAT). Medians of ROUNDS.
#
# Environment: BERTHD, BERTH, BERTH_DOCKER_CLI as the other benches; RUNS (30),
# ROUNDS (5), SIZE (2048 MiB), BENCH_DIR (/var/tmp/berth-bench-net).
set -eu

. "$(dirname "$0")/common.sh"
runs=${RUNS:-30}
rounds=${ROUNDS:-5}
size=${SIZE:-2048}
work=${BENCH_DIR:-/var/tmp/berth-bench-net}
for t in hyperfine jq cc "$docker_cli" "$berthd" "$berth"; do
    command -v "$t" >/dev/null || die "$t is not installed (scripts/setup.sh, scripts/build.sh)"
done

berthd_pid=""
start_work
cleanup_all() {
    [ -n "${bcli:-}" ] && $bcli ps -aq | xargs -r $bcli rm -f >/dev/null 2>&1 || true
    [ -n "${dcli:-}" ] && $dcli ps -aq | xargs -r $dcli rm -f >/dev/null 2>&1 || true
    [ -n "${sink_pid:-}" ] && kill "$sink_pid" 2>/dev/null || true
    cleanup
}
trap cleanup_all EXIT

archive=$work/busybox.tar
$py -c "import images, sys; images.busybox_docker_archive(sys.argv[1])" "$archive"
start_berthd || die "berthd did not answer /_ping within 20 s: $(cat "$work/berthd.log")"
bcli="$berth -H unix://$sock"
$bcli load -i "$archive" >/dev/null
export BERTH_DOCKERD_BRIDGE=10.251.0.1/24
info=$($py "$repo/tests/integration/dockerd.py" start "$work/dockerd")
export DOCKER_CONFIG
DOCKER_CONFIG=$(echo "$info" | jq -r .config)
dcli="$docker_cli -H $(echo "$info" | jq -r .host)"
$dcli load -i "$archive" >/dev/null

echo "== run --rm busybox true ($runs runs each)"
hyperfine -N -w 3 -r "$runs" --export-json "$results/network_run-$stamp.json" \
    -n berth-bridge "$bcli run --rm busybox:latest true" \
    -n berth-none "$bcli run --rm --network none busybox:latest true" \
    -n docker-bridge "$dcli run --rm busybox:latest true" \
    -n docker-none "$dcli run --rm --network none busybox:latest true" >/dev/null
jq -r '(.results[] | select(.command == "berth-bridge") | .median) as $b |
    .results[] | "\(.command)\tmedian \(.median * 10000 | round / 10) ms\tmean \(.mean * 10000 | round / 10) ms\t\(.median / $b * 10 | round / 10)x berth-bridge"' \
    "$results/network_run-$stamp.json"

# Sends $size MiB to ${2:-127.0.0.1}:$1 and prints MiB/s (the sink closes at EOF).
blast() {
    $py - "$1" "$size" "${2:-127.0.0.1}" <<'PY'
import socket, sys, time
port, size, host = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
buf = b"\0" * (1 << 20)
s = socket.create_connection((host, port))
t0 = time.monotonic()
for _ in range(size):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # the sink's close: everything was read
print(f"{size / (time.monotonic() - t0):.0f}")
PY
}
# The sink: static, so it runs in the busybox image and on the host alike.
cat >"$work/sink.c" <<'C'
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
static char buf[1 << 20];
int main(int argc, char **argv) {
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1)) return 1;
    int c = accept(fd, 0, 0);
    while (read(c, buf, sizeof buf) > 0) {}
    return close(c);
}
C
cc -static -O2 -o "$work/sink" "$work/sink.c" || die "cannot build the sink (cc -static)"

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
wait_listen() {  # waits until something listens on TCP port $1 (in netns of pid $2 when given)
    i=0
    while [ $i -lt 100 ]; do
        if [ -n "${2:-}" ]; then nsenter -t "$2" -n ss -Hltn "sport = :$3" | grep -q . && return 0
        else ss -Hltn "sport = :$1" | grep -q LISTEN && return 0; fi
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
published() {  # $1 cli: one round through a published port ($2 = bypass: to the container's address)
    cli=$1
    port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
    id=$($cli run -d -p "$port:5001" -v "$work/sink:/sink:ro" busybox:latest /sink 5001)
    pid=$($cli inspect -f '{{.State.Pid}}' "$id")
    wait_listen "" "$pid" 5001 || die "the sink in $id never listened"
    if [ "${2:-}" = bypass ]; then blast 5001 "$($cli inspect -f '{{.NetworkSettings.IPAddress}}' "$id")"
    else blast "$port"; fi
    $cli rm -f "$id" >/dev/null
}
direct() {
    port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
    "$work/sink" "$port" & sink_pid=$!
    wait_listen "$port" || die "the direct sink never listened"
    blast "$port"
    wait "$sink_pid" 2>/dev/null || true
}

echo "== published TCP port throughput, $size MiB per round, median of $rounds"
for who in direct berth berth-bypass docker; do
    : >"$work/$who.mibs"
    r=0
    while [ $r -lt "$rounds" ]; do
        case $who in
            direct) direct >>"$work/$who.mibs" ;;
            berth) published "$bcli" >>"$work/$who.mibs" ;;
            berth-bypass) published "$bcli" bypass >>"$work/$who.mibs" ;;
            docker) published "$dcli" >>"$work/$who.mibs" ;;
        esac
        r=$((r + 1))
    done
done
d=$(median <"$work/direct.mibs")
for who in direct berth berth-bypass docker; do
    m=$(median <"$work/$who.mibs")
    echo "$who	median $m MiB/s	$(echo "scale=2; $m / $d" | bc)x direct	(rounds: $(tr '\n' ' ' <"$work/$who.mibs"))"
done | tee "$results/network_throughput-$stamp.txt"
