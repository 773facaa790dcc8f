"""Colour tokens, contrast rules and the application stylesheet.

Widgets never hard-code colours: they set a `role` property (and for some, a `state`)
and the stylesheet built here decides. Every foreground/background pair the stylesheet
uses is listed in TEXT_PAIRS or NON_TEXT_PAIRS, and tests/ui/test_theme.py checks each
pair's WCAG contrast in both palettes (text >= 7:1, borders and focus >= 3:1).

Focus ring: WCAG 2.4.13 asks that the ring differ from the *unfocused* pixels by 3:1.
Bordered controls grow their border from BORDER to FOCUS_RING width in the focus colour
(padding shrinks by the same amount, so nothing moves); filled buttons keep a
transparent band of FOCUS_RING width that turns into the focus colour. Either way the
ring replaces background or surface pixels, hence the focus/background and
focus/surface pairs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Final

from PySide6 import QtCore
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.frozen import Frozen
from ui.units import Size, Units, current_units

FONT_FAMILIES: Final = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans")
MIN_TEXT_CONTRAST: Final = 7.0
MIN_NON_TEXT_CONTRAST: Final = 3.0


@dataclass(frozen=True, repr=False, eq=False)
class Palette(Frozen):
    """Colour tokens as #RRGGBB strings."""

    name: str
    background: str
    surface: str
    text: str
    text_muted: str
    primary: str
    primary_dark: str  # the header band; pressed primary buttons
    on_primary: str
    accent: str  # the header's mark and rule: decoration, never text
    on_header: str
    on_header_muted: str
    danger: str
    on_danger: str
    warning: str
    on_warning: str
    success: str
    on_success: str
    focus: str
    border: str
    banner_bg: str
    banner_text: str

    def colours(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


# Calm and official: white ground, the tax service's deep blue for primary actions and
# the header band, a gold accent for the header's mark (decoration only), tiles on a
# pale blue surface, an orange focus ring that no other token uses.
NORMAL: Final = Palette(
    name="normal",
    background="#FFFFFF",
    surface="#EEF3FA",
    text="#1A1A1A",
    text_muted="#3B4654",
    primary="#0B4EA2",
    primary_dark="#073A7D",
    on_primary="#FFFFFF",
    accent="#F2C14E",
    on_header="#FFFFFF",
    on_header_muted="#DCE8F8",
    danger="#9A1717",
    on_danger="#FFFFFF",
    warning="#FFC940",
    on_warning="#1A1A1A",
    success="#1B5E20",
    on_success="#FFFFFF",
    focus="#C25400",
    border="#5E7699",
    banner_bg="#FFE7A0",
    banner_text="#1A1A1A",
)

HIGH_CONTRAST: Final = Palette(
    name="high_contrast",
    background="#000000",
    surface="#1A1A1A",
    text="#FFFFFF",
    text_muted="#D9D9D9",
    primary="#FFD400",
    primary_dark="#000000",
    on_primary="#000000",
    accent="#FFD400",
    on_header="#FFFFFF",
    on_header_muted="#D9D9D9",
    danger="#FF9E9E",
    on_danger="#000000",
    warning="#FFD400",
    on_warning="#000000",
    success="#8CF58C",
    on_success="#000000",
    focus="#00E5FF",
    border="#FFFFFF",
    banner_bg="#FFD400",
    banner_text="#000000",
)

PALETTES: Final = (NORMAL, HIGH_CONTRAST)

# (foreground token, background token): every text colour the stylesheet puts on a fill.
TEXT_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("text", "background"),          # body text, line edits
    ("text", "surface"),             # secondary buttons, tiles, keys, panels
    ("text_muted", "background"),    # subtitles, hints
    ("text_muted", "surface"),       # disabled buttons, hints on panels
    ("on_primary", "primary"),       # primary buttons, pressed secondary buttons, callouts
    ("on_danger", "danger"),         # danger buttons
    ("on_warning", "warning"),       # warning badges
    ("on_success", "success"),       # success badges
    ("banner_text", "banner_bg"),    # offline banner
    ("danger", "background"),        # error messages next to fields
    ("danger", "surface"),           # error messages on panels
    ("background", "text"),          # pressed primary/danger buttons (inverted)
    ("primary", "background"),       # group headings, links, icons on the page
    ("primary", "surface"),          # tile icons and titles, checked toggles' text
    ("on_header", "primary_dark"),   # product name and clock on the header band
    ("on_header_muted", "primary_dark"),  # hall name, terminal id on the header band
)

