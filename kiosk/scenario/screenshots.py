"""`make screenshots`: every screen, in both languages and both orientations, into
docs/screenshots/<screen>-<zh|en>-<portrait|landscape>.png.

The real main window is built offscreen against the simulated hall (as the scenario
runner does) at the panel's size, driven through a tour of scenario steps, and grabbed
at each `shot`. The tour is TOUR plus, for every catalogued service, the `SHOTS` of
its screen module (ui/screens/<id>.py). Which screens must be shot is read from the
catalogue and each module's `SCREENS`: a screen no `shot` names is reported before
anything runs, one the tour did not reach at the end (both exit 1, naming the screen
and the module whose `SHOTS` should reach it), so a new screen cannot go without its
picture; stale PNGs of screens no longer shot are deleted.

    python -m kiosk.scenario.screenshots [--out DIR] [--orientation O] [--language L]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..clock import SystemClock
from ..config import parse_config
from .runner import VERBS, ScenarioSession, StepFailed, expand

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GOOD_QR = "01,10,033002600111,31415926,88.50,{today-7},19387263548102954712,"
HALL_NAME = ("国家税务总局深圳市南山区税务局 第一办税服务厅",
             "Nanshan District Tax Service Hall 1, Shenzhen")

# (verb, argument): scenario steps, plus `shot: <screen name>`. Shots of the same screen
# in another state carry a suffix (`invoice.verify.result` + `printed`). `shot_busy`
# shoots without waiting for background work: a screen while a device works (the card
# terminal reading a card).
TOUR: list[tuple[str, Any]] = [
    ("shot", "attract"),
    ("tap", "action.start"),
    # The hall's reference data (guide, FAQ, calendar, courses) as a synced kiosk has it.
    ("sync", {}),
    ("expect_screen", "home"),
    ("shot", "home"),
    ("open", "invoice.verify"),
    ("expect_screen", "invoice.verify"),
    ("shot", "invoice.verify"),
    ("tap", "action.manual"),
    ("expect_screen", "invoice.verify.manual"),
    ("shot", "invoice.verify.manual"),
    ("tap", "action.back"),
    ("scan", GOOD_QR),
    ("expect_screen", "invoice.verify.result"),
    ("shot", "invoice.verify.result"),
    ("tap", "action.print"),
    ("settle", None),
    ("shot", "invoice.verify.result-printed"),
    ("tap", "action.again"),
    ("network", "offline"),
    ("scan", "01,10,033002600111,31415927,18.00,{today-3},19387263548102954713,"),
    ("expect_screen", "invoice.verify.queued"),
    ("shot", "invoice.verify.queued"),
    ("tap", "action.again"),
    ("scan_printed_qr", None),
    ("expect_screen", "invoice.verify.pending"),
    ("shot", "invoice.verify.pending"),
    ("network", "online"),
    ("sync", {}),  # the queued verification uploaded: no "uploading" banner from here on
    ("tap", "action.home"),
    ("display", {"high_contrast": True, "large_text": True}),
    ("shot", "home-high-contrast"),
    ("display", {"high_contrast": False, "large_text": False}),
    ("open", "identity.login"),
    ("expect_screen", "identity.login"),
    ("shot", "identity.login"),
    ("tap", "action.login.id_card"),
    ("expect_screen", "identity.login.id_card"),
    ("shot", "identity.login.id_card"),
    # The demo person's card: they act for two enterprises, and pick themselves.
    ("id_card", {}),
    ("expect_screen", "identity.login.enterprise"),
    ("shot", "identity.login.enterprise"),
    ("tap", "item.self"),
    ("expect_screen", "identity.login.done"),
    ("shot", "identity.login.done"),
    ("tap", "action.logout"),
    ("expect_screen", "attract"),
    ("id_card", "remove"),
    ("tap", "action.start"),
    ("open", "identity.login"),
    ("expect_screen", "identity.login"),
    ("tap", "action.login.qr"),
    ("expect_screen", "identity.login.qr"),
    ("shot", "identity.login.qr"),
    ("tap", "action.back"),
    ("tap", "action.login.password"),
    ("expect_screen", "identity.login.password"),
    ("shot", "identity.login.password"),
    ("open", "certificate.verify"),
    ("expect_screen", "certificate.verify"),
    ("shot", "certificate.verify"),
    # A certificate QR that was altered: the result says it cannot be verified, and why.
    ("scan", "CERT1:AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB"),
    ("expect_screen", "certificate.verify.result"),
    ("shot", "certificate.verify.result"),
    ("tap", "action.home"),
    # Just past the reading limit (90 s): the countdown shows; then past its end.
    ("idle", 91),
    ("shot", "idle-overlay"),
    ("idle", 100000),
    ("expect_screen", "attract"),
    ("staff_card", "demo"),
    ("expect_screen", "staff.pin"),
    ("shot", "staff.pin"),
    ("type", "246810"),
    ("tap", "action.confirm"),
    ("expect_screen", "maintenance"),
    ("shot", "maintenance"),
]


# Services whose screens TOUR above shoots itself.
TOURED = frozenset({"invoice.verify", "identity.login", "certificate.verify"})
# Verbs only this harness has (ShotSession), usable in a module's SHOTS.
SHOTS_TAKEN = frozenset({"shot", "shot_busy"})
SHOT_VERBS = SHOTS_TAKEN | {"settle", "display", "days", "tap_first"}


def _screen_module(service_id: str) -> Any:
    import importlib

    from ui.main_window import screen_module

    return importlib.import_module(screen_module(service_id))


def service_steps(covered: frozenset[str] = TOURED) -> list[tuple[str, Any]]:
    """Steps for the catalogue's services the tour above does not visit: each screen
    module's own `SHOTS` (scenario steps with `shot`s, starting on the home screen and
    ending anywhere), else its entry screen as it opens. A module with inner screens
    (results, confirmations) must have `SHOTS` reaching them (`tour_problems`)."""
    from ui.flow.core_api import taxpayer_services

    steps: list[tuple[str, Any]] = []
    for spec in taxpayer_services():
        if spec.id in covered:
            continue
        own = getattr(_screen_module(spec.id), "SHOTS", None)
        if own is None and spec.identity.value != "none":
            continue  # behind the sign-in gate: only its own SHOTS know how to sign in
        steps.append(("tap", "action.home"))
        steps.extend(own if own is not None else [
            ("open", spec.id), ("expect_screen", spec.entry_screen),
            ("shot", spec.entry_screen)])
    steps.append(("tap", "action.home"))
    return steps


def build_tour() -> list[tuple[str, Any]]:
    """TOUR with the other services' steps before the idle countdown."""
    at = TOUR.index(("idle", 91))
    return [*TOUR[:at], *service_steps(), *TOUR[at:]]


