#!/bin/bash
# Local Ray head on loopback only, in its own session (setsid) so that ray-down.sh can stop exactly it.
# Idempotent: exits at once when the Jobs API answers and a raylet is alive. A head whose raylet died (a test
# kills it) can keep answering on the Jobs API for a while; it is stopped and started again.
#   RAY_VENV: venv that has ray[default] (its bin/ goes first on PATH, so job entrypoints' "python" is that venv's)
#   RAY_TMP:  Ray's --temp-dir (keep it short: Unix socket paths are limited to 107 bytes)
#   RAY_NUM_CPUS=2, RAY_NUM_GPUS=2 (logical GPUs: Ray schedules num_gpus without hardware)
set -euo pipefail
VENV=${RAY_VENV:?set RAY_VENV}; RTMP=${RAY_TMP:-/tmp/ci-ray}
export PATH="$VENV/bin:$PATH"
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0   # makes Ray keep 127.0.0.1 as node IP (else it swaps in eth0's IP)
export RAY_USAGE_STATS_ENABLED=0
api() { curl -sf --max-time 2 http://127.0.0.1:8265/api/version >/dev/null 2>&1; }
raylet() { ps -eo stat=,comm= | awk '$2=="raylet" && $1 !~ /^Z/ {found=1} END {exit !found}'; }
up() { api && raylet; }
up && { echo "ray already up"; exit 0; }
api && { echo "ray head answers but has no live raylet: restarting it" >&2; "$(dirname "$0")/ray-down.sh"; }
[ -x "$VENV/bin/ray" ] || { echo "no ray in $VENV (pip install 'ray[default]')" >&2; exit 1; }
mkdir -p "$RTMP"
setsid nohup "$VENV/bin/ray" start --head --block --node-ip-address=127.0.0.1 --port=6379 \
  --dashboard-host=127.0.0.1 --dashboard-port=8265 --ray-client-server-port=10001 \
  --num-cpus="${RAY_NUM_CPUS:-2}" --num-gpus="${RAY_NUM_GPUS:-2}" --temp-dir="$RTMP" --disable-usage-stats \
  > "$RTMP/ray-start.log" 2>&1 < /dev/null &
echo $! > "$RTMP/ray.sid"
for _ in $(seq 1 360); do up && break; sleep 0.25; done
up || { tail -n 30 "$RTMP/ray-start.log" >&2; exit 1; }
echo "ray up: dashboard/jobs API http://127.0.0.1:8265, GCS 127.0.0.1:6379"
