"""offline_queue.secrets: a token from $NAME, $NAME_FILE or a systemd credential, in that
order, and a clear error (never a silent None) for a source that is set but unusable."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from offline_queue.secrets import (
    MAX_SECRET_BYTES,
    SecretError,
    describe_sources,
    read_secret,
    read_secret_file,
)

NAME = "KIOSK_TEST_TOKEN"


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    path.chmod(0o600)
    return path


def creds(tmp_path: Path, value: str = "from-credential\n") -> Path:
    folder = tmp_path / "creds"
    folder.mkdir()
    write(folder / "test-token", value)
    return folder


def test_nothing_set_is_none(tmp_path: Path) -> None:
    assert read_secret(NAME, environ={}) is None
    assert read_secret(NAME, credential="test-token", environ={}) is None
    # A credentials directory without this credential: the unit does not pass it.
    folder = creds(tmp_path)
    assert read_secret(NAME, credential="other",
                       environ={"CREDENTIALS_DIRECTORY": str(folder)}) is None
    # Empty variables count as not set.
    assert read_secret(NAME, environ={NAME: "", NAME + "_FILE": ""}) is None


def test_precedence_env_then_file_then_credential(tmp_path: Path) -> None:
    folder = creds(tmp_path)
    token_file = write(tmp_path / "token", "from-file\n")
    env = {NAME: "from-env", NAME + "_FILE": str(token_file),
           "CREDENTIALS_DIRECTORY": str(folder)}
    assert read_secret(NAME, credential="test-token", environ=env) == "from-env"
    del env[NAME]
    assert read_secret(NAME, credential="test-token", environ=env) == "from-file"
    del env[NAME + "_FILE"]
    assert read_secret(NAME, credential="test-token", environ=env) == "from-credential"
    # Without a credential name the directory is not looked at.
    assert read_secret(NAME, environ=env) is None


def test_reads_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.setenv(NAME + "_FILE", str(write(tmp_path / "t", "abc\n")))
    assert read_secret(NAME) == "abc"


@pytest.mark.parametrize(("content", "expected"), [
    ("tok\n", "tok"), ("tok\r\n", "tok"), ("tok", "tok"), ("  spaced tok  \n", "  spaced tok  "),
    ("令牌\n", "令牌"),
])
def test_one_trailing_newline_is_stripped(tmp_path: Path, content: str, expected: str) -> None:
    assert read_secret_file(write(tmp_path / "t", content), "x") == expected


@pytest.mark.parametrize(("content", "reason"), [
    ("", "is empty"), ("\n", "is empty"), ("tok\n\n", "more than one line"),
    ("a\nb\n", "more than one line"), ("a\0b", "more than one line"),
    (b"\xff\xfe", "not UTF-8"), (b"x" * (MAX_SECRET_BYTES + 1), "larger than"),
])
def test_unusable_file_content_is_an_error(tmp_path: Path, content: bytes | str,
                                           reason: str) -> None:
    path = write(tmp_path / "t", content)
    with pytest.raises(SecretError, match=reason) as info:
        read_secret(NAME, environ={NAME + "_FILE": str(path)})
    assert f"${NAME}_FILE" in str(info.value) and str(path) in str(info.value)


def test_missing_unreadable_or_directory_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(SecretError, match="no such file"):
        read_secret(NAME, environ={NAME + "_FILE": str(missing)})
    with pytest.raises(SecretError, match="directory"):
        read_secret(NAME, environ={NAME + "_FILE": str(tmp_path)})
    if os.geteuid() != 0:  # root reads any file
        locked = write(tmp_path / "locked", "tok")
        locked.chmod(0)
        with pytest.raises(SecretError, match="cannot be read"):
            read_secret(NAME, environ={NAME + "_FILE": str(locked)})


def test_bad_credential_and_bad_env_value(tmp_path: Path) -> None:
    folder = creds(tmp_path, "")
    with pytest.raises(SecretError, match="systemd credential 'test-token'.*is empty"):
        read_secret(NAME, credential="test-token",
                    environ={"CREDENTIALS_DIRECTORY": str(folder)})
    (folder / "dangling").symlink_to(tmp_path / "gone")
    with pytest.raises(SecretError, match="no such file"):
        read_secret(NAME, credential="dangling",
                    environ={"CREDENTIALS_DIRECTORY": str(folder)})
    with pytest.raises(ValueError, match="bad credential name"):
        read_secret(NAME, credential="../etc/passwd",
                    environ={"CREDENTIALS_DIRECTORY": str(folder)})
    with pytest.raises(SecretError, match=f"\\${NAME} holds more than one line"):
        read_secret(NAME, environ={NAME: "a\nb"})


def test_errors_never_contain_the_secret(tmp_path: Path) -> None:
    path = write(tmp_path / "t", "s3cret-value\nsecond-line\n")
    with pytest.raises(SecretError) as info:
        read_secret(NAME, environ={NAME + "_FILE": str(path)})
    assert "s3cret" not in str(info.value) and "second-line" not in str(info.value)


def test_describe_sources() -> None:
    assert describe_sources("X") == "$X or $X_FILE"
    assert describe_sources("X", "x") == "$X, $X_FILE or systemd credential 'x'"
