"""Demo invoice registry covering every verification outcome.

`central/demo/invoices.csv` is a template in the public import format with two
differences: `issued_on` may be `today-N` (N days before the service's today, so the
demo never ages out of the 5-year window) and a trailing `label` column says what the
row demonstrates. `load_demo_data` renders the template for a given day and feeds it
through the public importer, so the demo also exercises the import path.

`load_demo_staff` adds the demo staff account (reference data of kind "staff");
`withdraw_demo_staff` removes it again when the service starts without demo data.

`load_demo_registry` adds the demo taxpayers (issue #10): the natural person of the
simulated ID card (drivers/simulators/id_card_sim.py SAMPLE_RECORD; password
DEMO_PASSWORD) and two enterprises they act for, with credit ratings, arrears,
payments (14 months, enough for a 表格式 certificate of a year), applications and
notices, dated relative to the service's today, through the public registry import.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.courses import load_demo_courses
from central.db import ReferenceItem
from central.invoice_import import REQUIRED_COLUMNS, ImportReport, import_invoices_csv
from central.reference import parse_items, upsert_items
from central.verification import china_today

_RELATIVE = re.compile(r"today-([0-9]+)")


def _template_rows() -> list[dict[str, str]]:
    text = resources.files("central").joinpath("demo/invoices.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _issued_on(text: str, today: date) -> date:
    match = _RELATIVE.fullmatch(text)
    if match:
        return today - timedelta(days=int(match.group(1)))
    return date.fromisoformat(text)


def demo_invoices(today: date) -> list[dict[str, Any]]:
    """The demo registry as of `today`: dicts with type_code, code, number, issued_on
    (date), amount and total (Decimal), check_code, status, seller_name, buyer_name and
    a human `label` saying which outcome the row demonstrates."""
    rows = []
    for raw in _template_rows():
        rows.append({
            "type_code": raw["type_code"],
            "code": raw["code"],
            "number": raw["number"],
            "issued_on": _issued_on(raw["issued_on"], today),
            "amount": Decimal(raw["amount"]),
            "total": Decimal(raw["total"]),
            "check_code": raw["check_code"],
            "status": raw["status"],
            "seller_name": raw["seller_name"] or None,
            "buyer_name": raw["buyer_name"] or None,
            "label": raw["label"],
        })
    return rows


def demo_csv(today: date) -> str:
    """The demo registry rendered in the public import format."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*REQUIRED_COLUMNS, "seller_name", "buyer_name"))
    for row in demo_invoices(today):
        writer.writerow([row["type_code"], row["code"], row["number"],
                         row["issued_on"].isoformat(), row["amount"], row["total"],
                         row["check_code"], row["status"], row["seller_name"] or "",
                         row["buyer_name"] or ""])
    return out.getvalue()


def load_demo_data(session: Session, today: date) -> ImportReport:
    """Upsert the demo registry as of `today` (idempotent). The caller commits."""
    report = import_invoices_csv(session, io.StringIO(demo_csv(today), newline=""))
    if report.errors:  # the template is part of the package: a bad row is a bug
        raise ValueError(f"demo data has bad rows: {report.errors}")
    # The tax school's demo courses (reference kind `course`) and their taken seats.
    load_demo_courses(session, today, datetime.now(UTC))
    # Guidance, FAQ, calendar, announcements and cases (central/demo/*.json).
    from central.demo_reference import load_demo_reference

    load_demo_reference(session, datetime.now(UTC))
    return report


# Computed at import time from the real date in China; tests and scenarios that inject
# another "today" should call demo_invoices(today) instead.
DEMO_INVOICES: list[dict[str, Any]] = demo_invoices(china_today())


