#!/bin/bash
# Stop the throwaway PostgreSQL started by pg-up.sh (its data directory stays for the next start).
PGROOT=${PGROOT:-/var/tmp/ci-pg}
if [ -f "$PGROOT/data/postmaster.pid" ]; then
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGROOT/data" -m fast -w stop >/dev/null
fi
true