def shot_screen(name: str) -> str:
    """The screen a `shot` name shows (`invoice.verify.result-printed`: its result)."""
    return name.split("-", 1)[0]


def screen_owners() -> dict[str, str]:
    """Every screen of every catalogued service -> the module that declares it."""
    from ui.flow.core_api import taxpayer_services
    from ui.main_window import screen_module

    owners: dict[str, str] = {}
    for spec in taxpayer_services():
        for cls in _screen_module(spec.id).SCREENS:
            owners[cls.screen_id] = screen_module(spec.id)
    return owners


def _fix_hint(screen: str, owners: dict[str, str]) -> str:
    module = owners.get(screen)
    if module is None:
        return "add a step to TOUR in kiosk/scenario/screenshots.py"
    return f"add steps reaching it to SHOTS in {module.replace('.', '/')}.py"


def tour_problems(tour: list[tuple[str, Any]]) -> list[str]:
    """What the tour cannot shoot, found before it runs: screens of catalogued services
    that no `shot` names, and verbs neither the scenario runner nor this harness has."""
    owners = screen_owners()
    named = {shot_screen(str(arg)) for verb, arg in tour if verb in SHOTS_TAKEN}
    problems = [f"screen {screen} has no shot: {_fix_hint(screen, owners)}"
                for screen in sorted(set(owners) - named)]
    problems += sorted({f"unknown verb {verb!r} in the tour" for verb, _ in tour
                        if verb not in VERBS and verb not in SHOT_VERBS})
    return problems


