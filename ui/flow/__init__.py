"""The flow kit: the pieces a service's screens are made of (docs/design.md, "How to
add a service").

- `ServiceFlow` (flow.py): state, busy, background work, errors as message codes,
  navigation by signal;
- `FlowScreen` (base.py): widgets bound to texts rendered from state;
- `FormScreen` (form.py) with `FieldSpec` (fields.py); `OutcomeScreen` (outcome.py);
  `QueuedScreen` and `PendingScreen` (notice.py); `ListDetailScreen` (list_detail.py)
  and `ScrollListScreen` (scroll_list.py), both on `EntryListScreen` (entries.py);
  `ConfirmScreen` (confirm.py); `ChoiceScreen`, big buttons for the ways on (choice.py);
- live state (live.py): `Relay` from worker threads, `WhileShown` (watch a device or
  poll only while some screens show), `Countdown` for a code that runs out; a QR code
  on screen is ui.widgets.qr_image.QrImage;
- side prints: `ServiceFlow.print_in_background` (print state "printing", "printed"
  or the failure's code);
- texts as state (text.py); the core's answers about services (core_api.py).
"""
