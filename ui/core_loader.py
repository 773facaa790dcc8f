"""Starts the Qt-free core on a worker thread and hands it over on the GUI thread."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kiosk import log
from kiosk.config import KioskConfig

if TYPE_CHECKING:
    from kiosk.app import KioskCore

_log = log.get("init")


class CoreLoader(QObject):
    """Signals: loaded(KioskCore) once started; failed(str) with the reason."""

    loaded = Signal(object)
    failed = Signal(str)
    _done = Signal(object, str)  # from the worker thread, delivered on the GUI thread

    def __init__(self, config: KioskConfig) -> None:
        super().__init__()
        self._config = config
        self.core: KioskCore | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start loading; later calls do nothing."""
        if self._thread is not None:
            return
        # Connected here, not in __init__: the first use of PySide's Qt namespace builds
        # all its enums (~15 ms), and the launcher builds the loader before the first
        # paint but starts it after (cold start, #9).
        from PySide6.QtCore import Qt

        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._run, name="core-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from kiosk.app import KioskCore

            core = KioskCore(self._config).start()
        except Exception as exc:  # noqa: BLE001 - reported to the operator, then exit
            _log.exception("core failed to start")
            self._done.emit(None, f"{type(exc).__name__}: {exc}")
            return
        self._done.emit(core, "")

    def _deliver(self, core: object, error: str) -> None:
        if core is None:
            self.failed.emit(error)
            return
        self.core = core  # type: ignore[assignment]
        self.loaded.emit(core)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.core is not None:
            self.core.stop()
