"""The serial payment terminal driver against the simulated terminal on a real pty pair,
with a real SQLite journal: sales, declines, retransmission, timeouts and crash
reconciliation (a sale is never sent twice)."""
import time

import pytest

from drivers.base import DeviceState
from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from drivers.payment import PaymentJournal, PaymentTerminal, SerialPaymentTerminal
from drivers.payment.journal import JournalError
from drivers.payment.mispos import QUERY, SALE, SIGN_IN, VOID
from drivers.simulators.payment_sim import TEST_CARDS, SimulatedPaymentTerminal, card_decision


@pytest.fixture
def sim():
    s = SimulatedPaymentTerminal(stable_link=True).start()
    yield s
    s.close()


@pytest.fixture
def journal(tmp_path):
    j = PaymentJournal(tmp_path / "payments.sqlite3")
    yield j
    j.close()


def make(sim, journal, signed=True, **kw):
    """A driver on the simulator; signed in (签到) first unless told not to, so the
    frame counts of a test are its own."""
    kw.setdefault("transaction_timeout_s", 3.0)
    kw.setdefault("reply_timeout_s", 1.0)
    t = SerialPaymentTerminal(sim.connection, journal=journal, **kw)
    if signed and not sim.mute:
        assert t.sign_in().approved
    return t


@pytest.fixture
def terminal(sim, journal):
    progress = []
    t = make(sim, journal, on_progress=lambda stage, text: progress.append(stage))
    t.progress = progress
    yield t
    t.close()


