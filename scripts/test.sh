#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the dev preset (ASan + UBSan), starts a
# throwaway PostgreSQL on loopback for the storage contract, runs CTest, stops PostgreSQL.
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# The web app and the OpenAPI validator (npm, committed lockfiles).
scripts/npm-deps.sh web tests/openapi

if [ ! -f build/dev/build.ninja ]; then
  cmake --preset dev >/dev/null
fi
cmake --build --preset dev

pg_dir=$(mktemp -d /tmp/rapport-test-pg.XXXXXX)
cleanup() {
  scripts/pg.sh stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
url=$(scripts/pg.sh start "$pg_dir")
# The maintenance database: each test creates and drops its own.
export RAPPORT_TEST_POSTGRES_URL="${url%/*}/postgres"
echo "test PostgreSQL at ${RAPPORT_TEST_POSTGRES_URL}"

# Sanitizer reports fail the run; leaks too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset dev -j2 "$@"
