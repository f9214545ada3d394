#!/bin/sh
# setup.sh: installs every Debian 12 package berth's build, demo, tests and
# benchmarks need. Idempotent: installs only what is missing, so a second run
# costs one dpkg query.
set -eu

packages="
  g++ cmake ninja-build pkg-config git
  libseccomp-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  busybox-static python3 python3-pytest iproute2 procps util-linux
  runc hyperfine jq ccache curl zstd
  libssl-dev zlib1g-dev libzstd-dev libsqlite3-dev
  docker.io containerd python3-docker python3-requests debootstrap skopeo umoci podman
  docker-registry apache2-utils python3-cryptography
  libnftables-dev nftables
"

[ "$(id -u)" -eq 0 ] || { echo "setup.sh: run as root (apt-get)" >&2; exit 1; }

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup.sh: installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# The registry tests start their own docker-registry on a free port: the package's
# service must not hold :5000 (or anything) on the host.
if [ -x /etc/init.d/docker-registry ]; then
    service docker-registry stop >/dev/null 2>&1 || true
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
