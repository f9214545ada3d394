#!/bin/sh
# test.sh: builds berth (warnings are errors) and runs every test: the GoogleTest
# unit tests, then the pytest integration suite with real containers. Run as
# root on Debian 12; installs what it needs first. Exit code 0 only if all pass.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh" Release

echo "== unit tests"
(cd "$repo/build" && ctest --output-on-failure -j2 --timeout 120)

echo "== integration tests"
# Debian's python3 (with python3-pytest), not whatever python3 is first on PATH.
BERTH_RUNTIME=$repo/build/berth-runtime /usr/bin/python3 -m pytest "$repo/tests/integration" -q \
    -p no:cacheprovider
