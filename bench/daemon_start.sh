#!/bin/sh
# daemon_start.sh: how long berthd takes from exec to answering its first API
# request (GET /version through the berth CLI), with an empty and with a loaded
# store; the issue's target is well under 100 ms. Medians from hyperfine.
#
# Environment: BERTHD, BERTH (default build/berthd, build/berth), RUNS (default 50),
#              BENCH_DIR (default /var/tmp/berth-bench-start)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
berthd=${BERTHD:-$repo/build/berthd}
berth=${BERTH:-$repo/build/berth}
runs=${RUNS:-50}
work=${BENCH_DIR:-/var/tmp/berth-bench-start}
results=$here/results
[ "$(id -u)" -eq 0 ] || { echo "daemon_start.sh: run as root" >&2; exit 1; }
[ -x "$berthd" ] && [ -x "$berth" ] || { echo "daemon_start.sh: build first (scripts/build.sh)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work" "$results"
trap 'rm -rf "$work"' EXIT

# One start: launch, ask for the version until it answers, stop (SIGTERM, wait).
cat > "$work/start_once.sh" <<SH
#!/bin/sh
"$berthd" --data-root "\$1/data" --exec-root "\$1/exec" -H "unix://\$1/b.sock" --log-level error &
pid=\$!
until "$berth" -H "unix://\$1/b.sock" version -f '{{.Server.Version}}' >/dev/null 2>&1; do :; done
kill \$pid
wait \$pid
SH

# A store with an image in it, so start-up includes opening a real database.
sh "$work/start_once.sh" "$work/loaded" >/dev/null 2>&1 &
"$berthd" --data-root "$work/loaded/data" --exec-root "$work/loaded/exec" -H "unix://$work/loaded/b.sock" \
    --log-level error &
pid=$!
until "$berth" -H "unix://$work/loaded/b.sock" version >/dev/null 2>&1; do sleep 0.01; done
RUNTIME=$repo/build/berth-runtime "$repo/scripts/make-busybox-bundle.sh" "$work/bb" --rootfs-only >/dev/null
tar -C "$work/bb/rootfs" -c . | "$berth" -H "unix://$work/loaded/b.sock" import - bench/busybox:1 >/dev/null
kill $pid
wait $pid || true

stamp=$(date -u +%Y%m%dT%H%M%SZ)
hyperfine -N --warmup 3 --runs "$runs" \
    --prepare "rm -rf $work/empty" \
    -n "empty store" "sh $work/start_once.sh $work/empty" \
    -n "one image" "sh $work/start_once.sh $work/loaded" \
    --export-json "$results/daemon_start-$stamp.json"
echo "(each figure includes one berth CLI request; the CLI alone: see below)"
"$berthd" --data-root "$work/loaded/data" --exec-root "$work/loaded/exec" -H "unix://$work/loaded/b.sock" \
    --log-level error &
pid=$!
until "$berth" -H "unix://$work/loaded/b.sock" version >/dev/null 2>&1; do sleep 0.01; done
hyperfine -N --warmup 3 --runs "$runs" -n "berth version" \
    "$berth -H unix://$work/loaded/b.sock version -f {{.Server.Version}}"
kill $pid
wait $pid || true
