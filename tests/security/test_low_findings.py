"""Issue #8, section 3 (low findings): bounded heartbeat sent_at, deeply nested JSON,
an unterminated quote in the invoice CSV, staff roles enforced per action, a corrupt
lockout file that fails closed, and redaction of personal numbers in every log.

Through real transports: a CentralServer on loopback, `kiosk` subprocesses for CLI
exits and logging, real SQLite files, the real main window offscreen."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from central.server import CentralServer
from kiosk.central_client import CentralClient
from kiosk.staff import AUDIT_KIND, StaffAuth, StaffAuthError, staff_reference_item
from offline_queue.crypto import KioskKeys, b64e, content_digest
from offline_queue.outbox import Outbox
from offline_queue.reference import ReferenceInbox

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
ADMIN_TOKEN = "admin-token-for-the-low-findings"
ENROLMENT_TOKEN = "enrolment-token-for-the-low-findings"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEEP = 5000  # beyond the interpreter's recursion limit: json.loads alone gives up
HEADER = "type_code,code,number,issued_on,amount,total,check_code,status"
GOOD_ROW = "01,1100251130,12345678,2026-01-05,100.00,113.00,,normal"


def run_kiosk(*argv: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([*KIOSK, *argv], input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=env)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(db_url: str) -> Iterator[CentralServer]:
    with CentralServer(db_url, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as server:
        yield server


@pytest.fixture
def http(central: CentralServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=central.url, timeout=30) as client:
        yield client


# --- heartbeat: sent_at bounded like /staff ---------------------------------------------

def _heartbeat(keys: KioskKeys, kiosk_id: str, sent_at: str, **fields: Any) -> dict[str, Any]:
    body = {"kiosk_id": kiosk_id, "sent_at": sent_at, "software_version": "1.0",
            "queue_depth": 0, "oldest_pending_age_s": None, "unconfirmed": 0,
            "devices": {}, **fields}
    return body | {"signature": b64e(keys.sign(content_digest(body)))}


def test_a_heartbeat_dated_9999_is_refused_and_the_next_normal_one_accepted(
        central: CentralServer, http: httpx.Client) -> None:
    keys = KioskKeys.generate()
    client = CentralClient((central.url,), "K-beat")
    client.enroll(keys, ENROLMENT_TOKEN)
    client.close()  # its connection must not be left to the garbage collector
    url = "/v1/kiosks/K-beat/heartbeat"
    future = http.post(url, json=_heartbeat(keys, "K-beat", "9999-12-31T23:59:59+00:00"))
    assert future.status_code == 409, future.text
    assert "clock" in future.json()["detail"]
    view = http.get("/v1/admin/kiosks/K-beat", headers=ADMIN).json()
    assert view["last_heartbeat"] is None and view["last_seen"] is None  # nothing stored
    past = datetime.now(timezone.utc) - timedelta(hours=2)
    assert http.post(url, json=_heartbeat(keys, "K-beat", past.isoformat())).status_code == 409
    now = datetime.now(timezone.utc).isoformat()
    normal = http.post(url, json=_heartbeat(keys, "K-beat", now, queue_depth=3))
    assert normal.status_code == 200, normal.text
    assert http.get("/v1/admin/kiosks/K-beat", headers=ADMIN).json()[
        "last_heartbeat"]["queue_depth"] == 3


# --- deeply nested JSON ------------------------------------------------------------------

def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nested_json_to_admin_reference_is_4xx_with_a_reason(http: httpx.Client) -> None:
    for body in (_nested(DEEP),
                 '{"kind": "policy", "key": "k", "body": {"a": ' + _nested(100) + "}}"):
        response = http.post("/v1/admin/reference", content=body.encode(),
                             headers=ADMIN | {"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        assert "nested" in response.json()["detail"]
    stored = [i for i in http.get("/v1/reference").json()["items"]
              if i["kind"] != "certificate_key"]  # the service's own key, seeded at start
    assert stored == []  # nothing stored


def test_nested_json_on_every_json_endpoint_is_4xx(central: CentralServer,
                                                  http: httpx.Client) -> None:
    keys = KioskKeys.generate()
    client = CentralClient((central.url,), "K-deep")
    client.enroll(keys, ENROLMENT_TOKEN)
    client.close()  # its connection must not be left to the garbage collector
    # Too deep to sign client-side (json.dumps gives up too): sent raw, unsigned.
    now = datetime.now(timezone.utc).isoformat()
    heartbeat = ('{"kiosk_id": "K-deep", "sent_at": "' + now + '", "software_version": '
                 '"1", "queue_depth": 0, "signature": "", "devices": {"p": '
                 + '{"a": ' * 500 + "1" + "}" * 500 + "}}")
    for path, body in (
            ("/v1/sync/batch", '{"kiosk_id": "K-deep", "records": ' + _nested(DEEP) + "}"),
            ("/v1/sync/batch", '{"kiosk_id": "K-deep", "records": ' + _nested(500) + "}"),
            ("/v1/kiosks/K-deep/heartbeat", heartbeat),
            ("/v1/kiosks/K-deep/heartbeat", _nested(DEEP)),
            ("/v1/kiosks/enroll", _nested(DEEP)),
            ("/v1/invoices/verify", '{"type_code": ' + _nested(DEEP) + "}")):
        response = http.post(path, content=body.encode(),
                             headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (path, response.status_code)


def test_cli_add_reference_with_nested_json_exits_2(tmp_path: Path, db_url: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(_nested(DEEP), encoding="utf-8")
    done = run_kiosk("central", "--db", db_url, "--add-reference", str(deep))
    assert done.returncode == 2, done.stderr
    assert "nested more than" in done.stderr and "Traceback" not in done.stderr


def test_cli_import_bundle_with_nested_json_exits_2(tmp_path: Path, db_url: str) -> None:
    bundle = tmp_path / "deep.bundle.json"
    bundle.write_text('{"format": "tax-kiosk-bundle", "version": 1, "records": '
                      + _nested(DEEP) + "}", encoding="utf-8")
    done = run_kiosk("central", "--db", db_url, "--import-bundle", str(bundle))
    assert done.returncode == 2, done.stderr
    assert "nested more than" in done.stderr and "Traceback" not in done.stderr


# --- the invoice CSV: an unterminated quote refuses the file ------------------------------

UNTERMINATED = "\n".join([
    HEADER,                                                               # line 1
    GOOD_ROW,                                                             # 2
    '04,044032600104,44444444,2026-01-09,2.00,2.06,"1234567890,void',      # 3: opens
    "01,1100251130,55555555,2026-01-05,100.00,113.00,,normal",            # 4 swallowed
    "01,1100251130,66666666,2026-01-05,100.00,113.00,,normal",            # 5 swallowed
]) + "\n"


def _invoice_count(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM invoices")).scalar_one())
    finally:
        engine.dispose()


def test_csv_with_an_unterminated_quote_is_refused_with_its_line(
        http: httpx.Client, db_url: str, tmp_path: Path) -> None:
    response = http.post("/v1/admin/import-invoices", content=UNTERMINATED.encode(),
                         headers=ADMIN | {"Content-Type": "text/csv"})
    assert response.status_code == 422, response.text
    assert "line 3" in response.json()["detail"] and "quote" in response.json()["detail"]
    assert _invoice_count(db_url) == 0  # not even the good row before it

    path = tmp_path / "registry.csv"
    path.write_text(UNTERMINATED, encoding="utf-8")
    done = run_kiosk("central", "--db", db_url, "--import-invoices", str(path))
    assert done.returncode != 0 and "line 3" in done.stderr, done.stderr
    assert _invoice_count(db_url) == 0


# --- staff: roles enforced per action, lockout fails closed --------------------------------

UID = {"hall": "04A2B3C4D5E601", "technician": "04A2B3C4D5E602",
       "logistics": "04A2B3C4D5E603"}
PIN = "246813"
# Written out from the issue, not read from the code under test.
EXPECTED = {
    "hall": {"view_figures", "sync", "test_print", "out_of_service"},
    "technician": {"view_figures", "sync", "test_print", "out_of_service", "device_test",
                   "reconciliation_clear"},
    "logistics": {"stock_loading", "courier_dispatch", "dispenser_reconciliation"},
}


class StaffKiosk:
    """A StaffAuth on a real reference inbox, lockout file and outbox (the audit)."""

    def __init__(self, folder: Path) -> None:
        self.inbox = ReferenceInbox(folder / "reference.sqlite3")
        self.outbox = Outbox(folder / "outbox.sqlite3", "K-roles", KioskKeys.generate())
        self.state = folder / "staff-lockout.json"
        self.uuids: list[str] = []
        accounts = [staff_reference_item(f"S-{role}", [role], UID[role], PIN)
                    for role in UID]
        self.inbox.replace_kind("staff", {a["key"]: a["body"] for a in accounts})
        self.auth = StaffAuth(self.inbox, self.state, self.audit)

    def audit(self, event: str, payload: dict[str, Any]) -> None:
        self.uuids.append(self.outbox.enqueue(AUDIT_KIND, payload).uuid)

    def audited(self) -> list[dict[str, Any]]:
        views = [self.outbox.get(u) for u in self.uuids]
        return [v.payload for v in views if v is not None and v.payload is not None]

    def close(self) -> None:
        self.inbox.close()
        self.outbox.close()


@pytest.fixture
def staff_kiosk(tmp_path: Path) -> Iterator[StaffKiosk]:
    k = StaffKiosk(tmp_path)
    yield k
    k.close()


def test_each_role_can_do_exactly_its_actions_in_the_core(staff_kiosk: StaffKiosk) -> None:
    from kiosk.staff.roles import ACTIONS, allowed

    assert set(ACTIONS) == set().union(*EXPECTED.values())
    for role, mine in EXPECTED.items():
        session = staff_kiosk.auth.login(UID[role], PIN)
        for action in ACTIONS:
            assert allowed(session.roles, action) == (action in mine), (role, action)
            before = len(staff_kiosk.uuids)
            if action in mine:
                staff_kiosk.auth.authorize(session, action)
                staff_kiosk.auth.record(session, action, {"n": 1})
                assert staff_kiosk.audited()[-1]["event"] == "action"
            else:
                with pytest.raises(StaffAuthError) as info:
                    staff_kiosk.auth.record(session, action)
                assert info.value.code == "staff.not_allowed"
                refusal = staff_kiosk.audited()[-1]
                assert refusal["event"] == "refused" and refusal["staff_id"] == f"S-{role}"
                assert refusal["detail"] == {"action": action, "roles": [role]}
                assert len(staff_kiosk.uuids) == before + 1  # refused, never "action"
    with pytest.raises(ValueError):
        allowed(("technician",), "no_such_action")  # a typo is an error, never a yes


def test_the_role_table_in_the_docs_is_the_one_in_the_code() -> None:
    from kiosk.staff.roles import markdown_table

    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert markdown_table() in design
    assert design.count("| action id |") == 1  # one table only


def test_a_corrupt_lockout_file_locks_sign_in(staff_kiosk: StaffKiosk) -> None:
    staff_kiosk.state.write_text('{"broken": ', encoding="utf-8")
    with pytest.raises(StaffAuthError) as info:
        staff_kiosk.auth.login(UID["hall"], PIN)  # the right PIN, and still refused
    assert info.value.code == "staff.kiosk_locked"
    assert info.value.locked_until is not None
    assert info.value.locked_until > datetime.now(timezone.utc) + timedelta(minutes=14)
    # Also after a restart, and for every card on this kiosk.
    again = StaffAuth(staff_kiosk.inbox, staff_kiosk.state, staff_kiosk.audit)
    with pytest.raises(StaffAuthError) as info:
        again.login(UID["technician"], PIN)
    assert info.value.code == "staff.kiosk_locked"
    assert [p["event"] for p in staff_kiosk.audited()] == ["locked", "locked"]


def test_an_unreadable_lockout_file_locks_sign_in(staff_kiosk: StaffKiosk) -> None:
    staff_kiosk.state.mkdir()  # reading it fails (IsADirectoryError), whoever runs this
    with pytest.raises(StaffAuthError) as info:
        staff_kiosk.auth.login(UID["hall"], PIN)
    assert info.value.code == "staff.kiosk_locked"


# --- the maintenance screen shows what each role may do ------------------------------------

@pytest.fixture
def ui_core(tmp_path: Path) -> Iterator[Any]:
    from kiosk.app import KioskCore
    from kiosk.config import parse_config
    from kiosk.simulation import SimulatedHall

    hall = SimulatedHall(tmp_path / "hall").start()
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    accounts = [staff_reference_item(f"S-{role}", [role], UID[role], PIN) for role in UID]
    core.reference.replace_kind("staff", {a["key"]: a["body"] for a in accounts})
    yield hall, core
    core.stop()
    hall.stop()


def test_the_maintenance_screen_shows_what_each_role_may_do(qapp, qtbot, ui_core) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea

    from drivers.base import DeviceState
    from ui.i18n import Translations
    from ui.idle import ManualClock
    from ui.main_window import MainWindow
    from ui.ops import tracker

    hall, core = ui_core
    translations = Translations(qapp, default_language="zh")
    translations.reset()
    window = MainWindow(core.config, translations, core=core, idle_clock=ManualClock(),
                        kiosk_mode=False)
    qtbot.addWidget(window)
    window.resize(1080, 1600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: core.devices.status("staff_card_reader").state
                    is DeviceState.IDLE, timeout=8000)

    def child(cls, name):  # type: ignore[no-untyped-def]
        widget = window.current_screen().findChild(cls, name)
        assert widget is not None, name
        return widget

    def click(name: str) -> None:
        button = child(QPushButton, name)
        assert button.isVisible() and button.isEnabled(), name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    try:
        for role, mine in EXPECTED.items():
            hall.staff_card.tap(UID[role])
            qtbot.waitUntil(lambda: window.current_screen().screen_id == "staff.pin",
                            timeout=8000)
            for digit in PIN:
                click(f"keypad.{digit}")
            click("action.confirm")
            qtbot.waitUntil(lambda: window.current_screen().screen_id == "maintenance",
                            timeout=8000)
            screen = window.current_screen()
            for name, action in (("action.sync", "sync"), ("action.test_print", "test_print"),
                                 ("action.refresh", "view_figures")):
                button = child(QPushButton, name)
                assert button.isVisible() and button.isEnabled() == (action in mine), \
                    (role, name)
            figures = screen.findChild(QScrollArea, "area.maintenance")
            assert figures.isVisible() == ("view_figures" in mine), role
            note = child(QLabel, "label.role_note")
            if role == "logistics":
                # The greyed buttons are named, in the screen's language.
                assert note.isVisible()
                assert all(child(QPushButton, name).text() in note.text()
                           for name in ("action.sync", "action.test_print"))
                # The core refuses it even if the screen were bypassed, and audits it.
                with pytest.raises(StaffAuthError):
                    window.staff.authorize("sync")
            else:
                assert not note.isVisible(), note.text()
            click("action.logout")
            qtbot.waitUntil(lambda: window.current_screen().screen_id != "maintenance",
                            timeout=8000)
        tracker.wait_idle(timeout_s=10.0)
        events = [r.payload["event"] for r in
                  (core.outbox.get(q.uuid) for q in core.outbox.pending(1000))
                  if r is not None and r.kind == AUDIT_KIND and r.payload]
        assert "refused" in events
    finally:
        tracker.wait_idle(timeout_s=10.0)
        window.idle.uninstall()
        translations.uninstall()


# --- logging: personal numbers redacted on every namespace ------------------------------------

ID_NUMBER, PHONE, CARD = "110105199001011234", "13812345678", "6214830000009012"
KEPT = ("seq 42", "033001800111", "25672225", "82076771121721427121",
        "123e4567-e89b-12d3-a456-426614174000")
LOGGING_CHILD = textwrap.dedent(f"""
    import logging, sys
    from kiosk import log
    log.setup(json_lines=sys.argv[1] == "json")
    for name in ("kiosk.session", "drivers.printer", "offline_queue.sync", "central.app",
                 "ui.main"):
        logger = logging.getLogger(name)
        logger.info("message with {ID_NUMBER} and {PHONE}; card {CARD}")
        logger.info("args %s / %s / %d", "{ID_NUMBER}", "{PHONE}", {CARD})
        logger.info("kept: %s", "{' '.join(KEPT)}")
        try:
            raise ValueError("exception with {ID_NUMBER} {PHONE} {CARD}")
        except ValueError:
            logger.exception("failed")
