"""`make screenshots`: every screen, in both languages and both orientations, into
docs/screenshots/<screen>-<zh|en>-<portrait|landscape>.png.

The real main window is built offscreen against the simulated hall (as the scenario
runner does) at the panel's size, driven through a tour of scenario steps, and grabbed
at each `shot`. Screens the tour did not reach are listed at the end (exit 1), so a
new screen cannot go without its picture; stale PNGs of screens no longer shot are
deleted.

    python -m kiosk.scenario.screenshots [--out DIR] [--orientation O] [--language L]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import parse_config
from .runner import VERBS, ScenarioSession, StepFailed, expand

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GOOD_QR = "01,10,033002600111,31415926,88.50,{today-7},19387263548102954712,"
HALL_NAME = ("国家税务总局深圳市南山区税务局 第一办税服务厅",
             "Nanshan District Tax Service Hall 1, Shenzhen")

# (verb, argument): scenario steps, plus `shot: <screen name>`. Shots of the same screen
# in another state carry a suffix (`invoice.verify.result` + `printed`).
TOUR: list[tuple[str, Any]] = [
    ("shot", "attract"),
    ("tap", "action.start"),
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
    ("sync", {}),
    ("staff_card", "demo"),
    ("expect_screen", "staff.pin"),
    ("shot", "staff.pin"),
    ("type", "246810"),
    ("tap", "action.confirm"),
    ("expect_screen", "maintenance"),
    ("shot", "maintenance"),
]


def service_steps(covered: set[str]) -> list[tuple[str, Any]]:
    """Steps for the catalogue's services the tour above does not visit: each screen
    module's own `SHOTS` (scenario steps with `shot`s, from the home screen), else its
    entry screen as it opens. A screen module adds `SHOTS` to get its inner screens
    (results, confirmations) shot too; without them they are reported as missing."""
    import importlib

    from ui.flow.core_api import taxpayer_services
    from ui.main_window import screen_module

    steps: list[tuple[str, Any]] = []
    for spec in taxpayer_services():
        if spec.id in covered:
            continue
        module = importlib.import_module(screen_module(spec.id))
        own = getattr(module, "SHOTS", None)
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
    covered = {"invoice.verify", "identity.login", "certificate.verify"}
    at = TOUR.index(("idle", 91))
    return [*TOUR[:at], *service_steps(covered), *TOUR[at:]]


def file_name(screen: str, language: str, orientation: str) -> str:
    return f"{screen.replace('.', '-')}-{language}-{orientation}.png"


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
        self.core = KioskCore(self.config).start(background_sync=False)
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


def run(out: Path, orientations: list[str], languages: list[str]) -> tuple[list[Path], list[str]]:
    """Take every shot; returns the files written and what could not be shot."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    problems: list[str] = []
    for orientation in orientations:
        for language in languages:
            session = ShotSession(orientation, language)
            seen: set[str] = set()
            try:
                for verb, arg in build_tour():
                    try:
                        if verb == "shot":
                            session.settle()
                            path = out / file_name(arg, language, orientation)
                            session.window.grab().save(str(path))
                            written.append(path)
                            seen.add(session.window.current_screen().screen_id)
                        elif verb in ("settle", "display"):
                            getattr(session, f"do_{verb}")(arg)
                        else:
                            VERBS[verb](session, expand(arg))
                    except (StepFailed, KeyError) as exc:
                        problems.append(f"{orientation}/{language}: {verb} {arg!r}: {exc}")
                        break
                problems.extend(f"{orientation}/{language}: {p}"
                                for p in _size_problems(session, orientation))
                missing = sorted(set(session.window.screens) - seen)
                if missing and not problems:
                    problems.append(f"{orientation}/{language}: screens without a shot: "
                                    + ", ".join(missing))
            finally:
                session.close()
    return written, problems


def _size_problems(session: ShotSession, orientation: str) -> list[str]:
    """The window must stay the panel's size: a screen whose minimum size does not fit
    makes it grow (and on the real panel, cut off)."""
    from ui.layout import window_size

    want = window_size(orientation)
    got = session.window.size()
    if got == want:
        return []
    stack = session.window.stack
    room = stack.height() - (got.height() - want.height())
    too_tall = sorted(sid for sid, screen in session.window.screens.items()
                      if screen.minimumSizeHint().height() > room)
    return [f"the window grew to {got.width()}x{got.height()} (panel {want.width()}x"
            f"{want.height()}); screens taller than the {room} px left for them: "
            + (", ".join(too_tall) or "none alone (the header and bars take the room)")]


def remove_stale(out: Path, written: list[Path]) -> list[Path]:
    """Delete PNGs in `out` that this run did not write (screens renamed or gone, the
    old naming)."""
    keep = {p.resolve() for p in written}
    stale = [p for p in out.glob("*.png") if p.resolve() not in keep]
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
