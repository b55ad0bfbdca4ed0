#!/usr/bin/env bash
# Several Rapport servers on one PostgreSQL behind nginx, under write and read load
# (tests/cluster/load.py), as an operator runs them:
#   restart   three `rapport serve` behind nginx, restarted one at a time: each is taken out of
#             nginx's upstream (a reload), stopped with SIGTERM (it finishes what it serves),
#             started again, checked ready, put back. No request may fail and no acknowledged write
#             may be lost, and the scheduled jobs still run once (one server at a time).
#   failover  the same servers on a PostgreSQL primary with a streaming standby (synchronous
#             commit to it), reached by a libpq multi-host URL with target_session_attrs=read-write;
#             mid-load the primary is killed (immediate stop) and the standby promoted. The servers
#             reconnect on their own; requests meanwhile get a retryable 503 with Retry-After, none
#             a wrong answer; every write acknowledged before or after is there at the end.
#   reads     not a test: GET account through nginx with one, two and three servers up, and
#             straight to one server (wrk, RUNS runs of DURATION seconds, interleaved; medians).
#   tests/cluster/cluster_test.sh BINARY [restart|failover|all|reads]
# Prints the figures (BENCHMARKS.md keeps them). Needs nginx and PostgreSQL's server binaries
# (scripts/setup.sh installs both); exits 77 (skipped) without them. KEEP=1 keeps the work folder.
set -euo pipefail
binary=$(realpath "$1")
mode=${2:-all}
here=$(cd "$(dirname "$0")" && pwd)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ] || [ ! -x "$pg_bin/initdb" ] || ! command -v python3 >/dev/null; then
  echo "skipped: needs nginx, PostgreSQL's server and python3 (scripts/setup.sh)"; exit 77
fi

# The nightly jobs' hour, twelve hours from now: they run once at the first start (a new
# database), and not again at their hour during the test, whatever time it runs.
nightly_hour=$(( ($(date -u +%-H) + 12) % 24 ))
messages=${MESSAGES:-1500}  # introductions queued in the outbox (in thirds before each restart)
work=$(mktemp -d /tmp/rapport-cluster.XXXXXX)
chmod 755 "$work"
server_pids=("" "" "")
smtp_pid=""
pg_dirs=()
cleanup() {
  for pid in "${server_pids[@]}" "$smtp_pid"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && "$nginx" -p "$work/" -c nginx.conf -e "$work/nginx-error.log" -s stop 2>/dev/null || true
  for dir in "${pg_dirs[@]}"; do
    [ -f "$dir/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { echo "[$(date -u +%H:%M:%S)] $*"; }

# A PostgreSQL cluster in $work/NAME on PORT. With a primary's port: a streaming standby of it.
pg_start() {
  local name=$1 port=$2 primary_port=${3:-}
  local dir="$work/$name"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ -z "$primary_port" ]; then
    as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; fail "initdb"; }
  else
    as_pg "$pg_bin/pg_basebackup" -D "$dir/data" -R -X stream \
      -d "host=127.0.0.1 port=$primary_port user=postgres application_name=$name" \
      > "$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log"; fail "pg_basebackup"; }
  fi
  pg_dirs+=("$dir/data")
  # fsync off: the primary is killed, not the machine; what a commit waits for is the standby.
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on" \
    start > /dev/null || { cat "$dir/server.log"; fail "start PostgreSQL $name"; }
}
psql_at() { local port=$1; shift; as_pg psql -h 127.0.0.1 -p "$port" -U postgres -X -q -t -A "$@"; }