# Non-text pairs: control boundaries and the focus ring against what is around them.
NON_TEXT_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("focus", "background"),
    ("focus", "surface"),
    ("border", "background"),
    ("border", "surface"),
    ("primary", "background"),
    ("primary", "surface"),
    ("danger", "background"),        # invalid field border, danger buttons
    ("danger", "surface"),
    ("accent", "primary_dark"),      # the header's mark and its gold rule
)

class Space:
    """Spacing tokens in millimetres: gaps between targets never fall below ux.md's
    3 mm, and a hall terminal breathes (margins of 8-12 mm around content)."""

    XS = 2.0
    S = 3.0
    M = 5.0
    L = 8.0
    XL = 12.0


# Capital height of the attract screen's title, readable from a few metres away.
DISPLAY_CAP_MM = 13.0


class IconSize:
    """Icon sizes in millimetres (the SVGs are drawn on a 24 px grid and stay crisp at
    24 and 48 px: at 93 PPI 7 mm is 26 px, 13 mm is 48 px)."""

    ACTION = 7.0  # in buttons of the action bar and secondary buttons
    TILE = 13.0  # on service tiles
    HEADER_MARK = 14.0  # the header's mark


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _channels(hex_colour: str) -> tuple[float, float, float]:
    if not _HEX.match(hex_colour):
        raise ValueError(f"not a #RGB or #RRGGBB colour: {hex_colour!r}")
    digits = hex_colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    r, g, b = (int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _channels(hex_colour)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a_hex: str, b_hex: str) -> float:
    """WCAG contrast ratio between two colours, from 1.0 to 21.0 (order-independent)."""
    la, lb = relative_luminance(a_hex), relative_luminance(b_hex)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def align_center(label: QLabel) -> None:
    """Centre a label's text. Set by name through Qt's property system, as a style
    sheet's `qproperty-alignment` would: `Qt.AlignmentFlag` would make PySide build its
    whole Qt namespace (~90 enums, ~15 ms) before the attract screen's first paint,
    which needs no other member of it (cold start, #9)."""
    label.setProperty("alignment", "AlignCenter")


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on (`role`, `state`, `invalid`) and
    re-polish, because Qt does not re-evaluate selectors on property changes."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    # Descendants too: rules such as `QFrame[role="banner"][state="uploading"] QLabel`
    # select a child by its parent's property, and Qt re-evaluates neither.
    for w in (widget, *widget.findChildren(QWidget)):
        if not w.testAttribute(QtCore.Qt.WidgetAttribute.WA_WState_Polished):
            # Never polished yet (built, not shown): its first polish reads the new
            # property anyway; re-polishing now costs ~10 ms per bar at boot.
            continue
        style = w.style()
        style.unpolish(w)
        style.polish(w)
        w.update()


