#!/usr/bin/env bash
# Installs what is missing, builds the release binary (with the web app inside; not the tests or
# benchmarks), fills a demo database (once) and serves it.
#   scripts/start.sh [--db FILE|URL] [--listen HOST:PORT]
# Idempotent: a second run installs nothing, rebuilds only what changed and keeps the database.
set -euo pipefail
cd "$(dirname "$0")/.."

db=${RAPPORT_DB:-data/rapport.db}
listen=127.0.0.1:8080
while [ $# -gt 0 ]; do
  case "$1" in
    --db) db=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    *) echo "start.sh: unknown option $1 (use --db or --listen)" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
scripts/npm-deps.sh web
if [ ! -f build/release/build.ninja ]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release --target rapport
rapport=build/release/src/rapport

case "$db" in
  postgres://*|postgresql://*) fresh=0 ;;
  *) mkdir -p "$(dirname "$db")"; if [ -f "$db" ]; then fresh=0; else fresh=1; fi ;;
esac
if [ "$fresh" = 1 ]; then
  "$rapport" demo --db "$db" --seed 7
else
  "$rapport" migrate --db "$db"
  echo "Using the existing database $db (demo sign-in: admin@medequip.example / rapport-demo)"
fi
exec "$rapport" serve --db "$db" --listen "$listen"
