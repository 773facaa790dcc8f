"""Use cases, one module each. Services are Qt-free and do blocking I/O: the UI runs
them off the GUI thread (ui.ops.Op)."""
from .catalogue import Policy
from .policy import OfflinePolicy

__all__ = ["OfflinePolicy", "Policy"]
