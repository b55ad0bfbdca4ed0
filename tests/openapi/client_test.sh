#!/usr/bin/env bash
# A TypeScript client generated from the OpenAPI document a running `rapport serve` hands out
# (openapi-typescript), compiled with tsc --strict and run against that server (client.ts).
#   tests/openapi/client_test.sh BINARY
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$here/node_modules/openapi-typescript" ] || { echo "run scripts/npm-deps.sh tests/openapi"; exit 1; }
work=$(mktemp -d /tmp/rapport-client-test.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

db="$work/rapport.db"
"$binary" migrate --db "$db" > /dev/null
echo "client-test-password-1" | "$binary" user add --db "$db" --email admin@client.test \
  --name "Client Admin" --role admin --password-stdin > /dev/null
"$binary" serve --db "$db" --listen 127.0.0.1:0 > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "Rapport is serving" "$work/serve.log" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -1)
[ -n "$port" ] || { cat "$work/serve.log"; fail "the server did not start"; }
base="http://127.0.0.1:$port"

curl -sf "$base/api/v1/openapi.json" -o "$work/openapi.json" || fail "no OpenAPI document"
ln -s "$here/node_modules" "$work/node_modules"
cp "$here/client.ts" "$work/"
node "$here/node_modules/openapi-typescript/bin/cli.js" "$work/openapi.json" -o "$work/api.d.ts" --silent
cat > "$work/tsconfig.json" <<EOF
{ "compilerOptions": { "strict": true, "target": "ES2022", "module": "NodeNext",
  "moduleResolution": "NodeNext", "skipLibCheck": true, "outDir": "out" },
  "files": ["client.ts"] }
EOF
echo '{"type": "module"}' > "$work/package.json"
(cd "$work" && node "$here/node_modules/typescript/bin/tsc" -p tsconfig.json) || fail "the client does not compile against the generated types"
node "$work/out/client.js" "$base" admin@client.test client-test-password-1
