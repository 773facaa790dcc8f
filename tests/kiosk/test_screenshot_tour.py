"""`make screenshots` knows which screens it must shoot from the catalogue and each
screen module's SCREENS: a screen no step shoots is named before the tour runs,
with the module whose SHOTS should reach it."""
from __future__ import annotations

from kiosk.scenario.screenshots import build_tour, screen_owners, shot_screen, tour_problems


def test_every_inner_screen_of_the_kit_services_has_a_shot() -> None:
    named = {shot_screen(str(arg)) for verb, arg in build_tour() if verb == "shot"}
    for screen in ("consult.callback.queued", "consult.ticket.result",
                   "suggestion.box.queued", "calc.bonus.result", "school.courses.evaluate",
                   "guide.catalogue.matter", "consult.faq.answer",
                   "info.announcements.detail"):
        assert screen in named, screen


def test_a_screen_without_a_shot_is_named_with_its_module() -> None:
    tour = [step for step in build_tour() if step != ("shot", "calc.bonus.result")]
    problems = tour_problems(tour)
    assert ("screen calc.bonus.result has no shot: add steps reaching it to SHOTS in "
            "ui/screens/calc_bonus.py") in problems
    assert screen_owners()["calc.bonus.result"] == "ui.screens.calc_bonus"


def test_an_unknown_verb_is_refused_before_the_tour_runs() -> None:
    assert "unknown verb 'tapp' in the tour" in tour_problems([("tapp", "action.x")])


def test_a_busy_shot_counts_as_the_screen_s_shot() -> None:
    """`shot_busy` (the card screen while the terminal reads the card) is the only shot
    of payment.card: without it the screen is named as not shot."""
    tour = build_tour()
    assert ("shot_busy", "payment.card") in tour
    assert not any(p.startswith("screen payment.card ") for p in tour_problems(tour))
    without = [step for step in tour if step != ("shot_busy", "payment.card")]
    assert any(p.startswith("screen payment.card has no shot") for p in tour_problems(without))
