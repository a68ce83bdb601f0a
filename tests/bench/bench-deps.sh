#!/usr/bin/env bash
# Installs what tests/bench/compare.sh needs beyond scripts/deps.sh: etcd
# (the baseline it measures renjad against) and h2load. Not needed to build
# or test renja, so the default test run does not install them.
set -euo pipefail
pkgs=(etcd-server nghttp2-client protobuf-compiler python3-grpcio time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
