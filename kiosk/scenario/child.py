"""The kiosk as a child process of the scenario runner, so `kiosk_restart` can kill it.

The runner (`KioskChildSession`, in the runner's process) starts the simulated hall —
the central service, the network switch and every device simulator — and keeps it
running; the kiosk (its core and main window, a `ScenarioSession` on a remote hall)
runs in a child process started as `python -m kiosk.scenario.child CTRL_FD HALL_FD`.
Every verb except `kiosk_restart` runs in the child exactly as it does in-process: its
code reaches the hall through `control.Remote` references. `kiosk_restart` ends the
child (SIGKILL with `hard: true`, a normal quit otherwise) and starts a new one on the
same data directory, against the same hall, carrying over the runner's print
bookkeeping so `expect_printed` never matches paper from before the restart twice.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .control import Channel, ChannelClosed, ChannelTimeout, HallClient, HallServer
from .runner import ScenarioSession, StepFailed

START_TIMEOUT_S = 120.0  # import + main window on a loaded CI machine
VERB_TIMEOUT_S = 600.0  # a verb that never answers: its own waits are far shorter
QUIT_TIMEOUT_S = 30.0


class ChildKioskSession(ScenarioSession):
    """The session inside the child: the runner's hall, seen through `Remote`s."""

    def watch_prints(self) -> None:
        # One round trip for both printers (the pump calls this every few ms).
        texts, a4 = self.hall._runner_printers_news(self._receipts_seen)
        for offset, text in enumerate(texts):
            self._keep("receipt", self._receipts_seen + offset, text)
        self._receipts_seen += len(texts)
        for path in a4:
            if path not in self._a4_seen:
                self._a4_seen.add(path)
                self._keep("a4", path, None)

    def carried(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.CARRIED}


