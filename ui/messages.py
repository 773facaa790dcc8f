"""Translated sentences for error codes raised by the Qt-free core.

The core raises errors with stable codes; this table turns a code into a sentence in
the taxpayer's language (English source, Chinese in ui/i18n/kiosk_zh_CN.ts).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ui.i18n import fill

if TYPE_CHECKING:
    from kiosk.staff.auth import StaffAuthError

_CTX = "Messages"


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802 (lupdate finds this name)
    """Marks `source` for lupdate, as Qt's does; typed str (PySide6 declares object)."""
    return source


MESSAGES: dict[str, str] = {
    "qr.invalid": QT_TRANSLATE_NOOP("Messages", "This QR code cannot be read as an invoice. Please scan the QR code printed on the invoice."),
    "qr.not_invoice": QT_TRANSLATE_NOOP("Messages", "This is not an invoice QR code. Please scan the QR code printed on the invoice."),
    "qr.url": QT_TRANSLATE_NOOP("Messages", "This QR code is a web address, not an invoice. Please scan the QR code printed on the invoice."),
    "qr.too_long": QT_TRANSLATE_NOOP("Messages", "This is not an invoice QR code. Please scan the QR code printed on the invoice."),
    "qr.empty": QT_TRANSLATE_NOOP("Messages", "Nothing was scanned. Please try again."),
    "qr.truncated": QT_TRANSLATE_NOOP("Messages", "Only part of the QR code was read. Please hold the invoice still and scan again."),
    "qr.version": QT_TRANSLATE_NOOP("Messages", "This QR code version is not supported. Please type the invoice details instead."),
    "qr.type": QT_TRANSLATE_NOOP("Messages", "This invoice type cannot be verified here."),
    "qr.code": QT_TRANSLATE_NOOP("Messages", "The invoice code in the QR code is damaged. Please type the invoice details instead."),
    "qr.number": QT_TRANSLATE_NOOP("Messages", "The invoice number in the QR code is damaged. Please type the invoice details instead."),
    "qr.amount": QT_TRANSLATE_NOOP("Messages", "The amount in the QR code is damaged. Please type the invoice details instead."),
    "qr.date": QT_TRANSLATE_NOOP("Messages", "The date in the QR code is not a real date. Please type the invoice details instead."),
    "qr.check_code": QT_TRANSLATE_NOOP("Messages", "The check code in the QR code has the wrong length. Please type the invoice details instead."),
    "qr.crc_format": QT_TRANSLATE_NOOP("Messages", "The QR code is damaged. Please scan again or type the invoice details."),
    "qr.slip_damaged": QT_TRANSLATE_NOOP("Messages", "The code on this slip is damaged. Please ask the hall staff for help."),
    "required": QT_TRANSLATE_NOOP("Messages", "Please fill in this field."),
    "code.length": QT_TRANSLATE_NOOP("Messages", "The invoice code has 10 or 12 digits."),
    "code.type_mismatch": QT_TRANSLATE_NOOP("Messages", "This invoice code belongs to another invoice type."),
    "number.length8": QT_TRANSLATE_NOOP("Messages", "The invoice number has 8 digits."),
    "number.length20": QT_TRANSLATE_NOOP("Messages", "The invoice number has 20 digits."),
    "date.invalid": QT_TRANSLATE_NOOP("Messages", "Enter a real date as 8 digits, e.g. 20240514."),
    "amount.invalid": QT_TRANSLATE_NOOP("Messages", "Enter the amount in yuan, e.g. 1024.50."),
    "check6.length": QT_TRANSLATE_NOOP("Messages", "Enter the last 6 digits of the check code."),
    "type.unknown": QT_TRANSLATE_NOOP("Messages", "Choose the invoice type first."),
    "paper_empty": QT_TRANSLATE_NOOP("Messages", "The printer is out of paper. Please ask the hall staff for help."),
    "paper_near_end": QT_TRANSLATE_NOOP("Messages", "The printer paper is running low."),
    "cover_open": QT_TRANSLATE_NOOP("Messages", "The printer cover is open. Please ask the hall staff for help."),
    "no_hardware": QT_TRANSLATE_NOOP("Messages", "This terminal has no receipt printer."),
    "offline": QT_TRANSLATE_NOOP("Messages", "The printer is not responding. Please ask the hall staff for help."),
    "timeout": QT_TRANSLATE_NOOP("Messages", "The printer is not responding. Please ask the hall staff for help."),
    "failure": QT_TRANSLATE_NOOP("Messages", "The printer reported a fault. Please ask the hall staff for help."),
    "jam": QT_TRANSLATE_NOOP("Messages", "The printer paper is jammed. Please ask the hall staff for help."),
    "busy": QT_TRANSLATE_NOOP("Messages", "The printer is busy. Please try again in a moment."),
    "illegal": QT_TRANSLATE_NOOP("Messages", "The printer is not set up correctly. Please ask the hall staff for help."),
    "central.rejected": QT_TRANSLATE_NOOP("Messages", "The tax service could not accept these details. Please check them and try again."),
    "queue.limit": QT_TRANSLATE_NOOP("Messages", "The tax service cannot be reached and this terminal has already saved as many requests as it may. Please try again later or ask the hall staff for help."),
    "internal": QT_TRANSLATE_NOOP("Messages", "Something went wrong. Nothing was recorded. Please try again."),
    # Form fields of the flow kit (ui/flow/fields.py), by kind.
    "digits.invalid": QT_TRANSLATE_NOOP("Messages", "Enter digits only."),
    "code.invalid": QT_TRANSLATE_NOOP("Messages", "Enter letters and digits only."),
    "choice.invalid": QT_TRANSLATE_NOOP("Messages", "Please choose one of the options."),
    "too_long": QT_TRANSLATE_NOOP("Messages", "This is too long."),
    # The calculators (kiosk.domain.calculators.CalculatorInputError codes), beside the field.
    "calc.invalid": QT_TRANSLATE_NOOP("Messages", "This figure cannot be used. Please check it."),
    "calc.float": QT_TRANSLATE_NOOP("Messages", "Enter the figure in yuan, e.g. 1024.50."),
    "calc.type": QT_TRANSLATE_NOOP("Messages", "Enter a number."),
    "calc.not_a_number": QT_TRANSLATE_NOOP("Messages", "Enter a number."),
    "calc.negative": QT_TRANSLATE_NOOP("Messages", "The figure cannot be negative."),
    "calc.too_large": QT_TRANSLATE_NOOP("Messages", "This figure is too large. Please check it."),
    "calc.decimals": QT_TRANSLATE_NOOP("Messages", "Use at most 2 decimal places."),
    "calc.month": QT_TRANSLATE_NOOP("Messages", "Enter a month from 1 to 12."),
    "calc.displacement": QT_TRANSLATE_NOOP("Messages", "Enter the engine size in litres, more than 0 and at most 20, e.g. 1.6."),
    "calc.amounts": QT_TRANSLATE_NOOP("Messages", "The yearly tax table of this terminal is not valid. Please ask the hall staff."),
    "calc.arguments": QT_TRANSLATE_NOOP("Messages", "Give the months owned or the month bought, not both."),
    # Scans no service takes (home screen).
    "scan.unknown": QT_TRANSLATE_NOOP("Messages", "This code cannot be used at this terminal. Please scan an invoice QR code or the QR code on a slip from this system."),
    # Why a service's tile is greyed (kiosk.services.availability reason codes).
    "unavailable.device": QT_TRANSLATE_NOOP("Messages", "Not available right now: a device it needs is out of order. Please ask the hall staff."),
    "unavailable.offline": QT_TRANSLATE_NOOP("Messages", "Not available right now: the tax service cannot be reached. Please try again later."),
    "unavailable.hours": QT_TRANSLATE_NOOP("Messages", "Not available at this time of day. Please see the opening hours."),
    "unavailable.devices_unknown": QT_TRANSLATE_NOOP("Messages", "Not available right now: its devices have not been checked yet."),
    "unavailable.staff_only": QT_TRANSLATE_NOOP("Messages", "For the hall staff only."),
    "unavailable": QT_TRANSLATE_NOOP("Messages", "Not available right now. Please ask the hall staff."),
    # Staff sign-in (kiosk.staff.StaffAuthError codes); staff read these, not taxpayers.
    "staff.unknown_card": QT_TRANSLATE_NOOP("Messages", "This card is not a staff card of this terminal."),
    "staff.pin_format": QT_TRANSLATE_NOOP("Messages", "A PIN is 6 to 8 digits. Please enter it again."),
    "staff.bad_pin": QT_TRANSLATE_NOOP("Messages", "Wrong PIN. Please try again."),
    "staff.bad_pin.left": QT_TRANSLATE_NOOP("Messages", "Wrong PIN. Attempts left before the card is locked: %1."),
    "staff.locked": QT_TRANSLATE_NOOP("Messages", "Too many wrong PINs: this card is locked for now. Please try again later."),
    "staff.locked.until": QT_TRANSLATE_NOOP("Messages", "Too many wrong PINs: this card is locked until %1."),
    "staff.failed": QT_TRANSLATE_NOOP("Messages", "Sign-in is not possible right now. Please try again."),
    "staff.kiosk_locked": QT_TRANSLATE_NOOP("Messages", "Staff sign-in is locked on this terminal: its record of wrong PINs cannot be read. Please ask a technician."),
    "staff.kiosk_locked.until": QT_TRANSLATE_NOOP("Messages", "Staff sign-in is locked on this terminal until %1: its record of wrong PINs was damaged."),
    "staff.not_allowed": QT_TRANSLATE_NOOP("Messages", "Your role may not do this."),
    # Identification (identity.login; kiosk.services.identity and the central's codes).
    "taxpayer.unknown": QT_TRANSLATE_NOOP("Messages", "No taxpayer is registered under these details. Please check them, or ask the hall staff."),
    "login.wrong_password": QT_TRANSLATE_NOOP("Messages", "Wrong TIN or password. Please try again."),
    "login.wrong_password.left": QT_TRANSLATE_NOOP("Messages", "Wrong TIN or password. Tries left before password sign-in is locked: %1."),
    "login.locked": QT_TRANSLATE_NOOP("Messages", "Too many wrong passwords: password sign-in is locked for now. Please use your ID card or the tax app, or try again later."),
    "login.locked.until": QT_TRANSLATE_NOOP("Messages", "Too many wrong passwords: password sign-in is locked until %1. Please use your ID card or the tax app."),
    "login.qr_expired": QT_TRANSLATE_NOOP("Messages", "This sign-in code has expired. Please scan the new code."),
    "login.qr_used": QT_TRANSLATE_NOOP("Messages", "This sign-in code has already been used. Please scan the new code."),
    "session.expired": QT_TRANSLATE_NOOP("Messages", "Your sign-in has expired. Please sign in again."),
    "identity.network": QT_TRANSLATE_NOOP("Messages", "The tax service cannot be reached. Signing in with the tax app or a password needs the network; please use your ID card or try again later."),
    "identity.no_enterprise": QT_TRANSLATE_NOOP("Messages", "You are not registered to act for an enterprise. This service is for enterprises."),
    "identity.failed": QT_TRANSLATE_NOOP("Messages", "Signing in did not work. Please try again."),
    "id_card.expired": QT_TRANSLATE_NOOP("Messages", "This ID card expired on %1 and cannot be used. Please use a valid ID card, the tax app or a password."),
    "id_card.invalid": QT_TRANSLATE_NOOP("Messages", "The number on this ID card cannot be right. Please ask the hall staff."),
    "id_card.unsupported": QT_TRANSLATE_NOOP("Messages", "This card is not a resident ID card. Please use your resident ID card, the tax app or a password."),
    "id_card.unreadable": QT_TRANSLATE_NOOP("Messages", "This card could not be read. Please take it away and put it flat on the reader again."),
    "id_card.reader": QT_TRANSLATE_NOOP("Messages", "The ID card reader is not working. Please sign in with the tax app or a password, or ask the hall staff."),
    "tin.invalid": QT_TRANSLATE_NOOP("Messages", "Enter an 18-character unified social credit code or resident ID number."),
    "password.too_long": QT_TRANSLATE_NOOP("Messages", "A password has at most 64 characters."),
    # Certificates (certificate.verify / certificate.print; offline_queue.certificates
    # and the central's codes).
    "certificate.damaged": QT_TRANSLATE_NOOP("Messages", "This QR code is not a tax certificate's, or it is damaged."),
    "certificate.bad_signature": QT_TRANSLATE_NOOP("Messages", "The certificate's signature does not match: it may be forged or altered."),
    "certificate.unknown_key": QT_TRANSLATE_NOOP("Messages", "This certificate was not signed by a tax office this terminal knows."),
    "certificate.key_expired": QT_TRANSLATE_NOOP("Messages", "This certificate is dated outside the validity of the key that signed it."),
    "certificate.revoked": QT_TRANSLATE_NOOP("Messages", "The tax office has revoked this certificate."),
    "certificate.unknown": QT_TRANSLATE_NOOP("Messages", "The tax office has no certificate with this number or code."),
    "certificate.code_format": QT_TRANSLATE_NOOP("Messages", "A verification code has 16 letters and digits."),
    "certificate.needs_network": QT_TRANSLATE_NOOP("Messages", "Checking a verification code needs the network. Please scan the certificate's QR code, or try again later."),
    "certificate.too_many": QT_TRANSLATE_NOOP("Messages", "Too many checks from this terminal just now. Please try again in a minute."),
    "certificate.no_payments": QT_TRANSLATE_NOOP("Messages", "No payment matches this certificate. Please choose another payment or period."),
    "certificate.person_only": QT_TRANSLATE_NOOP("Messages", "A tax payment record is issued to natural persons only."),
    "period.invalid": QT_TRANSLATE_NOOP("Messages", "Enter a period of months as YYYYMM, from no later than to, at most 36 months, not after this month."),
    # Consultation, tax school, suggestions (issue #13 §3).
    "service.network": QT_TRANSLATE_NOOP("Messages", "The tax service cannot be reached right now. Please try again later."),
    "phone.invalid": QT_TRANSLATE_NOOP("Messages", "Enter an 11-digit mobile number, or a landline number with its area code."),
    "callback.invalid": QT_TRANSLATE_NOOP("Messages", "This request cannot be accepted. Please check the fields."),
    "suggestion.invalid": QT_TRANSLATE_NOOP("Messages", "This suggestion cannot be accepted. Please check the fields."),
    "ticket.invalid": QT_TRANSLATE_NOOP("Messages", "This is not a ticket number: type the 12 digits after GD on your slip."),
    "ticket.unknown": QT_TRANSLATE_NOOP("Messages", "No ticket has this number yet. A request made while the network was down is registered once this terminal is back online."),
    "ticket.ambiguous": QT_TRANSLATE_NOOP("Messages", "This number cannot be looked up here. Please ask at a counter with your slip."),
    "ticket.busy": QT_TRANSLATE_NOOP("Messages", "Too many look-ups from this terminal. Please try again in a minute."),
    "course.unknown": QT_TRANSLATE_NOOP("Messages", "This course is no longer offered."),
    "course.full": QT_TRANSLATE_NOOP("Messages", "This course is full. Please choose another course."),
    "course.booked": QT_TRANSLATE_NOOP("Messages", "You have booked this course already."),
    "course.over": QT_TRANSLATE_NOOP("Messages", "This course has already taken place."),
    "course.not_yet": QT_TRANSLATE_NOOP("Messages", "You can score a course from the day after it."),
    "booking.unknown": QT_TRANSLATE_NOOP("Messages", "You have no booking on this course."),
    "school.identify": QT_TRANSLATE_NOOP("Messages", "To book, please sign in with the tax service (your ID card while the network works, the tax app or your password)."),
    "score.invalid": QT_TRANSLATE_NOOP("Messages", "Please choose a score from 1 to 5."),
    # Look-ups of one's own affairs (issue #10 §3).
    "lookup.identify": QT_TRANSLATE_NOOP("Messages", "This look-up needs a sign-in with the tax service. Please sign in again while the network works (ID card, tax app or password)."),
    "lookup.failed": QT_TRANSLATE_NOOP("Messages", "The tax service did not answer this look-up. Please try again."),
    "consent.bank": QT_TRANSLATE_NOOP("Messages", "Please choose one of the banks listed."),
    # Certificate printing, voucher reprint, tax residence (issue #10 §4).
    "session.needed": QT_TRANSLATE_NOOP("Messages", "This needs a sign-in with the tax service. Please sign out, then sign in while the network works (ID card, tax app or password)."),
    "a4.no_hardware": QT_TRANSLATE_NOOP("Messages", "This terminal has no A4 printer. Please ask the hall staff for help."),
    "voucher.unknown": QT_TRANSLATE_NOOP("Messages", "This voucher is not on record for you."),
    "residence.invalid": QT_TRANSLATE_NOOP("Messages", "This application cannot be accepted. Please check the fields."),
    "residence.income": QT_TRANSLATE_NOOP("Messages", "Please choose at least one kind of income."),
    # Payments (issue #11): kiosk.payments.core's codes.
    "payment.resolving": QT_TRANSLATE_NOOP("Messages", "The terminal is checking an earlier payment with the card terminal. Payments are possible again in a moment."),
    "unavailable.pickup.recovering": QT_TRANSLATE_NOOP("Messages", "The invoice dispenser is settling an earlier pickup: please wait a moment."),
    "unavailable.payment.resolving": QT_TRANSLATE_NOOP("Messages", "Checking an earlier payment first: please wait a moment."),
    "payment.no_terminal": QT_TRANSLATE_NOOP("Messages", "This terminal has no card terminal. Please pay by payment QR code or ask the hall staff."),
    "payment.recorded": QT_TRANSLATE_NOOP("Messages", "The tax office has recorded your payment."),
    "payment.awaiting": QT_TRANSLATE_NOOP("Messages", "Your card was charged. The tax office will confirm the payment as soon as the network is back; you need not pay again. Keep the slip."),
    "payment.unknown": QT_TRANSLATE_NOOP("Messages", "The card terminal did not report the result. The terminal checks it before the next payment: you are never charged twice. Keep the slip and ask the hall staff if in doubt."),
    "payment.manual_check": QT_TRANSLATE_NOOP("Messages", "The hall staff must check this payment with the card terminal's records. You are never charged twice."),
    "payment.terminal_failed": QT_TRANSLATE_NOOP("Messages", "The card terminal could not take the payment. Your card was not charged."),
    "payment.not_sent": QT_TRANSLATE_NOOP("Messages", "The payment never reached the card terminal. Your card was not charged."),
    "payment.voided": QT_TRANSLATE_NOOP("Messages", "The tax office could not record the payment, so the charge was reversed. The money goes back to your card."),
    "central.invalid": QT_TRANSLATE_NOOP("Messages", "The tax office could not record this payment."),
    "central.payment.already_paid": QT_TRANSLATE_NOOP("Messages", "The tax office could not record the payment: this tax has already been paid."),
    "central.payment.amount_changed": QT_TRANSLATE_NOOP("Messages", "The tax office could not record the payment: the amount owed has changed. Please look it up again."),
    # Paying services and payment QR (issue #11, P2).
    "payment_code.no_order": QT_TRANSLATE_NOOP("Messages", "Choose what to pay first, then show your payment code on the QR code screen."),
    "payment_code.invalid": QT_TRANSLATE_NOOP("Messages", "This is not a WeChat Pay, Alipay or UnionPay payment code. Open the payment code in your app and hold it under the scanner."),
    "payment.qr_unavailable": QT_TRANSLATE_NOOP("Messages", "Paying by QR code is not possible on this terminal right now. Please pay by bank card."),
    "payment.qr_refused": QT_TRANSLATE_NOOP("Messages", "The payment service refused this order. Nothing was charged. Please try again."),
    "payment.qr_closed": QT_TRANSLATE_NOOP("Messages", "The payment order was closed. Nothing was charged."),
    "payment.qr_revoked": QT_TRANSLATE_NOOP("Messages", "The payment order was cancelled. If money was taken it goes back to the account you paid from."),
    "payment.nothing_chosen": QT_TRANSLATE_NOOP("Messages", "Choose at least one item to pay."),
    "vehicle.none": QT_TRANSLATE_NOOP("Messages", "No vehicle of yours is registered for vehicle tax at this hall. If an insurer collects your vehicle tax, nothing is due here."),
    "vehicle.no_rates": QT_TRANSLATE_NOOP("Messages", "The province's vehicle tax table is not available. Please ask at the counter."),
    "vehicle.invalid": QT_TRANSLATE_NOOP("Messages", "The vehicle's details cannot be used to work out the tax. Please ask at the counter."),
    "iit.no_prefill": QT_TRANSLATE_NOOP("Messages", "There are no prefilled figures for last year. Please file at the counter or in the tax app."),
    "social_insurance.no_bases": QT_TRANSLATE_NOOP("Messages", "The contribution levels for this year are not available. Please ask at the counter."),
    "social_insurance.paid": QT_TRANSLATE_NOOP("Messages", "Some of these months are paid already. Choose months not yet paid."),
    "social_insurance.invalid": QT_TRANSLATE_NOOP("Messages", "Choose the months from 1 to 12, the first not after the last."),
    "social_insurance.future": QT_TRANSLATE_NOOP("Messages", "Months after this one cannot be paid yet."),
    # The invoice lottery, 数电票 printing and 代开 (issue #12 §3-§4): central.lottery's
    # refusals, central.on_behalf's and the kiosk services' codes.
    "lottery.not_digital": QT_TRANSLATE_NOOP("Messages", "This is not a fully-digital invoice (数电票). Please scan the QR code of a fully-digital invoice."),
    "lottery.id_card_needed": QT_TRANSLATE_NOOP("Messages", "The invoice lottery needs your ID card. Please sign out, then sign in with your ID card."),
    "lottery.unknown_invoice": QT_TRANSLATE_NOOP("Messages", "The tax service has no record of this invoice yet. A new invoice can take an hour to arrive: please try again later."),
    "lottery.mismatch": QT_TRANSLATE_NOOP("Messages", "The amount or date in this QR code is not the invoice's on record. Please scan the QR code on the invoice itself."),
    "lottery.not_ordinary": QT_TRANSLATE_NOOP("Messages", "Only ordinary invoices (普票) take part in the lottery, not special VAT invoices."),
    "lottery.on_behalf": QT_TRANSLATE_NOOP("Messages", "Invoices the tax office issued on behalf of a seller (代开) do not take part in the lottery."),
    "lottery.not_person": QT_TRANSLATE_NOOP("Messages", "Only invoices issued to a natural person by real name take part, not invoices to an organisation."),
    "lottery.not_buyer": QT_TRANSLATE_NOOP("Messages", "The buyer on this invoice is not you. Only the person named as buyer may enter it."),
    "lottery.already_entered": QT_TRANSLATE_NOOP("Messages", "This invoice has already taken part in the lottery."),
    "lottery.no_campaign": QT_TRANSLATE_NOOP("Messages", "No invoice lottery is running for this invoice's date."),
    "lottery.industry": QT_TRANSLATE_NOOP("Messages", "The seller's trade is not part of the invoice lottery."),
    "lottery.below_min": QT_TRANSLATE_NOOP("Messages", "Only invoices of %1 yuan or more take part."),
    "lottery.limit_day": QT_TRANSLATE_NOOP("Messages", "You have entered %1 invoices today, the most allowed. Please come back tomorrow."),
    "lottery.limit_month": QT_TRANSLATE_NOOP("Messages", "You have entered %1 invoices this month, the most allowed."),
    "lottery.limit_campaign": QT_TRANSLATE_NOOP("Messages", "You have entered %1 invoices in this lottery, the most allowed."),
    "lottery.limit_merchant": QT_TRANSLATE_NOOP("Messages", "You have entered %1 invoices from this seller, the most allowed."),
    "invoice.unknown": QT_TRANSLATE_NOOP("Messages", "This invoice is not among the fully-digital invoices you issued or received."),
    "on_behalf.unknown": QT_TRANSLATE_NOOP("Messages", "This application is not on record for you."),
    "on_behalf.unpaid": QT_TRANSLATE_NOOP("Messages", "The tax on this invoice is not recorded as paid yet. The invoice is issued once the tax office has recorded the payment."),
    "on_behalf.person_only": QT_TRANSLATE_NOOP("Messages", "Invoices are issued here for natural persons only. Please sign in for yourself, not for an enterprise."),
    "on_behalf.lines": QT_TRANSLATE_NOOP("Messages", "An invoice here has 1 to 8 lines. For more, please go to the counter."),
    "on_behalf.line": QT_TRANSLATE_NOOP("Messages", "Each line needs an item name, a quantity above 0 and a unit price in yuan above 0 (at most 2 decimals)."),
    "on_behalf.line_amount": QT_TRANSLATE_NOOP("Messages", "A line's amount must be its quantity times its unit price."),
    "on_behalf.too_large": QT_TRANSLATE_NOOP("Messages", "This amount is above what the terminal may issue. Please go to the counter."),
    "on_behalf.buyer": QT_TRANSLATE_NOOP("Messages", "Enter the buyer's name. A taxpayer number has 15 to 20 digits or capital letters."),
}


