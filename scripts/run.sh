#!/usr/bin/env bash
# Installs what is missing, builds confab and runs it: port 5000, data in ./data.
# Extra arguments go to confab (see `confab --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build
exec ./build/app/confab "$@"
