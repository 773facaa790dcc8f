"""Builds the driver of a configured device from its kind (drivers/kinds.py).

No I/O happens here: the supervisor opens the device afterwards on its own thread.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .base import StatusCallback
from .device import Device
from .errors import DeviceError, DeviceErrorCode
from .kinds import BuildContext, get_kind
from .supervisor import BACKOFF_MAX_S, BACKOFF_START_S, BuiltDevice, DeviceConfigLike

_log = logging.getLogger("drivers.manager")


class DefaultDriverFactory:
    """Builds the project's driver for each kind.

    `on_scan` receives the scans of every scanner kind (serial, camera); a scanner's
    scans reach it only while the supervisor has the device enabled.
    `driver_kwargs[kind]` hands callbacks or resources to drivers of that kind
    (`{"staff_card_reader": {"on_card": f}}`); a key the kind does not declare is a
    programming error and fails that device. `data_dir` holds the job journals of the
    payment terminal and the invoice dispenser, unless `driver_kwargs` brings them.
    """

    def __init__(self, *, on_scan: Callable[[str], None] | None = None,
                 driver_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
                 data_dir: Path | None = None,
                 backoff_start_s: float = BACKOFF_START_S,
                 backoff_max_s: float = BACKOFF_MAX_S) -> None:
        self.on_scan = on_scan
        self.data_dir = data_dir
        self.driver_kwargs = {kind: dict(kw) for kind, kw in (driver_kwargs or {}).items()}
        self.backoff_start_s = backoff_start_s
        self.backoff_max_s = backoff_max_s

    def __call__(self, config: DeviceConfigLike, on_status: StatusCallback) -> BuiltDevice:
        kind = get_kind(config.kind)  # DeviceError illegal for an unknown kind
        options = kind.convert_options(config.name, dict(config.options), _log.warning)
        callbacks = dict(self.driver_kwargs.get(kind.name, {}))
        unknown = sorted(set(callbacks) - kind.callbacks)
        if unknown:
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              f"the {kind.name} driver takes no {', '.join(unknown)}")
        built = BuiltDevice(kind)
        if kind.journal is not None and "journal" not in callbacks:
            # Card payments and dispensing are journalled before they are sent, so a
            # crash is reconciled with the device instead of replayed.
            if self.data_dir is None:
                raise DeviceError(DeviceErrorCode.ILLEGAL,
                                  f"a {kind.name} needs a data directory for its job journal")
            module, class_name, file_name = kind.journal
            journal_cls = getattr(importlib.import_module(module), class_name)
            callbacks["journal"] = journal_cls(self.data_dir / file_name)
            built.owned.append(callbacks["journal"])

        on_scan = self.on_scan

        def deliver(text: str) -> None:  # scans count only while the device is enabled
            if built.enabled and on_scan is not None:
                on_scan(text)

        opts = config.options
        ctx = BuildContext(
            name=config.name, connection=config.connection, on_status=on_status,
            options=options, callbacks=callbacks, on_scan=deliver,
            backoff_start_s=float(opts.get("backoff_start_s", self.backoff_start_s)),
            backoff_max_s=float(opts.get("backoff_max_s", self.backoff_max_s)),
            data_dir=self.data_dir)
        try:
            device = kind.build(ctx)
        except ImportError as exc:  # the driver or its library is not installed
            built.dispose()
            raise DeviceError(DeviceErrorCode.NO_HARDWARE,
                              f"the {kind.name} driver is not installed: {exc}") from exc
        except DeviceError:
            built.dispose()
            raise
        except (ValueError, TypeError) as exc:  # bad connection string or option value
            built.dispose()
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              f"cannot configure {config.name}: {exc}") from exc
        except BaseException:
            built.dispose()
            raise
        if not isinstance(device, Device):  # a kind whose driver breaks the contract
            built.dispose()
            raise DeviceError(DeviceErrorCode.FAILURE,
                              f"the {kind.name} driver ({kind.driver}) is not a Device")
        built.device = device
        return built
