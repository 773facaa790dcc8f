#!/usr/bin/env python3
"""Check a signed release package for deploy/install.sh --wheels (issue #14 §3).

    verify_release.py WHEELS INTO (--key TEXT | --key-file F | --config TOML)
    verify_release.py (--key TEXT | --key-file F) [--config TOML]     (the key alone)

Runs under the system python on the checkout and reuses kiosk.update's verification
(the one `kiosk update --from` runs): the Ed25519 signature in manifest.json.sig over
manifest.json, then every listed wheel's size and SHA-256. The listed files are copied
into INTO and checked there, so the installer uses exactly what was checked and pip sees
no file the manifest does not name. The release public key comes from the option, or
else from the [update] section of an already installed config (a second run). A key
given that differs from the one an installed config names is refused: the config is
the technician's (install.sh writes it once), and `kiosk update` would later refuse
every package signed with the key given here.

Prints three lines on success: the version, the release name and the public key in
base64 (for the config's [update] release_public_key); without WHEELS only the key.
Exit 1 and a message on stderr when the package is refused, 2 when no usable key is
given; INTO is then removed.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

# The checkout this script ships in: kiosk/update.py is imported from there (stdlib only
# at import time; `cryptography` is python3-cryptography from Debian).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.update import (  # noqa: E402
    UpdateError,
    fetch_and_verify,
    parse_public_key,
    public_key_text,
)


def key_from_config(path: Path) -> str | None:
    """The release key an installed config names, or None if it names none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UpdateError(f"{path} cannot be read for its [update] key: {exc}") from None
    update = data.get("update")
    if not isinstance(update, dict):
        return None
    if isinstance(update.get("release_public_key"), str) and update["release_public_key"]:
        return str(update["release_public_key"])
    if isinstance(update.get("release_public_key_file"), str):
        key_file = Path(update["release_public_key_file"])
        if not key_file.is_absolute():
            key_file = path.parent / key_file
        try:
            return key_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise UpdateError(f"[update] release_public_key_file of {path} cannot be "
                              f"read: {exc}") from None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheels", nargs="?",
                        help="the package: wheels, manifest.json, manifest.json.sig")
    parser.add_argument("into", type=Path, nargs="?",
                        help="where the checked copy goes (new folder)")
    parser.add_argument("--key", help="the release public key (base64 or PEM text)")
    parser.add_argument("--key-file", type=Path, help="a file holding that key")
    parser.add_argument("--config", type=Path,
                        help="an installed kiosk.toml whose [update] key to use when no "
                             "key option is given")
    args = parser.parse_args(argv)
    if (args.wheels is None) != (args.into is None):
        parser.error("give both WHEELS and INTO, or neither")
    try:
        text: str | None = args.key
        if text is None and args.key_file is not None:
            try:
                text = args.key_file.read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as exc:
                raise UpdateError(f"--release-public-key-file {args.key_file} cannot be "
                                  f"read: {exc}") from None
        installed = key_from_config(args.config) if args.config is not None else None
        if text is None:
            text = installed
        if text is None:
            print("no release public key: --wheels needs --release-public-key KEY or "
                  "--release-public-key-file F (the line `make dist` prints); nothing "
                  "changed", file=sys.stderr)
            return 2
        try:
            key = parse_public_key(text)
            if installed is not None and parse_public_key(installed) != key:
                raise UpdateError(f"{args.config} names another release key in [update]: "
                                  f"change it there first (a later run keeps that file)")
        except UpdateError as exc:
            print(f"{exc}; nothing changed", file=sys.stderr)
            return 2
        if args.wheels is None:
            print(public_key_text(key))
            return 0
        manifest = fetch_and_verify(args.wheels, key, args.into)
    except UpdateError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(manifest.version)
    print(manifest.release)
    print(public_key_text(key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
