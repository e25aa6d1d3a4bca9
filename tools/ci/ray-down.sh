#!/bin/bash
# Stop the Ray head started by ray-up.sh: every process of its session id, nothing else.
RTMP=${RAY_TMP:-/tmp/ci-ray}
[ -f "$RTMP/ray.sid" ] || exit 0
SID=$(cat "$RTMP/ray.sid")
members() { ps -eo pid=,sid=,stat= | awk -v s="$SID" '$2==s && $3 !~ /^Z/ {print $1}'; }
kill -TERM "$SID" 2>/dev/null      # 'ray start --block' tears down its own processes on SIGTERM
for _ in $(seq 1 40); do [ -z "$(members)" ] && break; sleep 0.25; done
m=$(members); [ -n "$m" ] && kill -TERM $m 2>/dev/null && sleep 1   # agents can ignore TERM once raylet is gone
m=$(members); [ -n "$m" ] && kill -KILL $m 2>/dev/null
rm -f "$RTMP/ray.sid"; true
