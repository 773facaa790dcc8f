"""Keyboard-wedge scanner detection: fast bursts are scans, people's typing passes through."""
from drivers.wedge import WedgeAction, WedgeDetector


def feed_all(det, text, start_ms, gap_ms):
    results = []
    t = start_ms
    for ch in text:
        results.append(det.feed(ch, t))
        t += gap_ms
    return results, t


def test_fast_burst_with_suffix_is_a_scan():
    det = WedgeDetector()
    results, _ = feed_all(det, "01,32,031001900111,12345678\r", 0, 4)
    assert all(r.action is WedgeAction.BUFFERING for r in results[:-1])
    assert results[-1].is_scan
    assert results[-1].text == "01,32,031001900111,12345678"
    assert det.pending == ""


def test_slow_typing_passes_through_in_order():
    det = WedgeDetector()
    typed = ""
    t = 0.0
    for ch in "hello":
        r = det.feed(ch, t)
        if r.is_passthrough:
            typed += r.text
        t += 180  # a person: well over 35 ms between keys
    typed += det.poll(t).text
    assert typed == "hello"


def test_enter_alone_and_short_burst_are_typing():
    det = WedgeDetector()
    assert det.feed("\r", 0).text == "\r"
    results, _ = feed_all(det, "ok\r", 1000, 5)
    assert results[-1].is_passthrough and results[-1].text == "ok\r"


def test_typing_then_scan():
    det = WedgeDetector(min_length=4)
    out = det.feed("a", 0)
    assert out.action is WedgeAction.BUFFERING
    first = det.feed("X", 500)  # slow gap: "a" was typing, "X" may start a scan
    assert first.is_passthrough and first.text == "a"
    results, _ = feed_all(det, "12345\r", 505, 3)
    assert results[-1].is_scan and results[-1].text == "X12345"


def test_poll_releases_a_lone_key_after_the_gap():
    det = WedgeDetector(max_interkey_ms=35)
    det.feed("7", 100)
    assert det.poll(120).action is WedgeAction.BUFFERING
    r = det.poll(136)
    assert r.is_passthrough and r.text == "7"
    det.feed("1", 200)
    det.reset()
    assert det.poll(1000).action is WedgeAction.BUFFERING


def test_burst_without_suffix_is_released_as_typing():
    det = WedgeDetector()
    feed_all(det, "abcdef", 0, 5)
    assert det.poll(100).text == "abcdef"
