"""The invoice lottery, 数电票 printing and 代开 (issue #12 §3-§4) on a real central
service over loopback HTTP: only the identified buyer may enter their invoice, the
draw and the limits are decided at the central service (boundary: the count equal to
a limit refuses), a stranger can neither draw on nor read someone's invoices or
applications, and the 代开 tax is computed centrally and must be paid before issue."""
from __future__ import annotations

import json
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))

from central_helpers import (  # noqa: E402
    ADMIN_TOKEN,
    DEMO_CARD,
    ENROLMENT_TOKEN,
    TODAY,
    MovableClock,
    open_answer,
    sealed_body,
)

from central.lottery import draw, industry_matches  # noqa: E402
from central.on_behalf import OnBehalfRates, compute  # noqa: E402
from central.server import CentralServer  # noqa: E402
from kiosk.central_client import CentralRejected  # noqa: E402

pytestmark = pytest.mark.security

PERSON = DEMO_CARD["id_number"]  # 买买提·艾力, registered by the demo data
NAME = DEMO_CARD["name"]
STRANGER = {"id_number": "110101199003070019", "name": "王小明", "valid_until": "长期"}
SHOP = "92110105MA0LOTT01A"  # 餐饮 (62)
STORE = "92110105MA0LOTT02B"  # 零售 (52)
BANK = "91110105MA0LOTT03C"  # 金融: not in any campaign
DAY = TODAY.isoformat()
DAYS = [TODAY]  # the service's date: the test moves it on


def number(n: int) -> str:
    return f"2611200000000000{n:04d}"


def invoice(n: int, *, seller: str = SHOP, buyer_tin: str = PERSON, buyer: str = NAME,
            total: str = "150.00", **extra: Any) -> dict[str, Any]:
    amount = (Decimal(total) / Decimal("1.01")).quantize(Decimal("0.01"))
    return {"number": number(n), "issued_on": DAY, "seller_tin": seller,
            "seller_name": "示范商户", "buyer_tin": buyer_tin, "buyer_name": buyer,
            "amount": str(amount), "tax": str(Decimal(total) - amount), "total": total,
            "items": [{"name": "餐饮服务", "quantity": "1", "unit_price": str(amount),
                       "amount": str(amount), "tax_rate": "0.01"}], **extra}


