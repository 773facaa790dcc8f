"""The flow kit: the pieces a service's screens are made of (docs/design.md, "How to
add a service").

- `ServiceFlow` (flow.py): state, busy, background work, errors as message codes,
  navigation by signal;
- `FlowScreen` (base.py): widgets bound to texts rendered from state;
- `FormScreen` (form.py) with `FieldSpec` (fields.py); `OutcomeScreen` (outcome.py);
  `QueuedScreen` and `PendingScreen` (notice.py); `ListDetailScreen` (list_detail.py);
  `ConfirmScreen` (confirm.py);
- texts as state (text.py); the core's answers about services (core_api.py).
"""
