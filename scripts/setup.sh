#!/usr/bin/env bash
# Installs what Rapport needs from Debian's packages. Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config git clang-format dpkg-dev curl adduser procps
  libboost-dev libsimdjson-dev rapidjson-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql nginx
  libspdlog-dev libfmt-dev libcli11-dev libcurl4-openssl-dev libsodium-dev libxlsxwriter-dev
  zlib1g-dev libzip-dev libexpat1-dev
  libgtest-dev libgmock-dev libbenchmark-dev wrk
  python3-aiosmtpd python3-openpyxl python3-icalendar
  chromium
)

# Node.js and npm (web app and contract tooling): Debian's packages unless a node is already here.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: done"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "setup: Node.js $(node --version) is too old; Rapport's web tooling needs Node.js 18 or newer" >&2
  exit 1
fi
