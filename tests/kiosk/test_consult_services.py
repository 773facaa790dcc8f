"""The Qt-free services of issue #13 §3 (consult.callback, consult.ticket,
suggestion.box, school.courses) on real outboxes, reference inboxes and slip
templates: what is queued, what the numbers are, what is masked, what the course
list shows offline."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectivity import Connectivity
from kiosk.services.callback import CallbackInvalid, CallbackService
from kiosk.services.school import Catalogue, SchoolError, SchoolService, Seats
from kiosk.services.slips import SlipPrinter
from kiosk.services.suggestion import SuggestionInvalid, SuggestionService
from kiosk.services.ticket import TicketError, parse_typed
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.payloads import (
    CONSULT_CALLBACK_KIND,
    SUGGESTION_KIND,
    CallbackPayload,
    SuggestionPayload,
    number_shape_ok,
)
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import ReferenceItem, ReferencePage
from printing.document import KeyValue, Text
from printing.templates import receipt_slip

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.sqlite3", "K-consult", KioskKeys.generate())


def slips() -> SlipPrinter:
    return SlipPrinter(None, "K-consult", lambda: NOW)  # no printer: PrintFailed


def test_a_callback_is_queued_with_its_ticket_derived_from_the_payload(
        outbox: Outbox) -> None:
    service = CallbackService(outbox=outbox, slips=slips(), now=lambda: NOW)
    queued = service.submit(topic="iit", phone="13812345678", window="any",
                            text="  退税  ", lang="zh")
    record = outbox.get(queued.record_uuid)
    assert record is not None and record.kind == CONSULT_CALLBACK_KIND
    payload = CallbackPayload.model_validate(record.payload)
    assert payload.ticket == queued.ticket and number_shape_ok("GD", queued.ticket)
    assert payload.phone == "13812345678" and payload.text == "退税"
    assert "13812345678" not in repr(queued)
    view = service.view(queued, "zh")
    assert "回电号码: 138****5678" in view.text() and "13812345678" not in view.text()
    assert queued.ticket in service.view(queued, "en").text()


@pytest.mark.parametrize("changes", [{"phone": "12345"}, {"phone": "138123456789"},
                                     {"topic": "weather"}, {"window": "night"}])
def test_a_bad_callback_is_refused_and_nothing_is_queued(outbox: Outbox,
                                                         changes: dict[str, str]) -> None:
    service = CallbackService(outbox=outbox, slips=slips(), now=lambda: NOW)
    fields = {"topic": "iit", "phone": "13812345678", "window": "any", "text": ""}
    with pytest.raises(CallbackInvalid):
        service.submit(**(fields | changes), lang="zh")
    assert outbox.status().pending == 0


def test_the_callback_slip_prints_the_number_and_only_the_masked_phone(
        outbox: Outbox) -> None:
    service = CallbackService(outbox=outbox, slips=slips(), now=lambda: NOW)
    queued = service.submit(topic="vat", phone="13812345678", window="morning", text="",
                            lang="en")
    view = service.view(queued, "en", "paper")
    doc = receipt_slip(lang="en", title_zh="12366 预约回电", title_en="12366 callback",
                       number_label="Ticket number", number=queued.ticket,
                       headline=view.title, rows=[(r.label, r.value) for r in view.rows],
                       notes=list(view.notes), printed_at=NOW, kiosk_id="K-consult",
                       qr_data="TAXKIOSK:TICKET:" + queued.ticket)
    texts = [b.value for b in doc.blocks if isinstance(b, KeyValue)] + \
        [b.text for b in doc.blocks if isinstance(b, Text)]
    assert queued.ticket in texts and "138****5678" in texts
    assert not any("13812345678" in t for t in texts)


def test_a_suggestion_is_queued_with_its_receipt_and_a_masked_contact(
        outbox: Outbox) -> None:
    service = SuggestionService(outbox=outbox, slips=slips(), now=lambda: NOW)
    queued = service.submit(category="idea", text="多设几台终端", contact="13900001111")
    record = outbox.get(queued.record_uuid)
    assert record is not None and record.kind == SUGGESTION_KIND
    assert SuggestionPayload.model_validate(record.payload).receipt == queued.receipt
    assert queued.receipt.startswith("YJ") and number_shape_ok("YJ", queued.receipt)
    assert "139****1111" in service.view(queued, "zh").text()
    anonymous = service.submit(category="hall", text="x", contact="")
    assert "未留" in service.view(anonymous, "zh").text()
    for bad in ({"category": "idea", "text": "   ", "contact": None},
                {"category": "idea", "text": "ok", "contact": "123"},
                {"category": "weather", "text": "ok", "contact": None}):
        with pytest.raises(SuggestionInvalid):
            service.submit(**bad)  # type: ignore[arg-type]
    assert outbox.status().pending == 2


def test_a_typed_ticket_number_is_checked_before_any_call() -> None:
    from offline_queue.payloads import derived_number

    number = derived_number("GD", "0f0e0d0c-0b0a-4908-8706-050403020100")
    assert parse_typed(number[2:]) == number
    assert parse_typed(f" {number.lower()} ") == number
    assert parse_typed("TAXKIOSK:TICKET:" + number) == number
    for bad in ("", "GD123", number[:-1] + str((int(number[-1]) + 1) % 10), "GDABCDEFGHIJKL"):
        with pytest.raises(TicketError) as caught:
            parse_typed(bad)
        assert caught.value.code == "ticket.invalid"


def course(day: date, seats: int = 3, **extra: Any) -> dict[str, Any]:
    return {"title_zh": "课程", "title_en": "Course", "date": day.isoformat(),
            "start": "09:00", "end": "10:00", "seats": seats} | extra


def test_the_course_list_works_offline_from_the_cache_with_its_date(tmp_path: Path) -> None:
    inbox = ReferenceInbox(tmp_path / "reference.sqlite3", clock=lambda: NOW)
    inbox.apply(ReferencePage(items=[
        ReferenceItem(id=1, kind="course", key="later", body=course(TODAY + timedelta(9)),
                      updated_seq=1),
        ReferenceItem(id=2, kind="course", key="soon", body=course(
            TODAY + timedelta(2), online=True, place_en="Live"), updated_seq=2),
        ReferenceItem(id=3, kind="course", key="held", body=course(TODAY - timedelta(3)),
                      updated_seq=3),
        ReferenceItem(id=4, kind="course", key="broken", body={"title_zh": "x"},
                      updated_seq=4)], next_cursor=4))
    offline = Connectivity()
    offline.mark_down()
    from kiosk.central_client import CentralClient

    central = CentralClient(("http://127.0.0.1:9",), "K-consult", timeout_s=0.5)
    try:
        service = SchoolService(central=central, keys=KioskKeys.generate(),
                                connectivity=offline, reference=inbox, slips=slips(),
                                identity=None, today=lambda: TODAY, now=lambda: NOW)
        catalogue = service.catalogue()
        assert [c.key for c in catalogue.courses] == ["soon", "later", "held"]
        assert catalogue.seats is None and catalogue.synced_at == NOW
        items = service.items(catalogue, "en")
        assert "Seats left: needs the network" in items[0].summary
        assert "Online · Live" in items[0].summary
        assert "Over" in items[2].summary
        assert service.synced_text(catalogue, "zh").startswith("课程信息更新于 2026-12-07")
        full = Catalogue(catalogue.courses, NOW, {"soon": Seats(3, 0), "later": Seats(3, 2)})
        assert service.seats_text(full, "soon", "zh") == "已满"
        assert service.seats_text(full, "later", "en") == "2 of 3 seats left"
        with pytest.raises(SchoolError) as caught:  # nobody identified: no booking
            service.book("soon")
        assert caught.value.code == "school.identify"
    finally:
        central.close()
        inbox.close()
