"""residence.certificate (issue #10 §4): the application is queued, its number and
expected date are known at once (offline too), and once synced the central service
holds it under that same number, so `taxpayer/progress` lists it. Real hall, real
outbox, real sync."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from central.db import Application, ResidenceApplication
from central.demo_data import DEMO_PERSON_ID, DEMO_PERSON_NAME
from kiosk.scenario.runner import ScenarioSession
from kiosk.services.identity import Identified, IdentityService, Taxpayer
from kiosk.services.residence import ResidenceInvalid, ResidenceService, years


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[ScenarioSession]:
    session = ScenarioSession(tmp_path, None, None)
    try:
        session.core.enroll()
        yield session
    finally:
        session.close()


def test_years_offered_start_with_last_year() -> None:
    assert years(date(2026, 3, 1)) == ("2025", "2026", "2024", "2023")


def test_offline_application_gets_its_number_at_once_and_the_same_one_centrally(
        hall: ScenarioSession) -> None:
    core = hall.core
    service = core.service("residence.certificate")
    assert isinstance(service, ResidenceService)
    with pytest.raises(ResidenceInvalid) as caught:  # nobody identified: nothing queued
        service.submit(year=2025, country="新加坡", reason="treaty", income_types=["dividends"])
    assert caught.value.code == "session.needed"
    # An ID card alone identifies its holder offline (no central session).
    person = Taxpayer(DEMO_PERSON_ID, DEMO_PERSON_NAME, "person", DEMO_PERSON_ID)
    core.identity.set(Identified(person, person, "id_card", offline=True))
    hall.do_network("offline")
    with pytest.raises(ResidenceInvalid):
        service.submit(year=2025, country="新加坡", reason="treaty", income_types=[])
    with pytest.raises(ResidenceInvalid):
        service.submit(year=2025, country="", reason="treaty", income_types=["interest"])
    pending = core.outbox.status().pending
    queued = service.submit(year=2025, country="新加坡", reason="treaty",
                            income_types=["interest", "dividends"])
    assert core.outbox.status().pending == pending + 1
    assert queued.number.startswith("SR") and len(queued.number) == 18
    assert queued.income_types == ("股息", "利息")  # the register's order and names
    assert (queued.expected_on - queued.submitted_on).days >= 14  # 10 working days
    view = service.view(queued, "zh", "paper")
    rows = {r.key: r.value for r in view.rows}
    assert rows["applicant"] == "买****力" and rows["id"] == "1****************X"
    hall.do_network("online")
    hall.do_sync({})
    with Session(hall.hall.central.app.state.engine) as db:
        application = db.get(Application, queued.number)
        assert application is not None and application.tin == DEMO_PERSON_ID
        detail = db.get(ResidenceApplication, queued.number)
        assert detail is not None and detail.country == "新加坡" and detail.year == 2025
    # Signed in with the tax service, the progress look-up lists it.
    identity = core.service("identity.login")
    assert isinstance(identity, IdentityService)
    core.identity.set(identity.login_password(DEMO_PERSON_ID, "demo1234"))
    answer = core.central.sealed_call(core.keys, "taxpayer.progress", "taxpayer/progress",
                                      {"session": core.identity.session_token()})
    assert queued.number in {item["number"] for item in answer["items"]}
