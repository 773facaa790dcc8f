"""The kiosk's Qt-free services of issue #12 §3-§4 (invoice.lottery,
invoice.print_digital, invoice.issue_on_behalf) against a real central service on
loopback, with the lottery registry of tests/security/test_lottery.py."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))

from test_lottery import DEMO_CARD, call, kiosk, number, server  # noqa: E402,F401

from kiosk.connectivity import Connectivity  # noqa: E402
from kiosk.services.certificate_print import SessionCalls  # noqa: E402
from kiosk.services.issue_on_behalf import (  # noqa: E402
    IssueOnBehalfService,
    OnBehalfError,
    parse_line,
)
from kiosk.services.lottery import LotteryError, LotteryService  # noqa: E402
from kiosk.services.print_digital import PrintDigitalError, PrintDigitalService  # noqa: E402


class _Identity:
    """The identified person as kiosk.services.identity.SessionIdentity exposes it."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.current = SimpleNamespace(subject=SimpleNamespace(
            kind="person", name=DEMO_CARD["name"], tin=DEMO_CARD["id_number"],
            id_number=DEMO_CARD["id_number"]))

    def session_token(self) -> str:
        return self.token


@pytest.fixture()
def calls(kiosk: Any) -> Iterator[Any]:  # noqa: F811
    token = call(kiosk, "identity.id_card", DEMO_CARD)["identity"]["session"]
    client, keys = kiosk

    def make(error: type) -> SessionCalls:
        return SessionCalls(central=client, keys=keys, connectivity=Connectivity(),
                            identity=_Identity(token), error_type=error,
                            codes=frozenset({"session.expired", "invoice.unknown",
                                             "on_behalf.unpaid", "on_behalf.line_amount"}))
    yield make


class _Slips:
    def __init__(self) -> None:
        self.printed: list[dict[str, Any]] = []

    def print_receipt(self, **kwargs: Any) -> None:
        self.printed.append(kwargs)


class _A4:
    def __init__(self) -> None:
        self.pages: list[str] = []

    def print_document(self, doc: Any, title: str) -> None:
        self.pages.append(doc.plain_text())


def test_lottery_scan_enters_and_claim_slip(calls: Any) -> None:
    slips = _Slips()
    service = LotteryService(calls(LotteryError), slips, _Identity("x"))  # type: ignore[arg-type]
    with pytest.raises(LotteryError) as exc:
        service.enter("https://example.invalid/")
    assert exc.value.code == "qr.url"
    with pytest.raises(LotteryError) as exc:  # a paper invoice: not in the lottery
        service.enter("01,04,144031900111,12345678,100.00,20260615,12345678901234567890,")
    assert exc.value.code == "lottery.not_digital"
    result = service.enter(f"01,32,,{number(17)},300.00,20260615,,")
    # This module's own central service (module-scoped fixtures): nobody entered it before.
    assert result.refusal is None, result.refusal
    view = service.view(result, "zh")
    assert result.won and result.claim_by and "一等奖" in view.title
    service.print_claim_slip(result, "en")
    [slip] = slips.printed
    assert slip["title"] == ("兑奖凭条", "Prize claim slip")
    assert ("Winner", "买*·艾力") in slip["rows"] or any(r[0] == "Winner" for r in slip["rows"])
    assert DEMO_CARD["name"] not in str(slip)


def test_print_digital_counts_and_masks(calls: Any) -> None:
    a4 = _A4()
    service = PrintDigitalService(calls(PrintDigitalError), a4=lambda: a4,
                                  now=lambda: datetime.now(UTC), kiosk_id="K-1")
    mine = service.invoices()
    inv = next(i for i in mine if i["number"] == number(6))
    counted = service.print_copy(inv, "zh")
    assert counted["printed"] == inv["printed"] + 1
    [page] = a4.pages
    assert f"纸质副本 · 第 {counted['printed']} 次打印" in page and number(6) in page
    assert DEMO_CARD["id_number"] not in page and DEMO_CARD["name"] not in page
    assert service.number_of_scan(f"01,32,,{number(6)},150.00,20260615,,") == number(6)
    # The list and its details show a natural person masked, like every screen (domain.md §9).
    for lang in ("zh", "en"):
        for item in service.items(mine, lang):
            shown = item.summary + " ".join(r.value for r in item.detail.rows)
            assert DEMO_CARD["name"] not in shown and DEMO_CARD["id_number"] not in shown


def test_issue_on_behalf_quote_preview_and_unpaid(calls: Any) -> None:
    service = IssueOnBehalfService(calls(OnBehalfError), a4=lambda: None,
                                   now=lambda: datetime.now(UTC), kiosk_id="K-1")
    with pytest.raises(OnBehalfError):
        parse_line("翻译", "2", "abc")
    line = parse_line("翻译服务", "2", "1010")
    quote = service.quote({"name": "北京示范文化有限公司", "tin": ""}, [line])
    assert quote["tax_due"] == "21.20"
    request = service.payment_request(quote)
    assert request is not None and request.total == Decimal("21.20")
    assert request.items[0].kind == "on_behalf"
    assert "预览 · 尚未开具" in service.preview(quote, {"name": "买*·艾力", "tin": ""},
                                               "zh").plain_text()
    with pytest.raises(OnBehalfError) as exc:
        service.issue(quote["application_no"])
    assert exc.value.code == "on_behalf.unpaid"
    # Below the 500-yuan threshold nothing is due: issued at once, no payment.
    small = service.quote({"name": "某人"}, [parse_line("咨询", "1", "300")])
    assert service.payment_request(small) is None
    assert service.issue(small["application_no"])["invoice"]["total"] == "300.00"