# Server i of three, listening on ${ports[i]}.
start_server() {
  local i=$1
  "$binary" serve --db "$db_url" --listen "127.0.0.1:${ports[$i]}" --threads 4 \
    --scheduler-seconds 1 --nightly-hour "$nightly_hour" --smtp-url "smtp://127.0.0.1:$smtp_port" --outbox-poll-ms 200 \
    --smtp-retry-seconds 1 >> "$work/server$i.log" 2>&1 &
  server_pids[$i]=$!
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[$i]}/api/v1/health/ready")" = 200 ] && return 0
    kill -0 "${server_pids[$i]}" 2>/dev/null || { tail -20 "$work/server$i.log"; fail "server $i ended"; }
    sleep 0.2
  done
  tail -20 "$work/server$i.log"; fail "server $i is not ready"
}
stop_server() {
  local i=$1 code=0
  kill -TERM "${server_pids[$i]}"
  wait "${server_pids[$i]}" || code=$?
  server_pids[$i]=""
  [ "$code" -eq 0 ] || { tail -20 "$work/server$i.log"; fail "server $i exited with $code"; }
}

# nginx in front of the servers; `upstream DOWN` writes the upstream with server DOWN taken out,
# `upstream -1 N` with only the first N up.
upstream() {
  local down=${1:--1} up=${2:-3} i
  : > "$work/upstream.conf"
  for i in 0 1 2; do
    echo "server 127.0.0.1:${ports[$i]}$({ [ "$i" = "$down" ] || [ "$i" -ge "$up" ]; } && echo ' down');" >> "$work/upstream.conf"
  done
}
nginx_start() {
  nginx_port=$(free_port)
  mkdir -p "$work/nginx-tmp"
  cat > "$work/nginx.conf" <<EOF
$([ "$(id -u)" -eq 0 ] && echo "user root root;")
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  upstream rapport {
    include $work/upstream.conf;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://rapport;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout;
    }
  }
}
EOF
  upstream
  "$nginx" -p "$work/" -c nginx.conf -e "$work/nginx-error.log" || fail "nginx did not start"
  nginx_url="http://127.0.0.1:$nginx_port"
}
nginx_reload() {
  "$nginx" -p "$work/" -c nginx.conf -e "$work/nginx-error.log" -s reload
  sleep 1  # the new workers take over; the old ones finish what they serve and leave
}

# The database, an admin and a token for the load.
prepare() {
  "$binary" migrate --db "$db_url" > "$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate"; }
  echo "cluster-test-password-1" | "$binary" user add --db "$db_url" --email admin@cluster.test \
    --name "Cluster Admin" --role admin --password-stdin > /dev/null
  token=$("$binary" token create --db "$db_url" --email admin@cluster.test 2>/dev/null | tail -n 1)
}

# An SMTP sink that keeps every message in a maildir, and N introductions queued in the outbox
# (as a handover queues them), for the servers to deliver while one is stopped or the database
# fails over.
smtp_start() {
  smtp_port=$(free_port)
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox \
    "$work/mail" > "$work/smtp.log" 2>&1 &
  smtp_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<> "/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$work/smtp.log"; fail "the SMTP sink did not start"
}
queue_messages() {
  psql_at "$db_port" -d rapport -c "INSERT INTO outbox (kind, sender_user_id, sender_name,
      sender_email, recipient_name, recipient_email, subject, body, next_attempt_at, created_at)
    SELECT 'introduction', u.id, u.name, u.email, 'Customer ' || g, 'customer' || g || '@hospital.test',
      'Your new account manager (' || g || ')', 'Hello.', 0, 0
    FROM users u, generate_series(1, $1) g WHERE u.email = 'admin@cluster.test'"
}
# Every queued message delivered once. With DUPLICATES_OK (a failover): a message the SMTP server
# accepted just before the commit that marks it sent failed is left claimed, and sent again with
# the same Message-ID when its claim runs out (2 minutes): each must have been delivered already.
check_outbox() {
  local expected=$1 duplicates_ok=${2:-0} states
  for _ in $(seq 1 150); do
    states=$(psql_at "$db_port" -d rapport -c "SELECT status || '=' || count(*) FROM outbox GROUP BY status ORDER BY status" | tr '\n' ' ')
    [ "$states" = "sent=$expected " ] && break
    [ "$duplicates_ok" = 1 ] && [ "$(ls "$work/mail/new" | wc -l)" -ge "$expected" ] && ! grep -q pending <<< "$states" && break
    sleep 0.2
  done
  python3 - "$work/mail" "$expected" "$duplicates_ok" "$states" <<'EOF'
import mailbox, sys
path, expected, duplicates_ok, states = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
ids = [m["Message-ID"] for m in mailbox.Maildir(path, create=False)]
unique = len(set(ids))
print(f"outbox: {expected} queued; {len(ids)} delivered, {unique} distinct; in the outbox: {states}")
done = states.strip() == f"sent={expected}" or duplicates_ok and "pending" not in states and "failed" not in states
if not done or unique != expected or (len(ids) != expected and not duplicates_ok):
    sys.exit("the outbox did not deliver each message once")
EOF
}

