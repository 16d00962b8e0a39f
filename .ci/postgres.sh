#!/usr/bin/env bash
# Start Debian's PostgreSQL on 127.0.0.1:5432 with a throwaway test database (idempotent).
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='coach'\" | grep -q 1 || psql -q -c \"CREATE USER coach PASSWORD 'coach' SUPERUSER\""
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='coach_test'\" | grep -q 1 || psql -q -c 'CREATE DATABASE coach_test OWNER coach'"
