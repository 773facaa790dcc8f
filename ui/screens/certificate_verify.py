"""Screens of the `certificate.verify` service, on the flow kit (ui/flow): the entry
screen reads scans of a certificate's QR and takes its 验证码 (`field.code` +
`action.confirm`); the result screen says 真实有效 / Genuine with the summary the issuer
certified, or 无法验证 / Cannot be verified with the reason.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.certificate_verify import CertificateVerdict, verdict_view
from kiosk.services.views import ResultView
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Msg

ENTRY = "certificate.verify"
RESULT = "certificate.verify.result"


class CertificateVerifyFlow(ServiceFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.verdict: CertificateVerdict | None = None

    def handle_scan(self, text: str) -> None:
        if self.busy:
            return  # one check at a time
        self.go(ENTRY)
        service = self.service
        self._check(lambda: service.check_qr(text))

    def check_code(self, code: str) -> None:
        service = self.service
        self._check(lambda: service.check_code(code))

    def _check(self, work: Callable[[], CertificateVerdict]) -> None:
        self.set_error(None)
        self.run(work, self._done)

    def _done(self, verdict: CertificateVerdict) -> None:
        self.verdict = verdict
        self.go(RESULT)
        self.changed.emit()

    def view(self, lang: str) -> ResultView | None:
        return verdict_view(self.verdict, lang) if self.verdict is not None else None


class CertificateVerifyScreen(FormScreen):
    screen_id = ENTRY
    flow: CertificateVerifyFlow
    fields = (FieldSpec("code", Kind.CODE, max_length=16),)

    def title_text(self) -> Said:
        return self.tr("Scan the certificate's QR code, or type its verification code")

    def field_text(self, name: str) -> Said:
        return self.tr("Verification code (16 letters and digits, checked online)")

    def confirm_text(self) -> Said:
        return self.tr("Check the code")

    def check(self, name: str, value: str) -> str | None:
        if len(value) != 16:
            return "certificate.code_format"
        return super().check(name, value)

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.check_code(values.get("code", ""))
        return {}


class CertificateResultScreen(OutcomeScreen):
    screen_id = RESULT
    flow: CertificateVerifyFlow

    def title_text(self) -> Said:
        return self.tr("Certificate check")

    def view(self) -> ResultView | None:
        return self.flow.view(self.lang())

    def warning_text(self) -> Said:
        verdict = self.flow.verdict
        if verdict is None or verdict.genuine or not verdict.reason:
            return None
        return Msg(verdict.reason)

    def again_text(self) -> Said:
        return self.tr("Check another certificate")

    def update_state(self) -> None:
        super().update_state()
        self.print_button.setVisible(False)  # nothing to print: the answer is on screen


FLOW = CertificateVerifyFlow
SCREENS = (CertificateVerifyScreen, CertificateResultScreen)
