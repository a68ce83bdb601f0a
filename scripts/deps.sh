#!/usr/bin/env bash
# Installs the Debian 12 packages renja needs to build, run and test.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libuv1-dev liblmdb-dev libprotobuf-c-dev
      protobuf-c-compiler libnghttp2-dev libcmocka-dev python3-grpcio python3-protobuf
      protobuf-compiler libxlsxwriter-dev libssl-dev openssl python3-openpyxl chromium poppler-utils
      clang-14 curl man-db grpc-proto)
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