def file_name(screen: str, language: str, orientation: str) -> str:
    return f"{screen.replace('.', '-')}-{language}-{orientation}.png"


class ShiftedClock(SystemClock):
    """The system clock moved by `offset` (the `days` step)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return super().today() + self.offset


class ShotSession(ScenarioSession):
    """A scenario session at the panel's size and orientation, in one language, with
    a named hall on the header."""

    def __init__(self, orientation: str, language: str) -> None:
        # Built like ScenarioSession, with the [ui] settings the screenshots show.
        from PySide6.QtWidgets import QApplication

        from ui.i18n import Translations
        from ui.idle import ManualClock
        from ui.layout import window_size
        from ui.main_window import MainWindow

        from ..app import KioskCore
        from ..simulation import SimulatedHall

        self.scenario_dir = Path.cwd()
        self.screenshots = None
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.tmp = Path(tempfile.mkdtemp(prefix="kiosk-screenshots-"))
        self.hall = SimulatedHall(self.tmp / "hall", central_url=None).start()
        base = parse_config({
            "data_dir": str(self.tmp / "kiosk"), "kiosk_id": "NS-01-03",
            "hall_id": "sz-nanshan-1",
            "ui": {"language": language, "orientation": orientation,
                   "hall_name": HALL_NAME[0], "hall_name_en": HALL_NAME[1],
                   "voice_engine": "mock"},
        })
        base = replace(base, central=replace(base.central, offline_grace_s=0.0))
        self.config = self.hall.kiosk_config(base)
        self.service_clock = ShiftedClock()
        self.core = KioskCore(self.config, clock=self.service_clock).start(
            background_sync=False)
        self.translations = Translations(self.app, default_language=language)
        self.translations.reset()
        self.clock = ManualClock()
        self.window = MainWindow(self.config, self.translations, core=self.core,
                                 idle_clock=self.clock, kiosk_mode=False)
        self.window.resize(window_size(orientation))
        self.window.show()
        # The runner's bookkeeping (ScenarioSession.__init__ sets the same).
        self.printed_mark = 0
        self.spoken_mark = 0
        self.a4_mark = 0
        self.artifacts = None
        self.printed: list[tuple[str, Any]] = []
        self._receipts_seen = 0
        self._a4_seen: set[Path] = set()
        self.pump()

    def do_settle(self, _arg: Any) -> None:
        self.settle()

    def do_display(self, arg: dict[str, bool]) -> None:
        self.window.set_display(**arg)

    def do_days(self, arg: int) -> None:
        """The kiosk's services live `arg` days later (or earlier): a course booked
        earlier is over and can be scored."""
        self.service_clock.offset += timedelta(days=int(arg))

    def do_tap_first(self, prefix: str) -> None:
        """Tap the topmost visible, enabled button whose automation name starts with
        `prefix` (`item.`): the demo data's voucher and order numbers follow today's
        date, so a tour cannot name them."""
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QAbstractButton

        def candidates() -> list[QAbstractButton]:
            return [b for b in self.window.findChildren(QAbstractButton)
                    if b.objectName().startswith(prefix) and b.isVisible() and b.isEnabled()]

        self.wait_until(lambda: bool(candidates()), lambda: f"no visible button {prefix}*")
        top = min(candidates(), key=lambda b: b.mapTo(self.window, QPoint(0, 0)).y())
        QTest.mouseClick(top, Qt.MouseButton.LeftButton)


def run(out: Path, orientations: list[str], languages: list[str]) -> tuple[list[Path], list[str]]:
    """Take every shot; returns the files written and what could not be shot."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.layout import window_size

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tour = build_tour()
    problems = tour_problems(tour)
    if problems:
        return written, problems
    for orientation in orientations:
        for language in languages:
            session = ShotSession(orientation, language)
            seen: set[str] = set()
            panel = window_size(orientation)
            grew_at: str | None = None
            try:
                for verb, arg in tour:
                    try:
                        if verb in SHOTS_TAKEN:
                            if verb == "shot":
                                session.settle()
                            else:
                                session.pump(0.2)
                            path = out / file_name(arg, language, orientation)
                            session.window.grab().save(str(path))
                            written.append(path)
                            seen.add(session.window.current_screen().screen_id)
                        elif verb in SHOT_VERBS:
                            getattr(session, f"do_{verb}")(arg)
                        else:
                            VERBS[verb](session, expand(arg))
                    except (StepFailed, KeyError) as exc:
                        problems.append(f"{orientation}/{language}: {verb} {arg!r}: {exc}")
                        break
                    if grew_at is None and session.window.size() != panel:
                        # The first step after which the window outgrew the panel, and
                        # why at that moment (it never shrinks back by itself).
                        grew_at = (f"{verb} {arg!r} on screen "
                                   f"{session.window.current_screen().screen_id}: "
                                   f"{_growth_cause(session, orientation)}")
                problems.extend(f"{orientation}/{language}: {p}"
                                for p in _size_problems(session, orientation, grew_at))
                session.window.build_all_screens()  # built on first use
                missing = sorted(set(session.window.screens) - seen)
                if missing and not problems:
                    owners = screen_owners()
                    problems.extend(f"{orientation}/{language}: the tour did not reach "
                                    f"screen {screen}: {_fix_hint(screen, owners)}"
                                    for screen in missing)
            finally:
                session.close()
    return written, problems


