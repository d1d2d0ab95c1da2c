#!/usr/bin/env bash
# Sets up everything needed (see scripts/bootstrap.sh), then runs the whole test suite.
# Extra arguments go to pytest, e.g. ./run-tests.sh tests/sip2 -k checksum
set -euo pipefail
ROOT="$(cd "$(dirname "$0")" && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
