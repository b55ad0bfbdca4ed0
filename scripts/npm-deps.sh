#!/usr/bin/env bash
# Installs the npm dependencies of each folder given (npm ci from the committed lockfile), only
# when the lockfile is newer than the last install.
set -euo pipefail
for dir in "$@"; do
  marker="$dir/node_modules/.installed"
  if [ ! -f "$marker" ] || [ "$dir/package-lock.json" -nt "$marker" ]; then
    echo "npm-deps: installing $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
done