def _size_problems(session: ShotSession, orientation: str,
                   grew_at: str | None = None) -> list[str]:
    """The window must stay the panel's size: a screen whose minimum size does not fit
    makes it grow (and on the real panel, cut off). `grew_at`: the step after which it
    grew, with the cause then (`_growth_cause`)."""
    from ui.layout import window_size

    want = window_size(orientation)
    got = session.window.size()
    if got == want:
        return []
    return [f"the window grew to {got.width()}x{got.height()} (panel {want.width()}x"
            f"{want.height()}) after the step {grew_at or '?'}"]


def _growth_cause(session: ShotSession, orientation: str) -> str:
    """The screens (hidden ones count: the stack's minimum is its largest page's)
    larger than the room the header and bars leave; else the tallest screen and what
    stands above and below the screens (header, action bar, banners) just then."""
    from ui.layout import window_size

    want = window_size(orientation)
    got = session.window.size()
    stack = session.window.stack
    room_w = stack.width() - (got.width() - want.width())
    room_h = stack.height() - (got.height() - want.height())
    hints = {sid: screen.minimumSizeHint() for sid, screen in session.window.screens.items()}
    too_big = sorted(f"{sid} ({h.width()}x{h.height()})" for sid, h in hints.items()
                     if h.width() > room_w or h.height() > room_h)
    if too_big:
        return f"screens larger than the {room_w}x{room_h} px left: " + ", ".join(too_big)
    sid, hint = max(hints.items(), key=lambda kv: kv[1].height())
    return (f"the tallest screen is {sid} ({hint.width()}x{hint.height()}), with "
            f"{got.height() - stack.height()} px above and below the screens")


# Pictures in docs/screenshots that another command makes, not kiosk screens: kept.
# fleet.png: the central service's fleet page (tests/central/fleet_kit.py).
NOT_SCREENS = frozenset({"fleet.png"})


def remove_stale(out: Path, written: list[Path]) -> list[Path]:
    """Delete PNGs in `out` that this run did not write (screens renamed or gone, the
    old naming)."""
    keep = {p.resolve() for p in written}
    stale = [p for p in out.glob("*.png")
             if p.resolve() not in keep and p.name not in NOT_SCREENS]
    for p in stale:
        p.unlink()
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--orientation", choices=("portrait", "landscape"), action="append")
    parser.add_argument("--language", choices=("zh", "en"), action="append")
    args = parser.parse_args(argv)
    orientations = args.orientation or ["portrait", "landscape"]
    languages = args.language or ["zh", "en"]
    written, problems = run(args.out, orientations, languages)
    full = args.orientation is None and args.language is None
    if full and not problems:
        for p in remove_stale(args.out, written):
            print(f"removed stale {p.name}")
    for p in written:
        print(f"wrote {p}")
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