def child_main(ctrl_fd: int, hall_fd: int) -> int:
    """The child's loop: build the session on "init", run verbs, quit on "close"."""
    import faulthandler

    from .runner import VERBS

    # The runner asks for every thread's stack (SIGUSR1) before it kills a kiosk that
    # does not answer, so a hang names where it hangs.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    faulthandler.enable(all_threads=True)  # and a crash names where it crashed
    control = Channel(socket.socket(fileno=ctrl_fd))
    hall = HallClient(Channel(socket.socket(fileno=hall_fd)))
    message = control.recv()
    if message[0] != "init":
        return 2
    init: dict[str, Any] = message[1]
    try:
        session = ChildKioskSession(Path(init["scenario_dir"]), init["screenshots"], None,
                                    init["artifacts"], hall=hall.root,
                                    work_dir=Path(init["work_dir"]), carried=init["carried"])
    except Exception as exc:  # noqa: BLE001 - reported to the runner, which fails the step
        control.send(("error", f"the kiosk did not start: {type(exc).__name__}: {exc}", {}))
        return 1
    control.send(("ready", session.carried()))
    while True:
        try:
            message = control.recv()
        except (ChannelClosed, EOFError):
            session.close()
            return 1
        if message[0] == "close":
            try:
                session.close()
            finally:
                control.send(("closed", session.carried()))
            return 0
        _, verb, arg = message
        try:
            VERBS[verb](session, arg)
        except StepFailed as exc:
            reply: tuple[Any, ...] = ("failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported by the runner, as in-process
            reply = ("error", f"{type(exc).__name__}: {exc}")
        else:
            reply = ("done", None)
        control.send((*reply, session.carried()))


class KioskChildSession:
    """The runner's side: the hall, and the kiosk child process it drives."""

    def __init__(self, scenario_dir: Path, screenshots: Path | None,
                 central_url: str | None, artifacts: Path | None = None) -> None:
        from ..simulation import SimulatedHall

        self.scenario_dir = scenario_dir
        self.screenshots = screenshots
        self.artifacts = artifacts
        self.tmp = Path(tempfile.mkdtemp(prefix="kiosk-scenario-"))
        self.hall = SimulatedHall(self.tmp / "hall", central_url=central_url).start()
        self.carried: dict[str, Any] = {}
        self.starts = 0  # kiosk processes started (1 + restarts)
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: Channel | None = None
        self._hall_server: HallServer | None = None
        try:
            self._spawn()
        except BaseException:
            self.hall.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- the child process ------------------------------------------------------------

    def _spawn(self) -> None:
        ctrl_parent, ctrl_child = socket.socketpair()
        hall_parent, hall_child = socket.socketpair()
        fds = (ctrl_child.fileno(), hall_child.fileno())
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk.scenario.child", *map(str, fds)],
                pass_fds=fds, env=os.environ.copy())
        finally:
            ctrl_child.close()  # the child has its own copies now
            hall_child.close()
        self.starts += 1
        self._control = Channel(ctrl_parent)
        self._hall_server = HallServer(self.hall, Channel(hall_parent)).start()
        self._control.send(("init", {
            "scenario_dir": str(self.scenario_dir), "screenshots": self.screenshots,
            "artifacts": self.artifacts, "work_dir": str(self.tmp),
            "carried": self.carried}))
        kind, *rest = self._reply(START_TIMEOUT_S, "start")
        if kind != "ready":
            self._reap(kill=True)
            raise StepFailed(rest[0])
        self.carried = rest[0]

    def _reply(self, timeout: float, what: str) -> tuple[Any, ...]:
        assert self._control is not None and self._proc is not None
        try:
            return tuple(self._control.recv(timeout=timeout))
        except ChannelTimeout:
            self._dump_stacks()
            self._reap(kill=True)
            raise StepFailed(f"the kiosk process did not {what} within {timeout:.0f} s; "
                             "it was killed") from None
        except (ChannelClosed, EOFError):
            code = self._reap(kill=True)
            raise StepFailed(f"the kiosk process died (exit status {code}) during {what}"
                             ) from None

    def _dump_stacks(self) -> None:
        """Have the child print its threads' stacks to its stderr (faulthandler)."""
        if self._proc is not None and self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGUSR1)
            try:
                self._proc.wait(1.0)
            except subprocess.TimeoutExpired:
                pass

    def _reap(self, kill: bool) -> int | None:
        """End the child (SIGKILL if `kill`, else wait for its own exit) and its channels."""
        proc, self._proc = self._proc, None
        code = None
        if proc is not None:
            if kill and proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            try:
                code = proc.wait(QUIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                code = proc.wait()
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._hall_server is not None:
            self._hall_server.channel.close()
            self._hall_server.thread.join(5.0)
            self._hall_server = None
        return code

    # -- verbs --------------------------------------------------------------------------

    def run(self, verb: str, arg: Any) -> None:
        """Run one step; StepFailed when it is not met, RuntimeError when it broke."""
        if verb == "kiosk_restart":
            self.restart(arg)
            return
        if self._control is None:
            raise StepFailed("no kiosk process is running")
        self._control.send(("verb", verb, arg))
        kind, message, carried = self._reply(VERB_TIMEOUT_S, verb)
        self.carried = carried
        if kind == "failed":
            raise StepFailed(message)
        if kind == "error":
            raise ChildStepError(message)

    def restart(self, arg: Any) -> None:
        """`{hard: true}`: SIGKILL now; `{hard: false}` or `{}`: a normal quit. Then a
        new kiosk process on the same data directory."""
        if arg is None:
            arg = {}
        if not isinstance(arg, dict) or set(arg) - {"hard"} \
                or not isinstance(arg.get("hard", False), bool):
            raise StepFailed("kiosk_restart takes {hard: true} (SIGKILL) or {hard: false} "
                             "(a normal quit)")
        if arg.get("hard", False):
            self._reap(kill=True)
        else:
            self._quit()
        self._spawn()

    def _quit(self) -> None:
        if self._control is None:
            return
        self._control.send(("close",))
        kind, *rest = self._reply(QUIT_TIMEOUT_S, "quit")
        if kind == "closed":
            self.carried = rest[0]
        code = self._reap(kill=False)
        if code not in (0, None):
            raise StepFailed(f"the kiosk process quit with exit status {code}")

    def close(self) -> None:
        try:
            self._quit()
        except StepFailed:
            pass
        finally:
            self._reap(kill=True)
            self.hall.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)


class ChildStepError(RuntimeError):
    """A verb raised something other than StepFailed inside the kiosk process; the
    message names the exception type as the in-process runner does."""


if __name__ == "__main__":
    status = child_main(int(sys.argv[1]), int(sys.argv[2]))
    # The session is closed (core stopped, window deleted): skip the interpreter's
    # teardown of Qt objects, which can only add a crash after a clean quit.
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
