"""The fleet page's HTML: string templates with every value escaped (`esc`), inline
SVG charts, and a few lines of JavaScript that reload the page's main part every
`refresh_s` seconds. No template engine, no build step, nothing fetched from elsewhere
(the Content-Security-Policy of central.routes.fleet allows this page's own nonce'd
script and style only).

Chinese and English (`?lang=zh|en`, default Chinese): the labels are in `TEXT`.

Other areas add a section with `add_section` (the overview, under the alerts) or
`add_kiosk_section` (a terminal's page): a function of a `SectionContext` returning
HTML, which must escape what it shows (`esc`) and use `ctx.nonce` on any script.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from central.fleet.session import FleetUser
from central.fleet.settings import FleetSettings
from central.fleet.status import PROBLEMS, Alert, DeviceView, FleetView, Terminal, filtered

#: Times on the page are the halls' (China Standard Time, like the kiosks' screens).
ZONE = ZoneInfo("Asia/Shanghai")

TEXT: dict[str, tuple[str, str]] = {  # key: (中文, English)
    "title": ("终端总览", "Fleet"),
    "terminals": ("台终端", "terminals"),
    "alerts": ("告警", "Alerts"),
    "no_alerts": ("没有告警", "No alerts"),
    "hall": ("大厅", "Hall"),
    "all_halls": ("全部大厅", "All halls"),
    "problem": ("问题", "Problem"),
    "all": ("全部", "All"),
    "any": ("有问题的", "Any problem"),
    "silent": ("失联", "Silent"),
    "queue": ("队列超时", "Queue too old"),
    "queue_age": ("队列超时", "Queue too old"),
    "device": ("设备故障", "Device fault"),
    "out_of_service": ("暂停服务", "Out of service"),
    "pending": ("待批准", "Pending approval"),
    "filter": ("筛选", "Filter"),
    "terminal": ("终端", "Terminal"),
    "last_heartbeat": ("最后心跳", "Last heartbeat"),
    "version": ("版本", "Version"),
    "devices": ("设备", "Devices"),
    "queue_col": ("队列", "Queue"),
    "exposure": ("离线敞口", "Exposure"),
    "service": ("服务", "Service"),
    "chart": ("24 小时", "Last 24 h"),
    "never": ("从未", "never"),
    "ago": ("前", "ago"),
    "in_service": ("服务中", "in service"),
    "oldest": ("最早", "oldest"),
    "records": ("条", "records"),
    "sign_out": ("退出", "Sign out"),
    "sign_in": ("登录", "Sign in"),
    "token": ("管理令牌", "Admin token"),
    "sign_in_title": ("终端总览 · 登录", "Fleet · sign in"),
    "wrong_token": ("令牌错误", "Wrong token"),
    "updated": ("更新于", "Updated"),
    "refresh": ("每 {n} 秒自动刷新", "refreshes every {n} s"),
    "back": ("返回总览", "Back to the fleet"),
    "since": ("开始于", "since"),
    "history": ("告警记录", "Alert history"),
    "cleared": ("已恢复", "cleared"),
    "open": ("未恢复", "open"),
    "audit": ("最近的记录", "Recent records"),
    "seq": ("序号", "Seq"),
    "kind": ("类型", "Kind"),
    "status": ("状态", "Status"),
    "received": ("接收时间", "Received"),
    "reason": ("原因", "Reason"),
    "none": ("无", "none"),
    "beats": ("心跳（每 {m} 分钟）", "Heartbeats (per {m} min)"),
    "depth": ("队列深度", "Queue depth"),
    "cassette": ("票箱", "cassette"),
    "stock_low_tag": ("余量低", "low"),
    "stock_empty_tag": ("空", "empty"),
    "stock_blocked_tag": ("已封存待核对", "blocked"),
    "unknown": ("未知终端", "Unknown terminal"),
    "put_oos": ("暂停服务", "Put out of service"),
    "clear_oos": ("恢复服务", "Back in service"),
    "reason_zh": ("原因（中文）", "Reason (Chinese)"),
    "reason_en": ("原因（英文）", "Reason (English)"),
    "alt_zh": ("替代办理（中文）", "Alternative (Chinese)"),
    "alt_en": ("替代办理（英文）", "Alternative (English)"),
    "state": ("状态", "State"),
    "unconfirmed": ("待确认", "unconfirmed"),
}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class SectionContext:
    """What a section added by another area gets: the request's language, the
    signed-in operator (its `csrf` for forms), the script nonce, the service's state,
    and the terminal for `add_kiosk_section`."""

    lang: str
    user: FleetUser
    nonce: str
    state: Any  # central.state.CentralState
    kiosk_id: str | None = None


Section = Callable[[SectionContext], str]
_SECTIONS: list[Section] = []
_KIOSK_SECTIONS: list[Section] = []


def add_section(render: Section) -> None:
    """Show `render`'s HTML on the overview, below the alerts (once per function)."""
    if render not in _SECTIONS:
        _SECTIONS.append(render)


