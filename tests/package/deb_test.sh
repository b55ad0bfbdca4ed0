#!/usr/bin/env bash
# The Debian package on this machine, as an administrator uses it: built from BINARY
# (scripts/package-deb.sh), installed, its unit's command line started from / as the rapport user
# (these machines have no systemd), the app and the API reached, an upgrade in place (the server
# stopped, the configuration an admin edited kept, the database migrated), then purged: no
# process left, the program and configuration gone, the data kept.
#   tests/package/deb_test.sh BINARY
# Needs root and dpkg; exits 77 (skipped) without them, or when this machine has Rapport already
# (a package, even removed with its configuration kept, a rapport user, or /var/lib/rapport): what
# it leaves behind is removed afterwards, so it runs only where there was nothing.
set -euo pipefail
binary=$1
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" -ne 0 ] || ! command -v dpkg >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
  echo "skipped: installing a package needs root, dpkg and dpkg-dev"; exit 77
fi
if dpkg-query -W -f='${db:Status-Status}' rapport 2>/dev/null | grep -qv '^not-installed$'; then
  echo "skipped: a rapport package is on this machine already"; exit 77
fi
if getent passwd rapport >/dev/null || getent group rapport >/dev/null || [ -e /var/lib/rapport ] || [ -e /etc/rapport ]; then
  echo "skipped: this machine has a rapport user or rapport's folders already"; exit 77
fi

work=$(mktemp -d /tmp/rapport-deb-test.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  if dpkg-query -W -f='${db:Status-Status}' rapport 2>/dev/null | grep -qv '^not-installed$'; then
    dpkg --purge rapport >/dev/null 2>&1 || true
  fi
  rm -rf "$work" /var/lib/rapport
  if getent passwd rapport >/dev/null; then deluser --system rapport >/dev/null 2>&1 || true; fi
  if getent group rapport >/dev/null; then delgroup --system rapport >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { local what=$1; shift; "$@" || fail "$what"; echo "ok: $what"; }

deb=$("$source_dir/scripts/package-deb.sh" --binary "$binary" --out "$work" --fast)
dpkg-deb -c "$deb" > "$work/contents"
check "the package holds the binary, the unit and the configuration" \
  bash -c "grep -q ' ./usr/bin/rapport$' '$work/contents' && grep -q ' ./lib/systemd/system/rapport.service$' '$work/contents' && grep -q ' ./etc/rapport/rapport.conf$' '$work/contents'"
dpkg-deb -f "$deb" Depends > "$work/depends"
check "the package depends on the libraries the binary links" \
  bash -c "grep -q 'libsqlite3-0' '$work/depends' && grep -q 'libpq5' '$work/depends'"

dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
check "the rapport system user exists and cannot log in" \
  bash -c "getent passwd rapport | grep -q ':/usr/sbin/nologin$'"
check "its data folder is its own and closed to others" \
  bash -c "[ \"\$(stat -c '%U %a' /var/lib/rapport)\" = 'rapport 750' ]"
check "the configuration is root's, readable by rapport only" \
  bash -c "[ \"\$(stat -c '%U %G %a' /etc/rapport/rapport.conf)\" = 'root rapport 640' ]"
check "the database was created and migrated by the install" \
  bash -c "[ \"\$(stat -c '%U' /var/lib/rapport/rapport.db)\" = rapport ] && runuser -u rapport -- /usr/bin/rapport migrate --db /var/lib/rapport/rapport.db | grep -q 'nothing to do'"
if command -v systemd-analyze >/dev/null; then
  check "systemd accepts the unit" bash -c "systemd-analyze verify /lib/systemd/system/rapport.service 2>&1 | grep -v 'Failed to \(connect\|open\)\|Cannot find\|systemd is not running' | (! grep -q .)"
fi

# The unit's command line, from /, as the unit's user, with the unit's environment file.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/rapport.service)
[ -n "$exec_start" ] || fail "the unit has no ExecStart"
start_server() {
  local log=$1
  (cd / && exec runuser -u rapport -- env $(grep -v '^#' /etc/rapport/rapport.env | xargs) \
     $exec_start --listen 127.0.0.1:0 > "$log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 100); do
    grep -q "Rapport is serving" "$log" 2>/dev/null && break
    sleep 0.2
  done
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
  [ -n "$port" ] || { cat "$log"; fail "the server did not start"; }
}
start_server "$work/serve1.log"
check "the app answers at / from the binary, with its security policy" \
  bash -c "curl -sf -D '$work/h' http://127.0.0.1:$port/ | grep -q '<div id=\"root\">' && grep -qi '^content-security-policy:' '$work/h'"
check "the API answers" bash -c "curl -sf http://127.0.0.1:$port/api/v1/health >/dev/null"
check "the server runs as rapport" bash -c "pgrep -u rapport -x rapport >/dev/null"

# An upgrade in place: the running server is stopped, an admin's edit of the configuration kept.
sed -i 's|^# company-name = .*|company-name = "Test Medical"|' /etc/rapport/rapport.conf
dpkg -i "$deb" > "$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "dpkg -i (upgrade)"; }
wait "$server_pid" 2>/dev/null || true
server_pid=""
check "the upgrade stopped the running server" bash -c "! pgrep -u rapport -x rapport >/dev/null"
check "the upgrade kept the edited configuration" grep -q '^company-name = "Test Medical"' /etc/rapport/rapport.conf
start_server "$work/serve2.log"
check "the server starts again after the upgrade" bash -c "curl -sf http://127.0.0.1:$port/api/v1/health >/dev/null"

# Purged while it runs.
dpkg --purge rapport > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
wait "$server_pid" 2>/dev/null || true
server_pid=""
check "no rapport process is left" bash -c "! pgrep -u rapport >/dev/null"
check "the program, the unit and the configuration are gone" \
  bash -c "[ ! -e /usr/bin/rapport ] && [ ! -e /lib/systemd/system/rapport.service ] && [ ! -e /etc/rapport ]"
check "the data is kept" test -s /var/lib/rapport/rapport.db
echo "the package installs, serves, upgrades and purges cleanly"
