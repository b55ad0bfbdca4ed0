#!/usr/bin/env bash
# Installs what Rapport needs from Debian's packages. Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config git clang-format
  libboost-dev libsimdjson-dev rapidjson-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql
  libspdlog-dev libfmt-dev libcli11-dev libcurl4-openssl-dev libsodium-dev libxlsxwriter-dev
  libgtest-dev libgmock-dev libbenchmark-dev wrk
  python3-aiosmtpd python3-openpyxl
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
