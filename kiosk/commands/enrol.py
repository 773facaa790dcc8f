"""`kiosk enroll`: the production way to give a terminal its identity.

Creates (or reuses) the kiosk's Ed25519 key pair and AES-GCM data key as 0600 files in
`key_dir` (apart from the queue database) and registers them with the central service,
which checks its enrolment token (required off loopback). Prints the kiosk id.
Exit 0 enrolled (again: harmless), 1 refused or unreachable, 2 bad configuration.
"""
from __future__ import annotations

import argparse
import ssl
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENROLMENT_TOKEN_ENV = "KIOSK_ENROLMENT_TOKEN"
#: systemd credential name (`LoadCredential=enrolment-token:/path` in a oneshot unit).
ENROLMENT_TOKEN_CREDENTIAL = "enrolment-token"


def register(subparsers: Any, with_config: Callable[[argparse.ArgumentParser],
                                                   argparse.ArgumentParser]) -> None:
    p = with_config(subparsers.add_parser(
        "enroll", aliases=["enrol"], help="create this kiosk's keys and register them "
                                          "with the central service"))
    p.add_argument("--central", metavar="URL",
                   help="central service URL (default: [central] urls of the config)")
    p.add_argument("--token", metavar="T",
                   help="enrolment token (visible in ps: prefer --token-file; default: "
                        "[central] enrolment_token or enrolment_token_file, then "
                        f"${ENROLMENT_TOKEN_ENV}, ${ENROLMENT_TOKEN_ENV}_FILE, systemd "
                        f"credential {ENROLMENT_TOKEN_CREDENTIAL}; none: open enrolment)")
    p.add_argument("--token-file", metavar="FILE",
                   help="read the enrolment token from this file")
    p.add_argument("--credentials", metavar="DIR", nargs="?",
                   const="/etc/credstore.encrypted",
                   help="after enrolling, seal the keys as systemd credentials into DIR "
                        "(default /etc/credstore.encrypted; TPM2-bound where there is "
                        "one) and remove the plain key files (deploy/credentials.md)")
    p.add_argument("--credentials-commands", action="store_true",
                   help="after enrolling, print the systemd-creds commands that seal "
                        "the keys (after the kiosk id line), changing nothing")
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


def enrolment_token(args: argparse.Namespace, central: Any) -> str | None:
    """The token to present: --token, --token-file, [central] enrolment_token or
    enrolment_token_file, then $KIOSK_ENROLMENT_TOKEN, its _FILE and the systemd
    credential; None (open enrolment) if none is set. ConfigError if a source that is
    set cannot be read."""
    from offline_queue.secrets import SecretError, read_secret, read_secret_file

    from ..config import ConfigError

    token_file = getattr(args, "token_file", None)
    if args.token and token_file:
        raise ConfigError("give --token or --token-file, not both")
    try:
        if args.token:
            return str(args.token)
        if token_file:
            return read_secret_file(token_file, "--token-file")
        if central.enrolment_token:
            return str(central.enrolment_token)
        if central.enrolment_token_file is not None:
            return read_secret_file(central.enrolment_token_file,
                                    "[central] enrolment_token_file")
        return read_secret(ENROLMENT_TOKEN_ENV, credential=ENROLMENT_TOKEN_CREDENTIAL)
    except SecretError as exc:
        raise ConfigError(str(exc)) from None


def _key_origin(args: argparse.Namespace, config: Any) -> tuple[str, str | None]:
    """Where enrolment takes the keys from ("files" or "credentials") and, if it must
    refuse, why. Under systemd (a $CREDENTIALS_DIRECTORY with the keys) the credentials;
    else the key files, created at the first enrolment - but never new files beside
    sealed credentials: that would silently give the kiosk a second identity."""
    from offline_queue.crypto import (
        DATA_KEY_FILE,
        SIGNING_KEY_FILE,
        credentials_directory,
        has_key_credentials,
    )

    from .credentials import CREDENTIAL_SUFFIX, CREDSTORE_DIR, credential_names

    if config.key_source != "files" and has_key_credentials(credentials_directory()):
        return "credentials", None
    if config.key_source == "credentials" and credentials_directory() is not None:
        return "credentials", None  # from_credentials names what is missing
    store = Path(args.credentials) if args.credentials else CREDSTORE_DIR
    sealed = [store / f"{name}{CREDENTIAL_SUFFIX}" for name, _ in credential_names()]
    files = [config.key_dir / SIGNING_KEY_FILE, config.key_dir / DATA_KEY_FILE]
    if not all(f.exists() for f in files) and any(p.exists() for p in sealed):
        return "files", (
            f"this kiosk's keys are sealed in {store} and there are no key files: run "
            f"enroll with the credentials loaded (systemd-run --pipe --wait -p "
            f"LoadCredentialEncrypted=... kiosk enroll; deploy/credentials.md) instead "
            f"of creating a second identity")
    return "files", None


