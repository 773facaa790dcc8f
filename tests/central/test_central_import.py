"""Invoice registry import: the public CSV format, by function, HTTP and CLI."""
from __future__ import annotations

import argparse
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import cli
from central.db import Invoice, create_schema, make_engine
from central.demo_data import demo_csv, demo_invoices
from central.invoice_import import ImportFileError, import_invoices_csv
from central_helpers import ADMIN_TOKEN, TODAY

HEADER = "type_code,code,number,issued_on,amount,total,check_code,status"
MIXED = "\n".join([
    HEADER + ",seller_name,buyer_name",                                      # line 1
    "01,1100251130,12345678,2026-01-05,100.00,113.00,,normal,卖方公司,买方公司",  # 2 good
    "04,044032600104,22222222,2026-13-01,1.00,1.03,12345678901234567890,normal,,",  # 3 date
    "",                                                                       # 4 blank
    "04,044032600104,33333333,2026-01-07,1.0x,1.03,12345678901234567890,normal,,",  # 5 amount
    "32,,26442000000099999999,2026-02-01,10.00,11.30,,normal,,",              # 6 good
    "32,033001800111,26442000000099999998,2026-02-01,10.00,11.30,,normal,,",  # 7 code forbidden
    "01,,12345679,2026-01-05,100.00,113.00,,normal,,",                        # 8 code required
    "10,033002600111,1234567,2026-01-05,5.00,5.00,12345678901234567890,normal,,",  # 9 number
    "10,033002600111,12345670,2026-01-05,5.00,5.00,12345678901234567890,lost,,",  # 10 status
    "99,033002600111,12345671,2026-01-05,5.00,5.00,,normal,,",               # 11 type
    "10,033002600111,12345672,2026-01-05,5.00,5.00,,normal,,",               # 12 check code
    '04,044032600104,44444444,2026-01-09,2.00,2.06,"12345678901234567890",void,"Multi',
    'line seller",',                                                          # 13-14 good
    "01,1100251130,55555555,2026-01-05,100.00",                              # 15 too few
    "01,1100251130,12345678,2026-01-05,200.00,226.00,,red_flushed,,",        # 16 update
]) + "\n"


def test_mixed_good_and_bad_rows(session: Session) -> None:
    report = import_invoices_csv(session, io.StringIO(MIXED, newline=""))
    assert (report.imported, report.updated) == (3, 1)
    lines = {line: reason for line, reason in report.errors}
    assert sorted(lines) == [3, 5, 7, 8, 9, 10, 11, 12, 15]
    assert "bad date '2026-13-01'" in lines[3]
    assert "amount" in lines[5]
    assert "code must be empty" in lines[7]
    assert "code is required" in lines[8]
    assert "number '1234567' must have 8 digits" in lines[9]
    assert "unknown status 'lost'" in lines[10]
    assert "unknown invoice type '99'" in lines[11]
    assert "check_code" in lines[12]
    assert "expected 10 fields, found 5" in lines[15]
    session.commit()
    updated = session.execute(select(Invoice).where(Invoice.number == "12345678")).scalar_one()
    assert (updated.status, updated.amount, updated.total) == (
        "red_flushed", Decimal("200.00"), Decimal("226.00"))
    assert updated.seller_name is None  # empty optional column clears it
    multi = session.execute(select(Invoice).where(Invoice.number == "44444444")).scalar_one()
    assert multi.seller_name == "Multi\nline seller" and multi.buyer_name is None
    assert multi.issued_on == date(2026, 1, 9)


@pytest.mark.parametrize("text", [
    "",
    "type_code,code,number\n01,1,2\n",
    HEADER.replace("status", "state") + "\n",
    HEADER + ",seller_name,seller_name\n",
    HEADER + ",remarks\n",
])
def test_wrong_header_is_an_error_for_the_whole_file(session: Session, text: str) -> None:
    with pytest.raises(ImportFileError) as err:
        import_invoices_csv(session, io.StringIO(text))
    assert "header" in str(err.value)


def test_header_only_and_bom_and_paths(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "only.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n").encode())
    report = import_invoices_csv(session, path)
    assert (report.imported, report.updated, report.errors) == (0, 0, [])
    with pytest.raises(ImportFileError, match="cannot read"):
        import_invoices_csv(session, tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + b"\n01,\xe9\n")
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_invoices_csv(session, str(latin))