@dataclass(frozen=True, repr=False, eq=False)
class Theme(Frozen):
    """A palette at a physical size: builds the stylesheet, QPalette and font."""

    palette: Palette
    units: Units

    @classmethod
    def for_settings(cls, *, high_contrast: bool, large_text: bool, ppi: float,
                     simple: bool = False) -> Theme:
        return cls(HIGH_CONTRAST if high_contrast else NORMAL,
                   Units(ppi=ppi).with_large_text(large_text).with_simple(simple))

    @property
    def simple(self) -> bool:
        return self.units.simple

    @property
    def high_contrast(self) -> bool:
        return self.palette.name == HIGH_CONTRAST.name

    # Pixel metrics shared by the stylesheet and by widgets that size themselves.
    @property
    def border_px(self) -> int:
        return max(2, self.units.px(Size.BORDER))

    @property
    def ring_px(self) -> int:
        return max(self.border_px + 2, self.units.px(Size.FOCUS_RING))

    @property
    def padding_px(self) -> int:
        return self.units.px(Size.PADDING)

    def content_height(self, total_mm: float) -> int:
        """Stylesheet min-height is the content box: subtract ring and padding so the
        whole widget comes out at `total_mm`."""
        return max(0, self.units.target(total_mm) - 2 * (self.ring_px + self.padding_px))

    def space(self, mm: float) -> int:
        """A spacing token (`Space.M`) in pixels."""
        return self.units.px(mm)

    def font(self) -> QFont:
        font = QFont()
        font.setFamilies(list(FONT_FAMILIES))
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPixelSize(self.units.body_font_px)
        return font

    def qpalette(self) -> QPalette:
        """Window/base colours for widgets the stylesheet does not style (top-level
        windows fill with Window; labels inherit WindowText)."""
        p = self.palette
        qp = QPalette()
        roles = {
            QPalette.ColorRole.Window: p.background,
            QPalette.ColorRole.WindowText: p.text,
            QPalette.ColorRole.Base: p.background,
            QPalette.ColorRole.AlternateBase: p.surface,
            QPalette.ColorRole.Text: p.text,
            QPalette.ColorRole.Button: p.surface,
            QPalette.ColorRole.ButtonText: p.text,
            QPalette.ColorRole.Highlight: p.primary,
            QPalette.ColorRole.HighlightedText: p.on_primary,
            QPalette.ColorRole.PlaceholderText: p.text_muted,
            QPalette.ColorRole.ToolTipBase: p.surface,
            QPalette.ColorRole.ToolTipText: p.text,
        }
        for role, colour in roles.items():
            qp.setColor(role, QColor(colour))
        for group in (QPalette.ColorGroup.Disabled,):
            qp.setColor(group, QPalette.ColorRole.WindowText, QColor(p.text_muted))
            qp.setColor(group, QPalette.ColorRole.Text, QColor(p.text_muted))
            qp.setColor(group, QPalette.ColorRole.ButtonText, QColor(p.text_muted))
        return qp

    def apply(self, app: QApplication) -> None:
        """Install palette, font and stylesheet on the whole application (at start-up,
        on the high-contrast / larger-text switches, and at session end)."""
        global _current_theme
        _current_theme = self
        app.setPalette(self.qpalette())
        app.setFont(self.font())
        app.setStyleSheet(self.stylesheet())

    def stylesheet(self) -> str:
        p, u = self.palette, self.units
        bw, ring, pad = self.border_px, self.ring_px, self.padding_px
        pad_h = u.px(4.0)
        radius = u.px(Size.RADIUS)
        # Bordered controls: border + padding adds up to ring + pad in both states.
        grow = ring - bw
        body, sub, title, key = (u.body_font_px, u.subtitle_font_px, u.title_font_px,
                                 u.key_font_px)
        key_box = max(0, u.target(Size.KEY) - 2 * (ring + pad))
        letter_box = max(0, u.target(Size.LETTER_KEY) - 2 * (ring + pad))
        return f"""
QLabel {{ background: transparent; }}
QLabel[role="group"] {{ font-size: {sub}px; font-weight: bold; color: {p.primary};
    background-color: {p.background}; border-left: {u.px(1.5)}px solid {p.primary};
    padding-left: {u.px(Space.S)}px; }}
QLabel[role="tile-title"] {{ font-size: {sub}px; font-weight: bold; color: {p.text}; }}
QLabel[role="tile-summary"] {{ color: {p.text_muted}; }}
QLabel[role="caption"] {{ color: {p.text}; font-size: {sub}px; }}

QFrame[role="header"] {{ background-color: {p.primary_dark}; color: {p.on_header};
    border: none; border-bottom: {u.px(1.0)}px solid {p.accent}; }}
QFrame[role="header"] QLabel {{ color: {p.on_header}; }}
QFrame[role="header"] QLabel[role="header-title"] {{ font-size: {sub}px;
    font-weight: bold; }}
QFrame[role="header"] QLabel[role="header-muted"] {{ color: {p.on_header_muted}; }}
QFrame[role="header"] QLabel[role="clock"] {{ font-size: {sub}px; font-weight: bold; }}
QWidget[role="actionbar"] {{ background-color: {p.background}; color: {p.text};
    border-bottom: {bw}px solid {p.surface}; }}
QFrame[role="card"] {{ background-color: {p.surface}; color: {p.text};
    border: {bw}px solid {p.border}; border-radius: {u.px(3.0)}px; }}
QFrame[role="card"][state="unavailable"] {{ border-style: dashed; }}
QLabel[role="title"] {{ font-size: {title}px; font-weight: bold; }}
QLabel[textsize="title"] {{ font-size: {title}px; font-weight: bold; }}
QLabel[textsize="display"] {{ font-size: {u.font_px(DISPLAY_CAP_MM)}px; font-weight: bold;
    color: {p.primary}; }}
QLabel[role="subtitle"] {{ font-size: {sub}px; color: {p.text_muted}; }}
QLabel[role="muted"] {{ color: {p.text_muted}; }}
QLabel[role="error"] {{ color: {p.danger}; font-weight: bold; }}
QLabel[role="warning"] {{ background-color: {p.warning}; color: {p.on_warning};
    padding: {pad}px; border-radius: {radius}px; }}
QLabel[role="success"] {{ background-color: {p.success}; color: {p.on_success};
    padding: {pad}px; border-radius: {radius}px; }}
QLabel[role="countdown"] {{ font-size: {u.countdown_font_px}px; font-weight: bold;
    color: {p.text}; }}

QFrame[role="panel"] {{ background-color: {p.surface}; color: {p.text};
    border: {bw}px solid {p.border}; border-radius: {radius * 2}px; }}
QFrame[role="banner"] {{ background-color: {p.banner_bg}; border: none; }}
QFrame[role="banner"] QLabel {{ color: {p.banner_text}; font-weight: bold; }}
QFrame[role="banner"][state="uploading"] {{ background-color: {p.surface}; }}
QFrame[role="banner"][state="uploading"] QLabel {{ color: {p.text}; }}
QFrame[role="callout"] {{ background-color: {p.primary}; color: {p.on_primary};
    border: none; border-radius: {u.px(3.0)}px; }}
QFrame[role="callout"] QLabel {{ background-color: {p.primary}; color: {p.on_primary}; }}

QPushButton {{
    min-height: {self.content_height(Size.SECONDARY)}px;
    background-color: {p.surface}; color: {p.text};
    border: {bw}px solid {p.border}; border-radius: {radius}px;
    padding: {pad + grow}px {pad_h + grow}px;
    font-size: {body}px; icon-size: {u.px(IconSize.ACTION)}px;
}}
QPushButton:focus {{ border: {ring}px solid {p.focus}; padding: {pad}px {pad_h}px; }}
QPushButton:pressed {{ background-color: {p.primary}; color: {p.on_primary}; }}
QPushButton:disabled {{ background-color: {p.surface}; color: {p.text_muted};
    border-style: dashed; }}

QPushButton:checked {{ background-color: {p.primary}; color: {p.on_primary}; }}

QPushButton[role="tile"] {{
    min-height: {self.content_height(Size.TILE)}px;
    min-width: {max(0, u.px(Size.TILE_MIN_WIDTH) - 2 * (ring + pad_h))}px;
    font-size: {sub}px; font-weight: bold; text-align: left;
    border-radius: {u.px(3.0)}px; icon-size: {u.px(IconSize.TILE)}px;
}}
QPushButton[role="key"] {{
    min-height: {key_box}px; min-width: {key_box}px;
    padding: {pad + grow}px; font-size: {key}px; font-weight: bold;
}}
QPushButton[role="key"][keykind="function"] {{ font-size: {body}px; }}
QWidget#keypad[keys="letters"] QPushButton[role="key"] {{
    min-height: {letter_box}px; min-width: {letter_box}px;
}}
QWidget#keypad[keys="letters"] QPushButton[role="key"][keykind="function"] {{
    min-width: {round(3.2 * body)}px;
}}
QPushButton[role="key"]:focus {{ padding: {pad}px; }}

QPushButton[role="primary"], QPushButton[role="danger"] {{
    min-height: {self.content_height(Size.PRIMARY)}px;
    border: {ring}px solid transparent; background-clip: padding;
    padding: {pad}px {pad_h}px;
    font-size: {sub}px; font-weight: bold;
}}
QPushButton[role="primary"] {{ background-color: {p.primary}; color: {p.on_primary}; }}
QPushButton[role="danger"] {{ background-color: {p.danger}; color: {p.on_danger}; }}
QPushButton[role="primary"]:focus, QPushButton[role="danger"]:focus {{
    border-color: {p.focus}; }}
QPushButton[role="primary"]:pressed, QPushButton[role="danger"]:pressed {{
    background-color: {p.text}; color: {p.background}; }}
QPushButton[role="primary"]:disabled, QPushButton[role="danger"]:disabled {{
    background-color: {p.surface}; color: {p.text_muted}; }}

QLineEdit {{
    min-height: {self.content_height(Size.FIELD)}px;
    background-color: {p.background}; color: {p.text};
    border: {bw}px solid {p.border}; border-radius: {radius}px;
    padding: {pad + grow}px {pad + grow}px;
    font-size: {sub}px;
    selection-background-color: {p.primary}; selection-color: {p.on_primary};
}}
QLineEdit:focus {{ border: {ring}px solid {p.focus}; padding: {pad}px {pad}px; }}
QLineEdit[invalid="true"] {{ border: {ring}px solid {p.danger}; padding: {pad}px {pad}px; }}
QLineEdit:read-only {{ background-color: {p.surface}; }}

QScrollBar:vertical {{ width: {u.target(Size.TARGET_MIN)}px; background: {p.surface};
    margin: 0; }}
QScrollBar::handle:vertical {{ background: {p.border}; min-height: {u.target(Size.TARGET_MIN)}px;
    border-radius: {radius}px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
"""


_current_theme: Theme | None = None


def current_theme() -> Theme:
    """The theme last applied to the application (widgets that paint or colour icons
    themselves read it on ApplicationPaletteChange); before any, the normal palette."""
    return _current_theme or Theme(NORMAL, current_units())
