"""Which staff role may do which maintenance action: the one table (Qt-free).

`StaffAuth.authorize` / `StaffAuth.record` enforce it in the core (a refusal is
audited as event "refused"); the maintenance screen reads it to hide or grey what a
role may not use. docs/design.md shows `markdown_table()`; a test keeps the two equal.
Actions of services still to come are listed so that they are born enforced.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .accounts import ROLES

HALL, LOGISTICS, TECHNICIAN = "hall", "logistics", "technician"
assert set(ROLES) == {HALL, LOGISTICS, TECHNICIAN}


@dataclass(frozen=True)
class Action:
    id: str
    roles: frozenset[str]
    what: str  # for the docs table
    available: bool  # False: listed for a service that does not exist yet


_HALL_AND_UP = frozenset({HALL, TECHNICIAN})  # a technician may also do hall work

ACTIONS: dict[str, Action] = {a.id: a for a in (
    Action("view_figures", _HALL_AND_UP,
           "see the queue and sync figures, rejected records and devices", True),
    Action("sync", _HALL_AND_UP, "sync the queue now", True),
    Action("test_print", _HALL_AND_UP, "print a test page", True),
    Action("out_of_service", _HALL_AND_UP, "take the terminal out of service", True),
    Action("device_test", frozenset({TECHNICIAN}), "run device tests", False),
    Action("reconciliation_clear", frozenset({TECHNICIAN}),
           "clear a reconciliation difference", True),
    Action("stock_loading", frozenset({LOGISTICS}), "load invoice stock", True),
    Action("courier_dispatch", frozenset({LOGISTICS}), "hand over to the courier", True),
    Action("dispenser_reconciliation", frozenset({LOGISTICS}),
           "reconcile the invoice dispenser", True),
)}


def allowed(roles: Iterable[str], action: str) -> bool:
    """Whether any of `roles` may do `action`. An action id missing from the table is
    a programming error (ValueError), never a silent yes."""
    entry = ACTIONS.get(action)
    if entry is None:
        raise ValueError(f"unknown staff action {action!r}")
    return not entry.roles.isdisjoint(roles)


def actions_for(roles: Iterable[str]) -> tuple[str, ...]:
    """The action ids `roles` may do, in table order."""
    held = frozenset(roles)
    return tuple(a.id for a in ACTIONS.values() if not a.roles.isdisjoint(held))


def markdown_table() -> str:
    """The table as docs/design.md shows it (a test checks the two are equal)."""
    lines = ["| action id | what | " + " | ".join(ROLES) + " |",
             "|---|---|" + "---|" * len(ROLES)]
    for a in ACTIONS.values():
        what = a.what if a.available else f"{a.what} (service to come)"
        lines.append(f"| `{a.id}` | {what} | "
                     + " | ".join("yes" if r in a.roles else "–" for r in ROLES) + " |")
    return "\n".join(lines)
