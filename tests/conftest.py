"""Every test runs without a display: Qt's offscreen platform unless told otherwise."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