# Each scheduled job's runs across all servers' logs: at least one, and never two of the same job
# within 50 s (case-escalation runs every minute, the others once a day).
check_jobs_ran_once() {
  python3 - "$work"/server*.log <<'EOF'
import re, sys, datetime
runs = {}
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        m = re.match(r"(\S+)Z info job (\S+): ", line)
        if m:
            t = datetime.datetime.fromisoformat(m.group(1))
            runs.setdefault(m.group(2), []).append(t)
if not runs:
    sys.exit("no scheduled job ran")
bad = []
for job, times in sorted(runs.items()):
    times.sort()
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    print(f"job {job}: {len(times)} run(s)" + (f", {min(gaps):.0f} s apart at least" if gaps else ""))
    if any(g < 50 for g in gaps):
        bad.append(job)
if bad:
    sys.exit("ran twice at once: " + ", ".join(bad))
EOF
}

# Starts the load, lets it run `before` seconds, runs the disruption, lets it run `after` seconds,
# stops it and reads every acknowledged write back.
under_load() {
  local name=$1 before=$2 after=$3 disruption=$4
  rm -f "$work/stop"
  python3 "$here/load.py" run "$nginx_url" "$token" "$work/$name.json" --stop-file "$work/stop" \
    --writers 3 --readers 3 > "$work/$name-load.log" 2>&1 &
  local load_pid=$!
  sleep "$before"
  "$disruption"
  sleep "$after"
  touch "$work/stop"
  wait "$load_pid" || { cat "$work/$name-load.log"; fail "the load ended badly"; }
  python3 "$here/load.py" verify "$nginx_url" "$token" "$work/$name.json" >> "$work/$name-load.log" 2>&1
  cat "$work/$name-load.log"
  python3 - "$work/$name.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
name = sys.argv[2]
ok = r["writes_acknowledged"] > 0 and r["reads_ok"] > 0 and r["failed"] == 0 and r["lost"] == 0
if name == "restart":
    ok = ok and r["retryable_503"] == 0
print(f"{name}: {'ok' if ok else 'FAILED'}: served {r['writes_acknowledged']} writes, "
      f"{r['reads_ok'] + r['lists_ok']} reads in {r['seconds']} s; retryable 503s {r['retryable_503']}, "
      f"failed {r['failed']}, lost writes {r['lost']}")
sys.exit(0 if ok else 1)
EOF
}

rolling_restart() {
  for i in 0 1 2; do
    queue_messages $((messages / 3))  # being delivered while the server stops
    upstream "$i"
    nginx_reload
    local started=$(date +%s.%N) waiting
    waiting=$(psql_at "$db_port" -d rapport -c "SELECT count(*) FROM outbox WHERE status <> 'sent'")
    stop_server "$i"
    start_server "$i"
    say "server $i restarted in $(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s ($waiting messages were waiting in the outbox when it was stopped)"
    upstream
    nginx_reload
    sleep 2
  done
}

failover() {
  say "killing the primary (immediate stop)"
  as_pg "$pg_bin/pg_ctl" -D "$work/primary/data" -m immediate -w stop > /dev/null
  sleep 1
  local started=$(date +%s.%N)
  as_pg "$pg_bin/pg_ctl" -D "$work/standby/data" -w promote > /dev/null
  say "standby promoted in $(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s"
}

