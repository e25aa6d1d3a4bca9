#!/bin/bash
# Stop the single-node Slurm stack started by slurm-up.sh (by pidfile, never by name), in reverse start order.
set -u
alive() {  # true while any thread lives (a multi-threaded daemon's main thread may already be a zombie)
  [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] &&
  awk '/^State:/{s=$2} /^Threads:/{t=$2} END{exit !(s!="Z" || t>1)}' "/proc/$1/status" 2>/dev/null; }
stop_pidfile() {  # $1 = pidfile
  [ -f "$1" ] || return 0
  local p; p=$(cat "$1" 2>/dev/null)
  if alive "$p"; then
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 1 60); do alive "$p" || break; sleep 0.25; done
    alive "$p" && kill -KILL "$p" 2>/dev/null
  fi
  rm -f "$1"
}
stop_pidfile /run/slurmrestd.pid
stop_pidfile /run/slurmd.pid
stop_pidfile /run/slurmctld.pid
stop_pidfile /run/slurmdbd.pid
stop_pidfile /run/mysqld/mysqld.pid
stop_pidfile /run/munge/munged.pid
true
