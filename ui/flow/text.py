"""Texts as state: what a screen should say, kept as a message code or a source string
plus its arguments, and rendered into words only when shown.

A screen that stores `Msg("paper_empty")` instead of the sentence renders it again on
every language switch, so no text set at run time stays in the old language (the
"Slip printed" finding of issue #9). Rendering needs Qt's translator (`Tr`, `Msg`);
building and comparing texts does not.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

from PySide6.QtCore import QCoreApplication

from ui.i18n import fill


@dataclass(frozen=True)
class Msg:
    """A sentence of ui/messages.py by its code (the core's error and reason codes)."""

    code: str
    args: tuple[object, ...] = ()

    def render(self, lang: str) -> str:
        from ui.messages import message

        return message(self.code, *self.args)


@dataclass(frozen=True)
class Tr:
    """A source string of the .ts catalogue: mark it for lupdate where it is written,
    `Tr("Ctx", QT_TRANSLATE_NOOP("Ctx", "Printing…"))`; `%1`.. filled from `args`
    (each argument rendered first if it is a text itself)."""

    context: str
    source: object  # a str; QT_TRANSLATE_NOOP is typed as returning object
    args: tuple[object, ...] = ()

    def render(self, lang: str) -> str:
        text = QCoreApplication.translate(self.context, str(self.source))
        if not self.args:
            return text
        return fill(text, *(render(a, lang) if is_text(a) else a for a in self.args))


@dataclass(frozen=True)
class Both:
    """A text the Qt-free core gives in both languages (catalogue titles, view models)."""

    zh: str
    en: str

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Plain:
    """Text that is the same in every language (an invoice number, a reference)."""

    text: str

    def render(self, lang: str) -> str:
        return self.text


@dataclass(frozen=True)
class Join:
    """Texts rendered one after the other (a reason, then what to do)."""

    parts: tuple[Text, ...]
    sep: str = " "

    def render(self, lang: str) -> str:
        return self.sep.join(t for t in (render(p, lang) for p in self.parts) if t)


Text = Msg | Tr | Both | Plain | Join
_TEXT_TYPES = (Msg, Tr, Both, Plain, Join)


def is_text(value: object) -> TypeGuard[Text]:
    return isinstance(value, _TEXT_TYPES)


def render(text: Text | None, lang: str) -> str:
    return "" if text is None else text.render(lang)


def join(*parts: Text | None, sep: str = " ") -> Join:
    return Join(tuple(p for p in parts if p is not None), sep)


def lines(parts: Sequence[Text]) -> Join:
    return Join(tuple(parts), "\n")