# The demo staff account, demo data only: staff id DEMO01 (hall, technician, logistics), the
# simulated staff card kiosk.simulation.demo.DEMO_STAFF_CARD_UID and PIN
# kiosk.simulation.demo.DEMO_STAFF_PIN ("246810"). Precomputed with
# kiosk.staff.staff_reference_item (central imports nothing from kiosk/), so it stores
# only the card's digest and the PIN's scrypt hash; a test checks that they match.
# `"demo": true` marks it (kiosks ignore the extra field) so withdraw_demo_staff finds
# it; the card and PIN are public, so it must never outlive the demo.
DEMO_MARKER = "demo"
DEMO_STAFF_ITEM: dict[str, Any] = {
    "kind": "staff",
    "key": "7511ddbb2ef47ea97e36588c9c1207d727f5e98d888b8ed141d31d9813f6788d",
    "body": {"staff_id": "DEMO01", "roles": ["hall", "technician", "logistics"],
             "pin": "scrypt$16384$8$1$keVVPY3Js9wDhNqqXLgZcw==$"
                    "jKVzsbdgqW8bSNv8zylzAaPkgW0EulIgkAw/CQRO3I8=",
             DEMO_MARKER: True},
}


def load_demo_staff(session: Session, now: datetime) -> bool:
    """Add the demo staff account unless it is already there unchanged (so a restart
    does not make every kiosk download it again); commits. True if it was stored."""
    item = DEMO_STAFF_ITEM
    body = json.dumps(item["body"], ensure_ascii=False, sort_keys=True)
    row = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == item["kind"], ReferenceItem.key == item["key"])
    ).scalar_one_or_none()
    if row is not None and not row.deleted and row.body == body:
        return False
    upsert_items(session, parse_items(item), now)
    return True


def _is_demo_staff(row: ReferenceItem) -> bool:
    """The demo account: its card (the public simulated card, whatever the body says,
    as stored before the marker existed) or any staff item marked `"demo": true`."""
    if row.key == DEMO_STAFF_ITEM["key"]:
        return True
    try:
        body = json.loads(row.body or "null")
    except ValueError:
        return False
    return isinstance(body, dict) and body.get(DEMO_MARKER) is True


def withdraw_demo_staff(session: Session, now: datetime) -> list[str]:
    """Withdraw every demo staff account still current, through the normal reference
    path (a deletion with a new updated_seq), so enrolled kiosks drop it at their next
    staff download; commits. Returns the withdrawn keys ([] most of the time)."""
    rows = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == DEMO_STAFF_ITEM["kind"], ReferenceItem.deleted.is_(False))
    ).scalars().all()
    keys = sorted(row.key for row in rows if _is_demo_staff(row))
    if keys:
        upsert_items(session, parse_items([{"kind": DEMO_STAFF_ITEM["kind"], "key": key,
                                            "deleted": True} for key in keys]), now)
    return keys


# --- the demo taxpayer registry ---------------------------------------------------------

#: The demo person: the simulated ID card's holder (SAMPLE_RECORD of
#: drivers/simulators/id_card_sim.py; central imports nothing from drivers/, a test
#: checks they agree). Their TIN is their resident ID number.
DEMO_PERSON_ID = "11010519491231002X"
DEMO_PERSON_NAME = "买买提·艾力"
DEMO_PERSON_ADDRESS = "北京市朝阳区建国路88号院3号楼2单元501室"
DEMO_PASSWORD = "demo1234"  # public: demo data only, like the demo staff PIN
DEMO_ENTERPRISE_TIN = "91110105MA01R8XK4P"
DEMO_ENTERPRISE_NAME = "北京朝阳示范科技有限公司"
DEMO_SOLE_TRADER_TIN = "92110105MA02C7LW3T"
DEMO_SOLE_TRADER_NAME = "北京市朝阳区艾力清真餐馆"
DEMO_TAX_OFFICE = "国家税务总局北京市朝阳区税务局"
DEMO_TINS = (DEMO_PERSON_ID, DEMO_ENTERPRISE_TIN, DEMO_SOLE_TRADER_TIN)


def _months_back(today: date, n: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def _period(today: date, n: int) -> str:
    year, month = _months_back(today, n)
    return f"{year:04d}{month:02d}"


def _fifteenth_after(period: str) -> date:
    """The 15th of the month after `period` (when a month's tax is due and paid)."""
    year, month = int(period[:4]), int(period[4:])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 15)


