"""The flow kit (ui/flow): every screen of the kit, put in each of its states, says it
in the current language, and a switch zh -> en -> zh re-renders every text set at run
time (issue #9: "Slip printed" used to stay English after switching back).

The screens run in the real main window (without a core: the kit needs none) with the
real Chinese catalogue; background work runs on the real pool.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import ClassVar

import pytest
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.domain import VerificationOutcome, VerificationQuery, VerificationResult
from kiosk.domain.errors import InvoiceQrError
from kiosk.services.catalogue import Group, Policy, ServiceSpec
from kiosk.services.slips import PrintFailed
from kiosk.services.views import (
    ListItemView,
    ResultView,
    short_reference,
    verification_view,
)
from ui.flow.base import FlowScreen, Said
from ui.flow.confirm import ConfirmScreen
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.list_detail import ListDetailScreen
from ui.flow.notice import PendingScreen, QueuedScreen
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Both, Msg, Tr
from ui.main_window import MainWindow
from ui.ops import tracker


def flush_language_change() -> None:
    """LanguageChange is posted to every widget; deliver it now."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


SPEC = ServiceSpec(id="kit.test", title_zh="测试", title_en="Test", summary_zh="测试",
                   summary_en="Test", group=Group.GUIDANCE, policy=Policy.LOCAL,
                   entry_screen="kit.test.form", icon="info")
CJK = re.compile(r"[\u4e00-\u9fff]")
UUID = "7b616afb-b95e-4182-af0d-375c960db43b"
QUERY = VerificationQuery("10", "033002600111", "31415926", date(2024, 5, 14),
                          Decimal("88.50"))
RESULT = VerificationResult(VerificationOutcome.GENUINE,
                            invoice={"amount": "88.50", "total": "93.81"})
TOO_MANY = VerificationResult(VerificationOutcome.TOO_MANY_CHECKS)


class KitForm(FormScreen):
    screen_id = "kit.test.form"
    fields = (FieldSpec("kind", Kind.CHOICE, choices=("a", "b")),
              FieldSpec("number", Kind.DIGITS, 8), FieldSpec("day", Kind.DATE),
              FieldSpec("amount", Kind.AMOUNT), FieldSpec("tin", Kind.CODE))

    def title_text(self) -> Said:
        return Both("填写", "Fill in")

    def field_text(self, name: str) -> Said:
        return Both(f"字段 {name}", f"Field {name}")

    def choice_text(self, name: str, value: str) -> Said:
        return Both(f"选项 {value}", f"Option {value}")

    def prompt_text(self, name: str) -> Said:
        return Both("请选择", "Choose")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        return {"number": "number.length8"} if values["number"] != "12345678" else {}


class KitOutcome(OutcomeScreen):
    screen_id = "kit.test.outcome"
    result = RESULT
    fail_with: str | None = None

    def view(self) -> ResultView | None:
        return verification_view(QUERY, self.result, self.lang(), UUID)

    def warning_text(self) -> Said:
        return Msg("paper_near_end")

    def print_job(self) -> Callable[[], object] | None:
        code = self.fail_with

        def job() -> None:
            if code:
                raise PrintFailed(code, "test")
        return job


class KitQueued(QueuedScreen):
    screen_id = "kit.test.queued"


class KitPending(PendingScreen):
    screen_id = "kit.test.pending"

    def body_text(self) -> Said:
        return Msg("queue.limit")


class KitConfirm(ConfirmScreen):
    screen_id = "kit.test.confirm"

    def body_text(self) -> Said:
        return Msg("paper_near_end")

    def view(self) -> ResultView | None:
        return verification_view(QUERY, RESULT, self.lang())


class KitList(ListDetailScreen):
    screen_id = "kit.test.list"
    entries: ClassVar[list[tuple[str, str]]] = []

    def title_text(self) -> Said:
        return Both("记录", "Records")

    def items(self) -> list[ListItemView]:
        lang = self.lang()
        return [ListItemView(key, zh if lang == "zh" else en, "",
                             verification_view(QUERY, RESULT, lang))
                for key, (zh, en) in ((k, (f"记录{k}", f"Record {k}"))
                                      for k, _ in self.entries)]


@pytest.fixture
def window(kit_window: MainWindow) -> MainWindow:
    return kit_window


def _open(window: MainWindow, cls: type[FlowScreen]) -> FlowScreen:
    flow = ServiceFlow(window, SPEC)
    flow.navigate.connect(window.show_screen)
    screen = cls(window, flow)
    window.add_screen(screen)
    window.show_screen(screen.screen_id)
    return screen


