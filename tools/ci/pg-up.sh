#!/bin/bash
# Throwaway PostgreSQL 15 on 127.0.0.1:$PGPORT, owned and run by the 'postgres' OS user
# (initdb/postgres refuse to run as root). Idempotent. Prints the connection URL on stdout (and nothing else).
#   PGROOT=/var/tmp/ci-pg  data, socket dir and log (one postgres-owned tree)
#   PGPORT=55432           TCP port on 127.0.0.1
#   APP_DB_USER/APP_DB_PASS/APP_DB_NAME  role and database created if missing (app/app/appdb)
set -euo pipefail
PGROOT=${PGROOT:-/var/tmp/ci-pg}; PGPORT=${PGPORT:-55432}
APP_USER=${APP_DB_USER:-app}; APP_PASS=${APP_DB_PASS:-app}; APP_DB=${APP_DB_NAME:-appdb}
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x $PGBIN/initdb ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi
install -d -o postgres -g postgres -m 0700 "$PGROOT" "$PGROOT/data"
install -d -o postgres -g postgres -m 0755 "$PGROOT/sock"
as_pg() { runuser -u postgres -- "$@"; }
[ -f "$PGROOT/data/PG_VERSION" ] || as_pg $PGBIN/initdb -D "$PGROOT/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
if ! as_pg $PGBIN/pg_ctl -D "$PGROOT/data" status >/dev/null 2>&1; then
  as_pg $PGBIN/pg_ctl -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 20 "$PGROOT/server.log" >&2; exit 1; }
fi
as_pg psql -h "$PGROOT/sock" -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 -q <<SQL >/dev/null
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$APP_USER') THEN CREATE ROLE "$APP_USER" LOGIN CREATEDB PASSWORD '$APP_PASS'; END IF;
END\$\$;
SELECT 'CREATE DATABASE "$APP_DB" OWNER "$APP_USER"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='$APP_DB')\gexec
SQL
echo "postgresql://$APP_USER:$APP_PASS@127.0.0.1:$PGPORT/$APP_DB"
