#!/usr/bin/env bash
# Installs what gridtrace needs on Debian 12 (as root) when it is missing: the C libraries behind
# the system-library targets (SQLite, libxml2, KLU from SuiteSparse, zlib) and pkg-config. The Swift 6
# toolchain itself must be on PATH (it is not packaged for Debian 12).
set -euo pipefail
need=()
for pkg in libsqlite3-dev libxml2-dev libsuitesparse-dev zlib1g-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
  command -v swift >/dev/null 2>&1 || { echo "bootstrap: a Swift 6 toolchain must be on PATH" >&2; exit 1; }
fi
