#!/usr/bin/env bash
# Proves the kiosk on the Raspberry Pi's architecture without a Pi: an arm64 Debian 12 (Bookworm)
# root file system, run through qemu-user emulation, gets this checkout installed by the real
# installer, then `kiosk config check`, `kiosk doctor --json` against the ACS emulator, a headless
# start of the unit's own command to its first frame, and a subset of the tests. It ends with a
# summary: each step's time, and which Python packages came as aarch64 wheels or were built here.
#
#   sudo scripts/check-arm64.sh                 # a fresh root each run; the base root is cached
#   sudo scripts/check-arm64.sh --keep          # leave the root for a look inside (chroot into it)
#   sudo scripts/check-arm64.sh --tests "tests/sip2 -k checksum"   # another test selection
#
# Needs root, qemu-user-static and debootstrap (installed when missing) and the network for
# Debian and PyPI. Cached in $KIOSK_ARM64_CACHE (default /var/cache/library-kiosk-arm64): the
# minbase root from debootstrap, and downloaded Debian packages and Python wheels; every run
# copies the base anew, so the installer always meets a minimal Bookworm. Not part of
# ./run-tests.sh: it takes 15 to 30 minutes on a 2-core machine (see the README).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KIOSK_ARM64_CACHE:-/var/cache/library-kiosk-arm64}"
BASE="$CACHE/base"
CHROOT="$CACHE/run"
LOGS="$CACHE/logs"
SUITE="bookworm"
IN_ROOT_CHECKOUT="/srv/library-kiosk"
UNIT_FILE="/etc/systemd/system/library-kiosk.service"
CONFIG="/etc/library-kiosk/kiosk.toml"
SERVICE_USER="library-kiosk"
VENV="/opt/library-kiosk/venv"
HOST_CA_BUNDLE="/etc/ssl/host-ca-certificates.crt"
# The SIP2 codec and client, the kiosk core with its offline queue, the device drivers, and one
# app journey (checkout, a refusal, receipt by e-mail and printer). Left out: the kill-and-replay
# test, whose own 120 s limit ten-times-slower emulation exceeds (kiosk/test_crash_core.py kills
# the core under emulation as well).
DEFAULT_TESTS="tests/sip2 tests/kiosk tests/devices
 tests/app/test_journeys.py::test_checkout_three_items_one_refused_then_receipt_by_email
 --deselect tests/kiosk/test_crash_replay.py::test_killed_again_and_again_no_transaction_is_lost_or_applied_twice"
TESTS="${KIOSK_ARM64_TESTS:-$DEFAULT_TESTS}"
KEEP=no

log() { printf '[check-arm64] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --keep) KEEP=yes; shift ;;
        --tests) TESTS="${2:?--tests needs a pytest selection}"; shift 2 ;;
        -h | --help) usage 0 ;;
        *) usage 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0): debootstrap, chroot and mount need it"

# Step bookkeeping: name, seconds, result, for the summary.
STEP_NAMES=()
STEP_SECONDS=()
STEP_RESULTS=()
FAILED=no

# Runs one step, its output into $LOGS/<name>.log; a failed step ends the check (later steps need it).
step() {
    local name="$1" start status=0
    shift
    log "$name ..."
    start=$(date +%s)
    # A subshell of its own, so that `set -e` stops the step at its first failing command.
    set +e
    (set -e; "$@") >"$LOGS/$name.log" 2>&1
    status=$?
    set -e
    STEP_NAMES+=("$name")
    STEP_SECONDS+=("$(($(date +%s) - start))")
    if [ "$status" -eq 0 ]; then
        STEP_RESULTS+=("ok")
    else
        STEP_RESULTS+=("FAILED (exit $status)")
        FAILED=yes
        log "$name failed (exit $status); the end of $LOGS/$name.log:"
        tail -n 40 "$LOGS/$name.log" >&2
        summary
        exit 1
    fi
}

# A command inside the arm64 root, with a clean environment. pip there trusts what this machine
# trusts (a proxy's CA, for one), as pip on the Pi trusts the Pi's.
IN_ROOT_ENV=(/usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb PIP_CERT="$HOST_CA_BUNDLE"
             PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
in_root() { chroot "$CHROOT" "${IN_ROOT_ENV[@]}" "$@"; }

# The Debian mirror apt uses on this machine (one-line or deb822 sources), else deb.debian.org.
debian_mirror() {
    local mirror
    mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -n 1 | tr -d ' ')" || true
    printf '%s' "${mirror:-http://deb.debian.org/debian}"
}

