"""The guidance services (#13) on a real reference inbox (SQLite on disk) filled with
the demo data the central service publishes (central/demo/*.json): the demo data is
large enough, the calendar counts days in the hall's zone, a matter names its counter
when this terminal cannot do it, a case shows its published fields only, the data is
prepared again only when the inbox changes, and the calculators check one field."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from central.demo_reference import demo_reference_items
from kiosk.services.announcements import Announcements
from kiosk.services.calculators_service import CalculatorService
from kiosk.services.calendar import FilingCalendar
from kiosk.services.catalogue import spec
from kiosk.services.faq import FaqService
from kiosk.services.guide import GuideCatalogue
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import ReferenceItem, ReferencePage


@dataclass
class FixedClock:
    day: date

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 2, tzinfo=UTC)


@dataclass
class Ctx:
    """The parts of a ServiceContext these services use."""

    reference: ReferenceInbox
    clock: FixedClock
    spec: Any = None
    kiosk_id: str = "test-kiosk"
    slips: Any = None


def _page(items: list[dict[str, Any]], start: int = 0) -> ReferencePage:
    wire = [ReferenceItem(id=start + n, kind=i["kind"], key=i["key"], body=i.get("body"),
                          deleted=i.get("deleted", False), updated_seq=start + n)
            for n, i in enumerate(items, 1)]
    return ReferencePage(items=wire, next_cursor=start + len(items))


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[ReferenceInbox]:
    box = ReferenceInbox(tmp_path / "reference.sqlite3")
    box.apply(_page([i.model_dump() for i in demo_reference_items()]))
    yield box
    box.close()


def _ctx(inbox: ReferenceInbox, day: date = date(2026, 12, 7), service: str = "") -> Ctx:
    return Ctx(inbox, FixedClock(day), spec(service) if service else None)


def test_demo_data_is_large_enough_and_well_formed(inbox: ReferenceInbox) -> None:
    kinds: dict[str, int] = {}
    for entry in inbox.items():
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    assert kinds["guide"] >= 60 and kinds["faq"] >= 150
    assert kinds["calendar"] == 12 and kinds["case"] >= 10 and kinds["a_level"] >= 10
    assert kinds["announcement"] >= 10 and kinds["article"] == 1
    for entry in inbox.items("guide"):
        body = entry.body
        assert body["title_zh"] and body["title_en"] and body["counter_zh"] and body["counter_en"]
        assert body["time_limit_zh"] and body["basis_zh"]
        for material in body["materials"]:
            assert material["required"] or material["condition_zh"]
    for entry in inbox.items("faq"):
        assert entry.body["answer_en"] and entry.body["basis_zh"], entry.key


def test_calendar_counts_days_left_in_the_hall_and_keeps_published_dates(
        inbox: ReferenceInbox) -> None:
    calendar = FilingCalendar(_ctx(inbox, date(2026, 10, 20)))  # type: ignore[arg-type]
    calendar.refresh()
    october = calendar.month(2026, 10, date(2026, 10, 20))
    vat = next(v for v in october if v.deadline.title_zh.startswith("增值税、消费税"))
    assert vat.deadline.due == date(2026, 10, 22)  # moved past National Day, as published
    assert vat.deadline.regular == date(2026, 10, 15)
    assert vat.days_left == 2 and vat.state == "soon"
    assert calendar.month(2026, 10, date(2026, 10, 23))[0].state == "passed"
    assert calendar.next_deadline(date(2026, 10, 23)).deadline.due == date(2026, 11, 16)  # type: ignore[union-attr]


def test_a_matter_is_done_here_only_when_this_terminal_has_its_service(
        inbox: ReferenceInbox) -> None:
    guide = GuideCatalogue(_ctx(inbox))  # type: ignore[arg-type]
    guide.refresh()
    verify = guide.search("发票真伪查验", "zh")[0].key
    assert guide.here(verify) == "invoice.verify"
    assert guide.where(verify, "en") == (True, "Can be done here: Invoice verification")
    review = guide.search("行政复议", "zh")[0].key
    assert guide.here(review) is None
    here, where = guide.where(review, "zh")
    assert not here and where.startswith("需到窗口：法制与权益救济窗口")
    view = guide.matter_view(review, "zh")
    assert view is not None and "必报" in view.text() and "法律依据" in view.text()


def test_cases_show_the_published_fields_only(inbox: ReferenceInbox) -> None:
    tin = "91350100MA2DEX001K"
    body = next(e.body for e in inbox.items("case") if e.key == tin)
    leaked = dict(body, legal_rep_id="110105199001011234", internal_note="not published")
    inbox.apply(_page([{"kind": "case", "key": tin, "body": leaked}], inbox.cursor()))
    info = Announcements(_ctx(inbox))  # type: ignore[arg-type]
    info.refresh()
    assert [i.key for i in info.cases("宏达", "zh")] == [tin]
    assert [i.key for i in info.cases(tin[:17].lower(), "zh")] == [tin]
    assert info.cases("宏", "zh") == []  # one character is not a look-up
    text = info.case(tin, "zh").text()  # type: ignore[union-attr]
    assert "110105199001011234" not in text and "not published" not in text
    assert "主要违法事实" in text and tin in text
    notices = info.notices("notice", "", "zh")
    assert [n.summary for n in notices] == sorted((n.summary for n in notices), reverse=True)


def test_prepared_again_only_when_the_inbox_changes(inbox: ReferenceInbox) -> None:
    faq = FaqService(_ctx(inbox))  # type: ignore[arg-type]
    first = faq.refresh()
    assert faq.refresh() is first
    inbox.apply(_page([{"kind": "faq", "key": "F999", "body": {
        "question_zh": "测试新问题电子烟消费税？", "question_en": "New question?",
        "answer_zh": "答复。", "answer_en": "Answer.", "basis_zh": ["依据"], "keywords": []}}],
        inbox.cursor()))
    second = faq.refresh()
    assert second is not first
    assert faq.search("电子烟", "zh")[0].key == "F999"
    answer = faq.answer("F999", "en")
    assert answer is not None and "Policy basis: 依据" in answer.text()  # zh when no en


def test_calculator_checks_one_field_and_computes(inbox: ReferenceInbox) -> None:
    calc = CalculatorService(_ctx(inbox, service="calc.iit_monthly"))  # type: ignore[arg-type]
    assert calc.check("month", "13") == "calc.month"
    assert calc.check("month", "12") is None
    assert calc.check("cumulative_income", "1000000000000") == "calc.too_large"
    outcome = calc.compute({"month": "1", "cumulative_income": "10000",
                            "cumulative_social_insurance": "1500",
                            "cumulative_special_additional": "1000"})
    assert outcome.view("zh").title == "本月应预扣税额 75.00 元"  # domain.md §3 vector
    vehicle = CalculatorService(replace(_ctx(inbox), spec=spec("calc.vehicle")))  # type: ignore[arg-type]
    assert vehicle.check("displacement_l", "0") == "calc.displacement"
    assert vehicle.compute({"displacement_l": "2.0", "months": ""}).view("en").title == \
        "Vehicle tax: CNY 360.00"
