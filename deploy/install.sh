#!/usr/bin/env bash
# Install a self-service tax terminal on a fresh Debian 12 machine (issue #14 §1).
#
#   sudo deploy/install.sh [--wheels DIR --release-public-key KEY|--release-public-key-file F]
#                          [--devices VALUES.env] [--dry-run]
#   deploy/install.sh --root STAGING [--wheels DIR ...] ...      (no root needed)
#
# What it sets up (each step only if it is not so already: a second run changes nothing):
#   packages    cage (the Wayland kiosk compositor), python3-venv, the Qt runtime libraries,
#               fonts, CUPS client, speech (from the Debian mirror: the only network used)
#   user        kiosk, in dialout lp video input (serial lines, printers, DRM, touch)
#   program     a virtual environment per version, /opt/kiosk/versions/<release>, from the
#               wheels `make dist` built (--wheels DIR, no network) or else from this
#               checkout; /opt/kiosk/current -> versions/<release> (what `kiosk update`
#               switches). --wheels DIR must be a signed release (manifest.json +
#               manifest.json.sig, `make dist`): before anything changes its signature
#               and every wheel's SHA-256 are checked against the release public key
#               (--release-public-key, or the [update] key of an installed config) by
#               kiosk/update.py's own check (deploy/verify_release.py, system python);
#               an unsigned or altered package is refused with nothing changed, and
#               the checked copy is what gets installed
#   config      /etc/kiosk/kiosk.toml (0640 root:kiosk, mode = "production", [update]
#               release_public_key = the key given), written once: a technician's later
#               edits are kept
#   data        /var/lib/kiosk (0700 kiosk:kiosk)
#   devices     /etc/udev/rules.d/99-kiosk.rules rendered from --devices VALUES.env
#               (deploy/udev/README.md); without it no rule is installed
#   journald    /etc/systemd/journald.conf.d/kiosk.conf (disk and rate limits)
#   logind      /etc/systemd/logind.conf.d/kiosk.conf (no spare text consoles)
#   systemd     /etc/systemd/system/kiosk.service: cage + `kiosk run`, Type=notify,
#               WatchdogSec=, Restart=always; enabled, not started (enrol first:
#               `kiosk enroll`, deploy/credentials.md). The sync worker runs inside the
#               kiosk process: there is no separate sync unit.
#
# --root DIR writes the same files under DIR instead of / and creates no users, installs
# no packages and starts nothing: those are listed one per line in
# DIR/etc/kiosk/install-plan.txt ("user kiosk groups=dialout,lp,video,input"). Image
# builds and the tests (tests/deploy/test_install.py) use it.
# --dry-run prints every change it would make and makes none.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/.." && pwd)"
ROOT=""
DRY_RUN=0
WHEELS=""
DEVICES=""
RELEASE_KEY=""
RELEASE_KEY_FILE=""
PYTHON="${KIOSK_INSTALL_PYTHON:-/usr/bin/python3}"
KIOSK_GROUPS="dialout,lp,video,input"
PACKAGES="cage python3 python3-venv libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3
libglib2.0-0 libwayland-client0 libwayland-cursor0 libwayland-egl1 libzbar0 libnss3 libasound2
libpulse0 libpipewire-0.3-0 python3-cryptography fonts-wqy-microhei fonts-noto-cjk cups-client speech-dispatcher
speech-dispatcher-espeak-ng espeak-ng libspeechd2 systemd"

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT="$2"; shift 2 ;;
        --wheels) [ $# -ge 2 ] || die "--wheels needs a directory"; WHEELS="$2"; shift 2 ;;
        --devices) [ $# -ge 2 ] || die "--devices needs a file"; DEVICES="$2"; shift 2 ;;
        --python) [ $# -ge 2 ] || die "--python needs an interpreter"; PYTHON="$2"; shift 2 ;;
        --release-public-key) [ $# -ge 2 ] || die "--release-public-key needs a key"
            RELEASE_KEY="$2"; shift 2 ;;
        --release-public-key-file) [ $# -ge 2 ] || die "--release-public-key-file needs a file"
            RELEASE_KEY_FILE="$2"; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT" 2>/dev/null || [ "$DRY_RUN" = 1 ] || die "cannot create $ROOT"
    ROOT="$(cd "$ROOT" 2>/dev/null && pwd || echo "$ROOT")"
    [ "$ROOT" != "/" ] || ROOT=""
fi
STAGING=0
[ -n "$ROOT" ] && STAGING=1
if [ "$STAGING" = 0 ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "run as root (or stage into a directory with --root DIR, or look with --dry-run)"
fi
if [ -n "$WHEELS" ]; then
    [ -d "$WHEELS" ] || die "--wheels $WHEELS is not a directory"
    WHEELS="$(cd "$WHEELS" && pwd)"
    ls "$WHEELS"/tax_kiosk-*.whl >/dev/null 2>&1 || die "no tax_kiosk-*.whl in $WHEELS (make dist)"
fi
if [ -n "$DEVICES" ]; then
    [ -r "$DEVICES" ] || die "--devices $DEVICES cannot be read"
fi
if [ -n "$RELEASE_KEY" ] && [ -n "$RELEASE_KEY_FILE" ]; then
    die "give --release-public-key or --release-public-key-file, not both"
fi
if [ -n "$RELEASE_KEY_FILE" ]; then
    [ -r "$RELEASE_KEY_FILE" ] || die "--release-public-key-file $RELEASE_KEY_FILE cannot be read"
fi
command -v "$PYTHON" >/dev/null 2>&1 || [ "$STAGING" = 0 ] || die "no $PYTHON (--python)"

CHANGES=0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# -- 0. the release package: checked before anything changes ------------------------------

# The release public key for [update], base64 (empty: none given; `kiosk update` then
# accepts nothing until a technician sets it).
KEY_TEXT=""
verify_args=()
if [ -n "$RELEASE_KEY" ]; then verify_args=(--key "$RELEASE_KEY")
elif [ -n "$RELEASE_KEY_FILE" ]; then verify_args=(--key-file "$RELEASE_KEY_FILE")
fi
if [ -n "$WHEELS" ]; then
    # kiosk/update.py's check needs python3-cryptography (in $PACKAGES): on a fresh
    # machine it is the one package installed before the check, from the Debian mirror.
    if ! "$PYTHON" -c 'import cryptography' 2>/dev/null; then
        [ "$STAGING" = 0 ] && [ "$DRY_RUN" = 0 ] \
            || die "$PYTHON lacks the cryptography module to check the release signature (apt-get install python3-cryptography, or --python)"
        change "install packages: python3-cryptography (to check the release signature)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-cryptography >/dev/null
    fi
    # A second run may take the key from the config it installed the first time.
    checked="$("$PYTHON" "$HERE/verify_release.py" "$WHEELS" "$WORK/release" \
        "${verify_args[@]}" --config "$ROOT/etc/kiosk/kiosk.toml")" \
        || die "--wheels $WHEELS refused (see above)"
    # Install exactly the checked copy: only the wheels the release key signed.
    WHEELS_SOURCE="$WHEELS"
    WHEELS="$WORK/release"
    version="$(sed -n 1p <<< "$checked")"
    release="$(sed -n 2p <<< "$checked")"
    KEY_TEXT="$(sed -n 3p <<< "$checked")"
elif [ "${#verify_args[@]}" -gt 0 ]; then
    KEY_TEXT="$("$PYTHON" "$HERE/verify_release.py" "${verify_args[@]}" \
        --config "$ROOT/etc/kiosk/kiosk.toml")" \
        || die "the release public key is not usable (see above)"
fi

# -- primitives: each compares first and acts only on a difference -----------------------

change() {  # change DESCRIPTION: count and print one change (prefixed in a dry run)
    CHANGES=$((CHANGES + 1))
    if [ "$DRY_RUN" = 1 ]; then echo "would $*"; else echo "$*"; fi
}

owner_of() { stat -c '%U:%G' "$1" 2>/dev/null || echo "?"; }
mode_of() { stat -c '%a' "$1" 2>/dev/null || echo "?"; }

ensure_dir() {  # ensure_dir PATH MODE OWNER
    local path="$ROOT$1" mode="$2" owner="$3"
    if [ ! -d "$path" ]; then
        change "create directory $1 ($mode $owner)"
        [ "$DRY_RUN" = 1 ] || install -d -m "$mode" "$path"
    elif [ "$(mode_of "$path")" != "$mode" ]; then
        change "set mode $mode on $1"
        [ "$DRY_RUN" = 1 ] || chmod "$mode" "$path"
    fi
    ensure_owner "$1" "$owner"
}

ensure_owner() {  # ensure_owner PATH USER:GROUP (staged trees keep the caller's owner)
    local path="$ROOT$1"
    [ "$STAGING" = 0 ] || return 0
    if [ "$DRY_RUN" = 1 ] && [ ! -e "$path" ]; then return 0; fi
    if [ "$(owner_of "$path")" != "$2" ]; then
        change "set owner $2 on $1"
        [ "$DRY_RUN" = 1 ] || chown "$2" "$path"
    fi
}

ensure_file() {  # ensure_file PATH MODE OWNER SOURCE
    local path="$ROOT$1" mode="$2" owner="$3" source="$4"
    if [ ! -e "$path" ]; then
        change "write $1 ($mode $owner)"
        # mkdir, not install -d: that would also reset the mode of an existing folder.
        [ "$DRY_RUN" = 1 ] || { [ -d "$(dirname "$path")" ] || mkdir -p -m 755 "$(dirname "$path")"
                                install -m "$mode" "$source" "$path"; }
    elif ! cmp -s "$source" "$path"; then
        change "update $1"
        [ "$DRY_RUN" = 1 ] || install -m "$mode" "$source" "$path"
    elif [ "$(mode_of "$path")" != "$mode" ]; then
        change "set mode $mode on $1"
        [ "$DRY_RUN" = 1 ] || chmod "$mode" "$path"
    fi
    ensure_owner "$1" "$owner"
}

ensure_file_once() {  # like ensure_file, but an existing file's content is the owner's
    local path="$ROOT$1"
    if [ -e "$path" ]; then
        if [ "$(mode_of "$path")" != "$2" ]; then
            change "set mode $2 on $1"
            [ "$DRY_RUN" = 1 ] || chmod "$2" "$path"
        fi
        ensure_owner "$1" "$3"
    else
        ensure_file "$@"
    fi
}

ensure_symlink() {  # ensure_symlink PATH TARGET (relative targets stay valid when staged)
    local path="$ROOT$1"
    if [ "$(readlink "$path" 2>/dev/null)" != "$2" ]; then
        change "point $1 at $2"
        [ "$DRY_RUN" = 1 ] || { ln -sfn "$2" "$path.new" && mv -T "$path.new" "$path"; }
    fi
}

PLAN="$WORK/install-plan.txt"
: > "$PLAN"
plan() { echo "$*" >> "$PLAN"; }

# -- 1. packages, user, groups -------------------------------------------------------------

missing_packages=""
for p in $PACKAGES; do
    plan "package $p"
    if [ "$STAGING" = 0 ] && ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null \
            | grep -q '^install ok installed'; then
        missing_packages="$missing_packages $p"
    fi
done
if [ -n "$missing_packages" ]; then
    change "install packages:$missing_packages"
    if [ "$DRY_RUN" = 0 ]; then
        apt-get update -qq
        # shellcheck disable=SC2086  # one word per package
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            $missing_packages >/dev/null
    fi
fi

plan "group kiosk"
plan "user kiosk groups=$KIOSK_GROUPS"
if [ "$STAGING" = 0 ]; then
    if ! getent passwd kiosk >/dev/null; then
        change "create system user kiosk (home /var/lib/kiosk, no shell)"
        [ "$DRY_RUN" = 1 ] || useradd --system --user-group --home-dir /var/lib/kiosk \
            --no-create-home --shell /usr/sbin/nologin kiosk
    fi
    for g in ${KIOSK_GROUPS//,/ }; do
        if ! id -nG kiosk 2>/dev/null | tr ' ' '\n' | grep -qx "$g"; then
            change "add user kiosk to group $g"
            [ "$DRY_RUN" = 1 ] || usermod -aG "$g" kiosk
        fi
    done
fi

# -- 2. the program: a versioned virtual environment --------------------------------------

if [ -n "$WHEELS" ]; then
    # version and release come from the signed manifest (step 0): the release is named
    # by the exact set of wheels (kiosk.update.release_name), new wheels, new directory.
    source_text="the signed wheels in $WHEELS_SOURCE"
else
    version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$CHECKOUT/pyproject.toml" | head -1)"
    commit="$(git -C "$CHECKOUT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
    release="$version-g$commit"
    if [ -n "$(git -C "$CHECKOUT" status --porcelain 2>/dev/null | grep -v '^??' || true)" ]; then
        release="$release-dirty"
    fi
    source_text="the checkout $CHECKOUT"
fi

ensure_dir /opt/kiosk 755 root:root
ensure_dir /opt/kiosk/versions 755 root:root
target="/opt/kiosk/versions/$release"
if [ ! -e "$ROOT$target/.installed" ]; then
    change "install $release into $target (virtual environment from $source_text)"
    if [ "$DRY_RUN" = 0 ]; then
        build="$ROOT$target.partial"
        rm -rf "$build"
        "$PYTHON" -m venv "$build"
        if [ -n "$WHEELS" ]; then
            "$build/bin/python" -m pip install -q --no-index --find-links "$WHEELS" \
                "tax-kiosk==$version"
        else
            "$build/bin/python" -m pip install -q "$CHECKOUT"
        fi
        "$build/bin/python" -m compileall -q "$build/lib" >/dev/null 2>&1 || true
        # The scripts name the directory they were built in: give them the final one
        # (the real path, also when staged: the tree is copied into an image as is).
        grep -rlI --null -F "$build" "$build/bin" "$build/pyvenv.cfg" 2>/dev/null \
            | xargs -0 -r sed -i "s|$build|$target|g"
        echo "$release" > "$build/.installed"
        mv -T "$build" "$ROOT$target"
    fi
fi
ensure_symlink /opt/kiosk/current "versions/$release"

# -- 3. config, data ------------------------------------------------------------------------

ensure_dir /etc/kiosk 750 root:kiosk
config="$WORK/kiosk.toml"
{
    echo '# Written by deploy/install.sh; edit freely (a later run keeps this file).'
    echo '# production: `kiosk run` refuses --simulate, the developer panel and the VNC'
    echo '# screen (docs/configuration.md).'
    echo 'mode = "production"'
    grep -v '^# Example kiosk configuration\|^# urls are required\|^# Every setting is' \
        "$HERE/config/kiosk.toml" \
        | if [ -n "$KEY_TEXT" ]; then
              sed "s|^# release_public_key = .*|release_public_key = \"$KEY_TEXT\"|"
          else cat; fi
} > "$config"
ensure_file_once /etc/kiosk/kiosk.toml 640 root:kiosk "$config"
ensure_dir /var/lib/kiosk 700 kiosk:kiosk

# -- 4. devices, journald, logind, systemd ---------------------------------------------------

if [ -n "$DEVICES" ]; then
    rules="$WORK/99-kiosk.rules"
    python3 "$HERE/udev/render_rules.py" "$DEVICES" > "$rules" \
        || die "the device values in $DEVICES are not usable (see above)"
    ensure_file /etc/udev/rules.d/99-kiosk.rules 644 root:root "$rules"
    plan "reload udev"
fi
ensure_file /etc/systemd/journald.conf.d/kiosk.conf 644 root:root \
    "$HERE/systemd/journald.conf.d/kiosk.conf"
ensure_file /etc/systemd/logind.conf.d/kiosk.conf 644 root:root \
    "$HERE/systemd/logind.conf.d/kiosk.conf"
before=$CHANGES
ensure_file /etc/systemd/system/kiosk.service 644 root:root "$HERE/systemd/kiosk.service"
unit_changed=$((CHANGES - before))
plan "service kiosk.service enable"

if [ "$STAGING" = 0 ]; then
    if [ "$unit_changed" -gt 0 ]; then
        change "reload systemd"
        [ "$DRY_RUN" = 1 ] || systemctl daemon-reload
    fi
    if ! systemctl is-enabled --quiet kiosk.service 2>/dev/null; then
        change "enable kiosk.service (started at the next boot, after enrolment)"
        [ "$DRY_RUN" = 1 ] || systemctl enable --quiet kiosk.service
    fi
    if [ -n "$DEVICES" ] && [ "$DRY_RUN" = 0 ]; then
        udevadm control --reload && udevadm trigger --subsystem-match=tty \
            --subsystem-match=usb || true
    fi
fi

# The plan: what a real run creates besides files (users, groups, packages, services).
ensure_file /etc/kiosk/install-plan.txt 644 root:root "$PLAN"

if [ "$CHANGES" = 0 ]; then
    echo "nothing to change: the terminal is installed ($release)"
elif [ "$DRY_RUN" = 1 ]; then
    echo "$CHANGES change(s) would be made (dry run: nothing changed)"
else
    echo "$CHANGES change(s) made; release $release"
    [ "$STAGING" = 1 ] || echo "next: kiosk enroll --config /etc/kiosk/kiosk.toml ... (deploy/credentials.md), then reboot"
fi
