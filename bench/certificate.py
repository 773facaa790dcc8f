"""Certificate PDF time: build the A4 document of one 表格式 tax payment certificate of
12 payments (printing.certificate) and render it to a PDF file (printing.pdf_render:
QPdfWriter, a CJK font subset embedded). The median of several renders after a
warm-up (font loading, first-call costs), in milliseconds."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any


def sample_certificate() -> dict[str, Any]:
    """A 表格式 certificate of a year of monthly payments, as the central issues it
    (the taxpayer masked for paper by the caller)."""
    rows = [{"voucher_no": f"3212025{m:02d}000{m:04d}", "tax_kind": "增值税" if m % 3 else "个人所得税",
             "period": f"2025{m:02d}", "amount": f"{23000 + 611 * m}.{m * 7:02d}",
             "paid_on": f"2025-{m:02d}-15"} for m in range(1, 13)]
    total = sum(Decimal(r["amount"]) for r in rows)
    return {"number": "202601152123456789", "kind": "table", "check_code": "ABCD2345EFGH6789",
            "issued_on": "2026-01-15", "tax_office": "国家税务总局北京市朝阳区税务局",
            "taxpayer": {"tin": "91110105MA01DEMO9X", "name": "北京示例科技有限公司"},
            "rows": rows, "total": str(total), "period_from": "202501", "period_to": "202512",
            "qr_text": "CERT1:" + "A" * 330 + "." + "B" * 86}


def measure_certificate_pdf_ms(n: int = 10) -> float:
    from printing.certificate import certificate_document
    from printing.pdf_render import render_pdf

    cert = sample_certificate()
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-cert-") as tmp:
        for i in range(n + 1):
            start = time.perf_counter()
            doc = certificate_document(cert, printed_at=datetime(2026, 1, 15, 10, 0),
                                       kiosk_id="K-bench")
            render_pdf(doc, Path(tmp) / f"{i}.pdf")
            if i:  # the first is the warm-up
                times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def measure() -> dict[str, Any]:
    return {"certificate_pdf_ms": measure_certificate_pdf_ms()}
