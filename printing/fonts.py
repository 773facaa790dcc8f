"""Finding a font that has Chinese glyphs, for raster printing and previews.

`fc-match ':lang=zh'` answers with the best font even when it has no Chinese at all
(DejaVu Sans on a bare system), so we ask `fc-list ':lang=zh'`, which only lists fonts
that cover Chinese, and prefer fonts designed for Simplified Chinese. The Makefile
installs fonts-wqy-microhei and fonts-noto-cjk.
"""
from __future__ import annotations

import functools
import os
import subprocess

from PIL import ImageFont

_KNOWN = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
_PREFERRED_WORDS = ("microhei", "sanscjk", "zenhei", "cjk", "droid")


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Path of a font file with Chinese glyphs (env KIOSK_CJK_FONT wins), or None."""
    override = os.environ.get("KIOSK_CJK_FONT")
    if override and os.path.isfile(override):
        return override
    for path in _KNOWN:
        if os.path.isfile(path):
            return path
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted({line.strip().rstrip(":") for line in out.splitlines() if line.strip()})
    if not files:
        return None

    def rank(path: str) -> int:
        name = os.path.basename(path).lower().replace("-", "")
        bold = "bold" in name
        for i, word in enumerate(_PREFERRED_WORDS):
            if word in name:
                return i * 2 + bold
        return 100 + bold

    return min(files, key=rank)


@functools.lru_cache(maxsize=1)
def _sc_face_index(path: str) -> int:
    """In a .ttc collection, the face index for Simplified Chinese (Noto CJK: "SC")."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(16):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and (" SC" in family or "Micro Hei" in family or "Zen Hei" in family):
            return index
    return 0


@functools.lru_cache(maxsize=16)
def pil_cjk_font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A PIL font of `size_px` with Chinese glyphs (PIL's default font if none exists)."""
    path = find_cjk_font()
    if path is None:
        return ImageFont.load_default(size_px)
    return ImageFont.truetype(path, size_px, index=_sc_face_index(path))
