"""Use case `progress.query` 办理进度 (Qt-free): the identified taxpayer's applications
and refunds with their steps and current state (sealed `taxpayer/progress`, online
only): 受理 / 审核 / 审批 / 退库 / 办结, or 不予受理 with the reason. A residence
certificate applied for here (`residence.application`) appears once synced.
"""
from __future__ import annotations

from dataclasses import dataclass

from .context import ServiceContext
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, day, subject_rows
from .views import ListItemView, ResultView, Row, Tone, pick

SERVICE_ID = "progress.query"

#: Status and step codes of the registry (central.db.APPLICATION_STATUSES), in order.
STATUSES: dict[str, tuple[str, str]] = {
    "accepted": ("受理", "Accepted"),
    "review": ("审核", "Under review"),
    "approval": ("审批", "Approval"),
    "refund": ("退库", "Refund being paid"),
    "done": ("办结", "Completed"),
    "refused": ("不予受理", "Refused"),
}
LABELS: dict[str, tuple[str, str]] = {
    "title": ("办理进度", "Progress of my applications"),
    "number": ("申请编号", "Application number"),
    "kind": ("事项", "Matter"),
    "submitted_on": ("申请日期", "Submitted on"),
    "status": ("当前状态", "Current state"),
    "reason": ("不予受理原因", "Reason for refusal"),
    "step_done": ("%s 完成", "done %s"),
    "step_open": ("进行中", "in progress"),
    "summary": ("%s · %s · %s", "%s · %s · %s"),
    "refused_note": ("如需补正资料后重新申请，请到办税服务厅窗口咨询。",
                     "To apply again with the missing papers, please ask at a service "
                     "window."),
    "refund_note": ("退库后，税款将退还到您登记的银行账户，一般需3至5个工作日到账。",
                    "Once refunded, the money reaches your registered bank account, "
                    "usually within 3 to 5 working days."),
}


@dataclass(frozen=True)
class Step:
    name: str  # a STATUSES code
    done_on: str  # YYYY-MM-DD, "" while in progress


@dataclass(frozen=True)
class Application:
    number: str
    kind: str
    submitted_on: str
    status: str
    reason: str
    steps: tuple[Step, ...]


def status_name(code: str, lang: str) -> str:
    return pick(STATUSES.get(code, (code, code)), lang)


class ProgressService(TaxpayerLookup):
    service_id = SERVICE_ID

    def fetch(self) -> tuple[Application, ...]:
        """Blocking: the applications, newest first (as the central orders them)."""
        answer = self.call("taxpayer.progress", "taxpayer/progress")
        out = []
        for item in self.listed(answer):
            number, kind, status = item.get("number"), item.get("kind"), item.get("status")
            if not isinstance(number, str) or not isinstance(kind, str) \
                    or not isinstance(status, str):
                raise LookupFailed("unreadable progress answer", "service.network")
            steps = []
            raw_steps = item.get("steps")
            for step in raw_steps if isinstance(raw_steps, list) else []:
                if isinstance(step, dict) and isinstance(step.get("name"), str):
                    done = day(step.get("done_on"))
                    steps.append(Step(step["name"], done.isoformat() if done else ""))
            submitted = day(item.get("submitted_on"))
            reason = item.get("reason")
            out.append(Application(number, kind, submitted.isoformat() if submitted else "",
                                   status, reason if isinstance(reason, str) else "",
                                   tuple(steps)))
        return tuple(out)

    # -- views -----------------------------------------------------------------------
    def detail(self, app: Application, lang: str, surface: str = "screen") -> ResultView:
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        rows = [Row("number", label("number"), app.number),
                Row("kind", label("kind"), app.kind),
                Row("submitted_on", label("submitted_on"), app.submitted_on),
                Row("status", label("status"), status_name(app.status, lang))]
        if app.status == "refused" and app.reason:
            rows.append(Row("reason", label("reason"), app.reason))
        for i, step in enumerate(app.steps):  # each step: its name, then when
            text = label("step_done") % step.done_on if step.done_on else label("step_open")
            rows.append(Row(f"step.{i}", status_name(step.name, lang), text))
        notes: tuple[str, ...] = ()
        if app.status == "refused":
            notes = (label("refused_note"),)
        elif app.status == "refund":
            notes = (label("refund_note"),)
        tone: Tone = ("good" if app.status == "done" else "bad" if app.status == "refused"
                else "neutral")
        return ResultView(f"{app.kind}：{status_name(app.status, lang)}" if lang == "zh"
                          else f"{app.kind}: {status_name(app.status, lang)}",
                          tone, tuple(rows), notes)

    def items(self, apps: tuple[Application, ...], lang: str) -> list[ListItemView]:
        return [ListItemView(app.number, app.kind,
                             pick(LABELS["summary"], lang) % (
                                 status_name(app.status, lang), app.number,
                                 app.submitted_on),
                             self.detail(app, lang)) for app in apps]

    def print_slip(self, app: Application, lang: str) -> None:
        """One application's progress on a slip, masked for paper."""
        view = self.detail(app, lang, "paper")
        who_rows = subject_rows(self.who(), lang, "paper")
        rows = [(r.label, r.value) for r in who_rows]
        rows += [(r.label, r.value) for r in view.rows if r.key != "number"]
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["number"], lang),
            number=app.number, headline=status_name(app.status, lang), rows=rows,
            notes=list(view.notes))


def build(ctx: ServiceContext) -> ProgressService:
    """The catalogue's factory for `progress.query`."""
    return ProgressService.from_context(ctx)
