#!/bin/sh
# build.sh [Release|Debug]: configures and builds berth with warnings as errors
# into build/ (Release, the default) or build-debug/.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
type=${1:-Release}
case "$type" in
    Release) dir=$repo/build ;;
    Debug) dir=$repo/build-debug ;;
    *) echo "build.sh: build type must be Release or Debug, not $type" >&2; exit 2 ;;
esac
cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DBERTH_WERROR=ON >/dev/null
ninja -C "$dir"
