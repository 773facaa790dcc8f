"""Colour contrast of every token pair, and physical sizes of the themed controls."""
from __future__ import annotations

import re
from dataclasses import fields

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.theme import (
    HIGH_CONTRAST,
    MIN_NON_TEXT_CONTRAST,
    MIN_TEXT_CONTRAST,
    NON_TEXT_PAIRS,
    NORMAL,
    PALETTES,
    TEXT_PAIRS,
    Palette,
    Theme,
    contrast_ratio,
    set_style_property,
)
from ui.units import BODY_CAP_MM, Size, Units, current_units, set_current_units
from ui.widgets.buttons import make_button

TOKENS = [f.name for f in fields(Palette) if f.name != "name"]


# -- contrast -------------------------------------------------------------------------

def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#fff", "#0B3D91") == contrast_ratio("#0B3D91", "#FFFFFF")


def test_contrast_ratio_rejects_non_colours() -> None:
    with pytest.raises(ValueError):
        contrast_ratio("white", "#000000")
    with pytest.raises(ValueError):
        contrast_ratio("#12345678", "#000000")


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
@pytest.mark.parametrize("fg,bg", TEXT_PAIRS, ids=lambda v: v)
def test_text_pairs_reach_7_to_1(palette: Palette, fg: str, bg: str) -> None:
    ratio = contrast_ratio(getattr(palette, fg), getattr(palette, bg))
    assert ratio >= MIN_TEXT_CONTRAST, f"{palette.name}: {fg} on {bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
@pytest.mark.parametrize("fg,bg", NON_TEXT_PAIRS, ids=lambda v: v)
def test_borders_and_focus_reach_3_to_1(palette: Palette, fg: str, bg: str) -> None:
    ratio = contrast_ratio(getattr(palette, fg), getattr(palette, bg))
    assert ratio >= MIN_NON_TEXT_CONTRAST, f"{palette.name}: {fg} next to {bg} is {ratio:.2f}:1"


def test_every_token_is_in_a_checked_pair() -> None:
    checked = {t for pair in TEXT_PAIRS + NON_TEXT_PAIRS for t in pair}
    assert set(TOKENS) <= checked, f"unchecked tokens: {set(TOKENS) - checked}"


def test_pairs_name_real_tokens() -> None:
    for fg, bg in TEXT_PAIRS + NON_TEXT_PAIRS:
        assert fg in TOKENS and bg in TOKENS


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_DECL = re.compile(r"(?<![-\w])(color|background-color)\s*:\s*(#[0-9A-Fa-f]{6})")


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_stylesheet_uses_only_tokens_and_checked_pairs(palette: Palette, units: Units) -> None:
    sheet = Theme(palette, units).stylesheet()
    token_values = {v.upper() for v in palette.colours().values()}
    for colour in re.findall(r"#[0-9A-Fa-f]{6}\b", sheet):
        assert colour.upper() in token_values, f"stray colour {colour}"
    pairs_in_rules = 0
    for selector, body in _RULE.findall(sheet):
        decls = {k: v.upper() for k, v in _DECL.findall(body)}
        if "color" in decls and "background-color" in decls:
            pairs_in_rules += 1
            ratio = contrast_ratio(decls["color"], decls["background-color"])
            assert ratio >= MIN_TEXT_CONTRAST, f"{selector.strip()}: {ratio:.2f}:1"
    assert pairs_in_rules >= 8


def test_normal_theme_is_calm_blue_on_white() -> None:
    assert NORMAL.background == "#FFFFFF"
    assert contrast_ratio(NORMAL.text, NORMAL.background) >= 15
    assert HIGH_CONTRAST.background == "#000000"


# -- units ----------------------------------------------------------------------------

def test_units_convert_millimetres_rounding_up(units: Units) -> None:
    assert units.px(25.4) == 93
    assert units.px(12) == 44  # 43.94 rounds up: a minimum is never undershot
    assert units.mm(units.px(12)) >= 12
    assert Units(ppi=186).px(12) == 88


def test_body_font_has_4_8_mm_capitals(qapp: QApplication, units: Units) -> None:
    assert units.body_font_px == 26  # 4.8 mm / 0.7 at 93 PPI = 25.1 px
    cap = QFontMetricsF(Theme(NORMAL, units).font()).capHeight()
    assert units.mm(cap) >= BODY_CAP_MM


