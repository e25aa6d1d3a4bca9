#!/bin/bash
# Debian's headless Chromium + chromedriver (for Playwright with executable_path=/usr/bin/chromium). Idempotent.
set -euo pipefail
if ! dpkg -s chromium chromium-driver >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"
