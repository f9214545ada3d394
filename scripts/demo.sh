#!/bin/sh
# demo.sh: berth's main job, from a fresh Debian 12 machine: install what is
# needed, build, make a busybox bundle from Debian's busybox-static, and run a
# container in it with `berth-runtime run`.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh" Release

runtime=$repo/build/berth-runtime
bundle=${DEMO_BUNDLE:-/tmp/berth-demo-bundle}
rm -rf "$bundle"
RUNTIME=$runtime "$repo/scripts/make-busybox-bundle.sh" "$bundle" >/dev/null
# The container says who and where it is; the exit code is the container's.
jq '.process.args = ["sh", "-c", "echo hello from berth: host $(hostname), pid $$, $(id); grep -E \"^(CapEff|NoNewPrivs|Seccomp):\" /proc/self/status"]' \
    "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
echo "+ berth-runtime run --bundle $bundle demo-$$"
exec "$runtime" --root /run/berth-runtime run --bundle "$bundle" "demo-$$"
