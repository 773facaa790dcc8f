"""The taxpayer registry import (issue #10 §5): `kiosk central --import-registry` as a
real subprocess (exit 0 every row imported, 1 some refused and named by list and
index with the good rows kept, 2 the file unreadable and nothing stored), the same
document through POST /v1/admin/registry, upserts by natural key, extra keys ignored,
passwords stored only as scrypt hashes; and the demo registry."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_helpers import ADMIN_TOKEN, TODAY
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Payment, Taxpayer, TaxpayerAgent, create_schema, make_engine
from central.demo_data import (
    DEMO_ENTERPRISE_TIN,
    DEMO_PASSWORD,
    DEMO_PERSON_ADDRESS,
    DEMO_PERSON_ID,
    DEMO_PERSON_NAME,
    demo_registry,
)
from central.registry import SECTIONS, payments_for, registry_counts
from offline_queue.pins import check_secret

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PERSON = "110105199001011234"
COMPANY = "91110105MA01TEST7Q"


def document() -> dict[str, Any]:
    return {
        "taxpayers": [
            {"tin": PERSON, "kind": "person", "name": "张三丰", "id_number": PERSON,
             "password": "s3cret-pass", "status": "正常", "industry": "",
             "registered_on": "2019-01-01", "tax_office": "朝阳区税务局",
             "address": "北京市朝阳区", "legal_rep": "", "comment": "extra key, ignored"},
            {"tin": COMPANY, "kind": "enterprise", "name": "测试科技有限公司",
             "status": "normal", "industry": "软件和信息技术服务业",
             "registered_on": "2016-03-18", "tax_office": "朝阳区税务局",
             "address": "北京市朝阳区望京", "legal_rep": "张三丰", "agents": [PERSON]},
        ],
        "credit": [{"tin": COMPANY, "year": 2025, "level": "A",
                    "evaluated_on": "2026-04-20"}],
        "arrears": [{"tin": COMPANY, "tax_kind": "增值税", "period": "202604",
                     "amount": "12800.00", "due_on": "2026-05-15"}],
        "payments": [{"tin": PERSON, "voucher_no": f"3112025{m:02d}0000001",
                      "tax_kind": "个人所得税", "period": f"2025{m:02d}",
                      "amount": "1180.50", "paid_on": f"2025-{m:02d}-15",
                      "tax_office": "朝阳区税务局"} for m in range(1, 13)],
        "applications": [{"tin": PERSON, "number": "SQ1", "kind": "退税",
                          "submitted_on": "2026-05-01", "status": "审核", "reason": ""}],
        "notices": [{"industry": "*", "title": "提醒", "body": "正文",
                     "published_on": "2026-05-01"}],
        # The paying services' sections (issue #11, central/payment_registry.py).
        "vehicles": [{"tin": PERSON, "vin": "LSVAU2180N2183294", "plate": "京N8P2X6",
                      "displacement_l": "1.998", "bought_on": "2026-10-08",
                      "insurer_collected": False, "paid_through": 2025}],
        "vehicle_rates": [{"bracket": "1.6-2.0", "annual": "420.00"}],
        "iit_prefill": [{"tin": PERSON, "year": 2025, "wages": "150000.00",
                         "labour": "0", "royalties": "0", "withheld": "9000.00",
                         "special_additional": "24000.00", "social_insurance": "18000.00",
                         "refund_bank": "中国工商银行", "refund_account": "6222020200112233445"}],
        "social_insurance_bases": [{"year": 2026, "kind": "pension", "level": "60%",
                                    "base": "4000.00", "rate": "0.20"}],
        "agreements": [{"tin": COMPANY, "protocol_no": "3201120001", "bank": "中国建设银行",
                        "account": "11050162530000000123", "state": "已验证",
                        "signed_on": "2020-05-06"}],
        # Paper-invoice pickup and stock (issue #12, central/invoice_stock.py).
        "approvals": [{"tin": COMPANY, "invoice_kind": "增值税普通发票", "per_pickup_max": 10,
                       "monthly_max": 30, "holding_max": 10}],
        # A code of its own: the demo registry (the admin endpoint's server) holds
        # 144031900001 for the demo person, and a range is never moved to another TIN.
        "holdings": [{"tin": COMPANY, "invoice_kind": "增值税普通发票", "code": "144031900009",
                      "first": "00000001", "last": "00000010", "picked_up_on": "2026-05-02",
                      "used": 4, "uploaded": 4}],
        "pickup_orders": [{"tin": COMPANY, "application_no": "FP-1", "pickup_code": "A1B2C3",
                           "invoice_kind": "增值税普通发票", "quantity": 4, "method": "02",
                           "hall": "", "applied_on": "2026-05-03"}],
        "allocations": [{"hall": "demo-hall", "invoice_kind": "增值税普通发票",
                         "code": "144031900111", "first": "00012001", "last": "00012300"}],
        # Fully-digital invoices and the lottery (central.lottery, #12 §3-§4).
        "digital_invoices": [{"number": "26112000000000000001", "issued_on": "2026-06-01",
                              "seller_tin": COMPANY, "seller_name": "示范餐馆",
                              "buyer_tin": PERSON, "buyer_name": "张三丰",
                              "amount": "148.51", "tax": "1.49", "total": "150.00",
                              "items": [{"name": "餐饮服务", "quantity": "1",
                                         "unit_price": "148.51", "amount": "148.51",
                                         "tax_rate": "0.01"}]}],
        "campaigns": [{"id": "demo", "city": "示范市", "starts_on": "2026-02-01",
                       "ends_on": "2026-07-31", "min_amount": "100.00", "per_day": 2,
                       "per_month": 20, "per_campaign": 100, "per_merchant": None,
                       "industries": ["62"],
                       "prizes": [{"tier": "三等奖", "amount": "10.00", "weight": 9},
                                  {"tier": "一等奖", "amount": "800.00", "weight": 1,
                                   "claim_days": 60}]}],
    }


def run_import(db_url: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "central", "--db", db_url, "--import-registry",
         str(path)], capture_output=True, text=True, timeout=120)


def counts(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    try:
        create_schema(engine)  # a refused file may leave no database at all
        with Session(engine) as session:
            return registry_counts(session)
    finally:
        engine.dispose()


def test_cli_imports_everything_and_exits_0_then_upserts(db_url: str,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
    done = run_import(db_url, path)
    assert done.returncode == 0, done.stderr
    assert "taxpayers 2 new, 0 updated" in done.stdout
    assert "payments 12 new" in done.stdout
    assert counts(db_url) == {"taxpayers": 2, "credit_ratings": 1, "arrears": 1,
                              "payments": 12, "applications": 1, "notices": 1}
    # A re-import updates by natural key: no duplicates; a changed amount is taken.
    changed = document()
    changed["payments"][0]["amount"] = "999.99"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    again = run_import(db_url, path)
    assert again.returncode == 0, again.stderr
    assert "taxpayers 0 new, 2 updated" in again.stdout
    assert counts(db_url)["payments"] == 12
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            person = session.get(Taxpayer, PERSON)
            assert person is not None and person.status == "normal"  # 正常 -> code
            assert person.password_hash and person.password_hash.startswith("scrypt$")
            assert "s3cret-pass" not in person.password_hash
            assert check_secret("s3cret-pass", person.password_hash)
            rows = payments_for(session, PERSON, period_from="202501", period_to="202501")
            assert [(p.voucher_no, p.amount) for p in rows] == [
                ("311202501" + "0000001", __import__("decimal").Decimal("999.99"))]
            agents = session.execute(select(TaxpayerAgent.agent_tin)).scalars().all()
            assert agents == [PERSON]
    finally:
        engine.dispose()
    if db_url.startswith("sqlite"):  # the password is nowhere in the file
        assert b"s3cret-pass" not in Path(db_url.removeprefix("sqlite:///")).read_bytes()


def test_cli_refuses_bad_rows_by_index_keeps_good_ones_exit_1(db_url: str,
                                                              tmp_path: Path) -> None:
    doc = document()
    doc["taxpayers"].append({"tin": "short", "kind": "person", "name": "x"})
    doc["payments"][3]["amount"] = 1180.5  # a JSON number, not a decimal string
    doc["payments"][4]["period"] = "202513"
    doc["payments"].append({"tin": "110105199001019999", "voucher_no": "1",
                            "tax_kind": "x", "period": "202501", "amount": "1.00",
                            "paid_on": "2025-01-15"})
    doc["credit"].append({"tin": COMPANY, "year": 2024, "level": "E",
                          "evaluated_on": "2025-04-20"})
    doc["notices"].append({"industry": "*", "title": "t", "body": "b",
                           "published_on": "2026-02-30"})
    doc["applications"].append("not an object")
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = run_import(db_url, path)
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "taxpayers[2]: tin: 15 to 20 digits or capital letters",
        "credit[1]: level: one of A, B, M, C, D",
        "payments[3]: amount: a decimal string in yuan, e.g. \"1234.50\"",
        "payments[4]: period: a period as YYYYMM",
        "payments[12]: tin: no taxpayer with this TIN (import it under \"taxpayers\" "
        "first)",
        "applications[1]: a row must be a JSON object",
        "notices[1]: published_on: '2026-02-30' is not a real date (YYYY-MM-DD)",
    ], done.stderr
    assert counts(db_url) == {"taxpayers": 2, "credit_ratings": 1, "arrears": 1,
                              "payments": 10, "applications": 1, "notices": 1}


@pytest.mark.parametrize("content", [
    None,  # no such file
    b"{not json",
    b"\xff\xfe not utf-8",
    b"[" * 5000 + b"]" * 5000,  # nested beyond the limit
    b"[]",  # not an object
    b'{"taxpayers": {"tin": "x"}}',  # a section that is not a list
    b'{"unrelated": []}',  # none of the lists
])
def test_cli_unreadable_file_exits_2_and_stores_nothing(tmp_path: Path,
                                                        content: bytes | None) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    path = tmp_path / "registry.json"
    if content is not None:
        path.write_bytes(content)
    done = run_import(db_url, path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ") and "nothing imported" in done.stderr
    assert "Traceback" not in done.stderr
    assert sum(counts(db_url).values()) == 0


def test_admin_endpoint_takes_the_same_document_and_reports_alike(client: httpx.Client
                                                                  ) -> None:
    doc = document()
    doc["payments"][1]["paid_on"] = "2025/02/15"
    raw = json.dumps(doc, ensure_ascii=False).encode()
    assert client.post("/v1/admin/registry", content=raw).status_code == 401
    wrong = client.post("/v1/admin/registry", content=raw,
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    answer = client.post("/v1/admin/registry", content=raw, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["imported"]["taxpayers"] == 2 and report["imported"]["payments"] == 11
    assert report["errors"] == [{"section": "payments", "index": 1,
                                 "reason": "paid_on: '2025/02/15' is not a real date "
                                           "(YYYY-MM-DD)"}]
    assert set(report["imported"]) == set(SECTIONS)
    again = client.post("/v1/admin/registry", content=raw, headers=ADMIN).json()
    assert again["imported"]["payments"] == 0 and again["updated"]["payments"] == 11
    for bad in (b"{", b"[1]", b"[" * 100 + b"]" * 100, b"\xff"):
        refused = client.post("/v1/admin/registry", content=bad, headers=ADMIN)
        assert refused.status_code == 422, refused.text
        assert isinstance(refused.json()["detail"], str)


def test_printed_count_survives_a_reimport(session: Session) -> None:
    from central.registry import count_voucher_printed, import_registry

    import_registry(session, document())
    voucher = "311202503" + "0000001"
    assert count_voucher_printed(session, PERSON, voucher) == 1
    assert count_voucher_printed(session, PERSON, voucher) == 2
    assert count_voucher_printed(session, PERSON, "nope") is None
    import_registry(session, document())
    row = session.execute(select(Payment).where(Payment.voucher_no == voucher)).scalar_one()
    assert row.printed == 2


def test_demo_person_is_the_simulated_id_card(session: Session) -> None:
    """The demo registry's person is the sample card the `id_card` verb places."""
    from drivers.simulators.id_card_sim import SAMPLE_RECORD

    assert (DEMO_PERSON_ID, DEMO_PERSON_NAME, DEMO_PERSON_ADDRESS) == (
        SAMPLE_RECORD["id_number"], SAMPLE_RECORD["name"], SAMPLE_RECORD["address"])
    from central.demo_data import load_demo_registry

    load_demo_registry(session, TODAY, __import__("datetime").datetime.now(
        __import__("datetime").UTC))
    session.commit()
    person = session.get(Taxpayer, DEMO_PERSON_ID)
    assert person is not None and person.id_number == DEMO_PERSON_ID
    assert person.password_hash and check_secret(DEMO_PASSWORD, person.password_hash)
    year = payments_for(session, DEMO_PERSON_ID, period_from="202505", period_to="202604")
    assert len(year) == 12  # a 表格式 certificate of a year
    assert all(p.paid_on <= TODAY for p in payments_for(session, DEMO_PERSON_ID))
    assert session.get(Taxpayer, DEMO_ENTERPRISE_TIN) is not None
    # Loading twice changes nothing (a restart of the demo).
    before = registry_counts(session)
    load_demo_registry(session, TODAY, __import__("datetime").datetime.now(
        __import__("datetime").UTC))
    session.commit()
    assert registry_counts(session) == before


def test_demo_registry_dates_are_relative_to_today() -> None:
    later = demo_registry(date(2027, 3, 1))
    assert all(p["paid_on"] <= "2027-03-01" for p in later["payments"])
    assert {c["year"] for c in later["credit"]} == {2023, 2024, 2025}


def test_any_json_value_in_any_field_is_a_reported_row_never_a_crash(
        session: Session) -> None:
    """Every field of every list replaced by each kind of wrong JSON value: refused
    with a reason (or harmlessly taken as text), never an exception."""
    from central.registry import import_registry

    good = document()
    wrong_values: list[Any] = [None, 1, 1.5, True, [], ["x"], {}, {"a": [1]}, "",
                               "\u0000", "x" * 20000]
    for section in SECTIONS:
        template = good[section][0]
        for name in template:
            rows = [template | {name: value} for value in wrong_values]
            doc = {"taxpayers": good["taxpayers"], section: rows}
            report = import_registry(session, doc)
            refused = [e for e in report.errors if e[0] == section]
            assert refused == report.errors  # the good taxpayers went in
            assert len(refused) + report.imported[section] + report.updated[section] \
                == len(rows)
            for _section, _index, reason in refused:
                assert isinstance(reason, str) and reason
    session.rollback()
