"""Contrast of every colour pair the themes actually paint (ux.md, issue #13 §4), read
from the generated stylesheets of every theme: normal and high contrast, each also in
simple (elderly) mode and with larger text. Text >= 7:1 against the fill it is drawn
on; control borders and focus rings >= 3:1 against the fill beside them.

A rule that sets no fill of its own is drawn on whatever holds it: the page
(`background`), a panel or card (`surface`), or, inside the header band, that band."""
from __future__ import annotations

import re
from itertools import product

import pytest

from ui.theme import (
    HIGH_CONTRAST,
    MIN_NON_TEXT_CONTRAST,
    MIN_TEXT_CONTRAST,
    NORMAL,
    Palette,
    Theme,
    contrast_ratio,
)
from ui.units import Units

THEMES = [pytest.param(Theme(p, Units(ppi=93.0).with_large_text(large).with_simple(simple)),
                       id=f"{p.name}{'-simple' if simple else ''}{'-large' if large else ''}")
          for p, simple, large in product((NORMAL, HIGH_CONTRAST), (False, True), (False, True))]

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COLOUR = r"(#[0-9A-Fa-f]{6})"
_TEXT = re.compile(r"(?<![-\w])color\s*:\s*" + _COLOUR)
_FILL = re.compile(r"(?<![-\w])background(?:-color)?\s*:\s*" + _COLOUR)
_BORDER = re.compile(r"(?<![-\w])border(?:-(?:left|right|top|bottom))?\s*:\s*[^;]*?" + _COLOUR)
_BORDER_COLOUR = re.compile(r"(?<![-\w])border-color\s*:\s*" + _COLOUR)


# Lines that only separate areas and bound no control (WCAG 1.4.11 asks 3:1 of what
# identifies a control or its state): the action bar's rule under its buttons.
DIVIDERS = frozenset({'QWidget[role="actionbar"]'})


def grounds(selector: str, palette: Palette) -> set[str]:
    """The fills a rule without its own fill may be drawn on."""
    if 'role="header"' in selector:
        return {palette.primary_dark}
    if 'role="banner"' in selector:  # the offline banner; while uploading, a panel
        return {palette.surface} if "uploading" in selector else {palette.banner_bg}
    return {palette.background, palette.surface}


def painted_pairs(theme: Theme) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(selector, foreground, fill) of the text pairs and of the border/focus pairs."""
    palette = theme.palette
    text: list[tuple[str, str, str]] = []
    lines: list[tuple[str, str, str]] = []
    fills_of: dict[str, str] = {}
    rules = [(sel.strip(), body) for sel, body in _RULE.findall(theme.stylesheet())]
    for selector, body in rules:
        fill = _FILL.search(body)
        if fill:
            for one in selector.split(","):
                fills_of[one.strip().split(":")[0]] = fill.group(1).upper()
    for selector, body in rules:
        own = _FILL.search(body)
        # A state rule (":focus", ":pressed") keeps the fill of its base rule.
        inherited = {fills_of[s.strip().split(":")[0]] for s in selector.split(",")
                     if s.strip().split(":")[0] in fills_of}
        under = {own.group(1).upper()} if own else (inherited or grounds(selector, palette))
        for colour in _TEXT.findall(body):
            text += [(selector, colour.upper(), g) for g in under]
        if selector in DIVIDERS:
            continue
        for colour in _BORDER.findall(body) + _BORDER_COLOUR.findall(body):
            # A border sits between the control's fill and what is around it.
            beside = grounds(selector, palette) | ({own.group(1).upper()} if own else set())
            lines += [(selector, colour.upper(), g) for g in beside if g != colour.upper()]
    return text, lines


@pytest.mark.parametrize("theme", THEMES)
def test_every_painted_text_reaches_7_to_1(theme: Theme) -> None:
    text, _lines = painted_pairs(theme)
    assert len(text) >= 20
    low = [f"{sel}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1" for sel, fg, bg in text
           if contrast_ratio(fg, bg) < MIN_TEXT_CONTRAST]
    assert not low, "\n".join(low)


@pytest.mark.parametrize("theme", THEMES)
def test_every_border_and_focus_ring_reaches_3_to_1(theme: Theme) -> None:
    _text, lines = painted_pairs(theme)
    assert any(":focus" in sel for sel, _fg, _bg in lines)
    low = [f"{sel}: {fg} beside {bg} is {contrast_ratio(fg, bg):.2f}:1" for sel, fg, bg in lines
           if contrast_ratio(fg, bg) < MIN_NON_TEXT_CONTRAST]
    assert not low, "\n".join(low)


@pytest.mark.parametrize("theme", THEMES)
def test_palette_roles_for_unstyled_widgets_reach_7_to_1(theme: Theme) -> None:
    """Widgets the stylesheet leaves alone take the QPalette: its text roles too."""
    p = theme.palette
    for fg, bg in ((p.text, p.background), (p.text, p.surface), (p.on_primary, p.primary),
                   (p.text_muted, p.background), (p.text_muted, p.surface)):
        assert contrast_ratio(fg, bg) >= MIN_TEXT_CONTRAST, (theme.palette.name, fg, bg)


def test_simple_mode_grows_text_and_targets() -> None:
    plain = Theme(NORMAL, Units(ppi=93.0))
    simple = Theme(NORMAL, Units(ppi=93.0).with_simple(True))
    assert simple.simple and not plain.simple
    assert simple.units.body_font_px >= round(plain.units.body_font_px * 1.4) - 1
    assert simple.content_height(19.0) > plain.content_height(19.0)
    # Larger text on top of simple mode does not shrink it.
    both = Theme(NORMAL, Units(ppi=93.0).with_simple(True).with_large_text(True))
    assert both.units.body_font_px == simple.units.body_font_px