def demo_registry(today: date) -> dict[str, Any]:
    """The demo registry document as of `today` (the public import format)."""
    person, company, trader = DEMO_PERSON_ID, DEMO_ENTERPRISE_TIN, DEMO_SOLE_TRADER_TIN
    taxpayers = [
        {"tin": person, "kind": "person", "name": DEMO_PERSON_NAME, "id_number": person,
         "password": DEMO_PASSWORD, "status": "normal", "industry": "",
         "registered_on": "2019-01-01", "tax_office": DEMO_TAX_OFFICE,
         "address": DEMO_PERSON_ADDRESS, "legal_rep": "", "tax_kinds": ["个人所得税"]},
        {"tin": company, "kind": "enterprise", "name": DEMO_ENTERPRISE_NAME,
         "password": DEMO_PASSWORD, "status": "normal", "industry": "软件和信息技术服务业",
         "registered_on": "2016-03-18", "tax_office": DEMO_TAX_OFFICE,
         "address": "北京市朝阳区望京街10号望京SOHO塔1 A座1508",
         "legal_rep": DEMO_PERSON_NAME, "agents": [person],
         "tax_kinds": ["增值税", "企业所得税", "城市维护建设税", "教育费附加", "印花税"]},
        {"tin": trader, "kind": "enterprise", "name": DEMO_SOLE_TRADER_NAME,
         "status": "normal", "industry": "餐饮业", "registered_on": "2021-09-06",
         "tax_office": DEMO_TAX_OFFICE, "address": "北京市朝阳区朝外大街26号底商",
         "legal_rep": DEMO_PERSON_NAME, "agents": [person]},
    ]
    # A year's rating is published in April of the next year: the last three published.
    published = [y for y in range(today.year - 4, today.year)
                 if date(y + 1, 4, 20) <= today][-3:]
    credit = [{"tin": company, "year": y, "level": level,
               "evaluated_on": date(y + 1, 4, 20).isoformat()}
              for y, level in zip(published, ("A", "A", "B")[-len(published):],
                                  strict=True)]
    credit += [{"tin": trader, "year": published[-1], "level": "M",
                "evaluated_on": date(published[-1] + 1, 4, 20).isoformat()}]
    overdue = _period(today, 2)
    arrears = [
        {"tin": company, "tax_kind": "增值税", "period": overdue, "amount": "12800.00",
         "due_on": _fifteenth_after(overdue).isoformat()},
        {"tin": company, "tax_kind": "印花税", "period": overdue, "amount": "350.00",
         "due_on": _fifteenth_after(overdue).isoformat()},
    ]
    payments = []
    for n in range(2, 16):  # 14 months of wages tax, each paid on the 15th after
        period = _period(today, n)
        payments.append({"tin": person, "voucher_no": f"311{period}{n:07d}",
                         "tax_kind": "个人所得税", "period": period,
                         "amount": f"{1180 + 7 * (n % 5)}.{(n * 13) % 100:02d}",
                         "paid_on": _fifteenth_after(period).isoformat(),
                         "tax_office": DEMO_TAX_OFFICE})
    for n in range(3, 15):
        period = _period(today, n)
        payments.append({"tin": company, "voucher_no": f"321{period}{n:07d}",
                         "tax_kind": "增值税", "period": period,
                         "amount": f"{23000 + 611 * (n % 7)}.{(n * 29) % 100:02d}",
                         "paid_on": _fifteenth_after(period).isoformat(),
                         "tax_office": DEMO_TAX_OFFICE})
    for n in (4, 7, 10, 13):
        period = _period(today, n)
        payments.append({"tin": trader, "voucher_no": f"331{period}{n:07d}",
                         "tax_kind": "增值税", "period": period, "amount": "860.00",
                         "paid_on": _fifteenth_after(period).isoformat(),
                         "tax_office": DEMO_TAX_OFFICE})

    def day(n: int) -> str:
        return (today - timedelta(days=n)).isoformat()

    applications = [
        {"tin": person, "number": "SQ2026000101", "kind": "个人所得税综合所得汇算退税",
         "submitted_on": day(20), "status": "refund", "reason": "",
         "steps": [{"name": "accepted", "done_on": day(20)},
                   {"name": "review", "done_on": day(15)},
                   {"name": "approval", "done_on": day(9)},
                   {"name": "refund", "done_on": day(3)}]},
        {"tin": person, "number": "SQ2025004207", "kind": "开具个人所得税纳税记录",
         "submitted_on": day(200), "status": "done", "reason": "",
         "steps": [{"name": "accepted", "done_on": day(200)},
                   {"name": "done", "done_on": day(200)}]},
        {"tin": company, "number": "SQ2026000388", "kind": "增值税留抵退税",
         "submitted_on": day(6), "status": "review", "reason": "",
         "steps": [{"name": "accepted", "done_on": day(6)},
                   {"name": "review", "done_on": None}]},
        {"tin": company, "number": "SQ2026000120", "kind": "跨区域涉税事项报告",
         "submitted_on": day(40), "status": "refused",
         "reason": "资料不齐全：缺少跨区域经营合同复印件",
         "steps": [{"name": "accepted", "done_on": day(40)},
                   {"name": "refused", "done_on": day(38)}]},
    ]
    notices = [
        {"industry": "*", "title": "关于个人所得税综合所得年度汇算的提醒",
         "body": "每年3月1日至6月30日办理上一年度个人所得税综合所得年度汇算。"
                 "可在自助办税终端查询办理进度。",
         "published_on": "2026-02-20"},
        {"industry": "*", "title": "办税服务厅延时服务安排",
         "body": "征期最后三天，办税服务厅延时至18:00，自助办税终端全天可用。",
         "published_on": "2026-01-05"},
        {"industry": "软件和信息技术服务业", "title": "软件产品增值税即征即退政策提示",
         "body": "销售自行开发的软件产品，增值税实际税负超过3%的部分实行即征即退。",
         "published_on": "2026-03-02"},
        {"industry": "餐饮业", "title": "餐饮业小规模纳税人发票开具提醒",
         "body": "小规模纳税人可自行开具增值税专用发票，请按规定使用税控设备。",
         "published_on": "2026-02-11"},
    ]
    return {"taxpayers": taxpayers, "credit": credit, "arrears": arrears,
            "payments": payments, "applications": applications, "notices": notices,
            **demo_invoice_stock(today), **demo_payment_services(today),
            **demo_lottery(today, taxpayers)}