def message(code: str, *args: object) -> str:
    """The sentence for `code` in the current language; `args` fill %1, %2, ..."""
    text = _lookup(code)
    return fill(text, *args) if args else text


def unavailable_code(reason: str) -> str:
    """The message code for an availability reason code (kiosk.services.availability):
    `device:<code>`, `offline`, `hours`, ..."""
    key = "unavailable.device" if reason.startswith("device:") else f"unavailable.{reason}"
    return key if key in MESSAGES else "unavailable"


def unavailable_message(reason: str) -> str:
    """The sentence under a greyed tile for an availability reason code."""
    return message(unavailable_code(reason))


def _lookup(code: str) -> str:
    source = MESSAGES.get(code) or MESSAGES.get(code.split(".")[0] + ".invalid") \
        or MESSAGES["internal"]
    return QCoreApplication.translate(_CTX, source)


def staff_auth_message(exc: StaffAuthError) -> str:
    """The sentence for a refused staff sign-in: attempts left after a wrong PIN, the
    local time (HH:MM) a locked card unlocks."""
    code = exc.code
    if code == "staff.bad_pin" and exc.attempts_left is not None:
        return message("staff.bad_pin.left", exc.attempts_left)
    if code in ("staff.locked", "staff.kiosk_locked") and exc.locked_until is not None:
        return message(f"{code}.until", local_hhmm(exc.locked_until))
    if code in MESSAGES:
        return message(code)
    return message("staff.failed")


def local_hhmm(moment: datetime) -> str:
    """HH:MM in the hall's time zone (a naive datetime is taken as UTC)."""
    from kiosk.hall_time import to_hall

    return to_hall(moment).strftime("%H:%M")