REGISTRY: dict[str, Any] = {
    "taxpayers": [
        {"tin": SHOP, "kind": "enterprise", "name": "示范餐馆", "industry": "6210 正餐服务"},
        {"tin": STORE, "kind": "enterprise", "name": "示范超市", "industry": "5211 百货零售"},
        {"tin": BANK, "kind": "enterprise", "name": "示范银行", "industry": "6620 货币银行"},
        {"tin": STRANGER["id_number"], "kind": "person", "name": STRANGER["name"],
         "id_number": STRANGER["id_number"]}],
    "digital_invoices": [
        *(invoice(n) for n in range(1, 8)),  # 1-7: the shop, eligible
        invoice(10, total="99.99"),  # below the minimum
        invoice(11, total="100.00"),  # exactly the minimum: eligible
        invoice(12, kind="专用发票"),
        invoice(13, on_behalf=True),
        invoice(14, buyer_tin=BANK, buyer="示范银行"),  # to an organisation
        invoice(15, seller=BANK),  # industry not in the campaign
        invoice(16, buyer_tin=STRANGER["id_number"], buyer=STRANGER["name"]),
        invoice(17, seller=STORE, total="300.00"),  # claimed in person
        invoice(18, seller=BANK, buyer_tin=BANK, buyer="示范银行"),  # the bank's own
    ],
    "campaigns": [
        {"id": "food", "city": "示范市", "starts_on": (TODAY - timedelta(days=30)).isoformat(),
         "ends_on": (TODAY + timedelta(days=30)).isoformat(), "min_amount": "100.00",
         "per_day": 3, "per_month": 20, "per_campaign": 100, "per_merchant": 4,
         "industries": ["62"],
         "prizes": [{"tier": "三等奖", "amount": "10.00", "weight": 1},
                    {"tier": "未中奖", "amount": "0", "weight": 1}]},
        {"id": "retail", "city": "示范市", "starts_on": (TODAY - timedelta(days=30)).isoformat(),
         "ends_on": (TODAY + timedelta(days=30)).isoformat(), "min_amount": "100.00",
         "per_day": None, "per_month": None, "per_campaign": None, "per_merchant": None,
         "industries": ["52", "-5212"],
         "prizes": [{"tier": "一等奖", "amount": "800.00", "weight": 1, "claim_days": 60}]},
    ],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("lottery") / "central.db"
    clock = MovableClock()
    with CentralServer(f"sqlite:///{db}", today=lambda: DAYS[-1], now=clock, demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN) as s:
        answer = httpx.post(f"{s.url}/v1/admin/registry", content=json.dumps(REGISTRY),
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert not answer.json().get("errors"), answer.text
        s.app.state.central.lottery_rng = random.Random(20260615)
        yield s


@pytest.fixture(scope="module")
def kiosk(server: CentralServer) -> Iterator[tuple[Any, Any]]:
    from kiosk.central_client import CentralClient
    from offline_queue.crypto import KioskKeys

    keys = KioskKeys.generate()
    client = CentralClient((server.url,), f"K-lottery-{uuid.uuid4().hex[:6]}", timeout_s=10.0)
    assert client.enroll(keys, token=ENROLMENT_TOKEN, hall_id="demo-hall")["approved"]
    yield client, keys
    client.close()


def call(kiosk: tuple[Any, Any], purpose: str, payload: dict[str, Any]) -> dict[str, Any]:
    from offline_queue.wire import SEALED_ROUTES
    client, keys = kiosk
    return client.sealed_call(keys, purpose, SEALED_ROUTES[purpose], payload)


def session(kiosk: tuple[Any, Any], card: dict[str, str] = DEMO_CARD) -> str:
    return call(kiosk, "identity.id_card", card)["identity"]["session"]


def enter(kiosk: Any, token: str, n: int, **extra: Any) -> dict[str, Any]:
    return call(kiosk, "lottery.enter", {"session": token, "number": number(n), **extra})


def test_draw_is_weighted_and_seeded_only_by_the_caller() -> None:
    prizes = [{"tier": "a", "amount": "10", "weight": 1},
              {"tier": "b", "amount": "0", "weight": 3}]
    rng = random.Random(1)
    tiers = [draw(rng, prizes)["tier"] for _ in range(4000)]
    assert 800 < tiers.count("a") < 1200  # about a quarter
    assert draw(random.Random(5), prizes) == draw(random.Random(5), prizes)
    assert industry_matches(["62"], "6210 正餐服务")
    assert not industry_matches(["52", "-5212"], "5212 超级市场")
    assert not industry_matches(["*"], "")


def test_refusals_in_order_and_nothing_told_about_others(kiosk: Any) -> None:
    token = session(kiosk)
    refusals = {n: enter(kiosk, token, n)["refusal"] for n in (10, 12, 13, 14, 15, 16)}
    assert refusals == {10: "lottery.below_min", 12: "lottery.not_ordinary",
                        13: "lottery.on_behalf", 14: "lottery.not_person",
                        15: "lottery.industry", 16: "lottery.not_buyer"}
    assert call(kiosk, "lottery.enter", {"session": token, "number": "9" * 20}
                )["refusal"] == "lottery.unknown_invoice"
    # A QR whose amount or date is not the invoice's.
    assert enter(kiosk, token, 1, total="151.00")["refusal"] == "lottery.mismatch"
    assert enter(kiosk, token, 1, issued_on="2026-01-01")["refusal"] == "lottery.mismatch"


def test_limits_at_the_boundary_and_once_per_invoice(server: CentralServer,
                                                     kiosk: Any) -> None:
    token = session(kiosk)
    first = enter(kiosk, token, 11, total="100.00")  # exactly the minimum
    assert first["status"] == "drawn" and first["tier"] in ("三等奖", "未中奖")
    assert first["claim_by"] is None and first["counts"]["day"] == 1
    assert enter(kiosk, token, 11)["refusal"] == "lottery.already_entered"
    assert enter(kiosk, token, 1)["status"] == "drawn"
    assert enter(kiosk, token, 2)["counts"]["day"] == 3  # 3 = per_day: allowed
    over = enter(kiosk, token, 3)
    assert (over["refusal"], over["limit"], over["used"]) == ("lottery.limit_day", 3, 3)
    # The next day: the merchant limit (4) refuses the fifth invoice of the shop.
    DAYS.append(TODAY + timedelta(days=1))
    token = session(kiosk)
    assert enter(kiosk, token, 3)["counts"]["merchant"] == 4
    assert enter(kiosk, token, 4)["refusal"] == "lottery.limit_merchant"
    # Another campaign (retail): a prize claimed in person, with its deadline.
    prize = enter(kiosk, token, 17)
    assert (prize["tier"], prize["amount"], prize["won"]) == ("一等奖", "800.00", True)
    assert prize["claim_by"] == (TODAY + timedelta(days=61)).isoformat()


def test_a_stranger_cannot_draw_or_read_anothers_invoices(kiosk: Any) -> None:
    stranger = session(kiosk, STRANGER)
    assert enter(kiosk, stranger, 5)["refusal"] == "lottery.not_buyer"
    with pytest.raises(CentralRejected) as exc:
        call(kiosk, "digital_invoices.print", {"session": stranger, "number": number(5)})
    assert exc.value.status == 404 and "invoice.unknown" in exc.value.reason
    listed = call(kiosk, "digital_invoices.list", {"session": stranger})["items"]
    assert [i["number"] for i in listed] == [number(16)]
    # Without a session, or with a made-up one: nothing.
    with pytest.raises(CentralRejected) as exc:
        call(kiosk, "digital_invoices.list", {"session": "A" * 43})
    assert exc.value.status == 401


def test_password_session_may_not_enter(server: CentralServer, kiosk: Any) -> None:
    from central_helpers import open_answer as _  # noqa: F401 (same helpers)
    token = call(kiosk, "identity.password", {"tin": PERSON, "password": "demo1234"}
                 )["identity"]["session"]
    with pytest.raises(CentralRejected) as exc:
        enter(kiosk, token, 6)
    assert exc.value.status == 403 and "lottery.id_card_needed" in exc.value.reason


def test_answers_are_sealed(server: CentralServer, kiosk: Any) -> None:
    client, keys = kiosk
    token = session(kiosk)
    body = sealed_body(client.kiosk_id, keys, "digital_invoices.list", {"session": token})
    response = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/digital-invoices/list",
                          json=body, timeout=10)
    assert response.status_code == 200
    for secret in (PERSON, NAME, number(1), "示范商户"):
        assert secret not in response.text
    items = open_answer(client.kiosk_id, keys, body, response.json())["items"]
    assert number(1) in [i["number"] for i in items]
    # Unsigned or another kiosk's call: refused before anything is read.
    stranger = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/lottery/enter",
                          json={**body, "signature": "A" * 88}, timeout=10)
    assert stranger.status_code in (403, 422)


