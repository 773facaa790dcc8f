"""The catalogue holds together, and one function (availability.judge) decides whether a
service may start: for each policy, device problem, link state, service hours and
identification method. Pure: device problems and times are given, not simulated."""
from __future__ import annotations

import importlib
from datetime import datetime

import pytest

from drivers.base import DeviceState, DeviceStatus
from drivers.errors import DeviceCondition, DeviceErrorCode
from kiosk.config import ConfigError, parse_config
from kiosk.hall_time import zone_named
from kiosk.services import OfflinePolicy, availability
from kiosk.services.availability import DEVICES_UNKNOWN, Availability, judge
from kiosk.services.catalogue import (
    CATALOGUE,
    Group,
    Identity,
    IdentityMethod,
    Policy,
    ScanKind,
    ServiceSpec,
    check_catalogue,
    claimants,
    spec,
)
from kiosk.services.hours import parse_hours

SHANGHAI = zone_named("Asia/Shanghai")
TUESDAY_10 = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
TUESDAY_12_30 = datetime(2026, 12, 8, 12, 30, tzinfo=SHANGHAI)
SUNDAY_10 = datetime(2026, 12, 13, 10, 0, tzinfo=SHANGHAI)


def make(policy: Policy = Policy.QUEUE, **kw: object) -> ServiceSpec:
    values: dict[str, object] = dict(
        id="test.service", title_zh="测试", title_en="Test", summary_zh="测试服务",
        summary_en="A test service", group=Group.LOOKUP, policy=policy,
        entry_screen="test.service", icon="test")
    values.update(kw)
    return ServiceSpec(**values)  # type: ignore[arg-type]


def no_problems(_kind: str) -> str | None:
    return None


# -- the catalogue ----------------------------------------------------------------------

def test_the_catalogue_has_no_problems() -> None:
    assert check_catalogue() == []


def test_every_factory_names_a_callable() -> None:
    for s in CATALOGUE:
        if s.factory is not None:
            module, _, name = s.factory.partition(":")
            assert callable(getattr(importlib.import_module(module), name)), s.id


def test_check_catalogue_finds_each_kind_of_mistake() -> None:
    bad = (make(), make(), make(id="b", title_en=""),
           make(id="c", identity_methods=(IdentityMethod.QR,)),
           make(id="d", identity=Identity.PERSON),
           make(id="e", factory="no_colon"), make(id="f", scans=(ScanKind.UNKNOWN,)))
    problems = check_catalogue(bad)
    assert any("declared twice" in p for p in problems)
    assert any(p.startswith("b:") for p in problems)
    assert any(p.startswith("c:") for p in problems)
    assert any(p.startswith("d:") for p in problems)
    assert any(p.startswith("e:") for p in problems)
    assert any(p.startswith("f:") for p in problems)


def test_invoice_verification_takes_invoice_and_slip_scans() -> None:
    verify = spec("invoice.verify")
    assert verify.policy is Policy.QUEUE and verify.devices == ()
    assert [s.id for s in claimants(ScanKind.INVOICE_QR)][0] == "invoice.verify"
    assert [s.id for s in claimants(ScanKind.SLIP_QR)][0] == "invoice.verify"


def test_old_offline_policy_name_is_the_catalogue_policy() -> None:
    assert OfflinePolicy is Policy
    assert not hasattr(availability, "SERVICE_DEVICES")  # the catalogue says it now


# -- policies and the link --------------------------------------------------------------

@pytest.mark.parametrize(("policy", "online", "expected"), [
    (Policy.LOCAL, True, Availability(True)),
    (Policy.LOCAL, False, Availability(True)),
    (Policy.ONLINE_ONLY, True, Availability(True)),
    (Policy.ONLINE_ONLY, False, Availability(False, "offline")),
    (Policy.QUEUE, False, Availability(True)),
    (Policy.CACHE, False, Availability(True)),
])
def test_policies_offline_and_online(policy: Policy, online: bool,
                                     expected: Availability) -> None:
    assert judge(make(policy), online=online, problem_of=no_problems) == expected


# -- devices ----------------------------------------------------------------------------

def status(state: DeviceState, error: DeviceErrorCode | None = None,
           condition: DeviceCondition | None = None) -> DeviceStatus:
    return DeviceStatus(device="printer", state=state, error=error, condition=condition)


@pytest.mark.parametrize(("st", "problem"), [
    (None, "no_hardware"),
    (status(DeviceState.IDLE), None),
    (status(DeviceState.CLOSED), None),  # not checked yet: the job asks the device
    (status(DeviceState.IDLE, condition=DeviceCondition.PAPER_NEAR_END), None),  # a warning
    (status(DeviceState.ERROR, DeviceErrorCode.FAILURE, DeviceCondition.PAPER_EMPTY),
     "paper_empty"),
    (status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE), "offline"),
])
def test_device_problem_codes(st: DeviceStatus | None, problem: str | None) -> None:
    assert availability.device_problem(st) == problem


