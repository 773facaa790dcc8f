"""Maintenance mode for hall staff: card tap -> PIN -> maintenance screen -> logout.

`StaffMode` lives as long as the main window (screens are rebuilt at every session end)
and holds the one thing that must survive a rebuild: the signed-in `StaffSession`.
Screens render; this object decides.

- A staff card UID arrives from the reader thread through the window's CoreBridge
  (queued signal) and reaches `card_tapped` on the GUI thread. It counts only on the
  attract screen or the PIN screen: during a taxpayer session, or while someone is
  already signed in, it is ignored (logged without the UID: a UID is a credential).
- `core.staff.knows_card` reads reference data and `core.staff.login` hashes the PIN
  and writes the audit log: both run in the background (ui.ops.Op).
- Logout (button, top bar "finish", idle timeout) calls `core.staff.logout` in the
  background and ends the session at once with reason "staff": the window rebuilds
  every screen, so no PIN and no staff data stays on screen.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from kiosk import log
from ui.messages import message, staff_auth_message
from ui.ops import Op

if TYPE_CHECKING:
    from kiosk.staff.auth import StaffAuth, StaffSession
    from ui.main_window import MainWindow

_log = log.get("session")

PIN_SCREEN = "staff.pin"
MAINTENANCE_SCREEN = "maintenance"


class StaffMode(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.session: StaffSession | None = None
        self._card: str | None = None  # the UID of the card being signed in with
        self._attempt = 0  # bumped on every card and exit: late answers are dropped
        self.busy = False

    # -- state ---------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A staff member is signed in (the maintenance screen is the only one)."""
        return self.session is not None

    def _core_staff(self) -> StaffAuth | None:
        core = self.window_.core
        return core.staff if core is not None else None

    def screen(self, screen_id: str) -> Any:
        """The PIN or maintenance screen, built on first use: they exist only while
        staff use them (no staff widgets during a taxpayer session)."""
        screen = self.window_.screens.get(screen_id)
        if screen is None:
            from ui.screens.logistics import SCREEN_ID as LOGISTICS_SCREEN
            from ui.screens.logistics import LogisticsScreen
            from ui.screens.maintenance import MaintenanceScreen
            from ui.screens.out_of_service import SCREEN_ID as OUT_OF_SERVICE_SCREEN
            from ui.screens.out_of_service import OutOfServiceStaffScreen
            from ui.screens.staff import StaffPinScreen

            cls = {PIN_SCREEN: StaffPinScreen, MAINTENANCE_SCREEN: MaintenanceScreen,
                   LOGISTICS_SCREEN: LogisticsScreen,
                   OUT_OF_SERVICE_SCREEN: OutOfServiceStaffScreen}[screen_id]
            screen = cls(self.window_)
            self.window_.add_screen(screen)
        return screen

    def _screen_id(self) -> str:
        return self.window_.current_screen().screen_id

    # -- card ----------------------------------------------------------------------
    def card_tapped(self, uid: str) -> None:
        """A staff card UID (normalised hex) on the GUI thread."""
        staff = self._core_staff()
        if staff is None:
            return
        if self.window_.in_session:
            _log.info("staff card ignored: a taxpayer session is running")
            return
        if self.active:
            _log.info("staff card ignored: a staff member is already signed in")
            return
        if self._screen_id() not in ("attract", PIN_SCREEN):
            _log.info("staff card ignored on screen %s", self._screen_id())
            return
        self._attempt += 1
        attempt = self._attempt
        Op(self, lambda: bool(staff.knows_card(uid))).success(
            lambda known: self._card_checked(attempt, uid, known)).failure(
            lambda exc: self._card_checked(attempt, uid, False, failed=exc)).run_in_background()

    def _card_checked(self, attempt: int, uid: str, known: bool,
                      failed: Exception | None = None) -> None:
        if attempt != self._attempt or self.window_.in_session or self.active:
            return  # a taxpayer started meanwhile, or another card came
        if failed is not None:
            _log.warning("staff card could not be checked: %s", type(failed).__name__)
        if not known:
            _log.info("unknown staff card tapped")
            text = lambda: message("staff.unknown_card")  # noqa: E731 (re-translated)
            screen = self.window_.current_screen()  # the attract or the PIN screen
            (screen.show_error if screen.screen_id == PIN_SCREEN  # type: ignore[attr-defined]
             else screen.show_staff_notice)(text)  # type: ignore[attr-defined]
            return
        _log.info("staff card accepted; asking for the PIN")
        self._card = uid
        pin_screen = self.screen(PIN_SCREEN)
        self.window_.show_screen(PIN_SCREEN, remember=False)
        pin_screen.start_entry()

    # -- PIN -----------------------------------------------------------------------
    def submit_pin(self, pin: str) -> bool:
        """Sign in with the current card; the answer comes back through the PIN
        screen's `show_error` or the maintenance screen. False if nothing was sent."""
        staff = self._core_staff()
        uid = self._card
        if staff is None or uid is None or self.busy:
            return False
        self.busy = True
        attempt = self._attempt
        Op(self, lambda: staff.login(uid, pin)).success(
            lambda session: self._signed_in(attempt, session)).failure(
            lambda exc: self._refused(attempt, exc)).run_in_background()
        return True

    def _signed_in(self, attempt: int, session: StaffSession) -> None:
        self.busy = False
        if attempt != self._attempt or self.window_.in_session or self.active:
            # The PIN screen was left while the PIN was checked: sign straight out.
            self._logout_in_background(session, "staff")
            return
        self.session = session
        self._card = None
        _log.info("staff signed in (%s)", ",".join(session.roles))
        self.screen(MAINTENANCE_SCREEN)
        self.window_.show_screen(MAINTENANCE_SCREEN, remember=False)

    def _refused(self, attempt: int, exc: Exception) -> None:
        self.busy = False
        if attempt != self._attempt:
            return
        from kiosk.staff.auth import StaffAuthError

        if isinstance(exc, StaffAuthError):
            _log.info("staff sign-in refused: %s", exc.code)
            auth_error = exc
            text = lambda: staff_auth_message(auth_error)  # noqa: E731 (re-translated)
        else:
            _log.error("staff sign-in failed: %s", type(exc).__name__)
            text = lambda: message("staff.failed")  # noqa: E731
        from ui.screens.staff import StaffPinScreen  # here: the window builds the screens first

        pin_screen = self.window_.screens.get(PIN_SCREEN)
        if isinstance(pin_screen, StaffPinScreen):
            pin_screen.show_error(text)

    def cancel(self) -> None:
        """Leave the PIN screen without signing in."""
        self.window_.end_session("staff")

    # -- maintenance -----------------------------------------------------------------
    def may(self, action: str) -> bool:
        """Whether the signed-in roles may do `action` (kiosk.staff.roles): what the
        screen shows. The core decides again in `authorize` / `record`."""
        from kiosk.staff.roles import allowed

        session = self.session
        return session is not None and allowed(session.roles, action)

    def authorize(self, action: str) -> None:
        """The core's check (a refusal is audited) before an action's work, in the
        background; StaffAuthError(staff.not_allowed) if refused or nobody is signed in."""
        from kiosk.staff.errors import NOT_ALLOWED, StaffAuthError

        staff, session = self._core_staff(), self.session
        if staff is None or session is None:
            raise StaffAuthError("no staff member is signed in", NOT_ALLOWED)
        staff.authorize(session, action)

    def record(self, action: str, detail: Any = None) -> None:
        """Audit a maintenance action (call it inside the action's background work):
        the core refuses (StaffAuthError) an action the roles may not do."""
        from kiosk.staff.errors import NOT_ALLOWED, StaffAuthError

        staff, session = self._core_staff(), self.session
        if staff is None or session is None:
            raise StaffAuthError("no staff member is signed in", NOT_ALLOWED)
        staff.record(session, action, detail)

    def logout(self, reason: str = "staff") -> None:
        """End maintenance ("staff": the button or the top bar; "idle": timeout)."""
        session, self.session = self.session, None
        if session is not None:
            _log.info("staff signed out (%s)", reason)
            self._logout_in_background(session, reason)
        self.window_.end_session("staff")

    def _logout_in_background(self, session: StaffSession, reason: str) -> None:
        staff = self._core_staff()
        if staff is not None:
            Op(self, lambda: staff.logout(session, reason)).run_in_background()

    def handles_idle(self) -> bool:
        """The idle countdown ran out: log out when maintenance or the PIN screen
        shows (True), else leave it to the taxpayer session (False)."""
        if self.active:
            self.logout("idle")
            return True
        if self._screen_id() == PIN_SCREEN:
            self.window_.end_session("staff")
            return True
        return False

    def reset(self) -> None:
        """The window ended a session: forget the card (the session is already gone
        or was never there)."""
        self._attempt += 1
        self._card = None
        self.busy = False
        if self.session is not None:  # ended by other means (should not happen): log out
            session, self.session = self.session, None
            self._logout_in_background(session, "staff")

