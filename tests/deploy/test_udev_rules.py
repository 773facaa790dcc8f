"""The udev rules template renders into exact-match rules udev can read."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

UDEV = Path(__file__).resolve().parents[2] / "deploy" / "udev"
_spec = importlib.util.spec_from_file_location("render_rules", UDEV / "render_rules.py")
assert _spec is not None and _spec.loader is not None
render_rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_rules)

DEVICES = {"PRINTER": "receipt-printer", "SCANNER": "barcode-scanner",
           "IDCARD": "id-card-reader", "PAYMENT": "payment-terminal",
           "DISPENSER": "invoice-dispenser", "STAFFCARD": "staff-card-reader"}
# KEY=="value" / KEY!="value" / KEY="value" / KEY+="value", KEY with an optional {attr}
_PAIR = re.compile(r'^([A-Z_]+(?:\{[A-Za-z0-9_]+\})?)(==|!=|\+=|=)"([^"]*)"$')


def values(**drop: bool) -> dict[str, str]:
    out = {}
    for i, prefix in enumerate(DEVICES):
        if drop.get(prefix):
            continue
        out |= {f"{prefix}_VENDOR": f"{0x1a00 + i:04X}", f"{prefix}_PRODUCT": f"{0x7523 + i:04x}",
                f"{prefix}_SERIAL": f"SN-{prefix}-0{i}"}
    return out


def rules(text: str) -> list[list[tuple[str, str, str]]]:
    """Each rule line as (key, operator, value) pairs; fails on anything else."""
    parsed = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs = []
        for part in line.split(", "):
            match = _PAIR.match(part.strip())
            assert match, f"not a KEY==/KEY= pair: {part!r} in {line!r}"
            pairs.append(match.groups())
        parsed.append(pairs)
    return parsed


def test_the_template_renders_into_exact_match_rules() -> None:
    template = (UDEV / "99-kiosk.rules.template").read_text(encoding="utf-8")
    given = values()
    text = render_rules.render(template, given)
    assert "@" not in text
    parsed = rules(text)
    links = set()
    for rule in parsed:
        keys = {k: (op, v) for k, op, v in rule}
        assert keys["SUBSYSTEM"][0] == "==" and keys["SUBSYSTEM"][1] in ("tty", "usb")
        assert keys["ATTRS{serial}"][0] == "==" and keys["ATTRS{serial}"][1].startswith("SN-")
        assert re.fullmatch(r"[0-9a-f]{4}", keys["ATTRS{idVendor}"][1])  # lower-cased
        assert re.fullmatch(r"[0-9a-f]{4}", keys["ATTRS{idProduct}"][1])
        assert keys["MODE"] == ("=", "0660")
        assert keys["GROUP"][0] == "=" and keys["GROUP"][1] in ("dialout", "lp")
        if "SYMLINK" in keys:
            assert keys["SYMLINK"][0] == "+="
            links.add(keys["SYMLINK"][1])
    assert links == {f"kiosk/{name}" for name in DEVICES.values()}
    # Every assignment is an exact match on one device: nothing matches by vendor alone.
    assert all(sum(1 for k, op, _ in r if op == "==" and k.startswith("ATTRS")) == 3
               for r in parsed)
    assert not re.search(r'[*?\[]', "".join(v for r in parsed for _, _, v in r))


def test_devices_a_terminal_lacks_are_left_out() -> None:
    template = (UDEV / "99-kiosk.rules.template").read_text(encoding="utf-8")
    text = render_rules.render(template, values(PAYMENT=True, DISPENSER=True))
    assert "payment-terminal" not in text and "invoice-dispenser" not in text
    assert "Bank-card" not in text  # the rule's own comment goes with it
    assert len(rules(text)) == 5


@pytest.mark.parametrize("change,says", [
    ({"SCANNER_SERIAL": "*"}, "glob"),
    ({"SCANNER_SERIAL": 'a" MODE="0666'}, "quotes"),
    ({"PRINTER_VENDOR": "0fe"}, "4 hex digits"),
])
def test_values_that_would_widen_a_rule_are_refused(change: dict[str, str], says: str) -> None:
    template = (UDEV / "99-kiosk.rules.template").read_text(encoding="utf-8")
    with pytest.raises(render_rules.RulesError, match=says):
        render_rules.render(template, values() | change)


def test_a_device_with_only_some_values_is_an_error(tmp_path: Path) -> None:
    template = (UDEV / "99-kiosk.rules.template").read_text(encoding="utf-8")
    partial = values()
    del partial["IDCARD_SERIAL"]
    with pytest.raises(render_rules.RulesError, match="IDCARD_SERIAL"):
        render_rules.render(template, partial)
    env = tmp_path / "t.env"
    env.write_text("# a terminal\nPRINTER_VENDOR=0fe6\nPRINTER_PRODUCT=811e\n"
                   "PRINTER_SERIAL=PRN1\n", encoding="utf-8")
    assert render_rules.parse_values(env.read_text()) == {
        "PRINTER_VENDOR": "0fe6", "PRINTER_PRODUCT": "811e", "PRINTER_SERIAL": "PRN1"}