#: The demo's fully-digital invoices and invoice lottery (issue #12 §3-§4): a department
#: store (retail, 52) besides the demo sole trader's restaurant (餐饮业), both selling to
#: the demo person. Numbers are fixed (scenarios scan them); dates follow today.
DEMO_STORE_TIN = "91110105MA04LTRY5K"
DEMO_STORE_NAME = "北京市朝阳区示范百货商店"
DEMO_LOTTERY_NUMBERS = {"dinner": "26112000000000900001", "snack": "26112000000000900002",
                        "store": "26112000000000900003", "design": "26112000000000900004"}
#: The demo buyers in the demo person's 代开 address book (load_demo_registry).
DEMO_ADDRESS_BOOK = (("北京示范文化传媒有限公司", "91110105MA05BOOK1Q",
                      "北京市朝阳区建国路88号", "010-85001234"),)


def _digital_invoice(number: str, issued_on: date, seller: tuple[str, str],
                     buyer: tuple[str, str], item: str, total: str,
                     **extra: Any) -> dict[str, Any]:
    """A 数电普票 at the 1 % collection rate, its price excluding tax rounded half up."""
    amount = (Decimal(total) / Decimal("1.01")).quantize(Decimal("0.01"))
    return {"number": number, "issued_on": issued_on.isoformat(), "seller_tin": seller[0],
            "seller_name": seller[1], "buyer_tin": buyer[0], "buyer_name": buyer[1],
            "amount": str(amount), "tax": str(Decimal(total) - amount), "total": total,
            "items": [{"name": item, "quantity": "1", "unit_price": str(amount),
                       "amount": str(amount), "tax_rate": "0.01"}], **extra}


