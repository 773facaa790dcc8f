"""The service flow: the state and background work of one service's journey.

One `ServiceFlow` per service and session, made by the main window from the service's
screen module. Its screens render what it decides; it never touches their widgets:

- busy state: one blocking call at a time, run on the pool (`ui.ops.Op`);
  `busy_changed(bool)` lets the screens grey their actions;
- errors: a typed error -> message code map (`errors`, looked up along the exception's
  class hierarchy; a DomainError's or PrintFailed's own `code` next; `internal` last),
  kept as state (`error`) and rendered by the screens;
- navigation by signal: `navigate(screen_id)`, connected to MainWindow.show_screen;
- `changed()` after any state change the screens show.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk import log
from ui.ops import Op

from . import core_api
from .text import Msg, Text

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from kiosk.services.catalogue import ServiceSpec
    from ui.main_window import MainWindow

T = TypeVar("T")
_log = log.get("session")


def print_failure(exc: BaseException) -> str:
    """What a failed print says: the failure's own message code (PrintFailed's, a
    DomainError's), "failure" when it has none."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code else "failure"


class ServiceFlow(QObject):
    busy_changed = Signal(bool)
    navigate = Signal(str)  # screen id
    changed = Signal()

    # exception type -> message code (ui/messages.py); subclasses extend it.
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, window: MainWindow, spec: ServiceSpec) -> None:
        super().__init__(window)  # deleted with the session: late callbacks are dropped
        self.window_ = window
        self.spec = spec
        self.busy = False
        self.error: Text | None = None  # what the entry screen says went wrong
        # A request accepted offline: its record's UUID and how its slip is doing
        # ("printing", "printed", or the PrintFailed code).
        self.queued_reference: str | None = None
        self.queued_print = ""
        # A print of print_in_background: None, "printing", "printed" or its code.
        self.print_state: str | None = None

    # -- context -----------------------------------------------------------------------
    @property
    def service_id(self) -> str:
        return self.spec.id

    @property
    def core(self) -> KioskCore | None:
        return self.window_.core

    @property
    def service(self) -> Any:
        """The core's service object for this flow (None before the core is attached)."""
        core = self.core
        return None if core is None else core_api.service(core, self.spec.id)

    def lang(self) -> str:
        return self.window_.language

    def printer_problem(self) -> str | None:
        core = self.core
        return core.printer_problem() if core is not None else None

    # -- state -------------------------------------------------------------------------
    def go(self, screen_id: str) -> None:
        self.navigate.emit(screen_id)

    def set_error(self, text: Text | None) -> None:
        self.error = text
        self.changed.emit()

    def error_text(self, exc: BaseException) -> Text:
        """The message for an exception: the typed map first, then its own code."""
        for cls in type(exc).__mro__:
            if cls in self.errors:
                return Msg(self.errors[cls])
        code = getattr(exc, "code", None)
        if isinstance(code, str) and code:
            return Msg(code)
        return Msg("internal")

    # -- work --------------------------------------------------------------------------
    def run(self, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[BaseException], None] | None = None) -> bool:
        """Run `work` in the background; `done(result)` or `failed(exc)` (default:
        show the error on the entry screen) on the GUI thread. False, and nothing
        runs, while another call is in flight."""
        if self.busy:
            return False
        self._set_busy(True)

        def ok(result: T) -> None:
            self._set_busy(False)
            done(result)

        def bad(exc: Exception) -> None:
            self._set_busy(False)
            (failed or self.fail)(exc)

        Op(self, work).success(ok).failure(bad).run_in_background()
        return True

    def background(self, work: Callable[[], T], done: Callable[[T], None],
                   failed: Callable[[BaseException], None]) -> None:
        """A side job that does not make the flow busy (printing a slip)."""
        Op(self, work).success(done).failure(failed).run_in_background()

    def print_in_background(self, job: Callable[[], object],
                            report: Callable[[str], None] | None = None) -> None:
        """Print with `job` as a side job (the flow stays free). `report` (default:
        `self.print_state` then changed()) hears "printing" now, then "printed" or
        the failure's code (print_failure)."""
        say = report or self._print_state

        def failed(exc: BaseException) -> None:
            say(print_failure(exc))

        say("printing")
        self.background(job, lambda _r: say("printed"), failed)

    def _print_state(self, state: str) -> None:
        self.print_state = state
        self.changed.emit()

    def fail(self, exc: BaseException) -> None:
        """Default failure: back to the entry screen with the message."""
        self.set_error(self.error_text(exc))
        self.go(self.spec.entry_screen)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def accept_queued(self, reference: str, screen_id: str,
                      confirm: Callable[[], object], print_slip: Callable[[], object]) -> None:
        """Offline policy `queue`: the request is committed (`reference` is its
        record's UUID). Show `screen_id` ("saved", with the short reference); then
        `confirm` records that the taxpayer saw it (it returns at once: the core's I/O
        worker writes) and the slip prints in the background."""
        self.queued_reference = reference
        self.queued_print = "printing"
        self.go(screen_id)
        self.changed.emit()
        try:
            confirm()
        except Exception as exc:  # noqa: BLE001 - the slip matters more; a restart lists it
            _log.warning("queued request shown but not recorded as shown: %s",
                         type(exc).__name__)

        def printed(_r: object) -> None:
            self.queued_print = "printed"
            self.changed.emit()

        def not_printed(exc: BaseException) -> None:
            self.queued_print = print_failure(exc)
            self.changed.emit()

        self.background(print_slip, printed, not_printed)

    # -- scans -------------------------------------------------------------------------
    def handle_scan(self, text: str) -> None:
        """A scan the core routed to this service (the main window has shown the
        service's entry screen if none of its screens was showing)."""
