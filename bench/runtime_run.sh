#!/bin/sh
# runtime_run.sh: time a whole `run` of a container running /bin/true
# (create namespaces, cgroups, rootfs, exec, wait, delete) with runc and with
# berth-runtime, side by side, plus a bare floor (unshare + chroot, no
# runtime). See bench/README.md.
#
# Environment:
#   BERTH_RUNTIME  berth binary (default: build/berth-runtime of this checkout)
#   RUNC           runc binary (default: runc on PATH)
#   RUNS, WARMUP   hyperfine --runs / --warmup (default 50 / 5)
#   BENCH_DIR      scratch directory for the bundle (state roots: /run/berth-bench)
#                  (default /tmp/berth-bench; removed and rebuilt each time)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
berth=${BERTH_RUNTIME:-$repo/build/berth-runtime}
runc=${RUNC:-$(command -v runc || true)}
runs=${RUNS:-50}
warmup=${WARMUP:-5}
work=${BENCH_DIR:-/tmp/berth-bench}
results=$here/results

die() { echo "runtime_run.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (containers need it)"
command -v hyperfine >/dev/null || die "hyperfine is not installed"
command -v jq >/dev/null || die "jq is not installed"

state_base=/run/berth-bench
rm -rf "$work" "$state_base"
mkdir -p "$work" "$results"
bundle=$work/bundle
RUNTIME=${runc:-$berth} "$repo/scripts/make-busybox-bundle.sh" "$bundle" >/dev/null

# /bin/true in the default spec (namespaces, mounts, masked paths, caps...),
# with a fixed cgroup per runtime so both pay for cgroup setup and teardown.
jq '.process.args = ["/bin/true"] | .process.terminal = false' \
    "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

# A runtime takes part only if it can run the bundle at all; hyperfine would
# otherwise abort on the first non-zero exit.
cmds=$work/commands
: > "$cmds"
add() { printf '%s\n%s\n' "$1" "$2" >> "$cmds"; }
check_and_add() { # name binary
    [ -n "$2" ] && [ -x "$2" ] || { echo "skipping $1: no binary at '${2:-?}'" >&2; return 0; }
    # State roots live on /run (tmpfs), where both runtimes keep them by default.
    state=$state_base/state-$1
    if "$2" --root "$state" run --bundle "$bundle" "bench-$1" </dev/null >"$work/$1.check" 2>&1; then
        add "$1" "$2 --root $state run --bundle $bundle bench-$1"
    else
        echo "skipping $1: '$2 run' fails on the bench bundle:" >&2
        sed 's/^/    /' "$work/$1.check" >&2
        "$2" --root "$state" delete --force "bench-$1" >/dev/null 2>&1 || true
    fi
}
check_and_add runc "$runc"
check_and_add berth "$berth"
# The floor: the namespaces a container gets and a chroot, no runtime at all.
if unshare --mount --uts --ipc --net --pid --fork chroot "$bundle/rootfs" /bin/true 2>/dev/null; then
    add floor "unshare --mount --uts --ipc --net --pid --fork chroot $bundle/rootfs /bin/true"
fi
[ -s "$cmds" ] || die "nothing to benchmark"

stamp=$(date -u +%Y%m%dT%H%M%SZ)

# One hyperfine round; prints the medians and the berth/runc ratio.
round() { # label json [extra hyperfine args...]
    label=$1 json=$2
    shift 2
    # hyperfine's "-n name command" list, one argument a line (commands hold spaces).
    args_file=$work/args
    hyperfine_args() {
        while IFS= read -r name && IFS= read -r cmd; do
            printf '%s\n%s\n%s\n' -n "$name" "$cmd"
        done < "$cmds"
    }
    hyperfine_args > "$args_file"
    # shellcheck disable=SC2046
    (IFS='
'; hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" "$@" $(cat "$args_file"))
    echo
    echo "$label: medians (ms), $runs runs each; JSON: $json"
    jq -r '.results[] | "  \(.command)\t\(.median * 1000 * 100 | round / 100)"' "$json"
    runc_median=$(jq '[.results[] | select(.command == "runc") | .median][0] // empty' "$json")
    berth_median=$(jq '[.results[] | select(.command == "berth") | .median][0] // empty' "$json")
    if [ -n "$runc_median" ] && [ -n "$berth_median" ]; then
        echo "  runc/berth: berth is $(jq -n "$runc_median / $berth_median * 100 | round / 100")x faster"
    fi
    echo
}

# Back to back: each run starts right after the previous one ended.
round "back to back" "$results/runtime_run-$stamp.json"
# Spaced: 50 ms idle before each run, as container starts arrive in practice.
# This matters on cgroup v1, where moving a process into a cgroup through
# cgroup.procs waits for an RCU grace period unless another migration happened
# moments before (which back-to-back runs hide).
round "spaced by 50 ms" "$results/runtime_run-spaced-$stamp.json" --prepare "sleep 0.05"