def test_demo_csv_round_trips_through_the_importer(session: Session) -> None:
    rows = demo_invoices(TODAY)
    report = import_invoices_csv(session, io.StringIO(demo_csv(TODAY), newline=""))
    assert (report.imported, report.updated, report.errors) == (0, len(rows), [])
    kinds = {(r["type_code"], r["status"]) for r in rows}
    for needed in [("01", "normal"), ("04", "normal"), ("10", "normal"), ("31", "normal"),
                   ("32", "normal"), ("04", "void"), ("01", "red_flushed"),
                   ("32", "abnormal")]:
        assert needed in kinds
    vector = next(r for r in rows if r["number"] == "25672225")
    assert (vector["code"], vector["issued_on"], vector["amount"], vector["check_code"]) == (
        "033001800111", date(2018, 6, 10), Decimal("76.72"), "82076771121721427121")
    recent = [r for r in rows if r["label"].startswith("genuine")]
    assert all(0 < (TODAY - r["issued_on"]).days <= 365 for r in recent)


# --- HTTP ------------------------------------------------------------------------

def test_admin_import_endpoint(client: httpx.Client) -> None:
    url = "/v1/admin/import-invoices"
    csv_headers = {"Content-Type": "text/csv"}
    assert client.post(url, content=MIXED.encode(), headers=csv_headers).status_code == 401
    wrong = csv_headers | {"Authorization": "Bearer wrong"}
    assert client.post(url, content=MIXED.encode(), headers=wrong).status_code == 403
    auth = csv_headers | {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = client.post(url, content=MIXED.encode(), headers=auth)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["imported"], data["updated"]) == (3, 1)
    assert [e["line"] for e in data["errors"]] == [3, 5, 7, 8, 9, 10, 11, 12, 15]
    assert all(e["reason"] for e in data["errors"])
    # The imported invoice is now verifiable.
    verify = client.post("/v1/invoices/verify", json={
        "type_code": "32", "code": "", "number": "26442000000099999999",
        "issued_on": "2026-02-01", "amount": "11.30"})
    assert verify.json()["outcome"] == "genuine"

    bad = client.post(url, content=b"nope\n", headers=auth)
    assert bad.status_code == 422 and "header" in bad.json()["detail"]
    binary = client.post(url, content=b"\xff\xfe\x00", headers=auth)
    assert binary.status_code == 422


def test_admin_import_is_open_without_admin_token(db_url: str) -> None:
    from central.server import CentralServer

    with CentralServer(db_url) as server, httpx.Client(base_url=server.url) as http:
        response = http.post("/v1/admin/import-invoices", content=MIXED.encode())
        assert response.status_code == 200 and response.json()["imported"] == 3


# --- CLI -------------------------------------------------------------------------

def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.main(parser.parse_args(list(argv)))


def test_cli_import(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED, encoding="utf-8")
    assert run_cli("--db", db_url, "--import-invoices", str(path)) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "imported 3, updated 1"
    assert err.splitlines()[0].startswith("line 3: bad date")
    assert len(err.splitlines()) == 9

    assert run_cli("--db", db_url, "--import-invoices", str(path)) == 0
    assert capsys.readouterr().out.strip() == "imported 0, updated 4"

    engine = make_engine(db_url)
    create_schema(engine)
    with Session(engine) as s:
        assert len(s.execute(select(Invoice)).all()) == 3
    engine.dispose()


def test_cli_import_failures(tmp_path: Path, db_url: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--db", db_url, "--import-invoices", str(tmp_path / "none.csv")) == 1
    assert "cannot read" in capsys.readouterr().err
    header = tmp_path / "header.csv"
    header.write_text("a,b,c\n1,2,3\n")
    assert run_cli("--db", db_url, "--import-invoices", str(header)) == 1
    assert "wrong header" in capsys.readouterr().err
    all_bad = tmp_path / "bad.csv"
    all_bad.write_text(HEADER + "\n01,x,y,z,1,1,,normal\n")
    assert run_cli("--db", db_url, "--import-invoices", str(all_bad)) == 1
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n")
    assert run_cli("--db", db_url, "--import-invoices", str(empty)) == 0


def test_cli_defaults() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args([])
    assert args.db.startswith("sqlite:///") and args.db.endswith("central.db")
    assert (args.host, args.port, args.demo_data, args.import_invoices) == (
        "127.0.0.1", 8710, False, None)