def wait_for(predicate, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_sale_approved(sim, terminal, journal):
    assert isinstance(terminal, PaymentTerminal)
    result = terminal.sale(12_345, "TAX-0001")
    assert result.approved and result.response_code == "00"
    assert result.amount_fen == 12_345 and result.reference == "TAX-0001"
    assert result.card_masked == "621483******9012"
    assert len(result.trace_no) == 6
    assert terminal.progress == ["CARD", "PIN"]
    job = journal.get("TAX-0001")
    assert job.state == "approved" and job.trace_no == result.trace_no
    assert job.card_masked == "621483******9012" and job.resolved_by == "reply"
    assert terminal.state is DeviceState.IDLE


def test_sale_declined_insufficient_funds(sim, terminal, journal):
    sim.card = {"pan": "6222020000000000059", "expiry": "3012"}  # test card: 51
    result = terminal.sale(1051, "TAX-0002")
    assert not result.approved
    assert (result.response_code, result.message) == ("51", "可用余额不足")
    assert journal.get("TAX-0002").state == "declined"


def test_no_card_presented_is_a_decline(sim, terminal, journal):
    sim.card = None
    result = terminal.sale(500, "TAX-0003")
    assert not result.approved and result.response_code == "TO"
    assert result.card_masked == ""


def test_a_reference_is_never_charged_twice(sim, terminal, journal):
    terminal.sale(100, "TAX-0004")
    with pytest.raises(DeviceError) as err:
        terminal.sale(100, "TAX-0004")
    assert err.value.code is DeviceErrorCode.ILLEGAL
    assert len(sim.frames_of(SALE)) == 1


def test_bad_input_is_refused_before_anything_is_sent(sim, terminal, journal):
    for amount, ref in ((0, "R"), (-5, "R"), (100, ""), (100, "has space"), (100, "x" * 33)):
        with pytest.raises(DeviceError) as err:
            terminal.sale(amount, ref)
        assert err.value.code is DeviceErrorCode.ILLEGAL
    assert sim.frames_of(SALE) == [] and journal.jobs() == []


def test_status(sim, terminal):
    assert terminal.status().state is DeviceState.IDLE
    sim.status_code = "96"  # a fault of the terminal
    status = terminal.status()
    assert status.state is DeviceState.ERROR and status.error is DeviceErrorCode.FAILURE
    sim.status_code = "00"
    sim.mute = True
    terminal.ack_timeout_s = 0.1
    status = terminal.status()
    assert status.error is DeviceErrorCode.TIMEOUT and not status.ok


def test_nak_then_retransmission_succeeds(sim, terminal, journal):
    sim.nak_next = 2
    result = terminal.sale(2000, "TAX-0010")
    assert result.approved
    assert terminal.statistics["retransmissions"] == 2
    assert terminal.statistics["naks_in"] == 2
    assert len(sim.transactions) == 1


def test_retransmissions_exhausted_is_an_error_and_nothing_was_charged(sim, terminal, journal):
    sim.nak_next = 10
    before = terminal.statistics["frames_out"]  # the fixture's sign-in
    with pytest.raises(DeviceError) as err:
        terminal.sale(2000, "TAX-0011")
    assert err.value.code is DeviceErrorCode.FAILURE
    assert err.value.condition is DeviceCondition.BAD_REPLY
    # first transmission + 3 retransmissions
    assert terminal.statistics["frames_out"] - before == 4
    assert journal.get("TAX-0011").state == "not_performed"
    assert sim.transactions == []


def test_lost_acks_do_not_charge_twice(sim, journal):
    t = make(sim, journal, ack_timeout_s=0.2)
    try:
        sale = t.sale(3000, "TAX-0012")
        sim.drop_ack = True  # the terminal's ACKs get lost on the line
        sim.slow_s = 0.5  # and a void sends no progress frame that would stand in
        void = t.void(sale.trace_no, "TAX-0012-V")
    finally:
        t.close()
    assert void.approved
    assert t.statistics["retransmissions"] >= 1
    assert len(sim.frames_of(VOID)) >= 2  # the terminal heard the retransmissions
    assert [x.kind for x in sim.transactions] == [SALE, VOID]  # and voided once


def test_garbled_reply_is_naked_and_repeated(sim, terminal, journal):
    sim.corrupt_next = 2  # the CARD progress frame and its first repetition
    result = terminal.sale(3100, "TAX-0013")
    assert result.approved
    assert terminal.statistics["naks_out"] == 2
    assert len(sim.transactions) == 1


def test_line_noise(sim, terminal, journal):
    sim.garbage = True
    assert terminal.sale(3200, "TAX-0014").approved
    assert terminal.query("TAX-0014").reference == "TAX-0014"
    assert terminal.statistics["garbage_bytes"] > 0


def test_void(sim, terminal, journal):
    sale = terminal.sale(4000, "TAX-0020")
    void = terminal.void(sale.trace_no, "TAX-0020-V")
    assert void.approved and void.kind == "void" and void.amount_fen == 4000
    assert journal.get("TAX-0020-V").state == "approved"
    again = terminal.void(sale.trace_no, "TAX-0020-V2")
    assert not again.approved and again.response_code == "25"


def test_transaction_timeout_then_settled_before_the_next_sale(sim, journal):
    sim.slow_s = 1.0  # the cardholder is slower than the kiosk is patient
    t = make(sim, journal, transaction_timeout_s=0.3)
    try:
        start = time.monotonic()
        with pytest.raises(DeviceError) as err:
            t.sale(5000, "TAX-0030")
        assert err.value.code is DeviceErrorCode.TIMEOUT
        assert time.monotonic() - start < 1.0
        assert journal.get("TAX-0030").state == "unknown"
        # still in the transaction: the terminal says busy, nothing is decided
        with pytest.raises(DeviceError) as err:
            t.reconcile()
        assert err.value.code is DeviceErrorCode.BUSY
        assert journal.get("TAX-0030").state == "unknown"
        assert wait_for(lambda: sim.last is not None)
        sim.slow_s = 0
        # the next sale settles the open one first, from the terminal's record
        assert t.sale(5100, "TAX-0031").approved
    finally:
        t.close()
    assert journal.get("TAX-0030").state == "approved"
    assert journal.get("TAX-0030").resolved_by == "reconcile"
    assert [f.request.reference for f in sim.frames_of(SALE)] == ["TAX-0030", "TAX-0031"]


def test_crash_after_approve_is_reconciled_by_a_new_driver_without_a_second_sale(sim, journal):
    sim.crash_after_approve = True
    first = make(sim, journal, transaction_timeout_s=0.5)
    with pytest.raises(DeviceError) as err:
        first.sale(8800, "TAX-0040")
    assert err.value.code is DeviceErrorCode.TIMEOUT
    assert journal.get("TAX-0040").state == "unknown"
    first.close()  # the kiosk restarts

    second = make(sim, journal)
    try:
        outcomes = second.reconcile()
    finally:
        second.close()
    assert [(o.reference, o.previous_state, o.new_state) for o in outcomes] == [
        ("TAX-0040", "unknown", "approved")]
    assert outcomes[0].result.trace_no == sim.transactions[0].trace_no
    job = journal.get("TAX-0040")
    assert job.state == "approved" and job.resolved_by == "reconcile"
    assert len(sim.frames_of(SALE)) == 1  # the sale frame was sent exactly once
    assert len(sim.transactions) == 1
    assert second.reconcile() == []  # nothing left open


def test_kiosk_crash_with_entry_left_sent_and_terminal_never_heard_it(sim, journal):
    t = make(sim, journal)
    try:
        assert t.sale(100, "TAX-0050").approved
        journal.begin("sale", "TAX-0051", 200)  # the kiosk died right after journalling
        outcomes = t.reconcile()
    finally:
        t.close()
    assert [(o.reference, o.previous_state, o.new_state) for o in outcomes] == [
        ("TAX-0051", "sent", "not_performed")]
    assert len(sim.transactions) == 1


def test_mute_terminal_leaves_unknown_then_reconciles_not_performed(sim, journal):
    t = make(sim, journal, ack_timeout_s=0.15)
    sim.mute = True
    try:
        with pytest.raises(DeviceError) as err:
            t.sale(700, "TAX-0060")
        assert err.value.code is DeviceErrorCode.TIMEOUT
        assert t.statistics["frames_out"] == 5  # the sign-in, then the sale 4 times
        assert journal.get("TAX-0060").state == "unknown"
        sim.mute = False
        outcomes = t.reconcile()
    finally:
        t.close()
    assert outcomes[0].new_state == "not_performed"
    assert sim.transactions == []


def test_a_foreign_transaction_in_between_does_not_hide_ours(sim, journal, tmp_path):
    # Query by reference (not "query last"): someone else's sale after ours does not
    # leave ours undecided.
    sim.crash_after_approve = True
    t = make(sim, journal, transaction_timeout_s=0.4)
    with pytest.raises(DeviceError):
        t.sale(900, "TAX-0070")
    t.close()
    other_journal = PaymentJournal(tmp_path / "other.sqlite3")
    other = make(sim, other_journal)
    assert other.sale(901, "ELSEWHERE-1").approved  # e.g. staff used the terminal
    other.close()
    other_journal.close()
    t = make(sim, journal)
    try:
        outcomes = t.reconcile()
    finally:
        t.close()
    assert [(o.reference, o.new_state) for o in outcomes] == [("TAX-0070", "approved")]
    assert [f.request.reference for f in sim.frames_of(QUERY)][-1] == "TAX-0070"


def test_a_record_that_differs_needs_a_person(sim, journal, tmp_path):
    other_journal = PaymentJournal(tmp_path / "other.sqlite3")
    other = make(sim, other_journal)
    assert other.sale(500, "SAME-REF").approved
    other.close()
    other_journal.close()
    journal.begin("sale", "SAME-REF", 700)  # our entry under the same reference, other amount
    t = make(sim, journal)
    try:
        outcomes = t.reconcile()
    finally:
        t.close()
    assert outcomes[0].new_state == "manual_check"
    assert journal.get("SAME-REF").state == "manual_check"


def test_unplug_and_replug(sim, terminal, journal):
    assert terminal.sale(100, "TAX-0080").approved
    sim.unplug()
    with pytest.raises(DeviceError) as err:
        terminal.sale(100, "TAX-0081")
    assert err.value.code is DeviceErrorCode.OFFLINE
    assert terminal.state is DeviceState.OFFLINE
    sim.replug()
    assert terminal.status().state is DeviceState.IDLE
    assert terminal.sale(100, "TAX-0082").approved
    assert journal.get("TAX-0081").state == "not_performed"  # the terminal never saw it
    assert journal.open_jobs() == []
    assert [t.reference for t in sim.transactions] == ["TAX-0080", "TAX-0082"]


def test_journal_survives_reopen(tmp_path):
    path = tmp_path / "j.sqlite3"
    j = PaymentJournal(path)
    j.begin("sale", "R-1", 100)
    j.close()
    j = PaymentJournal(path)
    assert [job.reference for job in j.open_jobs()] == ["R-1"]
    j.resolve("R-1", "declined", resolved_by="test")
    with pytest.raises(JournalError):
        j.resolve("R-1", "approved", resolved_by="test")  # final states never change
    assert j._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert j._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    j.close()


@pytest.mark.parametrize("card, code", [
    ({"pan": "6214830000069012", "expiry": "3012"}, "00"),
    ({"pan": "6214830000069013", "expiry": "3012"}, "14"),  # Luhn failure
    ({"pan": "6214830000069012", "expiry": "2001"}, "54"),  # expired (YYMM)
    ({"pan": "6222020000000000059", "expiry": "3012"}, "51"),
    ({"pan": "6222020000000000554", "expiry": "3012"}, "55"),
    ({"pan": "6222020000000000919", "expiry": "3012"}, "91"),
])
def test_simulator_decides_by_card_never_by_amount(sim, terminal, card, code):
    sim.card = card
    for n, amount in enumerate((1051, 1055, 1054, 100)):  # the old amount rule is gone
        result = terminal.sale(amount, f"CARD-{code}-{n}")
        assert result.response_code == code
        assert result.approved == (code == "00")


def test_test_cards_are_luhn_valid_and_listed():
    assert all(card_decision({"pan": pan, "expiry": "3012"})[0] == rc
               for pan, (rc, _text) in TEST_CARDS.items())


def test_mispos_fields_reach_the_journal(sim, terminal, journal):
    result = terminal.sale(1228, "TAX-0100")
    assert result.rrn and len(result.rrn) == 12 and len(result.auth_code) == 6
    assert (result.merchant_id, result.terminal_id, result.issuer) == (
        "898500080620629", "00000004", "0308")
    job = journal.get("TAX-0100")
    assert (job.rrn, job.batch_no, job.auth_code) == (result.rrn, result.batch_no,
                                                      result.auth_code)
    request = sim.frames_of(SALE)[0].request
    assert request.amount_fen == 1228 and request.reference == "TAX-0100"


def test_sign_in_once_a_day_then_settlement_closes_the_batch(sim, journal):
    terminal = make(sim, journal, signed=False)
    assert not sim.signed_in
    assert terminal.sale(100, "TAX-0110").approved  # signs in first (签到)
    assert terminal.sale(200, "TAX-0111").approved
    assert len(sim.frames_of(SIGN_IN)) == 1  # once, not per sale
    sale = terminal.sale(300, "TAX-0112")
    assert terminal.void(sale.trace_no, "TAX-0112-V", 300).approved
    settled = terminal.settlement()
    assert settled.approved and settled.kind == "settlement"
    assert settled.amount_fen == 300 and settled.batch_no == "000001"
    assert not sim.signed_in and sim.batch == 2
    # A void of the closed batch is no longer possible; the next sale signs in again.
    late = terminal.void(terminal.query("TAX-0111").trace_no, "TAX-0111-V")
    assert not late.approved and late.response_code == "25"
    assert terminal.sale(400, "TAX-0113").approved
    assert len(sim.frames_of(SIGN_IN)) == 2
    assert terminal.query("TAX-0113").batch_no == "000002"
    terminal.close()


def test_status_signs_a_terminal_in(sim, terminal):
    sim.signed_in = False
    assert terminal.status().state is DeviceState.IDLE
    assert sim.signed_in
    terminal.auto_sign_in = False  # staff sign in by hand (kiosk payments ...)
    sim.signed_in = False
    status = terminal.status()
    assert status.state is DeviceState.ERROR and "signed in" in status.message
    assert terminal.sign_in().approved and sim.signed_in
    assert terminal.status().state is DeviceState.IDLE


def test_query_by_reference(sim, terminal):
    assert terminal.query("NEVER-USED") is None
    sale = terminal.sale(555, "TAX-0120")
    found = terminal.query("TAX-0120")
    assert found is not None and found.trace_no == sale.trace_no and found.amount_fen == 555
    assert found.card_masked == "621483******9012"


def test_void_with_another_amount_is_refused(sim, terminal):
    sale = terminal.sale(1000, "TAX-0130")
    refused = terminal.void(sale.trace_no, "TAX-0130-V1", 999)
    assert not refused.approved and refused.response_code == "13"
    assert terminal.void(sale.trace_no, "TAX-0130-V2", 1000).approved
    assert sim.charged_fen() == 0


def test_red_key_cancels_the_sale(sim, terminal, journal):
    sim.slow_s = 2.0  # the cardholder looks at the PIN pad ...
    import threading

    def press() -> None:
        assert wait_for(lambda: sim.in_transaction)
        assert sim.press_cancel()  # ... and presses 取消

    presser = threading.Thread(target=press)
    presser.start()
    start = time.monotonic()
    result = terminal.sale(2500, "TAX-0140")
    presser.join()
    assert time.monotonic() - start < 1.5
    assert not result.approved and result.response_code == "UC"
    assert journal.get("TAX-0140").state == "declined"
    assert sim.charged_fen() == 0
    assert not sim.press_cancel()  # nothing runs now
