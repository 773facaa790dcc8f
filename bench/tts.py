"""tts_first_word_ms: from Voice.speak() on the GUI thread to the engine's first word
(its first sayingWord, or "Speaking" for an engine without word progress), median of
10 utterances of a screen's length, and the GUI thread's longest wait in speak().

The engine is the terminal's (speech-dispatcher with espeak-ng) when this machine has
an audio output, else Qt's mock engine (`tts_engine` says which): the figure then
measures the kiosk's own path (queued to the speech thread, the engine's start), not
espeak-ng."""
from __future__ import annotations

import os
import statistics
import time
from typing import Any

UTTERANCES = 10
TIMEOUT_S = 10.0


def measure() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.voice import Voice, engine_unavailable

    app = QApplication.instance() or QApplication([])
    engine = "speechd" if engine_unavailable("speechd") is None else "mock"
    voice = Voice(engine)
    voice.set_on(True)
    firsts: list[float] = []
    stall = 0.0
    for i in range(UTTERANCES):
        voice.first_word_ms = None
        start = time.perf_counter()
        voice.speak(f"发票查验 第{i}次 Invoice verification number {i}", "zh")
        stall = max(stall, (time.perf_counter() - start) * 1000.0)
        end = time.monotonic() + TIMEOUT_S
        while voice.first_word_ms is None and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.001)
        if voice.first_word_ms is None:
            raise RuntimeError(f"the {engine} engine said nothing in {TIMEOUT_S:g} s")
        firsts.append(voice.first_word_ms)
    voice.reset()
    return {"tts_first_word_ms": round(statistics.median(firsts), 1),
            "tts_speak_gui_ms": round(stall, 3), "tts_engine": engine}