def _seal_keys(args: argparse.Namespace, key_dir: Path, keys: Any) -> int:
    """--credentials-commands: print the systemd-creds commands; --credentials DIR:
    write the sealed credentials and remove the plain key files."""
    from .credentials import (
        CREDSTORE_DIR,
        CredentialError,
        has_tpm2,
        remove_key_files,
        seal_commands,
        write_credentials,
    )

    out_dir = Path(args.credentials) if args.credentials else CREDSTORE_DIR
    if args.credentials_commands:
        print("# Seal this kiosk's keys as systemd credentials (as root); use "
              "--with-key=host where `systemd-creds has-tpm2` fails")
        for line in seal_commands(key_dir, out_dir, "tpm2" if has_tpm2() else "host"):
            print(line)
        sys.stdout.flush()
    if args.credentials:
        try:
            mode = write_credentials(keys, out_dir)
        except (CredentialError, OSError) as exc:
            print(f"kiosk enroll: enrolled, but the credentials were not written: {exc}; "
                  f"the key files in {key_dir} stay", file=sys.stderr)
            return 2
        remove_key_files(key_dir)
        print(f"kiosk enroll: keys sealed into {out_dir} (--with-key={mode}); the key "
              f"files were removed: set key_source = \"credentials\"", file=sys.stderr)
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    from offline_queue.crypto import RecordIntegrityError, load_kiosk_keys
    from offline_queue.outbox import KIOSK_ID_RE

    from ..central_client import CentralClient, CentralRejected, CentralUnavailable, tls_context
    from ..config import ConfigError, check_central_url, load_config

    config = load_config(getattr(args, "config", None))
    if not KIOSK_ID_RE.match(config.kiosk_id):
        raise ConfigError("kiosk_id must be 1-64 characters of A-Z a-z 0-9 . _ -")
    urls = (args.central.rstrip("/"),) if args.central else config.central.urls
    for url in urls:  # the enrolment carries the data key: never plain HTTP off-machine
        check_central_url(url, "--central" if args.central else "[central] urls")
    token = enrolment_token(args, config.central)
    c = config.central
    try:
        verify: bool | ssl.SSLContext = (tls_context(c.ca_file, c.cert_file, c.key_file)
                                         if c.ca_file or c.cert_file else True)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"[central] TLS files cannot be loaded: {exc}") from None
    keys_from, refusal = _key_origin(args, config)
    if refusal:
        print(f"kiosk enroll: {refusal}", file=sys.stderr)
        return 2
    try:
        keys = load_kiosk_keys(config.key_dir, keys_from)
    except (OSError, RecordIntegrityError) as exc:
        where = ("the systemd credentials" if keys_from == "credentials"
                 else str(config.key_dir))
        print(f"kiosk enroll: cannot create or read the keys in {where}: {exc}",
              file=sys.stderr)
        return 2
    problems = check_key_files(config.key_dir) if keys_from == "files" else []
    if problems:
        print("kiosk enroll: " + "; ".join(problems), file=sys.stderr)
        return 2
    client = CentralClient(urls, config.kiosk_id, c.timeout_s, verify_tls=verify)
    try:
        answer = client.enroll(keys, token, hall_id=config.hall_id)
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
    where = ("from systemd credentials" if keys_from == "credentials"
             else f"in {config.key_dir}")
    print(f"enrolled {config.kiosk_id}; keys {where}", file=sys.stderr)
    if (args.credentials or args.credentials_commands) and keys_from == "files":
        if _seal_keys(args, config.key_dir, keys) != 0:
            return 2
    if answer.get("approved") is False:  # no token: an operator approves it first
        print(f"kiosk enroll: {config.kiosk_id} waits for an operator's approval (no "
              f"enrolment token given); key fingerprint {answer.get('key_fingerprint')}: "
              f"the operator compares it before approving", file=sys.stderr)
    return 0
