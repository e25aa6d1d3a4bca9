#!/bin/bash
# The FinOps Foundation's FOCUS validator in its own venv (.venv/focus-validator): focus-validator
# 1.0.0 pins numpy<2 and pandas 2, which the project's venv does not (numpy 2), so it never shares
# one. multimethod<1.11 keeps its pandera import working. Idempotent; prints the executable's path.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${FOCUS_VALIDATOR_VENV:-$here/.venv/focus-validator}"
python="${PYTHON:-python3}"
if [ ! -f "$venv/.installed" ]; then
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/pip" install -q "focus-validator==1.0.0" "multimethod<1.11"
  touch "$venv/.installed"
fi
echo "$venv/bin/focus-validator"