def test_large_text_is_1_25x(units: Units) -> None:
    large = units.with_large_text(True)
    assert large.large_text and not units.large_text
    assert large.body_font_px == pytest.approx(units.body_font_px * 1.25, abs=1)
    assert large.with_large_text(False) == units
    assert large.px(12) == units.px(12)  # only text grows, not the layout grid


def test_units_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        Units(ppi=0)
    with pytest.raises(ValueError):
        Units(text_scale=-1)


def test_current_units_can_be_replaced(qapp: QApplication) -> None:
    before = current_units()
    try:
        set_current_units(Units(ppi=120))
        assert make_button("x", "action.x").minimumHeight() == Units(ppi=120).px(Size.SECONDARY)
    finally:
        set_current_units(before)


# -- themed sizes ---------------------------------------------------------------------

def _height_mm(widget: QWidget, units: Units) -> float:
    return units.mm(widget.height())


def test_themed_controls_have_physical_sizes(qtbot: QtBot, themed: Theme, units: Units) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = QVBoxLayout(host)
    primary = make_button("Confirm", "action.confirm", role="primary")
    secondary = make_button("Back", "action.back")
    tile = make_button("Invoice verification", "tile.invoice.verify", role="tile")
    field = QLineEdit()
    field.setObjectName("field.test")
    for w in (primary, secondary, tile, field):
        box.addWidget(w)
    host.show()
    qtbot.waitExposed(host)

    assert 18 <= _height_mm(primary, units) <= 20.5
    assert _height_mm(secondary, units) >= 12
    assert _height_mm(tile, units) >= 30
    assert units.mm(tile.width()) >= 55
    assert _height_mm(field, units) >= 12


def test_focus_ring_does_not_move_anything(qtbot: QtBot, themed: Theme) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = QVBoxLayout(host)
    a = make_button("A", "action.a")
    b = make_button("B", "action.b", role="primary")
    field = QLineEdit()
    for w in (a, b, field):
        box.addWidget(w)
    host.show()
    qtbot.waitExposed(host)
    sizes = [w.size() for w in (a, b, field)]
    hints = [w.sizeHint() for w in (a, b, field)]
    for w in (a, b, field):
        w.setFocus()
        qtbot.waitUntil(w.hasFocus)
        assert [x.size() for x in (a, b, field)] == sizes
        assert [x.sizeHint() for x in (a, b, field)] == hints


def test_titles_are_bigger_than_body(qtbot: QtBot, themed: Theme, units: Units) -> None:
    title, body = QLabel("Title"), QLabel("Body")
    title.setProperty("role", "title")
    for w in (title, body):
        qtbot.addWidget(w)
        w.ensurePolished()
    assert body.font().pixelSize() == units.body_font_px
    assert title.font().pixelSize() == units.title_font_px > units.body_font_px


def test_make_button_sets_the_automation_contract(qapp: QApplication, units: Units) -> None:
    b = make_button("Print", "action.print", role="primary", accessible_name="Print a slip",
                    units=units)
    assert b.objectName() == "action.print"
    assert b.accessibleName() == "Print a slip"
    assert b.property("role") == "primary"
    assert b.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert b.minimumHeight() == units.px(Size.PRIMARY)
    assert make_button("&Back", "action.back").accessibleName() == "Back"
    with pytest.raises(ValueError):
        make_button("x", "", units=units)
    with pytest.raises(ValueError):
        make_button("x", "action.x", role="huge")  # type: ignore[arg-type]


def test_high_contrast_switches_at_runtime(qtbot: QtBot, qapp: QApplication,
                                          themed: Theme, units: Units) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    Theme(HIGH_CONTRAST, units).apply(qapp)
    assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(HIGH_CONTRAST.background)
    assert HIGH_CONTRAST.focus in qapp.styleSheet()
    assert Theme.for_settings(high_contrast=True, large_text=True, ppi=93).high_contrast


def test_style_property_change_repolishes(qtbot: QtBot, themed: Theme) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    set_style_property(field, "invalid", True)
    assert field.property("invalid") is True


# -- visual identity (issue #9 §3) ------------------------------------------------------

