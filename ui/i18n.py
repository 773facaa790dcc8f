"""Runtime language switching (Simplified Chinese first, English second).

English is the source language of every `tr()` string, so English means "no
translator". Installing or removing the Chinese translator makes Qt post
`QEvent.LanguageChange` to every widget; each widget re-translates in `changeEvent`.

The .ts/.qm files are produced by `make translations` (pyside6-lupdate over ui/**/*.py,
then pyside6-lrelease); tests/ui/test_i18n.py fails on untranslated entries.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Final, Literal

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal

Language = Literal["zh", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")
DEFAULT_LANGUAGE: Final[Language] = "zh"

I18N_DIR: Final = Path(__file__).resolve().parent / "i18n"
ZH_CN_QM: Final = I18N_DIR / "kiosk_zh_CN.qm"

log = logging.getLogger("kiosk.ui")


class TranslationsError(RuntimeError):
    """The compiled catalogue is missing or unreadable (an install problem)."""


class Translations(QObject):
    """Owns the Chinese QTranslator and which language is active.

    Signals:
        language_changed(str): after a switch, with the new language code.
    """

    language_changed = Signal(str)

    def __init__(self, app: QCoreApplication, qm_path: Path = ZH_CN_QM,
                 default_language: str = DEFAULT_LANGUAGE,
                 parent: QObject | None = None) -> None:
        """Loads the catalogue but changes nothing yet: the composition root calls
        `reset()` (or `set_language(config.ui.language)`) once the window exists."""
        super().__init__(parent)
        if default_language not in LANGUAGES:
            raise ValueError(f"unsupported language {default_language!r}")
        self._app = app
        self._default: Language = default_language
        self._zh = QTranslator(self)
        if not self._zh.load(str(qm_path)):
            raise TranslationsError(f"cannot load translations from {qm_path}")
        self._language: Language = "en"

    @property
    def language(self) -> Language:
        return self._language

    def set_language(self, language: str) -> None:
        """Switch at once; a no-op (and no LanguageChange) if already active."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
        if language == self._language:
            return
        # Set first: (un)installing the translator sends LanguageChange at once, and the
        # widgets that re-translate then may ask which language is now active.
        self._language = language
        if language == "zh":
            self._app.installTranslator(self._zh)
        else:
            self._app.removeTranslator(self._zh)
        log.info("language switched to %s", language)
        self.language_changed.emit(language)

    @property
    def default_language(self) -> Language:
        return self._default

    def reset(self) -> None:
        """Back to the configured default language (start-up, session end)."""
        self.set_language(self._default)

    def uninstall(self) -> None:
        """Remove the translator (tests, shutdown); the language becomes English."""
        self.set_language("en")


_PLACEHOLDER = re.compile(r"%([1-9])")


def fill(template: str, *args: object) -> str:
    """Qt-style `%1`..`%9` substitution in one pass (QString.arg is not in PySide6),
    so translators can reorder arguments and an argument's own text is never
    substituted again."""
    def sub(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return str(args[index]) if index < len(args) else match.group(0)

    return _PLACEHOLDER.sub(sub, template)
