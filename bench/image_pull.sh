#!/bin/sh
# image_pull.sh: pulling one multi-layer image (>= 200 MB unpacked) from one local
# registry, side by side in one run (see bench/README.md):
#   berth pull (berthd, private root)  vs  docker pull (Debian's dockerd, private root)
#   vs skopeo copy to a fresh dir:  vs  the floor: download every layer blob and
#   gunzip it to /dev/null, 3 at a time, as a pull would  vs  the same piped
#   into tar -x (the floor for a pull that writes the files).
# Each timed run starts cold: the image is removed (and `sync`ed) first, skopeo
# gets an empty directory.
#
# Environment:
#   BERTHD, BERTH      binaries (default: build/berthd, build/berth of this checkout)
#   BERTH_DOCKER_CLI   docker CLI (default /usr/bin/docker, docker.io's, same release as dockerd)
#   RUNS               timed pulls per contender (default 5, after 1 warm-up)
#   EXTRA_MB           MiB of generated files in each of the 3 extra layers (default 36)
#   PARALLEL           layers fetched at once by the floor (default 3: berth's and docker's)
#   BENCH_DIR          scratch directory, on disk (default /var/tmp/berth-bench-pull;
#                      removed and rebuilt each time)
set -eu

. "$(dirname "$0")/common.sh"
runs=${RUNS:-5}
extra_mb=${EXTRA_MB:-36}
parallel=${PARALLEL:-3}
work=${BENCH_DIR:-/var/tmp/berth-bench-pull}
for t in hyperfine jq curl gunzip skopeo "$docker_cli" "$berthd" "$berth"; do
    command -v "$t" >/dev/null || die "$t is not installed (scripts/setup.sh, scripts/build.sh)"
done

berthd_pid="" registry_pid=""
start_work

# ---------------------------------------------------------------- the image
# Debian 12 minbase in 8 layers plus 3 layers of generated files: half random
# bytes, half repeated text, so gzip halves them as it would binaries.
echo "building the image (Debian archive cached under /var/cache/berth-test)..."
archive=$work/image.tar
$py - "$archive" "$extra_mb" "$work/layers" <<'PY'
import io, json, random, sys, tarfile
from pathlib import Path
import images

dest, extra_mb, tmp = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
tmp.mkdir()
debian = images.debian_docker_archive(tmp / "debian.tar", layers=8)
paths = []
with tarfile.open(debian) as tf:
    for i, name in enumerate(json.load(tf.extractfile("manifest.json"))[0]["Layers"]):
        p = tmp / f"debian-{i}.tar"
        p.write_bytes(tf.extractfile(name).read())
        paths.append(p)
