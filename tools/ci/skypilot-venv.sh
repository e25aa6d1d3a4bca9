#!/bin/bash
# The real SkyPilot beside Tender, in its own venv (.venv/skypilot): skypilot 0.14.1 pins click<8.2 and
# uvicorn<0.36, while the dev venv's import-linter needs click>=8.2 (and has uvicorn 0.54), so the two
# never share one. Tender is installed editable into it (its core dependencies fit beside SkyPilot's),
# with pytest, for the SkyPilot-side tests (tests/skypilot, run as a subprocess by
# tests/integration/test_skypilot_side.py). Idempotent; prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${SKYPILOT_VENV:-$here/.venv/skypilot}"
python="${PYTHON:-python3}"
want="skypilot==0.14.1"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/pip" install -q "$want" "pytest>=8.0" "pytest-timeout>=2.3" -e "$here"
  echo "$want" > "$venv/.installed"
fi
echo "$venv/bin/python"
