"""Second-generation resident ID card reader (SAM serial protocol): the pure frame and
record codec (`protocol`) and the serial driver (`reader`). Qt-free."""
from .protocol import IdCardRecord, Response
from .reader import IdCardReader

__all__ = ["IdCardReader", "IdCardRecord", "Response"]
