"""Layouts of pre-printed forms (invoices on continuous fanfold paper) for dot-matrix
printers: where each value goes, in millimetres from the top-left corner of the form.

A layout is a TOML file (see README.md in this folder and vat_general_241x140.toml):
the page size, named fields (x_mm, y_mm, max_width_mm, font, align, and how to format
the value) and tables (the invoice's item rows: a first row, a row pitch and columns).
Layouts are data so a hall can adapt to a new form edition without a code change, and
they are checked strictly when loaded: a field off the page or an unknown key is an
error at start, not a misprinted invoice.

`FormLayout.place(values)` turns a values dict into printer-independent positioned
texts; `printing.escp_render` turns those into ESC/P bytes.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from ..chinese_amount import amount_in_chinese_capitals

FontName = Literal["normal", "condensed", "double"]
Align = Literal["left", "center", "right"]
Format = Literal["text", "money", "capitals"]
Overflow = Literal["shrink", "truncate", "error"]

FONTS: tuple[str, ...] = ("normal", "condensed", "double")
ALIGNS: tuple[str, ...] = ("left", "center", "right")
FORMATS: tuple[str, ...] = ("text", "money", "capitals")
OVERFLOWS: tuple[str, ...] = ("shrink", "truncate", "error")
FORMS_DIR = Path(__file__).resolve().parent

_FIELD_KEYS = frozenset({"x_mm", "y_mm", "max_width_mm", "font", "align", "key", "format",
                         "prefix", "required", "overflow"})
_TABLE_KEYS = frozenset({"first_row_y_mm", "row_pitch_mm", "max_rows", "columns"})
_TOP_KEYS = frozenset({"name", "title", "page", "fields", "tables"})


class FormLayoutError(ValueError):
    """A layout file is malformed, or values do not fit the layout."""


@dataclass(frozen=True)
class FormField:
    """One value on the form. `y_mm` is the top of the characters; `x_mm` the left
    edge of the box `max_width_mm` wide in which the text is aligned."""

    name: str
    x_mm: float
    y_mm: float
    max_width_mm: float
    font: FontName = "normal"
    align: Align = "left"
    key: str = ""  # the values key; the field name when empty
    format: Format = "text"
    prefix: str = ""  # e.g. "¥" before an amount
    required: bool = False
    overflow: Overflow = "shrink"  # too wide: condense, else refuse; or cut

    @property
    def value_key(self) -> str:
        return self.key or self.name

    def render_value(self, value: Any) -> str:
        """The text for `value` according to `format` (raises FormLayoutError)."""
        if self.format == "text":
            text = "" if value is None else str(value)
        elif self.format == "money":
            text = format_money(value, what=self.name)
        else:
            try:
                text = amount_in_chinese_capitals(value)
            except ValueError as exc:
                raise FormLayoutError(f"field {self.name}: {exc}") from None
        if any(ch in text for ch in "\r\n\t\x0c") or any(ord(ch) < 0x20 for ch in text):
            raise FormLayoutError(f"field {self.name}: control characters are not printable")
        return self.prefix + text if text else ""


@dataclass(frozen=True)
class FormTable:
    """Rows of a list value (the invoice's items): row i is at first_row_y_mm +
    i * row_pitch_mm; each column is a field whose y_mm is an offset in the row."""

    name: str
    first_row_y_mm: float
    row_pitch_mm: float
    max_rows: int
    columns: tuple[FormField, ...]


@dataclass(frozen=True)
class PlacedText:
    """A text at its place on the form, before any printer-specific fitting."""

    field: str  # "buyer_name", or "items[2].amount" for table cells
    x_mm: float
    y_mm: float
    max_width_mm: float
    text: str
    font: FontName
    align: Align
    overflow: Overflow


@dataclass(frozen=True)
class FormLayout:
    name: str
    width_mm: float
    height_mm: float
    fields: tuple[FormField, ...]
    tables: tuple[FormTable, ...] = ()
    title: str = ""
    source: str = field(default="", compare=False)

    def get_field(self, name: str) -> FormField:
        """A field by name; table columns as "items.amount"."""
        for f in self.fields:
            if f.name == name:
                return f
        for table in self.tables:
            for col in table.columns:
                if f"{table.name}.{col.name}" == name:
                    return col
        raise KeyError(name)

    def place(self, values: Mapping[str, Any]) -> list[PlacedText]:
        """Positioned texts for `values`, top to bottom then left to right (the order a
        dot-matrix head should visit them: it may not move the paper back far).

        Missing optional values are left blank; a missing required value, a table with
        more rows than the form has, or a value that cannot be formatted raises
        FormLayoutError. Unknown keys in `values` are ignored (one values dict can
        serve several form editions).
        """
        placed: list[PlacedText] = []
        for f in self.fields:
            value = values.get(f.value_key)
            if value is None or value == "":
                if f.required:
                    raise FormLayoutError(f"field {f.name}: a value is required")
                continue
            text = f.render_value(value)
            if text:
                placed.append(PlacedText(f.name, f.x_mm, f.y_mm, f.max_width_mm, text,
                                         f.font, f.align, f.overflow))
        for table in self.tables:
            rows = values.get(table.name) or []
            if isinstance(rows, (str, bytes, Mapping)):
                raise FormLayoutError(f"table {table.name}: expected a list of rows")
            rows = list(rows)
            if len(rows) > table.max_rows:
                raise FormLayoutError(
                    f"table {table.name}: {len(rows)} rows, the form has room for "
                    f"{table.max_rows} (issue a detail list instead)")
            for i, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    raise FormLayoutError(f"table {table.name}: row {i} is not a mapping")
                y = table.first_row_y_mm + i * table.row_pitch_mm
                for col in table.columns:
                    value = row.get(col.value_key)
                    if value is None or value == "":
                        if col.required:
                            raise FormLayoutError(f"{table.name}[{i}].{col.name}: a value is required")
                        continue
                    text = col.render_value(value)
                    if text:
                        placed.append(PlacedText(f"{table.name}[{i}].{col.name}", col.x_mm,
                                                 y + col.y_mm, col.max_width_mm, text, col.font,
                                                 col.align, col.overflow))
        placed.sort(key=lambda p: (round(p.y_mm, 3), p.x_mm))
        return placed


def format_money(value: Any, *, what: str = "amount") -> str:
    """An amount with exactly two decimals ("1130.00"); refuses floats and amounts
    that are not exact to the fen, for the same reason as the capitals."""
    if isinstance(value, float):
        raise FormLayoutError(f"field {what}: pass money as Decimal, int or str, not float")
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise FormLayoutError(f"field {what}: not an amount: {value!r}") from None
    if not d.is_finite() or d * 100 != (d * 100).to_integral_value():
        raise FormLayoutError(f"field {what}: {value!r} is not an amount exact to the fen")
    return f"{d:.2f}"


def load_form(name_or_path: str | Path) -> FormLayout:
    """Load a layout: a file path, or the name of one shipped in printing/forms/."""
    path = Path(name_or_path)
    if not path.suffix and not path.is_absolute() and len(path.parts) == 1:
        path = FORMS_DIR / f"{path.name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in FORMS_DIR.glob("*.toml")))
        raise FormLayoutError(f"no form layout {name_or_path!r} (shipped: {known})") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormLayoutError(f"{path}: {exc}") from None
    return parse_form(data, source=str(path), default_name=path.stem)


def parse_form(data: Mapping[str, Any], *, source: str = "", default_name: str = "") -> FormLayout:
    """Build and check a layout from parsed TOML/JSON data."""
    where = source or "form layout"
    _no_unknown(data, _TOP_KEYS, where)
    page = data.get("page")
    if not isinstance(page, Mapping):
        raise FormLayoutError(f"{where}: [page] with width_mm and height_mm is required")
    _no_unknown(page, {"width_mm", "height_mm"}, f"{where} [page]")
    width = _number(page, "width_mm", f"{where} [page]", minimum=20, maximum=500)
    height = _number(page, "height_mm", f"{where} [page]", minimum=20, maximum=1000)
    fields_data = data.get("fields") or {}
    if not isinstance(fields_data, Mapping):
        raise FormLayoutError(f"{where}: [fields] must be a table")
    fields = tuple(_parse_field(name, spec, f"{where} fields.{name}")
                   for name, spec in fields_data.items())
    for f in fields:
        _check_inside(f, f.y_mm, width, height, f"{where} fields.{f.name}")
    tables = []
    for name, spec in (data.get("tables") or {}).items():
        twhere = f"{where} tables.{name}"
        if not isinstance(spec, Mapping):
            raise FormLayoutError(f"{twhere}: must be a table")
        _no_unknown(spec, _TABLE_KEYS, twhere)
        first = _number(spec, "first_row_y_mm", twhere, minimum=0, maximum=height)
        pitch = _number(spec, "row_pitch_mm", twhere, minimum=2, maximum=height)
        rows = spec.get("max_rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 100:
            raise FormLayoutError(f"{twhere}: max_rows must be an integer 1..100")
        cols_data = spec.get("columns")
        if not isinstance(cols_data, Mapping) or not cols_data:
            raise FormLayoutError(f"{twhere}: columns are required")
        columns = tuple(_parse_field(cname, cspec, f"{twhere}.columns.{cname}", in_table=True)
                        for cname, cspec in cols_data.items())
        for col in columns:
            _check_inside(col, first + col.y_mm, width, height, f"{twhere}.columns.{col.name}")
            _check_inside(col, first + (rows - 1) * pitch + col.y_mm, width, height,
                          f"{twhere}.columns.{col.name} (last row)")
        tables.append(FormTable(name, first, pitch, rows, columns))
    names = [f.name for f in fields] + [t.name for t in tables]
    if len(set(names)) != len(names):
        raise FormLayoutError(f"{where}: a name is used twice")
    name = data.get("name", default_name)
    title = data.get("title", "")
    if not isinstance(name, str) or not isinstance(title, str):
        raise FormLayoutError(f"{where}: name and title must be text")
    return FormLayout(name=name, title=title, width_mm=width, height_mm=height, fields=fields,
                      tables=tuple(tables), source=source)


def _parse_field(name: str, spec: Any, where: str, *, in_table: bool = False) -> FormField:
    if not isinstance(spec, Mapping):
        raise FormLayoutError(f"{where}: must be a table")
    _no_unknown(spec, _FIELD_KEYS, where)
    x = _number(spec, "x_mm", where, minimum=0, maximum=1000)
    y = _number(spec, "y_mm", where, minimum=0, maximum=1000, default=0.0 if in_table else None)
    w = _number(spec, "max_width_mm", where, minimum=1, maximum=1000)
    choices = {"font": FONTS, "align": ALIGNS, "format": FORMATS, "overflow": OVERFLOWS}
    chosen: dict[str, str] = {}
    for key, allowed in choices.items():
        value = spec.get(key, allowed[0])
        if value not in allowed:
            raise FormLayoutError(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")
        chosen[key] = value
    key = spec.get("key", "")
    prefix = spec.get("prefix", "")
    required = spec.get("required", False)
    if not isinstance(key, str) or not isinstance(prefix, str) or not isinstance(required, bool):
        raise FormLayoutError(f"{where}: key and prefix must be text, required true or false")
    return FormField(name=name, x_mm=x, y_mm=y, max_width_mm=w, key=key, prefix=prefix,
                     required=required, **chosen)  # type: ignore[arg-type]


def _number(spec: Mapping[str, Any], key: str, where: str, *, minimum: float, maximum: float,
            default: float | None = None) -> float:
    value = spec.get(key, default)
    if value is None:
        raise FormLayoutError(f"{where}: {key} is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormLayoutError(f"{where}: {key} must be a number")
    if not minimum <= value <= maximum:
        raise FormLayoutError(f"{where}: {key} = {value} is outside {minimum}..{maximum}")
    return float(value)


def _check_inside(f: FormField, y: float, width: float, height: float, where: str) -> None:
    if f.x_mm + f.max_width_mm > width + 1e-9 or y >= height:
        raise FormLayoutError(f"{where}: the field box leaves the {width} x {height} mm page")


def _no_unknown(spec: Mapping[str, Any], allowed: frozenset[str] | set[str], where: str) -> None:
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise FormLayoutError(f"{where}: unknown key(s) {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(allowed))})")


def sample_invoice_values() -> dict[str, Any]:
    """A complete, plausible VAT general invoice (fictitious parties): the maintenance
    screen's alignment test print, and test data."""
    return {
        "invoice_code": "044031900111",
        "invoice_number": "12345678",
        "issue_date": "2024年11月28日",
        "check_code": "12345 67890 12345 67890",
        "buyer_name": "北京某某科技有限公司",
        "buyer_tin": "91110108MA01ABCD2X",
        "buyer_address_phone": "北京市海淀区中关村大街1号 010-12345678",
        "buyer_bank_account": "中国工商银行北京中关村支行 0200001234567890123",
        "items": [
            {"name": "*信息技术服务*软件维护费", "spec": "", "unit": "项", "qty": "1",
             "unit_price": "900.00", "amount": Decimal("900.00"), "tax_rate": "13%",
             "tax": Decimal("117.00")},
            {"name": "*纸制品*打印纸", "spec": "A4 70g", "unit": "箱", "qty": "2",
             "unit_price": "50.00", "amount": Decimal("100.00"), "tax_rate": "13%",
             "tax": Decimal("13.00")},
        ],
        "total_amount": Decimal("1000.00"),
        "total_tax": Decimal("130.00"),
        "total_with_tax": Decimal("1130.00"),
        "seller_name": "深圳市某某贸易有限公司",
        "seller_tin": "91440300MA5FXYZ12K",
        "seller_address_phone": "深圳市南山区科技园路2号 0755-87654321",
        "seller_bank_account": "招商银行深圳科技园支行 755912345678901",
        "remarks": "",
        "payee": "李四",
        "reviewer": "王五",
        "issuer": "张三",
    }
