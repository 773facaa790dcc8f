"""Remote assistance at the terminal (issue #14 §5), Qt-free: the calls to the central
service and the assistance's state.

A taxpayer presses "Call staff": `Assistance.call()` raises a request and a worker
thread then polls the central service over the kiosk's own outbound connection
(sealed, signed calls; nothing listens on the terminal, so it works behind the hall's
firewall). Once staff accept, each poll carries the latest frame the screen handed in
(`offer_frame`: already masked by ui/assistance.py) and brings back the state and the
taps staff made, which only come once the taxpayer has agreed (`consent`). It ends
from either side, or with the session (`end("session_end")`, the privacy reset).

Listeners run on the worker thread: the UI hands them on to its own thread.
"""
from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from offline_queue.crypto import KioskKeys

from . import log
from .central_client import CentralClient, CentralRejected, CentralUnavailable

_log = log.get("session")

#: A frame's largest size in bytes (central.assistance.MAX_FRAME_BYTES: one sealed call).
MAX_FRAME_BYTES = 34 * 1024
#: Seconds between polls while staff are assisting (one frame each: a modest rate),
#: and while the request waits for staff.
ACTIVE_POLL_S = 1.0
WAITING_POLL_S = 2.0
#: Calls that fail in a row before the terminal gives up (the network is gone).
MAX_FAILURES = 15

PATHS = {"assist.request": "assist/request", "assist.poll": "assist/poll",
         "assist.consent": "assist/consent", "assist.end": "assist/end"}


@dataclass(frozen=True)
class AssistState:
    """`phase`: idle (nothing asked), calling (the request is on its way), waiting
    (staff have not accepted yet), active (staff see the screen), ended, failed (the
    central service could not be reached: ask at the counter)."""

    phase: str = "idle"
    assist_id: int | None = None
    control_allowed: bool = False
    ended_by: str | None = None

    @property
    def open(self) -> bool:
        return self.phase in ("calling", "waiting", "active")


Tap = tuple[float, float]  # fractions of the frame's width and height


