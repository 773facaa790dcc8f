"""`kiosk enroll` reads the enrolment token from a file (flag, config, $..._FILE) or a
systemd credential, so it need not be on the command line (argv is public via ps), and
a token file that is set but unusable stops it with the reason (exit 2)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from queue_cli_helpers import ENROLMENT_TOKEN, run, write_config

from central.server import CentralServer


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}",
                       enrolment_token=ENROLMENT_TOKEN) as server:
        yield server


def token_file(path: Path, value: str = ENROLMENT_TOKEN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def test_enrol_token_from_each_source(tmp_path: Path, central: CentralServer) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, [central.url])
    good = token_file(tmp_path / "secrets" / "enrolment-token")

    flag = run(["enroll", "--token-file", str(good), "--config", str(cfg)])
    assert flag.returncode == 0, flag.stderr
    assert ENROLMENT_TOKEN not in flag.stderr + flag.stdout

    env_file = run(["enroll", "--config", str(cfg)],
                   env={"KIOSK_ENROLMENT_TOKEN_FILE": str(good)})
    assert env_file.returncode == 0, env_file.stderr

    credential = run(["enroll", "--config", str(cfg)],
                     env={"CREDENTIALS_DIRECTORY": str(good.parent)})
    assert credential.returncode == 0, credential.stderr

    # Relative to the config file's folder, like the other paths in [central].
    in_config = write_config(tmp_path / "kiosk2.toml", data, [central.url],
                             central_extra='enrolment_token_file = '
                                           '"secrets/enrolment-token"')
    from_config = run(["enroll", "--config", str(in_config)])
    assert from_config.returncode == 0, from_config.stderr

    wrong = run(["enroll", "--token-file", str(token_file(tmp_path / "w", "guess")),
                 "--config", str(cfg)])
    assert wrong.returncode == 1 and "refused" in wrong.stderr


def test_unusable_token_sources_are_configuration_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, ["http://127.0.0.1:9"])
    missing = run(["enroll", "--token-file", str(tmp_path / "nope"), "--config", str(cfg)])
    assert missing.returncode == 2
    assert "--token-file" in missing.stderr and "no such file" in missing.stderr

    empty = run(["enroll", "--config", str(cfg)],
                env={"KIOSK_ENROLMENT_TOKEN_FILE": str(token_file(tmp_path / "e", ""))})
    assert empty.returncode == 2 and "KIOSK_ENROLMENT_TOKEN_FILE" in empty.stderr \
        and "empty" in empty.stderr

    both = run(["enroll", "--token", "t", "--token-file", str(tmp_path / "e"),
                "--config", str(cfg)])
    assert both.returncode == 2 and "not both" in both.stderr

    twice = write_config(tmp_path / "twice.toml", data, ["http://127.0.0.1:9"],
                         central_extra='enrolment_token = "t"\n'
                                       'enrolment_token_file = "e"')
    refused = run(["enroll", "--config", str(twice)])
    assert refused.returncode == 2 and "enrolment_token_file" in refused.stderr
