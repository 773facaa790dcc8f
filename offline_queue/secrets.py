"""Read a secret (a token) from the environment, a file or a systemd credential.

Shared by the kiosk and the central service; no Qt, no third-party imports.

`read_secret("KIOSK_CENTRAL_ADMIN_TOKEN", credential="admin-token")` looks, in this
order, and the first source that is set wins:

1. the environment variable itself, `KIOSK_CENTRAL_ADMIN_TOKEN` (development; visible
   to anything that can read the process's environment);
2. the file named by `KIOSK_CENTRAL_ADMIN_TOKEN_FILE` (Docker/Kubernetes style);
3. `$CREDENTIALS_DIRECTORY/admin-token`, where systemd puts a credential given with
   `LoadCredential=admin-token:/path` or `LoadCredentialEncrypted=` (production: the
   file is readable only by the service, lives in memory, and can be TPM-sealed).

None when no source is set. A source that is set but unusable - a missing, unreadable,
empty or oversized file, a value with a line break inside - raises SecretError naming
the variable or path (never the value): a typo in a path must stop the service, not
quietly leave it without a token. One trailing newline (as `echo` writes) is removed.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

FILE_SUFFIX = "_FILE"
CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY"
#: A token is a short line; anything larger is a wrong path (a log, /dev/zero, ...).
MAX_SECRET_BYTES = 64 * 1024


class SecretError(ValueError):
    """A secret's source is set but unusable; the message says which and why."""


def _clean(value: str, where: str) -> str:
    if value.endswith("\r\n"):
        value = value[:-2]
    elif value.endswith("\n"):
        value = value[:-1]
    if not value:
        raise SecretError(f"{where} is empty")
    if any(c in value for c in "\r\n\0"):
        # Tokens travel in HTTP headers: a second line is a mistake, not part of it.
        raise SecretError(f"{where} holds more than one line")
    return value


def read_secret_file(path: str | os.PathLike[str], what: str) -> str:
    """The secret in the file at `path` (one trailing newline removed); `what` names
    the setting in the error messages, e.g. "--admin-token-file"."""
    where = f"{what} ({path})"
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SECRET_BYTES + 1)
    except FileNotFoundError:
        raise SecretError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SecretError(f"{where}: is a directory, not a file") from None
    except OSError as exc:
        raise SecretError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_SECRET_BYTES:
        raise SecretError(f"{where}: larger than {MAX_SECRET_BYTES} bytes; not a token")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"{where}: not UTF-8 text") from None
    return _clean(text, where)


def read_secret(name_env: str, *, credential: str | None = None,
                environ: Mapping[str, str] | None = None) -> str | None:
    """The secret from `$name_env`, the file `$name_env_FILE` or the systemd credential
    `credential`, in that order; None if none is set. SecretError if the source that is
    set cannot be used. An empty variable counts as not set. `environ` defaults to
    os.environ (tests pass their own)."""
    env = os.environ if environ is None else environ
    value = env.get(name_env)
    if value:
        return _clean(value, f"${name_env}")
    file_var = name_env + FILE_SUFFIX
    path = env.get(file_var)
    if path:
        return read_secret_file(path, f"${file_var}")
    if credential is None:
        return None
    if not credential or "/" in credential or credential in (".", ".."):
        raise ValueError(f"bad credential name {credential!r}")
    folder = env.get(CREDENTIALS_DIRECTORY)
    if not folder:
        return None
    cred = Path(folder) / credential
    if not os.path.lexists(cred):
        return None  # this unit does not pass that credential
    return read_secret_file(cred, f"systemd credential {credential!r}")


def describe_sources(name_env: str, credential: str | None = None) -> str:
    """Where read_secret looks, for messages: "$X, $X_FILE or credential 'x'"."""
    if credential is None:
        return f"${name_env} or ${name_env}{FILE_SUFFIX}"
    return f"${name_env}, ${name_env}{FILE_SUFFIX} or systemd credential {credential!r}"
