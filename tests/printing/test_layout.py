"""Column layout: CJK takes two columns, nothing overflows the line."""
from hypothesis import given, settings
from hypothesis import strategies as st

from printing.document import Columns, Document, KeyValue, Text
from printing.layout import display_width, layout, pad, wrap


def test_widths():
    assert display_width("abc") == 3
    assert display_width("发票") == 4
    assert display_width("，") == 2
    assert pad("发票", 6, "right") == "  发票"
    assert pad("发票查验", 5) == "发票 "  # never half a character


def test_wrap_keeps_words_and_breaks_cjk():
    assert wrap("hello world again", 11) == ["hello world", "again"]
    assert wrap("发票查验结果", 5) == ["发票", "查验", "结果"]
    assert wrap("a\nb", 10) == ["a", "b"]
    assert wrap("x" * 12, 5) == ["xxxxx", "xxxxx", "xx"]


def test_key_value_fits_or_wraps():
    (line,) = layout(Document([KeyValue("发票号码", "123")]), 20)
    assert line.as_string() == "发票号码         123"
    lines = layout(Document([KeyValue("Seller", "北京某某科技有限公司" * 2)]), 20)
    assert lines[0].as_string() == "Seller"
    assert all(ln.as_string().startswith("  ") for ln in lines[1:])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.text(max_size=60), st.integers(16, 64))
def test_lines_never_exceed_the_paper(text, value, cpl):
    doc = Document([Text(text), KeyValue(text[:20], value), Columns([text, value, "x"], [2, 1, 1])])
    for item in layout(doc, cpl):
        assert display_width(item.as_string()) <= item.columns
