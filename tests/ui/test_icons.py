"""Icons (ui/icons) and illustrations (ui/illustrations): every name the catalogue and
the action bar use exists, renders non-empty, in the colour asked, in both themes."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import shiboken6
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk.services.catalogue import CATALOGUE
from ui import icons
from ui.theme import HIGH_CONTRAST, NORMAL, PALETTES, Palette, Theme
from ui.units import Units
from ui.widgets.illustration import SCENE_COLOURS, SCENE_DIR, SCENES, render_element

SERVICE_ICONS = (
    "invoice-verify", "identity", "taxpayer-info", "credit-rating", "arrears", "progress",
    "notices", "certificate-print", "certificate-verify", "voucher-reprint",
    "residence-certificate", "pay-tax", "invoice-pickup", "lottery", "invoice-issue",
    "guide", "calendar", "departure-refund", "announcements", "calculator", "consult",
    "callback", "school", "suggestion",
)
ACTION_ICONS = (
    "home", "back", "confirm", "cancel", "print", "language", "text-size", "contrast",
    "voice", "call-staff", "help", "scan", "keyboard", "refresh", "sync",
)


def _ink(image: QImage) -> tuple[int, set[str]]:
    """Opaque pixels and their colours (fully opaque ones only: edges are blended)."""
    count, colours = 0, set()
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > 0:
                count += 1
            if c.alpha() == 255:
                colours.add(c.name().upper())
    return count, colours


def _near(a: str, b: str) -> bool:
    """Equal but for rounding where antialiased strokes overlap."""
    ca, cb = QColor(a), QColor(b)
    return max(abs(ca.red() - cb.red()), abs(ca.green() - cb.green()),
               abs(ca.blue() - cb.blue())) <= 2


def test_every_catalogue_icon_exists_and_renders(qapp: QApplication) -> None:
    for spec in CATALOGUE:
        pix = icons.pixmap(spec.icon, 48, "#0B4EA2")
        count, _ = _ink(pix.toImage())
        assert count > 48 * 48 * 0.04, f"{spec.id}: icon {spec.icon!r} is (nearly) empty"


@pytest.mark.parametrize("name", SERVICE_ICONS + ACTION_ICONS + ("mark",))
def test_icon_renders_in_the_colour_asked(qapp: QApplication, name: str) -> None:
    for size in (24, 48):
        image = icons.pixmap(name, size, "#0B4EA2").toImage()
        count, colours = _ink(image)
        assert count > size * size * 0.04, f"{name} at {size}px is (nearly) empty"
        assert all(_near(c, "#0B4EA2") for c in colours), f"{name}: stray colours {colours}"
        assert image.size() == QSize(size, size)


def test_icon_files_follow_the_house_style() -> None:
    for name in icons.names():
        text = (icons.ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")
        root = ET.fromstring(text)
        assert root.get("viewBox") == "0 0 24 24", name
        assert not re.search(r"#[0-9A-Fa-f]{3,6}\b", text), f"{name}: a fixed colour"
        assert "<text" not in text, f"{name}: text glyphs differ between machines"


def test_aliases_and_actions_name_real_icons() -> None:
    for alias in icons.ALIASES:
        assert icons.resolve(alias) in icons.names()
    for name in icons.ACTION_ICONS.values():
        assert icons.resolve(name) in icons.names()
    with pytest.raises(icons.UnknownIcon):
        icons.resolve("no-such-icon")
    with pytest.raises(ValueError):
        icons.pixmap("home", 0)


def test_renderings_are_cached(qapp: QApplication) -> None:
    a = icons.pixmap("print", 26, "#123456")
    assert icons.pixmap("print", 26, "#123456").cacheKey() == a.cacheKey()
    assert icons.icon("print", 26, "#123456").cacheKey() == \
        icons.icon("print", 26, "#123456").cacheKey()
    assert icons.pixmap("print", 26, "#654321").cacheKey() != a.cacheKey()


def _icon_colour(button: QPushButton) -> set[str]:
    colours = _ink(button.icon().pixmap(button.iconSize()).toImage())[1]
    return {c for c in colours if not any(_near(c, o) and c != o for o in colours
                                          if o < c)}


def test_set_icon_follows_the_contrast_switch(qapp: QApplication, units: Units) -> None:
    old_sheet, old_palette = qapp.styleSheet(), qapp.palette()
    button = QPushButton("Home")
    try:
        Theme(NORMAL, units).apply(qapp)
        icons.set_icon(button, "home")
        assert _icon_colour(button) == {NORMAL.text.upper()}
        Theme(HIGH_CONTRAST, units).apply(qapp)
        assert _icon_colour(button) == {HIGH_CONTRAST.text.upper()}
        icons.set_icon(button, "back", tone="primary")  # replaces, one filter only
        assert len(button.findChildren(icons._ThemedIcon)) == 1
        assert _icon_colour(button) == {HIGH_CONTRAST.primary.upper()}
    finally:
        Theme(NORMAL, units).apply(qapp)
        qapp.setStyleSheet(old_sheet)
        qapp.setPalette(old_palette)
        # Now, not deleteLater(): with no event loop here the deferred delete never ran,
        # its themed-icon filter (a child that holds the button) kept it alive, and the
        # next module's theme switch crashed in QApplication::setStyleSheet repolishing
        # it (test_elderly.py after this test, in one process).
        shiboken6.delete(button)


# -- illustrations ----------------------------------------------------------------------

def test_scene_files_use_only_the_mapped_colours() -> None:
    for name in SCENES:
        text = (SCENE_DIR / f"{name}.svg").read_text(encoding="utf-8")
        used = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", text)}
        assert used <= set(SCENE_COLOURS), f"{name}: unmapped colours {used - set(SCENE_COLOURS)}"
        assert ET.fromstring(text).get("viewBox") == "0 0 320 240"


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", list(SCENES))
def test_scene_renders_in_theme_colours(qapp: QApplication, palette: Palette,
                                        name: str) -> None:
    image = render_element(name, palette, QSize(160, 120)).toImage()
    count, colours = _ink(image)
    assert count > 160 * 120 * 0.2, f"{name} is (nearly) empty"
    # The device to use is drawn in the primary colour, the "here" mark in focus.
    assert palette.primary.upper() in colours
    assert palette.focus.upper() in colours
    focus = SCENES[name].focus
    assert 0 <= focus.left() and focus.right() <= 320 and focus.bottom() <= 240


def test_illustration_names_the_hardware_in_both_languages(qtbot, zh) -> None:  # type: ignore[no-untyped-def]
    from ui.widgets.illustration import Illustration

    for name in SCENES:
        widget = Illustration(name)
        qtbot.addWidget(widget)
        assert widget.objectName() == f"illustration.{name}"
        assert widget.caption.text() and widget.caption.text().isascii() is False
    widget.set_caption("自定义")
    assert widget.caption.text() == "自定义"
    with pytest.raises(KeyError):
        Illustration("toaster")