def test_print_count_goes_up(kiosk: Any) -> None:
    token = session(kiosk)
    one = call(kiosk, "digital_invoices.print", {"session": token, "number": number(7)})
    two = call(kiosk, "digital_invoices.print", {"session": token, "number": number(7)})
    assert (one["invoice"]["printed"], two["invoice"]["printed"]) == (1, 2)


def test_on_behalf_tax_vectors() -> None:
    rates = OnBehalfRates(iit_rate=Decimal("0.01"))
    line = {"name": "设计服务", "quantity": Decimal("1"), "unit_price": Decimal("10100"),
            "amount": Decimal("10100.00")}
    figures = compute([line], rates, TODAY)
    # 10100 / 1.01 = 10000 -> VAT 100; surcharges 100 × (3.5 % + 1.5 % + 1 %) = 6;
    # IIT 1 % of 10000 = 100
    assert (figures["vat"], figures["surcharges"], figures["iit"], figures["tax_due"]) == (
        "100.00", "6.00", "100.00", "206.00")
    small = compute([{**line, "unit_price": Decimal("499.99"), "amount": Decimal("499.99")}],
                    OnBehalfRates(), TODAY)
    assert small["tax_due"] == "0.00" and small["below_threshold"] is True
    at = compute([{**line, "unit_price": Decimal("500"), "amount": Decimal("500.00")}],
                 OnBehalfRates(), TODAY)
    # 500 - 495.05 = 4.95; each surcharge rounded by itself: 0.17 + 0.07 + 0.05
    assert (at["vat"], at["surcharges"], at["tax_due"]) == ("4.95", "0.29", "5.24")
    later = compute([line], OnBehalfRates(), TODAY.replace(year=2028))
    assert later["vat_rate"] == "0.03"


