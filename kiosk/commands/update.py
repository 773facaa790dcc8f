"""`kiosk update` and `kiosk release-sign` (issue #14 §3; the logic is kiosk.update).

- `kiosk update --from DIR|URL`: verify the signed package, install it beside the
  running version, back up the data directory's databases, migrate, switch
  <prefix>/current, restart and wait for READY=1; roll back on a failed migration or a
  missing READY=1. Run as root (it writes <prefix> and restarts the unit).
- `kiosk update --resume [--at-start]`: finish or roll back an update whose updater
  died (kiosk.update.Updater.resume); `--at-start` is what the unit runs before the
  kiosk starts (deploy/systemd/kiosk.service).
- `kiosk release-sign DIR --key FILE [--generate]`: sign the wheels in DIR (what
  `make dist` runs); prints the public half for `[update] release_public_key`.

Exit codes: 0 updated (or nothing to do), 1 refused or failed with nothing changed,
2 bad arguments or config, 3 rolled back to the old version (records kept).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_ROLLED_BACK = 0, 1, 2, 3


def register(subparsers: Any, with_config: Callable[[argparse.ArgumentParser],
                                                   argparse.ArgumentParser]) -> None:
    p = with_config(subparsers.add_parser(
        "update", help="install a signed new version, keeping every queued record"))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--from", dest="source", metavar="DIR|URL",
                      help="the release package (`make dist` output: wheels, "
                           "manifest.json, manifest.json.sig)")
    what.add_argument("--resume", action="store_true",
                      help="finish or roll back an update that was interrupted")
    p.add_argument("--at-start", action="store_true",
                   help="with --resume: run by the unit before the kiosk starts (rolls "
                        "an interrupted update back, never touches the service)")
    p.add_argument("--prefix", type=Path, metavar="DIR",
                   help="where versions/ and current live (default: [update] prefix, "
                        "/opt/kiosk)")
    p.add_argument("--python", default="/usr/bin/python3",
                   help="interpreter for the new virtual environment (default "
                        "/usr/bin/python3)")
    p.add_argument("--restart-command", metavar="CMD",
                   help="start the kiosk from <prefix>/current (sh -c; gets "
                        "$NOTIFY_SOCKET, READY=1 awaited there); default: systemctl "
                        "restart kiosk.service")
    p.add_argument("--stop-command", metavar="CMD",
                   help="stop the kiosk (with --restart-command; default with systemd: "
                        "systemctl stop kiosk.service)")
    p.add_argument("--start-limit", type=float, metavar="S",
                   help="seconds the new version has to send READY=1 (default: [update] "
                        "start_limit_s, 90)")
    p.set_defaults(func=cmd_update)

    s = subparsers.add_parser("release-sign",
                              help="sign a folder of wheels as a release package")
    s.add_argument("dir", type=Path, help="the wheels (`make dist` output)")
    s.add_argument("--key", type=Path, required=True,
                   help="the release key (Ed25519 PEM, kept off the terminals)")
    s.add_argument("--generate", action="store_true",
                   help="create the key file first if it does not exist (development)")
    s.set_defaults(func=cmd_release_sign)


def _say(text: str) -> None:
    print(text, flush=True)


def public_key_from_config(config: Any) -> bytes:
    """The release public key the config names (UpdateError if none or unreadable)."""
    from ..update import UpdateError, parse_public_key

    update = config.update
    if update.release_public_key:
        return parse_public_key(update.release_public_key)
    if update.release_public_key_file is not None:
        try:
            text = Path(update.release_public_key_file).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise UpdateError(f"[update] release_public_key_file cannot be read: "
                              f"{exc}") from None
        return parse_public_key(text)
    raise UpdateError("no release key configured: set [update] release_public_key (the "
                      "line `make dist` prints); without it no package is accepted")


def cmd_update(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..update import Service, UpdateError, Updater

    config = load_config(args.config)
    prefix = (args.prefix or config.update.prefix).resolve()
    limit = args.start_limit or config.update.start_limit_s
    if args.at_start and not args.resume:
        print("kiosk update: --at-start goes with --resume", file=sys.stderr)
        return EXIT_USAGE
    try:
        service = None if args.at_start else Service.detect(
            args.stop_command, args.restart_command, limit)
        # Resuming needs no key: it only rolls back or restarts what was verified.
        key = b"" if args.resume else public_key_from_config(config)
        updater = Updater(prefix, config.data_dir, config.queue_path, key, service,
                          python=args.python, say=_say)
        if args.resume:
            outcome = updater.resume(at_start=args.at_start)
            if outcome is None:
                if not args.at_start:
                    _say("no interrupted update")
                return EXIT_OK
        else:
            outcome = updater.run(args.source)
    except UpdateError as exc:
        print(f"kiosk update: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK if outcome == "done" else EXIT_ROLLED_BACK


def cmd_release_sign(args: argparse.Namespace) -> int:
    from ..update import (
        UpdateError,
        generate_release_key,
        load_release_key,
        public_key_of,
        public_key_text,
        sign_release,
    )

    try:
        if not args.key.exists():
            if not args.generate:
                raise UpdateError(f"no release key at {args.key} (--generate creates a "
                                  f"development key)")
            generate_release_key(args.key)
            _say(f"generated a development release key at {args.key} (keep it off the "
                 f"terminals; a bureau signs with its own)")
        manifest = sign_release(args.dir, args.key)
        public = public_key_text(public_key_of(load_release_key(args.key)))
    except UpdateError as exc:
        print(f"kiosk release-sign: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    _say(f"signed {manifest['release']} ({len(manifest['files'])} files) in {args.dir}")
    _say(f'[update] release_public_key = "{public}"')
    return EXIT_OK
