#!/usr/bin/env bash
# Sets up everything needed (see scripts/bootstrap.sh), then runs the kiosk on its embedded
# default: the built-in ACS emulator with demo data. Extra arguments go to `kiosk demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")" && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$VENV/bin/kiosk" demo "$@"
