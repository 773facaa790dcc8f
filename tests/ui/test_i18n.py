"""Translation catalogues are complete and compiled; language switching; the offline
banner's wording in both languages."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from ui.i18n import (DEFAULT_LANGUAGE, I18N_DIR, ZH_CN_QM, Translations, TranslationsError,
                     fill)
from ui.widgets.offline_banner import OfflineBanner

UI_DIR = I18N_DIR.parent
TS_FILES = sorted(I18N_DIR.glob("*.ts"))
_PLACEHOLDERS = re.compile(r"%[1-9n]")


@dataclass(frozen=True)
class Message:
    ts: str
    context: str
    source: str
    comment: str | None
    kind: str | None  # translation type: None (finished), unfinished, vanished, obsolete
    translations: tuple[str, ...]  # one, or one per numerus form

    @property
    def where(self) -> str:
        return f"{self.ts}: [{self.context}] {self.source!r}"


def read_ts(path: Path) -> list[Message]:
    messages = []
    for ctx in ET.parse(path).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            assert tr is not None
            forms = tr.findall("numerusform")
            texts = tuple(f.text or "" for f in forms) if forms else (tr.text or "",)
            messages.append(Message(path.name, name, msg.findtext("source") or "",
                                    msg.findtext("comment"), tr.get("type"), texts))
    return messages


def live(path: Path) -> list[Message]:
    return [m for m in read_ts(path) if m.kind not in ("vanished", "obsolete")]


def test_there_is_a_chinese_catalogue() -> None:
    assert I18N_DIR / "kiosk_zh_CN.ts" in TS_FILES


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_no_untranslated_entries(ts: Path) -> None:
    bad = [m.where for m in live(ts)
           if m.kind == "unfinished" or any(not t.strip() for t in m.translations)]
    assert not bad, ("untranslated (run `make translations`, then translate):\n"
                     + "\n".join(bad))


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_placeholders_survive_translation(ts: Path) -> None:
    for m in live(ts):
        want = sorted(_PLACEHOLDERS.findall(m.source))
        for t in m.translations:
            assert sorted(_PLACEHOLDERS.findall(t)) == want, m.where


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_compiled_catalogue_matches_the_ts_file(qapp: QApplication, ts: Path) -> None:
    """A stale .qm (someone edited the .ts but did not run lrelease) fails here."""
    qm = ts.with_suffix(".qm")
    assert qm.exists(), f"{qm.name} missing: run `make translations`"
    translator = QTranslator()
    assert translator.load(str(qm))
    for m in live(ts):
        if len(m.translations) == 1:
            got = translator.translate(m.context, m.source, m.comment)
            assert got == m.translations[0], f"{m.where} is stale in {qm.name}"


def test_catalogue_has_every_string_in_the_code(tmp_path: Path) -> None:
    """A string added in ui/ without `make translations` fails here."""
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent))
    assert lupdate is not None
    sources = sorted(str(p) for p in UI_DIR.rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run([lupdate, "-silent", "-no-obsolete", *sources, "-ts", str(fresh)],
                   check=True, timeout=60, capture_output=True)
    in_code = {(m.context, m.source, m.comment) for m in read_ts(fresh)}
    catalogue = {(m.context, m.source, m.comment) for m in live(I18N_DIR / "kiosk_zh_CN.ts")}
    missing = sorted(in_code - catalogue)
    assert not missing, "not in kiosk_zh_CN.ts (run `make translations`):\n" + "\n".join(
        f"[{c}] {s!r}" for c, s, _ in missing)


# -- switching ------------------------------------------------------------------------

class Greeting(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.changes = 0
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.changes += 1
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setText(QCoreApplication.translate("IdleOverlay", "Are you still there?"))


def test_switching_language_retranslates_widgets(qtbot: QtBot,
                                                 translations: Translations) -> None:
    label = Greeting()
    qtbot.addWidget(label)
    assert translations.language == "en" and label.text() == "Are you still there?"
    with qtbot.waitSignal(translations.language_changed, check_params_cb=lambda l: l == "zh"):
        translations.set_language("zh")
    qtbot.waitUntil(lambda: label.text() == "您还在吗？")
    translations.set_language("en")
    qtbot.waitUntil(lambda: label.text() == "Are you still there?")


def test_same_language_is_a_no_op(qtbot: QtBot, translations: Translations,
                                  flush_language_change: Callable[[], None]) -> None:
    label = Greeting()
    qtbot.addWidget(label)
    translations.set_language("zh")
    flush_language_change()
    before = label.changes
    with qtbot.assertNotEmitted(translations.language_changed):
        translations.set_language("zh")
    flush_language_change()
    assert label.changes == before


def test_reset_goes_to_the_default_language(translations: Translations) -> None:
    assert DEFAULT_LANGUAGE == "zh" == translations.default_language
    translations.reset()
    assert translations.language == "zh"
    assert QCoreApplication.translate("Keypad", "Clear") == "清空"
    translations.set_language("en")
    assert QCoreApplication.translate("Keypad", "Clear") == "Clear"


def test_bad_language_and_missing_catalogue(qapp: QApplication, tmp_path: Path,
                                            translations: Translations) -> None:
    with pytest.raises(ValueError):
        translations.set_language("fr")
    with pytest.raises(TranslationsError):
        Translations(qapp, qm_path=tmp_path / "nothing.qm")
    assert ZH_CN_QM.exists()


def test_fill_substitutes_once_and_allows_reordering() -> None:
    assert fill("%2 笔（自 %1 起）", "14:05", 3) == "3 笔（自 14:05 起）"
    assert fill("%1", "%2", "x") == "%2"  # an argument is never substituted again
    assert fill("%1 and %3", "a") == "a and %3"


# -- the offline banner ---------------------------------------------------------------

# A moment in the hall's zone (what the banner shows), as the core would pass it.
NOW = datetime(2025, 3, 14, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def banner(qtbot: QtBot) -> Iterator[OfflineBanner]:
    host = QWidget()
    qtbot.addWidget(host)
    b = OfflineBanner(host, now=lambda: NOW)
    host.show()
    yield b


def test_banner_hidden_when_online_and_nothing_waits(banner: OfflineBanner) -> None:
    assert banner.objectName() == "banner.offline"
    banner.set_state(online=True, pending=0, since=None)
    assert banner.isHidden() and banner.state == "hidden"


def test_banner_texts_in_english(banner: OfflineBanner) -> None:
    since = NOW.replace(hour=14, minute=5)
    banner.set_state(online=False, pending=3, since=since)
    assert not banner.isHidden() and banner.state == "offline"
    assert banner.text() == "Offline since 14:05. Transactions waiting to upload: 3"
    assert banner.accessibleName() == banner.text()
    banner.set_state(online=False, pending=0, since=since)
    assert banner.text() == "Offline since 14:05. Some services are unavailable."
    banner.set_state(online=False, pending=2, since=None)
    assert banner.text() == "Offline. Transactions waiting to upload: 2"
    banner.set_state(online=True, pending=5, since=None)
    assert banner.state == "uploading" and banner.property("state") == "uploading"
    assert banner.text() == "Network is back. Uploading saved transactions: 5"
    with pytest.raises(ValueError):
        banner.set_state(online=True, pending=-1, since=None)


def test_banner_adds_the_offline_limit_only_while_offline(banner: OfflineBanner) -> None:
    banner.set_state(online=False, pending=8, since=None, limit="warning")
    assert banner.text() == ("Offline. Transactions waiting to upload: 8\nThe offline "
                             "limit is nearly reached: soon no more requests can be saved.")
    banner.set_state(online=False, pending=10, since=None, limit="exceeded")
    assert banner.text().endswith("no more requests can be saved until the network is back.")
    banner.set_state(online=True, pending=10, since=None, limit="exceeded")
    assert banner.text() == "Network is back. Uploading saved transactions: 10"
    with pytest.raises(ValueError):
        banner.set_state(online=False, pending=1, since=None, limit="full")  # type: ignore[arg-type]


def test_banner_texts_in_chinese(qtbot: QtBot, banner: OfflineBanner, zh: Translations) -> None:
    banner.set_state(online=False, pending=3, since=NOW.replace(hour=14, minute=5))
    assert banner.text() == "网络中断：3 笔业务待上传（自 14:05 起）"
    banner.set_state(online=True, pending=3, since=None)
    assert banner.text() == "网络已恢复，正在上传 3 笔业务"
    banner.set_state(online=False, pending=0, since=None)
    assert banner.text() == "网络中断，部分业务暂不可用"


def test_banner_retranslates_on_language_change(qtbot: QtBot, banner: OfflineBanner,
                                                translations: Translations) -> None:
    banner.set_state(online=False, pending=1, since=None)
    translations.set_language("zh")
    qtbot.waitUntil(lambda: banner.text() == "网络中断：1 笔业务待上传")
    translations.set_language("en")
    qtbot.waitUntil(lambda: banner.text() == "Offline. Transactions waiting to upload: 1")


def test_banner_shows_the_date_of_an_older_outage(banner: OfflineBanner) -> None:
    banner.set_state(online=False, pending=4, since=NOW - timedelta(days=1, hours=1))
    assert "2025-03-13 14:30" in banner.text()


def test_times_follow_the_halls_zone_not_the_machines(banner: OfflineBanner,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal whose OS is set to UTC still shows Beijing time: an outage that began
    at 03:33 UTC reads "since 11:33" in a hall in Asia/Shanghai."""
    import time as _time
    from datetime import datetime as _dt, timezone as _tz

    from kiosk import hall_time
    from ui.messages import local_hhmm

    monkeypatch.setenv("TZ", "UTC")
    _time.tzset()
    try:
        hall_time.configure("Asia/Shanghai")
        banner._now = lambda: _dt(2026, 12, 7, 3, 40, tzinfo=_tz.utc)  # type: ignore[method-assign]
        banner.set_state(online=False, pending=1, since=_dt(2026, 12, 7, 3, 33, tzinfo=_tz.utc))
        assert "since 11:33." in banner.text()
        assert local_hhmm(_dt(2026, 12, 7, 16, 5)) == "00:05"  # naive = UTC; next day in China
        hall_time.configure("Europe/Berlin")
        assert local_hhmm(_dt(2026, 12, 7, 16, 5, tzinfo=_tz.utc)) == "17:05"
    finally:
        hall_time.configure(hall_time.DEFAULT_ZONE)
        monkeypatch.undo()
        _time.tzset()
