"""ESC/P rendering of pre-printed invoice forms, checked by decoding the bytes back into
positioned text (drivers.simulators.escp_decoder)."""
from decimal import Decimal

import pytest

from drivers.simulators.escp_decoder import decode_escp
from printing.escp_render import (
    CHINESE_OFF, CHINESE_ON, fit, mm_to_units, render_escp, text_width_mm,
)
from printing.forms import (
    FormLayoutError, load_form, parse_form, sample_invoice_values,
)

ESC = b"\x1b"


@pytest.fixture(scope="module")
def vat():
    return load_form("vat_general_241x140")


def one_field_form(x_mm=25.4, y_mm=25.4, **extra):
    spec = {"x_mm": x_mm, "y_mm": y_mm, "max_width_mm": 50.0, **extra}
    return parse_form({"page": {"width_mm": 241.3, "height_mm": 139.7}, "fields": {"f": spec}})


def test_millimetres_to_units_is_exact_at_one_inch():
    assert mm_to_units(25.4, 360) == 360
    assert mm_to_units(25.4, 60) == 60
    assert mm_to_units(25.4, 180) == 180
    assert mm_to_units(139.7, 360) == 1980  # 5.5 in
    assert mm_to_units(0.0705, 360) == 1  # 0.99946 units rounds half up to 1
    assert mm_to_units(0.035, 360) == 0


def test_escp2_field_at_one_inch_lands_at_360_units():
    data = render_escp(one_field_form(), {"f": "X"})
    assert data.startswith(ESC + b"@" + ESC + b"(U\x01\x00\x0a")  # unit 10/3600 = 1/360 in
    assert ESC + b"(C\x02\x00" + (1980).to_bytes(2, "little") in data  # 139.7 mm page
    assert ESC + b"(V\x02\x00" + (360).to_bytes(2, "little") in data
    assert ESC + b"$" + (360).to_bytes(2, "little") + b"X" in data
    assert data.endswith(b"\x0c")
    form = decode_escp(data)[0]
    assert form.ejected and form.page_length_mm == pytest.approx(139.7)
    assert (form.items[0].x_mm, form.items[0].y_mm) == (25.4, 25.4)


def test_escp_field_at_one_inch_lands_at_60_and_180_units():
    data = render_escp(one_field_form(), {"f": "X"}, dialect="escp")
    assert ESC + b"3\x1e" + ESC + b"C\x21" in data  # 30/180 in x 33 lines = 5.5 in
    assert ESC + b"(" not in data  # no ESC/P2 commands
    assert ESC + b"J\xb4" in data and b"\r" not in data  # 180/180 in down; no CR (auto LF)
    assert ESC + b"$" + (60).to_bytes(2, "little") + b"X" in data
    item = decode_escp(data)[0].items[0]
    assert (item.x_mm, item.y_mm) == (25.4, 25.4)


def test_escp_vertical_moves_longer_than_255_are_split():
    data = render_escp(one_field_form(y_mm=120.0), {"f": "X"}, dialect="escp")
    assert data.count(ESC + b"J") == 4  # 850/180 in = 255 + 255 + 255 + 85
    assert decode_escp(data)[0].items[0].y_mm == pytest.approx(120.0, abs=0.15)


@pytest.mark.parametrize("dialect", ["escp2", "escp"])
def test_every_field_lands_where_the_layout_says(vat, dialect):
    values = sample_invoice_values()
    form = decode_escp(render_escp(vat, values, dialect=dialect))[0]
    checked = 0
    for placed in vat.place(values):
        fitted = fit(placed)
        same = [i for i in form.items if i.text == fitted.text]
        assert same, placed.field
        item = min(same, key=lambda i: abs(i.y_mm - placed.y_mm) + abs(i.x_mm - fitted.x_mm))
        assert item.y_mm == pytest.approx(placed.y_mm, abs=0.5), placed.field
        assert item.x_mm == pytest.approx(fitted.x_mm, abs=0.5), placed.field
        assert item.font == fitted.font, placed.field
        checked += 1
    assert checked >= 25


def test_vat_invoice_positions_and_alignment(vat):
    form = decode_escp(render_escp(vat, sample_invoice_values()))[0]
    buyer = form.find("北京某某科技有限公司")
    assert buyer.near(40.0, 30.0)
    assert form.find("91440300MA5FXYZ12K").near(40.0, 102.0)
    assert form.find("壹仟壹佰叁拾元整").near(62.0, 90.0)
    assert form.find("12345678").font == "double"
    # amounts are right-aligned: their right edge is the box's right edge (148 + 28 mm)
    total = form.find("￥1000.00")
    assert total.x_mm + text_width_mm(total.text, "normal") == pytest.approx(176.0, abs=0.1)
    assert total.y_mm == pytest.approx(84.0, abs=0.5)
    # the second item row is one row pitch (4.5 mm) below the first
    first, second = form.find("*信息技术服务*软件维护费"), form.find("*纸制品*打印纸")
    assert second.y_mm - first.y_mm == pytest.approx(4.5, abs=0.1)
    # top to bottom: the head never has to move the paper back
    ys = [item.y_mm for item in form.items]
    assert ys == sorted(ys)