host_tools() {
    local missing=()
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] || command -v qemu-aarch64-static >/dev/null \
        || missing+=(qemu-user-static)
    if [ "${#missing[@]}" -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    [ -f /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
    # F (fix binary): the kernel keeps the emulator open, so it works inside the chroot too.
    grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
        || die "qemu-aarch64 is registered without the F flag: reinstall qemu-user-static"
}

base_root() {
    if [ -f "$BASE/.complete" ]; then
        echo "cached: $BASE ($(cat "$BASE/.complete"))"
        return 0
    fi
    local mirror
    mirror="$(debian_mirror)"
    rm -rf "$BASE.partial"
    debootstrap --arch=arm64 --variant=minbase "$SUITE" "$BASE.partial" "$mirror"
    echo "debootstrap --arch=arm64 --variant=minbase $SUITE $mirror, $(date -u +%F)" > "$BASE.partial/.complete"
    rm -rf "$BASE"
    mv "$BASE.partial" "$BASE"
}

unmount_all() {
    local mounted
    # Deepest first: /dev/pts before /dev.
    mounted="$(awk -v root="$CHROOT" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r)"
    [ -z "$mounted" ] && return 0
    while read -r point; do umount -l "$point" || true; done <<< "$mounted"
}

fresh_root() {
    unmount_all
    rm -rf "$CHROOT"
    cp -a "$BASE" "$CHROOT"
    mkdir -p "$CACHE/apt-archives/partial" "$CACHE/pip" "$CHROOT/root/.cache/pip"
    mount -t proc proc "$CHROOT/proc"
    mount -t sysfs sysfs "$CHROOT/sys"
    mount --bind /dev "$CHROOT/dev"
    mount --bind /dev/pts "$CHROOT/dev/pts"
    # Downloads are kept between runs: Debian packages and pip's wheels (the built ones too).
    mount --bind "$CACHE/apt-archives" "$CHROOT/var/cache/apt/archives"
    mount --bind "$CACHE/pip" "$CHROOT/root/.cache/pip"
    cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
    mkdir -p "$CHROOT$(dirname "$HOST_CA_BUNDLE")"
    cp -L /etc/ssl/certs/ca-certificates.crt "$CHROOT$HOST_CA_BUNDLE"
    # Packages must not start services in the root (there is nothing to start them anyway).
    printf '#!/bin/sh\nexit 101\n' > "$CHROOT/usr/sbin/policy-rc.d"
    chmod 0755 "$CHROOT/usr/sbin/policy-rc.d"
    in_root uname -m | grep -qx aarch64
    echo "fresh root from $BASE: $(in_root uname -m), $(in_root cat /etc/debian_version)"
}

copy_checkout() {
    mkdir -p "$CHROOT$IN_ROOT_CHECKOUT"
    tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=__pycache__ --exclude=.pytest_cache \
        --exclude=.hypothesis -cf - . | tar -C "$CHROOT$IN_ROOT_CHECKOUT" -xf -
    du -sh "$CHROOT$IN_ROOT_CHECKOUT"
}

# The installer, unchanged, as an administrator runs it: it meets no systemd here (not PID 1, not
# even installed) and must install and enable the unit, skipping only its start.
run_installer() {
    in_root bash "$IN_ROOT_CHECKOUT/scripts/kiosk-install.sh" install
    [ -L "$CHROOT/etc/systemd/system/multi-user.target.wants/library-kiosk.service" ] \
        || { echo "the unit was not enabled"; return 1; }
    grep -q "^$SERVICE_USER:" "$CHROOT/etc/passwd"
}

# Each installed distribution by its wheel tag: *aarch64 from PyPI (manylinux/musllinux), built here
# (linux_aarch64: compiled from the source archive in this root), or pure Python.
classify_wheels() {
    in_root "$VENV/bin/python" - <<'PY'
import importlib.metadata as md

kinds = {"aarch64 wheel": [], "built from source": [], "pure Python": []}
for dist in md.distributions():
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    name = f"{dist.metadata['Name']} {dist.version}"
    if any(tag.endswith("linux_aarch64") and "manylinux" not in tag and "musllinux" not in tag for tag in tags):
        kinds["built from source"].append(name)
    elif any("aarch64" in tag for tag in tags):
        kinds["aarch64 wheel"].append(name)
    else:
        kinds["pure Python"].append(name)
for kind, names in kinds.items():
    print(f"{kind}: {', '.join(sorted(names, key=str.lower)) or '-'}")
PY
}

# A free port on 127.0.0.1 for the ACS emulator (the root shares this machine's network).
ACS_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

start_acs() {
    local pid waited=0
    # chroot itself in the background (not in_root, a function): $! is then the emulator.
    chroot "$CHROOT" "${IN_ROOT_ENV[@]}" "$VENV/bin/sip2" emulator --host 127.0.0.1 --port "$ACS_PORT" \
        > "$LOGS/acs-emulator.log" 2>&1 &
    pid=$!
    echo "$pid" > "$LOGS/acs-emulator.pid"
    until grep -q "listening on" "$LOGS/acs-emulator.log"; do
        kill -0 "$pid" 2>/dev/null || { cat "$LOGS/acs-emulator.log"; return 1; }
        [ "$waited" -lt 300 ] || { echo "the ACS emulator did not start"; return 1; }
        sleep 1; waited=$((waited + 1))
    done
    head -n 1 "$LOGS/acs-emulator.log"
}

stop_acs() {
    local pid
    [ -f "$LOGS/acs-emulator.pid" ] || return 0
    pid="$(cat "$LOGS/acs-emulator.pid")"
    rm -f "$LOGS/acs-emulator.pid"
    kill "$pid" 2>/dev/null || true
    # Not this shell's child when started by a step's subshell: wait until it has gone.
    while kill -0 "$pid" 2>/dev/null; do sleep 1; done
}

# A drop-in and secrets.toml, as an administrator would write them, pointing at the emulator.
configure() {
    cat > "$CHROOT/etc/library-kiosk/kiosk.toml.d/90-arm64-check.toml" <<EOF
[kiosk]
id = "arm64-check"
library_name = "arm64 check"

[sip2]
host = "127.0.0.1"
port = $ACS_PORT
username = "kiosk"
institution = "DEMO"

[[scanner]]
driver = "keyboard"
name = "keyboard"
EOF
    printf '[sip2]\npassword = "kiosk"\n' > "$CHROOT/etc/library-kiosk/secrets.toml"
    in_root chown root:"$SERVICE_USER" /etc/library-kiosk/kiosk.toml.d/90-arm64-check.toml
    in_root chown "$SERVICE_USER:$SERVICE_USER" /etc/library-kiosk/secrets.toml
    chmod 0640 "$CHROOT/etc/library-kiosk/kiosk.toml.d/90-arm64-check.toml"
    chmod 0600 "$CHROOT/etc/library-kiosk/secrets.toml"
}

config_check() {
    in_root runuser -u "$SERVICE_USER" -- "$VENV/bin/kiosk" config check --config "$CONFIG"
}

doctor() {
    # The devices are the host's (none of them a kiosk's): the doctor checks everything else.
    in_root runuser -u "$SERVICE_USER" -- "$VENV/bin/kiosk" doctor --json --skip-devices --config "$CONFIG"
}

# The unit's own ExecStart, user, groups and environment, with SDL's offscreen driver in place of
# KMS/DRM (no screen here): time to READY=1 (the idle screen drawn) and to the first watchdog ping,
# then SIGTERM, as `systemctl stop` sends it. This machine's Python listens on the notify socket
# and starts the kiosk through setpriv in the root, so no emulated process has to fork.
first_frame() {
    python3 - "$CHROOT" "$UNIT_FILE" <<'PY'
import json, os, shlex, signal, socket, subprocess, sys, time

root, unit_path = sys.argv[1], sys.argv[2]
unit = open(root + unit_path, encoding="utf-8").read().splitlines()
def values(key):
    return [line.split("=", 1)[1] for line in unit if line.startswith(key + "=")]
env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
env.update(dict(item.split("=", 1) for value in values("Environment") for item in shlex.split(value)))
env.update(SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
env["WATCHDOG_USEC"] = str(int(float(values("WatchdogSec")[0]) * 1_000_000))  # as systemd sets it
user, group, groups = values("User")[0], values("Group")[0], values("SupplementaryGroups")[0].split()
notify_path = "/run/arm64-check-notify"
if os.path.exists(root + notify_path):
    os.unlink(root + notify_path)
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(root + notify_path)
os.chmod(root + notify_path, 0o666)
env["NOTIFY_SOCKET"] = notify_path
command = shlex.split(values("ExecStart")[0])
print("command:", " ".join(command), "as", user, flush=True)
in_root = ["chroot", root, "/usr/bin/setpriv", f"--reuid={user}", f"--regid={group}", f"--groups={','.join(groups)}",
           "/usr/bin/env", "-i", "--chdir=/var/lib/library-kiosk", *(f"{k}={v}" for k, v in env.items()),
           "/bin/sh", "-c", 'umask 077 && exec "$@"', "kiosk", *command]  # UMask=
start = time.monotonic()
kiosk = subprocess.Popen(in_root)
result = {"ready_seconds": None, "watchdog_seconds": None, "stopping": False, "exit_status": None}
notify.settimeout(5)
deadline = start + 300
try:
    while time.monotonic() < deadline and kiosk.poll() is None and result["watchdog_seconds"] is None:
        try:
            message = notify.recv(4096).decode()
        except socket.timeout:
            continue
        elapsed = round(time.monotonic() - start, 1)
        if "READY=1" in message and result["ready_seconds"] is None:
            result["ready_seconds"] = elapsed
        if "WATCHDOG=1" in message and result["ready_seconds"] is not None:
            result["watchdog_seconds"] = elapsed
finally:
    if kiosk.poll() is None:
        kiosk.send_signal(signal.SIGTERM)
        try:
            kiosk.wait(timeout=120)
        except subprocess.TimeoutExpired:
            kiosk.kill()
            kiosk.wait()
    notify.settimeout(1)
    try:
        while True:
            if "STOPPING=1" in notify.recv(4096).decode():
                result["stopping"] = True
    except OSError:
        pass
    result["exit_status"] = kiosk.returncode
print(json.dumps(result))
sys.exit(0 if result["ready_seconds"] and result["watchdog_seconds"] and result["stopping"]
         and result["exit_status"] == 0 else 1)
PY
}

test_tools() {
    in_root "$VENV/bin/pip" install --quiet "${IN_ROOT_CHECKOUT}[test]"
}

run_tests() {
    local selection=()
    read -ra selection <<< "$(printf '%s' "$TESTS" | tr '\n' ' ')"
    in_root env --chdir="$IN_ROOT_CHECKOUT" "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${selection[@]}"
}

summary() {
    local i total=0
    printf '\n== arm64 (Debian 12 %s, qemu-user) check of %s ==\n' "$(cat "$CHROOT/etc/debian_version" 2>/dev/null || echo '?')" \
        "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'this checkout')"
    for i in "${!STEP_NAMES[@]}"; do
        printf '  %-16s %6ss  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}" "${STEP_RESULTS[$i]}"
        total=$((total + STEP_SECONDS[i]))
    done
    printf '  %-16s %6ss  (%d min %d s)\n' "total" "$total" $((total / 60)) $((total % 60))
    [ -s "$LOGS/first-frame.log" ] && printf '  first frame: %s\n' "$(tail -n 1 "$LOGS/first-frame.log")"
    [ -s "$LOGS/tests.log" ] && printf '  tests (%s): %s\n' "$(printf '%s' "$TESTS" | tr '\n' ' ' | tr -s ' ')" \
        "$(grep -E '(passed|failed|error)' "$LOGS/tests.log" | tail -n 1)"
    if [ -s "$LOGS/wheels.log" ]; then
        echo "  Python packages of the installed kiosk:"
        sed 's/^/    /' "$LOGS/wheels.log"
    fi
    printf '  logs: %s\n' "$LOGS"
    [ "$FAILED" = no ] && echo "  result: PASSED" || echo "  result: FAILED"
}

cleanup() {
    stop_acs
    unmount_all
    [ "$KEEP" = yes ] || rm -rf "$CHROOT"
}

mkdir -p "$CACHE"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap cleanup EXIT
step host-tools host_tools
step base-root base_root
step fresh-root fresh_root
step copy-checkout copy_checkout
step install run_installer
step wheels classify_wheels
step acs-start start_acs
step configure configure
step config-check config_check
step doctor doctor
step first-frame first_frame
stop_acs
step test-tools test_tools
step tests run_tests
summary