def test_a_device_the_service_needs_greys_it_with_the_device_code() -> None:
    needs_printer = make(devices=("receipt_printer",))
    problems = {"receipt_printer": "paper_empty"}
    verdict = judge(needs_printer, online=True, problem_of=problems.get)
    assert verdict == Availability(False, "device:paper_empty", "receipt_printer")
    assert judge(make(), online=True, problem_of=problems.get).available  # needs none
    unknown = judge(needs_printer, online=True, problem_of=lambda _k: DEVICES_UNKNOWN)
    assert unknown == Availability(False, "devices_unknown", "receipt_printer")


def test_service_problem_is_catalogue_driven() -> None:
    assert availability.service_problem("invoice.verify", lambda _k: None) is None
    catalogue = (make(devices=("invoice_dispenser",)),)
    assert availability.service_problem("test.service", lambda _k: None,
                                        catalogue) == "no_hardware"


# -- hours ------------------------------------------------------------------------------

def test_hours_grey_taxpayer_services_but_not_staff_ones() -> None:
    hours = parse_hours("08:30-12:00,13:30-17:30")
    service = make()
    assert judge(service, online=True, problem_of=no_problems, now=TUESDAY_10,
                 hours=hours).available
    assert judge(service, online=True, problem_of=no_problems, now=TUESDAY_12_30,
                 hours=hours) == Availability(False, "hours")
    staff = make(group=Group.STAFF, staff_role="logistics")
    assert judge(staff, online=True, problem_of=no_problems, now=TUESDAY_12_30,
                 hours=hours, staff=True).available
    assert judge(staff, online=True, problem_of=no_problems) == Availability(False,
                                                                              "staff_only")


def test_hours_by_weekday() -> None:
    hours = parse_hours({"mon": "08:30-17:30", "tue": "08:30-17:30", "sat": "09:00-12:00",
                         "sun": ""})
    assert hours is not None
    assert hours.is_open(TUESDAY_10) and not hours.is_open(SUNDAY_10)
    assert not hours.is_open(datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI))  # wed: unnamed
    assert hours.is_open(datetime(2026, 12, 8, 17, 29, tzinfo=SHANGHAI))
    assert not hours.is_open(datetime(2026, 12, 8, 17, 30, tzinfo=SHANGHAI))  # end excluded
    assert parse_hours("00:00-24:00").is_open(  # type: ignore[union-attr]
        datetime(2026, 12, 8, 23, 59, tzinfo=SHANGHAI))
    assert parse_hours(None) is None


@pytest.mark.parametrize("value", ["", "8-17", "17:30-08:30", "08:30-24:30", "08:60-09:00",
                                   {"monday": "08:00-17:00"}, {"mon": 8}, 830])
def test_bad_hours_are_a_config_error_naming_the_setting(value: object) -> None:
    with pytest.raises(ConfigError, match=r"\[ui\] hours"):
        parse_config({"data_dir": "/tmp/x", "ui": {"hours": value}})


def test_hours_in_the_config() -> None:
    config = parse_config({"data_dir": "/tmp/x", "ui": {"hours": "08:30-17:30"}})
    assert config.ui.hours == "08:30-17:30"
    assert parse_config({"data_dir": "/tmp/x"}).ui.hours is None


# -- identification ---------------------------------------------------------------------

def test_id_card_works_offline_qr_and_password_need_the_network() -> None:
    person = make(Policy.QUEUE, identity=Identity.PERSON,
                  identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR,
                                    IdentityMethod.PASSWORD))
    reader_ok = no_problems
    reader_down = {"id_card_reader": "offline"}.get
    assert availability.identity_methods_now(person, False, reader_ok) == (
        IdentityMethod.ID_CARD,)
    assert availability.identity_methods_now(person, True, reader_down) == (
        IdentityMethod.QR, IdentityMethod.PASSWORD)
    assert judge(person, online=False, problem_of=reader_ok).available
    assert judge(person, online=True, problem_of=reader_down).available
    assert judge(person, online=False, problem_of=reader_down) == Availability(False,
                                                                                "offline")
    qr_only = make(identity=Identity.PERSON, identity_methods=(IdentityMethod.QR,))
    assert judge(qr_only, online=False, problem_of=reader_ok) == Availability(False,
                                                                               "offline")
    card_only = make(identity=Identity.ENTERPRISE, identity_methods=(IdentityMethod.ID_CARD,))
    assert judge(card_only, online=True, problem_of=reader_down) == Availability(
        False, "device:offline", "id_card_reader")
