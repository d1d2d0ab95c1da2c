#!/usr/bin/env bash
# Installs what the kiosk and its tests need, idempotently: Debian packages that are
# missing, a virtualenv in .venv, and the project with its extras. Sourced by the
# run-*.sh scripts; safe to run again at any time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KIOSK_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "need root for: $*"; return 1
    fi
}

# Debian packages: only those missing, so a second run asks apt for nothing.
apt_install() {
    command -v dpkg-query >/dev/null 2>&1 || { log "no dpkg: install $* by hand"; return 0; }
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { log "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" -V 2>&1))"; exit 1; }

debs=(gcc linux-libc-dev)
debs+=(shellcheck)  # the tests check scripts/kiosk-install.sh with it
# The touchscreen app: Mesa for rendering (also headless, through SDL's offscreen driver) and
# libmtdev for touch screens; Kivy's wheel brings SDL2 itself, not libGL.so.1 (libgl1), which a
# minimal Bookworm and Raspberry Pi OS Lite lack.
debs+=(libgl1 libgl1-mesa-dri libegl1 libmtdev1)
# python-evdev compiles against the interpreter's headers; Debian's python3 needs python3-dev.
include_dir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
[ -f "$include_dir/Python.h" ] || debs+=(python3-dev)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || debs+=(python3-venv)
apt_install "${debs[@]}"

[ -x "$VENV/bin/python" ] || { log "creating virtualenv $VENV"; "$PYTHON" -m venv "$VENV"; }

# promtool checks and unit-tests the Prometheus alert rules (deploy/prometheus). It is taken out of
# Debian's prometheus package without installing that, so no Prometheus server is set up here.
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$VENV/bin/promtool" ] && command -v apt-get >/dev/null 2>&1; then
    log "taking promtool from Debian's prometheus package"
    deb_dir="$(mktemp -d)"
    if (cd "$deb_dir" && { apt-get download -qq prometheus 2>/dev/null \
            || { as_root apt-get update -qq && apt-get download -qq prometheus; }; } \
            && dpkg-deb -x prometheus_*.deb unpacked); then
        install -m 0755 "$deb_dir/unpacked/usr/bin/promtool" "$VENV/bin/promtool"
    else
        log "could not fetch promtool: the alert rule tests will be skipped"
    fi
    rm -rf "$deb_dir"
fi

# Reinstall only when the project's declared dependencies change.
stamp="$VENV/.installed-$(sha256sum < "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    log "installing the project and its test and bench dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "${ROOT}[test,bench]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
