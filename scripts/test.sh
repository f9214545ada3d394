#!/bin/sh
# test.sh: builds berth (warnings are errors) and runs every test: the GoogleTest
# unit tests, then the pytest integration suite with real containers, then the
# integration suite again against a runtime built with ASan and UBSan. Run as root
# on Debian 12; installs what it needs first. Exit code 0 only if all pass.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh" Release

echo "== unit tests"
(cd "$repo/build" && ctest --output-on-failure -j2 --timeout 120)

# Debian's python3 (with python3-pytest), not whatever python3 is first on PATH.
integration() { # build directory
    BERTH_RUNTIME=$1/berth-runtime BERTHD=$1/berthd BERTH=$1/berth \
        BERTH_MONITOR=$1/berth-monitor BERTH_INIT=$1/berth-init \
        /usr/bin/python3 -m pytest "$repo/tests/integration" -q -p no:cacheprovider
}
echo "== integration tests"
integration "$repo/build"

echo "== integration tests, runtime and daemon under AddressSanitizer + UndefinedBehaviorSanitizer"
# Only the runtime: unit tests that load strict seccomp allow-lists in a forked
# child cannot also satisfy the sanitizers' own syscalls.
"$repo/scripts/build.sh" Sanitize
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    integration "$repo/build-asan"