def demo_lottery(today: date, taxpayers: list[dict[str, Any]]) -> dict[str, Any]:
    """The demo person's 数电票 (a dinner at the demo restaurant and a snack below the
    lottery's minimum, a purchase at the store, an earlier 代开 invoice they issued to
    the demo company) and two running campaigns in the demo city: dining (instant
    prizes paid after checking; every tier wins, so the demo always shows a prize) and
    retail (一等奖 800 yuan, claimed in person within 60 days). The campaigns name the
    demo sellers' industries by name, so a registry imported beside the demo (whose
    sellers carry industry codes) keeps its own campaigns. Adds the store to
    `taxpayers`."""
    taxpayers.append({"tin": DEMO_STORE_TIN, "kind": "enterprise", "name": DEMO_STORE_NAME,
                      "status": "normal", "industry": "百货零售",
                      "registered_on": "2015-06-01", "tax_office": DEMO_TAX_OFFICE,
                      "address": "北京市朝阳区朝阳北路101号"})
    person = (DEMO_PERSON_ID, DEMO_PERSON_NAME)
    restaurant = (DEMO_SOLE_TRADER_TIN, DEMO_SOLE_TRADER_NAME)
    n = DEMO_LOTTERY_NUMBERS
    invoices = [
        _digital_invoice(n["dinner"], today - timedelta(days=1), restaurant, person,
                         "*餐饮服务*餐费", "168.00"),
        _digital_invoice(n["snack"], today - timedelta(days=1), restaurant, person,
                         "*餐饮服务*餐费", "86.00"),
        _digital_invoice(n["store"], today - timedelta(days=2),
                         (DEMO_STORE_TIN, DEMO_STORE_NAME), person, "*家用电器*电饭煲",
                         "320.00"),
        _digital_invoice(n["design"], today - timedelta(days=20), person,
                         (DEMO_ENTERPRISE_TIN, DEMO_ENTERPRISE_NAME), "*设计服务*设计费",
                         "3000.00", on_behalf=True),
    ]
    window = {"city": "北京市", "starts_on": (today - timedelta(days=30)).isoformat(),
              "ends_on": (today + timedelta(days=150)).isoformat(), "min_amount": "100.00"}
    campaigns = [
        {"id": "demo-dining", **window, "per_day": 3, "per_month": 20, "per_campaign": 100,
         "per_merchant": 10, "industries": ["住宿", "餐饮"],
         "prizes": [{"tier": "三等奖", "amount": "10.00", "weight": 6},
                    {"tier": "二等奖", "amount": "50.00", "weight": 3},
                    {"tier": "一等奖", "amount": "200.00", "weight": 1}]},
        {"id": "demo-retail", **window, "per_day": 2, "per_month": 20, "per_campaign": 150,
         "per_merchant": 60, "industries": ["百货零售"],
         "prizes": [{"tier": "一等奖", "amount": "800.00", "weight": 1, "claim_days": 60}]},
    ]
    return {"digital_invoices": invoices, "campaigns": campaigns}


def demo_payment_services(today: date) -> dict[str, Any]:
    """The paying services' demo rows (issue #11, central.payment_registry): the demo
    person's car bought in October last year (its tax not collected by an insurer, so
    last year's prorated tax is overdue and this year's is due), the rate table (the
    national minimum per bracket, 1.6-2.0 L at 420), last year's prefilled IIT figures
    (a refund), this year's social insurance levels, and two 三方协议."""
    person, company = DEMO_PERSON_ID, DEMO_ENTERPRISE_TIN
    rates = {"up_to_1.0": "60.00", "1.0-1.6": "300.00", "1.6-2.0": "420.00",
             "2.0-2.5": "660.00", "2.5-3.0": "1200.00", "3.0-4.0": "2400.00",
             "over_4.0": "3600.00"}
    levels = [("pension", "60%", "4000.00", "0.20"), ("pension", "100%", "6660.00", "0.20"),
              ("pension", "300%", "19980.00", "0.20"), ("medical", "60%", "4000.00", "0.09")]
    return {
        "vehicles": [{"tin": person, "vin": "LSVAU2180N2183294", "plate": "京N8P2X6",
                      "displacement_l": "1.798",
                      "bought_on": date(today.year - 1, 10, 8).isoformat(),
                      "insurer_collected": False}],
        "vehicle_rates": [{"bracket": k, "annual": v} for k, v in rates.items()],
        "iit_prefill": [{"tin": person, "year": today.year - 1, "wages": "186000.00",
                         "labour": "12000.00", "royalties": "0", "withheld": "14160.00",
                         "special_additional": "36000.00", "social_insurance": "22320.00",
                         "refund_bank": "中国工商银行",
                         "refund_account": "6222020200112233445"}],
        "social_insurance_bases": [{"year": today.year, "kind": k, "level": lv, "base": b,
                                    "rate": r} for k, lv, b, r in levels],
        "agreements": [{"tin": company, "protocol_no": "3201120001", "bank": "中国建设银行",
                        "account": "11050162530000000123", "state": "verified",
                        "signed_on": "2020-05-06"},
                       {"tin": person, "protocol_no": "3201120777", "bank": "中国工商银行",
                        "account": "6222020200112233445", "state": "unverified",
                        "signed_on": date(today.year - 1, 3, 1).isoformat()}],
    }


