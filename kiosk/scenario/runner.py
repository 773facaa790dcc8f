"""Scenario runner: a YAML list of one-key steps run against the real UI (offscreen),
the device simulators and a fresh central service. Exits non-zero naming the first
step that is not met. The verbs are catalogued in docs/automation.md.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from ..config import KioskConfig, parse_config

WAIT_S = 8.0


class StepFailed(Exception):
    pass


class ScenarioSession:
    """One scenario run: a simulated hall, a fresh kiosk data dir, the real main window."""

    # The runner's bookkeeping of what was printed and matched: carried over to the
    # new kiosk process by `kiosk_restart` (kiosk/scenario/child.py).
    CARRIED = ("printed_mark", "a4_mark", "printed", "_receipts_seen", "_a4_seen")
    _owns_hall = True  # a subclass building its own hall (screenshots.py) owns it

    def __init__(self, scenario_dir: Path, screenshots: Path | None,
                 central_url: str | None, artifacts: Path | None = None, *,
                 hall: Any = None, work_dir: Path | None = None,
                 carried: dict[str, Any] | None = None) -> None:
        """`hall`/`work_dir`: a hall and data directory owned by someone else (the
        runner, when this session is a kiosk child process); `carried`: the CARRIED
        bookkeeping of the kiosk process this one replaces."""
        from PySide6.QtWidgets import QApplication

        from ui.i18n import Translations
        from ui.main_window import MainWindow

        from ..app import KioskCore

        self.scenario_dir = scenario_dir
        self.screenshots = screenshots
        # The on-screen keyboard's input method, as kiosk/launcher.py chooses it.
        os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
        os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self._owns_hall = hall is None
        self.tmp = work_dir or Path(tempfile.mkdtemp(prefix="kiosk-scenario-"))
        if hall is None:  # the kiosk's own hall (a kiosk child process imports no central)
            from ..simulation import SimulatedHall

            hall = SimulatedHall(self.tmp / "hall", central_url=central_url).start()
        self.hall = hall
        base = parse_config({"data_dir": str(self.tmp / "kiosk"), "kiosk_id": "scenario-kiosk",
                             # Qt's mock speech engine: it speaks nowhere, and
                             # `expect_spoken` reads what it was given.
                             "ui": {"voice_engine": "mock"}})
        base = replace(base, central=replace(base.central, offline_grace_s=0.0))
        self.config: KioskConfig = self.hall.kiosk_config(base)
        self.core = KioskCore(self.config).start(background_sync=False)
        self.translations = Translations(self.app, default_language=self.config.ui.language)
        self.translations.reset()
        from ui.idle import ManualClock

        self.clock = ManualClock()
        self.window = MainWindow(self.config, self.translations, core=self.core, idle_clock=self.clock,
                                 kiosk_mode=False)
        self.window.resize(1080, 1600)
        self.window.show()
        self.printed_mark = 0
        self.spoken_mark = 0  # how far expect_spoken has matched what voice said
        self.a4_mark = 0  # how far expect_printed has matched the A4 pages' text
        # Everything printed, in print order: ("receipt", index) or ("a4", path);
        # with `artifacts`, each is kept as DIR/<NNN>-receipt.txt or DIR/<NNN>-a4.pdf.
        self.artifacts = artifacts
        self.printed: list[tuple[str, Any]] = []
        self._receipts_seen = 0
        self._a4_seen: set[Path] = set()
        self.__dict__.update(carried or {})
        self.pump()

    def watch_prints(self) -> None:
        """Note what came out of the printers since the last look, in print order."""
        docs = self.hall.printer.documents  # cut (complete) receipts
        for index in range(self._receipts_seen, len(docs)):
            self._keep("receipt", index, docs[index].text)
        self._receipts_seen = len(docs)
        for path in self.hall.a4.documents():
            if path not in self._a4_seen:
                self._a4_seen.add(path)
                self._keep("a4", path, None)

    def _keep(self, kind: str, what: Any, text: str | None) -> None:
        self.printed.append((kind, what))
        if self.artifacts is None:
            return
        self.artifacts.mkdir(parents=True, exist_ok=True)
        name = f"{len(self.printed):03d}-{kind}"
        if kind == "receipt":
            (self.artifacts / f"{name}.txt").write_text((text or "") + "\n", encoding="utf-8")
        else:
            shutil.copyfile(what, self.artifacts / f"{name}.pdf")

    def close(self) -> None:
        try:
            self.watch_prints()  # the last prints, before the hall's files go
        except OSError:
            pass
        self.window.close()
        self.window.shutdown()
        self.window.idle.uninstall()
        # Stop what emits first: a signal queued by the core after the window is
        # deleted would be delivered from a deleted source.
        self.core.stop()
        if self._owns_hall:
            self.hall.stop()
        self.pump()
        self.window.deleteLater()
        self.translations.uninstall()  # the next scenario starts from a clean application
        self.pump()
        if self._owns_hall:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        from PySide6.QtCore import QEvent

        end = time.monotonic() + seconds
        while True:
            self.app.processEvents()
            self.watch_prints()
            # processEvents() outside exec() never runs deferred deletions: without this
            # every screen a session reset rebuilt would stay alive (memory grows with
            # each session, unlike the real event loop).
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if time.monotonic() >= end:
                break
            time.sleep(0.01)

    def wait_until(self, predicate: Callable[[], bool], what: Callable[[], str],
                   timeout: float = WAIT_S) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump()
            if predicate():
                return
            time.sleep(0.02)
        raise StepFailed(what())

    def settle(self) -> None:
        """Let queued signals and background operations finish."""
        from ui.ops import tracker

        self.wait_until(lambda: tracker.in_flight() == 0,
                        lambda: "background work never finished")
        self.pump(0.05)

    def visible_text(self) -> str:
        from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

        parts = []
        widgets: list[QLabel | QAbstractButton | QLineEdit] = [
            *self.window.findChildren(QLabel), *self.window.findChildren(QAbstractButton),
            *self.window.findChildren(QLineEdit)]
        for w in widgets:
            if w.isVisibleTo(self.window) and w.isVisible():
                parts.append(w.text())
        return "\n".join(p for p in parts if p)

    def find(self, name: str) -> Any:
        from PySide6.QtWidgets import QWidget

        candidates = [w for w in self.window.findChildren(QWidget, name) if w.isVisible()]
        if not candidates:
            raise StepFailed(f"no visible widget named {name!r} on screen "
                             f"{self.window.current_screen().screen_id}")
        return candidates[0]

    # -- verbs -------------------------------------------------------------------------
    def do_language(self, arg: Any) -> None:
        if arg not in ("zh", "en"):
            raise StepFailed("language must be zh or en")
        self.window.set_language(arg)

    def do_open(self, arg: Any) -> None:
        self.window.open_service(str(arg))

    def do_tap(self, arg: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QAbstractButton

        def ready() -> bool:
            # A person waits for a greyed button to come alive (a screen greys its
            # actions while its flow's background call runs), up to the step timeout.
            if not self._visible(str(arg)):
                return False
            widget = self.find(str(arg))
            return not isinstance(widget, QAbstractButton) or widget.isEnabled()

        self.wait_until(ready, lambda: f"{arg!r} is disabled" if self._visible(str(arg))
                        else f"no visible widget {arg!r}")
        QTest.mouseClick(self.find(str(arg)), Qt.MouseButton.LeftButton)

    def _visible(self, name: str) -> bool:
        from PySide6.QtWidgets import QWidget

        return any(w.isVisible() for w in self.window.findChildren(QWidget, name))

    def do_type(self, arg: Any) -> None:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication, QLineEdit

        if isinstance(arg, dict):
            target = self.find(str(arg["into"]))
            text = str(arg["text"])
            target.setFocus()
        else:
            text = str(arg)
            target = QApplication.focusWidget()
            if not isinstance(target, QLineEdit):
                keypad = getattr(self.window.current_screen(), "keypad", None)
                target = keypad.target() if keypad is not None else None
        if not isinstance(target, QLineEdit):
            raise StepFailed("no text field has the focus")
        if not text.isascii():  # Chinese arrives as an input method commits it: at once
            target.insert(text)
            return
        QTest.keyClicks(target, text)

    def do_scan(self, arg: Any) -> None:
        self.hall.scan(str(arg))

    def do_scan_printed_qr(self, arg: Any) -> None:
        """Scan the QR of the last printed paper: an A4 page (read from the rendered
        page) when the A4 printer printed last, else the last receipt's."""
        self.watch_prints()
        qr = None
        if self.printed and self.printed[-1][0] == "a4":
            qr = self.hall.a4.last_qr()
        qr = qr or self.hall.printer.last_qr() or self.hall.a4.last_qr()
        if not qr:
            raise StepFailed("nothing with a QR code has been printed")
        self.hall.scan(qr)

    # -- devices -----------------------------------------------------------------------
    def _simulator(self, attr: str, what: str) -> Any:
        sim = getattr(self.hall, attr, None)
        if sim is None:
            raise StepFailed(f"this hall has no simulated {what}")
        return sim

    def do_id_card(self, arg: Any) -> None:
        """`{name, id_number, ...}` (`{}`: the sample card) puts a card on the reader,
        always as a fresh placement: a card already there is taken away first, until
        the kiosk's reader watch has seen the reader empty (also when the reader was
        empty already: a card placed before the watch's first poll is stale, and logs
        nobody in). `remove` takes it away."""
        sim = self._simulator("id_card", "ID card reader")
        if arg == "remove":
            sim.remove_card()
        elif isinstance(arg, dict):
            if sim.has_card:
                sim.remove_card()
            self._card_seen_gone()
            try:
                sim.insert_card({k: str(v) for k, v in arg.items()})
            except (ValueError, KeyError) as exc:
                raise StepFailed(f"this card cannot be made: {exc}") from None
        else:
            raise StepFailed("id_card takes the card's fields, or `remove`")

    def _card_seen_gone(self) -> None:
        """Wait until the identity gate's reader watch (if it is watching) has found
        the reader empty, so the next card is a placement and not the same card."""
        watch = getattr(self.core.services.get("identity.login"), "watch", None)
        if watch is not None and watch.armed and not watch.wait_polls(1, WAIT_S):
            raise StepFailed("the ID card reader watch never saw the card taken away")

    def do_app_login(self, arg: Any) -> None:
        """`TIN`: the tax app approves the login QR shown on screen for that taxpayer
        (the QR is read from the screen's pixels; the demo approval endpoint is called
        with the admin token, as `import_invoices` does)."""
        from PySide6.QtGui import QImage

        from drivers.camera_scanner import GrayFrame, decode_frame

        tin = str(arg or "").strip()
        if not tin:
            raise StepFailed("app_login takes the TIN of the taxpayer who approves")
        texts: list[str] = []

        def read_qr() -> bool:
            if not self._visible("image.qr"):
                return False
            image = self.find("image.qr").grab().toImage().convertToFormat(
                QImage.Format.Format_Grayscale8)
            if image.width() < 21:
                return False
            frame = GrayFrame(bytes(image.constBits()), image.width(), image.height(),
                              image.bytesPerLine())
            texts[:] = [t for t in decode_frame(frame) if t.startswith("TAXLOGIN:")]
            return bool(texts)

        self.wait_until(read_qr, lambda: "no login QR code is shown on screen")
        token = texts[0].removeprefix("TAXLOGIN:")
        r = httpx.post(f"{self.hall.central_url}/v1/login/qr/{token}/approve",
                       json={"tin": tin}, headers=self._admin_headers(), timeout=10)
        if r.status_code not in (200, 204):
            raise StepFailed(f"the tax app's approval was refused: HTTP {r.status_code} "
                             f"{r.text[:300]}")

    def _admin_headers(self) -> dict[str, str]:
        from central.bind_rules import ADMIN_TOKEN_CREDENTIAL, ADMIN_TOKEN_ENV
        from offline_queue.secrets import SecretError, read_secret

        try:  # the same sources as `kiosk central` (env, _FILE, systemd credential)
            token = read_secret(ADMIN_TOKEN_ENV, credential=ADMIN_TOKEN_CREDENTIAL)
        except SecretError as exc:
            raise StepFailed(f"admin token: {exc}") from None
        return {"Authorization": f"Bearer {token}"} if token else {}

    def do_staff_card(self, arg: Any) -> None:
        """`demo` taps the demo staff card on the simulated reader; anything else is
        the UID (hex) of the card to tap."""
        sim = self._simulator("staff_card", "staff card reader")
        if arg is None or str(arg).strip() == "":
            raise StepFailed("staff_card takes a card UID (hex) or `demo`")
        # A card tapped while the last session is still being ended is ignored (as at a
        # real terminal, where staff tap again): tap once the terminal is idle, its
        # background work done (the card check queues behind it on a loaded machine).
        self.wait_until(lambda: not self.window.in_session,
                        lambda: "a session is still running: the staff card would be ignored")
        self.settle()
        # The reader takes the same card read again within its debounce time for the
        # tap it already reported (a card lying on it repeats its UID): a quick scenario
        # taps again well within 1 s, a person's second tap comes later. Wait it out.
        from drivers.staff_card import StaffCardReader

        reader = self.core.driver("staff_card_reader")
        if isinstance(reader, StaffCardReader):
            self.wait_until(lambda: reader.seconds_since_card() > reader.debounce_s,
                            lambda: "the staff card reader never left its debounce time")
        if str(arg) == "demo":
            from ..simulation.demo import DEMO_STAFF_CARD_UID

            uid = DEMO_STAFF_CARD_UID
        else:
            uid = str(arg)
        sim.tap(uid)

    def do_dispenser_take(self, arg: Any) -> None:
        """`{}`: the taxpayer takes everything the dispenser presents, box by box, until
        the kiosk stops issuing (without this step the retract timer runs). `{boxes: N}`
        takes N boxes only."""
        from drivers.dispenser.frame import Presenter
        from ui.ops import tracker

        sim = self._simulator("dispenser", "invoice dispenser")
        if arg is None:
            arg = {}
        if not isinstance(arg, dict) or any(k != "boxes" for k in arg):
            raise StepFailed("dispenser_take takes {} or {boxes: N}")
        limit = arg.get("boxes")
        taken = 0
        self.wait_until(lambda: sim.presenter is Presenter.PRESENTED,
                        lambda: "the dispenser presented nothing to take")
        while limit is None or taken < int(limit):
            if sim.presenter is Presenter.PRESENTED and sim.take():
                taken += 1
                continue
            # The next box, or the end of the pickup (no background work left).
            self.wait_until(lambda: sim.presenter is Presenter.PRESENTED
                            or tracker.in_flight() == 0,
                            lambda: "the dispenser neither presented nor finished")
            if sim.presenter is not Presenter.PRESENTED:
                break

    def do_dispenser_stray_feed(self, arg: Any) -> None:
        """`{cassette: N, sheets: M}`: M sheets leave cassette N outside any job the
        kiosk ran (a service engineer's test feed from the device's own panel), so the
        next reconciliation finds a difference of M and blocks the cassette."""
        sim = self._simulator("dispenser", "invoice dispenser")
        if not isinstance(arg, dict) or set(arg) != {"cassette", "sheets"} \
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in arg.values()):
            raise StepFailed("dispenser_stray_feed takes {cassette: N, sheets: M}")
        try:
            sim.stray_feed(arg["cassette"], arg["sheets"])
        except ValueError as exc:
            raise StepFailed(f"no stray feed: {exc}") from None

    def do_bank_card(self, arg: Any) -> None:
        """`{pan, expiry}`: the card the cardholder presents at the next sale;
        `remove`: nobody presents one; `cancel`: the cardholder presses the terminal's
        red 取消 key during the running sale (waits for one to run)."""
        sim = self._simulator("payment", "payment terminal")
        if arg == "remove":
            sim.card = None  # nobody presents a card: the next sale times out
        elif arg == "cancel":
            self.wait_until(lambda: sim.press_cancel(),
                            lambda: "no sale is running on the payment terminal")
        elif isinstance(arg, dict) and arg.get("pan"):
            sim.card = {k: str(v) for k, v in arg.items()}
        else:
            raise StepFailed("bank_card takes {pan, expiry, ...}, `remove` or `cancel`")

    def _device(self, arg: Any, *keys: str) -> dict[str, Any]:
        if isinstance(arg, str) and keys == ("device",):
            arg = {"device": arg}
        if not isinstance(arg, dict) or any(k not in arg for k in keys):
            raise StepFailed(f"expected {{{', '.join(keys)}}}")
        if arg["device"] not in self.hall.devices():
            raise StepFailed(f"no simulated device {arg['device']!r}; the hall has: "
                             f"{', '.join(self.hall.devices())}")
        return arg

    def do_device_fault(self, arg: Any) -> None:
        from ..simulation.hall import FaultNotApplicable

        arg = self._device(arg, "device", "fault")
        try:
            self.hall.set_fault(str(arg["device"]), str(arg["fault"]), True)
        except FaultNotApplicable as exc:
            raise StepFailed(str(exc)) from None

    def do_device_restore(self, arg: Any) -> None:
        arg = self._device(arg, "device")
        self.hall.restore(str(arg["device"]))

    def do_expect_device(self, arg: Any) -> None:
        """`{device, state}` (closed / idle / busy / error / offline), optionally
        `condition` (paper_empty, cover_open, ...) or `error` (offline, timeout, ...)."""
        arg = self._device(arg, "device", "state")
        devices = self.core.devices
        assert devices is not None
        name = str(arg["device"])

        def met() -> bool:
            s = devices.status(name)
            return (s.state.value == arg["state"]
                    and ("condition" not in arg or (s.condition.value if s.condition else None)
                         == arg["condition"])
                    and ("error" not in arg or (s.error.value if s.error else None) == arg["error"]))

        self.wait_until(met, lambda: f"{name} is {devices.status(name)}, expected {arg}")

    def do_expect_enabled(self, arg: Any) -> None:
        self.wait_until(lambda: self._visible(str(arg)) and self.find(str(arg)).isEnabled(),
                        lambda: f"{arg!r} is not enabled (or not visible)")

    def do_expect_disabled(self, arg: Any) -> None:
        self.wait_until(lambda: self._visible(str(arg)) and not self.find(str(arg)).isEnabled(),
                        lambda: f"{arg!r} is not disabled (or not visible)")

    def do_expect_screen(self, arg: Any) -> None:
        self.wait_until(lambda: self.window.current_screen().screen_id == arg,
                        lambda: f"screen is {self.window.current_screen().screen_id}, "
                                f"expected {arg}")

    def do_expect_text(self, arg: Any) -> None:
        self.wait_until(lambda: str(arg) in self.visible_text(),
                        lambda: f"text {arg!r} not visible; the screen shows:\n"
                                f"{self.visible_text()}")

    def do_expect_no_text(self, arg: Any) -> None:
        self.settle()
        if str(arg) in self.visible_text():
            raise StepFailed(f"text {arg!r} is visible but should not be")

    def do_expect_printed(self, arg: Any) -> None:
        """The text was printed since the last match: on a receipt, or on an A4 page
        (the text a PDF reader extracts)."""
        def printed() -> str:
            return self.hall.printer.all_text()[self.printed_mark:]

        def a4_printed() -> str:  # every A4 page's text in print order, as one stream
            return self.hall.a4.all_text()[self.a4_mark:]

        self.wait_until(lambda: str(arg) in printed() or str(arg) in a4_printed(),
                        lambda: f"{arg!r} not printed; printed since last check:\n"
                                f"{printed()}\n{a4_printed()}")
        if str(arg) in printed():
            text = self.hall.printer.all_text()
            self.printed_mark = text.index(str(arg), self.printed_mark) + len(str(arg))
        else:
            text = self.hall.a4.all_text()
            self.a4_mark = text.index(str(arg), self.a4_mark) + len(str(arg))

    def do_network(self, arg: Any) -> None:
        if arg not in ("offline", "online"):
            raise StepFailed("network must be offline or online")
        assert self.hall.network is not None
        self.hall.network.set_online(arg == "online")
        if arg == "online":
            self.core.connectivity.mark_ok()

    def do_sync(self, arg: Any) -> None:
        report = self.core.drain_queue(timeout_s=float((arg or {}).get("timeout", 30))
                                      if isinstance(arg, dict) else 30.0)
        if report.error or report.remaining:
            raise StepFailed(f"sync did not empty the queue: {report}")
        self.window.refresh_queue_status()

    def do_idle(self, arg: Any) -> None:
        self.window.idle.advance(float(arg))
        self.pump(0.05)

    # -- remote assistance (#14 §5): the taxpayer's button, the staff's fleet side -----------
    def _assist_open(self) -> dict[str, Any] | None:
        """This kiosk's open assistance on the central service (the fleet's list)."""
        r = httpx.get(f"{self.hall.central_url}/fleet/assist", headers=self._admin_headers(),
                      timeout=10)
        if r.status_code != 200:
            raise StepFailed(f"the fleet's assistance list: HTTP {r.status_code}")
        mine = [a for a in r.json() if a.get("kiosk_id") == self.config.kiosk_id]
        return mine[0] if mine else None

    def do_call_staff(self, arg: Any) -> None:
        """Press "Call staff" and wait until the request shows on the fleet side."""
        self.do_tap("action.call_staff")
        self.wait_until(lambda: self._assist_open() is not None,
                        lambda: "the assistance request never reached the central service")

    def do_staff_accept(self, arg: Any) -> None:
        """A member of staff accepts the request on the fleet page; waits for the
        first frame."""
        request = self._assist_open()
        if request is None:
            raise StepFailed("no assistance request to accept")
        url = f"{self.hall.central_url}/fleet/assist/{request['assist_id']}"
        r = httpx.post(f"{url}/accept", headers=self._admin_headers(), timeout=10)
        if r.status_code != 303:
            raise StepFailed(f"accepting was refused: HTTP {r.status_code} {r.text[:200]}")
        self.wait_until(lambda: (self._assist_open() or {}).get("frame_seq", 0) > 0,
                        lambda: "the terminal never sent a frame")

    def do_staff_tap(self, arg: Any) -> None:
        """Staff tap the widget named `arg` in the live view (refused without the
        taxpayer's consent: the step fails with the service's reason)."""
        request = self._assist_open()
        if request is None:
            raise StepFailed("no assistance to tap in")
        widget = self.find(str(arg))
        from PySide6.QtCore import QPoint

        centre = widget.mapTo(self.window, QPoint(widget.width() // 2, widget.height() // 2))
        r = httpx.post(f"{self.hall.central_url}/fleet/assist/{request['assist_id']}/control",
                       json={"x": centre.x() / self.window.width(),
                             "y": centre.y() / self.window.height()},
                       headers=self._admin_headers(), timeout=10)
        if r.status_code != 204:
            raise StepFailed(f"staff's tap was refused: HTTP {r.status_code} {r.text[:200]}")
        self.pump(1.5)  # the kiosk takes taps on its next poll (every second)

    def do_staff_end(self, arg: Any) -> None:
        request = self._assist_open()
        if request is None:
            raise StepFailed("no assistance to end")
        r = httpx.post(f"{self.hall.central_url}/fleet/assist/{request['assist_id']}/end",
                       headers=self._admin_headers(), timeout=10)
        if r.status_code != 303:
            raise StepFailed(f"ending was refused: HTTP {r.status_code}")
        self.wait_until(lambda: self._assist_open() is None,
                        lambda: "the assistance did not end")

    def do_screenshot(self, arg: Any) -> None:
        self.settle()
        if self.screenshots is None:
            return
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.window.grab().save(str(self.screenshots / f"{arg}.png"))

    def do_import_invoices(self, arg: Any) -> None:
        path = (self.scenario_dir / str(arg)).resolve()
        from central.bind_rules import ADMIN_TOKEN_CREDENTIAL, ADMIN_TOKEN_ENV
        from offline_queue.secrets import SecretError, read_secret

        try:  # the same sources as `kiosk central` (env, _FILE, systemd credential)
            token = read_secret(ADMIN_TOKEN_ENV, credential=ADMIN_TOKEN_CREDENTIAL)
        except SecretError as exc:
            raise StepFailed(f"import failed: admin token: {exc}") from None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = httpx.post(self.hall.central_url + "/v1/admin/import-invoices",
                       content=path.read_bytes(), headers=headers | {"Content-Type": "text/csv"},
                       timeout=10)
        if r.status_code != 200:
            raise StepFailed(f"import failed: HTTP {r.status_code} {r.text[:300]}")

    def do_import_registry(self, arg: Any) -> None:
        """Import a taxpayer registry document (path relative to the scenario): into
        the simulated hall's own central database, or under `--central URL` through
        POST /v1/admin/registry with the admin token (read like `kiosk central`).
        Any refused row fails the step, naming it."""
        path = (self.scenario_dir / str(arg)).resolve()
        if self.hall.central is None:  # an external central: its admin endpoint
            from central.bind_rules import ADMIN_TOKEN_CREDENTIAL, ADMIN_TOKEN_ENV
            from offline_queue.secrets import SecretError, read_secret

            try:
                token = read_secret(ADMIN_TOKEN_ENV, credential=ADMIN_TOKEN_CREDENTIAL)
            except SecretError as exc:
                raise StepFailed(f"import failed: admin token: {exc}") from None
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise StepFailed(f"import failed: {path}: {exc.strerror}") from None
            r = httpx.post(self.hall.central_url + "/v1/admin/registry", content=body,
                           headers=headers | {"Content-Type": "application/json"},
                           timeout=30)
            if r.status_code != 200:
                raise StepFailed(f"import failed: HTTP {r.status_code} {r.text[:300]}")
            errors = r.json().get("errors") or []
        else:  # the hall's own central: straight into its database
            from sqlalchemy.orm import Session

            from central.registry import RegistryFileError, import_registry, load_document

            engine = self.hall.central.app.state.engine
            try:
                document = load_document(path)
                with Session(engine) as session:
                    report = import_registry(session, document)
                    session.commit()
            except RegistryFileError as exc:
                raise StepFailed(f"import failed: {exc}") from None
            errors = report.to_json()["errors"]
        if errors:
            raise StepFailed("import refused rows: " + "; ".join(
                f"{e['section']}[{e['index']}]: {e['reason']}" for e in errors[:5]))

    def do_pay_qr(self, arg: Any) -> None:
        """`paid` | `cancelled`: the payer scans the payment QR shown on screen and pays,
        or cancels on their phone (the QR is read from the screen's pixels; the central
        service's demo acquirer is called with the admin token, as `app_login` does).
        After the payer's payment code (付款码) was scanned (`scan`), the same confirms
        or cancels, on the phone, the order charged to that code."""
        from PySide6.QtGui import QImage

        from drivers.camera_scanner import GrayFrame, decode_frame

        action = {"paid": "pay", "cancelled": "cancel"}.get(str(arg or "").strip())
        if action is None:
            raise StepFailed("pay_qr takes `paid` or `cancelled`")
        texts: list[str] = []

        def code_order() -> str | None:
            """The acquirer's id of the payment-code order being charged, if any."""
            for order in self.core.payments.store.unresolved(method="qr"):
                if order.state == "sent" and order.detail.get("mode") == "code" \
                        and order.detail.get("acquirer_order_id"):
                    return str(order.detail["acquirer_order_id"])
            return None

        def read_qr() -> bool:
            charged = code_order()
            if charged is not None:
                texts[:] = ["TAXPAY:" + charged]
                return True
            if not self._visible("image.payment_qr"):
                return False
            image = self.find("image.payment_qr").grab().toImage().convertToFormat(
                QImage.Format.Format_Grayscale8)
            if image.width() < 21:
                return False
            frame = GrayFrame(bytes(image.constBits()), image.width(), image.height(),
                              image.bytesPerLine())
            texts[:] = [t for t in decode_frame(frame) if t.startswith("TAXPAY:")]
            return bool(texts)

        self.wait_until(read_qr, lambda: "no payment QR code is shown on screen, and no "
                                         "payment code is being charged")
        order = texts[0].removeprefix("TAXPAY:")
        r = httpx.post(f"{self.hall.central_url}/v1/demo/acquirer/{order}/{action}",
                       headers=self._admin_headers(), timeout=10)
        if r.status_code != 200:
            raise StepFailed(f"the payer's {action} was refused: HTTP {r.status_code} "
                             f"{r.text[:300]}")

    def do_expect_payments(self, arg: Any) -> None:
        """`{unresolved: N}` and/or `{<state>: N}`: the kiosk's payment orders as
        `kiosk payments status` lists them: N not in a final state, N in that state
        (created, sent, approved, declined, recorded, voiding, voided, unknown).
        `{ready: true}`: the start-up resolution is done and payments are taken."""
        payments = getattr(self.core, "payments", None)
        if payments is None:
            raise StepFailed("this kiosk takes no payments")
        counted = {k: v for k, v in (arg.items() if isinstance(arg, dict) else ())
                   if k != "ready"}
        if not isinstance(arg, dict) or not arg or not isinstance(arg.get("ready", True), bool) \
                or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                           for v in counted.values()):
            raise StepFailed("expect_payments takes {unresolved: N}, {<state>: N} and/or "
                             "{ready: true|false}")

        def counts() -> dict[str, Any]:
            status = payments.store.status_json()
            found: dict[str, Any] = {"unresolved": len(status["unresolved"]),
                                     "ready": payments.ready.is_set()}
            for order in status["orders"]:
                found[order["state"]] = found.get(order["state"], 0) + 1
            return found

        self.wait_until(lambda: all(counts().get(k, 0) == v for k, v in arg.items()),
                        lambda: f"the payment orders are {counts()}, expected {arg}")

    def do_expect_terminal_sale(self, arg: Any) -> None:
        """`running`: the payment terminal holds a sale it has not answered yet (the
        card is being read); `none`: it holds none."""
        sim = self._simulator("payment", "payment terminal")
        if arg not in ("running", "none"):
            raise StepFailed("expect_terminal_sale takes `running` or `none`")
        self.wait_until(lambda: bool(sim.in_transaction) == (arg == "running"),
                        lambda: f"the payment terminal's sale is not {arg}")

    def do_expect_card_charged(self, arg: Any) -> None:
        """`N`: the payment terminal's journal holds N approved sales and none of them
        was voided since: the cardholder was charged N times (0: never)."""
        sim = self._simulator("payment", "payment terminal")
        if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
            raise StepFailed("expect_card_charged takes a number of sales (0, 1, ...)")

        def journal() -> tuple[int, int, int]:
            sales = sim.sales()
            return len(sales), sum(t.amount_fen for t in sales), sim.charged_fen()

        self.wait_until(lambda: (j := journal())[0] == arg and j[1] == j[2],
                        lambda: "the terminal's journal has {} approved sales of {} fen, "
                                "{} fen of them not voided; expected {} sales, none "
                                "voided".format(*journal(), arg))

    def do_kiosk_restart(self, arg: Any) -> None:
        """`{hard: true}`: kill the kiosk process with SIGKILL and start it again on the
        same data directory; `{hard: false}`: a normal quit, then the same. Run by the
        runner (kiosk/scenario/child.py), which drives the kiosk as a child process for
        every scenario that uses this verb; here (in-process) it cannot be done."""
        raise StepFailed("kiosk_restart needs the kiosk in a child process: run the "
                         "scenario with `kiosk scenario` (it does so for scenarios that "
                         "use kiosk_restart)")

    def do_wait(self, arg: Any) -> None:
        self.pump(float(arg))

    def do_expect_spoken(self, arg: Any) -> None:
        """Voice guidance said `arg` (a part of one utterance) since the last
        expect_spoken; the speech engine is Qt's mock one."""
        voice = self.window.voice.voice
        start = min(self.spoken_mark, len(voice.said))  # a session end clears it

        def said() -> bool:
            for i in range(start, len(voice.said)):
                if str(arg) in voice.said[i].text:
                    self.spoken_mark = i + 1
                    return True
            return False

        self.wait_until(said, lambda: f"{arg!r} was not said; voice is "
                        f"{'on' if voice.on else 'off'}, it said: "
                        f"{[u.text for u in voice.said[start:]]}")


VERBS = {name[3:]: getattr(ScenarioSession, name) for name in dir(ScenarioSession)
         if name.startswith("do_")}


_TODAY = re.compile(r"\{today(?:-(\d+))?\}")


def expand(arg: Any) -> Any:
    """`{today}` / `{today-N}` in a step's text become YYYYMMDD dates (China's today), so
    scenarios about recent invoices never age out of the verification period."""
    if isinstance(arg, str):
        from central.verification import china_today

        today = china_today()
        return _TODAY.sub(lambda m: (today - timedelta(days=int(m.group(1) or 0)))
                          .strftime("%Y%m%d"), arg)
    if isinstance(arg, dict):
        return {k: expand(v) for k, v in arg.items()}
    return arg


def load_steps(path: Path) -> list[tuple[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise StepFailed(f"{path}: a scenario is a YAML list of steps")
    steps = []
    for i, step in enumerate(data, 1):
        if not isinstance(step, dict) or len(step) != 1:
            raise StepFailed(f"{path}: step {i} must have exactly one key")
        verb, arg = next(iter(step.items()))
        if verb not in VERBS:
            raise StepFailed(f"{path}: step {i}: unknown verb {verb!r}")
        steps.append((verb, expand(arg)))
    return steps


def run_scenario(path: Path, screenshots: Path | None, central_url: str | None,
                 artifacts: Path | None = None, *,
                 child_process: bool | None = None) -> str | None:
    """Run one file; None when every step is met, else the failure description.
    The kiosk runs in a child process when `child_process` is True, or (None) when
    the scenario uses `kiosk_restart`: the restart kills that process."""
    try:
        steps = load_steps(path)
    except (StepFailed, OSError, yaml.YAMLError) as exc:
        return str(exc)
    if child_process is None:
        child_process = any(verb == "kiosk_restart" for verb, _ in steps)
    if child_process:
        return _run_in_child(path, steps, screenshots, central_url, artifacts)
    session = ScenarioSession(path.parent, screenshots, central_url, artifacts)
    # An exception a Qt slot or event handler lets out reaches sys.excepthook (PySide
    # prints it and the loop carries on); the kiosk's crash hook exits 70 on it
    # (kiosk.log.install_crash_hooks), so a scenario fails on it too.
    escaped: list[str] = []
    previous_hook = sys.excepthook

    def on_escaped(exc_type: type[BaseException], exc: BaseException,
                   tb: Any) -> None:
        escaped.append(exc_type.__name__)
        previous_hook(exc_type, exc, tb)  # the traceback, as before

    sys.excepthook = on_escaped
    try:
        for i, (verb, arg) in enumerate(steps, 1):
            try:
                VERBS[verb](session, arg)
            except StepFailed as exc:
                return f"{path}: step {i} ({verb}: {arg!r}) not met: {exc}"
            except Exception as exc:  # noqa: BLE001 - report, never crash the runner
                return f"{path}: step {i} ({verb}: {arg!r}) failed: {type(exc).__name__}: {exc}"
            if escaped:
                return (f"{path}: step {i} ({verb}: {arg!r}) failed: "
                        f"{', '.join(escaped)} escaped from a Qt slot or event handler")
        return None
    finally:
        sys.excepthook = previous_hook
        session.close()


def _run_in_child(path: Path, steps: list[tuple[str, Any]], screenshots: Path | None,
                  central_url: str | None, artifacts: Path | None) -> str | None:
    """The same steps with the kiosk in a child process (kiosk/scenario/child.py)."""
    from .child import ChildStepError, KioskChildSession

    try:
        session = KioskChildSession(path.parent, screenshots, central_url, artifacts)
    except StepFailed as exc:
        return f"{path}: the kiosk process did not start: {exc}"
    try:
        for i, (verb, arg) in enumerate(steps, 1):
            try:
                session.run(verb, arg)
            except StepFailed as exc:
                return f"{path}: step {i} ({verb}: {arg!r}) not met: {exc}"
            except ChildStepError as exc:  # already "Type: message", as in-process
                return f"{path}: step {i} ({verb}: {arg!r}) failed: {exc}"
            except Exception as exc:  # noqa: BLE001 - report, never crash the runner
                return f"{path}: step {i} ({verb}: {arg!r}) failed: {type(exc).__name__}: {exc}"
        return None
    finally:
        session.close()


def run_scenarios(paths: list[Path], screenshots: Path | None = None,
                  central_url: str | None = None, artifacts: Path | None = None,
                  child_process: bool | None = None) -> int:
    """Run each file; `artifacts`: keep everything printed, in print order, as
    artifacts/<scenario>/<NNN>-receipt.txt and <NNN>-a4.pdf. `child_process`: run
    the kiosk in a child process (True), in this one (False), or in a child process
    only for scenarios that use `kiosk_restart` (None)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    failed = 0
    for path in paths:
        shots = screenshots / path.stem if screenshots else None
        error = run_scenario(path, shots, central_url,
                             artifacts / path.stem if artifacts else None,
                             child_process=child_process)
        if error:
            failed += 1
            print(f"FAIL {error}", flush=True)
            break
        print(f"ok   {path}", flush=True)
    return 1 if failed else 0
