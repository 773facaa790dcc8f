"""A base for the frozen dataclasses a booting kiosk defines (config, theme, catalogue).

`@dataclass(frozen=True)` writes six methods per class as source text and compiles each
(~0.55 ms a class); about sixteen such classes are defined before the attract screen's
first paint (cold start, #9). Declared as

    @dataclass(frozen=True, repr=False, eq=False)
    class UiConfig(Frozen):
        ...

a class gets only `__init__` and the two frozen setters generated, and takes the
repr, equality and hash below, which behave as the generated ones do (fields with
repr=False or compare=False are left out the same way). Everything else of dataclasses
works unchanged: `replace`, `fields`, `asdict`, frozen instances.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any


class Frozen:
    """repr, == and hash from a dataclass's fields, written once instead of per class."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                          for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{type(self).__qualname__}({shown})"

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name)
                     for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f.name) for f in fields(self)  # type: ignore[arg-type]
                          if (f.compare if f.hash is None else f.hash)))