def test_on_behalf_must_be_paid_and_is_the_applicants(kiosk: Any) -> None:
    token = session(kiosk)
    quote = call(kiosk, "on_behalf.quote", {
        "session": token, "buyer": {"name": "北京示范文化有限公司", "tin": SHOP},
        "lines": [{"name": "翻译服务", "quantity": "2", "unit_price": "1010",
                   "amount": "2020.00"}]})
    assert quote["tax_due"] == "21.20" and quote["status"] == "quoted"
    number_ = quote["application_no"]
    with pytest.raises(CentralRejected) as exc:
        call(kiosk, "on_behalf.issue", {"session": token, "application_no": number_})
    assert exc.value.status == 409 and "on_behalf.unpaid" in exc.value.reason
    stranger = session(kiosk, STRANGER)
    with pytest.raises(CentralRejected) as exc:
        call(kiosk, "on_behalf.issue", {"session": stranger, "application_no": number_})
    assert exc.value.status == 404
    token = session(kiosk)  # (a kiosk holds one session: the stranger's ended ours)
    with pytest.raises(CentralRejected) as exc:  # a line that does not add up
        call(kiosk, "on_behalf.quote", {
            "session": token, "buyer": {"name": "某人"},
            "lines": [{"name": "x", "quantity": "2", "unit_price": "3", "amount": "7"}]})
    assert exc.value.status == 422 and "on_behalf.line_amount" in exc.value.reason


def test_on_behalf_paid_through_a_payment_record_then_issued_once(server: CentralServer,
                                                                  kiosk: Any) -> None:
    from datetime import UTC, datetime

    from central.kinds.tax_payment import TaxPaymentKind
    from offline_queue.payloads import TaxPaymentPayload

    token = session(kiosk)
    quote = call(kiosk, "on_behalf.quote", {
        "session": token, "buyer": {"name": "王小明", "tin": STRANGER["id_number"],
                                    "phone": "13812345678"},
        "lines": [{"name": "家教服务", "quantity": "1", "unit_price": "3030",
                   "amount": "3030.00"}]})
    item = {"kind": "on_behalf", "ref": quote["application_no"], "period": "202606",
            "label_zh": "代开发票税费", "tax": quote["tax_due"]}

    def book(tax: str, order: str) -> dict[str, Any]:
        pay = TaxPaymentPayload.model_validate({
            "order_id": order, "tin": PERSON, "service_id": "invoice.issue_on_behalf",
            "method": "card", "paid_fen": int(Decimal(tax) * 100),
            "paid_at": datetime.now(UTC), "items": [{**item, "tax": tax}]})
        with server.app.state.central.sessions() as db:
            [result] = TaxPaymentKind().results(db, [pay], TODAY)
            db.commit()
        return result

    assert book("1.00", "ORDER-short-1")["reason"] == "payment.amount_changed"
    assert book(quote["tax_due"], "ORDER-paid-01")["status"] == "recorded"
    issued = call(kiosk, "on_behalf.issue", {"session": token,
                                             "application_no": quote["application_no"]})
    again = call(kiosk, "on_behalf.issue", {"session": token,
                                            "application_no": quote["application_no"]})
    assert issued["invoice"]["number"] == again["invoice"]["number"]
    assert issued["invoice"]["on_behalf"] is True and issued["invoice"]["total"] == "3030.00"
    assert issued["qr_text"].startswith(f"01,32,,{issued['invoice']['number']},3030.00,")
    # Issued on behalf: never in the lottery; the buyer is now in the address book.
    assert call(kiosk, "lottery.enter", {"session": token, "number": issued["invoice"][
        "number"]})["refusal"] in ("lottery.on_behalf", "lottery.not_buyer")
    book_entries = call(kiosk, "on_behalf.address_book", {"session": token})["entries"]
    assert {"name": "王小明", "tin": STRANGER["id_number"], "address": "",
            "phone": "13812345678"} in book_entries