def test_chinese_goes_in_chinese_mode_as_gb18030(vat):
    data = render_escp(vat, sample_invoice_values())
    assert CHINESE_ON + "北京某某科技有限公司".encode("gb18030") + CHINESE_OFF in data
    assert "￥1130.00".encode("gb18030") in data
    assert b"044031900111" in data  # ASCII stays outside Chinese mode
    assert CHINESE_ON + b"044031900111" not in data


def test_half_width_yen_is_printed_full_width():
    data = render_escp(one_field_form(), {"f": "¥5.00"})
    assert "￥5.00".encode("gb18030") in data


def test_too_wide_text_is_condensed_then_refused():
    form = one_field_form()  # 50 mm box
    long_name = "北京某某科技有限公司北京分公司"  # 15 x 5.08 mm = 76 mm normal, 44 mm condensed
    fitted = fit(form.place({"f": long_name})[0])
    assert fitted.font == "condensed" and fitted.text == long_name
    with pytest.raises(FormLayoutError, match="does not fit"):
        render_escp(form, {"f": long_name * 2})
    cut = fit(one_field_form(overflow="truncate").place({"f": long_name * 2})[0])
    assert cut.font == "condensed" and long_name.startswith(cut.text[:10])
    assert text_width_mm(cut.text, "condensed") <= 50.0
    with pytest.raises(FormLayoutError):
        render_escp(one_field_form(overflow="error"), {"f": long_name})


def test_missing_required_values_and_too_many_rows_are_refused(vat):
    values = sample_invoice_values()
    del values["buyer_name"]
    with pytest.raises(FormLayoutError, match="buyer_name"):
        render_escp(vat, values)
    values = sample_invoice_values()
    values["items"] = values["items"] * 3
    with pytest.raises(FormLayoutError, match="room for 5"):
        render_escp(vat, values)
    values = sample_invoice_values()
    values["total_tax"] = 130.0  # money as float is refused
    with pytest.raises(FormLayoutError, match="float"):
        render_escp(vat, values)
    values = sample_invoice_values()
    values["buyer_name"] = "北京\n某某"
    with pytest.raises(FormLayoutError, match="control"):
        render_escp(vat, values)


def test_calibration_offsets_shift_everything():
    data = render_escp(one_field_form(), {"f": "X"}, offset_x_mm=1.5, offset_y_mm=-2.0)
    item = decode_escp(data)[0].items[0]
    assert item.x_mm == pytest.approx(26.9, abs=0.05)
    assert item.y_mm == pytest.approx(23.4, abs=0.05)
    with pytest.raises(FormLayoutError, match="off the form"):
        render_escp(one_field_form(x_mm=1.0), {"f": "X"}, offset_x_mm=-2.0)


def test_consecutive_forms_do_not_drift(vat):
    values = sample_invoice_values()
    data = render_escp(vat, values) * 3
    forms = decode_escp(data)
    assert len(forms) == 3
    for form in forms:
        assert form.find("北京某某科技有限公司").near(40.0, 30.0, tolerance_mm=0.1)


@pytest.mark.parametrize("bad, message", [
    ({"page": {"width_mm": 241.3, "height_mm": 139.7},
      "fields": {"f": {"x_mm": 220, "y_mm": 10, "max_width_mm": 40}}}, "leaves"),
    ({"page": {"width_mm": 241.3, "height_mm": 139.7},
      "fields": {"f": {"x_mm": 10, "y_mm": 10, "max_width_mm": 40, "colour": "red"}}}, "unknown"),
    ({"page": {"width_mm": 241.3, "height_mm": 139.7},
      "fields": {"f": {"x_mm": 10, "y_mm": 10, "max_width_mm": 40, "font": "bold"}}}, "font"),
    ({"page": {"width_mm": 241.3}}, "height_mm"),
    ({"page": {"width_mm": 241.3, "height_mm": 139.7},
      "tables": {"t": {"first_row_y_mm": 100, "row_pitch_mm": 10, "max_rows": 5,
                       "columns": {"c": {"x_mm": 10, "max_width_mm": 20}}}}}, "last row"),
])
def test_malformed_layouts_are_refused(bad, message):
    with pytest.raises(FormLayoutError, match=message):
        parse_form(bad)


def test_unknown_layout_name_lists_the_shipped_ones():
    with pytest.raises(FormLayoutError, match="vat_general_241x140"):
        load_form("no_such_form")


def test_decoder_survives_garbage():
    forms = decode_escp(bytes(range(256)) * 20 + b"\x1b(V\x02\x00" + b"\x1b")
    assert isinstance(forms, list)
    assert decode_escp(b"") == []
    assert decode_escp(b"\x1b(V\x02\x00\x68\x01\x1b$\x68\x01" + b"\x1c&" + "中".encode("gb18030"))[0] \
        .items[0].text == "中"


def test_amounts_must_be_exact():
    with pytest.raises(FormLayoutError):
        fit(one_field_form(format="money").place({"f": Decimal("1.005")})[0])
    assert fit(one_field_form(format="money", prefix="￥").place({"f": 12})[0]).text == "￥12.00"