#: The demo hall's paper-invoice stock: what the scenario's simulated dispenser starts
#: loaded with (drivers.simulators.dispenser_sim.DEMO_STOCK, the same ranges), counted
#: in 份, allocated to `demo-hall` (docs/automation.md).
DEMO_HALL = "demo-hall"
DEMO_STOCK_ALLOCATIONS = (
    ("增值税普通发票", "144031900111", 12001, 12300),
    ("通用机打发票", "244031900222", 1, 300),
)


def demo_invoice_stock(today: date) -> dict[str, Any]:
    """Demo pickup data: the hall's allocations, the demo person's 票种核定 and a
    verified holding, a terminal pickup order (取票码 FP2026A1, any hall) and a
    courier order of the demo hall."""
    person = DEMO_PERSON_ID
    applied = (today - timedelta(days=2)).isoformat()
    return {
        "allocations": [{"hall": DEMO_HALL, "invoice_kind": kind, "code": code,
                         "first": f"{first:08d}", "last": f"{last:08d}"}
                        for kind, code, first, last in DEMO_STOCK_ALLOCATIONS],
        "approvals": [
            {"tin": person, "invoice_kind": "增值税普通发票", "per_pickup_max": 25,
             "monthly_max": 50, "holding_max": 30},
            {"tin": person, "invoice_kind": "通用机打发票", "per_pickup_max": 50,
             "monthly_max": 100, "holding_max": 100}],
        "holdings": [
            {"tin": person, "invoice_kind": "增值税普通发票", "code": "144031900001",
             "first": "00000001", "last": "00000010", "picked_up_on": "2025-01-06",
             "used": 10, "uploaded": 10}],
        "pickup_orders": [
            {"tin": person, "application_no": "FPSQ2026000101", "pickup_code": "FP2026A1",
             "invoice_kind": "增值税普通发票", "quantity": 20, "method": "02", "hall": "",
             "applied_on": applied},
            {"tin": person, "application_no": "FPSQ2026000102", "pickup_code": "FP2026B2",
             "invoice_kind": "通用机打发票", "quantity": 30, "method": "03",
             "hall": DEMO_HALL, "applied_on": applied}],
    }


def load_demo_registry(session: Session, today: date, now: datetime) -> None:
    """Upsert the demo taxpayer registry as of `today` (idempotent; the demo
    taxpayers' earlier arrears are replaced, so a demo restarted each month does not
    pile up debts). The caller commits."""
    from sqlalchemy import delete

    from central.db import Arrear
    from central.registry import import_registry

    session.execute(delete(Arrear).where(Arrear.tin.in_(DEMO_TINS)))
    report = import_registry(session, demo_registry(today), now)
    if report.errors:  # the demo is part of the package: a bad row is a bug
        raise ValueError(f"demo registry has bad rows: {report.errors}")
    _demo_address_book(session, now)


def _demo_address_book(session: Session, now: datetime) -> None:
    """The demo person's 代开 address book (the import format has no section for it:
    central.on_behalf fills it as invoices are issued)."""
    from central.lottery_db import AddressBookEntry

    for name, tin, address, phone in DEMO_ADDRESS_BOOK:
        found = session.execute(select(AddressBookEntry).where(
            AddressBookEntry.owner_tin == DEMO_PERSON_ID, AddressBookEntry.buyer_name == name,
            AddressBookEntry.buyer_tin == tin)).scalar_one_or_none()
        if found is None:
            session.add(AddressBookEntry(owner_tin=DEMO_PERSON_ID, buyer_name=name,
                                         buyer_tin=tin, address=address, phone=phone,
                                         used_at=now))
