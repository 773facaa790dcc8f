"""Invoice code (发票代码) -> invoice type and region, by the platform's own rules."""
from __future__ import annotations

from .errors import InvoiceQrError

UNKNOWN_TYPE = "99"
# Separately planned cities keep their own region code instead of the province's.
_PLANNED_CITIES = frozenset({"2102", "3302", "3502", "3702", "4403"})
_TYPE_BY_12_SUFFIX = {"11": "10", "04": "04", "05": "04", "06": "11", "07": "11",
                      "12": "14", "13": "08", "17": "15"}
_TYPE_BY_10_KIND = {"1": "01", "5": "01", "3": "04", "6": "04", "2": "02", "7": "02"}
# Early e-general invoices whose codes predate the suffix rule; the platform lists them
# by name before any other rule.
_E_GENERAL_EXCEPTIONS = frozenset({"144031539110", "131001570151", "133011501118",
                                   "111001571071"})
MOTOR_VEHICLE_TYPE = "03"  # 机动车销售统一发票


def province_region(region: str) -> str:
    """Reduce a 4-digit region to province level, except separately planned cities."""
    return region if region in _PLANNED_CITIES else region[:2] + "00"


def invoice_code_info(code: str) -> tuple[str, str]:
    """Return (type_code, region) for a 10- or 12-digit invoice code.

    The type is "99" when the code's digits name no known type. Anything that is not a
    10- or 12-digit string raises InvoiceQrError (a ValueError).
    """
    code = code.strip() if isinstance(code, str) else code
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise InvoiceQrError("an invoice code has only digits", "code.format", "code")
    if len(code) == 12:
        return _type_of_12(code), province_region(code[1:5])
    if len(code) == 10:
        return _TYPE_BY_10_KIND.get(code[7], UNKNOWN_TYPE), province_region(code[0:4])
    raise InvoiceQrError("an invoice code has 10 or 12 digits", "code.length", "code")


def _type_of_12(code: str) -> str:
    """The platform's order: the named exceptions, then the suffix of codes starting
    with 0, then motor-vehicle invoices (first digit not 0, eighth digit 2)."""
    if code in _E_GENERAL_EXCEPTIONS:
        return "10"
    if code[0] == "0":
        return _TYPE_BY_12_SUFFIX.get(code[10:12], UNKNOWN_TYPE)
    return MOTOR_VEHICLE_TYPE if code[7] == "2" else UNKNOWN_TYPE
