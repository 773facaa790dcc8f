"""The kiosk's keys as systemd credentials, made at enrolment (`kiosk enroll
--credentials DIR` or `--credentials-commands`; how-to: deploy/credentials.md).

`systemd-creds encrypt` seals each raw 32-byte key into a blob bound to its credential
name and to this machine: to the TPM2 chip where there is one, to the host key
(/var/lib/systemd/credential.secret, root only) otherwise. The unit passes them with
`LoadCredentialEncrypted=`; systemd decrypts them into $CREDENTIALS_DIRECTORY, readable
only by the service, and the kiosk reads them there (key_source).
"""
from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from offline_queue.crypto import (
    DATA_KEY_CREDENTIAL,
    DATA_KEY_FILE,
    SIGNING_KEY_CREDENTIAL,
    SIGNING_KEY_FILE,
    KioskKeys,
)

#: Where systemd looks for encrypted credentials; the shipped unit names these paths.
CREDSTORE_DIR = Path("/etc/credstore.encrypted")
CREDENTIAL_SUFFIX = ".cred"
SYSTEMD_CREDS = "systemd-creds"
_TIMEOUT_S = 60.0


class CredentialError(RuntimeError):
    """The credentials could not be written; the message says why (never key bytes)."""


def credential_names() -> tuple[tuple[str, str], ...]:
    """(credential name, key file name) of the two keys."""
    return ((SIGNING_KEY_CREDENTIAL, SIGNING_KEY_FILE), (DATA_KEY_CREDENTIAL, DATA_KEY_FILE))


def has_tpm2(systemd_creds: str = SYSTEMD_CREDS) -> bool:
    """Whether this machine has a usable TPM2 (`systemd-creds has-tpm2` exits 0)."""
    try:
        done = subprocess.run([systemd_creds, "has-tpm2"], capture_output=True,
                              timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def seal_commands(key_dir: Path, out_dir: Path, with_key: str) -> list[str]:
    """The shell commands an operator runs (as root) to make the credentials from the
    key files and then remove the files."""
    lines = []
    for name, file_name in credential_names():
        lines.append(shlex.join([SYSTEMD_CREDS, "encrypt", f"--name={name}",
                                 f"--with-key={with_key}", str(key_dir / file_name),
                                 str(out_dir / f"{name}{CREDENTIAL_SUFFIX}")]))
    lines.append(shlex.join(["shred", "--remove", *(str(key_dir / f)
                                                    for _, f in credential_names())]))
    return lines


def write_credentials(keys: KioskKeys, out_dir: Path, *, with_key: str | None = None,
                      systemd_creds: str = SYSTEMD_CREDS) -> str:
    """Seal both keys into ``out_dir/<name>.cred`` with systemd-creds and check that
    each decrypts back to the same key; returns the --with-key used (tpm2 where the
    machine has one, host otherwise). Refuses to replace existing blobs: they are this
    kiosk's identity. The keys travel to systemd-creds on a pipe, never in argv."""
    mode = with_key or ("tpm2" if has_tpm2(systemd_creds) else "host")
    targets = [(name, out_dir / f"{name}{CREDENTIAL_SUFFIX}") for name, _ in credential_names()]
    existing = [str(path) for _, path in targets if path.exists()]
    if existing:
        raise CredentialError(f"{', '.join(existing)} already exist(s): they hold a kiosk "
                              f"identity; remove them first to replace it")
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    values = {SIGNING_KEY_CREDENTIAL: keys.signing_key_bytes(),
              DATA_KEY_CREDENTIAL: keys.data_key}
    written: list[Path] = []
    try:
        for name, path in targets:
            tmp = path.with_name(f".{path.name}.tmp")
            _run([systemd_creds, "encrypt", f"--name={name}", f"--with-key={mode}", "-",
                  str(tmp)], values[name], f"encrypting {name}")
            os.chmod(tmp, 0o600)
            if _run([systemd_creds, "decrypt", f"--name={name}", str(tmp), "-"], b"",
                    f"checking {name}") != values[name]:
                tmp.unlink(missing_ok=True)
                raise CredentialError(f"{name}: the sealed credential does not decrypt to "
                                      f"the key; nothing written")
            os.replace(tmp, path)
            written.append(path)
    except BaseException:
        for path in written:  # both or neither
            path.unlink(missing_ok=True)
        for _, path in targets:
            path.with_name(f".{path.name}.tmp").unlink(missing_ok=True)
        raise
    return mode


def remove_key_files(key_dir: Path) -> None:
    """Overwrite the plain key files with zeros and delete them (the credentials now
    hold the keys). Best effort on flash storage: see deploy/credentials.md."""
    for _, file_name in credential_names():
        path = key_dir / file_name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        with open(path, "r+b", buffering=0) as handle:
            handle.write(b"\0" * size)
            os.fsync(handle.fileno())
        path.unlink()


def _run(cmd: list[str], stdin: bytes, what: str) -> bytes:
    try:
        done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=_TIMEOUT_S,
                              check=False)
    except FileNotFoundError:
        raise CredentialError(f"{cmd[0]} not found: install systemd (>= 250), or use "
                              f"--credentials-commands and run them where it is") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CredentialError(f"{what}: {cmd[0]} failed ({type(exc).__name__})") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise CredentialError(f"{what}: {cmd[0]} exited {done.returncode}: {reason}")
    return done.stdout
