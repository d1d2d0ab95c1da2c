#!/usr/bin/env bash
# Install, upgrade or remove the library kiosk on Raspberry Pi OS Bookworm (Debian 12).
#
#   sudo scripts/kiosk-install.sh install     # packages, user, /opt venv, config skeleton, units, enable, start
#   sudo scripts/kiosk-install.sh upgrade     # stop, back up the database, new code, schema upgrade, start
#   sudo scripts/kiosk-install.sh uninstall [--purge]   # --purge also deletes config and the database
#
# Safe to run again: each step checks first and changes only what is missing or outdated.
# Options: --source PATH (a checkout or wheel to install; default this checkout),
#          --no-packages (skip apt), --no-start (enable but do not start).
# For images and tests: DESTDIR puts every file under another root (units are enabled there
# with systemctl --root); SYSTEMCTL and UDEVADM name other commands; PYTHON the interpreter
# that makes the virtualenv; SYSTEMD_RUNNING=yes|no overrides the check whether systemd runs
# here (it does not in a chroot, a container or an image being built: units are enabled, not
# started; without any systemctl the unit is enabled by linking it into its targets' .wants).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
UDEVADM="${UDEVADM:-udevadm}"
PYTHON="${PYTHON:-python3}"
SYSTEMD_RUNNING="${SYSTEMD_RUNNING:-auto}"
SERVICE_USER="library-kiosk"
UNIT="library-kiosk.service"
PREFIX="/opt/library-kiosk"
ETC="/etc/library-kiosk"
STATE="/var/lib/library-kiosk"
# libgl1 (libGL.so.1) and Mesa's drivers: Kivy cannot open a window without them, and a minimal
# Bookworm or Raspberry Pi OS Lite has neither.
DEBS=(python3 python3-venv python3-dev gcc libmtdev1 libgl1 libgl1-mesa-dri libegl1 libgles2 libgbm1 libdrm2
      libusb-1.0-0 sqlite3)

log() { printf '[kiosk-install] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
path() { printf '%s%s' "$DESTDIR" "$1"; }

# Commands that act on the running system are skipped when installing into DESTDIR.
on_host() { [ -z "$DESTDIR" ]; }

# Starting, stopping and reloading need a running systemd; enabling works without one.
systemd_running() {
    case "$SYSTEMD_RUNNING" in
        yes) return 0 ;;
        no) return 1 ;;
        *) on_host && [ -d /run/systemd/system ] ;;
    esac
}

live_systemctl() {
    if systemd_running; then "$SYSTEMCTL" "$@"; else log "systemd is not running here: skipped systemctl $*"; fi
}

offline_systemctl() {
    if ! command -v "$SYSTEMCTL" >/dev/null 2>&1; then link_units "$@"
    elif on_host; then "$SYSTEMCTL" "$@"
    else "$SYSTEMCTL" --root "$DESTDIR" "$@"; fi
}

# What `systemctl enable|disable` does to the file system, for a root without systemctl
# (a minimal chroot or an image being built): links in the .wants folders of the unit's targets.
link_units() {
    local action="$1" unit="$2" file target targets=()
    file="$(unit_file "$unit")" || { log "no unit file for $unit: not ${action}d"; return 1; }
    read -ra targets <<< "$(sed -n 's/^WantedBy=//p' "$file" | tr '\n' ' ')"
    for target in "${targets[@]}"; do
        case "$action" in
            enable) install -d -m 0755 "$(path "/etc/systemd/system/$target.wants")"
                    ln -sfn "${file#"$DESTDIR"}" "$(path "/etc/systemd/system/$target.wants/$unit")" ;;
            disable) rm -f "$(path "/etc/systemd/system/$target.wants/$unit")" ;;
            *) log "no systemctl here: cannot $action $unit"; return 1 ;;
        esac
    done
    log "no systemctl here: ${action}d $unit by its links in /etc/systemd/system"
}

# The unit's file in the root: our own, or the template an instance such as getty@tty1 comes from.
unit_file() {
    local unit="$1" dir
    for dir in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
        [ -f "$(path "$dir/$unit")" ] && { path "$dir/$unit"; return 0; }
        [ -f "$(path "$dir/${unit%%@*}@.service")" ] && { path "$dir/${unit%%@*}@.service"; return 0; }
    done
    return 1
}

need_root() {
    [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 $*)"
}

check_system() {
    on_host || return 0
    local id="" version=""
    # shellcheck disable=SC1091  # the running system's release file
    [ -r /etc/os-release ] && { id="$(. /etc/os-release && echo "${ID:-}")"; version="$(. /etc/os-release && echo "${VERSION_ID:-}")"; }
    case "$id:$version" in
        debian:12 | raspbian:12) ;;
        *) log "warning: made for Raspberry Pi OS Bookworm (Debian 12); this is ${id:-unknown} ${version:-?}" ;;
    esac
}

