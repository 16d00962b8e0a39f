#!/usr/bin/env bash
# Serve Cancel Coach to many people on this machine: N Streamlit replicas behind HAProxy, all on one PostgreSQL.
#
#   bash deploy/serve.sh --replicas 2            # http://127.0.0.1:8500, PostgreSQL started on loopback
#   bash deploy/serve.sh --replicas 4 --db-url postgresql+psycopg://user:pass@db.example:5432/coach
#
# Options: --replicas N (1-8, default 2), --port P (the front door, default 8500), --first-port Q (replica K
# listens on 127.0.0.1:Q+K-1, default 8601), --app FILE (default streamlit_app.py), --db-url URL (default:
# start Debian's PostgreSQL on 127.0.0.1:5432 with a database "coach", as .ci/ does), --run-dir DIR (pid
# files and logs; default a new temporary folder). Sets up .venv when it is missing, and installs haproxy (and
# postgresql, when no --db-url is given) with apt-get when they are missing.
# Ctrl-C (or SIGTERM) stops everything this script started. HAProxy's config is deploy/haproxy.cfg.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=2 port=8500 first_port=8601 app=streamlit_app.py db_url="${CANCEL_COACH_DB_URL:-}" run_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas|--port|--first-port|--app|--db-url|--run-dir)
      [ $# -ge 2 ] || { echo "serve.sh: $1 needs a value (see --help)" >&2; exit 2; } ;;&
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --first-port) first_port="$2"; shift 2 ;;
    --app) app="$2"; shift 2 ;;
    --db-url) db_url="$2"; shift 2 ;;
    --run-dir) run_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "serve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$replicas" in
  [1-8]) ;;
  *) echo "serve.sh: --replicas must be a whole number from 1 to 8, not '$replicas'" >&2; exit 2 ;;
esac
for value in "$port" "$first_port"; do
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1024 ] && [ "$value" -le 65000 ] || {
    echo "serve.sh: ports must be whole numbers from 1024 to 65000, not '$value'" >&2; exit 2; }
done
[ -f "$app" ] || { echo "serve.sh: no app file '$app'" >&2; exit 2; }
python=.venv/bin/python
if [ ! -x "$python" ]; then  # a fresh machine: set up the app as the README's quick start does
  echo "setting up .venv (requirements.txt)"
  python3.11 -m venv .venv && .venv/bin/pip install -q -r requirements.txt
fi

if ! command -v haproxy >/dev/null 2>&1; then
  echo "installing haproxy (Debian's package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq haproxy >/dev/null
fi

run_dir="${run_dir:-$(mktemp -d -t cancel-coach-serve-XXXXXX)}"
mkdir -p "$run_dir"
started_pg=""
if [ -z "$db_url" ]; then
  # PostgreSQL on loopback, as .ci/postgres.sh starts it, with a database of its own for the app.
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then started_pg=yes; fi
  [ -n "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null)" ] || {
    echo "installing postgresql (Debian's package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  }
  bash .ci/postgres.sh
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='coach'\" | grep -q 1 || psql -q -c 'CREATE DATABASE coach OWNER coach'"
  db_url="postgresql+psycopg://coach:coach@127.0.0.1:5432/coach"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping: HAProxy and $replicas replicas"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$started_pg" ]; then
    pg_ctlcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main stop 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

for k in $(seq "$replicas"); do
  replica_port=$((first_port + k - 1))
  CANCEL_COACH_DB_URL="$db_url" "$python" -m streamlit run "$app" \
    --server.port "$replica_port" --server.address 127.0.0.1 --server.headless true \
    --server.fileWatcherType none --browser.gatherUsageStats false \
    >"$run_dir/replica-$k.log" 2>&1 &
  pids+=($!)
  echo $! >"$run_dir/replica-$k.pid"
  export "CC_REPLICA$k=127.0.0.1:$replica_port"
done
# wait_for URL...: every URL answers 200 within 60 s, and every process started so far is still running.
wait_for() {
  for _ in $(seq 120); do
    local ok=0 url
    for url in "$@"; do curl -fsS -o /dev/null "$url" 2>/dev/null && ok=$((ok + 1)); done
    [ "$ok" -eq $# ] && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "serve.sh: a process ended while starting; see $run_dir" >&2; tail -n 5 "$run_dir"/*.log >&2; exit 1; }
    done
    sleep 0.5
  done
  echo "serve.sh: not healthy after 60 s: $*; see $run_dir" >&2
  exit 1
}
health=()
for k in $(seq "$replicas"); do health+=("http://127.0.0.1:$((first_port + k - 1))/_stcore/health"); done
wait_for "${health[@]}"

# HAProxy starts once the replicas answer, so none begins the pool marked down.
export CC_FRONT_BIND="127.0.0.1:$port"
haproxy -W -db -f deploy/haproxy.cfg >"$run_dir/haproxy.log" 2>&1 &
pids+=($!)
echo $! >"$run_dir/haproxy.pid"
wait_for "http://127.0.0.1:$port/_stcore/health"
echo "Cancel Coach is served on http://127.0.0.1:$port by $replicas replicas (logs and pids in $run_dir)"

# Serve until Ctrl-C, or until HAProxy stops; a replica that dies is taken out of the pool by its health check.
wait "${pids[-1]}"