class Assistance:
    def __init__(self, central: CentralClient, keys: KioskKeys, *,
                 active_poll_s: float = ACTIVE_POLL_S,
                 waiting_poll_s: float = WAITING_POLL_S,
                 as_enrolled: Callable[[Callable[[], Any]], Any] | None = None) -> None:
        """`as_enrolled`: the core's wrapper that enrols a demo kiosk on first use
        (KioskCore._as_enrolled), around the request."""
        self._central = central
        self._as_enrolled = as_enrolled or (lambda call: call())
        self._keys = keys
        self._active_poll_s = active_poll_s
        self._waiting_poll_s = waiting_poll_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._state = AssistState()
        self._frame: bytes | None = None
        self._consent: bool | None = None  # a consent change not yet sent
        self._end: str | None = None  # an end not yet sent
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.state_listeners: list[Callable[[AssistState], None]] = []
        self.tap_listeners: list[Callable[[list[Tap]], None]] = []

    @property
    def state(self) -> AssistState:
        with self._lock:
            return self._state

    # -- what the screen does -------------------------------------------------------------
    def call(self) -> bool:
        """Raise a request (False if one is already open)."""
        with self._lock:
            if self._state.open:
                return False
            self._state = AssistState(phase="calling")
            self._frame, self._consent, self._end = None, None, None
            self._wake.clear()
            self._thread = threading.Thread(target=self._run, name="assistance", daemon=True)
            state = self._state
        self._notify(state)
        self._thread.start()
        return True

    def offer_frame(self, frame: bytes) -> None:
        """The latest masked frame (JPEG or PNG); only the newest is ever sent."""
        if len(frame) > MAX_FRAME_BYTES:
            raise ValueError(f"frame of {len(frame)} bytes: at most {MAX_FRAME_BYTES}")
        with self._lock:
            if self._state.phase == "active":
                self._frame = frame

    def consent(self, allow: bool) -> None:
        """The taxpayer allowed (or withdrew) staff's taps."""
        with self._lock:
            if self._state.phase != "active":
                return
            self._consent = allow
        self._wake.set()

    def end(self, reason: str = "taxpayer") -> None:
        """End from the terminal: "taxpayer" (the banner's button) or "session_end"."""
        with self._lock:
            if not self._state.open:
                return
            self._end = reason
            self._frame = None
        self._wake.set()

    def wait_stopped(self, timeout_s: float = 10.0) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)

    # -- the worker -----------------------------------------------------------------------
    def _call(self, purpose: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._central.sealed_call(self._keys, purpose, PATHS[purpose], payload)

    def _set(self, state: AssistState) -> None:
        with self._lock:
            changed = state != self._state
            self._state = state
            if state.phase != "active":
                self._frame = None
        if changed:
            self._notify(state)

    def _notify(self, state: AssistState) -> None:
        for listener in list(self.state_listeners):
            try:
                listener(state)
            except Exception:  # a listener's bug must not stop the assistance
                _log.exception("assistance state listener failed")

    def _from_answer(self, answer: dict[str, Any]) -> AssistState:
        phase = {"requested": "waiting", "active": "active", "ended": "ended"}.get(
            str(answer.get("state")), "ended")
        assist_id = answer.get("assist_id")
        ended_by = answer.get("ended_by")
        return AssistState(phase=phase, assist_id=assist_id if isinstance(assist_id, int)
                           else self.state.assist_id,
                           control_allowed=answer.get("control_allowed") is True,
                           ended_by=ended_by if isinstance(ended_by, str) else None)

    def stop(self) -> None:
        """Stop the worker without a word to the service (the kiosk is shutting down;
        the service ends the assistance once the kiosk is silent)."""
        with self._lock:
            self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # e.g. the client closed under it at shutdown
            _log.exception("assistance stopped")
            self._set(replace(self.state, phase="failed", control_allowed=False))

    def _loop(self) -> None:
        failures = 0
        try:
            answer = self._as_enrolled(lambda: self._call("assist.request", {}))
        except (CentralUnavailable, CentralRejected) as exc:
            _log.warning("assistance request failed: %s", type(exc).__name__)
            self._set(AssistState(phase="failed"))
            return
        state = self._from_answer(answer)
        self._set(state)
        _log.info("assistance %s requested", state.assist_id)
        while True:
            with self._lock:
                if self._stopped:
                    return
                end, consent, frame = self._end, self._consent, self._frame
                self._end, self._consent, self._frame = None, None, None
                current = self._state
            assist_id = current.assist_id
            try:
                if end is not None:
                    answer = self._call("assist.end", {"assist_id": assist_id, "reason": end})
                    self._set(replace(self._from_answer(answer), phase="ended"))
                    _log.info("assistance %s ended (%s)", assist_id, end)
                    return
                if consent is not None:
                    self._set(self._from_answer(self._call(
                        "assist.consent", {"assist_id": assist_id, "allow": consent})))
                payload: dict[str, Any] = {"assist_id": assist_id}
                if frame is not None and current.phase == "active":
                    payload["frame"] = base64.b64encode(frame).decode("ascii")
                answer = self._call("assist.poll", payload)
                failures = 0
            except CentralRejected as exc:
                # 404: the service no longer knows it (another kiosk's, or purged).
                _log.warning("assistance %s refused: %s", assist_id, exc.status)
                self._set(replace(current, phase="ended", control_allowed=False))
                return
            except CentralUnavailable:
                failures += 1
                if failures >= MAX_FAILURES:
                    self._set(replace(current, phase="failed", control_allowed=False))
                    return
                self._wake.wait(self._waiting_poll_s)
                self._wake.clear()
                continue
            new = self._from_answer(answer)
            self._set(new)
            taps = answer.get("taps")
            if new.phase == "active" and new.control_allowed and isinstance(taps, list):
                points = [(float(t["x"]), float(t["y"])) for t in taps
                          if isinstance(t, dict) and _fraction(t.get("x"))
                          and _fraction(t.get("y"))]
                if points:
                    for listener in list(self.tap_listeners):
                        listener(points)
            if new.phase == "ended":
                _log.info("assistance %s ended by %s", assist_id, new.ended_by)
                return
            self._wake.wait(self._active_poll_s if new.phase == "active"
                            else self._waiting_poll_s)
            self._wake.clear()


def _fraction(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
