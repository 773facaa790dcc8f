"""The suite is strict (issue #9): a Qt warning or a Python warning fails the test that
caused it, and a test's logging set-up does not leak into the next. Checked by running
pytest in a subprocess on a small test file, with this suite's conftest and settings."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_pytest(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_sample.py"
    test.write_text(textwrap.dedent(body), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(test)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_qt_warning_fails_the_test(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, """
        from PySide6.QtCore import qWarning

        def test_quiet():
            pass

        def test_warns_in_call():
            qWarning("something is off")
    """)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    assert "Qt warning: something is off" in done.stdout


def test_a_qt_warning_in_teardown_fails_too(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, """
        import pytest
        from PySide6.QtCore import qWarning

        @pytest.fixture
        def noisy():
            yield
            qWarning("left behind")

        def test_it(noisy):
            pass
    """)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Qt printed during teardown" in done.stdout


def test_the_offscreen_platforms_own_messages_pass(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, """
        from PySide6.QtCore import qWarning

        def test_it():
            qWarning("This plugin does not support propagateSizeHints()")
    """)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_python_warning_fails_the_test(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, """
        import warnings

        def test_it():
            warnings.warn("deprecated", DeprecationWarning)
    """)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DeprecationWarning: deprecated" in done.stdout


@pytest.fixture
def configured_logging() -> None:
    from kiosk import log

    log.setup()  # as `kiosk.cli.main` does when a test runs it in-process


def test_logging_set_up_by_a_test_is_undone(configured_logging: None) -> None:
    from kiosk.log import HANDLER_NAME

    assert any(h.get_name() == HANDLER_NAME for h in logging.getLogger().handlers)


def test_after_it_the_root_logger_is_as_before() -> None:
    # Runs after the previous test (file order): its handler is gone again.
    from kiosk.log import HANDLER_NAME

    assert not any(h.get_name() == HANDLER_NAME for h in logging.getLogger().handlers)