rng = random.Random(4)
half = 32 << 10
for k in range(3):
    p = tmp / f"gen-{k}.tar"
    with tarfile.open(p, "w", format=tarfile.GNU_FORMAT) as tf:
        for f in range(extra_mb // 4):
            pattern = b"berth bench layer %d file %d\n" % (k, f)
            text = (pattern * (half // len(pattern) + 1))[:half]
            data = b"".join(rng.randbytes(half) + text for _ in range((4 << 20) // (2 * half)))
            info = tarfile.TarInfo(f"opt/gen{k}/file{f:03d}.bin")
            info.size, info.mode, info.mtime = len(data), 0o644, 1704067200
            tf.addfile(info, io.BytesIO(data))
    paths.append(p)
img = images.Image(paths, [f"debian part {i}" for i in range(8)] + [f"generated {k}" for k in range(3)],
                   {"Env": [images.ENV_PATH], "Cmd": ["bash"]})
images.write_docker_archive(img, dest, ["berth-bench/pull:1"])
total = sum(p.stat().st_size for p in paths)
print(f"  {len(paths)} layers, {total / 1048576:.0f} MiB unpacked")
PY
rm -rf "$work/layers"

# ---------------------------------------------------------------- registry, daemons
reg=$($py - "$work/registry" <<'PY'
import sys
from pathlib import Path
from registry import Registry
r = Registry(Path(sys.argv[1])).start()
print(r.host, r.proc.pid)
PY
)
host=${reg% *} registry_pid=${reg#* }
name=$host/bench/pull:1

start_berthd || die "berthd did not answer /_ping within 20 s: $(cat "$work/berthd.log")"
bcli="$berth -H unix://$sock"

info=$($py "$repo/tests/integration/dockerd.py" start "$work/dockerd")
export DOCKER_CONFIG
DOCKER_CONFIG=$(echo "$info" | jq -r .config)
dcli="$docker_cli -H $(echo "$info" | jq -r .host)"

echo "pushing $name with berth..."
$bcli load -i "$archive" >/dev/null
$bcli tag berth-bench/pull:1 "$name"
$bcli push "$name" >/dev/null
$bcli rmi -f berth-bench/pull:1 "$name" >/dev/null
rm -f "$archive"

manifest=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$host/v2/bench/pull/manifests/1")
echo "$manifest" | jq -r '.layers[].digest' > "$work/layers.txt"
echo "  $(wc -l < "$work/layers.txt") layers, $(echo "$manifest" | jq '[.layers[].size] | add / 1048576 | round') MiB compressed"

# The floor: every layer's bytes over HTTP and through gunzip, nothing written.
# And the floor with the files: the same, untarred by GNU tar into a fresh
# directory per layer on the store's filesystem (where creating files can cost
# more than all the rest, see bench/README.md).
cat > "$work/floor.sh" <<EOF
#!/bin/sh
set -e
xargs -P $parallel -I{} sh -c 'curl -sf http://$host/v2/bench/pull/blobs/{} | gunzip > /dev/null' < $work/layers.txt
EOF
cat > "$work/floor-tar.sh" <<EOF
#!/bin/sh
set -e
rm -rf $work/untar
mkdir $work/untar
xargs -P $parallel -I{} sh -c 'mkdir $work/untar/{} && curl -sf http://$host/v2/bench/pull/blobs/{} | gunzip | tar -x -C $work/untar/{}' < $work/layers.txt
EOF
chmod +x "$work/floor.sh" "$work/floor-tar.sh"

# ---------------------------------------------------------------- timed pulls
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/pull-berth.json" \
    --prepare "sh -c '$bcli rmi -f $name >/dev/null 2>&1; sync'" -n berth "$bcli pull -q $name"
$bcli rmi -f "$name" >/dev/null
[ -z "$($bcli images -q)" ] || die "berth: 'rmi -f $name' left an image: each pull would not start cold"
# Nor blobs, which a pull would unpack instead of downloading (resume).
[ -z "$(ls "$work/berthd/data/image/content/blobs/sha256")" ] ||
    die "berth: 'rmi -f $name' left blobs: each pull would not start cold"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/pull-docker.json" \
    --prepare "sh -c '$dcli rmi -f $name >/dev/null 2>&1; sync'" -n docker "$dcli pull -q $name"
$dcli rmi -f "$name" >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/pull-skopeo.json" \
    --prepare "sh -c 'rm -rf $work/skopeo; sync'" \
    -n skopeo "skopeo copy -q --src-tls-verify=false docker://$name dir:$work/skopeo"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/pull-floor.json" \
    -n floor "$work/floor.sh"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/pull-floor-tar.json" \
    --prepare "sh -c 'rm -rf $work/untar; sync'" -n floor-tar "$work/floor-tar.sh"
rm -rf "$work/untar"

median() { jq '.results[0].median * 100 | round / 100' "$work/pull-$1.json"; }
b=$(median berth) d=$(median docker) s=$(median skopeo) f=$(median floor) ft=$(median floor-tar)
echo
echo "pull of $name ($runs runs each): medians (s)"
echo "  berth   $b"
echo "  docker  $d"
echo "  skopeo  $s   (to dir:, no unpacking)"
echo "  floor   $f   (curl | gunzip, $parallel at a time)"
echo "  floor-tar $ft (curl | gunzip | tar -x, $parallel at a time)"
echo "  docker/berth = $(jq -n "$d / $b * 100 | round / 100")  (target >= 1.5)"
echo "  berth/floor  = $(jq -n "$b / $f * 100 | round / 100")  (target <= 1.3)"
echo "  berth/floor-tar = $(jq -n "$b / $ft * 100 | round / 100")"
jq -s '[.[].results[0]]' "$work"/pull-*.json > "$results/image_pull-$stamp.json"
echo "  JSON: $results/image_pull-$stamp.json"
