"""The look-ups of issue #10 §3 (taxpayer.info, credit.rating, arrears.query,
progress.query, notices), Qt-free, against the simulated hall's real central service
on loopback with its demo registry: what each answers for the demo person and the
demo enterprise, masking on screen and paper, the late fee to today, "no tax owed",
the queued 银税互动 consent, and the refusals (nobody identified, session expired,
unknown taxpayer, central unreachable)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from central.demo_data import (
    DEMO_ENTERPRISE_NAME,
    DEMO_ENTERPRISE_TIN,
    DEMO_PERSON_ADDRESS,
    DEMO_PERSON_ID,
    DEMO_PERSON_NAME,
)
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.domain.late_fee import late_fee
from kiosk.services.arrears import ArrearsService
from kiosk.services.credit_rating import CreditRatingService
from kiosk.services.identity import Identified, IdentityService
from kiosk.services.notices import NoticesService
from kiosk.services.progress import ProgressService
from kiosk.services.taxpayer_info import TaxpayerInfoService
from kiosk.services.taxpayer_lookup import LookupFailed, money
from kiosk.simulation import SimulatedHall
from offline_queue.payloads import CREDIT_CONSENT_KIND

PASSWORD = "demo1234"
MASKED_NAME = "买****力"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "lookup-kiosk"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


def sign_in(core: KioskCore, enterprise: bool = False) -> Identified:
    gate = core.service("identity.login")
    assert isinstance(gate, IdentityService)
    who = gate.login_password(DEMO_PERSON_ID, PASSWORD)
    if enterprise:
        who = gate.act_for(who, DEMO_ENTERPRISE_TIN)
    core.identity.set(who)
    return who


def text_of(view) -> str:  # type: ignore[no-untyped-def]
    return view.title + "\n" + view.text()


# -- taxpayer.info -----------------------------------------------------------------------

def test_registration_of_a_person_is_masked_on_screen_and_paper(core: KioskCore) -> None:
    sign_in(core)
    service = core.service("taxpayer.info")
    assert isinstance(service, TaxpayerInfoService)
    info = service.fetch()
    assert info.tin == DEMO_PERSON_ID and info.status == "normal"
    assert DEMO_PERSON_ID not in repr(info) and DEMO_PERSON_NAME not in repr(info)
    screen = text_of(service.view(info, "zh"))
    assert "登记状态：正常" in screen and "110***********002X" in screen
    assert MASKED_NAME in screen and "个人所得税" in screen
    assert "北京市朝阳区***" in screen and DEMO_PERSON_ADDRESS not in screen
    assert DEMO_PERSON_NAME not in screen and DEMO_PERSON_ID not in screen
    paper = text_of(service.view(info, "en", "paper"))
    assert "1****************X" in paper and "Status: Normal" in paper
    assert DEMO_PERSON_ID not in paper


def test_registration_of_an_enterprise_names_it_and_masks_the_legal_rep(
        core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("taxpayer.info")
    info = service.fetch()
    text = text_of(service.view(info, "en"))
    assert DEMO_ENTERPRISE_NAME in text and DEMO_ENTERPRISE_TIN in text  # public register
    assert "Legal representative: 买****力" in text
    assert "软件和信息技术服务业" in text and "增值税" in text


# -- credit.rating -----------------------------------------------------------------------

def test_credit_rating_by_year_and_the_queued_consent(core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("credit.rating")
    assert isinstance(service, CreditRatingService)
    status = service.fetch()
    assert [r.level for r in status.ratings] == ["B", "A", "A"]
    assert status.may_consent() and status.consent is None
    years = [r.year for r in status.ratings]
    assert years == sorted(years, reverse=True)
    view = service.view(status, "zh")
    assert view.title.startswith("最新评价：B级") and "未授权" in view.text()
    with pytest.raises(LookupFailed) as refused:
        service.queue_consent("not-a-bank", True)
    assert refused.value.code == "consent.bank"
    queued = service.queue_consent("bocom", True)
    record = core.outbox.get(queued.record_uuid)
    assert record is not None and record.kind == CREDIT_CONSENT_KIND
    assert record.payload["tin"] == DEMO_ENTERPRISE_TIN and record.payload["granted"] is True
    assert record.payload["bank"] == "交通银行"
    receipt = service.consent_view(queued, "en")
    assert receipt.title == "Consent submitted"
    assert "Bank of Communications" in receipt.text()
    # Once synced the central holds the consent, and a withdrawal ends it.
    core.drain_queue(timeout_s=20)
    assert service.fetch().consent is not None
    assert "交通银行" in service.consent_text(service.fetch(), "zh")
    service.queue_consent("bocom", False)
    core.drain_queue(timeout_s=20)
    assert service.fetch().consent is None


def test_a_person_without_a_rating_is_told_so(core: KioskCore) -> None:
    sign_in(core)
    service = core.service("credit.rating")
    status = service.fetch()
    assert status.ratings == () and not status.may_consent()
    assert service.view(status, "en").title == "No credit rating yet"


# -- arrears.query -----------------------------------------------------------------------

def test_arrears_with_late_fees_to_today(core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("arrears.query")
    assert isinstance(service, ArrearsService)
    statement = service.statement()
    assert statement.owed and len(statement.lines) == 2
    vat = next(line for line in statement.lines if line.tax_kind == "增值税")
    expected = late_fee(Decimal("12800.00"), vat.due_on, statement.as_of)
    assert vat.fee == expected and vat.fee.days > 0
    assert statement.total == statement.tax_total + statement.fee_total
    assert statement.tax_total == Decimal("13150.00")
    view = service.view(statement, "en")
    assert view.title == f"Total to pay {money(statement.total)}"
    assert "¥ 13,150.00" in view.text()
    # A later day: one more day of late fee on each line.
    later = service.statement(statement.as_of + timedelta(days=1))
    assert later.fee_total > statement.fee_total


def test_no_tax_owed(core: KioskCore) -> None:
    sign_in(core)
    service = core.service("arrears.query")
    statement = service.statement()
    assert not statement.owed and statement.total == 0
    assert service.view(statement, "zh").title == "无欠税"
    assert service.view(statement, "en").title == "No tax owed"


# -- progress.query ----------------------------------------------------------------------

def test_progress_with_steps_and_a_refusal_reason(core: KioskCore) -> None:
    sign_in(core)
    service = core.service("progress.query")
    assert isinstance(service, ProgressService)
    apps = service.fetch()
    refund = next(a for a in apps if a.number == "SQ2026000101")
    assert refund.status == "refund" and [s.name for s in refund.steps] == [
        "accepted", "review", "approval", "refund"]
    zh = service.detail(refund, "zh").text()
    assert "当前状态: 退库" in zh and "审批: " in zh
    sign_in(core, enterprise=True)
    apps = service.fetch()
    refused = next(a for a in apps if a.status == "refused")
    en = service.detail(refused, "en").text()
    assert "Reason for refusal: 资料不齐全" in en
    pending = next(a for a in apps if a.status == "review")
    assert "in progress" in service.detail(pending, "en").text()


# -- notices -----------------------------------------------------------------------------

def test_notices_unread_first_and_forgotten_with_the_session(core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("notices")
    assert isinstance(service, NoticesService)
    assert service.unread_count() is None  # not fetched yet
    notices = service.fetch()
    titles = [n.title for n in notices]
    assert "软件产品增值税即征即退政策提示" in titles  # the enterprise's industry
    assert "餐饮业小规模纳税人发票开具提醒" not in titles  # another industry's
    assert service.unread_count() == len(notices) == 3
    newest = notices[0]
    service.mark_read(newest.id)
    assert service.unread_count() == 2
    assert service.notices()[-1].id == newest.id  # read ones go last
    core.identity.clear()
    assert service.unread_count() is None and service.notices() == ()


def test_a_notice_read_stays_read_at_the_next_visit(core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("notices")
    assert isinstance(service, NoticesService)
    newest = service.fetch()[0]
    remember = service.mark_read(newest.id)  # on screen at once
    assert remember is not None and service.is_read(newest.id)
    assert service.mark_read(newest.id) is None  # read already: nothing more to tell
    remember()  # the central service keeps it
    core.identity.clear()
    sign_in(core, enterprise=True)  # the next visit, a new session
    assert service.unread_count() is None
    notices = service.fetch()
    assert service.unread_count() == 2 and service.is_read(newest.id)
    assert notices[-1].id == newest.id  # read ones go last
    core.identity.clear()
    sign_in(core)  # the person for themself: their own notices, none read
    service.fetch()
    assert not any(service.is_read(n.id) for n in service.notices())


def test_a_late_read_call_never_marks_the_next_taxpayer_s_notice(core: KioskCore) -> None:
    sign_in(core, enterprise=True)
    service = core.service("notices")
    assert isinstance(service, NoticesService)
    newest = service.fetch()[0]  # an industry-wide or everyone's notice
    remember = service.mark_read(newest.id)
    assert remember is not None
    core.identity.clear()
    sign_in(core)  # someone signed in before the call ran (the old session ended)
    with pytest.raises(LookupFailed) as refused:
        remember()
    assert refused.value.code == "session.expired"
    assert core.identity.current is not None  # the new taxpayer stays signed in
    service.fetch()
    assert not any(service.is_read(n.id) for n in service.notices())
    core.identity.clear()
    sign_in(core, enterprise=True)
    service.fetch()
    assert not service.is_read(newest.id)  # nothing was recorded
    core.identity.clear()  # signed out with the list still on screen: a tap does nothing
    assert service.mark_read(newest.id) is None


# -- refusals ----------------------------------------------------------------------------

def test_nobody_identified_is_refused_before_any_call(core: KioskCore) -> None:
    service = core.service("taxpayer.info")
    with pytest.raises(LookupFailed) as refused:
        service.fetch()
    assert refused.value.code == "lookup.identify"


def test_an_expired_session_says_so_and_clears_the_identity(
        core: KioskCore, hall: SimulatedHall) -> None:
    who = sign_in(core)
    gate = core.service("identity.login")
    gate._call("identity.logout", "identity/logout", {"session": who.session})  # ended elsewhere
    with pytest.raises(LookupFailed) as refused:
        core.service("arrears.query").statement()
    assert refused.value.code == "session.expired"
    assert core.identity.current is None  # the gate asks again


def test_a_session_the_central_never_issued_is_refused(core: KioskCore) -> None:
    who = sign_in(core)
    forged = replace(who, session="x" * 43)  # a session the central never issued
    core.identity.set(forged)
    with pytest.raises(LookupFailed) as refused:
        core.service("progress.query").fetch()
    assert refused.value.code == "session.expired"


def test_central_unreachable_marks_the_link_down(core: KioskCore, hall: SimulatedHall) -> None:
    sign_in(core)
    assert hall.central is not None
    hall.central.stop()
    with pytest.raises(LookupFailed) as refused:
        core.service("notices").fetch()
    assert refused.value.code == "service.network"
    assert not core.connectivity.online


def test_no_personal_data_in_the_log(core: KioskCore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    sign_in(core, enterprise=True)
    for service_id, call in (("taxpayer.info", "fetch"), ("credit.rating", "fetch"),
                             ("arrears.query", "statement"), ("progress.query", "fetch")):
        getattr(core.service(service_id), call)()
    assert DEMO_PERSON_ID not in caplog.text and DEMO_PERSON_NAME not in caplog.text