def add_kiosk_section(render: Section) -> None:
    """Show `render`'s HTML on each terminal's page (once per function)."""
    if render not in _KIOSK_SECTIONS:
        _KIOSK_SECTIONS.append(render)


class Page:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in ("zh", "en") else "zh"

    def t(self, key: str, **values: Any) -> str:
        zh, en = TEXT[key]
        return esc((zh if self.lang == "zh" else en).format(**values))

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return self.t("never")
        return esc(moment.astimezone(ZONE).strftime("%m-%d %H:%M:%S"))

    def age(self, seconds: float | None) -> str:
        if seconds is None:
            return ""
        if seconds < 120:
            text = f"{seconds:.0f} s"
        elif seconds < 7200:
            text = f"{seconds / 60:.0f} min"
        elif seconds < 3 * 86400:
            text = f"{seconds / 3600:.1f} h"
        else:
            text = f"{seconds / 86400:.1f} d"
        return f"{esc(text)} {self.t('ago')}" if self.lang == "en" else f"{esc(text)}{self.t('ago')}"

    def duration(self, seconds: float | None) -> str:
        return self.age(seconds).replace(f" {self.t('ago')}", "").replace(self.t("ago"), "")


CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;color:#1d2733;background:#f3f5f8}
header{background:#1f4e79;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center}
header h1{font-size:20px;margin:0}header .sp{flex:1}header a,header button{color:#fff}
header form{margin:0}
header button{background:none;border:1px solid #fff;border-radius:4px;padding:3px 10px;cursor:pointer}
main{padding:14px 20px}
.alerts{background:#fff4f4;border:1px solid #d9534f;border-radius:6px;padding:8px 14px;margin-bottom:14px}
.alerts h2{color:#b52b27;font-size:16px;margin:4px 0}.alerts.ok{background:#f1f8f1;border-color:#5cb85c}
.alerts.ok h2{color:#2d7a2d}.alerts ul{margin:4px 0;padding-left:20px}
.filters{margin:8px 0 12px}.filters select,.filters button{font-size:14px;padding:3px 6px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #dde3ea;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#e8edf3;font-weight:600}
tr.silent td{background:#fff0f0}tr.problem td{background:#fffbe8}
.chip{display:inline-block;border-radius:10px;padding:1px 8px;margin:1px 2px;font-size:12px;background:#e3f0e3}
.chip.bad{background:#f8d7d7;color:#8a1f1b}.chip.warn{background:#fcefc7;color:#7a5b00}
.tag{font-weight:600}.tag.bad{color:#b52b27}.tag.ok{color:#2d7a2d}.muted{color:#6b7785}
footer{padding:8px 20px;color:#6b7785;font-size:12px}
.panel{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;margin-bottom:14px}
.panel h2{font-size:16px;margin:2px 0 8px}.grid{display:flex;flex-wrap:wrap;gap:18px}
form.oos input{width:220px;margin:2px 6px 2px 0}
.login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border-radius:8px;border:1px solid #dde3ea}
.login input{width:100%;font-size:16px;padding:6px;margin:8px 0 14px;box-sizing:border-box}
.login button{font-size:16px;padding:6px 18px}.error{color:#b52b27}
"""

SCRIPT = """
(function(){
  var every = %d * 1000;
  function tick(){
    if (document.hidden) { return; }
    fetch(location.href, {headers: {"X-Fleet-Partial": "1"}, credentials: "same-origin"})
      .then(function(r){ if (r.status === 401) { location.reload(); return null; } return r.ok ? r.text() : null; })
      .then(function(t){ if (t !== null) { document.getElementById("fleet-main").innerHTML = t; } })
      .catch(function(){});
  }
  setInterval(tick, every);
  document.addEventListener("change", function(e){
    if (e.target && e.target.form && e.target.form.classList.contains("filters")) { e.target.form.submit(); }
  });
})();
"""


def document(page: Page, title: str, body: str, nonce: str, *, refresh_s: int | None = None,
             header: str = "") -> str:
    script = (f'<script nonce="{esc(nonce)}">{SCRIPT % refresh_s}</script>'
              if refresh_s else "")
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if page.lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f'<link rel="icon" href="data:,">'
            f'<title>{esc(title)}</title><style nonce="{esc(nonce)}">{CSS}</style></head>'
            f'<body>{header}{body}{script}</body></html>')


def header_bar(page: Page, user: FleetUser, view: FleetView | None, query: dict[str, str]) -> str:
    other = "en" if page.lang == "zh" else "zh"
    switch = esc("?" + urlencode({**query, "lang": other}))
    count = f'<span>{len(view.terminals)} {page.t("terminals")}</span>' if view else ""
    sign_out = ""
    if user.via == "session":
        sign_out = (f'<form method="post" action="/fleet/logout">'
                    f'<input type="hidden" name="csrf" value="{esc(user.csrf)}">'
                    f'<button type="submit">{page.t("sign_out")}</button></form>')
    return (f'<header><h1><a href="/fleet?lang={page.lang}">{page.t("title")}</a></h1>{count}'
            f'<span class="sp"></span><a href="{switch}">{"English" if other == "en" else "中文"}</a>'
            f'{sign_out}</header>')


def sparkline(beats: list[int], depths: list[int | None], expected: float, *,
              width: int = 144, height: int = 28, labels: bool = False,
              last_fraction: float = 1.0) -> str:
    """Heartbeats per bucket as bars (red where fewer than half the expected arrived)
    and the highest queue depth per bucket as a line, in one inline SVG."""
    n = len(beats)
    if n == 0:
        return ""
    bw = width / n
    top = 12 if labels else 0
    h = height - top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for i, count in enumerate(beats):
        if count <= 0:
            continue
        # The newest bucket is still filling: expect only its share so far.
        due = expected * (last_fraction if i == n - 1 else 1.0)
        share = min(1.0, count / due) if due > 0 else 1.0
        bar = max(2.0, share * (h * 0.55))
        colour = "#5cb85c" if share >= 0.5 else "#d9534f"
        parts.append(f'<rect x="{i * bw:.1f}" y="{height - bar:.1f}" width="{max(bw - 0.6, 0.6):.1f}" '
                     f'height="{bar:.1f}" fill="{colour}"/>')
    known = [d for d in depths if d is not None]
    peak = max(known) if known else 0
    if peak > 0:
        points = []
        for i, d in enumerate(depths):
            if d is None:
                continue
            y = top + (h - 2) * (1 - d / peak) + 1
            points.append(f"{i * bw + bw / 2:.1f},{y:.1f}")
        if len(points) == 1:
            points.append(points[0])
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f4e79" '
                     f'stroke-width="1.5"/>')
        if labels:
            parts.append(f'<text x="{width - 2}" y="10" text-anchor="end" font-size="10" '
                         f'fill="#1f4e79">max {peak}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _device_chips(page: Page, devices: list[DeviceView]) -> str:
    chips = []
    for d in devices:
        label = d.condition or d.error or d.state or "?"
        cls = "bad" if d.fault else ("warn" if d.condition else "")
        text = f"{esc(d.name)}: {esc(label)}"
        chips.append(f'<span class="chip {cls}">{text}</span>'
                     + _cassette_chips(page, d.extra.get("cassettes")))
    return "".join(chips) or f'<span class="muted">{page.t("none")}</span>'


def _cassette_chips(page: Page, cassettes: Any) -> str:
    """One chip per cassette: "cassette 1=35", its invoice kind on hover, marked when
    low, empty or blocked by an open reconciliation (central.fleet.reported's shape;
    older stored reports may lack the marks)."""
    if not isinstance(cassettes, list):
        return ""
    chips = []
    for c in cassettes[:16]:
        if not isinstance(c, dict):
            continue
        marks = [page.t(tag) for key, tag in (("blocked", "stock_blocked_tag"),
                                              ("empty", "stock_empty_tag"),
                                              ("low", "stock_low_tag")) if c.get(key)]
        cls = "bad" if c.get("blocked") or c.get("empty") else "warn" if c.get("low") else ""
        title = " · ".join(str(x) for x in (c.get("kind"), c.get("blocked")) if x)
        text = (f'{page.t("cassette")} {esc(c.get("slot", "?"))}='
                f'{esc(c.get("remaining", "?"))}' + "".join(f" {m}" for m in marks[:1]))
        chips.append(f'<span class="chip stock {cls}" title="{esc(title)}">{text}</span>')
    return "".join(chips)


def _exposure(page: Page, terminal: Terminal, settings: FleetSettings) -> str:
    share = terminal.exposure(settings)
    if share is None:
        return '<span class="muted">0 %</span>'
    pct = min(share, 9.99) * 100
    colour = "#d9534f" if share >= 1 else "#f0ad4e" if share >= 0.8 else "#5cb85c"
    bar = (f'<svg xmlns="http://www.w3.org/2000/svg" width="60" height="8">'
           f'<rect width="60" height="8" fill="#e3e8ee"/>'
           f'<rect width="{min(share, 1.0) * 60:.1f}" height="8" fill="{colour}"/></svg>')
    return f"{bar} {pct:.0f} %"


def alert_text(page: Page, alert: Alert) -> str:
    """What an alert says, in the page's language."""
    f = alert.facts
    zh = page.lang == "zh"
    if alert.kind == "silent" and "quiet_s" in f:
        span = page.duration(f["quiet_s"])
        return f"{span}没有心跳" if zh else f"no heartbeat for {span}"
    if alert.kind == "queue_age" and "age_s" in f:
        span = page.duration(f["age_s"])
        limit = esc(format(f["limit_h"], "g"))
        if zh:
            return f"最早的排队记录已 {span}（上限 {limit} 小时），共 {esc(f['queued'])} 条"
        return f"oldest queued record {span} old (limit {limit} h), {esc(f['queued'])} queued"
    if alert.kind == "device" and "lasted_s" in f:
        span = page.duration(f["lasted_s"])
        if zh:
            return f"{esc(alert.subject)}：{esc(f['condition'])}，已持续 {span}"
        return f"{esc(alert.subject)}: {esc(f['condition'])} for {span}"
    return esc(alert.detail)


def _alerts_box(page: Page, view: FleetView) -> str:
    alerts = sorted(view.alerts, key=lambda a: a.since)
    if not alerts:
        return f'<section class="alerts ok" id="alerts"><h2>{page.t("no_alerts")}</h2></section>'
    items = "".join(
        f'<li data-kiosk="{esc(a.kiosk_id)}" data-kind="{esc(a.kind)}">'
        f'<a href="/fleet/kiosks/{esc(a.kiosk_id)}?lang={page.lang}">{esc(a.kiosk_id)}</a> '
        f'<span class="tag bad">{page.t(a.kind)}</span> {alert_text(page, a)} '
        f'<span class="muted">{page.t("since")} {page.when(a.since)}</span></li>'
        for a in alerts)
    return (f'<section class="alerts" id="alerts"><h2>{page.t("alerts")} ({len(alerts)})</h2>'
            f'<ul>{items}</ul></section>')


def _filters(page: Page, view: FleetView, hall: str, problem: str) -> str:
    halls = "".join(f'<option value="{esc(h)}"{" selected" if h == hall else ""}>{esc(h)}</option>'
                    for h in view.halls)
    problems = "".join(
        f'<option value="{p}"{" selected" if p == problem else ""}>{page.t(p)}</option>'
        for p in ("any", *PROBLEMS))
    return (f'<form class="filters" method="get" action="/fleet">'
            f'<input type="hidden" name="lang" value="{page.lang}">'
            f'<label>{page.t("hall")} <select name="hall"><option value="">{page.t("all_halls")}'
            f'</option>{halls}</select></label> '
            f'<label>{page.t("problem")} <select name="problem"><option value="">{page.t("all")}'
            f'</option>{problems}</select></label> '
            f'<noscript><button type="submit">{page.t("filter")}</button></noscript></form>')


def _row(page: Page, t: Terminal, view: FleetView, settings: FleetSettings) -> str:
    problems = t.problems
    cls = "silent" if "silent" in problems else "problem" if problems else ""
    tags = "".join(f'<span class="tag bad">{page.t(p)}</span> ' for p in sorted(problems)
                   if p != "out_of_service")
    queue = ""
    if t.queue_depth is not None:
        queue = f"{t.queue_depth} {page.t('records')}"
        if t.oldest_pending_age_s:
            queue += f'<br><span class="muted">{page.t("oldest")} {page.duration(t.oldest_pending_age_s)}</span>'
    service = (f'<span class="tag bad">{page.t("out_of_service")}</span><br>'
               f'{esc((t.out_of_service or {}).get("reason_zh" if page.lang == "zh" else "reason_en", ""))}'
               if t.out_of_service else f'<span class="tag ok">{page.t("in_service")}</span>')
    expected = view.bucket_s / settings.heartbeat_interval_s
    return (f'<tr class="{cls}" data-kiosk="{esc(t.kiosk_id)}">'
            f'<td><a href="/fleet/kiosks/{esc(t.kiosk_id)}?lang={page.lang}">{esc(t.kiosk_id)}</a>'
            f'<br>{tags}</td><td>{esc(t.hall)}</td>'
            f'<td class="heard">{page.when(t.last_seen)}<br>'
            f'<span class="muted">{page.age(t.age_s(view.now))}</span></td>'
            f'<td>{esc(t.version)}</td><td>{_device_chips(page, t.devices)}</td>'
            f'<td>{queue}</td><td>{_exposure(page, t, settings)}</td><td>{service}</td>'
            f'<td>{sparkline(t.beats, t.depths, expected, last_fraction=view.last_fraction)}</td></tr>')


def overview_main(page: Page, view: FleetView, settings: FleetSettings, hall: str,
                  problem: str, ctx: SectionContext) -> str:
    """The part of the overview the script reloads."""
    rows = "".join(_row(page, t, view, settings) for t in filtered(view, hall, problem))
    extra = "".join(section(ctx) for section in _SECTIONS)
    heads = "".join(f"<th>{page.t(k)}</th>" for k in (
        "terminal", "hall", "last_heartbeat", "version", "devices", "queue_col", "exposure",
        "service", "chart"))
    return (f'{_alerts_box(page, view)}{extra}{_filters(page, view, hall, problem)}'
            f'<table id="terminals"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'
            f'<footer>{page.t("updated")} {page.when(view.now)} · '
            f'{page.t("refresh", n=settings.refresh_s)}</footer>')


def overview(page: Page, view: FleetView, settings: FleetSettings, hall: str, problem: str,
             ctx: SectionContext) -> str:
    query = {k: v for k, v in (("hall", hall), ("problem", problem)) if v}
    body = f'<main id="fleet-main">{overview_main(page, view, settings, hall, problem, ctx)}</main>'
    return document(page, TEXT["title"][0 if page.lang == "zh" else 1], body, ctx.nonce,
                    refresh_s=settings.refresh_s,
                    header=header_bar(page, ctx.user, view, query))


def kiosk_main(page: Page, view: FleetView, settings: FleetSettings,
               occurrences: list[Any], records: list[dict[str, Any]],
               ctx: SectionContext) -> str:
    t = view.terminals[0]
    expected = view.bucket_s / settings.heartbeat_interval_s
    devices = "".join(
        f'<tr><td>{esc(d.name)}</td><td>{esc(d.kind)}</td><td>{esc(d.state)}</td>'
        f'<td>{esc(d.condition or d.error or "")}</td>'
        f'<td>{page.when(d.fault_since) if d.fault_since else ""}</td>'
        f'<td>{_device_chips(page, [d]) if d.extra.get("cassettes") else ""}</td></tr>'
        for d in t.devices)
    history = "".join(
        f'<tr><td><span class="tag bad">{page.t(o.kind)}</span> {esc(o.subject)}</td>'
        f'<td>{esc(o.detail)}</td><td>{page.when(o.since)}</td>'
        f'<td>{page.when(o.cleared_at) if o.cleared_at else page.t("open")}</td></tr>'
        for o in occurrences)
    audit = "".join(
        f'<tr><td>{esc(r["seq"])}</td><td>{esc(r["kind"])}</td><td>{esc(r["status"])}</td>'
        f'<td>{page.when(r["received_at"])}</td><td>{esc(r["reason"] or "")}</td></tr>'
        for r in records)
    extra = "".join(section(ctx) for section in _KIOSK_SECTIONS)
    oos = t.out_of_service
    if oos:
        oos_form = (f'<p><span class="tag bad">{page.t("out_of_service")}</span> '
                    f'{esc(oos.get("reason_zh"))} / {esc(oos.get("reason_en"))} — '
                    f'{esc(oos.get("alternative_zh"))} / {esc(oos.get("alternative_en"))}</p>'
                    f'<form method="post" action="/fleet/kiosks/{esc(t.kiosk_id)}/in-service">'
                    f'<input type="hidden" name="csrf" value="{esc(ctx.user.csrf)}">'
                    f'<button type="submit">{page.t("clear_oos")}</button></form>')
    else:
        fields = "".join(f'<input name="{n}" placeholder="{page.t(k)}" required maxlength="200">'
                         for n, k in (("reason_zh", "reason_zh"), ("reason_en", "reason_en"),
                                      ("alternative_zh", "alt_zh"), ("alternative_en", "alt_en")))
        oos_form = (f'<form class="oos" method="post" action="/fleet/kiosks/{esc(t.kiosk_id)}/'
                    f'out-of-service"><input type="hidden" name="csrf" value="{esc(ctx.user.csrf)}">'
                    f'{fields}<button type="submit">{page.t("put_oos")}</button></form>')
    beats_chart = sparkline(t.beats, [None] * len(t.depths), expected, width=576, height=60,
                            last_fraction=view.last_fraction)
    alerts = "".join(f'<li><span class="tag bad">{page.t(a.kind)}</span> {alert_text(page, a)}</li>'
                     for a in t.alerts)
    return (
        f'<p><a href="/fleet?lang={page.lang}">← {page.t("back")}</a></p>'
        + (f'<section class="alerts" id="alerts"><ul>{alerts}</ul></section>' if alerts else "")
        + f'<div class="panel"><h2>{esc(t.kiosk_id)} · {esc(t.hall)}</h2><div class="grid">'
        f'<div>{page.t("last_heartbeat")}: <b class="heard">{page.when(t.last_seen)}</b> '
        f'<span class="muted">{page.age(t.age_s(view.now))}</span></div>'
        f'<div>{page.t("version")}: {esc(t.version)}</div>'
        f'<div>{page.t("queue_col")}: {esc(t.queue_depth if t.queue_depth is not None else "")} '
        f'{page.t("records")}'
        f'{(", " + page.t("oldest") + " " + page.duration(t.oldest_pending_age_s)) if t.oldest_pending_age_s else ""}'
        f' · {page.t("unconfirmed")} {esc(t.unconfirmed if t.unconfirmed is not None else "")}</div>'
        f'<div>{page.t("exposure")}: {_exposure(page, t, settings)}</div></div></div>'
        f'<div class="panel"><h2>{page.t("chart")}</h2><div class="grid">'
        f'<div>{page.t("beats", m=view.bucket_s // 60)}<br>'
        f'{beats_chart}</div>'
        f'<div>{page.t("depth")}<br>'
        f'{sparkline([0] * len(t.beats), t.depths, expected, width=576, height=60, labels=True)}'
        f'</div></div></div>'
        f'<div class="panel"><h2>{page.t("devices")}</h2><table><thead><tr><th>{page.t("devices")}'
        f'</th><th>{page.t("kind")}</th><th>{page.t("state")}</th><th>{page.t("reason")}</th>'
        f'<th>{page.t("since")}</th><th></th></tr></thead><tbody>{devices}</tbody></table></div>'
        f'<div class="panel"><h2>{page.t("service")}</h2>{oos_form}</div>'
        f'{extra}'
        f'<div class="panel"><h2>{page.t("history")}</h2><table><tbody>{history}</tbody></table></div>'
        f'<div class="panel"><h2>{page.t("audit")}</h2><table><thead><tr><th>{page.t("seq")}</th>'
        f'<th>{page.t("kind")}</th><th>{page.t("status")}</th><th>{page.t("received")}</th>'
        f'<th>{page.t("reason")}</th></tr></thead><tbody>{audit}</tbody></table></div>'
        f'<footer>{page.t("updated")} {page.when(view.now)} · '
        f'{page.t("refresh", n=settings.refresh_s)}</footer>')


def kiosk_page(page: Page, view: FleetView, settings: FleetSettings, occurrences: list[Any],
               records: list[dict[str, Any]], ctx: SectionContext) -> str:
    body = (f'<main id="fleet-main">'
            f'{kiosk_main(page, view, settings, occurrences, records, ctx)}</main>')
    return document(page, f'{view.terminals[0].kiosk_id} · {TEXT["title"][0 if page.lang == "zh" else 1]}',
                    body, ctx.nonce, refresh_s=settings.refresh_s,
                    header=header_bar(page, ctx.user, None, {}))


def sign_in_page(page: Page, nonce: str, error: bool = False) -> str:
    message = f'<p class="error">{page.t("wrong_token")}</p>' if error else ""
    body = (f'<form class="login" method="post" action="/fleet/login?lang={page.lang}">'
            f'<h1>{page.t("sign_in_title")}</h1>{message}'
            f'<label>{page.t("token")}<input type="password" name="token" autocomplete="off" '
            f'autofocus required></label><button type="submit">{page.t("sign_in")}</button></form>')
    return document(page, TEXT["sign_in_title"][0 if page.lang == "zh" else 1], body, nonce)