install_packages() {
    local missing=()
    for pkg in "${DEBS[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && { log "Debian packages: all present"; return 0; }
    log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

group_exists() { grep -q "^$1:" "$(path /etc/group)"; }

# The groups the unit's SupplementaryGroups= names: a unit naming a missing group cannot start.
unit_groups() { sed -n 's/^SupplementaryGroups=//p' "$ROOT/systemd/$UNIT"; }

# A minimal Bookworm has no input or render group until udev's package creates them: create them
# as system groups (udev and systemd-sysusers keep a group that exists) or stop and say which.
ensure_groups() {
    local group root_opt=()
    [ -n "$DESTDIR" ] && root_opt=(--root "$DESTDIR")
    for group in $(unit_groups); do
        group_exists "$group" && continue
        log "creating system group $group (the unit's SupplementaryGroups= names it; udev has not made it here)"
        groupadd "${root_opt[@]}" --system "$group" \
            || die "group $group is missing and could not be created: create it, or the kiosk cannot start"
    done
}

create_user() {
    local root_opt=()
    [ -n "$DESTDIR" ] && root_opt=(--root "$DESTDIR")
    if ! grep -q "^$SERVICE_USER:" "$(path /etc/passwd)"; then
        log "creating system user $SERVICE_USER"
        useradd "${root_opt[@]}" --system --user-group --home-dir "$STATE" --no-create-home \
            --shell /usr/sbin/nologin --comment "Library self-checkout kiosk" "$SERVICE_USER"
    fi
    ensure_groups
    usermod "${root_opt[@]}" --append --groups "$(unit_groups | tr ' ' ,)" "$SERVICE_USER"
}

install_code() {
    local venv source="$1"
    venv="$(path "$PREFIX/venv")"
    install -d -m 0755 "$(path "$PREFIX")" "$(path "$PREFIX/docs")"
    [ -x "$venv/bin/python" ] || { log "creating virtualenv $PREFIX/venv"; "$PYTHON" -m venv "$venv"; }
    log "installing the kiosk from $source"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet --upgrade "$source"
    [ -f "$ROOT/docs/deploying.md" ] && install -m 0644 "$ROOT/docs/deploying.md" "$(path "$PREFIX/docs/deploying.md")"
    return 0
}

# Copy a file unless the target exists (files an administrator edits are never overwritten).
install_once() {
    local mode="$1" owner="$2" from="$3" to
    to="$(path "$4")"
    [ -e "$to" ] && return 0
    log "creating $4"
    install -m "$mode" "$from" "$to"
    chown_to "$owner" "$to"
}

chown_to() {
    # Inside DESTDIR the service user exists only in DESTDIR's passwd: leave ownership to the packager.
    on_host && chown "$1" "$2"
    return 0
}

install_config() {
    install -d -m 0750 "$(path "$ETC")" "$(path "$ETC/kiosk.toml.d")"
    chown_to "root:$SERVICE_USER" "$(path "$ETC")"
    chown_to "root:$SERVICE_USER" "$(path "$ETC/kiosk.toml.d")"
    install_once 0640 "root:$SERVICE_USER" "$ROOT/config/kiosk.example.toml" "$ETC/kiosk.toml"
    install_once 0600 "$SERVICE_USER:$SERVICE_USER" "$ROOT/config/secrets.example.toml" "$ETC/secrets.toml"
    install -d -m 0700 "$(path "$STATE")" "$(path "$STATE/kivy")"
    chown_to "$SERVICE_USER:$SERVICE_USER" "$(path "$STATE")"
    chown_to "$SERVICE_USER:$SERVICE_USER" "$(path "$STATE/kivy")"
    # Kivy's settings follow the release (they are not the library's to edit).
    install -m 0600 "$ROOT/systemd/kivy-config.ini" "$(path "$STATE/kivy/config.ini")"
    chown_to "$SERVICE_USER:$SERVICE_USER" "$(path "$STATE/kivy/config.ini")"
}

install_units() {
    install -d -m 0755 "$(path /etc/systemd/system)" "$(path /etc/udev/rules.d)"
    install -m 0644 "$ROOT/systemd/$UNIT" "$(path "/etc/systemd/system/$UNIT")"
    install_once 0644 root:root "$ROOT/systemd/70-library-kiosk.rules" /etc/udev/rules.d/70-library-kiosk.rules
    live_systemctl daemon-reload
    systemd_running && on_host && { "$UDEVADM" control --reload || true; "$UDEVADM" trigger || true; }
    return 0
}

# Screen blanking off: the kernel console would blank after 10 minutes without a key press.
screen_blanking_off() {
    local cmdline
    for cmdline in "$(path /boot/firmware/cmdline.txt)" "$(path /boot/cmdline.txt)"; do
        [ -f "$cmdline" ] || continue
        grep -q 'consoleblank=0' "$cmdline" && return 0
        log "turning console blanking off in ${cmdline#"$DESTDIR"} (from the next boot)"
        sed -i '1 s/$/ consoleblank=0/' "$cmdline"
        return 0
    done
    log "no cmdline.txt found: add consoleblank=0 to the kernel command line by hand"
}

enable_and_start() {
    offline_systemctl disable getty@tty1.service >/dev/null 2>&1 || true  # the kiosk owns tty1
    offline_systemctl enable "$UNIT"
    if [ "$START" = yes ] && systemd_running; then
        "$SYSTEMCTL" restart "$UNIT"
        log "started; follow it with: journalctl -u $UNIT -f"
    elif [ "$START" = yes ]; then
        log "systemd is not running here (a chroot, a container or an image being built): $UNIT is enabled, not started; it starts at the next boot"
    fi
    return 0
}

# The offline queue must survive an upgrade: stop the kiosk, copy the database aside, open it
# with the new code (which brings its schema up to date), and only then start again.
upgrade_database() {
    local db stamp config
    config="$(path "$ETC/kiosk.toml")"
    db="$(path "$STATE/kiosk.db")"
    if [ ! -f "$db" ]; then
        log "no database yet: the kiosk creates it at its first start"
        return 0
    fi
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    log "backing up the database to kiosk.db.pre-upgrade-$stamp"
    sqlite3 "$db" ".backup '$db.pre-upgrade-$stamp'" 2>/dev/null || cp -p "$db" "$db.pre-upgrade-$stamp"
    chmod 0600 "$db.pre-upgrade-$stamp"  # it holds patrons' transactions
    log "upgrading the database schema (queued transactions are kept)"
    as_service_user "$(path "$PREFIX/venv/bin/kiosk")" queue list --config "$config"
}

as_service_user() {
    if on_host; then runuser -u "$SERVICE_USER" -- "$@"; else "$@"; fi
}

cmd_install() {
    check_system
    [ "$PACKAGES" = yes ] && install_packages
    create_user
    install_code "$SOURCE"
    install_config
    install_units
    screen_blanking_off
    "$(path "$PREFIX/venv/bin/kiosk")" config check --config "$(path "$ETC/kiosk.toml")" \
        || log "the configuration needs editing before the kiosk can start: $ETC/kiosk.toml"
    enable_and_start
}

cmd_upgrade() {
    [ -x "$(path "$PREFIX/venv/bin/kiosk")" ] || die "not installed yet: run '$0 install'"
    live_systemctl stop "$UNIT" || true
    install_code "$SOURCE"
    install_config
    install_units
    upgrade_database
    enable_and_start
}

cmd_uninstall() {
    live_systemctl stop "$UNIT" >/dev/null 2>&1 || true
    offline_systemctl disable "$UNIT" >/dev/null 2>&1 || true
    rm -f "$(path "/etc/systemd/system/$UNIT")" "$(path /etc/udev/rules.d/70-library-kiosk.rules)"
    live_systemctl daemon-reload
    offline_systemctl enable getty@tty1.service >/dev/null 2>&1 || true
    rm -rf "$(path "$PREFIX")"
    if [ "$PURGE" = yes ]; then
        log "deleting the configuration and the database (the offline queue with it)"
        rm -rf "$(path "$ETC")" "$(path "$STATE")"
        if grep -q "^$SERVICE_USER:" "$(path /etc/passwd)"; then
            if [ -n "$DESTDIR" ]; then userdel --root "$DESTDIR" "$SERVICE_USER"; else userdel "$SERVICE_USER"; fi
        fi
    else
        log "kept $ETC and $STATE (the offline queue); --purge deletes them"
    fi
}

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

[ $# -ge 1 ] || usage 2
COMMAND="$1"; shift
SOURCE="$ROOT"; PACKAGES=yes; START=yes; PURGE=no
[ -n "$DESTDIR" ] && PACKAGES=no
while [ $# -gt 0 ]; do
    case "$1" in
        --source) SOURCE="${2:?--source needs a path}"; shift 2 ;;
        --no-packages) PACKAGES=no; shift ;;
        --no-start) START=no; shift ;;
        --purge) PURGE=yes; shift ;;
        -h | --help) usage 0 ;;
        *) die "unknown option $1" ;;
    esac
done
need_root "$COMMAND"
case "$COMMAND" in
    install) cmd_install ;;
    upgrade) cmd_upgrade ;;
    uninstall) cmd_uninstall ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
esac
