#!/bin/sh
# build.sh [Release|Debug|Sanitize]: configures and builds berth with warnings as
# errors into build/ (Release, the default), build-debug/, or build-asan/
# (Debug with AddressSanitizer and UndefinedBehaviorSanitizer; dynamically linked,
# as the sanitizers need).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
type=${1:-Release}
extra=""
targets=""
case "$type" in
    Release) dir=$repo/build ;;
    Debug) dir=$repo/build-debug ;;
    Sanitize)
        dir=$repo/build-asan
        type=Debug
        extra="-DBERTH_STATIC_RUNTIME=OFF"
        targets="berth-runtime berth-monitor berth-init berthd berth"  # the sanitized build is for the integration suite
        flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
        ;;
    *) echo "build.sh: build type must be Release, Debug or Sanitize, not $type" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DBERTH_WERROR=ON $extra \
    ${flags:+"-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags"} >/dev/null
# shellcheck disable=SC2086
ninja -C "$dir" $targets
