"""Guidance and calculators (#13) through the real window, the simulated hall's central
service (demo reference data) and the kiosk's reference inbox on disk: calculators show
their lines and refuse bad input beside the field; a guide matter that can be done
here opens its service; search updates as the taxpayer types; the cached date shows,
also offline."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from kiosk.hall_time import to_hall
from ui.messages import message


def _start(window, qtbot, core) -> None:
    assert core.download_reference() > 0  # the hall's demo guidance, FAQ, calendar...
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)


def _switch(window, lang: str) -> None:
    window.set_language(lang)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def _on(window, name: str, cls=QLabel):
    widget = window.current_screen().findChild(cls, name)
    assert widget is not None, name
    return widget


def _click(window, qtbot, name: str) -> None:
    qtbot.mouseClick(_on(window, name, QPushButton), Qt.MouseButton.LeftButton)


def _type(window, qtbot, name: str, text: str) -> None:
    """Type digits with the in-app keypad into field `name`, as a taxpayer does."""
    field = _on(window, name, QLineEdit)
    field.setFocus()  # the keypad types into the focused field
    for char in text:
        _click(window, qtbot, "keypad.dot" if char == "." else f"keypad.{char}")


def _search(window, qtbot, text: str) -> None:
    field = _on(window, "field.search", QLineEdit)
    qtbot.waitUntil(lambda: window.current_screen().flow.snapshot is not None, timeout=8000)
    field.clear()
    field.insert(text)  # as the on-screen keyboard commits text


def test_bonus_calculator_shows_the_lines_in_both_languages(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("calc.bonus")
    _type(window, qtbot, "field.bonus", "36001")
    _type(window, qtbot, "field.income", "100000")
    _click(window, qtbot, "action.confirm")
    assert window.current_screen().screen_id == "calc.bonus.result"
    result, details = _on(window, "label.result"), _on(window, "label.details")
    assert result.text() == "单独计税更省，少缴 210.00 元"
    assert "单独计税：奖金应纳税额: 3,390.10" in details.text()
    assert "计算: 36,001.00 × 10 % − 210.00 = 3,390.10" in details.text()
    _switch(window, "en")
    assert result.text() == "Separate taxation costs less, by CNY 210.00"
    assert "Separate: tax on the bonus: 3,390.10" in details.text()


def test_bad_input_is_refused_beside_its_field(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("calc.iit_monthly")
    _type(window, qtbot, "field.month", "13")
    error = _on(window, "error.month")
    assert error.isVisible() and error.text() == message("calc.month")
    _type(window, qtbot, "field.cumulative_income", "10000")
    _click(window, qtbot, "action.confirm")
    assert window.current_screen().screen_id == "calc.iit_monthly"  # nothing computed
    assert _on(window, "error.month").text() == message("calc.month")

    window.open_service("calc.vehicle")
    _type(window, qtbot, "field.displacement_l", "25")
    assert _on(window, "error.displacement_l").text() == message("calc.displacement")
    _click(window, qtbot, "keypad.clear")
    _type(window, qtbot, "field.displacement_l", "2")
    assert not _on(window, "error.displacement_l").isVisible()
    _type(window, qtbot, "field.months", "3")
    _click(window, qtbot, "action.confirm")
    assert _on(window, "label.result").text() == "应纳车船税 90.00 元"
    assert "计算: 360.00 × 3 ÷ 12 = 90.00" in _on(window, "label.details").text()


def test_labour_and_annual_calculators(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("calc.labour")
    _type(window, qtbot, "field.amount", "5000")
    _click(window, qtbot, "action.confirm")
    assert _on(window, "label.result").text() == "应预扣税额 800.00 元"
    window.open_service("calc.iit_annual")
    _type(window, qtbot, "field.income", "180000")
    _type(window, qtbot, "field.withheld", "10000")
    _click(window, qtbot, "action.confirm")
    # taxable 120,000 -> 9,480 (domain.md §3); withheld 10,000: 520 back.
    assert _on(window, "label.result").text() == "可申请退税 520.00 元"


def test_pinyin_search_and_a_matter_done_here_opens_its_service(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("guide.catalogue")
    _search(window, qtbot, "wszm")
    first = _on(window, "result.1", QPushButton)
    qtbot.waitUntil(lambda: first.isVisible() and "开具税收完税证明" in first.text())
    _search(window, qtbot, "fpcy")
    qtbot.waitUntil(lambda: "发票真伪查验" in first.text())
    _click(window, qtbot, "result.1")
    assert window.current_screen().screen_id == "guide.catalogue.matter"
    assert "必报" in _on(window, "label.details").text()
    assert "法律依据" in _on(window, "label.details").text()
    here = _on(window, "action.open_service", QPushButton)
    assert here.isVisible() and "发票查验" in here.text()
    qtbot.mouseClick(here, Qt.MouseButton.LeftButton)
    assert window.current_screen().screen_id == "invoice.verify"


def test_a_matter_not_on_this_terminal_names_its_counter(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("guide.catalogue")
    _search(window, qtbot, "税务行政复议")
    qtbot.waitUntil(lambda: _on(window, "result.1", QPushButton).isVisible())
    _click(window, qtbot, "result.1")
    assert "E区25号" in _on(window, "label.where").text()
    assert not _on(window, "action.open_service", QPushButton).isVisible()


def test_faq_updates_as_typed_and_names_the_policy_basis(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("consult.faq")
    _search(window, qtbot, "个税汇算")
    first = _on(window, "result.1", QPushButton)
    qtbot.waitUntil(lambda: "汇算" in first.text())
    _search(window, qtbot, "lj")  # 离境: pinyin initials
    qtbot.waitUntil(lambda: "离境" in first.text())
    _click(window, qtbot, "result.1")
    details = _on(window, "label.details").text()
    assert "政策依据: 《境外旅客购物离境退税管理办法（试行）》" in details


def test_cached_date_shows_and_search_works_offline(window, qtbot, core, hall) -> None:
    _start(window, qtbot, core)
    synced = to_hall(core.reference.synced_at()).strftime("%Y-%m-%d %H:%M")
    hall.network.set_online(False)
    core.connectivity.mark_down()
    window.open_service("guide.calendar")
    cached = _on(window, "label.cached")
    qtbot.waitUntil(lambda: synced in cached.text())
    window.open_service("consult.faq")
    cached = _on(window, "label.cached")
    qtbot.waitUntil(lambda: synced in cached.text())
    online_text = cached.text()
    _search(window, qtbot, "滞纳金")
    qtbot.waitUntil(lambda: "滞纳金" in _on(window, "result.1", QPushButton).text())
    core.connectivity.mark_ok()
    window.open_service("guide.catalogue")
    cached = _on(window, "label.cached")
    qtbot.waitUntil(lambda: synced in cached.text())
    assert cached.text() != online_text  # offline, it says the copy is the saved one


def test_violation_cases_by_tin_and_the_a_list(window, qtbot, core) -> None:
    _start(window, qtbot, core)
    window.open_service("info.announcements")
    _click(window, qtbot, "tab.case")
    _search(window, qtbot, "91350100MA2DEX002")
    first = _on(window, "result.1", QPushButton)
    qtbot.waitUntil(lambda: "示例鑫源建材有限公司" in first.text())
    _click(window, qtbot, "result.1")
    details = _on(window, "label.details").text()
    assert "纳税人识别号: 91350100MA2DEX002N" in details and "主要违法事实" in details
    window.open_service("info.announcements")
    _click(window, qtbot, "tab.a_level")
    _search(window, qtbot, "晨光")
    qtbot.waitUntil(lambda: "示例晨光电子有限公司" in _on(window, "result.1", QPushButton).text())
    _search(window, qtbot, "不存在的公司")
    qtbot.waitUntil(lambda: _on(window, "label.empty").isVisible())


def test_checklist_prints_on_a4_and_calculation_on_the_receipt_printer(window, qtbot, core,
                                                                       hall) -> None:
    _start(window, qtbot, core)
    window.open_service("guide.catalogue")
    _search(window, qtbot, "wszm")
    qtbot.waitUntil(lambda: _on(window, "result.1", QPushButton).isVisible())
    _click(window, qtbot, "result.1")
    _click(window, qtbot, "action.print")
    # The materials checklist is an A4 page (issue #13 §1), not a slip.
    qtbot.waitUntil(lambda: len(hall.a4.documents()) == 1, timeout=8000)
    page = hall.a4.all_text()
    assert "办税资料清单" in page and "开具税收完税证明" in page
    assert "本人有效身份证件" in page
    assert "必报" in page and "条件报送" in page
    window.open_service("calc.labour")
    _type(window, qtbot, "field.amount", "3000")
    _click(window, qtbot, "action.confirm")
    _click(window, qtbot, "action.print")
    doc = hall.printer.wait_for_documents(1, timeout=8)[-1]
    assert "税款计算" in doc.text and "劳务报酬预扣个税" in doc.text
    assert "应预扣税额 440.00 元" in doc.text and "2,200.00 × 20 % − 0.00 = 440.00" in doc.text
