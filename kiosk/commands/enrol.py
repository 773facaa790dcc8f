"""`kiosk enroll`: the production way to give a terminal its identity.

Creates (or reuses) the kiosk's Ed25519 key pair and AES-GCM data key as 0600 files in
`key_dir` (apart from the queue database) and registers them with the central service,
which must have been started with `--enrolment-token T`. Prints the kiosk id.
Exit 0 enrolled (again: harmless), 1 refused or unreachable, 2 bad configuration.
"""
from __future__ import annotations

import argparse
import os
import ssl
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENROLMENT_TOKEN_ENV = "KIOSK_ENROLMENT_TOKEN"


def register(subparsers: Any, with_config: Callable[[argparse.ArgumentParser],
                                                   argparse.ArgumentParser]) -> None:
    p = with_config(subparsers.add_parser(
        "enroll", aliases=["enrol"], help="create this kiosk's keys and register them "
                                          "with the central service"))
    p.add_argument("--central", metavar="URL",
                   help="central service URL (default: [central] urls of the config)")
    p.add_argument("--token", metavar="T",
                   help=f"enrolment token (default: [central] enrolment_token, then "
                        f"${ENROLMENT_TOKEN_ENV}; none: open enrolment)")
    p.set_defaults(func=cmd_enroll)


def check_key_files(key_dir: Path) -> list[str]:
    """Problems with the key files' permissions (each must be 0600, owner only)."""
    from offline_queue.crypto import DATA_KEY_FILE, SIGNING_KEY_FILE

    problems = []
    for name in (SIGNING_KEY_FILE, DATA_KEY_FILE):
        mode = stat.S_IMODE((key_dir / name).stat().st_mode)
        if mode & 0o077:
            problems.append(f"{key_dir / name} is readable by others (mode {mode:04o}); "
                            f"run chmod 600 on it")
    return problems


def cmd_enroll(args: argparse.Namespace) -> int:
    from offline_queue.crypto import KioskKeys, RecordIntegrityError
    from offline_queue.outbox import KIOSK_ID_RE

    from ..central_client import CentralClient, CentralRejected, CentralUnavailable, tls_context
    from ..config import ConfigError, load_config

    config = load_config(getattr(args, "config", None))
    if not KIOSK_ID_RE.match(config.kiosk_id):
        raise ConfigError("kiosk_id must be 1-64 characters of A-Z a-z 0-9 . _ -")
    urls = (args.central.rstrip("/"),) if args.central else config.central.urls
    if not all(u.startswith(("http://", "https://")) for u in urls):
        raise ConfigError("--central must start with http:// or https://")
    token = args.token or config.central.enrolment_token or os.environ.get(ENROLMENT_TOKEN_ENV)
    c = config.central
    try:
        verify: bool | ssl.SSLContext = (tls_context(c.ca_file, c.cert_file, c.key_file)
                                         if c.ca_file or c.cert_file else True)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"[central] TLS files cannot be loaded: {exc}") from None
    try:
        keys = KioskKeys.load_or_create(config.key_dir)
    except (OSError, RecordIntegrityError) as exc:
        print(f"kiosk enroll: cannot create or read the keys in {config.key_dir}: {exc}",
              file=sys.stderr)
        return 2
    problems = check_key_files(config.key_dir)
    if problems:
        print("kiosk enroll: " + "; ".join(problems), file=sys.stderr)
        return 2
    client = CentralClient(urls, config.kiosk_id, c.timeout_s, verify_tls=verify)
    try:
        answer = client.enroll(keys, token)
    except CentralRejected as exc:
        print(f"kiosk enroll: the central service refused the enrolment of "
              f"{config.kiosk_id}: {exc.reason} (HTTP {exc.status})", file=sys.stderr)
        return 1
    except CentralUnavailable as exc:
        print(f"kiosk enroll: central service unreachable at {', '.join(urls)}: {exc}",
              file=sys.stderr)
        return 1
    finally:
        client.close()
    print(answer.get("kiosk_id", config.kiosk_id), flush=True)
    print(f"enrolled {config.kiosk_id}; keys in {config.key_dir}", file=sys.stderr)
    return 0