""")


@pytest.mark.parametrize("mode", ["plain", "json"])
def test_personal_numbers_are_redacted_in_every_namespace(mode: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", LOGGING_CHILD, mode], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    err = done.stderr
    for secret in (ID_NUMBER, PHONE, CARD, "6214 8300"):
        assert secret not in err, secret
    lines = err.splitlines()
    if mode == "json":
        entries = [json.loads(line) for line in lines]
        categories = {e["category"] for e in entries}
        assert {"session", "drivers.printer", "offline_queue.sync", "central.app",
                "ui.main"} <= categories
        assert all("traceback" in e for e in entries if e["level"] == "error")
    for namespace in ("session", "drivers.printer", "offline_queue.sync", "central.app",
                      "ui.main"):
        mine = [line for line in lines if namespace in line]
        assert len(mine) >= 4, (namespace, err)
    assert err.count("[id-number]") >= 15 and err.count("[phone]") >= 15
    assert err.count("9012]") >= 15  # a card keeps its last 4 digits only
    assert all(err.count(kept) == 5 for kept in KEPT), err


CENTRAL_CHILD = textwrap.dedent(f"""
    import logging, os, sys, threading, time
    from kiosk import cli
    from offline_queue.redact import RedactingFilter

    argv = ["central", "--db", sys.argv[1], "--host", "127.0.0.1", "--port", "0"]
    threading.Thread(target=cli.main, args=(argv,), daemon=True).start()
    uvicorn = logging.getLogger("uvicorn")
    deadline = time.monotonic() + 30
    while not any(isinstance(f, RedactingFilter) for h in uvicorn.handlers
                  for f in h.filters):
        assert time.monotonic() < deadline, "the central service did not start"
        time.sleep(0.05)
    logging.getLogger("uvicorn.error").info("error log {PHONE} %s", "{ID_NUMBER}")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1",
                                             "GET", "/v1/x/{CARD}", "1.1", 404)
    logging.getLogger("central.app").warning("central log {ID_NUMBER} %s", "{CARD}")
    for handler in logging.getLogger().handlers + uvicorn.handlers:
        handler.flush()
    sys.stdout.flush()
    os._exit(0)
""")


def test_the_central_service_log_is_redacted(tmp_path: Path) -> None:
    """`kiosk central`'s own handlers (uvicorn's, which do not propagate, and the
    root's) redact: the service runs in the child, which then logs through them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", CENTRAL_CHILD,
                           f"sqlite:///{tmp_path / 'c.db'}"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for secret in (ID_NUMBER, PHONE, CARD):
        assert secret not in out, out
    assert "error log [phone] [id-number]" in out
    assert '"GET ' in out  # the access record went out (its path redacted or dropped)
    assert "central log [id-number] [card …9012]" in out
