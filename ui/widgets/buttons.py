"""One way to make a kiosk button: stable objectName, accessibleName, style role and a
physical minimum size, so screens cannot forget any of them (automation contract)."""
from __future__ import annotations

from typing import Final, Literal

from PySide6 import QtCore
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from ui.units import Size, Units, current_units

ButtonRole = Literal["secondary", "primary", "danger", "tile", "key"]

MIN_HEIGHT_MM: Final[dict[str, float]] = {
    "secondary": Size.SECONDARY,
    "primary": Size.PRIMARY,
    "danger": Size.PRIMARY,
    "tile": Size.TILE,
    "key": Size.KEY,
}


def make_button(
    text: str,
    object_name: str,
    role: ButtonRole = "secondary",
    accessible_name: str | None = None,
    *,
    units: Units | None = None,
    parent: QWidget | None = None,
    cls: type[QPushButton] = QPushButton,
) -> QPushButton:
    """A QPushButton named for automation (`action.confirm`, `tile.invoice.verify`).

    `text` is already translated by the caller, who also re-sets text and accessible
    name on LanguageChange. The minimum height is set here as well as in the theme's
    stylesheet so the size holds even before (or without) a theme. `cls`: a
    QPushButton subclass (ui.widgets.wrap_button.WrapButton for list entries).
    """
    if role not in MIN_HEIGHT_MM:
        raise ValueError(f"unknown button role {role!r}")
    if not object_name:
        raise ValueError("every interactive widget needs an objectName")
    u = units or current_units()
    button = cls(parent)
    button.setText(text)
    button.setObjectName(object_name)
    button.setAccessibleName(accessible_name or text.replace("&", ""))
    button.setProperty("role", role)
    button.setAutoDefault(False)
    # Keys must not take focus from the field they type into; others keep a push
    # button's StrongFocus, reachable by keyboard (audio mode, maintenance keyboards).
    # QtCore.Qt only here: the attract screen's buttons are no keys, and PySide builds
    # the whole Qt namespace (~15 ms) at its first use (cold start, #9).
    if role == "key":
        button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
    button.setMinimumHeight(u.px(MIN_HEIGHT_MM[role]))
    if role in ("tile", "key"):
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return button