def _texts(screen: QWidget) -> dict[str, str]:
    """Every visible text of the screen, by widget (objectName and position)."""
    out = {}
    for i, w in enumerate(screen.findChildren(QWidget)):
        if isinstance(w, (QLabel, QAbstractButton)) and w.isVisible() and w.text():
            out[f"{i}:{w.objectName()}"] = w.text()
    return out


def _switch(window: MainWindow, lang: str) -> None:
    window.set_language(lang)
    flush_language_change()


def _settle(qtbot: QtBot) -> None:
    assert tracker.wait_idle(timeout_s=5.0)
    qtbot.wait(10)


# (screen class, state name, how to get there, the object names whose text is set at run
# time in that state and must be Chinese in zh, English in en)
def _form_required(s: FlowScreen, qtbot: QtBot) -> None:
    s.confirm.click()  # type: ignore[attr-defined]


def _form_typed_wrong(s: FlowScreen, qtbot: QtBot) -> None:
    qtbot.keyClicks(s.inputs["day"], "20230230")  # type: ignore[attr-defined]
    qtbot.keyClicks(s.inputs["amount"], "1.5")  # type: ignore[attr-defined]


def _form_submit_refused(s: FlowScreen, qtbot: QtBot) -> None:
    s.choose("kind", "b")  # type: ignore[attr-defined]
    for name, text in (("number", "87654321"), ("day", "20240514"), ("amount", "12.00"),
                       ("tin", "91350100M000100Y43")):
        qtbot.keyClicks(s.inputs[name], text)  # type: ignore[attr-defined]
    s.confirm.click()  # type: ignore[attr-defined]


def _printed(s: FlowScreen, qtbot: QtBot) -> None:
    s.print_button.click()  # type: ignore[attr-defined]
    _settle(qtbot)


def _print_failed(s: FlowScreen, qtbot: QtBot) -> None:
    s.fail_with = "cover_open"  # type: ignore[attr-defined]
    s.print_button.click()  # type: ignore[attr-defined]
    _settle(qtbot)


def _too_many(s: FlowScreen, qtbot: QtBot) -> None:
    s.result = TOO_MANY  # type: ignore[attr-defined]
    s.refresh()


def _queued(fails: str | None) -> Callable[[FlowScreen, QtBot], None]:
    def go(s: FlowScreen, qtbot: QtBot) -> None:
        def slip() -> None:
            if fails:
                raise PrintFailed(fails, "test")
        s.flow.accept_queued(UUID, s.screen_id, lambda: None, slip)
        _settle(qtbot)
    return go


def _busy(s: FlowScreen, qtbot: QtBot) -> None:
    s.flow.run(lambda: None, lambda _r: None)
    _settle(qtbot)


def _error(s: FlowScreen, qtbot: QtBot) -> None:
    s.flow.set_error(s.flow.error_text(InvoiceQrError("x", "qr.url")))


def _listed(s: FlowScreen, qtbot: QtBot) -> None:
    s.entries = [("1", ""), ("2", "")]  # type: ignore[attr-defined]
    s.refresh()
    s.select("2")  # type: ignore[attr-defined]


CASES = [
    (KitForm, "empty", lambda s, q: None, ["label.title", "action.confirm", "kind.a"]),
    (KitForm, "required", _form_required, ["error.number", "error.day"]),
    (KitForm, "typed_wrong", _form_typed_wrong, ["error.day"]),
    (KitForm, "refused_by_service", _form_submit_refused, ["error.number"]),
    (KitOutcome, "shown", lambda s, q: None, ["label.outcome", "label.details",
                                              "label.crc_warning", "action.print"]),
    (KitOutcome, "printed", _printed, ["label.print_status"]),
    (KitOutcome, "print_failed", _print_failed, ["label.print_status"]),
    (KitOutcome, "note", _too_many, ["label.outcome", "label.details"]),
    (KitQueued, "printing_then_printed", _queued(None), ["label.reference",
                                                         "label.print_status"]),
    (KitQueued, "slip_failed", _queued("paper_empty"), ["label.print_status"]),
    (KitPending, "shown", lambda s, q: None, ["label.title", "label.body", "action.again"]),
    (KitConfirm, "shown", lambda s, q: None, ["label.title", "label.body", "label.details",
                                              "action.confirm", "action.cancel"]),
    (KitList, "empty", lambda s, q: None, ["label.empty"]),
    (KitList, "selected", _listed, ["item.1", "label.details"]),
    (KitPending, "error_state_kept", _error, []),
    (KitPending, "busy", _busy, ["label.title"]),
]