_SELECTOR_BG = re.compile(r"(?<![-\w])background-color\s*:\s*(#[0-9A-Fa-f]{6})")


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_descendant_text_is_checked_against_its_ancestors_fill(palette: Palette,
                                                              units: Units) -> None:
    """A rule such as `QFrame[role="header"] QLabel { color }` sets text on the fill of
    its ancestor rule: that pair reaches 7:1 too (the header band, the banner)."""
    sheet = Theme(palette, units).stylesheet()
    fills: dict[str, str] = {}
    for selector, body in _RULE.findall(sheet):
        m = _SELECTOR_BG.search(body)
        for one in selector.split(","):
            if m:
                fills[one.strip()] = m.group(1).upper()
    checked = 0
    for selector, body in _RULE.findall(sheet):
        decls = {k: v.upper() for k, v in _DECL.findall(body)}
        if "color" not in decls or "background-color" in decls:
            continue
        for one in selector.split(","):
            parts = one.strip().split()
            # The nearest ancestor selector with a fill (longest prefix first).
            for n in range(len(parts) - 1, 0, -1):
                fill = fills.get(" ".join(parts[:n]))
                if fill is not None:
                    ratio = contrast_ratio(decls["color"], fill)
                    assert ratio >= MIN_TEXT_CONTRAST, f"{one.strip()}: {ratio:.2f}:1"
                    checked += 1
                    break
    assert checked >= 3  # header labels, banner labels


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_every_text_token_pair_on_each_fill_is_listed(palette: Palette) -> None:
    """Each fill a text sits on in the stylesheet has its pair in TEXT_PAIRS, so a new
    rule cannot bring an unchecked combination (tokens sharing a value: any of them)."""
    sheet = Theme(palette, Units()).stylesheet()
    tokens_of: dict[str, set[str]] = {}
    for token, value in palette.colours().items():
        tokens_of.setdefault(value.upper(), set()).add(token)
    for selector, body in _RULE.findall(sheet):
        decls = {k: v.upper() for k, v in _DECL.findall(body)}
        if "color" in decls and "background-color" in decls:
            candidates = {(fg, bg) for fg in tokens_of[decls["color"]]
                          for bg in tokens_of[decls["background-color"]]}
            assert candidates & set(TEXT_PAIRS), \
                f"{selector.strip()}: none of {sorted(candidates)} is listed"


def test_tax_blue_identity() -> None:
    # The tax service's deep blue, with white text well above 7:1 on it.
    assert NORMAL.primary == "#0B4EA2"
    assert contrast_ratio(NORMAL.on_primary, NORMAL.primary) >= 7.5
    assert contrast_ratio(NORMAL.on_header, NORMAL.primary_dark) >= 10
    # The gold accent is decoration on the header band, never body text.
    assert ("accent", "background") not in TEXT_PAIRS


def test_spacing_tokens_keep_targets_apart() -> None:
    from ui.theme import IconSize, Space

    steps = [Space.XS, Space.S, Space.M, Space.L, Space.XL]
    assert steps == sorted(steps)
    assert Space.S >= Size.GAP  # ux.md: at least 3 mm between targets
    # Icons at 93 PPI land on the 24 px grid the SVGs are drawn on.
    assert Units().px(IconSize.TILE) == 48


def test_current_theme_follows_apply(qapp: QApplication, units: Units) -> None:
    from ui.theme import current_theme

    Theme(HIGH_CONTRAST, units).apply(qapp)
    assert current_theme().high_contrast
    Theme(NORMAL, units).apply(qapp)
    assert not current_theme().high_contrast


def test_style_property_change_restyles_descendants(qtbot: QtBot, themed: Theme) -> None:
    """A child styled through its parent's property follows the change (the offline
    banner's label turned unreadable in high contrast when the banner changed state)."""
    from PySide6.QtWidgets import QFrame

    Theme(HIGH_CONTRAST, themed.units).apply(QApplication.instance())  # type: ignore[arg-type]
    frame = QFrame()
    frame.setProperty("role", "banner")
    frame.setProperty("state", "offline")
    label = QLabel("Uploading", frame)
    qtbot.addWidget(frame)
    frame.show()
    qtbot.waitExposed(frame)
    hc = HIGH_CONTRAST
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(hc.banner_text)
    set_style_property(frame, "state", "uploading")
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(hc.text)