# One PostgreSQL with the database `rapport` (db_url, db_port).
single_database() {
  local pg_port; pg_port=$(free_port)
  pg_start single "$pg_port"
  psql_at "$pg_port" -c "CREATE DATABASE rapport" postgres
  db_url="postgresql://postgres@127.0.0.1:$pg_port/rapport"
  db_port=$pg_port
}
# On db_url: the schema, an admin and a token, the SMTP sink, three servers and nginx.
servers_up() {
  prepare
  smtp_start
  ports=("$(free_port)" "$(free_port)" "$(free_port)")
  for i in 0 1 2; do start_server "$i"; done
  nginx_start
}

run_restart() {
  say "rolling restart: PostgreSQL, three servers, nginx"
  single_database
  servers_up
  under_load restart 4 3 rolling_restart
  check_outbox $((messages / 3 * 3))
  check_jobs_ran_once
  for i in 0 1 2; do stop_server "$i"; done
  "$nginx" -p "$work/" -c nginx.conf -e "$work/nginx-error.log" -s stop
  kill "$smtp_pid"; wait "$smtp_pid" 2>/dev/null || true; smtp_pid=""
  rm -rf "$work/nginx.pid" "$work"/server*.log "$work/mail"
  as_pg "$pg_bin/pg_ctl" -D "$work/single/data" -m fast -w stop > /dev/null
}

run_failover() {
  say "failover: a primary, a synchronous streaming standby, three servers, nginx"
  local primary_port standby_port
  primary_port=$(free_port); standby_port=$(free_port)
  pg_start primary "$primary_port"
  pg_start standby "$standby_port" "$primary_port"
  psql_at "$primary_port" -c "ALTER SYSTEM SET synchronous_standby_names = 'standby'" postgres
  psql_at "$primary_port" -c "SELECT pg_reload_conf()" postgres > /dev/null
  for _ in $(seq 1 50); do
    [ "$(psql_at "$primary_port" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'" postgres)" = sync ] && break
    sleep 0.2
  done
  [ "$(psql_at "$primary_port" -c "SELECT sync_state FROM pg_stat_replication" postgres)" = sync ] ||
    fail "the standby is not synchronous"
  psql_at "$primary_port" -c "CREATE DATABASE rapport" postgres
  db_url="postgresql://postgres@127.0.0.1:$primary_port,127.0.0.1:$standby_port/rapport?target_session_attrs=read-write"
  db_port=$primary_port
  servers_up
  queue_messages "$messages"
  under_load failover 5 8 failover
  db_port=$standby_port
  check_outbox "$messages" 1
  for i in 0 1 2; do stop_server "$i"; done
}

run_reads() {
  local runs=${RUNS:-3} duration=${DURATION:-10} account
  command -v wrk > /dev/null || fail "wrk is missing (scripts/setup.sh)"
  single_database
  servers_up
  account=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name": "Royal Infirmary", "type": "hospital", "city": "Leeds"}' "$nginx_url/api/v1/accounts" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  declare -A rates
  for run in $(seq 1 "$runs"); do
    for setup in direct 1 2 3; do
      local url="$nginx_url/api/v1/accounts/$account"
      if [ "$setup" = direct ]; then
        url="http://127.0.0.1:${ports[0]}/api/v1/accounts/$account"
      else
        upstream -1 "$setup"; nginx_reload
      fi
      local rate
      rate=$(wrk -t2 -c64 -d"${duration}s" -H "Authorization: Bearer $token" "$url" |
        awk '/Requests\/sec/ {printf "%d", $2} /Non-2xx/ {print "non-2xx" > "/dev/stderr"}')
      rates[$setup]="${rates[$setup]:-} $rate"
      say "run $run, $setup: $rate/s"
    done
  done
  for setup in direct 1 2 3; do
    echo "GET account, $([ "$setup" = direct ] && echo "one server, no nginx" || echo "nginx, $setup server(s)"):" \
      "median $(tr ' ' '\n' <<< "${rates[$setup]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')/s (runs:${rates[$setup]})"
  done
}

case "$mode" in
  restart) run_restart ;;
  failover) run_failover ;;
  all) run_restart; run_failover ;;
  reads) run_reads ;;
  *) fail "unknown mode $mode (restart, failover or all)" ;;
esac