@pytest.mark.parametrize(("cls", "state", "enter", "dynamic"), CASES,
                         ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_every_text_follows_the_language(window: MainWindow, qtbot: QtBot,
                                         cls: type[FlowScreen], state: str,
                                         enter: Callable[[FlowScreen, QtBot], None],
                                         dynamic: list[str]) -> None:
    screen = _open(window, cls)
    enter(screen, qtbot)
    zh = _texts(screen)
    _switch(window, "en")
    en = _texts(screen)
    _switch(window, "zh")
    assert _texts(screen) == zh, "switching back did not restore the Chinese texts"
    assert set(en) == set(zh), "a switch changed which texts are shown"
    leftovers = {k: v for k, v in en.items() if CJK.search(v.replace(short_reference(UUID), ""))}
    assert not leftovers, f"Chinese left on the English screen: {leftovers}"
    for name in dynamic:
        keys = [k for k in zh if k.split(":", 1)[1] == name]
        assert keys, f"{name} shows no text in state {state}"
        for k in keys:
            assert CJK.search(zh[k]), f"{name} is not Chinese in zh: {zh[k]!r}"
            assert zh[k] != en[k]


def test_slip_printed_follows_the_language(window: MainWindow, qtbot: QtBot) -> None:
    """The acceptance finding itself: print in Chinese, switch to English and back."""
    screen = _open(window, KitOutcome)
    _printed(screen, qtbot)
    status = screen.findChild(QLabel, "label.print_status")
    assert status.text() == "凭条已打印，请取走。"
    _switch(window, "en")
    assert status.text() == "Slip printed. Please take it."
    _switch(window, "zh")
    assert status.text() == "凭条已打印，请取走。"


def test_queued_screen_shows_the_short_reference_not_the_uuid(window: MainWindow,
                                                              qtbot: QtBot) -> None:
    screen = _open(window, KitQueued)
    _queued(None)(screen, qtbot)
    reference = screen.findChild(QLabel, "label.reference").text()
    assert short_reference(UUID) in reference and UUID not in reference
    assert re.search(r"\d{4} \d{4} \d{4}", reference)
    assert screen.findChild(QLabel, "label.print_status").text() == "凭条已打印，请取走。"


def test_form_validates_beside_the_field_and_keeps_bad_input_out(window: MainWindow,
                                                                 qtbot: QtBot) -> None:
    screen = _open(window, KitForm)
    assert isinstance(screen, KitForm)
    # The kind's pattern refuses what cannot be right while typing.
    qtbot.keyClicks(screen.inputs["number"], "12ab34")
    qtbot.keyClicks(screen.inputs["amount"], "1.234")
    assert screen.inputs["number"].text() == "1234"
    assert screen.inputs["amount"].text() == "1.23"
    # The keypad follows the focused field's kind: "." for amounts, X for codes.
    screen.inputs["amount"].setFocus()
    qtbot.waitUntil(lambda: screen.keypad.dot_allowed and not screen.keypad.x_allowed)
    screen.inputs["tin"].setFocus()
    qtbot.waitUntil(lambda: screen.keypad.x_allowed and not screen.keypad.dot_allowed)
    screen.confirm.click()
    assert screen.error_labels["day"].isVisible()
    assert screen.error_labels["day"].text() == Msg("required").render("zh")
    assert not screen.error_labels["amount"].isVisible()
    screen.choose("kind", "b")
    assert screen.choice_buttons["kind"]["b"].isChecked()
    assert not screen.choice_buttons["kind"]["a"].isChecked()


def test_flow_maps_typed_errors_and_navigates_by_signal(window: MainWindow,
                                                        qtbot: QtBot) -> None:
    class Refused(Exception):
        pass

    class Flow(ServiceFlow):
        errors: ClassVar[dict[type[BaseException], str]] = {Refused: "central.rejected"}

    flow = Flow(window, SPEC)
    assert flow.error_text(type("Sub", (Refused,), {})()) == Msg("central.rejected")
    assert flow.error_text(InvoiceQrError("x", "qr.url")) == Msg("qr.url")
    assert flow.error_text(RuntimeError("secret detail")) == Msg("internal")
    seen: list[str] = []
    flow.navigate.connect(seen.append)
    with qtbot.waitSignal(flow.busy_changed):
        assert flow.run(lambda: (_ for _ in ()).throw(Refused()), lambda _r: None)
    assert not flow.run(lambda: None, lambda _r: None)  # one call at a time
    _settle(qtbot)
    assert seen[-1] == SPEC.entry_screen and flow.error == Msg("central.rejected")
    assert not flow.busy


def test_kit_contexts_are_translated() -> None:
    """Kit strings live in the kit's own contexts (QueuedScreen, OutcomeScreen, ...),
    not in a subclass's, so a service's subclass finds them translated."""
    from PySide6.QtCore import QCoreApplication

    assert QT_TRANSLATE_NOOP("OutcomeScreen", "Printing…") == "Printing…"
    assert Tr("OutcomeScreen", "Printing…").render("en") == "Printing…"
    assert QCoreApplication.translate("OutcomeScreen", "Printing…") == "Printing…"
